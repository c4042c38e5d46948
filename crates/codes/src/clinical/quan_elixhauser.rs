//! The Elixhauser comorbidities with the Quan et al. (2005) ICD-10 coding algorithm and the
//! van Walraven (2009) score.
//!
//! Sources: Quan H et al., Med Care 2005;43(11):1130–1139, Table 2 (ICD-10 codes; prefix lists
//! embedded from comorbidipy 0.5.0 `elixhauser_icd10_quan`); van Walraven C, Austin PC, Jennings
//! A, Quan H, Forster AJ. *A modification of the Elixhauser comorbidity measures into a point
//! system for hospital death using administrative data.* Med Care 2009;47(6):626–633 (weights:
//! comorbidipy `weights.json` `vw`, checked in the tests).
//!
//! Elixhauser's 30 comorbidities appear as 31 flags: Quan's Table 2 lists hypertension
//! uncomplicated and complicated on separate rows (van Walraven gives both weight 0). Hierarchy
//! (as the R `comorbidity` package and comorbidipy apply it): complicated hypertension drops
//! uncomplicated, complicated diabetes drops uncomplicated, metastatic cancer drops solid tumour.
//! These are **not** the AHRQ Refined measures of [`super::elixhauser`].

macro_rules! categories {
    ($( $variant:ident = $idx:literal, $name:literal, $desc:literal, $vw:literal; )*) => {
        /// One of the 31 Quan 2005 ICD-10 Elixhauser flags.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum QuanElixhauserCategory {
            $( #[doc = $desc] $variant = $idx, )*
        }

        impl QuanElixhauserCategory {
            /// All 31 flags.
            pub const ALL: [QuanElixhauserCategory; 31] = [$( QuanElixhauserCategory::$variant, )*];

            /// Short name (`chf`, `carit`; comorbidipy / R `comorbidity` names).
            pub fn name(self) -> &'static str {
                match self { $( QuanElixhauserCategory::$variant => $name, )* }
            }

            /// Description.
            pub fn description(self) -> &'static str {
                match self { $( QuanElixhauserCategory::$variant => $desc, )* }
            }

            /// van Walraven 2009 weight.
            pub fn van_walraven_weight(self) -> i32 {
                match self { $( QuanElixhauserCategory::$variant => $vw, )* }
            }
        }
    };
}

categories! {
    Chf = 0, "chf", "Congestive heart failure", 7;
    Carit = 1, "carit", "Cardiac arrhythmias", 5;
    Valv = 2, "valv", "Valvular disease", -1;
    Pcd = 3, "pcd", "Pulmonary circulation disorders", 4;
    Pvd = 4, "pvd", "Peripheral vascular disorders", 2;
    Hypunc = 5, "hypunc", "Hypertension, uncomplicated", 0;
    Hypc = 6, "hypc", "Hypertension, complicated", 0;
    Para = 7, "para", "Paralysis", 7;
    Ond = 8, "ond", "Other neurological disorders", 6;
    Cpd = 9, "cpd", "Chronic pulmonary disease", 3;
    Diabunc = 10, "diabunc", "Diabetes, uncomplicated", 0;
    Diabc = 11, "diabc", "Diabetes, complicated", 0;
    Hypothy = 12, "hypothy", "Hypothyroidism", 0;
    Rf = 13, "rf", "Renal failure", 5;
    Ld = 14, "ld", "Liver disease", 11;
    Pud = 15, "pud", "Peptic ulcer disease excluding bleeding", 0;
    Aids = 16, "aids", "AIDS/HIV", 0;
    Lymph = 17, "lymph", "Lymphoma", 9;
    Metacanc = 18, "metacanc", "Metastatic cancer", 12;
    Solidtum = 19, "solidtum", "Solid tumour without metastasis", 4;
    Rheumd = 20, "rheumd", "Rheumatoid arthritis/collagen vascular diseases", 0;
    Coag = 21, "coag", "Coagulopathy", 3;
    Obes = 22, "obes", "Obesity", -4;
    Wloss = 23, "wloss", "Weight loss", 6;
    Fed = 24, "fed", "Fluid and electrolyte disorders", 5;
    Blane = 25, "blane", "Blood loss anaemia", -2;
    Dane = 26, "dane", "Deficiency anaemia", -2;
    Alcohol = 27, "alcohol", "Alcohol abuse", 0;
    Drug = 28, "drug", "Drug abuse", -7;
    Psycho = 29, "psycho", "Psychoses", 0;
    Depre = 30, "depre", "Depression", -3;
}

impl QuanElixhauserCategory {
    /// Parses a short name, any case.
    pub fn from_name(name: &str) -> Option<QuanElixhauserCategory> {
        QuanElixhauserCategory::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name.trim()))
    }
}

/// The Quan 2005 Elixhauser flags of one patient (a 31-bit set).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct QuanElixhauserFlags(pub(crate) u32);

impl std::fmt::Debug for QuanElixhauserFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.iter().map(|c| c.name()))
            .finish()
    }
}

impl QuanElixhauserFlags {
    /// Whether `c` is flagged.
    #[inline]
    pub fn contains(self, c: QuanElixhauserCategory) -> bool {
        self.0 & (1 << c as u32) != 0
    }

    /// The flagged categories.
    pub fn iter(self) -> impl Iterator<Item = QuanElixhauserCategory> {
        QuanElixhauserCategory::ALL
            .into_iter()
            .filter(move |c| self.contains(*c))
    }

    /// Number of flags.
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether none is flagged.
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// Whether every flag of `self` is in `other`.
    pub fn is_subset(self, other: QuanElixhauserFlags) -> bool {
        self.0 & !other.0 == 0
    }

    /// Applies the hierarchy: hypc drops hypunc, diabc drops diabunc, metacanc drops solidtum.
    #[inline]
    pub fn with_hierarchy(self) -> QuanElixhauserFlags {
        use QuanElixhauserCategory::*;
        let mut b = self.0;
        if b & (1 << Hypc as u32) != 0 {
            b &= !(1 << Hypunc as u32);
        }
        if b & (1 << Diabc as u32) != 0 {
            b &= !(1 << Diabunc as u32);
        }
        if b & (1 << Metacanc as u32) != 0 {
            b &= !(1 << Solidtum as u32);
        }
        QuanElixhauserFlags(b)
    }

    /// The van Walraven score (sum of weights).
    pub fn van_walraven(self) -> i32 {
        self.iter()
            .map(QuanElixhauserCategory::van_walraven_weight)
            .sum()
    }

    /// Lowest and highest van Walraven score after the hierarchy.
    pub fn van_walraven_range() -> (i32, i32) {
        let neg = QuanElixhauserCategory::ALL
            .iter()
            .map(|c| c.van_walraven_weight().min(0))
            .sum();
        let pos = QuanElixhauserFlags((1 << 31) - 1)
            .with_hierarchy()
            .iter()
            .map(|c| c.van_walraven_weight().max(0))
            .sum();
        (neg, pos)
    }
}
