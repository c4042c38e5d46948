//! The code index of a release: a perfect hash from code to one 24-byte record holding the code
//! (to confirm the match), the entry number, the billable / requires-7th-character flags and the
//! title as a ready `&str`.
//!
//! The hash is built the PTHash way ("hash and displace", Pibiri & Trani, SIGIR 2021): codes are
//! hashed into buckets of about three, and each bucket gets a 16-bit *pilot* chosen at build time
//! so that the codes of all buckets land on distinct records (97% of the records are used). A
//! lookup is then: hash the packed code, read the bucket's pilot (a 64 KB array that stays in
//! cache), compute the record position, read that one record. Validation, title and entry
//! number come from a single cache line, the chapter from a parallel 100 KB array at the same
//! position, and, because the position is known before the record is read, a batch can compute
//! all positions first and then read all records with no read waiting on another.
//!
//! `title()` never reads the title text: a checked `&text[a..b]` would read the text at both
//! ends to check the UTF-8 boundaries, a cache miss into megabytes of text for every title; the
//! records hold `&str` slices of the text instead, made once at build time (the text and the
//! records live together in a `self_cell`, so this needs no `unsafe` here).

use super::code::IcdCmCode;
use super::release::{CodeStatus, Entry, F_BILLABLE, F_REQUIRES_SEVENTH};
use crate::error::{BuildError, BuildErrorKind};

/// Slot bits: the packed code (42 bits, [`IcdCmCode::packed`]), the entry number (20 bits) and
/// two flags. 0 is an unused record (no code packs to 0).
const KEY_BITS: u32 = 42;
const KEY_MASK: u64 = (1 << KEY_BITS) - 1;
const IDX_BITS: u32 = 20;
/// The most entries a release can have (the FY2026 release has 98,186).
pub(crate) const MAX_ENTRIES: usize = 1 << IDX_BITS;
const SLOT_BILLABLE: u64 = 1 << 62;
const SLOT_REQUIRES_SEVENTH: u64 = 1 << 63;
/// Average codes per bucket (rounded so that the bucket count is a power of two).
const CODES_PER_BUCKET: usize = 4;

/// One record: the slot bits and the title.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Record<'a> {
    slot: u64,
    title: &'a str,
}

type Records<'a> = Vec<Record<'a>>;

self_cell::self_cell!(
    /// Every title of a release in one string, and the records that point into it.
    pub(crate) struct TitledRecords {
        owner: String,
        #[covariant]
        dependent: Records,
    }
);

/// What a lookup found: `slot == 0` when the code is not in the release.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Hit<'a> {
    slot: u64,
    /// The title (empty when not found).
    pub(crate) title: &'a str,
    /// The chapter position in the release's `chapters` (meaningless when not found).
    pub(crate) chapter: u8,
}

impl Hit<'_> {
    #[inline]
    pub(crate) fn is_found(&self) -> bool {
        self.slot != 0
    }

    #[inline]
    pub(crate) fn idx(&self) -> u32 {
        ((self.slot >> KEY_BITS) & ((1 << IDX_BITS) - 1)) as u32
    }

    /// Whether the code was found and requires a 7th character.
    #[inline]
    pub(crate) fn requires_seventh(&self) -> bool {
        self.slot & SLOT_REQUIRES_SEVENTH != 0
    }

    /// The status of a found code.
    #[inline]
    pub(crate) fn status(&self) -> CodeStatus {
        if self.slot & SLOT_BILLABLE != 0 {
            CodeStatus::Billable
        } else if self.slot & SLOT_REQUIRES_SEVENTH != 0 {
            CodeStatus::MissingSeventhCharacter
        } else {
            CodeStatus::Header
        }
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
    records: TitledRecords,
    /// Chapter position of the code at each record position (255 when unused or unknown).
    chapters: Vec<u8>,
    pilots: Vec<u16>,
    /// Record position of each entry.
    pos_of: Vec<u32>,
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
    let h = (key ^ seed).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    (h ^ (h >> 29)).wrapping_mul(0xBF58_476D_1CE4_E5B9)
}

/// Record position of a hashed code under a pilot: multiply to spread the low bits (codes of
/// one bucket share the high bits), then map onto `0..slots` by the high half of a product.
#[inline(always)]
fn position(h: u64, pilot: u16, slots: u64) -> usize {
    let x = (h ^ (pilot as u64).wrapping_mul(0x94D0_49BB_1331_11EB))
        .wrapping_mul(0xD6E8_FEB8_6659_FD93);
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
        let keys: Vec<u64> = entries.iter().map(|e| e.code.packed()).collect();
        let base_slots = (n + n / 32 + 1) as u64;
        let bits = n
            .div_ceil(CODES_PER_BUCKET)
            .max(2)
            .next_power_of_two()
            .trailing_zeros();
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
        let mut chapters = vec![u8::MAX; slots as usize];
        let mut slot_bits = vec![0u64; slots as usize];
        for (i, e) in entries.iter().enumerate() {
            let mut slot = keys[i] | (i as u64) << KEY_BITS;
            if e.flags & F_BILLABLE != 0 {
                slot |= SLOT_BILLABLE;
            }
            if e.flags & F_REQUIRES_SEVENTH != 0 {
                slot |= SLOT_REQUIRES_SEVENTH;
            }
            let p = pos_of[i] as usize;
            slot_bits[p] = slot;
            chapters[p] = e.chapter;
        }
        let records = TitledRecords::new(text, |text| {
            let mut records = vec![Record { slot: 0, title: "" }; slots as usize];
            let mut start = 0;
            for (i, &end) in ends.iter().enumerate() {
                let p = pos_of[i] as usize;
                records[p] = Record {
                    slot: slot_bits[p],
                    title: &text[start..end as usize],
                };
                start = end as usize;
            }
            records
        });
        Ok(CodeIndex {
            records,
            chapters,
            pilots,
            pos_of,
            bucket_shift,
            slots,
            seed,
        })
    }

    /// The packed code's hash and record position (reads the pilot).
    #[inline]
    pub(crate) fn locate(&self, key: u64) -> usize {
        let h = hash(key, self.seed);
        let pilot = self.pilots[(h >> self.bucket_shift) as usize];
        position(h, pilot, self.slots)
    }

    /// The record at a position located for `key`.
    #[inline]
    pub(crate) fn read(&self, pos: usize, key: u64) -> Hit<'_> {
        let r = self.records.borrow_dependent()[pos];
        let chapter = self.chapters[pos];
        if r.slot & KEY_MASK == key {
            Hit {
                slot: r.slot,
                title: r.title,
                chapter,
            }
        } else {
            Hit {
                slot: 0,
                title: "",
                chapter,
            }
        }
    }

    #[inline]
    pub(crate) fn find(&self, code: &IcdCmCode) -> Hit<'_> {
        let key = code.packed();
        self.read(self.locate(key), key)
    }

    /// The title of entry `idx`.
    #[inline]
    pub(crate) fn title(&self, idx: u32) -> &str {
        self.records.borrow_dependent()[self.pos_of[idx as usize] as usize].title
    }

    /// The parameters to store so that the same code set builds without a search.
    pub(crate) fn hint(&self) -> IndexHint {
        IndexHint {
            seed: self.seed,
            slots: self.slots,
            pilots: self.pilots.clone(),
        }
    }

    /// Heap bytes held (text, records, pilots, positions).
    pub(crate) fn heap_bytes(&self) -> usize {
        self.records.borrow_owner().capacity()
            + self.records.borrow_dependent().capacity() * std::mem::size_of::<Record<'_>>()
            + self.chapters.capacity()
            + self.pilots.capacity() * 2
            + self.pos_of.capacity() * 4
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

    fn entry(code: &str, flags: u8) -> Entry {
        Entry {
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
        let entries: Vec<Entry> = codes.iter().map(|c| entry(c, F_BILLABLE)).collect();
        let mut text = String::new();
        let mut ends = Vec::new();
        for c in &codes {
            text.push_str("title of ");
            text.push_str(c);
            ends.push(text.len() as u32);
        }
        let index = CodeIndex::build(&entries, text.clone(), &ends, None).unwrap();
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
            assert_eq!(hit.title, format!("title of {c}"));
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
            let entries: Vec<Entry> = codes.iter().map(|c| entry(c, 0)).collect();
            let ends: Vec<u32> = vec![0; n];
            let index = CodeIndex::build(&entries, String::new(), &ends, None).unwrap();
            for c in &codes {
                let hit = index.find(&IcdCmCode::parse(c).unwrap());
                assert_eq!(hit.status(), CodeStatus::Header);
            }
            assert!(!index.find(&IcdCmCode::parse("C00").unwrap()).is_found());
        }
    }
}
