//! A release request: who asks, for what, about whom, for which records, with which
//! authorization, waiver or agreement.

use super::authorization::Authorization;
use super::dates::DateRange;
use super::vocab::{Purpose, Requester};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The person or organization the records would go to. The name and address are written into
/// the accounting of disclosures (45 CFR 164.528(b)(2)(ii): "the name of the entity or person
/// who received the protected health information and, if known, the address").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Recipient {
    /// Name of the person or entity, as an authorization would name them.
    pub name: Option<String>,
    /// Postal address, if known.
    pub address: Option<String>,
    /// A FHIR reference to the recipient (`Organization/123`, `Practitioner/9`), if known.
    pub reference: Option<String>,
}

/// An IRB or privacy board waiver of authorization for research (45 CFR 164.512(i)(1)(i)):
/// who approved it and when. The CLI form is `WHO,YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Waiver {
    /// The IRB or privacy board that approved the waiver.
    pub approved_by: String,
    /// The day it was approved (164.512(i)(2)(i) requires the approval date in the documentation).
    pub approved_on: Date,
}

/// A waiver given as text that is not `WHO,YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("waiver `{text}`: {problem} (expected WHO,YYYY-MM-DD, e.g. \"Mercy IRB,2025-01-15\")")]
pub struct WaiverParseError {
    text: String,
    problem: &'static str,
}

impl FromStr for Waiver {
    type Err = WaiverParseError;
    fn from_str(s: &str) -> Result<Waiver, WaiverParseError> {
        let err = |problem| WaiverParseError {
            text: s.to_string(),
            problem,
        };
        let (who, when) = s.rsplit_once(',').ok_or_else(|| err("no comma"))?;
        let who = who.trim();
        if who.is_empty() {
            return Err(err("the approving board is empty"));
        }
        let approved_on: Date = when
            .trim()
            .parse()
            .map_err(|_| err("the approval date is not YYYY-MM-DD"))?;
        Ok(Waiver {
            approved_by: who.to_string(),
            approved_on,
        })
    }
}

impl fmt::Display for Waiver {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{},{}", self.approved_by, self.approved_on)
    }
}

/// A request to release a patient's records.
///
/// Build one with [`ReleaseRequest::new`] and the `with_*` methods; every field is public for
/// reading.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct ReleaseRequest {
    /// Who asks.
    pub requester: Requester,
    /// Who would receive the records (name, address).
    pub recipient: Recipient,
    /// What for.
    pub purpose: Purpose,
    /// The patient: a `Patient.id` or a `Patient.identifier` value (e.g. the MRN).
    pub patient: String,
    /// The dates of service asked for (inclusive); unbounded by default.
    pub date_range: DateRange,
    /// The FHIR resource types asked for; empty = everything the decision allows.
    pub record_types: Vec<String>,
    /// The authorization on file (a FHIR `Consent`), if any.
    pub authorization: Option<Authorization>,
    /// An IRB or privacy board waiver, for research.
    pub waiver: Option<Waiver>,
    /// A data use agreement with the recipient is in place (45 CFR 164.514(e)(4)).
    pub data_use_agreement: bool,
    /// A subpoena comes with the satisfactory assurance of 45 CFR 164.512(e)(1)(ii)(A) or (B)
    /// (the individual was notified, or a qualified protective order was sought).
    pub satisfactory_assurance: bool,
    /// The day the request is decided (authorizations and waivers are checked against it).
    pub on: Date,
}

impl ReleaseRequest {
    /// A request with no recipient details, no date range, all record types, no authorization,
    /// waiver or agreement.
    pub fn new(
        requester: Requester,
        purpose: Purpose,
        patient: impl Into<String>,
        on: Date,
    ) -> ReleaseRequest {
        ReleaseRequest {
            requester,
            recipient: Recipient::default(),
            purpose,
            patient: patient.into(),
            date_range: DateRange::ALL,
            record_types: Vec::new(),
            authorization: None,
            waiver: None,
            data_use_agreement: false,
            satisfactory_assurance: false,
            on,
        }
    }

    /// Sets the recipient.
    pub fn with_recipient(mut self, recipient: Recipient) -> Self {
        self.recipient = recipient;
        self
    }

    /// Sets the dates of service asked for.
    pub fn with_date_range(mut self, range: DateRange) -> Self {
        self.date_range = range;
        self
    }

    /// Sets the resource types asked for.
    pub fn with_record_types<I, S>(mut self, types: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.record_types = types.into_iter().map(Into::into).collect();
        self
    }

    /// Attaches the authorization on file.
    pub fn with_authorization(mut self, authorization: Authorization) -> Self {
        self.authorization = Some(authorization);
        self
    }

    /// Attaches an IRB / privacy board waiver.
    pub fn with_waiver(mut self, waiver: Waiver) -> Self {
        self.waiver = Some(waiver);
        self
    }

    /// Records whether a data use agreement is in place.
    pub fn with_data_use_agreement(mut self, yes: bool) -> Self {
        self.data_use_agreement = yes;
        self
    }

    /// Records whether a subpoena comes with satisfactory assurance.
    pub fn with_satisfactory_assurance(mut self, yes: bool) -> Self {
        self.satisfactory_assurance = yes;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waiver_parses_who_and_when() {
        let w: Waiver = "Mercy IRB, Board 2,2025-01-15".parse().unwrap();
        assert_eq!(w.approved_by, "Mercy IRB, Board 2");
        assert_eq!(w.approved_on, jiff::civil::date(2025, 1, 15));
        assert_eq!(w.to_string(), "Mercy IRB, Board 2,2025-01-15");
        for bad in [
            "",
            "Mercy IRB",
            ",2025-01-15",
            "IRB,15/01/2025",
            "IRB,2025-02-30",
        ] {
            assert!(bad.parse::<Waiver>().is_err(), "{bad}");
        }
    }
}
