//! Instructional notes of the tabular list (Excludes1, Excludes2, code first, use additional code,
//! code also, includes, inclusion terms, other notes).

use std::sync::OnceLock;

use super::code::IcdCmCode;

/// The kind of an instructional note (ICD-10-CM Official Guidelines, Section I.A "Conventions").
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NoteKind {
    /// "Includes": further defines the content of the category.
    Includes,
    /// An inclusion term: a condition coded here.
    InclusionTerm,
    /// "Excludes1": never reported together with the code above the note.
    Excludes1,
    /// "Excludes2": not included here, but may be reported together.
    Excludes2,
    /// "Code first": the underlying condition is sequenced first (etiology/manifestation).
    CodeFirst,
    /// "Use additional code": a further code is needed to describe the condition fully.
    UseAdditionalCode,
    /// "Code also": a second code may be needed; sequencing is discretionary.
    CodeAlso,
    /// Any other note written at the node (`notes`).
    Note,
}

impl NoteKind {
    pub(crate) fn letter(self) -> char {
        match self {
            NoteKind::Includes => 'I',
            NoteKind::InclusionTerm => 'T',
            NoteKind::Excludes1 => 'E',
            NoteKind::Excludes2 => 'F',
            NoteKind::CodeFirst => 'C',
            NoteKind::UseAdditionalCode => 'U',
            NoteKind::CodeAlso => 'A',
            NoteKind::Note => 'N',
        }
    }

    pub(crate) fn from_letter(c: &str) -> Option<NoteKind> {
        Some(match c {
            "I" => NoteKind::Includes,
            "T" => NoteKind::InclusionTerm,
            "E" => NoteKind::Excludes1,
            "F" => NoteKind::Excludes2,
            "C" => NoteKind::CodeFirst,
            "U" => NoteKind::UseAdditionalCode,
            "A" => NoteKind::CodeAlso,
            "N" => NoteKind::Note,
            _ => return None,
        })
    }

    /// The XML element name of the tabular list (`excludes1`, `codeFirst`, …).
    pub fn xml_name(self) -> &'static str {
        match self {
            NoteKind::Includes => "includes",
            NoteKind::InclusionTerm => "inclusionTerm",
            NoteKind::Excludes1 => "excludes1",
            NoteKind::Excludes2 => "excludes2",
            NoteKind::CodeFirst => "codeFirst",
            NoteKind::UseAdditionalCode => "useAdditionalCode",
            NoteKind::CodeAlso => "codeAlso",
            NoteKind::Note => "notes",
        }
    }

    pub(crate) fn from_xml_name(s: &str) -> Option<NoteKind> {
        Some(match s {
            "includes" => NoteKind::Includes,
            "inclusionTerm" => NoteKind::InclusionTerm,
            "excludes1" => NoteKind::Excludes1,
            "excludes2" => NoteKind::Excludes2,
            "codeFirst" => NoteKind::CodeFirst,
            "useAdditionalCode" => NoteKind::UseAdditionalCode,
            "codeAlso" => NoteKind::CodeAlso,
            "notes" => NoteKind::Note,
            _ => return None,
        })
    }
}

/// Where a note is written: at a code, a block or a chapter. A note applies to its node and
/// everything below it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum NoteOwner {
    /// A chapter, by number.
    Chapter(u8),
    /// A block, by its first and last category.
    Block(IcdCmCode, IcdCmCode),
    /// A code.
    Code(IcdCmCode),
}

impl NoteOwner {
    pub(crate) fn encode(&self) -> String {
        match self {
            NoteOwner::Chapter(n) => format!("#{n}"),
            NoteOwner::Block(a, b) => format!("@{}-{}", a.as_undotted(), b.as_undotted()),
            NoteOwner::Code(c) => c.as_undotted().to_string(),
        }
    }

    pub(crate) fn decode(s: &str) -> Option<NoteOwner> {
        if let Some(n) = s.strip_prefix('#') {
            return n.parse().ok().map(NoteOwner::Chapter);
        }
        if let Some(r) = s.strip_prefix('@') {
            let (a, b) = r.split_once('-')?;
            return Some(NoteOwner::Block(
                IcdCmCode::from_undotted(a)?,
                IcdCmCode::from_undotted(b)?,
            ));
        }
        IcdCmCode::from_undotted(s).map(NoteOwner::Code)
    }
}

/// All instructional notes of a release, sorted by owner.
#[derive(Debug, Clone, Default)]
pub struct Notes {
    items: Vec<(NoteOwner, NoteKind, String)>,
}

impl Notes {
    pub(crate) fn from_items(mut items: Vec<(NoteOwner, NoteKind, String)>) -> Notes {
        items.sort_by_key(|a| a.0);
        Notes { items }
    }

    /// Number of notes.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there is no note.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// Every note, sorted by owner (in source order within an owner).
    pub fn iter(&self) -> impl Iterator<Item = (NoteOwner, NoteKind, &str)> + '_ {
        self.items.iter().map(|(o, k, t)| (*o, *k, t.as_str()))
    }

    /// The notes written at one owner.
    pub fn for_owner(&self, owner: NoteOwner) -> impl Iterator<Item = (NoteKind, &str)> + '_ {
        let start = self.items.partition_point(|x| x.0 < owner);
        self.items[start..]
            .iter()
            .take_while(move |x| x.0 == owner)
            .map(|(_, k, t)| (*k, t.as_str()))
    }

    /// Parses the compact notes format (`owner<TAB>kind<TAB>text` per line, `%` lines skipped).
    pub(crate) fn parse_compact(text: &str) -> Notes {
        let mut items = Vec::new();
        for line in text.lines() {
            if line.starts_with('%') || line.is_empty() {
                continue;
            }
            let mut f = line.splitn(3, '\t');
            let (Some(o), Some(k), Some(t)) = (f.next(), f.next(), f.next()) else {
                continue;
            };
            if let (Some(o), Some(k)) = (NoteOwner::decode(o), NoteKind::from_letter(k)) {
                items.push((o, k, t.to_string()));
            }
        }
        Notes::from_items(items)
    }

    /// Writes the compact notes format.
    pub(crate) fn write_compact(&self, out: &mut String) {
        for (o, k, t) in &self.items {
            out.push_str(&o.encode());
            out.push('\t');
            out.push(k.letter());
            out.push('\t');
            out.push_str(t);
            out.push('\n');
        }
    }
}

/// Notes either ready or parsed from embedded text on first use.
#[derive(Debug)]
pub(crate) enum NotesSource {
    Ready(Notes),
    Embedded(&'static str, OnceLock<Notes>),
}

impl NotesSource {
    pub(crate) fn get(&self) -> &Notes {
        match self {
            NotesSource::Ready(n) => n,
            NotesSource::Embedded(text, cell) => cell.get_or_init(|| Notes::parse_compact(text)),
        }
    }
}
