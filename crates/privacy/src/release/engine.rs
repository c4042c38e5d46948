//! The crate's de-identification engine ([`crate::record`]) as the release's
//! [`DeidTransform`] for `limited-data-set` and `de-identified` decisions.

use super::disclose::DeidTransform;
use serde_json::Value;

/// The crate's de-identification engine as a [`DeidTransform`]: Safe Harbor with its defaults
/// (random surrogate ids, years only); a limited data set with keyed ids when a key is given
/// (so releases to the same recipient link), random ids otherwise.
#[derive(Debug, Clone, Default)]
pub struct DeidEngine {
    key: Option<crate::PseudonymKey>,
}

impl DeidEngine {
    /// An engine; `key` is used for limited data sets only (Safe Harbor never uses keyed
    /// codes, 45 CFR 164.514(c)).
    pub fn new(key: Option<crate::PseudonymKey>) -> DeidEngine {
        DeidEngine { key }
    }

    fn run(
        &self,
        config: crate::DeidConfig,
        key: Option<crate::PseudonymKey>,
        bundle: Value,
    ) -> Result<Value, String> {
        let mut engine = crate::Deidentifier::new(config, key).map_err(|e| e.to_string())?;
        match engine.deidentify(bundle).map_err(|e| e.to_string())? {
            Some(v) => Ok(v),
            None => Err("the de-identification engine removed the whole bundle".to_string()),
        }
    }
}

impl DeidTransform for DeidEngine {
    fn limited_data_set(&self, bundle: Value) -> Result<Value, String> {
        let mut config = crate::DeidConfig::limited_data_set();
        if self.key.is_none() {
            config.ids = crate::record::IdStrategy::Random;
        }
        self.run(config, self.key.clone(), bundle)
    }

    fn safe_harbor(&self, bundle: Value) -> Result<Value, String> {
        self.run(crate::DeidConfig::safe_harbor(), None, bundle)
    }
}
