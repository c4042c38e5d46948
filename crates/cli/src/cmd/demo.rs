//! `medrec demo`: the main job on the embedded default.
//!
//! Generates the embedded synthetic hospital (`medrec-synth`, two hospitals over one month),
//! writes every patient's record as FHIR R4 JSON and reads it back (`medrec-model`), classifies
//! its codes and comorbidities (`medrec-codes`), reviews it for completeness
//! (`medrec-completeness`), de-identifies it under Safe Harbor (`medrec-privacy`), and compiles the
//! month's statistics (`medrec-stats`) — then checks the findings against the generator's ground
//! truth and prints a readable summary. No logic of its own beyond wiring and formatting.

use std::collections::BTreeMap;
use std::time::Instant;

use medrec::codes::clinical::{ComorbidityScorer, Poa};
use medrec::codes::icd10cm;
use medrec::completeness::{ReviewSummary, Reviewer};
use medrec::model::{PatientRecord, Resource};
use medrec::privacy::{DeidConfig, Deidentifier};
use medrec::stats::fhir::{FhirReadOptions, beds_from_locations, stays_from_record};
use medrec::stats::{Aggregator, AggregatorConfig, GroupBy, PopulationScope};
use medrec::synth::{Population, PopulationConfig};

use crate::common::{Outcome, report_error};

/// Arguments of `medrec demo`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Number of patients in the synthetic hospital (default: the embedded demo size).
    #[arg(long)]
    pub patients: Option<u64>,
    /// Seed of the synthetic hospital.
    #[arg(long)]
    pub seed: Option<u64>,
}

/// Runs the demo.
pub fn run(args: Args) -> Outcome {
    match demo(args) {
        Ok(outcome) => outcome,
        Err(message) => {
            report_error("demo", &message);
            Outcome::USAGE_OR_IO
        }
    }
}

fn demo(args: Args) -> Result<Outcome, String> {
    let started = Instant::now();
    let mut config = PopulationConfig::demo();
    if let Some(n) = args.patients {
        config.patients = n;
    }
    if let Some(s) = args.seed {
        config.seed = s;
    }
    let population = Population::new(config).map_err(|e| e.to_string())?;
    let truth = population.truth();
    // The truth's `to` is the day after the last; a statistics period names its last day.
    let last_day = truth.to.yesterday().map_err(|e| e.to_string())?;
    let period =
        medrec::stats::Period::new(truth.from, last_day).ok_or("the demo period is empty")?;

    println!(
        "medrec {} demo: a synthetic hospital system, {} to {}",
        env!("CARGO_PKG_VERSION"),
        truth.from,
        last_day
    );
    println!(
        "  generated {} patients, {} encounters, {} notes (seed {})",
        truth.patients,
        truth.encounters,
        truth.notes,
        population.config().seed
    );

    // Beds come from the facilities' Location resources (wards, rooms, beds), as a hospital's
    // own export would carry them.
    let facility_record = PatientRecord::from_resources(population.facility_resources());
    let beds = beds_from_locations(&facility_record, truth.from);

    let cm = icd10cm();
    let scorer = ComorbidityScorer::new();
    let reviewer = Reviewer::new();
    let mut deid = Deidentifier::new(DeidConfig::safe_harbor(), None).map_err(|e| e.to_string())?;
    let mut aggregator = Aggregator::new(AggregatorConfig::new(period, jiff::tz::TimeZone::UTC));
    let read_options = FhirReadOptions::default();

    let mut bytes_read = 0usize;
    let mut resources_read = 0usize;
    let mut parse_errors = 0usize;
    let mut codes_seen = 0usize;
    let mut codes_billable = 0usize;
    let mut codes_header = 0usize;
    let mut codes_invalid = 0usize;
    let mut by_chapter: BTreeMap<u8, usize> = BTreeMap::new();
    let mut elixhauser_measures: BTreeMap<String, usize> = BTreeMap::new();
    let mut charlson_total = 0u64;
    let mut patients_scored = 0u64;
    let mut reviews = Vec::new();
    let mut deid_errors = 0usize;
    let mut stay_errors = 0usize;

    for patient in population.patients() {
        // 1. The record as FHIR R4 JSON, read back through the model.
        let bundle = population.patient_bundle(&patient);
        let json = serde_json::to_vec(&Resource::from(bundle)).map_err(|e| e.to_string())?;
        bytes_read += json.len();
        let resource = match medrec::model::parse_resource(&json) {
            Ok(r) => r,
            Err(e) => {
                parse_errors += 1;
                report_error("demo", &e.to_string());
                continue;
            }
        };
        let Resource::Bundle(bundle) = resource else {
            return Err("the generator did not write a Bundle".into());
        };
        resources_read += bundle.entry.len();
        let record = PatientRecord::from_bundle(*bundle);

        // 2. Codes: every ICD-10-CM diagnosis on the claims, and the patient's comorbidities.
        let mut diagnoses: Vec<(String, Poa)> = Vec::new();
        for claim in record.all::<medrec::model::resources::Claim>() {
            for dx in &claim.diagnosis {
                let Some(code) = icd10_code(dx) else { continue };
                let poa = dx
                    .on_admission
                    .iter()
                    .flat_map(|c| &c.coding)
                    .find_map(|c| c.code.as_deref())
                    .and_then(Poa::parse)
                    .unwrap_or(Poa::Missing);
                diagnoses.push((code, poa));
            }
        }
        let inputs: Vec<&str> = diagnoses.iter().map(|(c, _)| c.as_str()).collect();
        for c in cm.classify_batch(&inputs) {
            codes_seen += 1;
            if c.is_billable() {
                codes_billable += 1;
            } else if c.is_valid() {
                codes_header += 1;
            } else {
                codes_invalid += 1;
            }
            if let Some(ch) = c.chapter() {
                *by_chapter.entry(ch.number).or_default() += 1;
            }
        }
        if let Some(((principal, _), secondary)) = diagnoses.split_first() {
            let scores = scorer.score(
                Some((principal.as_str(), Poa::Missing)),
                secondary.iter().map(|(c, p)| (c.as_str(), *p)),
            );
            patients_scored += 1;
            charlson_total += u64::from(scores.charlson_score);
            for measure in scores.elixhauser.iter() {
                *elixhauser_measures
                    .entry(measure.name().to_string())
                    .or_default() += 1;
            }
        }

        // 3. Completeness review.
        let review = reviewer.review(&record);
        reviews.extend(review.encounters);

        // 4. Safe Harbor de-identification of the whole bundle.
        let value =
            serde_json::to_value(Resource::from(record.to_bundle())).map_err(|e| e.to_string())?;
        if let Err(e) = deid.deidentify(value) {
            deid_errors += 1;
            report_error("demo", &e.to_string());
        }

        // 5. Statistics.
        let stays: Vec<_> = stays_from_record(&record, &read_options)
            .into_iter()
            .filter_map(|s| s.map_err(|_| stay_errors += 1).ok())
            .collect();
        stay_errors += aggregator.add_patient(&stays).len();
    }

    println!(
        "\nRecords   read {resources_read} FHIR resources ({:.1} MB of JSON), {parse_errors} parse errors",
        bytes_read as f64 / 1e6
    );

    println!(
        "Codes     {codes_seen} ICD-10-CM diagnoses: {codes_billable} billable, {codes_header} headers (not billable), {codes_invalid} invalid"
    );
    let chapters: Vec<String> = top(&by_chapter, 5)
        .into_iter()
        .map(|(ch, n)| format!("ch.{ch} {n}"))
        .collect();
    println!("          top chapters: {}", chapters.join(", "));
    let measures: Vec<String> = top(&elixhauser_measures, 6)
        .into_iter()
        .map(|(m, n)| format!("{m} {n}"))
        .collect();
    println!(
        "          Elixhauser (AHRQ v2026.1) most common: {}; mean Charlson {:.2} over {patients_scored} patients",
        measures.join(", "),
        if patients_scored == 0 {
            0.0
        } else {
            charlson_total as f64 / patients_scored as f64
        }
    );

    let summary = ReviewSummary::of(&reviews);
    println!(
        "Review    {} encounters reviewed, {} incomplete, {} deficiencies (ground truth injected {})",
        summary.encounters, summary.incomplete, summary.deficiencies, truth.deficiencies
    );
    let rules: BTreeMap<&str, u64> = summary
        .by_rule
        .iter()
        .map(|(rule, s)| (rule.as_str(), s.deficiencies))
        .collect();
    for (rule, n) in top(&rules, 8) {
        println!("          {n:>5}  {rule}");
    }

    let report = deid.report();
    println!(
        "De-id     Safe Harbor over {} resources, {deid_errors} errors; identifiers removed or generalized by kind:",
        report.resources_in
    );
    let mut kinds: Vec<(String, usize)> = medrec::privacy::PhiKind::ALL
        .iter()
        .map(|k| (k.tag().to_string(), report.count(*k)))
        .filter(|(_, n)| *n > 0)
        .collect();
    kinds.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let line: Vec<String> = kinds.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("          {}", line.join(", "));

    let rows = aggregator
        .report(GroupBy::None, &beds)
        .map_err(|e| e.to_string())?;
    for row in rows
        .iter()
        .filter(|r| r.population != PopulationScope::Total)
        .chain(
            rows.iter()
                .filter(|r| r.population == PopulationScope::Total),
        )
    {
        println!(
            "Stats     {:<15} admissions {:>4}  discharges {:>4}  deaths {:>3}  births {:>3}  service days {:>5}  ADC {}  ALOS {}  occupancy {}  gross death rate {}  net {}",
            row.population.as_str(),
            row.admissions,
            row.discharges,
            row.deaths,
            row.births,
            row.inpatient_service_days,
            num(row.average_daily_census),
            num(row.average_length_of_stay),
            pct(row.bed_occupancy_rate),
            pct(row.gross_death_rate),
            pct(row.net_death_rate),
        );
    }
    if let Some(total) = rows.iter().find(|r| r.population == PopulationScope::Total) {
        println!(
            "          deliveries {}  cesarean rate {}  autopsies {}  gross autopsy rate {}  transfers in {} out {}",
            total.deliveries,
            pct(total.cesarean_rate),
            total.autopsies,
            pct(total.gross_autopsy_rate),
            total.transfers_in,
            total.transfers_out,
        );
    }
    if stay_errors > 0 {
        println!("          {stay_errors} encounters could not be read as stays");
    }
    println!(
        "\nDone in {:.2} s. Try `medrec synth --out DIR`, then `medrec review DIR`, `medrec stats DIR`, `medrec deid`.",
        started.elapsed().as_secs_f64()
    );
    Ok(Outcome::OK)
}

/// The ICD-10-CM code of a claim diagnosis, if it carries one.
fn icd10_code(dx: &medrec::model::resources::ClaimDiagnosis) -> Option<String> {
    use medrec::model::resources::ClaimDiagnosisDiagnosis;
    let ClaimDiagnosisDiagnosis::CodeableConcept(cc) = dx.diagnosis.as_ref()? else {
        return None;
    };
    cc.coding
        .iter()
        .find(|c| c.system.as_deref() == Some("http://hl7.org/fhir/sid/icd-10-cm"))
        .and_then(|c| c.code.clone())
}

fn top<K: Clone + Ord, V: Copy + Ord>(map: &BTreeMap<K, V>, n: usize) -> Vec<(K, V)> {
    let mut v: Vec<(K, V)> = map.iter().map(|(k, v)| (k.clone(), *v)).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.truncate(n);
    v
}

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.2}"))
}

fn pct(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_string(), |v| format!("{v:.1}%"))
}
