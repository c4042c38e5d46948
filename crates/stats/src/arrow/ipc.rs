//! Arrow IPC files of the tables, written atomically (feature `arrow-ipc`).

use arrow_array::RecordBatch;
use arrow_ipc::writer::FileWriter;
use arrow_schema::SchemaRef;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// What went wrong writing an Arrow IPC file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum IpcExportErrorKind {
    /// Creating, writing, syncing or renaming the file failed.
    Io,
    /// The Arrow IPC encoder failed.
    Arrow,
    /// A batch's columns are not the file's (another table's batch).
    SchemaMismatch,
}

/// An Arrow IPC file could not be written; the target path is left untouched.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct IpcExportError {
    path: PathBuf,
    kind: IpcExportErrorKind,
    message: String,
}

impl IpcExportError {
    fn new(path: &Path, kind: IpcExportErrorKind, message: impl ToString) -> IpcExportError {
        IpcExportError {
            path: path.to_path_buf(),
            kind,
            message: message.to_string(),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> IpcExportErrorKind {
        self.kind
    }

    /// What went wrong, without the path.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The file that was being written.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Writes one table as an Arrow IPC file (the "Feather v2" file format) batch by batch, into a
/// temporary file beside the target that [`IpcFileWriter::finish`] renames over it: readers never
/// see a partial file, and a writer dropped without `finish` leaves no trace.
///
/// ```
/// use medrec_stats::arrow::{IpcFileWriter, StayTables, Table, TableOptions};
/// use medrec_stats::{EncounterClass, Stay};
/// use jiff::tz::TimeZone;
///
/// let dir = std::env::temp_dir().join(format!("medrec-ipc-doc-{}", std::process::id()));
/// std::fs::create_dir_all(&dir)?;
/// let options = TableOptions::new(TimeZone::UTC);
/// let mut tables = StayTables::new(&options);
/// let path = dir.join("encounters.arrow");
/// let mut file = IpcFileWriter::create(&path, tables.schema(Table::Encounters))?;
/// let stay = Stay::new("p1", "e1", EncounterClass::Inpatient,
///     "2024-03-04T10:00:00Z".parse()?, None);
/// let mut batches = tables.push(&stay);
/// batches.extend(tables.finish());
/// for b in batches.iter().filter(|b| b.table == Table::Encounters) {
///     file.write(&b.batch)?;
/// }
/// assert_eq!(file.finish()?, 1);
/// assert!(path.exists());
/// # std::fs::remove_dir_all(&dir)?;
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub struct IpcFileWriter {
    path: PathBuf,
    writer: FileWriter<BufWriter<tempfile::NamedTempFile>>,
    schema: SchemaRef,
    rows: u64,
}

impl std::fmt::Debug for IpcFileWriter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("IpcFileWriter")
            .field("path", &self.path)
            .field("rows", &self.rows)
            .finish_non_exhaustive()
    }
}

impl IpcFileWriter {
    /// Starts a file at `path` (its directory must exist) with the table's schema.
    pub fn create(path: &Path, schema: SchemaRef) -> Result<IpcFileWriter, IpcExportError> {
        let dir = match path.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let temp = tempfile::Builder::new()
            .prefix(".medrec-arrow-")
            .suffix(".tmp")
            .tempfile_in(dir)
            .map_err(|e| IpcExportError::new(path, IpcExportErrorKind::Io, e))?;
        let writer = FileWriter::try_new(BufWriter::new(temp), &schema)
            .map_err(|e| IpcExportError::new(path, IpcExportErrorKind::Arrow, e))?;
        Ok(IpcFileWriter {
            path: path.to_path_buf(),
            writer,
            schema,
            rows: 0,
        })
    }

    /// Appends a batch (its schema must be the file's).
    pub fn write(&mut self, batch: &RecordBatch) -> Result<(), IpcExportError> {
        if batch.schema_ref().fields() != self.schema.fields() {
            return Err(IpcExportError::new(
                &self.path,
                IpcExportErrorKind::SchemaMismatch,
                format!(
                    "batch columns {:?} are not the file's",
                    batch
                        .schema_ref()
                        .fields()
                        .iter()
                        .map(|f| f.name().as_str())
                        .collect::<Vec<_>>()
                ),
            ));
        }
        self.writer
            .write(batch)
            .map_err(|e| IpcExportError::new(&self.path, IpcExportErrorKind::Arrow, e))?;
        self.rows += batch.num_rows() as u64;
        Ok(())
    }

    /// Writes the footer, syncs and renames the file into place; returns the rows written.
    pub fn finish(mut self) -> Result<u64, IpcExportError> {
        let path = self.path.clone();
        let io = |e: &dyn std::fmt::Display| IpcExportError::new(&path, IpcExportErrorKind::Io, e);
        self.writer
            .finish()
            .map_err(|e| IpcExportError::new(&path, IpcExportErrorKind::Arrow, e))?;
        let temp = self
            .writer
            .into_inner()
            .map_err(|e| io(&e))?
            .into_inner()
            .map_err(|e| io(&e.into_error()))?;
        temp.as_file().sync_all().map_err(|e| io(&e))?;
        temp.persist(&path).map_err(|e| io(&e.error))?;
        Ok(self.rows)
    }
}
