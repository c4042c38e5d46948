//! AHRQ Clinical Classifications Software Refined (CCSR) for ICD-10-CM diagnoses.
//!
//! Source: AHRQ HCUP, *DXCCSR v2023.1* (<https://hcup-us.ahrq.gov/toolssoftware/ccsr/dxccsr.jsp>).
//! The embedded table holds **category 1 only** for each code (74,549 codes, 515 categories, from
//! the shared `dxccsr_v2023_1_category1_by_icd10cm.json`): no categories 2–6, no default
//! inpatient/outpatient category and no category titles. [`CcsrMap::from_dxccsr_csv`] loads the
//! full AHRQ file (`DXCCSR_v20XX-X.CSV`) at run time and fills all of them.

use std::collections::HashMap;
use std::fmt;
use std::io::Read;
use std::sync::OnceLock;

use super::key::DxKey;
use super::tables::{CCSR_TABLE, data_lines};

/// A CCSR category id: three letters naming the body system and three digits (`END002`).
/// AHRQ's placeholders `XXX000` / `XXX111` (no default category) are representable too.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CcsrCategory([u8; 6]);

impl CcsrCategory {
    /// Parses `END002` (any case, surrounding quotes and spaces ignored).
    pub fn parse(text: &str) -> Option<CcsrCategory> {
        let t = text.trim().trim_matches('\'').trim();
        let b = t.as_bytes();
        if b.len() != 6
            || !b[..3].iter().all(u8::is_ascii_alphabetic)
            || !b[3..].iter().all(u8::is_ascii_digit)
        {
            return None;
        }
        let mut a = [0u8; 6];
        for (i, c) in b.iter().enumerate() {
            a[i] = c.to_ascii_uppercase();
        }
        Some(CcsrCategory(a))
    }

    /// The id (`END002`).
    pub fn as_str(&self) -> &str {
        std::str::from_utf8(&self.0).unwrap_or("XXX000")
    }

    /// The body system (`END` → endocrine), `None` for AHRQ placeholders such as `XXX000`.
    pub fn body_system(&self) -> Option<BodySystem> {
        BodySystem::from_abbreviation(&self.as_str()[..3])
    }
}

impl fmt::Display for CcsrCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CcsrCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CcsrCategory({})", self.as_str())
    }
}

impl serde::Serialize for CcsrCategory {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

macro_rules! body_systems {
    ($( $variant:ident, $abbr:literal, $title:literal; )*) => {
        /// The 22 CCSR body systems (the first three letters of a category id). They follow the
        /// ICD-10-CM chapters; titles are the chapter titles (AHRQ DXCCSR reference file, sheet
        /// "Naming_Conventions", pairs each abbreviation with its chapter).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum BodySystem {
            $( #[doc = $title] $variant, )*
        }

        impl BodySystem {
            /// All 22 body systems.
            pub const ALL: [BodySystem; 22] = [$( BodySystem::$variant, )*];

            /// The three-letter abbreviation (`END`).
            pub fn abbreviation(self) -> &'static str {
                match self { $( BodySystem::$variant => $abbr, )* }
            }

            /// The title (the ICD-10-CM chapter title).
            pub fn title(self) -> &'static str {
                match self { $( BodySystem::$variant => $title, )* }
            }

            /// Parses an abbreviation, any case.
            pub fn from_abbreviation(abbr: &str) -> Option<BodySystem> {
                match abbr.to_ascii_uppercase().as_str() {
                    $( $abbr => Some(BodySystem::$variant), )*
                    _ => None,
                }
            }
        }
    };
}

body_systems! {
    Blood, "BLD", "Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism";
    Circulatory, "CIR", "Diseases of the circulatory system";
    Dental, "DEN", "Dental diseases";
    Digestive, "DIG", "Diseases of the digestive system";
    Ear, "EAR", "Diseases of the ear and mastoid process";
    Endocrine, "END", "Endocrine, nutritional and metabolic diseases";
    ExternalCause, "EXT", "External causes of morbidity";
    Eye, "EYE", "Diseases of the eye and adnexa";
    Factors, "FAC", "Factors influencing health status and contact with health services";
    Genitourinary, "GEN", "Diseases of the genitourinary system";
    Infectious, "INF", "Certain infectious and parasitic diseases";
    Injury, "INJ", "Injury, poisoning and certain other consequences of external causes";
    Congenital, "MAL", "Congenital malformations, deformations and chromosomal abnormalities";
    Mental, "MBD", "Mental, behavioral and neurodevelopmental disorders";
    Musculoskeletal, "MUS", "Diseases of the musculoskeletal system and connective tissue";
    Neoplasms, "NEO", "Neoplasms";
    Nervous, "NVS", "Diseases of the nervous system";
    Perinatal, "PNL", "Certain conditions originating in the perinatal period";
    Pregnancy, "PRG", "Pregnancy, childbirth and the puerperium";
    Respiratory, "RSP", "Diseases of the respiratory system";
    Skin, "SKN", "Diseases of the skin and subcutaneous tissue";
    Symptoms, "SYM", "Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified";
}

/// The CCSR assignment of one ICD-10-CM code.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CcsrAssignment {
    /// Categories 1–6 in AHRQ order (the embedded table has category 1 only).
    pub categories: Vec<CcsrCategory>,
    /// Default category for an inpatient principal diagnosis (full DXCCSR file only).
    pub default_inpatient: Option<CcsrCategory>,
    /// Default category for an outpatient first-listed diagnosis (full DXCCSR file only).
    pub default_outpatient: Option<CcsrCategory>,
}

/// Error loading a DXCCSR CSV.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("DXCCSR CSV line {line}: {message}")]
pub struct CcsrLoadError {
    line: u64,
    kind: CcsrLoadErrorKind,
    message: String,
}

/// Kind of [`CcsrLoadError`].
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CcsrLoadErrorKind {
    /// The header does not have the DXCCSR columns.
    BadHeader,
    /// A row is malformed (bad CSV, code or category).
    BadRow,
    /// Reading failed.
    Io,
}

impl CcsrLoadError {
    /// The kind.
    pub fn kind(&self) -> CcsrLoadErrorKind {
        self.kind
    }
    /// The 1-based line.
    pub fn line(&self) -> u64 {
        self.line
    }
}

/// A CCSR map: code → categories and defaults, plus category titles when known.
///
/// ```
/// use medrec_codes::clinical::{BodySystem, CcsrMap};
/// let map = CcsrMap::embedded();
/// let cats = map.categories("E11.9");
/// assert_eq!(cats[0].as_str(), "END002");
/// assert_eq!(cats[0].body_system(), Some(BodySystem::Endocrine));
/// assert_eq!(map.version(), "v2023.1 (category 1 only)");
/// ```
#[derive(Debug, Clone, Default)]
pub struct CcsrMap {
    codes: HashMap<DxKey, CcsrAssignment>,
    titles: HashMap<CcsrCategory, String>,
    version: String,
    /// Rows skipped while loading (with their errors).
    skipped: Vec<CcsrLoadError>,
}

impl CcsrMap {
    /// The embedded v2023.1 category-1 map (built on first use, shared).
    pub fn embedded() -> &'static CcsrMap {
        static M: OnceLock<CcsrMap> = OnceLock::new();
        M.get_or_init(|| {
            let mut codes = HashMap::with_capacity(75_000);
            for line in data_lines(CCSR_TABLE) {
                let mut it = line.split_ascii_whitespace();
                let Some(cat) = it.next().and_then(CcsrCategory::parse) else {
                    continue;
                };
                for c in it {
                    if let Some(k) = DxKey::parse(c) {
                        codes
                            .entry(k)
                            .or_insert_with(CcsrAssignment::default)
                            .categories
                            .push(cat);
                    }
                }
            }
            CcsrMap {
                codes,
                titles: HashMap::new(),
                version: "v2023.1 (category 1 only)".to_string(),
                skipped: Vec::new(),
            }
        })
    }

    /// Loads the full AHRQ DXCCSR CSV (`DXCCSR_v2023-1.CSV` and later), in its published layout:
    /// 18 columns — `ICD-10-CM CODE`, `ICD-10-CM CODE DESCRIPTION`, `Default CCSR CATEGORY IP`,
    /// `Default CCSR CATEGORY DESCRIPTION IP`, `Default CCSR CATEGORY OP`, `Default CCSR CATEGORY
    /// DESCRIPTION OP`, then `CCSR CATEGORY n` / `CCSR CATEGORY n DESCRIPTION` for n = 1…6 — with
    /// every value wrapped in single quotes (`'A000'`) and blank categories as `' '`. Columns are
    /// found by header name, so added columns are tolerated. Bad rows are skipped and listed in
    /// [`skipped`](Self::skipped); a bad header is an error.
    pub fn from_dxccsr_csv<R: Read>(input: R, version: &str) -> Result<CcsrMap, CcsrLoadError> {
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(input);
        let mut rec = csv::ByteRecord::new();
        let err = |line: u64, kind, message: String| CcsrLoadError {
            line,
            kind,
            message,
        };
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {}
            Ok(false) => {
                return Err(err(1, CcsrLoadErrorKind::BadHeader, "empty file".into()));
            }
            Err(e) => return Err(err(1, CcsrLoadErrorKind::Io, e.to_string())),
        }
        let head: Vec<String> = rec
            .iter()
            .map(|f| unquote(&String::from_utf8_lossy(f)).to_ascii_uppercase())
            .collect();
        let col = |name: &str| head.iter().position(|h| h == name);
        let code_col = col("ICD-10-CM CODE").ok_or_else(|| {
            err(
                1,
                CcsrLoadErrorKind::BadHeader,
                format!("no 'ICD-10-CM CODE' column in header {head:?}"),
            )
        })?;
        let ip = col("DEFAULT CCSR CATEGORY IP");
        let op = col("DEFAULT CCSR CATEGORY OP");
        let cats: Vec<(usize, Option<usize>)> = (1..=6)
            .filter_map(|n| {
                col(&format!("CCSR CATEGORY {n}"))
                    .map(|c| (c, col(&format!("CCSR CATEGORY {n} DESCRIPTION"))))
            })
            .collect();
        if cats.is_empty() {
            return Err(err(
                1,
                CcsrLoadErrorKind::BadHeader,
                "no 'CCSR CATEGORY 1' column".into(),
            ));
        }
        let mut map = CcsrMap {
            version: version.to_string(),
            ..CcsrMap::default()
        };
        loop {
            match rdr.read_byte_record(&mut rec) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => {
                    let line = e.position().map_or(0, |p| p.line());
                    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
                        return Err(err(line, CcsrLoadErrorKind::Io, e.to_string()));
                    }
                    map.skipped
                        .push(err(line, CcsrLoadErrorKind::BadRow, e.to_string()));
                    continue;
                }
            }
            let line = rec.position().map_or(0, |p| p.line());
            let get = |i: usize| -> String {
                rec.get(i)
                    .map(|b| unquote(&String::from_utf8_lossy(b)).to_string())
                    .unwrap_or_default()
            };
            let code_text = get(code_col);
            if code_text.is_empty() && rec.len() <= 1 {
                continue;
            }
            let Some(code) = DxKey::parse(&code_text) else {
                map.skipped.push(err(
                    line,
                    CcsrLoadErrorKind::BadRow,
                    format!("{code_text:?} is not an ICD-10-CM code"),
                ));
                continue;
            };
            let mut a = CcsrAssignment::default();
            let mut bad = None;
            for &(c, d) in &cats {
                let v = get(c);
                if v.is_empty() {
                    continue;
                }
                match CcsrCategory::parse(&v) {
                    Some(cat) => {
                        a.categories.push(cat);
                        if let Some(d) = d {
                            let t = get(d);
                            if !t.is_empty() {
                                map.titles.entry(cat).or_insert(t);
                            }
                        }
                    }
                    None => bad = Some(v),
                }
            }
            let parse_default = |c: Option<usize>, bad: &mut Option<String>| {
                let v = get(c?);
                if v.is_empty() {
                    return None;
                }
                let p = CcsrCategory::parse(&v);
                if p.is_none() {
                    *bad = Some(v);
                }
                p
            };
            a.default_inpatient = parse_default(ip, &mut bad);
            a.default_outpatient = parse_default(op, &mut bad);
            if let Some(v) = bad {
                map.skipped.push(err(
                    line,
                    CcsrLoadErrorKind::BadRow,
                    format!("{v:?} is not a CCSR category"),
                ));
                continue;
            }
            map.codes.insert(code, a);
        }
        Ok(map)
    }

    /// The assignment of `code` (dotted or not), if mapped.
    pub fn get(&self, code: &str) -> Option<&CcsrAssignment> {
        self.codes.get(&DxKey::parse(code)?)
    }

    /// The assignment of a parsed code.
    pub fn get_key(&self, code: DxKey) -> Option<&CcsrAssignment> {
        self.codes.get(&code)
    }

    /// The categories of `code` (empty when unmapped).
    pub fn categories(&self, code: &str) -> &[CcsrCategory] {
        self.get(code).map_or(&[], |a| a.categories.as_slice())
    }

    /// The default inpatient category of `code` (full DXCCSR file only).
    pub fn default_inpatient(&self, code: &str) -> Option<CcsrCategory> {
        self.get(code)?.default_inpatient
    }

    /// The default outpatient category of `code` (full DXCCSR file only).
    pub fn default_outpatient(&self, code: &str) -> Option<CcsrCategory> {
        self.get(code)?.default_outpatient
    }

    /// The title of a category, when the loaded file gave one (the embedded map has none).
    pub fn title(&self, category: CcsrCategory) -> Option<&str> {
        self.titles.get(&category).map(String::as_str)
    }

    /// Version label.
    pub fn version(&self) -> &str {
        &self.version
    }

    /// Number of codes mapped.
    pub fn len(&self) -> usize {
        self.codes.len()
    }

    /// Whether the map is empty.
    pub fn is_empty(&self) -> bool {
        self.codes.is_empty()
    }

    /// Every distinct category.
    pub fn all_categories(&self) -> Vec<CcsrCategory> {
        let mut v: Vec<CcsrCategory> = self
            .codes
            .values()
            .flat_map(|a| a.categories.iter().copied())
            .collect();
        v.sort();
        v.dedup();
        v
    }

    /// Every mapped code.
    pub fn codes(&self) -> impl Iterator<Item = DxKey> + '_ {
        self.codes.keys().copied()
    }

    /// Rows skipped while loading a CSV, with their line numbers.
    pub fn skipped(&self) -> &[CcsrLoadError] {
        &self.skipped
    }
}

fn unquote(s: &str) -> &str {
    let t = s.trim();
    let t = t.strip_prefix('\'').unwrap_or(t);
    let t = t.strip_suffix('\'').unwrap_or(t);
    t.trim()
}

/// The CCSR categories of `code` in the embedded map, as ids (`["END002"]`): the `ccsr` field of
/// `medrec code classify`. Empty when the code is unmapped or malformed.
pub fn ccsr_categories(code: &str) -> Vec<String> {
    CcsrMap::embedded()
        .categories(code)
        .iter()
        .map(|c| c.as_str().to_string())
        .collect()
}
