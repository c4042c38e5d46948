//! Configuration: TOML round trip, defaults, errors with field names.

use medrec_synth::{ConfigErrorKind, PopulationConfig};

#[test]
fn toml_round_trip_and_partial_files() {
    let cfg = PopulationConfig::demo();
    let back = PopulationConfig::from_toml(&cfg.to_toml()).unwrap();
    assert_eq!(cfg, back);
    let partial =
        PopulationConfig::from_toml("seed = 5\npatients = 10\n[stays]\ndeath = 0.5\n").unwrap();
    assert_eq!(partial.seed, 5);
    assert_eq!(partial.stays.death, 0.5);
    assert_eq!(
        partial.stays.cesarean,
        PopulationConfig::default().stays.cesarean
    );
}

#[test]
fn bad_configurations_are_rejected_with_the_field() {
    let e = PopulationConfig::from_toml("seed = 1\nbogus = 2\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Syntax);
    assert!(e.to_string().contains("bogus"), "{e}");
    let e = PopulationConfig::from_toml("[stays]\ndeath = 1.5\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Invalid);
    assert!(e.to_string().contains("stays.death"), "{e}");
    let e =
        PopulationConfig::from_toml("from = \"2025-02-01\"\nto = \"2025-01-01\"\n").unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Invalid);
    let e = PopulationConfig::from_toml("time_zone = \"Mars/Olympus\"\n").unwrap_err();
    assert!(e.to_string().contains("time_zone"), "{e}");
    let e = PopulationConfig::load(std::path::Path::new("/nonexistent/synth.toml")).unwrap_err();
    assert_eq!(e.kind(), ConfigErrorKind::Io);
    assert!(e.to_string().contains("/nonexistent/synth.toml"));
}

#[test]
fn bed_changes_apply_from_their_date() {
    let cfg = PopulationConfig::default();
    let unit = &cfg.facilities[0].units[0];
    assert_eq!(unit.beds_on(jiff::civil::date(2025, 2, 14)), 36);
    assert_eq!(unit.beds_on(jiff::civil::date(2025, 2, 15)), 40);
    assert_eq!(unit.max_beds(), 40);
}
