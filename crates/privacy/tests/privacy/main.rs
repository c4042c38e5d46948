//! Integration tests of `medrec-privacy`: one binary, one module per concern.

mod release;
mod leak;
mod props;
mod support;
mod synth_notes;
mod text_corpus;
