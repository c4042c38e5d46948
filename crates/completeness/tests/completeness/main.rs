//! Integration tests of medrec-completeness.

mod synth_truth;
