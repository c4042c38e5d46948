//! Integration tests of `medrec synth`.
