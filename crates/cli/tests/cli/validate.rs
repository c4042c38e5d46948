//! Integration tests of `medrec validate`.
