//! Short (abbreviated) titles of the CMS order file, kept apart and loaded on first use.

use std::sync::OnceLock;

use super::code::IcdCmCode;

/// Short titles: none, ready, or parsed from embedded text on first use.
#[derive(Debug)]
pub(crate) enum ShortTitles {
    None,
    Ready(Vec<(IcdCmCode, Box<str>)>),
    Embedded(&'static str, OnceLock<Vec<(IcdCmCode, Box<str>)>>),
}

impl ShortTitles {
    pub(crate) fn from_pairs(mut v: Vec<(IcdCmCode, Box<str>)>) -> ShortTitles {
        v.sort_by_key(|a| a.0);
        ShortTitles::Ready(v)
    }

    fn table(&self) -> &[(IcdCmCode, Box<str>)] {
        match self {
            ShortTitles::None => &[],
            ShortTitles::Ready(v) => v,
            ShortTitles::Embedded(text, cell) => cell.get_or_init(|| parse(text)),
        }
    }

    pub(crate) fn get(&self, code: &IcdCmCode) -> Option<&str> {
        let t = self.table();
        t.binary_search_by(|x| x.0.cmp(code)).ok().map(|i| &*t[i].1)
    }

    /// Writes `code<TAB>P<TAB>S<TAB>middle` lines, titles front/back coded against the
    /// previous line's title (as in the main table).
    pub(crate) fn write_compact(&self, out: &mut String) {
        let mut prev: &str = "";
        for (c, t) in self.table() {
            let (p, s) = super::compact::front_back(prev, t);
            out.push_str(&format!(
                "{}\t{p}\t{s}\t{}\n",
                c.as_undotted(),
                &t[p..t.len() - s]
            ));
            prev = t;
        }
    }
}

/// Parses the short-title lines; a malformed line is skipped (the embedded file is checked by
/// the tests, a user's file by [`crate::IcdCmRelease::from_compact`]'s caller).
pub(crate) fn parse(text: &str) -> Vec<(IcdCmCode, Box<str>)> {
    let mut v: Vec<(IcdCmCode, Box<str>)> = Vec::with_capacity(100_000);
    let mut prev = String::new();
    for l in text.lines().filter(|l| !l.starts_with('%')) {
        let mut f = l.splitn(4, '\t');
        let (Some(c), Some(p), Some(s), Some(mid)) = (f.next(), f.next(), f.next(), f.next())
        else {
            continue;
        };
        let (Ok(p), Ok(s)) = (p.parse::<usize>(), s.parse::<usize>()) else {
            continue;
        };
        if p + s > prev.len() || !prev.is_char_boundary(p) || !prev.is_char_boundary(prev.len() - s)
        {
            continue;
        }
        let t = format!("{}{}{}", &prev[..p], mid, &prev[prev.len() - s..]);
        if let Some(code) = IcdCmCode::from_undotted(c) {
            v.push((code, t.as_str().into()));
        }
        prev = t;
    }
    v.sort_by_key(|a| a.0);
    v
}
