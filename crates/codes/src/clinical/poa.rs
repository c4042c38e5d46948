//! Present-on-admission (POA) indicators and the POA-exempt code list.
//!
//! Source: CMS, *ICD-10-CM Official Guidelines for Coding and Reporting*, Appendix I (POA
//! reporting guidelines): `Y` present at admission, `N` not present, `U` documentation
//! insufficient, `W` clinically undetermined; exempt codes are reported blank (formerly `1`).

use super::key::{CodeSet, DxKey};

/// A diagnosis' present-on-admission indicator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Poa {
    /// `Y`: present at the time of inpatient admission.
    Y,
    /// `N`: not present at the time of inpatient admission.
    N,
    /// `U`: documentation insufficient to determine.
    U,
    /// `W`: clinically undetermined.
    W,
    /// `1` or `E`: the code is exempt from POA reporting (UB-04 value `1` before 5010).
    Exempt,
    /// Blank: not reported.
    #[default]
    Missing,
}

impl Poa {
    /// Parses `Y`, `N`, `U`, `W`, `1`/`E` (exempt) or blank, any case. Anything else is `None`.
    pub fn parse(text: &str) -> Option<Poa> {
        match text.trim() {
            "" => Some(Poa::Missing),
            "Y" | "y" => Some(Poa::Y),
            "N" | "n" => Some(Poa::N),
            "U" | "u" => Some(Poa::U),
            "W" | "w" => Some(Poa::W),
            "1" | "E" | "e" => Some(Poa::Exempt),
            _ => None,
        }
    }

    /// The indicator as reported (`Y`, `N`, `U`, `W`, `1`, or empty).
    pub fn as_str(self) -> &'static str {
        match self {
            Poa::Y => "Y",
            Poa::N => "N",
            Poa::U => "U",
            Poa::W => "W",
            Poa::Exempt => "1",
            Poa::Missing => "",
        }
    }
}

/// How POA indicators are used for the AHRQ measures that need them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PoaRule {
    /// As the AHRQ mapping program with `%LET POA = 1`: a POA-dependent measure counts only when
    /// the code is exempt or its indicator is `Y` or `W` (blank counts as not present).
    #[default]
    Ahrq,
    /// Count every code regardless of POA (outpatient or claims data without POA). This is
    /// **not** the AHRQ behaviour for `%LET POA = 0`, which leaves those measures missing.
    Ignore,
}

/// The list of ICD-10-CM codes exempt from POA reporting (CMS; the AHRQ `$POAXMPT_V43FMT`).
///
/// The list is not in the shared data, so none is embedded: load it from text (one code, prefix
/// `Z37` or range `V00-Y99` per line or separated by spaces/commas, `#` starts a comment). Without
/// it, an exempt code counts for a POA-dependent measure only when its indicator is `Y`, `W` or
/// `1`/`E` ([`Poa::Exempt`]).
#[derive(Debug, Clone, Default)]
pub struct PoaExemptList {
    set: CodeSet,
}

impl PoaExemptList {
    /// Parses the list; the error names the 1-based line and the bad entry.
    pub fn from_text(text: &str) -> Result<PoaExemptList, (usize, String)> {
        let mut joined = String::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.split('#').next().unwrap_or("");
            // Validate per line to report the line number.
            CodeSet::parse(line).map_err(|bad| (i + 1, bad))?;
            joined.push_str(line);
            joined.push('\n');
        }
        Ok(PoaExemptList {
            set: CodeSet::parse(&joined).map_err(|bad| (0, bad))?,
        })
    }

    /// Whether `code` is exempt.
    pub fn contains(&self, code: DxKey) -> bool {
        self.set.contains(code)
    }

    /// Number of entries.
    pub fn len(&self) -> usize {
        self.set.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.set.is_empty()
    }
}
