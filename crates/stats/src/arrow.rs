//! Apache Arrow record batches of the stays: the data-frame interchange tables (feature `arrow`).
//!
//! Four tables, built streaming from the same [`Stay`]s the aggregator reads (from FHIR with
//! [`crate::fhir::stays_from_record`], or from any ADT feed): every builder takes stays one at a
//! time and hands back a [`RecordBatch`] each time it holds `batch_rows` rows, so memory is
//! bounded by the batch size, not by the number of stays. Concatenating the batches of a run
//! gives exactly the one-shot table (a proptest checks it).
//!
//! ```
//! use medrec_stats::arrow::{StayTables, Table, TableOptions};
//! use medrec_stats::{EncounterClass, Stay};
//! use jiff::tz::TimeZone;
//!
//! let options = TableOptions::new(TimeZone::get("America/New_York")?).with_batch_rows(1024);
//! let mut tables = StayTables::new(&options);
//! let stay = Stay::new("p1", "e1", EncounterClass::Inpatient,
//!     "2024-03-04T10:00:00Z".parse()?, Some("2024-03-07T09:00:00Z".parse()?));
//! let mut batches = tables.push(&stay);      // empty until 1,024 rows are held
//! batches.extend(tables.finish());           // the partial batches
//! let encounters: Vec<_> = batches.iter().filter(|b| b.table == Table::Encounters).collect();
//! assert_eq!(encounters.len(), 1);
//! assert_eq!(encounters[0].batch.num_rows(), 1);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! # Conventions (all tables)
//! - Instants are `Timestamp(Microsecond, "UTC")`; each timestamp field carries the facility's
//!   IANA time zone in its metadata under [`TIME_ZONE_METADATA_KEY`] (the zone census days are
//!   taken in), and the schema carries it too, with the table name ([`TABLE_METADATA_KEY`]) and
//!   the schema version ([`SCHEMA_VERSION_KEY`], currently [`SCHEMA_VERSION`]).
//! - Census days are `Date32`: the calendar day of the instant in the facility's time zone (the
//!   day the aggregator counts the event on).
//! - Codes and names are plain `Utf8` (no dictionaries, so batches with different value sets
//!   concatenate and write to one Arrow IPC file). Enumerations use the snake_case names of the
//!   Rust enums ([`EncounterClass::as_str`](crate::EncounterClass::as_str),
//!   [`AdmitSource::as_str`], [`Disposition::as_str`](crate::Disposition::as_str),
//!   [`Delivery::as_str`](crate::Delivery::as_str)).
//! - Counts are `Int32`, money is `Int64` cents (exact; no floating point).
//! - Rows keep the input order; child rows (unit stays, diagnoses, procedures) follow their
//!   stay's order and carry `encounter_id` and a 1-based `sequence`.
//!
//! # `encounters` — one row per stay (any class; filter `encounter_class = 'inpatient'` for the census)
//! | column | type | null | meaning |
//! |---|---|---|---|
//! | `encounter_id` | Utf8 | no | [`Stay::encounter_id`] |
//! | `patient_id` | Utf8 | no | [`Stay::patient_id`] |
//! | `facility` | Utf8 | yes | [`Stay::facility`] (null when empty) |
//! | `encounter_class` | Utf8 | no | `inpatient`, `observation`, `emergency`, `outpatient` |
//! | `admitted` | Timestamp(µs, UTC) | no | admission instant |
//! | `discharged` | Timestamp(µs, UTC) | yes | discharge instant; null = still in house |
//! | `admit_day` | Date32 | no | census day of the admission (facility zone) |
//! | `discharge_day` | Date32 | yes | census day of the discharge |
//! | `admit_source` | Utf8 | no | `born`, `transfer_from_hospital`, `other` |
//! | `discharge_disposition` | Utf8 | yes | `died`, `transfer_to_hospital`, `transfer_to_other_facility`, `against_advice`, `other`; null when not discharged |
//! | `deceased` | Boolean | no | the stay ended in death (disposition `exp`) |
//! | `death_time` | Timestamp(µs, UTC) | yes | [`Stay::death_instant`] |
//! | `death_under_48h` | Boolean | no | [`Stay::death_under_48h`] (excluded from the net death rate) |
//! | `newborn` | Boolean | no | newborn census population (admit source `born`) |
//! | `length_of_stay_days` | Int32 | yes | discharge day − admission day, a same-day stay = 1 (AHIMA); null when not discharged or discharged before admitted |
//! | `discharge_unit` | Utf8 | no | the unit credited with the discharge (the aggregator's last unit segment; `(no unit)` without unit history) |
//! | `attending` | Utf8 | yes | attending physician |
//! | `payer` | Utf8 | yes | payer |
//! | `service` | Utf8 | yes | clinical service |
//! | `diagnosis_group` | Utf8 | yes | CCSR category of the principal diagnosis |
//! | `principal_diagnosis` | Utf8 | yes | ICD-10-CM code of the principal diagnosis, as found |
//! | `charges_cents` | Int64 | yes | total charges in cents |
//! | `delivery` | Utf8 | yes | `vaginal`, `cesarean` |
//! | `live_births` | Int32 | no | live births (mother's `Z37`) |
//! | `stillbirths` | Int32 | no | fetal deaths (mother's `Z37`) |
//! | `obstetric` | Boolean | no | an obstetric stay |
//! | `direct_maternal_death` | Boolean | no | death from a direct obstetric cause |
//! | `hospital_acquired_infections` | Int32 | no | hospital-acquired infections |
//! | `consultation` | Boolean | no | at least one consultation |
//! | `autopsy_performed` | Boolean | no | autopsy performed |
//! | `medical_examiner_case` | Boolean | no | medical examiner's case |
//! | `readmitted_within_30_days` | Boolean | yes | [`Stay::readmitted_within_30_days`] as given (null = unknown; the FHIR reader leaves it null, the aggregator links readmissions itself) |
//! | `is_readmission` | Boolean | no | [`Stay::is_readmission`] as given |
//!
//! # `encounter_unit_stays` — one row per entry of a stay's unit history ([`Stay::units`], as recorded)
//! | column | type | null | meaning |
//! |---|---|---|---|
//! | `encounter_id` | Utf8 | no | the stay |
//! | `sequence` | Int32 | no | 1-based position in the unit history |
//! | `unit` | Utf8 | no | unit (ward) |
//! | `arrived` | Timestamp(µs, UTC) | no | arrival on the unit ([`UnitStay::from`](crate::UnitStay::from)) |
//! | `departed` | Timestamp(µs, UTC) | yes | departure ([`UnitStay::to`](crate::UnitStay::to)); null = until the next entry or the stay's end |
//! | `arrival_day` | Date32 | no | census day of the arrival |
//!
//! # `diagnoses` — one row per ICD-10-CM diagnosis of a stay
//! | column | type | null | meaning |
//! |---|---|---|---|
//! | `encounter_id` | Utf8 | no | the stay |
//! | `sequence` | Int32 | no | 1-based position in [`Stay::diagnoses`] (the principal diagnosis first) |
//! | `code` | Utf8 | no | the code as found (dotted or undotted) |
//! | `diagnosis_type` | Utf8 | no | `principal`, `admitting` (an admitting diagnosis that is not the principal one) or `secondary` |
//! | `present_on_admission` | Utf8 | yes | POA indicator (`y`, `n`, `u`, `w`) as recorded |
//!
//! # `procedures` — one row per procedure of a stay
//! | column | type | null | meaning |
//! |---|---|---|---|
//! | `encounter_id` | Utf8 | no | the stay |
//! | `sequence` | Int32 | no | 1-based position in [`Stay::procedures`] |
//! | `code` | Utf8 | no | the code as found (ICD-10-PCS) |
//! | `performed` | Timestamp(µs, UTC) | yes | when performed |
//! | `performed_day` | Date32 | yes | census day of `performed` |
//! | `performer` | Utf8 | yes | who performed it |

use crate::aggregate::UNASSIGNED_UNIT;
use crate::stay::{AdmitSource, Stay};
use arrow_array::builder::{
    BooleanBuilder, Date32Builder, Int32Builder, Int64Builder, StringBuilder,
    TimestampMicrosecondBuilder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema, SchemaRef, TimeUnit};
use jiff::Timestamp;
use jiff::tz::TimeZone;
use std::collections::HashMap;
use std::sync::Arc;

mod read;
pub use read::{ArrowReadError, ArrowReadErrorKind, StayBatches, stay_batches};

#[cfg(feature = "arrow-ipc")]
mod ipc;
#[cfg(feature = "arrow-ipc")]
pub use ipc::{IpcExportError, IpcExportErrorKind, IpcFileWriter};

/// Field and schema metadata key holding the facility's IANA time zone.
pub const TIME_ZONE_METADATA_KEY: &str = "medrec.time_zone";
/// Schema metadata key holding the table name.
pub const TABLE_METADATA_KEY: &str = "medrec.table";
/// Schema metadata key holding the schema version.
pub const SCHEMA_VERSION_KEY: &str = "medrec.schema_version";
/// The version of the schemas documented here (bumped on any incompatible change).
pub const SCHEMA_VERSION: &str = "1";
/// Rows per batch unless told otherwise.
pub const DEFAULT_BATCH_ROWS: usize = 8192;

/// The exported tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Table {
    /// `encounters`: one row per stay.
    Encounters,
    /// `encounter_unit_stays`: one row per unit-history entry.
    EncounterUnitStays,
    /// `diagnoses`: one row per diagnosis.
    Diagnoses,
    /// `procedures`: one row per procedure.
    Procedures,
}

impl Table {
    /// Every table, in export order.
    pub const ALL: [Table; 4] = [
        Table::Encounters,
        Table::EncounterUnitStays,
        Table::Diagnoses,
        Table::Procedures,
    ];

    /// The table's name (also its file stem in `medrec stats --arrow-out`).
    pub fn name(self) -> &'static str {
        match self {
            Table::Encounters => "encounters",
            Table::EncounterUnitStays => "encounter_unit_stays",
            Table::Diagnoses => "diagnoses",
            Table::Procedures => "procedures",
        }
    }

    /// The table's Arrow schema for a facility time zone (see the module docs).
    pub fn schema(self, time_zone: &TimeZone) -> SchemaRef {
        let tz_name = zone_name(time_zone);
        let ts = |name: &str, nullable: bool| {
            Field::new(
                name,
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                nullable,
            )
            .with_metadata(HashMap::from([(
                TIME_ZONE_METADATA_KEY.to_string(),
                tz_name.clone(),
            )]))
        };
        let day = |name: &str, nullable: bool| {
            Field::new(name, DataType::Date32, nullable).with_metadata(HashMap::from([(
                TIME_ZONE_METADATA_KEY.to_string(),
                tz_name.clone(),
            )]))
        };
        let utf8 = |name: &str, nullable: bool| Field::new(name, DataType::Utf8, nullable);
        let int32 = |name: &str| Field::new(name, DataType::Int32, false);
        let boolean = |name: &str, nullable: bool| Field::new(name, DataType::Boolean, nullable);
        let fields = match self {
            Table::Encounters => vec![
                utf8("encounter_id", false),
                utf8("patient_id", false),
                utf8("facility", true),
                utf8("encounter_class", false),
                ts("admitted", false),
                ts("discharged", true),
                day("admit_day", false),
                day("discharge_day", true),
                utf8("admit_source", false),
                utf8("discharge_disposition", true),
                boolean("deceased", false),
                ts("death_time", true),
                boolean("death_under_48h", false),
                boolean("newborn", false),
                Field::new("length_of_stay_days", DataType::Int32, true),
                utf8("discharge_unit", false),
                utf8("attending", true),
                utf8("payer", true),
                utf8("service", true),
                utf8("diagnosis_group", true),
                utf8("principal_diagnosis", true),
                Field::new("charges_cents", DataType::Int64, true),
                utf8("delivery", true),
                int32("live_births"),
                int32("stillbirths"),
                boolean("obstetric", false),
                boolean("direct_maternal_death", false),
                int32("hospital_acquired_infections"),
                boolean("consultation", false),
                boolean("autopsy_performed", false),
                boolean("medical_examiner_case", false),
                boolean("readmitted_within_30_days", true),
                boolean("is_readmission", false),
            ],
            Table::EncounterUnitStays => vec![
                utf8("encounter_id", false),
                int32("sequence"),
                utf8("unit", false),
                ts("arrived", false),
                ts("departed", true),
                day("arrival_day", false),
            ],
            Table::Diagnoses => vec![
                utf8("encounter_id", false),
                int32("sequence"),
                utf8("code", false),
                utf8("diagnosis_type", false),
                utf8("present_on_admission", true),
            ],
            Table::Procedures => vec![
                utf8("encounter_id", false),
                int32("sequence"),
                utf8("code", false),
                ts("performed", true),
                day("performed_day", true),
                utf8("performer", true),
            ],
        };
        Arc::new(Schema::new(fields).with_metadata(HashMap::from([
            (TABLE_METADATA_KEY.to_string(), self.name().to_string()),
            (SCHEMA_VERSION_KEY.to_string(), SCHEMA_VERSION.to_string()),
            (TIME_ZONE_METADATA_KEY.to_string(), tz_name.clone()),
        ])))
    }
}

fn zone_name(tz: &TimeZone) -> String {
    tz.iana_name().unwrap_or("UTC").to_string()
}

/// How tables are built.
#[derive(Debug, Clone)]
pub struct TableOptions {
    /// The most rows a batch holds (at least 1).
    pub batch_rows: usize,
    /// The facility's time zone: census days (`Date32` columns, LOS) are its calendar days.
    pub time_zone: TimeZone,
}

impl TableOptions {
    /// Options for a facility time zone, with [`DEFAULT_BATCH_ROWS`] rows per batch.
    pub fn new(time_zone: TimeZone) -> TableOptions {
        TableOptions {
            batch_rows: DEFAULT_BATCH_ROWS,
            time_zone,
        }
    }

    /// Sets the rows per batch (0 is read as 1).
    pub fn with_batch_rows(mut self, rows: usize) -> TableOptions {
        self.batch_rows = rows.max(1);
        self
    }
}

/// The census day (days since 1970-01-01 in the facility zone) of an instant.
fn census_day(tz: &TimeZone, t: Timestamp) -> i32 {
    crate::clock::census_day(t, tz)
}

fn micros(t: Timestamp) -> i64 {
    t.as_microsecond()
}

/// The column builders of one table.
trait Columns {
    const TABLE: Table;
    fn with_capacity(rows: usize) -> Self;
    /// Finishes the columns (the builders are reset).
    fn finish(&mut self) -> Vec<ArrayRef>;
}

fn ts_builder(rows: usize) -> TimestampMicrosecondBuilder {
    TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC")
}

/// Rows held, and batches cut every `limit` rows.
#[derive(Debug)]
struct Batcher<C> {
    cols: C,
    rows: usize,
    limit: usize,
    schema: SchemaRef,
    time_zone: TimeZone,
}

impl<C: Columns> Batcher<C> {
    fn new(options: &TableOptions) -> Batcher<C> {
        let limit = options.batch_rows.max(1);
        Batcher {
            cols: C::with_capacity(limit.min(DEFAULT_BATCH_ROWS)),
            rows: 0,
            limit,
            schema: C::TABLE.schema(&options.time_zone),
            time_zone: options.time_zone.clone(),
        }
    }

    /// Counts a row just appended; cuts a batch when the bound is reached.
    #[inline]
    fn row_added(&mut self, out: &mut Vec<RecordBatch>) {
        self.rows += 1;
        if self.rows >= self.limit {
            out.push(self.cut());
        }
    }

    fn cut(&mut self) -> RecordBatch {
        self.rows = 0;
        let columns = self.cols.finish();
        // The builders are typed after the schema (a test checks every table), so this cannot fail.
        RecordBatch::try_new(self.schema.clone(), columns)
            .expect("column builders match the table schema")
    }

    fn finish(&mut self) -> Option<RecordBatch> {
        (self.rows > 0).then(|| self.cut())
    }
}

macro_rules! table_builder {
    ($(#[$m:meta])* $name:ident, $cols:ident) => {
        $(#[$m])*
        #[derive(Debug)]
        pub struct $name {
            inner: Batcher<$cols>,
        }

        impl $name {
            /// An empty builder.
            pub fn new(options: &TableOptions) -> $name {
                $name { inner: Batcher::new(options) }
            }

            /// The table's schema.
            pub fn schema(&self) -> SchemaRef {
                self.inner.schema.clone()
            }

            /// Rows held, not yet handed out in a batch.
            pub fn pending_rows(&self) -> usize {
                self.inner.rows
            }

            /// Adds a stay's rows; returns the batches completed (each of exactly
            /// `batch_rows` rows; usually none).
            pub fn push(&mut self, stay: &Stay) -> Vec<RecordBatch> {
                let mut out = Vec::new();
                self.push_into(stay, &mut out);
                out
            }

            /// The rows held as a last, partial batch (`None` when there are none). The builder
            /// can be used again afterwards.
            pub fn finish(&mut self) -> Option<RecordBatch> {
                self.inner.finish()
            }
        }
    };
}

// ---------------------------------------------------------------- encounters

#[derive(Debug)]
struct EncounterColumns {
    encounter_id: StringBuilder,
    patient_id: StringBuilder,
    facility: StringBuilder,
    encounter_class: StringBuilder,
    admitted: TimestampMicrosecondBuilder,
    discharged: TimestampMicrosecondBuilder,
    admit_day: Date32Builder,
    discharge_day: Date32Builder,
    admit_source: StringBuilder,
    discharge_disposition: StringBuilder,
    deceased: BooleanBuilder,
    death_time: TimestampMicrosecondBuilder,
    death_under_48h: BooleanBuilder,
    newborn: BooleanBuilder,
    length_of_stay_days: Int32Builder,
    discharge_unit: StringBuilder,
    attending: StringBuilder,
    payer: StringBuilder,
    service: StringBuilder,
    diagnosis_group: StringBuilder,
    principal_diagnosis: StringBuilder,
    charges_cents: Int64Builder,
    delivery: StringBuilder,
    live_births: Int32Builder,
    stillbirths: Int32Builder,
    obstetric: BooleanBuilder,
    direct_maternal_death: BooleanBuilder,
    hospital_acquired_infections: Int32Builder,
    consultation: BooleanBuilder,
    autopsy_performed: BooleanBuilder,
    medical_examiner_case: BooleanBuilder,
    readmitted_within_30_days: BooleanBuilder,
    is_readmission: BooleanBuilder,
}

impl Columns for EncounterColumns {
    const TABLE: Table = Table::Encounters;

    fn with_capacity(n: usize) -> Self {
        let s = || StringBuilder::with_capacity(n, n * 8);
        EncounterColumns {
            encounter_id: s(),
            patient_id: s(),
            facility: s(),
            encounter_class: s(),
            admitted: ts_builder(n),
            discharged: ts_builder(n),
            admit_day: Date32Builder::with_capacity(n),
            discharge_day: Date32Builder::with_capacity(n),
            admit_source: s(),
            discharge_disposition: s(),
            deceased: BooleanBuilder::with_capacity(n),
            death_time: ts_builder(n),
            death_under_48h: BooleanBuilder::with_capacity(n),
            newborn: BooleanBuilder::with_capacity(n),
            length_of_stay_days: Int32Builder::with_capacity(n),
            discharge_unit: s(),
            attending: s(),
            payer: s(),
            service: s(),
            diagnosis_group: s(),
            principal_diagnosis: s(),
            charges_cents: Int64Builder::with_capacity(n),
            delivery: s(),
            live_births: Int32Builder::with_capacity(n),
            stillbirths: Int32Builder::with_capacity(n),
            obstetric: BooleanBuilder::with_capacity(n),
            direct_maternal_death: BooleanBuilder::with_capacity(n),
            hospital_acquired_infections: Int32Builder::with_capacity(n),
            consultation: BooleanBuilder::with_capacity(n),
            autopsy_performed: BooleanBuilder::with_capacity(n),
            medical_examiner_case: BooleanBuilder::with_capacity(n),
            readmitted_within_30_days: BooleanBuilder::with_capacity(n),
            is_readmission: BooleanBuilder::with_capacity(n),
        }
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        let c = self;
        vec![
            Arc::new(c.encounter_id.finish()),
            Arc::new(c.patient_id.finish()),
            Arc::new(c.facility.finish()),
            Arc::new(c.encounter_class.finish()),
            Arc::new(c.admitted.finish()),
            Arc::new(c.discharged.finish()),
            Arc::new(c.admit_day.finish()),
            Arc::new(c.discharge_day.finish()),
            Arc::new(c.admit_source.finish()),
            Arc::new(c.discharge_disposition.finish()),
            Arc::new(c.deceased.finish()),
            Arc::new(c.death_time.finish()),
            Arc::new(c.death_under_48h.finish()),
            Arc::new(c.newborn.finish()),
            Arc::new(c.length_of_stay_days.finish()),
            Arc::new(c.discharge_unit.finish()),
            Arc::new(c.attending.finish()),
            Arc::new(c.payer.finish()),
            Arc::new(c.service.finish()),
            Arc::new(c.diagnosis_group.finish()),
            Arc::new(c.principal_diagnosis.finish()),
            Arc::new(c.charges_cents.finish()),
            Arc::new(c.delivery.finish()),
            Arc::new(c.live_births.finish()),
            Arc::new(c.stillbirths.finish()),
            Arc::new(c.obstetric.finish()),
            Arc::new(c.direct_maternal_death.finish()),
            Arc::new(c.hospital_acquired_infections.finish()),
            Arc::new(c.consultation.finish()),
            Arc::new(c.autopsy_performed.finish()),
            Arc::new(c.medical_examiner_case.finish()),
            Arc::new(c.readmitted_within_30_days.finish()),
            Arc::new(c.is_readmission.finish()),
        ]
    }
}

/// The unit credited with a stay's discharge: the last unit-history entry not after the
/// discharge, in recorded order — exactly the aggregator's last segment.
pub fn discharge_unit(stay: &Stay) -> &str {
    stay.units
        .iter()
        .rev()
        .find(|u| stay.discharged.is_none_or(|d| u.from <= d))
        .map_or(UNASSIGNED_UNIT, |u| u.unit.as_str())
}

/// The length of stay in census days of the facility zone (a same-day stay = 1, AHIMA), or
/// `None` when not discharged or discharged before admitted.
pub fn length_of_stay_days(stay: &Stay, time_zone: &TimeZone) -> Option<i32> {
    let d = stay.discharged?;
    if d < stay.admitted {
        return None;
    }
    Some((census_day(time_zone, d) - census_day(time_zone, stay.admitted)).max(1))
}

fn count(n: u16) -> i32 {
    i32::from(n)
}

impl EncounterTableBuilder {
    fn push_into(&mut self, stay: &Stay, out: &mut Vec<RecordBatch>) {
        let tz = &self.inner.time_zone;
        let c = &mut self.inner.cols;
        c.encounter_id.append_value(&stay.encounter_id);
        c.patient_id.append_value(&stay.patient_id);
        c.facility
            .append_option((!stay.facility.is_empty()).then_some(stay.facility.as_str()));
        c.encounter_class.append_value(stay.class.as_str());
        c.admitted.append_value(micros(stay.admitted));
        c.discharged.append_option(stay.discharged.map(micros));
        c.admit_day.append_value(census_day(tz, stay.admitted));
        c.discharge_day
            .append_option(stay.discharged.map(|d| census_day(tz, d)));
        c.admit_source.append_value(stay.admit_source.as_str());
        c.discharge_disposition
            .append_option(stay.discharged.map(|_| stay.disposition.as_str()));
        c.deceased.append_value(stay.died());
        c.death_time.append_option(stay.death_instant().map(micros));
        c.death_under_48h.append_value(stay.death_under_48h());
        c.newborn
            .append_value(stay.admit_source == AdmitSource::Born);
        c.length_of_stay_days
            .append_option(length_of_stay_days(stay, tz));
        c.discharge_unit.append_value(discharge_unit(stay));
        c.attending.append_option(stay.attending.as_deref());
        c.payer.append_option(stay.payer.as_deref());
        c.service.append_option(stay.service.as_deref());
        c.diagnosis_group
            .append_option(stay.diagnosis_group.as_deref());
        c.principal_diagnosis.append_option(
            stay.diagnoses
                .iter()
                .find(|d| d.principal)
                .map(|d| d.code.as_str()),
        );
        c.charges_cents.append_option(stay.charges_cents);
        c.delivery.append_option(stay.delivery.map(|d| d.as_str()));
        c.live_births.append_value(count(stay.live_births));
        c.stillbirths.append_value(count(stay.stillbirths));
        c.obstetric.append_value(stay.obstetric);
        c.direct_maternal_death
            .append_value(stay.direct_maternal_death);
        c.hospital_acquired_infections
            .append_value(count(stay.hospital_acquired_infections));
        c.consultation.append_value(stay.consultation);
        c.autopsy_performed.append_value(stay.autopsy.performed);
        c.medical_examiner_case
            .append_value(stay.autopsy.medical_examiner_case);
        c.readmitted_within_30_days
            .append_option(stay.readmitted_within_30_days);
        c.is_readmission.append_value(stay.is_readmission);
        self.inner.row_added(out);
    }
}

table_builder!(
    /// Builds the `encounters` table (one row per stay; see the module docs for the schema).
    EncounterTableBuilder,
    EncounterColumns
);

// ---------------------------------------------------------------- unit stays

#[derive(Debug)]
struct UnitStayColumns {
    encounter_id: StringBuilder,
    sequence: Int32Builder,
    unit: StringBuilder,
    from: TimestampMicrosecondBuilder,
    to: TimestampMicrosecondBuilder,
    from_day: Date32Builder,
}

impl Columns for UnitStayColumns {
    const TABLE: Table = Table::EncounterUnitStays;

    fn with_capacity(n: usize) -> Self {
        UnitStayColumns {
            encounter_id: StringBuilder::with_capacity(n, n * 8),
            sequence: Int32Builder::with_capacity(n),
            unit: StringBuilder::with_capacity(n, n * 8),
            from: ts_builder(n),
            to: ts_builder(n),
            from_day: Date32Builder::with_capacity(n),
        }
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.encounter_id.finish()),
            Arc::new(self.sequence.finish()),
            Arc::new(self.unit.finish()),
            Arc::new(self.from.finish()),
            Arc::new(self.to.finish()),
            Arc::new(self.from_day.finish()),
        ]
    }
}

fn sequence(i: usize) -> i32 {
    i32::try_from(i + 1).unwrap_or(i32::MAX)
}

impl UnitStayTableBuilder {
    fn push_into(&mut self, stay: &Stay, out: &mut Vec<RecordBatch>) {
        for (i, u) in stay.units.iter().enumerate() {
            let day = census_day(&self.inner.time_zone, u.from);
            let c = &mut self.inner.cols;
            c.encounter_id.append_value(&stay.encounter_id);
            c.sequence.append_value(sequence(i));
            c.unit.append_value(&u.unit);
            c.from.append_value(micros(u.from));
            c.to.append_option(u.to.map(micros));
            c.from_day.append_value(day);
            self.inner.row_added(out);
        }
    }
}

table_builder!(
    /// Builds the `encounter_unit_stays` table (one row per unit-history entry).
    UnitStayTableBuilder,
    UnitStayColumns
);

// ---------------------------------------------------------------- diagnoses

#[derive(Debug)]
struct DiagnosisColumns {
    encounter_id: StringBuilder,
    sequence: Int32Builder,
    code: StringBuilder,
    diagnosis_type: StringBuilder,
    present_on_admission: StringBuilder,
}

impl Columns for DiagnosisColumns {
    const TABLE: Table = Table::Diagnoses;

    fn with_capacity(n: usize) -> Self {
        DiagnosisColumns {
            encounter_id: StringBuilder::with_capacity(n, n * 8),
            sequence: Int32Builder::with_capacity(n),
            code: StringBuilder::with_capacity(n, n * 6),
            diagnosis_type: StringBuilder::with_capacity(n, n * 9),
            present_on_admission: StringBuilder::with_capacity(n, n),
        }
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.encounter_id.finish()),
            Arc::new(self.sequence.finish()),
            Arc::new(self.code.finish()),
            Arc::new(self.diagnosis_type.finish()),
            Arc::new(self.present_on_admission.finish()),
        ]
    }
}

impl DiagnosisTableBuilder {
    fn push_into(&mut self, stay: &Stay, out: &mut Vec<RecordBatch>) {
        for (i, d) in stay.diagnoses.iter().enumerate() {
            let c = &mut self.inner.cols;
            c.encounter_id.append_value(&stay.encounter_id);
            c.sequence.append_value(sequence(i));
            c.code.append_value(&d.code);
            c.diagnosis_type.append_value(if d.principal {
                "principal"
            } else if d.admitting {
                "admitting"
            } else {
                "secondary"
            });
            let mut buf = [0u8; 4];
            c.present_on_admission
                .append_option(d.present_on_admission.map(|p| &*p.encode_utf8(&mut buf)));
            self.inner.row_added(out);
        }
    }
}

table_builder!(
    /// Builds the `diagnoses` table (one row per diagnosis of a stay).
    DiagnosisTableBuilder,
    DiagnosisColumns
);

// ---------------------------------------------------------------- procedures

#[derive(Debug)]
struct ProcedureColumns {
    encounter_id: StringBuilder,
    sequence: Int32Builder,
    code: StringBuilder,
    performed: TimestampMicrosecondBuilder,
    performed_day: Date32Builder,
    performer: StringBuilder,
}

impl Columns for ProcedureColumns {
    const TABLE: Table = Table::Procedures;

    fn with_capacity(n: usize) -> Self {
        ProcedureColumns {
            encounter_id: StringBuilder::with_capacity(n, n * 8),
            sequence: Int32Builder::with_capacity(n),
            code: StringBuilder::with_capacity(n, n * 7),
            performed: ts_builder(n),
            performed_day: Date32Builder::with_capacity(n),
            performer: StringBuilder::with_capacity(n, n * 8),
        }
    }

    fn finish(&mut self) -> Vec<ArrayRef> {
        vec![
            Arc::new(self.encounter_id.finish()),
            Arc::new(self.sequence.finish()),
            Arc::new(self.code.finish()),
            Arc::new(self.performed.finish()),
            Arc::new(self.performed_day.finish()),
            Arc::new(self.performer.finish()),
        ]
    }
}

impl ProcedureTableBuilder {
    fn push_into(&mut self, stay: &Stay, out: &mut Vec<RecordBatch>) {
        for (i, p) in stay.procedures.iter().enumerate() {
            let day = p.performed.map(|t| census_day(&self.inner.time_zone, t));
            let c = &mut self.inner.cols;
            c.encounter_id.append_value(&stay.encounter_id);
            c.sequence.append_value(sequence(i));
            c.code.append_value(&p.code);
            c.performed.append_option(p.performed.map(micros));
            c.performed_day.append_option(day);
            c.performer.append_option(p.performer.as_deref());
            self.inner.row_added(out);
        }
    }
}

table_builder!(
    /// Builds the `procedures` table (one row per procedure of a stay).
    ProcedureTableBuilder,
    ProcedureColumns
);

// ---------------------------------------------------------------- all four

/// A batch of one of the tables.
#[derive(Debug, Clone, PartialEq)]
pub struct TableBatch {
    /// Which table.
    pub table: Table,
    /// The rows.
    pub batch: RecordBatch,
}

/// Builds all four tables from the same stays.
#[derive(Debug)]
pub struct StayTables {
    encounters: EncounterTableBuilder,
    unit_stays: UnitStayTableBuilder,
    diagnoses: DiagnosisTableBuilder,
    procedures: ProcedureTableBuilder,
    scratch: Vec<RecordBatch>,
}

impl StayTables {
    /// Empty builders.
    pub fn new(options: &TableOptions) -> StayTables {
        StayTables {
            encounters: EncounterTableBuilder::new(options),
            unit_stays: UnitStayTableBuilder::new(options),
            diagnoses: DiagnosisTableBuilder::new(options),
            procedures: ProcedureTableBuilder::new(options),
            scratch: Vec::new(),
        }
    }

    /// The schema of a table.
    pub fn schema(&self, table: Table) -> SchemaRef {
        match table {
            Table::Encounters => self.encounters.schema(),
            Table::EncounterUnitStays => self.unit_stays.schema(),
            Table::Diagnoses => self.diagnoses.schema(),
            Table::Procedures => self.procedures.schema(),
        }
    }

    /// Adds a stay's rows to every table; returns the batches completed (usually none).
    pub fn push(&mut self, stay: &Stay) -> Vec<TableBatch> {
        let mut out = Vec::new();
        self.push_into(stay, &mut out);
        out
    }

    /// Like [`StayTables::push`], appending the completed batches to `out`.
    pub fn push_into(&mut self, stay: &Stay, out: &mut Vec<TableBatch>) {
        let mut scratch = std::mem::take(&mut self.scratch);
        self.encounters.push_into(stay, &mut scratch);
        out.extend(scratch.drain(..).map(|batch| TableBatch {
            table: Table::Encounters,
            batch,
        }));
        self.unit_stays.push_into(stay, &mut scratch);
        out.extend(scratch.drain(..).map(|batch| TableBatch {
            table: Table::EncounterUnitStays,
            batch,
        }));
        self.diagnoses.push_into(stay, &mut scratch);
        out.extend(scratch.drain(..).map(|batch| TableBatch {
            table: Table::Diagnoses,
            batch,
        }));
        self.procedures.push_into(stay, &mut scratch);
        out.extend(scratch.drain(..).map(|batch| TableBatch {
            table: Table::Procedures,
            batch,
        }));
        self.scratch = scratch;
    }

    /// The rows held as last, partial batches, one per table that holds rows, in
    /// [`Table::ALL`] order. The builders can be used again afterwards.
    pub fn finish(&mut self) -> Vec<TableBatch> {
        let parts = [
            (Table::Encounters, self.encounters.finish()),
            (Table::EncounterUnitStays, self.unit_stays.finish()),
            (Table::Diagnoses, self.diagnoses.finish()),
            (Table::Procedures, self.procedures.finish()),
        ];
        parts
            .into_iter()
            .filter_map(|(table, b)| b.map(|batch| TableBatch { table, batch }))
            .collect()
    }
}

/// Every table of a set of stays, one batch list per table (a convenience for small inputs;
/// stream with [`StayTables`] for large ones).
pub fn tables_of<'a>(
    stays: impl IntoIterator<Item = &'a Stay>,
    options: &TableOptions,
) -> Vec<TableBatch> {
    let mut t = StayTables::new(options);
    let mut out = Vec::new();
    for s in stays {
        t.push_into(s, &mut out);
    }
    out.extend(t.finish());
    out
}
