//! Configuration files: what they set, and typed errors with kind and location.

use medrec_completeness::{
    CareSetting, ConfigErrorKind, FnRule, ReviewConfig, Reviewer, RuleInfo, RuleKind, RuleSet,
    Severity,
};

#[test]
fn toml_sets_limits_rules_and_lists() {
    let c = ReviewConfig::from_toml_str(
        r#"
        [limits]
        hp_hours_after_admission = 48
        completion_days = 14

        [delinquency]
        after_days = 15
        aging_buckets = [10, 20]

        [coding]
        edits = ["sex_conflict_dx"]

        [rules."hp.late"]
        severity = "warning"
        settings = ["inpatient", "observation"]

        [rules."progress-note.missing"]
        enabled = false
        "#,
    )
    .unwrap();
    assert_eq!(c.limits.hp_hours_after_admission, 48);
    assert_eq!(c.limits.completion_days, 14);
    assert_eq!(c.delinquency.after_days, 15);
    assert_eq!(c.coding.edits, ["sex_conflict_dx"]);
    let reviewer = Reviewer::with_config(RuleSet::default_inpatient(), c).unwrap();
    let rules = reviewer.rules();
    assert_eq!(rules.severity("hp.late"), Some(Severity::Warning));
    assert!(
        rules
            .settings("hp.late")
            .unwrap()
            .contains(CareSetting::Observation)
    );
    assert!(!rules.is_enabled("progress-note.missing"));
    assert!(rules.is_enabled("hp.missing"));
}

#[test]
fn json_and_toml_read_the_same() {
    let t = ReviewConfig::from_toml_str(
        "[limits]\ncompletion_days = 21\n[rules.\"hp.late\"]\nenabled = false\n",
    )
    .unwrap();
    let j = ReviewConfig::from_json_str(
        r#"{"limits": {"completion_days": 21}, "rules": {"hp.late": {"enabled": false}}}"#,
    )
    .unwrap();
    assert_eq!(t, j);
    assert_eq!(
        ReviewConfig::from_toml_str("").unwrap(),
        ReviewConfig::default()
    );
}

#[test]
fn syntax_errors_have_line_and_column() {
    let e = ReviewConfig::from_toml_str("[limits]\ncompletion_days = = 3\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Syntax);
    assert_eq!(e.location().line, Some(2));
    assert!(e.location().column.is_some());
    let e = ReviewConfig::from_json_str("{\"limits\": {\n  \"completion_days\": }\n}").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Syntax);
    assert_eq!(e.location().line, Some(2));
}

#[test]
fn unknown_fields_are_reported_where_they_are() {
    let e =
        ReviewConfig::from_toml_str("[limits]\ncompletion_days = 3\nhp_hour = 4\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownField);
    assert_eq!(e.location().line, Some(3));
    assert!(e.to_string().contains("hp_hour"), "{e}");
    let e = ReviewConfig::from_json_str(r#"{"limit": {}}"#).unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownField);
}

#[test]
fn bad_values_are_invalid_values() {
    let e = ReviewConfig::from_toml_str("[rules.\"hp.late\"]\nseverity = \"fatal\"\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::InvalidValue);
    assert_eq!(e.location().line, Some(2));
    let e = ReviewConfig::from_toml_str("[limits]\ncompletion_days = \"thirty\"\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::InvalidValue);
    let e = ReviewConfig::from_toml_str("[limits]\ncompletion_days = -4\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::InvalidValue);
    assert_eq!(e.location().key.as_deref(), Some("limits.completion_days"));
    let e = ReviewConfig::from_toml_str("[delinquency]\naging_buckets = [30, 10]\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::InvalidValue);
}

#[test]
fn semantic_errors_name_the_key() {
    let e = ReviewConfig::from_toml_str("[rules.\"hp.late\"]\nsettings = [\"icu\"]\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownSetting);
    assert_eq!(
        e.location().key.as_deref(),
        Some("rules.\"hp.late\".settings[0]")
    );
    let e = ReviewConfig::from_toml_str("[coding]\nedits = [\"sex_conflict\"]\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownEdit);
    let e = ReviewConfig::from_toml_str("[coding]\npoa_exempt = [\"Z37\", \"not a code!\"]\n")
        .unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::BadCode);
    assert_eq!(e.location().key.as_deref(), Some("coding.poa_exempt[1]"));
    let e = ReviewConfig::from_toml_str("[documents]\n\"urn:x|HP\" = \"h-and-p\"\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownDocumentKind);
    let e = ReviewConfig::from_toml_str("[documents]\n\"HP\" = \"history-and-physical\"\n")
        .unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownDocumentKind);
}

#[test]
fn unknown_rule_ids_are_errors_when_applied_to_a_rule_set() {
    let c = ReviewConfig::from_toml_str("[rules.\"hp.tardy\"]\nenabled = false\n").unwrap();
    let e = Reviewer::with_config(RuleSet::default_inpatient(), c.clone()).unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::UnknownRule);
    assert_eq!(e.location().key.as_deref(), Some("rules.\"hp.tardy\""));
    // A user rule with that id makes the same configuration valid.
    let custom = FnRule::new(
        RuleInfo::new(
            "hp.tardy",
            "custom",
            "local policy",
            Severity::Info,
            RuleKind::Qualitative,
        ),
        |_, _| {},
    );
    let r = Reviewer::with_config(RuleSet::default_inpatient().with(custom), c).unwrap();
    assert!(!r.rules().is_enabled("hp.tardy"));
}

#[test]
fn files_are_read_by_extension_and_errors_name_the_file() {
    let dir =
        std::env::temp_dir().join(format!("medrec-completeness-config-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let toml = dir.join("review.toml");
    std::fs::write(&toml, "[limits]\ncompletion_days = 10\n").unwrap();
    assert_eq!(
        ReviewConfig::from_path(&toml)
            .unwrap()
            .limits
            .completion_days,
        10
    );
    let json = dir.join("review.json");
    std::fs::write(&json, "{\"limits\": {\"completion_days\": 11}}").unwrap();
    assert_eq!(
        ReviewConfig::from_path(&json)
            .unwrap()
            .limits
            .completion_days,
        11
    );
    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "limits = 3\n").unwrap();
    let e = ReviewConfig::from_path(&bad).unwrap_err();
    assert!(e.to_string().contains("bad.toml"), "{e}");
    let e = ReviewConfig::from_path(dir.join("missing.toml")).unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Io);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn fuzz_regressions_never_panic() {
    // Inputs of the kind the `ruleset_config` fuzz target feeds: odd bytes, deep nesting,
    // huge numbers.
    for input in [
        "",
        "\u{0}",
        "[[[[",
        "[limits]\ncompletion_days = 99999999999999999999\n",
        "[delinquency]\naverage_over_months = 0\n",
        "[rules]\n\"\" = {}\n",
        "{\"rules\": {\"\": {\"settings\": []}}}",
        "[documents]\n\"|\" = \"progress-note\"\n",
    ] {
        let _ = ReviewConfig::from_toml_str(input);
        let _ = ReviewConfig::from_json_str(input);
    }
}
