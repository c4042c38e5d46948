//! The indexes an HIM department keeps for retrieval and research requests.
//!
//! - **Disease index**: for an ICD-10-CM code, a code range or a CCSR category, every encounter
//!   (and so every patient) with a matching diagnosis, with dates, unit and attending.
//! - **Operation index**: the same for ICD-10-PCS procedure codes.
//! - **Physician index**: encounters and outcomes (discharges, deaths, LOS, consultations) per
//!   attending physician.
//!
//! Each index is built in one pass ([`DiseaseIndex::add`] …); memory grows with the matches (or
//! the attendings), not with the stays read.

use crate::stay::{EncounterClass, Stay};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

/// What codes an index selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CodeQuery {
    /// One code and everything below it (`I50` matches `I50.9`); dots and case ignored.
    Code(String),
    /// An inclusive range of codes, each bound matching everything below it
    /// (`I20`–`I25` matches `I25.10`).
    Range(String, String),
    /// A CCSR category (`CIR019`) of the embedded AHRQ map (diagnoses only).
    Ccsr(String),
}

fn normalize(code: &str) -> String {
    code.trim()
        .chars()
        .filter(|c| *c != '.')
        .map(|c| c.to_ascii_uppercase())
        .collect()
}

impl CodeQuery {
    /// Parses `I50`, `I20-I25` or `ccsr:CIR019`.
    pub fn parse(s: &str) -> Option<CodeQuery> {
        let s = s.trim();
        if s.is_empty() {
            return None;
        }
        if let Some(c) = s.strip_prefix("ccsr:").or_else(|| s.strip_prefix("CCSR:")) {
            return Some(CodeQuery::Ccsr(c.trim().to_ascii_uppercase()));
        }
        if let Some((a, b)) = s.split_once('-') {
            let (a, b) = (normalize(a), normalize(b));
            if a.is_empty() || b.is_empty() || a > b {
                return None;
            }
            return Some(CodeQuery::Range(a, b));
        }
        Some(CodeQuery::Code(normalize(s)))
    }

    /// True when `code` is selected.
    pub fn matches(&self, code: &str) -> bool {
        let c = normalize(code);
        match self {
            CodeQuery::Code(q) => c.starts_with(&normalize(q)),
            CodeQuery::Range(lo, hi) => {
                let (lo, hi) = (normalize(lo), normalize(hi));
                let head = c.get(..c.len().min(hi.len())).unwrap_or(&c);
                c.as_str() >= lo.as_str() && head <= hi.as_str()
            }
            CodeQuery::Ccsr(cat) => medrec_codes::clinical::ccsr::CcsrMap::embedded()
                .categories(code)
                .iter()
                .any(|x| x.as_str().eq_ignore_ascii_case(cat)),
        }
    }
}

/// One line of a disease or operation index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexEntry {
    /// The matching code as recorded.
    pub code: String,
    /// Principal diagnosis (disease index) or first procedure (operation index).
    pub principal: bool,
    /// Patient id.
    pub patient_id: String,
    /// Encounter id.
    pub encounter_id: String,
    /// Facility.
    pub facility: String,
    /// Encounter class (`inpatient`, `emergency` …).
    pub class: EncounterClass,
    /// Admission.
    pub admitted: Timestamp,
    /// Discharge.
    pub discharged: Option<Timestamp>,
    /// The procedure's date (operation index).
    pub performed: Option<Timestamp>,
    /// The unit at discharge (or the last known).
    pub unit: Option<String>,
    /// Attending physician.
    pub attending: Option<String>,
}

fn entry(stay: &Stay, code: &str, principal: bool, performed: Option<Timestamp>) -> IndexEntry {
    IndexEntry {
        code: code.to_string(),
        principal,
        patient_id: stay.patient_id.clone(),
        encounter_id: stay.encounter_id.clone(),
        facility: stay.facility.clone(),
        class: stay.class,
        admitted: stay.admitted,
        discharged: stay.discharged,
        performed,
        unit: stay.units.last().map(|u| u.unit.clone()),
        attending: stay.attending.clone(),
    }
}

/// Disease index: encounters with a diagnosis the query selects.
#[derive(Debug, Clone, PartialEq)]
pub struct DiseaseIndex {
    query: CodeQuery,
    entries: Vec<IndexEntry>,
}

impl DiseaseIndex {
    /// An empty index for a query.
    pub fn new(query: CodeQuery) -> DiseaseIndex {
        DiseaseIndex {
            query,
            entries: Vec::new(),
        }
    }

    /// Adds a stay (one entry per matching diagnosis).
    pub fn add(&mut self, stay: &Stay) {
        for d in &stay.diagnoses {
            if self.query.matches(&d.code) {
                self.entries.push(entry(stay, &d.code, d.principal, None));
            }
        }
    }

    /// The entries, by admission then encounter.
    pub fn entries(&mut self) -> &[IndexEntry] {
        self.entries
            .sort_by(|a, b| (a.admitted, &a.encounter_id).cmp(&(b.admitted, &b.encounter_id)));
        &self.entries
    }

    /// Distinct patients.
    pub fn patients(&self) -> usize {
        self.entries
            .iter()
            .map(|e| e.patient_id.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    }
}

/// Operation index: encounters with a procedure the query selects.
#[derive(Debug, Clone, PartialEq)]
pub struct OperationIndex {
    query: CodeQuery,
    entries: Vec<IndexEntry>,
}

impl OperationIndex {
    /// An empty index for a query.
    pub fn new(query: CodeQuery) -> OperationIndex {
        OperationIndex {
            query,
            entries: Vec::new(),
        }
    }

    /// Adds a stay (one entry per matching procedure).
    pub fn add(&mut self, stay: &Stay) {
        for (i, p) in stay.procedures.iter().enumerate() {
            if self.query.matches(&p.code) {
                self.entries.push(entry(stay, &p.code, i == 0, p.performed));
            }
        }
    }

    /// The entries, by procedure date (else admission) then encounter.
    pub fn entries(&mut self) -> &[IndexEntry] {
        self.entries.sort_by(|a, b| {
            (a.performed.unwrap_or(a.admitted), &a.encounter_id)
                .cmp(&(b.performed.unwrap_or(b.admitted), &b.encounter_id))
        });
        &self.entries
    }

    /// Distinct patients.
    pub fn patients(&self) -> usize {
        self.entries
            .iter()
            .map(|e| e.patient_id.as_str())
            .collect::<BTreeSet<_>>()
            .len()
    }
}

/// One physician's line in the physician index.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct PhysicianSummary {
    /// The attending (name or id).
    pub attending: String,
    /// Encounters of every class.
    pub encounters: u64,
    /// Inpatient discharges.
    pub discharges: u64,
    /// Inpatient deaths.
    pub deaths: u64,
    /// Σ LOS of the inpatient discharges (whole days, same day = 1).
    pub total_length_of_stay: u64,
    /// Discharges with a consultation.
    pub consultations: u64,
    /// Discharges with a hospital-acquired infection.
    pub infections: u64,
    /// Distinct patients.
    pub patients: u64,
}

impl PhysicianSummary {
    /// Average length of stay of the inpatient discharges.
    pub fn average_length_of_stay(&self) -> Option<f64> {
        crate::rates::average_length_of_stay(self.total_length_of_stay, self.discharges)
    }

    /// Gross death rate (%) of the inpatient discharges.
    pub fn gross_death_rate(&self) -> Option<f64> {
        crate::rates::gross_death_rate(self.deaths, self.discharges)
    }
}

/// Physician index: encounters and outcomes per attending. LOS uses UTC days (use the
/// aggregator for facility-zone census statistics).
#[derive(Debug, Clone, Default)]
pub struct PhysicianIndex {
    by: BTreeMap<String, (PhysicianSummary, BTreeSet<String>)>,
}

impl PhysicianIndex {
    /// An empty index.
    pub fn new() -> PhysicianIndex {
        PhysicianIndex::default()
    }

    /// Adds a stay (stays without an attending are listed under `(unknown)`).
    pub fn add(&mut self, stay: &Stay) {
        let name = stay
            .attending
            .clone()
            .unwrap_or_else(|| crate::aggregate::UNKNOWN_GROUP.to_string());
        let (s, patients) = self.by.entry(name.clone()).or_default();
        s.attending = name;
        s.encounters += 1;
        patients.insert(stay.patient_id.clone());
        if stay.class == EncounterClass::Inpatient
            && let Some(d) = stay.discharged
        {
            s.discharges += 1;
            let days =
                d.as_second().div_euclid(86_400) - stay.admitted.as_second().div_euclid(86_400);
            s.total_length_of_stay += days.max(1) as u64;
            if stay.died() {
                s.deaths += 1;
            }
            if stay.consultation {
                s.consultations += 1;
            }
            if stay.hospital_acquired_infections > 0 {
                s.infections += 1;
            }
        }
    }

    /// One summary per attending, by name.
    pub fn summaries(&self) -> Vec<PhysicianSummary> {
        self.by
            .values()
            .map(|(s, p)| PhysicianSummary {
                patients: p.len() as u64,
                ..s.clone()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::stay::{Disposition, StayDiagnosis, StayProcedure};

    fn stay(id: &str, patient: &str, dx: &[&str], px: &[&str]) -> Stay {
        let mut s = Stay::new(
            patient,
            id,
            EncounterClass::Inpatient,
            "2024-03-01T10:00:00Z".parse().unwrap(),
            Some("2024-03-04T10:00:00Z".parse().unwrap()),
        );
        s.attending = Some("Dr A".into());
        s.diagnoses = dx
            .iter()
            .enumerate()
            .map(|(i, c)| StayDiagnosis {
                code: c.to_string(),
                principal: i == 0,
                present_on_admission: None,
                admitting: false,
            })
            .collect();
        s.procedures = px
            .iter()
            .map(|c| StayProcedure {
                code: c.to_string(),
                performed: None,
                performer: None,
            })
            .collect();
        s
    }

    #[test]
    fn queries() {
        assert!(CodeQuery::parse("I50").unwrap().matches("I50.9"));
        let r = CodeQuery::parse("I20-I25").unwrap();
        assert!(
            r.matches("I25.10") && r.matches("I20.0") && !r.matches("I26.99") && !r.matches("I19")
        );
        assert!(CodeQuery::parse("E11.9").unwrap().matches("e119"));
        assert_eq!(CodeQuery::parse("I30-I20"), None);
        assert!(CodeQuery::parse("ccsr:CIR019").unwrap().matches("I50.9"));
    }

    #[test]
    fn indexes() {
        let a = stay("e1", "p1", &["I50.9", "E11.9"], &["02HV33Z"]);
        let b = stay("e2", "p2", &["E11.65"], &[]);
        let mut c = stay("e3", "p1", &["I50.23"], &["02HV33Z", "5A1955Z"]);
        c.disposition = Disposition::Died;
        let mut dis = DiseaseIndex::new(CodeQuery::parse("I50").unwrap());
        let mut ops = OperationIndex::new(CodeQuery::parse("02H").unwrap());
        let mut phys = PhysicianIndex::new();
        for s in [&a, &b, &c] {
            dis.add(s);
            ops.add(s);
            phys.add(s);
        }
        assert_eq!(dis.entries().len(), 2);
        assert_eq!(dis.patients(), 1);
        assert_eq!(ops.entries().len(), 2);
        let p = &phys.summaries()[0];
        assert_eq!(
            (p.encounters, p.discharges, p.deaths, p.patients),
            (3, 3, 1, 2)
        );
        assert_eq!(p.average_length_of_stay(), Some(3.0));
    }
}
