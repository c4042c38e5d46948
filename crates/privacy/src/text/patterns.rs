//! Pattern recognizers: dates, ages over 89, phone/fax, e-mail, SSN, labelled identifiers
//! (MRN, account, member, license, device serial …), URLs, IP addresses, ZIP codes, street addresses
//! and city/state context. Each is a compiled `regex-automata` meta regex (linear time, no
//! backtracking blow-up).
//!
//! # Speed: triggers
//!
//! Running some fifty regexes over every byte of a note costs one lazy-DFA pass each. Most
//! patterns can only start at a few places: at a label word (`MRN`, `phone`, `seen by` …) or at a
//! run of digits of a given length (a year, an area code, a long number). Such a pattern carries a
//! [`Trigger`]; one shared pass finds the label words (Aho-Corasick, ASCII case-insensitive) and
//! the digit runs, and the pattern is then tried *anchored* at those candidate starts only. The
//! candidate set contains every position where the pattern can start, so the spans are exactly
//! those of a full `find_iter` scan (tested in `triggered_scan_equals_full_scan`). Where that
//! guarantee needs ASCII (a text with non-ASCII digits, which `\d` matches, or with the Kelvin sign
//! or long s, which `(?i)` folds to `k`/`s`), the patterns fall back to full scans.

use super::Span;
use crate::PhiKind;
use regex_automata::meta::Regex;
use regex_automata::util::captures::Captures;
use regex_automata::{Anchored, Input};

/// One pattern: the regex, the kind it finds, its confidence and which capture group is the PHI
/// (0 = the whole match).
pub(crate) struct Pattern {
    pub(crate) regex: Regex,
    pub(crate) kind: PhiKind,
    pub(crate) confidence: f32,
    pub(crate) group: usize,
    pub(crate) check: Check,
    pub(crate) trigger: Trigger,
}

/// Where a pattern's matches can start: a necessary condition that is cheap to find. The regex
/// still decides.
#[derive(Clone, Copy)]
pub(crate) enum Trigger {
    /// Anywhere: scan the whole text.
    Scan,
    /// Only at one of these words (ASCII case-insensitive; each word a prefix of the match).
    Words(&'static [&'static str]),
    /// Only at the start of a maximal run of `min..=max` ASCII digits for which `ok(text, start,
    /// end)` holds, or at most `back` bytes before it at a byte for which `lead` holds.
    Digits {
        min: usize,
        max: usize,
        back: usize,
        lead: fn(u8) -> bool,
        ok: fn(&[u8], usize, usize) -> bool,
    },
    /// Every match contains one of these words (ASCII case-insensitive) or a maximal run of
    /// `digits.0..=digits.1` ASCII digits, preceded by a byte for which `pre` holds, and every
    /// byte of the match before it satisfies `back`. The regex is run unanchored from the
    /// earliest such start of each trigger not already inside a match; with `fwd`, only up to
    /// `fwd(text, trigger end)`, which must bound the end of every match holding that trigger.
    Inner(Inner),
}

/// See [`Trigger::Inner`].
#[derive(Clone, Copy)]
pub(crate) struct Inner {
    pub(crate) words: &'static [&'static str],
    pub(crate) digits: (usize, usize),
    pub(crate) pre: fn(u8) -> bool,
    /// A further check of the trigger `(text, start, end)`.
    pub(crate) post: fn(&[u8], usize, usize) -> bool,
    pub(crate) back: fn(u8) -> bool,
    pub(crate) fwd: Option<fn(&[u8], usize) -> usize>,
}

impl Inner {
    pub(crate) const NONE: Inner = Inner {
        words: &[],
        digits: (0, 0),
        pre: |_| true,
        post: |_, _, _| true,
        back: |_| false,
        fwd: None,
    };
}

impl Pattern {
    fn words(mut self, w: &'static [&'static str]) -> Self {
        self.trigger = Trigger::Words(w);
        self
    }
    fn digits(mut self, min: usize, max: usize) -> Self {
        self.trigger = Trigger::Digits {
            min,
            max,
            back: 0,
            lead: |_| false,
            ok: |_, _, _| true,
        };
        self
    }
    /// Narrows a [`Trigger::Digits`]: the run must also satisfy `ok(text, start, end)`.
    fn run_ok(mut self, f: fn(&[u8], usize, usize) -> bool) -> Self {
        if let Trigger::Digits { ref mut ok, .. } = self.trigger {
            *ok = f;
        }
        self
    }
    fn inner(mut self, inner: Inner) -> Self {
        self.trigger = Trigger::Inner(inner);
        self
    }
    fn digits_back(mut self, min: usize, max: usize, back: usize, lead: fn(u8) -> bool) -> Self {
        self.trigger = Trigger::Digits {
            min,
            max,
            back,
            lead,
            ok: |_, _, _| true,
        };
        self
    }
}

/// Compiles a built-in pattern.
pub(crate) fn compile(re: &str) -> Regex {
    Regex::new(re).unwrap_or_else(|e| panic!("built-in pattern {re:?}: {e}"))
}

/// A post-match check that filters false positives a regex cannot express.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Check {
    None,
    /// The value must contain a digit.
    HasDigit,
    /// The value must parse as an IPv6 address.
    Ipv6,
    /// A phone number: becomes FAX when "fax" precedes it closely.
    PhoneOrFax,
    /// A generic number: skip when a code-system word (LOINC, SNOMED, ICD, CPT, NDC, RxNorm) precedes it.
    NotCode,
    /// Trim trailing punctuation from a URL.
    TrimUrl,
}

const MONTH_T: &str = r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JAN(?:UARY)?|FEB(?:RUARY)?|MAR(?:CH)?|APR(?:IL)?|MAY|JUNE?|JULY?|AUG(?:UST)?|SEPT?(?:EMBER)?|OCT(?:OBER)?|NOV(?:EMBER)?|DEC(?:EMBER)?|jan|feb|mar|apr|jun|jul|aug|sept?|oct|nov|dec)";
const DAY: &str = r"(?:[12][0-9]|3[01]|0?[1-9])(?:st|nd|rd|th)?";
const YEAR: &str = r"(?:1[89][0-9]{2}|2[01][0-9]{2}|'[0-9]{2}|[0-9]{2})";
const YEAR4: &str = r"(?:1[89][0-9]{2}|2[01][0-9]{2})";
/// An optional time that follows a date: `at 10:30`, `@ 2pm`, `T08:42:20.799+00:00`, `14:05:33 EST`.
const TIME: &str = r"(?:(?:,?\s*(?:at\s+|@\s*)?|T)(?:[01]?[0-9]|2[0-3])(?::[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?:\s*[AaPp]\.?[Mm]\.?)?|\s*[AaPp]\.?[Mm]\.?)(?:\s*(?:Z|[+-][0-9]{2}:?[0-9]{2}|[ECMP][SD]T|UTC|GMT)\b)?)?";

const STATES_ABBR: &str = r"(?:AL|AK|AZ|AR|CA|CO|CT|DE|DC|FL|GA|HI|ID|IL|IN|IA|KS|KY|LA|ME|MD|MA|MI|MN|MS|MO|MT|NE|NV|NH|NJ|NM|NY|NC|ND|OH|OK|OR|PA|PR|RI|SC|SD|TN|TX|UT|VT|VA|WA|WV|WI|WY|Ala\.|Ariz\.|Ark\.|Calif\.|Colo\.|Conn\.|Del\.|Fla\.|Ga\.|Ill\.|Ind\.|Kan\.|Ky\.|La\.|Md\.|Mass\.|Mich\.|Minn\.|Miss\.|Mo\.|Mont\.|Neb\.|Nev\.|Okla\.|Ore\.|Pa\.|Tenn\.|Tex\.|Va\.|Vt\.|Wash\.|Wis\.|Wyo\.)";
const STATES: &str = r"(?:Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|District of Columbia|Florida|Georgia|Hawaii|Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New Jersey|New Mexico|New York|North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Puerto Rico|Rhode Island|South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|Washington|West Virginia|Wisconsin|Wyoming)";
const STREET_SUFFIX: &str = r"(?:Street|St|Avenue|Ave|Av|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Place|Pl|Way|Terrace|Ter|Terr|Circle|Cir|Parkway|Pkwy|Highway|Hwy|Square|Sq|Trail|Trl|Turnpike|Tpke|Pike|Row|Alley|Aly|Crossing|Xing|Crescent|Cres|Loop|Run|Path|Pass|Point|Pt|Ridge|Rdg|Heights|Hts|Highlands|Hills|Hill|Landing|Lndg|Gardens|Gdns|Green|Grove|Harbor|Haven|Meadows?|Mews|Park|Plaza|Plz|Port|Station|Sta|Summit|Valley|Vly|View|Vista|Walk|Wells|Estates?|Extension|Ext|Glen|Gateway|Junction|Jct|Knolls?|Manor|Mill|Mills|Orchard|Ramp|Shores?|Spurs?|Stream|Village|Vlg|Ville|Wharf|Common|Commons|Causeway|Center|Ctr|Bypass|Byp|Cove|Crest|Ford|Fork|Forks|Freeway|Fwy|Isle|Lake|Lakes|Lodge|Mall|Oval|Overpass|Passage|Pines|Plains?|Prairie|Radial|Rapids?|Rest|Route|Rte|Skyway|Springs?|Track|Trace|Underpass|Union|Unions|Viaduct|Way|Ways)";
const UNIT: &str = r"(?:\s*,?\s*(?:Apt|Apartment|Suite|Ste|Unit|Bldg|Building|Fl|Floor|Room|Rm|Lot|#)\.?\s*#?\s*[A-Za-z0-9-]+)?";

fn p(re: &str, kind: PhiKind, confidence: f32, group: usize, check: Check) -> Pattern {
    Pattern {
        regex: compile(re),
        kind,
        confidence,
        group,
        check,
        trigger: Trigger::Scan,
    }
}

/// The byte after a digit run (`None` at the end of the text) is one of `set`, or any
/// non-ASCII byte when `unicode` (Unicode whitespace or a letter `\b` must judge).
fn next_in(b: &[u8], end: usize, set: &[u8], unicode: bool) -> bool {
    match b.get(end) {
        None => true,
        Some(&c) => set.contains(&c) || unicode && c >= 0x80,
    }
}

/// The two first bytes, lower-cased, as an index below `1 << 14` (bytes above 0x7F share a slot).
fn prefix_key(a: u8, b: u8) -> usize {
    ((a.to_ascii_lowercase() & 0x7F) as usize) << 7 | (b.to_ascii_lowercase() & 0x7F) as usize
}

/// ASCII whitespace as `\s` sees it.
const WS: &[u8] = b" \t\n\r\x0B\x0C";

fn plus_one_paren(b: u8) -> bool {
    matches!(b, b'+' | b'1' | b'(')
}

fn ascii_letter(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

/// Bytes of a domain name, and any non-ASCII byte (case folding can map one to a letter).
fn domain_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b >= 0x80
}

/// Bytes of words separated by whitespace (non-ASCII bytes may be Unicode whitespace).
fn words_byte(b: u8) -> bool {
    b.is_ascii_alphabetic() || b.is_ascii_whitespace() || b == 0x0B || b >= 0x80
}

/// ASCII whitespace, and any non-ASCII byte (Unicode whitespace).
pub(crate) fn space_byte(b: u8) -> bool {
    b.is_ascii_whitespace() || b == 0x0B || b >= 0x80
}

/// `City, ST`: every match ends within the longest state name ("District of Columbia") after
/// the comma and the whitespace that follows it.
fn after_state(b: &[u8], comma_end: usize) -> usize {
    let mut i = comma_end;
    while i < b.len() && space_byte(b[i]) {
        i += 1;
    }
    i + 21
}

/// Bytes of a state name or abbreviation and the separators before a ZIP code.
fn state_byte(b: u8) -> bool {
    words_byte(b) || b == b'.' || b == b','
}

/// Bytes of a person's name written before a credential (`J. O'Neil-Smith2, MD`).
pub(crate) fn name_byte(b: u8) -> bool {
    words_byte(b) || b.is_ascii_digit() || matches!(b, b'\'' | b'-' | b'.' | b',')
}

/// Every built-in pattern. Compiled once per [`super::Recognizers`].
pub(crate) fn builtin() -> Vec<Pattern> {
    use Check as C;
    use PhiKind as K;
    let mut v = Vec::new();

    // ---- dates ----------------------------------------------------------------------------
    // 2023-01-02, 2023/1/2, 2023.01.02, with an optional ISO or clock time.
    v.push(p(
        &format!(
            r"\b{YEAR4}[-/.](?:1[0-2]|0?[1-9])[-/.](?:3[01]|[12][0-9]|0?[1-9])(?:[T ](?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?:Z|[+-][0-9]{{2}}:?[0-9]{{2}})?|\b){TIME}"
        ),
        K::Date,
        0.99,
        0,
        C::None,
    ).digits(4, 4).run_ok(|b, _, e| next_in(b, e, b"-/.", false)));
    // 01/02/2023, 1/2/23, 1-2-2023, 01.02.2023 (US or European order), with a time.
    v.push(p(
        &format!(r"\b(?:[0-9]{{1,2}})(?:/[0-9]{{1,2}}/|-[0-9]{{1,2}}-|\.[0-9]{{1,2}}\.)(?:{YEAR4}|[0-9]{{2}})\b{TIME}"),
        K::Date,
        0.95,
        0,
        C::None,
    ).digits(1, 2).run_ok(|b, _, e| next_in(b, e, b"/-.", false)));
    // 2023-01 (year and month).
    v.push(
        p(
            &format!(r"\b{YEAR4}-(?:0[1-9]|1[0-2])\b"),
            K::Date,
            0.7,
            0,
            C::None,
        )
        .digits(4, 4)
        .run_ok(|b, _, e| next_in(b, e, b"-", false)),
    );
    // 20230102 (compact ISO).
    v.push(
        p(
            r"\b(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])\b",
            K::Date,
            0.8,
            0,
            C::None,
        )
        .digits(8, 8),
    );
    // Jan 2, 2023 / January 2nd / Jan. 2 '23 / JAN 02 2023 10:30.
    v.push(p(
        &format!(r"\b{MONTH_T}\.?\s*{DAY}\b(?:,?\s*{YEAR}\b)?{TIME}"),
        K::Date,
        0.95,
        0,
        C::None,
    ));
    // 2 January 2023 / 2nd of January / 02-Jan-2023 / 2 Jan.
    v.push(
        p(
            &format!(r"\b{DAY}(?:\s+of)?[\s/-]*{MONTH_T}\b\.?(?:[\s,/-]*{YEAR}\b)?{TIME}"),
            K::Date,
            0.95,
            0,
            C::None,
        )
        .digits(1, 2)
        .run_ok(|b, _, e| {
            b.get(e).is_none_or(|c| c.is_ascii_alphabetic())
                || next_in(b, e, b" \t\n\r\x0B\x0C/-", true)
        }),
    );
    // January 2023 / Jan of 2023 / 01/2023 (month and year).
    v.push(p(
        &format!(r"\b{MONTH_T}\.?,?\s+(?:of\s+)?{YEAR4}\b"),
        K::Date,
        0.9,
        0,
        C::None,
    ));
    v.push(
        p(
            &format!(r"\b(?:0?[1-9]|1[0-2])/{YEAR4}\b"),
            K::Date,
            0.85,
            0,
            C::None,
        )
        .digits(1, 2)
        .run_ok(|b, _, e| next_in(b, e, b"/", false)),
    );
    // 3/14 (month/day) after a date word.
    v.push(p(
        r"(?i:\b(?:on|since|from|until|till|thru|through|by|dated|date|dob|seen|admitted|discharged|visit|returns?|starting|started|effective)\b:?\s+)((?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12][0-9]|3[01]))\b",
        K::Date,
        0.85,
        1,
        C::None,
    ).words(&["on", "since", "from", "until", "till", "thru", "through", "by", "date", "dob", "seen", "admitted", "discharged", "visit", "return", "start", "effective"]));
    // A full month name alone; "March" and "May" only after a date word.
    v.push(p(
        r"\b(?:January|February|April|June|July|August|September|October|November|December)\b",
        K::Date,
        0.7,
        0,
        C::None,
    ));
    v.push(p(
        r"(?i:\b(?:in|since|on|of|early|late|mid|last|next|until|by|during|from|through|before|after)[\s-]+)(March|May)\b",
        K::Date,
        0.7,
        1,
        C::None,
    ));
    // Holidays are date elements.
    v.push(p(
        r"\b(?:Christmas(?:\s+Eve|\s+Day)?|Thanksgiving(?:\s+Day)?|New\s+Year'?s(?:\s+Eve|\s+Day)?|Easter(?:\s+Sunday)?|Independence\s+Day|Fourth\s+of\s+July|Halloween|Memorial\s+Day|Labor\s+Day|Veterans'?\s+Day|Valentine'?s\s+Day|Mother'?s\s+Day|Father'?s\s+Day)\b",
        K::Date,
        0.8,
        0,
        C::None,
    ));

    // ---- ages over 89 ----------------------------------------------------------------------
    v.push(p(
        r"(?i)\b(?:9[0-9]|1[0-1][0-9])(?:\s*|-)(?:years?|yrs?|y\.?\s?o\.?|y/o|yo|year-old|yr-old)(?:[\s-]*old)?\b",
        K::Age,
        0.95,
        0,
        C::None,
    ).digits(2, 3).run_ok(|b, s, e| matches!(b[s], b'9' | b'1') && next_in(b, e, b" \t\n\r\x0B\x0C-yY", true)));
    v.push(p(
        r"(?i:\b(?:age|aged|age:)\s*)((?:9[0-9]|1[0-1][0-9]))\b",
        K::Age,
        0.95,
        1,
        C::None,
    ));
    v.push(
        p(
            r"\b(?:9[0-9]|1[0-1][0-9])(?:M|F|yo[mf]|y/o[mf]|YO[MF])\b",
            K::Age,
            0.85,
            0,
            C::None,
        )
        .digits(2, 3)
        .run_ok(|b, s, e| matches!(b[s], b'9' | b'1') && next_in(b, e, b"MFyY", false)),
    );

    // ---- contact ---------------------------------------------------------------------------
    // (617) 555-0123, 617-555-0123, 617.555.0123, +1 617 555 0123, ext. 12.
    v.push(p(
        r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b(?:\s*(?:x|ext\.?|extension)\s*\d{1,5}\b)?",
        K::Phone,
        0.95,
        0,
        C::PhoneOrFax,
    ).digits_back(3, 3, 8, plus_one_paren).run_ok(|b, _, e| next_in(b, e, b" \t\n\r\x0B\x0C.-)", true)));
    // +44 20 7946 0958 (international).
    v.push(p(
        r"\+\d{1,3}[\s.-]?\(?\d{1,4}\)?(?:[\s.-]?\d{2,4}){2,4}\b",
        K::Phone,
        0.85,
        0,
        C::PhoneOrFax,
    ));
    // 555-1234 (local).
    v.push(p(r"\b\d{3}-\d{4}\b", K::Phone, 0.7, 0, C::PhoneOrFax));
    // Labelled phone / fax digits: "phone 6175550123", "fax: 617 555 0123".
    v.push(p(
        r"(?i:\b(?:phone|tel|telephone|cell|mobile|pager|home|work|ph|call)\b\.?\s*(?:#|no\.?|number)?\s*:?\s*)(\+?[0-9][0-9 ().-]{6,16}[0-9])",
        K::Phone,
        0.9,
        1,
        C::PhoneOrFax,
    ).words(&["ph", "tel", "cell", "mobile", "pager", "home", "work", "call"]));
    v.push(p(
        r"(?i:\bfax\b\.?\s*(?:#|no\.?|number)?\s*:?\s*)(\+?[0-9][0-9 ().-]{6,16}[0-9])",
        K::Fax,
        0.95,
        1,
        C::None,
    ));
    v.push(p(
        r"\b[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}\b",
        K::Email,
        0.99,
        0,
        C::None,
    ));

    // ---- national identifiers --------------------------------------------------------------
    v.push(p(r"\b\d{3}-\d{2}-\d{4}\b", K::Ssn, 0.95, 0, C::None));
    v.push(
        p(r"\b\d{3} \d{2} \d{4}\b", K::Ssn, 0.85, 0, C::None)
            .digits(3, 3)
            .run_ok(|b, _, e| next_in(b, e, b" ", false)),
    );
    v.push(p(
        r"(?i:\b(?:ssn\b|ss#|soc\.?\s*sec\.?|social\s+security\b)(?:\s*(?:number|no\.?|#))?\s*(?:is|was|of|ending(?:\s+in)?)?\s*[:#]?\s*)([0-9xX*]{3}[- ]?[0-9xX*]{2}[- ]?[0-9]{4}|[0-9]{4})\b",
        K::Ssn,
        0.99,
        1,
        C::None,
    ));

    // ---- labelled identifiers: the label says the kind ------------------------------------
    let value = r"\s*(?:is|was|of)?[\s:#=]*([A-Za-z0-9(](?:[A-Za-z0-9()./-]{0,40}[A-Za-z0-9])?)";
    // (case-insensitive labels, case-sensitive short labels, kind): short labels such as `DL` or
    // `SN` would otherwise match `mg/dL` or `sn`.
    let labelled: [(&str, &str, PhiKind, &[&str]); 7] = [
        (
            r"MRN|MR\s*#|MR\s*No\.?|Med(?:ical)?\.?\s+Rec(?:ord)?s?\.?\s*(?:Number|No\.?|#)?|Record\s*(?:Number|No\.?|#)|Patient\s*(?:ID|#|Number|No\.?)|Pt\.?\s*(?:ID|#)|Unit\s*(?:No\.?|Number|#)|Chart\s*(?:No\.?|Number|#)",
            r"EMPI|MPI|MR",
            K::Mrn,
            &[
                "mr", "med", "record", "patient", "pt", "unit", "chart", "empi", "mpi",
            ],
        ),
        (
            r"Acct|Account|Billing\s*(?:No\.?|#|Number|ID)|Visit\s*(?:No\.?|#|Number|ID)|Encounter\s*(?:No\.?|#|Number|ID)|Invoice\s*(?:No\.?|#|Number)?|Claim\s*(?:No\.?|#|Number|ID)",
            r"FIN|CSN|HAR",
            K::Account,
            &[
                "acc",
                "billing",
                "visit",
                "encounter",
                "invoice",
                "claim",
                "fin",
                "csn",
                "har",
            ],
        ),
        (
            r"Member|Subscriber|Policy|Group|Insurance|Insured|Medicare|Medicaid|Beneficiary|Plan\s*(?:ID|#)|Health\s*Plan",
            r"MBI|HICN",
            K::HealthPlan,
            &[
                "member",
                "subscriber",
                "policy",
                "group",
                "insur",
                "medica",
                "beneficiary",
                "plan",
                "health",
                "mbi",
                "hicn",
            ],
        ),
        (
            r"(?:Driver'?s\s*)?Licen[cs]e|Certificate|Cert\.?\s*#|Passport|Registration\s*(?:No\.?|#|Number)",
            r"DL|DEA|NPI|Lic\.?",
            K::License,
            &[
                "driver",
                "lic",
                "cert",
                "passport",
                "registration",
                "dl",
                "dea",
                "npi",
            ],
        ),
        (
            r"Vehicle\s*(?:ID|Identification\s*Number|#|No\.?)?|(?:License\s*)?Plate",
            r"VIN|Tag\s*#",
            K::Vehicle,
            &["vehicle", "license", "plate", "vin", "tag"],
        ),
        (
            r"Serial|Device\s*(?:ID|#|Serial|Identifier|No\.?)?|Model\s*(?:No\.?|#)|Lot\s*(?:No\.?|#|Number)|IMEI|MAC\s*Address|Implant\s*(?:ID|#)",
            r"S/N|SN|UDI|LOT|Lot",
            K::Device,
            &[
                "serial", "device", "model", "lot", "imei", "mac", "s/n", "sn", "udi", "implant",
            ],
        ),
        (
            r"Identifier|Ref(?:erence)?\s*(?:No\.?|#)|Case\s*(?:No\.?|#|Number)",
            r"ID|Id",
            K::Id,
            &["id", "ref", "case"],
        ),
    ];
    for (ci, cs, kind, words) in labelled {
        v.push(p(
            &format!(
                r"(?:(?i:\b(?:{ci}))|\b(?:{cs}))\.?(?i:\s*(?:beneficiary|member|subscriber|policy|account|record|serial|identification|plate))?(?i:\s*(?:number|no\.?|num|#|id|identifier|code))?{value}"
            ),
            kind,
            0.95,
            1,
            C::HasDigit,
        ).words(words));
    }

    // License plates are often written with a space: "plate BCL 4392".
    v.push(p(
        r"(?i:\b(?:license\s+)?plate\b\.?(?:\s*(?:number|no\.?|#))?\s*[:#]?\s*)((?-i:[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,4}))\b",
        K::Vehicle,
        0.95,
        1,
        C::HasDigit,
    ).words(&["license", "plate"]));

    // ---- web and network -------------------------------------------------------------------
    v.push(p(
        r#"(?i)\b(?:https?|ftp|sftp)://[^\s<>"'\]\)]+|\bwww\.[^\s<>"'\]\)]+"#,
        K::Url,
        0.99,
        0,
        C::TrimUrl,
    ));
    v.push(p(
        r"(?i)\b[a-z0-9][a-z0-9-]*(?:\.[a-z0-9-]+)*\.(?:com|org|net|edu|gov|mil|io|us|info|biz|health|care|co\.uk)\b(?:/[^\s<>\x22']*)?",
        K::Url,
        0.85,
        0,
        C::TrimUrl,
    ).inner(Inner {
        words: &[
            ".co", ".org", ".net", ".edu", ".gov", ".mil", ".io", ".us", ".info", ".biz",
            ".health", ".care",
        ],
        pre: domain_byte,
        back: domain_byte,
        ..Inner::NONE
    }));
    v.push(p(
        r"\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b",
        K::Ip,
        0.95,
        0,
        C::None,
    ).digits(1, 3).run_ok(|b, _, e| next_in(b, e, b".", false)));
    v.push(p(
        r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3})?",
        K::Ip,
        0.95,
        0,
        C::Ipv6,
    ));

    // ---- geography -------------------------------------------------------------------------
    v.push(p(r"\b\d{5}-\d{4}\b", K::Zip, 0.95, 0, C::None));
    v.push(
        p(
            &format!(r"\b(?:{STATES_ABBR}|{STATES}),?\s+(\d{{5}}(?:-\d{{4}})?)\b"),
            K::Zip,
            0.95,
            1,
            C::None,
        )
        .inner(Inner {
            digits: (5, 5),
            pre: space_byte,
            back: state_byte,
            ..Inner::NONE
        }),
    );
    v.push(p(
        r"(?i:\b(?:zip|zip\s*code|zipcode|postal\s*code)\b\s*[:#]?\s*)(\d{5}(?:-\d{4})?)\b",
        K::Zip,
        0.99,
        1,
        C::None,
    ));
    // Street address: number, optional direction, 1-4 words, a street suffix, optional unit.
    v.push(p(
        &format!(
            r"\b\d{{1,6}}[A-Za-z]?\s+(?:[NSEW]\.?\s+|(?:North|South|East|West|N\.?E\.?|N\.?W\.?|S\.?E\.?|S\.?W\.?)\s+)?(?:(?:[A-Z][A-Za-z'.-]*|\d{{1,3}}(?:st|nd|rd|th))[0-9]*\s+){{1,4}}{STREET_SUFFIX}\b\.?{UNIT}"
        ),
        K::Address,
        0.95,
        0,
        C::None,
    ).digits(1, 6).run_ok(|b, _, e| b.get(e).is_none_or(|c| c.is_ascii_alphabetic()) || next_in(b, e, WS, true)));
    v.push(p(
        r"(?i)\b(?:P\.?\s?O\.?\s*Box|Post\s+Office\s+Box)\s*#?\s*\d+\b",
        K::Address,
        0.99,
        0,
        C::None,
    ));
    v.push(p(
        r"\b(?:Apt|Apartment|Suite|Ste|Unit)\.?\s*#?\s*\d+[A-Za-z]?\b",
        K::Address,
        0.75,
        0,
        C::None,
    ));
    // City, ST / City, State.
    v.push(
        p(
            &format!(r"\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,2}}),\s*(?:{STATES_ABBR}|{STATES})\b"),
            K::Location,
            0.9,
            1,
            C::None,
        )
        .inner(Inner {
            words: &[","],
            pre: |b| b.is_ascii_lowercase(),
            back: |b| b.is_ascii_alphabetic() || b == b' ' || b == b'-',
            fwd: Some(after_state),
            ..Inner::NONE
        }),
    );
    // lives in X / resident of X / moved to X.
    v.push(p(
        r"(?i:\b(?:lives|living|resides|residing|reside|home|located|born|raised|grew\s+up|moved|relocated|travell?ed|trip|vacation|visiting|native|resident|is\s+from|are\s+from|came\s+from|comes\s+from)\s+(?:in|to|at|of|from|near)\s+)((?:[A-Z][a-z]+|[A-Z]{2,})(?:[ -](?:[A-Z][a-z]+|[A-Z]{2,})){0,2})",
        K::Location,
        0.8,
        1,
        C::None,
    ).words(&["lives", "living", "resid", "home", "located", "born", "raised", "grew", "moved", "relocated", "travel", "trip", "vacation", "visiting", "native", "is", "are", "came", "comes"]));
    v.push(
        p(
            r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:County|Parish|Township|Borough)\b",
            K::Location,
            0.9,
            0,
            C::None,
        )
        .inner(Inner {
            words: &["county", "parish", "township", "borough"],
            pre: space_byte,
            back: words_byte,
            ..Inner::NONE
        }),
    );

    // ---- other identifying numbers (R) -----------------------------------------------------
    // Long digit runs and digit-heavy codes that no other recognizer explained.
    v.push(p(r"\b\d{6,}\b", K::Id, 0.6, 0, C::NotCode).digits(6, usize::MAX));
    v.push(
        p(
            r"\b(?:[A-Za-z]{1,4}[-]?\d{4,}[A-Za-z0-9-]*|\d{4,}[-]?[A-Za-z]{1,4}[A-Za-z0-9-]*)\b",
            K::Id,
            0.6,
            0,
            C::NotCode,
        )
        .digits_back(4, usize::MAX, 5, ascii_letter),
    );
    v
}

/// The shared candidate finder of a list of patterns (indexed by their position in it).
pub(crate) struct Triggers {
    /// Every trigger word, lower-case.
    words: Vec<&'static str>,
    /// For each word, the patterns it triggers.
    owners: Vec<Vec<u16>>,
    /// The words that open with an ASCII letter or digit, by their first two bytes (lower-case):
    /// looked up at word starts only.
    by_prefix: Vec<u16>,
    /// The word lists `by_prefix` points into (entry 0 is unused).
    prefix_lists: Vec<Vec<u16>>,
    /// The words that open with punctuation, by that first byte: the one-byte words (`,`) and
    /// the longer ones (`.com`, also in `by_prefix`).
    punct: Vec<(u8, Vec<u16>, Vec<u16>)>,
    /// How many patterns.
    patterns: usize,
    /// For each pattern, whether it has words of both kinds (its hits need sorting).
    mixed: Vec<bool>,
}

/// The candidate starts found in one text.
pub(crate) struct Candidates {
    /// For each pattern, `(start, end)` of every trigger word, ascending by start, one per start.
    pub(crate) word_hits: Vec<Vec<(u32, u32)>>,
    /// `(start, len)` of every maximal run of ASCII digits.
    pub(crate) runs: Vec<(u32, u32)>,
    /// Whether the word candidates are complete for this text (else: full scans).
    words_exact: bool,
    /// Whether the digit candidates are complete for this text (else: full scans).
    digits_exact: bool,
}

impl Triggers {
    pub(crate) fn new<'a>(patterns: impl IntoIterator<Item = &'a Pattern>) -> Triggers {
        let mut words: Vec<&'static str> = Vec::new();
        let mut owners: Vec<Vec<u16>> = Vec::new();
        let mut mixed = Vec::new();
        for (i, p) in patterns.into_iter().enumerate() {
            mixed.push(match p.trigger {
                Trigger::Words(ws) | Trigger::Inner(Inner { words: ws, .. }) => {
                    let alnum = ws
                        .iter()
                        .filter(|w| w.as_bytes()[0].is_ascii_alphanumeric());
                    let n = alnum.count();
                    n != 0 && n != ws.len()
                }
                _ => false,
            });
            let ws = match p.trigger {
                Trigger::Words(ws) => ws,
                Trigger::Inner(inner) => {
                    // Alphanumeric words are only looked for at word starts.
                    if inner
                        .words
                        .iter()
                        .any(|w| w.as_bytes()[0].is_ascii_alphanumeric())
                    {
                        assert!(
                            !(inner.pre)(b'a') && !(inner.pre)(b'Z') && !(inner.pre)(b'0'),
                            "pattern {i}: alphanumeric inner words need a non-word byte before"
                        );
                    }
                    inner.words
                }
                _ => continue,
            };
            for w in ws {
                assert!(
                    !w.is_empty() && *w == w.to_ascii_lowercase(),
                    "trigger word {w:?} must be lower-case"
                );
                let at = match words.iter().position(|x| x == w) {
                    Some(at) => at,
                    None => {
                        words.push(w);
                        owners.push(Vec::new());
                        words.len() - 1
                    }
                };
                owners[at].push(u16::try_from(i).expect("fewer than 65536 patterns"));
            }
        }
        let mut by_prefix: Vec<u16> = vec![0; 1 << 14];
        let mut prefix_lists: Vec<Vec<u16>> = vec![Vec::new()];
        let mut punct: Vec<(u8, Vec<u16>, Vec<u16>)> = Vec::new();
        for (id, w) in words.iter().enumerate() {
            let b = w.as_bytes();
            let id = id as u16;
            if b.len() >= 2 {
                let key = prefix_key(b[0], b[1]);
                if by_prefix[key] == 0 {
                    by_prefix[key] = prefix_lists.len() as u16;
                    prefix_lists.push(Vec::new());
                }
                prefix_lists[by_prefix[key] as usize].push(id);
            }
            if !b[0].is_ascii_alphanumeric() {
                let at = match punct.iter().position(|(c, _, _)| *c == b[0]) {
                    Some(at) => at,
                    None => {
                        punct.push((b[0], Vec::new(), Vec::new()));
                        punct.len() - 1
                    }
                };
                if b.len() == 1 {
                    punct[at].1.push(id);
                } else {
                    punct[at].2.push(id);
                }
            } else {
                assert!(b.len() >= 2, "trigger word {w:?} is too short");
            }
        }
        Triggers {
            patterns: mixed.len(),
            words,
            owners,
            by_prefix,
            prefix_lists,
            punct,
            mixed,
        }
    }

    /// Finds the candidates of every pattern in `text`: one Aho-Corasick pass and one pass for
    /// digit runs.
    pub(crate) fn find(&self, text: &str) -> Candidates {
        let b = text.as_bytes();
        let ascii = text.is_ascii();
        // `(?i)` folds the Kelvin sign to `k` and the long s to `s`; `\d` matches every Unicode
        // decimal digit. Texts with those characters get full scans.
        let words_exact = ascii || !text.contains(['\u{212A}', '\u{17F}']);
        let digits_exact = ascii || !text.chars().any(|c| !c.is_ascii() && c.is_numeric());
        let mut word_hits: Vec<Vec<(u32, u32)>> = vec![Vec::new(); self.patterns];
        if words_exact && !self.words.is_empty() {
            let mut hit = |id: u16, s: usize| {
                let w = self.words[id as usize].as_bytes();
                if b.len() - s >= w.len() && b[s..s + w.len()].eq_ignore_ascii_case(w) {
                    for &owner in &self.owners[id as usize] {
                        let hits = &mut word_hits[owner as usize];
                        // Two words of one pattern can start at the same byte (`prof`,
                        // `professor`); keep the first.
                        if hits.last().is_none_or(|&(last, _)| last as usize != s) {
                            hits.push((s as u32, (s + w.len()) as u32));
                        }
                    }
                }
            };
            // Word starts: an ASCII letter or digit after a byte that is not one (nor `_`).
            let mut s = 0;
            while s + 1 < b.len() {
                let c = b[s];
                if !c.is_ascii_alphanumeric() {
                    s += 1;
                    continue;
                }
                let list = self.by_prefix[prefix_key(c, b[s + 1])];
                if list != 0 {
                    for &id in &self.prefix_lists[list as usize] {
                        hit(id, s);
                    }
                }
                // Skip the rest of the word.
                s += 1;
                while s < b.len() && (b[s].is_ascii_alphanumeric() || b[s] == b'_') {
                    s += 1;
                }
            }
            for &(c, ref single, ref longer) in &self.punct {
                for s in memchr::memchr_iter(c, b) {
                    for &id in single {
                        hit(id, s);
                    }
                    if let Some(&next) = b.get(s + 1) {
                        let list = self.by_prefix[prefix_key(c, next)];
                        if list != 0 && !longer.is_empty() {
                            for &id in &self.prefix_lists[list as usize] {
                                hit(id, s);
                            }
                        }
                    }
                }
            }
            for (hits, &mixed) in word_hits.iter_mut().zip(&self.mixed) {
                if mixed {
                    hits.sort_unstable();
                    hits.dedup_by_key(|&mut (s, _)| s);
                }
            }
        }
        let mut runs = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i].is_ascii_digit() {
                let st = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                runs.push((st as u32, (i - st) as u32));
            } else {
                i += 1;
            }
        }
        Candidates {
            word_hits,
            runs,
            words_exact,
            digits_exact,
        }
    }
}

/// Applies pattern number `index` to `text`, pushing spans: anchored at its candidates when it
/// has a trigger, else a full scan. `buf` is scratch space.
pub(crate) fn scan(
    pattern: &Pattern,
    index: usize,
    text: &str,
    cands: &Candidates,
    buf: &mut Vec<usize>,
    out: &mut Vec<Span>,
) {
    let caps = &mut if needs_captures(pattern) {
        pattern.regex.create_captures()
    } else {
        Captures::empty(pattern.regex.group_info().clone())
    };
    match pattern.trigger {
        Trigger::Words(_) if cands.words_exact => {
            let b = text.as_bytes();
            buf.clear();
            // Every word pattern opens with `\b` before a word character.
            buf.extend(
                cands.word_hits[index]
                    .iter()
                    .map(|&(s, _)| s as usize)
                    .filter(|&s| s == 0 || !(b[s - 1].is_ascii_alphanumeric() || b[s - 1] == b'_')),
            );
            scan_at(pattern, text, buf, caps, out);
        }
        Trigger::Inner(inner) if cands.words_exact && cands.digits_exact => {
            let b = text.as_bytes();
            let pre_ok = |s: usize| s == 0 || (inner.pre)(b[s - 1]);
            // (start, end) of each trigger.
            let mut triggers: Vec<(usize, usize)> = Vec::new();
            if !inner.words.is_empty() {
                triggers.extend(
                    cands.word_hits[index]
                        .iter()
                        .map(|&(s, e)| (s as usize, e as usize))
                        .filter(|&(s, e)| pre_ok(s) && (inner.post)(b, s, e)),
                );
            }
            let (min, max) = inner.digits;
            if max > 0 {
                triggers.extend(
                    cands
                        .runs
                        .iter()
                        .filter(|&&(_, len)| (min..=max).contains(&(len as usize)))
                        .map(|&(st, len)| (st as usize, (st + len) as usize))
                        .filter(|&(s, e)| pre_ok(s) && (inner.post)(b, s, e)),
                );
                triggers.sort_unstable();
            }
            scan_inner(pattern, text, &triggers, &inner, caps, out);
        }
        Trigger::Digits {
            min,
            max,
            back,
            lead,
            ok,
        } if cands.digits_exact => {
            let b = text.as_bytes();
            buf.clear();
            for &(st, len) in &cands.runs {
                let (st, len) = (st as usize, len as usize);
                if len < min || len > max || !ok(b, st, st + len) {
                    continue;
                }
                let lo = st.saturating_sub(back);
                buf.extend(
                    b[lo..st]
                        .iter()
                        .enumerate()
                        .filter(|&(_, &c)| lead(c))
                        .map(|(k, _)| lo + k),
                );
                buf.push(st);
            }
            if back > 0 {
                buf.sort_unstable();
                buf.dedup();
            }
            scan_at(pattern, text, buf, caps, out);
        }
        _ => scan_full(pattern, text, caps, out),
    }
}

/// Whether the pattern needs its capture groups (else the overall match is enough).
fn needs_captures(pattern: &Pattern) -> bool {
    pattern.group != 0 || pattern.check == Check::HasDigit
}

/// Tries the pattern anchored at each candidate (ascending), skipping candidates inside the
/// previous match: the same matches as a leftmost-first scan when every possible start is a
/// candidate.
fn scan_at(
    pattern: &Pattern,
    text: &str,
    cands: &[usize],
    caps: &mut Captures,
    out: &mut Vec<Span>,
) {
    let mut next = 0;
    for &c in cands {
        if c < next || !text.is_char_boundary(c) {
            continue;
        }
        let input = Input::new(text).range(c..).anchored(Anchored::Yes);
        let end = if needs_captures(pattern) {
            pattern.regex.search_captures(&input, caps);
            let Some(m) = caps.get_match() else { continue };
            if let Some(g) = caps.get_group(pattern.group) {
                push(pattern, text, g.start, g.end, out);
            }
            m.end()
        } else {
            let Some(m) = pattern.regex.search(&input) else {
                continue;
            };
            push(pattern, text, m.start(), m.end(), out);
            m.end()
        };
        next = end.max(c + 1);
    }
}

/// For [`Trigger::Inner`]: from the earliest possible start of each trigger not inside the last
/// match, the next leftmost-first match. Every match holds a trigger with only `back` bytes
/// before it, so the search never starts after a match that a full scan would find. With a
/// forward bound, a search sees only the matches that can hold its trigger; one found after the
/// trigger is left to that later trigger's own search.
fn scan_inner(
    pattern: &Pattern,
    text: &str,
    triggers: &[(usize, usize)],
    inner: &Inner,
    caps: &mut Captures,
    out: &mut Vec<Span>,
) {
    let b = text.as_bytes();
    let mut pos = 0;
    let mut i = 0;
    // A trigger is dropped only once the last match ends after it (a match found from an
    // earlier start can end before it) or its bounded search found nothing up to it.
    while let Some(&(t, t_end)) = triggers.get(i) {
        if t < pos {
            i += 1;
            continue;
        }
        let mut from = t;
        while from > pos && (inner.back)(b[from - 1]) {
            from -= 1;
        }
        while !text.is_char_boundary(from) {
            from += 1;
        }
        let mut input = Input::new(text).range(from..);
        if let Some(fwd) = inner.fwd {
            let mut limit = fwd(b, t_end).min(b.len());
            while !text.is_char_boundary(limit) {
                limit += 1;
            }
            input.set_end(limit.max(from));
        }
        let found = if needs_captures(pattern) {
            pattern.regex.search_captures(&input, caps);
            caps.get_match().map(|m| (m.start(), m.end()))
        } else {
            pattern.regex.search(&input).map(|m| (m.start(), m.end()))
        };
        let Some((start, end)) = found else {
            if inner.fwd.is_some() {
                i += 1;
                continue;
            }
            break;
        };
        if inner.fwd.is_some() && start > t {
            i += 1;
            continue;
        }
        if needs_captures(pattern) {
            if let Some(g) = caps.get_group(pattern.group) {
                push(pattern, text, g.start, g.end, out);
            }
        } else {
            push(pattern, text, start, end, out);
        }
        pos = end.max(start + 1);
    }
}

/// A leftmost-first scan of the whole text.
fn scan_full(pattern: &Pattern, text: &str, caps: &mut Captures, out: &mut Vec<Span>) {
    let mut input = Input::new(text);
    loop {
        let (start, end) = if needs_captures(pattern) {
            pattern.regex.search_captures(&input, caps);
            let Some(m) = caps.get_match() else { break };
            if let Some(g) = caps.get_group(pattern.group) {
                push(pattern, text, g.start, g.end, out);
            }
            (m.start(), m.end())
        } else {
            let Some(m) = pattern.regex.search(&input) else {
                break;
            };
            push(pattern, text, m.start(), m.end(), out);
            (m.start(), m.end())
        };
        // No built-in pattern matches the empty string; step over one anyway.
        let mut next = if end > start { end } else { end + 1 };
        while next < text.len() && !text.is_char_boundary(next) {
            next += 1;
        }
        if next > text.len() {
            break;
        }
        input.set_start(next);
    }
}

fn push(pattern: &Pattern, text: &str, start: usize, mut end: usize, out: &mut Vec<Span>) {
    let value = &text[start..end];
    let mut kind = pattern.kind;
    match pattern.check {
        Check::None => {}
        Check::HasDigit => {
            if !value.bytes().any(|b| b.is_ascii_digit()) {
                return;
            }
        }
        Check::Ipv6 => {
            let v = value.trim_end_matches(['.', ':']);
            let colons = v.bytes().filter(|&b| b == b':').count();
            if colons < 2 || v.parse::<std::net::Ipv6Addr>().is_err() {
                return;
            }
            end = start + v.len();
        }
        Check::PhoneOrFax => {
            let from = floor_char_boundary(text, start.saturating_sub(24));
            if contains_ignore_ascii_case(&text.as_bytes()[from..start], b"fax") {
                kind = PhiKind::Fax;
            }
        }
        Check::NotCode => {
            let from = floor_char_boundary(text, start.saturating_sub(16));
            let before = &text.as_bytes()[from..start];
            if [
                "loinc", "snomed", "icd", "cpt", "ndc", "rxnorm", "cvx", "hcpcs", "code",
            ]
            .iter()
            .any(|w| contains_ignore_ascii_case(before, w.as_bytes()))
            {
                return;
            }
        }
        Check::TrimUrl => {
            let trimmed = value.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'']);
            end = start + trimmed.len();
            if end <= start {
                return;
            }
        }
    }
    out.push(Span {
        start,
        end,
        kind,
        confidence: pattern.confidence,
    });
}

/// Whether `hay` contains `needle` (lower-case ASCII), ignoring ASCII case.
fn contains_ignore_ascii_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// The largest char boundary ≤ `i`.
pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    fn compiled() -> &'static (Vec<Pattern>, Triggers) {
        static P: OnceLock<(Vec<Pattern>, Triggers)> = OnceLock::new();
        P.get_or_init(|| {
            let pats: Vec<Pattern> = builtin()
                .into_iter()
                .chain(super::super::names::builtin())
                .collect();
            let trig = Triggers::new(&pats);
            (pats, trig)
        })
    }

    /// The triggered scan of every pattern finds exactly the spans of a full scan.
    fn assert_same(text: &str) {
        let (pats, trig) = compiled();
        let cands = trig.find(text);
        let mut buf = Vec::new();
        for (i, p) in pats.iter().enumerate() {
            let mut fast = Vec::new();
            scan(p, i, text, &cands, &mut buf, &mut fast);
            let mut full = Vec::new();
            let mut caps = p.regex.create_captures();
            scan_full(p, text, &mut caps, &mut full);
            assert_eq!(fast, full, "pattern {i} ({:?}) on {text:?}", p.kind);
        }
    }

    const FRAGMENTS: &[&str] = &[
        "MRN",
        "mrn:",
        "MR #",
        "Phone",
        "ph:",
        "tel.",
        "(617) 555-0123",
        "+1 617 555 0123",
        "1-617-555-0123",
        "1(617)555-0123",
        "+1(617) 555-0123",
        "617.555.0123",
        "555-1234",
        "123 45 6789",
        "123-45-6789",
        "01/02/2023",
        "1.2.23",
        "2023-01-02",
        "2023-01",
        "20230102",
        "3rd of May",
        "2 Jan 2023",
        "92yo",
        "94 year-old",
        "91F",
        "192.168.0.1",
        "fe80::1",
        "575 Deckow Highlands Suite 90",
        "12B Main St",
        "AB-12345",
        "1234567",
        "12345-6789",
        "Dr.",
        "Smith",
        "JOHN",
        "Gleichner915",
        "seen by",
        "wife",
        "Patient:",
        "lives in",
        "Boston",
        "MA",
        "is from",
        "plate",
        "ABC 1234",
        "S/N",
        "Serial",
        "Lot",
        "\u{212A}",
        "\u{17F}",
        "\u{663}",
        "\u{e9}",
        "\u{a0}",
        "\u{2019}",
        " ",
        "  ",
        "\n",
        ",",
        ".",
        ":",
        "#",
        "-",
        "/",
        "(",
        ")",
        "+",
        "1",
        "12",
        "123",
        "2023",
        "home",
        "work",
        "Apt 4",
        "ID",
        "id",
        "x12",
        "ext. 5",
        "fax",
        "Acct",
        "FIN",
        "Medicare",
        "member",
        "on",
        "by",
        "since",
        "3/14",
        "Jan",
        "May",
        "County",
        "www.ex.com",
        "a@b.com",
        "DL",
        "NPI",
        "ss#",
        "SSN",
        "age",
        "_",
        "a",
        "Visit",
        "zip",
        "1234",
        "12345",
        "x1234",
        "VIN",
        "Group",
        ".com",
        "example.com",
        "x.co.uk",
        ".org",
        "Bristol County",
        "County",
        "Parish",
        "MD",
        "M.D.",
        "RN",
        "PA-C",
        "DO",
        "O'Neil, MD",
        "Mass.",
        "MA 01105",
        "New York",
        "01105",
        "CA",
        "Springfield,",
        "\t",
        "body",
        "today",
        "Springfield, MA",
        ", ",
        "Salt Lake City, Utah",
        "District of Columbia",
        "Winston-Salem,",
        "Mass",
        "Nc",
        "NC",
        "\u{3000}",
        "Jr",
        "2nd",
        "3rd",
        "2Jan",
        "92-",
        "92 y",
        "1.2.3.4",
        "10 Main Street",
        "(617)",
        "9",
        "11",
        "105yo",
        "1(",
        "+1",
        "Co",
        "co",
    ];

    #[test]
    fn triggered_scan_equals_full_scan_on_the_corpus() {
        let corpus: toml::Value =
            toml::from_str(include_str!("../../tests/privacy/data/text_corpus.toml")).unwrap();
        let cases = corpus["case"].as_array().unwrap();
        assert!(cases.len() > 100);
        let mut all = String::new();
        for c in cases {
            let t = c["text"].as_str().unwrap();
            assert_same(t);
            all.push_str(t);
            all.push(' ');
        }
        assert_same(&all);
        assert_same(&FRAGMENTS.join(" "));
        assert_same(&FRAGMENTS.concat());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1000))]
        #[test]
        fn triggered_scan_equals_full_scan(
            parts in proptest::collection::vec(proptest::sample::select(FRAGMENTS), 0..40)
        ) {
            assert_same(&parts.concat());
        }
    }
}
