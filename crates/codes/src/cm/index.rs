//! The code index of a release: a perfect hash from code to one 16-byte record holding the code
//! (to confirm the match), the entry number, the billable / requires-7th-character flags, the
//! chapter and where the title is.
//!
//! The hash is built the PTHash way ("hash and displace", Pibiri & Trani, SIGIR 2021): codes are
//! hashed into buckets of about three, and each bucket gets a 16-bit *pilot* chosen at build time
//! so that the codes of all buckets land on distinct records (97% of the records are used). A
//! lookup is then: hash the code's 8-byte key, read the bucket's pilot (a 64 KB array that stays in
//! cache), compute the record position, read that one record. Validation, entry number, chapter
//! and the title's place come from one 16-byte record (four to a cache line), and,
//! because the position is known before the record is read, a batch can compute all positions
//! first and then read all records with no read waiting on another.
//!
//! The records of the FY2026 release take 1.6 MB, which fits the 2 MB second-level cache of
//! current server cores next to the pilots; the 24-byte records of the previous design (with a
//! `&str` each) took 2.4 MB and missed it.
//!
//! `title()` never reads the title text: a checked `&text[a..b]` of a `String` would read the
//! text at both ends to check the UTF-8 boundaries, a cache miss into megabytes of text for every
//! title. The titles that are ASCII (all but a few dozen, such as "Sézary disease") live in one
//! [`AsciiString`] instead, where every byte is a character boundary, so that slicing it needs
//! only the bounds check of the offsets the record holds; the others are kept apart, each a
//! `Box<str>`.

use std::borrow::Cow;

use ascii::{AsciiStr, AsciiString};
use zerocopy::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::code::{IcdCmCode, word_key};
use super::release::{CodeStatus, Entry, F_BILLABLE, F_REQUIRES_SEVENTH};
use crate::error::{BuildError, BuildErrorKind};

/// A record's first word: the code ([`IcdCmCode::key`], 56 bits), the billable and
/// requires-7th-character flags, and the chapter position (6 bits, [`NO_CHAPTER`] for none).
/// 0 is an unused record (no code has key 0).
const KEY_MASK: u64 = (1 << 56) - 1;
const HEAD_BILLABLE: u64 = 1 << 56;
const HEAD_REQUIRES_SEVENTH: u64 = 1 << 57;
const CHAPTER_SHIFT: u32 = 58;
/// The chapter field of a code without a chapter. A release has fewer chapters than this
/// (ICD-10-CM has 22; the release builder refuses more), so that the field is a valid index into
/// the chapters exactly when the code has a chapter, with no translation.
const NO_CHAPTER: u64 = 63;
/// A release has fewer chapters than this.
pub(crate) const MAX_CHAPTERS: usize = NO_CHAPTER as usize;
/// A record's second word: the entry number (20 bits), the title length (12 bits; [`OTHER`] for
/// a title kept apart) and the title offset (32 bits).
const IDX_BITS: u32 = 20;
const IDX_MASK: u64 = (1 << IDX_BITS) - 1;
const LEN_SHIFT: u32 = 20;
const LEN_MASK: u64 = 0xFFF;
/// Title length value of a title that is not ASCII or is 4,095 bytes or longer: the offset is
/// then its number in [`Titles::other`].
const OTHER: u64 = LEN_MASK;
const AT_SHIFT: u32 = 32;
/// The most entries a release can have (the FY2026 release has 98,186).
pub(crate) const MAX_ENTRIES: usize = 1 << IDX_BITS;
/// Average codes per bucket (rounded so that the bucket count is a power of two).
const CODES_PER_BUCKET: usize = 4;

/// One record (16 bytes, four to a cache line): see the constants above for the bits. Stored
/// little-endian and without alignment, so that the records of a binary image (the embedded
/// release's, in the program's read-only data) are used in place.
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub(crate) struct Record {
    head: U64,
    meta: U64,
}

const EMPTY: Record = Record {
    head: U64::ZERO,
    meta: U64::ZERO,
};

/// The titles of a release: the ASCII ones back to back, the others apart. Borrowed from a
/// binary image, owned when built.
#[derive(Debug)]
struct Titles {
    ascii: Cow<'static, AsciiStr>,
    other: Vec<Box<str>>,
}

/// The status of a found code by its two flag bits (`billable | requires_seventh << 1`): a
/// table, so that no branch waits on the record.
const STATUS_BY_FLAGS: [CodeStatus; 4] = [
    CodeStatus::Header,
    CodeStatus::Billable,
    CodeStatus::MissingSeventhCharacter,
    CodeStatus::Billable,
];

/// What a lookup found: `head == 0` when the code is not in the release.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit<'a> {
    head: u64,
    idx: u32,
    /// The title (empty when not found).
    pub(crate) title: &'a str,
    /// The chapter position in the release's `chapters` (out of its range when none or not
    /// found).
    pub(crate) chapter: u8,
}

impl Hit<'_> {
    #[inline]
    pub(crate) fn is_found(&self) -> bool {
        self.head != 0
    }

    #[inline]
    pub(crate) fn idx(&self) -> u32 {
        self.idx
    }

    /// Whether the code was found and requires a 7th character.
    #[inline]
    pub(crate) fn requires_seventh(&self) -> bool {
        self.head & HEAD_REQUIRES_SEVENTH != 0
    }

    /// The status of a found code.
    #[inline]
    pub(crate) fn status(&self) -> CodeStatus {
        STATUS_BY_FLAGS[((self.head >> 56) & 3) as usize]
    }
}

/// The parameters of a built index that [`CodeIndex::build`] can reuse instead of searching for
/// pilots (the compact table stores them, so that loading the embedded release does not search).
/// They are checked: if they do not place every code on its own record (another code set, or
/// another version of this module), the search runs as if there were none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct IndexHint {
    pub(crate) seed: u64,
    pub(crate) slots: u64,
    pub(crate) pilots: Vec<u16>,
}

/// The code index (see the module documentation).
pub(crate) struct CodeIndex {
    records: Cow<'static, [Record]>,
    titles: Titles,
    pilots: Cow<'static, [U16]>,
    /// Record position of each entry.
    pos_of: Cow<'static, [U32]>,
    bucket_shift: u32,
    slots: u64,
    seed: u64,
}

impl std::fmt::Debug for CodeIndex {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("CodeIndex")
            .field("codes", &self.pos_of.len())
            .field("records", &self.slots)
            .field("buckets", &self.pilots.len())
            .finish_non_exhaustive()
    }
}

#[inline(always)]
fn hash(key: u64, seed: u64) -> u64 {
    // One full 64×64→128-bit product, folded: every bit of the key reaches every bit.
    let p = (key ^ seed) as u128 * 0x9E37_79B9_7F4A_7C15;
    (p >> 64) as u64 ^ p as u64
}

/// Record position of a hashed code under a pilot: the hash turned so that the bits below the
/// bucket number (which differ between the codes of one bucket) lead, the pilot's hash mixed
/// in, then mapped onto `0..slots` by the high half of a product.
#[inline(always)]
fn position(h: u64, pilot: u16, slots: u64) -> usize {
    let x = h.rotate_left(24) ^ (pilot as u64).wrapping_mul(0x94D0_49BB_1331_11EB);
    ((x as u128 * slots as u128) >> 64) as usize
}

impl CodeIndex {
    /// Builds the index of `entries`, whose titles are `text[ends[i-1]..ends[i]]`, reusing the
    /// pilots of `hint` when they fit.
    pub(crate) fn build(
        entries: &[Entry],
        text: String,
        ends: &[u32],
        hint: Option<&IndexHint>,
    ) -> Result<Self, BuildError> {
        let n = entries.len();
        if n > MAX_ENTRIES {
            return Err(BuildError::new(
                BuildErrorKind::TooLarge,
                format!("{n} codes: at most {MAX_ENTRIES} are supported"),
            ));
        }
        let keys: Vec<u64> = entries.iter().map(|e| e.code().key()).collect();
        let base_slots = (n + n / 32 + 1) as u64;
        let bits = bucket_bits(n);
        let buckets = 1usize << bits;
        let bucket_shift = 64 - bits;
        let mut found = hint
            .filter(|h| {
                h.pilots.len() == buckets && h.slots >= n as u64 && h.slots <= 2 * base_slots
            })
            .and_then(|h| {
                let pos_of = check(&keys, h.seed, bucket_shift, h.slots, &h.pilots)?;
                Some((h.seed, h.slots, (h.pilots.clone(), pos_of)))
            });
        // A seed for which every bucket finds a pilot: the first one does in practice; the
        // others, and then more records (6% more every 4 seeds), are there so that an unlucky
        // code set cannot fail the build.
        for attempt in 0..32u64 {
            if found.is_some() {
                break;
            }
            let seed = attempt.wrapping_mul(0xA076_1D64_78BD_642F);
            let slots = base_slots + (attempt / 4) * (n as u64 / 16 + 1);
            if let Some(p) = place(&keys, seed, bucket_shift, buckets, slots) {
                found = Some((seed, slots, p));
            }
        }
        let Some((seed, slots, (pilots, pos_of))) = found else {
            return Err(BuildError::new(
                BuildErrorKind::TooLarge,
                "no perfect hash found for the code set",
            ));
        };
        let (titles, spans) = Titles::build(text, ends)?;
        let mut records = vec![EMPTY; slots as usize];
        for (i, e) in entries.iter().enumerate() {
            let chapter = match e.chapter() {
                u8::MAX => NO_CHAPTER,
                c if (c as u64) < NO_CHAPTER => c as u64,
                _ => {
                    return Err(BuildError::new(
                        BuildErrorKind::TooLarge,
                        format!("more than {NO_CHAPTER} chapters"),
                    ));
                }
            };
            let mut head = keys[i] | chapter << CHAPTER_SHIFT;
            if e.flags() & F_BILLABLE != 0 {
                head |= HEAD_BILLABLE;
            }
            if e.flags() & F_REQUIRES_SEVENTH != 0 {
                head |= HEAD_REQUIRES_SEVENTH;
            }
            let (at, len) = spans[i];
            records[pos_of[i] as usize] = Record {
                head: U64::new(head),
                meta: U64::new(i as u64 | len << LEN_SHIFT | (at as u64) << AT_SHIFT),
            };
        }
        Ok(CodeIndex {
            records: Cow::Owned(records),
            titles,
            pilots: Cow::Owned(pilots.into_iter().map(U16::new).collect()),
            pos_of: Cow::Owned(pos_of.into_iter().map(U32::new).collect()),
            bucket_shift,
            slots,
            seed,
        })
    }

    /// The title a record's second word points at.
    #[inline(always)]
    fn title_of(&self, meta: u64) -> &str {
        let len = (meta >> LEN_SHIFT) & LEN_MASK;
        let at = (meta >> AT_SHIFT) as usize;
        if len != OTHER {
            self.titles.ascii[at..at + len as usize].as_str()
        } else {
            &self.titles.other[at]
        }
    }

    /// The code key's hash and record position (reads the pilot).
    #[inline]
    pub(crate) fn locate(&self, key: u64) -> usize {
        let h = hash(key, self.seed);
        let pilot = self.pilots[(h >> self.bucket_shift) as usize].get();
        position(h, pilot, self.slots)
    }

    /// The record at a position located for `key`.
    #[inline]
    pub(crate) fn read(&self, pos: usize, key: u64) -> Hit<'_> {
        let r = &self.records[pos];
        let (head, meta) = (r.head.get(), r.meta.get());
        if head & KEY_MASK == key {
            Hit {
                head,
                idx: (meta & IDX_MASK) as u32,
                title: self.title_of(meta),
                chapter: (head >> CHAPTER_SHIFT) as u8,
            }
        } else {
            Hit {
                head: 0,
                idx: 0,
                title: "",
                chapter: u8::MAX,
            }
        }
    }

    #[inline]
    pub(crate) fn find(&self, code: &IcdCmCode) -> Hit<'_> {
        self.find_word(code.word())
    }

    /// The lookup of a code [`word`](IcdCmCode::word) (only its key bytes are read).
    #[inline(always)]
    pub(crate) fn find_word(&self, word: u64) -> Hit<'_> {
        let key = word_key(word);
        self.read(self.locate(key), key)
    }

    /// The title of entry `idx`.
    #[inline]
    pub(crate) fn title(&self, idx: u32) -> &str {
        self.title_of(
            self.records[self.pos_of[idx as usize].get() as usize]
                .meta
                .get(),
        )
    }

    /// The parameters to store so that the same code set builds without a search.
    pub(crate) fn hint(&self) -> IndexHint {
        IndexHint {
            seed: self.seed,
            slots: self.slots,
            pilots: self.pilots.iter().map(|p| p.get()).collect(),
        }
    }

    /// Heap bytes held (titles, records, pilots, positions); parts borrowed from a binary image
    /// are not on the heap and not counted.
    pub(crate) fn heap_bytes(&self) -> usize {
        #[allow(clippy::ptr_arg)] // which variant it is, is the question
        fn owned<T: Clone>(c: &Cow<'_, [T]>) -> usize {
            match c {
                Cow::Owned(v) => v.capacity() * std::mem::size_of::<T>(),
                Cow::Borrowed(_) => 0,
            }
        }
        (match &self.titles.ascii {
            Cow::Owned(a) => a.capacity(),
            Cow::Borrowed(_) => 0,
        }) + self.titles.other.capacity() * std::mem::size_of::<Box<str>>()
            + self.titles.other.iter().map(|t| t.len()).sum::<usize>()
            + owned(&self.records)
            + owned(&self.pilots)
            + owned(&self.pos_of)
    }

    /// Bytes of the index borrowed from a binary image (records, pilots, positions, titles).
    pub(crate) fn borrowed_bytes(&self) -> usize {
        #[allow(clippy::ptr_arg)] // which variant it is, is the question
        fn borrowed<T: Clone>(c: &Cow<'_, [T]>) -> usize {
            match c {
                Cow::Borrowed(v) => std::mem::size_of_val(*v),
                Cow::Owned(_) => 0,
            }
        }
        (match &self.titles.ascii {
            Cow::Borrowed(a) => a.len(),
            Cow::Owned(_) => 0,
        }) + borrowed(&self.records)
            + borrowed(&self.pilots)
            + borrowed(&self.pos_of)
    }
}

/// The parts of an index as stored in a binary image (see `image.rs`).
pub(crate) struct IndexParts<'a> {
    pub(crate) seed: u64,
    pub(crate) pilots: &'a [U16],
    pub(crate) records: &'a [Record],
    pub(crate) pos_of: &'a [U32],
    pub(crate) ascii: &'a [u8],
    pub(crate) other: &'a [Box<str>],
}

/// Where the parts of an index come from when read back from a binary image: borrowed for
/// the embedded image (used in place), owned otherwise.
pub(crate) struct IndexSource {
    pub(crate) seed: u64,
    pub(crate) slots: u64,
    pub(crate) pilots: Cow<'static, [U16]>,
    pub(crate) records: Cow<'static, [Record]>,
    pub(crate) pos_of: Cow<'static, [U32]>,
    pub(crate) ascii: Cow<'static, AsciiStr>,
    pub(crate) other: Vec<Box<str>>,
}

/// The number of bucket-index bits for `n` codes.
fn bucket_bits(n: usize) -> u32 {
    n.div_ceil(CODES_PER_BUCKET)
        .max(2)
        .next_power_of_two()
        .trailing_zeros()
}

impl CodeIndex {
    /// The parts to store in a binary image.
    pub(crate) fn parts(&self) -> IndexParts<'_> {
        IndexParts {
            seed: self.seed,
            pilots: &self.pilots,
            records: &self.records,
            pos_of: &self.pos_of,
            ascii: self.titles.ascii.as_bytes(),
            other: &self.titles.other,
        }
    }

    /// An index from the parts of a binary image, checked against the entries it indexes:
    /// every entry must be found by a lookup at its own record (which holds its number, flags,
    /// chapter and a title in range), and no other record may be used. `Err` says what is
    /// wrong.
    pub(crate) fn from_parts(entries: &[Entry], src: IndexSource) -> Result<CodeIndex, String> {
        let n = entries.len();
        if n > MAX_ENTRIES {
            return Err(format!("{n} codes: at most {MAX_ENTRIES} are supported"));
        }
        let bits = bucket_bits(n);
        if src.pilots.len() != 1 << bits {
            return Err(format!("{} pilots for {n} codes", src.pilots.len()));
        }
        if src.records.len() as u64 != src.slots || src.slots < n as u64 {
            return Err(format!("{} records for {n} codes", src.records.len()));
        }
        if src.pos_of.len() != n {
            return Err(format!(
                "{} record positions for {n} codes",
                src.pos_of.len()
            ));
        }
        let index = CodeIndex {
            records: src.records,
            titles: Titles {
                ascii: src.ascii,
                other: src.other,
            },
            pilots: src.pilots,
            pos_of: src.pos_of,
            bucket_shift: 64 - bits,
            slots: src.slots,
            seed: src.seed,
        };
        let ascii_len = index.titles.ascii.len() as u64;
        let other_len = index.titles.other.len() as u64;
        for (i, e) in entries.iter().enumerate() {
            let key = e.code().key();
            let pos = index.locate(key);
            if index.pos_of[i].get() as usize != pos {
                return Err(format!("code {} is not at its record", e.code()));
            }
            let (head, meta) = (index.records[pos].head.get(), index.records[pos].meta.get());
            let chapter = match e.chapter() {
                u8::MAX => NO_CHAPTER,
                c => c as u64,
            };
            let mut want = key | chapter << CHAPTER_SHIFT;
            if e.flags() & F_BILLABLE != 0 {
                want |= HEAD_BILLABLE;
            }
            if e.flags() & F_REQUIRES_SEVENTH != 0 {
                want |= HEAD_REQUIRES_SEVENTH;
            }
            let len = (meta >> LEN_SHIFT) & LEN_MASK;
            let at = meta >> AT_SHIFT;
            let title_ok = if len == OTHER {
                at < other_len
            } else {
                at + len <= ascii_len
            };
            if head != want || meta & IDX_MASK != i as u64 || !title_ok {
                return Err(format!("the record of code {} does not match it", e.code()));
            }
        }
        let used = index.records.iter().filter(|r| r.head.get() != 0).count();
        if used != n {
            return Err(format!("{used} records used for {n} codes"));
        }
        Ok(index)
    }
}

impl Titles {
    /// Splits the titles `text[ends[i-1]..ends[i]]` into the ASCII text and the others;
    /// returns them and, per title, `(offset or number, length, other)`.
    fn build(text: String, ends: &[u32]) -> Result<(Titles, Vec<(u32, u64)>), BuildError> {
        let mut bytes = text.into_bytes();
        let mut other: Vec<Box<str>> = Vec::new();
        let mut spans = Vec::with_capacity(ends.len());
        // Titles are checked 64 at a time (one `is_ascii` over their whole span); only a group
        // that has a non-ASCII byte is looked at title by title.
        let mut start = 0usize;
        for group in ends.chunks(64) {
            let group_end = group.last().map_or(start, |&e| e as usize);
            let all_ascii = bytes.get(start..group_end).is_some_and(<[u8]>::is_ascii);
            for &end in group {
                let end = end as usize;
                let title = bytes.get(start..end).ok_or_else(|| {
                    BuildError::new(BuildErrorKind::TooLarge, "title offsets out of range")
                })?;
                let len = (end - start) as u64;
                if (all_ascii || title.is_ascii()) && len < OTHER {
                    spans.push((start as u32, len));
                } else {
                    other.push(String::from_utf8_lossy(title).into());
                    // The text must be all ASCII: the title lives in `other` now.
                    bytes[start..end].fill(b'?');
                    spans.push(((other.len() - 1) as u32, OTHER));
                }
                start = end;
            }
        }
        let ascii = AsciiString::from_ascii(bytes)
            .map_err(|_| BuildError::new(BuildErrorKind::TooLarge, "title text is not ASCII"))?;
        Ok((
            Titles {
                ascii: Cow::Owned(ascii),
                other,
            },
            spans,
        ))
    }
}

/// Each key's record position under given pilots, if they place every key on its own record.
fn check(
    keys: &[u64],
    seed: u64,
    bucket_shift: u32,
    slots: u64,
    pilots: &[u16],
) -> Option<Vec<u32>> {
    let mut taken = vec![0u64; (slots as usize).div_ceil(64)];
    let mut pos_of = Vec::with_capacity(keys.len());
    for &k in keys {
        let h = hash(k, seed);
        let p = position(h, *pilots.get((h >> bucket_shift) as usize)?, slots);
        if taken[p / 64] >> (p % 64) & 1 != 0 {
            return None;
        }
        taken[p / 64] |= 1 << (p % 64);
        pos_of.push(p as u32);
    }
    Some(pos_of)
}

/// Finds a pilot for every bucket (largest buckets first), or `None` if some bucket has none
/// under this seed. Returns the pilots and each key's record position.
fn place(
    keys: &[u64],
    seed: u64,
    bucket_shift: u32,
    buckets: usize,
    slots: u64,
) -> Option<(Vec<u16>, Vec<u32>)> {
    let hashes: Vec<u64> = keys.iter().map(|&k| hash(k, seed)).collect();
    // Keys grouped by bucket (counting sort).
    let mut start = vec![0u32; buckets + 1];
    for &h in &hashes {
        start[(h >> bucket_shift) as usize + 1] += 1;
    }
    for b in 0..buckets {
        start[b + 1] += start[b];
    }
    let mut fill = start.clone();
    let mut grouped = vec![0u32; keys.len()];
    for (i, &h) in hashes.iter().enumerate() {
        let b = (h >> bucket_shift) as usize;
        grouped[fill[b] as usize] = i as u32;
        fill[b] += 1;
    }
    // Buckets by size, largest first (counting sort; stable, so the order is deterministic).
    let size = |b: usize| (start[b + 1] - start[b]) as usize;
    let max = (0..buckets).map(size).max().unwrap_or(0);
    let mut by_size: Vec<Vec<u32>> = vec![Vec::new(); max + 1];
    for b in 0..buckets {
        by_size[size(b)].push(b as u32);
    }
    let mut taken = vec![0u64; (slots as usize).div_ceil(64)];
    let is_taken = |t: &[u64], p: usize| t[p / 64] >> (p % 64) & 1 != 0;
    let mut pilots = vec![0u16; buckets];
    let mut pos_of = vec![0u32; keys.len()];
    let mut here: Vec<usize> = Vec::with_capacity(max);
    for b in by_size.iter().skip(1).rev().flatten() {
        let b = *b as usize;
        let members = &grouped[start[b] as usize..start[b + 1] as usize];
        let mut ok = false;
        for pilot in 0..=u16::MAX {
            here.clear();
            for &k in members {
                let p = position(hashes[k as usize], pilot, slots);
                if is_taken(&taken, p) {
                    break;
                }
                taken[p / 64] |= 1 << (p % 64);
                here.push(p);
            }
            if here.len() == members.len() {
                for (&k, &p) in members.iter().zip(&here) {
                    pos_of[k as usize] = p as u32;
                }
                pilots[b] = pilot;
                ok = true;
                break;
            }
            for &p in &here {
                taken[p / 64] &= !(1 << (p % 64));
            }
        }
        if !ok {
            return None;
        }
    }
    Some((pilots, pos_of))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cm::release::EntrySpec;

    fn entry(code: &str, flags: u8) -> EntrySpec {
        EntrySpec {
            code: IcdCmCode::parse(code).unwrap(),
            parent: u32::MAX,
            subtree_end: 0,
            block: u16::MAX,
            seventh: u16::MAX,
            chapter: 3,
            flags,
        }
    }

    #[test]
    fn every_code_finds_its_own_record_and_others_miss() {
        let codes: Vec<String> = (0..5000)
            .map(|i| format!("A{:02}{}", i % 100, i / 100))
            .collect();
        let entries: Vec<Entry> = codes
            .iter()
            .map(|c| Entry::from(&entry(c, F_BILLABLE)))
            .collect();
        // Mostly ASCII titles; some not (kept apart), one too long for a record's length.
        let title = |i: usize, c: &str| match i % 97 {
            5 => format!("Sézary title of {c}"),
            6 => format!("title of {c} (Ménière)"),
            7 if i == 7 => format!("title of {c} {}", "x".repeat(5_000)),
            _ => format!("title of {c}"),
        };
        let mut text = String::new();
        let mut ends = Vec::new();
        for (i, c) in codes.iter().enumerate() {
            text.push_str(&title(i, c));
            ends.push(text.len() as u32);
        }
        let index = CodeIndex::build(&entries, text.clone(), &ends, None).unwrap();
        let apart = (0..codes.len())
            .filter(|i| matches!(i % 97, 5 | 6) || *i == 7)
            .count();
        assert_eq!(index.titles.other.len(), apart);
        // The stored parameters rebuild the same index without a search; wrong ones are
        // ignored.
        let hint = index.hint();
        let again = CodeIndex::build(&entries, text.clone(), &ends, Some(&hint)).unwrap();
        assert_eq!(again.pos_of, index.pos_of);
        let mut wrong = hint.clone();
        wrong.pilots.iter_mut().for_each(|p| *p = 7);
        let fixed = CodeIndex::build(&entries, text, &ends, Some(&wrong)).unwrap();
        assert_eq!(fixed.pos_of, index.pos_of);
        for (i, c) in codes.iter().enumerate() {
            let hit = index.find(&IcdCmCode::parse(c).unwrap());
            assert!(hit.is_found(), "{c}");
            assert_eq!(hit.idx(), i as u32);
            assert_eq!(hit.title, title(i, c));
            assert_eq!(hit.chapter, 3);
            assert_eq!(hit.status(), CodeStatus::Billable);
            assert_eq!(index.title(i as u32), hit.title);
        }
        for c in ["B00", "A0000000", "Z99", "A001Q"] {
            let Ok(code) = IcdCmCode::parse(c) else {
                continue;
            };
            assert!(!index.find(&code).is_found(), "{c}");
        }
    }

    #[test]
    fn tiny_and_empty_sets_build() {
        for n in [0usize, 1, 2, 3] {
            let codes: Vec<String> = (0..n).map(|i| format!("B{i:02}")).collect();
            // No chapter: the hit's chapter is past every valid chapter position.
            let entries: Vec<Entry> = codes
                .iter()
                .map(|c| {
                    Entry::from(&EntrySpec {
                        chapter: u8::MAX,
                        ..entry(c, 0)
                    })
                })
                .collect();
            let ends: Vec<u32> = vec![0; n];
            let index = CodeIndex::build(&entries, String::new(), &ends, None).unwrap();
            for c in &codes {
                let hit = index.find(&IcdCmCode::parse(c).unwrap());
                assert_eq!(hit.status(), CodeStatus::Header);
                assert_eq!(hit.chapter as usize, MAX_CHAPTERS);
            }
            assert!(!index.find(&IcdCmCode::parse("C00").unwrap()).is_found());
        }
    }
}
