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
//! * [`pseudonym`] — keyed HMAC-SHA-256 pseudonyms and per-patient date shifting.
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
