//! Protected health information labels: the kinds of HIPAA Safe Harbor identifiers and the exact
//! byte spans of every identifier the generator writes into a note.

use serde::{Deserialize, Serialize};

/// A kind of identifier from HIPAA Safe Harbor, 45 CFR 164.514(b)(2)(i)(A)–(R). Geographic
/// subdivisions (B) are split into street, city, county and ZIP so that ZIP generalisation can be
/// checked on its own. Serialised in SCREAMING_SNAKE_CASE (`NAME`, `HEALTH_PLAN` …), the names
/// `medrec deid text --spans` uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum PhiKind {
    /// (A) Names of the patient, relatives, clinicians.
    Name,
    /// (B) Street address.
    Street,
    /// (B) City.
    City,
    /// (B) County.
    County,
    /// (B) ZIP code.
    Zip,
    /// (C) Dates (except year) related to the individual: birth, admission, discharge, death, visits.
    Date,
    /// (C) Ages over 89.
    Age,
    /// (D) Telephone numbers.
    Phone,
    /// (E) Fax numbers.
    Fax,
    /// (F) Email addresses.
    Email,
    /// (G) Social Security numbers.
    Ssn,
    /// (H) Medical record numbers.
    Mrn,
    /// (I) Health plan beneficiary numbers.
    HealthPlan,
    /// (J) Account numbers.
    Account,
    /// (K) Certificate/license numbers.
    License,
    /// (L) Vehicle identifiers and serial numbers, license plates.
    Vehicle,
    /// (M) Device identifiers and serial numbers.
    Device,
    /// (N) Web URLs.
    Url,
    /// (O) IP addresses.
    Ip,
    /// (P) Biometric identifiers.
    Biometric,
    /// (R) Any other unique identifying number or code.
    OtherId,
}

impl PhiKind {
    /// Every kind, in declaration order.
    pub const ALL: [PhiKind; 21] = [
        PhiKind::Name,
        PhiKind::Street,
        PhiKind::City,
        PhiKind::County,
        PhiKind::Zip,
        PhiKind::Date,
        PhiKind::Age,
        PhiKind::Phone,
        PhiKind::Fax,
        PhiKind::Email,
        PhiKind::Ssn,
        PhiKind::Mrn,
        PhiKind::HealthPlan,
        PhiKind::Account,
        PhiKind::License,
        PhiKind::Vehicle,
        PhiKind::Device,
        PhiKind::Url,
        PhiKind::Ip,
        PhiKind::Biometric,
        PhiKind::OtherId,
    ];

    /// The letter of 45 CFR 164.514(b)(2)(i) the kind falls under (`'A'` names … `'R'` other).
    pub fn safe_harbor_letter(self) -> char {
        match self {
            PhiKind::Name => 'A',
            PhiKind::Street | PhiKind::City | PhiKind::County | PhiKind::Zip => 'B',
            PhiKind::Date | PhiKind::Age => 'C',
            PhiKind::Phone => 'D',
            PhiKind::Fax => 'E',
            PhiKind::Email => 'F',
            PhiKind::Ssn => 'G',
            PhiKind::Mrn => 'H',
            PhiKind::HealthPlan => 'I',
            PhiKind::Account => 'J',
            PhiKind::License => 'K',
            PhiKind::Vehicle => 'L',
            PhiKind::Device => 'M',
            PhiKind::Url => 'N',
            PhiKind::Ip => 'O',
            PhiKind::Biometric => 'P',
            PhiKind::OtherId => 'R',
        }
    }

    /// The serialised name (`NAME`, `HEALTH_PLAN` …).
    pub fn as_str(self) -> &'static str {
        match self {
            PhiKind::Name => "NAME",
            PhiKind::Street => "STREET",
            PhiKind::City => "CITY",
            PhiKind::County => "COUNTY",
            PhiKind::Zip => "ZIP",
            PhiKind::Date => "DATE",
            PhiKind::Age => "AGE",
            PhiKind::Phone => "PHONE",
            PhiKind::Fax => "FAX",
            PhiKind::Email => "EMAIL",
            PhiKind::Ssn => "SSN",
            PhiKind::Mrn => "MRN",
            PhiKind::HealthPlan => "HEALTH_PLAN",
            PhiKind::Account => "ACCOUNT",
            PhiKind::License => "LICENSE",
            PhiKind::Vehicle => "VEHICLE",
            PhiKind::Device => "DEVICE",
            PhiKind::Url => "URL",
            PhiKind::Ip => "IP",
            PhiKind::Biometric => "BIOMETRIC",
            PhiKind::OtherId => "OTHER_ID",
        }
    }
}

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
