//! Shared helpers for the medrec benchmarks (inputs located beside the checkout).
