//! Parquet out: the stay tables as Parquet files (the interchange a cluster reads), and
//! de-identified, classified tables for downstream analytics tools.
//!
//! [`write_stay_tables`] writes `dir/<table>/part-NNNNN.parquet` for every [`StayTable`],
//! spreading the stays over `files` files per table (so a cluster reads them in parallel).
//!
//! [`write_deidentified`] writes, from the registered `encounters` and `diagnoses` tables:
//!
//! - `dir/encounters_deidentified/`: `encounter_key`, `patient_key` (keyed HMAC-SHA-256
//!   pseudonyms, `pseudonym_id`), `facility`, `encounter_class`, `admit_year`, `discharge_year`
//!   (Safe Harbor 45 CFR 164.514(b)(2)(i)(C): dates reduced to the year), `length_of_stay_days`,
//!   `discharge_disposition`, `deceased`, `newborn`, `discharge_unit`, `payer`, `service`,
//!   `diagnosis_group`, `principal_diagnosis` (normalized), `principal_chapter`,
//!   `charges_cents`;
//! - `dir/diagnoses_classified/`: `encounter_key`, `sequence`, `code` (normalized),
//!   `diagnosis_type`, `present_on_admission`, `valid`, `billable`, `chapter`, `ccsr_category`.
//!
//! Identifiers (MRNs, ids, names, addresses, attending physicians) are not written at all,
//! except as keyed pseudonyms of the encounter and patient ids so rows still join. Note the
//! limits: Safe Harbor also requires ages over 89 to be aggregated (no ages are written here) and
//! no actual knowledge that the rest identifies a patient; small cells (a rare code in a small
//! facility) are the releasing organization's to review.

use datafusion::common::{Result, exec_err};
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::parquet::arrow::ArrowWriter;
use datafusion::prelude::SessionContext;
use jiff::tz::TimeZone;
use medrec_privacy::PseudonymKey;
use medrec_stats::Stay;
use std::path::Path;

use crate::tables::{StayTable, StayTableBuilder};
pub use crate::udf::{PseudonymId, pseudonym_id};

/// Writes every stay table as Parquet: `dir/<table>/part-NNNNN.parquet`, stays dealt round-robin
/// by patient batch into `files` files per table. Returns the number of stays written.
///
/// `stays` yields the stays of one patient at a time (so a patient's stays stay in one file).
pub fn write_stay_tables<I>(dir: &Path, tz: &TimeZone, files: usize, stays: I) -> Result<u64>
where
    I: IntoIterator<Item = Vec<Stay>>,
{
    let files = files.max(1);
    let mut writers = Vec::new();
    for t in StayTable::ALL {
        let tdir = dir.join(t.name());
        std::fs::create_dir_all(&tdir)?;
        let mut per_file = Vec::with_capacity(files);
        for i in 0..files {
            let file = std::fs::File::create(tdir.join(format!("part-{i:05}.parquet")))?;
            let w = ArrowWriter::try_new(file, t.schema(tz), None)?;
            per_file.push((w, StayTableBuilder::new(t, tz, 65_536)));
        }
        writers.push(per_file);
    }
    let mut n = 0u64;
    let mut out = Vec::new();
    for (i, patient) in stays.into_iter().enumerate() {
        let f = i % files;
        for per_table in writers.iter_mut() {
            let (w, b) = &mut per_table[f];
            for s in &patient {
                b.push(s, &mut out);
            }
            for batch in out.drain(..) {
                w.write(&batch)?;
            }
        }
        n += patient.len() as u64;
    }
    for per_table in writers {
        for (mut w, mut b) in per_table {
            b.finish(&mut out);
            for batch in out.drain(..) {
                w.write(&batch)?;
            }
            w.close()?;
        }
    }
    Ok(n)
}

fn quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', "''"))
}

/// The SQL of the de-identified encounters table (see the module docs).
pub fn encounters_deidentified_sql(key: &str) -> String {
    let k = quote(key);
    format!(
        "SELECT pseudonym_id(encounter_id, {k}) AS encounter_key,
       pseudonym_id(patient_id, {k}) AS patient_key,
       facility, encounter_class,
       date_part('year', admit_day) AS admit_year,
       date_part('year', discharge_day) AS discharge_year,
       length_of_stay_days, discharge_disposition, deceased, newborn, discharge_unit,
       payer, service, diagnosis_group,
       icd10cm_normalize(principal_diagnosis) AS principal_diagnosis,
       icd10cm_chapter(principal_diagnosis) AS principal_chapter,
       charges_cents
FROM encounters"
    )
}

/// The SQL of the classified diagnoses table (see the module docs).
pub fn diagnoses_classified_sql(key: &str) -> String {
    let k = quote(key);
    format!(
        "SELECT pseudonym_id(encounter_id, {k}) AS encounter_key, sequence,
       COALESCE(icd10cm_normalize(code), code) AS code, diagnosis_type, present_on_admission,
       icd10cm_valid(code) AS valid, icd10cm_billable(code) AS billable,
       icd10cm_chapter(code) AS chapter, ccsr_category(code) AS ccsr_category
FROM diagnoses"
    )
}

/// Writes `encounters_deidentified` and `diagnoses_classified` under `dir` as Parquet (one file
/// per output partition), from the `encounters` and `diagnoses` tables registered in `ctx`,
/// with identifiers pseudonymized under `key` (at least 16 bytes; keep it secret: anyone holding
/// it can test a guessed identifier).
pub async fn write_deidentified(ctx: &SessionContext, dir: &Path, key: &str) -> Result<()> {
    if PseudonymKey::from_bytes(key.as_bytes().to_vec()).is_err() {
        return exec_err!("the pseudonym key must be at least 16 bytes");
    }
    ctx.register_udf(pseudonym_id());
    for (name, sql) in [
        ("encounters_deidentified", encounters_deidentified_sql(key)),
        ("diagnoses_classified", diagnoses_classified_sql(key)),
    ] {
        let out = dir.join(name);
        std::fs::create_dir_all(&out)?;
        ctx.sql(&sql)
            .await?
            .write_parquet(
                &format!("{}/", out.display()),
                DataFrameWriteOptions::new(),
                None,
            )
            .await?;
    }
    Ok(())
}
