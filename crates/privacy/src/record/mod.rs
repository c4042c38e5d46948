//! De-identification of whole FHIR R4 records: Safe Harbor (45 CFR 164.514(b)(2)) and limited data
//! sets (45 CFR 164.514(e)), on FHIR JSON (`serde_json::Value`) or on [`medrec_model::Resource`].
//!
//! The walker is driven by the FHIR R4 element table (`data/fhir_r4_elements.txt`, derived from the
//! official R4 JSON schema): every element is handled by its datatype — `HumanName`, `Address`,
//! `ContactPoint`, `Identifier`, `Attachment`, `Reference`, `Narrative`, `date`/`dateTime`/`instant`,
//! free text — wherever it occurs. Unknown elements, primitive extensions (`_birthDate`),
//! extensions not on the safe list, and resource types outside
//! [`SUPPORTED_RESOURCE_TYPES`] are removed (fail closed) and listed in the [`DeidReport`].

mod report;
mod schema;

pub use report::{Action, DeidReport, PathCount};
pub use schema::SUPPORTED_RESOURCE_TYPES;

use crate::PhiKind;
use crate::pseudonym::{DateShift, PseudonymKey, shift_fhir_date};
use crate::text::{DateText, PatientIdentity, PersonName, Recognizers, Redactor, Replacement};
use crate::zip::Zip3Rule;
use base64::Engine as _;
use schema::Schema;
use serde_json::{Map, Value};
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// Which de-identification standard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Mode {
    /// HIPAA Safe Harbor, 45 CFR 164.514(b)(2): all 18 identifier kinds removed or generalized;
    /// dates to the year; random surrogate ids (164.514(c)).
    #[default]
    SafeHarbor,
    /// Limited data set, 45 CFR 164.514(e): direct identifiers removed; dates, city, state,
    /// five-digit ZIP and ages kept; keyed pseudonymous ids so releases link over time.
    LimitedDataSet,
}

/// How resource ids (and so references) are re-keyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IdStrategy {
    /// A random UUID per original id, consistent within one [`Deidentifier`]; the mapping can be
    /// exported as a crosswalk the covered entity keeps (164.514(c)). Safe Harbor's default.
    Random,
    /// A keyed HMAC-SHA-256 UUID: stable across runs for one key, so releases link. Default of a
    /// limited data set; needs a key.
    Keyed,
}

/// What happens to dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatePolicy {
    /// Year only (`2023`); `instant` elements, which cannot hold a year alone, are removed.
    /// Safe Harbor's default (and the only Safe Harbor choice).
    YearOnly,
    /// Dates kept as they are. Limited data set default.
    Keep,
    /// Every date of a patient shifted by one keyed per-patient offset. For limited data sets and
    /// expert determination; needs a key.
    Shift(DateShift),
}

/// Configuration of a [`Deidentifier`]. Start from [`DeidConfig::safe_harbor`] or
/// [`DeidConfig::limited_data_set`], which set the right defaults for each standard.
#[derive(Debug, Clone)]
pub struct DeidConfig {
    /// The standard.
    pub mode: Mode,
    /// Resource id re-keying.
    pub ids: IdStrategy,
    /// Dates.
    pub dates: DatePolicy,
    /// Restricted three-digit ZIPs (Safe Harbor).
    pub zip3: Zip3Rule,
    /// The date ages are computed at for living patients (default: today, UTC).
    pub as_of: jiff::civil::Date,
    /// Free-text spans under this confidence are kept (default 0.5).
    pub min_confidence: f32,
    /// Free-text replacement: tags by default; surrogates or keyed pseudonyms on request.
    pub text_replacement: TextReplacement,
}

/// Free-text replacement in records.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TextReplacement {
    /// `[NAME]`.
    Tag,
    /// Realistic random surrogates.
    Surrogate,
    /// Keyed pseudonyms (`[NAME-1f0c…]`); needs a key; not for Safe Harbor.
    Pseudonym,
}

impl DeidConfig {
    /// Safe Harbor defaults: random surrogate ids, year-only dates, HHS 2000-Census ZIP3 list,
    /// kind tags in text.
    pub fn safe_harbor() -> Self {
        DeidConfig {
            mode: Mode::SafeHarbor,
            ids: IdStrategy::Random,
            dates: DatePolicy::YearOnly,
            zip3: Zip3Rule::default(),
            as_of: jiff::Timestamp::now()
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .date(),
            min_confidence: 0.5,
            text_replacement: TextReplacement::Tag,
        }
    }

    /// Limited data set defaults: keyed ids (a key is required), dates kept, kind tags in text.
    pub fn limited_data_set() -> Self {
        DeidConfig {
            mode: Mode::LimitedDataSet,
            ids: IdStrategy::Keyed,
            dates: DatePolicy::Keep,
            ..DeidConfig::safe_harbor()
        }
    }

    /// The defaults of a mode.
    pub fn for_mode(mode: Mode) -> Self {
        match mode {
            Mode::SafeHarbor => DeidConfig::safe_harbor(),
            Mode::LimitedDataSet => DeidConfig::limited_data_set(),
        }
    }
}

/// What went wrong de-identifying.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeidErrorKind {
    /// The configuration is inconsistent (a keyed choice without a key, a Safe Harbor choice
    /// 164.514 does not allow).
    Config,
    /// The input is not a FHIR resource (not an object, no `resourceType`).
    NotFhir,
    /// The de-identified resource no longer fits the typed model (a bug: please report).
    Model,
}

/// De-identification failed. Never contains PHI or key material beyond the FHIR path.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{path}: {message}")]
pub struct DeidError {
    kind: DeidErrorKind,
    path: String,
    message: String,
}

impl DeidError {
    fn new(kind: DeidErrorKind, path: impl Into<String>, message: impl Into<String>) -> Self {
        DeidError {
            kind,
            path: path.into(),
            message: message.into(),
        }
    }
    /// The kind of failure.
    pub fn kind(&self) -> DeidErrorKind {
        self.kind
    }
    /// Where (a FHIR path, or `config`).
    pub fn path(&self) -> &str {
        &self.path
    }
}

/// Extensions known to be safe to keep (their values are still walked by datatype).
const SAFE_EXTENSIONS: &[&str] = &[
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-race",
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-ethnicity",
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-birthsex",
    "http://hl7.org/fhir/us/core/StructureDefinition/us-core-genderIdentity",
    "http://hl7.org/fhir/StructureDefinition/data-absent-reason",
    "http://hl7.org/fhir/StructureDefinition/patient-birthPlace",
    "ombCategory",
    "detailed",
    "text",
];

/// The de-identification engine. Keeps the id crosswalk and the identities it has learned across
/// calls, so several files of one release (NDJSON by type, one bundle per patient) link together.
///
/// ```
/// use medrec_privacy::record::{Deidentifier, DeidConfig};
/// use serde_json::json;
/// let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).unwrap();
/// let patient = json!({"resourceType": "Patient", "id": "p1",
///     "name": [{"family": "Smith", "given": ["John"]}],
///     "birthDate": "1950-07-04", "address": [{"line": ["1 Elm St"], "city": "Boston",
///     "state": "MA", "postalCode": "02110"}]});
/// let out = deid.deidentify(patient).unwrap().unwrap();
/// assert!(out.get("name").is_none());
/// assert_eq!(out["birthDate"], "1950");
/// assert_eq!(out["address"][0], json!({"state": "MA", "postalCode": "021"}));
/// assert_ne!(out["id"], "p1");
/// ```
pub struct Deidentifier {
    config: DeidConfig,
    key: Option<PseudonymKey>,
    schema: &'static Schema,
    recognizers: Arc<Recognizers>,
    identities: Vec<PatientIdentity>,
    learned_ids: std::collections::HashSet<String>,
    full: Option<Redactor>,
    coded: Option<Redactor>,
    ids: HashMap<String, String>,
    report: DeidReport,
    shift: Option<i64>,
}

impl std::fmt::Debug for Deidentifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Deidentifier")
            .field("mode", &self.config.mode)
            .field("identities", &self.identities.len())
            .field("ids", &self.ids.len())
            .finish_non_exhaustive()
    }
}

impl Deidentifier {
    /// A de-identifier. `key` is needed for keyed ids, date shifting and pseudonyms in text;
    /// Safe Harbor refuses keyed ids, shifted dates and pseudonyms (164.514(c): a re-identification
    /// code must not be derived from the individual's information).
    pub fn new(config: DeidConfig, key: Option<PseudonymKey>) -> Result<Self, DeidError> {
        let needs_key = config.ids == IdStrategy::Keyed
            || matches!(config.dates, DatePolicy::Shift(_))
            || config.text_replacement == TextReplacement::Pseudonym;
        if needs_key && key.is_none() {
            return Err(DeidError::new(
                DeidErrorKind::Config,
                "config",
                "keyed ids, date shifting and pseudonyms need a key",
            ));
        }
        if config.mode == Mode::SafeHarbor {
            if config.ids == IdStrategy::Keyed
                || config.text_replacement == TextReplacement::Pseudonym
            {
                return Err(DeidError::new(
                    DeidErrorKind::Config,
                    "config",
                    "Safe Harbor uses random surrogate ids: 45 CFR 164.514(c) forbids codes derived from the individual's information",
                ));
            }
            if config.dates != DatePolicy::YearOnly {
                return Err(DeidError::new(
                    DeidErrorKind::Config,
                    "config",
                    "Safe Harbor keeps only the year of dates (45 CFR 164.514(b)(2)(i)(C))",
                ));
            }
        }
        Ok(Deidentifier {
            config,
            key,
            schema: Schema::get(),
            recognizers: Recognizers::shared(),
            identities: Vec::new(),
            learned_ids: Default::default(),
            full: None,
            coded: None,
            ids: HashMap::new(),
            report: DeidReport::default(),
            shift: None,
        })
    }

    /// The configuration.
    pub fn config(&self) -> &DeidConfig {
        &self.config
    }

    /// The report so far.
    pub fn report(&self) -> &DeidReport {
        &self.report
    }

    /// Takes the report, leaving an empty one.
    pub fn take_report(&mut self) -> DeidReport {
        std::mem::take(&mut self.report)
    }

    /// The id crosswalk: original id → surrogate id, sorted. For the covered entity to keep;
    /// never release it with the data.
    pub fn crosswalk(&self) -> BTreeMap<&str, &str> {
        self.ids
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect()
    }

    /// Learns the identities of the people in a resource or bundle (Patient, RelatedPerson,
    /// Practitioner, and Patient contacts), so free text anywhere in the release is checked
    /// against them. [`Deidentifier::deidentify`] learns from its own input first; call this on
    /// every input of a multi-file release before de-identifying any of them.
    pub fn learn(&mut self, value: &Value) {
        let before = self.identities.len();
        collect_identities(value, &mut self.identities, &mut self.learned_ids);
        if self.identities.len() != before {
            self.full = None;
            self.coded = None;
        }
    }

    /// The identities learned so far.
    pub fn identities(&self) -> &[PatientIdentity] {
        &self.identities
    }

    fn redactors(&mut self) {
        if self.full.is_some() {
            return;
        }
        let replacement = match self.config.text_replacement {
            TextReplacement::Tag => Replacement::Tag,
            TextReplacement::Surrogate => Replacement::Surrogate,
            TextReplacement::Pseudonym => {
                Replacement::Pseudonym(self.key.clone().expect("checked in new"))
            }
        };
        let mut b = Redactor::builder()
            .recognizers(self.recognizers.clone())
            .identities(self.identities.iter())
            .min_confidence(self.config.min_confidence)
            .replacement(replacement);
        if self.config.mode == Mode::LimitedDataSet {
            for k in PhiKind::ALL {
                if k.limited_data_set_may_keep() {
                    b = b.keep(k);
                }
            }
        } else {
            b = b.dates(DateText::YearOnly);
        }
        self.full = Some(b.clone().build());
        self.coded = Some(b.patterns(false).build());
    }

    /// De-identifies one resource or bundle (FHIR JSON). Returns `None` when the whole resource
    /// is removed (an unsupported type, or an unknown modifier extension).
    pub fn deidentify(&mut self, value: Value) -> Result<Option<Value>, DeidError> {
        let Value::Object(obj) = value else {
            return Err(DeidError::new(
                DeidErrorKind::NotFhir,
                "$",
                "not a JSON object",
            ));
        };
        let Some(rt) = obj.get("resourceType").and_then(Value::as_str) else {
            return Err(DeidError::new(
                DeidErrorKind::NotFhir,
                "$",
                "no resourceType: not a FHIR resource",
            ));
        };
        let rt = rt.to_string();
        let v = Value::Object(obj);
        self.learn(&v);
        self.redactors();
        let Value::Object(obj) = v else {
            unreachable!()
        };
        self.report.resources_in += 1;
        let out = self.resource(obj, &rt, None);
        Ok(out.map(Value::Object))
    }

    /// De-identifies a typed resource of the record model.
    pub fn deidentify_resource(
        &mut self,
        resource: &medrec_model::Resource,
    ) -> Result<Option<medrec_model::Resource>, DeidError> {
        let v = serde_json::to_value(resource)
            .map_err(|e| DeidError::new(DeidErrorKind::Model, "$", e.to_string()))?;
        match self.deidentify(v)? {
            None => Ok(None),
            Some(out) => serde_json::from_value(out)
                .map(Some)
                .map_err(|e| DeidError::new(DeidErrorKind::Model, "$", e.to_string())),
        }
    }

    // ----------------------------------------------------------------------------------------

    fn rekey(&mut self, id: &str) -> String {
        if let Some(v) = self.ids.get(id) {
            return v.clone();
        }
        let new = match (self.config.ids, &self.key) {
            (IdStrategy::Keyed, Some(k)) => k.surrogate_uuid(id),
            _ => uuid::Uuid::new_v4().to_string(),
        };
        self.ids.insert(id.to_string(), new.clone());
        new
    }

    fn resource(
        &mut self,
        obj: Map<String, Value>,
        rt: &str,
        parent_shift: Option<i64>,
    ) -> Option<Map<String, Value>> {
        if !self.schema.supports(rt) {
            self.report
                .removed_resource(rt, "unsupported resource type (fail closed)");
            return None;
        }
        // Unknown modifier extensions change the meaning of the resource: drop it whole.
        if let Some(Value::Array(mods)) = obj.get("modifierExtension")
            && mods.iter().any(|m| {
                !m.get("url")
                    .and_then(Value::as_str)
                    .is_some_and(|u| SAFE_EXTENSIONS.contains(&u))
            })
        {
            self.report
                .removed_resource(rt, "unknown modifierExtension (fail closed)");
            return None;
        }
        let saved = self.shift;
        self.shift = match self.config.dates {
            DatePolicy::Shift(ds) => {
                let key = self.key.as_ref().expect("checked in new");
                match patient_key(&obj, rt) {
                    Some(p) => Some(ds.offset_days(key, &p)),
                    None => parent_shift.or(Some(ds.offset_days(key, ""))),
                }
            }
            _ => None,
        };
        let mut obj = obj;
        if rt == "Patient" {
            self.age_rule(&mut obj);
        }
        let out = self.object(obj, rt, rt, true);
        self.report.resources_out += 1;
        self.shift = saved;
        Some(out)
    }

    /// Safe Harbor: ages over 89 and the dates that show them (the birth year) are aggregated to
    /// "90 or older": the birth date is removed.
    fn age_rule(&mut self, obj: &mut Map<String, Value>) {
        if self.config.mode != Mode::SafeHarbor {
            return;
        }
        let Some(birth) = obj.get("birthDate").and_then(Value::as_str) else {
            return;
        };
        let Some(by) = birth.get(..4).and_then(|y| y.parse::<i32>().ok()) else {
            return;
        };
        let bm: i32 = birth.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(1);
        let bd: i32 = birth.get(8..10).and_then(|d| d.parse().ok()).unwrap_or(1);
        let end = obj
            .get("deceasedDateTime")
            .and_then(Value::as_str)
            .and_then(|d| {
                Some((
                    d.get(..4)?.parse::<i32>().ok()?,
                    d.get(5..7).and_then(|m| m.parse().ok()).unwrap_or(12),
                    d.get(8..10).and_then(|x| x.parse().ok()).unwrap_or(31),
                ))
            })
            .unwrap_or((
                i32::from(self.config.as_of.year()),
                i32::from(self.config.as_of.month()),
                i32::from(self.config.as_of.day()),
            ));
        let mut age = end.0 - by;
        if (end.1, end.2) < (bm, bd) {
            age -= 1;
        }
        // Year precision: be conservative (the oldest the patient can be).
        if birth.len() == 4 {
            age = end.0 - by;
        }
        if age > 89 {
            obj.remove("birthDate");
            self.report
                .record("Patient.birthDate", PhiKind::Age, Action::Removed);
        }
    }

    fn object(
        &mut self,
        obj: Map<String, Value>,
        def: &str,
        path: &str,
        is_resource: bool,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        for (k, v) in obj {
            if is_resource && k == "resourceType" {
                out.insert(k, v);
                continue;
            }
            let child = format!("{path}.{k}");
            if k.starts_with('_') {
                self.report.record(&child, PhiKind::Id, Action::Removed);
                continue;
            }
            let Some(et) = self.schema.element(def, &k) else {
                self.report.unknown_element(&child);
                continue;
            };
            if is_resource && k == "id" {
                if let Some(id) = v.as_str() {
                    let new = self.rekey(id);
                    self.report.record(&child, PhiKind::Id, Action::Rekeyed);
                    out.insert(k, Value::String(new));
                }
                continue;
            }
            if let Some(action) = self.special(def, &k) {
                match action {
                    Special::Remove(kind) => {
                        self.report.record(&child, kind, Action::Removed);
                        continue;
                    }
                    Special::Tag(kind) => {
                        self.report.record(&child, kind, Action::Replaced);
                        out.insert(k, Value::String(format!("[{}]", kind.tag())));
                        continue;
                    }
                    Special::NewOid => {
                        if let Some(s) = v.as_str() {
                            let new = self.rekey(s);
                            let n = u128::from_str_radix(&new.replace('-', ""), 16).unwrap_or(0);
                            self.report.record(&child, PhiKind::Id, Action::Rekeyed);
                            out.insert(k, Value::String(format!("2.25.{n}")));
                        }
                        continue;
                    }
                    Special::FullUrl => {
                        if let Some(s) = v.as_str()
                            && let Some(r) = self.rekey_reference(s)
                        {
                            out.insert(k, Value::String(r));
                        } else {
                            self.report.record(&child, PhiKind::Url, Action::Removed);
                        }
                        continue;
                    }
                    Special::RequestUrl => {
                        if let Some(s) = v.as_str() {
                            let r = match self.rekey_reference(s) {
                                Some(r) => r,
                                None => {
                                    // A conditional or unknown URL: keep the type only.
                                    self.report.record(&child, PhiKind::Id, Action::Generalized);
                                    s.split(['?', '/']).next().unwrap_or("").to_string()
                                }
                            };
                            out.insert(k, Value::String(r));
                        }
                        continue;
                    }
                    Special::Text(coded) => {
                        if let Some(nv) = self.array_or_one(v, et.array, |this, item| {
                            this.text_value(item, coded, &child)
                        }) {
                            out.insert(k, nv);
                        }
                        continue;
                    }
                }
            }
            if let Some(nv) =
                self.array_or_one(v, et.array, |this, item| this.value(item, et.ty, &child))
            {
                out.insert(k, nv);
            }
        }
        // Bundle request URLs follow the rekeyed resource; a conditional PUT without a target
        // becomes a POST.
        if def == "Bundle_Request"
            && out.get("method").and_then(Value::as_str) == Some("PUT")
            && out
                .get("url")
                .and_then(Value::as_str)
                .is_some_and(|u| !u.contains('/'))
        {
            out.insert("method".into(), Value::String("POST".into()));
        }
        out
    }

    fn array_or_one(
        &mut self,
        v: Value,
        array: bool,
        mut f: impl FnMut(&mut Self, Value) -> Option<Value>,
    ) -> Option<Value> {
        match (array, v) {
            (true, Value::Array(items)) => {
                let out: Vec<Value> = items.into_iter().filter_map(|i| f(self, i)).collect();
                (!out.is_empty()).then_some(Value::Array(out))
            }
            (true, other) | (false, other) => f(self, other),
        }
    }

    fn special(&self, def: &str, el: &str) -> Option<Special> {
        use PhiKind as K;
        use Special as S;
        Some(match (def, el) {
            ("Bundle_Entry", "fullUrl") => S::FullUrl,
            ("Bundle_Request", "url") => S::RequestUrl,
            ("Bundle_Request", "ifNoneExist" | "ifMatch" | "ifNoneMatch" | "ifModifiedSince") => {
                S::Remove(K::Id)
            }
            ("Bundle_Entry", "response") => S::Remove(K::Url),
            ("Bundle", "link") | ("Bundle_Entry", "link") => S::Remove(K::Url),
            ("Patient" | "Practitioner" | "RelatedPerson" | "Person", "photo") => {
                S::Remove(K::Photo)
            }
            ("Device", "serialNumber" | "lotNumber" | "udiCarrier" | "distinctIdentifier") => {
                S::Remove(K::Device)
            }
            ("Coverage", "subscriberId" | "dependent") => S::Remove(K::HealthPlan),
            ("Coverage_Class", "value") => S::Tag(K::HealthPlan),
            ("Claim_Insurance" | "ExplanationOfBenefit_Insurance", "preAuthRef") => {
                S::Remove(K::Account)
            }
            ("Claim_Insurance", "businessArrangement") => S::Remove(K::Account),
            ("ImagingStudy_Series" | "ImagingStudy_Instance", "uid") => S::NewOid,
            ("Location", "position") => S::Remove(K::Location),
            ("AuditEvent_Network", "address") => S::Remove(K::Ip),
            ("Annotation", "authorString") => S::Remove(K::Name),
            ("Meta", "source") => S::Remove(K::Url),
            ("Coding", "display")
            | ("CodeableConcept", "text")
            | ("Quantity" | "Age" | "Duration" | "Count" | "Distance", "unit")
            | ("Organization" | "Location" | "Medication" | "Device", "name" | "alias") => {
                S::Text(true)
            }
            _ => return None,
        })
    }

    fn value(&mut self, v: Value, ty: &str, path: &str) -> Option<Value> {
        match ty {
            "HumanName" => {
                self.report.record(path, PhiKind::Name, Action::Removed);
                None
            }
            "ContactPoint" => {
                let kind = match v.get("system").and_then(Value::as_str) {
                    Some("fax") => PhiKind::Fax,
                    Some("email") => PhiKind::Email,
                    Some("url") => PhiKind::Url,
                    _ => PhiKind::Phone,
                };
                self.report.record(path, kind, Action::Removed);
                None
            }
            "Identifier" => self.identifier(v, path),
            "Address" => self.address(v, path),
            "Attachment" => self.attachment(v, path),
            "Reference" => self.reference(v, path),
            "Narrative" => self.narrative(v, path),
            "Extension" => self.extension(v, path),
            "Age" => {
                let Value::Object(mut o) = v else { return None };
                if self.config.mode == Mode::SafeHarbor
                    && o.get("value")
                        .and_then(Value::as_f64)
                        .is_some_and(|a| a > 89.0)
                {
                    o.insert("value".into(), Value::from(90));
                    o.insert("comparator".into(), Value::String(">=".into()));
                    self.report.record(path, PhiKind::Age, Action::Generalized);
                }
                Some(Value::Object(self.object(o, "Age", path, false)))
            }
            "Signature" => {
                let Value::Object(mut o) = v else { return None };
                if o.remove("data").is_some() {
                    self.report.record(
                        &format!("{path}.data"),
                        PhiKind::Biometric,
                        Action::Removed,
                    );
                }
                Some(Value::Object(self.object(o, "Signature", path, false)))
            }
            "ResourceList" => {
                let Value::Object(o) = v else { return None };
                let rt = o.get("resourceType").and_then(Value::as_str)?.to_string();
                self.report.resources_in += 1;
                let shift = self.shift;
                self.resource(o, &rt, shift).map(Value::Object)
            }
            "date" | "dateTime" | "instant" => self.date(v, ty, path),
            "string" | "markdown" => self.text_value(v, false, path),
            "xhtml" => self.text_value(v, false, path),
            "url" => {
                self.report.record(path, PhiKind::Url, Action::Removed);
                None
            }
            "base64Binary" => {
                self.report.record(path, PhiKind::Id, Action::Removed);
                None
            }
            "uri" | "canonical" | "oid" | "uuid" | "id" | "code" => self.text_value(v, true, path),
            "boolean" | "integer" | "decimal" | "positiveInt" | "unsignedInt" | "time" => Some(v),
            complex => {
                let Value::Object(o) = v else {
                    self.report.unknown_element(path);
                    return None;
                };
                if !self.schema.has_def(complex) {
                    self.report.unknown_element(path);
                    return None;
                }
                let out = self.object(o, complex, path, false);
                (!out.is_empty()).then_some(Value::Object(out))
            }
        }
    }

    fn text_value(&mut self, v: Value, coded: bool, path: &str) -> Option<Value> {
        let Value::String(s) = v else {
            return Some(v);
        };
        let r = if coded {
            self.coded.as_ref()
        } else {
            self.full.as_ref()
        }
        .expect("redactors built");
        let out = if s.trim_start().starts_with('<') && !coded {
            r.redact_markup(&s)
        } else {
            r.redact(&s)
        };
        for sp in &out.spans {
            self.report.record(path, sp.kind, Action::Redacted);
        }
        Some(Value::String(out.text))
    }

    fn date(&mut self, v: Value, ty: &str, path: &str) -> Option<Value> {
        let Value::String(s) = v else { return None };
        match self.config.dates {
            DatePolicy::Keep => Some(Value::String(s)),
            DatePolicy::YearOnly => {
                if ty == "instant" {
                    self.report.record(path, PhiKind::Date, Action::Removed);
                    return None;
                }
                let year = s.get(..4).filter(|y| y.bytes().all(|b| b.is_ascii_digit()));
                match year {
                    Some(y) => {
                        if s.len() > 4 {
                            self.report.record(path, PhiKind::Date, Action::Generalized);
                        }
                        Some(Value::String(y.to_string()))
                    }
                    None => {
                        self.report.record(path, PhiKind::Date, Action::Removed);
                        None
                    }
                }
            }
            DatePolicy::Shift(_) => {
                let days = self.shift.unwrap_or(0);
                match shift_fhir_date(&s, days) {
                    Some(d) => {
                        self.report.record(path, PhiKind::Date, Action::Shifted);
                        Some(Value::String(d))
                    }
                    None => {
                        self.report.record(path, PhiKind::Date, Action::Removed);
                        None
                    }
                }
            }
        }
    }

    fn identifier(&mut self, v: Value, path: &str) -> Option<Value> {
        let kind = identifier_kind(&v);
        match self.config.mode {
            Mode::SafeHarbor => {
                self.report.record(path, kind, Action::Removed);
                None
            }
            Mode::LimitedDataSet => {
                let Value::Object(o) = v else { return None };
                let mut out = Map::new();
                for k in ["use", "type", "system"] {
                    if let Some(x) = o.get(k) {
                        out.insert(k.to_string(), x.clone());
                    }
                }
                if let Some(val) = o.get("value").and_then(Value::as_str) {
                    let key = self.key.as_ref().expect("limited data sets carry a key");
                    let system = o.get("system").and_then(Value::as_str).unwrap_or("");
                    let p = key.pseudonym(&format!("identifier|{system}"), val, 32);
                    out.insert("value".into(), Value::String(p));
                }
                self.report.record(path, kind, Action::Replaced);
                if let Some(t) = out.remove("type") {
                    let t = self.value(t, "CodeableConcept", &format!("{path}.type"));
                    if let Some(t) = t {
                        out.insert("type".into(), t);
                    }
                }
                Some(Value::Object(out))
            }
        }
    }

    fn address(&mut self, v: Value, path: &str) -> Option<Value> {
        let Value::Object(o) = v else { return None };
        let mut out = Map::new();
        let us = o.get("country").and_then(Value::as_str).is_none_or(|c| {
            matches!(
                c.to_ascii_uppercase().as_str(),
                "US" | "USA" | "UNITED STATES"
            )
        });
        for (k, val) in o {
            let child = format!("{path}.{k}");
            match k.as_str() {
                "use" | "type" | "state" | "country" => {
                    out.insert(k, val);
                }
                "city" | "district" if self.config.mode == Mode::LimitedDataSet && k == "city" => {
                    out.insert(k, val);
                }
                "postalCode" => {
                    let Some(z) = val.as_str() else { continue };
                    match self.config.mode {
                        Mode::SafeHarbor => match self.config.zip3.generalize(z) {
                            Some(g) if us => {
                                self.report
                                    .record(&child, PhiKind::Zip, Action::Generalized);
                                out.insert(k, Value::String(g));
                            }
                            _ => self.report.record(&child, PhiKind::Zip, Action::Removed),
                        },
                        Mode::LimitedDataSet => {
                            let five: String = z.chars().take(5).collect();
                            if five.len() < z.len() {
                                self.report
                                    .record(&child, PhiKind::Zip, Action::Generalized);
                            }
                            out.insert(k, Value::String(five));
                        }
                    }
                }
                "line" | "text" => self
                    .report
                    .record(&child, PhiKind::Address, Action::Removed),
                "city" | "district" => {
                    self.report
                        .record(&child, PhiKind::Location, Action::Removed)
                }
                "period" => {
                    if let Some(p) = self.value(val, "Period", &child) {
                        out.insert(k, p);
                    }
                }
                "extension" => {
                    if let Some(e) =
                        self.array_or_one(val, true, |this, item| this.extension(item, &child))
                    {
                        out.insert(k, e);
                    }
                }
                _ => self.report.unknown_element(&child),
            }
        }
        (!out.is_empty()).then_some(Value::Object(out))
    }

    fn attachment(&mut self, v: Value, path: &str) -> Option<Value> {
        let Value::Object(mut o) = v else { return None };
        let ct = o
            .get("contentType")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_ascii_lowercase();
        let mut redacted_data = None;
        if let Some(data) = o.remove("data") {
            let child = format!("{path}.data");
            let texty = ct.starts_with("text/")
                || ct.starts_with("application/json")
                || ct.starts_with("application/fhir")
                || ct.starts_with("application/xml");
            let decoded = data
                .as_str()
                .and_then(|d| {
                    base64::engine::general_purpose::STANDARD
                        .decode(d.trim())
                        .ok()
                })
                .and_then(|b| String::from_utf8(b).ok());
            match (texty, decoded) {
                (true, Some(text)) => {
                    let r = self.full.as_ref().expect("redactors built");
                    let out = if ct.contains("html") || ct.contains("xml") {
                        r.redact_markup(&text)
                    } else {
                        r.redact(&text)
                    };
                    for sp in &out.spans {
                        self.report.record(&child, sp.kind, Action::Redacted);
                    }
                    o.insert("size".into(), Value::from(out.text.len()));
                    redacted_data = Some(Value::String(
                        base64::engine::general_purpose::STANDARD.encode(out.text),
                    ));
                    o.remove("hash");
                }
                _ => {
                    let kind = if ct.starts_with("image/") || ct.starts_with("video/") {
                        PhiKind::Photo
                    } else if ct.starts_with("audio/") {
                        PhiKind::Biometric
                    } else {
                        PhiKind::Id
                    };
                    self.report.record(&child, kind, Action::Removed);
                    o.remove("hash");
                    o.remove("size");
                }
            }
        }
        let mut out = self.object(o, "Attachment", path, false);
        if let Some(d) = redacted_data {
            out.insert("data".into(), d);
        }
        Some(Value::Object(out))
    }

    fn narrative(&mut self, v: Value, path: &str) -> Option<Value> {
        let Value::Object(o) = v else { return None };
        let mut out = Map::new();
        if let Some(status) = o.get("status") {
            out.insert("status".into(), status.clone());
        }
        if let Some(Value::String(div)) = o.get("div") {
            let r = self.full.as_ref().expect("redactors built");
            let red = r.redact_markup(div);
            for sp in &red.spans {
                self.report
                    .record(&format!("{path}.div"), sp.kind, Action::Redacted);
            }
            out.insert("div".into(), Value::String(red.text));
        }
        Some(Value::Object(out))
    }

    fn extension(&mut self, v: Value, path: &str) -> Option<Value> {
        let url = v.get("url").and_then(Value::as_str).unwrap_or("");
        if !SAFE_EXTENSIONS.contains(&url) {
            let kind = if url.ends_with("mothersMaidenName") {
                PhiKind::Name
            } else if url.ends_with("geolocation") {
                PhiKind::Location
            } else {
                PhiKind::Id
            };
            self.report
                .record(&format!("{path}[{url}]"), kind, Action::Removed);
            return None;
        }
        let Value::Object(o) = v else { return None };
        Some(Value::Object(self.object(o, "Extension", path, false)))
    }

    fn reference(&mut self, v: Value, path: &str) -> Option<Value> {
        let Value::Object(o) = v else { return None };
        let mut out = Map::new();
        for (k, val) in o {
            let child = format!("{path}.{k}");
            match k.as_str() {
                "reference" => {
                    let Some(s) = val.as_str() else { continue };
                    match self.rekey_reference(s) {
                        Some(r) => {
                            out.insert(k, Value::String(r));
                        }
                        None => {
                            // Conditional ("Practitioner?identifier=…") or unresolvable.
                            self.report.record(&child, PhiKind::Id, Action::Removed);
                            if let Some(t) = s.split(['?', '/']).next()
                                && self.schema.has_def(t)
                                && t.chars().next().is_some_and(char::is_uppercase)
                            {
                                out.entry("type".to_string())
                                    .or_insert_with(|| Value::String(t.to_string()));
                            }
                        }
                    }
                }
                "type" => {
                    out.insert(k, val);
                }
                "display" => {
                    if let Some(d) = self.text_value(val, false, &child) {
                        out.insert(k, d);
                    }
                }
                "identifier" => {
                    if let Some(i) = self.identifier(val, &child) {
                        out.insert(k, i);
                    }
                }
                "extension" => {
                    if let Some(e) =
                        self.array_or_one(val, true, |this, item| this.extension(item, &child))
                    {
                        out.insert(k, e);
                    }
                }
                _ => self.report.unknown_element(&child),
            }
        }
        (!out.is_empty()).then_some(Value::Object(out))
    }

    /// `urn:uuid:X` → `urn:uuid:X'`; `Type/X[/_history/n]` (relative or absolute) → `Type/X'`;
    /// `#X` → `#X'`. `None` for conditional references and other forms.
    fn rekey_reference(&mut self, s: &str) -> Option<String> {
        if let Some(id) = s.strip_prefix("urn:uuid:") {
            return Some(format!("urn:uuid:{}", self.rekey(id)));
        }
        if let Some(id) = s.strip_prefix("urn:oid:") {
            return Some(format!("urn:uuid:{}", self.rekey(id)));
        }
        if let Some(id) = s.strip_prefix('#') {
            if id.is_empty() {
                return Some("#".into());
            }
            return Some(format!("#{}", self.rekey(id)));
        }
        if s.contains('?') {
            return None;
        }
        let parts: Vec<&str> = s.split('/').collect();
        // Find "Type/id" (with an optional "_history/v" after it).
        let n = parts.len();
        let pos = if n >= 4 && parts[n - 2] == "_history" {
            n - 4
        } else if n >= 2 {
            n - 2
        } else {
            return None;
        };
        let (t, id) = (parts[pos], parts[pos + 1]);
        if !t.chars().next().is_some_and(char::is_uppercase) || id.is_empty() {
            return None;
        }
        Some(format!("{t}/{}", self.rekey(id)))
    }
}

enum Special {
    Remove(PhiKind),
    Tag(PhiKind),
    NewOid,
    FullUrl,
    RequestUrl,
    /// Text; `true` = coded display text (identity matching only).
    Text(bool),
}

fn identifier_kind(v: &Value) -> PhiKind {
    let code = v
        .pointer("/type/coding/0/code")
        .and_then(Value::as_str)
        .unwrap_or("");
    let system = v.get("system").and_then(Value::as_str).unwrap_or("");
    match code {
        "MR" | "MRT" | "PI" => PhiKind::Mrn,
        "SS" | "SB" => PhiKind::Ssn,
        "DL" | "PPN" | "NPI" | "MD" | "LN" | "DEA" | "NIIP" => PhiKind::License,
        "MB" | "MA" | "MC" | "SN" | "NH" | "PLAC" => PhiKind::HealthPlan,
        "AN" | "ACSN" | "VN" => PhiKind::Account,
        "SNO" | "UDI" => PhiKind::Device,
        _ if system.contains("us-ssn") => PhiKind::Ssn,
        _ if system.contains("us-npi") => PhiKind::License,
        _ => PhiKind::Id,
    }
}

/// The original id of the patient a resource belongs to (for per-patient date shifts).
fn patient_key(obj: &Map<String, Value>, rt: &str) -> Option<String> {
    if rt == "Patient" {
        return obj.get("id").and_then(Value::as_str).map(str::to_string);
    }
    for field in ["subject", "patient", "beneficiary", "individual"] {
        if let Some(r) = obj
            .get(field)
            .and_then(|r| r.get("reference"))
            .and_then(Value::as_str)
        {
            let id = r
                .strip_prefix("urn:uuid:")
                .or_else(|| r.rsplit('/').next())
                .unwrap_or(r);
            return Some(id.to_string());
        }
    }
    if rt == "Bundle" {
        // A patient bundle shifts by its patient.
        if let Some(Value::Array(entries)) = obj.get("entry") {
            for e in entries {
                if e.pointer("/resource/resourceType").and_then(Value::as_str) == Some("Patient") {
                    return e
                        .pointer("/resource/id")
                        .and_then(Value::as_str)
                        .map(str::to_string);
                }
            }
        }
    }
    None
}

/// Gathers the identities of Patients, RelatedPersons, Practitioners and Patient contacts in a
/// resource or bundle.
fn collect_identities(
    v: &Value,
    out: &mut Vec<PatientIdentity>,
    seen: &mut std::collections::HashSet<String>,
) {
    let Some(rt) = v.get("resourceType").and_then(Value::as_str) else {
        return;
    };
    match rt {
        "Bundle" => {
            if let Some(Value::Array(entries)) = v.get("entry") {
                for e in entries {
                    if let Some(r) = e.get("resource") {
                        collect_identities(r, out, seen);
                    }
                }
            }
        }
        "Patient" | "RelatedPerson" | "Practitioner" | "Person" => {
            let key = format!(
                "{rt}/{}",
                v.get("id").and_then(Value::as_str).unwrap_or_default()
            );
            if v.get("id").is_some() && !seen.insert(key) {
                return;
            }
            let mut id = PatientIdentity::default();
            person_parts(v, &mut id, rt != "Practitioner");
            if let Some(Value::Array(contacts)) = v.get("contact") {
                for c in contacts {
                    person_parts(c, &mut id, true);
                }
            }
            if let Some(Value::Array(exts)) = v.get("extension") {
                for e in exts {
                    let url = e.get("url").and_then(Value::as_str).unwrap_or("");
                    if url.ends_with("mothersMaidenName")
                        && let Some(s) = e.get("valueString").and_then(Value::as_str)
                    {
                        let words: Vec<&str> = s.split_whitespace().collect();
                        id.names.push(PersonName {
                            given: words[..words.len().saturating_sub(1)]
                                .iter()
                                .map(|w| w.to_string())
                                .collect(),
                            family: words.last().map(|w| w.to_string()),
                            text: Some(s.to_string()),
                        });
                    }
                    if url.ends_with("birthPlace")
                        && let Some(c) = e.pointer("/valueAddress/city").and_then(Value::as_str)
                    {
                        id.localities.push(c.to_string());
                    }
                }
            }
            if !id.is_empty() {
                out.push(id);
            }
        }
        _ => {}
    }
    if let Some(Value::Array(contained)) = v.get("contained") {
        for c in contained {
            collect_identities(c, out, seen);
        }
    }
}

fn person_parts(v: &Value, id: &mut PatientIdentity, full: bool) {
    let names = match v.get("name") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    };
    for n in names {
        let given = n
            .get("given")
            .and_then(Value::as_array)
            .map(|g| {
                g.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default();
        id.names.push(PersonName {
            given,
            family: n.get("family").and_then(Value::as_str).map(str::to_string),
            text: n.get("text").and_then(Value::as_str).map(str::to_string),
        });
    }
    if !full {
        return;
    }
    if let Some(Value::Array(tel)) = v.get("telecom") {
        for t in tel {
            if let Some(val) = t.get("value").and_then(Value::as_str) {
                match t.get("system").and_then(Value::as_str) {
                    Some("email") => id.emails.push(val.to_string()),
                    Some("url") => id.identifiers.push(val.to_string()),
                    _ => id.phones.push(val.to_string()),
                }
            }
        }
    }
    let addresses = match v.get("address") {
        Some(Value::Array(a)) => a.clone(),
        Some(o @ Value::Object(_)) => vec![o.clone()],
        _ => Vec::new(),
    };
    for a in addresses {
        if let Some(Value::Array(lines)) = a.get("line") {
            id.address_lines
                .extend(lines.iter().filter_map(Value::as_str).map(str::to_string));
        }
        for k in ["city", "district"] {
            if let Some(c) = a.get(k).and_then(Value::as_str) {
                id.localities.push(c.to_string());
            }
        }
        if let Some(z) = a.get("postalCode").and_then(Value::as_str) {
            id.postal_codes.push(z.to_string());
        }
    }
    if let Some(Value::Array(ids)) = v.get("identifier") {
        for i in ids {
            if let Some(val) = i.get("value").and_then(Value::as_str)
                && val.len() >= 4
            {
                id.identifiers.push(val.to_string());
            }
        }
    }
    if let Some(i) = v.get("id").and_then(Value::as_str)
        && i.len() >= 6
    {
        id.identifiers.push(i.to_string());
    }
    for k in ["birthDate", "deceasedDateTime"] {
        if let Some(d) = v.get(k).and_then(Value::as_str)
            && d.len() >= 10
        {
            id.dates.push(d[..10].to_string());
        }
    }
}
