//! A population as `medrec-stats` [`Stay`]s, the way an ADT / billing feed hands them over
//! (feature `stats`): no FHIR round trip, so millions of stays are cheap to produce.
//!
//! The mapping: encounter class (inpatient, observation, emergency, else outpatient), the
//! facility's and units' configuration ids, admission and discharge instants, the unit history
//! with its instants, admit source and disposition codes (a death sets disposition `exp` and the
//! autopsy flag), delivery (cesarean or vaginal, time, live births and stillbirths),
//! hospital-acquired infection, consultation, total charges, the diagnoses (principal flag and
//! POA indicator) and ICD-10-PCS procedures with their start. Facilities and units are named by
//! their configuration ids (the FHIR export names them by their `Organization` / `Location`
//! names).

use crate::plan::{EncounterClass as SynthClass, GeneratedPatient, Population};
use jiff::Timestamp;
use medrec_stats::{
    AdmitSource, Delivery, Disposition, EncounterClass, Stay, StayDiagnosis, StayProcedure,
    UnitStay,
};

fn ts(s: i64) -> Timestamp {
    Timestamp::from_second(s).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The stays of one generated patient, one per encounter, in encounter order.
pub fn stays_of(pop: &Population, p: &GeneratedPatient) -> Vec<Stay> {
    p.encounters
        .iter()
        .map(|e| {
            let class = match e.class {
                SynthClass::Inpatient => EncounterClass::Inpatient,
                SynthClass::Observation => EncounterClass::Observation,
                SynthClass::Emergency => EncounterClass::Emergency,
                SynthClass::Outpatient => EncounterClass::Outpatient,
            };
            let mut s = Stay::new(&p.id, &e.id, class, ts(e.start), Some(ts(e.end)));
            s.facility = pop.facilities()[e.facility].id.clone();
            s.units = e
                .units
                .iter()
                .map(|u| UnitStay {
                    unit: pop.units()[u.unit].config.id.clone(),
                    from: ts(u.start),
                    to: Some(ts(u.end)),
                })
                .collect();
            s.admit_source = AdmitSource::from_code(e.admit_source);
            s.disposition = Disposition::from_code(e.disposition);
            if let Some(autopsy) = e.death {
                s.disposition = Disposition::Died;
                s.autopsy.performed = autopsy;
            }
            if let Some(d) = e.delivery {
                s.delivery = Some(if d.cesarean {
                    Delivery::Cesarean
                } else {
                    Delivery::Vaginal
                });
                s.delivered = Some(ts(d.time));
                s.live_births = d.live_births.into();
                s.stillbirths = d.stillbirths.into();
            }
            s.hospital_acquired_infections = u16::from(e.hospital_infection);
            s.consultation = e.consultant.is_some();
            s.charges_cents = Some(e.total_cents());
            s.diagnoses = e
                .diagnoses
                .iter()
                .map(|d| StayDiagnosis {
                    code: d.code.to_string(),
                    principal: d.principal,
                    present_on_admission: d.poa.and_then(|p| p.code().chars().next()),
                    admitting: false,
                })
                .collect();
            s.procedures = e
                .procedures
                .iter()
                .map(|p| StayProcedure {
                    code: p.code.to_string(),
                    performed: Some(ts(p.start)),
                    performer: None,
                })
                .collect();
            s
        })
        .collect()
}

/// Every patient's stays, one `Vec` per patient, generated as they are asked for (the population
/// is never held).
pub fn patient_stays(pop: &Population) -> impl Iterator<Item = Vec<Stay>> + '_ {
    pop.patients().map(move |p| stays_of(pop, &p))
}
