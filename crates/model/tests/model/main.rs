//! medrec-model integration tests (one binary; modules beside this file).

mod data;
mod parse;
mod props;
mod record;
mod roundtrip;
mod validate;
