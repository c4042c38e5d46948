//! Integration tests of `medrec release`.
