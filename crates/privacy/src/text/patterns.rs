//! Pattern recognizers: dates, ages over 89, phone/fax, e-mail, SSN, labelled identifiers
//! (MRN, account, member, license, device serial …), URLs, IP addresses, ZIP codes, street addresses
//! and city/state context. Each is a compiled `regex` (linear time, no backtracking).

use super::Span;
use crate::PhiKind;
use regex::Regex;

/// One pattern: the regex, the kind it finds, its confidence and which capture group is the PHI
/// (0 = the whole match).
pub(crate) struct Pattern {
    pub(crate) regex: Regex,
    pub(crate) kind: PhiKind,
    pub(crate) confidence: f32,
    pub(crate) group: usize,
    pub(crate) check: Check,
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
        regex: Regex::new(re).unwrap_or_else(|e| panic!("built-in pattern {re:?}: {e}")),
        kind,
        confidence,
        group,
        check,
    }
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
    ));
    // 01/02/2023, 1/2/23, 1-2-2023, 01.02.2023 (US or European order), with a time.
    v.push(p(
        &format!(r"\b(?:[0-9]{{1,2}})(?:/[0-9]{{1,2}}/|-[0-9]{{1,2}}-|\.[0-9]{{1,2}}\.)(?:{YEAR4}|[0-9]{{2}})\b{TIME}"),
        K::Date,
        0.95,
        0,
        C::None,
    ));
    // 2023-01 (year and month).
    v.push(p(
        &format!(r"\b{YEAR4}-(?:0[1-9]|1[0-2])\b"),
        K::Date,
        0.7,
        0,
        C::None,
    ));
    // 20230102 (compact ISO).
    v.push(p(
        r"\b(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])\b",
        K::Date,
        0.8,
        0,
        C::None,
    ));
    // Jan 2, 2023 / January 2nd / Jan. 2 '23 / JAN 02 2023 10:30.
    v.push(p(
        &format!(r"\b{MONTH_T}\.?\s*{DAY}\b(?:,?\s*{YEAR}\b)?{TIME}"),
        K::Date,
        0.95,
        0,
        C::None,
    ));
    // 2 January 2023 / 2nd of January / 02-Jan-2023 / 2 Jan.
    v.push(p(
        &format!(r"\b{DAY}(?:\s+of)?[\s/-]*{MONTH_T}\b\.?(?:[\s,/-]*{YEAR}\b)?{TIME}"),
        K::Date,
        0.95,
        0,
        C::None,
    ));
    // January 2023 / Jan of 2023 / 01/2023 (month and year).
    v.push(p(
        &format!(r"\b{MONTH_T}\.?,?\s+(?:of\s+)?{YEAR4}\b"),
        K::Date,
        0.9,
        0,
        C::None,
    ));
    v.push(p(
        &format!(r"\b(?:0?[1-9]|1[0-2])/{YEAR4}\b"),
        K::Date,
        0.85,
        0,
        C::None,
    ));
    // 3/14 (month/day) after a date word.
    v.push(p(
        r"(?i:\b(?:on|since|from|until|till|thru|through|by|dated|date|dob|seen|admitted|discharged|visit|returns?|starting|started|effective)\b:?\s+)((?:0?[1-9]|1[0-2])/(?:0?[1-9]|[12][0-9]|3[01]))\b",
        K::Date,
        0.85,
        1,
        C::None,
    ));
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
    ));
    v.push(p(
        r"(?i:\b(?:age|aged|age:)\s*)((?:9[0-9]|1[0-1][0-9]))\b",
        K::Age,
        0.95,
        1,
        C::None,
    ));
    v.push(p(
        r"\b(?:9[0-9]|1[0-1][0-9])(?:M|F|yo[mf]|y/o[mf]|YO[MF])\b",
        K::Age,
        0.85,
        0,
        C::None,
    ));

    // ---- contact ---------------------------------------------------------------------------
    // (617) 555-0123, 617-555-0123, 617.555.0123, +1 617 555 0123, ext. 12.
    v.push(p(
        r"(?:\+?1[\s.-]?)?(?:\(\d{3}\)\s?|\b\d{3}[\s.-])\d{3}[\s.-]\d{4}\b(?:\s*(?:x|ext\.?|extension)\s*\d{1,5}\b)?",
        K::Phone,
        0.95,
        0,
        C::PhoneOrFax,
    ));
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
    ));
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
    v.push(p(r"\b\d{3} \d{2} \d{4}\b", K::Ssn, 0.85, 0, C::None));
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
    let labelled: [(&str, &str, PhiKind); 7] = [
        (
            r"MRN|MR\s*#|MR\s*No\.?|Med(?:ical)?\.?\s+Rec(?:ord)?s?\.?\s*(?:Number|No\.?|#)?|Record\s*(?:Number|No\.?|#)|Patient\s*(?:ID|#|Number|No\.?)|Pt\.?\s*(?:ID|#)|Unit\s*(?:No\.?|Number|#)|Chart\s*(?:No\.?|Number|#)",
            r"EMPI|MPI|MR",
            K::Mrn,
        ),
        (
            r"Acct|Account|Billing\s*(?:No\.?|#|Number|ID)|Visit\s*(?:No\.?|#|Number|ID)|Encounter\s*(?:No\.?|#|Number|ID)|Invoice\s*(?:No\.?|#|Number)?|Claim\s*(?:No\.?|#|Number|ID)",
            r"FIN|CSN|HAR",
            K::Account,
        ),
        (
            r"Member|Subscriber|Policy|Group|Insurance|Insured|Medicare|Medicaid|Beneficiary|Plan\s*(?:ID|#)|Health\s*Plan",
            r"MBI|HICN",
            K::HealthPlan,
        ),
        (
            r"(?:Driver'?s\s*)?Licen[cs]e|Certificate|Cert\.?\s*#|Passport|Registration\s*(?:No\.?|#|Number)",
            r"DL|DEA|NPI|Lic\.?",
            K::License,
        ),
        (
            r"Vehicle\s*(?:ID|Identification\s*Number|#|No\.?)?|(?:License\s*)?Plate",
            r"VIN|Tag\s*#",
            K::Vehicle,
        ),
        (
            r"Serial|Device\s*(?:ID|#|Serial|Identifier|No\.?)?|Model\s*(?:No\.?|#)|Lot\s*(?:No\.?|#|Number)|IMEI|MAC\s*Address|Implant\s*(?:ID|#)",
            r"S/N|SN|UDI|LOT|Lot",
            K::Device,
        ),
        (
            r"Identifier|Ref(?:erence)?\s*(?:No\.?|#)|Case\s*(?:No\.?|#|Number)",
            r"ID|Id",
            K::Id,
        ),
    ];
    for (ci, cs, kind) in labelled {
        v.push(p(
            &format!(
                r"(?:(?i:\b(?:{ci}))|\b(?:{cs}))\.?(?i:\s*(?:beneficiary|member|subscriber|policy|account|record|serial|identification|plate))?(?i:\s*(?:number|no\.?|num|#|id|identifier|code))?{value}"
            ),
            kind,
            0.95,
            1,
            C::HasDigit,
        ));
    }

    // License plates are often written with a space: "plate BCL 4392".
    v.push(p(
        r"(?i:\b(?:license\s+)?plate\b\.?(?:\s*(?:number|no\.?|#))?\s*[:#]?\s*)((?-i:[A-Z0-9]{1,4}[ -]?[A-Z0-9]{1,4}))\b",
        K::Vehicle,
        0.95,
        1,
        C::HasDigit,
    ));

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
    ));
    v.push(p(
        r"\b(?:(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1[0-9][0-9]|[1-9]?[0-9])\b",
        K::Ip,
        0.95,
        0,
        C::None,
    ));
    v.push(p(
        r"(?i)[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:(?:[0-9]{1,3}\.){3}[0-9]{1,3})?",
        K::Ip,
        0.95,
        0,
        C::Ipv6,
    ));

    // ---- geography -------------------------------------------------------------------------
    v.push(p(r"\b\d{5}-\d{4}\b", K::Zip, 0.95, 0, C::None));
    v.push(p(
        &format!(r"\b(?:{STATES_ABBR}|{STATES}),?\s+(\d{{5}}(?:-\d{{4}})?)\b"),
        K::Zip,
        0.95,
        1,
        C::None,
    ));
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
    ));
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
    v.push(p(
        &format!(r"\b([A-Z][a-z]+(?:[ -][A-Z][a-z]+){{0,2}}),\s*(?:{STATES_ABBR}|{STATES})\b"),
        K::Location,
        0.9,
        1,
        C::None,
    ));
    // lives in X / resident of X / moved to X.
    v.push(p(
        r"(?i:\b(?:lives|living|resides|residing|reside|home|located|born|raised|grew\s+up|moved|relocated|travell?ed|trip|vacation|visiting|native|resident|is\s+from|are\s+from|came\s+from|comes\s+from)\s+(?:in|to|at|of|from|near)\s+)((?:[A-Z][a-z]+|[A-Z]{2,})(?:[ -](?:[A-Z][a-z]+|[A-Z]{2,})){0,2})",
        K::Location,
        0.8,
        1,
        C::None,
    ));
    v.push(p(
        r"\b[A-Z][a-z]+(?:\s+[A-Z][a-z]+)?\s+(?:County|Parish|Township|Borough)\b",
        K::Location,
        0.9,
        0,
        C::None,
    ));

    // ---- other identifying numbers (R) -----------------------------------------------------
    // Long digit runs and digit-heavy codes that no other recognizer explained.
    v.push(p(r"\b\d{6,}\b", K::Id, 0.6, 0, C::NotCode));
    v.push(p(
        r"\b(?:[A-Za-z]{1,4}[-]?\d{4,}[A-Za-z0-9-]*|\d{4,}[-]?[A-Za-z]{1,4}[A-Za-z0-9-]*)\b",
        K::Id,
        0.6,
        0,
        C::NotCode,
    ));
    v
}

/// Applies `pattern` to `text`, pushing spans.
pub(crate) fn scan(pattern: &Pattern, text: &str, out: &mut Vec<Span>) {
    if pattern.group == 0 && pattern.check != Check::HasDigit {
        for m in pattern.regex.find_iter(text) {
            push(pattern, text, m.start(), m.end(), out);
        }
    } else {
        for caps in pattern.regex.captures_iter(text) {
            if let Some(m) = caps.get(pattern.group) {
                push(pattern, text, m.start(), m.end(), out);
            }
        }
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
            if text[from..start].to_ascii_lowercase().contains("fax") {
                kind = PhiKind::Fax;
            }
        }
        Check::NotCode => {
            let from = floor_char_boundary(text, start.saturating_sub(16));
            let before = text[from..start].to_ascii_lowercase();
            if [
                "loinc", "snomed", "icd", "cpt", "ndc", "rxnorm", "cvx", "hcpcs", "code",
            ]
            .iter()
            .any(|w| before.contains(w))
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

/// The largest char boundary ≤ `i`.
pub(crate) fn floor_char_boundary(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}
