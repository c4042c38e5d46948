//! Integration tests of `medrec-privacy`: one binary, one module per concern.

mod release;
mod leak;
mod support;
mod text_corpus;
