//! A mergeable distribution of charges per stay, for the median.
//!
//! Totals and means merge by addition, a median does not: the median of two halves is not the
//! median of the whole. [`ChargeDistribution`] keeps the exact multiset of amounts (in cents)
//! while it has at most [`ChargeDistribution::EXACT_LIMIT`] distinct values — merging two exact
//! distributions is exact, so split-and-merge gives the same median as one pass. Past that
//! limit it collapses into logarithmic buckets (the DDSketch scheme, Masson, Rim & Lee, VLDB
//! 2019) with relative accuracy [`ChargeDistribution::RELATIVE_ACCURACY`]: memory stays bounded
//! (about 2,000 buckets cover one cent to a billion dollars), merging stays exact *on buckets*,
//! and the reported median is within 0.5 % of a true lower median. [`ChargeDistribution::is_exact`]
//! tells which.

use std::collections::BTreeMap;

/// Charges per stay (cents), mergeable, with an exact or ±0.5 % median.
#[derive(Debug, Clone, PartialEq)]
pub struct ChargeDistribution {
    count: u64,
    sum: i128,
    exact: Option<BTreeMap<i64, u64>>,
    buckets: BTreeMap<i64, u64>,
}

impl Default for ChargeDistribution {
    fn default() -> ChargeDistribution {
        ChargeDistribution::new()
    }
}

impl ChargeDistribution {
    /// Distinct amounts kept exactly before switching to buckets.
    pub const EXACT_LIMIT: usize = 4096;
    /// Relative accuracy of the bucketed median.
    pub const RELATIVE_ACCURACY: f64 = 0.005;

    fn gamma() -> f64 {
        (1.0 + Self::RELATIVE_ACCURACY) / (1.0 - Self::RELATIVE_ACCURACY)
    }

    /// An empty distribution.
    pub fn new() -> ChargeDistribution {
        ChargeDistribution {
            count: 0,
            sum: 0,
            exact: Some(BTreeMap::new()),
            buckets: BTreeMap::new(),
        }
    }

    /// Adds one stay's charges.
    pub fn add(&mut self, cents: i64) {
        self.add_n(cents, 1);
    }

    fn add_n(&mut self, cents: i64, n: u64) {
        self.count += n;
        self.sum += i128::from(cents) * i128::from(n);
        match &mut self.exact {
            Some(map) => {
                *map.entry(cents).or_insert(0) += n;
                if map.len() > Self::EXACT_LIMIT {
                    let map = self.exact.take().unwrap_or_default();
                    for (v, c) in map {
                        *self.buckets.entry(Self::key(v)).or_insert(0) += c;
                    }
                }
            }
            None => *self.buckets.entry(Self::key(cents)).or_insert(0) += n,
        }
    }

    fn key(v: i64) -> i64 {
        const OFFSET: i64 = 1 << 20;
        if v == 0 {
            return 0;
        }
        let idx = ((v.unsigned_abs() as f64).ln() / Self::gamma().ln()).ceil() as i64;
        if v > 0 { OFFSET + idx } else { -(OFFSET + idx) }
    }

    fn value_of_key(k: i64) -> f64 {
        const OFFSET: i64 = 1 << 20;
        if k == 0 {
            return 0.0;
        }
        let g = Self::gamma();
        let idx = k.abs() - OFFSET;
        let v = 2.0 * g.powi(idx as i32) / (g + 1.0);
        if k > 0 { v } else { -v }
    }

    /// Number of stays.
    pub fn count(&self) -> u64 {
        self.count
    }

    /// Sum in cents.
    pub fn sum_cents(&self) -> i128 {
        self.sum
    }

    /// True while the median is exact.
    pub fn is_exact(&self) -> bool {
        self.exact.is_some()
    }

    /// Merges another distribution into this one.
    pub fn merge(&mut self, other: &ChargeDistribution) {
        match &other.exact {
            Some(map) => {
                for (&v, &c) in map {
                    self.add_n(v, c);
                }
            }
            None => {
                if let Some(map) = self.exact.take() {
                    for (v, c) in map {
                        *self.buckets.entry(Self::key(v)).or_insert(0) += c;
                    }
                }
                self.count += other.count;
                self.sum += other.sum;
                for (&k, &c) in &other.buckets {
                    *self.buckets.entry(k).or_insert(0) += c;
                }
            }
        }
    }

    /// The median in cents (mean of the two middle values for an even count when exact; the
    /// lower median's bucket value otherwise). `None` when empty.
    pub fn median_cents(&self) -> Option<f64> {
        if self.count == 0 {
            return None;
        }
        let lower_rank = (self.count - 1) / 2; // 0-based
        let upper_rank = self.count / 2;
        match &self.exact {
            Some(map) => {
                let lo = nth(map.iter().map(|(k, c)| (*k as f64, *c)), lower_rank)?;
                let hi = nth(map.iter().map(|(k, c)| (*k as f64, *c)), upper_rank)?;
                Some((lo + hi) / 2.0)
            }
            None => nth(
                self.buckets
                    .iter()
                    .map(|(k, c)| (Self::value_of_key(*k), *c)),
                lower_rank,
            ),
        }
    }
}

fn nth(items: impl Iterator<Item = (f64, u64)>, rank: u64) -> Option<f64> {
    let mut seen = 0u64;
    for (v, c) in items {
        seen += c;
        if seen > rank {
            return Some(v);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_median_merges() {
        let mut a = ChargeDistribution::new();
        let mut b = ChargeDistribution::new();
        for v in [100, 300, 900] {
            a.add(v);
        }
        b.add(500);
        a.merge(&b);
        // 100 300 500 900 → (300 + 500) / 2
        assert_eq!(a.median_cents(), Some(400.0));
        assert!(a.is_exact());
        assert_eq!(ChargeDistribution::new().median_cents(), None);
    }

    #[test]
    fn bucketed_median_is_within_accuracy() {
        let mut d = ChargeDistribution::new();
        for v in 1..=10_001i64 {
            d.add(v * 37);
        }
        assert!(!d.is_exact());
        let m = d.median_cents().unwrap();
        let truth = 5001.0 * 37.0;
        assert!((m - truth).abs() / truth <= ChargeDistribution::RELATIVE_ACCURACY + 1e-9);
        assert_eq!(d.count(), 10_001);
    }
}
