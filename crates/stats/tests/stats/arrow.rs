//! The Arrow tables: schemas (snapshot), values equal to the stay model and to the aggregator's
//! counts (synth populations, the Synthea bundles), batch bounds and streaming = one-shot.

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int32Type, Int64Type, TimestampMicrosecondType};
use arrow_array::{Array, RecordBatch};
use jiff::tz::TimeZone;
use medrec_stats::arrow::{
    StayTables, Table, TableBatch, TableOptions, discharge_unit, length_of_stay_days, tables_of,
};
use medrec_stats::{Aggregator, AggregatorConfig, EncounterClass, Period, Stay};
use proptest::prelude::*;

fn schema_text(tz: &TimeZone) -> String {
    let mut out = String::new();
    for t in Table::ALL {
        let s = t.schema(tz);
        let mut meta: Vec<_> = s.metadata().iter().collect();
        meta.sort();
        out.push_str(&format!("{} {:?}\n", t.name(), meta));
        for f in s.fields() {
            let mut m: Vec<_> = f.metadata().iter().collect();
            m.sort();
            out.push_str(&format!(
                "  {}: {:?}{}{}\n",
                f.name(),
                f.data_type(),
                if f.is_nullable() { "" } else { " not null" },
                if m.is_empty() {
                    String::new()
                } else {
                    format!(" {m:?}")
                }
            ));
        }
    }
    out
}

/// The schemas are a contract (the DataFusion scale-out reads them): any change must be
/// deliberate. Regenerate with `MEDREC_UPDATE_SNAPSHOTS=1`.
#[test]
fn schema_snapshot() {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/stats/data/arrow_schemas.txt"
    );
    let tz = TimeZone::get("America/New_York").unwrap();
    let text = schema_text(&tz);
    if std::env::var_os("MEDREC_UPDATE_SNAPSHOTS").is_some() {
        std::fs::write(path, &text).unwrap();
    }
    let expected = std::fs::read_to_string(path).unwrap();
    assert_eq!(text, expected, "schema changed; see {path}");
    // Every builder's batches carry exactly the documented schema.
    let stays = crate::props::stays_of(&[]);
    assert!(stays.is_empty());
    let mut t = StayTables::new(&TableOptions::new(tz.clone()));
    for table in Table::ALL {
        assert_eq!(t.schema(table), table.schema(&tz));
    }
    let mut s = Stay::new(
        "p",
        "e",
        EncounterClass::Inpatient,
        "2024-03-01T10:00:00Z".parse().unwrap(),
        None,
    );
    s.units.push(medrec_stats::UnitStay {
        unit: "MED".into(),
        from: s.admitted,
        to: None,
    });
    s.diagnoses.push(medrec_stats::StayDiagnosis {
        code: "I10".into(),
        principal: true,
        present_on_admission: Some('y'),
        admitting: false,
    });
    s.procedures.push(medrec_stats::StayProcedure {
        code: "0DTJ4ZZ".into(),
        performed: None,
        performer: Some("Dr A".into()),
    });
    t.push(&s);
    let out = t.finish();
    assert_eq!(out.len(), 4);
    for b in out {
        assert_eq!(b.batch.schema(), b.table.schema(&tz), "{:?}", b.table);
        assert_eq!(b.batch.num_rows(), 1);
    }
}

fn batches(out: &[TableBatch], table: Table) -> Vec<&RecordBatch> {
    out.iter()
        .filter(|b| b.table == table)
        .map(|b| &b.batch)
        .collect()
}

/// One table's rows, one `Vec<String>` per row (a readable rendering for comparisons).
fn column<'a>(b: &'a RecordBatch, name: &str) -> &'a dyn Array {
    b.column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}"))
        .as_ref()
}

fn opt_str(a: &dyn Array, i: usize) -> Option<&str> {
    a.is_valid(i).then(|| a.as_string::<i32>().value(i))
}

fn opt_i32(a: &dyn Array, i: usize) -> Option<i32> {
    a.is_valid(i)
        .then(|| a.as_primitive::<Int32Type>().value(i))
}

fn opt_i64(a: &dyn Array, i: usize) -> Option<i64> {
    a.is_valid(i)
        .then(|| a.as_primitive::<Int64Type>().value(i))
}

fn opt_ts(a: &dyn Array, i: usize) -> Option<i64> {
    a.is_valid(i)
        .then(|| a.as_primitive::<TimestampMicrosecondType>().value(i))
}

fn opt_day(a: &dyn Array, i: usize) -> Option<i32> {
    a.is_valid(i)
        .then(|| a.as_primitive::<Date32Type>().value(i))
}

fn opt_bool(a: &dyn Array, i: usize) -> Option<bool> {
    a.is_valid(i).then(|| a.as_boolean().value(i))
}

/// Exports `stays` in batches of `batch_rows` and checks every row against the stay model and
/// the totals against an aggregator fed the same stays.
fn check_tables(stays: &[Stay], period: Period, tz: &TimeZone, batch_rows: usize) {
    let options = TableOptions::new(tz.clone()).with_batch_rows(batch_rows);
    let out = tables_of(stays, &options);
    for b in &out {
        assert!(b.batch.num_rows() <= batch_rows && b.batch.num_rows() > 0);
    }
    // Row counts.
    let rows = |t| -> usize { batches(&out, t).iter().map(|b| b.num_rows()).sum() };
    assert_eq!(rows(Table::Encounters), stays.len());
    assert_eq!(
        rows(Table::EncounterUnitStays),
        stays.iter().map(|s| s.units.len()).sum::<usize>()
    );
    assert_eq!(
        rows(Table::Diagnoses),
        stays.iter().map(|s| s.diagnoses.len()).sum::<usize>()
    );
    assert_eq!(
        rows(Table::Procedures),
        stays.iter().map(|s| s.procedures.len()).sum::<usize>()
    );

    // Encounter rows: values equal the stay's; and sums of the discharges inside the period.
    let first = period.first_day();
    let last = period.last_day();
    let mut sums = [[0i64; 7]; 2]; // per population: discharges, LOS, deaths, <48h, admissions, charges, same day
    let mut stay_iter = stays.iter();
    for b in batches(&out, Table::Encounters) {
        for i in 0..b.num_rows() {
            let s = stay_iter.next().unwrap();
            let col = |n| column(b, n);
            assert_eq!(
                opt_str(col("encounter_id"), i),
                Some(s.encounter_id.as_str())
            );
            assert_eq!(opt_str(col("patient_id"), i), Some(s.patient_id.as_str()));
            assert_eq!(opt_str(col("encounter_class"), i), Some(s.class.as_str()));
            assert_eq!(
                opt_ts(col("admitted"), i),
                Some(s.admitted.as_microsecond())
            );
            assert_eq!(
                opt_ts(col("discharged"), i),
                s.discharged.map(|d| d.as_microsecond())
            );
            assert_eq!(opt_bool(col("deceased"), i), Some(s.died()));
            assert_eq!(
                opt_bool(col("death_under_48h"), i),
                Some(s.death_under_48h())
            );
            let newborn = opt_bool(col("newborn"), i).unwrap();
            assert_eq!(newborn, s.population() == medrec_stats::Population::Newborn);
            let los = opt_i32(col("length_of_stay_days"), i);
            assert_eq!(los, length_of_stay_days(s, tz));
            assert_eq!(opt_str(col("discharge_unit"), i), Some(discharge_unit(s)));
            assert_eq!(opt_i64(col("charges_cents"), i), s.charges_cents);
            assert_eq!(
                opt_i32(col("live_births"), i),
                Some(i32::from(s.live_births))
            );
            assert_eq!(
                opt_str(col("principal_diagnosis"), i),
                s.diagnoses
                    .iter()
                    .find(|d| d.principal)
                    .map(|d| d.code.as_str())
            );
            assert_eq!(opt_str(col("payer"), i), s.payer.as_deref());
            if s.class != EncounterClass::Inpatient {
                continue;
            }
            let p = usize::from(newborn);
            let adm = opt_day(col("admit_day"), i).unwrap();
            if (first..=last).contains(&adm) {
                sums[p][4] += 1;
            }
            if let Some(dd) = opt_day(col("discharge_day"), i)
                && (first..=last).contains(&dd)
            {
                sums[p][0] += 1;
                sums[p][1] += i64::from(los.unwrap());
                if opt_bool(col("deceased"), i).unwrap() {
                    sums[p][2] += 1;
                    if opt_bool(col("death_under_48h"), i).unwrap() {
                        sums[p][3] += 1;
                    }
                }
                sums[p][5] += opt_i64(col("charges_cents"), i).unwrap_or(0);
                if dd == adm {
                    sums[p][6] += 1;
                }
            }
        }
    }
    assert!(stay_iter.next().is_none());

    // The aggregator counts the same discharges, LOS, deaths, admissions and charges.
    let mut agg = Aggregator::new(AggregatorConfig::new(period, tz.clone()));
    for s in stays {
        agg.add_stay(s).unwrap();
    }
    let totals = agg.totals();
    for p in 0..2 {
        let t = &totals[p];
        let expected = [
            i64::from(t.discharges),
            i64::from(t.los_days),
            i64::from(t.deaths),
            i64::from(t.deaths_under_48h),
            i64::from(t.admissions),
            t.charges_cents,
            i64::from(t.same_day),
        ];
        assert_eq!(sums[p], expected, "population {p}");
    }

    // Child rows: keyed by encounter and sequence, in stay order.
    let mut expected_dx = Vec::new();
    let mut expected_units = Vec::new();
    let mut expected_px = Vec::new();
    for s in stays {
        for (k, d) in s.diagnoses.iter().enumerate() {
            let ty = if d.principal {
                "principal"
            } else if d.admitting {
                "admitting"
            } else {
                "secondary"
            };
            expected_dx.push(format!(
                "{}#{} {} {ty} {:?}",
                s.encounter_id,
                k + 1,
                d.code,
                d.present_on_admission.map(String::from)
            ));
        }
        for (k, u) in s.units.iter().enumerate() {
            expected_units.push(format!(
                "{}#{} {} {} {:?}",
                s.encounter_id,
                k + 1,
                u.unit,
                u.from.as_microsecond(),
                u.to.map(|t| t.as_microsecond())
            ));
        }
        for (k, p) in s.procedures.iter().enumerate() {
            expected_px.push(format!(
                "{}#{} {} {:?} {:?}",
                s.encounter_id,
                k + 1,
                p.code,
                p.performed.map(|t| t.as_microsecond()),
                p.performer
            ));
        }
    }
    let mut got_dx = Vec::new();
    for b in batches(&out, Table::Diagnoses) {
        for i in 0..b.num_rows() {
            got_dx.push(format!(
                "{}#{} {} {} {:?}",
                opt_str(column(b, "encounter_id"), i).unwrap(),
                opt_i32(column(b, "sequence"), i).unwrap(),
                opt_str(column(b, "code"), i).unwrap(),
                opt_str(column(b, "diagnosis_type"), i).unwrap(),
                opt_str(column(b, "present_on_admission"), i).map(String::from)
            ));
        }
    }
    assert_eq!(got_dx, expected_dx);
    let mut got_units = Vec::new();
    for b in batches(&out, Table::EncounterUnitStays) {
        for i in 0..b.num_rows() {
            got_units.push(format!(
                "{}#{} {} {} {:?}",
                opt_str(column(b, "encounter_id"), i).unwrap(),
                opt_i32(column(b, "sequence"), i).unwrap(),
                opt_str(column(b, "unit"), i).unwrap(),
                opt_ts(column(b, "arrived"), i).unwrap(),
                opt_ts(column(b, "departed"), i)
            ));
        }
    }
    assert_eq!(got_units, expected_units);
    let mut got_px = Vec::new();
    for b in batches(&out, Table::Procedures) {
        for i in 0..b.num_rows() {
            got_px.push(format!(
                "{}#{} {} {:?} {:?}",
                opt_str(column(b, "encounter_id"), i).unwrap(),
                opt_i32(column(b, "sequence"), i).unwrap(),
                opt_str(column(b, "code"), i).unwrap(),
                opt_ts(column(b, "performed"), i),
                opt_str(column(b, "performer"), i).map(String::from)
            ));
        }
    }
    assert_eq!(got_px, expected_px);
}

#[test]
fn synth_population_tables_equal_the_stay_model() {
    for (patients, seed) in [(300, 7), (200, 20_260_101)] {
        let population = medrec_synth::Population::new(medrec_synth::PopulationConfig {
            patients,
            seed,
            ..medrec_synth::PopulationConfig::demo()
        })
        .unwrap();
        let cfg = population.config();
        let period = Period::new(cfg.from, cfg.to.yesterday().unwrap()).unwrap();
        let tz = TimeZone::get(&cfg.time_zone).unwrap();
        let mut stays = Vec::new();
        for h in population.households() {
            for p in &h.patients {
                stays.extend(crate::synth::stays_of(&population, p));
            }
        }
        assert!(stays.len() > 100);
        check_tables(&stays, period, &tz, 997);
    }
}

#[test]
fn synthea_tables_equal_the_stay_model() {
    use medrec_stats::fhir::{FhirReadOptions, record_from_json, stays_from_record};
    let Some(dir) = crate::fhir::data_dir() else {
        return;
    };
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
    let mut stays = Vec::new();
    for f in &files {
        let record = record_from_json(&std::fs::read(f).unwrap()).unwrap();
        stays.extend(
            stays_from_record(&record, &FhirReadOptions::default())
                .into_iter()
                .map(|s| s.unwrap()),
        );
    }
    // Synthea codes conditions in SNOMED CT (no ICD-10-CM rows), but has classes, units and times.
    assert!(stays.iter().any(|s| s.class == EncounterClass::Inpatient));
    let period = Period::new(
        jiff::civil::date(1900, 1, 1),
        jiff::civil::date(2030, 12, 31),
    )
    .unwrap();
    check_tables(&stays, period, &TimeZone::UTC, 4096);
}

#[test]
fn maternity_bundle_tables() {
    use medrec_stats::fhir::{FhirReadOptions, record_from_json, stays_from_record};
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/stats/data/fhir/maternity_bundle.json"
    );
    let record = record_from_json(&std::fs::read(path).unwrap()).unwrap();
    // One encounter of the bundle has no admission time (an error, reported, not a row).
    let stays: Vec<Stay> = stays_from_record(&record, &FhirReadOptions::default())
        .into_iter()
        .filter_map(Result::ok)
        .collect();
    assert_eq!(stays.len(), 3);
    let out = tables_of(&stays, &TableOptions::new(TimeZone::UTC));
    let dx = batches(&out, Table::Diagnoses);
    let b = dx[0];
    assert_eq!(opt_str(column(b, "code"), 0), Some("O80"));
    assert_eq!(opt_str(column(b, "diagnosis_type"), 0), Some("principal"));
    // T80.211A is coded not present on admission (a hospital-acquired infection).
    let row = (0..b.num_rows())
        .find(|&i| opt_str(column(b, "code"), i) == Some("T80.211A"))
        .unwrap();
    assert_eq!(opt_str(column(b, "present_on_admission"), row), Some("n"));
    assert_eq!(opt_str(column(b, "diagnosis_type"), row), Some("secondary"));
    let enc = batches(&out, Table::Encounters)[0];
    assert_eq!(opt_str(column(enc, "delivery"), 0), Some("vaginal"));
    assert_eq!(opt_str(column(enc, "payer"), 0), Some("Medicaid"));
    assert_eq!(opt_i64(column(enc, "charges_cents"), 0), Some(600_000));
    check_tables(
        &stays,
        Period::new(jiff::civil::date(2000, 1, 1), jiff::civil::date(2030, 1, 1)).unwrap(),
        &TimeZone::UTC,
        2,
    );
}

/// Arrow IPC files are written atomically and read back equal.
#[cfg(feature = "arrow-ipc")]
#[test]
fn ipc_files_round_trip() {
    use medrec_stats::arrow::IpcFileWriter;
    let gens: Vec<crate::props::Gen> = {
        use proptest::strategy::ValueTree;
        use proptest::test_runner::TestRunner;
        let mut runner = TestRunner::deterministic();
        (0..50)
            .map(|_| {
                crate::props::gen_stay()
                    .new_tree(&mut runner)
                    .unwrap()
                    .current()
            })
            .collect()
    };
    let stays = crate::props::stays_of(&gens);
    let tz = TimeZone::get("America/New_York").unwrap();
    let out = tables_of(&stays, &TableOptions::new(tz.clone()).with_batch_rows(7));
    let dir = std::env::temp_dir().join(format!("medrec-stats-ipc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for table in Table::ALL {
        let path = dir.join(format!("{}.arrow", table.name()));
        let mut w = IpcFileWriter::create(&path, table.schema(&tz)).unwrap();
        let parts = one_table(&out, table);
        for b in &parts {
            w.write(b).unwrap();
        }
        assert!(!path.exists(), "nothing at the target before finish");
        let n = w.finish().unwrap();
        assert_eq!(
            n as usize,
            parts.iter().map(|b| b.num_rows()).sum::<usize>()
        );
        let reader =
            arrow_ipc::reader::FileReader::try_new(std::fs::File::open(&path).unwrap(), None)
                .unwrap();
        assert_eq!(reader.schema(), table.schema(&tz));
        let back: Vec<RecordBatch> = reader.map(|b| b.unwrap()).collect();
        assert_eq!(back, parts);
    }
    // A writer dropped before finish leaves no file and no temporary.
    let path = dir.join("dropped.arrow");
    drop(IpcFileWriter::create(&path, Table::Encounters.schema(&tz)).unwrap());
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 4, "{left:?}");
    // A batch of another table's schema is refused.
    let mut w = IpcFileWriter::create(&path, Table::Encounters.schema(&tz)).unwrap();
    if let Some(b) = one_table(&out, Table::Diagnoses).first() {
        let e = w.write(b).unwrap_err();
        assert_eq!(
            e.kind(),
            medrec_stats::arrow::IpcExportErrorKind::SchemaMismatch
        );
    }
    drop(w);
    std::fs::remove_dir_all(&dir).unwrap();
}

fn one_table(out: &[TableBatch], table: Table) -> Vec<RecordBatch> {
    out.iter()
        .filter(|b| b.table == table)
        .map(|b| b.batch.clone())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Batches never exceed the bound (all but a table's last hold exactly the bound), and
    /// concatenated they equal the one-shot export.
    #[test]
    fn batches_are_bounded_and_concatenate_to_the_one_shot_export(
        gens in proptest::collection::vec(crate::props::gen_stay(), 0..40),
        bound in 1usize..9,
        ny in any::<bool>(),
    ) {
        let tz = if ny { TimeZone::get("America/New_York").unwrap() } else { TimeZone::UTC };
        let stays = crate::props::stays_of(&gens);
        let streamed = {
            let mut t = StayTables::new(&TableOptions::new(tz.clone()).with_batch_rows(bound));
            let mut out = Vec::new();
            for s in &stays {
                let before = out.len();
                t.push_into(s, &mut out);
                for b in &out[before..] {
                    prop_assert_eq!(b.batch.num_rows(), bound);
                }
            }
            out.extend(t.finish());
            out
        };
        let whole = tables_of(&stays, &TableOptions::new(tz.clone()).with_batch_rows(usize::MAX));
        for table in Table::ALL {
            let parts = one_table(&streamed, table);
            let one = one_table(&whole, table);
            prop_assert!(one.len() <= 1);
            let total: usize = parts.iter().map(|b| b.num_rows()).sum();
            prop_assert_eq!(total, one.first().map_or(0, |b| b.num_rows()));
            let mut offset = 0;
            for (k, b) in parts.iter().enumerate() {
                prop_assert!(b.num_rows() <= bound);
                if k + 1 < parts.len() {
                    prop_assert_eq!(b.num_rows(), bound);
                }
                prop_assert_eq!(b, &one[0].slice(offset, b.num_rows()));
                offset += b.num_rows();
            }
        }
    }
}
