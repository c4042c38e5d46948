//! The `claims` table: one row per FHIR R4 `Claim` resource (the UB-04 / 837 view of a stay),
//! read with `medrec-model`.
//!
//! | column | type | null | FHIR R4 (`fhir-him-mapping.md`) |
//! |---|---|---|---|
//! | `claim_id` | Utf8 | no | `Claim.id` (empty when absent) |
//! | `patient_id` | Utf8 | yes | `Claim.patient` → `Patient.id`, else the reference's id (`Patient/<id>`) |
//! | `encounter_id` | Utf8 | yes | the first `Claim.item[].encounter` → `Encounter.id`, else the reference's id; joins `encounters` |
//! | `status` | Utf8 | yes | `Claim.status` (`active`, `cancelled`, `draft`, `entered-in-error`): filter `entered-in-error` out as `medrec-stats` does |
//! | `claim_type` | Utf8 | yes | `Claim.type` code (`institutional`, `professional`, `oral`, `pharmacy`, `vision`) |
//! | `claim_use` | Utf8 | yes | `Claim.use` (`claim`, `preauthorization`, `predetermination`) |
//! | `billable_start`, `billable_end` | Timestamp(µs, UTC) | yes | `Claim.billablePeriod` |
//! | `created` | Timestamp(µs, UTC) | yes | `Claim.created` |
//! | `provider` | Utf8 | yes | `Claim.provider` → `Organization.name`, else the reference's display or text |
//! | `payer` | Utf8 | yes | the focal (else lowest-sequence) `Claim.insurance[].coverage` → `Coverage.payor` → `Organization.name` or display; else the coverage reference's display |
//! | `principal_diagnosis` | Utf8 | yes | the ICD-10-CM code of the `Claim.diagnosis` typed `principal`, else the one with `sequence` 1, else the first (`diagnosisCodeableConcept`, or `diagnosisReference` → `Condition.code`) |
//! | `diagnosis_count` | Int32 | no | ICD-10-CM diagnoses on the claim |
//! | `procedure_count` | Int32 | no | ICD-10-PCS procedures on the claim (`procedureCodeableConcept`) |
//! | `item_count` | Int32 | no | `Claim.item` lines |
//! | `total_cents` | Int64 | yes | `Claim.total` in cents, else the sum of `item[].net` (exact decimal arithmetic) |
//! | `currency` | Utf8 | yes | the currency of `Claim.total` (else of the first priced item) |
//!
//! The codes themselves are in `diagnoses` / `procedures` (one row per code of a stay, read from
//! the claims first), so `claims` stays flat.

use datafusion::arrow::datatypes::SchemaRef;
use jiff::tz::TimeZone;
use medrec_model::PatientRecord;
use medrec_model::datatypes::{CodeableConcept, Reference};
use medrec_model::resources::{
    Claim, ClaimDiagnosis, ClaimDiagnosisDiagnosis, ClaimProcedureProcedure, Condition, Coverage,
    Encounter, Patient,
};
use medrec_stats::fhir::{ICD10CM_SYSTEM, ICD10PCS_SYSTEM, money_cents};

use crate::columns::{ColumnSpec, ColumnType, ResourceTable, ResourceTableBuilder, Value, micros};
use crate::patients::organization_name;

/// The columns of `claims`, in schema order.
pub const CLAIM_COLUMNS: [ColumnSpec; 17] = [
    ColumnSpec::new("claim_id", ColumnType::Utf8, false),
    ColumnSpec::new("patient_id", ColumnType::Utf8, true),
    ColumnSpec::new("encounter_id", ColumnType::Utf8, true),
    ColumnSpec::new("status", ColumnType::Utf8, true),
    ColumnSpec::new("claim_type", ColumnType::Utf8, true),
    ColumnSpec::new("claim_use", ColumnType::Utf8, true),
    ColumnSpec::new("billable_start", ColumnType::Timestamp, true),
    ColumnSpec::new("billable_end", ColumnType::Timestamp, true),
    ColumnSpec::new("created", ColumnType::Timestamp, true),
    ColumnSpec::new("provider", ColumnType::Utf8, true),
    ColumnSpec::new("payer", ColumnType::Utf8, true),
    ColumnSpec::new("principal_diagnosis", ColumnType::Utf8, true),
    ColumnSpec::new("diagnosis_count", ColumnType::Int32, false),
    ColumnSpec::new("procedure_count", ColumnType::Int32, false),
    ColumnSpec::new("item_count", ColumnType::Int32, false),
    ColumnSpec::new("total_cents", ColumnType::Int64, true),
    ColumnSpec::new("currency", ColumnType::Utf8, true),
];

/// The schema of `claims` for a facility time zone.
pub fn claims_schema(time_zone: &TimeZone) -> SchemaRef {
    ClaimTable::schema(time_zone)
}

/// The id a reference points at: the resolved resource's id, else the `<id>` of a literal
/// `Type/<id>` reference (also the tail of an absolute URL).
fn referenced_id<'a, T: medrec_model::TypedResource>(
    record: &'a PatientRecord,
    r: &'a Reference,
    id: impl Fn(&'a T) -> Option<&'a str>,
) -> Option<&'a str> {
    record
        .resolve(r)
        .and_then(|x| x.downcast_ref::<T>())
        .and_then(id)
        .or_else(|| {
            let text = r.reference.as_deref()?;
            let text = text.split("/_history/").next().unwrap_or(text);
            let (kind, id) = text.rsplit_once('/')?;
            (kind.rsplit('/').next() == Some(T::RESOURCE_TYPE)).then_some(id)
        })
}

fn icd10cm_code(cc: &CodeableConcept) -> Option<&str> {
    cc.coding
        .iter()
        .find(|c| c.system.as_deref() == Some(ICD10CM_SYSTEM))
        .and_then(|c| c.code.as_deref())
}

/// The ICD-10-CM code of a claim diagnosis (inline, or through its Condition).
pub fn claim_diagnosis_code<'a>(
    record: &'a PatientRecord,
    d: &'a ClaimDiagnosis,
) -> Option<&'a str> {
    match &d.diagnosis {
        Some(ClaimDiagnosisDiagnosis::CodeableConcept(cc)) => icd10cm_code(cc),
        Some(ClaimDiagnosisDiagnosis::Reference(r)) => record
            .resolve(r)
            .and_then(|x| x.downcast_ref::<Condition>())
            .and_then(|c| c.code.as_ref())
            .and_then(icd10cm_code),
        None => None,
    }
}

/// The principal diagnosis of a claim (see the module docs).
pub fn principal_diagnosis<'a>(record: &'a PatientRecord, claim: &'a Claim) -> Option<&'a str> {
    let coded = || {
        claim
            .diagnosis
            .iter()
            .filter_map(|d| claim_diagnosis_code(record, d).map(|c| (d, c)))
    };
    let typed = |d: &ClaimDiagnosis| {
        d.type_.iter().any(|t| {
            t.coding
                .iter()
                .any(|c| c.code.as_deref() == Some("principal"))
        })
    };
    coded()
        .find(|(d, _)| typed(d))
        .or_else(|| coded().find(|(d, _)| d.sequence == Some(1)))
        .or_else(|| coded().next())
        .map(|(_, c)| c)
}

/// The payer of a claim (see the module docs).
pub fn claim_payer<'a>(record: &'a PatientRecord, claim: &'a Claim) -> Option<&'a str> {
    let insurance = claim
        .insurance
        .iter()
        .filter(|i| i.coverage.is_some())
        .min_by_key(|i| (!i.focal.unwrap_or(false), i.sequence.unwrap_or(u32::MAX)))?;
    let coverage = insurance.coverage.as_ref()?;
    match record
        .resolve(coverage)
        .and_then(|x| x.downcast_ref::<Coverage>())
    {
        Some(c) => c.payor.first().and_then(|p| organization_name(record, p)),
        None => coverage.display.as_deref(),
    }
}

fn count(n: usize) -> Value<'static> {
    Value::I32(Some(n.min(i32::MAX as usize) as i32))
}

/// The value of `claims` column `column` (in [`CLAIM_COLUMNS`] order) for a claim.
fn claim_value<'a>(
    column: usize,
    record: &'a PatientRecord,
    c: &'a Claim,
    tz: &TimeZone,
) -> Value<'a> {
    let instant = |dt: Option<&medrec_model::datatypes::DateTime>| {
        Value::Micros(dt.and_then(|d| d.to_timestamp(tz)).map(micros))
    };
    let period = c.billable_period.as_ref();
    match column {
        0 => Value::str(Some(c.id.as_deref().unwrap_or(""))),
        1 => Value::str(
            c.patient
                .as_ref()
                .and_then(|r| referenced_id::<Patient>(record, r, |p| p.id.as_deref())),
        ),
        2 => Value::str(
            c.item
                .iter()
                .flat_map(|i| &i.encounter)
                .find_map(|r| referenced_id::<Encounter>(record, r, |e| e.id.as_deref())),
        ),
        3 => Value::str(c.status.as_deref()),
        4 => Value::str(
            c.type_
                .as_ref()
                .and_then(|t| t.coding.iter().find_map(|x| x.code.as_deref())),
        ),
        5 => Value::str(c.use_.as_deref()),
        6 => instant(period.and_then(|p| p.start.as_ref())),
        7 => instant(period.and_then(|p| p.end.as_ref())),
        8 => instant(c.created.as_ref()),
        9 => Value::str(
            c.provider
                .as_ref()
                .and_then(|r| organization_name(record, r)),
        ),
        10 => Value::str(claim_payer(record, c)),
        11 => Value::str(principal_diagnosis(record, c)),
        12 => count(
            c.diagnosis
                .iter()
                .filter(|d| claim_diagnosis_code(record, d).is_some())
                .count(),
        ),
        13 => count(
            c.procedure
                .iter()
                .filter(|p| match &p.procedure {
                    Some(ClaimProcedureProcedure::CodeableConcept(cc)) => cc
                        .coding
                        .iter()
                        .any(|x| x.system.as_deref() == Some(ICD10PCS_SYSTEM) && x.code.is_some()),
                    _ => false,
                })
                .count(),
        ),
        14 => count(c.item.len()),
        15 => Value::I64(c.total.as_ref().and_then(money_cents).or_else(|| {
            let mut nets = c
                .item
                .iter()
                .filter_map(|i| i.net.as_ref().and_then(money_cents));
            let first = nets.next()?;
            nets.try_fold(first, i64::checked_add)
        })),
        16 => Value::str(
            c.total
                .as_ref()
                .and_then(|m| m.currency.as_deref())
                .or_else(|| {
                    c.item
                        .iter()
                        .find_map(|i| i.net.as_ref().and_then(|m| m.currency.as_deref()))
                }),
        ),
        _ => Value::Str(None),
    }
}

/// The `claims` table (see the module docs).
#[derive(Debug, Clone, Copy, Default)]
pub struct ClaimTable;

impl ResourceTable for ClaimTable {
    type Resource = Claim;
    const NAME: &'static str = "claims";
    const COLUMNS: &'static [ColumnSpec] = &CLAIM_COLUMNS;

    fn value<'a>(
        column: usize,
        record: &'a PatientRecord,
        resource: &'a Claim,
        tz: &TimeZone,
    ) -> Value<'a> {
        claim_value(column, record, resource, tz)
    }
}

/// Builds `claims` batches (projected columns only) from the `Claim` resources of records.
pub type ClaimTableBuilder = ResourceTableBuilder<ClaimTable>;
