//! Writing a population to disk: records (a Bundle per patient, or NDJSON per resource type in
//! the FHIR Bulk Data layout) and the ground truth as JSON beside them, atomically.
//!
//! Layout of the output directory:
//!
//! ```text
//! OUT/
//!   Patient.ndjson, Encounter.ndjson, Claim.ndjson …   (layout ndjson; one resource per line)
//!   bundles/pat-0.json, bundles/pat-0-nb1.json …       (layout bundle; one collection Bundle each)
//!   bundles/facilities.json                            (layout bundle; Organizations, Locations, Practitioners)
//!   truth/summary.json        Truth: period counts per facility and the daily census per unit
//!   truth/census_daily.ndjson one line per unit and day: the `medrec stats --daily` fields
//!   truth/deficiencies.ndjson one line per inpatient encounter: its expected deficiencies
//!   truth/phi.ndjson          one line per note: its PHI spans (start, end, kind, subject, text)
//!   truth/encounters.ndjson   one line per encounter: the facts statistics are computed from
//!   truth/beds.csv            unit, facility, beds, from (bed counts and their changes)
//!   truth/config.toml         the configuration that generated everything
//! ```
//!
//! Everything is written into a hidden staging directory beside `OUT` and renamed into place at
//! the end, so `OUT` either appears complete or not at all. Memory stays bounded by one
//! household plus the truth accumulator (units × days).

use crate::plan::{EncounterClass, GeneratedPatient, Population};
use crate::truth::TruthBuilder;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};

/// How records are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layout {
    /// One `collection` Bundle per patient under `bundles/`.
    Bundle,
    /// One NDJSON file per resource type (FHIR Bulk Data export layout).
    #[default]
    Ndjson,
}

/// Why writing a population failed.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct WriteError {
    kind: WriteErrorKind,
    path: PathBuf,
    message: String,
}

/// What kind of problem a [`WriteError`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum WriteErrorKind {
    /// The output directory exists and is not empty.
    NotEmpty,
    /// Reading or writing a file failed.
    Io,
    /// The progress callback asked to stop (e.g. on Ctrl-C); the staging directory was removed
    /// and nothing was published.
    Interrupted,
}

impl WriteError {
    /// What kind of problem this is.
    pub fn kind(&self) -> WriteErrorKind {
        self.kind
    }

    /// The path concerned.
    pub fn path(&self) -> &Path {
        &self.path
    }

    fn io(path: &Path, e: io::Error) -> Self {
        WriteError {
            kind: WriteErrorKind::Io,
            path: path.to_path_buf(),
            message: e.to_string(),
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct WriteSummary {
    /// Patients written (newborns included).
    pub patients: u64,
    /// Encounters.
    pub encounters: u64,
    /// Resources, by type.
    pub resources: BTreeMap<String, u64>,
    /// Files written (records and truth).
    pub files: u64,
}

struct Stage {
    root: PathBuf,
    files: u64,
}

impl Stage {
    fn create(&mut self, rel: &str) -> Result<BufWriter<File>, WriteError> {
        let path = self.root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| WriteError::io(dir, e))?;
        }
        self.files += 1;
        File::create(&path)
            .map(|f| BufWriter::with_capacity(1 << 16, f))
            .map_err(|e| WriteError::io(&path, e))
    }
}

fn finish(mut w: BufWriter<File>, path: &Path) -> Result<(), WriteError> {
    w.flush().map_err(|e| WriteError::io(path, e))?;
    let f = w
        .into_inner()
        .map_err(|e| WriteError::io(path, e.into_error()))?;
    f.sync_all().map_err(|e| WriteError::io(path, e))
}

fn line<T: Serialize>(w: &mut impl Write, value: &T, path: &Path) -> Result<(), WriteError> {
    serde_json::to_writer(&mut *w, value).map_err(|e| WriteError::io(path, e.into()))?;
    w.write_all(b"\n").map_err(|e| WriteError::io(path, e))
}

/// Progress callback: called with the number of households done; returning
/// [`ControlFlow::Break`] stops the write, removes the staging directory and returns a
/// [`WriteErrorKind::Interrupted`] error, so nothing half-written is ever published.
pub type Progress<'a> = &'a mut dyn FnMut(u64) -> ControlFlow<()>;

impl Population {
    /// Writes the population and its truth into `out` (created; must be absent or empty).
    pub fn write_to(&self, out: &Path, layout: Layout) -> Result<WriteSummary, WriteError> {
        self.write_to_with_progress(out, layout, &mut |_| ControlFlow::Continue(()))
    }

    /// [`write_to`](Self::write_to) with a progress callback (households done).
    pub fn write_to_with_progress(
        &self,
        out: &Path,
        layout: Layout,
        progress: Progress<'_>,
    ) -> Result<WriteSummary, WriteError> {
        if let Ok(mut entries) = std::fs::read_dir(out) {
            if entries.next().is_some() {
                return Err(WriteError {
                    kind: WriteErrorKind::NotEmpty,
                    path: out.to_path_buf(),
                    message: "the output directory exists and is not empty".into(),
                });
            }
        } else if out.exists() {
            return Err(WriteError {
                kind: WriteErrorKind::NotEmpty,
                path: out.to_path_buf(),
                message: "exists and is not a directory".into(),
            });
        }
        let parent = match out.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        std::fs::create_dir_all(&parent).map_err(|e| WriteError::io(&parent, e))?;
        let staging = tempfile::Builder::new()
            .prefix(".medrec-synth-")
            .tempdir_in(&parent)
            .map_err(|e| WriteError::io(&parent, e))?;
        let mut stage = Stage {
            root: staging.path().to_path_buf(),
            files: 0,
        };
        let summary = self.write_stage(&mut stage, layout, progress)?;
        // Publish: replace an empty target directory by the staging directory.
        if out.is_dir() {
            std::fs::remove_dir(out).map_err(|e| WriteError::io(out, e))?;
        }
        let kept = staging.keep();
        std::fs::rename(&kept, out).map_err(|e| {
            let _ = std::fs::remove_dir_all(&kept);
            WriteError::io(out, e)
        })?;
        Ok(summary)
    }

    fn write_stage(
        &self,
        stage: &mut Stage,
        layout: Layout,
        progress: Progress<'_>,
    ) -> Result<WriteSummary, WriteError> {
        let mut summary = WriteSummary::default();
        let mut ndjson: BTreeMap<String, (PathBuf, BufWriter<File>)> = BTreeMap::new();
        let mut record = |stage: &mut Stage,
                          summary: &mut WriteSummary,
                          r: &medrec_model::Resource|
         -> Result<(), WriteError> {
            let kind = r.resource_type().to_string();
            *summary.resources.entry(kind.clone()).or_default() += 1;
            if !ndjson.contains_key(&kind) {
                let rel = format!("{kind}.ndjson");
                let w = stage.create(&rel)?;
                ndjson.insert(kind.clone(), (stage.root.join(rel), w));
            }
            let (path, w) = ndjson.get_mut(&kind).expect("inserted");
            line(w, r, path)
        };
        match layout {
            Layout::Ndjson => {
                for r in self.facility_resources() {
                    record(stage, &mut summary, &r)?;
                }
            }
            Layout::Bundle => {
                let resources = self.facility_resources();
                for r in &resources {
                    *summary
                        .resources
                        .entry(r.resource_type().to_string())
                        .or_default() += 1;
                }
                let bundle = medrec_model::resources::Bundle {
                    id: Some("facilities".into()),
                    type_: Some("collection".into()),
                    entry: resources
                        .into_iter()
                        .map(|r| medrec_model::resources::BundleEntry {
                            full_url: Some(format!(
                                "{}/{}/{}",
                                crate::fhir::FULL_URL_BASE,
                                r.resource_type(),
                                r.id().unwrap_or("")
                            )),
                            resource: Some(r),
                            ..Default::default()
                        })
                        .collect(),
                    ..Default::default()
                };
                let rel = "bundles/facilities.json";
                let path = stage.root.join(rel);
                let mut w = stage.create(rel)?;
                line(&mut w, &medrec_model::Resource::from(bundle), &path)?;
                finish(w, &path)?;
            }
        }
        let truth_dir = "truth";
        let open =
            |stage: &mut Stage, name: &str| -> Result<(PathBuf, BufWriter<File>), WriteError> {
                let rel = format!("{truth_dir}/{name}");
                let w = stage.create(&rel)?;
                Ok((stage.root.join(rel), w))
            };
        let (def_path, mut deficiencies) = open(stage, "deficiencies.ndjson")?;
        let (phi_path, mut phi) = open(stage, "phi.ndjson")?;
        let (enc_path, mut encounters) = open(stage, "encounters.ndjson")?;
        let mut truth = TruthBuilder::new(self);
        for (done, household) in self.households().enumerate() {
            truth.add(&household);
            for patient in &household.patients {
                summary.patients += 1;
                summary.encounters += patient.encounters.len() as u64;
                match layout {
                    Layout::Ndjson => {
                        for r in self.patient_resources(patient) {
                            record(stage, &mut summary, &r)?;
                        }
                    }
                    Layout::Bundle => {
                        let bundle = self.patient_bundle(patient);
                        for e in &bundle.entry {
                            if let Some(r) = &e.resource {
                                *summary
                                    .resources
                                    .entry(r.resource_type().to_string())
                                    .or_default() += 1;
                            }
                        }
                        let rel = format!("bundles/{}.json", patient.id);
                        let path = stage.root.join(&rel);
                        let mut w = stage.create(&rel)?;
                        line(&mut w, &medrec_model::Resource::from(bundle), &path)?;
                        finish(w, &path)?;
                    }
                }
                self.write_patient_truth(
                    patient,
                    &mut deficiencies,
                    &def_path,
                    &mut phi,
                    &phi_path,
                    &mut encounters,
                    &enc_path,
                )?;
            }
            if progress(done as u64 + 1).is_break() {
                return Err(WriteError {
                    kind: WriteErrorKind::Interrupted,
                    path: stage.root.clone(),
                    message: "interrupted; the staging directory is removed".into(),
                });
            }
        }
        for (_, (path, w)) in ndjson {
            finish(w, &path)?;
        }
        finish(deficiencies, &def_path)?;
        finish(phi, &phi_path)?;
        finish(encounters, &enc_path)?;
        let truth = truth.finish();
        let (path, mut w) = open(stage, "summary.json")?;
        serde_json::to_writer_pretty(&mut w, &truth)
            .map_err(|e| WriteError::io(&path, e.into()))?;
        w.write_all(b"\n").map_err(|e| WriteError::io(&path, e))?;
        finish(w, &path)?;
        let (path, mut w) = open(stage, "census_daily.ndjson")?;
        for u in &truth.census {
            for d in &u.days {
                line(
                    &mut w,
                    &DailyRow {
                        date: d.date.map(|d| d.to_string()).unwrap_or_default(),
                        facility: &u.facility,
                        unit: &u.unit,
                        census: d.census,
                        admissions: d.admissions,
                        discharges: d.discharges,
                        deaths: d.deaths,
                        transfers_in: d.transfers_in,
                        transfers_out: d.transfers_out,
                        same_day: d.same_day,
                        inpatient_service_days: d.inpatient_service_days,
                        beds: d.beds,
                    },
                    &path,
                )?;
            }
        }
        finish(w, &path)?;
        let (path, mut w) = open(stage, "beds.csv")?;
        let mut text = String::from("unit,facility,beds,from\n");
        for u in self.units() {
            let fac = &self.facilities()[u.facility].id;
            text.push_str(&format!(
                "{},{fac},{},{}\n",
                u.config.id,
                u.config.beds,
                self.config().from
            ));
            for c in &u.config.bed_changes {
                text.push_str(&format!("{},{fac},{},{}\n", u.config.id, c.beds, c.from));
            }
        }
        w.write_all(text.as_bytes())
            .map_err(|e| WriteError::io(&path, e))?;
        finish(w, &path)?;
        let (path, mut w) = open(stage, "config.toml")?;
        w.write_all(self.config().to_toml().as_bytes())
            .map_err(|e| WriteError::io(&path, e))?;
        finish(w, &path)?;
        summary.files = stage.files;
        Ok(summary)
    }

    #[allow(clippy::too_many_arguments)]
    fn write_patient_truth(
        &self,
        patient: &GeneratedPatient,
        deficiencies: &mut impl Write,
        def_path: &Path,
        phi: &mut impl Write,
        phi_path: &Path,
        encounters: &mut impl Write,
        enc_path: &Path,
    ) -> Result<(), WriteError> {
        for e in &patient.encounters {
            if e.class == EncounterClass::Inpatient {
                line(
                    deficiencies,
                    &DeficiencyLine {
                        patient: &patient.id,
                        encounter: &e.id,
                        deficiencies: &e.deficiencies,
                    },
                    def_path,
                )?;
            }
            for n in &e.notes {
                line(
                    phi,
                    &PhiLine {
                        document: &n.id,
                        patient: &patient.id,
                        encounter: &e.id,
                        spans: n
                            .phi
                            .iter()
                            .map(|s| PhiSpanLine {
                                start: s.start,
                                end: s.end,
                                kind: s.kind.as_str(),
                                subject: s.subject,
                                text: s.text(&n.text),
                            })
                            .collect(),
                    },
                    phi_path,
                )?;
            }
            line(encounters, &self.encounter_line(patient, e), enc_path)?;
        }
        Ok(())
    }

    fn encounter_line<'a>(
        &self,
        p: &'a GeneratedPatient,
        e: &'a crate::GeneratedEncounter,
    ) -> EncounterLine<'a> {
        EncounterLine {
            encounter: &e.id,
            patient: &p.id,
            facility: self.facilities()[e.facility].id.clone(),
            class: e.class.code(),
            start: self.datetime(e.start),
            end: self.datetime(e.end),
            admit_source: e.admit_source,
            disposition: e.disposition,
            newborn: e.newborn,
            units: e
                .units
                .iter()
                .map(|u| UnitLine {
                    unit: self.units()[u.unit].config.id.clone(),
                    start: self.datetime(u.start),
                    end: self.datetime(u.end),
                })
                .collect(),
            death: e.death.is_some(),
            death_under_48h: e.death.is_some() && e.end - e.start < 48 * 3600,
            autopsy: e.death == Some(true),
            delivery: e.delivery.is_some(),
            cesarean: e.delivery.is_some_and(|d| d.cesarean),
            live_births: e.delivery.map(|d| d.live_births).unwrap_or(0),
            stillbirths: e.delivery.map(|d| d.stillbirths).unwrap_or(0),
            readmission_30d: e.readmission,
            hospital_acquired_infection: e.hospital_infection,
            consultation: e.consultant.is_some(),
            payer: p.payer.display(),
            total_charges: format!("{}.{:02}", e.total_cents() / 100, e.total_cents() % 100),
        }
    }
}

#[derive(Serialize)]
struct DailyRow<'a> {
    date: String,
    facility: &'a str,
    unit: &'a str,
    census: u32,
    admissions: u32,
    discharges: u32,
    deaths: u32,
    transfers_in: u32,
    transfers_out: u32,
    same_day: u32,
    inpatient_service_days: u32,
    beds: u32,
}

#[derive(Serialize)]
struct DeficiencyLine<'a> {
    patient: &'a str,
    encounter: &'a str,
    deficiencies: &'a [crate::InjectedDeficiency],
}

#[derive(Serialize)]
struct PhiLine<'a> {
    document: &'a str,
    patient: &'a str,
    encounter: &'a str,
    spans: Vec<PhiSpanLine<'a>>,
}

#[derive(Serialize)]
struct PhiSpanLine<'a> {
    start: u32,
    end: u32,
    kind: &'static str,
    subject: crate::PhiSubject,
    text: &'a str,
}

#[derive(Serialize)]
struct UnitLine {
    unit: String,
    start: String,
    end: String,
}

#[derive(Serialize)]
struct EncounterLine<'a> {
    encounter: &'a str,
    patient: &'a str,
    facility: String,
    class: &'static str,
    start: String,
    end: String,
    admit_source: &'static str,
    disposition: &'static str,
    newborn: bool,
    units: Vec<UnitLine>,
    death: bool,
    death_under_48h: bool,
    autopsy: bool,
    delivery: bool,
    cesarean: bool,
    live_births: u8,
    stillbirths: u8,
    readmission_30d: bool,
    hospital_acquired_infection: bool,
    consultation: bool,
    payer: &'static str,
    total_charges: String,
}
