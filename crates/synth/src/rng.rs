//! A portable, seeded random source.
//!
//! ChaCha8 (rand_chacha) is defined bit for bit, and every draw here is built from `next_u64` with
//! integer arithmetic (Lemire's multiply-shift for ranges, 53-bit fractions compared against the
//! configured rates), never from `usize` or platform floats, so the same seed gives the same
//! population on every platform. Each household draws from its own ChaCha stream (the stream
//! number is the household index), so households are independent: any one can be generated alone,
//! in any order, on any thread.

use rand_chacha::ChaCha8Rng;
use rand_chacha::rand_core::{RngCore, SeedableRng};

/// The random source of one household (or of the facility plan).
#[derive(Debug, Clone)]
pub struct SynthRng {
    inner: ChaCha8Rng,
}

/// The stream used for the facility plan (practitioners, rooms); households use their index.
pub(crate) const FACILITY_STREAM: u64 = u64::MAX;

impl SynthRng {
    /// The generator for `stream` of `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut key = [0u8; 32];
        key[..8].copy_from_slice(&seed.to_le_bytes());
        key[8..16].copy_from_slice(b"medrecSy");
        let mut inner = ChaCha8Rng::from_seed(key);
        inner.set_stream(stream);
        SynthRng { inner }
    }

    /// A uniformly random `u64`.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// A uniform integer in `0..n` (`n > 0`), by Lemire's multiply-shift (bias below 2^-32 for the
    /// small `n` used here).
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        ((self.next_u64() as u128 * n as u128) >> 64) as u64
    }

    /// A uniform integer in `lo..=hi`.
    #[inline]
    pub fn range(&mut self, lo: i64, hi: i64) -> i64 {
        debug_assert!(lo <= hi);
        lo + self.below((hi - lo) as u64 + 1) as i64
    }

    /// A uniform fraction in `[0, 1)` with 53 random bits (exact in IEEE 754 on every platform).
    #[inline]
    pub fn unit(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// `true` with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    /// One element of a non-empty slice, uniformly.
    #[inline]
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }

    /// An index drawn with the given integer weights (cumulative table, last = total).
    #[inline]
    pub fn weighted(&mut self, cumulative: &[u32]) -> usize {
        let total = *cumulative.last().expect("non-empty weights") as u64;
        let x = self.below(total) as u32;
        cumulative.partition_point(|&c| c <= x)
    }

    /// A digit string of `n` digits (leading zeros allowed).
    pub fn digits(&mut self, n: usize, out: &mut String) {
        for _ in 0..n {
            out.push((b'0' + self.below(10) as u8) as char);
        }
    }

    /// An uppercase letter.
    pub fn letter(&mut self) -> char {
        (b'A' + self.below(26) as u8) as char
    }

    /// A geometric-like duration: `mean` scaled by an exponential draw (integer result, at least
    /// `min`). Uses `ln`, which IEEE 754 implementations agree on for these inputs in practice;
    /// the result is rounded to whole units so tiny differences cannot show.
    pub fn exponential(&mut self, mean: f64, min: i64, max: i64) -> i64 {
        // Inverse CDF on a 32-bit grid: deterministic through a table-free, integer-rounded value.
        let u = ((self.next_u64() >> 32) as f64 + 0.5) / 4_294_967_296.0;
        let v = (-mean * ln_approx(u)).round() as i64;
        v.clamp(min, max)
    }
}

/// Natural logarithm by a fixed sequence of IEEE operations (no libm), so every platform computes
/// the same bits: range reduction by powers of two, then the atanh series.
fn ln_approx(x: f64) -> f64 {
    debug_assert!(x > 0.0);
    let mut m = x;
    let mut e = 0i32;
    while m < 0.5 {
        m *= 2.0;
        e -= 1;
    }
    while m >= 1.0 {
        m *= 0.5;
        e += 1;
    }
    // m in [0.5, 1): ln m = 2 atanh((m-1)/(m+1))
    let t = (m - 1.0) / (m + 1.0);
    let t2 = t * t;
    let mut term = t;
    let mut sum = 0.0;
    let mut k = 1.0;
    for _ in 0..20 {
        sum += term / k;
        term *= t2;
        k += 2.0;
    }
    2.0 * sum + e as f64 * std::f64::consts::LN_2
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_independent_and_repeatable() {
        let mut a = SynthRng::new(7, 3);
        let mut b = SynthRng::new(7, 3);
        let mut c = SynthRng::new(7, 4);
        let xa: Vec<u64> = (0..8).map(|_| a.next_u64()).collect();
        let xb: Vec<u64> = (0..8).map(|_| b.next_u64()).collect();
        let xc: Vec<u64> = (0..8).map(|_| c.next_u64()).collect();
        assert_eq!(xa, xb);
        assert_ne!(xa, xc);
    }

    #[test]
    fn ln_matches_std_closely() {
        for x in [1e-9, 0.001, 0.1, 0.3, 0.5, 0.75, 0.999_999] {
            assert!((ln_approx(x) - f64::ln(x)).abs() < 1e-9, "{x}");
        }
    }

    #[test]
    fn below_stays_in_range() {
        let mut r = SynthRng::new(1, 1);
        for n in [1u64, 2, 3, 10, 1000] {
            for _ in 0..1000 {
                assert!(r.below(n) < n);
            }
        }
        let cum = [1u32, 1, 5];
        for _ in 0..100 {
            let i = r.weighted(&cum);
            assert!(i == 0 || i == 2);
        }
    }
}
