//! Worklist, summary, delinquency, re-review and user rules.

use crate::cases::{apply, base_bundle, record_of};
use medrec_completeness::{
    DelinquencyConfig, DelinquencyReport, EncounterReview, FnRule, ResponsibleRole, ReviewSummary,
    Reviewer, RuleInfo, RuleKind, RuleSet, Severity, Worklist,
};
use serde_json::json;

fn broken_review() -> medrec_completeness::RecordReview {
    let mut b = base_bundle("surgical-stay");
    apply(
        &mut b,
        &json!({"remove": ["DocumentReference/op1", "DocumentReference/ds1"],
                "patch": {"DocumentReference/hp1": {"authenticator": null},
                          "Encounter/e1": {"hospitalization": {"admitSource": null}}}}),
    );
    Reviewer::new().review(&record_of(&b))
}

#[test]
fn worklist_groups_by_practitioner_oldest_first() {
    let review = broken_review();
    let w = Worklist::build(review.deficiencies());
    let names: Vec<(Option<&str>, ResponsibleRole, usize)> = w
        .groups
        .iter()
        .map(|g| (g.practitioner.as_deref(), g.role, g.items.len()))
        .collect();
    assert_eq!(
        names,
        [
            (Some("Practitioner/dr-att"), ResponsibleRole::Attending, 2),
            (Some("Practitioner/dr-surg"), ResponsibleRole::Surgeon, 1),
            (None, ResponsibleRole::Registration, 1),
        ]
    );
    // Osler: the unsigned H&P and the discharge summary, both due 30 days after discharge;
    // Halsted: the operative report, due the day of surgery.
    let att = &w.groups[0];
    assert_eq!(att.practitioner_name.as_deref(), Some("William Osler"));
    let rules: Vec<&str> = att.items.iter().map(|d| d.rule.as_str()).collect();
    assert_eq!(rules, ["discharge-summary.missing", "document.unsigned"]);
    assert!(att.items.windows(2).all(|w| w[0].due <= w[1].due));
    assert_eq!(w.groups[1].items[0].rule, "operative-report.missing");
    assert_eq!(w.groups[1].items[0].due.unwrap().to_string(), "2025-03-04");
}

#[test]
fn worklist_orders_items_by_due_date_across_records() {
    let mut early = base_bundle("surgical-stay");
    apply(&mut early, &json!({"remove": ["DocumentReference/ds1"]}));
    let mut late = base_bundle("surgical-stay");
    apply(
        &mut late,
        &json!({"remove": ["DocumentReference/ds1"],
                "patch": {"Encounter/e1": {"id": "e2", "period": {"end": "2025-03-09T11:00:00-05:00"}},
                          "Patient/p1": {"id": "p2"}}}),
    );
    let r = Reviewer::new();
    let a = r.review(&record_of(&late));
    let b = r.review(&record_of(&early));
    let w = Worklist::build(a.deficiencies().chain(b.deficiencies()));
    assert_eq!(w.groups.len(), 1);
    let due: Vec<String> = w.groups[0]
        .items
        .iter()
        .map(|d| d.due.unwrap().to_string())
        .collect();
    assert_eq!(due, ["2025-04-06", "2025-04-08"]);
}

#[test]
fn summary_counts_by_rule_unit_and_severity() {
    let review = broken_review();
    let s = ReviewSummary::of(&review.encounters);
    assert_eq!(s.encounters, 1);
    assert_eq!(s.incomplete, 1);
    assert_eq!(s.deficiencies, 4);
    assert_eq!(s.by_rule["operative-report.missing"].deficiencies, 1);
    assert_eq!(s.by_unit["4 West Surgical"].deficiencies, 4);
    assert_eq!(s.by_severity["error"], 4);
}

fn stay(id: &str, discharged: &str, open: usize) -> EncounterReview {
    let date: jiff::civil::Date = discharged.parse().unwrap();
    let mut review = Reviewer::new().review(&record_of(&base_bundle("surgical-stay")));
    let mut e = review.encounters.remove(0);
    e.encounter = Some(id.to_string());
    e.discharged = Some(date);
    let template = broken_review().encounters.remove(0).deficiencies.remove(0);
    e.deficiencies = (0..open).map(|_| template.clone()).collect();
    e
}

#[test]
fn delinquency_rate_as_the_joint_commission_computes_it() {
    // 90 days before 2025-06-30: April, May, June discharges; 6 discharges → 2 a month.
    let reviews = vec![
        stay("a", "2025-04-05", 2), // 86 days: delinquent
        stay("b", "2025-04-20", 0), // complete
        stay("c", "2025-05-10", 1), // 51 days: delinquent
        stay("d", "2025-05-31", 1), // 30 days: incomplete, not yet delinquent
        stay("e", "2025-06-20", 3), // 10 days
        stay("f", "2025-06-29", 0),
        stay("g", "2025-02-01", 1), // outside the window, still delinquent
        stay("h", "2025-07-02", 1), // after the report date: ignored
    ];
    let as_of = jiff::civil::date(2025, 6, 30);
    let r = DelinquencyReport::compute(&reviews, as_of, &DelinquencyConfig::default());
    assert_eq!(r.discharged_records, 7);
    assert_eq!(r.discharges_in_window, 6);
    assert_eq!(r.average_monthly_discharges, 2.0);
    assert_eq!(r.incomplete_records, 5);
    assert_eq!(r.delinquent_records, 3);
    assert_eq!(r.rate_percent, Some(150.0));
    let ids: Vec<&str> = r
        .delinquent
        .iter()
        .map(|d| d.encounter.as_deref().unwrap())
        .collect();
    assert_eq!(ids, ["g", "a", "c"]);
    // Buckets 0-7, 8-14, 15-30, 31-60, 61-90, 91+.
    let records: Vec<u64> = r.aging.iter().map(|b| b.records).collect();
    assert_eq!(records, [0, 1, 1, 1, 1, 1]);
    assert_eq!(r.aging[4].deficiencies, 2);
    // A 60-day rule makes only two delinquent.
    let r60 = DelinquencyReport::compute(
        &reviews,
        as_of,
        &DelinquencyConfig {
            after_days: 60,
            ..Default::default()
        },
    );
    assert_eq!(r60.delinquent_records, 2);
}

#[test]
fn re_review_after_fixes_removes_only_the_resolved() {
    let mut b = base_bundle("surgical-stay");
    apply(
        &mut b,
        &json!({"remove": ["DocumentReference/ds1", "Consent/c1"],
                "patch": {"DocumentReference/pn1": {"docStatus": "preliminary"}}}),
    );
    let r = Reviewer::new();
    let before = r.review(&record_of(&b));
    assert_eq!(before.deficiencies().count(), 3);
    // Fix two of three: sign off the progress note and add the discharge summary.
    let mut fixed = b.clone();
    let base = base_bundle("surgical-stay");
    let ds = base["entry"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["resource"]["id"] == "ds1")
        .unwrap()["resource"]
        .clone();
    apply(
        &mut fixed,
        &json!({"patch": {"DocumentReference/pn1": {"docStatus": "final"}}, "add": [ds]}),
    );
    let after = r.review(&record_of(&fixed));
    let diff = after.diff_from(&before);
    let resolved: Vec<&str> = diff.resolved.iter().map(|d| d.rule.as_str()).collect();
    assert_eq!(
        resolved,
        ["discharge-summary.missing", "document.not-final"]
    );
    assert!(diff.new.is_empty());
    assert_eq!(diff.open.len(), 1);
    assert_eq!(diff.open[0].rule, "consent.missing");
    // Nothing else changes: the open deficiency is identical, field for field.
    let before_open = before
        .deficiencies()
        .find(|d| d.rule == "consent.missing")
        .unwrap();
    assert_eq!(before_open, &diff.open[0]);
}

#[test]
fn user_rules_run_beside_the_built_in_ones() {
    let rule = FnRule::new(
        RuleInfo::new(
            "local.consult-note",
            "Consult note for stays over 3 days",
            "Medical staff bylaws §7.2",
            Severity::Warning,
            RuleKind::Quantitative,
        ),
        |cx, f| {
            let long = cx.length_of_stay_days().is_some_and(|d| d > 3);
            let has = cx
                .documents_of(medrec_completeness::DocumentKind::ConsultNote)
                .next()
                .is_some();
            if long && !has {
                f.push(cx.deficiency(
                    cx.missing_document_path(medrec_completeness::DocumentKind::ConsultNote),
                    "no consult note",
                ));
            }
        },
    );
    let reviewer =
        Reviewer::with_config(RuleSet::default_inpatient().with(rule), Default::default()).unwrap();
    let review = reviewer.review(&record_of(&base_bundle("surgical-stay")));
    let found: Vec<(&str, Severity)> = review
        .deficiencies()
        .map(|d| (d.rule.as_str(), d.severity))
        .collect();
    assert_eq!(found, [("local.consult-note", Severity::Warning)]);
    // A rule set composed from two others: the later one's switches win.
    let composed =
        RuleSet::default_inpatient().extend(RuleSet::default_inpatient().without("hp.missing"));
    assert_eq!(composed.len(), 20);
    assert!(!composed.is_enabled("hp.missing"));
}
