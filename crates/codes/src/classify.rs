//! The batch API: classify many code strings at once, for throughput.

use crate::cm::code::{IcdCmCode, MalformedKind, normalize_input_word, word_key};
use crate::cm::index::Hit;
use crate::cm::release::{Block, Chapter, CodeEntry, CodeStatus, EntryId, IcdCmRelease, NONE};

/// What is known about one input code string in one release: its normalized code, status,
/// and for codes in the release their entry (title, chapter, block, category, hierarchy).
///
/// Classification modules keyed by [`EntryId`] (CCSR, comorbidity flags) extend it through
/// [`Classification::entry_id`].
///
/// Status, entry number, title and chapter all come from the one index record that the lookup
/// reads (see `docs/codes.md`, "Performance design"); block and hierarchy from the entry.
#[derive(Clone, Copy)]
pub struct Classification<'a> {
    release: &'a IcdCmRelease,
    /// The title (empty when `idx` is `NONE`).
    title: &'a str,
    /// The normalized code; meaningless when `status` is `Malformed`.
    code: IcdCmCode,
    /// Entry number, `NONE` when the code is not in the release.
    idx: u32,
    status: CodeStatus,
    /// Chapter position in the release's chapters (meaningless when `idx` is `NONE`).
    chapter: u8,
}

impl std::fmt::Debug for Classification<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classification")
            .field("code", &self.code())
            .field("status", &self.status)
            .field("entry", &self.entry())
            .finish()
    }
}

impl<'a> Classification<'a> {
    /// The normalized code, if the input was well formed.
    #[inline]
    pub fn code(&self) -> Option<IcdCmCode> {
        (!matches!(self.status, CodeStatus::Malformed(_))).then_some(self.code)
    }

    /// The validation status.
    #[inline]
    pub fn status(&self) -> CodeStatus {
        self.status
    }

    /// Whether the code is valid (billable or header) in the release.
    #[inline]
    pub fn is_valid(&self) -> bool {
        self.status.is_valid()
    }

    /// Whether the code is billable.
    #[inline]
    pub fn is_billable(&self) -> bool {
        self.status.is_billable()
    }

    /// The entry, for codes in the release (also for codes lacking their 7th character).
    #[inline]
    pub fn entry(&self) -> Option<CodeEntry<'a>> {
        (self.idx != NONE).then(|| CodeEntry::new(self.release, self.idx))
    }

    /// The entry's number, for side tables keyed by it.
    #[inline]
    pub fn entry_id(&self) -> Option<EntryId> {
        (self.idx != NONE).then_some(EntryId(self.idx))
    }

    /// The title, for codes in the release.
    #[inline]
    pub fn title(&self) -> Option<&'a str> {
        (self.idx != NONE).then_some(self.title)
    }

    /// The chapter, for codes in the release.
    #[inline]
    pub fn chapter(&self) -> Option<&'a Chapter> {
        if self.idx == NONE {
            None
        } else {
            self.release.chapters().get(self.chapter as usize)
        }
    }

    /// The block.
    pub fn block(&self) -> Option<&'a Block> {
        self.entry().and_then(|e| e.block())
    }

    /// The 3-character category (of any well-formed code, known or not).
    pub fn category(&self) -> Option<IcdCmCode> {
        self.code().map(|c| c.category())
    }
}

/// Inputs handled per round by [`IcdCmRelease::classify_into`]: enough independent index reads
/// in flight to hide their latency, few enough that the round's state stays in L1.
const ROUND: usize = 32;

impl IcdCmRelease {
    #[inline]
    fn classification<'a>(&'a self, code: IcdCmCode, hit: Hit<'a>) -> Classification<'a> {
        if hit.is_found() {
            Classification {
                release: self,
                title: hit.title,
                code,
                idx: hit.idx(),
                status: hit.status(),
                chapter: hit.chapter,
            }
        } else {
            Classification {
                release: self,
                title: "",
                code,
                idx: NONE,
                status: self.diagnose_unknown(&code),
                chapter: u8::MAX,
            }
        }
    }

    #[inline]
    fn malformed(&self, kind: MalformedKind) -> Classification<'_> {
        Classification {
            release: self,
            title: "",
            code: IcdCmCode::PLACEHOLDER,
            idx: NONE,
            status: CodeStatus::Malformed(kind),
            chapter: u8::MAX,
        }
    }

    /// Classifies one code string: normalize, then one read of a small pilot table and one
    /// 16-byte index record (status, entry number, chapter and title together). Never panics.
    #[inline]
    pub fn classify(&self, input: &str) -> Classification<'_> {
        // The fast normalization and the lookup in one straight line; what the fast path does
        // not accept (malformed input, in practice) takes the byte-by-byte rules, out of line,
        // and comes back as a word in registers. The code stays one word throughout: hashed and
        // compared as such, unpacked only into the result.
        match normalize_input_word(input.as_bytes()) {
            Ok(word) => {
                let key = word_key(word);
                let hit = self.index.read(self.index.locate(key), key);
                self.classification(IcdCmCode::from_word(word), hit)
            }
            Err(kind) => self.malformed(kind),
        }
    }

    /// Classifies many code strings, in order, into `out` (cleared first, its allocation
    /// reused); bad inputs give a `Malformed` or `Unknown` status and never stop the batch.
    ///
    /// The same results as [`classify`](Self::classify) on each input, computed for
    /// throughput: inputs are taken 32 at a time, first all normalized and hashed to their
    /// index record position, then all records read, so that the reads of a round are
    /// independent of each other and the CPU overlaps their cache misses instead of waiting for
    /// each in turn. Feed it a few thousand
    /// inputs per call and reuse `out` to keep everything in cache.
    ///
    /// ```
    /// let cm = medrec_codes::icd10cm();
    /// let mut out = Vec::new();
    /// cm.classify_into(&["E11.9", "e119", "E11", "E11-9"], &mut out);
    /// assert_eq!(out.len(), 4);
    /// assert!(out[0].is_billable() && out[1].is_billable());
    /// assert_eq!(out[1].chapter().unwrap().number, 4);
    /// assert_eq!(out[2].status(), medrec_codes::CodeStatus::Header);
    /// assert!(out[3].code().is_none());
    /// ```
    pub fn classify_into<'a, S: AsRef<str>>(
        &'a self,
        inputs: &[S],
        out: &mut Vec<Classification<'a>>,
    ) {
        out.clear();
        out.reserve(inputs.len());
        let mut words = [0u64; ROUND];
        let mut errors: [Option<MalformedKind>; ROUND] = [None; ROUND];
        let mut keys = [0u64; ROUND];
        let mut positions = [0usize; ROUND];
        for round in inputs.chunks(ROUND) {
            // Phase 1: normalize, hash, read the pilots (a small table) for the positions.
            for (i, s) in round.iter().enumerate() {
                match normalize_input_word(s.as_ref().as_bytes()) {
                    Ok(word) => {
                        words[i] = word;
                        errors[i] = None;
                        keys[i] = word_key(word);
                    }
                    Err(kind) => {
                        errors[i] = Some(kind);
                        // Key 0 never matches a record: phase 2 stays branch-free.
                        keys[i] = 0;
                    }
                }
                positions[i] = self.index.locate(keys[i]);
            }
            // Phase 2: read the records (independent reads) and emit.
            for i in 0..round.len() {
                let hit = self.index.read(positions[i], keys[i]);
                out.push(match errors[i] {
                    None => self.classification(IcdCmCode::from_word(words[i]), hit),
                    Some(kind) => self.malformed(kind),
                });
            }
        }
    }

    /// Classifies many code strings, in order, into a new vector (see
    /// [`classify_into`](Self::classify_into)); bad inputs give a `Malformed` or `Unknown`
    /// status and never stop the batch.
    pub fn classify_batch<'a, S: AsRef<str>>(&'a self, inputs: &[S]) -> Vec<Classification<'a>> {
        let mut out = Vec::with_capacity(inputs.len());
        self.classify_into(inputs, &mut out);
        out
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

#[cfg(test)]
mod tests {
    use crate::icd10cm;

    /// Every code of the embedded release in several spellings, plus malformed and unknown
    /// strings: the batch gives exactly what `classify` and `validate` give, one by one.
    #[test]
    fn batch_equals_one_by_one() {
        let cm = icd10cm();
        let mut inputs: Vec<String> = Vec::new();
        for (i, e) in cm.iter().enumerate() {
            let c = e.code();
            inputs.push(match i % 5 {
                0 => c.to_string(),
                1 => c.as_undotted().to_ascii_lowercase(),
                2 => format!(" {c}\t"),
                3 => format!("{}Q", &c.as_undotted()[..c.len().min(6)]),
                _ => format!("{}-{}", &c.as_undotted()[..3], &c.as_undotted()[3..]),
            });
        }
        inputs.extend(
            [
                "",
                " ",
                "E1",
                "E11.",
                "É11",
                "S72.001AA",
                "T36.0X1",
                "T36.0X1B",
                "S06.1X7D",
            ]
            .map(String::from),
        );
        let mut out = Vec::new();
        cm.classify_into(&inputs, &mut out);
        assert_eq!(out.len(), inputs.len());
        for (s, b) in inputs.iter().zip(&out) {
            let one = cm.classify(s);
            assert_eq!(b.status(), one.status(), "{s:?}");
            assert_eq!(b.status(), cm.validate(s), "{s:?}");
            assert_eq!(b.code(), one.code(), "{s:?}");
            assert_eq!(b.entry_id(), one.entry_id(), "{s:?}");
            assert_eq!(b.title(), one.title(), "{s:?}");
            assert_eq!(b.chapter(), one.chapter(), "{s:?}");
            if let Some(e) = b.entry() {
                assert_eq!(Some(e.code()), b.code());
                assert_eq!(b.title(), Some(e.title()));
                assert_eq!(b.chapter(), e.release().chapter_of(&e.code()));
                assert_eq!(b.status(), e.status());
            }
        }
        // The output vector is reused: a second call replaces, never appends.
        cm.classify_into(&inputs[..3], &mut out);
        assert_eq!(out.len(), 3);
    }
}
