//! Flat Arrow tables of FHIR R4 records and a DataFusion table provider reading FHIR R4 NDJSON /
//! Bundles.
//!
//! The tables (names as registered by [`register_fhir_tables`]):
//!
//! | table | one row per | built by |
//! |---|---|---|
//! | `patients` | `Patient` resource | [`crate::patients::PatientTableBuilder`] (schema in [`crate::patients`]) |
//! | `encounters` | stay (any class) | `medrec_stats::arrow::EncounterTableBuilder` (schema documented in `medrec_stats::arrow`) |
//! | `encounter_unit_stays` | entry of a stay's unit history, as recorded | `medrec_stats::arrow::UnitStayTableBuilder` |
//! | `diagnoses` | ICD-10-CM diagnosis of a stay | `medrec_stats::arrow::DiagnosisTableBuilder` |
//! | `procedures` | procedure of a stay | `medrec_stats::arrow::ProcedureTableBuilder` |
//! | `census_segments` | stretch of an *inpatient* stay on one unit, as the census counts it | [`CensusSegmentBuilder`] (this crate) |
//! | `claims` | `Claim` resource | [`crate::claims::ClaimTableBuilder`] (schema in [`crate::claims`]) |
//!
//! FHIR is parsed with `medrec-model` ([`read_fhir_record`]); stays are read from the record
//! with `medrec-stats`' reader (`medrec_stats::fhir`, which follows `fhir-him-mapping.md`:
//! class, period, `Encounter.location[]`, admit source, disposition, claim diagnoses and
//! procedures …), patients and claims straight from the model's resources. `.ndjson` files are
//! read as one multi-patient record; a directory as one Bulk Data export; `.json` files as one
//! Bundle.
//!
//! # `census_segments`
//! | column | type | null | meaning |
//! |---|---|---|---|
//! | `encounter_id`, `patient_id` | Utf8 | no | the stay |
//! | `facility` | Utf8 | no | the stay's facility (may be empty) |
//! | `unit` | Utf8 | no | the unit (`(no unit)` for a stay without unit history) |
//! | `newborn` | Boolean | no | the newborn census population (admit source `born`) |
//! | `sequence` | Int32 | no | 1-based position among the stay's segments |
//! | `is_first`, `is_last` | Boolean | no | the segment starts with the admission / ends with the discharge |
//! | `start_day` | Date32 | no | census day the patient arrived on the unit (facility zone) |
//! | `end_day` | Date32 | yes | census day the patient left the unit; null = still there |
//! | `admit_day`, `discharge_day` | Date32 | no / yes | the stay's admission and discharge census days |
//! | `died` | Boolean | no | the stay ended in death |
//! | `admitted_from_hospital` | Boolean | no | admit source `hosp-trans` |
//! | `discharged_to_other_facility` | Boolean | no | disposition a transfer out ([`medrec_stats::Disposition::is_transfer_out`]) |
//! | `death_under_48h` | Boolean | no | an inpatient death < 48 h after admission ([`Stay::death_under_48h`]) |
//! | `autopsy_performed`, `medical_examiner_case` | Boolean | no | [`medrec_stats::Autopsy`] of the death |
//! | `body_available` | Boolean | yes | the body was available for a hospital autopsy; null = unknown |
//! | `direct_maternal_death` | Boolean | no | a direct maternal death |
//! | `obstetric` | Boolean | no | an obstetric stay |
//! | `hospital_acquired_infections` | Int32 | no | hospital-acquired infections of the stay |
//! | `consultation` | Boolean | no | the patient received a consultation |
//! | `charges_cents` | Int64 | yes | total charges of the stay in cents; null = unknown |
//! | `delivery` | Utf8 | yes | `vaginal` / `cesarean` ([`medrec_stats::Delivery::as_str`]); null = no delivery |
//! | `delivery_day` | Date32 | yes | census day of the delivery (`Stay::delivered`); null = unknown |
//! | `live_births`, `stillbirths` | Int32 | no | the mother's `Z37` outcome of delivery |
//!
//! The stay facts from `discharged_to_other_facility` on are the stay's, repeated on each of its
//! segments (the views count them once, on the segment that counts them).
//!
//! A patient is in the midnight census of day *d* on a unit when `start_day ≤ d < end_day`. The
//! rows are `medrec-stats`' own segments ([`Stay::unit_segments`], the one implementation the
//! aggregator counts with: unit history entries clamped to the admission, entries after the
//! discharge ignored, a later entry at the same instant wins, consecutive entries on the same
//! unit merged, the last segment ends at the discharge); the test suite checks the SQL census
//! against the aggregator on synth populations. Only stays the census counts are included
//! ([`Stay::in_census`]: inpatient, not discharged before admitted).

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Int32Builder, Int64Builder, RecordBatch, StringBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::catalog::Session;
use datafusion::datasource::{TableProvider, TableType};
use datafusion::error::Result;
use datafusion::logical_expr::Expr;
use datafusion::physical_plan::ExecutionPlan;
use datafusion::prelude::SessionContext;
use jiff::tz::TimeZone;
use medrec_model::PatientRecord;
use medrec_stats::arrow::{
    DiagnosisTableBuilder, EncounterTableBuilder, ProcedureTableBuilder, TableOptions,
    UnitStayTableBuilder,
};
use medrec_stats::fhir::{
    FhirReadOptions, record_from_json, record_from_ndjson, stays_from_record,
};
use medrec_stats::{Population, Stay};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::scan::FhirScanExec;

/// The tables this crate builds from stays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StayTable {
    /// `encounters`.
    Encounters,
    /// `encounter_unit_stays`.
    EncounterUnitStays,
    /// `diagnoses`.
    Diagnoses,
    /// `procedures`.
    Procedures,
    /// `census_segments`.
    CensusSegments,
}

impl StayTable {
    /// Every table.
    pub const ALL: [StayTable; 5] = [
        StayTable::Encounters,
        StayTable::EncounterUnitStays,
        StayTable::Diagnoses,
        StayTable::Procedures,
        StayTable::CensusSegments,
    ];

    /// The table name.
    pub fn name(self) -> &'static str {
        match self {
            StayTable::Encounters => "encounters",
            StayTable::EncounterUnitStays => "encounter_unit_stays",
            StayTable::Diagnoses => "diagnoses",
            StayTable::Procedures => "procedures",
            StayTable::CensusSegments => "census_segments",
        }
    }

    /// The schema, for stays read in `time_zone`.
    pub fn schema(self, time_zone: &TimeZone) -> SchemaRef {
        let options = TableOptions::new(time_zone.clone());
        match self {
            StayTable::Encounters => EncounterTableBuilder::new(&options).schema(),
            StayTable::EncounterUnitStays => UnitStayTableBuilder::new(&options).schema(),
            StayTable::Diagnoses => DiagnosisTableBuilder::new(&options).schema(),
            StayTable::Procedures => ProcedureTableBuilder::new(&options).schema(),
            StayTable::CensusSegments => census_segments_schema(),
        }
    }
}

/// The schema of `census_segments`.
pub fn census_segments_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![
        Field::new("encounter_id", DataType::Utf8, false),
        Field::new("patient_id", DataType::Utf8, false),
        Field::new("facility", DataType::Utf8, false),
        Field::new("unit", DataType::Utf8, false),
        Field::new("newborn", DataType::Boolean, false),
        Field::new("sequence", DataType::Int32, false),
        Field::new("is_first", DataType::Boolean, false),
        Field::new("is_last", DataType::Boolean, false),
        Field::new("start_day", DataType::Date32, false),
        Field::new("end_day", DataType::Date32, true),
        Field::new("admit_day", DataType::Date32, false),
        Field::new("discharge_day", DataType::Date32, true),
        Field::new("died", DataType::Boolean, false),
        Field::new("admitted_from_hospital", DataType::Boolean, false),
        Field::new("discharged_to_other_facility", DataType::Boolean, false),
        Field::new("death_under_48h", DataType::Boolean, false),
        Field::new("autopsy_performed", DataType::Boolean, false),
        Field::new("medical_examiner_case", DataType::Boolean, false),
        Field::new("body_available", DataType::Boolean, true),
        Field::new("direct_maternal_death", DataType::Boolean, false),
        Field::new("obstetric", DataType::Boolean, false),
        Field::new("hospital_acquired_infections", DataType::Int32, false),
        Field::new("consultation", DataType::Boolean, false),
        Field::new("charges_cents", DataType::Int64, true),
        Field::new("delivery", DataType::Utf8, true),
        Field::new("delivery_day", DataType::Date32, true),
        Field::new("live_births", DataType::Int32, false),
        Field::new("stillbirths", DataType::Int32, false),
    ]))
}

/// The census day (days since 1970-01-01 in the facility zone, Arrow `Date32`) of an instant:
/// `medrec_stats::census_day`, the day the aggregator counts it on.
pub use medrec_stats::census_day;

/// The census day (days since 1970-01-01, Arrow `Date32`) of a civil date.
pub fn date32(d: jiff::civil::Date) -> i32 {
    medrec_stats::clock::day_number(d)
}

/// Builds `census_segments` batches from stays.
#[derive(Debug)]
pub struct CensusSegmentBuilder {
    tz: TimeZone,
    batch_rows: usize,
    rows: usize,
    encounter_id: StringBuilder,
    patient_id: StringBuilder,
    facility: StringBuilder,
    unit: StringBuilder,
    newborn: BooleanBuilder,
    sequence: Int32Builder,
    is_first: BooleanBuilder,
    is_last: BooleanBuilder,
    start_day: Date32Builder,
    end_day: Date32Builder,
    admit_day: Date32Builder,
    discharge_day: Date32Builder,
    died: BooleanBuilder,
    from_hospital: BooleanBuilder,
    to_other_facility: BooleanBuilder,
    death_under_48h: BooleanBuilder,
    autopsy_performed: BooleanBuilder,
    medical_examiner_case: BooleanBuilder,
    body_available: BooleanBuilder,
    direct_maternal_death: BooleanBuilder,
    obstetric: BooleanBuilder,
    infections: Int32Builder,
    consultation: BooleanBuilder,
    charges_cents: Int64Builder,
    delivery: StringBuilder,
    delivery_day: Date32Builder,
    live_births: Int32Builder,
    stillbirths: Int32Builder,
}

impl CensusSegmentBuilder {
    /// A builder for stays of a facility in `tz`, handing out batches of `batch_rows` rows.
    pub fn new(tz: TimeZone, batch_rows: usize) -> CensusSegmentBuilder {
        CensusSegmentBuilder {
            tz,
            batch_rows: batch_rows.max(1),
            rows: 0,
            encounter_id: StringBuilder::new(),
            patient_id: StringBuilder::new(),
            facility: StringBuilder::new(),
            unit: StringBuilder::new(),
            newborn: BooleanBuilder::new(),
            sequence: Int32Builder::new(),
            is_first: BooleanBuilder::new(),
            is_last: BooleanBuilder::new(),
            start_day: Date32Builder::new(),
            end_day: Date32Builder::new(),
            admit_day: Date32Builder::new(),
            discharge_day: Date32Builder::new(),
            died: BooleanBuilder::new(),
            from_hospital: BooleanBuilder::new(),
            to_other_facility: BooleanBuilder::new(),
            death_under_48h: BooleanBuilder::new(),
            autopsy_performed: BooleanBuilder::new(),
            medical_examiner_case: BooleanBuilder::new(),
            body_available: BooleanBuilder::new(),
            direct_maternal_death: BooleanBuilder::new(),
            obstetric: BooleanBuilder::new(),
            infections: Int32Builder::new(),
            consultation: BooleanBuilder::new(),
            charges_cents: Int64Builder::new(),
            delivery: StringBuilder::new(),
            delivery_day: Date32Builder::new(),
            live_births: Int32Builder::new(),
            stillbirths: Int32Builder::new(),
        }
    }

    /// Adds a stay's segments ([`Stay::unit_segments`], none for a stay the census does not
    /// count); returns a batch when `batch_rows` rows are held.
    pub fn push(&mut self, stay: &Stay) -> Option<RecordBatch> {
        if !stay.in_census() {
            return None;
        }
        let adm = census_day(stay.admitted, &self.tz);
        let dis = stay.discharged.map(|d| census_day(d, &self.tz));
        let newborn = stay.population() == Population::Newborn;
        let died = stay.died();
        let from_hospital = stay.admit_source == medrec_stats::AdmitSource::TransferFromHospital;
        let to_other_facility = stay.disposition.is_transfer_out();
        let under_48h = stay.death_under_48h();
        let delivery = stay.delivery.map(|d| d.as_str());
        let delivery_day = stay.delivered.map(|d| census_day(d, &self.tz));
        for s in stay.unit_segments(&self.tz) {
            self.encounter_id.append_value(&stay.encounter_id);
            self.patient_id.append_value(&stay.patient_id);
            self.facility.append_value(&stay.facility);
            self.unit.append_value(s.unit);
            self.newborn.append_value(newborn);
            self.sequence
                .append_value(i32::try_from(s.sequence).unwrap_or(i32::MAX));
            self.is_first.append_value(s.is_first);
            self.is_last.append_value(s.is_last);
            self.start_day.append_value(s.arrival_day);
            self.end_day.append_option(s.departure_day);
            self.admit_day.append_value(adm);
            self.discharge_day.append_option(dis);
            self.died.append_value(died);
            self.from_hospital.append_value(from_hospital);
            self.to_other_facility.append_value(to_other_facility);
            self.death_under_48h.append_value(under_48h);
            self.autopsy_performed.append_value(stay.autopsy.performed);
            self.medical_examiner_case
                .append_value(stay.autopsy.medical_examiner_case);
            self.body_available
                .append_option(stay.autopsy.body_available);
            self.direct_maternal_death
                .append_value(stay.direct_maternal_death);
            self.obstetric.append_value(stay.obstetric);
            self.infections
                .append_value(i32::from(stay.hospital_acquired_infections));
            self.consultation.append_value(stay.consultation);
            self.charges_cents.append_option(stay.charges_cents);
            self.delivery.append_option(delivery);
            self.delivery_day.append_option(delivery_day);
            self.live_births.append_value(i32::from(stay.live_births));
            self.stillbirths.append_value(i32::from(stay.stillbirths));
            self.rows += 1;
        }
        if self.rows >= self.batch_rows {
            self.finish()
        } else {
            None
        }
    }

    /// The rows held, as a batch (`None` when empty).
    pub fn finish(&mut self) -> Option<RecordBatch> {
        if self.rows == 0 {
            return None;
        }
        self.rows = 0;
        let columns: Vec<ArrayRef> = vec![
            Arc::new(self.encounter_id.finish()),
            Arc::new(self.patient_id.finish()),
            Arc::new(self.facility.finish()),
            Arc::new(self.unit.finish()),
            Arc::new(self.newborn.finish()),
            Arc::new(self.sequence.finish()),
            Arc::new(self.is_first.finish()),
            Arc::new(self.is_last.finish()),
            Arc::new(self.start_day.finish()),
            Arc::new(self.end_day.finish()),
            Arc::new(self.admit_day.finish()),
            Arc::new(self.discharge_day.finish()),
            Arc::new(self.died.finish()),
            Arc::new(self.from_hospital.finish()),
            Arc::new(self.to_other_facility.finish()),
            Arc::new(self.death_under_48h.finish()),
            Arc::new(self.autopsy_performed.finish()),
            Arc::new(self.medical_examiner_case.finish()),
            Arc::new(self.body_available.finish()),
            Arc::new(self.direct_maternal_death.finish()),
            Arc::new(self.obstetric.finish()),
            Arc::new(self.infections.finish()),
            Arc::new(self.consultation.finish()),
            Arc::new(self.charges_cents.finish()),
            Arc::new(self.delivery.finish()),
            Arc::new(self.delivery_day.finish()),
            Arc::new(self.live_births.finish()),
            Arc::new(self.stillbirths.finish()),
        ];
        RecordBatch::try_new(census_segments_schema(), columns).ok()
    }
}

/// Builds one table's batches from stays.
///
/// One builder lives per partition or output file, so the size difference of the variants
/// (the census builder holds 28 column builders inline) does not matter.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)]
pub enum StayTableBuilder {
    /// `encounters`.
    Encounters(EncounterTableBuilder),
    /// `encounter_unit_stays`.
    EncounterUnitStays(UnitStayTableBuilder),
    /// `diagnoses`.
    Diagnoses(DiagnosisTableBuilder),
    /// `procedures`.
    Procedures(ProcedureTableBuilder),
    /// `census_segments`.
    CensusSegments(CensusSegmentBuilder),
}

impl StayTableBuilder {
    /// A builder of `table` for stays in `tz`, batches of `batch_rows` rows.
    pub fn new(table: StayTable, tz: &TimeZone, batch_rows: usize) -> StayTableBuilder {
        let options = TableOptions::new(tz.clone()).with_batch_rows(batch_rows);
        match table {
            StayTable::Encounters => Self::Encounters(EncounterTableBuilder::new(&options)),
            StayTable::EncounterUnitStays => {
                Self::EncounterUnitStays(UnitStayTableBuilder::new(&options))
            }
            StayTable::Diagnoses => Self::Diagnoses(DiagnosisTableBuilder::new(&options)),
            StayTable::Procedures => Self::Procedures(ProcedureTableBuilder::new(&options)),
            StayTable::CensusSegments => {
                Self::CensusSegments(CensusSegmentBuilder::new(tz.clone(), batch_rows))
            }
        }
    }

    /// Adds a stay, appending any completed batch to `out`.
    pub fn push(&mut self, stay: &Stay, out: &mut Vec<RecordBatch>) {
        match self {
            Self::Encounters(b) => out.extend(b.push(stay)),
            Self::EncounterUnitStays(b) => out.extend(b.push(stay)),
            Self::Diagnoses(b) => out.extend(b.push(stay)),
            Self::Procedures(b) => out.extend(b.push(stay)),
            Self::CensusSegments(b) => out.extend(b.push(stay)),
        }
    }

    /// Appends the last, partial batch to `out`.
    pub fn finish(&mut self, out: &mut Vec<RecordBatch>) {
        match self {
            Self::Encounters(b) => out.extend(b.finish()),
            Self::EncounterUnitStays(b) => out.extend(b.finish()),
            Self::Diagnoses(b) => out.extend(b.finish()),
            Self::Procedures(b) => out.extend(b.finish()),
            Self::CensusSegments(b) => out.extend(b.finish()),
        }
    }
}

/// The batches of one table for a slice of stays.
pub fn table_batches(table: StayTable, stays: &[Stay], tz: &TimeZone) -> Vec<RecordBatch> {
    let mut b = StayTableBuilder::new(table, tz, 8192);
    let mut out = Vec::new();
    for s in stays {
        b.push(s, &mut out);
    }
    b.finish(&mut out);
    out
}

/// A table read from FHIR: a stay table, `patients` or `claims`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FhirTableKind {
    /// A table of stays (built with `medrec-stats`' FHIR reader).
    Stay(StayTable),
    /// `patients` ([`crate::patients`]): one row per `Patient`.
    Patients,
    /// `claims` ([`crate::claims`]): one row per `Claim`.
    Claims,
}

impl From<StayTable> for FhirTableKind {
    fn from(t: StayTable) -> FhirTableKind {
        FhirTableKind::Stay(t)
    }
}

impl FhirTableKind {
    /// Every table [`register_fhir_tables`] registers.
    pub const ALL: [FhirTableKind; 7] = [
        FhirTableKind::Patients,
        FhirTableKind::Stay(StayTable::Encounters),
        FhirTableKind::Stay(StayTable::EncounterUnitStays),
        FhirTableKind::Stay(StayTable::Diagnoses),
        FhirTableKind::Stay(StayTable::Procedures),
        FhirTableKind::Stay(StayTable::CensusSegments),
        FhirTableKind::Claims,
    ];

    /// The table name.
    pub fn name(self) -> &'static str {
        match self {
            FhirTableKind::Stay(t) => t.name(),
            FhirTableKind::Patients => "patients",
            FhirTableKind::Claims => "claims",
        }
    }

    /// The schema, for sources read in `time_zone`.
    pub fn schema(self, time_zone: &TimeZone) -> SchemaRef {
        match self {
            FhirTableKind::Stay(t) => t.schema(time_zone),
            FhirTableKind::Patients => crate::patients::patients_schema(time_zone),
            FhirTableKind::Claims => crate::claims::claims_schema(time_zone),
        }
    }
}

/// A problem met while reading FHIR for a table (the rest of the input is still read).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{file}: {message}")]
pub struct FhirReadProblem {
    /// The file.
    pub file: PathBuf,
    /// What was wrong (a JSON error with its line, or an encounter that could not become a stay).
    pub message: String,
}

fn is_ndjson(path: &Path) -> bool {
    path.extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("ndjson") || e.eq_ignore_ascii_case("jsonl"))
}

/// Reads one FHIR source as a `medrec-model` record: an NDJSON file (`.ndjson` / `.jsonl`, one
/// resource per line, any number of patients), a directory of NDJSON files read together as one
/// record (a Bulk Data export, one file per resource type, so references between the files
/// resolve), or a Bundle / single resource (anything else; gzip is detected). Unreadable NDJSON
/// lines become problems and the rest is kept; a Bundle that does not parse is one problem and
/// no record. An I/O error (a missing file) is the error.
pub fn read_fhir_record(
    path: &Path,
) -> std::io::Result<(Option<PatientRecord>, Vec<FhirReadProblem>)> {
    let is_dir = path.is_dir();
    let bytes = if is_dir {
        // A Bulk Data export: every `.ndjson` file of the directory, as one record.
        let mut files: Vec<PathBuf> = std::fs::read_dir(path)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("ndjson"))
            })
            .collect();
        files.sort();
        let mut all = Vec::new();
        for f in files {
            all.extend(std::fs::read(f)?);
            if all.last().is_some_and(|&b| b != b'\n') {
                all.push(b'\n');
            }
        }
        all
    } else {
        std::fs::read(path)?
    };
    let problem = |message: String| FhirReadProblem {
        file: path.to_path_buf(),
        message,
    };
    if is_dir || is_ndjson(path) {
        let (record, errors) = record_from_ndjson(&bytes);
        let problems = errors.iter().map(|e| problem(e.to_string())).collect();
        Ok((Some(record), problems))
    } else {
        match record_from_json(&bytes) {
            Ok(r) => Ok((Some(r), Vec::new())),
            Err(e) => Ok((None, vec![problem(e.to_string())])),
        }
    }
}

/// Reads the stays of one FHIR source (see [`read_fhir_record`] for what a source is) with
/// `medrec-stats`' reader. Unreadable lines and encounters that are not stays become problems;
/// the rest is kept.
pub fn read_fhir_stays(
    path: &Path,
    options: &FhirReadOptions,
) -> std::io::Result<(Vec<Stay>, Vec<FhirReadProblem>)> {
    let (record, mut problems) = read_fhir_record(path)?;
    let mut stays = Vec::new();
    if let Some(record) = record {
        for s in stays_from_record(&record, options) {
            match s {
                Ok(s) => stays.push(s),
                Err(e) => problems.push(FhirReadProblem {
                    file: path.to_path_buf(),
                    message: e.to_string(),
                }),
            }
        }
    }
    Ok((stays, problems))
}

/// A table of FHIR sources (files or Bulk Data directories), read when the query runs.
///
/// The scan ([`crate::scan::FhirScanExec`]) spreads the sources over the session's target
/// partitions (round robin, at most one partition per source); each partition reads its sources
/// one after the other in a blocking task and hands batches of the session's batch size down a
/// bounded channel as they fill. So a partition holds one source's record and a few batches at a
/// time, not the table. Projection pushdown: `patients` and `claims` build only the projected
/// columns; the stay tables are built by `medrec-stats`' builders and projected batch by batch.
/// A `LIMIT` stops each partition's reading once it has handed on that many rows.
///
/// On a Ballista cluster the table and its scan travel with the plan
/// ([`crate::codec`], feature `ballista`): the scheduler splits the sources into partitions and
/// each executor reads its partitions' files, so the paths must be the same on every node.
#[derive(Debug)]
pub struct FhirTable {
    table: FhirTableKind,
    files: Vec<PathBuf>,
    options: FhirReadOptions,
    schema: SchemaRef,
    problems: Arc<Mutex<Vec<FhirReadProblem>>>,
}

impl FhirTable {
    /// The `table` of `files`, read with `options` (its time zone is the facility's).
    pub fn new(
        table: impl Into<FhirTableKind>,
        files: Vec<PathBuf>,
        options: FhirReadOptions,
    ) -> FhirTable {
        let table = table.into();
        let schema = table.schema(&options.time_zone);
        FhirTable {
            table,
            files,
            options,
            schema,
            problems: Arc::default(),
        }
    }

    /// Which table this is.
    pub fn kind(&self) -> FhirTableKind {
        self.table
    }

    /// The sources, in the order they are dealt to partitions.
    pub fn files(&self) -> &[PathBuf] {
        &self.files
    }

    /// How the sources are read.
    pub fn options(&self) -> &FhirReadOptions {
        &self.options
    }

    /// Problems met by the scans so far (bad lines, encounters that are not stays). Only
    /// this process's scans: on a Ballista cluster the executors read the files and keep
    /// their problems (check the files with a local scan first).
    pub fn problems(&self) -> Vec<FhirReadProblem> {
        self.problems.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

#[async_trait::async_trait]
impl TableProvider for FhirTable {
    fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    fn table_type(&self) -> TableType {
        TableType::Base
    }

    async fn scan(
        &self,
        state: &dyn Session,
        projection: Option<&Vec<usize>>,
        _filters: &[Expr],
        limit: Option<usize>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let groups = state
            .config()
            .target_partitions()
            .clamp(1, self.files.len().max(1));
        let file_groups: Vec<Vec<PathBuf>> = (0..groups)
            .map(|g| self.files.iter().skip(g).step_by(groups).cloned().collect())
            .collect();
        Ok(Arc::new(FhirScanExec::try_new(
            self.table,
            file_groups,
            self.options.clone(),
            projection.cloned(),
            limit,
            Arc::clone(&self.problems),
        )?))
    }
}

/// Registers every table of [`FhirTableKind::ALL`] over the same FHIR sources.
pub fn register_fhir_tables(
    ctx: &SessionContext,
    files: &[PathBuf],
    options: &FhirReadOptions,
) -> Result<()> {
    for t in FhirTableKind::ALL {
        ctx.register_table(
            t.name(),
            Arc::new(FhirTable::new(t, files.to_vec(), options.clone())),
        )?;
    }
    Ok(())
}
