//! medrec-model integration tests (one binary; modules beside this file).

mod data;
mod record;
mod roundtrip;
