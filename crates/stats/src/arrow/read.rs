//! Reading the `encounters` and `encounter_unit_stays` tables back into [`StayBatch`]es, for
//! [`crate::Aggregator::add_batch`]: the census and counts straight from Arrow data (a column
//! store, an IPC file, a DataFusion query result with these columns).

use super::Table;
use crate::batch::StayBatch;
use crate::stay::{AdmitSource, Delivery, Disposition, EncounterClass, Stay, UnitStay};
use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{
    Array, BooleanArray, Int32Array, Int64Array, RecordBatch, StringArray,
    TimestampMicrosecondArray,
};
use arrow_schema::{DataType, TimeUnit};
use jiff::Timestamp;

/// What is wrong with the Arrow input of [`stay_batches`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ArrowReadErrorKind {
    /// A column the reader needs is missing.
    MissingColumn,
    /// A column has another data type than the schema's.
    WrongType,
    /// A non-nullable value is null.
    Null,
    /// An enumeration value (class, admit source, disposition, delivery) is unknown, or an
    /// instant is out of range.
    BadValue,
    /// Unit-stay rows do not follow the encounters' order (each encounter's unit history
    /// must come right after the previous encounter's, as the export writes it).
    Order,
}

/// The Arrow input of [`stay_batches`] could not be read: what and where (table, column, row
/// of the record batch).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{table} batch {batch}, row {row}, column {column:?}: {message}")]
pub struct ArrowReadError {
    kind: ArrowReadErrorKind,
    table: &'static str,
    batch: usize,
    row: usize,
    column: &'static str,
    message: String,
}

impl ArrowReadError {
    /// What is wrong.
    pub fn kind(&self) -> ArrowReadErrorKind {
        self.kind
    }

    /// The table (`encounters` or `encounter_unit_stays`).
    pub fn table(&self) -> &str {
        self.table
    }

    /// The 0-based index of the record batch in its table's stream.
    pub fn batch(&self) -> usize {
        self.batch
    }

    /// The 0-based row in that record batch.
    pub fn row(&self) -> usize {
        self.row
    }

    /// The column.
    pub fn column(&self) -> &str {
        self.column
    }
}

/// Where a value is read, for errors.
#[derive(Clone, Copy)]
struct At {
    table: &'static str,
    batch: usize,
}

impl At {
    fn err(
        self,
        kind: ArrowReadErrorKind,
        row: usize,
        column: &'static str,
        message: impl Into<String>,
    ) -> ArrowReadError {
        ArrowReadError {
            kind,
            table: self.table,
            batch: self.batch,
            row,
            column,
            message: message.into(),
        }
    }

    fn column<'a>(
        self,
        rb: &'a RecordBatch,
        name: &'static str,
        want: &DataType,
    ) -> Result<&'a dyn Array, ArrowReadError> {
        let col = rb.column_by_name(name).ok_or_else(|| {
            self.err(ArrowReadErrorKind::MissingColumn, 0, name, "no such column")
        })?;
        let same = match (col.data_type(), want) {
            (DataType::Timestamp(a, _), DataType::Timestamp(b, _)) => a == b,
            (a, b) => a == b,
        };
        if !same {
            return Err(self.err(
                ArrowReadErrorKind::WrongType,
                0,
                name,
                format!("type {} (expected {want})", col.data_type()),
            ));
        }
        Ok(col.as_ref())
    }

    fn strings<'a>(
        self,
        rb: &'a RecordBatch,
        name: &'static str,
    ) -> Result<(&'static str, &'a StringArray), ArrowReadError> {
        Ok((
            name,
            self.column(rb, name, &DataType::Utf8)?.as_string::<i32>(),
        ))
    }

    fn instants<'a>(
        self,
        rb: &'a RecordBatch,
        name: &'static str,
    ) -> Result<(&'static str, &'a TimestampMicrosecondArray), ArrowReadError> {
        let t = DataType::Timestamp(TimeUnit::Microsecond, None);
        Ok((
            name,
            self.column(rb, name, &t)?
                .as_primitive::<TimestampMicrosecondType>(),
        ))
    }

    fn bools<'a>(
        self,
        rb: &'a RecordBatch,
        name: &'static str,
    ) -> Result<(&'static str, &'a BooleanArray), ArrowReadError> {
        Ok((
            name,
            self.column(rb, name, &DataType::Boolean)?.as_boolean(),
        ))
    }

    fn ints<'a>(
        self,
        rb: &'a RecordBatch,
        name: &'static str,
    ) -> Result<(&'static str, &'a Int32Array), ArrowReadError> {
        Ok((
            name,
            self.column(rb, name, &DataType::Int32)?
                .as_primitive::<Int32Type>(),
        ))
    }

    fn longs<'a>(
        self,
        rb: &'a RecordBatch,
        name: &'static str,
    ) -> Result<(&'static str, &'a Int64Array), ArrowReadError> {
        Ok((
            name,
            self.column(rb, name, &DataType::Int64)?
                .as_primitive::<Int64Type>(),
        ))
    }

    fn opt_str<'a>(self, (_, a): (&'static str, &'a StringArray), row: usize) -> Option<&'a str> {
        a.is_valid(row).then(|| a.value(row))
    }

    fn str<'a>(
        self,
        c: (&'static str, &'a StringArray),
        row: usize,
    ) -> Result<&'a str, ArrowReadError> {
        self.opt_str(c, row)
            .ok_or_else(|| self.err(ArrowReadErrorKind::Null, row, c.0, "null"))
    }

    fn opt_instant(
        self,
        (name, a): (&'static str, &TimestampMicrosecondArray),
        row: usize,
    ) -> Result<Option<Timestamp>, ArrowReadError> {
        if a.is_null(row) {
            return Ok(None);
        }
        Timestamp::from_microsecond(a.value(row))
            .map(Some)
            .map_err(|e| self.err(ArrowReadErrorKind::BadValue, row, name, e.to_string()))
    }

    fn instant(
        self,
        c: (&'static str, &TimestampMicrosecondArray),
        row: usize,
    ) -> Result<Timestamp, ArrowReadError> {
        self.opt_instant(c, row)?
            .ok_or_else(|| self.err(ArrowReadErrorKind::Null, row, c.0, "null"))
    }

    fn bool(self, (_, a): (&'static str, &BooleanArray), row: usize) -> bool {
        a.is_valid(row) && a.value(row)
    }

    fn opt_bool(self, (_, a): (&'static str, &BooleanArray), row: usize) -> Option<bool> {
        a.is_valid(row).then(|| a.value(row))
    }

    fn count(
        self,
        (name, a): (&'static str, &Int32Array),
        row: usize,
    ) -> Result<u16, ArrowReadError> {
        if a.is_null(row) {
            return Ok(0);
        }
        u16::try_from(a.value(row)).map_err(|_| {
            self.err(
                ArrowReadErrorKind::BadValue,
                row,
                name,
                format!("count {} out of range 0..=65535", a.value(row)),
            )
        })
    }

    fn bad(self, row: usize, column: &'static str, value: &str) -> ArrowReadError {
        self.err(
            ArrowReadErrorKind::BadValue,
            row,
            column,
            format!("unknown value {value:?}"),
        )
    }
}

/// The unit-stay stream: the current record batch and the next row.
struct UnitRows<U> {
    batches: U,
    current: Option<RecordBatch>,
    row: usize,
    index: usize,
}

impl<U: Iterator<Item = RecordBatch>> UnitRows<U> {
    /// Moves to a batch with a row left (`false` at the end of the stream).
    fn ready(&mut self) -> bool {
        loop {
            if let Some(b) = &self.current
                && self.row < b.num_rows()
            {
                return true;
            }
            match self.batches.next() {
                Some(b) => {
                    if self.current.is_some() {
                        self.index += 1;
                    }
                    self.current = Some(b);
                    self.row = 0;
                }
                None => return false,
            }
        }
    }

    /// Appends to `units` the unit-stay rows of `encounter` that come next.
    fn take(&mut self, encounter: &str, units: &mut Vec<UnitStay>) -> Result<(), ArrowReadError> {
        while self.ready() {
            let b = self.current.as_ref().expect("ready");
            let at = At {
                table: Table::EncounterUnitStays.name(),
                batch: self.index,
            };
            let ids = at.strings(b, "encounter_id")?;
            let unit = at.strings(b, "unit")?;
            let arrived = at.instants(b, "arrived")?;
            let departed = at.instants(b, "departed")?;
            while self.row < b.num_rows() {
                let row = self.row;
                if at.str(ids, row)? != encounter {
                    return Ok(());
                }
                units.push(UnitStay {
                    unit: at.str(unit, row)?.to_string(),
                    from: at.instant(arrived, row)?,
                    to: at.opt_instant(departed, row)?,
                });
                self.row += 1;
            }
        }
        Ok(())
    }

    /// An error when rows are left (they belong to no encounter, or are out of order).
    fn check_done(&mut self) -> Result<(), ArrowReadError> {
        if !self.ready() {
            return Ok(());
        }
        let b = self.current.as_ref().expect("ready");
        let at = At {
            table: Table::EncounterUnitStays.name(),
            batch: self.index,
        };
        let ids = at.strings(b, "encounter_id")?;
        Err(at.err(
            ArrowReadErrorKind::Order,
            self.row,
            "encounter_id",
            format!(
                "unit stay of encounter {:?} does not follow its encounter (tables in different orders, or an unknown encounter)",
                at.opt_str(ids, self.row).unwrap_or("")
            ),
        ))
    }
}

/// The iterator of [`stay_batches`]: one [`StayBatch`] per `encounters` record batch.
pub struct StayBatches<E, U> {
    encounters: E,
    units: UnitRows<U>,
    index: usize,
    stay: Stay,
    done: bool,
}

impl<E, U> std::fmt::Debug for StayBatches<E, U> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StayBatches")
            .field("batch", &self.index)
            .finish_non_exhaustive()
    }
}

/// Reads the `encounters` and `encounter_unit_stays` tables ([`super`], schema version 1)
/// as [`StayBatch`]es — one per `encounters` record batch, so memory is bounded by the record
/// batches — for [`crate::Aggregator::add_batch`].
///
/// Both streams must hold the stays in the same order, each encounter's unit-stay rows together
/// and in sequence order, as [`super::StayTables`] writes them (or a query's `ORDER BY`); the
/// record batches of the two tables need not line up. Columns are found by name; extra
/// columns are ignored.
///
/// The stays read are those the tables describe, so the aggregate equals
/// [`crate::Aggregator::add_stays`] on the original stays except for what the two tables do
/// not hold: instants are microseconds; no diagnosis or procedure codes (the `diagnoses` and
/// `procedures` tables are not read: report rows have no top codes); no delivery instant
/// (deliveries count on the discharge day); no `body_available` (read as available unless a
/// medical-examiner case not autopsied). A proptest checks the equality.
///
/// ```
/// use medrec_stats::arrow::{StayTables, Table, TableOptions, stay_batches};
/// use medrec_stats::{Aggregator, AggregatorConfig, EncounterClass, Period, Stay, UnitStay};
/// use jiff::tz::TimeZone;
///
/// let mut stay = Stay::new("p1", "e1", EncounterClass::Inpatient,
///     "2024-03-04T10:00:00Z".parse()?, Some("2024-03-07T09:00:00Z".parse()?));
/// stay.units.push(UnitStay { unit: "MED".into(), from: stay.admitted, to: None });
/// let mut tables = StayTables::new(&TableOptions::new(TimeZone::UTC));
/// let mut out = tables.push(&stay);
/// out.extend(tables.finish());
/// let of = |t: Table| out.iter().filter(move |b| b.table == t).map(|b| b.batch.clone());
///
/// let period = Period::month(2024, 3).unwrap();
/// let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
/// for batch in stay_batches(of(Table::Encounters), of(Table::EncounterUnitStays)) {
///     assert!(agg.add_batch(&batch?).is_empty());
/// }
/// assert_eq!(agg.totals()[0].los_days, 3);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn stay_batches<E, U>(encounters: E, unit_stays: U) -> StayBatches<E::IntoIter, U::IntoIter>
where
    E: IntoIterator<Item = RecordBatch>,
    U: IntoIterator<Item = RecordBatch>,
{
    StayBatches {
        encounters: encounters.into_iter(),
        units: UnitRows {
            batches: unit_stays.into_iter(),
            current: None,
            row: 0,
            index: 0,
        },
        index: 0,
        stay: Stay::new(
            "",
            "",
            EncounterClass::Inpatient,
            Timestamp::UNIX_EPOCH,
            None,
        ),
        done: false,
    }
}

impl<E, U> Iterator for StayBatches<E, U>
where
    E: Iterator<Item = RecordBatch>,
    U: Iterator<Item = RecordBatch>,
{
    type Item = Result<StayBatch, ArrowReadError>;

    fn next(&mut self) -> Option<Result<StayBatch, ArrowReadError>> {
        if self.done {
            return None;
        }
        let Some(rb) = self.encounters.next() else {
            self.done = true;
            return match self.units.check_done() {
                Ok(()) => None,
                Err(e) => Some(Err(e)),
            };
        };
        let at = At {
            table: Table::Encounters.name(),
            batch: self.index,
        };
        self.index += 1;
        let result = self.read(&rb, at);
        if result.is_err() {
            self.done = true;
        }
        Some(result)
    }
}

impl<E, U> StayBatches<E, U>
where
    U: Iterator<Item = RecordBatch>,
{
    fn read(&mut self, rb: &RecordBatch, at: At) -> Result<StayBatch, ArrowReadError> {
        let encounter_id = at.strings(rb, "encounter_id")?;
        let patient_id = at.strings(rb, "patient_id")?;
        let facility = at.strings(rb, "facility")?;
        let class = at.strings(rb, "encounter_class")?;
        let admitted = at.instants(rb, "admitted")?;
        let discharged = at.instants(rb, "discharged")?;
        let admit_source = at.strings(rb, "admit_source")?;
        let disposition = at.strings(rb, "discharge_disposition")?;
        let death_time = at.instants(rb, "death_time")?;
        let payer = at.strings(rb, "payer")?;
        let service = at.strings(rb, "service")?;
        let diagnosis_group = at.strings(rb, "diagnosis_group")?;
        let charges = at.longs(rb, "charges_cents")?;
        let delivery = at.strings(rb, "delivery")?;
        let live_births = at.ints(rb, "live_births")?;
        let stillbirths = at.ints(rb, "stillbirths")?;
        let obstetric = at.bools(rb, "obstetric")?;
        let direct_maternal_death = at.bools(rb, "direct_maternal_death")?;
        let infections = at.ints(rb, "hospital_acquired_infections")?;
        let consultation = at.bools(rb, "consultation")?;
        let autopsy_performed = at.bools(rb, "autopsy_performed")?;
        let medical_examiner_case = at.bools(rb, "medical_examiner_case")?;
        let readmitted = at.bools(rb, "readmitted_within_30_days")?;
        let is_readmission = at.bools(rb, "is_readmission")?;

        let mut batch = StayBatch::with_capacity(rb.num_rows());
        let s = &mut self.stay;
        for row in 0..rb.num_rows() {
            let id = at.str(encounter_id, row)?;
            s.encounter_id.clear();
            s.encounter_id.push_str(id);
            s.patient_id.clear();
            s.patient_id.push_str(at.str(patient_id, row)?);
            s.facility.clear();
            s.facility.push_str(at.opt_str(facility, row).unwrap_or(""));
            let c = at.str(class, row)?;
            s.class = match c {
                "inpatient" => EncounterClass::Inpatient,
                "observation" => EncounterClass::Observation,
                "emergency" => EncounterClass::Emergency,
                "outpatient" => EncounterClass::Outpatient,
                v => return Err(at.bad(row, class.0, v)),
            };
            s.admitted = at.instant(admitted, row)?;
            s.discharged = at.opt_instant(discharged, row)?;
            s.admit_source = match at.str(admit_source, row)? {
                "born" => AdmitSource::Born,
                "transfer_from_hospital" => AdmitSource::TransferFromHospital,
                "other" => AdmitSource::Other,
                v => return Err(at.bad(row, admit_source.0, v)),
            };
            s.disposition = match at.opt_str(disposition, row) {
                None | Some("other") => Disposition::Other,
                Some("died") => Disposition::Died,
                Some("transfer_to_hospital") => Disposition::TransferToHospital,
                Some("transfer_to_other_facility") => Disposition::TransferToOtherFacility,
                Some("against_advice") => Disposition::AgainstAdvice,
                Some(v) => return Err(at.bad(row, disposition.0, v)),
            };
            s.death_time = at.opt_instant(death_time, row)?;
            s.autopsy.performed = at.bool(autopsy_performed, row);
            s.autopsy.medical_examiner_case = at.bool(medical_examiner_case, row);
            s.autopsy.body_available = None;
            s.delivery = match at.opt_str(delivery, row) {
                None => None,
                Some("vaginal") => Some(Delivery::Vaginal),
                Some("cesarean") => Some(Delivery::Cesarean),
                Some(v) => return Err(at.bad(row, delivery.0, v)),
            };
            s.delivered = None;
            s.live_births = at.count(live_births, row)?;
            s.stillbirths = at.count(stillbirths, row)?;
            s.obstetric = at.bool(obstetric, row);
            s.direct_maternal_death = at.bool(direct_maternal_death, row);
            s.hospital_acquired_infections = at.count(infections, row)?;
            s.consultation = at.bool(consultation, row);
            set_opt(&mut s.payer, at.opt_str(payer, row));
            set_opt(&mut s.service, at.opt_str(service, row));
            set_opt(&mut s.diagnosis_group, at.opt_str(diagnosis_group, row));
            s.charges_cents = charges.1.is_valid(row).then(|| charges.1.value(row));
            s.readmitted_within_30_days = at.opt_bool(readmitted, row);
            s.is_readmission = at.bool(is_readmission, row);
            s.units.clear();
            self.units.take(id, &mut s.units)?;
            batch.push(s);
        }
        Ok(batch)
    }
}

/// Sets an optional string, reusing its allocation.
fn set_opt(slot: &mut Option<String>, value: Option<&str>) {
    match (slot.as_mut(), value) {
        (Some(s), Some(v)) => {
            s.clear();
            s.push_str(v);
        }
        (_, v) => *slot = v.map(str::to_string),
    }
}
