//! AHRQ Elixhauser Comorbidity Software Refined for ICD-10-CM, v2026.1: the 38 measures, the
//! present-on-admission (POA) rules, the hierarchy (exclusion) rules and the in-hospital
//! mortality and 30-day readmission indices.
//!
//! Source: AHRQ HCUP, *Elixhauser Comorbidity Software Refined for ICD-10-CM Diagnoses,
//! v2026.1*: `CMR-Reference-File-v2026-1.xlsx` (code → measure table, embedded), the mapping
//! program `CMR_Mapping_Program_v2026-1.sas` (POA and exclusion logic, reproduced in
//! [`ElixhauserFlags`] below) and `CMR_Index_Program_v2026-1.sas` (index weights, checked in the
//! tests against `cmr_v2026_1_index_weights_and_rules.json`).

use super::key::DxKey;
use super::poa::{Poa, PoaExemptList, PoaRule};

macro_rules! measures {
    ($( $variant:ident = $idx:literal, $name:literal, $desc:literal, $poa:literal, $mort:literal, $readm:literal; )*) => {
        /// One of the 38 AHRQ Elixhauser Refined comorbidity measures (`CMR_<name>`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum AhrqMeasure {
            $( #[doc = $desc] $variant = $idx, )*
        }

        impl AhrqMeasure {
            /// All 38 measures in AHRQ order (alphabetical by abbreviation).
            pub const ALL: [AhrqMeasure; 38] = [$( AhrqMeasure::$variant, )*];

            /// The AHRQ abbreviation without the `CMR_` prefix (`HF`, `CANCER_METS`).
            pub fn name(self) -> &'static str {
                match self { $( AhrqMeasure::$variant => $name, )* }
            }

            /// The AHRQ description (`cmr_v2026_1_comorbidity_measures.csv`).
            pub fn description(self) -> &'static str {
                match self { $( AhrqMeasure::$variant => $desc, )* }
            }

            /// Whether AHRQ assigns the measure only from diagnoses present on admission (or
            /// POA-exempt): the `COMPOA` array of the mapping program.
            pub fn requires_poa(self) -> bool {
                match self { $( AhrqMeasure::$variant => $poa, )* }
            }

            /// Weight in the AHRQ in-hospital mortality index, v2026.1.
            pub fn mortality_weight(self) -> i32 {
                match self { $( AhrqMeasure::$variant => $mort, )* }
            }

            /// Weight in the AHRQ 30-day readmission index, v2026.1.
            pub fn readmission_weight(self) -> i32 {
                match self { $( AhrqMeasure::$variant => $readm, )* }
            }
        }
    };
}

measures! {
    Aids = 0, "AIDS", "Acquired immune deficiency syndrome", false, -4, 5;
    Alcohol = 1, "ALCOHOL", "Alcohol abuse", false, -1, 3;
    Anemdef = 2, "ANEMDEF", "Anemias due to other nutritional deficiencies", true, -3, 5;
    Autoimmune = 3, "AUTOIMMUNE", "Autoimmune conditions", false, 0, 2;
    Bldloss = 4, "BLDLOSS", "Chronic blood loss (iron deficiency)", true, -4, 2;
    CancerLeuk = 5, "CANCER_LEUK", "Leukemia", false, 9, 10;
    CancerLymph = 6, "CANCER_LYMPH", "Lymphoma", false, 5, 7;
    CancerMets = 7, "CANCER_METS", "Metastatic cancer", false, 22, 11;
    CancerNsitu = 8, "CANCER_NSITU", "Solid tumor without metastasis, in situ", false, 0, 0;
    CancerSolid = 9, "CANCER_SOLID", "Solid tumor without metastasis, malignant", false, 10, 7;
    Cbvd = 10, "CBVD", "Cerebrovascular disease", true, 5, 0;
    Coag = 11, "COAG", "Coagulopathy", true, 14, 3;
    Dementia = 12, "DEMENTIA", "Dementia", false, 5, 1;
    Depress = 13, "DEPRESS", "Depression", false, -8, 2;
    DiabCx = 14, "DIAB_CX", "Diabetes with chronic complications", false, -2, 4;
    DiabUncx = 15, "DIAB_UNCX", "Diabetes without chronic complications", false, 0, 0;
    DrugAbuse = 16, "DRUG_ABUSE", "Drug abuse", false, -7, 6;
    Hf = 17, "HF", "Heart failure", true, 14, 7;
    HtnCx = 18, "HTN_CX", "Hypertension, complicated", false, 1, 0;
    HtnUncx = 19, "HTN_UNCX", "Hypertension, uncomplicated", false, 0, 0;
    LiverMld = 20, "LIVER_MLD", "Liver disease, mild", true, 2, 3;
    LiverSev = 21, "LIVER_SEV", "Liver disease and failure, moderate to severe", true, 16, 10;
    LungChronic = 22, "LUNG_CHRONIC", "Chronic pulmonary disease", false, 2, 4;
    NeuroMovt = 23, "NEURO_MOVT", "Neurological disorders affecting movement", true, -1, 1;
    NeuroOth = 24, "NEURO_OTH", "Other neurological disorders", true, 22, 2;
    NeuroSeiz = 25, "NEURO_SEIZ", "Seizures and epilepsy", true, 2, 5;
    Obese = 26, "OBESE", "Obesity", false, -7, -2;
    Paralysis = 27, "PARALYSIS", "Paralysis", true, 4, 3;
    Perivasc = 28, "PERIVASC", "Peripheral vascular disease", false, 3, 1;
    Psychoses = 29, "PSYCHOSES", "Psychoses", true, -9, 6;
    Pulmcirc = 30, "PULMCIRC", "Pulmonary circulation disease", true, 4, 3;
    RenlflMod = 31, "RENLFL_MOD", "Renal (kidney) failure and disease, moderate", true, 3, 4;
    RenlflSev = 32, "RENLFL_SEV", "Renal (kidney) failure and disease, severe", true, 7, 8;
    ThyroidHypo = 33, "THYROID_HYPO", "Hypothyroidism", false, -3, 0;
    ThyroidOth = 34, "THYROID_OTH", "Other thyroid disorders", false, -8, 0;
    UlcerPeptic = 35, "ULCER_PEPTIC", "Peptic ulcer with bleeding", true, 0, 2;
    Valve = 36, "VALVE", "Valvular disease", true, 0, 0;
    Wghtloss = 37, "WGHTLOSS", "Weight loss", true, 13, 6;
}

/// Bit of the code table meaning "maps to CBVD_POA" (acute cerebrovascular disease).
pub(crate) const CBVD_POA_BIT: u64 = 1 << 38;
/// Bit of the code table meaning "maps to CBVD_SQLA" (sequela of cerebrovascular disease).
pub(crate) const CBVD_SQLA_BIT: u64 = 1 << 39;

const fn poa_mask() -> u64 {
    let mut m = 0u64;
    let mut i = 0;
    while i < 38 {
        // Kept in sync with `requires_poa` by a unit test.
        m |= match i {
            2 | 4 | 10 | 11 | 17 | 20 | 21 | 23 | 24 | 25 | 27 | 29 | 30 | 31 | 32 | 35 | 36
            | 37 => 1 << i,
            _ => 0,
        };
        i += 1;
    }
    m | CBVD_POA_BIT | CBVD_SQLA_BIT
}

/// Measure bits (plus the CBVD_POA / CBVD_SQLA code bits) that need POA (the SAS `COMPOA` array).
pub(crate) const COMPOA_MASK: u64 = poa_mask();

impl AhrqMeasure {
    /// Parses an AHRQ abbreviation, with or without `CMR_`, any case (`hf`, `CMR_HF`).
    pub fn from_name(name: &str) -> Option<AhrqMeasure> {
        let n = name.trim();
        let n = n
            .strip_prefix("CMR_")
            .or_else(|| n.strip_prefix("cmr_"))
            .unwrap_or(n);
        AhrqMeasure::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(n))
    }

    #[inline]
    fn bit(self) -> u64 {
        1u64 << (self as u32)
    }
}

/// The set of AHRQ measures flagged for one stay or patient (a 38-bit set).
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ElixhauserFlags(u64);

impl std::fmt::Debug for ElixhauserFlags {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.iter().map(|m| m.name()))
            .finish()
    }
}

impl ElixhauserFlags {
    /// No measure.
    pub const EMPTY: ElixhauserFlags = ElixhauserFlags(0);

    /// Whether `m` is flagged.
    #[inline]
    pub fn contains(self, m: AhrqMeasure) -> bool {
        self.0 & m.bit() != 0
    }

    /// Flags `m`.
    #[inline]
    pub fn insert(&mut self, m: AhrqMeasure) {
        self.0 |= m.bit();
    }

    /// Number of flagged measures.
    #[inline]
    pub fn len(self) -> usize {
        self.0.count_ones() as usize
    }

    /// Whether nothing is flagged.
    #[inline]
    pub fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The flagged measures in AHRQ order.
    pub fn iter(self) -> impl Iterator<Item = AhrqMeasure> {
        AhrqMeasure::ALL
            .into_iter()
            .filter(move |m| self.contains(*m))
    }

    /// Whether every measure of `self` is in `other`.
    pub fn is_subset(self, other: ElixhauserFlags) -> bool {
        self.0 & !other.0 == 0
    }

    /// The AHRQ in-hospital mortality index: the sum of the v2026.1 weights of the flags.
    pub fn mortality_index(self) -> i32 {
        self.iter().map(AhrqMeasure::mortality_weight).sum()
    }

    /// The AHRQ 30-day readmission index: the sum of the v2026.1 weights of the flags.
    pub fn readmission_index(self) -> i32 {
        self.iter().map(AhrqMeasure::readmission_weight).sum()
    }

    /// The raw bit set (bit `m as u32` for measure `m`).
    pub fn bits(self) -> u64 {
        self.0
    }

    /// The lowest and highest mortality index any set of flags can reach after the hierarchy
    /// (used by tests and to validate stored scores).
    pub fn mortality_range() -> (i32, i32) {
        index_range(AhrqMeasure::mortality_weight)
    }

    /// The lowest and highest readmission index any set of flags can reach after the hierarchy.
    pub fn readmission_range() -> (i32, i32) {
        index_range(AhrqMeasure::readmission_weight)
    }
}

fn index_range(w: fn(AhrqMeasure) -> i32) -> (i32, i32) {
    // Negative weights all together are reachable (no exclusion drops a negative-weight measure
    // in favour of another negative one); positive ones are bounded by the exclusion groups.
    let neg: i32 = AhrqMeasure::ALL.iter().map(|&m| w(m).min(0)).sum();
    let pos: i32 = AhrqMeasure::ALL.iter().map(|&m| w(m).max(0)).sum();
    (neg, pos)
}

/// Accumulates one stay's secondary diagnoses into AHRQ flags, exactly as the v2026.1 mapping
/// program does, then applies the exclusions with [`finish`](ElixhauserAccumulator::finish).
///
/// Per secondary diagnosis (the SAS loop `DO I = 2 TO NDX` — the principal diagnosis is never
/// used):
/// 1. measures not needing POA (`COMANYPOA`) are set;
/// 2. measures needing POA (`COMPOA`, including CBVD_POA / CBVD_SQLA) are set when the code is
///    POA-exempt or its POA indicator is `Y` or `W`;
/// 3. a code mapping to CBVD_POA that is not exempt and has POA `N` or `U` sets `CBVD_NPOA`.
///
/// Then: DIAB_CX drops DIAB_UNCX; HTN_CX drops HTN_UNCX; CANCER_METS drops CANCER_SOLID and
/// CANCER_NSITU; CANCER_SOLID drops CANCER_NSITU; LIVER_SEV drops LIVER_MLD; RENLFL_SEV drops
/// RENLFL_MOD; CBVD = CBVD_POA or (no CBVD_POA, no CBVD_NPOA, and CBVD_SQLA).
#[derive(Debug, Clone, Copy, Default)]
pub struct ElixhauserAccumulator {
    bits: u64,
    cbvd_npoa: bool,
}

impl ElixhauserAccumulator {
    /// Adds one secondary diagnosis whose table bits are `code_bits`.
    #[inline]
    pub(crate) fn add_bits(&mut self, code_bits: u64, poa: Poa, exempt: bool, rule: PoaRule) {
        if code_bits == 0 {
            return;
        }
        let any = code_bits & !COMPOA_MASK;
        let dep = code_bits & COMPOA_MASK;
        self.bits |= any;
        if dep != 0 {
            let present = match rule {
                PoaRule::Ignore => true,
                PoaRule::Ahrq => exempt || matches!(poa, Poa::Y | Poa::W | Poa::Exempt),
            };
            if present {
                self.bits |= dep;
            } else if rule == PoaRule::Ahrq
                && !exempt
                && matches!(poa, Poa::N | Poa::U)
                && code_bits & CBVD_POA_BIT != 0
            {
                self.cbvd_npoa = true;
            }
        }
    }

    /// The flags before the exclusion rules (CBVD resolved), for checking monotonicity.
    pub fn before_hierarchy(&self) -> ElixhauserFlags {
        let mut b = self.bits & ((1u64 << 38) - 1);
        if self.bits & (CBVD_POA_BIT | CBVD_SQLA_BIT) != 0 {
            b |= AhrqMeasure::Cbvd.bit();
        }
        ElixhauserFlags(b)
    }

    /// Applies the AHRQ exclusions and the CBVD rule.
    pub fn finish(&self) -> ElixhauserFlags {
        use AhrqMeasure::*;
        let mut f = ElixhauserFlags(self.bits & ((1u64 << 38) - 1));
        let clear = |f: &mut ElixhauserFlags, m: AhrqMeasure| f.0 &= !m.bit();
        if f.contains(DiabCx) {
            clear(&mut f, DiabUncx);
        }
        if f.contains(HtnCx) {
            clear(&mut f, HtnUncx);
        }
        if f.contains(CancerMets) {
            clear(&mut f, CancerSolid);
            clear(&mut f, CancerNsitu);
        }
        if f.contains(CancerSolid) {
            clear(&mut f, CancerNsitu);
        }
        if f.contains(LiverSev) {
            clear(&mut f, LiverMld);
        }
        if f.contains(RenlflSev) {
            clear(&mut f, RenlflMod);
        }
        let cbvd_poa = self.bits & CBVD_POA_BIT != 0;
        let cbvd_sqla = self.bits & CBVD_SQLA_BIT != 0;
        if cbvd_poa || (!self.cbvd_npoa && cbvd_sqla) {
            f.insert(Cbvd);
        }
        f
    }
}

/// AHRQ Elixhauser Refined scorer over the embedded v2026.1 table.
///
/// ```
/// use medrec_codes::clinical::{AhrqMeasure, Elixhauser, Poa, PoaRule};
/// let elix = Elixhauser::embedded();
/// // Principal I21.4 (not used), then heart failure present on admission and type 2 diabetes.
/// let stay = [("I21.4", Poa::Y), ("I50.22", Poa::Y), ("E11.9", Poa::N)];
/// let flags = elix.stay(&stay, PoaRule::Ahrq);
/// assert!(flags.contains(AhrqMeasure::Hf));
/// assert!(flags.contains(AhrqMeasure::DiabUncx));
/// assert_eq!(flags.mortality_index(), 14);
/// ```
#[derive(Debug, Clone)]
pub struct Elixhauser {
    table: &'static super::tables::ComorbidityTable,
    exempt: Option<std::sync::Arc<PoaExemptList>>,
}

impl Elixhauser {
    /// The scorer over the embedded AHRQ v2026.1 table, with no POA-exempt list (see
    /// [`PoaExemptList`]: exempt codes then need the POA indicator `1`/`E` or `Y`).
    pub fn embedded() -> Elixhauser {
        Elixhauser {
            table: super::tables::comorbidity_table(),
            exempt: None,
        }
    }

    /// The same scorer using a POA-exempt list (the CMS list the AHRQ `$POAXMPT` format holds).
    pub fn with_exempt_list(self, list: PoaExemptList) -> Elixhauser {
        Elixhauser {
            table: self.table,
            exempt: Some(std::sync::Arc::new(list)),
        }
    }

    /// The AHRQ table bits of one code (exact match; the AHRQ table lists full codes).
    pub fn code_measures(&self, code: &str) -> ElixhauserFlags {
        let Some(k) = DxKey::parse(code) else {
            return ElixhauserFlags::EMPTY;
        };
        let bits = self.table.ahrq_bits(k);
        let mut f = ElixhauserFlags(bits & ((1u64 << 38) - 1));
        if bits & (CBVD_POA_BIT | CBVD_SQLA_BIT) != 0 {
            f.insert(AhrqMeasure::Cbvd);
        }
        f
    }

    /// Whether `code` is POA-exempt under the loaded list.
    pub fn is_exempt(&self, code: DxKey) -> bool {
        self.exempt.as_ref().is_some_and(|l| l.contains(code))
    }

    /// Flags for one stay: `dx[0]` is the principal diagnosis (not used, as in the AHRQ
    /// program); the others are secondary diagnoses with their POA indicators. Codes that do
    /// not parse are ignored (validate them with the code tables first).
    pub fn stay(&self, dx: &[(&str, Poa)], rule: PoaRule) -> ElixhauserFlags {
        let mut acc = ElixhauserAccumulator::default();
        for &(code, poa) in dx.iter().skip(1) {
            if let Some(k) = DxKey::parse(code) {
                acc.add_bits(self.table.ahrq_bits(k), poa, self.is_exempt(k), rule);
            }
        }
        acc.finish()
    }

    /// Adds one secondary diagnosis to an accumulator (for callers that stream codes).
    pub fn add(&self, acc: &mut ElixhauserAccumulator, code: DxKey, poa: Poa, rule: PoaRule) {
        acc.add_bits(self.table.ahrq_bits(code), poa, self.is_exempt(code), rule);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn poa_mask_matches_requires_poa() {
        for m in AhrqMeasure::ALL {
            assert_eq!(COMPOA_MASK & m.bit() != 0, m.requires_poa(), "{}", m.name());
            assert_eq!(AhrqMeasure::from_name(m.name()), Some(m));
        }
        assert_eq!(AhrqMeasure::from_name("cmr_hf"), Some(AhrqMeasure::Hf));
    }
}
