//! Integration tests of `medrec stats`.
