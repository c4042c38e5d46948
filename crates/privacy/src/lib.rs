//! `medrec-privacy`: HIPAA de-identification of FHIR R4 records and free text.
//!
//! Records leave a hospital for research, registries and analytics only after identifiers are
//! removed; a leak is a reportable breach, so this crate is built recall-first:
//!
//! * [`text`] — the free-text redaction engine: recognizers for every PHI kind ([`PhiKind`]):
//!   dates in every common clinical layout, ages over 89, phone/fax, e-mail, SSN, labelled MRN /
//!   account / member / license / vehicle / device numbers, URLs, IPv4/IPv6, ZIP codes, street
//!   addresses, city/state context and person names (titles, credentials, `SMITH, JOHN`, context
//!   words, US Census name dictionaries) — and, strongest, the patient's own identifiers from the
//!   structured record ([`text::PatientIdentity`]). It returns byte spans and replaces them with
//!   kind tags (`[NAME]`), realistic surrogates or keyed pseudonyms.
//! * [`record`] — [`Deidentifier`]: HIPAA Safe Harbor (45 CFR 164.514(b)(2)) and limited data sets
//!   (164.514(e)) on whole FHIR R4 records (JSON or `medrec_model::Resource`), driven by the FHIR R4
//!   element table so that every `HumanName`, `Address`, `ContactPoint`, `Identifier`, date,
//!   `Attachment` (base64 notes decoded and redacted), `Reference` and narrative is handled wherever
//!   it occurs; unknown elements, extensions and resource types are removed (fail closed); ids and
//!   references re-keyed consistently; a [`DeidReport`] for audit.
//! * [`pseudonym`] — keyed HMAC-SHA-256 pseudonyms and per-patient date shifting.
//! * [`zip`] — the Safe Harbor ZIP3 rule with the HHS restricted-prefix list as data.
//! * `release` — release of information and accounting of disclosures (issue 8).
//!
//! ```
//! use medrec_privacy::text::Redactor;
//! let redactor = Redactor::default();
//! let out = redactor.redact("Seen by Dr. Alice Walker on Jan 2, 2023; callback (617) 555-0123.");
//! assert_eq!(out.text, "Seen by Dr. [NAME] on [DATE]; callback [PHONE].");
//! let text = "Seen by Dr. Alice Walker on Jan 2, 2023; callback (617) 555-0123.";
//! let kinds: Vec<&str> = redactor.find(text).iter().map(|s| s.kind.tag()).collect();
//! assert_eq!(kinds, ["NAME", "DATE", "PHONE"]);
//! ```
//!
//! A whole record, Safe Harbor:
//!
//! ```
//! use medrec_privacy::{DeidConfig, Deidentifier, PhiKind};
//! let bundle = serde_json::json!({"resourceType": "Bundle", "type": "collection", "entry": [
//!   {"fullUrl": "urn:uuid:1", "resource": {"resourceType": "Patient", "id": "1",
//!     "name": [{"family": "Rivera", "given": ["Ana"]}], "birthDate": "1931-05-04"}},
//!   {"fullUrl": "urn:uuid:2", "resource": {"resourceType": "Observation", "id": "2",
//!     "status": "final", "code": {"text": "note"}, "subject": {"reference": "urn:uuid:1"},
//!     "valueString": "Ana Rivera, 92 yo, seen 3/4/2023."}}]});
//! let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).unwrap();
//! let out = deid.deidentify(bundle).unwrap().unwrap();
//! let obs = &out["entry"][1]["resource"];
//! assert_eq!(obs["valueString"], "[NAME], [AGE], seen 2023.");
//! assert_eq!(obs["subject"]["reference"], out["entry"][0]["fullUrl"]);
//! assert!(out["entry"][0]["resource"].get("birthDate").is_none()); // aged 90+
//! assert!(deid.report().count(PhiKind::Name) >= 2);
//! ```
//!
//! # Should I use this crate?
//!
//! Use it to remove identifiers from FHIR R4 JSON and from clinical notes before data leave the
//! covered entity. It is rule- and dictionary-based (no statistical NER model): fast, auditable and
//! tuned for recall; it will over-redact some ordinary capitalized words. Expert determination
//! (45 CFR 164.514(b)(1)) still needs an expert; this crate gives the mechanics.
//!
//! # Crate features
//!
//! None: everything is always built. The name dictionaries and the restricted ZIP3 list are
//! compiled in from `data/` (provenance in `data/PROVENANCE.md`).

pub mod kind;
pub mod pseudonym;
pub mod record;
pub mod release;
pub mod text;
pub mod zip;

pub use kind::PhiKind;
pub use pseudonym::{DateShift, PseudonymKey};
pub use record::{DeidConfig, DeidReport, Deidentifier, Mode};
