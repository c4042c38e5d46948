//! Reading FHIR JSON: single resources ([`parse_resource`], strict or lenient), Bulk Data NDJSON
//! streams ([`NdjsonReader`]) and Bundles one entry at a time ([`read_bundle_entries`]); gzip
//! input is detected and decompressed ([`open`], [`gunzip_if_needed`]).
//!
//! **Lenient** (the default, and what `serde_json::from_slice::<Resource>` does) keeps elements
//! FHIR R4 does not define, verbatim, so nothing is lost. **Strict** rejects them. Both reject
//! wrong JSON types (an object where an array belongs, a string for a boolean …), duplicate
//! elements and malformed JSON, with the JSON path and line/column of the problem.

use crate::Resource;
use crate::de::{self, reset_error_state, take_error_state, with_strict};
use crate::resources::{Bundle, BundleEntry};
use crate::validate::{Issue, IssueKind, Severity};
use serde::Deserializer as _;
use serde::de::{DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::ControlFlow;
use std::path::Path;

/// How to treat elements FHIR R4 does not define.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Keep unknown elements verbatim (nothing is lost).
    #[default]
    Lenient,
    /// Reject unknown elements.
    Strict,
}

/// What went wrong in [`parse_resource`] (and per line/entry in the streaming readers).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ParseErrorKind {
    /// Not well-formed JSON.
    Syntax,
    /// The input ends in the middle of a value (truncated).
    Truncated,
    /// An element FHIR R4 does not define (strict mode only).
    UnknownElement,
    /// Well-formed JSON that is not a valid resource: wrong JSON type for an element, a repeated
    /// element, a missing or mistyped `resourceType`, a decimal that is not a number …
    Invalid,
    /// Reading the input failed.
    Io,
}

/// A resource could not be read: what, where (JSON path, line, column).
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message} at {path} (line {line}, column {column})")]
pub struct ParseError {
    kind: ParseErrorKind,
    path: String,
    line: usize,
    column: usize,
    message: String,
}

impl ParseError {
    /// What kind of problem.
    pub fn kind(&self) -> ParseErrorKind {
        self.kind
    }
    /// JSON path of the element where it happened (`$.entry[3].resource.status`; `$` for the
    /// top level).
    pub fn path(&self) -> &str {
        &self.path
    }
    /// 1-based line (0 when unknown).
    pub fn line(&self) -> usize {
        self.line
    }
    /// 1-based column (0 when unknown).
    pub fn column(&self) -> usize {
        self.column
    }
    /// The message, without position.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The error as a validation issue.
    pub fn to_issue(&self) -> Issue {
        Issue {
            severity: Severity::Error,
            kind: if self.kind == ParseErrorKind::UnknownElement {
                IssueKind::UnknownElement
            } else {
                IssueKind::Structure
            },
            path: self.path.clone(),
            message: self.message.clone(),
            position: (self.line > 0).then_some((self.line, self.column)),
        }
    }

    fn from_json(e: serde_json::Error) -> ParseError {
        use serde_json::error::Category;
        let (path, unknown) = take_error_state();
        let kind = match e.classify() {
            Category::Io => ParseErrorKind::Io,
            Category::Syntax => ParseErrorKind::Syntax,
            Category::Eof => ParseErrorKind::Truncated,
            Category::Data if unknown => ParseErrorKind::UnknownElement,
            Category::Data => ParseErrorKind::Invalid,
        };
        let full = e.to_string();
        // serde_json appends " at line L column C"; keep the message without it.
        let message = match full.rfind(" at line ") {
            Some(i) => full[..i].to_string(),
            None => full,
        };
        ParseError {
            kind,
            path,
            line: e.line(),
            column: e.column(),
            message,
        }
    }
}

fn run<T>(mode: Mode, f: impl FnOnce() -> Result<T, serde_json::Error>) -> Result<T, ParseError> {
    reset_error_state();
    with_strict(mode == Mode::Strict, f).map_err(ParseError::from_json)
}

/// Reads one resource (lenient: unknown elements kept).
pub fn parse_resource(bytes: &[u8]) -> Result<Resource, ParseError> {
    parse_resource_with(bytes, Mode::Lenient)
}

/// Reads one resource, rejecting unknown elements.
pub fn parse_resource_strict(bytes: &[u8]) -> Result<Resource, ParseError> {
    parse_resource_with(bytes, Mode::Strict)
}

/// Reads one resource in the given mode.
pub fn parse_resource_with(bytes: &[u8], mode: Mode) -> Result<Resource, ParseError> {
    run(mode, || serde_json::from_slice(bytes))
}

/// Reads any typed value (a resource struct such as `Encounter`, or a datatype) in the given mode.
pub fn parse_as<T: serde::de::DeserializeOwned>(bytes: &[u8], mode: Mode) -> Result<T, ParseError> {
    run(mode, || serde_json::from_slice(bytes))
}

/// Reads then validates: parse problems (malformed JSON, wrong types, max cardinality) and
/// structural problems ([`crate::validate`]) as one list of issues. Unknown elements are reported
/// one issue each.
pub fn validate_json(bytes: &[u8]) -> Vec<Issue> {
    match parse_resource(bytes) {
        Ok(r) => r.validate(),
        Err(e) => vec![e.to_issue()],
    }
}

/// Decompresses gzip data (recognised by its magic bytes); other data is returned as-is.
pub fn gunzip_if_needed(bytes: &[u8]) -> io::Result<Cow<'_, [u8]>> {
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let mut out = Vec::with_capacity(bytes.len() * 8);
        flate2::read::MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
        Ok(Cow::Owned(out))
    } else {
        Ok(Cow::Borrowed(bytes))
    }
}

/// Opens a file for streaming, decompressing gzip (recognised by its magic bytes, whatever the
/// file name).
pub fn open(path: &Path) -> io::Result<Box<dyn BufRead + Send>> {
    let file = std::fs::File::open(path)?;
    reader(file)
}

/// Wraps any reader for streaming, decompressing gzip when the data starts with its magic bytes.
pub fn reader<R: Read + Send + 'static>(inner: R) -> io::Result<Box<dyn BufRead + Send>> {
    let mut buf = BufReader::with_capacity(64 * 1024, inner);
    let head = buf.fill_buf()?;
    if head.starts_with(&[0x1f, 0x8b]) {
        Ok(Box::new(BufReader::with_capacity(
            64 * 1024,
            flate2::bufread::MultiGzDecoder::new(buf),
        )))
    } else {
        Ok(Box::new(buf))
    }
}

// ---------------------------------------------------------------------------------------------
// NDJSON

/// A problem on one line of an NDJSON stream.
#[derive(Debug, thiserror::Error)]
#[error("line {line}: {source}")]
pub struct NdjsonError {
    line: usize,
    #[source]
    source: ParseError,
}

impl NdjsonError {
    /// What kind of problem (an I/O error ends the stream; the others only skip their line).
    pub fn kind(&self) -> ParseErrorKind {
        self.source.kind
    }
    /// 1-based line number in the stream.
    pub fn line(&self) -> usize {
        self.line
    }
    /// The parse error of that line (its line/column are within the line: line 1).
    pub fn parse_error(&self) -> &ParseError {
        &self.source
    }
}

/// Reads FHIR Bulk Data NDJSON (one resource per line) one resource at a time. A bad line yields
/// an error and the stream goes on with the next line; memory is bounded by the longest line
/// (one reused buffer). Blank lines are skipped. An I/O error is yielded once and ends the stream.
pub struct NdjsonReader<R> {
    reader: R,
    buf: Vec<u8>,
    line: usize,
    mode: Mode,
    done: bool,
}

impl<R: BufRead> NdjsonReader<R> {
    /// A lenient reader.
    pub fn new(reader: R) -> Self {
        NdjsonReader {
            reader,
            buf: Vec::with_capacity(8 * 1024),
            line: 0,
            mode: Mode::Lenient,
            done: false,
        }
    }
    /// A reader in the given mode.
    pub fn with_mode(reader: R, mode: Mode) -> Self {
        NdjsonReader {
            mode,
            ..NdjsonReader::new(reader)
        }
    }
    /// The number of the line read last (1-based).
    pub fn line(&self) -> usize {
        self.line
    }
    /// The capacity of the line buffer (the longest line so far, roughly).
    pub fn buffer_capacity(&self) -> usize {
        self.buf.capacity()
    }
}

impl<R: BufRead> Iterator for NdjsonReader<R> {
    type Item = Result<Resource, NdjsonError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if self.done {
                return None;
            }
            self.buf.clear();
            match self.reader.read_until(b'\n', &mut self.buf) {
                Ok(0) => {
                    self.done = true;
                    return None;
                }
                Ok(_) => {}
                Err(e) => {
                    self.done = true;
                    self.line += 1;
                    let source = ParseError {
                        kind: ParseErrorKind::Io,
                        path: "$".into(),
                        line: 0,
                        column: 0,
                        message: e.to_string(),
                    };
                    return Some(Err(NdjsonError {
                        line: self.line,
                        source,
                    }));
                }
            }
            self.line += 1;
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let line = self.line;
            return Some(
                parse_resource_with(&self.buf, self.mode)
                    .map_err(|source| NdjsonError { line, source }),
            );
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Bundles, entry by entry

/// A Bundle could not be streamed.
#[derive(Debug, thiserror::Error)]
#[error("bundle entry {entry:?}: {source}")]
pub struct BundleReadError {
    entry: Option<usize>,
    #[source]
    source: ParseError,
}

impl BundleReadError {
    /// What kind of problem.
    pub fn kind(&self) -> ParseErrorKind {
        self.source.kind
    }
    /// The 0-based index of the entry being read, if the problem is inside `entry`.
    pub fn entry(&self) -> Option<usize> {
        self.entry
    }
    /// The underlying parse error (JSON path, line, column).
    pub fn parse_error(&self) -> &ParseError {
        &self.source
    }
}

/// Streams a Bundle: calls `on_entry` with each entry as soon as it is read (memory bounded by
/// the largest entry), and returns the Bundle's other elements (`type`, `timestamp`, `link` …)
/// with an empty `entry`. `on_entry` may stop early with `ControlFlow::Break`. A malformed entry
/// stops the stream (JSON cannot be resynchronised inside a document): the error says which
/// entry and where. Gzip is detected.
pub fn read_bundle_entries<R: Read + Send + 'static>(
    input: R,
    mode: Mode,
    mut on_entry: impl FnMut(BundleEntry) -> ControlFlow<()>,
) -> Result<Bundle, BundleReadError> {
    let io_err = |e: io::Error| BundleReadError {
        entry: None,
        source: ParseError {
            kind: ParseErrorKind::Io,
            path: "$".into(),
            line: 0,
            column: 0,
            message: e.to_string(),
        },
    };
    let reader = reader(input).map_err(io_err)?;
    let mut current: Option<usize> = None;
    let result = run(mode, || {
        let mut d = serde_json::Deserializer::from_reader(reader);
        let b = (&mut d).deserialize_map(BundleVisitor {
            on_entry: &mut on_entry,
            current: &mut current,
        })?;
        d.end()?;
        Ok(b)
    });
    result.map_err(|source| BundleReadError {
        entry: current,
        source,
    })
}

struct BundleVisitor<'f, F> {
    on_entry: &'f mut F,
    current: &'f mut Option<usize>,
}

impl<'de, F: FnMut(BundleEntry) -> ControlFlow<()>> Visitor<'de> for BundleVisitor<'_, F> {
    type Value = Bundle;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a FHIR Bundle")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Bundle, A::Error> {
        use crate::de::FhirObject;
        let mut bundle = Bundle::default();
        let mut stopped = false;
        while let Some(de::Key(key)) = map.next_key::<de::Key<'de>>()? {
            if key == "entry" {
                let seed = EntriesSeed {
                    on_entry: &mut *self.on_entry,
                    current: &mut *self.current,
                    stopped: &mut stopped,
                };
                if let Err(e) = map.next_value_seed(seed) {
                    de::note_key("entry".into());
                    return Err(e);
                }
            } else if !bundle.visit_element(&key, &mut map)? {
                de::unknown_element(&mut map, key, "Bundle", bundle.unknown_mut())?;
            }
        }
        *self.current = None;
        Ok(bundle)
    }
}

struct EntriesSeed<'f, F> {
    on_entry: &'f mut F,
    current: &'f mut Option<usize>,
    stopped: &'f mut bool,
}

impl<'de, F: FnMut(BundleEntry) -> ControlFlow<()>> DeserializeSeed<'de> for EntriesSeed<'_, F> {
    type Value = ();
    fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de, F: FnMut(BundleEntry) -> ControlFlow<()>> Visitor<'de> for EntriesSeed<'_, F> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of Bundle entries")
    }
    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<(), S::Error> {
        let mut i = 0;
        loop {
            *self.current = Some(i);
            if *self.stopped {
                // Skip the rest cheaply (still checks well-formedness).
                match seq.next_element::<serde::de::IgnoredAny>()? {
                    Some(_) => {}
                    None => return Ok(()),
                }
            } else {
                match seq.next_element::<BundleEntry>() {
                    Ok(Some(e)) => {
                        if (self.on_entry)(e).is_break() {
                            *self.stopped = true;
                        }
                    }
                    Ok(None) => return Ok(()),
                    Err(e) => {
                        de::note_index(i);
                        return Err(e);
                    }
                }
            }
            i += 1;
        }
    }
}
