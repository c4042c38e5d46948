//! Release of information: the scenario table (`data/release/cases.toml`), the accounting of
//! disclosures, proptests of the release invariants, and the disclosure-log crash test.

use jiff::civil::{Date, date};
use medrec_privacy::release::{
    Authorization, DateRange, DeidTransform, DisclosureLog, Purpose, Recipient, ReleasePolicy,
    ReleaseRequest, Requester, Waiver, accounting, disclosure_event, read_log,
};
use serde::Deserialize;
use serde_json::{Value, json};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

fn data(name: &str) -> PathBuf {
    PathBuf::from(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/privacy/data/release/"
    ))
    .join(name)
}

fn today() -> Date {
    jiff::tz::Offset::UTC
        .to_datetime(jiff::Timestamp::now())
        .date()
}

fn read_json(name: &str) -> Value {
    serde_json::from_slice(&std::fs::read(data(name)).unwrap()).unwrap()
}

/// A stand-in for the de-identification engine: marks the bundle with the transform applied
/// and strips the Patient's direct identifiers, so the tests can see the step ran.
struct MarkingDeidentifier;

impl MarkingDeidentifier {
    fn mark(mut bundle: Value, tag: &str) -> Value {
        if let Some(entries) = bundle["entry"].as_array_mut() {
            for e in entries {
                if e["resource"]["resourceType"] == "Patient" {
                    if let Value::Object(m) = &mut e["resource"] {
                        for k in ["name", "telecom", "identifier"] {
                            m.remove(k);
                        }
                    }
                }
            }
        }
        bundle["meta"] = json!({"tag": [{"code": tag}]});
        bundle
    }
}

impl DeidTransform for MarkingDeidentifier {
    fn limited_data_set(&self, bundle: Value) -> Result<Value, String> {
        Ok(Self::mark(bundle, "limited-data-set"))
    }
    fn safe_harbor(&self, bundle: Value) -> Result<Value, String> {
        Ok(Self::mark(bundle, "safe-harbor"))
    }
}

#[derive(Deserialize)]
struct CaseFile {
    case: Vec<Case>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    rule: String,
    requester: Requester,
    purpose: Purpose,
    #[serde(default = "default_patient")]
    patient: String,
    on: Option<Date>,
    recipient: Option<String>,
    authorization: Option<String>,
    authorization_patch: Option<String>,
    waiver: Option<String>,
    #[serde(default)]
    data_use_agreement: bool,
    #[serde(default)]
    satisfactory_assurance: bool,
    #[serde(default)]
    record_types: Vec<String>,
    date_from: Option<Date>,
    date_to: Option<Date>,
    policy: Option<String>,
    expect: Expect,
}

fn default_patient() -> String {
    "p1".into()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    decision: String,
    basis: String,
    accounting_required: Option<bool>,
    released: Option<Vec<String>>,
    withheld: Option<Vec<String>>,
    #[serde(default)]
    present: Vec<String>,
    #[serde(default)]
    absent: Vec<String>,
    #[serde(default)]
    problems: Vec<String>,
    transformed: Option<String>,
    reason_contains: Option<String>,
}

/// RFC 7396 JSON merge patch.
fn merge_patch(target: &mut Value, patch: &Value) {
    match patch {
        Value::Object(p) => {
            if !target.is_object() {
                *target = json!({});
            }
            let t = target.as_object_mut().unwrap();
            for (k, v) in p {
                if v.is_null() {
                    t.remove(k);
                } else {
                    merge_patch(t.entry(k.clone()).or_insert(Value::Null), v);
                }
            }
        }
        other => *target = other.clone(),
    }
}

fn request_of(case: &Case, consents: &Value) -> ReleaseRequest {
    let mut req = ReleaseRequest::new(
        case.requester,
        case.purpose,
        case.patient.clone(),
        case.on.unwrap_or(date(2025, 6, 1)),
    )
    .with_recipient(Recipient {
        name: case.recipient.clone(),
        address: Some("1 Main St, Springfield".into()),
        reference: None,
    })
    .with_record_types(case.record_types.clone())
    .with_date_range(DateRange {
        from: case.date_from,
        to: case.date_to,
    })
    .with_data_use_agreement(case.data_use_agreement)
    .with_satisfactory_assurance(case.satisfactory_assurance);
    if let Some(name) = &case.authorization {
        let mut consent = consents[name.as_str()].clone();
        assert!(consent.is_object(), "{}: no consent {name}", case.name);
        if let Some(patch) = &case.authorization_patch {
            merge_patch(&mut consent, &serde_json::from_str(patch).unwrap());
        }
        req = req.with_authorization(Authorization::from_consent_json(&consent).unwrap());
    }
    if let Some(w) = &case.waiver {
        req = req.with_waiver(w.parse::<Waiver>().unwrap());
    }
    req
}

fn released_resource<'a>(bundle: &'a Value, id: &str) -> Option<&'a Value> {
    bundle["entry"]
        .as_array()?
        .iter()
        .map(|e| &e["resource"])
        .find(|r| r["id"] == id)
}

#[test]
fn release_scenarios() {
    let file: CaseFile =
        toml::from_str(&std::fs::read_to_string(data("cases.toml")).unwrap()).unwrap();
    assert!(file.case.len() >= 40, "only {} scenarios", file.case.len());
    let record = read_json("record.json");
    let consents = read_json("consents.json");
    let dir = tempfile::tempdir().unwrap();
    let mut failures = Vec::new();
    let mut names = BTreeSet::new();
    for case in &file.case {
        assert!(
            names.insert(case.name.clone()),
            "duplicate case {}",
            case.name
        );
        assert!(
            case.rule.contains("CFR"),
            "{}: every case cites its rule",
            case.name
        );
        let policy = match &case.policy {
            Some(p) => {
                ReleasePolicy::from_toml(&std::fs::read_to_string(data(p)).unwrap()).unwrap()
            }
            None => ReleasePolicy::default(),
        };
        let req = request_of(case, &consents);
        let release = policy
            .release(&req, std::slice::from_ref(&record), &MarkingDeidentifier)
            .unwrap();
        let d = &release.decision;
        let e = &case.expect;
        let mut problems = Vec::new();
        if d.decision.as_str() != e.decision {
            problems.push(format!("decision {} (expected {})", d.decision, e.decision));
        }
        if d.basis.citation() != e.basis {
            problems.push(format!("basis {} (expected {})", d.basis, e.basis));
        }
        if let Some(a) = e.accounting_required {
            if d.accounting_required != a {
                problems.push(format!("accounting_required {}", d.accounting_required));
            }
        }
        let mut released: Vec<String> = release.released.iter().map(|k| k.id.clone()).collect();
        released.sort();
        if let Some(want) = &e.released {
            let mut want = want.clone();
            want.sort();
            if released != want {
                problems.push(format!("released {released:?}\n      expected {want:?}"));
            }
        }
        // Never another patient's records.
        for other in ["p2", "cond-p2"] {
            if released.iter().any(|r| r == other) {
                problems.push(format!("released {other}, another patient's"));
            }
        }
        if let Some(want) = &e.withheld {
            let mut got: Vec<String> = release
                .withheld
                .iter()
                .map(|w| {
                    let p = serde_json::to_value(&w.protection).unwrap();
                    let name = p["category"]
                        .as_str()
                        .or(p["protection"].as_str())
                        .unwrap()
                        .to_string();
                    format!("{}:{name}", w.resource.id)
                })
                .collect();
            got.sort();
            let mut want = want.clone();
            want.sort();
            if got != want {
                problems.push(format!("withheld {got:?}\n      expected {want:?}"));
            }
        }
        let got_problems: Vec<String> = d
            .authorization_problems
            .iter()
            .map(|p| {
                serde_json::to_value(p).unwrap()["problem"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .collect();
        for p in &e.problems {
            if !got_problems.contains(p) {
                problems.push(format!(
                    "authorization problem {p} not reported ({got_problems:?})"
                ));
            }
        }
        if let Some(s) = &e.reason_contains {
            if !d.reason.contains(s.as_str()) {
                problems.push(format!("reason {:?} lacks {s:?}", d.reason));
            }
        }
        match (&release.bundle, d.decision.releases()) {
            (None, false) => {
                if !release.released.is_empty() {
                    problems.push("a refusal lists released resources".into());
                }
            }
            (Some(bundle), true) => {
                let n = bundle["entry"].as_array().map_or(0, Vec::len);
                if n != release.resources_released() {
                    problems.push(format!(
                        "bundle has {n} entries, count says {}",
                        release.resources_released()
                    ));
                }
                let tag = bundle["meta"]["tag"][0]["code"].as_str();
                if tag != e.transformed.as_deref() {
                    problems.push(format!("transform {tag:?} (expected {:?})", e.transformed));
                }
                for (list, want_present) in [(&e.present, true), (&e.absent, false)] {
                    for path in list {
                        let (id, element) = path.split_once('.').unwrap();
                        match released_resource(bundle, id) {
                            Some(r) => {
                                if r.get(element).is_some() != want_present {
                                    problems.push(format!(
                                        "{path} is {}",
                                        if want_present { "missing" } else { "present" }
                                    ));
                                }
                            }
                            None => {
                                problems.push(format!("{id} not released, cannot check {path}"))
                            }
                        }
                    }
                }
            }
            (b, _) => problems.push(format!(
                "bundle {:?} for decision {}",
                b.is_some(),
                d.decision
            )),
        }
        // Every decision is logged as an AuditEvent that names the patient and the outcome.
        let mut log =
            DisclosureLog::open(dir.path().join(format!("{}.ndjson", case.name))).unwrap();
        let event = disclosure_event(&req, &release, jiff::Timestamp::now(), "medrec test");
        let rec = log.append(&event).unwrap();
        assert_eq!(
            rec.entry["outcome"],
            if d.decision.releases() { "0" } else { "4" }
        );
        assert_eq!(rec.entry["type"]["code"], "110106");
        assert_eq!(
            rec.entry["entity"][0]["what"]["reference"],
            format!("Patient/{}", case.patient)
        );
        let acc = accounting(
            &read_log(log.path()).unwrap().records,
            &case.patient,
            req.on.tomorrow().unwrap().max(today()),
        );
        let accounted = d.accounting_required && d.decision.releases();
        if acc.len() != usize::from(accounted) {
            problems.push(format!(
                "accounting lists {} entries (expected {})",
                acc.len(),
                usize::from(accounted)
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "{} [{}]:\n    {}",
                case.name,
                case.rule,
                problems.join("\n    ")
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} scenario(s) failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn disclosure(
    patient: &str,
    requester: Requester,
    purpose: Purpose,
    recipient: &str,
    extra: impl FnOnce(ReleaseRequest) -> ReleaseRequest,
) -> (ReleaseRequest, medrec_privacy::release::Release) {
    let record = read_json("record.json");
    let req = extra(
        ReleaseRequest::new(requester, purpose, patient, date(2025, 6, 1)).with_recipient(
            Recipient {
                name: Some(recipient.into()),
                address: Some(format!("{recipient} HQ, 1 Main St")),
                reference: None,
            },
        ),
    );
    let release = ReleasePolicy::default()
        .release(&req, std::slice::from_ref(&record), &MarkingDeidentifier)
        .unwrap();
    (req, release)
}

#[test]
fn accounting_covers_six_years_and_skips_exempt_disclosures() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disclosures.ndjson");
    let mut log = DisclosureLog::open(&path).unwrap();
    let at = |d: &str| format!("{d}T12:00:00Z").parse::<jiff::Timestamp>().unwrap();
    // Accountable: public health (2019, too old for an accounting in 2025-06), health oversight
    // (2020-01), law enforcement (2024).
    let cases: Vec<(&str, Requester, Purpose, &str)> = vec![
        (
            "2019-05-31",
            Requester::PublicHealthAuthority,
            Purpose::PublicHealth,
            "State DPH",
        ),
        (
            "2020-01-15",
            Requester::HealthOversightAgency,
            Purpose::HealthOversight,
            "OIG",
        ),
        (
            "2024-03-01",
            Requester::LawEnforcement,
            Purpose::LawEnforcement,
            "Springfield PD",
        ),
        // Exempt: treatment, payment, to the patient, refused.
        (
            "2024-04-01",
            Requester::Provider,
            Purpose::Treatment,
            "Dr. Who",
        ),
        (
            "2024-04-02",
            Requester::Payer,
            Purpose::Payment,
            "Acme Health Plan",
        ),
        (
            "2024-04-03",
            Requester::Patient,
            Purpose::PatientAccess,
            "Ana Rivera",
        ),
        (
            "2024-04-04",
            Requester::Employer,
            Purpose::Other,
            "Widget Corp",
        ),
    ];
    for (day, requester, purpose, recipient) in &cases {
        let (req, release) = disclosure("p1", *requester, *purpose, recipient, |r| r);
        log.append(&disclosure_event(&req, &release, at(day), "medrec test"))
            .unwrap();
    }
    // Another patient's accountable disclosure.
    let (req, release) = disclosure(
        "p2",
        Requester::PublicHealthAuthority,
        Purpose::PublicHealth,
        "State DPH",
        |r| r,
    );
    assert!(release.resources_released() > 0);
    log.append(&disclosure_event(
        &req,
        &release,
        at("2024-05-01"),
        "medrec test",
    ))
    .unwrap();
    // Research under a waiver: accountable; as a limited data set: exempt.
    let (req, release) = disclosure(
        "p1",
        Requester::Researcher,
        Purpose::Research,
        "Dr. Curie",
        |r| r.with_waiver("Mercy IRB,2025-01-15".parse().unwrap()),
    );
    log.append(&disclosure_event(
        &req,
        &release,
        at("2025-02-01"),
        "medrec test",
    ))
    .unwrap();
    let (req, release) = disclosure(
        "p1",
        Requester::Researcher,
        Purpose::Research,
        "Dr. Curie",
        |r| r.with_data_use_agreement(true),
    );
    log.append(&disclosure_event(
        &req,
        &release,
        at("2025-02-02"),
        "medrec test",
    ))
    .unwrap();
    drop(log);

    let records = read_log(&path).unwrap().records;
    assert_eq!(records.len(), 10);
    let acc = accounting(&records, "p1", date(2025, 6, 1));
    let got: Vec<(&str, &str, &str)> = acc
        .iter()
        .map(|a| (a.date.as_str(), a.recipient.as_str(), a.purpose.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("2020-01-15", "OIG", "health-oversight"),
            ("2024-03-01", "Springfield PD", "law-enforcement"),
            ("2025-02-01", "Dr. Curie", "research"),
        ]
    );
    let le = &acc[1];
    assert_eq!(le.address.as_deref(), Some("Springfield PD HQ, 1 Main St"));
    assert_eq!(le.basis, "45 CFR 164.512(f)");
    assert!(le.description.contains("Patient (1)"), "{}", le.description);
    // The 2019 disclosure is inside the window of an accounting asked for in early 2025.
    let early = accounting(&records, "p1", date(2025, 5, 30));
    assert_eq!(
        early.len(),
        4,
        "2019-05-31 is within six years of 2025-05-30"
    );
    assert_eq!(early[0].date, "2019-05-31");
    // The records are model AuditEvents.
    for r in &records {
        let e = r.audit_event().unwrap();
        assert_eq!(
            e.id.as_deref(),
            Some(format!("disclosure-{}", r.seq).as_str())
        );
    }
}

#[test]
fn consent_from_the_model_reads_like_the_json() {
    let consents = read_json("consents.json");
    for (name, c) in consents.as_object().unwrap() {
        let typed: medrec_model::Resource = serde_json::from_value(c.clone()).unwrap();
        let from_model = Authorization::from_resource(&typed).unwrap();
        let from_json = Authorization::from_consent_json(c).unwrap();
        assert_eq!(from_model, from_json, "{name}");
    }
}

mod invariants {
    use super::*;
    use proptest::prelude::*;

    /// The default policy's minimum-necessary tables, read independently from the TOML.
    fn default_tables() -> BTreeMap<String, BTreeMap<String, Vec<String>>> {
        let v: toml::Value =
            toml::from_str(medrec_privacy::release::policy::DEFAULT_POLICY_TOML).unwrap();
        let mut out = BTreeMap::new();
        for (purpose, table) in v["minimum_necessary"].as_table().unwrap() {
            let mut types = BTreeMap::new();
            for (ty, elems) in table.as_table().unwrap() {
                types.insert(
                    ty.clone(),
                    elems
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|e| e.as_str().unwrap().to_string())
                        .collect(),
                );
            }
            out.insert(purpose.clone(), types);
        }
        out
    }

    const TYPES: &[&str] = &[
        "Condition",
        "Observation",
        "Procedure",
        "Encounter",
        "DocumentReference",
        "Claim",
        "Immunization",
        "Coverage",
        "MedicationRequest",
        "CarePlan",
    ];
    const ELEMENTS: &[&str] = &[
        "code",
        "status",
        "note",
        "text",
        "valueString",
        "category",
        "extension",
        "identifier",
        "telecom",
        "performer",
    ];
    const LABELS: &[&str] = &[
        "HIV", "ETH", "PSYTHPN", "GDIS", "SEX", "SDV", "PSY", "R", "N",
    ];

    prop_compose! {
        fn resource(i: usize)(
            ty in prop::sample::select(TYPES),
            elements in prop::collection::btree_set(prop::sample::select(ELEMENTS), 0..5),
            label in prop::option::of(prop::sample::select(LABELS)),
            other_patient in prop::bool::weighted(0.2),
            year in 2015i16..2026,
        ) -> Value {
            let mut r = json!({
                "resourceType": ty,
                "id": format!("r{i}"),
                "subject": {"reference": if other_patient { "Patient/p2" } else { "Patient/p1" }},
                "effectiveDateTime": format!("{year}-06-15"),
            });
            for e in elements {
                r[e] = json!("x");
            }
            if let Some(l) = label {
                let system = if l == "R" || l == "N" {
                    "http://terminology.hl7.org/CodeSystem/v3-Confidentiality"
                } else {
                    "http://terminology.hl7.org/CodeSystem/v3-ActCode"
                };
                r["meta"] = json!({"security": [{"system": system, "code": l}]});
            }
            r
        }
    }

    fn record() -> impl Strategy<Value = Value> {
        (0usize..25).prop_flat_map(|n| {
            (0..n).map(resource).collect::<Vec<_>>().prop_map(|mut rs| {
                rs.push(json!({"resourceType": "Patient", "id": "p1", "name": [{"family": "A"}], "telecom": [{"value": "1"}], "gender": "female"}));
                rs.push(json!({"resourceType": "Patient", "id": "p2", "name": [{"family": "B"}]}));
                json!({"resourceType": "Bundle", "type": "collection",
                       "entry": rs.into_iter().map(|r| json!({"resource": r})).collect::<Vec<_>>()})
            })
        })
    }

    fn request() -> impl Strategy<Value = ReleaseRequest> {
        (
            prop::sample::select(Requester::ALL),
            prop::sample::select(Purpose::ALL),
            prop::bool::ANY,
            prop::bool::ANY,
            prop::option::of(prop::bool::ANY),
            prop::collection::btree_set(prop::sample::select(TYPES), 0..3),
            prop::option::of((2015i16..2026, 0i16..4)),
            prop::option::of(prop::sample::subsequence(vec!["HIV", "ETH", "PSYTHPN", "GDIS"], 0..4)),
        )
            .prop_map(|(requester, purpose, dua, assurance, waiver, types, range, auth)| {
                let mut r = ReleaseRequest::new(requester, purpose, "p1", date(2025, 6, 1))
                    .with_recipient(Recipient {
                        name: Some("Recipient".into()),
                        ..Recipient::default()
                    })
                    .with_data_use_agreement(dua)
                    .with_satisfactory_assurance(assurance)
                    .with_record_types(types.into_iter().map(String::from));
                if let Some(later) = waiver {
                    r = r.with_waiver(Waiver {
                        approved_by: "IRB".into(),
                        approved_on: if later { date(2025, 7, 1) } else { date(2025, 1, 1) },
                    });
                }
                if let Some((y, span)) = range {
                    r = r.with_date_range(DateRange {
                        from: Some(date(y, 1, 1)),
                        to: Some(date(y + span, 12, 31)),
                    });
                }
                if let Some(labels) = auth {
                    let consent = json!({
                        "resourceType": "Consent", "status": "active",
                        "scope": {"coding": [{"code": "patient-privacy"}]},
                        "patient": {"reference": "Patient/p1"}, "dateTime": "2025-01-01",
                        "provision": {
                            "type": "permit", "period": {"end": "2026-01-01"},
                            "actor": [{"reference": {"display": "Recipient"}}],
                            "purpose": [{"code": purpose.primary_act_reason().unwrap_or("PATRQT")}],
                            "class": [{"code": "Patient"}, {"code": "Condition"}, {"code": "Observation"}],
                            "securityLabel": labels.iter().map(|l| json!({"code": l})).collect::<Vec<_>>()
                        }
                    });
                    r = r.with_authorization(Authorization::from_consent_json(&consent).unwrap());
                }
                r
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 300, ..ProptestConfig::default() })]

        /// The log reader never panics, and accounts for every byte: valid prefix + torn tail.
        #[test]
        fn log_reader_accounts_for_every_byte(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
            if let Ok(c) = medrec_privacy::release::parse_log(&bytes) {
                prop_assert_eq!(c.valid_len + c.torn_tail_bytes, bytes.len() as u64);
            }
        }

        /// Any prefix of a valid log (a crash at any byte) reads as a prefix of its records.
        #[test]
        fn every_prefix_of_a_log_is_a_prefix_of_its_records(n in 1usize..6, cut_frac in 0.0f64..1.0) {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("log");
            let mut log = DisclosureLog::open(&path).unwrap();
            for i in 0..n {
                log.append(&json!({"resourceType": "AuditEvent", "outcomeDesc": "x".repeat(i * 37)})).unwrap();
            }
            let bytes = std::fs::read(&path).unwrap();
            let full = medrec_privacy::release::parse_log(&bytes).unwrap();
            let cut = (bytes.len() as f64 * cut_frac) as usize;
            let part = medrec_privacy::release::parse_log(&bytes[..cut]).unwrap();
            prop_assert!(part.records.len() <= full.records.len());
            prop_assert_eq!(&part.records[..], &full.records[..part.records.len()]);
            prop_assert_eq!(part.valid_len + part.torn_tail_bytes, cut as u64);
        }

        /// A released bundle never contains a resource type or element the policy excludes, a
        /// resource of another patient, or an unauthorized labelled record; a refusal releases
        /// nothing and is still logged.
        #[test]
        fn releases_stay_inside_the_policy(record in record(), req in request()) {
            let tables = default_tables();
            let release = ReleasePolicy::default()
                .release(&req, std::slice::from_ref(&record), &MarkingDeidentifier)
                .unwrap();
            let d = &release.decision;
            if !d.decision.releases() {
                prop_assert!(release.bundle.is_none());
                prop_assert!(release.released.is_empty());
            }
            if let Some(bundle) = &release.bundle {
                let entries = bundle["entry"].as_array().unwrap();
                prop_assert_eq!(entries.len(), release.released.len());
                for e in entries {
                    let r = &e["resource"];
                    let ty = r["resourceType"].as_str().unwrap();
                    prop_assert!(r["id"] != "p2");
                    prop_assert!(r["subject"]["reference"] != "Patient/p2");
                    if !req.record_types.is_empty() {
                        prop_assert!(req.record_types.iter().any(|t| t == ty), "{} not asked", ty);
                    }
                    if let Some(scope) = &d.authorization_scope {
                        prop_assert!(scope.covers_type(ty));
                    }
                    if d.minimum_necessary {
                        let table = &tables[req.purpose.as_str()];
                        let allowed = table.get(ty).or(table.get("*"));
                        prop_assert!(allowed.is_some(), "{} released for {}", ty, req.purpose);
                        let allowed = allowed.unwrap();
                        if !allowed.iter().any(|a| a == "*") {
                            for (k, _) in r.as_object().unwrap() {
                                prop_assert!(
                                    ["resourceType", "id", "meta"].contains(&k.as_str()) || allowed.contains(k),
                                    "{}.{} released for {}", ty, k, req.purpose
                                );
                            }
                        }
                    }
                    let label = r["meta"]["security"][0]["code"].as_str();
                    let named = |l: &str| d.authorization_scope.as_ref().is_some_and(|s| s.names_label(&[l]));
                    let to_patient = matches!(req.requester, Requester::Patient | Requester::PersonalRepresentative);
                    match label {
                        Some("PSYTHPN") => prop_assert!(named("PSYTHPN") || req.purpose == Purpose::HealthOversight),
                        Some("ETH") => prop_assert!(named("ETH") || to_patient || req.purpose == Purpose::HealthOversight
                            || d.decision == medrec_privacy::release::DecisionKind::DeIdentified),
                        Some(l @ ("HIV" | "GDIS" | "SEX" | "SDV" | "R")) => prop_assert!(named(l) || to_patient),
                        _ => {}
                    }
                    if let (Some(from), Some(day)) = (req.date_range.from, r["effectiveDateTime"].as_str()) {
                        let day: Date = day.parse().unwrap();
                        prop_assert!(day >= from && day <= req.date_range.to.unwrap());
                    }
                }
            }
            // Logged either way; a refusal shows as outcome 4 and never in the accounting.
            let dir = tempfile::tempdir().unwrap();
            let mut log = DisclosureLog::open(dir.path().join("log")).unwrap();
            log.append(&disclosure_event(&req, &release, jiff::Timestamp::now(), "t")).unwrap();
            let records = read_log(log.path()).unwrap().records;
            prop_assert_eq!(records.len(), 1);
            prop_assert_eq!(records[0].entry["outcome"].as_str(), Some(if d.decision.releases() { "0" } else { "4" }));
            let acc = accounting(&records, "p1", today());
            prop_assert_eq!(acc.len(), usize::from(d.decision.releases() && d.accounting_required));
        }
    }
}

/// The child side of the crash test: appends forever when `MEDREC_RELEASE_CRASH_LOG` is set
/// (it is killed by the parent), and does nothing otherwise.
#[test]
fn crash_child_appender() {
    let Some(path) = std::env::var_os("MEDREC_RELEASE_CRASH_LOG") else {
        return;
    };
    let mut log = DisclosureLog::open(&path).unwrap();
    let mut n = 0u64;
    loop {
        // Entries of varying size (up to ~256 KB): Linux can stop a large regular-file write
        // between pages when a fatal signal is pending, leaving a torn tail.
        let filler = "x".repeat(((n * 7_919) % 256_000) as usize);
        let event = json!({"resourceType": "AuditEvent", "recorded": "2025-01-01T00:00:00Z",
                           "outcomeDesc": filler});
        let rec = log.append(&event).unwrap();
        println!("APPENDED {} {}", rec.seq, rec.hash);
        n += 1;
    }
}

#[test]
fn disclosure_log_survives_kill_mid_append() {
    use std::io::BufRead;
    use std::process::{Command, Stdio};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("disclosures.ndjson");
    let exe = std::env::current_exe().unwrap();
    let mut confirmed: BTreeMap<u64, String> = BTreeMap::new();
    let mut torn_seen = 0;
    for round in 0..8u64 {
        let mut child = Command::new(&exe)
            .args([
                "release::crash_child_appender",
                "--exact",
                "--nocapture",
                "--test-threads=1",
            ])
            .env("MEDREC_RELEASE_CRASH_LOG", &path)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = std::io::BufReader::new(stdout).lines();
        let wanted = 3 + 2 * round;
        let mut seen = 0;
        while seen < wanted {
            let Some(Ok(line)) = lines.next() else { break };
            if let Some(rest) = line.strip_prefix("APPENDED ") {
                let (seq, hash) = rest.split_once(' ').unwrap();
                confirmed.insert(seq.parse().unwrap(), hash.to_string());
                seen += 1;
            }
        }
        std::thread::sleep(std::time::Duration::from_micros(250 * round));
        child.kill().unwrap(); // SIGKILL on Unix
        // Lines printed before the kill (each printed after its fsync returned).
        for line in lines.map_while(Result::ok) {
            if let Some(rest) = line.strip_prefix("APPENDED ") {
                let (seq, hash) = rest.split_once(' ').unwrap();
                confirmed.insert(seq.parse().unwrap(), hash.to_string());
            }
        }
        child.wait().unwrap();
        assert!(seen > 0, "round {round}: the child appended nothing");

        // A reader sees a verified chain holding every confirmed entry, whatever the tail.
        let contents = read_log(&path).unwrap();
        if contents.torn_tail_bytes > 0 {
            torn_seen += 1;
        }
        for (seq, hash) in &confirmed {
            let rec = &contents.records[(*seq - 1) as usize];
            assert_eq!((&rec.seq, &rec.hash), (seq, hash), "round {round}");
        }
        // A writer truncates the torn tail and continues the chain.
        let mut log = DisclosureLog::open(&path).unwrap();
        assert_eq!(log.recovered_bytes(), contents.torn_tail_bytes);
        let next = log
            .append(&json!({"resourceType": "AuditEvent", "recorded": "2025-01-02T00:00:00Z"}))
            .unwrap();
        assert_eq!(next.seq, contents.records.len() as u64 + 1);
        confirmed.insert(next.seq, next.hash);
        let after = read_log(&path).unwrap();
        assert_eq!(after.torn_tail_bytes, 0);
        assert_eq!(after.records.len(), contents.records.len() + 1);
    }
    eprintln!("crash test: {torn_seen} of 8 kills left a torn tail");
}

/// The limited-data-set and de-identified decisions run the crate's de-identification engine.
#[test]
fn de_identified_and_limited_releases_use_the_deid_engine() {
    let record = read_json("record.json");
    let policy = ReleasePolicy::default();
    let engine = medrec_privacy::release::DeidEngine::new(None);
    let base = ReleaseRequest::new(
        Requester::Researcher,
        Purpose::Research,
        "p1",
        date(2025, 6, 1),
    );
    let safe = policy
        .release(&base, std::slice::from_ref(&record), &engine)
        .unwrap();
    assert_eq!(safe.decision.decision.as_str(), "de-identified");
    let text = serde_json::to_string(safe.bundle.as_ref().unwrap()).unwrap();
    for phi in [
        "Rivera",
        "MRN-1001",
        "1970-04-02",
        "555-0100",
        "1 Elm St",
        "2024-02-10",
    ] {
        assert!(!text.contains(phi), "{phi} in a Safe Harbor release");
    }
    assert!(text.contains("Hypertension"), "clinical content kept");
    let lds = policy
        .release(
            &base.clone().with_data_use_agreement(true),
            std::slice::from_ref(&record),
            &engine,
        )
        .unwrap();
    assert_eq!(lds.decision.decision.as_str(), "limited-data-set");
    let text = serde_json::to_string(lds.bundle.as_ref().unwrap()).unwrap();
    for phi in ["Rivera", "MRN-1001", "555-0100", "1 Elm St"] {
        assert!(!text.contains(phi), "{phi} in a limited data set");
    }
    assert!(
        text.contains("2024-02-10"),
        "a limited data set keeps dates"
    );
}
