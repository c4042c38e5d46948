//! Checks of the embedded tables and scorers against the published source files: AHRQ CMR
//! v2026.1 (mapping CSV, measures CSV, weights JSON), Quan 2005 prefixes and van Walraven /
//! Charlson weights (comorbidipy), and the FY2026 code set.

use std::collections::{BTreeMap, BTreeSet};

use medrec_codes::clinical::{
    AhrqMeasure, Charlson, CharlsonCondition, CharlsonFlags, CharlsonWeights, ComorbidityScorer,
    Elixhauser, Poa, PoaRule, QuanElixhauserCategory,
};

use super::{fy2026_codes, shared_data};

fn json(path: &std::path::Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn ahrq_weights_and_poa_sets_match_the_v2026_1_json() {
    let Some(data) = shared_data() else { return };
    let j =
        json(&data.join("maps/elixhauser-ahrq-v2026.1/cmr_v2026_1_index_weights_and_rules.json"));
    let mort = j["mortality_weights"].as_object().unwrap();
    let readm = j["readmission_weights"].as_object().unwrap();
    assert_eq!(mort.len(), 38);
    for m in AhrqMeasure::ALL {
        assert_eq!(
            mort[m.name()].as_i64().unwrap() as i32,
            m.mortality_weight(),
            "{} mortality",
            m.name()
        );
        assert_eq!(
            readm[m.name()].as_i64().unwrap() as i32,
            m.readmission_weight(),
            "{} readmission",
            m.name()
        );
    }
    let exempt: BTreeSet<&str> = j["poa_exempt_categories_COMANYPOA"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let required: BTreeSet<String> = j["poa_required_categories_COMPOA"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| {
            v.as_str()
                .unwrap()
                .replace("CBVD_POA", "CBVD")
                .replace("CBVD_SQLA", "CBVD")
        })
        .collect();
    for m in AhrqMeasure::ALL {
        assert_eq!(
            m.requires_poa(),
            required.contains(m.name()),
            "{}",
            m.name()
        );
        assert_eq!(!m.requires_poa(), exempt.contains(m.name()), "{}", m.name());
    }
}

#[test]
fn ahrq_measure_list_matches_the_measures_csv() {
    let Some(data) = shared_data() else { return };
    let text = std::fs::read_to_string(
        data.join("maps/elixhauser-ahrq-v2026.1/cmr_v2026_1_comorbidity_measures.csv"),
    )
    .unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let mut n = 0;
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let m = AhrqMeasure::from_name(&rec[0])
            .unwrap_or_else(|| panic!("unknown measure {}", &rec[0]));
        assert_eq!(m.requires_poa(), &rec[2] == "Yes", "{}", &rec[0]);
        assert_eq!(m.description(), &rec[1], "{}", &rec[0]);
        n += 1;
    }
    assert_eq!(n, 38);
}

/// Every row of the AHRQ mapping CSV gives exactly its measures; codes next to them (same
/// parent) that the CSV does not list for a measure do not get it.
#[test]
fn ahrq_table_reproduces_the_mapping_csv_in_and_just_outside() {
    let Some(data) = shared_data() else { return };
    let text = std::fs::read_to_string(
        data.join("maps/elixhauser-ahrq-v2026.1/cmr_v2026_1_dx_to_comorb_mapping.csv"),
    )
    .unwrap();
    let mut rdr = csv::Reader::from_reader(text.as_bytes());
    let cols: Vec<String> = rdr.headers().unwrap().iter().map(str::to_string).collect();
    let elix = Elixhauser::embedded();
    let mut by_code: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for rec in rdr.records() {
        let rec = rec.unwrap();
        let mut want = BTreeSet::new();
        for (i, v) in rec.iter().enumerate().skip(3) {
            if v == "1" {
                want.insert(
                    cols[i]
                        .replace("CBVD_POA", "CBVD")
                        .replace("CBVD_SQLA", "CBVD"),
                );
            }
        }
        let got: BTreeSet<String> = elix
            .code_measures(&rec[0])
            .iter()
            .map(|m| m.name().to_string())
            .collect();
        assert_eq!(got, want, "{}", &rec[0]);
        by_code.insert(rec[0].to_string(), want);
    }
    assert_eq!(by_code.len(), 4567);
    // Just outside: siblings in FY2026 not listed keep the measure off.
    let codes = fy2026_codes(&data);
    let mut checked = 0;
    for c in &codes {
        if by_code.contains_key(c) || c.len() < 4 {
            continue;
        }
        let parent = &c[..c.len() - 1];
        if by_code
            .keys()
            .any(|k| k.len() == c.len() && k.starts_with(parent))
        {
            assert!(
                elix.code_measures(c).is_empty(),
                "{c} is not in the AHRQ table but got {:?}",
                elix.code_measures(c)
            );
            checked += 1;
        }
    }
    assert!(checked > 800, "only {checked} neighbours checked");
}

fn quan_source(data: &std::path::Path) -> serde_json::Value {
    json(&data.join("maps/comorbidipy-0.5.0/mapping.json"))
}

/// Codes under each Quan prefix get the condition; the FY2026 codes right before and after the
/// prefix's run (in code order) do not, unless another prefix of the same condition covers them.
#[test]
fn quan_prefixes_in_and_just_outside() {
    let Some(data) = shared_data() else { return };
    let m = quan_source(&data);
    let codes = fy2026_codes(&data);
    let charlson = Charlson::embedded();
    let scorer = ComorbidityScorer::new();
    for (system, key) in [
        ("charlson", "charlson_icd10_quan"),
        ("elixhauser", "elixhauser_icd10_quan"),
    ] {
        let conds = m[key].as_object().unwrap();
        assert_eq!(conds.len(), if system == "charlson" { 17 } else { 31 });
        for (cond, prefixes) in conds {
            let prefixes: Vec<String> = prefixes
                .as_array()
                .unwrap()
                .iter()
                .map(|p| p.as_str().unwrap().to_string())
                .collect();
            let covered = |c: &str| prefixes.iter().any(|p| c.starts_with(p.as_str()));
            let has = |c: &str| -> bool {
                if system == "charlson" {
                    let cc = CharlsonCondition::from_name(cond).unwrap();
                    charlson.code_conditions(c).contains(cc)
                } else {
                    let qc = QuanElixhauserCategory::from_name(cond).unwrap();
                    // One code never carries both flags of a hierarchy pair, so the
                    // hierarchy cannot hide a single code's flag.
                    scorer
                        .score(None, [(c, Poa::Y)])
                        .quan_elixhauser
                        .contains(qc)
                }
            };
            for p in &prefixes {
                let start = codes.partition_point(|c| c.as_str() < p.as_str());
                let end = start
                    + codes[start..]
                        .iter()
                        .take_while(|c| c.starts_with(p.as_str()))
                        .count();
                for c in &codes[start..end] {
                    assert!(has(c), "{system} {cond}: {c} under {p} not flagged");
                }
                for c in [start.checked_sub(1).map(|i| &codes[i]), codes.get(end)]
                    .into_iter()
                    .flatten()
                {
                    if !covered(c) {
                        assert!(!has(c), "{system} {cond}: {c} just outside {p} flagged");
                    }
                }
            }
        }
    }
}

#[test]
fn charlson_and_van_walraven_weights_match_the_published_tables() {
    let Some(data) = shared_data() else { return };
    let w = json(&data.join("maps/comorbidipy-0.5.0/weights.json"));
    for c in CharlsonCondition::ALL {
        assert_eq!(
            w["charlson_icd10_quan"]["charlson"][c.name()]
                .as_u64()
                .unwrap() as u32,
            c.weight_1987(),
            "{}",
            c.name()
        );
        let quan = w["charlson_icd10_quan"]["quan"][c.name()].as_u64().unwrap() as u32;
        if c == CharlsonCondition::Aids {
            // comorbidipy has 2; Quan 2011 Table 3 gives AIDS/HIV 4 (the 24-point maximum needs 4).
            assert_eq!((quan, c.weight_quan2011()), (2, 4));
        } else {
            assert_eq!(quan, c.weight_quan2011(), "{}", c.name());
        }
    }
    assert_eq!(CharlsonFlags::max_score(CharlsonWeights::Quan2011), 24);
    assert_eq!(CharlsonFlags::max_score(CharlsonWeights::Charlson1987), 29);
    for c in QuanElixhauserCategory::ALL {
        assert_eq!(
            w["elixhauser_icd10_quan"]["vw"][c.name()].as_i64().unwrap() as i32,
            c.van_walraven_weight(),
            "{}",
            c.name()
        );
    }
}

/// Every AHRQ code exists in FY2026 except I60.20-I60.22 (valid in earlier years; AHRQ v2026.1
/// covers codes from October 2015 on).
#[test]
fn ahrq_codes_exist_in_fy2026() {
    let Some(data) = shared_data() else { return };
    let codes: BTreeSet<String> = fy2026_codes(&data).into_iter().collect();
    let missing: Vec<String> = medrec_codes::clinical::embedded_tables::AHRQ_CMR_V2026_1
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.split(' ').next())
        .filter(|c| !codes.contains(*c))
        .map(str::to_string)
        .collect();
    assert_eq!(missing, ["I6020", "I6021", "I6022"]);
}

/// CCSR v2023.1 codes: all but 610 are in FY2026; those 610 were deleted after v2023.1 was cut
/// (12 of them are still in FY2025), and each still has its 3-character category in FY2026.
#[test]
fn ccsr_codes_exist_in_fy2026_or_were_deleted() {
    let Some(data) = shared_data() else { return };
    let codes: BTreeSet<String> = fy2026_codes(&data).into_iter().collect();
    let map = medrec_codes::clinical::CcsrMap::embedded();
    let missing: Vec<String> = map
        .codes()
        .map(|k| k.to_string())
        .filter(|c| !codes.contains(c))
        .collect();
    assert_eq!(missing.len(), 610);
    for c in &missing {
        assert!(codes.contains(&c[..3]), "{c}: category not in FY2026");
    }
}

/// Quan 2005 was written for WHO ICD-10: these prefixes match no ICD-10-CM FY2026 code (WHO-only
/// codes such as F00, I64, E14, B21-B24, or WHO 4th characters absent from ICD-10-CM).
#[test]
fn quan_prefixes_exist_in_fy2026_except_who_only_codes() {
    let Some(data) = shared_data() else { return };
    let codes = fy2026_codes(&data);
    let m = quan_source(&data);
    let mut unmatched = BTreeSet::new();
    for key in ["charlson_icd10_quan", "elixhauser_icd10_quan"] {
        for (_, ps) in m[key].as_object().unwrap() {
            for p in ps.as_array().unwrap() {
                let p = p.as_str().unwrap();
                if !codes.iter().any(|c| c.starts_with(p)) {
                    unmatched.insert(p.to_string());
                }
            }
        }
    }
    let expected: BTreeSet<String> = [
        "B21", "B22", "B24", "C97", "E100", "E107", "E117", "E120", "E121", "E122", "E123", "E124",
        "E125", "E126", "E127", "E128", "E129", "E137", "E140", "E141", "E142", "E143", "E144",
        "E145", "E146", "E147", "E148", "E149", "F00", "F051", "F204", "F412", "G22", "G41", "I64",
        "I792", "I859", "I982", "J46", "Z491", "Z492", "Z502", "Z721", "Z722",
    ]
    .into_iter()
    .map(str::to_string)
    .collect();
    assert_eq!(unmatched, expected);
}

#[test]
fn poa_rule_ignore_counts_every_secondary() {
    let elix = Elixhauser::embedded();
    let dx = [("I21.4", Poa::Y), ("I50.22", Poa::N)];
    assert!(!elix.stay(&dx, PoaRule::Ahrq).contains(AhrqMeasure::Hf));
    assert!(elix.stay(&dx, PoaRule::Ignore).contains(AhrqMeasure::Hf));
}
