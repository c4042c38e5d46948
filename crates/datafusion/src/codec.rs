//! Plan codecs that ship the FHIR tables to a Ballista cluster: a [`FhirTable`] inside a logical
//! plan (client → scheduler) and a [`FhirScanExec`] inside a physical plan (scheduler →
//! executors).
//!
//! Ballista serializes plans with `datafusion-proto`; a custom `TableProvider` or
//! `ExecutionPlan` needs an extension codec on every process that encodes or decodes it. The
//! codecs here wrap Ballista's own ([`BallistaLogicalExtensionCodec`],
//! [`BallistaPhysicalExtensionCodec`]: shuffle readers and writers, Parquet / CSV / JSON file
//! formats) and handle medrec's two nodes themselves; everything else goes to the wrapped codec
//! unchanged. [`crate::cluster`] installs them in the client session
//! ([`crate::cluster::remote_context`]), the scheduler and the executors (the `medrec-ballista`
//! binary); a custom Ballista deployment installs them with
//! `SessionConfigExt::with_ballista_logical_extension_codec` /
//! `with_ballista_physical_extension_codec` and the scheduler's and executors'
//! `override_logical_codec` / `override_physical_codec`.
//!
//! # What travels
//! A node is a short magic prefix (`medrec.fhir-table/1` or `medrec.fhir-scan/1`, so nothing
//! else is mistaken for one) and a protobuf message (`prost`) holding:
//! - the table (`patients`, `encounters`, `encounter_unit_stays`, `diagnoses`, `procedures`,
//!   `census_segments`, `claims`);
//! - a table's sources (its file list; a scan's file groups travel as its input, a
//!   [`crate::scan::source_list`] that Ballista's own codec ships and its scheduler slices so
//!   each task reads only its partitions' files);
//! - the read options: the facility time zone (an IANA name, read on the receiving side from
//!   jiff's bundled tz database so every node agrees; or a fixed UTC offset) and CCSR grouping;
//! - for a scan, the projection (column indices) and the per-partition row limit.
//!
//! Paths travel unchanged (their bytes on Unix): every executor must see the sources at the
//! same paths (a shared file system mounted at the same point on every node). A time zone with
//! neither an IANA name nor a fixed offset (a POSIX `TZ` rule) is an encoding error, never a
//! silently different plan. A decoded table checks the schema the plan carries
//! against its own, so a client and a cluster built from different versions of this crate fail
//! loudly instead of returning shifted columns.
//!
//! Read problems (bad NDJSON lines, encounters that are not stays) stay on the executor that
//! met them: [`FhirTable::problems`] on the client only sees scans run in its own process.

use ballista_core::serde::{BallistaLogicalExtensionCodec, BallistaPhysicalExtensionCodec};
use datafusion::arrow::datatypes::SchemaRef;
use datafusion::catalog::TableProvider;
use datafusion::common::TableReference;
use datafusion::datasource::file_format::FileFormatFactory;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::TaskContext;
use datafusion::logical_expr::{
    AggregateUDF, Extension, HigherOrderUDF, LogicalPlan, ScalarUDF, WindowUDF,
};
use datafusion::physical_expr::PhysicalExpr;
use datafusion::physical_expr_common::physical_expr::proto_decode::PhysicalExprDecodeCtx;
use datafusion::physical_expr_common::physical_expr::proto_encode::PhysicalExprEncodeCtx;
use datafusion::physical_plan::ExecutionPlan;
use datafusion_proto::logical_plan::LogicalExtensionCodec;
use datafusion_proto::physical_plan::{PhysicalExtensionCodec, PhysicalProtoConverterExtension};
use jiff::tz::{Offset, TimeZone};
use medrec_stats::fhir::FhirReadOptions;
use prost::Message;
use std::path::PathBuf;
use std::sync::Arc;

use crate::scan::{FhirScanExec, bytes_path, path_bytes};
use crate::tables::{FhirTable, FhirTableKind};

/// Prefix of an encoded [`FhirTable`].
const TABLE_MAGIC: &[u8] = b"medrec.fhir-table/1\0";
/// Prefix of an encoded [`FhirScanExec`].
const SCAN_MAGIC: &[u8] = b"medrec.fhir-scan/1\0";

/// The wire form of a FHIR table or scan (see the module docs).
#[derive(Clone, PartialEq, prost::Message)]
struct FhirSourceProto {
    /// The table name ([`FhirTableKind::name`]).
    #[prost(string, tag = "1")]
    table: String,
    /// A table: one group, its files in order. A scan: one group per output partition.
    #[prost(message, repeated, tag = "2")]
    file_groups: Vec<FileGroupProto>,
    /// The facility time zone.
    #[prost(message, optional, tag = "3")]
    time_zone: Option<TimeZoneProto>,
    /// [`FhirReadOptions::ccsr_groups`].
    #[prost(bool, tag = "4")]
    ccsr_groups: bool,
    /// A scan's projection (absent = every column).
    #[prost(message, optional, tag = "5")]
    projection: Option<ProjectionProto>,
    /// A scan's per-partition row limit.
    #[prost(uint64, optional, tag = "6")]
    limit: Option<u64>,
}

/// Paths as bytes: the OS string's bytes on Unix (any path travels), UTF-8 elsewhere.
#[derive(Clone, PartialEq, prost::Message)]
struct FileGroupProto {
    #[prost(bytes = "vec", repeated, tag = "1")]
    files: Vec<Vec<u8>>,
}

#[derive(Clone, PartialEq, prost::Message)]
struct ProjectionProto {
    #[prost(uint32, repeated, tag = "1")]
    columns: Vec<u32>,
}

/// An IANA name, else a fixed offset from UTC in seconds.
#[derive(Clone, PartialEq, prost::Message)]
struct TimeZoneProto {
    #[prost(string, optional, tag = "1")]
    iana_name: Option<String>,
    #[prost(int32, optional, tag = "2")]
    offset_seconds: Option<i32>,
}

fn codec_error(message: String) -> DataFusionError {
    DataFusionError::Internal(format!("medrec FHIR plan codec: {message}"))
}

fn time_zone_to_proto(tz: &TimeZone) -> Result<TimeZoneProto> {
    if let Some(name) = tz.iana_name() {
        return Ok(TimeZoneProto {
            iana_name: Some(name.to_string()),
            offset_seconds: None,
        });
    }
    match tz.to_fixed_offset() {
        Ok(o) => Ok(TimeZoneProto {
            iana_name: None,
            offset_seconds: Some(o.seconds()),
        }),
        Err(_) => Err(codec_error(
            "the read options' time zone has neither an IANA name nor a fixed offset, \
             so executors could not read it the same way; use TimeZone::get(\"Area/City\")"
                .into(),
        )),
    }
}

fn time_zone_from_proto(tz: Option<&TimeZoneProto>) -> Result<TimeZone> {
    let Some(tz) = tz else {
        return Err(codec_error("no time zone".into()));
    };
    if let Some(name) = &tz.iana_name {
        return TimeZone::get(name)
            .map_err(|e| codec_error(format!("time zone {name:?} is not known here: {e}")));
    }
    match tz.offset_seconds {
        Some(s) => Offset::from_seconds(s)
            .map(TimeZone::fixed)
            .map_err(|e| codec_error(format!("UTC offset {s} s: {e}"))),
        None => Err(codec_error("empty time zone".into())),
    }
}

fn kind_from_name(name: &str) -> Result<FhirTableKind> {
    FhirTableKind::ALL
        .into_iter()
        .find(|k| k.name() == name)
        .ok_or_else(|| codec_error(format!("unknown FHIR table {name:?}")))
}

fn to_proto(
    kind: FhirTableKind,
    groups: &[Vec<PathBuf>],
    options: &FhirReadOptions,
    projection: Option<&[usize]>,
    limit: Option<usize>,
) -> Result<FhirSourceProto> {
    let file_groups = groups
        .iter()
        .map(|g| {
            Ok(FileGroupProto {
                files: g
                    .iter()
                    .map(|p| path_bytes(p).map(<[u8]>::to_vec))
                    .collect::<Result<_>>()?,
            })
        })
        .collect::<Result<_>>()?;
    let projection = projection
        .map(|p| {
            Ok::<_, DataFusionError>(ProjectionProto {
                columns: p
                    .iter()
                    .map(|&c| u32::try_from(c).map_err(|_| codec_error(format!("column {c}"))))
                    .collect::<Result<_>>()?,
            })
        })
        .transpose()?;
    Ok(FhirSourceProto {
        table: kind.name().to_string(),
        file_groups,
        time_zone: Some(time_zone_to_proto(&options.time_zone)?),
        ccsr_groups: options.ccsr_groups,
        projection,
        limit: limit.map(|l| l as u64),
    })
}

/// The decoded parts of a [`FhirSourceProto`].
struct FhirSource {
    kind: FhirTableKind,
    groups: Vec<Vec<PathBuf>>,
    options: FhirReadOptions,
    projection: Option<Vec<usize>>,
    limit: Option<usize>,
}

fn from_proto(p: FhirSourceProto) -> Result<FhirSource> {
    let kind = kind_from_name(&p.table)?;
    let options = FhirReadOptions {
        time_zone: time_zone_from_proto(p.time_zone.as_ref())?,
        ccsr_groups: p.ccsr_groups,
    };
    let width = kind.schema(&options.time_zone).fields().len();
    let projection = p
        .projection
        .map(|pr| {
            pr.columns
                .into_iter()
                .map(|c| {
                    let c = c as usize;
                    if c < width {
                        Ok(c)
                    } else {
                        Err(codec_error(format!(
                            "column {c} of {} (which has {width})",
                            kind.name()
                        )))
                    }
                })
                .collect::<Result<Vec<_>>>()
        })
        .transpose()?;
    let groups = p
        .file_groups
        .into_iter()
        .map(|g| g.files.iter().map(|f| bytes_path(f)).collect())
        .collect::<Result<_>>()?;
    Ok(FhirSource {
        kind,
        groups,
        options,
        projection,
        limit: p.limit.map(|l| usize::try_from(l).unwrap_or(usize::MAX)),
    })
}

fn encode(magic: &[u8], p: &FhirSourceProto, buf: &mut Vec<u8>) {
    buf.extend_from_slice(magic);
    // Encoding into a Vec cannot run out of capacity.
    p.encode(buf).ok();
}

fn decode(body: &[u8]) -> Result<FhirSource> {
    let p = FhirSourceProto::decode(body)
        .map_err(|e| codec_error(format!("cannot decode a FHIR table node: {e}")))?;
    from_proto(p)
}

/// Encodes a [`FhirTable`] (the logical codec's form, without the wrapped codec).
pub fn encode_fhir_table(table: &FhirTable, buf: &mut Vec<u8>) -> Result<()> {
    let p = to_proto(
        table.kind(),
        &[table.files().to_vec()],
        table.options(),
        None,
        None,
    )?;
    encode(TABLE_MAGIC, &p, buf);
    Ok(())
}

/// Decodes what [`encode_fhir_table`] wrote; `None` when `buf` is not a FHIR table.
pub fn decode_fhir_table(buf: &[u8]) -> Option<Result<FhirTable>> {
    let body = buf.strip_prefix(TABLE_MAGIC)?;
    Some(decode(body).map(|s| {
        let files = s.groups.into_iter().flatten().collect();
        FhirTable::new(s.kind, files, s.options)
    }))
}

/// Encodes a [`FhirScanExec`] (the physical codec's form, without the wrapped codec). The
/// file groups are not in it: they travel as the scan's input
/// ([`crate::scan::source_list`]), which Ballista slices per task.
pub fn encode_fhir_scan(scan: &FhirScanExec, buf: &mut Vec<u8>) -> Result<()> {
    let p = to_proto(
        scan.kind(),
        &[],
        scan.options(),
        scan.projection(),
        scan.limit(),
    )?;
    encode(SCAN_MAGIC, &p, buf);
    Ok(())
}

/// Decodes what [`encode_fhir_scan`] wrote, over its decoded input `sources`; `None` when
/// `buf` is not a FHIR scan.
pub fn decode_fhir_scan(
    buf: &[u8],
    sources: Arc<dyn ExecutionPlan>,
) -> Option<Result<FhirScanExec>> {
    let body = buf.strip_prefix(SCAN_MAGIC)?;
    Some(decode(body).and_then(|s| {
        FhirScanExec::over_sources(
            s.kind,
            sources,
            s.options,
            s.projection,
            s.limit,
            Arc::default(),
        )
    }))
}

/// The logical extension codec: [`FhirTable`] itself, everything else by the wrapped codec
/// (Ballista's by default).
#[derive(Debug)]
pub struct FhirLogicalCodec {
    inner: Arc<dyn LogicalExtensionCodec>,
}

impl FhirLogicalCodec {
    /// Handles [`FhirTable`] and hands everything else to `inner`.
    pub fn new(inner: Arc<dyn LogicalExtensionCodec>) -> FhirLogicalCodec {
        FhirLogicalCodec { inner }
    }
}

impl Default for FhirLogicalCodec {
    /// Wraps [`BallistaLogicalExtensionCodec`].
    fn default() -> FhirLogicalCodec {
        FhirLogicalCodec::new(Arc::new(BallistaLogicalExtensionCodec::default()))
    }
}

impl LogicalExtensionCodec for FhirLogicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[LogicalPlan],
        ctx: &TaskContext,
    ) -> Result<Extension> {
        self.inner.try_decode(buf, inputs, ctx)
    }

    fn try_encode(&self, node: &Extension, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode(node, buf)
    }

    fn try_decode_table_provider(
        &self,
        buf: &[u8],
        table_ref: &TableReference,
        schema: SchemaRef,
        ctx: &TaskContext,
    ) -> Result<Arc<dyn TableProvider>> {
        match decode_fhir_table(buf) {
            Some(table) => {
                let table = table?;
                let own = table.schema();
                if own.fields() != schema.fields() {
                    return Err(codec_error(format!(
                        "table {table_ref}: the plan's schema differs from this build's {} \
                         schema (client and cluster run different versions?)",
                        table.kind().name()
                    )));
                }
                Ok(Arc::new(table))
            }
            None => self
                .inner
                .try_decode_table_provider(buf, table_ref, schema, ctx),
        }
    }

    fn try_encode_table_provider(
        &self,
        table_ref: &TableReference,
        node: Arc<dyn TableProvider>,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        match node.downcast_ref::<FhirTable>() {
            Some(table) => encode_fhir_table(table, buf),
            None => self.inner.try_encode_table_provider(table_ref, node, buf),
        }
    }

    fn try_decode_file_format(
        &self,
        buf: &[u8],
        ctx: &TaskContext,
    ) -> Result<Arc<dyn FileFormatFactory>> {
        self.inner.try_decode_file_format(buf, ctx)
    }

    fn try_encode_file_format(
        &self,
        buf: &mut Vec<u8>,
        node: Arc<dyn FileFormatFactory>,
    ) -> Result<()> {
        self.inner.try_encode_file_format(buf, node)
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        self.inner.try_decode_udf(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udf(node, buf)
    }

    fn try_decode_higher_order_function(
        &self,
        name: &str,
        buf: &[u8],
    ) -> Result<Arc<HigherOrderUDF>> {
        self.inner.try_decode_higher_order_function(name, buf)
    }

    fn try_encode_higher_order_function(
        &self,
        node: &HigherOrderUDF,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        self.inner.try_encode_higher_order_function(node, buf)
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> Result<Arc<AggregateUDF>> {
        self.inner.try_decode_udaf(name, buf)
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udaf(node, buf)
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> Result<Arc<WindowUDF>> {
        self.inner.try_decode_udwf(name, buf)
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udwf(node, buf)
    }
}

/// The physical extension codec: [`FhirScanExec`] itself, everything else by the wrapped
/// codec (Ballista's by default: shuffle readers and writers …).
#[derive(Debug)]
pub struct FhirPhysicalCodec {
    inner: Arc<dyn PhysicalExtensionCodec>,
}

impl FhirPhysicalCodec {
    /// Handles [`FhirScanExec`] and hands everything else to `inner`.
    pub fn new(inner: Arc<dyn PhysicalExtensionCodec>) -> FhirPhysicalCodec {
        FhirPhysicalCodec { inner }
    }
}

impl Default for FhirPhysicalCodec {
    /// Wraps [`BallistaPhysicalExtensionCodec`].
    fn default() -> FhirPhysicalCodec {
        FhirPhysicalCodec::new(Arc::new(BallistaPhysicalExtensionCodec::default()))
    }
}

impl PhysicalExtensionCodec for FhirPhysicalCodec {
    fn try_decode(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn ExecutionPlan>],
        ctx: &TaskContext,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        if !buf.starts_with(SCAN_MAGIC) {
            return self.inner.try_decode(buf, inputs, ctx, proto_converter);
        }
        let [sources] = inputs else {
            return Err(codec_error(format!(
                "a FHIR scan has one input (its sources), got {}",
                inputs.len()
            )));
        };
        match decode_fhir_scan(buf, Arc::clone(sources)) {
            Some(scan) => Ok(Arc::new(scan?)),
            None => Err(codec_error("not a FHIR scan".into())),
        }
    }

    fn try_encode(
        &self,
        node: Arc<dyn ExecutionPlan>,
        buf: &mut Vec<u8>,
        proto_converter: &dyn PhysicalProtoConverterExtension,
    ) -> Result<()> {
        match node.downcast_ref::<FhirScanExec>() {
            Some(scan) => encode_fhir_scan(scan, buf),
            None => self.inner.try_encode(node, buf, proto_converter),
        }
    }

    fn try_decode_udf(&self, name: &str, buf: &[u8]) -> Result<Arc<ScalarUDF>> {
        self.inner.try_decode_udf(name, buf)
    }

    fn try_encode_udf(&self, node: &ScalarUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udf(node, buf)
    }

    fn try_decode_higher_order_function(
        &self,
        name: &str,
        buf: &[u8],
    ) -> Result<Arc<HigherOrderUDF>> {
        self.inner.try_decode_higher_order_function(name, buf)
    }

    fn try_encode_higher_order_function(
        &self,
        node: &HigherOrderUDF,
        buf: &mut Vec<u8>,
    ) -> Result<()> {
        self.inner.try_encode_higher_order_function(node, buf)
    }

    fn try_decode_expr(
        &self,
        buf: &[u8],
        inputs: &[Arc<dyn PhysicalExpr>],
        ctx: &PhysicalExprDecodeCtx<'_>,
    ) -> Result<Arc<dyn PhysicalExpr>> {
        self.inner.try_decode_expr(buf, inputs, ctx)
    }

    fn try_encode_expr(
        &self,
        node: &Arc<dyn PhysicalExpr>,
        buf: &mut Vec<u8>,
        ctx: &PhysicalExprEncodeCtx<'_>,
    ) -> Result<()> {
        self.inner.try_encode_expr(node, buf, ctx)
    }

    fn try_decode_udaf(&self, name: &str, buf: &[u8]) -> Result<Arc<AggregateUDF>> {
        self.inner.try_decode_udaf(name, buf)
    }

    fn try_encode_udaf(&self, node: &AggregateUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udaf(node, buf)
    }

    fn try_decode_udwf(&self, name: &str, buf: &[u8]) -> Result<Arc<WindowUDF>> {
        self.inner.try_decode_udwf(name, buf)
    }

    fn try_encode_udwf(&self, node: &WindowUDF, buf: &mut Vec<u8>) -> Result<()> {
        self.inner.try_encode_udwf(node, buf)
    }
}
