//! The release engine over `medrec-model` types: authorizations from typed `Consent`s,
//! releases from a [`PatientRecord`] or model resources, released bundles and audit events as
//! model resources.
//!
//! The engine itself filters FHIR JSON (`serde_json::Value`), so that it keeps every element it
//! releases byte-for-byte meaningfully the same and never depends on which resource types the
//! model types; these functions convert at the edges (the model round-trips losslessly).

use super::audit::disclosure_event;
use super::authorization::{Authorization, AuthorizationError};
use super::disclose::{DeidTransform, Release, ReleaseError};
use super::log::{DisclosureLog, LogError, LogRecord};
use super::policy::ReleasePolicy;
use super::request::ReleaseRequest;
use jiff::Timestamp;
use medrec_model::resources::{AuditEvent, Bundle, Consent};
use medrec_model::{PatientRecord, Resource};
use serde_json::Value;

/// A model value that could not be converted to or from FHIR JSON.
#[derive(Debug, thiserror::Error)]
#[error("FHIR conversion ({what}): {source}")]
pub struct ConversionError {
    what: &'static str,
    #[source]
    source: serde_json::Error,
}

fn to_json<T: serde::Serialize>(v: &T, what: &'static str) -> Result<Value, ConversionError> {
    serde_json::to_value(v).map_err(|source| ConversionError { what, source })
}

impl Authorization {
    /// Reads an authorization from a typed FHIR `Consent`.
    pub fn from_consent(consent: &Consent) -> Result<Authorization, AuthorizationError> {
        let value = serde_json::to_value(consent).unwrap_or(Value::Null);
        let mut value = value;
        if let Value::Object(m) = &mut value {
            m.entry("resourceType")
                .or_insert_with(|| Value::String("Consent".into()));
        }
        Authorization::from_consent_json(&value)
    }

    /// Reads an authorization from a model resource (which must be a `Consent`).
    pub fn from_resource(resource: &Resource) -> Result<Authorization, AuthorizationError> {
        let value = serde_json::to_value(resource).unwrap_or(Value::Null);
        Authorization::from_consent_json(&value)
    }
}

impl ReleasePolicy {
    /// [`ReleasePolicy::release`] over a patient record.
    pub fn release_record(
        &self,
        request: &ReleaseRequest,
        record: &PatientRecord,
        deidentifier: &dyn DeidTransform,
    ) -> Result<Release, ReleaseError> {
        let bundle = serde_json::to_value(record.to_bundle()).unwrap_or(Value::Null);
        self.release(request, std::slice::from_ref(&bundle), deidentifier)
    }

    /// [`ReleasePolicy::release`] over model resources (Bundles are flattened).
    pub fn release_resources(
        &self,
        request: &ReleaseRequest,
        resources: &[Resource],
        deidentifier: &dyn DeidTransform,
    ) -> Result<Release, ReleaseError> {
        let values: Vec<Value> = resources
            .iter()
            .filter_map(|r| serde_json::to_value(r).ok())
            .collect();
        self.release(request, &values, deidentifier)
    }
}

impl Release {
    /// The released bundle as a model `Bundle` (`None` when refused).
    pub fn model_bundle(&self) -> Option<Result<Bundle, ConversionError>> {
        self.bundle.as_ref().map(|b| {
            serde_json::from_value(b.clone()).map_err(|source| ConversionError {
                what: "released Bundle",
                source,
            })
        })
    }
}

/// [`disclosure_event`] as a model `AuditEvent`.
pub fn disclosure_audit_event(
    request: &ReleaseRequest,
    release: &Release,
    recorded: Timestamp,
    observer: &str,
) -> Result<AuditEvent, ConversionError> {
    serde_json::from_value(disclosure_event(request, release, recorded, observer)).map_err(
        |source| ConversionError {
            what: "AuditEvent",
            source,
        },
    )
}

impl DisclosureLog {
    /// Appends a model `AuditEvent` (see [`DisclosureLog::append`]).
    pub fn append_audit_event(&mut self, event: &AuditEvent) -> Result<LogRecord, LogError> {
        let mut value = to_json(event, "AuditEvent").unwrap_or(Value::Null);
        if let Value::Object(m) = &mut value {
            m.entry("resourceType")
                .or_insert_with(|| Value::String("AuditEvent".into()));
        }
        self.append(&value)
    }
}

impl LogRecord {
    /// The record's entry as a model `AuditEvent`.
    pub fn audit_event(&self) -> Result<AuditEvent, ConversionError> {
        serde_json::from_value(self.entry.clone()).map_err(|source| ConversionError {
            what: "AuditEvent",
            source,
        })
    }
}
