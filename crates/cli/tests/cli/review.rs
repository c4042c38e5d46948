//! Integration tests of `medrec review`.
