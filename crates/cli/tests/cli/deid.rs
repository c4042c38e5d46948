//! Integration tests of `medrec deid`.
