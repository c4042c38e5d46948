//! Release of information and accounting of disclosures (HIPAA Privacy Rule, 45 CFR 164.502 –
//! 164.528, and 42 CFR Part 2).
//!
//! A technician releases records "to persons and agencies according to regulations": the
//! right records, to the right requester, for a permitted purpose, with the minimum necessary,
//! and every disclosure logged so the patient can ask for an accounting. This module does
//! each step:
//!
//! 1. [`ReleaseRequest`]: who asks ([`Requester`]), for what ([`Purpose`]), about which patient,
//!    for which dates and record types, with which [`Authorization`] (a FHIR `Consent`),
//!    [`Waiver`] or data use agreement.
//! 2. [`ReleasePolicy::decide`]: `permit`, `permit-with-authorization`, `limited-data-set`,
//!    `de-identified` or `deny` ([`DecisionKind`]), with the rule it rests on ([`Basis`]), the
//!    reason in plain words, and whether the disclosure must be accounted. The rules are listed
//!    in [`policy`].
//! 3. [`ReleasePolicy::release`]: the released FHIR `Bundle`, filtered from the full record —
//!    the patient's resources, in the dates asked, of the types the authorization and the
//!    minimum-necessary table allow, without the records special protections keep out
//!    (psychotherapy notes, Part 2 records, the facility's sensitive categories), with only the
//!    elements the purpose needs. See [`disclose`].
//! 4. [`disclosure_event`] + [`DisclosureLog::append`]: the disclosure as a FHIR `AuditEvent`
//!    in an append-only, hash-chained, crash-safe log; [`accounting`] lists a patient's
//!    accountable disclosures of the last six years. See [`log`] and [`audit`].
//!
//! ```
//! use medrec_privacy::release::{
//!     Basis, DecisionKind, Purpose, ReleasePolicy, ReleaseRequest, Requester,
//! };
//! use jiff::civil::date;
//!
//! let policy = ReleasePolicy::default();
//! let request = ReleaseRequest::new(Requester::Employer, Purpose::Other, "p1", date(2025, 6, 1));
//! let decision = policy.decide(&request, &[]);
//! assert_eq!(decision.decision, DecisionKind::Deny);
//! assert_eq!(decision.basis, Basis::Authorization);
//! assert_eq!(decision.basis.citation(), "45 CFR 164.508(a)(1)");
//! ```

pub mod audit;
pub mod authorization;
pub mod dates;
pub mod disclose;
pub mod engine;
pub mod fhir;
pub mod log;
pub mod policy;
pub mod request;
pub mod vocab;

pub use audit::{AccountingEntry, accounting, disclosure_event};
pub use authorization::{
    Authorization, AuthorizationError, AuthorizationErrorKind, AuthorizationProblem,
    AuthorizationScope,
};
pub use dates::DateRange;
pub use disclose::{DeidTransform, Release, ReleaseError, ReleaseErrorKind, ResourceKey, Withheld};
pub use engine::DeidEngine;
pub use fhir::{ConversionError, disclosure_audit_event};
pub use log::{
    DisclosureLog, LogContents, LogError, LogErrorKind, LogHead, LogRecord, parse_log, read_log,
};
pub use policy::{
    Decision, Handling, PolicyError, PolicyErrorKind, Protection, ReleasePolicy, SensitiveCategory,
};
pub use request::{Recipient, ReleaseRequest, Waiver, WaiverParseError};
pub use vocab::{Basis, DecisionKind, Purpose, Requester, UnknownValue};
