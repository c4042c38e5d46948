//! The disclosure log: an append-only, tamper-evident, crash-safe file of FHIR `AuditEvent`s,
//! from which a patient's accounting of disclosures (45 CFR 164.528) is produced.
//!
//! # Format
//!
//! UTF-8 text, one record per line (newline-delimited JSON):
//!
//! ```text
//! {"seq":1,"prev":"000…000","hash":"9f2c…","entry":{"resourceType":"AuditEvent",…}}
//! ```
//!
//! `hash` = hex SHA-256 of `medrec-disclosure-log/1\n{seq}\n{prev}\n{entry}`, where `{entry}` is
//! the exact bytes of the `entry` JSON as written on the line, and `prev` is the previous
//! record's `hash` (64 zeros for the first). Sequence numbers start at 1 and increase by one.
//! A changed, removed, inserted or reordered record breaks the chain and is reported by
//! [`DisclosureLog::open`] and [`read_log`] with its line number. Truncation at the end cannot
//! be seen from inside the file: keep [`DisclosureLog::head`] somewhere else (a second system,
//! a signed report) and compare with [`LogContents::verify_head`] to detect it.
//!
//! # Crash safety
//!
//! Each record is built in memory and written with one `write_all` to a file opened in append
//! mode, then `fsync`ed (`File::sync_data`) before `append` returns: a returned append survives
//! a crash. A crash mid-write can leave a *torn tail*: a last line without its newline, or with
//! bytes that do not verify. Records are only ever appended, so damage that is followed by
//! no valid record can only be a torn tail: [`DisclosureLog::open`] truncates it (and syncs)
//! before appending, [`read_log`] ignores it and reports its size. Damage followed by a valid
//! record is not a crash artifact, and is an error ([`LogErrorKind::Corrupt`]), never silently
//! dropped.
//!
//! Appends take an exclusive advisory lock on the file (`flock`, on Unix), and pick up records that
//! other processes appended since, so several processes may share one log.

use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;
use sha2::{Digest, Sha256};
use std::fs::{File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

const DOMAIN: &str = "medrec-disclosure-log/1";
/// The `prev` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// Takes the exclusive advisory lock (`flock`) on Unix; elsewhere there is none, and one
/// process at a time must write a log.
#[cfg(unix)]
fn lock_exclusive(f: &File) -> std::io::Result<()> {
    rustix::fs::flock(f, rustix::fs::FlockOperation::LockExclusive).map_err(std::io::Error::from)
}

#[cfg(unix)]
fn unlock(f: &File) {
    let _ = rustix::fs::flock(f, rustix::fs::FlockOperation::Unlock);
}

#[cfg(not(unix))]
fn lock_exclusive(_f: &File) -> std::io::Result<()> {
    Ok(())
}

#[cfg(not(unix))]
fn unlock(_f: &File) {}

/// Where a disclosure log stands: the last record's sequence number and hash.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LogHead {
    /// Sequence number of the last record (0 for an empty log).
    pub seq: u64,
    /// Hash of the last record ([`GENESIS`] for an empty log).
    pub hash: String,
}

impl Default for LogHead {
    fn default() -> LogHead {
        LogHead {
            seq: 0,
            hash: GENESIS.to_string(),
        }
    }
}

/// One verified record of the log.
#[derive(Debug, Clone, PartialEq)]
pub struct LogRecord {
    /// Sequence number (from 1).
    pub seq: u64,
    /// The record's hash.
    pub hash: String,
    /// The `AuditEvent`.
    pub entry: Value,
}

/// An error reading or writing a disclosure log.
#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct LogError {
    kind: LogErrorKind,
    path: PathBuf,
    message: String,
    #[source]
    source: Option<std::io::Error>,
}

/// The kind of a [`LogError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum LogErrorKind {
    /// Reading, writing, locking or syncing the file failed.
    Io,
    /// A record does not verify and valid records follow it: the file was altered or damaged
    /// (not a torn tail).
    Corrupt,
    /// The entry to append is not a FHIR `AuditEvent` object.
    NotAnAuditEvent,
}

impl LogError {
    /// What kind of error this is.
    pub fn kind(&self) -> LogErrorKind {
        self.kind
    }

    fn io(path: &Path, what: &str, e: std::io::Error) -> LogError {
        LogError {
            kind: LogErrorKind::Io,
            path: path.to_path_buf(),
            message: format!("{what}: {e}"),
            source: Some(e),
        }
    }
}

#[derive(Deserialize)]
struct RawRecord<'a> {
    seq: u64,
    prev: &'a str,
    hash: &'a str,
    #[serde(borrow)]
    entry: &'a RawValue,
}

fn record_hash(seq: u64, prev: &str, entry: &str) -> String {
    let mut h = Sha256::new();
    h.update(DOMAIN.as_bytes());
    h.update(b"\n");
    h.update(seq.to_string().as_bytes());
    h.update(b"\n");
    h.update(prev.as_bytes());
    h.update(b"\n");
    h.update(entry.as_bytes());
    let digest = h.finalize();
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// Checks one line (without its newline) as the successor of `head`; `Ok` gives the record.
fn verify_line(line: &[u8], head: &LogHead) -> Result<LogRecord, String> {
    let text = std::str::from_utf8(line).map_err(|_| "not UTF-8".to_string())?;
    let raw: RawRecord<'_> =
        serde_json::from_str(text).map_err(|e| format!("not a log record: {e}"))?;
    self_check(&raw)?;
    if raw.seq != head.seq + 1 {
        return Err(format!(
            "sequence {} follows {} (a record is missing, repeated or out of order)",
            raw.seq, head.seq
        ));
    }
    if raw.prev != head.hash {
        return Err("its `prev` does not match the previous record's hash".to_string());
    }
    let entry: Value = serde_json::from_str(raw.entry.get()).map_err(|e| format!("entry: {e}"))?;
    Ok(LogRecord {
        seq: raw.seq,
        hash: raw.hash.to_string(),
        entry,
    })
}

/// Whether a line is a well-formed record whose own hash is right (chain position aside).
fn self_check(raw: &RawRecord<'_>) -> Result<(), String> {
    if record_hash(raw.seq, raw.prev, raw.entry.get()) != raw.hash {
        return Err("its hash does not match its content (the record was altered)".to_string());
    }
    Ok(())
}

fn is_valid_record(line: &[u8]) -> bool {
    std::str::from_utf8(line)
        .ok()
        .and_then(|t| serde_json::from_str::<RawRecord<'_>>(t).ok())
        .is_some_and(|raw| self_check(&raw).is_ok())
}

/// The verified records of a log and what, if anything, was torn off its end.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogContents {
    /// The records, in order.
    pub records: Vec<LogRecord>,
    /// Bytes after the last valid record that are a torn tail (a crash mid-append); 0 if none.
    pub torn_tail_bytes: u64,
    /// Length of the valid prefix of the file.
    pub valid_len: u64,
}

impl LogContents {
    /// The head after the last valid record.
    pub fn head(&self) -> LogHead {
        self.records
            .last()
            .map(|r| LogHead {
                seq: r.seq,
                hash: r.hash.clone(),
            })
            .unwrap_or_default()
    }

    /// Whether the log still contains a head kept elsewhere (detects truncation and rewriting):
    /// the record with that sequence number has that hash.
    pub fn verify_head(&self, head: &LogHead) -> bool {
        if head.seq == 0 {
            return head.hash == GENESIS;
        }
        self.records
            .get((head.seq - 1) as usize)
            .is_some_and(|r| r.seq == head.seq && r.hash == head.hash)
    }
}

/// Parses and verifies a log's bytes, continuing from `head` at byte `offset`.
fn scan(bytes: &[u8], offset: u64, head: LogHead, path: &Path) -> Result<LogContents, LogError> {
    let mut contents = LogContents {
        records: Vec::new(),
        torn_tail_bytes: 0,
        valid_len: offset,
    };
    let mut head = head;
    let mut pos = 0usize;
    while pos < bytes.len() {
        let end = memchr_newline(&bytes[pos..]);
        let Some(rel) = end else {
            // No newline: an incomplete last record, a torn tail.
            contents.torn_tail_bytes = (bytes.len() - pos) as u64;
            break;
        };
        let line = &bytes[pos..pos + rel];
        match verify_line(line, &head) {
            Ok(rec) => {
                head = LogHead {
                    seq: rec.seq,
                    hash: rec.hash.clone(),
                };
                contents.records.push(rec);
                pos += rel + 1;
                contents.valid_len = offset + pos as u64;
            }
            Err(problem) => {
                // A torn tail only if neither this line nor any later one is a well-formed
                // record: a crash can cut or garble the last write, never forge a record.
                let rest = &bytes[pos + rel + 1..];
                if is_valid_record(line) || rest.split(|b| *b == b'\n').any(is_valid_record) {
                    return Err(LogError {
                        kind: LogErrorKind::Corrupt,
                        path: path.to_path_buf(),
                        message: format!(
                            "record at byte {} (after sequence {}) does not verify: {problem}",
                            offset + pos as u64,
                            head.seq
                        ),
                        source: None,
                    });
                }
                contents.torn_tail_bytes = (bytes.len() - pos) as u64;
                break;
            }
        }
    }
    Ok(contents)
}

fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|c| *c == b'\n')
}

/// Parses and verifies log bytes held in memory (as [`read_log`] does a file): a torn tail is
/// ignored and reported, an altered record is an error. Never panics on any input.
pub fn parse_log(bytes: &[u8]) -> Result<LogContents, LogError> {
    scan(bytes, 0, LogHead::default(), Path::new("<memory>"))
}

/// Reads and verifies a log without changing it (a torn tail is ignored and reported). A
/// missing file is an empty log.
pub fn read_log(path: &Path) -> Result<LogContents, LogError> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
        Err(e) => return Err(LogError::io(path, "read", e)),
    };
    scan(&bytes, 0, LogHead::default(), path)
}

/// An open disclosure log, ready to append.
#[derive(Debug)]
pub struct DisclosureLog {
    path: PathBuf,
    file: File,
    head: LogHead,
    len: u64,
    recovered_bytes: u64,
}

impl DisclosureLog {
    /// Opens (creating if needed) a log, verifies its chain and truncates a torn tail.
    pub fn open(path: impl AsRef<Path>) -> Result<DisclosureLog, LogError> {
        let path = path.as_ref().to_path_buf();
        let existed = path.exists();
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(&path)
            .map_err(|e| LogError::io(&path, "open", e))?;
        if !existed {
            // Make the new file's directory entry durable too.
            if let Some(Ok(d)) = path
                .parent()
                .filter(|d| !d.as_os_str().is_empty())
                .map(File::open)
            {
                let _ = d.sync_all();
            }
        }
        let mut log = DisclosureLog {
            path,
            file,
            head: LogHead::default(),
            len: 0,
            recovered_bytes: 0,
        };
        lock_exclusive(&log.file).map_err(|e| LogError::io(&log.path, "lock", e))?;
        let result = log.catch_up();
        unlock(&log.file);
        result?;
        Ok(log)
    }

    /// Reads records appended since `self.len` (by us before a crash, or by other processes),
    /// verifies them, and truncates a torn tail. Call with the lock held.
    fn catch_up(&mut self) -> Result<Vec<LogRecord>, LogError> {
        let mut bytes = Vec::new();
        self.file
            .seek(SeekFrom::Start(self.len))
            .and_then(|_| self.file.read_to_end(&mut bytes))
            .map_err(|e| LogError::io(&self.path, "read", e))?;
        let contents = scan(&bytes, self.len, self.head.clone(), &self.path)?;
        if contents.torn_tail_bytes > 0 {
            self.file
                .set_len(contents.valid_len)
                .and_then(|_| self.file.sync_all())
                .map_err(|e| LogError::io(&self.path, "truncate torn tail", e))?;
            self.recovered_bytes += contents.torn_tail_bytes;
        }
        if let Some(last) = contents.records.last() {
            self.head = LogHead {
                seq: last.seq,
                hash: last.hash.clone(),
            };
        }
        self.len = contents.valid_len;
        Ok(contents.records)
    }

    /// The current head (sequence number and hash of the last record).
    pub fn head(&self) -> &LogHead {
        &self.head
    }

    /// How many bytes of torn tail were truncated since this log was opened.
    pub fn recovered_bytes(&self) -> u64 {
        self.recovered_bytes
    }

    /// The file path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends an `AuditEvent` and syncs it to disk before returning. Its `id` is set to
    /// `disclosure-{seq}` when it has none. Returns the record written.
    pub fn append(&mut self, audit_event: &Value) -> Result<LogRecord, LogError> {
        if audit_event.get("resourceType").and_then(Value::as_str) != Some("AuditEvent") {
            return Err(LogError {
                kind: LogErrorKind::NotAnAuditEvent,
                path: self.path.clone(),
                message: "only FHIR AuditEvent resources are logged".to_string(),
                source: None,
            });
        }
        lock_exclusive(&self.file).map_err(|e| LogError::io(&self.path, "lock", e))?;
        let result = self.append_locked(audit_event);
        unlock(&self.file);
        result
    }

    fn append_locked(&mut self, audit_event: &Value) -> Result<LogRecord, LogError> {
        let end = self
            .file
            .metadata()
            .map_err(|e| LogError::io(&self.path, "stat", e))?
            .len();
        if end != self.len {
            self.catch_up()?;
        }
        let seq = self.head.seq + 1;
        let mut entry = audit_event.clone();
        if let Value::Object(m) = &mut entry {
            m.entry("id")
                .or_insert_with(|| Value::String(format!("disclosure-{seq}")));
        }
        let entry_text = serde_json::to_string(&entry).map_err(|e| LogError {
            kind: LogErrorKind::NotAnAuditEvent,
            path: self.path.clone(),
            message: format!("entry cannot be serialized: {e}"),
            source: None,
        })?;
        let hash = record_hash(seq, &self.head.hash, &entry_text);
        let mut line = String::with_capacity(entry_text.len() + 180);
        line.push_str(&format!(
            "{{\"seq\":{seq},\"prev\":\"{}\",\"hash\":\"{hash}\",\"entry\":",
            self.head.hash
        ));
        line.push_str(&entry_text);
        line.push_str("}\n");
        self.file
            .write_all(line.as_bytes())
            .and_then(|_| self.file.sync_data())
            .map_err(|e| LogError::io(&self.path, "append", e))?;
        self.len += line.len() as u64;
        self.head = LogHead {
            seq,
            hash: hash.clone(),
        };
        Ok(LogRecord { seq, hash, entry })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn event(n: u64) -> Value {
        json!({"resourceType": "AuditEvent", "recorded": format!("2025-01-01T00:00:{:02}Z", n % 60)})
    }

    #[test]
    fn appends_verify_and_survive_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.ndjson");
        let mut log = DisclosureLog::open(&path).unwrap();
        for n in 0..5 {
            assert_eq!(log.append(&event(n)).unwrap().seq, n + 1);
        }
        let head = log.head().clone();
        drop(log);
        let contents = read_log(&path).unwrap();
        assert_eq!(contents.records.len(), 5);
        assert_eq!(contents.head(), head);
        assert!(contents.verify_head(&head));
        assert_eq!(contents.records[0].entry["id"], "disclosure-1");
        let mut log = DisclosureLog::open(&path).unwrap();
        assert_eq!(log.append(&event(9)).unwrap().seq, 6);
    }

    #[test]
    fn torn_tail_is_ignored_by_readers_and_truncated_by_writers() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.ndjson");
        let mut log = DisclosureLog::open(&path).unwrap();
        log.append(&event(1)).unwrap();
        log.append(&event(2)).unwrap();
        drop(log);
        let good = std::fs::read(&path).unwrap();
        // Every possible cut inside the last record.
        let second_start = good[..good.len() - 1]
            .iter()
            .rposition(|b| *b == b'\n')
            .unwrap()
            + 1;
        for cut in second_start..good.len() {
            std::fs::write(&path, &good[..cut]).unwrap();
            let c = read_log(&path).unwrap();
            assert_eq!(c.records.len(), 1, "cut at {cut}");
            assert_eq!(c.torn_tail_bytes, (cut - second_start) as u64);
            let mut log = DisclosureLog::open(&path).unwrap();
            assert_eq!(log.head().seq, 1);
            assert_eq!(log.append(&event(3)).unwrap().seq, 2);
            assert_eq!(read_log(&path).unwrap().records.len(), 2);
        }
    }

    #[test]
    fn altered_records_are_corruption_not_torn_tails() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("log.ndjson");
        let mut log = DisclosureLog::open(&path).unwrap();
        for n in 0..3 {
            log.append(&event(n)).unwrap();
        }
        drop(log);
        let text = std::fs::read_to_string(&path).unwrap();
        let altered = text.replacen("2025-01-01T00:00:00Z", "2024-01-01T00:00:00Z", 1);
        std::fs::write(&path, &altered).unwrap();
        assert_eq!(read_log(&path).unwrap_err().kind(), LogErrorKind::Corrupt);
        assert_eq!(
            DisclosureLog::open(&path).unwrap_err().kind(),
            LogErrorKind::Corrupt
        );
        // A removed middle record breaks the chain.
        let lines: Vec<&str> = text.lines().collect();
        std::fs::write(&path, format!("{}\n{}\n", lines[0], lines[2])).unwrap();
        assert_eq!(read_log(&path).unwrap_err().kind(), LogErrorKind::Corrupt);
    }
}
