//! Clinical scenarios and the real ICD-10-CM / ICD-10-PCS codes they draw from.
//!
//! The scenario list is an approximation of a community hospital's case mix, loosely ordered by
//! the most frequent principal diagnoses of U.S. inpatient stays (AHRQ HCUP Statistical Briefs on
//! the most common diagnoses for inpatient stays list septicemia, heart failure, osteoarthritis,
//! pneumonia, COPD, AMI, stroke, cellulitis and UTI at the top; liveborn infants and deliveries
//! are the most frequent stays overall). Weights are illustrative, not published figures.
//! Every code in these lists is checked against the FY2025 ICD-10-CM order file and the FY2024
//! ICD-10-PCS code file in the crate's tests (valid and billable; `medrec-codes` re-checks them).

use crate::config::UnitKind;

/// Which patients a scenario suits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SexFit {
    Any,
    Female,
    Male,
}

/// An inpatient (or observation / ED / outpatient) clinical scenario.
#[derive(Debug)]
pub(crate) struct Scenario {
    pub title: &'static str,
    /// Principal diagnosis alternatives (dotted ICD-10-CM).
    pub principal: &'static [&'static str],
    pub weight: u32,
    pub sex: SexFit,
    pub min_age: u8,
    pub max_age: u8,
    /// Mean length of stay in hours (inpatient) or visit length (others).
    pub mean_hours: u32,
    /// Operating-room procedure alternatives (PCS) and the share of stays that have one.
    pub or_procedures: &'static [&'static str],
    pub or_share: f32,
    /// Non-OR procedures (PCS) that may be coded.
    pub other_procedures: &'static [&'static str],
    /// Scenario-specific secondary diagnoses, each taken with probability 1/2.
    pub secondaries: &'static [&'static str],
    /// Likelihood multiplier for an ICU stay.
    pub icu_factor: f32,
    /// Clinical phrase for the note.
    pub phrase: &'static str,
}

macro_rules! s {
    ($title:expr, $pr:expr, $w:expr, $sex:ident, $min:expr, $max:expr, $h:expr, $or:expr, $ors:expr, $oth:expr, $sec:expr, $icu:expr, $phrase:expr) => {
        Scenario {
            title: $title,
            principal: $pr,
            weight: $w,
            sex: SexFit::$sex,
            min_age: $min,
            max_age: $max,
            mean_hours: $h,
            or_procedures: $or,
            or_share: $ors,
            other_procedures: $oth,
            secondaries: $sec,
            icu_factor: $icu,
            phrase: $phrase,
        }
    };
}

/// Adult and pediatric inpatient scenarios (deliveries and newborns are handled apart).
pub(crate) static INPATIENT: &[Scenario] = &[
    s!(
        "Sepsis",
        &["A41.9"],
        90,
        Any,
        18,
        110,
        130,
        &[],
        0.0,
        &["02HV33Z", "30233N1"],
        &["R65.20", "N17.9", "E87.1", "J96.01"],
        3.0,
        "sepsis with suspected urinary or pulmonary source"
    ),
    s!(
        "Heart failure",
        &["I50.23", "I11.0"],
        60,
        Any,
        40,
        110,
        110,
        &[],
        0.0,
        &[],
        &["N18.30", "I48.91", "E87.1"],
        1.2,
        "acute on chronic systolic heart failure with volume overload"
    ),
    s!(
        "Pneumonia",
        &["J18.9"],
        55,
        Any,
        18,
        110,
        100,
        &[],
        0.0,
        &[],
        &["J96.01", "E86.0"],
        1.2,
        "community-acquired pneumonia with hypoxia"
    ),
    s!(
        "COPD exacerbation",
        &["J44.1"],
        40,
        Any,
        40,
        110,
        90,
        &[],
        0.0,
        &[],
        &["J96.01", "F17.210"],
        1.0,
        "acute exacerbation of chronic obstructive pulmonary disease"
    ),
    s!(
        "Osteoarthritis of knee",
        &["M17.11"],
        40,
        Any,
        45,
        95,
        55,
        &["0SRC0J9", "0SRD0J9"],
        0.97,
        &["3E0T3BZ"],
        &["D62"],
        0.1,
        "end-stage osteoarthritis of the knee for elective arthroplasty"
    ),
    s!(
        "NSTEMI",
        &["I21.4"],
        35,
        Any,
        35,
        110,
        80,
        &[],
        0.0,
        &["027034Z", "4A023N7", "B2111ZZ"],
        &["I25.10"],
        1.5,
        "non-ST elevation myocardial infarction"
    ),
    s!(
        "Stroke",
        &["I63.9"],
        30,
        Any,
        35,
        110,
        110,
        &[],
        0.0,
        &[],
        &["R26.81", "I48.91"],
        1.5,
        "acute ischemic stroke with left-sided weakness"
    ),
    s!(
        "Hip fracture",
        &["S72.001A"],
        25,
        Any,
        55,
        110,
        120,
        &["0QS604Z", "0SR90J9"],
        0.95,
        &["30233N1"],
        &["W19.XXXA", "Y92.239", "D62"],
        0.4,
        "closed fracture of the right femoral neck after a fall"
    ),
    s!(
        "Cellulitis",
        &["L03.115"],
        30,
        Any,
        18,
        110,
        85,
        &[],
        0.0,
        &[],
        &[],
        0.2,
        "cellulitis of the right lower leg"
    ),
    s!(
        "Urinary tract infection",
        &["N39.0"],
        28,
        Any,
        18,
        110,
        80,
        &[],
        0.0,
        &[],
        &["E86.0"],
        0.3,
        "urinary tract infection with dehydration"
    ),
    s!(
        "Acute kidney injury",
        &["N17.9"],
        22,
        Any,
        30,
        110,
        100,
        &[],
        0.0,
        &["5A1D70Z"],
        &["E87.1", "N18.30"],
        0.8,
        "acute kidney injury"
    ),
    s!(
        "GI bleed",
        &["K92.2"],
        20,
        Any,
        30,
        110,
        90,
        &[],
        0.0,
        &["0DJ08ZZ", "30233N1"],
        &["D62"],
        1.0,
        "upper gastrointestinal hemorrhage"
    ),
    s!(
        "Appendicitis",
        &["K35.80"],
        20,
        Any,
        5,
        90,
        45,
        &["0DTJ4ZZ", "0DTJ0ZZ"],
        0.95,
        &[],
        &[],
        0.1,
        "acute appendicitis"
    ),
    s!(
        "Cholecystitis",
        &["K80.00"],
        20,
        Any,
        18,
        100,
        60,
        &["0FT44ZZ"],
        0.9,
        &[],
        &[],
        0.2,
        "acute calculous cholecystitis"
    ),
    s!(
        "Atrial fibrillation",
        &["I48.91"],
        20,
        Any,
        40,
        110,
        60,
        &[],
        0.0,
        &[],
        &["Z79.01"],
        0.6,
        "atrial fibrillation with rapid ventricular response"
    ),
    s!(
        "Diabetic ketoacidosis",
        &["E11.10"],
        12,
        Any,
        18,
        90,
        70,
        &[],
        0.0,
        &[],
        &["E86.0", "E87.1"],
        2.0,
        "diabetic ketoacidosis"
    ),
    s!(
        "Pancreatitis",
        &["K85.90"],
        12,
        Any,
        18,
        95,
        100,
        &[],
        0.0,
        &[],
        &["F10.20"],
        0.8,
        "acute pancreatitis"
    ),
    s!(
        "Alcohol withdrawal",
        &["F10.239"],
        10,
        Any,
        18,
        85,
        90,
        &[],
        0.0,
        &[],
        &["F17.210"],
        0.8,
        "alcohol withdrawal"
    ),
    s!(
        "COVID-19",
        &["U07.1"],
        12,
        Any,
        18,
        110,
        110,
        &[],
        0.0,
        &["5A1955Z"],
        &["J96.01"],
        1.6,
        "COVID-19 with hypoxic respiratory failure"
    ),
    s!(
        "Bowel obstruction",
        &["K56.609"],
        10,
        Any,
        30,
        110,
        120,
        &["0DN80ZZ"],
        0.35,
        &[],
        &["E87.1"],
        0.5,
        "small bowel obstruction"
    ),
    s!(
        "Lumbar fusion",
        &["M54.50"],
        6,
        Any,
        35,
        85,
        70,
        &["0SG00AJ"],
        1.0,
        &[],
        &[],
        0.1,
        "refractory low back pain for lumbar fusion"
    ),
    s!(
        "Pacemaker",
        &["I44.2"],
        8,
        Any,
        55,
        110,
        50,
        &["0JH606Z"],
        0.7,
        &[],
        &["I48.91"],
        0.3,
        "complete heart block with syncope"
    ),
    s!(
        "Hysterectomy",
        &["N92.0"],
        6,
        Female,
        30,
        60,
        50,
        &["0UT90ZZ"],
        1.0,
        &[],
        &["D64.9"],
        0.1,
        "menorrhagia refractory to medical therapy"
    ),
    s!(
        "Prostate cancer",
        &["C61"],
        5,
        Male,
        50,
        85,
        50,
        &["0VT04ZZ", "0VT00ZZ"],
        0.9,
        &[],
        &[],
        0.1,
        "prostate adenocarcinoma"
    ),
    s!(
        "Bronchiolitis",
        &["J21.0"],
        10,
        Any,
        0,
        2,
        70,
        &[],
        0.0,
        &[],
        &["E86.0"],
        0.5,
        "RSV bronchiolitis"
    ),
    s!(
        "Asthma",
        &["J45.901"],
        10,
        Any,
        3,
        17,
        45,
        &[],
        0.0,
        &[],
        &[],
        0.4,
        "acute asthma exacerbation"
    ),
];

/// Observation stays.
pub(crate) static OBSERVATION: &[Scenario] = &[
    s!(
        "Chest pain",
        &["R07.9"],
        50,
        Any,
        25,
        110,
        22,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "chest pain, acute coronary syndrome ruled out"
    ),
    s!(
        "Syncope",
        &["R55"],
        30,
        Any,
        18,
        110,
        20,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "syncope"
    ),
    s!(
        "Dehydration",
        &["E86.0"],
        20,
        Any,
        0,
        110,
        18,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "dehydration"
    ),
    s!(
        "Abdominal pain",
        &["R10.9"],
        20,
        Any,
        10,
        100,
        20,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "abdominal pain"
    ),
];

/// Emergency visits.
pub(crate) static EMERGENCY: &[Scenario] = &[
    s!(
        "Ankle sprain",
        &["S93.401A"],
        30,
        Any,
        5,
        90,
        3,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "right ankle sprain"
    ),
    s!(
        "Chest pain",
        &["R07.9"],
        30,
        Any,
        25,
        110,
        5,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "chest pain"
    ),
    s!(
        "URI",
        &["J06.9"],
        30,
        Any,
        0,
        100,
        2,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "upper respiratory infection"
    ),
    s!(
        "Laceration",
        &["S01.81XA"],
        20,
        Any,
        2,
        95,
        3,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "scalp laceration repaired with staples"
    ),
    s!(
        "Abdominal pain",
        &["R10.9"],
        25,
        Any,
        5,
        100,
        5,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "abdominal pain"
    ),
    s!(
        "UTI",
        &["N39.0"],
        20,
        Any,
        10,
        110,
        4,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "urinary tract infection"
    ),
];

/// Outpatient visits.
pub(crate) static OUTPATIENT: &[Scenario] = &[
    s!(
        "Annual exam",
        &["Z00.00"],
        30,
        Any,
        18,
        110,
        1,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "routine adult examination"
    ),
    s!(
        "Diabetes follow-up",
        &["E11.9"],
        30,
        Any,
        30,
        110,
        1,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "type 2 diabetes follow-up"
    ),
    s!(
        "Hypertension follow-up",
        &["I10"],
        30,
        Any,
        30,
        110,
        1,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "hypertension follow-up"
    ),
    s!(
        "Back pain",
        &["M54.50"],
        15,
        Any,
        18,
        95,
        1,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "low back pain"
    ),
    s!(
        "Screening mammogram",
        &["Z12.31"],
        15,
        Female,
        40,
        85,
        1,
        &[],
        0.0,
        &[],
        &[],
        0.0,
        "screening mammogram"
    ),
    s!(
        "Well child",
        &["Z00.129"],
        20,
        Any,
        0,
        17,
        1,
        &[],
        0.0,
        &[],
        &["Z23"],
        0.0,
        "well-child visit"
    ),
];

/// Chronic comorbidities added as secondary diagnoses of adults, with a minimum age.
pub(crate) static COMORBIDITIES: &[(&str, u8)] = &[
    ("I10", 35),
    ("E78.5", 35),
    ("E11.9", 35),
    ("I25.10", 45),
    ("N18.30", 50),
    ("J44.9", 45),
    ("F17.210", 18),
    ("Z87.891", 30),
    ("E66.9", 18),
    ("F32.A", 18),
    ("D64.9", 18),
    ("E03.9", 30),
    ("K21.9", 25),
    ("G47.33", 30),
    ("F41.9", 18),
    ("Z79.4", 35),
    ("Z79.01", 50),
    ("F03.90", 70),
];

/// Hospital-acquired conditions (secondary, POA `N`): infections counted in the infection rate.
pub(crate) static HOSPITAL_INFECTIONS: &[&str] = &["T80.211A", "J95.851", "A04.72", "N39.0"];

/// Codes that never exist in ICD-10-CM (checked against FY2025 and FY2026 tables in tests).
pub(crate) static INVALID_CODES: &[&str] = &[
    "E11.99", "J18.99", "I10.9", "N39.1", "K35.9", "A41.90", "R07.99", "J44.2",
];

/// Header (category) codes that are not billable, with the scenario principal they replace.
pub(crate) fn header_of(code: &str) -> Option<&'static str> {
    // The category of a billable code with subcategories is its first three characters.
    const HEADERS: &[&str] = &[
        "A41", "I50", "I11", "J18", "J44", "M17", "I21", "I63", "S72", "L03", "K92", "K35", "K80",
        "I48", "E11", "K85", "F10", "K56", "M54", "N92", "J21", "J45", "N17",
    ];
    HEADERS.iter().copied().find(|h| code.starts_with(h))
}

/// Manifestation codes ("in diseases classified elsewhere"), never a principal diagnosis
/// (ICD-10-CM Official Guidelines I.A.13; MCE manifestation edit).
pub(crate) static MANIFESTATIONS: &[&str] = &["G63", "F02.80", "I39", "J99", "N08", "I32"];

/// Female-only diagnoses (for a sex-conflict error on a male patient).
pub(crate) static FEMALE_ONLY: &[&str] = &["N83.201", "N95.1", "N92.0"];
/// Male-only diagnoses (for a sex-conflict error on a female patient).
pub(crate) static MALE_ONLY: &[&str] = &["N40.0", "N41.0", "N52.9"];
/// Perinatal (newborn-only) diagnoses (for an age-conflict error on an adult).
pub(crate) static NEWBORN_ONLY: &[&str] = &["P59.9", "P92.9", "P22.1"];

/// Delivery coding.
pub(crate) mod delivery {
    /// Principal diagnoses of a vaginal delivery.
    pub static VAGINAL_PRINCIPAL: &[&str] = &["O80", "O48.0", "O24.410", "O13.9"];
    /// Principal diagnoses of a cesarean delivery.
    pub static CESAREAN_PRINCIPAL: &[&str] = &["O34.211", "O32.1XX0", "O48.0"];
    /// Vaginal delivery procedures.
    pub static VAGINAL_PCS: &[&str] = &["10E0XZZ", "10D07Z3"];
    /// Cesarean procedure (low cervical).
    pub static CESAREAN_PCS: &str = "10D00Z1";
    /// Weeks of gestation.
    pub static WEEKS: &[&str] = &["Z3A.37", "Z3A.38", "Z3A.39", "Z3A.40", "Z3A.41"];
    /// Perineal laceration repair.
    pub static LACERATION: (&str, &str) = ("O70.1", "0HQ9XZZ");
}

/// Newborn coding.
pub(crate) mod newborn {
    /// Single liveborn: vaginal / cesarean.
    pub static SINGLE: [&str; 2] = ["Z38.00", "Z38.01"];
    /// Twin liveborn: vaginal / cesarean.
    pub static TWIN: [&str; 2] = ["Z38.30", "Z38.31"];
    /// Common newborn secondary conditions.
    pub static SECONDARIES: &[&str] = &["P59.9", "P22.1", "P92.9", "P07.38"];
    /// Newborn procedures (not OR): circumcision, hepatitis B vaccine.
    pub static PROCEDURES: &[&str] = &["0VTTXZZ", "3E0234Z"];
}

/// Whether a diagnosis is exempt from POA reporting *as far as this generator is concerned*:
/// only Z37 (outcome of delivery), Z38 (liveborn infants), Z3A (weeks of gestation) and Y92 (place
/// of occurrence), all on the CMS POA exempt list. The generator gives every other code a POA
/// value (a POA value on a code the official list exempts is harmless), so a missing POA on any
/// other code is always an injected `poa.missing` deficiency.
pub fn poa_exempt(code: &str) -> bool {
    ["Z37", "Z38", "Z3A", "Y92"]
        .iter()
        .any(|p| code.starts_with(p))
}

/// Whether an ICD-10-PCS code is an operating-room procedure in the mapping's approximation:
/// Medical and Surgical section (`0`) with an open (`0`) or percutaneous endoscopic (`4`)
/// approach, plus cesarean sections (`10D00Z*`), which the generator also marks with the SNOMED CT
/// category surgical procedure (387713003).
pub fn is_operating_room(pcs: &str) -> bool {
    let b = pcs.as_bytes();
    (b.len() == 7 && b[0] == b'0' && (b[4] == b'0' || b[4] == b'4')) || pcs.starts_with("10D00Z")
}

/// Every ICD-10-CM code the generator can emit as a correct code (dotted), for table checks.
pub fn all_diagnosis_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    for list in [INPATIENT, OBSERVATION, EMERGENCY, OUTPATIENT] {
        for s in list {
            v.extend(s.principal);
            v.extend(s.secondaries);
        }
    }
    v.extend(COMORBIDITIES.iter().map(|c| c.0));
    v.extend(HOSPITAL_INFECTIONS);
    v.extend(delivery::VAGINAL_PRINCIPAL);
    v.extend(delivery::CESAREAN_PRINCIPAL);
    v.extend(delivery::WEEKS);
    v.push(delivery::LACERATION.0);
    v.extend(newborn::SINGLE);
    v.extend(newborn::TWIN);
    v.extend(newborn::SECONDARIES);
    v.extend(["Z37.0", "Z37.1", "Z37.2", "Z37.3", "Z66"]);
    v.sort_unstable();
    v.dedup();
    v
}

/// Codes the generator emits only as deliberate errors: (code, expected table status).
/// Status: `invalid` (not in the table), `manifestation`, `sex`, `age`.
pub fn error_codes() -> Vec<(&'static str, &'static str)> {
    let mut v = Vec::new();
    v.extend(INVALID_CODES.iter().map(|c| (*c, "invalid")));
    v.extend(MANIFESTATIONS.iter().map(|c| (*c, "manifestation")));
    v.extend(FEMALE_ONLY.iter().map(|c| (*c, "female")));
    v.extend(MALE_ONLY.iter().map(|c| (*c, "male")));
    v.extend(NEWBORN_ONLY.iter().map(|c| (*c, "newborn")));
    v
}

/// Every ICD-10-PCS code the generator can emit.
pub fn all_procedure_codes() -> Vec<&'static str> {
    let mut v: Vec<&'static str> = Vec::new();
    for s in INPATIENT {
        v.extend(s.or_procedures);
        v.extend(s.other_procedures);
    }
    v.extend(delivery::VAGINAL_PCS);
    v.push(delivery::CESAREAN_PCS);
    v.push(delivery::LACERATION.1);
    v.extend(newborn::PROCEDURES);
    v.sort_unstable();
    v.dedup();
    v
}

/// The unit kind a scenario's stay starts on, by age.
pub(crate) fn ward_for_age(age: u32) -> UnitKind {
    if age < 18 {
        UnitKind::Pediatrics
    } else {
        UnitKind::MedSurg
    }
}
