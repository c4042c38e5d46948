//! Loader for the CDC ICD-10-CM tabular list XML (`icd10cm_tabular_YYYY.xml`).

use roxmltree::{Document, Node};

use super::code::IcdCmCode;
use super::notes::{NoteKind, NoteOwner, Notes, NotesSource};
use super::release::{Block, Chapter, ReleaseBuilder, ReleaseId, SeventhCharacterDef};
use crate::error::{LoadError, LoadErrorKind};

/// Collapses white space runs (the XML is indented and CRLF) to single spaces.
fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn child<'a, 'i>(n: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    n.children().find(|c| c.has_tag_name(name))
}

fn text_of(n: Node<'_, '_>, name: &str) -> Option<String> {
    child(n, name).map(|c| norm(&c.text().map(str::to_string).unwrap_or_default()))
}

fn line_of(doc: &Document<'_>, n: Node<'_, '_>) -> usize {
    doc.text_pos_at(n.range().start).row as usize
}

/// Strips a trailing "(A00-B99)" range from a title.
fn strip_range(title: &str) -> (String, Option<String>) {
    let t = title.trim_end();
    if t.ends_with(')')
        && let Some(open) = t.rfind('(')
    {
        let inner = &t[open + 1..t.len() - 1];
        if inner.len() <= 7 && inner.chars().all(|c| c.is_ascii_alphanumeric() || c == '-') {
            return (t[..open].trim_end().to_string(), Some(inner.to_string()));
        }
    }
    (t.to_string(), None)
}

fn parse_range(
    doc: &Document<'_>,
    n: Node<'_, '_>,
    s: &str,
) -> Result<(IcdCmCode, IcdCmCode), LoadError> {
    let (a, b) = s.split_once('-').unwrap_or((s, s));
    let a = IcdCmCode::from_undotted(a.trim());
    let b = IcdCmCode::from_undotted(b.trim());
    match (a, b) {
        (Some(a), Some(b)) => Ok((a, b)),
        _ => Err(
            LoadError::new(LoadErrorKind::Format, format!("bad range {s:?}"))
                .at_line(line_of(doc, n)),
        ),
    }
}

fn collect_notes(n: Node<'_, '_>, owner: NoteOwner, out: &mut Vec<(NoteOwner, NoteKind, String)>) {
    for c in n.children().filter(|c| c.is_element()) {
        if let Some(kind) = NoteKind::from_xml_name(c.tag_name().name()) {
            for note in c.children().filter(|x| x.has_tag_name("note")) {
                let t = norm(note.text().unwrap_or(""));
                if !t.is_empty() {
                    out.push((owner, kind, t));
                }
            }
        }
    }
}

/// Parses the tabular XML text into a builder for `id`.
pub(crate) fn parse(xml: &str, id: ReleaseId) -> Result<ReleaseBuilder, LoadError> {
    let doc = Document::parse(xml).map_err(|e| {
        let pos = e.pos();
        LoadError::new(LoadErrorKind::Xml, e.to_string()).at_line(pos.row as usize)
    })?;
    let root = doc.root_element();
    if root.tag_name().name() != "ICD10CM.tabular" {
        return Err(LoadError::new(
            LoadErrorKind::Format,
            format!(
                "root element is <{}>, expected <ICD10CM.tabular>",
                root.tag_name().name()
            ),
        ));
    }
    let mut b = ReleaseBuilder::new(id);
    if let Some(v) = text_of(root, "version") {
        b.provenance.push(("xml_version".into(), v));
    }
    let mut notes = Vec::new();
    for ch in root.children().filter(|c| c.has_tag_name("chapter")) {
        let number: u8 = text_of(ch, "name")
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| {
                LoadError::new(LoadErrorKind::Format, "chapter without a number")
                    .at_line(line_of(&doc, ch))
            })?;
        let desc = text_of(ch, "desc").unwrap_or_default();
        let (title, range) = strip_range(&desc);
        // The chapter range is in its title; otherwise take it from its first and last section.
        let range = match range {
            Some(r) => r,
            None => {
                let ids: Vec<_> = ch
                    .children()
                    .filter(|c| c.has_tag_name("section"))
                    .filter_map(|s| s.attribute("id"))
                    .collect();
                match (ids.first(), ids.last()) {
                    (Some(a), Some(z)) => format!(
                        "{}-{}",
                        a.split('-').next().unwrap_or(a),
                        z.rsplit('-').next().unwrap_or(z)
                    ),
                    _ => {
                        return Err(
                            LoadError::new(LoadErrorKind::Format, "chapter without range")
                                .at_line(line_of(&doc, ch)),
                        );
                    }
                }
            }
        };
        let (first, last) = parse_range(&doc, ch, &range)?;
        b.chapters.push(Chapter {
            number,
            first,
            last,
            title,
        });
        collect_notes(ch, NoteOwner::Chapter(number), &mut notes);
        for sec in ch.children().filter(|c| c.has_tag_name("section")) {
            let sid = sec.attribute("id").unwrap_or("");
            let (first, last) = parse_range(&doc, sec, sid)?;
            let (title, _) = strip_range(&text_of(sec, "desc").unwrap_or_default());
            let block_no = b.blocks.len() as u16;
            b.blocks.push(Block {
                first,
                last,
                title,
                chapter: number,
            });
            collect_notes(sec, NoteOwner::Block(first, last), &mut notes);
            for d in sec.children().filter(|c| c.has_tag_name("diag")) {
                walk_diag(&doc, d, block_no, &mut b, &mut notes, 0)?;
            }
        }
    }
    if b.nodes.is_empty() {
        return Err(LoadError::new(LoadErrorKind::Empty, "no <diag> element"));
    }
    b.notes = NotesSource::Ready(Notes::from_items(notes));
    b.from_tabular = true;
    Ok(b)
}

fn walk_diag(
    doc: &Document<'_>,
    d: Node<'_, '_>,
    block: u16,
    b: &mut ReleaseBuilder,
    notes: &mut Vec<(NoteOwner, NoteKind, String)>,
    depth: usize,
) -> Result<(), LoadError> {
    // Codes have at most 7 characters, so <diag> nests at most 5 deep; refuse deeper input
    // rather than recurse without bound.
    if depth > 8 {
        return Err(
            LoadError::new(LoadErrorKind::Format, "<diag> nested too deep")
                .at_line(line_of(doc, d)),
        );
    }
    let name = text_of(d, "name").unwrap_or_default();
    let code = IcdCmCode::parse(&name).map_err(|e| {
        LoadError::new(LoadErrorKind::BadCode, e.to_string()).at_line(line_of(doc, d))
    })?;
    let title = text_of(d, "desc").unwrap_or_default();
    b.push_node(code, &title, None, Some(block));
    collect_notes(d, NoteOwner::Code(code), notes);
    if let Some(def) = child(d, "sevenChrDef") {
        let mut extensions = Vec::new();
        for x in def.children().filter(|x| x.has_tag_name("extension")) {
            let ch = x.attribute("char").unwrap_or("");
            let mut chars = ch.chars();
            let (Some(c), None) = (chars.next(), chars.next()) else {
                return Err(LoadError::new(
                    LoadErrorKind::Format,
                    format!("bad 7th character {ch:?}"),
                )
                .at_line(line_of(doc, x)));
            };
            let c = c.to_ascii_uppercase();
            if !c.is_ascii_alphanumeric() {
                return Err(LoadError::new(
                    LoadErrorKind::Format,
                    format!("bad 7th character {ch:?}"),
                )
                .at_line(line_of(doc, x)));
            }
            extensions.push((c, norm(x.text().unwrap_or(""))));
        }
        let note = child(d, "sevenChrNote").and_then(|n| text_of(n, "note"));
        b.sevenths.push(SeventhCharacterDef {
            defined_at: code,
            extensions,
            note,
        });
    }
    for c in d.children().filter(|c| c.has_tag_name("diag")) {
        walk_diag(doc, c, block, b, notes, depth + 1)?;
    }
    Ok(())
}
