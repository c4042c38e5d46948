//! The vocabulary of protected health information (PHI) kinds shared by every medrec crate: what
//! the de-identification engine (`medrec-privacy`) finds and writes as `[NAME]`-style tags, and what
//! the record generator (`medrec-synth`) labels in the notes it writes, so that recall can be
//! measured kind by kind without a translation table.
//!
//! The kinds follow the 18 identifier categories that the HIPAA Privacy Rule's Safe Harbor method
//! lists in 45 CFR 164.514(b)(2)(i)(A)–(R); category (B), geographic subdivisions smaller than a
//! state, is split into [`PhiKind::Address`] (street, P.O. box), [`PhiKind::Location`] (city,
//! county, town, precinct) and [`PhiKind::Zip`] because the rule treats the ZIP code differently
//! (the first three digits may stay, 164.514(b)(2)(i)(B)(1)–(2)), and (C) into [`PhiKind::Date`]
//! and [`PhiKind::Age`] (ages over 89). Source: 45 CFR 164.514(b)(2), HHS "Guidance Regarding
//! Methods for De-identification of Protected Health Information" (2012).
//!
//! ```
//! use medrec_model::PhiKind;
//! assert_eq!(PhiKind::HealthPlan.tag(), "HEALTH_PLAN");
//! assert_eq!(PhiKind::Zip.safe_harbor_letter(), 'B');
//! assert_eq!("health_plan".parse::<PhiKind>(), Ok(PhiKind::HealthPlan));
//! assert_eq!(serde_json::to_string(&PhiKind::Ip).unwrap(), "\"IP\"");
//! assert!(PhiKind::Date.limited_data_set_may_keep());
//! ```

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A kind of identifier. The tag (`NAME`, `DATE` …) is a stable vocabulary: it is what kind-tag
/// replacement writes (`[NAME]`) and what `medrec deid text --spans` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[non_exhaustive]
pub enum PhiKind {
    /// Names of the individual, relatives, employers, household members; (A).
    Name,
    /// A street address, P.O. box or apartment number; (B).
    Address,
    /// A city, county, town or other geographic unit smaller than a state; (B).
    Location,
    /// A ZIP code; (B) (the first three digits may stay under the ZIP3 rule).
    Zip,
    /// Any date element other than the year (month, day, time with a date); (C).
    Date,
    /// An age over 89; (C).
    Age,
    /// A telephone number; (D).
    Phone,
    /// A fax number; (E).
    Fax,
    /// An e-mail address; (F).
    Email,
    /// A Social Security number; (G).
    Ssn,
    /// A medical record number; (H).
    Mrn,
    /// A health plan beneficiary (member, subscriber, policy) number; (I).
    HealthPlan,
    /// An account (billing, visit, encounter) number; (J).
    Account,
    /// A certificate or license number (driver's license, DEA, NPI, passport); (K).
    License,
    /// A vehicle identifier, serial number or license plate; (L).
    Vehicle,
    /// A device identifier or serial number (UDI, serial, lot); (M).
    Device,
    /// A web URL; (N).
    Url,
    /// An IP address (v4 or v6); (O).
    Ip,
    /// A biometric identifier (finger or voice print, signature image); (P).
    Biometric,
    /// A full-face photograph or comparable image; (Q).
    Photo,
    /// Any other unique identifying number, characteristic or code; (R).
    Id,
}

impl PhiKind {
    /// Every kind, in declaration order.
    pub const ALL: [PhiKind; 21] = [
        PhiKind::Name,
        PhiKind::Address,
        PhiKind::Location,
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
        PhiKind::Photo,
        PhiKind::Id,
    ];

    /// The stable upper-case tag: `NAME`, `DATE`, `HEALTH_PLAN` …
    pub fn tag(self) -> &'static str {
        match self {
            PhiKind::Name => "NAME",
            PhiKind::Address => "ADDRESS",
            PhiKind::Location => "LOCATION",
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
            PhiKind::Photo => "PHOTO",
            PhiKind::Id => "ID",
        }
    }

    /// The same as [`PhiKind::tag`].
    pub fn as_str(self) -> &'static str {
        self.tag()
    }

    /// The letter of the Safe Harbor paragraph of 45 CFR 164.514(b)(2)(i) this kind falls under
    /// (`'A'` names … `'R'` any other unique identifying number).
    pub fn safe_harbor_letter(self) -> char {
        self.safe_harbor_paragraph().as_bytes()[1] as char
    }

    /// The Safe Harbor paragraph of 45 CFR 164.514(b)(2)(i) this kind falls under, e.g. `"(A)"`.
    pub fn safe_harbor_paragraph(self) -> &'static str {
        match self {
            PhiKind::Name => "(A)",
            PhiKind::Address | PhiKind::Location | PhiKind::Zip => "(B)",
            PhiKind::Date | PhiKind::Age => "(C)",
            PhiKind::Phone => "(D)",
            PhiKind::Fax => "(E)",
            PhiKind::Email => "(F)",
            PhiKind::Ssn => "(G)",
            PhiKind::Mrn => "(H)",
            PhiKind::HealthPlan => "(I)",
            PhiKind::Account => "(J)",
            PhiKind::License => "(K)",
            PhiKind::Vehicle => "(L)",
            PhiKind::Device => "(M)",
            PhiKind::Url => "(N)",
            PhiKind::Ip => "(O)",
            PhiKind::Biometric => "(P)",
            PhiKind::Photo => "(Q)",
            PhiKind::Id => "(R)",
        }
    }

    /// Whether a limited data set (45 CFR 164.514(e)(2)) may keep this kind: dates, city/town,
    /// state, five-digit ZIP and ages. Everything else is a direct identifier it must remove.
    pub fn limited_data_set_may_keep(self) -> bool {
        matches!(
            self,
            PhiKind::Date | PhiKind::Age | PhiKind::Location | PhiKind::Zip
        )
    }
}

impl fmt::Display for PhiKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.tag())
    }
}

/// The tag given to [`PhiKind::from_str`] is not one of the [`PhiKind::tag`] values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "unknown PHI kind {0:?} (expected one of NAME, ADDRESS, LOCATION, ZIP, DATE, AGE, PHONE, FAX, EMAIL, SSN, MRN, HEALTH_PLAN, ACCOUNT, LICENSE, VEHICLE, DEVICE, URL, IP, BIOMETRIC, PHOTO, ID)"
)]
pub struct UnknownPhiKind(pub String);

impl FromStr for PhiKind {
    type Err = UnknownPhiKind;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PhiKind::ALL
            .into_iter()
            .find(|k| k.tag().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownPhiKind(s.to_string()))
    }
}
