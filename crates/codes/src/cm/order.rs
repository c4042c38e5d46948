//! Loaders for the CMS flat files: the order file (`icd10cm_order_YYYY.txt`, every code with its
//! billable flag, short and long title) and the code-descriptions file (`icd10cm_codes_YYYY.txt`,
//! billable codes and long titles only).

use super::code::IcdCmCode;
use super::release::{IcdCmRelease, ReleaseBuilder, ReleaseId};
use super::short::ShortTitles;
use crate::error::{LoadError, LoadErrorKind};

/// Parses the order file layout (1-based columns): 1–5 order number, 7–13 code without dot,
/// 15 flag (`1` billable, `0` header), 17–76 short title, 78– long title. CMS "ICD-10-CM
/// order file format" (`icd10cm_order_YYYY.txt`, published with each release).
pub(crate) fn parse_order(
    text: &str,
    id: ReleaseId,
    reference: &IcdCmRelease,
) -> Result<ReleaseBuilder, LoadError> {
    let mut b = ReleaseBuilder::new(id);
    b.borrow_structure(reference);
    b.sevenths = reference.sevenths.clone();
    b.from_tabular = false;
    let mut shorts = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let bad = |what: &str| LoadError::new(LoadErrorKind::Format, what.to_string()).at_line(ln);
        if line.len() < 16
            || !line.is_char_boundary(6)
            || !line.is_char_boundary(13)
            || !line.is_char_boundary(16)
        {
            return Err(bad("line too short for the order-file layout"));
        }
        if !line.as_bytes()[..5].iter().all(u8::is_ascii_digit) {
            return Err(bad("columns 1-5 must be the order number"));
        }
        let code_s = line[6..13].trim_end();
        let code = IcdCmCode::from_undotted(code_s).ok_or_else(|| {
            LoadError::new(
                LoadErrorKind::BadCode,
                format!("bad code {code_s:?} in columns 7-13"),
            )
            .at_line(ln)
        })?;
        let billable = match line.as_bytes()[14] {
            b'1' => true,
            b'0' => false,
            _ => return Err(bad("column 15 must be 1 (billable) or 0 (header)")),
        };
        let rest = &line[16..];
        let (short, long) = if rest.len() > 61 && rest.is_char_boundary(60) {
            (rest[..60].trim_end(), rest[60..].trim())
        } else {
            (rest.trim_end(), rest.trim())
        };
        shorts.push((code, Box::<str>::from(short)));
        b.push_node(code, long, Some(billable), None);
    }
    if b.nodes.is_empty() {
        return Err(LoadError::new(LoadErrorKind::Empty, "no code line"));
    }
    b.short_titles = ShortTitles::from_pairs(shorts);
    Ok(b)
}

/// Parses the code-descriptions layout: the code without dot, white space, the long title.
/// Only billable codes are listed, so a release loaded this way has no headers.
pub(crate) fn parse_descriptions(
    text: &str,
    id: ReleaseId,
    reference: &IcdCmRelease,
) -> Result<ReleaseBuilder, LoadError> {
    let mut b = ReleaseBuilder::new(id);
    b.borrow_structure(reference);
    b.sevenths = reference.sevenths.clone();
    b.from_tabular = false;
    for (i, raw) in text.lines().enumerate() {
        let ln = i + 1;
        let line = raw.trim_end_matches('\r');
        if line.trim().is_empty() {
            continue;
        }
        let (code_s, title) = line
            .split_once(|c: char| c.is_ascii_whitespace())
            .ok_or_else(|| {
                LoadError::new(LoadErrorKind::Format, "expected a code, spaces and a title")
                    .at_line(ln)
            })?;
        let code = IcdCmCode::from_undotted(code_s).ok_or_else(|| {
            LoadError::new(LoadErrorKind::BadCode, format!("bad code {code_s:?}")).at_line(ln)
        })?;
        b.push_node(code, title.trim(), Some(true), None);
    }
    if b.nodes.is_empty() {
        return Err(LoadError::new(LoadErrorKind::Empty, "no code line"));
    }
    Ok(b)
}
