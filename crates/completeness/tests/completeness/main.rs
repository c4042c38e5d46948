//! Integration tests of medrec-completeness.

mod cases;
mod synth_truth;
