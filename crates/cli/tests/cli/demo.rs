//! Integration tests of `medrec demo`.
