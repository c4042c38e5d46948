//! Integration tests of `medrec code`.
