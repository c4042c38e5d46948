//! Several ICD-10-CM releases side by side: "was this code valid on date D", "what changed".

use std::sync::Arc;

use jiff::civil::Date;

use super::code::IcdCmCode;
use super::release::{CodeStatus, IcdCmRelease, ReleaseId};
use crate::error::DateError;

/// A release held by a [`ReleaseHistory`]: the embedded one, or one loaded at run time.
#[derive(Debug, Clone)]
pub enum HeldRelease {
    /// A `'static` release, such as the embedded [`icd10cm()`](crate::icd10cm).
    Static(&'static IcdCmRelease),
    /// A release loaded at run time.
    Shared(Arc<IcdCmRelease>),
}

impl std::ops::Deref for HeldRelease {
    type Target = IcdCmRelease;
    fn deref(&self) -> &IcdCmRelease {
        match self {
            HeldRelease::Static(r) => r,
            HeldRelease::Shared(r) => r,
        }
    }
}

impl From<&'static IcdCmRelease> for HeldRelease {
    fn from(r: &'static IcdCmRelease) -> Self {
        HeldRelease::Static(r)
    }
}

impl From<IcdCmRelease> for HeldRelease {
    fn from(r: IcdCmRelease) -> Self {
        HeldRelease::Shared(Arc::new(r))
    }
}

impl From<Arc<IcdCmRelease>> for HeldRelease {
    fn from(r: Arc<IcdCmRelease>) -> Self {
        HeldRelease::Shared(r)
    }
}

/// Releases with the dates they are in effect. ICD-10-CM fiscal years run October 1 to
/// September 30; since FY2023 CMS may publish an April 1 update (CMS, "ICD-10-CM" files page;
/// HIPAA code-set rule, 45 CFR 162.1002: the code set valid on the date of service applies).
///
/// ```
/// use medrec_codes::{ReleaseHistory, icd10cm};
/// let mut history = ReleaseHistory::new();
/// history.insert(icd10cm());
/// let d = jiff::civil::date(2026, 5, 1);
/// assert!(history.status_on("E11.9", d)?.is_billable());
/// assert!(history.status_on("E11.9", jiff::civil::date(2020, 1, 1)).is_err());
/// # Ok::<(), medrec_codes::DateError>(())
/// ```
#[derive(Debug, Clone, Default)]
pub struct ReleaseHistory {
    // Sorted by effective start.
    items: Vec<(Date, Option<Date>, HeldRelease)>,
}

/// What changed between two releases (codes only; chapters and blocks are compared by their
/// codes' assignment, not listed here).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize)]
pub struct ReleaseDiff {
    /// Codes in the newer release only.
    pub added: Vec<IcdCmCode>,
    /// Codes in the older release only.
    pub removed: Vec<IcdCmCode>,
    /// Codes in both whose (long) title differs: `(code, old title, new title)`.
    pub retitled: Vec<(IcdCmCode, String, String)>,
    /// Codes in both whose billable flag differs.
    pub billable_changed: Vec<IcdCmCode>,
}

impl ReleaseDiff {
    /// Compares `old` with `new`.
    pub fn between(old: &IcdCmRelease, new: &IcdCmRelease) -> ReleaseDiff {
        let mut d = ReleaseDiff::default();
        let (mut a, mut b) = (old.iter().peekable(), new.iter().peekable());
        loop {
            match (a.peek(), b.peek()) {
                (None, None) => break,
                (Some(x), None) => {
                    d.removed.push(x.code());
                    a.next();
                }
                (None, Some(y)) => {
                    d.added.push(y.code());
                    b.next();
                }
                (Some(x), Some(y)) => match x.code().cmp(&y.code()) {
                    std::cmp::Ordering::Less => {
                        d.removed.push(x.code());
                        a.next();
                    }
                    std::cmp::Ordering::Greater => {
                        d.added.push(y.code());
                        b.next();
                    }
                    std::cmp::Ordering::Equal => {
                        if x.title() != y.title() {
                            d.retitled.push((
                                x.code(),
                                x.title().to_string(),
                                y.title().to_string(),
                            ));
                        }
                        if x.is_billable() != y.is_billable() {
                            d.billable_changed.push(x.code());
                        }
                        a.next();
                        b.next();
                    }
                },
            }
        }
        d
    }
}

impl ReleaseHistory {
    /// An empty history.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a release in effect from its [`ReleaseId::effective_from`] until the day before the
    /// next release added starts, and at most to the end of its fiscal year.
    pub fn insert(&mut self, release: impl Into<HeldRelease>) {
        let r = release.into();
        let from = r.id().effective_from();
        self.insert_with_range(r, from, None);
    }

    /// Adds a release in effect from `from` until `until` (inclusive), or like [`insert`](Self::insert)
    /// when `until` is `None`. Use it to let an April update stand for its whole fiscal year when
    /// the October release is not available, saying so in your output.
    pub fn insert_with_range(
        &mut self,
        release: impl Into<HeldRelease>,
        from: Date,
        until: Option<Date>,
    ) {
        let r = release.into();
        let pos = self.items.partition_point(|x| x.0 <= from);
        self.items.insert(pos, (from, until, r));
    }

    /// The releases, oldest first.
    pub fn releases(&self) -> impl Iterator<Item = &IcdCmRelease> + '_ {
        self.items.iter().map(|x| &*x.2)
    }

    /// The release with this id.
    pub fn get(&self, id: ReleaseId) -> Option<&IcdCmRelease> {
        self.items.iter().map(|x| &*x.2).find(|r| r.id() == id)
    }

    /// The release in effect on `date`.
    pub fn release_on(&self, date: Date) -> Result<&IcdCmRelease, DateError> {
        for (i, (from, until, r)) in self.items.iter().enumerate().rev() {
            if *from > date {
                continue;
            }
            let end = match until {
                Some(u) => *u,
                None => {
                    let fy_end = r.id().fiscal_year_end();
                    match self.items.get(i + 1) {
                        Some((next, _, _)) => {
                            let before_next = next.yesterday().unwrap_or(*next);
                            before_next.min(fy_end)
                        }
                        None => fy_end,
                    }
                }
            };
            if date <= end {
                return Ok(r);
            }
            break;
        }
        let fy = ReleaseId::fiscal_year_of(date);
        Err(DateError::new(
            date,
            Some(format!("load the FY{fy} release")),
        ))
    }

    /// The status of a code on a date, in the release in effect then.
    pub fn status_on(&self, code: &str, date: Date) -> Result<CodeStatus, DateError> {
        Ok(self.release_on(date)?.validate(code))
    }

    /// Whether a code was valid for HIPAA transactions (billable) on a date.
    pub fn was_billable_on(&self, code: &str, date: Date) -> Result<bool, DateError> {
        Ok(self.status_on(code, date)?.is_billable())
    }

    /// What changed from release `old` to release `new`, if both are held.
    pub fn diff(&self, old: ReleaseId, new: ReleaseId) -> Option<ReleaseDiff> {
        Some(ReleaseDiff::between(self.get(old)?, self.get(new)?))
    }
}
