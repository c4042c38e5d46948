//! One ICD-10-CM release: every code with its title, hierarchy, 7th characters and notes.

use std::borrow::Cow;
use std::fmt;
use std::sync::OnceLock;

use zerocopy::little_endian::{U16, U32, U64};
use zerocopy::{FromBytes, Immutable, IntoBytes, KnownLayout, Unaligned};

use super::code::{IcdCmCode, MalformedKind, lookup_word};
use super::index::{CodeIndex, IndexHint, MAX_CHAPTERS};
use super::notes::{NoteKind, NoteOwner, Notes, NotesSource};
use crate::error::{BuildError, BuildErrorKind};

/// Which release of a fiscal year: the October 1 release or the April 1 update (CMS has published
/// April 1 updates since FY2023).
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReleaseUpdate {
    /// The release effective October 1 (the start of the fiscal year).
    October,
    /// The update effective April 1 of the fiscal year.
    April,
}

/// Identifies an ICD-10-CM release: fiscal year (FY2026 runs 2025-10-01 to 2026-09-30) and
/// whether it is the October release or the April update.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub struct ReleaseId {
    /// The fiscal year, e.g. 2026 for the year that starts 2025-10-01.
    pub fiscal_year: u16,
    /// October release or April update.
    pub update: ReleaseUpdate,
}

impl ReleaseId {
    /// The October release of `fiscal_year`.
    pub const fn october(fiscal_year: u16) -> Self {
        ReleaseId {
            fiscal_year,
            update: ReleaseUpdate::October,
        }
    }

    /// The April update of `fiscal_year`.
    pub const fn april(fiscal_year: u16) -> Self {
        ReleaseId {
            fiscal_year,
            update: ReleaseUpdate::April,
        }
    }

    /// The first day the release is in effect: October 1 of the previous calendar year, or
    /// April 1 of the fiscal year for the April update.
    pub fn effective_from(&self) -> jiff::civil::Date {
        match self.update {
            ReleaseUpdate::October => jiff::civil::date(self.fiscal_year as i16 - 1, 10, 1),
            ReleaseUpdate::April => jiff::civil::date(self.fiscal_year as i16, 4, 1),
        }
    }

    /// The last day of the fiscal year (September 30); a release is in effect at most until
    /// then, earlier if an update follows.
    pub fn fiscal_year_end(&self) -> jiff::civil::Date {
        jiff::civil::date(self.fiscal_year as i16, 9, 30)
    }

    /// The fiscal year a date falls in (October 1 starts the next fiscal year).
    pub fn fiscal_year_of(date: jiff::civil::Date) -> u16 {
        if date.month() >= 10 {
            date.year() as u16 + 1
        } else {
            date.year() as u16
        }
    }
}

impl fmt::Display for ReleaseId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.update {
            ReleaseUpdate::October => write!(f, "FY{} (October 1)", self.fiscal_year),
            ReleaseUpdate::April => write!(f, "FY{} (April 1 update)", self.fiscal_year),
        }
    }
}

/// A chapter of the tabular list (22 in ICD-10-CM).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Chapter {
    /// Chapter number (1 to 22).
    pub number: u8,
    /// First category of the chapter range (`A00`).
    pub first: IcdCmCode,
    /// Last category of the chapter range (`B99`).
    pub last: IcdCmCode,
    /// Title without the range, e.g. "Certain infectious and parasitic diseases".
    pub title: String,
}

impl Chapter {
    /// The range as printed in the tabular list, e.g. `A00-B99`.
    pub fn range(&self) -> String {
        format!("{}-{}", self.first, self.last)
    }
}

/// A block (the tabular list's `section`), e.g. `E08-E13` "Diabetes mellitus". Some blocks are
/// headings that group other blocks and hold no category themselves (`C00-C96`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Block {
    /// First category of the range.
    pub first: IcdCmCode,
    /// Last category of the range (equal to `first` for one-category blocks such as `B10`).
    pub last: IcdCmCode,
    /// Title without the range.
    pub title: String,
    /// Number of the chapter the block belongs to.
    pub chapter: u8,
}

impl Block {
    /// The range as printed in the tabular list, e.g. `E08-E13`, or `B10` for one category.
    pub fn range(&self) -> String {
        if self.first == self.last {
            self.first.to_string()
        } else {
            format!("{}-{}", self.first, self.last)
        }
    }
}

/// The 7th characters defined by a `sevenChrDef` in the tabular list, with the note that
/// introduces them. Per the ICD-10-CM Official Guidelines (Section I.A.5 and I.B.? "7th
/// characters"), the definition applies to every code below the node that defines it, and codes
/// shorter than 6 characters are filled with the placeholder `X` before the 7th character.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SeventhCharacterDef {
    /// The code that carries the definition (`S30` for the injury set of S30).
    pub defined_at: IcdCmCode,
    /// Each allowed 7th character with its meaning (`A` = "initial encounter").
    pub extensions: Vec<(char, String)>,
    /// The instructional note above the definition, if any.
    pub note: Option<String>,
}

impl SeventhCharacterDef {
    /// The meaning of a 7th character, if it is allowed here.
    pub fn meaning(&self, c: char) -> Option<&str> {
        self.extensions
            .iter()
            .find(|(x, _)| *x == c)
            .map(|(_, t)| t.as_str())
    }
}

/// The result of validating one code against a release.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CodeStatus {
    /// A code valid for HIPAA transactions (a leaf of the tabular list, order-file flag 1).
    Billable,
    /// A category or subcategory that has codes below it: not billable.
    Header,
    /// A code that requires a 7th character (per an inherited `sevenChrDef`) and lacks one,
    /// with or without placeholder `X`s (`S30.1`, `S30.1XX`): not valid.
    MissingSeventhCharacter,
    /// The code has a 7th character that its `sevenChrDef` does not allow (`S30.1XXB`).
    InvalidSeventhCharacter,
    /// Well formed but not in this release.
    Unknown,
    /// Not a well-formed ICD-10-CM code.
    Malformed(MalformedKind),
}

impl CodeStatus {
    /// Whether the code is in the release as a code that may appear on a record (billable or
    /// header). Codes that lack a required 7th character are not valid.
    pub fn is_valid(&self) -> bool {
        matches!(self, CodeStatus::Billable | CodeStatus::Header)
    }

    /// Whether the code is billable (valid for HIPAA transactions).
    pub fn is_billable(&self) -> bool {
        matches!(self, CodeStatus::Billable)
    }

    /// A short machine name (`billable`, `header`, `missing_seventh_character`, …).
    pub fn as_str(&self) -> &'static str {
        match self {
            CodeStatus::Billable => "billable",
            CodeStatus::Header => "header",
            CodeStatus::MissingSeventhCharacter => "missing_seventh_character",
            CodeStatus::InvalidSeventhCharacter => "invalid_seventh_character",
            CodeStatus::Unknown => "unknown",
            CodeStatus::Malformed(_) => "malformed",
        }
    }
}

impl fmt::Display for CodeStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            CodeStatus::Billable => "valid, billable",
            CodeStatus::Header => "header, not billable",
            CodeStatus::MissingSeventhCharacter => "requires a 7th character",
            CodeStatus::InvalidSeventhCharacter => "7th character not allowed here",
            CodeStatus::Unknown => "not in this release",
            CodeStatus::Malformed(_) => "malformed",
        })
    }
}

pub(crate) const NONE: u32 = u32::MAX;
const NO_BLOCK: u16 = u16::MAX;
const NO_SEVENTH: u16 = u16::MAX;

pub(crate) const F_BILLABLE: u8 = 1;
pub(crate) const F_REQUIRES_SEVENTH: u8 = 2;
pub(crate) const F_GENERATED: u8 = 4;

/// Everything about one code except its title (hierarchy, block, chapter, 7th-character
/// definition, flags) as the release builder lays it out.
#[derive(Debug, Clone)]
pub(crate) struct EntrySpec {
    pub(crate) code: IcdCmCode,
    pub(crate) parent: u32,
    pub(crate) subtree_end: u32,
    pub(crate) block: u16,
    pub(crate) seventh: u16,
    pub(crate) chapter: u8,
    pub(crate) flags: u8,
}

/// An [`EntrySpec`] as stored: 22 bytes, little-endian and without alignment, so that the
/// entries of a binary image (the embedded release's, in the program's read-only data) are used
/// in place. The code is its [`word`](IcdCmCode::word).
#[derive(Debug, Clone, Copy, FromBytes, IntoBytes, KnownLayout, Immutable, Unaligned)]
#[repr(C)]
pub(crate) struct Entry {
    code: U64,
    parent: U32,
    subtree_end: U32,
    block: U16,
    seventh: U16,
    chapter: u8,
    flags: u8,
}

impl From<&EntrySpec> for Entry {
    fn from(e: &EntrySpec) -> Entry {
        Entry {
            code: U64::new(e.code.word()),
            parent: U32::new(e.parent),
            subtree_end: U32::new(e.subtree_end),
            block: U16::new(e.block),
            seventh: U16::new(e.seventh),
            chapter: e.chapter,
            flags: e.flags,
        }
    }
}

impl Entry {
    /// The code (well formed: the builder made it, or the image reader checked it).
    #[inline]
    pub(crate) fn code(&self) -> IcdCmCode {
        IcdCmCode::from_word(self.code.get())
    }
    /// The code as a [`word`](IcdCmCode::word), unchecked.
    #[inline]
    pub(crate) fn code_word(&self) -> u64 {
        self.code.get()
    }
    #[inline]
    pub(crate) fn parent(&self) -> u32 {
        self.parent.get()
    }
    #[inline]
    pub(crate) fn subtree_end(&self) -> u32 {
        self.subtree_end.get()
    }
    #[inline]
    pub(crate) fn block(&self) -> u16 {
        self.block.get()
    }
    #[inline]
    pub(crate) fn seventh(&self) -> u16 {
        self.seventh.get()
    }
    #[inline]
    pub(crate) fn chapter(&self) -> u8 {
        self.chapter
    }
    #[inline]
    pub(crate) fn flags(&self) -> u8 {
        self.flags
    }
}

/// A whole ICD-10-CM release: the code set with titles, hierarchy, 7th-character definitions and
/// instructional notes. Get the embedded FY2026 release with [`icd10cm()`](crate::icd10cm), or
/// load another year with [`IcdCmRelease::from_tabular_xml`], [`IcdCmRelease::from_order_file`] or
/// [`IcdCmRelease::from_code_descriptions`].
pub struct IcdCmRelease {
    pub(crate) id: ReleaseId,
    pub(crate) provenance: Vec<(String, String)>,
    pub(crate) chapters: Vec<Chapter>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) entries: Cow<'static, [Entry]>,
    pub(crate) sevenths: Vec<SeventhCharacterDef>,
    pub(crate) index: CodeIndex,
    pub(crate) billable_count: usize,
    pub(crate) has_hierarchy_source: bool,
    pub(crate) notes: NotesSource,
    pub(crate) short_titles: super::short::ShortTitles,
    pub(crate) search: OnceLock<crate::search::SearchIndex>,
}

impl fmt::Debug for IcdCmRelease {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("IcdCmRelease")
            .field("id", &self.id)
            .field("codes", &self.entries.len())
            .field("billable", &self.billable_count)
            .field("chapters", &self.chapters.len())
            .field("blocks", &self.blocks.len())
            .finish_non_exhaustive()
    }
}

/// A stable number for a code within one release (0 ≤ id < [`IcdCmRelease::len`]), in code
/// order. Use it to key dense side tables (CCSR categories, comorbidity flags) for one release.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct EntryId(pub u32);

impl EntryId {
    /// The id as an index into a `Vec` of length [`IcdCmRelease::len`].
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// One code of a release with everything known about it. Cheap to copy.
#[derive(Clone, Copy)]
pub struct CodeEntry<'a> {
    release: &'a IcdCmRelease,
    idx: u32,
}

impl fmt::Debug for CodeEntry<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CodeEntry")
            .field("code", &self.code())
            .field("billable", &self.is_billable())
            .field("title", &self.title())
            .finish()
    }
}

impl<'a> CodeEntry<'a> {
    #[inline]
    pub(crate) fn new(release: &'a IcdCmRelease, idx: u32) -> Self {
        CodeEntry { release, idx }
    }

    #[inline]
    fn e(&self) -> &'a Entry {
        &self.release.entries[self.idx as usize]
    }

    /// The code.
    pub fn code(&self) -> IcdCmCode {
        self.e().code()
    }

    /// This code's number in its release.
    pub fn id(&self) -> EntryId {
        EntryId(self.idx)
    }

    /// The release the entry belongs to.
    pub fn release(&self) -> &'a IcdCmRelease {
        self.release
    }

    /// The (long) title, e.g. "Type 2 diabetes mellitus without complications".
    #[inline]
    pub fn title(&self) -> &'a str {
        self.release.index.title(self.idx)
    }

    /// The short (abbreviated, at most 60 characters) title of the CMS order file, where the
    /// release has one.
    pub fn short_title(&self) -> Option<&'a str> {
        self.release.short_titles.get(&self.code())
    }

    /// Whether the code is billable (valid for HIPAA transactions).
    #[inline]
    pub fn is_billable(&self) -> bool {
        self.e().flags() & F_BILLABLE != 0
    }

    /// Whether the code requires a 7th character that it does not have (it is then not valid
    /// on its own; its children are the 7th-character codes).
    pub fn requires_seventh_character(&self) -> bool {
        self.e().flags() & F_REQUIRES_SEVENTH != 0
    }

    /// Whether the code was generated from a `sevenChrDef` (rather than listed as a `diag`).
    pub fn is_seventh_character_code(&self) -> bool {
        self.e().flags() & F_GENERATED != 0
    }

    /// The validation status of the code itself.
    pub fn status(&self) -> CodeStatus {
        let f = self.e().flags();
        if f & F_BILLABLE != 0 {
            CodeStatus::Billable
        } else if f & F_REQUIRES_SEVENTH != 0 {
            CodeStatus::MissingSeventhCharacter
        } else {
            CodeStatus::Header
        }
    }

    /// The chapter, if known.
    #[inline]
    pub fn chapter(&self) -> Option<&'a Chapter> {
        self.release.chapter_at(self.idx)
    }

    /// The block (tabular section), if known.
    #[inline]
    pub fn block(&self) -> Option<&'a Block> {
        let b = self.e().block();
        if b == NO_BLOCK {
            None
        } else {
            self.release.blocks.get(b as usize)
        }
    }

    /// The 3-character category as an entry, if it is in the release.
    pub fn category(&self) -> Option<CodeEntry<'a>> {
        self.release.get(&self.code().category())
    }

    /// The parent in the hierarchy: the longest shorter code of the release that this code
    /// starts with (placeholder positions are skipped: the parent of `S30.1XXA` is `S30.1`).
    pub fn parent(&self) -> Option<CodeEntry<'a>> {
        let p = self.e().parent();
        (p != NONE).then_some(CodeEntry {
            release: self.release,
            idx: p,
        })
    }

    /// The codes directly below this one, in code order.
    pub fn children(&self) -> impl Iterator<Item = CodeEntry<'a>> + 'a {
        let release = self.release;
        let end = self.e().subtree_end();
        let mut next = self.idx + 1;
        std::iter::from_fn(move || {
            if next >= end {
                return None;
            }
            let idx = next;
            next = release.entries[idx as usize].subtree_end();
            Some(CodeEntry { release, idx })
        })
    }

    /// Every code below this one, in code order (depth first).
    pub fn descendants(&self) -> impl Iterator<Item = CodeEntry<'a>> + 'a {
        let release = self.release;
        (self.idx + 1..self.e().subtree_end()).map(move |idx| CodeEntry { release, idx })
    }

    /// The ancestors, nearest first (parent, grandparent, …, category).
    pub fn ancestors(&self) -> impl Iterator<Item = CodeEntry<'a>> + 'a {
        let mut cur = self.parent();
        std::iter::from_fn(move || {
            let c = cur?;
            cur = c.parent();
            Some(c)
        })
    }

    /// The 7th-character definition that applies to this code (its own or inherited), if any.
    pub fn seventh_character_def(&self) -> Option<&'a SeventhCharacterDef> {
        let s = self.e().seventh();
        (s != NO_SEVENTH).then(|| &self.release.sevenths[s as usize])
    }

    /// For a 7th-character code, the meaning of its 7th character ("initial encounter").
    pub fn seventh_character_meaning(&self) -> Option<&'a str> {
        if !self.is_seventh_character_code() {
            return None;
        }
        let c = self.code().char_at(6)?;
        self.seventh_character_def()?.meaning(c)
    }

    /// The instructional notes written at this code itself (not inherited).
    pub fn notes(&self) -> Vec<(NoteKind, &'a str)> {
        self.release
            .notes()
            .for_owner(NoteOwner::Code(self.code()))
            .collect()
    }

    /// Every instructional note that applies to this code: its own, then those of its
    /// ancestors, its block and its chapter. A note applies to its node and everything below it
    /// (ICD-10-CM Official Guidelines, Section I.A.12–I.A.13 conventions).
    pub fn notes_applying(&self) -> Vec<(NoteOwner, NoteKind, &'a str)> {
        let notes = self.release.notes();
        let mut out = Vec::new();
        let mut owners = vec![NoteOwner::Code(self.code())];
        owners.extend(self.ancestors().map(|a| NoteOwner::Code(a.code())));
        if let Some(b) = self.block() {
            owners.push(NoteOwner::Block(b.first, b.last));
        }
        if let Some(c) = self.chapter() {
            owners.push(NoteOwner::Chapter(c.number));
        }
        for o in owners {
            out.extend(notes.for_owner(o).map(|(k, t)| (o, k, t)));
        }
        out
    }
}

/// Specification of one tabular node, fed to the release builder by the loaders.
#[derive(Debug, Clone)]
pub(crate) struct NodeSpec {
    pub(crate) code: IcdCmCode,
    /// The title's byte range in the builder's `node_titles` (one buffer for all titles: no
    /// allocation per node).
    pub(crate) title: (u32, u32),
    /// Explicit billable flag (order files); `None` = derive from the hierarchy.
    pub(crate) billable: Option<bool>,
    /// Block number in `blocks`; `None` = assign from the block ranges.
    pub(crate) block: Option<u16>,
}

/// Collects chapters, blocks, nodes and 7th-character definitions, then builds a release.
#[derive(Debug)]
pub(crate) struct ReleaseBuilder {
    pub(crate) id: ReleaseId,
    pub(crate) provenance: Vec<(String, String)>,
    pub(crate) chapters: Vec<Chapter>,
    pub(crate) blocks: Vec<Block>,
    pub(crate) nodes: Vec<NodeSpec>,
    /// The titles of `nodes`, back to back.
    pub(crate) node_titles: String,
    pub(crate) sevenths: Vec<SeventhCharacterDef>,
    /// Whether the source gives the full hierarchy (tabular XML): billable flags are then
    /// derived and 7th-character codes generated.
    pub(crate) from_tabular: bool,
    pub(crate) notes: NotesSource,
    pub(crate) short_titles: super::short::ShortTitles,
    /// Stored index parameters (compact tables), checked before use.
    pub(crate) index_hint: Option<IndexHint>,
}

impl ReleaseBuilder {
    pub(crate) fn new(id: ReleaseId) -> Self {
        ReleaseBuilder {
            id,
            provenance: Vec::new(),
            chapters: Vec::new(),
            blocks: Vec::new(),
            nodes: Vec::new(),
            node_titles: String::new(),
            sevenths: Vec::new(),
            from_tabular: true,
            notes: NotesSource::Ready(Notes::default()),
            short_titles: super::short::ShortTitles::None,
            index_hint: None,
        }
    }

    /// Adds a node with its title.
    pub(crate) fn push_node(
        &mut self,
        code: IcdCmCode,
        title: &str,
        billable: Option<bool>,
        block: Option<u16>,
    ) {
        let start = self.node_titles.len();
        self.node_titles.push_str(title);
        self.push_node_titled(code, start, billable, block);
    }

    /// Adds a node whose title is `node_titles[start..]` (already appended by the caller).
    pub(crate) fn push_node_titled(
        &mut self,
        code: IcdCmCode,
        start: usize,
        billable: Option<bool>,
        block: Option<u16>,
    ) {
        self.nodes.push(NodeSpec {
            code,
            title: (start as u32, self.node_titles.len() as u32),
            billable,
            block,
        });
    }

    /// Takes chapters and blocks from a reference release (for order files, which have none).
    pub(crate) fn borrow_structure(&mut self, reference: &IcdCmRelease) {
        self.chapters = reference.chapters.clone();
        self.blocks = reference.blocks.clone();
    }

    pub(crate) fn build(self) -> Result<IcdCmRelease, BuildError> {
        let ReleaseBuilder {
            id,
            provenance,
            chapters,
            blocks,
            mut nodes,
            node_titles,
            sevenths,
            from_tabular,
            notes,
            short_titles,
            index_hint,
        } = self;
        if chapters.len() >= MAX_CHAPTERS {
            return Err(BuildError::new(
                BuildErrorKind::TooLarge,
                format!(
                    "{} chapters: at most {} are supported",
                    chapters.len(),
                    MAX_CHAPTERS - 1
                ),
            ));
        }
        nodes.sort_by_key(|a| a.code);
        for w in nodes.windows(2) {
            if w[0].code == w[1].code {
                return Err(BuildError::new(
                    BuildErrorKind::DuplicateCode,
                    format!("code {} listed twice", w[0].code),
                ));
            }
        }
        // 7th-character definitions by the code that carries them.
        let mut seventh_at: Vec<(IcdCmCode, u16)> = sevenths
            .iter()
            .enumerate()
            .map(|(i, d)| (d.defined_at, i as u16))
            .collect();
        seventh_at.sort();

        // First pass over the listed nodes (sorted = depth-first order): leaf-ness and the
        // applicable 7th-character definition (the nearest one at the node or above it).
        let n = nodes.len();
        let mut is_leaf = vec![true; n];
        for i in 0..n.saturating_sub(1) {
            if nodes[i + 1].code.starts_with(&nodes[i].code) {
                is_leaf[i] = false;
            }
        }
        let mut applicable = vec![NO_SEVENTH; n];
        {
            let mut stack: Vec<(IcdCmCode, u16)> = Vec::new();
            for (i, node) in nodes.iter().enumerate() {
                while let Some((c, _)) = stack.last() {
                    if node.code.starts_with(c) {
                        break;
                    }
                    stack.pop();
                }
                let inherited = stack.last().map(|x| x.1).unwrap_or(NO_SEVENTH);
                let own = seventh_at
                    .binary_search_by(|(c, _)| c.cmp(&node.code))
                    .ok()
                    .map(|k| seventh_at[k].1);
                let here = own.unwrap_or(inherited);
                applicable[i] = here;
                stack.push((node.code, here));
            }
        }

        // Assemble entries, generating the 7th-character codes by the guideline rule: a leaf
        // under a sevenChrDef takes each defined 7th character, after filling positions 4–6
        // with the placeholder X.
        struct Pending {
            code: IcdCmCode,
            title: TitleSrc,
            block: Option<u16>,
            flags: u8,
            seventh: u16,
        }
        enum TitleSrc {
            Node(usize),
            Generated(usize, usize),
        }
        let mut pending: Vec<Pending> = Vec::with_capacity(n * 2);
        for (i, node) in nodes.iter().enumerate() {
            let s7 = applicable[i];
            let needs_seventh =
                from_tabular && is_leaf[i] && s7 != NO_SEVENTH && node.code.len() < 7;
            let billable = match node.billable {
                Some(b) => b,
                None => is_leaf[i] && !needs_seventh,
            };
            let mut flags = if billable { F_BILLABLE } else { 0 };
            if needs_seventh {
                flags |= F_REQUIRES_SEVENTH;
            }
            pending.push(Pending {
                code: node.code,
                title: TitleSrc::Node(i),
                block: node.block,
                flags,
                seventh: s7,
            });
            if needs_seventh {
                let mut base = node.code;
                while base.len() < 6 {
                    base = base.with_appended(b'X').expect("shorter than 7");
                }
                for (k, (c, _)) in sevenths[s7 as usize].extensions.iter().enumerate() {
                    if seventh_not_applicable(&node.code, *c) {
                        continue;
                    }
                    let code = base.with_appended(*c as u8).ok_or_else(|| {
                        BuildError::new(BuildErrorKind::BadSeventhCharacter, format!("{base}"))
                    })?;
                    pending.push(Pending {
                        code,
                        title: TitleSrc::Generated(i, k),
                        block: node.block,
                        flags: F_BILLABLE | F_GENERATED,
                        seventh: s7,
                    });
                }
            }
        }
        pending.sort_by_key(|a| a.code);
        for w in pending.windows(2) {
            if w[0].code == w[1].code {
                return Err(BuildError::new(
                    BuildErrorKind::DuplicateCode,
                    format!(
                        "7th-character code {} collides with a listed code",
                        w[0].code
                    ),
                ));
            }
        }

        // Titles into one string; hierarchy by prefix (depth-first order).
        let title_of = |n: &NodeSpec| &node_titles[n.title.0 as usize..n.title.1 as usize];
        // Exact size of the text (one allocation, no copy on growth).
        let total_title: usize = pending
            .iter()
            .map(|p| match p.title {
                TitleSrc::Node(i) => title_of(&nodes[i]).len(),
                TitleSrc::Generated(i, k) => {
                    title_of(&nodes[i]).len()
                        + 2
                        + sevenths[applicable[i] as usize].extensions[k].1.len()
                }
            })
            .sum();
        let mut text = String::with_capacity(total_title);
        let mut title_ends: Vec<u32> = Vec::with_capacity(pending.len());
        let mut entries: Vec<EntrySpec> = Vec::with_capacity(pending.len());
        let mut stack: Vec<u32> = Vec::new();
        let mut billable_count = 0;
        for p in &pending {
            match p.title {
                TitleSrc::Node(i) => text.push_str(title_of(&nodes[i])),
                TitleSrc::Generated(i, k) => {
                    text.push_str(title_of(&nodes[i]));
                    text.push_str(", ");
                    text.push_str(&sevenths[applicable[i] as usize].extensions[k].1);
                }
            }
            if text.len() > u32::MAX as usize {
                return Err(BuildError::new(
                    BuildErrorKind::TooLarge,
                    "title table too large",
                ));
            }
            title_ends.push(text.len() as u32);
            let idx = entries.len() as u32;
            while let Some(&top) = stack.last() {
                if p.code.starts_with(&entries[top as usize].code) {
                    break;
                }
                entries[top as usize].subtree_end = idx;
                stack.pop();
            }
            let parent = stack.last().copied().unwrap_or(NONE);
            let mut block = p.block.unwrap_or(NO_BLOCK);
            if block == NO_BLOCK {
                block = if parent != NONE {
                    entries[parent as usize].block
                } else {
                    find_block(&blocks, &p.code).unwrap_or(NO_BLOCK)
                };
            }
            let chapter = if block != NO_BLOCK {
                let num = blocks[block as usize].chapter;
                chapters.iter().position(|c| c.number == num).unwrap_or(255) as u8
            } else {
                find_chapter(&chapters, &p.code).unwrap_or(255)
            };
            if p.flags & F_BILLABLE != 0 {
                billable_count += 1;
            }
            entries.push(EntrySpec {
                code: p.code,
                parent,
                subtree_end: idx + 1,
                block,
                seventh: p.seventh,
                chapter,
                flags: p.flags,
            });
            stack.push(idx);
        }
        let end = entries.len() as u32;
        for top in stack {
            entries[top as usize].subtree_end = end;
        }
        if !from_tabular {
            // Flat files have no 7th-character definitions of their own: a header under a
            // definition (borrowed from the reference release) whose children all have 7
            // characters is the code those 7th characters extend.
            for i in 0..entries.len() {
                let e = &entries[i];
                if e.flags & F_BILLABLE != 0 || e.seventh == NO_SEVENTH || e.code.len() >= 7 {
                    continue;
                }
                let (start, end) = (i + 1, e.subtree_end as usize);
                if start < end
                    && entries[start..end]
                        .iter()
                        .all(|c| c.code.len() == 7 && c.parent == i as u32)
                {
                    entries[i].flags |= F_REQUIRES_SEVENTH;
                    for c in &mut entries[start..end] {
                        c.flags |= F_GENERATED;
                    }
                }
            }
        }
        let entries: Vec<Entry> = entries.iter().map(Entry::from).collect();
        let index = CodeIndex::build(&entries, text, &title_ends, index_hint.as_ref())?;
        Ok(IcdCmRelease {
            id,
            provenance,
            chapters,
            blocks,
            entries: Cow::Owned(entries),
            sevenths,
            index,
            billable_count,
            has_hierarchy_source: from_tabular,
            notes,
            short_titles,
            search: OnceLock::new(),
        })
    }
}

/// 7th characters that the tabular list excludes by a note rather than by its `sevenChrDef`
/// structure: `(category, 6th characters, 7th characters not applicable, the note)`.
pub(crate) const SEVENTH_CHARACTER_EXCEPTIONS: &[(&str, &str, &str, &str)] = &[(
    "S06",
    "78",
    "DS",
    "7th characters D and S do not apply to codes in category S06 with 6th character 7 - death \
     due to brain injury prior to regaining consciousness, or 8 - death due to other cause prior \
     to regaining consciousness. (tabular list note at S06, FY2026)",
)];

/// Whether a 7th character is excluded for a base code by [`SEVENTH_CHARACTER_EXCEPTIONS`].
fn seventh_not_applicable(base: &IcdCmCode, seventh: char) -> bool {
    SEVENTH_CHARACTER_EXCEPTIONS
        .iter()
        .any(|(cat, sixth, sevenths, _)| {
            base.category().as_undotted() == *cat
                && base.char_at(5).is_some_and(|c| sixth.contains(c))
                && sevenths.contains(seventh)
        })
}

/// The block whose range holds the code's category, preferring the narrowest one; ranges are
/// compared as strings, which is right within a block except for the few categories with a
/// letter in third place (handled by one-category blocks in the tabular list).
fn find_block(blocks: &[Block], code: &IcdCmCode) -> Option<u16> {
    let cat = code.category();
    let mut best: Option<(u16, usize)> = None;
    for (i, b) in blocks.iter().enumerate() {
        if b.first <= cat && cat <= b.last {
            let width = block_width(b);
            if best.is_none_or(|(_, w)| width < w) {
                best = Some((i as u16, width));
            }
        }
    }
    best.map(|(i, _)| i)
}

fn block_width(b: &Block) -> usize {
    let f = b.first.as_undotted().as_bytes();
    let l = b.last.as_undotted().as_bytes();
    let v = |x: &[u8]| (x[0] as usize) * 1296 + (x[1] as usize) * 36 + x[2] as usize;
    v(l).saturating_sub(v(f))
}

fn find_chapter(chapters: &[Chapter], code: &IcdCmCode) -> Option<u8> {
    let cat = code.category();
    chapters
        .iter()
        .position(|c| c.first <= cat && cat <= c.last)
        .map(|i| i as u8)
}

impl IcdCmRelease {
    /// Which release this is.
    pub fn id(&self) -> ReleaseId {
        self.id
    }

    /// Where the tables come from: `(key, value)` pairs such as `("source", "…xml")`.
    pub fn provenance(&self) -> &[(String, String)] {
        &self.provenance
    }

    /// Number of codes (headers and billable codes, including generated 7th-character codes).
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the release has no code.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Whether billable flags and 7th-character codes come from the tabular hierarchy (tabular
    /// XML or the compact table) rather than from a flat file's flags.
    pub fn is_from_tabular(&self) -> bool {
        self.has_hierarchy_source
    }

    /// Number of billable codes.
    pub fn billable_count(&self) -> usize {
        self.billable_count
    }

    /// The chapters, in tabular order.
    pub fn chapters(&self) -> &[Chapter] {
        &self.chapters
    }

    /// The blocks (tabular sections), in tabular order, headings included.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Every code in code order (depth first: a code comes right before the codes below it).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = CodeEntry<'_>> + '_ {
        (0..self.entries.len() as u32).map(move |idx| CodeEntry { release: self, idx })
    }

    /// The entry of a code number.
    pub fn entry(&self, id: EntryId) -> Option<CodeEntry<'_>> {
        ((id.0 as usize) < self.entries.len()).then_some(CodeEntry {
            release: self,
            idx: id.0,
        })
    }

    /// The entry of a code, if the release has it (billable, header, or a code that still needs
    /// its 7th character).
    #[inline]
    pub fn get(&self, code: &IcdCmCode) -> Option<CodeEntry<'_>> {
        let hit = self.index.find(code);
        hit.is_found().then(|| CodeEntry {
            release: self,
            idx: hit.idx(),
        })
    }

    /// The chapter of entry `idx`.
    #[inline]
    pub(crate) fn chapter_at(&self, idx: u32) -> Option<&Chapter> {
        let c = self.entries.get(idx as usize)?.chapter();
        self.chapters.get(c as usize)
    }

    /// Heap memory held by the code tables (entries, titles, index, chapters, blocks, 7th
    /// characters), in bytes; notes, short titles and the search index are loaded on first use
    /// and not counted.
    pub fn heap_bytes(&self) -> usize {
        let strings = |v: &[(char, String)]| v.iter().map(|(_, t)| t.capacity()).sum::<usize>();
        let entries = match &self.entries {
            Cow::Owned(v) => v.capacity() * std::mem::size_of::<Entry>(),
            Cow::Borrowed(_) => 0,
        };
        entries
            + self.index.heap_bytes()
            + self
                .chapters
                .iter()
                .map(|c| c.title.capacity())
                .sum::<usize>()
            + self
                .blocks
                .iter()
                .map(|b| b.title.capacity())
                .sum::<usize>()
            + self
                .sevenths
                .iter()
                .map(|d| strings(&d.extensions) + d.extensions.capacity() * 32)
                .sum::<usize>()
    }

    /// Bytes of the code tables used in place from the program's read-only data rather than
    /// copied to the heap: the entries, index records and titles of a release read from a
    /// binary image embedded in the program (the [`icd10cm()`](crate::icd10cm) release), 0 for
    /// a release built or read at run time. They are paged in from the executable as they are
    /// read and shared by every process running it.
    pub fn in_place_bytes(&self) -> usize {
        let entries = match &self.entries {
            Cow::Borrowed(v) => std::mem::size_of_val(*v),
            Cow::Owned(_) => 0,
        };
        entries + self.index.borrowed_bytes()
    }

    /// Normalizes `input` and returns its entry.
    pub fn lookup(&self, input: &str) -> Result<CodeEntry<'_>, crate::LookupError> {
        let code = IcdCmCode::parse(input).map_err(crate::LookupError::malformed)?;
        self.get(&code)
            .ok_or_else(|| crate::LookupError::unknown(input, self.id))
    }

    /// The title of a code.
    pub fn title(&self, code: &IcdCmCode) -> Option<&str> {
        self.get(code).map(|e| e.title())
    }

    /// The parent of a code in the hierarchy.
    pub fn parent(&self, code: &IcdCmCode) -> Option<IcdCmCode> {
        self.get(code)?.parent().map(|p| p.code())
    }

    /// The chapter of a code: from its entry, or for an unknown code from its category's range.
    pub fn chapter_of(&self, code: &IcdCmCode) -> Option<&Chapter> {
        match self.get(code) {
            Some(e) => e.chapter(),
            None => find_chapter(&self.chapters, code).map(|i| &self.chapters[i as usize]),
        }
    }

    /// Validates a code string: normalizes it, then looks it up and applies the 7th-character
    /// rules. Never panics, whatever the input.
    #[inline]
    pub fn validate(&self, input: &str) -> CodeStatus {
        // The lookup fast path first, as in `classify`: a found word proves the input well
        // formed.
        if let Some(word) = lookup_word(input.as_bytes()) {
            let hit = self.index.find_word(word);
            if hit.is_found() {
                return hit.status();
            }
        }
        self.classify_by_rules(input).status()
    }

    /// Validates a normalized code.
    #[inline]
    pub fn validate_code(&self, code: &IcdCmCode) -> CodeStatus {
        let hit = self.index.find(code);
        if hit.is_found() {
            hit.status()
        } else {
            self.diagnose_unknown(code)
        }
    }

    /// The status of a well-formed code that is not in the release: a code lacking its 7th
    /// character (or its placeholder `X`), a 7th character not allowed, or unknown.
    #[cold]
    pub(crate) fn diagnose_unknown(&self, code: &IcdCmCode) -> CodeStatus {
        // Strip placeholder X's (and, for 7 characters, the 7th character) to find the code
        // that carries the 7th-character requirement.
        let strip_x = |mut c: IcdCmCode| {
            while c.len() > 3 && c.char_at(c.len() - 1) == Some('X') {
                c = c.truncated().expect("longer than 3");
            }
            c
        };
        // The index record has the flag: no read of the entry.
        let requires_seventh = |c: &IcdCmCode| self.index.find(c).requires_seventh();
        let base = strip_x(*code);
        if base != *code && requires_seventh(&base) {
            return CodeStatus::MissingSeventhCharacter;
        }
        if code.len() == 7 {
            let base = strip_x(code.truncated().expect("7 characters"));
            if requires_seventh(&base) {
                let mut padded = base;
                while padded.len() < 6 {
                    padded = padded.with_appended(b'X').expect("short");
                }
                if padded == code.truncated().expect("7 characters") {
                    return CodeStatus::InvalidSeventhCharacter;
                }
            }
        }
        CodeStatus::Unknown
    }

    /// The instructional notes of this release (loaded on first use for the embedded release).
    pub(crate) fn notes(&self) -> &Notes {
        self.notes.get()
    }

    /// The codes an Excludes1/Excludes2/code-first/use-additional/code-also note points at,
    /// as written in the note (e.g. "(Z16.-)"), is left to the caller; this returns the notes of
    /// one kind that apply to a code, nearest first.
    pub fn notes_of_kind<'a>(&'a self, code: &IcdCmCode, kind: NoteKind) -> Vec<&'a str> {
        match self.get(code) {
            Some(e) => e
                .notes_applying()
                .into_iter()
                .filter(|(_, k, _)| *k == kind)
                .map(|(_, _, t)| t)
                .collect(),
            None => Vec::new(),
        }
    }
}
