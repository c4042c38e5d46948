//! The free-text redaction engine: recognizers for every PHI kind, span merging, and replacement
//! strategies (kind tags, realistic surrogates, keyed pseudonyms).

mod identity;
mod names;
mod patterns;
mod surrogate;

pub use identity::{IdentityMatcher, PatientIdentity, PersonName};

use crate::PhiKind;
use crate::pseudonym::PseudonymKey;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, OnceLock};

/// One PHI span in a text: byte offsets `start..end` (on char boundaries), its kind and the
/// recognizer's confidence in `0.0..=1.0`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
    /// What kind of identifier.
    pub kind: PhiKind,
    /// How sure the recognizer is (1.0 = the patient's own identifier from the record).
    pub confidence: f32,
}

impl Span {
    /// The span's text in `text`.
    pub fn text<'t>(&self, text: &'t str) -> &'t str {
        &text[self.start..self.end]
    }
}

/// How a span is replaced.
#[derive(Debug, Clone, Default)]
pub enum Replacement {
    /// `[NAME]`, `[DATE]` …: the kind tag in brackets.
    #[default]
    Tag,
    /// Realistic, random surrogate values of the same kind (a census name, a fictitious 555-01xx
    /// phone number, a never-issued 9xx SSN, an `example.org` address …), consistent within one
    /// redaction: the same original text gets the same surrogate.
    Surrogate,
    /// `[NAME-1f0c9a2b]`: a keyed HMAC-SHA-256 pseudonym of the normalized text, stable across
    /// texts and runs for one key (for limited data sets and expert determination).
    Pseudonym(PseudonymKey),
}

/// How dates found in text are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum DateText {
    /// Replace like any other span (tag, surrogate or pseudonym).
    #[default]
    Replace,
    /// Keep only the year when the date has one (`2023`), else replace. Safe Harbor allows the year.
    YearOnly,
    /// Keep the date as written (limited data sets keep dates).
    Keep,
    /// Shift by this many days, keeping the layout where it can be parsed (`01/02/2023`,
    /// `2023-01-02`, `Jan 2, 2023`), else replace.
    Shift(i64),
}

/// The result of a redaction.
#[derive(Debug, Clone, PartialEq)]
pub struct Redacted {
    /// The redacted text.
    pub text: String,
    /// The spans found in the input (byte offsets into the input), merged and ordered.
    pub spans: Vec<Span>,
}

/// The compiled, shareable recognizers (regexes and dictionaries). Building one costs a few tens of
/// milliseconds; [`Recognizers::shared`] gives a process-wide instance.
pub struct Recognizers {
    patterns: Vec<patterns::Pattern>,
    name_patterns: Vec<patterns::Pattern>,
    /// The candidate finder over `patterns` followed by `name_patterns`.
    triggers: patterns::Triggers,
    dict: &'static names::NameDictionary,
}

impl std::fmt::Debug for Recognizers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Recognizers")
            .field("patterns", &self.patterns.len())
            .field("name_patterns", &self.name_patterns.len())
            .finish()
    }
}

impl Recognizers {
    /// Compiles every built-in recognizer.
    pub fn new() -> Self {
        let patterns = patterns::builtin();
        let name_patterns = names::builtin();
        let triggers = patterns::Triggers::new(patterns.iter().chain(&name_patterns));
        Recognizers {
            patterns,
            name_patterns,
            triggers,
            dict: names::NameDictionary::get(),
        }
    }

    /// A process-wide instance, compiled on first use.
    pub fn shared() -> Arc<Recognizers> {
        static SHARED: OnceLock<Arc<Recognizers>> = OnceLock::new();
        SHARED.get_or_init(|| Arc::new(Recognizers::new())).clone()
    }
}

impl Default for Recognizers {
    fn default() -> Self {
        Recognizers::new()
    }
}

/// A configured redactor: recognizers, the identities of the people in the record, which kinds to
/// remove, the confidence threshold and the replacement strategy.
///
/// ```
/// use medrec_privacy::text::{Redactor, PatientIdentity, PersonName};
/// let mut who = PatientIdentity::default();
/// who.names.push(PersonName { given: vec!["John".into()], family: Some("Smith".into()), text: None });
/// let r = Redactor::builder().identity(&who).build();
/// let out = r.redact("SMITH, JOHN seen 01/02/2023, call 617-555-0123.");
/// assert_eq!(out.text, "[NAME] seen [DATE], call [PHONE].");
/// ```
#[derive(Debug, Clone)]
pub struct Redactor {
    recognizers: Arc<Recognizers>,
    identity: IdentityMatcher,
    kinds: BTreeSet<PhiKind>,
    /// `kinds` as a bit set (bit `k as u32`), for the per-span check.
    kind_mask: u64,
    min_confidence: f32,
    replacement: Replacement,
    dates: DateText,
    dictionary_names: bool,
    patterns: bool,
}

const _: () = assert!(PhiKind::ALL.len() <= 64, "kind_bit needs a wider mask");

fn kind_bit(k: PhiKind) -> u64 {
    1u64 << (k as u32 & 63)
}

/// Builds a [`Redactor`].
#[derive(Debug, Clone)]
pub struct RedactorBuilder {
    recognizers: Option<Arc<Recognizers>>,
    identities: Vec<PatientIdentity>,
    kinds: BTreeSet<PhiKind>,
    min_confidence: f32,
    replacement: Replacement,
    dates: DateText,
    dictionary_names: bool,
    patterns: bool,
}

impl Default for RedactorBuilder {
    fn default() -> Self {
        RedactorBuilder {
            recognizers: None,
            identities: Vec::new(),
            kinds: PhiKind::ALL.into_iter().collect(),
            min_confidence: 0.5,
            replacement: Replacement::Tag,
            dates: DateText::Replace,
            dictionary_names: true,
            patterns: true,
        }
    }
}

impl RedactorBuilder {
    /// Uses these compiled recognizers (default: [`Recognizers::shared`]).
    pub fn recognizers(mut self, r: Arc<Recognizers>) -> Self {
        self.recognizers = Some(r);
        self
    }
    /// Adds the identifiers of one individual from the structured record.
    pub fn identity(mut self, id: &PatientIdentity) -> Self {
        self.identities.push(id.clone());
        self
    }
    /// Adds several identities.
    pub fn identities<'a>(mut self, ids: impl IntoIterator<Item = &'a PatientIdentity>) -> Self {
        self.identities.extend(ids.into_iter().cloned());
        self
    }
    /// Only these kinds are redacted (default: all).
    pub fn kinds(mut self, kinds: impl IntoIterator<Item = PhiKind>) -> Self {
        self.kinds = kinds.into_iter().collect();
        self
    }
    /// Keeps a kind (e.g. [`PhiKind::Date`] for a limited data set).
    pub fn keep(mut self, kind: PhiKind) -> Self {
        self.kinds.remove(&kind);
        self
    }
    /// Spans under this confidence are ignored (default 0.5; lower = more recall).
    pub fn min_confidence(mut self, c: f32) -> Self {
        self.min_confidence = c;
        self
    }
    /// The replacement strategy (default [`Replacement::Tag`]).
    pub fn replacement(mut self, r: Replacement) -> Self {
        self.replacement = r;
        self
    }
    /// How dates are written (default [`DateText::Replace`]).
    pub fn dates(mut self, d: DateText) -> Self {
        self.dates = d;
        self
    }
    /// Whether the census-dictionary name scan runs (default on).
    pub fn dictionary_names(mut self, on: bool) -> Self {
        self.dictionary_names = on;
        self
    }
    /// Whether the pattern and name recognizers run (default on). Off, only the identities given
    /// with [`RedactorBuilder::identity`] are matched: for coded display text, where patterns
    /// would damage terminology strings.
    pub fn patterns(mut self, on: bool) -> Self {
        self.patterns = on;
        self
    }
    /// Builds the redactor.
    pub fn build(self) -> Redactor {
        Redactor {
            recognizers: self.recognizers.unwrap_or_else(Recognizers::shared),
            identity: IdentityMatcher::new(self.identities.iter()),
            kind_mask: self.kinds.iter().fold(0, |m, &k| m | kind_bit(k)),
            kinds: self.kinds,
            min_confidence: self.min_confidence,
            replacement: self.replacement,
            dates: self.dates,
            dictionary_names: self.dictionary_names,
            patterns: self.patterns,
        }
    }
}

impl Default for Redactor {
    fn default() -> Self {
        Redactor::builder().build()
    }
}

impl Redactor {
    /// A builder with every kind on, tag replacement, threshold 0.5.
    pub fn builder() -> RedactorBuilder {
        RedactorBuilder::default()
    }

    /// The replacement strategy.
    pub fn replacement(&self) -> &Replacement {
        &self.replacement
    }

    /// Finds every PHI span: recognizers run, spans under the threshold or of kinds not selected
    /// are dropped, and overlapping spans are merged (the merged span takes the kind of its most
    /// confident part). The result is ordered, non-overlapping and on char boundaries.
    pub fn find(&self, text: &str) -> Vec<Span> {
        let mut spans = Vec::with_capacity(16);
        self.identity.scan(text, &mut spans);
        if !self.patterns {
            spans.retain(|s| self.kinds.contains(&s.kind));
            return merge(spans);
        }
        let r = &*self.recognizers;
        let cands = r.triggers.find(text);
        let mut buf = Vec::new();
        for (i, p) in r.patterns.iter().enumerate() {
            if self.kinds.contains(&p.kind)
                || p.kind == PhiKind::Phone && self.kinds.contains(&PhiKind::Fax)
            {
                patterns::scan(p, i, text, &cands, &mut buf, &mut spans);
            }
        }
        if self.kinds.contains(&PhiKind::Name) {
            let mut name_spans = Vec::new();
            let offset = r.patterns.len();
            for (i, p) in r.name_patterns.iter().enumerate() {
                patterns::scan(p, offset + i, text, &cands, &mut buf, &mut name_spans);
            }
            for s in name_spans {
                if let Some(s) = names::refine(r.dict, text, s) {
                    spans.push(s);
                }
            }
            if self.dictionary_names {
                names::scan_dictionary(r.dict, text, &mut spans);
            }
        }
        // A limited data set keeps dates, places and ZIPs even when the record names them.
        spans.retain(|s| {
            s.end > s.start
                && s.confidence >= self.min_confidence
                && self.kind_mask & kind_bit(s.kind) != 0
                && text.is_char_boundary(s.start)
                && text.is_char_boundary(s.end)
        });
        merge(spans)
    }

    /// Finds and replaces.
    pub fn redact(&self, text: &str) -> Redacted {
        let spans = self.find(text);
        let text_out = self.apply(text, &spans);
        Redacted {
            text: text_out,
            spans,
        }
    }

    /// Redacts XHTML or HTML (a `Narrative.div`, a `text/html` note): PHI is searched in the text
    /// with every tag masked, replacements never touch markup, and every tag is rebuilt with its
    /// name only (attributes such as `href`, `src` or `title` can carry identifiers; only the
    /// `xmlns` declaration is kept). Comments and processing instructions are dropped. The spans
    /// are byte offsets into `markup`.
    pub fn redact_markup(&self, markup: &str) -> Redacted {
        let b = markup.as_bytes();
        let mut masked = String::with_capacity(markup.len());
        let mut tags: Vec<(usize, usize)> = Vec::new();
        let (mut i, mut seg) = (0, 0);
        while i < b.len() {
            if b[i] == b'<'
                && let Some(j) = markup[i..].find('>')
            {
                masked.push_str(&markup[seg..i]);
                masked.extend(std::iter::repeat_n(' ', j + 1));
                tags.push((i, i + j + 1));
                i += j + 1;
                seg = i;
                continue;
            }
            i += 1;
        }
        masked.push_str(&markup[seg..]);
        let mut pieces = Vec::new();
        for s in self.find(&masked) {
            let mut start = s.start;
            for &(ts, te) in &tags {
                if te <= start || ts >= s.end {
                    continue;
                }
                if ts > start {
                    pieces.push(Span {
                        start,
                        end: ts,
                        ..s
                    });
                }
                start = start.max(te);
            }
            if start < s.end {
                pieces.push(Span { start, ..s });
            }
        }
        pieces.retain(|p| !masked[p.start..p.end].trim().is_empty());
        let replaced = self.apply(markup, &pieces);
        Redacted {
            text: sanitize_tags(&replaced),
            spans: pieces,
        }
    }

    /// Replaces `spans` (ordered, non-overlapping, as [`Redactor::find`] returns) in `text`.
    pub fn apply(&self, text: &str, spans: &[Span]) -> String {
        let mut out = String::with_capacity(text.len() + spans.len() * 4);
        let mut last = 0;
        let mut memo: HashMap<(PhiKind, String), String> = HashMap::new();
        // Seeded from the OS only when a surrogate is needed (tags and pseudonyms need none).
        let mut rng: Option<surrogate::SurrogateRng> = None;
        for s in spans {
            out.push_str(&text[last..s.start]);
            let original = &text[s.start..s.end];
            if s.kind == PhiKind::Date {
                match self.dates {
                    DateText::Keep => {
                        out.push_str(original);
                        last = s.end;
                        continue;
                    }
                    DateText::YearOnly => {
                        if let Some(y) = surrogate::year_of(original) {
                            out.push_str(&y.to_string());
                            last = s.end;
                            continue;
                        }
                    }
                    DateText::Shift(days) => {
                        if let Some(shifted) = surrogate::shift_text_date(original, days) {
                            out.push_str(&shifted);
                            last = s.end;
                            continue;
                        }
                    }
                    DateText::Replace => {}
                }
            }
            match &self.replacement {
                Replacement::Tag => {
                    out.push('[');
                    out.push_str(s.kind.tag());
                    out.push(']');
                }
                Replacement::Pseudonym(key) => {
                    let norm = normalize_for_pseudonym(original);
                    out.push('[');
                    out.push_str(s.kind.tag());
                    out.push('-');
                    out.push_str(&key.pseudonym(s.kind.tag(), &norm, 10));
                    out.push(']');
                }
                Replacement::Surrogate => {
                    let norm = normalize_for_pseudonym(original);
                    let v = memo
                        .entry((s.kind, norm))
                        .or_insert_with(|| {
                            rng.get_or_insert_with(surrogate::SurrogateRng::random)
                                .surrogate(s.kind, original)
                        })
                        .clone();
                    out.push_str(&v);
                }
            }
            last = s.end;
        }
        out.push_str(&text[last..]);
        out
    }
}

/// Rebuilds every tag with its name only (keeping an `xmlns` declaration); drops comments,
/// processing instructions and doctype declarations.
fn sanitize_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(lt) = rest.find('<') {
        out.push_str(&rest[..lt]);
        let Some(gt) = rest[lt..].find('>') else {
            // An unclosed '<' is text: escape it.
            out.push_str("&lt;");
            rest = &rest[lt + 1..];
            continue;
        };
        let tag = &rest[lt + 1..lt + gt];
        rest = &rest[lt + gt + 1..];
        if tag.starts_with('!') || tag.starts_with('?') {
            continue;
        }
        let closing = tag.starts_with('/');
        let body = tag.trim_start_matches('/');
        let self_closing = body.ends_with('/');
        let name: String = body
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || matches!(c, ':' | '-' | '_'))
            .collect();
        if name.is_empty() {
            continue;
        }
        out.push('<');
        if closing {
            out.push('/');
        }
        out.push_str(&name);
        if !closing && let Some(at) = body.find("xmlns=\"") {
            let v = &body[at + 7..];
            if let Some(end) = v.find('"') {
                let ns = &v[..end];
                if ns == "http://www.w3.org/1999/xhtml" {
                    out.push_str(" xmlns=\"http://www.w3.org/1999/xhtml\"");
                }
            }
        }
        if self_closing {
            out.push('/');
        }
        out.push('>');
    }
    out.push_str(rest);
    out
}

fn normalize_for_pseudonym(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// Sorts and merges overlapping spans; the merged span keeps the kind of its most confident part
/// (ties: the longer part) and the highest confidence.
pub fn merge(mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut out: Vec<Span> = Vec::with_capacity(spans.len());
    // Track the best part of the current merged span.
    let mut best_len = 0usize;
    for s in spans {
        if let Some(cur) = out.last_mut()
            && s.start < cur.end
        {
            let len = s.end - s.start;
            if s.confidence > cur.confidence || s.confidence == cur.confidence && len > best_len {
                cur.kind = s.kind;
                cur.confidence = s.confidence;
                best_len = len;
            }
            cur.end = cur.end.max(s.end);
            continue;
        }
        best_len = s.end - s.start;
        out.push(s);
    }
    out
}
