//! Reading stays from FHIR: a hand-made maternity Bundle, and the real Synthea bundles.

use jiff::civil::date;
use jiff::tz::TimeZone;
use medrec_stats::fhir::{
    FhirReadOptions, FhirStayErrorKind, beds_from_locations, record_from_json, stays_from_record,
};
use medrec_stats::{
    Aggregator, AggregatorConfig, BedKind, Delivery, Disposition, EncounterClass, GroupBy, Period,
    Population, Stay,
};

fn maternity() -> Vec<Result<Stay, medrec_stats::fhir::FhirStayError>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/stats/data/fhir/maternity_bundle.json"
    );
    let record = record_from_json(&std::fs::read(path).unwrap()).unwrap();
    stays_from_record(&record, &FhirReadOptions::default())
}

#[test]
fn maternity_bundle_reads_every_fact() {
    let stays = maternity();
    assert_eq!(stays.len(), 4);
    let mother = stays[0].as_ref().unwrap();
    assert_eq!(mother.patient_id, "mother");
    assert_eq!(mother.class, EncounterClass::Inpatient);
    assert_eq!(mother.facility, "General Hospital");
    let units: Vec<&str> = mother.units.iter().map(|u| u.unit.as_str()).collect();
    assert_eq!(units, ["OB", "ICU", "OB"], "beds walked up to their wards");
    assert_eq!(mother.attending.as_deref(), Some("Ada Obi"));
    assert!(mother.consultation);
    assert_eq!(mother.service.as_deref(), Some("Obstetrics"));
    assert_eq!(mother.payer.as_deref(), Some("Medicaid"));
    assert_eq!(
        mother.charges_cents,
        Some(600_000),
        "Σ item.net = 4000.10 + 1999.90"
    );
    let codes: Vec<&str> = mother.diagnoses.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["O80", "Z37.0", "T80.211A"], "principal first");
    assert!(mother.diagnoses[0].principal);
    assert_eq!(mother.hospital_acquired_infections, 1, "T80.211A, POA n");
    assert_eq!(mother.delivery, Some(Delivery::Vaginal));
    assert_eq!((mother.live_births, mother.stillbirths), (1, 0));
    assert!(mother.obstetric);
    assert!(
        mother
            .diagnosis_group
            .as_deref()
            .is_some_and(|g| g.starts_with("PRG")),
        "{:?}",
        mother.diagnosis_group
    );

    let baby = stays[1].as_ref().unwrap();
    assert_eq!(baby.population(), Population::Newborn);
    assert_eq!(baby.disposition, Disposition::Died);
    assert_eq!(
        baby.death_time,
        Some("2024-03-11T08:00:00Z".parse().unwrap())
    );
    assert!(baby.death_under_48h());
    assert!(baby.autopsy.performed, "SNOMED 29240004 on the baby");
    assert_eq!(baby.units[0].unit, "Well-baby nursery");

    assert_eq!(stays[2].as_ref().unwrap().class, EncounterClass::Emergency);
    let bad = stays[3].as_ref().unwrap_err();
    assert_eq!(bad.kind(), FhirStayErrorKind::MissingAdmission);
    assert_eq!(bad.encounter(), "enc-bad");
    assert!(bad.to_string().contains("Encounter.period.start"));
}

#[test]
fn beds_come_from_locations() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/stats/data/fhir/maternity_bundle.json"
    );
    let record = record_from_json(&std::fs::read(path).unwrap()).unwrap();
    let beds = beds_from_locations(&record, date(2000, 1, 1));
    let day = medrec_stats::clock::day_number(date(2024, 3, 10));
    assert_eq!(
        beds.count_on("", "OB", day),
        (2, BedKind::Bed),
        "the inactive bed is not counted"
    );
    assert_eq!(beds.count_on("", "ICU", day), (1, BedKind::Bed));
    assert_eq!(
        beds.count_on("", "Well-baby nursery", day),
        (1, BedKind::Bassinet)
    );
}

#[test]
fn maternity_report() {
    let stays: Vec<Stay> = maternity().into_iter().filter_map(Result::ok).collect();
    let mut agg = Aggregator::new(AggregatorConfig::new(
        Period::month(2024, 3).unwrap(),
        TimeZone::UTC,
    ));
    for s in &stays {
        agg.add_stay(s).unwrap();
    }
    let rows = agg
        .report(GroupBy::None, &medrec_stats::BedSchedule::new())
        .unwrap();
    let total = rows
        .iter()
        .find(|r| r.population.as_str() == "total")
        .unwrap();
    assert_eq!(total.admissions, 2);
    assert_eq!(total.births, 1);
    assert_eq!(total.deaths, 1);
    assert_eq!(total.deliveries, 1);
    assert_eq!(total.transfers_in, 2); // OB → ICU → OB
    assert_eq!(total.autopsies, 1);
    assert_eq!(total.infections, 1);
    assert_eq!(total.total_charges, 6000.0);
    assert_eq!(agg.feed_counts().other_stays, 1);
}

pub(crate) fn data_dir() -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("MEDREC_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data").into());
    if dir.is_dir() {
        return Some(dir);
    }
    if std::env::var("CI").as_deref() == Ok("true") {
        panic!("shared data missing at {} (set MEDREC_DATA)", dir.display());
    }
    eprintln!("note: shared data not found at {}; skipping", dir.display());
    None
}

/// Every Synthea encounter reads; inpatient (IMP) encounters become inpatient stays; the report
/// balances.
#[test]
fn synthea_bundles() {
    let Some(dir) = data_dir() else { return };
    let mut files: Vec<_> = std::fs::read_dir(dir.join("synthea/r4-bundles-plain"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json") && !p.ends_with("MANIFEST.json"))
        .collect();
    files.extend(
        std::fs::read_dir(dir.join("synthea/r4-bundles-us-core"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.to_string_lossy().ends_with(".json.gz")),
    );
    files.sort();
    assert!(files.len() >= 20);
    let period = Period::new(date(1900, 1, 1), date(2030, 12, 31)).unwrap();
    let mut agg = Aggregator::new(AggregatorConfig::new(period, TimeZone::UTC));
    let (mut encounters, mut inpatient) = (0, 0);
    for f in &files {
        let bytes = std::fs::read(f).unwrap();
        let record = record_from_json(&bytes).unwrap();
        let expected_imp = record
            .encounters()
            .filter(|e| e.encounter.class.as_ref().and_then(|c| c.code.as_deref()) == Some("IMP"))
            .count();
        let stays: Vec<Stay> = stays_from_record(&record, &FhirReadOptions::default())
            .into_iter()
            .map(|s| s.unwrap_or_else(|e| panic!("{}: {e}", f.display())))
            .collect();
        encounters += stays.len();
        let imp = stays
            .iter()
            .filter(|s| s.class == EncounterClass::Inpatient)
            .count();
        assert_eq!(imp, expected_imp, "{}", f.display());
        inpatient += imp;
        assert!(stays.iter().all(|s| !s.patient_id.is_empty()));
        assert!(agg.add_patient(&stays).is_empty());
    }
    assert!(inpatient > 0 && encounters > inpatient);
    assert_eq!(agg.feed_counts().inpatient_stays, inpatient as u64);
    let rows = agg
        .report(GroupBy::Facility, &medrec_stats::BedSchedule::new())
        .unwrap();
    let discharged: u64 = rows
        .iter()
        .filter(|r| r.population.as_str() == "total")
        .map(|r| r.discharges)
        .sum();
    let end: i64 = rows
        .iter()
        .filter(|r| r.population.as_str() == "total")
        .map(|r| r.census_end)
        .sum();
    assert_eq!(
        discharged as i64 + end,
        inpatient as i64,
        "every inpatient stay is discharged or still in house"
    );
}
