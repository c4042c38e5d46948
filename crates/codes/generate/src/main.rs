//! Generates `crates/codes/data/*` from the official files in `shared/data/icd10cm/`, checking
//! them against each other on the way. Usage: `medrec-codes-generate [--check] DATA_DIR [OUT_DIR]`.
//!
//! With `--check` nothing is written: the files are generated in memory and compared with those
//! in `OUT_DIR`; the exit status is 1 if any differs (so CI or a reviewer can see that the
//! checked-in tables are exactly what the generator makes from the official files).

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use medrec_codes::{IcdCmCode, IcdCmRelease, ReleaseId};

const XML: &str = "icd10cm_tabular_2026_april1.xml";
const CODE_LIST: &str = "icd10cm_code_list_2026_april1.txt";
const ORDER_2025: &str = "icd10cm_order_2025.txt";
const PCS: &str = "icd10pcs_codes_2024.txt.gz";

fn main() -> ExitCode {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let check = args.iter().any(|a| a == "--check");
    args.retain(|a| a != "--check");
    let Some(data) = args.first().map(PathBuf::from) else {
        eprintln!("usage: medrec-codes-generate [--check] DATA_DIR [OUT_DIR]");
        return ExitCode::from(2);
    };
    let out = args
        .get(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../data"));
    let mode = if check { Mode::Check } else { Mode::Write };
    match run(&data.join("icd10cm"), &out, mode) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!(
                "medrec-codes-generate: the tables in {} are not what the generator makes: run it without --check",
                out.display()
            );
            ExitCode::FAILURE
        }
        Err(e) => {
            eprintln!("medrec-codes-generate: {e}");
            ExitCode::FAILURE
        }
    }
}

type Res<T> = Result<T, Box<dyn std::error::Error>>;

#[derive(Clone, Copy, PartialEq)]
enum Mode {
    Write,
    Check,
}

/// Generates (or checks) the tables; `Ok(false)` when checking found a difference.
fn run(dir: &Path, out: &Path, mode: Mode) -> Res<bool> {
    let t = std::time::Instant::now();
    let mut cm = IcdCmRelease::from_tabular_xml(dir.join(XML), ReleaseId::april(2026))?;
    eprintln!(
        "tabular XML: {} codes, {} billable ({:?})",
        cm.len(),
        cm.billable_count(),
        t.elapsed()
    );

    // Cross-check 1: the code list of the same release (chapters, blocks, codes in order).
    let list = std::fs::read_to_string(dir.join(CODE_LIST))?;
    let mut listed = 0usize;
    let mut listed_set = std::collections::BTreeSet::new();
    let mut missing = Vec::new();
    let mut ranges = 0usize;
    let mut chapters = 0usize;
    for line in list.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.bytes().all(|b| b.is_ascii_digit()) {
            chapters += 1;
        } else if line.contains('-') {
            ranges += 1;
        } else {
            let code = IcdCmCode::parse(line)?;
            if !listed_set.insert(code) {
                continue; // a one-category block (QA0) is listed as block and as code
            }
            listed += 1;
            if cm.get(&code).is_none() {
                missing.push(line.to_string());
            }
        }
    }
    eprintln!(
        "code list: {chapters} chapters, {ranges} ranges, {listed} codes; missing from tables: {}",
        missing.len()
    );
    let extra: Vec<String> = cm
        .iter()
        .filter(|e| !listed_set.contains(&e.code()))
        .map(|e| e.code().to_string())
        .collect();
    if !extra.is_empty() {
        eprintln!(
            "built but not in the code list: {} {:?}",
            extra.len(),
            &extra[..extra.len().min(40)]
        );
    }
    if !missing.is_empty() || listed != cm.len() || chapters != cm.chapters().len() {
        return Err(format!(
            "code list and tabular XML disagree: {} listed vs {} built, missing {:?}",
            listed,
            cm.len(),
            &missing[..missing.len().min(10)]
        )
        .into());
    }
    // 74,719 leaves. The data README says 74,714 (computed with simple-icd-10-cm): that
    // package resolves B20, F99, P84, R99 and Z66 to the one-category blocks of the same name,
    // which have a child, so it misses these 5 billable 3-character codes (all flag 1 in the
    // FY2025 order file). See docs/codes.md.
    if cm.billable_count() != 74_719 {
        return Err(format!(
            "expected 74,719 billable codes, built {}",
            cm.billable_count()
        )
        .into());
    }

    // Cross-check 2: the FY2025 order file (flags and titles of the codes in both years).
    let order_text = std::fs::read_to_string(dir.join(ORDER_2025))?;
    let fy25 =
        IcdCmRelease::from_order_str_with_reference(&order_text, ReleaseId::october(2025), &cm)?;
    let (mut both, mut flag_diff, mut title_diff) = (0, Vec::new(), 0);
    for e in fy25.iter() {
        if let Some(n) = cm.get(&e.code()) {
            both += 1;
            if n.is_billable() != e.is_billable() {
                flag_diff.push(e.code().to_string());
            }
            if n.title() != e.title() {
                title_diff += 1;
            }
        }
    }
    eprintln!(
        "FY2025 order file: {} codes, {} in both, billable flag differs for {} ({:?}), title differs for {}",
        fy25.len(),
        both,
        flag_diff.len(),
        &flag_diff[..flag_diff.len().min(10)],
        title_diff
    );
    cm.adopt_short_titles(&fy25);
    cm.add_provenance(
        "source",
        format!("{XML} (CDC ICD-10-CM tabular list, FY2026 April 1 update)"),
    );
    cm.add_provenance(
        "checked_against",
        format!("{CODE_LIST}; {ORDER_2025} (CMS FY2025 order file)"),
    );
    cm.add_provenance(
        "short_titles",
        format!("{ORDER_2025}, for codes whose long title is unchanged in FY2026"),
    );
    cm.add_provenance("generator", "crates/codes/generate");

    let (table, notes, short) = cm.to_compact();
    if mode == Mode::Write {
        std::fs::create_dir_all(out)?;
    }
    let mut same = true;
    same &= emit(mode, out, "icd10cm_2026_april.tab", &table)?;
    same &= emit(mode, out, "icd10cm_2026_april.notes", &notes)?;
    same &= emit(mode, out, "icd10cm_2026_april.short", &short)?;
    // The binary image the library reads in place (the same release; checked below).
    let image = cm.to_image();
    same &= emit(mode, out, "icd10cm_2026_april.img", &image)?;

    // Round trip: the compact files give the same release.
    let back = IcdCmRelease::from_compact(&table, Some(&notes), Some(&short))?;
    if back.len() != cm.len() || back.billable_count() != cm.billable_count() {
        return Err("compact round trip changed the release".into());
    }
    for (a, b) in cm.iter().zip(back.iter()) {
        if a.code() != b.code() || a.title() != b.title() || a.is_billable() != b.is_billable() {
            return Err(format!("compact round trip differs at {}", a.code()).into());
        }
    }
    // The image reads back, and the compact table gives the same image.
    let from_image = IcdCmRelease::from_image(&image)?;
    if from_image.len() != cm.len() || back.to_image() != image {
        return Err("binary image round trip changed the release".into());
    }

    // ICD-10-PCS: the codes file as it is, front/back coded.
    let mut pcs_text = String::new();
    flate2::read::GzDecoder::new(std::fs::File::open(dir.join(PCS))?)
        .read_to_string(&mut pcs_text)?;
    let pcs = medrec_codes::PcsRelease::from_codes_str(&pcs_text, 2024)?;
    let mut pcs = pcs;
    pcs.add_provenance(
        "source",
        format!("{PCS} (CMS ICD-10-PCS FY2024 codes file)"),
    );
    pcs.add_provenance("generator", "crates/codes/generate");
    let pcs_table = pcs.to_compact();
    same &= emit(mode, out, "icd10pcs_2024.tab", &pcs_table)?;
    eprintln!("ICD-10-PCS: {} codes", pcs.len());

    let mut per_chapter: BTreeMap<u8, usize> = BTreeMap::new();
    for e in cm.iter() {
        *per_chapter
            .entry(e.chapter().map(|c| c.number).unwrap_or(0))
            .or_default() += 1;
    }
    eprintln!("codes per chapter: {per_chapter:?}");
    eprintln!("done in {:?}", t.elapsed());
    Ok(same)
}

/// Writes a file, or in check mode compares it with the file there; `false` if it differs.
fn emit(mode: Mode, dir: &Path, name: &str, text: impl AsRef<[u8]>) -> Res<bool> {
    let text = text.as_ref();
    match mode {
        Mode::Write => {
            write(dir, name, text)?;
            Ok(true)
        }
        Mode::Check => {
            let path = dir.join(name);
            let same = std::fs::read(&path).is_ok_and(|old| old == text);
            eprintln!(
                "{} {} ({} bytes)",
                if same { "same:" } else { "DIFFERS:" },
                path.display(),
                text.len()
            );
            Ok(same)
        }
    }
}

fn write(dir: &Path, name: &str, text: &[u8]) -> Res<()> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp"));
    std::fs::write(&tmp, text)?;
    std::fs::rename(&tmp, &path)?;
    eprintln!("wrote {} ({} bytes)", path.display(), text.len());
    Ok(())
}
