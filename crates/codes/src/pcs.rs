//! ICD-10-PCS: code validation against the code set and decoding of the 7 axes.

use std::collections::HashMap;
use std::fmt;
use std::sync::OnceLock;

use crate::cm::compact::front_back;
use crate::error::{LoadError, LoadErrorKind};

/// A syntactically valid ICD-10-PCS code: exactly 7 characters from `0-9` and `A-Z` without `I`
/// and `O` (CMS, ICD-10-PCS Official Guidelines for Coding and Reporting, A.1–A.2; the letters
/// I and O are not used, to avoid confusion with 1 and 0).
///
/// ```
/// let code: medrec_codes::PcsCode = " 0dtj4zz ".parse()?;
/// assert_eq!(code.as_str(), "0DTJ4ZZ");
/// # Ok::<(), medrec_codes::MalformedPcsCode>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct PcsCode([u8; 7]);

/// Why a string is not a well-formed ICD-10-PCS code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed ICD-10-PCS code {input:?}: {kind:?}")]
pub struct MalformedPcsCode {
    input: String,
    kind: MalformedPcsKind,
}

/// The kind of a [`MalformedPcsCode`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MalformedPcsKind {
    /// Not exactly 7 characters (after trimming white space).
    WrongLength,
    /// A character outside `0-9`, `A-H`, `J-N`, `P-Z` (the letters I and O are never used).
    InvalidCharacter,
}

impl MalformedPcsCode {
    /// What is wrong.
    pub fn kind(&self) -> MalformedPcsKind {
        self.kind
    }
}

#[inline]
fn pcs_bytes(input: &[u8]) -> Result<PcsCode, MalformedPcsKind> {
    let s = input.trim_ascii();
    if s.len() != 7 {
        return Err(MalformedPcsKind::WrongLength);
    }
    let mut raw = [0u8; 7];
    for (i, &b) in s.iter().enumerate() {
        let u = b.to_ascii_uppercase();
        if !(u.is_ascii_digit() || u.is_ascii_uppercase()) || u == b'I' || u == b'O' {
            return Err(MalformedPcsKind::InvalidCharacter);
        }
        raw[i] = u;
    }
    Ok(PcsCode(raw))
}

impl PcsCode {
    /// Normalizes a code (white space trimmed, upper-cased) and checks its characters.
    pub fn parse(input: &str) -> Result<PcsCode, MalformedPcsCode> {
        pcs_bytes(input.as_bytes()).map_err(|kind| MalformedPcsCode {
            input: input.chars().take(64).collect(),
            kind,
        })
    }

    /// The code, e.g. `0DTJ4ZZ`.
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The character of one axis (0-based position).
    pub fn axis_value(&self, position: usize) -> Option<char> {
        self.0.get(position).map(|&b| b as char)
    }

    fn key(&self) -> u64 {
        let r = &self.0;
        u64::from_be_bytes([0, r[0], r[1], r[2], r[3], r[4], r[5], r[6]])
    }
}

impl fmt::Display for PcsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

impl fmt::Debug for PcsCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PcsCode({})", self.as_str())
    }
}

impl std::str::FromStr for PcsCode {
    type Err = MalformedPcsCode;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PcsCode::parse(s)
    }
}

impl serde::Serialize for PcsCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The names of the 7 axes in the Medical and Surgical section (most other sections use
/// the same positions with section-specific meanings, e.g. "type" for the third character).
pub const AXIS_NAMES: [&str; 7] = [
    "section",
    "body system",
    "root operation",
    "body part",
    "approach",
    "device",
    "qualifier",
];

/// The 17 sections of ICD-10-PCS (first character), from the CMS ICD-10-PCS tables.
const SECTIONS: &[(u8, &str)] = &[
    (b'0', "Medical and Surgical"),
    (b'1', "Obstetrics"),
    (b'2', "Placement"),
    (b'3', "Administration"),
    (b'4', "Measurement and Monitoring"),
    (
        b'5',
        "Extracorporeal or Systemic Assistance and Performance",
    ),
    (b'6', "Extracorporeal or Systemic Therapies"),
    (b'7', "Osteopathic"),
    (b'8', "Other Procedures"),
    (b'9', "Chiropractic"),
    (b'B', "Imaging"),
    (b'C', "Nuclear Medicine"),
    (b'D', "Radiation Therapy"),
    (b'F', "Physical Rehabilitation and Diagnostic Audiology"),
    (b'G', "Mental Health"),
    (b'H', "Substance Abuse Treatment"),
    (b'X', "New Technology"),
];

/// Body systems of the Medical and Surgical section (second character), from the CMS
/// ICD-10-PCS tables. The codes file does not name body systems; other sections' body
/// systems are not listed here (a known gap: their titles are `None`).
const MED_SURG_BODY_SYSTEMS: &[(u8, &str)] = &[
    (b'0', "Central Nervous System and Cranial Nerves"),
    (b'1', "Peripheral Nervous System"),
    (b'2', "Heart and Great Vessels"),
    (b'3', "Upper Arteries"),
    (b'4', "Lower Arteries"),
    (b'5', "Upper Veins"),
    (b'6', "Lower Veins"),
    (b'7', "Lymphatic and Hemic Systems"),
    (b'8', "Eye"),
    (b'9', "Ear, Nose, Sinus"),
    (b'B', "Respiratory System"),
    (b'C', "Mouth and Throat"),
    (b'D', "Gastrointestinal System"),
    (b'F', "Hepatobiliary System and Pancreas"),
    (b'G', "Endocrine System"),
    (b'H', "Skin and Breast"),
    (b'J', "Subcutaneous Tissue and Fascia"),
    (b'K', "Muscles"),
    (b'L', "Tendons"),
    (b'M', "Bursae and Ligaments"),
    (b'N', "Head and Facial Bones"),
    (b'P', "Upper Bones"),
    (b'Q', "Lower Bones"),
    (b'R', "Upper Joints"),
    (b'S', "Lower Joints"),
    (b'T', "Urinary System"),
    (b'U', "Female Reproductive System"),
    (b'V', "Male Reproductive System"),
    (b'W', "Anatomical Regions, General"),
    (b'X', "Anatomical Regions, Upper Extremities"),
    (b'Y', "Anatomical Regions, Lower Extremities"),
];

/// One decoded axis of a PCS code.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PcsAxis {
    /// 1-based position (1 = section … 7 = qualifier).
    pub position: u8,
    /// The axis name (Medical and Surgical naming, see [`AXIS_NAMES`]).
    pub name: &'static str,
    /// The character.
    pub value: char,
    /// The value's title: from the CMS tables for section and (Medical and Surgical) body
    /// system, derived from the code titles for positions 3–7; `None` where neither gives one.
    pub title: Option<String>,
}

#[derive(Debug, Clone, Copy)]
struct PcsEntry {
    key: u64,
    code: PcsCode,
    title_start: u32,
    title_len: u16,
}

/// An ICD-10-PCS code set (one fiscal year) with titles. Get the embedded FY2024 set with
/// [`icd10pcs()`], or load another year's codes file with [`PcsRelease::from_codes_file`].
pub struct PcsRelease {
    fiscal_year: u16,
    provenance: Vec<(String, String)>,
    entries: Vec<PcsEntry>,
    text: String,
    axes: OnceLock<AxisTitles>,
}

impl fmt::Debug for PcsRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PcsRelease")
            .field("fiscal_year", &self.fiscal_year)
            .field("codes", &self.entries.len())
            .finish_non_exhaustive()
    }
}

const PCS_MAGIC: &str = "%medrec-codes icd10pcs 1";
const EMBEDDED_PCS: &str = include_str!("../data/icd10pcs_2024.tab");
static EMBEDDED: OnceLock<PcsRelease> = OnceLock::new();

/// The embedded ICD-10-PCS code set: FY2024 (CMS codes file `icd10pcs_codes_2024.txt`; see
/// `crates/codes/data/PROVENANCE.md`). Note the fiscal year differs from the embedded
/// ICD-10-CM release (FY2026): the FY2024 PCS file is the newest one in the project data.
///
/// ```
/// let pcs = medrec_codes::icd10pcs();
/// let code = "0DTJ4ZZ".parse()?;
/// assert_eq!(pcs.title(&code), Some("Resection of Appendix, Percutaneous Endoscopic Approach"));
/// # Ok::<(), medrec_codes::MalformedPcsCode>(())
/// ```
pub fn icd10pcs() -> &'static PcsRelease {
    EMBEDDED.get_or_init(PcsRelease::embedded)
}

/// The validation status of a PCS code string.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PcsStatus {
    /// In the code set (every PCS code is a complete, billable code).
    Valid,
    /// Well formed but not in the code set.
    Unknown,
    /// Not a well-formed PCS code.
    Malformed,
}

impl PcsRelease {
    fn from_pairs(
        fiscal_year: u16,
        mut pairs: Vec<(PcsCode, String)>,
    ) -> Result<PcsRelease, LoadError> {
        pairs.sort_by_key(|a| a.0);
        if pairs.windows(2).any(|w| w[0].0 == w[1].0) {
            return Err(LoadError::new(
                LoadErrorKind::Inconsistent,
                "a PCS code is listed twice",
            ));
        }
        if pairs.is_empty() {
            return Err(LoadError::new(LoadErrorKind::Empty, "no PCS code"));
        }
        if pairs.iter().any(|p| p.1.len() > u16::MAX as usize) {
            return Err(LoadError::new(
                LoadErrorKind::Format,
                "a PCS title is longer than 65,535 bytes",
            ));
        }
        let mut text = String::with_capacity(pairs.iter().map(|p| p.1.len()).sum());
        let entries = pairs
            .iter()
            .map(|(c, t)| {
                let start = text.len() as u32;
                text.push_str(t);
                PcsEntry {
                    key: c.key(),
                    code: *c,
                    title_start: start,
                    title_len: t.len() as u16,
                }
            })
            .collect();
        Ok(PcsRelease {
            fiscal_year,
            provenance: Vec::new(),
            entries,
            text,
            axes: OnceLock::new(),
        })
    }

    /// Builds a new, owned copy of the embedded code set (what [`icd10pcs()`] builds once).
    pub fn embedded() -> PcsRelease {
        PcsRelease::from_compact(EMBEDDED_PCS).expect("embedded ICD-10-PCS table is well formed")
    }

    /// Parses the CMS ICD-10-PCS codes file layout: the 7-character code, white space, the long
    /// title (`icd10pcs_codes_YYYY.txt`).
    pub fn from_codes_str(text: &str, fiscal_year: u16) -> Result<PcsRelease, LoadError> {
        let mut pairs = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim_end_matches('\r');
            if line.trim().is_empty() {
                continue;
            }
            let (c, t) = line
                .split_once(|c: char| c.is_ascii_whitespace())
                .ok_or_else(|| {
                    LoadError::new(
                        LoadErrorKind::Format,
                        "expected a code, a space and a title",
                    )
                    .at_line(i + 1)
                })?;
            let code = PcsCode::parse(c).map_err(|e| {
                LoadError::new(LoadErrorKind::BadCode, e.to_string()).at_line(i + 1)
            })?;
            pairs.push((code, t.trim().to_string()));
        }
        let mut r = Self::from_pairs(fiscal_year, pairs)?;
        r.provenance
            .push(("format".into(), "CMS ICD-10-PCS codes file".into()));
        Ok(r)
    }

    /// Loads a CMS ICD-10-PCS codes file (`.gz` too).
    pub fn from_codes_file(
        path: impl AsRef<std::path::Path>,
        fiscal_year: u16,
    ) -> Result<PcsRelease, LoadError> {
        let path = path.as_ref();
        let bytes = std::fs::read(path).map_err(|e| LoadError::io(path, e))?;
        let bytes = if path.extension().is_some_and(|e| e == "gz") {
            let mut out = Vec::new();
            std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(&bytes[..]), &mut out)
                .map_err(|e| LoadError::io(path, e))?;
            out
        } else {
            bytes
        };
        let text = String::from_utf8_lossy(&bytes);
        Self::from_codes_str(&text, fiscal_year).map_err(|e| e.in_file(path))
    }

    /// Reads the compact format (`%` header lines, then `code<TAB>P<TAB>S<TAB>middle` with the
    /// title front/back coded against the previous line's title).
    pub fn from_compact(text: &str) -> Result<PcsRelease, LoadError> {
        let mut lines = text.lines().enumerate();
        if lines.next().map(|x| x.1) != Some(PCS_MAGIC) {
            return Err(
                LoadError::new(LoadErrorKind::Format, format!("expected {PCS_MAGIC:?}")).at_line(1),
            );
        }
        let mut fy = 0u16;
        let mut prov = Vec::new();
        let mut prev = String::new();
        let mut pairs = Vec::with_capacity(80_000);
        for (i, line) in lines {
            let bad = |w: &str| LoadError::new(LoadErrorKind::Format, w.to_string()).at_line(i + 1);
            if let Some(h) = line.strip_prefix('%') {
                let (k, v) = h.split_once('\t').unwrap_or((h, ""));
                if k == "fiscal_year" {
                    fy = v.parse().map_err(|_| bad("bad fiscal year"))?;
                }
                prov.push((k.to_string(), v.to_string()));
                continue;
            }
            let mut f = line.splitn(4, '\t');
            let (Some(c), Some(p), Some(s), Some(mid)) = (f.next(), f.next(), f.next(), f.next())
            else {
                return Err(bad("expected 4 fields"));
            };
            let code = PcsCode::parse(c).map_err(|_| bad("bad code"))?;
            let p: usize = p.parse().map_err(|_| bad("bad prefix length"))?;
            let s: usize = s.parse().map_err(|_| bad("bad suffix length"))?;
            if p + s > prev.len()
                || !prev.is_char_boundary(p)
                || !prev.is_char_boundary(prev.len() - s)
            {
                return Err(bad("prefix/suffix longer than the previous title"));
            }
            let mut t = String::with_capacity(p + mid.len() + s);
            t.push_str(&prev[..p]);
            t.push_str(mid);
            t.push_str(&prev[prev.len() - s..]);
            pairs.push((code, t.clone()));
            prev = t;
        }
        let mut r = Self::from_pairs(fy, pairs)?;
        r.provenance = prov;
        Ok(r)
    }

    /// Writes the compact format.
    pub fn to_compact(&self) -> String {
        let mut out = String::with_capacity(3 << 20);
        out.push_str(PCS_MAGIC);
        out.push('\n');
        out.push_str(&format!("%fiscal_year\t{}\n", self.fiscal_year));
        for (k, v) in &self.provenance {
            if k != "fiscal_year" {
                out.push_str(&format!("%{k}\t{v}\n"));
            }
        }
        let mut prev = "";
        for e in &self.entries {
            let t = self.title_of(e);
            let (p, s) = front_back(prev, t);
            out.push_str(&format!("{}\t{p}\t{s}\t{}\n", e.code, &t[p..t.len() - s]));
            prev = t;
        }
        out
    }

    /// Adds a provenance line.
    pub fn add_provenance(&mut self, key: impl Into<String>, value: impl Into<String>) {
        self.provenance.push((key.into(), value.into()));
    }

    /// Provenance lines.
    pub fn provenance(&self) -> &[(String, String)] {
        &self.provenance
    }

    /// The fiscal year.
    pub fn fiscal_year(&self) -> u16 {
        self.fiscal_year
    }

    /// Number of codes.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn title_of(&self, e: &PcsEntry) -> &str {
        let s = e.title_start as usize;
        &self.text[s..s + e.title_len as usize]
    }

    fn find(&self, code: &PcsCode) -> Option<usize> {
        let key = code.key();
        self.entries.binary_search_by(|e| e.key.cmp(&key)).ok()
    }

    /// Whether the code is in the set.
    pub fn contains(&self, code: &PcsCode) -> bool {
        self.find(code).is_some()
    }

    /// Validates a code string against the set (never character by character alone).
    pub fn validate(&self, input: &str) -> PcsStatus {
        match pcs_bytes(input.as_bytes()) {
            Ok(c) if self.contains(&c) => PcsStatus::Valid,
            Ok(_) => PcsStatus::Unknown,
            Err(_) => PcsStatus::Malformed,
        }
    }

    /// The long title.
    pub fn title(&self, code: &PcsCode) -> Option<&str> {
        self.find(code).map(|i| self.title_of(&self.entries[i]))
    }

    /// Every code with its title, in code order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (PcsCode, &str)> + '_ {
        self.entries.iter().map(|e| (e.code, self.title_of(e)))
    }

    /// Decodes the 7 axes of a code in the set, with titles (see [`PcsAxis::title`] and
    /// `docs/codes.md` for how titles of positions 3–7 are derived from the code titles).
    pub fn decode(&self, code: &PcsCode) -> Option<[PcsAxis; 7]> {
        self.find(code)?;
        let axes = self.axes.get_or_init(|| AxisTitles::derive(self));
        let c = code.0;
        Some(std::array::from_fn(|i| {
            let title = match i {
                0 => SECTIONS
                    .iter()
                    .find(|x| x.0 == c[0])
                    .map(|x| x.1.to_string()),
                1 if c[0] == b'0' => MED_SURG_BODY_SYSTEMS
                    .iter()
                    .find(|x| x.0 == c[1])
                    .map(|x| x.1.to_string()),
                1 => None,
                _ => axes.title(&c, i),
            };
            PcsAxis {
                position: i as u8 + 1,
                name: AXIS_NAMES[i],
                value: c[i] as char,
                title,
            }
        }))
    }
}

/// Axis value titles derived from the code titles. A PCS title names the values of its axes
/// ("Resection of Appendix, Percutaneous Endoscopic Approach"); for each axis value the words
/// shared by every title that has it, in a context where the value keeps one meaning, are its
/// title:
/// - position 3 (root operation): the leading words shared by all titles of the section with
///   that value ("Resection");
/// - positions 4–7: the words shared by every title of the (section, body system) with that
///   value, minus the words that every value of that position shares (such as "Approach") and
///   minus the root operation's words; if that leaves nothing, the same within the table
///   (first 3 characters). Device and qualifier `Z` with no words left are "No Device" / "No
///   Qualifier" (the tables' convention).
///
/// This is a derivation, not the official tables: titles of values that always occur together
/// with the same other value can absorb that value's words.
#[derive(Debug, Default)]
struct AxisTitles {
    root_op: HashMap<(u8, u8), String>,
    by_system: HashMap<(u8, u8, usize, u8), String>,
    by_table: HashMap<(u8, u8, u8, usize, u8), String>,
}

fn words(t: &str) -> Vec<&str> {
    t.split([' ', ',']).filter(|w| !w.is_empty()).collect()
}

const CONNECTORS: &[&str] = &[
    "of", "to", "with", "from", "using", "into", "in", "on", "and", "for", "by",
];

fn trim_connectors(mut w: Vec<&str>) -> Vec<&str> {
    while w.first().is_some_and(|x| CONNECTORS.contains(x)) {
        w.remove(0);
    }
    while w.last().is_some_and(|x| CONNECTORS.contains(x)) {
        w.pop();
    }
    w
}

/// Words of `first` (in order) that occur in every title of the group, as a multiset.
fn common_words<'a>(titles: &[&'a str]) -> Vec<&'a str> {
    let Some(first) = titles.first() else {
        return Vec::new();
    };
    let mut keep: Vec<(&str, usize)> = Vec::new();
    for w in words(first) {
        match keep.iter_mut().find(|x| x.0 == w) {
            Some(x) => x.1 += 1,
            None => keep.push((w, 1)),
        }
    }
    for t in &titles[1..] {
        let ws = words(t);
        for k in keep.iter_mut() {
            let n = ws.iter().filter(|w| **w == k.0).count();
            k.1 = k.1.min(n);
        }
        keep.retain(|k| k.1 > 0);
        if keep.is_empty() {
            break;
        }
    }
    let mut budget: HashMap<&str, usize> = keep.into_iter().collect();
    words(first)
        .into_iter()
        .filter(|w| match budget.get_mut(w) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .collect()
}

impl AxisTitles {
    fn derive(r: &PcsRelease) -> AxisTitles {
        let mut out = AxisTitles::default();
        // Position 3: common leading words per (section, value).
        let mut groups: HashMap<(u8, u8), Vec<&str>> = HashMap::new();
        for (c, t) in r.iter() {
            groups.entry((c.0[0], c.0[2])).or_default().push(t);
        }
        for (k, ts) in &groups {
            let mut prefix = words(ts[0]);
            for t in &ts[1..] {
                let w = words(t);
                let n = prefix.iter().zip(&w).take_while(|(a, b)| a == b).count();
                prefix.truncate(n);
            }
            let p = trim_connectors(prefix);
            if !p.is_empty() {
                out.root_op.insert(*k, p.join(" "));
            }
        }
        // Positions 4–7 per (section, body system) and per table.
        let mut sys: HashMap<(u8, u8, usize, u8), Vec<&str>> = HashMap::new();
        let mut tab: HashMap<(u8, u8, u8, usize, u8), Vec<&str>> = HashMap::new();
        for (c, t) in r.iter() {
            for pos in 3..7 {
                sys.entry((c.0[0], c.0[1], pos, c.0[pos]))
                    .or_default()
                    .push(t);
                tab.entry((c.0[0], c.0[1], c.0[2], pos, c.0[pos]))
                    .or_default()
                    .push(t);
            }
        }
        // Words every value of a position shares within its context are not the value's.
        let mut sys_bg: HashMap<(u8, u8, usize), Vec<&str>> = HashMap::new();
        let mut sys_common: HashMap<(u8, u8, usize, u8), Vec<&str>> = HashMap::new();
        for (k, ts) in &sys {
            sys_common.insert(*k, common_words(ts));
        }
        {
            let mut by_ctx: HashMap<(u8, u8, usize), Vec<&Vec<&str>>> = HashMap::new();
            for (k, w) in &sys_common {
                by_ctx.entry((k.0, k.1, k.2)).or_default().push(w);
            }
            for (ctx, lists) in by_ctx {
                if lists.len() < 2 {
                    continue;
                }
                let bg: Vec<&str> = lists[0]
                    .iter()
                    .copied()
                    .filter(|w| lists.iter().all(|l| l.contains(w)))
                    .collect();
                sys_bg.insert(ctx, bg);
            }
        }
        let clean =
            |ws: &[&str], bg: Option<&Vec<&str>>, root: Option<&String>| -> Option<String> {
                let root_words: Vec<&str> = root.map(|r| words(r)).unwrap_or_default();
                let kept: Vec<&str> = ws
                    .iter()
                    .copied()
                    .filter(|w| !bg.is_some_and(|b| b.contains(w)))
                    .filter(|w| !root_words.contains(w))
                    .collect();
                let kept = trim_connectors(kept);
                (!kept.is_empty()).then(|| kept.join(" "))
            };
        for (k, ws) in &sys_common {
            // The root operation is the same word for the whole group only if all its titles
            // share it; strip the section's root-operation words that occur.
            let roots: Vec<&String> = out
                .root_op
                .iter()
                .filter(|(rk, _)| rk.0 == k.0)
                .map(|(_, v)| v)
                .collect();
            let mut ws = ws.clone();
            for r in roots {
                let rw = words(r);
                if !rw.is_empty() && ws.starts_with(&rw) {
                    ws.drain(..rw.len());
                }
            }
            if let Some(t) = clean(&ws, sys_bg.get(&(k.0, k.1, k.2)), None) {
                out.by_system.insert(*k, t);
            }
        }
        for (k, ts) in &tab {
            if out.by_system.contains_key(&(k.0, k.1, k.3, k.4)) {
                continue;
            }
            let ws = common_words(ts);
            if let Some(t) = clean(
                &ws,
                sys_bg.get(&(k.0, k.1, k.3)),
                out.root_op.get(&(k.0, k.2)),
            ) {
                out.by_table.insert(*k, t);
            }
        }
        out
    }

    fn title(&self, c: &[u8; 7], i: usize) -> Option<String> {
        if i == 2 {
            return self.root_op.get(&(c[0], c[2])).cloned();
        }
        let found = self
            .by_system
            .get(&(c[0], c[1], i, c[i]))
            .or_else(|| self.by_table.get(&(c[0], c[1], c[2], i, c[i])));
        if let Some(t) = found {
            // Titles write the approach as ", Open Approach"; the axis value is "Open".
            let t = if i == 4 {
                t.strip_suffix(" Approach").unwrap_or(t)
            } else {
                t
            };
            return Some(t.to_string());
        }
        match (i, c[i]) {
            (5, b'Z') => Some("No Device".into()),
            (6, b'Z') => Some("No Qualifier".into()),
            _ => None,
        }
    }
}
