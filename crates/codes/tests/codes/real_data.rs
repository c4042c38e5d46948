//! Checks against the official files in `shared/data/icd10cm/`.

use std::collections::{BTreeMap, BTreeSet};

use medrec_codes::{
    CodeStatus, IcdCmCode, IcdCmRelease, PcsCode, PcsStatus, ReleaseDiff, ReleaseHistory,
    ReleaseId, icd10cm, icd10pcs,
};

use crate::data_dir;

/// The distinct codes of the FY2026 code list, by chapter, in file order.
fn code_list() -> Option<Vec<(u8, String)>> {
    let dir = data_dir()?;
    let text =
        std::fs::read_to_string(dir.join("icd10cm/icd10cm_code_list_2026_april1.txt")).unwrap();
    let mut chapter = 0u8;
    let mut seen = BTreeSet::new();
    let mut out = Vec::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if line.bytes().all(|b| b.is_ascii_digit()) {
            chapter = line.parse().unwrap();
        } else if !line.contains('-') && seen.insert(line.to_string()) {
            out.push((chapter, line.to_string()));
        }
    }
    Some(out)
}

fn order_2025() -> Option<IcdCmRelease> {
    let dir = data_dir()?;
    Some(
        IcdCmRelease::from_order_file(
            dir.join("icd10cm/icd10cm_order_2025.txt"),
            ReleaseId::october(2025),
        )
        .unwrap(),
    )
}

#[test]
fn every_fy2026_code_list_code_validates_with_its_billable_flag() {
    let Some(list) = code_list() else { return };
    let cm = icd10cm();
    assert_eq!(
        list.len(),
        cm.len(),
        "the table has exactly the code list's codes"
    );
    // Billable = a leaf of the hierarchy: no other listed code starts with it.
    let sorted: Vec<&str> = {
        let mut v: Vec<&str> = list.iter().map(|x| x.1.as_str()).collect();
        v.sort();
        v
    };
    let mut billable = 0;
    for (i, c) in sorted.iter().enumerate() {
        let leaf = !sorted.get(i + 1).is_some_and(|n| n.starts_with(c));
        let status = cm.validate(c);
        if leaf {
            billable += 1;
            assert_eq!(status, CodeStatus::Billable, "{c}");
        } else {
            assert!(
                matches!(
                    status,
                    CodeStatus::Header | CodeStatus::MissingSeventhCharacter
                ),
                "{c}: {status:?}"
            );
        }
        let e = cm.lookup(c).unwrap();
        assert!(!e.title().is_empty(), "{c} has a title");
    }
    assert_eq!(billable, 74_719);
    assert_eq!(cm.billable_count(), 74_719);
    // The 5 billable 3-character codes that share their name with a one-category block, which
    // the data README's count (74,714) misses.
    for c in ["B20", "F99", "P84", "R99", "Z66"] {
        assert_eq!(cm.validate(c), CodeStatus::Billable, "{c}");
        assert!(
            cm.blocks()
                .iter()
                .any(|b| b.first.as_undotted() == c && b.last.as_undotted() == c)
        );
    }
}

#[test]
fn counts_per_chapter_match_the_code_list() {
    let Some(list) = code_list() else { return };
    let mut expected: BTreeMap<u8, usize> = BTreeMap::new();
    for (ch, _) in &list {
        *expected.entry(*ch).or_default() += 1;
    }
    let mut got: BTreeMap<u8, usize> = BTreeMap::new();
    for e in icd10cm().iter() {
        *got.entry(e.chapter().expect("every code has a chapter").number)
            .or_default() += 1;
    }
    assert_eq!(got, expected);
    assert_eq!(icd10cm().chapters().len(), 22);
    // Each listed code is in the chapter the list puts it in.
    for (ch, c) in &list {
        assert_eq!(
            icd10cm().lookup(c).unwrap().chapter().unwrap().number,
            *ch,
            "{c}"
        );
    }
}

#[test]
fn embedded_tables_equal_a_fresh_load_of_the_tabular_xml() {
    let Some(dir) = data_dir() else { return };
    let xml = IcdCmRelease::from_tabular_xml(
        dir.join("icd10cm/icd10cm_tabular_2026_april1.xml"),
        ReleaseId::april(2026),
    )
    .unwrap();
    let cm = icd10cm();
    assert_eq!(xml.len(), cm.len());
    for (a, b) in xml.iter().zip(cm.iter()) {
        assert_eq!(a.code(), b.code());
        assert_eq!(a.title(), b.title(), "{}", a.code());
        assert_eq!(a.status(), b.status(), "{}", a.code());
        assert_eq!(a.chapter(), b.chapter());
        assert_eq!(a.block(), b.block(), "{}", a.code());
        assert_eq!(a.parent().map(|p| p.code()), b.parent().map(|p| p.code()));
        assert_eq!(a.notes(), b.notes(), "{}", a.code());
    }
    assert_eq!(xml.blocks(), cm.blocks());
}

#[test]
fn every_fy2025_order_file_code_validates_with_its_flag_and_titles() {
    let Some(dir) = data_dir() else { return };
    let fy25 = order_2025().unwrap();
    let text = std::fs::read_to_string(dir.join("icd10cm/icd10cm_order_2025.txt")).unwrap();
    let mut n = 0;
    for line in text.lines() {
        let code = line[6..13].trim();
        let flag = &line[14..15];
        let short = line[16..76].trim_end();
        let long = line[77..].trim();
        let e = fy25.lookup(code).unwrap_or_else(|e| panic!("{code}: {e}"));
        assert_eq!(e.is_billable(), flag == "1", "{code}");
        assert_eq!(fy25.validate(code).is_billable(), flag == "1", "{code}");
        assert_eq!(e.title(), long, "{code}");
        assert_eq!(e.short_title(), Some(short), "{code}");
        n += 1;
    }
    assert_eq!(n, 97_584);
    assert_eq!(fy25.len(), 97_584);
    assert_eq!(fy25.billable_count(), 74_260);
}

#[test]
fn fy2025_to_fy2026_changes() {
    let Some(fy25) = order_2025() else { return };
    let d = ReleaseDiff::between(&fy25, icd10cm());
    let removed: Vec<String> = d
        .removed
        .iter()
        .map(|c| c.as_undotted().to_string())
        .collect();
    assert_eq!(
        removed,
        [
            "S301XXA", "S301XXD", "S301XXS", "T7807XA", "T7807XD", "T7807XS", "T7808XA", "T7808XD",
            "T7808XS", "T781XXA", "T781XXD", "T781XXS"
        ]
    );
    // 636 new items in the code list counting its 22 chapter numbers: 614 codes.
    assert_eq!(d.added.len() + 22, 636);
    assert!(d.added.iter().any(|c| c.as_undotted() == "C50A0"));
    // Codes that gained children stop being billable (16 in this update, e.g. D71, G35).
    assert!(d.billable_changed.contains(&"D71".parse().unwrap()));
    assert!(d.billable_changed.contains(&"G35".parse().unwrap()));
}

#[test]
fn validity_on_a_date_uses_the_release_in_effect() {
    let Some(fy25) = order_2025() else { return };
    let mut h = ReleaseHistory::new();
    h.insert(fy25);
    h.insert(icd10cm());
    let d25 = jiff::civil::date(2025, 6, 1);
    let d26 = jiff::civil::date(2026, 6, 1);
    assert!(h.was_billable_on("S30.1XXA", d25).unwrap());
    assert_eq!(h.status_on("S30.1XXA", d26).unwrap(), CodeStatus::Unknown);
    assert!(!h.was_billable_on("C50.A0", d25).unwrap());
    assert!(h.was_billable_on("C50.A0", d26).unwrap());
    // The FY2026 October release is not loaded: dates it covers are refused, not guessed.
    let err = h
        .status_on("E11.9", jiff::civil::date(2025, 12, 1))
        .unwrap_err();
    assert_eq!(err.kind(), medrec_codes::DateErrorKind::NoReleaseInEffect);
    assert!(
        h.status_on("E11.9", jiff::civil::date(2024, 9, 30))
            .is_err()
    );
    let diff = h
        .diff(ReleaseId::october(2025), ReleaseId::april(2026))
        .unwrap();
    assert_eq!(diff.removed.len(), 12);
}

#[test]
fn order_file_release_knows_seventh_characters_from_its_structure() {
    let Some(fy25) = order_2025() else { return };
    assert_eq!(fy25.validate("S30.1"), CodeStatus::MissingSeventhCharacter);
    assert_eq!(fy25.validate("S30.1XXA"), CodeStatus::Billable);
    let e = fy25.lookup("S30.1XXD").unwrap();
    assert_eq!(e.seventh_character_meaning(), Some("subsequent encounter"));
}

#[test]
fn every_pcs_code_validates_with_its_title() {
    let Some(dir) = data_dir() else { return };
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(
            std::fs::File::open(dir.join("icd10cm/icd10pcs_codes_2024.txt.gz")).unwrap(),
        ),
        &mut text,
    )
    .unwrap();
    let pcs = icd10pcs();
    let mut n = 0;
    for line in text.lines() {
        let (code, title) = line.split_once(' ').unwrap();
        assert_eq!(pcs.validate(code), PcsStatus::Valid, "{code}");
        assert_eq!(
            pcs.title(&PcsCode::parse(code).unwrap()),
            Some(title.trim()),
            "{code}"
        );
        n += 1;
    }
    assert_eq!(n, 78_603);
    assert_eq!(pcs.len(), n);
}

#[test]
fn descriptions_format_loads() {
    // The code-descriptions layout, built from the order file's billable lines.
    let Some(dir) = data_dir() else { return };
    let text = std::fs::read_to_string(dir.join("icd10cm/icd10cm_order_2025.txt")).unwrap();
    let desc: String = text
        .lines()
        .filter(|l| &l[14..15] == "1")
        .map(|l| format!("{:<7} {}\n", l[6..13].trim(), l[77..].trim()))
        .collect();
    let r = IcdCmRelease::from_code_descriptions_str(&desc, ReleaseId::october(2025)).unwrap();
    assert_eq!(r.len(), 74_260);
    assert_eq!(r.billable_count(), 74_260);
    assert_eq!(r.validate("E11.9"), CodeStatus::Billable);
    assert_eq!(r.validate("E11"), CodeStatus::Unknown);
    let code: IcdCmCode = "E11.9".parse().unwrap();
    assert_eq!(r.chapter_of(&code).unwrap().number, 4);
}
