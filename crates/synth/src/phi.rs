//! Protected health information labels: the kinds of HIPAA Safe Harbor identifiers and the exact
//! byte spans of every identifier the generator writes into a note.

use serde::{Deserialize, Serialize};

/// The kinds of HIPAA Safe Harbor identifiers (45 CFR 164.514(b)(2)(i)(A)–(R)), shared with
/// `medrec-privacy`: defined once in [`medrec_model::phi`] and re-exported here. Serialised in
/// SCREAMING_SNAKE_CASE (`NAME`, `ADDRESS`, `HEALTH_PLAN` …), the tags `medrec deid text --spans`
/// prints. Street lines are labelled [`PhiKind::Address`], cities and counties
/// [`PhiKind::Location`], ZIP codes [`PhiKind::Zip`] (kept apart so that ZIP generalisation can be
/// checked on its own), other identifying numbers [`PhiKind::Id`]; [`PhiKind::Photo`] never occurs
/// in note text.
pub use medrec_model::phi::PhiKind;

/// Whose identifier a span is. Safe Harbor covers the individual and relatives, employers and
/// household members; clinicians' names are labelled too (most de-identification corpora, e.g.
/// i2b2 2014, remove them), so a tool can be scored with or without them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PhiSubject {
    /// The patient.
    Patient,
    /// A relative or household member.
    Relative,
    /// The patient's employer.
    Employer,
    /// A clinician (author, attending, surgeon).
    Clinician,
}

/// One identifier inserted into a note: byte offsets into the note's UTF-8 text.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PhiSpan {
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
    /// The kind of identifier.
    pub kind: PhiKind,
    /// Whose identifier it is.
    pub subject: PhiSubject,
}

impl PhiSpan {
    /// The labelled text in `note`.
    pub fn text<'a>(&self, note: &'a str) -> &'a str {
        &note[self.start as usize..self.end as usize]
    }
}

/// A note under construction: text plus the spans of what was inserted as PHI.
#[derive(Debug, Default)]
pub(crate) struct LabelledText {
    pub text: String,
    pub spans: Vec<PhiSpan>,
}

impl LabelledText {
    pub fn with_capacity(n: usize) -> Self {
        LabelledText {
            text: String::with_capacity(n),
            spans: Vec::with_capacity(48),
        }
    }

    #[inline]
    pub fn t(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }

    #[inline]
    pub fn phi(&mut self, kind: PhiKind, subject: PhiSubject, s: &str) -> &mut Self {
        let start = self.text.len() as u32;
        self.text.push_str(s);
        if !s.is_empty() {
            self.spans.push(PhiSpan {
                start,
                end: self.text.len() as u32,
                kind,
                subject,
            });
        }
        self
    }

    /// PHI of the patient.
    #[inline]
    pub fn p(&mut self, kind: PhiKind, s: &str) -> &mut Self {
        self.phi(kind, PhiSubject::Patient, s)
    }
}
