//! The `patients` table: one row per FHIR R4 `Patient` resource, read with `medrec-model`.
//!
//! | column | type | null | FHIR R4 (`fhir-him-mapping.md`) |
//! |---|---|---|---|
//! | `patient_id` | Utf8 | no | `Patient.id` (empty when absent); the `patient_id` of the stay tables |
//! | `mrn` | Utf8 | yes | `Patient.identifier` whose `type` is `MR` (HL7 v2 table 0203, medical record number) |
//! | `family_name` | Utf8 | yes | `Patient.name` (`use` `official`, else the first): `family` |
//! | `given_names` | Utf8 | yes | the same name's `given`, joined by spaces |
//! | `gender` | Utf8 | yes | `Patient.gender` (administrative gender: `male`, `female`, `other`, `unknown`) |
//! | `birth_date` | Date32 | yes | `Patient.birthDate` when a full date (null for `1970` or `1970-03`) |
//! | `birth_year` | Int32 | yes | the year of `Patient.birthDate` (also for partial dates) |
//! | `deceased` | Boolean | no | `deceasedBoolean` true, or a `deceasedDateTime` |
//! | `deceased_time` | Timestamp(µs, UTC) | yes | `Patient.deceasedDateTime` (a date without a time: its first instant in the facility zone) |
//! | `city`, `state`, `postal_code` | Utf8 | yes | `Patient.address` (`use` `home`, else the first) |
//! | `managing_organization` | Utf8 | yes | `Patient.managingOrganization` → `Organization.name`, else the reference's display or text |
//! | `active` | Boolean | yes | `Patient.active` |
//!
//! The table holds direct identifiers (names, MRN, address parts): it is the record, not a
//! release. For a release, select `pseudonym_id(patient_id, key)`, `birth_year`, `gender`,
//! `state` and the first three ZIP digits where the population allows it (45 CFR
//! 164.514(b)(2)(i)(B)), and nothing else.

use datafusion::arrow::datatypes::SchemaRef;
use jiff::tz::TimeZone;
use medrec_model::PatientRecord;
use medrec_model::datatypes::{Precision, Reference};
use medrec_model::resources::{Organization, Patient, PatientDeceased};

use crate::columns::{ColumnSpec, ColumnType, ResourceTable, ResourceTableBuilder, Value, micros};
use crate::tables::date32;

/// The columns of `patients`, in schema order.
pub const PATIENT_COLUMNS: [ColumnSpec; 14] = [
    ColumnSpec::new("patient_id", ColumnType::Utf8, false),
    ColumnSpec::new("mrn", ColumnType::Utf8, true),
    ColumnSpec::new("family_name", ColumnType::Utf8, true),
    ColumnSpec::new("given_names", ColumnType::Utf8, true),
    ColumnSpec::new("gender", ColumnType::Utf8, true),
    ColumnSpec::new("birth_date", ColumnType::Date32, true),
    ColumnSpec::new("birth_year", ColumnType::Int32, true),
    ColumnSpec::new("deceased", ColumnType::Boolean, false),
    ColumnSpec::new("deceased_time", ColumnType::Timestamp, true),
    ColumnSpec::new("city", ColumnType::Utf8, true),
    ColumnSpec::new("state", ColumnType::Utf8, true),
    ColumnSpec::new("postal_code", ColumnType::Utf8, true),
    ColumnSpec::new("managing_organization", ColumnType::Utf8, true),
    ColumnSpec::new("active", ColumnType::Boolean, true),
];

/// The schema of `patients` for a facility time zone.
pub fn patients_schema(time_zone: &TimeZone) -> SchemaRef {
    PatientTable::schema(time_zone)
}

/// HL7 v2 table 0203 (identifier type), whose `MR` is the medical record number.
pub const IDENTIFIER_TYPE_SYSTEM: &str = "http://terminology.hl7.org/CodeSystem/v2-0203";

/// A reference as text: its display, else its literal reference, else its identifier's value.
pub(crate) fn reference_text(r: &Reference) -> Option<&str> {
    r.display
        .as_deref()
        .or(r.reference.as_deref())
        .or_else(|| r.identifier.as_ref().and_then(|i| i.value.as_deref()))
}

/// The organization a reference names: its `name`, else the reference as text.
pub(crate) fn organization_name<'a>(
    record: &'a PatientRecord,
    r: &'a Reference,
) -> Option<&'a str> {
    record
        .resolve(r)
        .and_then(|x| x.downcast_ref::<Organization>())
        .and_then(|o| o.name.as_deref())
        .or_else(|| reference_text(r))
}

/// The medical record number: the identifier typed `MR` (v2-0203, or any system when the coding
/// has none).
pub fn medical_record_number(p: &Patient) -> Option<&str> {
    p.identifier
        .iter()
        .find(|i| {
            i.type_.as_ref().is_some_and(|t| {
                t.coding.iter().any(|c| {
                    c.code.as_deref() == Some("MR")
                        && c.system
                            .as_deref()
                            .is_none_or(|s| s == IDENTIFIER_TYPE_SYSTEM)
                })
            })
        })
        .and_then(|i| i.value.as_deref())
}

/// The value of `patients` column `column` for a patient (dates in `tz`).
fn patient_value<'a>(
    column: usize,
    record: &'a PatientRecord,
    p: &'a Patient,
    tz: &TimeZone,
) -> Value<'a> {
    let name = || {
        p.name
            .iter()
            .find(|n| n.use_.as_deref() == Some("official"))
            .or(p.name.first())
    };
    let address = || {
        p.address
            .iter()
            .find(|a| a.use_.as_deref() == Some("home"))
            .or(p.address.first())
    };
    match column {
        0 => Value::str(Some(p.id.as_deref().unwrap_or(""))),
        1 => Value::str(medical_record_number(p)),
        2 => Value::str(name().and_then(|n| n.family.as_deref())),
        3 => Value::string(name().and_then(|n| {
            let given: Vec<&str> = n.given.iter().flatten().map(String::as_str).collect();
            (!given.is_empty()).then(|| given.join(" "))
        })),
        4 => Value::str(p.gender.as_deref()),
        5 => Value::Day(
            p.birth_date
                .as_ref()
                .filter(|d| d.precision() == Some(Precision::Day))
                .and_then(|d| d.date())
                .map(date32),
        ),
        6 => Value::I32(p.birth_date.as_ref().and_then(|d| d.year()).map(i32::from)),
        7 => Value::Bool(Some(match &p.deceased {
            Some(PatientDeceased::Boolean(b)) => *b,
            Some(PatientDeceased::DateTime(_)) => true,
            None => false,
        })),
        8 => Value::Micros(match &p.deceased {
            Some(PatientDeceased::DateTime(dt)) => dt.to_timestamp(tz).map(micros),
            _ => None,
        }),
        9 => Value::str(address().and_then(|a| a.city.as_deref())),
        10 => Value::str(address().and_then(|a| a.state.as_deref())),
        11 => Value::str(address().and_then(|a| a.postal_code.as_deref())),
        12 => Value::str(
            p.managing_organization
                .as_ref()
                .and_then(|r| organization_name(record, r)),
        ),
        13 => Value::Bool(p.active),
        _ => Value::Str(None),
    }
}

/// The `patients` table (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct PatientTable;

impl ResourceTable for PatientTable {
    type Resource = Patient;
    const NAME: &'static str = "patients";
    const COLUMNS: &'static [ColumnSpec] = &PATIENT_COLUMNS;

    fn value<'a>(
        column: usize,
        record: &'a PatientRecord,
        resource: &'a Patient,
        tz: &TimeZone,
    ) -> Value<'a> {
        patient_value(column, record, resource, tz)
    }
}

/// Builds `patients` batches (projected columns only) from the `Patient` resources of records.
pub type PatientTableBuilder = ResourceTableBuilder<PatientTable>;
