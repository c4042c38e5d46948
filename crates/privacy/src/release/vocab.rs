//! The stable vocabulary of release of information: who asks ([`Requester`]), for what
//! ([`Purpose`]), what the engine decided ([`DecisionKind`]) and the rule it rests on ([`Basis`]).
//!
//! The kebab-case names (`public-health-authority`, `court-order`, `permit-with-authorization` …)
//! are a contract: they are the CLI values, the serde names and the JSON output of
//! `medrec release`. They never change meaning once released.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// The HL7 v3 ActReason code system, used for `Consent.provision.purpose` and
/// `AuditEvent.purposeOfEvent`.
pub const ACT_REASON_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v3-ActReason";

macro_rules! kebab_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$vmeta:meta])* $variant:ident => $text:literal ),+ $(,)? }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "kebab-case")]
        #[non_exhaustive]
        pub enum $name { $( $(#[$vmeta])* $variant ),+ }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[ $( $name::$variant ),+ ];

            /// The stable kebab-case name (CLI value and JSON value).
            pub fn as_str(self) -> &'static str {
                match self { $( $name::$variant => $text ),+ }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownValue;
            fn from_str(s: &str) -> Result<Self, UnknownValue> {
                $name::ALL
                    .iter()
                    .copied()
                    .find(|v| v.as_str() == s)
                    .ok_or_else(|| UnknownValue {
                        what: stringify!($name),
                        value: s.to_string(),
                        expected: $name::ALL.iter().map(|v| v.as_str()).collect::<Vec<_>>().join(", "),
                    })
            }
        }
    };
}

/// A value that is not part of the vocabulary (e.g. `--purpose fishing`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{value}` (expected one of: {expected})")]
pub struct UnknownValue {
    what: &'static str,
    value: String,
    expected: String,
}

kebab_enum! {
    /// Who asks for the records.
    pub enum Requester {
        /// The patient (the individual the records are about).
        Patient => "patient",
        /// A personal representative: treated as the individual, 45 CFR 164.502(g).
        PersonalRepresentative => "personal-representative",
        /// A health care provider.
        Provider => "provider",
        /// A health plan or other payer.
        Payer => "payer",
        /// A public health authority (45 CFR 164.512(b)).
        PublicHealthAuthority => "public-health-authority",
        /// A health oversight agency (45 CFR 164.512(d)).
        HealthOversightAgency => "health-oversight-agency",
        /// A court or administrative tribunal.
        Court => "court",
        /// An attorney.
        Attorney => "attorney",
        /// A law enforcement official (45 CFR 164.512(f)).
        LawEnforcement => "law-enforcement",
        /// A researcher.
        Researcher => "researcher",
        /// An employer.
        Employer => "employer",
        /// Anyone else.
        Other => "other",
    }
}

kebab_enum! {
    /// What the records are asked for.
    pub enum Purpose {
        /// Treatment (45 CFR 164.506(c)).
        Treatment => "treatment",
        /// Payment (45 CFR 164.506(c)).
        Payment => "payment",
        /// Health care operations (45 CFR 164.506(c)).
        Operations => "operations",
        /// The individual's right of access (45 CFR 164.524).
        PatientAccess => "patient-access",
        /// Public health activities (45 CFR 164.512(b)).
        PublicHealth => "public-health",
        /// Health oversight activities (45 CFR 164.512(d)).
        HealthOversight => "health-oversight",
        /// A judicial or administrative proceeding, with a court order (45 CFR 164.512(e)(1)(i)).
        CourtOrder => "court-order",
        /// A judicial or administrative proceeding, with a subpoena and no court order
        /// (45 CFR 164.512(e)(1)(ii)).
        Subpoena => "subpoena",
        /// Law enforcement purposes (45 CFR 164.512(f)).
        LawEnforcement => "law-enforcement",
        /// Research (authorization 164.508, waiver 164.512(i), limited data set 164.514(e)).
        Research => "research",
        /// Marketing (authorization required, 45 CFR 164.508(a)(3)).
        Marketing => "marketing",
        /// Anything else.
        Other => "other",
    }
}

impl Purpose {
    /// The v3 ActReason (PurposeOfUse) codes that name this purpose in an authorization's
    /// `provision.purpose`; the first is the code medrec writes into
    /// `AuditEvent.purposeOfEvent`. Child concepts count for their parent (e.g. `CLINTRCH`,
    /// clinical trial research, for `research`). `other` has no code of its own.
    ///
    /// The codes used for the legal purposes (`HLEGAL`) and for oversight (`HCOMPL`) are the
    /// nearest v3 concepts [verify]. An authorization whose purpose is `PATRQT` ("at the request
    /// of the individual", a sufficient statement of purpose under 45 CFR 164.508(c)(1)(iv))
    /// covers every purpose; see [`crate::release::Authorization`].
    pub fn act_reason_codes(self) -> &'static [&'static str] {
        match self {
            Purpose::Treatment => &["TREAT", "ETREAT", "POPHLTH", "CAREMGT", "CLINTRL"],
            Purpose::Payment => &[
                "HPAYMT", "CLMATTCH", "COVAUTH", "COVERAGE", "ELIGDTRM", "ELIGVER", "ENROLLM",
                "REMITADV",
            ],
            Purpose::Operations => &[
                "HOPERAT",
                "HACCRED",
                "HCOMPL",
                "HDECD",
                "HDIRECT",
                "HLEGAL",
                "HOUTCOMS",
                "HPRGRP",
                "HQUALIMP",
                "HSYSADMIN",
                "MEMADMIN",
                "PATADMIN",
                "PATSFTY",
                "PERFMSR",
                "RECORDMGT",
                "TRAIN",
            ],
            Purpose::PatientAccess => &["PATRQT", "FAMRQT", "PWATRNY", "SUPNWK"],
            Purpose::PublicHealth => &["PUBHLTH", "DISASTER", "THREAT"],
            Purpose::HealthOversight => &["HCOMPL", "HOPERAT"],
            Purpose::CourtOrder | Purpose::Subpoena | Purpose::LawEnforcement => &["HLEGAL"],
            Purpose::Research => &[
                "HRESCH",
                "BIORCH",
                "CLINTRCH",
                "DSRCH",
                "POARCH",
                "PRECLINTRCH",
                "TRANSRCH",
            ],
            Purpose::Marketing => &["HMARKT"],
            Purpose::Other => &[],
        }
    }

    /// The ActReason code medrec writes for this purpose, if it has one.
    pub fn primary_act_reason(self) -> Option<&'static str> {
        self.act_reason_codes().first().copied()
    }

    /// Whether the HIPAA minimum-necessary standard applies to a disclosure for this purpose
    /// made without an authorization. It does not apply to disclosures to a provider for
    /// treatment (45 CFR 164.502(b)(2)(i)), to the individual (164.502(b)(2)(ii)), or those
    /// required by law (164.502(b)(2)(v)); medrec counts a court order as required by law
    /// (the 164.103 definition of "required by law" names court-ordered warrants and orders).
    /// Authorized disclosures are exempt too (164.502(b)(2)(iii)); that depends on the decision,
    /// not the purpose.
    pub fn minimum_necessary_applies(self) -> bool {
        !matches!(
            self,
            Purpose::Treatment | Purpose::PatientAccess | Purpose::CourtOrder
        )
    }
}

kebab_enum! {
    /// What the engine decided.
    pub enum DecisionKind {
        /// Permitted without an authorization.
        Permit => "permit",
        /// Permitted because a valid authorization on file covers it.
        PermitWithAuthorization => "permit-with-authorization",
        /// Permitted only as a limited data set under a data use agreement (45 CFR 164.514(e)).
        LimitedDataSet => "limited-data-set",
        /// Permitted only de-identified (45 CFR 164.514(a)–(b), 164.502(d)).
        DeIdentified => "de-identified",
        /// Refused: nothing is released.
        Deny => "deny",
    }
}

impl DecisionKind {
    /// Whether anything is released.
    pub fn releases(self) -> bool {
        self != DecisionKind::Deny
    }
}

/// The regulation a decision rests on. Serialized as its citation (`"45 CFR 164.506(c)"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Basis {
    /// 45 CFR 164.502(a): a covered entity may not use or disclose PHI except as the Privacy
    /// Rule permits or requires.
    GeneralRule,
    /// 45 CFR 164.502(a)(1)(i): disclosure to the individual.
    ToIndividual,
    /// 45 CFR 164.502(d)(2): de-identified information is not protected health information.
    DeIdentifiedNotPhi,
    /// 45 CFR 164.506(c): treatment, payment and health care operations.
    Tpo,
    /// 45 CFR 164.508(a)(1): disclosure with a valid authorization.
    Authorization,
    /// 45 CFR 164.508(a)(2): psychotherapy notes need an authorization.
    PsychotherapyNotes,
    /// 45 CFR 164.508(a)(3): marketing needs an authorization.
    Marketing,
    /// 45 CFR 164.508(b)(2): a defective authorization is not valid.
    DefectiveAuthorization,
    /// 45 CFR 164.510: uses and disclosures requiring an opportunity to agree or object.
    AgreeOrObject,
    /// 45 CFR 164.512(b): public health activities.
    PublicHealth,
    /// 45 CFR 164.512(d): health oversight activities.
    HealthOversight,
    /// 45 CFR 164.512(e)(1)(i): judicial proceedings, court order.
    CourtOrder,
    /// 45 CFR 164.512(e)(1)(ii): judicial proceedings, subpoena with satisfactory assurance.
    Subpoena,
    /// 45 CFR 164.512(f): law enforcement purposes.
    LawEnforcement,
    /// 45 CFR 164.512(i)(1)(i): research under an IRB or privacy board waiver.
    ResearchWaiver,
    /// 45 CFR 164.514(b): de-identification (Safe Harbor).
    DeIdentification,
    /// 45 CFR 164.514(e): limited data set under a data use agreement.
    LimitedDataSet,
    /// 45 CFR 164.524: the individual's right of access.
    RightOfAccess,
    /// 45 CFR 164.524(c)(3)(ii): a copy sent to a third party the individual designates.
    AccessToThirdParty,
    /// 42 CFR Part 2 (42 CFR 2.31 consent): substance use disorder records.
    Part2,
    /// 45 CFR 160.203(b): a more stringent state law (or the facility policy implementing it)
    /// protects a sensitive category (HIV, reproductive health, genetic …).
    MoreStringentLaw,
}

impl Basis {
    /// The citation, e.g. `45 CFR 164.506(c)`.
    pub fn citation(self) -> &'static str {
        match self {
            Basis::GeneralRule => "45 CFR 164.502(a)",
            Basis::ToIndividual => "45 CFR 164.502(a)(1)(i)",
            Basis::DeIdentifiedNotPhi => "45 CFR 164.502(d)(2)",
            Basis::Tpo => "45 CFR 164.506(c)",
            Basis::Authorization => "45 CFR 164.508(a)(1)",
            Basis::PsychotherapyNotes => "45 CFR 164.508(a)(2)",
            Basis::Marketing => "45 CFR 164.508(a)(3)",
            Basis::DefectiveAuthorization => "45 CFR 164.508(b)(2)",
            Basis::AgreeOrObject => "45 CFR 164.510",
            Basis::PublicHealth => "45 CFR 164.512(b)",
            Basis::HealthOversight => "45 CFR 164.512(d)",
            Basis::CourtOrder => "45 CFR 164.512(e)(1)(i)",
            Basis::Subpoena => "45 CFR 164.512(e)(1)(ii)",
            Basis::LawEnforcement => "45 CFR 164.512(f)",
            Basis::ResearchWaiver => "45 CFR 164.512(i)(1)(i)",
            Basis::DeIdentification => "45 CFR 164.514(b)",
            Basis::LimitedDataSet => "45 CFR 164.514(e)",
            Basis::RightOfAccess => "45 CFR 164.524",
            Basis::AccessToThirdParty => "45 CFR 164.524(c)(3)(ii)",
            Basis::Part2 => "42 CFR Part 2",
            Basis::MoreStringentLaw => "45 CFR 160.203(b)",
        }
    }

    /// Every basis.
    pub const ALL: &'static [Basis] = &[
        Basis::GeneralRule,
        Basis::ToIndividual,
        Basis::DeIdentifiedNotPhi,
        Basis::Tpo,
        Basis::Authorization,
        Basis::PsychotherapyNotes,
        Basis::Marketing,
        Basis::DefectiveAuthorization,
        Basis::AgreeOrObject,
        Basis::PublicHealth,
        Basis::HealthOversight,
        Basis::CourtOrder,
        Basis::Subpoena,
        Basis::LawEnforcement,
        Basis::ResearchWaiver,
        Basis::DeIdentification,
        Basis::LimitedDataSet,
        Basis::RightOfAccess,
        Basis::AccessToThirdParty,
        Basis::Part2,
        Basis::MoreStringentLaw,
    ];
}

impl fmt::Display for Basis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.citation())
    }
}

impl FromStr for Basis {
    type Err = UnknownValue;
    fn from_str(s: &str) -> Result<Basis, UnknownValue> {
        Basis::ALL
            .iter()
            .copied()
            .find(|b| b.citation() == s)
            .ok_or_else(|| UnknownValue {
                what: "Basis",
                value: s.to_string(),
                expected: Basis::ALL
                    .iter()
                    .map(|b| b.citation())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

impl Serialize for Basis {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.citation())
    }
}

impl<'de> Deserialize<'de> for Basis {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Basis, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_serde_and_from_str() {
        for r in Requester::ALL {
            let json = serde_json::to_string(r).unwrap();
            assert_eq!(json, format!("\"{}\"", r.as_str()));
            assert_eq!(r.as_str().parse::<Requester>().unwrap(), *r);
        }
        for p in Purpose::ALL {
            assert_eq!(p.as_str().parse::<Purpose>().unwrap(), *p);
            assert_eq!(p.act_reason_codes().is_empty(), *p == Purpose::Other);
        }
        for b in Basis::ALL {
            let json = serde_json::to_string(b).unwrap();
            let back: Basis = serde_json::from_str(&json).unwrap();
            assert_eq!(back, *b);
        }
        assert!("fishing".parse::<Purpose>().is_err());
    }
}
