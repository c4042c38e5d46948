//! The compact table format embedded in the crate (and writable for any loaded release).
//!
//! A UTF-8 text file, one record per line, fields separated by TAB:
//!
//! ```text
//! %medrec-codes icd10cm 1            format line
//! %key<TAB>value                     provenance (fiscal_year, update, source, …)
//! C<TAB>number<TAB>first<TAB>last<TAB>title                  chapter
//! B<TAB>first<TAB>last<TAB>chapter<TAB>title                 block (tabular section)
//! 7<TAB>code<TAB>note<TAB>A=meaning<TAB>D=meaning…           7th-character definition
//! N<TAB>code<TAB>b|h<TAB>block|-<TAB>P<TAB>S<TAB>middle      code (not the generated ones)
//! H<TAB>seed<TAB>records<TAB>pilot,pilot,…                   code index parameters (optional)
//! ```
//!
//! Codes are undotted and sorted. A code's title is the previous `N` title's first `P` bytes,
//! then `middle`, then the previous title's last `S` bytes (front and back coding: neighbouring
//! titles share most of their words). The 7th-character codes are not stored: they are generated
//! at load time from the `7` records by the same rule as for the tabular XML.
//!
//! The `H` line carries the parameters of the code index (the perfect hash of `index.rs`: its
//! seed, record count and one pilot per bucket) so that loading does not search for them; it
//! is checked at load and ignored (the search runs) if it does not fit the codes.

use super::code::IcdCmCode;
use super::index::IndexHint;
use super::release::{
    Block, Chapter, IcdCmRelease, ReleaseBuilder, ReleaseId, ReleaseUpdate, SeventhCharacterDef,
};
use crate::error::{LoadError, LoadErrorKind};

pub(crate) const MAGIC: &str = "%medrec-codes icd10cm 1";

/// Longest common prefix and suffix (in bytes, on char boundaries) of `prev` and `cur`,
/// not overlapping within `cur`.
pub(crate) fn front_back(prev: &str, cur: &str) -> (usize, usize) {
    let (p, c) = (prev.as_bytes(), cur.as_bytes());
    let mut pre = 0;
    while pre < p.len() && pre < c.len() && p[pre] == c[pre] {
        pre += 1;
    }
    while !cur.is_char_boundary(pre) || !prev.is_char_boundary(pre) {
        pre -= 1;
    }
    let mut suf = 0;
    while suf < p.len() - pre.min(p.len())
        && suf < c.len() - pre
        && p[p.len() - 1 - suf] == c[c.len() - 1 - suf]
    {
        suf += 1;
    }
    while !cur.is_char_boundary(c.len() - suf) || !prev.is_char_boundary(p.len() - suf) {
        suf -= 1;
    }
    (pre, suf)
}

fn bad(line: usize, what: impl Into<String>) -> LoadError {
    LoadError::new(LoadErrorKind::Format, what).at_line(line)
}

fn code(line: usize, s: &str) -> Result<IcdCmCode, LoadError> {
    IcdCmCode::from_undotted(s).ok_or_else(|| {
        LoadError::new(LoadErrorKind::BadCode, format!("bad code {s:?}")).at_line(line)
    })
}

/// Parses the compact format into a builder (notes and short titles are attached by the caller).
pub(crate) fn parse(text: &str) -> Result<ReleaseBuilder, LoadError> {
    parse_with(text, true)
}

/// Parses the compact format; `require_codes: false` accepts a table of only the lines that
/// [`write_structure`] writes (the structure part of a binary image).
pub(crate) fn parse_with(text: &str, require_codes: bool) -> Result<ReleaseBuilder, LoadError> {
    let mut lines = text.lines().enumerate();
    match lines.next() {
        Some((_, l)) if l == MAGIC => {}
        _ => return Err(bad(1, format!("expected {MAGIC:?} on the first line"))),
    }
    let mut builder = ReleaseBuilder::new(ReleaseId::october(0));
    // Front/back-coded titles decode to about twice the table's size; codes take ~40 bytes a line.
    builder.node_titles.reserve(text.len() * 2);
    builder.nodes.reserve(text.len() / 40);
    let mut fy = None;
    let mut update = ReleaseUpdate::October;
    for (i, line) in lines {
        let ln = i + 1;
        let mut f = line.split('\t');
        let tag = f.next().unwrap_or("");
        match tag {
            "" => continue,
            "C" => {
                let (Some(n), Some(a), Some(b), Some(t)) = (f.next(), f.next(), f.next(), f.next())
                else {
                    return Err(bad(ln, "chapter line needs 4 fields"));
                };
                builder.chapters.push(Chapter {
                    number: n.parse().map_err(|_| bad(ln, "bad chapter number"))?,
                    first: code(ln, a)?,
                    last: code(ln, b)?,
                    title: t.to_string(),
                });
            }
            "B" => {
                let (Some(a), Some(b), Some(n), Some(t)) = (f.next(), f.next(), f.next(), f.next())
                else {
                    return Err(bad(ln, "block line needs 4 fields"));
                };
                builder.blocks.push(Block {
                    first: code(ln, a)?,
                    last: code(ln, b)?,
                    chapter: n.parse().map_err(|_| bad(ln, "bad chapter number"))?,
                    title: t.to_string(),
                });
            }
            "7" => {
                let (Some(c), Some(note)) = (f.next(), f.next()) else {
                    return Err(bad(ln, "7th-character line needs a code and a note field"));
                };
                let mut extensions = Vec::new();
                for x in f {
                    let (ch, meaning) = x
                        .split_once('=')
                        .ok_or_else(|| bad(ln, "expected X=meaning"))?;
                    let mut chars = ch.chars();
                    let (Some(ch), None) = (chars.next(), chars.next()) else {
                        return Err(bad(ln, "a 7th character is one character"));
                    };
                    if !ch.is_ascii_alphanumeric() {
                        return Err(bad(ln, "a 7th character is a letter or digit"));
                    }
                    let ch = ch.to_ascii_uppercase();
                    extensions.push((ch, meaning.to_string()));
                }
                builder.sevenths.push(SeventhCharacterDef {
                    defined_at: code(ln, c)?,
                    extensions,
                    note: (!note.is_empty()).then(|| note.to_string()),
                });
            }
            "N" => {
                let (Some(c), Some(flag), Some(block), Some(p), Some(s), Some(mid)) =
                    (f.next(), f.next(), f.next(), f.next(), f.next(), f.next())
                else {
                    return Err(bad(ln, "code line needs 6 fields"));
                };
                let p: usize = p.parse().map_err(|_| bad(ln, "bad prefix length"))?;
                let s: usize = s.parse().map_err(|_| bad(ln, "bad suffix length"))?;
                let (ps, pe) = builder
                    .nodes
                    .last()
                    .map_or((0, 0), |n| (n.title.0 as usize, n.title.1 as usize));
                let prev_title = &builder.node_titles[ps..pe];
                if p + s > prev_title.len()
                    || !prev_title.is_char_boundary(p)
                    || !prev_title.is_char_boundary(prev_title.len() - s)
                {
                    return Err(bad(ln, "prefix/suffix longer than the previous title"));
                }
                // The title is built at the end of the shared buffer from the previous one.
                let start = builder.node_titles.len();
                builder.node_titles.extend_from_within(ps..ps + p);
                builder.node_titles.push_str(mid);
                builder.node_titles.extend_from_within(pe - s..pe);
                let billable = match flag {
                    "b" => true,
                    "h" => false,
                    _ => return Err(bad(ln, "flag must be b or h")),
                };
                let block = if block == "-" {
                    None
                } else {
                    let b: u16 = block.parse().map_err(|_| bad(ln, "bad block number"))?;
                    if b as usize >= builder.blocks.len() {
                        return Err(bad(ln, "block number out of range"));
                    }
                    Some(b)
                };
                let code = code(ln, c)?;
                builder.push_node_titled(code, start, Some(billable), block);
            }
            "H" => {
                let (Some(seed), Some(slots), Some(pilots)) = (f.next(), f.next(), f.next()) else {
                    return Err(bad(ln, "index line needs 3 fields"));
                };
                let pilots: Result<Vec<u16>, _> = pilots.split(',').map(str::parse).collect();
                builder.index_hint = Some(IndexHint {
                    seed: seed.parse().map_err(|_| bad(ln, "bad index seed"))?,
                    slots: slots
                        .parse()
                        .map_err(|_| bad(ln, "bad index record count"))?,
                    pilots: pilots.map_err(|_| bad(ln, "bad index pilot"))?,
                });
            }
            t if t.starts_with('%') => {
                let key = &t[1..];
                let value = f.next().unwrap_or("").to_string();
                match key {
                    "fiscal_year" => fy = value.parse::<u16>().ok(),
                    "update" => {
                        update = match value.as_str() {
                            "april" => ReleaseUpdate::April,
                            "october" => ReleaseUpdate::October,
                            _ => return Err(bad(ln, "update must be april or october")),
                        }
                    }
                    _ => {}
                }
                builder.provenance.push((key.to_string(), value));
            }
            _ => return Err(bad(ln, format!("unknown record {tag:?}"))),
        }
    }
    let fy = fy.ok_or_else(|| LoadError::new(LoadErrorKind::Format, "missing %fiscal_year"))?;
    builder.id = ReleaseId {
        fiscal_year: fy,
        update,
    };
    if require_codes && builder.nodes.is_empty() {
        return Err(LoadError::new(LoadErrorKind::Empty, "no code"));
    }
    Ok(builder)
}

/// Writes a release in the compact format (main table).
pub(crate) fn write(release: &IcdCmRelease) -> String {
    let mut out = String::with_capacity(4 << 20);
    write_structure(release, &mut out);
    write_codes(release, &mut out);
    out
}

/// Writes the format line, provenance, chapters, blocks and 7th-character definitions.
pub(crate) fn write_structure(release: &IcdCmRelease, out: &mut String) {
    out.push_str(MAGIC);
    out.push('\n');
    let id = release.id();
    out.push_str(&format!("%fiscal_year\t{}\n", id.fiscal_year));
    out.push_str(match id.update {
        ReleaseUpdate::April => "%update\tapril\n",
        ReleaseUpdate::October => "%update\toctober\n",
    });
    for (k, v) in release.provenance() {
        if k == "fiscal_year" || k == "update" {
            continue;
        }
        out.push_str(&format!("%{k}\t{}\n", clean(v)));
    }
    for c in release.chapters() {
        out.push_str(&format!(
            "C\t{}\t{}\t{}\t{}\n",
            c.number,
            c.first.as_undotted(),
            c.last.as_undotted(),
            clean(&c.title)
        ));
    }
    for b in release.blocks() {
        out.push_str(&format!(
            "B\t{}\t{}\t{}\t{}\n",
            b.first.as_undotted(),
            b.last.as_undotted(),
            b.chapter,
            clean(&b.title)
        ));
    }
    for d in &release.sevenths {
        out.push_str(&format!(
            "7\t{}\t{}",
            d.defined_at.as_undotted(),
            clean(d.note.as_deref().unwrap_or(""))
        ));
        for (c, m) in &d.extensions {
            out.push_str(&format!("\t{c}={}", clean(m)));
        }
        out.push('\n');
    }
}

/// Writes the code lines (`N`) and the index line (`H`).
fn write_codes(release: &IcdCmRelease, out: &mut String) {
    let mut prev = String::new();
    for e in release.iter() {
        if e.is_seventh_character_code() {
            continue;
        }
        let title = clean(e.title());
        let (p, s) = front_back(&prev, &title);
        let block = match release.entries[e.id().index()].block() {
            u16::MAX => "-".to_string(),
            b => b.to_string(),
        };
        out.push_str(&format!(
            "N\t{}\t{}\t{}\t{p}\t{s}\t{}\n",
            e.code().as_undotted(),
            if e.is_billable() { 'b' } else { 'h' },
            block,
            &title[p..title.len() - s]
        ));
        prev = title;
    }
    let hint = release.index.hint();
    out.push_str(&format!("H\t{}\t{}\t", hint.seed, hint.slots));
    for (i, p) in hint.pilots.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        out.push_str(&p.to_string());
    }
    out.push('\n');
}

/// Tabs and line breaks never reach the compact format.
pub(crate) fn clean(s: &str) -> String {
    if s.contains(['\t', '\n', '\r']) {
        s.split_whitespace().collect::<Vec<_>>().join(" ")
    } else {
        s.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::front_back;

    #[test]
    fn front_back_coding_round_trips() {
        let cases = [
            ("", "Cholera"),
            (
                "Cholera",
                "Cholera due to Vibrio cholerae 01, biovar cholerae",
            ),
            ("abc", "abc"),
            ("Sjögren syndrome", "Sjögren syndrome, unspecified"),
            ("aaaa", "aa"),
            ("xéy", "xèy"),
        ];
        for (prev, cur) in cases {
            let (p, s) = front_back(prev, cur);
            assert!(p + s <= cur.len() && p + s <= prev.len());
            let rebuilt = format!(
                "{}{}{}",
                &prev[..p],
                &cur[p..cur.len() - s],
                &prev[prev.len() - s..]
            );
            assert_eq!(rebuilt, cur);
        }
    }
}
