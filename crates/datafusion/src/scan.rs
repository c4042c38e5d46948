//! The streaming scan of a [`FhirTable`](crate::tables::FhirTable): FHIR sources read during
//! execution, partition by partition, batch by batch.
//!
//! Each output partition owns a group of sources (the table provider deals them round robin).
//! Executing a partition starts one blocking task that reads its sources one after the other
//! (`medrec-model` parse, then the table's builder) and sends every batch as soon as it holds
//! the session's batch size (`datafusion.execution.batch_size`) down a channel of
//! [`CHANNEL_BATCHES`] batches. The consumer's pace bounds the reading: memory per partition is
//! one source's parsed record plus a few batches, whatever the size of the table. Dropping the
//! stream (a finished `LIMIT`, a cancelled query) stops the task at its next batch.

use datafusion::arrow::array::{ArrayRef, AsArray, BinaryArray, RecordBatch};
use datafusion::arrow::datatypes::{DataType, Field, Schema, SchemaRef};
use datafusion::common::tree_node::TreeNodeRecursion;
use datafusion::datasource::memory::MemorySourceConfig;
use datafusion::datasource::source::DataSourceExec;
use datafusion::error::{DataFusionError, Result};
use datafusion::execution::{SendableRecordBatchStream, TaskContext};
use datafusion::physical_expr::{EquivalenceProperties, PhysicalExpr};
use datafusion::physical_plan::execution_plan::{Boundedness, EmissionType};
use datafusion::physical_plan::metrics::{ExecutionPlanMetricsSet, MetricBuilder, MetricsSet};
use datafusion::physical_plan::stream::RecordBatchReceiverStreamBuilder;
use datafusion::physical_plan::{
    ChildrenPropertiesMode, DisplayAs, DisplayFormatType, ExecutionPlan, Partitioning,
    PlanProperties, ReplaceChildrenOptions,
};
use medrec_stats::fhir::FhirReadOptions;
use std::any::Any;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::claims::ClaimTableBuilder;
use crate::columns::{ResourceTable, ResourceTableBuilder};
use crate::patients::PatientTableBuilder;
use crate::tables::{
    FhirReadProblem, FhirTableKind, StayTableBuilder, read_fhir_record, read_fhir_stays,
};

/// Batches a partition may have sent and not yet had taken (the read-ahead).
pub const CHANNEL_BATCHES: usize = 2;

/// Reads sources into one table's batches (projected), handing each batch to a sink.
///
/// One lives per executing partition, so the variants' size difference does not matter.
#[allow(clippy::large_enum_variant)]
enum PartitionReader {
    Stays {
        builder: StayTableBuilder,
        projection: Option<Vec<usize>>,
    },
    Patients(PatientTableBuilder),
    Claims(ClaimTableBuilder),
}

/// Where batches go; `false` = stop reading (the consumer is gone or the limit is reached).
type Sink<'a> = dyn FnMut(RecordBatch) -> bool + 'a;

impl PartitionReader {
    fn new(
        kind: FhirTableKind,
        options: &FhirReadOptions,
        projection: Option<&[usize]>,
        batch_rows: usize,
    ) -> Result<PartitionReader> {
        let tz = &options.time_zone;
        Ok(match kind {
            FhirTableKind::Stay(t) => PartitionReader::Stays {
                builder: StayTableBuilder::new(t, tz, batch_rows),
                projection: projection.map(<[usize]>::to_vec),
            },
            FhirTableKind::Patients => {
                PartitionReader::Patients(PatientTableBuilder::new(tz, projection, batch_rows)?)
            }
            FhirTableKind::Claims => {
                PartitionReader::Claims(ClaimTableBuilder::new(tz, projection, batch_rows)?)
            }
        })
    }

    fn project(projection: &Option<Vec<usize>>, b: RecordBatch) -> Result<RecordBatch> {
        match projection {
            Some(p) => Ok(b.project(p)?),
            None => Ok(b),
        }
    }

    /// Reads one source; `Ok(false)` when the sink asked to stop.
    fn read(
        &mut self,
        path: &Path,
        options: &FhirReadOptions,
        problems: &mut Vec<FhirReadProblem>,
        sink: &mut Sink<'_>,
    ) -> Result<bool> {
        match self {
            PartitionReader::Stays {
                builder,
                projection,
            } => {
                let (stays, p) =
                    read_fhir_stays(path, options).map_err(|e| source_error(path, e))?;
                problems.extend(p);
                let mut out = Vec::new();
                for s in &stays {
                    builder.push(s, &mut out);
                    for b in out.drain(..) {
                        if !sink(Self::project(projection, b)?) {
                            return Ok(false);
                        }
                    }
                }
            }
            PartitionReader::Patients(builder) => {
                return read_resources(builder, path, problems, sink);
            }
            PartitionReader::Claims(builder) => {
                return read_resources(builder, path, problems, sink);
            }
        }
        Ok(true)
    }

    /// Hands on the last, partial batch.
    fn finish(&mut self, sink: &mut Sink<'_>) -> Result<()> {
        let mut out = Vec::new();
        match self {
            PartitionReader::Stays {
                builder,
                projection,
            } => {
                builder.finish(&mut out);
                for b in out.drain(..) {
                    if !sink(Self::project(projection, b)?) {
                        break;
                    }
                }
                return Ok(());
            }
            PartitionReader::Patients(b) => b.finish(&mut out)?,
            PartitionReader::Claims(b) => b.finish(&mut out)?,
        }
        for b in out {
            if !sink(b) {
                break;
            }
        }
        Ok(())
    }
}

/// Reads one source into a resource table's builder; `Ok(false)` when the sink asked to stop.
fn read_resources<T: ResourceTable>(
    builder: &mut ResourceTableBuilder<T>,
    path: &Path,
    problems: &mut Vec<FhirReadProblem>,
    sink: &mut Sink<'_>,
) -> Result<bool> {
    let (record, p) = read_fhir_record(path).map_err(|e| source_error(path, e))?;
    problems.extend(p);
    match record {
        Some(r) => builder.push_record_into(&r, sink),
        None => Ok(true),
    }
}

fn source_error(path: &Path, e: std::io::Error) -> DataFusionError {
    DataFusionError::Execution(format!("{}: {e}", path.display()))
}

/// The physical scan of a [`FhirTable`](crate::tables::FhirTable): one output partition per
/// group of sources, read during execution (see the module docs).
///
/// The groups themselves are data: the scan's one input is a small in-memory source
/// ([`source_list`]) with one partition per group, holding that group's paths. A plan that
/// slices partitions — Ballista's scheduler gives each task only its share of a stage's
/// partitions by restricting the stage's leaves, and knows how to restrict an in-memory
/// source but not a custom leaf — thereby hands each task exactly its groups, and the scan
/// rebuilds itself over the sliced input ([`ExecutionPlan::with_new_children`]). The input is
/// never executed; the scan reads the paths when it is built.
///
/// Ships to Ballista executors through [`crate::codec::FhirPhysicalCodec`] (feature
/// `ballista`): the table, the projection, the limit and the read options travel with the
/// node, the source list as its input; every executor reads the files at the same paths
/// (shared storage).
#[derive(Debug)]
pub struct FhirScanExec {
    kind: FhirTableKind,
    sources: Arc<dyn ExecutionPlan>,
    file_groups: Vec<Vec<PathBuf>>,
    options: FhirReadOptions,
    projection: Option<Vec<usize>>,
    limit: Option<usize>,
    problems: Arc<Mutex<Vec<FhirReadProblem>>>,
    metrics: ExecutionPlanMetricsSet,
    properties: Arc<PlanProperties>,
}

/// The column of a [`source_list`]: one path per row (the OS string's bytes on Unix).
pub const SOURCE_COLUMN: &str = "source";

fn source_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new(
        SOURCE_COLUMN,
        DataType::Binary,
        false,
    )]))
}

/// A path as bytes (the OS string's bytes on Unix, so any path travels; UTF-8 elsewhere).
#[cfg(unix)]
pub(crate) fn path_bytes(p: &Path) -> Result<&[u8]> {
    use std::os::unix::ffi::OsStrExt;
    Ok(p.as_os_str().as_bytes())
}

/// A path as bytes (the OS string's bytes on Unix, so any path travels; UTF-8 elsewhere).
#[cfg(not(unix))]
pub(crate) fn path_bytes(p: &Path) -> Result<&[u8]> {
    p.to_str().map(str::as_bytes).ok_or_else(|| {
        DataFusionError::Plan(format!("{}: a FHIR source path must be UTF-8", p.display()))
    })
}

/// The path [`path_bytes`] gave.
#[cfg(unix)]
pub(crate) fn bytes_path(b: &[u8]) -> Result<PathBuf> {
    use std::os::unix::ffi::OsStrExt;
    Ok(PathBuf::from(std::ffi::OsStr::from_bytes(b)))
}

/// The path [`path_bytes`] gave.
#[cfg(not(unix))]
pub(crate) fn bytes_path(b: &[u8]) -> Result<PathBuf> {
    std::str::from_utf8(b)
        .map(PathBuf::from)
        .map_err(|e| DataFusionError::Internal(format!("a FHIR source path: {e}")))
}

/// The in-memory input of a [`FhirScanExec`]: one partition per group, holding one batch of
/// the group's paths (column [`SOURCE_COLUMN`]; no batch for an empty group).
pub fn source_list(file_groups: &[Vec<PathBuf>]) -> Result<Arc<dyn ExecutionPlan>> {
    let schema = source_schema();
    let partitions = file_groups
        .iter()
        .map(|g| {
            if g.is_empty() {
                return Ok(Vec::new());
            }
            let paths = g
                .iter()
                .map(|p| path_bytes(p))
                .collect::<Result<Vec<_>>>()?;
            let column: ArrayRef = Arc::new(BinaryArray::from_iter_values(paths));
            Ok(vec![RecordBatch::try_new(
                Arc::clone(&schema),
                vec![column],
            )?])
        })
        .collect::<Result<Vec<_>>>()?;
    let config = MemorySourceConfig::try_new(&partitions, schema, None)?;
    Ok(DataSourceExec::from_data_source(config))
}

/// The groups of paths a [`source_list`] (possibly sliced) holds, one per partition.
fn groups_of(sources: &Arc<dyn ExecutionPlan>) -> Result<Vec<Vec<PathBuf>>> {
    let not_a_list = || {
        DataFusionError::Internal(format!(
            "FhirScanExec's input must be its in-memory source list, not {}",
            sources.name()
        ))
    };
    let exec = sources
        .downcast_ref::<DataSourceExec>()
        .ok_or_else(not_a_list)?;
    let source: &dyn Any = exec.data_source().as_ref();
    let memory = source
        .downcast_ref::<MemorySourceConfig>()
        .ok_or_else(not_a_list)?;
    memory
        .partitions()
        .iter()
        .map(|batches| {
            let mut group = Vec::new();
            for b in batches {
                let column = b
                    .column_by_name(SOURCE_COLUMN)
                    .and_then(|c| c.as_binary_opt::<i32>())
                    .ok_or_else(not_a_list)?;
                for v in column.iter().flatten() {
                    group.push(bytes_path(v)?);
                }
            }
            Ok(group)
        })
        .collect()
}

impl FhirScanExec {
    /// A scan of `kind` over `file_groups` (one output partition each; at least one partition),
    /// with the columns `projection` (indices into the table's schema), stopping each partition
    /// after `limit` rows; problems met while reading are appended to `problems`.
    pub fn try_new(
        kind: FhirTableKind,
        mut file_groups: Vec<Vec<PathBuf>>,
        options: FhirReadOptions,
        projection: Option<Vec<usize>>,
        limit: Option<usize>,
        problems: Arc<Mutex<Vec<FhirReadProblem>>>,
    ) -> Result<FhirScanExec> {
        if file_groups.is_empty() {
            file_groups.push(Vec::new());
        }
        let sources = source_list(&file_groups)?;
        Self::over_sources(kind, sources, options, projection, limit, problems)
    }

    /// A scan of `kind` over a [`source_list`] (one output partition per partition of
    /// `sources`, which may be none); otherwise as [`FhirScanExec::try_new`].
    pub fn over_sources(
        kind: FhirTableKind,
        sources: Arc<dyn ExecutionPlan>,
        options: FhirReadOptions,
        projection: Option<Vec<usize>>,
        limit: Option<usize>,
        problems: Arc<Mutex<Vec<FhirReadProblem>>>,
    ) -> Result<FhirScanExec> {
        let file_groups = groups_of(&sources)?;
        let full = kind.schema(&options.time_zone);
        let schema: SchemaRef = match &projection {
            Some(p) => Arc::new(full.project(p)?),
            None => full,
        };
        let properties = PlanProperties::new(
            EquivalenceProperties::new(schema),
            Partitioning::UnknownPartitioning(file_groups.len()),
            EmissionType::Incremental,
            Boundedness::Bounded,
        );
        Ok(FhirScanExec {
            kind,
            sources,
            file_groups,
            options,
            projection,
            limit,
            problems,
            metrics: ExecutionPlanMetricsSet::new(),
            properties: Arc::new(properties),
        })
    }

    /// The sources of each output partition.
    pub fn file_groups(&self) -> &[Vec<PathBuf>] {
        &self.file_groups
    }

    /// The table scanned.
    pub fn kind(&self) -> FhirTableKind {
        self.kind
    }

    /// How the sources are read (the facility time zone, CCSR groups).
    pub fn options(&self) -> &FhirReadOptions {
        &self.options
    }

    /// The columns read (indices into the table's full schema; `None` = all).
    pub fn projection(&self) -> Option<&[usize]> {
        self.projection.as_deref()
    }

    /// The rows each partition stops after (`None` = all).
    pub fn limit(&self) -> Option<usize> {
        self.limit
    }

    /// Problems met by this plan's partitions so far (bad lines, encounters that are not
    /// stays). A scan decoded on a Ballista executor collects its own, which stay there.
    pub fn problems(&self) -> Vec<FhirReadProblem> {
        self.problems.lock().map(|p| p.clone()).unwrap_or_default()
    }
}

impl DisplayAs for FhirScanExec {
    fn fmt_as(&self, t: DisplayFormatType, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let files: usize = self.file_groups.iter().map(Vec::len).sum();
        let columns: Vec<String> = ExecutionPlan::schema(self)
            .fields()
            .iter()
            .map(|c| c.name().clone())
            .collect();
        match t {
            DisplayFormatType::Default | DisplayFormatType::Verbose => {
                write!(
                    f,
                    "FhirScanExec: table={}, sources={files}, partitions={}, projection=[{}]",
                    self.kind.name(),
                    self.file_groups.len(),
                    columns.join(", ")
                )?;
                if let Some(l) = self.limit {
                    write!(f, ", limit={l}")?;
                }
                Ok(())
            }
            DisplayFormatType::TreeRender => {
                writeln!(f, "table={}", self.kind.name())?;
                write!(f, "sources={files}")
            }
        }
    }
}

impl ExecutionPlan for FhirScanExec {
    fn name(&self) -> &str {
        "FhirScanExec"
    }

    fn properties(&self) -> &Arc<PlanProperties> {
        &self.properties
    }

    fn children(&self) -> Vec<&Arc<dyn ExecutionPlan>> {
        vec![&self.sources]
    }

    /// Per partition: `sources_read`, `read_problems` (bad lines, encounters that are not
    /// stays) and `output_rows`. They reach `EXPLAIN ANALYZE` in one process and the stage
    /// metrics of a Ballista job, where the problems themselves stay on the executor.
    fn metrics(&self) -> Option<MetricsSet> {
        Some(self.metrics.clone_inner())
    }

    /// The input is the list of sources, not rows to spread: repartitioning it would only
    /// move paths around.
    fn benefits_from_input_partitioning(&self) -> Vec<bool> {
        vec![false]
    }

    fn apply_expressions(
        &self,
        _f: &mut dyn FnMut(&Arc<dyn PhysicalExpr>) -> Result<TreeNodeRecursion>,
    ) -> Result<TreeNodeRecursion> {
        Ok(TreeNodeRecursion::Continue)
    }

    fn replace_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
        _options: ReplaceChildrenOptions,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        let [sources] = <[_; 1]>::try_from(children).map_err(|c| {
            DataFusionError::Internal(format!("FhirScanExec has one input, got {}", c.len()))
        })?;
        if Arc::ptr_eq(&sources, &self.sources) {
            return Ok(self);
        }
        Ok(Arc::new(FhirScanExec::over_sources(
            self.kind,
            sources,
            self.options.clone(),
            self.projection.clone(),
            self.limit,
            Arc::clone(&self.problems),
        )?))
    }

    fn with_new_children(
        self: Arc<Self>,
        children: Vec<Arc<dyn ExecutionPlan>>,
    ) -> Result<Arc<dyn ExecutionPlan>> {
        self.replace_children(
            children,
            ReplaceChildrenOptions::new(ChildrenPropertiesMode::Recompute),
        )
    }

    fn execute(
        &self,
        partition: usize,
        context: Arc<TaskContext>,
    ) -> Result<SendableRecordBatchStream> {
        let Some(files) = self.file_groups.get(partition).cloned() else {
            return Err(DataFusionError::Internal(format!(
                "FhirScanExec has {} partitions, asked for {partition}",
                self.file_groups.len()
            )));
        };
        let batch_rows = context.session_config().batch_size();
        let mut reader = PartitionReader::new(
            self.kind,
            &self.options,
            self.projection.as_deref(),
            batch_rows,
        )?;
        let options = self.options.clone();
        let problems = Arc::clone(&self.problems);
        let limit = self.limit.unwrap_or(usize::MAX);
        let sources_read = MetricBuilder::new(&self.metrics).counter("sources_read", partition);
        let read_problems = MetricBuilder::new(&self.metrics).counter("read_problems", partition);
        let output_rows = MetricBuilder::new(&self.metrics).output_rows(partition);
        let mut builder = RecordBatchReceiverStreamBuilder::new(self.schema(), CHANNEL_BATCHES);
        let tx = builder.tx();
        builder.spawn_blocking(move || {
            let mut rows = 0usize;
            let mut sink = |b: RecordBatch| {
                rows += b.num_rows();
                output_rows.add(b.num_rows());
                // A send error: the stream was dropped, nobody wants more.
                tx.blocking_send(Ok(b)).is_ok() && rows < limit
            };
            let mut found = Vec::new();
            let mut more = true;
            for f in &files {
                let read = reader.read(f, &options, &mut found, &mut sink);
                sources_read.add(1);
                read_problems.add(found.len());
                if !found.is_empty() {
                    if let Ok(mut all) = problems.lock() {
                        all.append(&mut found);
                    }
                }
                if !read? {
                    more = false;
                    break;
                }
            }
            if more {
                reader.finish(&mut sink)?;
            }
            Ok(())
        });
        Ok(builder.build())
    }
}
