//! The batch API: classify many code strings at once, for throughput.

use crate::cm::code::{IcdCmCode, MalformedKind, lookup_word, normalize_input_word, word_key};
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
            self.found(code, hit)
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

    /// A found code's classification.
    #[inline]
    fn found<'a>(&'a self, code: IcdCmCode, hit: Hit<'a>) -> Classification<'a> {
        Classification {
            release: self,
            title: hit.title,
            code,
            idx: hit.idx(),
            status: hit.status(),
            chapter: hit.chapter,
        }
    }

    /// Classifies one code string: normalize, then one read of a small pilot table and one
    /// 16-byte index record (status, entry number, chapter and title together). Never panics.
    #[inline]
    pub fn classify(&self, input: &str) -> Classification<'_> {
        // The lookup fast path: the input made into a word (trimmed, upper case, no dot) and
        // looked up, in one straight line. A word that is found is a code of the release, which
        // proves the input well formed (see `lookup_word`); anything else takes the full rules,
        // out of line. The code stays one word throughout: hashed and compared as such,
        // unpacked only into the result.
        if let Some(word) = lookup_word(input.as_bytes()) {
            let hit = self.index.find_word(word);
            if hit.is_found() {
                return self.found(IcdCmCode::from_word(word), hit);
            }
        }
        self.classify_by_rules(input)
    }

    /// [`classify`](Self::classify) by the full normalization rules: for inputs that the lookup
    /// fast path did not find (malformed, or well formed and not in the release).
    #[cold]
    #[inline(never)]
    pub(crate) fn classify_by_rules(&self, input: &str) -> Classification<'_> {
        match normalize_input_word(input.as_bytes()) {
            Ok(word) => {
                let hit = self.index.find_word(word);
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
        let mut keys = [0u64; ROUND];
        let mut positions = [0usize; ROUND];
        for round in inputs.chunks(ROUND) {
            // Phase 1: the lookup words, hashed; the pilots (a small table) give the positions.
            for (i, s) in round.iter().enumerate() {
                // Key 0 is found nowhere: an input off the fast path takes the full rules in
                // phase 2, with no branch here.
                let word = lookup_word(s.as_ref().as_bytes()).unwrap_or(0);
                words[i] = word;
                keys[i] = word_key(word);
                positions[i] = self.index.locate(keys[i]);
            }
            // Phase 2: read the records (independent reads) and emit; the inputs not found are
            // noted, to be classified by the full rules after the round (no call in this loop).
            let mut slow = 0u32;
            let start = out.len();
            // (`extend` over a range: no capacity check per code.)
            out.extend((0..round.len()).map(|i| {
                let hit = self.index.read(positions[i], keys[i]);
                slow |= (!hit.is_found() as u32) << i;
                self.found(IcdCmCode::from_word(words[i]), hit)
            }));
            while slow != 0 {
                let i = slow.trailing_zeros() as usize;
                slow &= slow - 1;
                out[start + i] = self.classify_by_rules(round[i].as_ref());
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
    use crate::cm::code::IcdCmCode;
    use crate::{CodeStatus, icd10cm};

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]

        /// Any spelling of a code of the release, damaged or not (a character changed to any
        /// character, NUL and dots included; cut; cased; padded): `classify` and `validate`
        /// give what the full rules and a lookup of the code give.
        #[test]
        fn classify_equals_the_full_rules(
            pick in 0usize..100_000,
            at in 0usize..9,
            with in proptest::sample::select(vec!['\0', '.', '-', 'x', 'X', 'Q', '9', 'é', ' ']),
            damage in 0u8..4,
            lower in proptest::bool::ANY,
            pad in proptest::bool::ANY,
        ) {
            let cm = icd10cm();
            let code = cm.iter().nth(pick % cm.len()).unwrap().code();
            let mut s: Vec<char> = if pick % 2 == 0 {
                code.to_string().chars().collect()
            } else {
                code.as_undotted().chars().collect()
            };
            match damage {
                1 if at < s.len() => s[at] = with,
                2 => s.truncate(at.max(1)),
                3 => s.insert(at.min(s.len()), with),
                _ => {}
            }
            let mut s: String = s.into_iter().collect();
            if lower {
                s = s.to_lowercase();
            }
            if pad {
                s = format!(" {s}\t");
            }
            let c = cm.classify(&s);
            proptest::prop_assert_eq!(cm.validate(&s), c.status());
            match IcdCmCode::parse(&s) {
                Ok(code) => {
                    proptest::prop_assert_eq!(c.code(), Some(code));
                    proptest::prop_assert_eq!(c.status(), cm.validate_code(&code));
                    proptest::prop_assert_eq!(c.entry_id(), cm.get(&code).map(|e| e.id()));
                }
                Err(e) => {
                    proptest::prop_assert_eq!(c.status(), CodeStatus::Malformed(e.kind()));
                }
            }
        }
    }

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
            // The reference: the full normalization rules, then a lookup of the code.
            match IcdCmCode::parse(s) {
                Ok(c) => {
                    assert_eq!(b.code(), Some(c), "{s:?}");
                    assert_eq!(b.status(), cm.validate_code(&c), "{s:?}");
                    assert_eq!(b.entry_id(), cm.get(&c).map(|e| e.id()), "{s:?}");
                }
                Err(e) => assert_eq!(b.status(), CodeStatus::Malformed(e.kind()), "{s:?}"),
            }
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
