//! Integration tests of `medrec edits`.
