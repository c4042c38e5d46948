//! Integration tests of `medrec-datafusion`: SQL results against the medrec library APIs.

#[cfg(feature = "ballista")]
mod ballista;
mod census;
mod common;
mod export;
mod fhir_tables;
mod udaf;
mod udf;
