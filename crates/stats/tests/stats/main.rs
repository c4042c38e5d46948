//! Integration tests of medrec-stats: data-driven textbook cases, properties.

mod cases;
mod common;
mod fhir;
mod props;
mod synth;
