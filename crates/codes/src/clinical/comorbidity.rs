//! One pass over a patient's codes computing every comorbidity measure at once (AHRQ Elixhauser
//! Refined + indices, Quan 2005 Elixhauser + van Walraven, Charlson + both weightings), and the
//! batch API for many patients.

use super::charlson::{CharlsonFlags, CharlsonWeights};
use super::elixhauser::{ElixhauserAccumulator, ElixhauserFlags};
use super::key::DxKey;
use super::poa::{Poa, PoaExemptList, PoaRule};
use super::quan_elixhauser::QuanElixhauserFlags;
use super::tables::{ComorbidityTable, comorbidity_table};
use std::sync::Arc;

/// Every comorbidity measure of one patient or stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Comorbidities {
    /// AHRQ Elixhauser Refined v2026.1 measures (secondary diagnoses, POA rules, exclusions).
    pub elixhauser: ElixhauserFlags,
    /// AHRQ in-hospital mortality index.
    pub elixhauser_mortality: i32,
    /// AHRQ 30-day readmission index.
    pub elixhauser_readmission: i32,
    /// Quan 2005 ICD-10 Elixhauser flags (all diagnoses, hierarchy applied).
    pub quan_elixhauser: QuanElixhauserFlags,
    /// van Walraven 2009 score of `quan_elixhauser`.
    pub van_walraven: i32,
    /// Charlson conditions, Quan 2005 ICD-10 (all diagnoses, hierarchy applied).
    pub charlson: CharlsonFlags,
    /// Charlson score with the 1987 weights.
    pub charlson_score: u32,
    /// Charlson score with the Quan 2011 weights.
    pub charlson_score_quan2011: u32,
    /// Codes that were not shaped like ICD-10-CM codes and were ignored.
    pub unparsed_codes: u32,
}

impl Comorbidities {
    /// The Charlson score with age points added (Charlson 1994), for `weights`.
    pub fn charlson_age_adjusted(&self, weights: CharlsonWeights, age_years: u32) -> u32 {
        self.charlson.age_adjusted_score(weights, age_years)
    }
}

/// Scores patients' diagnosis codes: AHRQ Elixhauser Refined, Quan Elixhauser and Charlson in one
/// pass, one hash probe per code and prefix over a table built once per process.
///
/// Conventions: the first code is the principal diagnosis; the AHRQ measures use the secondary
/// diagnoses only (AHRQ mapping program), Charlson and Quan Elixhauser use every code (Quan 2005
/// applied the algorithms to all diagnosis fields).
///
/// ```
/// use medrec_codes::clinical::{ComorbidityScorer, Poa};
/// let scorer = ComorbidityScorer::new();
/// let c = scorer.score(Some(("I21.4", Poa::Y)), [("I50.22", Poa::Y), ("E11.22", Poa::Y), ("N18.4", Poa::Y)]);
/// assert_eq!(c.charlson_score, 1 + 1 + 2 + 2); // ami, chf, diabwc, rend
/// assert!(c.elixhauser.iter().any(|m| m.name() == "HF"));
/// ```
#[derive(Debug, Clone)]
pub struct ComorbidityScorer {
    table: &'static ComorbidityTable,
    rule: PoaRule,
    exempt: Option<Arc<PoaExemptList>>,
}

impl Default for ComorbidityScorer {
    fn default() -> Self {
        Self::new()
    }
}

impl ComorbidityScorer {
    /// A scorer over the embedded tables with [`PoaRule::Ahrq`] and no POA-exempt list.
    pub fn new() -> ComorbidityScorer {
        ComorbidityScorer {
            table: comorbidity_table(),
            rule: PoaRule::Ahrq,
            exempt: None,
        }
    }

    /// Sets the POA rule.
    pub fn with_poa_rule(mut self, rule: PoaRule) -> Self {
        self.rule = rule;
        self
    }

    /// Uses a CMS POA-exempt list for the AHRQ POA rules.
    pub fn with_exempt_list(mut self, list: PoaExemptList) -> Self {
        self.exempt = Some(Arc::new(list));
        self
    }

    /// The POA rule in use.
    pub fn poa_rule(&self) -> PoaRule {
        self.rule
    }

    /// Scores one patient: `principal` (may be absent, e.g. when its row was rejected) and the
    /// secondary diagnoses with POA indicators.
    pub fn score<'a>(
        &self,
        principal: Option<(&'a str, Poa)>,
        secondary: impl IntoIterator<Item = (&'a str, Poa)>,
    ) -> Comorbidities {
        let mut st = State::default();
        if let Some((code, _)) = principal {
            match DxKey::parse(code) {
                Some(k) => self.add(&mut st, k, Poa::Missing, true),
                None => st.unparsed += 1,
            }
        }
        for (code, poa) in secondary {
            match DxKey::parse(code) {
                Some(k) => self.add(&mut st, k, poa, false),
                None => st.unparsed += 1,
            }
        }
        st.finish()
    }

    /// Scores one patient given as parsed keys; `codes[0]` is the principal diagnosis when
    /// `has_principal`.
    pub fn score_keys(&self, codes: &[(DxKey, Poa)], has_principal: bool) -> Comorbidities {
        let mut st = State::default();
        for (i, &(k, poa)) in codes.iter().enumerate() {
            self.add(&mut st, k, poa, has_principal && i == 0);
        }
        st.finish()
    }

    /// Scores many patients, each a slice whose first element is the principal diagnosis.
    pub fn score_batch<'a, P>(&self, patients: impl IntoIterator<Item = P>) -> Vec<Comorbidities>
    where
        P: AsRef<[(&'a str, Poa)]>,
    {
        patients
            .into_iter()
            .map(|p| {
                let p = p.as_ref();
                self.score(p.first().copied(), p.iter().skip(1).copied())
            })
            .collect()
    }

    #[inline]
    fn add(&self, st: &mut State, k: DxKey, poa: Poa, principal: bool) {
        let bits = self.table.lookup(k);
        st.charlson |= bits.charlson;
        st.quan |= bits.quan_elix;
        if !principal && bits.ahrq != 0 {
            let exempt = self.exempt.as_ref().is_some_and(|l| l.contains(k));
            st.ahrq.add_bits(bits.ahrq, poa, exempt, self.rule);
        }
    }
}

#[derive(Default)]
struct State {
    ahrq: ElixhauserAccumulator,
    charlson: u32,
    quan: u32,
    unparsed: u32,
}

impl State {
    #[inline]
    fn finish(self) -> Comorbidities {
        let elixhauser = self.ahrq.finish();
        let charlson = CharlsonFlags(self.charlson).with_hierarchy();
        let quan = QuanElixhauserFlags(self.quan).with_hierarchy();
        Comorbidities {
            elixhauser,
            elixhauser_mortality: elixhauser.mortality_index(),
            elixhauser_readmission: elixhauser.readmission_index(),
            quan_elixhauser: quan,
            van_walraven: quan.van_walraven(),
            charlson,
            charlson_score: charlson.score(CharlsonWeights::Charlson1987),
            charlson_score_quan2011: charlson.score(CharlsonWeights::Quan2011),
            unparsed_codes: self.unparsed,
        }
    }
}
