//! Fuzz the review configuration parser (TOML and JSON) and applying the result to the
//! default rule set: bad input gives a typed error, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use medrec::completeness::{ReviewConfig, Reviewer, RuleSet};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for parsed in [
        ReviewConfig::from_toml_str(text),
        ReviewConfig::from_json_str(text),
    ] {
        match parsed {
            Ok(config) => {
                // A parsed configuration either applies or names the unknown rule.
                let _ = Reviewer::with_config(RuleSet::default_inpatient(), config);
            }
            Err(e) => {
                let _ = (e.kind(), e.location().to_string(), e.to_string());
            }
        }
    }
});
