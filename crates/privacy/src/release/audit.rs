//! Disclosures as FHIR `AuditEvent`s, and a patient's accounting of disclosures
//! (45 CFR 164.528).
//!
//! | disclosure fact (164.528(b)(2)) | `AuditEvent` element |
//! |---|---|
//! | a disclosure | `type` = DCM `110106` (Export) [verify], `action` `R` |
//! | date | `recorded` |
//! | recipient name | `agent[0].who.display` (`who.reference` when known), `agent[0].type` v3 ParticipationType `IRCP`, `requestor` true, requester kind in `agent[0].role[0].text` |
//! | recipient address | `agent[0].location.display` |
//! | the patient | `entity[0].what` = `Patient/ID`, `type` `1` (person), `role` `1` (patient) |
//! | what was disclosed | `entity[1].description` (resource types and counts, dates), `entity[1].detail` |
//! | purpose | `purposeOfEvent` (v3 ActReason code, and the purpose name as text) |
//! | decision, basis, accounted | `entity[1].detail[]` `decision`, `basis`, `accounting-required` |
//! | refused | `outcome` `4`, `outcomeDesc` the reason |
//!
//! The accounting lists, for one patient, the disclosures of the six years before the day it is
//! asked for (164.528(a)(1)) that had to be accounted: it leaves out the exempt kinds
//! (164.528(a)(1)(i)–(ix): treatment, payment and operations, to the individual, incident to a
//! permitted use, with an authorization, facility directory and persons involved, national
//! security, correctional institutions, limited data sets), which the engine marks
//! `accounting-required` = `false`, and refusals (nothing was disclosed).

use super::dates::day_bounds;
use super::disclose::Release;
use super::request::ReleaseRequest;
use super::vocab::{ACT_REASON_SYSTEM, DecisionKind};
use jiff::Timestamp;
use jiff::civil::Date;
use serde::Serialize;
use serde_json::{Value, json};
use std::collections::BTreeMap;

/// The DICOM code system of `AuditEvent.type`.
pub const DCM_SYSTEM: &str = "http://dicom.nema.org/resources/ontology/DCM";
/// DCM `110106` Export: data leaving the organization.
pub const DCM_EXPORT: &str = "110106";

/// Builds the `AuditEvent` of a release (granted or refused). `observer` names the system
/// or facility that made the disclosure (`AuditEvent.source.observer.display`).
pub fn disclosure_event(
    request: &ReleaseRequest,
    release: &Release,
    recorded: Timestamp,
    observer: &str,
) -> Value {
    let d = &release.decision;
    let mut recipient = json!({
        "type": {"coding": [{
            "system": "http://terminology.hl7.org/CodeSystem/v3-ParticipationType",
            "code": "IRCP",
            "display": "information recipient"
        }]},
        "role": [{"text": request.requester.as_str()}],
        "requestor": true,
    });
    let mut who = serde_json::Map::new();
    if let Some(r) = &request.recipient.reference {
        who.insert("reference".into(), json!(r));
    }
    who.insert(
        "display".into(),
        json!(
            request
                .recipient
                .name
                .clone()
                .unwrap_or_else(|| format!("({} not named)", request.requester))
        ),
    );
    recipient["who"] = Value::Object(who);
    if let Some(addr) = &request.recipient.address {
        recipient["location"] = json!({"display": addr});
    }

    let mut purpose = json!({"text": request.purpose.as_str()});
    if let Some(code) = request.purpose.primary_act_reason() {
        purpose["coding"] = json!([{"system": ACT_REASON_SYSTEM, "code": code}]);
    }

    let mut by_type: BTreeMap<&str, usize> = BTreeMap::new();
    for k in &release.released {
        *by_type.entry(k.resource_type.as_str()).or_default() += 1;
    }
    let mut description = if by_type.is_empty() {
        "nothing released".to_string()
    } else {
        by_type
            .iter()
            .map(|(t, n)| format!("{t} ({n})"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let range = &request.date_range;
    if range.from.is_some() || range.to.is_some() {
        description.push_str(&format!(
            "; dates of service {} to {}",
            range
                .from
                .map(|d| d.to_string())
                .unwrap_or_else(|| "…".into()),
            range
                .to
                .map(|d| d.to_string())
                .unwrap_or_else(|| "…".into())
        ));
    }
    match d.decision {
        DecisionKind::LimitedDataSet => description.push_str("; as a limited data set"),
        DecisionKind::DeIdentified => description.push_str("; de-identified"),
        _ => {}
    }
    if !release.withheld.is_empty() {
        description.push_str(&format!(
            "; {} record(s) withheld under special protections",
            release.withheld.len()
        ));
    }
    let mut details = vec![
        json!({"type": "decision", "valueString": d.decision.as_str()}),
        json!({"type": "basis", "valueString": d.basis.citation()}),
        json!({"type": "accounting-required", "valueString": d.accounting_required.to_string()}),
        json!({"type": "resources-released", "valueString": release.resources_released().to_string()}),
        json!({"type": "requester", "valueString": request.requester.as_str()}),
    ];
    if let Some(w) = &request.waiver {
        details.push(json!({"type": "waiver", "valueString": w.to_string()}));
    }
    if let Some(id) = request.authorization.as_ref().and_then(|a| a.id.as_ref()) {
        details.push(json!({"type": "authorization", "valueString": format!("Consent/{id}")}));
    }
    let mut event = json!({
        "resourceType": "AuditEvent",
        "type": {"system": DCM_SYSTEM, "code": DCM_EXPORT, "display": "Export"},
        "action": "R",
        "recorded": recorded.to_string(),
        "outcome": if d.decision.releases() { "0" } else { "4" },
        "purposeOfEvent": [purpose],
        "agent": [recipient],
        "source": {
            "observer": {"display": observer},
            "type": [{
                "system": "http://terminology.hl7.org/CodeSystem/security-source-type",
                "code": "4",
                "display": "Application Server"
            }]
        },
        "entity": [
            {
                "what": {"reference": format!("Patient/{}", request.patient)},
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "1", "display": "Person"},
                "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "1", "display": "Patient"}
            },
            {
                "type": {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type", "code": "2", "display": "System Object"},
                "role": {"system": "http://terminology.hl7.org/CodeSystem/object-role", "code": "3", "display": "Report"},
                "name": "released records",
                "description": description,
                "detail": details
            }
        ]
    });
    if !d.decision.releases() {
        event["outcomeDesc"] = json!(d.reason);
    }
    event
}

/// One line of a patient's accounting of disclosures (45 CFR 164.528(b)(2)).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountingEntry {
    /// Date of the disclosure (`AuditEvent.recorded`).
    pub date: String,
    /// Who received it.
    pub recipient: String,
    /// Their address, if known.
    pub address: Option<String>,
    /// What was disclosed.
    pub description: String,
    /// Why: the purpose.
    pub purpose: String,
    /// The rule it was made under.
    pub basis: String,
    /// The log sequence number of the record.
    pub seq: u64,
}

fn detail<'a>(event: &'a Value, name: &str) -> Option<&'a str> {
    event
        .get("entity")?
        .as_array()?
        .iter()
        .filter_map(|e| e.get("detail").and_then(Value::as_array))
        .flatten()
        .find(|d| d.get("type").and_then(Value::as_str) == Some(name))
        .and_then(|d| d.get("valueString").and_then(Value::as_str))
}

fn names_patient(event: &Value, patient: &str) -> bool {
    event
        .get("entity")
        .and_then(Value::as_array)
        .is_some_and(|es| {
            es.iter().any(|e| {
                e.get("role")
                    .and_then(|r| r.get("code"))
                    .and_then(Value::as_str)
                    == Some("1")
                    && e.get("what")
                        .and_then(|w| w.get("reference"))
                        .and_then(Value::as_str)
                        .is_some_and(|r| {
                            super::authorization::reference_names(r, "Patient", patient)
                        })
            })
        })
}

/// The patient's accounting of disclosures as of a day: the accounted disclosures of the six
/// years before it (45 CFR 164.528(a)(1), (a)(3)), oldest first. `records` are the log's
/// records (see [`crate::release::read_log`]).
pub fn accounting(
    records: &[super::log::LogRecord],
    patient: &str,
    as_of: Date,
) -> Vec<AccountingEntry> {
    let from = as_of
        .checked_sub(jiff::Span::new().years(6))
        .unwrap_or(Date::MIN);
    let mut out = Vec::new();
    for rec in records {
        let e = &rec.entry;
        if e.get("resourceType").and_then(Value::as_str) != Some("AuditEvent")
            || e.get("type")
                .and_then(|t| t.get("code"))
                .and_then(Value::as_str)
                != Some(DCM_EXPORT)
            || e.get("outcome").and_then(Value::as_str) != Some("0")
            || detail(e, "accounting-required") != Some("true")
            || !names_patient(e, patient)
        {
            continue;
        }
        let Some(recorded) = e.get("recorded").and_then(Value::as_str) else {
            continue;
        };
        let Some(day) = day_bounds(recorded) else {
            continue;
        };
        if day.earliest < from || day.earliest > as_of {
            continue;
        }
        let agent = e
            .get("agent")
            .and_then(Value::as_array)
            .and_then(|a| a.first());
        out.push(AccountingEntry {
            date: day.earliest.to_string(),
            recipient: agent
                .and_then(|a| a.get("who"))
                .and_then(|w| w.get("display"))
                .and_then(Value::as_str)
                .unwrap_or("(unknown)")
                .to_string(),
            address: agent
                .and_then(|a| a.get("location"))
                .and_then(|l| l.get("display"))
                .and_then(Value::as_str)
                .map(str::to_string),
            description: e
                .get("entity")
                .and_then(Value::as_array)
                .and_then(|es| es.iter().find_map(|x| x.get("description")))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            purpose: e
                .get("purposeOfEvent")
                .and_then(Value::as_array)
                .and_then(|p| p.first())
                .and_then(|p| p.get("text"))
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            basis: detail(e, "basis").unwrap_or("").to_string(),
            seq: rec.seq,
        });
    }
    out.sort_by(|a, b| a.date.cmp(&b.date).then(a.seq.cmp(&b.seq)));
    out
}
