//! The batch API: classify many code strings at once, for throughput.

use crate::cm::code::{IcdCmCode, normalize_bytes};
use crate::cm::release::{Block, Chapter, CodeEntry, CodeStatus, EntryId, IcdCmRelease};

/// What is known about one input code string in one release: its normalized code, status,
/// and for codes in the release their entry (title, chapter, block, category, hierarchy).
///
/// Classification modules keyed by [`EntryId`] (CCSR, comorbidity flags) extend it through
/// [`Classification::entry_id`].
#[derive(Debug, Clone, Copy)]
pub struct Classification<'a> {
    code: Option<IcdCmCode>,
    status: CodeStatus,
    entry: Option<CodeEntry<'a>>,
}

impl<'a> Classification<'a> {
    /// The normalized code, if the input was well formed.
    pub fn code(&self) -> Option<IcdCmCode> {
        self.code
    }

    /// The validation status.
    pub fn status(&self) -> CodeStatus {
        self.status
    }

    /// Whether the code is valid (billable or header) in the release.
    pub fn is_valid(&self) -> bool {
        self.status.is_valid()
    }

    /// Whether the code is billable.
    pub fn is_billable(&self) -> bool {
        self.status.is_billable()
    }

    /// The entry, for codes in the release (also for codes lacking their 7th character).
    pub fn entry(&self) -> Option<CodeEntry<'a>> {
        self.entry
    }

    /// The entry's number, for side tables keyed by it.
    pub fn entry_id(&self) -> Option<EntryId> {
        self.entry.map(|e| e.id())
    }

    /// The title.
    pub fn title(&self) -> Option<&'a str> {
        self.entry.map(|e| e.title())
    }

    /// The chapter.
    pub fn chapter(&self) -> Option<&'a Chapter> {
        self.entry.and_then(|e| e.chapter())
    }

    /// The block.
    pub fn block(&self) -> Option<&'a Block> {
        self.entry.and_then(|e| e.block())
    }

    /// The 3-character category (of any well-formed code, known or not).
    pub fn category(&self) -> Option<IcdCmCode> {
        self.code.map(|c| c.category())
    }
}

impl IcdCmRelease {
    /// Classifies one code string. Never panics.
    #[inline]
    pub fn classify(&self, input: &str) -> Classification<'_> {
        match normalize_bytes(input.as_bytes()) {
            Ok(code) => {
                let entry = self.get(&code);
                let status = match entry {
                    Some(e) => e.status(),
                    None => self.validate_code(&code),
                };
                Classification {
                    code: Some(code),
                    status,
                    entry,
                }
            }
            Err(kind) => Classification {
                code: None,
                status: CodeStatus::Malformed(kind),
                entry: None,
            },
        }
    }

    /// Classifies many code strings, in order; bad inputs give a `Malformed` or `Unknown`
    /// status and never stop the batch.
    pub fn classify_batch<'a, S: AsRef<str>>(&'a self, inputs: &[S]) -> Vec<Classification<'a>> {
        inputs.iter().map(|s| self.classify(s.as_ref())).collect()
    }

    /// Classifies code strings lazily.
    pub fn classify_iter<'a, I>(
        &'a self,
        inputs: I,
    ) -> impl Iterator<Item = Classification<'a>> + 'a
    where
        I: IntoIterator + 'a,
        I::Item: AsRef<str>,
    {
        inputs.into_iter().map(move |s| self.classify(s.as_ref()))
    }
}
