//! The binary image of a release: its code index, entries and titles laid out as they are used,
//! so that a release read from an image embedded in the program uses them in place (no decoding,
//! no allocation, no page of fresh memory): loading is a check of the image, not a build.
//!
//! All integers are little-endian and read through `zerocopy`'s unaligned integer types, so the
//! image is the same on every target and readable at any address. The records start at a
//! multiple of 64 bytes from the image's start, so that in an image placed at a 64-byte
//! boundary (the embedded one is) no 16-byte record straddles two cache lines: a lookup reads
//! one line, not two for one record in four. Layout:
//!
//! ```text
//! header (52 bytes): magic "MRCM\0img" + format version 2 (u32), seed (u64), entries, records,
//!                    buckets, structure length, other-title count, other-title bytes,
//!                    ASCII-title bytes, flags (u32 each; flags bit 0 = from the tabular list)
//! structure          the compact table's format line, provenance, chapter, block and
//!                    7th-character lines (UTF-8 text, see compact.rs)
//! padding            0 bytes up to a multiple of 64 bytes from the start
//! records            16 bytes per record (index.rs)
//! pilots             u16 per bucket
//! positions          u32 per entry: its record
//! entries            22 bytes per entry (release.rs `Entry`)
//! other titles       u32 length per title, then the titles back to back (UTF-8)
//! ASCII titles       the ASCII titles back to back
//! ```
//!
//! Reading checks everything that later use depends on, so that any bytes give either a release
//! that behaves like a built one or a [`LoadError`], never a panic: every entry's code is a
//! well-formed code, codes are strictly increasing, hierarchy links point inside the release
//! (a parent before its child and a prefix of it, a sub-tree end after its entry), block,
//! 7th-character definition and chapter numbers are in range, and every entry is found by a
//! lookup at its own record, which holds its number, flags, chapter and a title in range (see
//! `CodeIndex::from_parts`). The image is written by the same crate version that reads it; the
//! version number changes with the layout.

use std::borrow::Cow;

use ascii::AsciiStr;
use zerocopy::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::code::normalize_bytes;
use super::compact;
use super::index::{CodeIndex, IndexSource, Record};
use super::release::{Entry, F_BILLABLE, F_GENERATED, F_REQUIRES_SEVENTH, IcdCmRelease, NONE};
use crate::error::{LoadError, LoadErrorKind};

const MAGIC: [u8; 8] = *b"MRCM\0img";
const VERSION: u32 = 2;
/// Records start at a multiple of this many bytes from the image's start.
const RECORD_ALIGN: usize = 64;
const FROM_TABULAR: u32 = 1;

#[derive(FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
struct Header {
    magic: [u8; 8],
    version: U32,
    seed: U64,
    entries: U32,
    records: U32,
    buckets: U32,
    structure_len: U32,
    other_count: U32,
    other_len: U32,
    ascii_len: U32,
    flags: U32,
}

fn bad(what: impl Into<String>) -> LoadError {
    LoadError::new(
        LoadErrorKind::Format,
        format!("binary image: {}", what.into()),
    )
}

/// Writes the binary image of a release.
pub(crate) fn write(release: &IcdCmRelease) -> Vec<u8> {
    let mut structure = String::new();
    compact::write_structure(release, &mut structure);
    let parts = release.index.parts();
    let other_len: usize = parts.other.iter().map(|t| t.len()).sum();
    let header = Header {
        magic: MAGIC,
        version: U32::new(VERSION),
        seed: U64::new(parts.seed),
        entries: U32::new(release.entries.len() as u32),
        records: U32::new(parts.records.len() as u32),
        buckets: U32::new(parts.pilots.len() as u32),
        structure_len: U32::new(structure.len() as u32),
        other_count: U32::new(parts.other.len() as u32),
        other_len: U32::new(other_len as u32),
        ascii_len: U32::new(parts.ascii.len() as u32),
        flags: U32::new(if release.has_hierarchy_source {
            FROM_TABULAR
        } else {
            0
        }),
    };
    let mut out = Vec::new();
    out.extend_from_slice(header.as_bytes());
    out.extend_from_slice(structure.as_bytes());
    out.resize(out.len().next_multiple_of(RECORD_ALIGN), 0);
    out.extend_from_slice(parts.records.as_bytes());
    out.extend_from_slice(parts.pilots.as_bytes());
    out.extend_from_slice(parts.pos_of.as_bytes());
    out.extend_from_slice(release.entries.as_bytes());
    for t in parts.other {
        out.extend_from_slice(U32::new(t.len() as u32).as_bytes());
    }
    for t in parts.other {
        out.extend_from_slice(t.as_bytes());
    }
    out.extend_from_slice(parts.ascii);
    out
}

/// An image cut into its parts (not yet checked against each other).
struct Split<'a> {
    structure: &'a str,
    seed: u64,
    slots: u64,
    from_tabular: bool,
    pilots: &'a [U16],
    records: &'a [Record],
    pos_of: &'a [U32],
    entries: &'a [Entry],
    other: Vec<Box<str>>,
    ascii: &'a AsciiStr,
}

/// Takes `len` bytes off the front of `rest`.
fn take<'a>(rest: &mut &'a [u8], len: usize, what: &str) -> Result<&'a [u8], LoadError> {
    if rest.len() < len {
        return Err(bad(format!("truncated in the {what}")));
    }
    let (a, b) = rest.split_at(len);
    *rest = b;
    Ok(a)
}

/// Takes `count` values of `T` off the front of `rest`.
fn take_slice<'a, T: FromBytes + Immutable + KnownLayout + Unaligned>(
    rest: &mut &'a [u8],
    count: usize,
    what: &str,
) -> Result<&'a [T], LoadError> {
    let len = count
        .checked_mul(std::mem::size_of::<T>())
        .ok_or_else(|| bad(format!("{what} too large")))?;
    let bytes = take(rest, len, what)?;
    <[T]>::ref_from_bytes(bytes).map_err(|_| bad(format!("bad {what}")))
}

fn split(bytes: &[u8]) -> Result<Split<'_>, LoadError> {
    let image_len = bytes.len();
    let (header, mut rest) =
        Header::ref_from_prefix(bytes).map_err(|_| bad("shorter than its header"))?;
    if header.magic != MAGIC {
        return Err(bad("not a medrec-codes ICD-10-CM image"));
    }
    if header.version.get() != VERSION {
        return Err(bad(format!(
            "format version {} (this version of medrec-codes reads {VERSION})",
            header.version.get()
        )));
    }
    let n = header.entries.get() as usize;
    let structure = take(&mut rest, header.structure_len.get() as usize, "structure")?;
    let structure = std::str::from_utf8(structure).map_err(|_| bad("structure is not UTF-8"))?;
    let at = image_len - rest.len();
    let padding = take(&mut rest, at.next_multiple_of(RECORD_ALIGN) - at, "padding")?;
    if padding.iter().any(|&b| b != 0) {
        return Err(bad("padding is not zero"));
    }
    let records = take_slice::<Record>(&mut rest, header.records.get() as usize, "records")?;
    let pilots = take_slice::<U16>(&mut rest, header.buckets.get() as usize, "pilots")?;
    let pos_of = take_slice::<U32>(&mut rest, n, "record positions")?;
    let entries = take_slice::<Entry>(&mut rest, n, "entries")?;
    let other_lens = take_slice::<U32>(&mut rest, header.other_count.get() as usize, "titles")?;
    let mut other_text = take(&mut rest, header.other_len.get() as usize, "titles")?;
    let mut other = Vec::with_capacity(other_lens.len());
    for len in other_lens {
        let t = take(&mut other_text, len.get() as usize, "titles")?;
        let t = std::str::from_utf8(t).map_err(|_| bad("a title is not UTF-8"))?;
        other.push(Box::from(t));
    }
    if !other_text.is_empty() {
        return Err(bad("title lengths do not add up"));
    }
    let ascii = take(&mut rest, header.ascii_len.get() as usize, "titles")?;
    let ascii = AsciiStr::from_ascii(ascii).map_err(|_| bad("title text is not ASCII"))?;
    if !rest.is_empty() {
        return Err(bad("bytes after the titles"));
    }
    Ok(Split {
        structure,
        seed: header.seed.get(),
        slots: header.records.get() as u64,
        from_tabular: header.flags.get() & FROM_TABULAR != 0,
        pilots,
        records,
        pos_of,
        entries,
        other,
        ascii,
    })
}

/// Reads an image embedded in the program: its parts are used in place.
pub(crate) fn read_static(bytes: &'static [u8]) -> Result<IcdCmRelease, LoadError> {
    let s = split(bytes)?;
    let source = IndexSource {
        seed: s.seed,
        slots: s.slots,
        pilots: Cow::Borrowed(s.pilots),
        records: Cow::Borrowed(s.records),
        pos_of: Cow::Borrowed(s.pos_of),
        ascii: Cow::Borrowed(s.ascii),
        other: s.other,
    };
    assemble(
        s.structure,
        s.from_tabular,
        Cow::Borrowed(s.entries),
        source,
    )
}

/// Reads an image from any bytes: its parts are copied.
pub(crate) fn read(bytes: &[u8]) -> Result<IcdCmRelease, LoadError> {
    let s = split(bytes)?;
    let source = IndexSource {
        seed: s.seed,
        slots: s.slots,
        pilots: Cow::Owned(s.pilots.to_vec()),
        records: Cow::Owned(s.records.to_vec()),
        pos_of: Cow::Owned(s.pos_of.to_vec()),
        ascii: Cow::Owned(s.ascii.to_owned()),
        other: s.other,
    };
    assemble(
        s.structure,
        s.from_tabular,
        Cow::Owned(s.entries.to_vec()),
        source,
    )
}

/// Checks the entries and the index against each other and makes the release.
fn assemble(
    structure: &str,
    from_tabular: bool,
    entries: Cow<'static, [Entry]>,
    source: IndexSource,
) -> Result<IcdCmRelease, LoadError> {
    let b = compact::parse_with(structure, false)?;
    if !b.nodes.is_empty() {
        return Err(bad("codes in the structure part"));
    }
    if b.chapters.len() >= super::index::MAX_CHAPTERS {
        return Err(bad("too many chapters"));
    }
    let n = entries.len();
    let mut billable_count = 0;
    let mut prev = None;
    for (i, e) in entries.iter().enumerate() {
        let word = e.code_word();
        let bytes = word.to_le_bytes();
        let len = (bytes[7] as usize).min(7);
        let code = normalize_bytes(&bytes[..len])
            .ok()
            .filter(|c| c.word() == word)
            .ok_or_else(|| bad(format!("entry {i} is not a well-formed code")))?;
        if prev.is_some_and(|p| p >= code) {
            return Err(bad(format!("code {code} out of order")));
        }
        prev = Some(code);
        let parent = e.parent();
        let parent_ok = parent == NONE
            || ((parent as usize) < i && code.starts_with(&entries[parent as usize].code()));
        let end = e.subtree_end() as usize;
        let block = e.block();
        let seventh = e.seventh();
        let chapter = e.chapter();
        if !parent_ok
            || end <= i
            || end > n
            || (block != u16::MAX && block as usize >= b.blocks.len())
            || (seventh != u16::MAX && seventh as usize >= b.sevenths.len())
            || (chapter != u8::MAX && chapter as usize >= b.chapters.len())
            || e.flags() & !(F_BILLABLE | F_REQUIRES_SEVENTH | F_GENERATED) != 0
        {
            return Err(bad(format!("entry of code {code} is inconsistent")));
        }
        billable_count += (e.flags() & F_BILLABLE != 0) as usize;
    }
    let index = CodeIndex::from_parts(&entries, source).map_err(bad)?;
    Ok(IcdCmRelease {
        id: b.id,
        provenance: b.provenance,
        chapters: b.chapters,
        blocks: b.blocks,
        entries,
        sevenths: b.sevenths,
        index,
        billable_count,
        has_hierarchy_source: from_tabular,
        notes: b.notes,
        short_titles: b.short_titles,
        search: std::sync::OnceLock::new(),
    })
}

#[cfg(test)]
mod tests {
    use zerocopy::IntoBytes;

    use crate::IcdCmRelease;

    /// The embedded image is exactly the embedded text table, built: the same bytes when
    /// written again, the same entries, records and titles, the same answers.
    #[test]
    fn embedded_image_is_the_embedded_table_built() {
        let img = IcdCmRelease::embedded_image_reads().expect("the embedded image reads");
        let tab = IcdCmRelease::embedded_from_table();
        let bytes = &super::super::EMBEDDED_IMAGE.0;
        assert_eq!(tab.to_image(), bytes, "image is stale: run the generator");
        assert_eq!(img.to_image(), bytes);
        assert!(img.in_place_bytes() > 10_000_000);
        assert_eq!(tab.in_place_bytes(), 0);
        assert!(img.heap_bytes() < 200_000, "{}", img.heap_bytes());
        // The records are used in place, at a 64-byte boundary.
        assert_eq!(img.index.parts().records.as_ptr() as usize % 64, 0);
        assert_eq!(img.entries.as_bytes(), tab.entries.as_bytes());
        assert_eq!(
            (
                img.id(),
                img.len(),
                img.billable_count(),
                img.is_from_tabular()
            ),
            (
                tab.id(),
                tab.len(),
                tab.billable_count(),
                tab.is_from_tabular()
            )
        );
        assert_eq!(img.provenance(), tab.provenance());
        assert_eq!(img.chapters(), tab.chapters());
        assert_eq!(img.blocks(), tab.blocks());
        assert_eq!(img.sevenths, tab.sevenths);
        for (a, b) in img.iter().zip(tab.iter()) {
            let c = a.code();
            assert_eq!(c, b.code());
            assert_eq!(a.title(), b.title(), "{c}");
            assert_eq!(a.status(), b.status(), "{c}");
            assert_eq!(a.parent().map(|p| p.id()), b.parent().map(|p| p.id()));
            assert_eq!(a.block(), b.block(), "{c}");
            assert_eq!(a.chapter(), b.chapter(), "{c}");
            assert_eq!(a.seventh_character_meaning(), b.seventh_character_meaning());
            let (x, y) = (img.classify(c.as_undotted()), tab.classify(c.as_undotted()));
            assert_eq!(
                (x.status(), x.entry_id(), x.title(), x.chapter()),
                (y.status(), y.entry_id(), y.title(), y.chapter())
            );
        }
        for s in ["S30.1XXB", "T36.0X1", "E11.99", "S72.001", "Z00"] {
            assert_eq!(img.validate(s), tab.validate(s), "{s}");
        }
    }

    /// An owned copy reads back the same; damaged images are errors, never panics.
    #[test]
    fn images_round_trip_and_damage_is_refused() {
        let bytes = &super::super::EMBEDDED_IMAGE.0;
        let owned = IcdCmRelease::from_image(bytes).expect("reads");
        assert_eq!(owned.in_place_bytes(), 0);
        assert_eq!(owned.to_image(), bytes);
        assert_eq!(
            owned.title(&"E11.9".parse().unwrap()),
            Some("Type 2 diabetes mellitus without complications")
        );
        // Truncated anywhere.
        for cut in [0, 7, 51, 52, 1000, bytes.len() / 2, bytes.len() - 1] {
            assert!(
                IcdCmRelease::from_image(&bytes[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        // One byte changed in each part: header counts, structure, pilots, records, positions,
        // entries, titles. A change that keeps the image consistent is allowed to read (e.g.
        // a title letter); a lookup must then still find every code.
        let mut refused = 0;
        let step = bytes.len() / 61;
        for k in 0..61 {
            let at = 9 + k * step;
            let mut damaged = bytes.to_vec();
            damaged[at] ^= 0x5A;
            match IcdCmRelease::from_image(&damaged) {
                Err(e) => {
                    assert_eq!(e.kind(), crate::LoadErrorKind::Format);
                    refused += 1;
                }
                Ok(r) => {
                    for e in r.iter().step_by(97) {
                        assert_eq!(r.get(&e.code()).map(|x| x.id()), Some(e.id()));
                    }
                }
            }
        }
        assert!(refused > 5, "{refused} refused");
        // Another format version, another magic.
        let mut damaged = bytes.to_vec();
        damaged[8] ^= 1;
        assert!(IcdCmRelease::from_image(&damaged).is_err());
        let mut damaged = bytes.to_vec();
        damaged[..8].copy_from_slice(b"MRCM\0IMG");
        assert!(IcdCmRelease::from_image(&damaged).is_err());
    }

    /// A small image (the first 300 listed codes of the embedded table) damaged at 4,000 places:
    /// each read is an error or a release in which every code is found at its own entry and
    /// every navigation works (the fuzz target `code_release_load` does the same with any
    /// damage).
    #[test]
    fn every_damaged_byte_of_a_small_image_is_refused_or_harmless() {
        let (table, _, _) = crate::icd10cm().to_compact();
        let mut codes = 0;
        let small: String = table
            .lines()
            .filter(|l| {
                if l.starts_with("N\t") {
                    codes += 1;
                    return codes <= 300;
                }
                !l.starts_with("H\t")
            })
            .map(|l| format!("{l}\n"))
            .collect();
        let release = IcdCmRelease::from_compact(&small, None, None).unwrap();
        assert_eq!(release.len(), 300);
        let image = release.to_image();
        assert_eq!(IcdCmRelease::from_image(&image).unwrap().to_image(), image);
        let (mut refused, mut tried) = (0, 0);
        for at in (0..image.len()).step_by(image.len().div_ceil(4000)) {
            for x in [0x01, 0x80] {
                let mut damaged = image.clone();
                damaged[at] ^= x;
                tried += 1;
                let Ok(r) = IcdCmRelease::from_image(&damaged) else {
                    refused += 1;
                    continue;
                };
                for e in r.iter() {
                    assert_eq!(r.get(&e.code()).map(|x| x.id()), Some(e.id()), "at {at}");
                    let _ = (e.title(), e.status(), e.chapter(), e.block(), e.parent());
                    let _ = (e.children().count(), e.seventh_character_meaning());
                }
            }
        }
        assert!(refused * 4 > tried, "{refused} of {tried} refused");
    }
}
