//! The population plan: facilities, units, clinicians, and households of patients with their
//! encounters, codes, documents and injected deficiencies. Everything here is plain Rust data; the
//! FHIR form is built from it by [`crate::fhir`].

// Money is written in cents as `dollars_cents` (`2_400_00` = $2,400.00).
#![allow(clippy::inconsistent_digit_grouping)]

use crate::clock::{Clock, DAY, HOUR};
use crate::coding::{self, Scenario, SexFit};
use crate::config::{ConfigError, PopulationConfig, UnitKind};
use crate::notes;
use crate::phi::PhiSpan;
use crate::rng::{FACILITY_STREAM, SynthRng};
use crate::tables::{self, ZipPlace};
use crate::truth::InjectedDeficiency;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// Administrative sex (FHIR `Patient.gender`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Sex {
    /// `female`.
    Female,
    /// `male`.
    Male,
}

impl Sex {
    /// The FHIR `AdministrativeGender` code.
    pub fn code(self) -> &'static str {
        match self {
            Sex::Female => "female",
            Sex::Male => "male",
        }
    }
}

/// A clinician's specialty.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Specialty {
    /// Hospital medicine (attending of medical stays).
    Hospitalist,
    /// Critical care.
    Intensivist,
    /// General or orthopedic surgery.
    Surgeon,
    /// Obstetrics and gynecology.
    Obstetrician,
    /// Pediatrics and neonatology.
    Pediatrician,
    /// Emergency medicine.
    Emergency,
    /// Cardiology (consultant).
    Cardiologist,
    /// Family medicine (outpatient).
    FamilyMedicine,
}

impl Specialty {
    /// Display text.
    pub fn label(self) -> &'static str {
        match self {
            Specialty::Hospitalist => "Hospital medicine",
            Specialty::Intensivist => "Critical care medicine",
            Specialty::Surgeon => "Surgery",
            Specialty::Obstetrician => "Obstetrics and gynecology",
            Specialty::Pediatrician => "Pediatrics",
            Specialty::Emergency => "Emergency medicine",
            Specialty::Cardiologist => "Cardiology",
            Specialty::FamilyMedicine => "Family medicine",
        }
    }
}

/// A clinician (FHIR `Practitioner`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Clinician {
    /// FHIR id, e.g. `pr-RGH-003`.
    pub id: String,
    /// Given name.
    pub given: String,
    /// Family name.
    pub family: String,
    /// National Provider Identifier (10 digits, valid Luhn check digit with prefix 80840).
    pub npi: String,
    /// State medical license number.
    pub license: String,
    /// Specialty.
    pub specialty: Specialty,
    /// Index of the facility in [`Population::facilities`].
    pub facility: usize,
}

impl Clinician {
    /// `Given Family, MD`.
    pub fn display(&self) -> String {
        format!("{} {}, MD", self.given, self.family)
    }
}

/// A unit of a facility, with its configuration and global index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    /// Index in [`Population::units`].
    pub index: usize,
    /// Index of its facility.
    pub facility: usize,
    /// Its configuration (id, name, kind, beds).
    pub config: crate::config::UnitConfig,
}

/// A facility with its units and clinicians.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facility {
    /// Index in [`Population::facilities`].
    pub index: usize,
    /// Stable id (`RGH`).
    pub id: String,
    /// Name.
    pub name: String,
    /// Its ZIP place.
    pub place: &'static ZipPlace,
    /// Street address (fictitious).
    pub street: String,
    /// Main phone, `(AAA) 555-01NN`.
    pub phone: String,
    /// Health information management fax.
    pub fax: String,
    /// Patient portal base URL.
    pub portal: String,
    /// Indices of its units in [`Population::units`].
    pub units: Vec<usize>,
}

/// The payer of a patient's coverage.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Payer {
    /// Medicare (member id: an MBI).
    Medicare,
    /// Medicaid.
    Medicaid,
    /// A commercial plan.
    Commercial,
    /// No insurance.
    SelfPay,
}

impl Payer {
    /// Display name (also `Claim.insurance.coverage.display` and `Coverage.payor.display`).
    pub fn display(self) -> &'static str {
        match self {
            Payer::Medicare => "Medicare",
            Payer::Medicaid => "Ohio Medicaid",
            Payer::Commercial => "Heartland Mutual Health Plan",
            Payer::SelfPay => "Self-pay",
        }
    }
}

/// A street address on a real ZIP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Address {
    /// House number and street (fictitious).
    pub line: String,
    /// The ZIP place (real ZIP, city, state, county).
    pub place: &'static ZipPlace,
}

/// A relative listed as the patient's contact.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Relative {
    /// Relationship text (`wife`, `son` …).
    pub relationship: &'static str,
    /// Given name.
    pub given: String,
    /// Family name.
    pub family: String,
    /// Phone.
    pub phone: String,
}

/// A generated patient with every identifier and all encounters.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedPatient {
    /// FHIR id: `pat-<household>` or `pat-<household>-nb<n>` for a newborn.
    pub id: String,
    /// Household index (the random stream it was drawn from).
    pub household: u64,
    /// Medical record number (9 digits, unique); `None` when `patient.identification` was injected.
    pub mrn: Option<String>,
    /// Social Security number in the never-issued area range 900–999 with group 01–49 (not an
    /// SSN and not an ITIN: safe test values of the valid `NNN-NN-NNNN` shape).
    pub ssn: String,
    /// Given name.
    pub given: String,
    /// Middle initial.
    pub middle: char,
    /// Family name.
    pub family: String,
    /// Sex.
    pub sex: Sex,
    /// Birth date.
    pub birth_date: Date,
    /// Home address.
    pub address: Address,
    /// Home phone `(AAA) 555-01NN` (the 555-0100..0199 range is reserved for fiction).
    pub phone: String,
    /// Email at a reserved example domain.
    pub email: String,
    /// Payer.
    pub payer: Payer,
    /// Health plan member id (Medicare MBI format for Medicare); empty for self-pay.
    pub member_id: String,
    /// Driver's license number (`OH` style: 2 letters + 6 digits); empty for children.
    pub drivers_license: String,
    /// Emergency contact.
    pub contact: Relative,
    /// Employer (adults of working age), for notes.
    pub employer: Option<&'static str>,
    /// Death time (Unix seconds) when the patient died in hospital.
    pub deceased: Option<i64>,
    /// The mother's patient id, for a newborn.
    pub mother: Option<String>,
    /// Encounters in time order.
    pub encounters: Vec<GeneratedEncounter>,
}

impl GeneratedPatient {
    /// Age in whole years on `date`.
    pub fn age_on(&self, date: Date) -> u32 {
        age_between(self.birth_date, date)
    }
}

pub(crate) fn age_between(birth: Date, date: Date) -> u32 {
    let mut age = date.year() as i32 - birth.year() as i32;
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age.max(0) as u32
}

/// FHIR encounter class (v3 ActCode).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EncounterClass {
    /// `IMP` inpatient.
    Inpatient,
    /// `OBSENC` observation.
    Observation,
    /// `EMER` emergency.
    Emergency,
    /// `AMB` ambulatory (outpatient).
    Outpatient,
}

impl EncounterClass {
    /// The v3 ActCode.
    pub fn code(self) -> &'static str {
        match self {
            EncounterClass::Inpatient => "IMP",
            EncounterClass::Observation => "OBSENC",
            EncounterClass::Emergency => "EMER",
            EncounterClass::Outpatient => "AMB",
        }
    }

    /// Display text.
    pub fn display(self) -> &'static str {
        match self {
            EncounterClass::Inpatient => "inpatient encounter",
            EncounterClass::Observation => "observation encounter",
            EncounterClass::Emergency => "emergency",
            EncounterClass::Outpatient => "ambulatory",
        }
    }
}

/// A stay on one unit (one `Encounter.location` entry).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnitStay {
    /// Index in [`Population::units`].
    pub unit: usize,
    /// Bed number within the unit (0-based).
    pub bed: u32,
    /// Arrival on the unit (Unix seconds).
    pub start: i64,
    /// Departure (the next unit's arrival, or the discharge).
    pub end: i64,
}

/// Present-on-admission indicator (`ex-diagnosis-on-admission`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Poa {
    /// `y`.
    Y,
    /// `n`.
    N,
    /// `u`.
    U,
    /// `w`.
    W,
}

impl Poa {
    /// The code.
    pub fn code(self) -> &'static str {
        match self {
            Poa::Y => "y",
            Poa::N => "n",
            Poa::U => "u",
            Poa::W => "w",
        }
    }
}

/// A coded diagnosis of a stay (one `Claim.diagnosis`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedDiagnosis {
    /// ICD-10-CM code, dotted (`J18.9`).
    pub code: &'static str,
    /// Principal (sequence 1) or secondary.
    pub principal: bool,
    /// POA; `None` for exempt codes and for injected `poa.missing`.
    pub poa: Option<Poa>,
}

/// A coded procedure (`Claim.procedure` and a `Procedure` resource).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CodedProcedure {
    /// FHIR id of the Procedure resource.
    pub id: String,
    /// ICD-10-PCS code.
    pub code: &'static str,
    /// Start (Unix seconds).
    pub start: i64,
    /// End.
    pub end: i64,
    /// Operating-room procedure (category surgical procedure, needs operative report and consent).
    pub operative: bool,
    /// Index of the performing clinician.
    pub performer: usize,
    /// The consent's FHIR id and signing time, when one is on file.
    pub consent: Option<(String, i64)>,
}

/// LOINC document types (fhir-him-mapping.md, Documents).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum NoteKind {
    /// `34117-2` History and physical note.
    HistoryAndPhysical,
    /// `11506-3` Progress note.
    ProgressNote,
    /// `11504-8` Surgical operation note.
    OperativeReport,
    /// `18842-5` Discharge summary.
    DischargeSummary,
    /// `11488-4` Consult note.
    ConsultNote,
}

impl NoteKind {
    /// The LOINC code.
    pub fn loinc(self) -> &'static str {
        match self {
            NoteKind::HistoryAndPhysical => "34117-2",
            NoteKind::ProgressNote => "11506-3",
            NoteKind::OperativeReport => "11504-8",
            NoteKind::DischargeSummary => "18842-5",
            NoteKind::ConsultNote => "11488-4",
        }
    }

    /// The LOINC display.
    pub fn display(self) -> &'static str {
        match self {
            NoteKind::HistoryAndPhysical => "History and physical note",
            NoteKind::ProgressNote => "Progress note",
            NoteKind::OperativeReport => "Surgical operation note",
            NoteKind::DischargeSummary => "Discharge summary",
            NoteKind::ConsultNote => "Consult note",
        }
    }
}

/// A clinical document (`DocumentReference`) with its text and PHI labels.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneratedNote {
    /// FHIR id.
    pub id: String,
    /// Document type.
    pub kind: NoteKind,
    /// `DocumentReference.date` (Unix seconds).
    pub date: i64,
    /// Author (clinician index).
    pub author: usize,
    /// Authenticator (clinician index); `None` = unsigned.
    pub authenticator: Option<usize>,
    /// `docStatus` final (`true`) or preliminary (`false`).
    pub is_final: bool,
    /// Note text (UTF-8; base64 in the attachment of a `DocumentReference`, or the escaped
    /// content of `Composition.section[0].text.div`).
    pub text: String,
    /// Exact labels of every identifier inserted into `text` (byte offsets into `text`, i.e. into
    /// the decoded attachment or the unescaped narrative).
    pub phi: Vec<PhiSpan>,
    /// Written as a `Composition` (signature = `attester` mode `legal` with a time, status
    /// `final`/`preliminary`, text in `section[0].text.div`) instead of a `DocumentReference`.
    /// Chosen by [`DocumentationRates::composition_share`](crate::DocumentationRates) from a
    /// hash of the note id, so it draws nothing from the random stream.
    pub composition: bool,
}

/// One charge line (`Claim.item`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChargeLine {
    /// UB-04 revenue code (`0120` room and board …).
    pub revenue_code: &'static str,
    /// Description.
    pub description: &'static str,
    /// Quantity (days or units).
    pub quantity: u32,
    /// Net amount in cents.
    pub net_cents: i64,
}

/// A delivery on a mother's stay.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Delivery {
    /// By cesarean section.
    pub cesarean: bool,
    /// Time of birth.
    pub time: i64,
    /// Live births (newborn patients generated).
    pub live_births: u8,
    /// Stillbirths (fetal deaths; no newborn admission).
    pub stillbirths: u8,
}

/// A generated encounter with everything the record and the truth need.
#[derive(Debug, Clone, PartialEq)]
pub struct GeneratedEncounter {
    /// FHIR id, `enc-<household>-<n>`.
    pub id: String,
    /// Account (billing) number, unique.
    pub account: String,
    /// Facility index.
    pub facility: usize,
    /// Class.
    pub class: EncounterClass,
    /// Admission / start (Unix seconds).
    pub start: i64,
    /// Discharge / end.
    pub end: i64,
    /// Admit source code (`…/admit-source`), as it happened.
    pub admit_source: &'static str,
    /// Whether the admit source is written (false = `encounter.admit-source` injected).
    pub admit_source_recorded: bool,
    /// Discharge disposition code (`…/discharge-disposition`), as it happened.
    pub disposition: &'static str,
    /// Whether the disposition is written (false = `encounter.disposition` injected).
    pub disposition_recorded: bool,
    /// Unit history (inpatient, observation); empty for ED and outpatient visits.
    pub units: Vec<UnitStay>,
    /// Attending (clinician index); `None` = `encounter.attending` injected.
    pub attending: Option<usize>,
    /// Consultant.
    pub consultant: Option<usize>,
    /// A newborn's birth stay (admit source `born`).
    pub newborn: bool,
    /// The delivery of a mother's stay.
    pub delivery: Option<Delivery>,
    /// Died during the stay (disposition `exp`), with autopsy or not.
    pub death: Option<bool>,
    /// Diagnoses, principal first (empty = coded without any diagnosis).
    pub diagnoses: Vec<CodedDiagnosis>,
    /// Procedures in time order.
    pub procedures: Vec<CodedProcedure>,
    /// Documents.
    pub notes: Vec<GeneratedNote>,
    /// Charges.
    pub charges: Vec<ChargeLine>,
    /// A 30-day readmission (computed per the definition in [`crate::truth`]).
    pub readmission: bool,
    /// Has a hospital-acquired infection (secondary diagnosis with POA `n` from the infection list).
    pub hospital_infection: bool,
    /// The deficiencies a correct completeness review must find (inpatient stays only).
    pub deficiencies: Vec<InjectedDeficiency>,
}

impl GeneratedEncounter {
    /// Total charges in cents.
    pub fn total_cents(&self) -> i64 {
        self.charges.iter().map(|c| c.net_cents).sum()
    }

    /// Whether this is an inpatient stay.
    pub fn is_inpatient(&self) -> bool {
        self.class == EncounterClass::Inpatient
    }

    /// The operating-room procedures.
    pub fn operative_procedures(&self) -> impl Iterator<Item = &CodedProcedure> {
        self.procedures.iter().filter(|p| p.operative)
    }
}

/// The patients drawn from one random stream: a primary patient and any newborns.
#[derive(Debug, Clone, PartialEq)]
pub struct Household {
    /// Household index.
    pub index: u64,
    /// The patients: the primary patient first, then newborns.
    pub patients: Vec<GeneratedPatient>,
}

/// A seeded synthetic population. Cheap to build (the facility plan only); households are
/// generated on demand, independently, so a population of any size streams in bounded memory.
#[derive(Debug, Clone)]
pub struct Population {
    config: PopulationConfig,
    clock: Clock,
    facilities: Vec<Facility>,
    units: Vec<Unit>,
    clinicians: Vec<Clinician>,
    /// Clinician indices by facility and specialty.
    staff: Vec<[Vec<usize>; 8]>,
    facility_cumulative: Vec<u32>,
    start: i64,
    end: i64,
    home_zips: Vec<&'static ZipPlace>,
}

impl Population {
    /// Builds the facility plan of a configuration (after [`PopulationConfig::check`]).
    pub fn new(config: PopulationConfig) -> Result<Self, ConfigError> {
        config.check()?;
        let clock = Clock::new(&config.time_zone);
        let mut rng = SynthRng::new(config.seed, FACILITY_STREAM);
        let mut facilities = Vec::new();
        let mut units = Vec::new();
        let mut clinicians: Vec<Clinician> = Vec::new();
        let mut staff = Vec::new();
        for (fi, f) in config.facilities.iter().enumerate() {
            let place = tables::zip_place(&f.zip).expect("checked");
            let mut unit_ids = Vec::new();
            for u in &f.units {
                unit_ids.push(units.len());
                units.push(Unit {
                    index: units.len(),
                    facility: fi,
                    config: u.clone(),
                });
            }
            let slug: String = f
                .name
                .to_ascii_lowercase()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join("-");
            facilities.push(Facility {
                index: fi,
                id: f.id.clone(),
                name: f.name.clone(),
                place,
                street: format!("{} {}", 100 + rng.below(9000), rng.pick(tables::STREETS)),
                phone: fictional_phone(&mut rng, place.area_code),
                fax: fictional_phone(&mut rng, place.area_code),
                portal: format!("https://mychart.{slug}.example.org"),
                units: unit_ids,
            });
            let mut by_specialty: [Vec<usize>; 8] = Default::default();
            let counts = [
                (Specialty::Hospitalist, 8),
                (Specialty::Intensivist, 3),
                (Specialty::Surgeon, 5),
                (Specialty::Obstetrician, 3),
                (Specialty::Pediatrician, 3),
                (Specialty::Emergency, 4),
                (Specialty::Cardiologist, 2),
                (Specialty::FamilyMedicine, 4),
            ];
            for (si, (spec, n)) in counts.iter().enumerate() {
                for _ in 0..*n {
                    let idx = clinicians.len();
                    let (given, family) = random_name(&mut rng, None);
                    let mut license = String::from("35.");
                    rng.digits(6, &mut license);
                    clinicians.push(Clinician {
                        id: format!("pr-{}-{:03}", f.id, idx + 1),
                        given: given.to_string(),
                        family: family.to_string(),
                        npi: npi(&mut rng),
                        license,
                        specialty: *spec,
                        facility: fi,
                    });
                    by_specialty[si].push(idx);
                }
            }
            staff.push(by_specialty);
        }
        let mut facility_cumulative = Vec::new();
        let mut total = 0;
        for f in &config.facilities {
            total += f.weight.max(1);
            facility_cumulative.push(total);
        }
        let start = clock.at(config.from, 0);
        let end = clock.at(config.to, 0);
        let home_zips: Vec<&'static ZipPlace> = tables::zip_places()
            .iter()
            .filter(|p| {
                config
                    .home_zip_prefixes
                    .iter()
                    .any(|pre| p.zip.starts_with(pre.as_str()))
            })
            .collect();
        Ok(Population {
            config,
            clock,
            facilities,
            units,
            clinicians,
            staff,
            facility_cumulative,
            start,
            end,
            home_zips,
        })
    }

    /// The embedded demo population ([`PopulationConfig::demo`]): two hospitals, one month.
    pub fn demo() -> Self {
        Population::new(PopulationConfig::demo()).expect("the demo configuration is valid")
    }

    /// The configuration.
    pub fn config(&self) -> &PopulationConfig {
        &self.config
    }

    /// The facilities.
    pub fn facilities(&self) -> &[Facility] {
        &self.facilities
    }

    /// Every unit of every facility.
    pub fn units(&self) -> &[Unit] {
        &self.units
    }

    /// Every clinician.
    pub fn clinicians(&self) -> &[Clinician] {
        &self.clinicians
    }

    /// Number of households (= configured patients; newborns come on top).
    pub fn household_count(&self) -> u64 {
        self.config.patients
    }

    /// FHIR `dateTime` text of an instant in the facilities' time zone.
    pub fn datetime(&self, secs: i64) -> String {
        self.clock.fhir(secs)
    }

    /// The facilities' local calendar date of an instant (the census day).
    pub fn local_date(&self, secs: i64) -> Date {
        self.clock.date(secs)
    }

    /// Generates household `index` (any index; the same index always gives the same household).
    pub fn household(&self, index: u64) -> Household {
        HouseholdGen::new(self, index).run()
    }

    /// All households in index order, generated lazily.
    pub fn households(&self) -> impl Iterator<Item = Household> + '_ {
        (0..self.config.patients).map(move |i| self.household(i))
    }

    /// All patients (primary patients and newborns) in household order, generated lazily.
    pub fn patients(&self) -> impl Iterator<Item = GeneratedPatient> + '_ {
        self.households().flat_map(|h| h.patients)
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.clock
    }

    fn staff(&self, facility: usize, spec: Specialty) -> &[usize] {
        let i = match spec {
            Specialty::Hospitalist => 0,
            Specialty::Intensivist => 1,
            Specialty::Surgeon => 2,
            Specialty::Obstetrician => 3,
            Specialty::Pediatrician => 4,
            Specialty::Emergency => 5,
            Specialty::Cardiologist => 6,
            Specialty::FamilyMedicine => 7,
        };
        &self.staff[facility][i]
    }

    fn unit_of(&self, facility: usize, kind: UnitKind) -> Option<usize> {
        self.facilities[facility]
            .units
            .iter()
            .copied()
            .find(|&u| self.units[u].config.kind == kind)
    }

    fn facility_with(&self, kind: UnitKind) -> Option<usize> {
        (0..self.facilities.len()).find(|&f| self.unit_of(f, kind).is_some())
    }
}

fn fictional_phone(rng: &mut SynthRng, area: &str) -> String {
    format!("({area}) 555-01{:02}", rng.below(100))
}

fn npi(rng: &mut SynthRng) -> String {
    let mut s = String::from("1");
    rng.digits(8, &mut s);
    // Luhn over "80840" + first nine digits (CMS NPI check digit).
    let full = format!("80840{s}");
    let mut sum = 0;
    for (i, b) in full.bytes().rev().enumerate() {
        let mut d = (b - b'0') as u32;
        if i % 2 == 0 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    let check = (10 - sum % 10) % 10;
    s.push((b'0' + check as u8) as char);
    s
}

fn random_name(rng: &mut SynthRng, sex: Option<Sex>) -> (&'static str, &'static str) {
    let names = tables::names();
    let sex = sex.unwrap_or(if rng.chance(0.5) {
        Sex::Female
    } else {
        Sex::Male
    });
    let list = match sex {
        Sex::Female => &names.female,
        Sex::Male => &names.male,
    };
    let given = list.names[rng.weighted(&list.cumulative)];
    let family = names.surnames.names[rng.weighted(&names.surnames.cumulative)];
    (given, family)
}

/// Medicare Beneficiary Identifier shape (CMS MBI format: 11 characters, positions 2, 5, 8, 9
/// letters excluding S, L, O, I, B, Z).
fn mbi(rng: &mut SynthRng) -> String {
    const L: &[u8] = b"ACDEFGHJKMNPQRTUVWXY";
    const AN: &[u8] = b"0123456789ACDEFGHJKMNPQRTUVWXY";
    let mut s = String::with_capacity(11);
    s.push((b'1' + rng.below(9) as u8) as char);
    s.push(*rng.pick(L) as char);
    s.push(*rng.pick(AN) as char);
    s.push((b'0' + rng.below(10) as u8) as char);
    s.push(*rng.pick(L) as char);
    s.push(*rng.pick(AN) as char);
    s.push((b'0' + rng.below(10) as u8) as char);
    s.push(*rng.pick(L) as char);
    s.push(*rng.pick(L) as char);
    s.push((b'0' + rng.below(10) as u8) as char);
    s.push((b'0' + rng.below(10) as u8) as char);
    s
}

const EMPLOYERS: &[&str] = &[
    "Columbus Metro Transit",
    "Buckeye Logistics",
    "Scioto Valley Schools",
    "Franklin County Public Works",
    "Olentangy Software Group",
    "Hocking Hills Grocers",
    "Central Ohio Steel Fabrication",
];

/// Injective scrambling of a counter into `[0, modulus)` (modulus coprime with the multiplier).
fn scramble(x: u64, multiplier: u64, offset: u64, modulus: u64) -> u64 {
    ((x as u128 * multiplier as u128 + offset as u128) % modulus as u128) as u64
}

struct HouseholdGen<'p> {
    pop: &'p Population,
    rng: SynthRng,
    index: u64,
    encounter_counter: u32,
    newborns: Vec<GeneratedPatient>,
}

/// An encounter under construction: the fixed facts before coding and documents.
struct Skeleton {
    class: EncounterClass,
    facility: usize,
    start: i64,
    end: i64,
    admit_source: &'static str,
    disposition: &'static str,
    units: Vec<UnitStay>,
    attending: usize,
    consultant: Option<usize>,
    newborn: bool,
    delivery: Option<Delivery>,
    death: Option<bool>,
    scenario: Option<&'static Scenario>,
    surgeon: usize,
}

impl Skeleton {
    fn shift(&mut self, delta: i64) {
        self.start += delta;
        self.end += delta;
        for u in &mut self.units {
            u.start += delta;
            u.end += delta;
        }
        if let Some(d) = &mut self.delivery {
            d.time += delta;
        }
    }
}

impl<'p> HouseholdGen<'p> {
    fn new(pop: &'p Population, index: u64) -> Self {
        HouseholdGen {
            pop,
            rng: SynthRng::new(pop.config.seed, index),
            index,
            encounter_counter: 0,
            newborns: Vec::new(),
        }
    }

    fn run(mut self) -> Household {
        let mut patient = self.person(format!("pat-{}", self.index), None, None);
        self.timeline(&mut patient);
        let mut patients = vec![patient];
        patients.append(&mut self.newborns);
        Household {
            index: self.index,
            patients,
        }
    }

    /// Demographics and identifiers. `newborn`: (birth date, mother) for a baby.
    fn person(
        &mut self,
        id: String,
        newborn: Option<(Date, &GeneratedPatient)>,
        force_sex: Option<Sex>,
    ) -> GeneratedPatient {
        let cfg = &self.pop.config;
        let rng = &mut self.rng;
        let sex = force_sex.unwrap_or(if rng.chance(0.52) {
            Sex::Female
        } else {
            Sex::Male
        });
        let birth_date = match newborn {
            Some((d, _)) => d,
            None => {
                let age: i64 = if rng.chance(cfg.stays.over_89) {
                    rng.range(90, 104)
                } else {
                    match rng.weighted(&[12, 42, 70, 100]) {
                        0 => rng.range(0, 17),
                        1 => rng.range(18, 44),
                        2 => rng.range(45, 64),
                        _ => rng.range(65, 89),
                    }
                };
                let days = age * 365 + age / 4 + rng.range(0, 364);
                cfg.from
                    .checked_sub(jiff::Span::new().days(days))
                    .unwrap_or(cfg.from)
            }
        };
        let (given, family) = match newborn {
            Some((_, mother)) => {
                let (g, _) = random_name(rng, Some(sex));
                (g.to_string(), mother.family.clone())
            }
            None => {
                let (g, f) = random_name(rng, Some(sex));
                (g.to_string(), f.to_string())
            }
        };
        let middle = rng.letter();
        let address = match newborn {
            Some((_, mother)) => mother.address.clone(),
            None => {
                let place = if !self.pop.home_zips.is_empty() && rng.chance(cfg.home_share) {
                    *rng.pick(&self.pop.home_zips)
                } else {
                    rng.pick(tables::zip_places())
                };
                Address {
                    line: format!("{} {}", 10 + rng.below(9980), rng.pick(tables::STREETS)),
                    place,
                }
            }
        };
        let phone = match newborn {
            Some((_, mother)) => mother.phone.clone(),
            None => fictional_phone(rng, address.place.area_code),
        };
        let serial = self.index * 8 + self.newborns.len() as u64 + u64::from(newborn.is_some());
        let mrn = scramble(serial, 7919, cfg.seed % 1000, 900_000_000) + 100_000_000;
        let ssn = format!(
            "{}-{:02}-{:04}",
            900 + rng.below(100),
            1 + rng.below(49),
            1 + rng.below(9999)
        );
        let email_user = format!(
            "{}.{}{}",
            given.to_ascii_lowercase(),
            family.to_ascii_lowercase().replace('\'', ""),
            rng.below(100)
        );
        let email = format!(
            "{email_user}@{}",
            rng.pick(&["example.com", "example.net", "example.org"])
        );
        let age_years = age_between(birth_date, cfg.from);
        let payer = if newborn.is_some() {
            // Newborns take the mother's payer.
            newborn.map(|(_, m)| m.payer).unwrap_or(Payer::Commercial)
        } else if age_years >= 65 {
            Payer::Medicare
        } else {
            match rng.weighted(&[60, 85, 100]) {
                0 => Payer::Commercial,
                1 => Payer::Medicaid,
                _ => Payer::SelfPay,
            }
        };
        let member_id = match payer {
            Payer::Medicare => mbi(rng),
            Payer::Medicaid => {
                let mut s = String::from("OH");
                rng.digits(10, &mut s);
                s
            }
            Payer::Commercial => {
                let mut s = String::from("HMH");
                rng.digits(9, &mut s);
                s
            }
            Payer::SelfPay => String::new(),
        };
        let drivers_license = if age_years >= 16 {
            let mut s = String::new();
            s.push(rng.letter());
            s.push(rng.letter());
            rng.digits(6, &mut s);
            s
        } else {
            String::new()
        };
        let (rel_sex, relationship) = match (newborn.is_some(), age_years, sex) {
            (true, _, _) => (Sex::Female, "mother"),
            (_, 0..=17, _) => (Sex::Female, "mother"),
            (_, 18..=64, Sex::Male) => (Sex::Female, "wife"),
            (_, 18..=64, Sex::Female) => (Sex::Male, "husband"),
            (_, _, _) => {
                if rng.chance(0.5) {
                    (Sex::Female, "daughter")
                } else {
                    (Sex::Male, "son")
                }
            }
        };
        let contact = match newborn {
            Some((_, mother)) => Relative {
                relationship,
                given: mother.given.clone(),
                family: mother.family.clone(),
                phone: mother.phone.clone(),
            },
            None => {
                let (g, _) = random_name(rng, Some(rel_sex));
                Relative {
                    relationship,
                    given: g.to_string(),
                    family: family.clone(),
                    phone: fictional_phone(rng, address.place.area_code),
                }
            }
        };
        let employer = if (22..=66).contains(&age_years) && rng.chance(0.7) {
            Some(*rng.pick(EMPLOYERS))
        } else {
            None
        };
        let mrn = if rng.chance(cfg.documentation.patient_identification_missing) {
            None
        } else {
            Some(mrn.to_string())
        };
        GeneratedPatient {
            id,
            household: self.index,
            mrn,
            ssn,
            given,
            middle,
            family,
            sex,
            birth_date,
            address,
            phone,
            email,
            payer,
            member_id,
            drivers_license,
            contact,
            employer,
            deceased: None,
            mother: newborn.map(|(_, m)| m.id.clone()),
            encounters: Vec::new(),
        }
    }

    fn timeline(&mut self, patient: &mut GeneratedPatient) {
        let pop = self.pop;
        let cfg = &pop.config;
        let lead_in = 14 * DAY;
        let mut t =
            pop.start - lead_in + self.rng.below((pop.end - pop.start + lead_in) as u64) as i64;
        let mut next_class: Option<EncounterClass> = None;
        let mut next_facility: Option<usize> = None;
        let mut transfer_in = false;
        let mut readmit = false;
        for _ in 0..12 {
            if t >= pop.end || patient.deceased.is_some() {
                break;
            }
            let class = next_class.take().unwrap_or_else(|| self.class());
            let mut skeleton = self.skeleton(
                patient,
                class,
                t,
                next_facility.take(),
                transfer_in,
                readmit,
            );
            // The skeleton starts at a random time on `t`'s day: never before `t` (the end of
            // the previous encounter plus a gap), so a patient's encounters never overlap. The
            // first encounter is never moved, so every patient has at least one.
            if skeleton.start < t && !patient.encounters.is_empty() {
                let delta = if transfer_in {
                    t - skeleton.start
                } else {
                    (t - skeleton.start + DAY - 1) / DAY * DAY
                };
                skeleton.shift(delta);
            }
            if skeleton.start >= pop.end {
                break;
            }
            transfer_in = false;
            readmit = false;
            let enc = self.finish(patient, skeleton);
            let end = enc.end;
            let disposition = enc.disposition;
            let died = enc.death.is_some();
            let facility = enc.facility;
            if died {
                patient.deceased = Some(end);
            }
            patient.encounters.push(enc);
            if died {
                break;
            }
            if class == EncounterClass::Inpatient && disposition == "hosp" {
                // Transferred to another hospital: admitted there when the population has one.
                if let Some(other) = (0..pop.facilities.len()).find(|&f| f != facility) {
                    next_class = Some(EncounterClass::Inpatient);
                    next_facility = Some(other);
                    transfer_in = true;
                    t = end + HOUR + self.rng.range(0, 2 * HOUR);
                    continue;
                }
            }
            if class == EncounterClass::Inpatient
                && matches!(disposition, "home" | "alt-home" | "snf")
                && self.rng.chance(cfg.stays.readmission_30d)
            {
                next_class = Some(EncounterClass::Inpatient);
                next_facility = Some(facility);
                readmit = true;
                t = end + self.rng.range(DAY, 29 * DAY);
                continue;
            }
            if !self.rng.chance(cfg.encounters.another_encounter) {
                break;
            }
            t = end + self.rng.exponential(40.0 * DAY as f64, 2 * DAY, 200 * DAY);
        }
        self.mark_readmissions(patient);
    }

    fn mark_readmissions(&self, patient: &mut GeneratedPatient) {
        crate::truth::mark_readmissions(patient);
    }

    fn class(&mut self) -> EncounterClass {
        let m = &self.pop.config.encounters;
        let scale = 1_000_000.0;
        let a = (m.inpatient * scale) as u32;
        let b = a + (m.observation * scale) as u32;
        let c = b + (m.emergency * scale) as u32;
        let d = c + (m.outpatient * scale) as u32;
        match self.rng.weighted(&[a, b, c, d.max(1)]) {
            0 => EncounterClass::Inpatient,
            1 => EncounterClass::Observation,
            2 => EncounterClass::Emergency,
            _ => EncounterClass::Outpatient,
        }
    }

    fn pick_facility(&mut self) -> usize {
        self.rng.weighted(&self.pop.facility_cumulative)
    }

    fn pick_scenario(
        &mut self,
        list: &'static [Scenario],
        sex: Sex,
        age: u32,
    ) -> &'static Scenario {
        let mut cumulative = [0u32; 32];
        let mut total = 0;
        for (i, s) in list.iter().enumerate() {
            let fits = (s.min_age as u32..=s.max_age as u32).contains(&age)
                && match s.sex {
                    SexFit::Any => true,
                    SexFit::Female => sex == Sex::Female,
                    SexFit::Male => sex == Sex::Male,
                };
            if fits {
                total += s.weight;
            }
            cumulative[i] = total;
        }
        if total == 0 {
            // No scenario fits (e.g. a 1-year-old and the adult list): the closest by age.
            return list
                .iter()
                .min_by_key(|s| (s.min_age as i64 - age as i64).abs())
                .expect("non-empty list");
        }
        &list[self.rng.weighted(&cumulative[..list.len()])]
    }

    /// Draws the shape of an encounter starting around `t`.
    fn skeleton(
        &mut self,
        patient: &GeneratedPatient,
        class: EncounterClass,
        t: i64,
        facility: Option<usize>,
        transfer_in: bool,
        readmit: bool,
    ) -> Skeleton {
        let pop = self.pop;
        let cfg = &pop.config;
        let clock = &pop.clock;
        let date = clock.date(t);
        let age = patient.age_on(date);
        let mut facility = facility.unwrap_or_else(|| self.pick_facility());
        match class {
            EncounterClass::Inpatient => {
                let delivery = !transfer_in
                    && !readmit
                    && patient.sex == Sex::Female
                    && (18..=42).contains(&age)
                    && self.rng.chance(cfg.stays.delivery);
                if delivery {
                    if let Some(f) = pop
                        .unit_of(facility, UnitKind::Obstetrics)
                        .map(|_| facility)
                        .or_else(|| pop.facility_with(UnitKind::Obstetrics))
                    {
                        if pop.unit_of(f, UnitKind::Nursery).is_some() {
                            return self.delivery_skeleton(f, t);
                        }
                    }
                }
                let scenario = self.pick_scenario(coding::INPATIENT, patient.sex, age);
                let ward_kind = coding::ward_for_age(age);
                let ward = pop
                    .unit_of(facility, ward_kind)
                    .or_else(|| pop.unit_of(facility, UnitKind::MedSurg))
                    .unwrap_or_else(|| {
                        facility = pop.facility_with(UnitKind::MedSurg).unwrap_or(0);
                        pop.unit_of(facility, UnitKind::MedSurg).unwrap_or(0)
                    });
                let elective = scenario.or_share >= 0.9 && scenario.mean_hours <= 70;
                let admit_minute = if elective {
                    self.rng.range(5 * 60 + 30, 7 * 60 + 30)
                } else {
                    self.rng.range(1, 1439)
                };
                let start = clock.off_midnight(clock.at(date, admit_minute));
                let same_day = !transfer_in && self.rng.chance(cfg.stays.same_day);
                let death_p = cfg.stays.death * if age >= 75 { 2.0 } else { 1.0 };
                let death = age >= 18 && !elective && self.rng.chance(death_p.min(1.0));
                let early_death = death && self.rng.chance(cfg.stays.death_under_48h);
                let mut end = if same_day {
                    // Discharged before local midnight of the admission day.
                    let minute = admit_minute + self.rng.range(90, 480);
                    clock.at(date, minute.min(1438).max(admit_minute + 30))
                } else {
                    start
                        + self.rng.exponential(
                            scenario.mean_hours as f64 * HOUR as f64,
                            26 * HOUR,
                            30 * DAY,
                        )
                };
                if death && !same_day {
                    end = if early_death {
                        start + self.rng.range(3 * HOUR, 47 * HOUR)
                    } else {
                        end.max(start + 50 * HOUR)
                    };
                }
                end = clock.off_midnight(end);
                if end <= start {
                    end = start + HOUR;
                }
                // Unit history: ward, or ward → ICU → ward, or ICU → ward.
                let icu = age >= 18
                    && !same_day
                    && end - start > 30 * HOUR
                    && self
                        .rng
                        .chance((cfg.stays.icu * scenario.icu_factor as f64).min(1.0));
                let mut units = Vec::new();
                let icu_unit = pop.unit_of(facility, UnitKind::Icu);
                match (icu, icu_unit) {
                    (true, Some(icu_unit)) => {
                        let len = end - start;
                        let direct = self.rng.chance(0.5);
                        let a = if direct {
                            start
                        } else {
                            clock.off_midnight(start + self.rng.range(2 * HOUR, len / 3))
                        };
                        let b = if death && self.rng.chance(0.7) {
                            end
                        } else {
                            clock.off_midnight(
                                a + self.rng.range(6 * HOUR, ((end - a) * 2 / 3).max(7 * HOUR)),
                            )
                        };
                        if !direct {
                            units.push(self.unit_stay(ward, start, a));
                        }
                        if b >= end - HOUR {
                            units.push(self.unit_stay(icu_unit, a, end));
                        } else {
                            units.push(self.unit_stay(icu_unit, a, b));
                            units.push(self.unit_stay(ward, b, end));
                        }
                    }
                    _ => units.push(self.unit_stay(ward, start, end)),
                }
                let transfer_out = !death
                    && !same_day
                    && pop.facilities.len() > 1
                    && self.rng.chance(cfg.stays.transfer_out);
                let admit_source = if transfer_in {
                    "hosp-trans"
                } else if elective {
                    *self.rng.pick(&["gp", "outp", "mp"])
                } else if age >= 75 && self.rng.chance(0.08) {
                    "nursing"
                } else {
                    match self.rng.weighted(&[70, 82, 90, 96, 100]) {
                        0 => "emd",
                        1 => "gp",
                        2 => "outp",
                        3 => "mp",
                        _ => "other",
                    }
                };
                let disposition = if death {
                    "exp"
                } else if transfer_out {
                    "hosp"
                } else if age >= 75 {
                    match self.rng.weighted(&[55, 77, 92, 96, 100]) {
                        0 => "home",
                        1 => "snf",
                        2 => "alt-home",
                        3 => "rehab",
                        _ => "aadvice",
                    }
                } else {
                    match self.rng.weighted(&[84, 92, 95, 98, 100]) {
                        0 => "home",
                        1 => "alt-home",
                        2 => "aadvice",
                        3 => "rehab",
                        _ => "oth",
                    }
                };
                let attending_spec = if age < 18 {
                    Specialty::Pediatrician
                } else {
                    Specialty::Hospitalist
                };
                let surgical = scenario.or_share > 0.0;
                let attending = if surgical && self.rng.chance(0.6) {
                    *self.rng.pick(pop.staff(facility, Specialty::Surgeon))
                } else {
                    *self.rng.pick(pop.staff(facility, attending_spec))
                };
                let consultant = if self.rng.chance(cfg.stays.consultation) {
                    let spec = if icu {
                        Specialty::Intensivist
                    } else {
                        Specialty::Cardiologist
                    };
                    Some(*self.rng.pick(pop.staff(facility, spec)))
                } else {
                    None
                };
                let surgeon = *self.rng.pick(pop.staff(facility, Specialty::Surgeon));
                let autopsy = death && self.rng.chance(cfg.stays.autopsy);
                Skeleton {
                    class,
                    facility,
                    start,
                    end,
                    admit_source,
                    disposition,
                    units,
                    attending,
                    consultant,
                    newborn: false,
                    delivery: None,
                    death: death.then_some(autopsy),
                    scenario: Some(scenario),
                    surgeon,
                }
            }
            EncounterClass::Observation => {
                let scenario = self.pick_scenario(coding::OBSERVATION, patient.sex, age);
                let start = clock.off_midnight(clock.at(date, self.rng.range(1, 1439)));
                let end = clock.off_midnight(start + self.rng.range(8 * HOUR, 40 * HOUR));
                let ward = pop
                    .unit_of(facility, coding::ward_for_age(age))
                    .or_else(|| pop.unit_of(facility, UnitKind::MedSurg))
                    .unwrap_or(0);
                let units = vec![self.unit_stay(ward, start, end)];
                let attending_spec = if age < 18 {
                    Specialty::Pediatrician
                } else {
                    Specialty::Hospitalist
                };
                let attending = *self.rng.pick(pop.staff(facility, attending_spec));
                Skeleton {
                    class,
                    facility,
                    start,
                    end,
                    admit_source: "emd",
                    disposition: "home",
                    units,
                    attending,
                    consultant: None,
                    newborn: false,
                    delivery: None,
                    death: None,
                    scenario: Some(scenario),
                    surgeon: attending,
                }
            }
            EncounterClass::Emergency | EncounterClass::Outpatient => {
                let list = if class == EncounterClass::Emergency {
                    coding::EMERGENCY
                } else {
                    coding::OUTPATIENT
                };
                let scenario = self.pick_scenario(list, patient.sex, age);
                let minute = if class == EncounterClass::Outpatient {
                    self.rng.range(8 * 60, 16 * 60)
                } else {
                    self.rng.range(1, 1300)
                };
                let start = clock.off_midnight(clock.at(date, minute));
                let hours = scenario.mean_hours.max(1) as i64;
                let end = start + self.rng.range(20 * 60, hours * HOUR + 30 * 60);
                let spec = if class == EncounterClass::Emergency {
                    Specialty::Emergency
                } else if age < 18 {
                    Specialty::Pediatrician
                } else {
                    Specialty::FamilyMedicine
                };
                let attending = *self.rng.pick(pop.staff(facility, spec));
                Skeleton {
                    class,
                    facility,
                    start,
                    end,
                    admit_source: if class == EncounterClass::Emergency {
                        "other"
                    } else {
                        "gp"
                    },
                    disposition: "home",
                    units: Vec::new(),
                    attending,
                    consultant: None,
                    newborn: false,
                    delivery: None,
                    death: None,
                    scenario: Some(scenario),
                    surgeon: attending,
                }
            }
        }
    }

    fn unit_stay(&mut self, unit: usize, start: i64, end: i64) -> UnitStay {
        let beds = self.pop.units[unit]
            .config
            .beds_on(self.pop.clock.date(start))
            .max(1);
        UnitStay {
            unit,
            bed: self.rng.below(beds as u64) as u32,
            start,
            end,
        }
    }

    fn delivery_skeleton(&mut self, facility: usize, t: i64) -> Skeleton {
        let pop = self.pop;
        let cfg = &pop.config;
        let clock = &pop.clock;
        let date = clock.date(t);
        let start = clock.off_midnight(clock.at(date, self.rng.range(1, 1439)));
        let cesarean = self.rng.chance(cfg.stays.cesarean);
        let birth = clock.off_midnight(start + self.rng.range(2 * HOUR, 14 * HOUR));
        let after = if cesarean {
            self.rng.range(60 * HOUR, 96 * HOUR)
        } else {
            self.rng.range(26 * HOUR, 56 * HOUR)
        };
        let end = clock.off_midnight(birth + after);
        let twins = self.rng.chance(cfg.stays.twins);
        let babies = if twins { 2 } else { 1 };
        let mut live = 0u8;
        let mut still = 0u8;
        for _ in 0..babies {
            if self.rng.chance(cfg.stays.stillbirth) {
                still += 1;
            } else {
                live += 1;
            }
        }
        let ob = pop.unit_of(facility, UnitKind::Obstetrics).unwrap_or(0);
        let units = vec![self.unit_stay(ob, start, end)];
        let attending = *self.rng.pick(pop.staff(facility, Specialty::Obstetrician));
        let consultant = if self.rng.chance(cfg.stays.consultation / 3.0) {
            Some(*self.rng.pick(pop.staff(facility, Specialty::Pediatrician)))
        } else {
            None
        };
        Skeleton {
            class: EncounterClass::Inpatient,
            facility,
            start,
            end,
            admit_source: ADMIT_ELECTIVE[self.rng.below(3) as usize],
            disposition: "home",
            units,
            attending,
            consultant,
            newborn: false,
            delivery: Some(Delivery {
                cesarean,
                time: birth,
                live_births: live,
                stillbirths: still,
            }),
            death: None,
            scenario: None,
            surgeon: attending,
        }
    }

    fn newborn_skeleton(&mut self, mother_stay: &Skeleton, delivery: Delivery) -> Skeleton {
        let pop = self.pop;
        let cfg = &pop.config;
        let facility = mother_stay.facility;
        let nursery = pop.unit_of(facility, UnitKind::Nursery).unwrap_or(0);
        let start = delivery.time;
        let death = self.rng.chance(cfg.stays.newborn_death);
        let end = if death {
            pop.clock
                .off_midnight(start + self.rng.range(2 * HOUR, 60 * HOUR))
        } else if self.rng.chance(0.9) {
            mother_stay.end
        } else {
            pop.clock
                .off_midnight(mother_stay.end + self.rng.range(12 * HOUR, 72 * HOUR))
        };
        let units = vec![self.unit_stay(nursery, start, end)];
        let attending = *self.rng.pick(pop.staff(facility, Specialty::Pediatrician));
        let autopsy = death && self.rng.chance(cfg.stays.autopsy);
        Skeleton {
            class: EncounterClass::Inpatient,
            facility,
            start,
            end,
            admit_source: "born",
            disposition: if death { "exp" } else { "home" },
            units,
            attending,
            consultant: None,
            newborn: true,
            delivery: None,
            death: death.then_some(autopsy),
            scenario: None,
            surgeon: attending,
        }
    }

    /// Codes, procedures, documents, charges and injected deficiencies of a skeleton; births.
    fn finish(&mut self, patient: &mut GeneratedPatient, sk: Skeleton) -> GeneratedEncounter {
        self.encounter_counter += 1;
        let n = self.encounter_counter;
        let id = format!("enc-{}-{}", patient_slug(&patient.id), n);
        let serial = (self.index << 8) | (n as u64 & 0x7f);
        let account = format!(
            "A{:010}",
            scramble(
                serial,
                2_654_435_761,
                self.pop.config.seed % 100_000,
                10_000_000_000
            )
        );
        let mut enc = GeneratedEncounter {
            id,
            account,
            facility: sk.facility,
            class: sk.class,
            start: sk.start,
            end: sk.end,
            admit_source: sk.admit_source,
            admit_source_recorded: true,
            disposition: sk.disposition,
            disposition_recorded: true,
            units: sk.units.clone(),
            attending: Some(sk.attending),
            consultant: sk.consultant,
            newborn: sk.newborn,
            delivery: sk.delivery,
            death: sk.death,
            diagnoses: Vec::new(),
            procedures: Vec::new(),
            notes: Vec::new(),
            charges: Vec::new(),
            readmission: false,
            hospital_infection: false,
            deficiencies: Vec::new(),
        };
        let age = patient.age_on(self.pop.clock.date(sk.start));
        self.code(patient, &mut enc, &sk, age);
        self.charge(&mut enc);
        if enc.is_inpatient() {
            self.inject_encounter_gaps(&mut enc);
        }
        notes::write_notes(self.pop, &mut self.rng, patient, &mut enc, &sk_context(&sk));
        if enc.is_inpatient() {
            self.inject_document_gaps(&mut enc);
            enc.deficiencies = crate::truth::evaluate(self.pop, patient, &enc);
        }
        // Newborns of a delivery.
        if let Some(d) = enc.delivery {
            for b in 0..d.live_births {
                let nb_id = format!("{}-nb{}", patient.id, self.newborns.len() + 1);
                let sex = if self.rng.chance(0.51) {
                    Sex::Male
                } else {
                    Sex::Female
                };
                let birth_date = self.pop.clock.date(d.time);
                let mut baby = self.person(nb_id, Some((birth_date, patient)), Some(sex));
                let nsk = self.newborn_skeleton(&sk, d);
                let saved = self.encounter_counter;
                self.encounter_counter = 0;
                let twin = d.live_births + d.stillbirths > 1;
                let nenc = self.finish_newborn(&mut baby, nsk, d.cesarean, twin, b);
                self.encounter_counter = saved;
                if nenc.death.is_some() {
                    baby.deceased = Some(nenc.end);
                }
                baby.encounters.push(nenc);
                self.newborns.push(baby);
            }
        }
        enc
    }

    fn finish_newborn(
        &mut self,
        baby: &mut GeneratedPatient,
        sk: Skeleton,
        cesarean: bool,
        twin: bool,
        _order: u8,
    ) -> GeneratedEncounter {
        let mut sk = sk;
        sk.scenario = None;
        let mut enc = self.finish_inner(baby, sk, Some((cesarean, twin)));
        enc.deficiencies = crate::truth::evaluate(self.pop, baby, &enc);
        enc
    }

    fn finish_inner(
        &mut self,
        patient: &mut GeneratedPatient,
        sk: Skeleton,
        newborn: Option<(bool, bool)>,
    ) -> GeneratedEncounter {
        self.encounter_counter += 1;
        let n = self.encounter_counter;
        let id = format!("enc-{}-{}", patient_slug(&patient.id), n);
        let serial =
            (self.index << 8) | 0x80 | ((self.newborns.len() as u64 & 0x7) << 4) | (n as u64 & 0xf);
        let account = format!(
            "A{:010}",
            scramble(
                serial,
                2_654_435_761,
                self.pop.config.seed % 100_000,
                10_000_000_000
            )
        );
        let mut enc = GeneratedEncounter {
            id,
            account,
            facility: sk.facility,
            class: sk.class,
            start: sk.start,
            end: sk.end,
            admit_source: sk.admit_source,
            admit_source_recorded: true,
            disposition: sk.disposition,
            disposition_recorded: true,
            units: sk.units.clone(),
            attending: Some(sk.attending),
            consultant: sk.consultant,
            newborn: sk.newborn,
            delivery: None,
            death: sk.death,
            diagnoses: Vec::new(),
            procedures: Vec::new(),
            notes: Vec::new(),
            charges: Vec::new(),
            readmission: false,
            hospital_infection: false,
            deficiencies: Vec::new(),
        };
        if let Some((cesarean, twin)) = newborn {
            self.code_newborn(patient, &mut enc, cesarean, twin);
        }
        self.charge(&mut enc);
        self.inject_encounter_gaps(&mut enc);
        notes::write_notes(self.pop, &mut self.rng, patient, &mut enc, &sk_context(&sk));
        self.inject_document_gaps(&mut enc);
        enc
    }

    fn code_newborn(
        &mut self,
        patient: &GeneratedPatient,
        enc: &mut GeneratedEncounter,
        cesarean: bool,
        twin: bool,
    ) {
        let principal = if twin {
            coding::newborn::TWIN[cesarean as usize]
        } else {
            coding::newborn::SINGLE[cesarean as usize]
        };
        enc.diagnoses.push(CodedDiagnosis {
            code: principal,
            principal: true,
            poa: None,
        });
        if self.rng.chance(0.25) {
            let c = *self.rng.pick(coding::newborn::SECONDARIES);
            enc.diagnoses.push(CodedDiagnosis {
                code: c,
                principal: false,
                poa: Some(Poa::Y),
            });
        }
        let performer = enc.attending.unwrap_or(0);
        if self.rng.chance(0.8) {
            let t = self
                .pop
                .clock
                .off_midnight(enc.start + self.rng.range(HOUR, 12 * HOUR))
                .min(enc.end);
            self.add_procedure(enc, "3E0234Z", t, performer, false);
        }
        if patient.sex == Sex::Male && self.rng.chance(0.5) && enc.end - enc.start > 20 * HOUR {
            let t = enc.end - self.rng.range(2 * HOUR, 6 * HOUR);
            self.add_procedure(enc, "0VTTXZZ", t, performer, false);
        }
        self.inject_coding_errors(patient, enc, 0);
    }

    fn add_procedure(
        &mut self,
        enc: &mut GeneratedEncounter,
        code: &'static str,
        start: i64,
        performer: usize,
        operative: bool,
    ) {
        let id = format!(
            "proc-{}-{}",
            enc.id.trim_start_matches("enc-"),
            enc.procedures.len() + 1
        );
        let end = start
            + if operative {
                self.rng.range(45 * 60, 4 * HOUR)
            } else {
                self.rng.range(10 * 60, HOUR)
            };
        enc.procedures.push(CodedProcedure {
            id,
            code,
            start,
            end: end.min(enc.end.max(start)),
            operative,
            performer,
            consent: None,
        });
    }

    fn code(
        &mut self,
        patient: &GeneratedPatient,
        enc: &mut GeneratedEncounter,
        sk: &Skeleton,
        age: u32,
    ) {
        let cfg = &self.pop.config;
        if let Some(d) = sk.delivery {
            let list = if d.cesarean {
                coding::delivery::CESAREAN_PRINCIPAL
            } else {
                coding::delivery::VAGINAL_PRINCIPAL
            };
            let principal = *self.rng.pick(list);
            enc.diagnoses.push(CodedDiagnosis {
                code: principal,
                principal: true,
                poa: Some(Poa::Y),
            });
            let outcome = match (d.live_births, d.stillbirths) {
                (1, 0) => "Z37.0",
                (0, 1) => "Z37.1",
                (2, 0) => "Z37.2",
                (1, 1) => "Z37.3",
                _ => "Z37.0",
            };
            enc.diagnoses.push(CodedDiagnosis {
                code: outcome,
                principal: false,
                poa: None,
            });
            let weeks = *self.rng.pick(coding::delivery::WEEKS);
            enc.diagnoses.push(CodedDiagnosis {
                code: weeks,
                principal: false,
                poa: None,
            });
            let ob = enc.attending.unwrap_or(0);
            if d.cesarean {
                self.add_procedure(
                    enc,
                    coding::delivery::CESAREAN_PCS,
                    d.time - 30 * 60,
                    ob,
                    true,
                );
            } else {
                let code = if self.rng.chance(0.06) {
                    "10D07Z3"
                } else {
                    "10E0XZZ"
                };
                self.add_procedure(enc, code, d.time - 20 * 60, ob, false);
                if self.rng.chance(0.2) {
                    let (dx, pcs) = coding::delivery::LACERATION;
                    enc.diagnoses.push(CodedDiagnosis {
                        code: dx,
                        principal: false,
                        poa: Some(Poa::N),
                    });
                    self.add_procedure(enc, pcs, d.time + 10 * 60, ob, false);
                }
            }
            self.consents(enc);
            self.inject_coding_errors(patient, enc, age);
            return;
        }
        let Some(s) = sk.scenario else { return };
        let principal = *self.rng.pick(s.principal);
        enc.diagnoses.push(CodedDiagnosis {
            code: principal,
            principal: true,
            poa: Some(Poa::Y),
        });
        if enc.class != EncounterClass::Inpatient {
            for c in s.secondaries {
                if self.rng.chance(0.5) {
                    push_secondary(enc, c, Some(Poa::Y));
                }
            }
            if enc.class == EncounterClass::Observation && age >= 35 {
                let k = self.rng.below(3);
                for _ in 0..k {
                    let (c, min_age) = *self.rng.pick(coding::COMORBIDITIES);
                    if age >= min_age as u32 {
                        push_secondary(enc, c, Some(Poa::Y));
                    }
                }
            }
            return;
        }
        for c in s.secondaries {
            if self.rng.chance(0.5) {
                let poa = if *c == "D62" && s.or_share > 0.0 {
                    Poa::N
                } else {
                    Poa::Y
                };
                let poa = if coding::poa_exempt(c) {
                    None
                } else {
                    Some(poa)
                };
                push_secondary(enc, c, poa);
            }
        }
        if age >= 18 {
            let k = match age {
                18..=44 => self.rng.below(3),
                45..=64 => self.rng.below(5),
                _ => 1 + self.rng.below(6),
            };
            for _ in 0..k {
                let (c, min_age) = *self.rng.pick(coding::COMORBIDITIES);
                if age >= min_age as u32 {
                    let poa = if self.rng.chance(0.02) {
                        Poa::U
                    } else if self.rng.chance(0.01) {
                        Poa::W
                    } else {
                        Poa::Y
                    };
                    push_secondary(enc, c, Some(poa));
                }
            }
        }
        if self.rng.chance(cfg.stays.hospital_infection) && enc.end - enc.start > 48 * HOUR {
            let c = *self.rng.pick(coding::HOSPITAL_INFECTIONS);
            if push_secondary(enc, c, Some(Poa::N)) {
                enc.hospital_infection = true;
            }
        }
        if enc.death.is_some() && self.rng.chance(0.5) {
            push_secondary(enc, "Z66", Some(Poa::Y));
        }
        // Procedures: at most one operating-room procedure per stay.
        if !s.or_procedures.is_empty() && self.rng.chance(s.or_share as f64) {
            let code = *self.rng.pick(s.or_procedures);
            let elective = s.or_share >= 0.9 && s.mean_hours <= 70;
            let len = enc.end - enc.start;
            let offset = if elective {
                self.rng.range(90 * 60, 4 * HOUR)
            } else {
                self.rng.range(3 * HOUR, (len / 2).max(4 * HOUR))
            };
            let t = self
                .pop
                .clock
                .off_midnight(enc.start + offset.min(len.max(2 * HOUR) - HOUR));
            self.add_procedure(enc, code, t, sk.surgeon, coding::is_operating_room(code));
        }
        for code in s.other_procedures {
            if self.rng.chance(0.4) {
                let len = (enc.end - enc.start).max(2 * HOUR);
                let t = self
                    .pop
                    .clock
                    .off_midnight(enc.start + self.rng.range(HOUR, len - HOUR));
                let performer = enc.attending.unwrap_or(sk.attending);
                self.add_procedure(enc, code, t, performer, coding::is_operating_room(code));
            }
        }
        enc.procedures.sort_by_key(|p| p.start);
        self.consents(enc);
        self.inject_coding_errors(patient, enc, age);
    }

    /// Consents for operating-room procedures (signed 1–3 hours before, some missing).
    fn consents(&mut self, enc: &mut GeneratedEncounter) {
        let rate = self.pop.config.documentation.consent_missing;
        let enc_id = enc.id.trim_start_matches("enc-").to_string();
        let start = enc.start;
        for (i, p) in enc.procedures.iter_mut().enumerate() {
            if p.operative && !self.rng.chance(rate) {
                let t = (p.start - self.rng.range(HOUR, 3 * HOUR)).max(start);
                p.consent = Some((format!("consent-{enc_id}-{}", i + 1), t));
            }
        }
    }

    fn inject_coding_errors(
        &mut self,
        patient: &GeneratedPatient,
        enc: &mut GeneratedEncounter,
        age: u32,
    ) {
        if enc.class != EncounterClass::Inpatient || enc.diagnoses.is_empty() {
            return;
        }
        let c = self.pop.config.coding.clone();
        if self.rng.chance(c.principal_missing) {
            enc.diagnoses.clear();
            return;
        }
        if self.rng.chance(c.header) {
            if let Some(h) = coding::header_of(enc.diagnoses[0].code) {
                enc.diagnoses[0].code = h;
            } else {
                push_secondary(enc, "E11", Some(Poa::Y));
            }
        }
        if self.rng.chance(c.manifestation_principal) {
            let m = *self.rng.pick(coding::MANIFESTATIONS);
            let old = enc.diagnoses[0].code;
            enc.diagnoses[0].code = m;
            enc.diagnoses[0].poa = Some(Poa::Y);
            if old != m {
                push_secondary(
                    enc,
                    old,
                    if coding::poa_exempt(old) {
                        None
                    } else {
                        Some(Poa::Y)
                    },
                );
            }
        }
        if self.rng.chance(c.invalid) {
            let code = *self.rng.pick(coding::INVALID_CODES);
            push_secondary(enc, code, Some(Poa::Y));
        }
        if self.rng.chance(c.sex_conflict) {
            let list = match patient.sex {
                Sex::Male => coding::FEMALE_ONLY,
                Sex::Female => coding::MALE_ONLY,
            };
            let code = *self.rng.pick(list);
            push_secondary(enc, code, Some(Poa::Y));
        }
        if age >= 18 && self.rng.chance(c.age_conflict) {
            let code = *self.rng.pick(coding::NEWBORN_ONLY);
            push_secondary(enc, code, Some(Poa::Y));
        }
        if self.rng.chance(c.poa_missing) {
            let candidates: Vec<usize> = enc
                .diagnoses
                .iter()
                .enumerate()
                .filter(|(_, d)| d.poa.is_some() && !coding::poa_exempt(d.code))
                .map(|(i, _)| i)
                .collect();
            if !candidates.is_empty() {
                let i = *self.rng.pick(&candidates);
                if enc.diagnoses[i].poa == Some(Poa::N) {
                    enc.hospital_infection = false;
                }
                enc.diagnoses[i].poa = None;
            }
        }
    }

    fn inject_encounter_gaps(&mut self, enc: &mut GeneratedEncounter) {
        let d = &self.pop.config.documentation;
        let (a, s, p) = (
            d.attending_missing,
            d.admit_source_missing,
            d.disposition_missing,
        );
        if self.rng.chance(a) {
            enc.attending = None;
        }
        if self.rng.chance(s) {
            enc.admit_source_recorded = false;
        }
        if self.rng.chance(p) {
            enc.disposition_recorded = false;
        }
    }

    fn inject_document_gaps(&mut self, enc: &mut GeneratedEncounter) {
        let d = self.pop.config.documentation.clone();
        for note in &mut enc.notes {
            if self.rng.chance(d.unsigned) {
                note.authenticator = None;
            }
            if self.rng.chance(d.not_final) {
                note.is_final = false;
            }
        }
    }

    fn charge(&mut self, enc: &mut GeneratedEncounter) {
        let pop = self.pop;
        let mut lines = Vec::new();
        match enc.class {
            EncounterClass::Inpatient => {
                for u in &enc.units {
                    let days = ((u.end - u.start + DAY / 2) / DAY).max(1) as u32;
                    let (code, desc, rate) = match pop.units[u.unit].config.kind {
                        UnitKind::Icu => ("0200", "Intensive care", 6_500_00),
                        UnitKind::Nursery => ("0170", "Nursery", 1_200_00),
                        UnitKind::Obstetrics => ("0112", "Room and board, obstetrics", 2_600_00),
                        UnitKind::Pediatrics => ("0113", "Room and board, pediatric", 2_500_00),
                        UnitKind::MedSurg => ("0120", "Room and board, semi-private", 2_400_00),
                    };
                    lines.push(ChargeLine {
                        revenue_code: code,
                        description: desc,
                        quantity: days,
                        net_cents: rate * days as i64,
                    });
                }
                if enc.delivery.is_some() {
                    lines.push(ChargeLine {
                        revenue_code: "0720",
                        description: "Labor and delivery",
                        quantity: 1,
                        net_cents: 4_000_00 + self.rng.range(0, 2_000_00),
                    });
                }
                lines.push(ChargeLine {
                    revenue_code: "0250",
                    description: "Pharmacy",
                    quantity: 1,
                    net_cents: self.rng.range(300_00, 9_000_00),
                });
                lines.push(ChargeLine {
                    revenue_code: "0300",
                    description: "Laboratory",
                    quantity: 1,
                    net_cents: self.rng.range(200_00, 4_000_00),
                });
            }
            EncounterClass::Observation => {
                let hours = ((enc.end - enc.start) / HOUR).max(1) as u32;
                lines.push(ChargeLine {
                    revenue_code: "0762",
                    description: "Observation room",
                    quantity: hours,
                    net_cents: 150_00 * hours as i64,
                });
                lines.push(ChargeLine {
                    revenue_code: "0300",
                    description: "Laboratory",
                    quantity: 1,
                    net_cents: self.rng.range(100_00, 1_500_00),
                });
            }
            EncounterClass::Emergency => {
                lines.push(ChargeLine {
                    revenue_code: "0450",
                    description: "Emergency room",
                    quantity: 1,
                    net_cents: self.rng.range(600_00, 3_500_00),
                });
            }
            EncounterClass::Outpatient => {
                lines.push(ChargeLine {
                    revenue_code: "0510",
                    description: "Clinic",
                    quantity: 1,
                    net_cents: self.rng.range(120_00, 450_00),
                });
            }
        }
        for p in &enc.procedures {
            if p.operative {
                lines.push(ChargeLine {
                    revenue_code: "0360",
                    description: "Operating room services",
                    quantity: 1,
                    net_cents: self.rng.range(6_000_00, 28_000_00),
                });
            }
        }
        enc.charges = lines;
    }
}

fn push_secondary(enc: &mut GeneratedEncounter, code: &'static str, poa: Option<Poa>) -> bool {
    let cat = &code[..3];
    let clash = enc.diagnoses.iter().any(|d| {
        d.code == code
            || (d.code.len() >= 3 && &d.code[..3] == cat && code.len() > 3 && d.code.len() > 3)
            || conflicts(d.code, code)
            || conflicts(code, d.code)
    });
    if clash {
        return false;
    }
    enc.diagnoses.push(CodedDiagnosis {
        code,
        principal: false,
        poa,
    });
    true
}

/// Pairs the generator never codes together (ICD-10-CM Excludes1 notes and combination-code
/// conventions it knows of; an approximation).
fn conflicts(a: &str, b: &str) -> bool {
    (a == "I10" && (b.starts_with("I11") || b.starts_with("I12") || b.starts_with("I13")))
        || (a == "Z87.891" && b.starts_with("F17.2"))
        || (a == "D64.9" && (b == "D62" || b == "D63.1"))
        || (a == "N39.0" && b.starts_with("T80.21"))
}

fn patient_slug(id: &str) -> &str {
    id.trim_start_matches("pat-")
}

/// What the note writer needs from a skeleton.
pub(crate) struct NoteContext {
    pub phrase: &'static str,
    pub scenario_title: &'static str,
    /// The attending as drawn (authors notes even when the encounter lost its attending).
    pub attending: usize,
}

fn sk_context(sk: &Skeleton) -> NoteContext {
    match (sk.scenario, sk.delivery, sk.newborn) {
        (Some(s), _, _) => NoteContext {
            phrase: s.phrase,
            scenario_title: s.title,
            attending: sk.attending,
        },
        (None, Some(d), _) => NoteContext {
            phrase: if d.cesarean {
                "labor at term, delivered by low transverse cesarean section"
            } else {
                "labor at term, delivered vaginally"
            },
            scenario_title: "Delivery",
            attending: sk.attending,
        },
        _ => NoteContext {
            phrase: "term newborn, routine newborn care",
            scenario_title: "Newborn",
            attending: sk.attending,
        },
    }
}

const ADMIT_ELECTIVE: [&str; 3] = ["gp", "emd", "outp"];
