//! Integration tests of medrec-completeness (one test binary): data-driven rule cases,
//! synth ground truth, Synthea, configuration, reports, properties.

mod cases;
mod config;
mod props;
mod reports;
mod synth_truth;
mod synthea;
