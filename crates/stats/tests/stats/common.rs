//! Shared test helpers: build stays from compact descriptions.

use jiff::Timestamp;
use medrec_stats::{
    AdmitSource, Disposition, EncounterClass, Stay, StayDiagnosis, StayProcedure, UnitStay,
};
use serde::Deserialize;

/// A stay as written in a case file.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CaseStay {
    pub patient: String,
    pub encounter: String,
    #[serde(default = "inpatient")]
    pub class: String,
    pub admitted: Timestamp,
    #[serde(default)]
    pub discharged: Option<Timestamp>,
    #[serde(default)]
    pub units: Vec<(String, Timestamp)>,
    #[serde(default)]
    pub admit_source: Option<String>,
    #[serde(default)]
    pub disposition: Option<String>,
    #[serde(default)]
    pub death_time: Option<Timestamp>,
    #[serde(default)]
    pub autopsy: bool,
    #[serde(default)]
    pub medical_examiner_case: bool,
    #[serde(default)]
    pub body_available: Option<bool>,
    #[serde(default)]
    pub consultation: bool,
    #[serde(default)]
    pub infections: u16,
    #[serde(default)]
    pub charges: Option<f64>,
    #[serde(default)]
    pub payer: Option<String>,
    #[serde(default)]
    pub facility: Option<String>,
    #[serde(default)]
    pub dx: Vec<String>,
    #[serde(default)]
    pub px: Vec<String>,
}

fn inpatient() -> String {
    "IMP".into()
}

impl CaseStay {
    pub fn to_stay(&self) -> Stay {
        let mut s = Stay::new(
            &self.patient,
            &self.encounter,
            EncounterClass::from_act_code(&self.class),
            self.admitted,
            self.discharged,
        );
        s.facility = self.facility.clone().unwrap_or_default();
        s.units = self
            .units
            .iter()
            .map(|(u, from)| UnitStay {
                unit: u.clone(),
                from: *from,
                to: None,
            })
            .collect();
        s.admit_source = self
            .admit_source
            .as_deref()
            .map_or(AdmitSource::Other, AdmitSource::from_code);
        s.disposition = self
            .disposition
            .as_deref()
            .map_or(Disposition::Other, Disposition::from_code);
        s.death_time = self.death_time;
        s.autopsy.performed = self.autopsy;
        s.autopsy.medical_examiner_case = self.medical_examiner_case;
        s.autopsy.body_available = self.body_available;
        s.consultation = self.consultation;
        s.hospital_acquired_infections = self.infections;
        s.charges_cents = self.charges.map(|c| (c * 100.0).round() as i64);
        s.payer = self.payer.clone();
        s.diagnoses = self
            .dx
            .iter()
            .enumerate()
            .map(|(i, c)| StayDiagnosis {
                code: c.clone(),
                principal: i == 0,
                present_on_admission: None,
                admitting: false,
            })
            .collect();
        s.procedures = self
            .px
            .iter()
            .map(|c| StayProcedure {
                code: c.clone(),
                performed: None,
                performer: None,
            })
            .collect();
        s.derive_from_codes();
        s
    }
}

/// Groups stays by patient (in first-seen order) for `Aggregator::add_patient`.
pub fn by_patient(stays: &[Stay]) -> Vec<Vec<Stay>> {
    let mut order: Vec<String> = Vec::new();
    let mut map: std::collections::HashMap<String, Vec<Stay>> = Default::default();
    for s in stays {
        if !map.contains_key(&s.patient_id) {
            order.push(s.patient_id.clone());
        }
        map.entry(s.patient_id.clone()).or_default().push(s.clone());
    }
    order.into_iter().map(|p| map.remove(&p).unwrap()).collect()
}
