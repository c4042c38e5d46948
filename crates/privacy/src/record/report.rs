//! The de-identification report: what was removed, generalized, replaced, shifted or re-keyed, by
//! PHI kind and by FHIR path (array indices dropped, so counts aggregate), for audit. It holds
//! paths and counts only — never a value.

use crate::PhiKind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// What was done to an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Action {
    /// The element was removed.
    Removed,
    /// Generalized (date → year, ZIP → ZIP3, age → 90 or older).
    Generalized,
    /// Replaced by a surrogate, pseudonym or tag.
    Replaced,
    /// A span of free text was redacted.
    Redacted,
    /// A date was shifted.
    Shifted,
    /// A resource id or reference was re-keyed.
    Rekeyed,
}

impl Action {
    /// The kebab-case name (`removed`, `generalized` …).
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Removed => "removed",
            Action::Generalized => "generalized",
            Action::Replaced => "replaced",
            Action::Redacted => "redacted",
            Action::Shifted => "shifted",
            Action::Rekeyed => "rekeyed",
        }
    }
}

impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One row of the by-path view.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PathCount {
    /// FHIR path without indices, e.g. `Patient.address.line`.
    pub path: String,
    /// The kind of identifier.
    pub kind: PhiKind,
    /// What was done.
    pub action: Action,
    /// How many times.
    pub count: usize,
}

/// The audit report of a de-identification run.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeidReport {
    /// Resources read (bundles and their entries, contained resources).
    pub resources_in: usize,
    /// Resources written.
    pub resources_out: usize,
    /// Counts by kind and action.
    pub by_kind: BTreeMap<PhiKind, BTreeMap<Action, usize>>,
    /// Counts by path, kind and action.
    pub by_path: Vec<PathCount>,
    /// Resources removed whole, by type and reason.
    pub removed_resources: BTreeMap<String, usize>,
    /// Unknown elements removed (fail closed), by path.
    pub unknown_elements: BTreeMap<String, usize>,
    #[serde(skip)]
    index: BTreeMap<(String, PhiKind, Action), usize>,
}

impl DeidReport {
    /// Counts one action.
    pub fn record(&mut self, path: &str, kind: PhiKind, action: Action) {
        *self
            .by_kind
            .entry(kind)
            .or_default()
            .entry(action)
            .or_default() += 1;
        let key = (path.to_string(), kind, action);
        match self.index.get(&key) {
            Some(&i) => self.by_path[i].count += 1,
            None => {
                self.index.insert(key, self.by_path.len());
                self.by_path.push(PathCount {
                    path: path.to_string(),
                    kind,
                    action,
                    count: 1,
                });
            }
        }
    }

    pub(crate) fn removed_resource(&mut self, resource_type: &str, reason: &str) {
        *self
            .removed_resources
            .entry(format!("{resource_type}: {reason}"))
            .or_default() += 1;
    }

    pub(crate) fn unknown_element(&mut self, path: &str) {
        *self.unknown_elements.entry(path.to_string()).or_default() += 1;
    }

    /// The total count for a kind (all actions).
    pub fn count(&self, kind: PhiKind) -> usize {
        self.by_kind.get(&kind).map_or(0, |m| m.values().sum())
    }

    /// Adds another report's counts into this one.
    pub fn merge(&mut self, other: &DeidReport) {
        self.resources_in += other.resources_in;
        self.resources_out += other.resources_out;
        for p in &other.by_path {
            for _ in 0..p.count {
                self.record(&p.path, p.kind, p.action);
            }
        }
        for (k, v) in &other.removed_resources {
            *self.removed_resources.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.unknown_elements {
            *self.unknown_elements.entry(k.clone()).or_default() += v;
        }
    }

    /// The by-path rows sorted by path, kind and action.
    pub fn paths_sorted(&self) -> Vec<PathCount> {
        let mut v = self.by_path.clone();
        v.sort_by(|a, b| (&a.path, a.kind, a.action).cmp(&(&b.path, b.kind, b.action)));
        v
    }
}
