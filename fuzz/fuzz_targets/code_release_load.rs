//! Fuzz target `code_release_load`: any bytes through the run-time release loaders (order file,
//! code descriptions, compact table, tabular XML, binary image, PCS codes file and compact
//! table). Never panics: bad input is a `LoadError`.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use medrec::codes::{IcdCmRelease, PcsRelease, ReleaseId};

/// A small valid binary image (the first codes of the embedded release), for damaging: random
/// bytes rarely get past an image's header.
fn small_image() -> &'static [u8] {
    static IMAGE: OnceLock<Vec<u8>> = OnceLock::new();
    IMAGE.get_or_init(|| {
        let (table, _, _) = medrec::codes::icd10cm().to_compact();
        let mut codes = 0;
        let small: String = table
            .lines()
            .filter(|l| {
                if l.starts_with("H\t") {
                    return false;
                }
                if l.starts_with("N\t") {
                    codes += 1;
                    return codes <= 300;
                }
                true
            })
            .map(|l| format!("{l}\n"))
            .collect();
        IcdCmRelease::from_compact(&small, None, None)
            .expect("a cut of the embedded table reads")
            .to_image()
    })
}

fuzz_target!(|data: &[u8]| {
    // A valid image damaged by the input: bytes 0..4 pick a place, the rest are XORed in there.
    if let Some((at, xor)) = data.split_first_chunk::<4>() {
        let mut image = small_image().to_vec();
        let at = u32::from_le_bytes(*at) as usize % image.len();
        for (b, x) in image[at..].iter_mut().zip(xor) {
            *b ^= x;
        }
        if let Ok(r) = IcdCmRelease::from_image(&image) {
            for e in r.iter() {
                let found = r.get(&e.code()).map(|x| x.id());
                assert_eq!(found, Some(e.id()), "a code read from an image is found");
                let _ = (e.title(), e.status(), e.chapter(), e.block(), e.parent());
                let _ = (e.children().count(), e.seventh_character_meaning());
            }
        }
    }
    let s = String::from_utf8_lossy(data);
    let id = ReleaseId::october(2027);
    for r in [
        IcdCmRelease::from_order_str(&s, id),
        IcdCmRelease::from_code_descriptions_str(&s, id),
        IcdCmRelease::from_compact(&s, Some(&s), Some(&s)),
        IcdCmRelease::from_tabular_xml_str(&s, id),
        IcdCmRelease::from_image(data),
    ]
    .into_iter()
    .flatten()
    {
        for e in r.iter().take(50) {
            let _ = (e.title(), e.status(), e.chapter(), e.block(), e.parent(), e.notes_applying());
        }
        let _ = r.search("a b", 3);
    }
    for p in [PcsRelease::from_codes_str(&s, 2027), PcsRelease::from_compact(&s)].into_iter().flatten() {
        for (c, _) in p.iter().take(20) {
            let _ = p.decode(&c);
        }
    }
});
