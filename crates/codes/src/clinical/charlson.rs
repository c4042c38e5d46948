//! Charlson comorbidity index with the Quan et al. (2005) ICD-10 coding algorithm.
//!
//! Sources:
//! - conditions and ICD-10 codes: Quan H, Sundararajan V, Halfon P, et al. *Coding algorithms for
//!   defining comorbidities in ICD-9-CM and ICD-10 administrative data.* Med Care
//!   2005;43(11):1130–1139, Table 1 (prefix lists embedded from comorbidipy 0.5.0
//!   `charlson_icd10_quan`);
//! - original weights: Charlson ME, Pompei P, Ales KL, MacKenzie CR. J Chronic Dis
//!   1987;40(5):373–383;
//! - updated weights: Quan H, Li B, Couris CM, et al. *Updating and validating the Charlson
//!   comorbidity index and score for risk adjustment in hospital discharge abstracts using data
//!   from 6 countries.* Am J Epidemiol 2011;173(6):676–682, Table 3 (maximum score 24);
//! - age adjustment: Charlson M, Szatrowski TP, Peterson J, Gold J. J Clin Epidemiol
//!   1994;47(11):1245–1251 (one point per decade from 50: 50–59 → 1 … ≥ 80 → 4).
//!
//! Hierarchy (as in the usual implementations of Quan 2005, e.g. the R `comorbidity` package):
//! moderate/severe liver disease drops mild liver disease; diabetes with chronic complications
//! drops diabetes without; metastatic solid tumour drops any malignancy.

macro_rules! conditions {
    ($( $variant:ident = $idx:literal, $name:literal, $desc:literal, $w87:literal, $w11:literal; )*) => {
        /// One of the 17 Charlson conditions (Quan 2005 ICD-10 definitions).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum CharlsonCondition {
            $( #[doc = $desc] $variant = $idx, )*
        }

        impl CharlsonCondition {
            /// All 17 conditions.
            pub const ALL: [CharlsonCondition; 17] = [$( CharlsonCondition::$variant, )*];

            /// Short name used in outputs (`chf`, `metacanc`; the names of comorbidipy / R
            /// `comorbidity`).
            pub fn name(self) -> &'static str {
                match self { $( CharlsonCondition::$variant => $name, )* }
            }

            /// Description.
            pub fn description(self) -> &'static str {
                match self { $( CharlsonCondition::$variant => $desc, )* }
            }

            /// Charlson et al. 1987 weight.
            pub fn weight_1987(self) -> u32 {
                match self { $( CharlsonCondition::$variant => $w87, )* }
            }

            /// Quan et al. 2011 updated weight.
            pub fn weight_quan2011(self) -> u32 {
                match self { $( CharlsonCondition::$variant => $w11, )* }
            }
        }
    };
}

conditions! {
    Ami = 0, "ami", "Myocardial infarction", 1, 0;
    Chf = 1, "chf", "Congestive heart failure", 1, 2;
    Pvd = 2, "pvd", "Peripheral vascular disease", 1, 0;
    Cevd = 3, "cevd", "Cerebrovascular disease", 1, 0;
    Dementia = 4, "dementia", "Dementia", 1, 2;
    Copd = 5, "copd", "Chronic pulmonary disease", 1, 1;
    Rheumd = 6, "rheumd", "Rheumatic disease", 1, 1;
    Pud = 7, "pud", "Peptic ulcer disease", 1, 0;
    Mld = 8, "mld", "Mild liver disease", 1, 2;
    Diab = 9, "diab", "Diabetes without chronic complications", 1, 0;
    Diabwc = 10, "diabwc", "Diabetes with chronic complications", 2, 1;
    Hp = 11, "hp", "Hemiplegia or paraplegia", 2, 2;
    Rend = 12, "rend", "Renal disease", 2, 1;
    Canc = 13, "canc", "Any malignancy, including lymphoma and leukemia, except malignant neoplasm of skin", 2, 2;
    Msld = 14, "msld", "Moderate or severe liver disease", 3, 4;
    Metacanc = 15, "metacanc", "Metastatic solid tumor", 6, 6;
    Aids = 16, "aids", "AIDS/HIV", 6, 4;
}

impl CharlsonCondition {
    /// Parses a short name (`chf`), any case.
    pub fn from_name(name: &str) -> Option<CharlsonCondition> {
        CharlsonCondition::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// Which weights a Charlson score uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CharlsonWeights {
    /// Charlson et al. 1987.
    #[default]
    Charlson1987,
    /// Quan et al. 2011.
    Quan2011,
}

/// The Charlson conditions of one patient (a 17-bit set).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CharlsonFlags(pub(crate) u32);

impl std::fmt::Debug for CharlsonFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.iter().map(|c| c.name()))
            .finish()
    }
}

impl CharlsonFlags {
    /// Whether `c` is flagged.
    #[inline]
    pub fn contains(self, c: CharlsonCondition) -> bool {
        self.0 & (1 << c as u32) != 0
    }

    /// Flags `c`.
    pub fn insert(&mut self, c: CharlsonCondition) {
        self.0 |= 1 << c as u32;
    }

    /// The flagged conditions.
    pub fn iter(self) -> impl Iterator<Item = CharlsonCondition> {
        CharlsonCondition::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    /// Number of conditions.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether none is flagged.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every condition of `self` is in `other`.
    pub fn is_subset(self, other: CharlsonFlags) -> bool {
        self.0 & !other.0 == 0
    }

    /// Applies the hierarchy: msld drops mld, diabwc drops diab, metacanc drops canc.
    #[inline]
    pub fn with_hierarchy(self) -> CharlsonFlags {
        use CharlsonCondition::*;
        let mut b = self.0;
        if b & (1 << Msld as u32) != 0 {
            b &= !(1 << Mld as u32);
        }
        if b & (1 << Diabwc as u32) != 0 {
            b &= !(1 << Diab as u32);
        }
        if b & (1 << Metacanc as u32) != 0 {
            b &= !(1 << Canc as u32);
        }
        CharlsonFlags(b)
    }

    /// The score with `weights` (apply [`with_hierarchy`](Self::with_hierarchy) first; the
    /// scorers do).
    #[inline]
    pub fn score(self, weights: CharlsonWeights) -> u32 {
        self.iter()
            .map(|c| match weights {
                CharlsonWeights::Charlson1987 => c.weight_1987(),
                CharlsonWeights::Quan2011 => c.weight_quan2011(),
            })
            .sum()
    }

    /// The score plus the age points of [`age_points`].
    pub fn age_adjusted_score(self, weights: CharlsonWeights, age_years: u32) -> u32 {
        self.score(weights) + age_points(age_years)
    }

    /// Highest possible score after the hierarchy: 29 (1987) or 24 (Quan 2011).
    pub fn max_score(weights: CharlsonWeights) -> u32 {
        let all = CharlsonFlags((1 << 17) - 1).with_hierarchy();
        all.score(weights)
    }
}

/// Age points of the age-adjusted Charlson index (Charlson 1994): 0 below 50, then one per
/// decade: 50–59 → 1, 60–69 → 2, 70–79 → 3, 80 and over → 4.
pub fn age_points(age_years: u32) -> u32 {
    match age_years {
        0..=49 => 0,
        50..=59 => 1,
        60..=69 => 2,
        70..=79 => 3,
        _ => 4,
    }
}

/// Charlson scorer over the embedded Quan 2005 prefix table.
///
/// ```
/// use medrec_codes::clinical::{Charlson, CharlsonCondition, CharlsonWeights};
/// let flags = Charlson::embedded().patient(["I21.4", "E11.22", "E11.9", "C78.7", "C18.9"]);
/// assert!(flags.contains(CharlsonCondition::Ami));
/// assert!(!flags.contains(CharlsonCondition::Diab)); // dropped by diabwc
/// assert!(!flags.contains(CharlsonCondition::Canc)); // dropped by metacanc
/// assert_eq!(flags.score(CharlsonWeights::Charlson1987), 1 + 2 + 6);
/// assert_eq!(flags.score(CharlsonWeights::Quan2011), 0 + 1 + 6);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Charlson {
    table: &'static super::tables::ComorbidityTable,
}

impl Charlson {
    /// The scorer over the embedded Quan 2005 ICD-10 table.
    pub fn embedded() -> Charlson {
        Charlson {
            table: super::tables::comorbidity_table(),
        }
    }

    /// Conditions of one code (no hierarchy).
    pub fn code_conditions(&self, code: &str) -> CharlsonFlags {
        super::key::DxKey::parse(code).map_or(CharlsonFlags(0), |k| {
            CharlsonFlags(self.table.lookup(k).charlson)
        })
    }

    /// Conditions of all of a patient's codes (all positions count), after the hierarchy.
    /// Codes that do not parse are ignored.
    pub fn patient<'a>(&self, codes: impl IntoIterator<Item = &'a str>) -> CharlsonFlags {
        let mut b = 0;
        for c in codes {
            if let Some(k) = super::key::DxKey::parse(c) {
                b |= self.table.lookup(k).charlson;
            }
        }
        CharlsonFlags(b).with_hierarchy()
    }
}
