//! Integration tests of `medrec-datafusion`: SQL results against the medrec library APIs.

#[cfg(feature = "ballista")]
mod ballista;
#[cfg(feature = "ballista")]
mod ballista_fhir;
mod census;
mod common;
mod export;
mod fhir_tables;
mod udaf;
mod udf;
