//! Integration tests of medrec-stats: data-driven textbook cases, properties.

#[cfg(feature = "arrow")]
mod arrow;
mod batch;
mod cases;
mod common;
mod fhir;
mod props;
mod segments;
mod synth;
