//! Person-name recognizers: titles (`Mr.`, `Dr.`), credentials (`, MD`), `SMITH, JOHN`, name
//! context words (`seen by`, `wife`), and a dictionary scan with the US Census 1990 first-name and
//! surname lists (see `data/PROVENANCE.md`).

use super::Span;
use super::patterns::{Check, Inner, Pattern, Trigger, compile, name_byte, space_byte};
use crate::PhiKind;
use std::collections::HashMap;
use std::sync::OnceLock;

/// The name dictionaries, loaded once per process from the data files compiled into the crate:
/// one hash map from the lower-case word to its flags ([`FIRST`], [`LAST`], [`COMMON`],
/// [`CLINICAL_WORD`]), so that a capitalized token costs one lookup.
pub(crate) struct NameDictionary {
    words: HashMap<&'static str, u8, foldhash::fast::FixedState>,
}

/// A census first name.
pub(crate) const FIRST: u8 = 1;
/// A census surname.
pub(crate) const LAST: u8 = 2;
/// An English/clinical word that is also a census name (`data/common_words.txt`).
pub(crate) const COMMON: u8 = 4;
/// A word of [`CLINICAL`]: never a name on its own.
pub(crate) const CLINICAL_WORD: u8 = 8;

fn lines(data: &'static str) -> impl Iterator<Item = &'static str> {
    data.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

impl NameDictionary {
    pub(crate) fn get() -> &'static NameDictionary {
        static DICT: OnceLock<NameDictionary> = OnceLock::new();
        DICT.get_or_init(|| {
            let mut words: HashMap<&'static str, u8, foldhash::fast::FixedState> =
                HashMap::with_capacity_and_hasher(25_000, Default::default());
            let sources: [(&'static str, u8); 3] = [
                (include_str!("../../data/census1990_first_names.txt"), FIRST),
                (include_str!("../../data/census1990_surnames.txt"), LAST),
                (include_str!("../../data/common_words.txt"), COMMON),
            ];
            for (data, flag) in sources {
                for w in lines(data) {
                    *words.entry(w).or_default() |= flag;
                }
            }
            for w in CLINICAL {
                *words.entry(w).or_default() |= CLINICAL_WORD;
            }
            NameDictionary { words }
        })
    }

    /// The first names, by rank (for surrogates).
    pub(crate) fn first_names() -> Vec<&'static str> {
        lines(include_str!("../../data/census1990_first_names.txt")).collect()
    }

    /// The surnames, by rank (for surrogates).
    pub(crate) fn surnames() -> Vec<&'static str> {
        lines(include_str!("../../data/census1990_surnames.txt")).collect()
    }

    /// The flags of a normalized (lower-case) word; 0 when it is in no list.
    fn flags(&self, lower: &str) -> u8 {
        self.words.get(lower).copied().unwrap_or(0)
    }
}

/// Words that open a capitalized run in clinical text and are never names.
const CLINICAL: &[&str] = &[
    "patient",
    "pt",
    "history",
    "chief",
    "complaint",
    "present",
    "illness",
    "assessment",
    "plan",
    "medications",
    "medication",
    "allergies",
    "allergy",
    "social",
    "family",
    "physical",
    "exam",
    "review",
    "systems",
    "diagnosis",
    "diagnoses",
    "impression",
    "procedure",
    "procedures",
    "note",
    "notes",
    "discharge",
    "admission",
    "summary",
    "labs",
    "lab",
    "vitals",
    "vital",
    "signs",
    "general",
    "heent",
    "neck",
    "lungs",
    "heart",
    "abdomen",
    "extremities",
    "neuro",
    "skin",
    "psych",
    "followup",
    "follow",
    "up",
    "return",
    "instructions",
    "disposition",
    "condition",
    "hospital",
    "course",
    "consult",
    "consultation",
    "reason",
    "referral",
    "referred",
    "dear",
    "sincerely",
    "signed",
    "electronically",
    "dictated",
    "transcribed",
    "attending",
    "resident",
    "physician",
    "provider",
    "nurse",
    "doctor",
    "clinic",
    "center",
    "medical",
    "health",
    "care",
    "emergency",
    "department",
    "unit",
    "room",
    "floor",
    "icu",
    "ed",
    "er",
    "or",
    "pacu",
    "no",
    "known",
    "none",
    "denies",
    "reports",
    "states",
    "noted",
    "normal",
    "negative",
    "positive",
    "left",
    "right",
    "bilateral",
    "blood",
    "pressure",
    "pulse",
    "temperature",
    "weight",
    "height",
    "body",
    "mass",
    "index",
    "glucose",
    "insulin",
    "tablet",
    "capsule",
    "oral",
    "daily",
    "twice",
    "mg",
    "ml",
    "the",
    "a",
    "an",
    "and",
    "or",
    "of",
    "in",
    "on",
    "at",
    "to",
    "for",
    "with",
    "by",
    "he",
    "she",
    "they",
    "his",
    "her",
    "their",
    "we",
    "i",
    "is",
    "was",
    "are",
    "were",
    "this",
    "that",
    "these",
    "those",
    "has",
    "had",
    "have",
    "will",
    "may",
    "can",
    "should",
    "would",
    "could",
    "must",
    "not",
    "but",
    "if",
    "then",
    "than",
    "per",
    "as",
    "so",
    "because",
    "after",
    "before",
    "during",
    "since",
    "until",
    "while",
    "when",
    "where",
    "which",
    "who",
    "whom",
    "what",
    "why",
    "how",
    "all",
    "any",
    "some",
    "each",
    "every",
    "both",
    "either",
    "neither",
    "yes",
    "ok",
    "okay",
    "please",
    "thank",
    "thanks",
    "mr",
    "mrs",
    "ms",
    "dr",
    "md",
    "do",
    "rn",
    "np",
    "pa",
    "phd",
    "jr",
    "sr",
    "ii",
    "iii",
    "iv",
    "mother",
    "father",
    "wife",
    "husband",
    "son",
    "daughter",
    "sister",
    "brother",
    "aunt",
    "uncle",
    "grandmother",
    "grandfather",
    "spouse",
    "partner",
    "friend",
    "male",
    "female",
    "man",
    "woman",
    "boy",
    "girl",
    "white",
    "black",
    "asian",
    "hispanic",
    "latino",
    "american",
    "english",
    "spanish",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "today",
    "tomorrow",
    "yesterday",
    "hospitalist",
    "cardiology",
    "oncology",
    "surgery",
    "medicine",
    "pediatrics",
    "radiology",
    "pathology",
    "pharmacy",
    "chart",
    "record",
    "records",
    "report",
    "results",
    "result",
    "type",
    "acute",
    "chronic",
    "severe",
    "mild",
    "moderate",
    "stable",
    "improved",
    "unchanged",
    "new",
    "old",
    "prior",
    "previous",
    "current",
    "recent",
    "continue",
    "start",
    "stop",
    "increase",
    "decrease",
    "aspirin",
    "tylenol",
    "advil",
    "lasix",
    "coumadin",
    "insurance",
    "medicare",
    "medicaid",
    "aetna",
    "cigna",
    "humana",
    "blue",
    "cross",
    "shield",
    "dx",
    "rx",
    "hx",
    "sx",
    "tx",
    "fx",
    "bp",
    "hr",
    "rr",
    "spo2",
    "cbc",
    "bmp",
    "cmp",
    "ekg",
    "ecg",
    "ct",
    "mri",
    "cxr",
    "copd",
    "chf",
    "cad",
    "dm",
    "htn",
    "uti",
    "mi",
    "cva",
    "tia",
    "dvt",
    "pe",
    "gerd",
    "ckd",
    "aki",
    "hiv",
    "hcv",
    "rsv",
    "covid",
    "street",
    "avenue",
    "road",
    "suite",
    "apt",
    "county",
    "city",
    "state",
    "north",
    "south",
    "east",
    "west",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// A word normalized for dictionary look-up without allocating: lower-case, without trailing
/// digits (Synthea appends digits to names) or a possessive `'s`.
struct Norm {
    buf: [u8; 40],
    len: usize,
}

impl Norm {
    fn new(word: &str) -> Norm {
        let w = word.trim_end_matches(|c: char| c.is_ascii_digit());
        let w = w
            .strip_suffix("'s")
            .or_else(|| w.strip_suffix("’s"))
            .unwrap_or(w);
        let mut buf = [0u8; 40];
        // No dictionary word is this long; keep the length so that it is not an initial.
        if w.len() > buf.len() {
            return Norm {
                buf,
                len: usize::MAX,
            };
        }
        for (d, s) in buf.iter_mut().zip(w.bytes()) {
            *d = s.to_ascii_lowercase();
        }
        Norm { buf, len: w.len() }
    }

    /// The normalized text ("" for an over-long word, which matches nothing).
    fn as_str(&self) -> &str {
        if self.len == usize::MAX {
            return "";
        }
        // ASCII lower-casing of a prefix that ends on a char boundary keeps UTF-8 valid.
        std::str::from_utf8(&self.buf[..self.len]).unwrap_or("")
    }

    fn len(&self) -> usize {
        self.len
    }

    fn flags(&self, dict: &NameDictionary) -> u8 {
        if self.len <= 1 || self.len == usize::MAX {
            0
        } else {
            dict.flags(self.as_str())
        }
    }
}

const NAME_TOKEN: &str =
    r"(?:[A-Z](?:[a-z]+|['’][A-Z][a-z]+)(?:[A-Z][a-z]+|['’-][A-Z]?[a-z]+)*[0-9]{0,4}|[A-Z]\.)";

/// The credentials of the `Name, MD` pattern, as written there (case-sensitive).
const CREDENTIALS: [&str; 25] = [
    "MD", "M.D.", "DO", "D.O.", "RN", "NP", "PA-C", "PA", "PhD", "Ph.D.", "DDS", "DMD", "LPN",
    "CNA", "CRNA", "MSW", "LCSW", "PharmD", "DPM", "OD", "FNP", "APRN", "FACS", "FACP", "MBBS",
];

/// The trigger `b[s..e]` opens one of [`CREDENTIALS`] exactly, not followed by a letter or digit
/// when it ends with one (`\b`).
fn is_credential(b: &[u8], s: usize, _e: usize) -> bool {
    CREDENTIALS.iter().any(|c| {
        let c = c.as_bytes();
        b[s..].starts_with(c)
            && (!c[c.len() - 1].is_ascii_alphanumeric()
                || b.get(s + c.len())
                    .is_none_or(|&n| !(n.is_ascii_alphanumeric() || n == b'_')))
    })
}

/// Regex-based name patterns (title, credentials, LAST, FIRST, context words).
pub(crate) fn builtin() -> Vec<Pattern> {
    let mk = |re: &str, confidence: f32, group: usize| Pattern {
        regex: compile(re),
        kind: PhiKind::Name,
        confidence,
        group,
        check: Check::None,
        trigger: Trigger::Scan,
    };
    let name_run = format!(r"{NAME_TOKEN}(?:\s+{NAME_TOKEN}){{0,3}}");
    let upper_run = r"[A-Z][A-Z'’-]+[0-9]{0,4}(?:\s+[A-Z][A-Z'’-]+[0-9]{0,4}){0,2}";
    vec![
        // Mr. Smith, Dr. John A. Smith, MRS. JONES.
        Pattern {
            trigger: Trigger::Words(&[
                "mr",
                "ms",
                "miss",
                "mx",
                "dr",
                "prof",
                "rev",
                "fr",
                "sr",
                "sister",
                "brother",
                "nurse",
                "doctor",
                "professor",
                "mister",
                "madam",
                "mme",
            ]),
            ..mk(
                &format!(
                    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Drs|Prof|Rev|Fr|Sr|Sister|Brother|Nurse|Doctor|Professor|Mister|Madam|Mme|MR|MRS|MS|DR)\.?\s+((?:{upper_run})|(?:{name_run}))"
                ),
                0.95,
                1,
            )
        },
        // John Smith, MD / J. Smith RN.
        Pattern {
            trigger: Trigger::Inner(Inner {
                words: &[
                    "md", "m.d.", "do", "d.o.", "rn", "np", "pa", "phd", "ph.d.", "dds", "dmd",
                    "lpn", "cna", "crna", "msw", "lcsw", "pharmd", "dpm", "od", "fnp", "aprn",
                    "facs", "facp", "mbbs",
                ],
                pre: space_byte,
                post: is_credential,
                back: name_byte,
                ..Inner::NONE
            }),
            ..mk(
                &format!(
                    r"\b({name_run}),?\s+(?:MD|M\.D\.|DO|D\.O\.|RN|NP|PA-C|PA|PhD|Ph\.D\.|DDS|DMD|LPN|CNA|CRNA|MSW|LCSW|PharmD|DPM|OD|FNP|APRN|FACS|FACP|MBBS)\b"
                ),
                0.9,
                1,
            )
        },
        // Name context: seen by X, wife X, Patient: X.
        Pattern {
            trigger: Trigger::Words(&[
                "patient",
                "pt",
                "name",
                "seen",
                "signed",
                "dictated",
                "transcribed",
                "cosigned",
                "co-signed",
                "authenticated",
                "reviewed",
                "examined",
                "referred",
                "accompanied",
                "discussed",
                "spoke",
                "attending",
                "resident",
                "intern",
                "surgeon",
                "physician",
                "provider",
                "pcp",
                "nurse",
                "cc",
                "wife",
                "husband",
                "son",
                "daughter",
                "mother",
                "father",
                "brother",
                "sister",
                "spouse",
                "partner",
                "fianc",
                "friend",
                "neighbor",
                "roommate",
                "guardian",
                "caregiver",
                "contact",
                "nok",
                "next",
                "employer",
                "works",
                "employed",
                "grandson",
                "granddaughter",
                "niece",
                "nephew",
                "aunt",
                "uncle",
                "cousin",
            ]),
            ..mk(
                &format!(
                    r"(?:(?i:\b(?:patient|pt|name|patient\s+name|seen\s+by|signed\s+by|dictated\s+by|transcribed\s+by|cosigned\s+by|co-signed\s+by|authenticated\s+by|reviewed\s+by|examined\s+by|referred\s+by|accompanied\s+by|discussed\s+with|spoke\s+with|attending|resident|intern|surgeon|physician|provider|pcp|nurse|cc|wife|husband|son|daughter|mother|father|brother|sister|spouse|partner|fianc[eé]e?|friend|neighbor|roommate|guardian|caregiver|contact|nok|next\s+of\s+kin|employer|works\s+for|employed\s+by|grandson|granddaughter|niece|nephew|aunt|uncle|cousin)\b)\s*[:,-]?\s*)({name_run})"
                ),
                0.8,
                1,
            )
        },
        // SMITH, JOHN / Smith, John A.
        mk(
            r"\b([A-Z][A-Z'’-]+[0-9]{0,4},\s*[A-Z][A-Z'’-]+[0-9]{0,4}(?:\s+[A-Z]\.?)?)\b",
            0.7,
            1,
        ),
        mk(
            r"\b([A-Z][a-z]+(?:['’-][A-Z][a-z]+)?[0-9]{0,4},\s+[A-Z][a-z]+[0-9]{0,4}(?:\s+[A-Z]\.)?)",
            0.6,
            1,
        ),
    ]
}

/// Post-filters the regex name spans with the dictionary: a context/`LAST, FIRST` span whose
/// tokens are all common words is dropped; leading common words are trimmed.
pub(crate) fn refine(dict: &NameDictionary, text: &str, span: Span) -> Option<Span> {
    let s = &text[span.start..span.end];
    // Trim leading/trailing tokens that are common words (e.g. "Patient Smith" after "name:").
    let mut tokens: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < bytes.len() {
        while i < bytes.len() && !is_word_byte(bytes[i]) {
            i += 1;
        }
        let st = i;
        while i < bytes.len() && is_word_byte(bytes[i]) {
            i += 1;
        }
        if i > st {
            tokens.push((st, i));
        }
    }
    let is_name_like = |t: &(usize, usize)| {
        let n = Norm::new(&s[t.0..t.1]);
        if n.len() <= 1 {
            return true; // an initial
        }
        let f = n.flags(dict);
        f & (COMMON | CLINICAL_WORD) == 0
    };
    // Title and credential spans (confidence >= 0.9) and "LAST, FIRST" keep their common-word
    // surnames ("Mr. Gray", "GRAY, THOMAS"); only clinical words are trimmed from them.
    let strong = span.confidence >= 0.9 || s.contains(',');
    let not_clinical = |t: &(usize, usize)| {
        let n = Norm::new(&s[t.0..t.1]);
        n.len() <= 1 || n.flags(dict) & CLINICAL_WORD == 0
    };
    let first = if strong {
        tokens.iter().position(not_clinical)?
    } else {
        tokens.iter().position(is_name_like)?
    };
    let last = tokens.iter().rposition(not_clinical)?;
    if last < first {
        return None;
    }
    let (st, _) = tokens[first];
    let (_, en) = tokens[last];
    // A comma form must have a dictionary-supported part, else it is likely "CHF, COPD".
    if span.confidence < 0.75 && s.contains(',') {
        let supported = tokens.iter().any(|t| {
            let f = Norm::new(&s[t.0..t.1]).flags(dict);
            f & (FIRST | LAST) != 0 && f & (COMMON | CLINICAL_WORD) == 0
        });
        if !supported {
            return None;
        }
    }
    let mut end = span.start + en;
    // Keep a trailing period of an initial.
    if text[end..].starts_with('.')
        && en - st >= 1
        && en >= 1
        && s[..en].ends_with(char::is_uppercase)
    {
        let tok = &s[tokens[last].0..en];
        if tok.len() == 1 {
            end += 1;
        }
    }
    Some(Span {
        start: span.start + st,
        end,
        ..span
    })
}

fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'\'' || b == b'-' || b >= 0x80
}

/// The dictionary scan: capitalized tokens that are census first names or surnames.
///
/// * two or more adjacent capitalized tokens with at least one dictionary name (and not all
///   common words) → a name, confidence 0.85;
/// * a single mid-sentence capitalized dictionary name that is not a common word → 0.6;
/// * ALL-CAPS tokens count only in pairs where both are dictionary names (headings are caps).
pub(crate) fn scan_dictionary(dict: &NameDictionary, text: &str, out: &mut Vec<Span>) {
    let bytes = text.as_bytes();
    let n = bytes.len();
    let mut i = 0;
    // (start, end, is_first, is_last, is_common, all_caps, sentence_start)
    let mut run: Vec<(usize, usize, bool, bool, bool, bool, bool)> = Vec::new();
    let mut prev_end = 0usize;
    while i < n {
        let b = bytes[i];
        if !b.is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let st = i;
        while i < n && (bytes[i].is_ascii_alphanumeric() || bytes[i] == b'\'' || bytes[i] == b'-') {
            i += 1;
        }
        // Do not start inside a word with non-ASCII letters.
        if st > 0 && bytes[st - 1] >= 0x80 {
            continue;
        }
        let mut en = i;
        while en > st && matches!(bytes[en - 1], b'\'' | b'-') {
            en -= 1;
        }
        let word = &text[st..en];
        let first_upper = bytes[st].is_ascii_uppercase();
        // A gap that is more than spaces (punctuation, newline) ends the run.
        let gap = &text[prev_end.min(st)..st];
        let joined =
            !run.is_empty() && gap.bytes().all(|c| c == b' ' || c == b'\t') && gap.len() <= 2;
        if !joined {
            flush(dict, text, &run, out);
            run.clear();
        }
        prev_end = if en - st == 1 && bytes.get(en) == Some(&b'.') {
            en + 1
        } else {
            en
        };
        if !first_upper || en - st < 2 && !(en - st == 1 && i < n && bytes[i] == b'.') {
            flush(dict, text, &run, out);
            run.clear();
            continue;
        }
        let norm = Norm::new(word);
        if norm.len() == 0 {
            flush(dict, text, &run, out);
            run.clear();
            continue;
        }
        let flags = norm.flags(dict);
        let (f, l) = (flags & FIRST != 0, flags & LAST != 0);
        let c = flags & (COMMON | CLINICAL_WORD) != 0;
        let all_caps = word.len() > 1 && word.bytes().all(|c| !c.is_ascii_lowercase());
        let sentence_start = is_sentence_start(text, st);
        run.push((st, en, f, l, c, all_caps, sentence_start));
    }
    flush(dict, text, &run, out);
}

fn is_sentence_start(text: &str, st: usize) -> bool {
    let before = text[..st].trim_end_matches([' ', '\t', '"', '(', '*', '#', '-']);
    match before.as_bytes().last() {
        None => true,
        Some(b) => matches!(b, b'.' | b'!' | b'?' | b'\n' | b':' | b';' | b'\r' | b'>'),
    }
}

#[allow(clippy::type_complexity)]
fn flush(
    _dict: &NameDictionary,
    text: &str,
    run: &[(usize, usize, bool, bool, bool, bool, bool)],
    out: &mut Vec<Span>,
) {
    if run.is_empty() {
        return;
    }
    // Split the run into maximal name-ish stretches (drop common/clinical words at the edges).
    let mut k = 0;
    while k < run.len() {
        // Skip tokens that are common and not names.
        while k < run.len() && run[k].4 {
            k += 1;
        }
        let st = k;
        while k < run.len() && !run[k].4 {
            k += 1;
        }
        let stretch = &run[st..k];
        if stretch.is_empty() {
            continue;
        }
        let dict_hits = stretch.iter().filter(|t| t.2 || t.3).count();
        let any_first = stretch.iter().any(|t| t.2);
        let has_initial = stretch.iter().any(|t| t.1 - t.0 == 1);
        let all_caps = stretch.iter().all(|t| t.5);
        let start = stretch[0].0;
        let mut end = stretch[stretch.len() - 1].1;
        if text[end..].starts_with('.') && end - stretch[stretch.len() - 1].0 == 1 {
            end += 1;
        }
        if stretch.len() >= 2
            && !all_caps
            && (any_first || dict_hits >= 2 || has_initial && dict_hits >= 1)
        {
            out.push(Span {
                start,
                end,
                kind: PhiKind::Name,
                confidence: 0.85,
            });
        } else if stretch.len() >= 2 && all_caps && dict_hits == stretch.len() {
            out.push(Span {
                start,
                end,
                kind: PhiKind::Name,
                confidence: 0.75,
            });
        } else if !all_caps {
            // Single dictionary names inside the stretch, not at a sentence start.
            for t in stretch {
                if (t.2 || t.3) && !t.6 && t.1 - t.0 >= 2 {
                    out.push(Span {
                        start: t.0,
                        end: t.1,
                        kind: PhiKind::Name,
                        confidence: 0.6,
                    });
                }
            }
        }
    }
}
