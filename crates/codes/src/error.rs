//! Error types, one per operation, each with a `kind()`.

use std::path::{Path, PathBuf};

use crate::{MalformedCode, ReleaseId};

/// An inconsistency found while assembling a release from its source rows.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{message}")]
pub(crate) struct BuildError {
    pub(crate) kind: BuildErrorKind,
    pub(crate) message: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BuildErrorKind {
    DuplicateCode,
    BadSeventhCharacter,
    TooLarge,
}

impl BuildError {
    pub(crate) fn new(kind: BuildErrorKind, message: impl Into<String>) -> Self {
        BuildError {
            kind,
            message: message.into(),
        }
    }
}

/// Loading a release (tabular XML, order file, code-descriptions file, compact table, PCS file)
/// failed. Says which file and, where it applies, which line.
#[derive(Debug, thiserror::Error)]
#[error("{}{}: {message}", path.as_deref().map(|p| p.display().to_string()).unwrap_or_else(|| "<input>".into()), line.map(|l| format!(":{l}")).unwrap_or_default())]
pub struct LoadError {
    kind: LoadErrorKind,
    path: Option<PathBuf>,
    line: Option<usize>,
    message: String,
    #[source]
    source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
}

/// The kind of a [`LoadError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadErrorKind {
    /// The file could not be read.
    Io,
    /// The XML is not well formed.
    Xml,
    /// A line or element does not follow the expected layout.
    Format,
    /// A code in the file is not a well-formed code.
    BadCode,
    /// The rows are inconsistent (a code listed twice, a 7th character that cannot be added).
    Inconsistent,
    /// The file holds no code at all.
    Empty,
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind, message: impl Into<String>) -> Self {
        LoadError {
            kind,
            path: None,
            line: None,
            message: message.into(),
            source: None,
        }
    }

    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        LoadError {
            kind: LoadErrorKind::Io,
            path: Some(path.to_path_buf()),
            line: None,
            message: e.to_string(),
            source: Some(Box::new(e)),
        }
    }

    pub(crate) fn at_line(mut self, line: usize) -> Self {
        self.line = Some(line);
        self
    }

    pub(crate) fn in_file(mut self, path: &Path) -> Self {
        if self.path.is_none() {
            self.path = Some(path.to_path_buf());
        }
        self
    }

    /// What went wrong.
    pub fn kind(&self) -> LoadErrorKind {
        self.kind
    }

    /// The file, when the input was a file.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.line
    }
}

impl From<BuildError> for LoadError {
    fn from(e: BuildError) -> Self {
        let _ = e.kind;
        LoadError::new(LoadErrorKind::Inconsistent, e.message)
    }
}

/// Looking up a code string failed.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LookupError {
    /// The string is not a well-formed code.
    #[error(transparent)]
    Malformed(#[from] MalformedCode),
    /// The code is well formed but not in the release.
    #[error("{input:?} is not a code of ICD-10-CM {release}")]
    Unknown {
        /// The input as given.
        input: String,
        /// The release that was searched.
        release: ReleaseId,
    },
}

/// The kind of a [`LookupError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LookupErrorKind {
    /// Not a well-formed code.
    Malformed,
    /// Not in the release.
    Unknown,
}

impl LookupError {
    pub(crate) fn malformed(e: MalformedCode) -> Self {
        LookupError::Malformed(e)
    }

    pub(crate) fn unknown(input: &str, release: ReleaseId) -> Self {
        LookupError::Unknown {
            input: input.chars().take(64).collect(),
            release,
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> LookupErrorKind {
        match self {
            LookupError::Malformed(_) => LookupErrorKind::Malformed,
            LookupError::Unknown { .. } => LookupErrorKind::Unknown,
        }
    }
}

/// A question about a date that no loaded release covers.
#[derive(Debug, Clone, thiserror::Error)]
#[error("no ICD-10-CM release loaded covers {date}{}", hint.as_deref().map(|h| format!(" ({h})")).unwrap_or_default())]
pub struct DateError {
    date: jiff::civil::Date,
    hint: Option<String>,
}

/// The kind of a [`DateError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DateErrorKind {
    /// No release in the history is in effect on the date.
    NoReleaseInEffect,
}

impl DateError {
    pub(crate) fn new(date: jiff::civil::Date, hint: Option<String>) -> Self {
        DateError { date, hint }
    }

    /// What went wrong.
    pub fn kind(&self) -> DateErrorKind {
        DateErrorKind::NoReleaseInEffect
    }

    /// The date asked about.
    pub fn date(&self) -> jiff::civil::Date {
        self.date
    }
}
