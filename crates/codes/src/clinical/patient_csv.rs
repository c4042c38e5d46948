//! Reader for the batch CSV `patient_id,code[,poa]`: a header row, then one row per diagnosis,
//! a patient's rows contiguous, the first row of a patient being its principal diagnosis.
//!
//! Bad rows are reported with their line number and skipped; the rest of the file is still read.
//! The reader never panics on any input (fuzz target `comorbidity_csv`).

use std::collections::HashSet;
use std::io::Read;

use super::key::DxKey;
use super::poa::Poa;

/// One diagnosis row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodeRow {
    /// The code as parsed.
    pub code: DxKey,
    /// Its POA indicator (`Missing` when the file has no `poa` column).
    pub poa: Poa,
    /// 1-based line number in the file.
    pub line: u64,
}

/// One patient's rows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PatientCodes {
    /// The `patient_id` value.
    pub patient_id: String,
    /// The principal diagnosis: the patient's first row, or `None` when that row was rejected.
    pub principal: Option<CodeRow>,
    /// The other diagnoses in file order.
    pub secondary: Vec<CodeRow>,
}

impl PatientCodes {
    /// The codes as (key, POA) pairs, principal first if present.
    pub fn keys(&self) -> Vec<(DxKey, Poa)> {
        self.principal
            .iter()
            .chain(self.secondary.iter())
            .map(|r| (r.code, r.poa))
            .collect()
    }
}

/// What went wrong with a row or the file.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PatientCsvErrorKind {
    /// The header is missing or lacks `patient_id` / `code`.
    BadHeader,
    /// The row is not valid CSV or not UTF-8.
    Malformed,
    /// The row has too few fields.
    MissingField,
    /// `patient_id` is empty.
    EmptyPatientId,
    /// The code is not shaped like an ICD-10-CM code.
    BadCode,
    /// The POA value is not Y, N, U, W, 1/E or blank.
    BadPoa,
    /// The patient's rows are not contiguous: this row's patient ended earlier.
    NotContiguous,
    /// Reading failed (I/O).
    Io,
}

/// An error of [`PatientCsvReader`], with the 1-based line it refers to.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {message}")]
pub struct PatientCsvError {
    line: u64,
    kind: PatientCsvErrorKind,
    message: String,
}

impl PatientCsvError {
    fn new(line: u64, kind: PatientCsvErrorKind, message: impl Into<String>) -> Self {
        PatientCsvError {
            line,
            kind,
            message: message.into(),
        }
    }

    /// The kind of error.
    pub fn kind(&self) -> PatientCsvErrorKind {
        self.kind
    }

    /// The 1-based line number.
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// Streaming reader of the patient CSV: yields each patient when its last row is read, and each
/// bad row as an `Err` (then carries on).
///
/// ```
/// use medrec_codes::clinical::PatientCsvReader;
/// let csv = "patient_id,code,poa\np1,I21.4,Y\np1,I50.22,Y\np2,E11.9,\np2,not-a-code,Y\n";
/// let items: Vec<_> = PatientCsvReader::new(csv.as_bytes()).collect();
/// assert_eq!(items.len(), 3); // p1, the bad row (line 5), p2
/// let p1 = items[0].as_ref().unwrap();
/// assert_eq!(p1.secondary.len(), 1);
/// assert_eq!(items[1].as_ref().unwrap_err().line(), 5);
/// ```
pub struct PatientCsvReader<R: Read> {
    inner: csv::Reader<R>,
    header_done: bool,
    header_failed: bool,
    col_id: usize,
    col_code: usize,
    col_poa: Option<usize>,
    current: Option<PatientCodes>,
    /// The current patient's first row was rejected: no principal, later rows are secondary.
    rejected_principal: bool,
    finished: HashSet<String>,
    pending: std::collections::VecDeque<Result<PatientCodes, PatientCsvError>>,
    record: csv::ByteRecord,
    eof: bool,
}

impl<R: Read> PatientCsvReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        let inner = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .trim(csv::Trim::All)
            .from_reader(input);
        PatientCsvReader {
            inner,
            header_done: false,
            header_failed: false,
            col_id: 0,
            col_code: 1,
            col_poa: None,
            current: None,
            rejected_principal: false,
            finished: HashSet::new(),
            pending: std::collections::VecDeque::new(),
            record: csv::ByteRecord::new(),
            eof: false,
        }
    }

    /// Whether the file has a `poa` column (known after the first item).
    pub fn has_poa_column(&self) -> bool {
        self.col_poa.is_some()
    }

    fn line(&self) -> u64 {
        self.record.position().map_or(0, |p| p.line())
    }

    fn read_header(&mut self) -> Result<(), PatientCsvError> {
        self.header_done = true;
        match self.inner.read_byte_record(&mut self.record) {
            Ok(true) => {}
            Ok(false) => {
                return Err(PatientCsvError::new(
                    1,
                    PatientCsvErrorKind::BadHeader,
                    "empty file: expected a header row `patient_id,code[,poa]`",
                ));
            }
            Err(e) => return Err(csv_error(e, 1)),
        }
        let names: Vec<String> = self
            .record
            .iter()
            .map(|f| {
                String::from_utf8_lossy(f)
                    .trim_start_matches('\u{feff}')
                    .trim()
                    .to_ascii_lowercase()
            })
            .collect();
        let find = |n: &str| names.iter().position(|x| x == n);
        match (find("patient_id"), find("code")) {
            (Some(i), Some(c)) => {
                self.col_id = i;
                self.col_code = c;
                self.col_poa = find("poa");
                Ok(())
            }
            _ => Err(PatientCsvError::new(
                self.line().max(1),
                PatientCsvErrorKind::BadHeader,
                format!(
                    "header must name the columns patient_id and code (and optionally poa); found {:?}",
                    names
                ),
            )),
        }
    }

    fn field(&self, i: usize) -> Option<Result<&str, ()>> {
        self.record
            .get(i)
            .map(|b| std::str::from_utf8(b).map_err(|_| ()))
    }

    fn process_row(&mut self) {
        let line = self.line();
        if self.record.len() == 1 && self.record.get(0).is_some_and(|f| f.is_empty()) {
            return; // blank line
        }
        let id = match self.field(self.col_id) {
            Some(Ok(s)) if !s.is_empty() => s.to_string(),
            Some(Ok(_)) => {
                return self.pending.push_back(Err(PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::EmptyPatientId,
                    "empty patient_id",
                )));
            }
            Some(Err(())) => {
                return self.pending.push_back(Err(PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::Malformed,
                    "patient_id is not valid UTF-8",
                )));
            }
            None => {
                return self.pending.push_back(Err(PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::MissingField,
                    "missing patient_id field",
                )));
            }
        };
        // Patient boundary.
        let same = self.current.as_ref().is_some_and(|p| p.patient_id == id);
        if !same {
            if self.finished.contains(&id) {
                return self.pending.push_back(Err(PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::NotContiguous,
                    format!("rows of patient {id:?} are not contiguous; row skipped"),
                )));
            }
            if let Some(done) = self.current.take() {
                self.finished.insert(done.patient_id.clone());
                self.pending.push_back(Ok(done));
            }
            self.rejected_principal = false;
            self.current = Some(PatientCodes {
                patient_id: id,
                principal: None,
                secondary: Vec::new(),
            });
        }
        let first_row = self
            .current
            .as_ref()
            .is_some_and(|p| p.principal.is_none() && p.secondary.is_empty());
        let row = self.parse_code_row(line);
        let cur = match self.current.as_mut() {
            Some(c) => c,
            None => return,
        };
        match row {
            Ok(r) => {
                if first_row && !self.rejected_principal {
                    cur.principal = Some(r);
                } else {
                    cur.secondary.push(r);
                }
            }
            Err(e) => {
                if first_row {
                    self.rejected_principal = true;
                }
                self.pending.push_back(Err(e));
            }
        }
    }

    fn parse_code_row(&self, line: u64) -> Result<CodeRow, PatientCsvError> {
        let code = match self.field(self.col_code) {
            Some(Ok(s)) => s,
            Some(Err(())) => {
                return Err(PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::Malformed,
                    "code is not valid UTF-8",
                ));
            }
            None => {
                return Err(PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::MissingField,
                    "missing code field",
                ));
            }
        };
        let Some(key) = DxKey::parse(code) else {
            return Err(PatientCsvError::new(
                line,
                PatientCsvErrorKind::BadCode,
                format!(
                    "{:?} is not an ICD-10-CM code; row skipped",
                    code.chars().take(40).collect::<String>()
                ),
            ));
        };
        let poa = match self.col_poa.map(|c| self.field(c)) {
            None | Some(None) => Poa::Missing,
            Some(Some(Ok(s))) => Poa::parse(s).ok_or_else(|| {
                PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::BadPoa,
                    format!(
                        "POA {:?} is not Y, N, U, W, 1/E or blank; row skipped",
                        s.chars().take(20).collect::<String>()
                    ),
                )
            })?,
            Some(Some(Err(()))) => {
                return Err(PatientCsvError::new(
                    line,
                    PatientCsvErrorKind::Malformed,
                    "poa is not valid UTF-8",
                ));
            }
        };
        Ok(CodeRow {
            code: key,
            poa,
            line,
        })
    }
}

fn csv_error(e: csv::Error, fallback_line: u64) -> PatientCsvError {
    let line = e.position().map_or(fallback_line, |p| p.line());
    let kind = if matches!(e.kind(), csv::ErrorKind::Io(_)) {
        PatientCsvErrorKind::Io
    } else {
        PatientCsvErrorKind::Malformed
    };
    PatientCsvError::new(line, kind, e.to_string())
}

impl<R: Read> Iterator for PatientCsvReader<R> {
    type Item = Result<PatientCodes, PatientCsvError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(item) = self.pending.pop_front() {
                return Some(item);
            }
            if self.eof || self.header_failed {
                return None;
            }
            if !self.header_done {
                if let Err(e) = self.read_header() {
                    self.header_failed = true;
                    return Some(Err(e));
                }
                continue;
            }
            match self.inner.read_byte_record(&mut self.record) {
                Ok(true) => self.process_row(),
                Ok(false) => {
                    self.eof = true;
                    if let Some(done) = self.current.take() {
                        self.pending.push_back(Ok(done));
                    }
                }
                Err(e) => {
                    let fatal = matches!(e.kind(), csv::ErrorKind::Io(_));
                    let err = csv_error(e, self.line());
                    if fatal {
                        self.eof = true;
                        if let Some(done) = self.current.take() {
                            self.pending.push_back(Ok(done));
                        }
                    }
                    self.pending.push_back(Err(err));
                }
            }
        }
    }
}
