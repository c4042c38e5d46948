//! Tables built with only the columns a query asks for (projection pushdown into the builder).
//!
//! A table is a list of [`ColumnSpec`]s and a function giving a row's [`Value`] for a column
//! index; [`ProjectedBatcher`] holds Arrow builders for the projected columns only and asks for
//! those values only, so a `SELECT patient_id FROM patients` never builds (or computes) a name or
//! an address. A table with one row per FHIR resource of a type is a [`ResourceTable`], built by
//! a [`ResourceTableBuilder`] (`patients`, `claims`).

use datafusion::arrow::array::{
    ArrayRef, BooleanBuilder, Date32Builder, Int32Builder, Int64Builder, RecordBatch,
    RecordBatchOptions, StringBuilder, TimestampMicrosecondBuilder,
};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};
use datafusion::error::Result;
use jiff::tz::TimeZone;
use medrec_model::{PatientRecord, TypedResource};
use medrec_stats::arrow::{
    SCHEMA_VERSION, SCHEMA_VERSION_KEY, TABLE_METADATA_KEY, TIME_ZONE_METADATA_KEY,
};
use std::borrow::Cow;
use std::collections::HashMap;
use std::marker::PhantomData;
use std::sync::Arc;

/// The Arrow type of a column (the conventions of `medrec_stats::arrow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// `Utf8`.
    Utf8,
    /// `Boolean`.
    Boolean,
    /// `Int32` (counts).
    Int32,
    /// `Int64` (money in cents).
    Int64,
    /// `Date32` (a calendar day).
    Date32,
    /// `Timestamp(Microsecond, "UTC")` (an instant).
    Timestamp,
}

/// One column of a table.
#[derive(Debug, Clone, Copy)]
pub struct ColumnSpec {
    /// The column name.
    pub name: &'static str,
    /// Its type.
    pub data_type: ColumnType,
    /// Whether it can be null.
    pub nullable: bool,
}

impl ColumnSpec {
    /// A column.
    pub const fn new(name: &'static str, data_type: ColumnType, nullable: bool) -> ColumnSpec {
        ColumnSpec {
            name,
            data_type,
            nullable,
        }
    }
}

/// The schema of a table of `columns`, with `medrec_stats::arrow`'s metadata (table name,
/// schema version, the facility's time zone on the schema and on every instant and day field).
pub fn schema_of(table: &str, columns: &[ColumnSpec], time_zone: &TimeZone) -> SchemaRef {
    let zone = time_zone.iana_name().unwrap_or("UTC").to_string();
    let zoned = || HashMap::from([(TIME_ZONE_METADATA_KEY.to_string(), zone.clone())]);
    let fields: Vec<Field> = columns
        .iter()
        .map(|c| match c.data_type {
            ColumnType::Utf8 => Field::new(c.name, DataType::Utf8, c.nullable),
            ColumnType::Boolean => Field::new(c.name, DataType::Boolean, c.nullable),
            ColumnType::Int32 => Field::new(c.name, DataType::Int32, c.nullable),
            ColumnType::Int64 => Field::new(c.name, DataType::Int64, c.nullable),
            ColumnType::Date32 => {
                Field::new(c.name, DataType::Date32, c.nullable).with_metadata(zoned())
            }
            ColumnType::Timestamp => Field::new(
                c.name,
                DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into())),
                c.nullable,
            )
            .with_metadata(zoned()),
        })
        .collect();
    Arc::new(Schema::new(fields).with_metadata(HashMap::from([
        (TABLE_METADATA_KEY.to_string(), table.to_string()),
        (SCHEMA_VERSION_KEY.to_string(), SCHEMA_VERSION.to_string()),
        (TIME_ZONE_METADATA_KEY.to_string(), zone.clone()),
    ])))
}

/// A row's value in one column.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'a> {
    /// A `Utf8` value (borrowed from the resource where it can be).
    Str(Option<Cow<'a, str>>),
    /// A `Boolean` value.
    Bool(Option<bool>),
    /// An `Int32` value.
    I32(Option<i32>),
    /// An `Int64` value.
    I64(Option<i64>),
    /// A `Date32` value (days since 1970-01-01).
    Day(Option<i32>),
    /// A `Timestamp(µs, UTC)` value (microseconds since the epoch).
    Micros(Option<i64>),
}

impl<'a> Value<'a> {
    /// A borrowed string.
    pub fn str(s: Option<&'a str>) -> Value<'a> {
        Value::Str(s.map(Cow::Borrowed))
    }

    /// An owned string.
    pub fn string(s: Option<String>) -> Value<'a> {
        Value::Str(s.map(Cow::Owned))
    }
}

#[derive(Debug)]
enum ColumnBuilder {
    Utf8(StringBuilder),
    Boolean(BooleanBuilder),
    Int32(Int32Builder),
    Int64(Int64Builder),
    Date32(Date32Builder),
    Timestamp(TimestampMicrosecondBuilder),
}

impl ColumnBuilder {
    fn new(t: ColumnType, rows: usize) -> ColumnBuilder {
        match t {
            ColumnType::Utf8 => ColumnBuilder::Utf8(StringBuilder::with_capacity(rows, rows * 16)),
            ColumnType::Boolean => ColumnBuilder::Boolean(BooleanBuilder::with_capacity(rows)),
            ColumnType::Int32 => ColumnBuilder::Int32(Int32Builder::with_capacity(rows)),
            ColumnType::Int64 => ColumnBuilder::Int64(Int64Builder::with_capacity(rows)),
            ColumnType::Date32 => ColumnBuilder::Date32(Date32Builder::with_capacity(rows)),
            ColumnType::Timestamp => ColumnBuilder::Timestamp(
                TimestampMicrosecondBuilder::with_capacity(rows).with_timezone("UTC"),
            ),
        }
    }

    /// Appends a value; a value of another type than the column's is a bug of the table's value
    /// function and is appended as null (a non-nullable column then fails the batch).
    fn append(&mut self, v: Value<'_>) {
        match (self, v) {
            (ColumnBuilder::Utf8(b), Value::Str(s)) => b.append_option(s),
            (ColumnBuilder::Boolean(b), Value::Bool(x)) => b.append_option(x),
            (ColumnBuilder::Int32(b), Value::I32(x)) => b.append_option(x),
            (ColumnBuilder::Int64(b), Value::I64(x)) => b.append_option(x),
            (ColumnBuilder::Date32(b), Value::Day(x)) => b.append_option(x),
            (ColumnBuilder::Timestamp(b), Value::Micros(x)) => b.append_option(x),
            (ColumnBuilder::Utf8(b), _) => b.append_null(),
            (ColumnBuilder::Boolean(b), _) => b.append_null(),
            (ColumnBuilder::Int32(b), _) => b.append_null(),
            (ColumnBuilder::Int64(b), _) => b.append_null(),
            (ColumnBuilder::Date32(b), _) => b.append_null(),
            (ColumnBuilder::Timestamp(b), _) => b.append_null(),
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            ColumnBuilder::Utf8(b) => Arc::new(b.finish()),
            ColumnBuilder::Boolean(b) => Arc::new(b.finish()),
            ColumnBuilder::Int32(b) => Arc::new(b.finish()),
            ColumnBuilder::Int64(b) => Arc::new(b.finish()),
            ColumnBuilder::Date32(b) => Arc::new(b.finish()),
            ColumnBuilder::Timestamp(b) => Arc::new(b.finish()),
        }
    }
}

/// Builds a table's batches with builders for the projected columns only, cutting a batch every
/// `batch_rows` rows.
#[derive(Debug)]
pub struct ProjectedBatcher {
    schema: SchemaRef,
    /// (column index in the full table, its builder), in projection order.
    columns: Vec<(usize, ColumnBuilder)>,
    rows: usize,
    batch_rows: usize,
}

impl ProjectedBatcher {
    /// A batcher for the columns `projection` (indices into `columns`, in output order; `None`
    /// = all) of a table whose full schema is `full` (built from `columns` by [`schema_of`]).
    /// An index out of range is an error.
    pub fn new(
        full: &SchemaRef,
        columns: &[ColumnSpec],
        projection: Option<&[usize]>,
        batch_rows: usize,
    ) -> Result<ProjectedBatcher> {
        let all: Vec<usize> = (0..columns.len()).collect();
        let projection = projection.unwrap_or(&all);
        let schema = Arc::new(full.project(projection)?);
        let batch_rows = batch_rows.max(1);
        let capacity = batch_rows.min(8192);
        Ok(ProjectedBatcher {
            schema,
            columns: projection
                .iter()
                .map(|&i| (i, ColumnBuilder::new(columns[i].data_type, capacity)))
                .collect(),
            rows: 0,
            batch_rows,
        })
    }

    /// The projected schema (the schema of the batches handed out).
    pub fn schema(&self) -> SchemaRef {
        Arc::clone(&self.schema)
    }

    /// Adds a row: `value(i)` is asked for the projected columns `i` only. Returns a batch when
    /// `batch_rows` rows are held.
    pub fn push<'a>(
        &mut self,
        mut value: impl FnMut(usize) -> Value<'a>,
    ) -> Option<Result<RecordBatch>> {
        for (i, b) in &mut self.columns {
            b.append(value(*i));
        }
        self.rows += 1;
        if self.rows >= self.batch_rows {
            self.finish()
        } else {
            None
        }
    }

    /// The rows held as a batch (`None` when there are none). With an empty projection (`SELECT
    /// count(*)`) the batch has no columns but the right row count.
    pub fn finish(&mut self) -> Option<Result<RecordBatch>> {
        if self.rows == 0 {
            return None;
        }
        let rows = std::mem::take(&mut self.rows);
        let columns: Vec<ArrayRef> = self.columns.iter_mut().map(|(_, b)| b.finish()).collect();
        Some(
            RecordBatch::try_new_with_options(
                Arc::clone(&self.schema),
                columns,
                &RecordBatchOptions::new().with_row_count(Some(rows)),
            )
            .map_err(Into::into),
        )
    }
}

/// Microseconds since the epoch of an instant.
pub fn micros(t: jiff::Timestamp) -> i64 {
    t.as_microsecond()
}

/// A table with one row per FHIR resource of one type.
pub trait ResourceTable {
    /// The resource a row stands for.
    type Resource: TypedResource;
    /// The table name.
    const NAME: &'static str;
    /// The columns, in schema order.
    const COLUMNS: &'static [ColumnSpec];

    /// The value of column `column` (an index into [`Self::COLUMNS`]) for a resource of
    /// `record` (references resolve in it), with dates without an offset read in `tz`.
    fn value<'a>(
        column: usize,
        record: &'a PatientRecord,
        resource: &'a Self::Resource,
        tz: &TimeZone,
    ) -> Value<'a>;

    /// The table's schema for a facility time zone.
    fn schema(time_zone: &TimeZone) -> SchemaRef {
        schema_of(Self::NAME, Self::COLUMNS, time_zone)
    }
}

/// Builds a [`ResourceTable`]'s batches, projected columns only, from records.
#[derive(Debug)]
pub struct ResourceTableBuilder<T> {
    batcher: ProjectedBatcher,
    time_zone: TimeZone,
    table: PhantomData<fn() -> T>,
}

impl<T: ResourceTable> ResourceTableBuilder<T> {
    /// A builder of the columns `projection` (indices into [`ResourceTable::COLUMNS`]; `None` =
    /// all), batches of `batch_rows` rows, dates without an offset read in `time_zone`. An index
    /// out of range is an error.
    pub fn new(
        time_zone: &TimeZone,
        projection: Option<&[usize]>,
        batch_rows: usize,
    ) -> Result<ResourceTableBuilder<T>> {
        Ok(ResourceTableBuilder {
            batcher: ProjectedBatcher::new(
                &T::schema(time_zone),
                T::COLUMNS,
                projection,
                batch_rows,
            )?,
            time_zone: time_zone.clone(),
            table: PhantomData,
        })
    }

    /// The schema of the batches handed out (the projection).
    pub fn schema(&self) -> SchemaRef {
        self.batcher.schema()
    }

    /// Adds one resource of `record`; returns a batch when `batch_rows` rows are held.
    pub fn push(
        &mut self,
        record: &PatientRecord,
        resource: &T::Resource,
    ) -> Option<Result<RecordBatch>> {
        let tz = &self.time_zone;
        self.batcher.push(|c| T::value(c, record, resource, tz))
    }

    /// Adds every resource of the table's type in a record, handing each completed batch to
    /// `sink`; stops early (returning `Ok(false)`) when the sink returns `false`.
    pub fn push_record_into(
        &mut self,
        record: &PatientRecord,
        sink: &mut dyn FnMut(RecordBatch) -> bool,
    ) -> Result<bool> {
        for r in record.all::<T::Resource>() {
            if let Some(b) = self.push(record, r) {
                if !sink(b?) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Adds every resource of the table's type in a record, appending completed batches to
    /// `out`.
    pub fn push_record(
        &mut self,
        record: &PatientRecord,
        out: &mut Vec<RecordBatch>,
    ) -> Result<()> {
        self.push_record_into(record, &mut |b| {
            out.push(b);
            true
        })
        .map(drop)
    }

    /// Appends the last, partial batch to `out`.
    pub fn finish(&mut self, out: &mut Vec<RecordBatch>) -> Result<()> {
        if let Some(b) = self.batcher.finish() {
            out.push(b?);
        }
        Ok(())
    }
}
