//! Integration tests of `medrec comorbidity`.
