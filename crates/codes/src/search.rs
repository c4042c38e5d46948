//! Word search over code titles: a ranked inverted index, built once per release on first use.

use std::collections::HashMap;

use crate::cm::release::{CodeEntry, IcdCmRelease};

/// Words too common in titles to help ranking (never indexed). "with" and "without" are kept:
/// in ICD-10-CM titles they separate combination codes.
const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "due", "for", "in", "of", "on", "or", "the", "to",
];

/// Splits text into lower-case word tokens, folding plurals (`fractures` → `fracture`).
pub(crate) fn tokenize(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut t = w.to_lowercase();
            if t.len() > 4
                && t.ends_with('s')
                && !(t.ends_with("ss") || t.ends_with("us") || t.ends_with("is"))
            {
                t.pop();
            }
            t
        })
        .filter(|t| !STOP_WORDS.contains(&t.as_str()))
}

/// The inverted index: sorted distinct tokens with the entries whose title has them.
#[derive(Debug)]
pub(crate) struct SearchIndex {
    tokens: Vec<(Box<str>, Vec<u32>)>,
    /// Number of tokens per entry title (shorter titles rank first among equals).
    title_tokens: Vec<u16>,
}

impl SearchIndex {
    fn build(release: &IcdCmRelease) -> SearchIndex {
        let mut map: HashMap<String, Vec<u32>> = HashMap::new();
        let mut title_tokens = Vec::with_capacity(release.len());
        for e in release.iter() {
            let id = e.id().0;
            let mut n = 0u16;
            for t in tokenize(e.title()) {
                n = n.saturating_add(1);
                let p = map.entry(t).or_default();
                if p.last() != Some(&id) {
                    p.push(id);
                }
            }
            title_tokens.push(n);
        }
        let mut tokens: Vec<(Box<str>, Vec<u32>)> = map
            .into_iter()
            .map(|(k, v)| (k.into_boxed_str(), v))
            .collect();
        tokens.sort_by(|a, b| a.0.cmp(&b.0));
        SearchIndex {
            tokens,
            title_tokens,
        }
    }

    /// Indices of tokens equal to `t` (first) or starting with it.
    fn matches(&self, t: &str, prefix: bool) -> (Option<usize>, std::ops::Range<usize>) {
        let start = self.tokens.partition_point(|x| &*x.0 < t);
        let exact = (start < self.tokens.len() && &*self.tokens[start].0 == t).then_some(start);
        if !prefix {
            return (exact, start..start);
        }
        let end = start + self.tokens[start..].partition_point(|x| x.0.starts_with(t));
        (exact, start..end)
    }
}

/// Options of [`IcdCmRelease::search_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchOptions {
    /// At most this many hits.
    pub limit: usize,
    /// Only billable codes.
    pub billable_only: bool,
    /// Include the codes generated from 7th-character definitions (off by default: their
    /// parent, which names the injury or condition, is listed instead).
    pub include_seventh_character_codes: bool,
}

impl Default for SearchOptions {
    fn default() -> Self {
        SearchOptions {
            limit: 20,
            billable_only: false,
            include_seventh_character_codes: false,
        }
    }
}

/// One search result.
#[derive(Debug, Clone, Copy)]
pub struct SearchHit<'a> {
    /// The code found.
    pub entry: CodeEntry<'a>,
    /// Relevance (higher is better): the summed inverse document frequency of the query
    /// words found in the title, prefix matches counting 0.7.
    pub score: f32,
    /// Whether every query word was found in the title.
    pub matched_all: bool,
}

impl IcdCmRelease {
    fn search_index(&self) -> &SearchIndex {
        self.search.get_or_init(|| SearchIndex::build(self))
    }

    /// Searches titles by words ("acute kidney failure", "type 2 diabetes with neuropathy").
    /// Titles with every word rank first, then by relevance, then shorter titles, billable
    /// before headers. A query that is itself a code ranks that code first. Words of 4 letters
    /// or more also match as prefixes (`neuropath` finds "neuropathy").
    pub fn search(&self, query: &str, limit: usize) -> Vec<SearchHit<'_>> {
        self.search_with(
            query,
            &SearchOptions {
                limit,
                ..SearchOptions::default()
            },
        )
    }

    /// Like [`search`](Self::search), with options.
    pub fn search_with(&self, query: &str, options: &SearchOptions) -> Vec<SearchHit<'_>> {
        let index = self.search_index();
        let n = self.len();
        let mut terms: Vec<String> = tokenize(query).collect();
        terms.sort();
        terms.dedup();
        let mut direct = None;
        if let Ok(e) = self.lookup(query.trim()) {
            direct = Some(e.id().0);
        }
        if terms.is_empty() && direct.is_none() {
            return Vec::new();
        }
        let mut score = vec![0f32; n];
        let mut hits = vec![0u8; n];
        let mut touched: Vec<u32> = Vec::new();
        for t in &terms {
            let (exact, range) = index.matches(t, t.chars().count() >= 4);
            let mut best: HashMap<u32, f32> = HashMap::new();
            let idf = |df: usize| ((n as f32 + 1.0) / (df as f32 + 0.5)).ln().max(0.05);
            for k in range.clone().chain(exact) {
                let postings = &index.tokens[k].1;
                let w = if Some(k) == exact { 1.0 } else { 0.7 } * idf(postings.len());
                for &id in postings {
                    let b = best.entry(id).or_insert(0.0);
                    if w > *b {
                        *b = w;
                    }
                }
            }
            for (id, w) in best {
                if hits[id as usize] == 0 {
                    touched.push(id);
                }
                hits[id as usize] = hits[id as usize].saturating_add(1);
                score[id as usize] += w;
            }
        }
        let need = terms.len().min(255) as u8;
        let mut out: Vec<SearchHit<'_>> = touched
            .into_iter()
            .filter_map(|id| self.entry(crate::EntryId(id)))
            .filter(|e| options.include_seventh_character_codes || !e.is_seventh_character_code())
            .filter(|e| !options.billable_only || e.is_billable())
            .map(|e| SearchHit {
                entry: e,
                score: score[e.id().index()],
                matched_all: hits[e.id().index()] >= need,
            })
            .collect();
        out.sort_by(|a, b| {
            b.matched_all
                .cmp(&a.matched_all)
                .then(b.score.total_cmp(&a.score))
                .then(
                    index.title_tokens[a.entry.id().index()]
                        .cmp(&index.title_tokens[b.entry.id().index()]),
                )
                .then(b.entry.is_billable().cmp(&a.entry.is_billable()))
                .then(a.entry.code().cmp(&b.entry.code()))
        });
        if let Some(d) = direct {
            out.retain(|h| h.entry.id().0 != d);
            if let Some(e) = self.entry(crate::EntryId(d)) {
                out.insert(
                    0,
                    SearchHit {
                        entry: e,
                        score: f32::INFINITY,
                        matched_all: true,
                    },
                );
            }
        }
        out.truncate(options.limit);
        out
    }
}
