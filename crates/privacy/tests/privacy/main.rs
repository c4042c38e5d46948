//! Integration tests of `medrec-privacy`: one binary, one module per concern.

mod leak;
mod props;
mod release;
mod support;
mod synth_notes;
mod text_corpus;
