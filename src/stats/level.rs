//! Time-weighted averages of a count (requests in system, in queue, busy workers).
//!
//! A change costs two additions, no multiplication: the area over `[since, t]` is
//! `start·(t − since) + Σ dᵢ·(t − tᵢ)` for changes `dᵢ` at times `tᵢ`, which is
//! `start·(t − since) + t·(now − start) − Σ dᵢ·tᵢ`, so a change only adds `dᵢ` to the count
//! and `dᵢ·tᵢ` to a running sum (for the usual `dᵢ = ±1`, just `±tᵢ`). The area is exact.

use crate::model::SimTime;

/// A count that changes over time, with the area under it since the last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Level {
    now: u64,
    /// Area folded in up to `since`.
    area: u128,
    since: SimTime,
    /// The count at `since`.
    start: u64,
    /// Σ delta · time over the changes since `since`.
    moments: i128,
}

impl Level {
    /// Adds `delta` at `at` (not before the last `advance`).
    #[inline]
    pub(crate) fn change(&mut self, at: SimTime, delta: i64) {
        debug_assert!(at >= self.since);
        self.now = self.now.wrapping_add_signed(delta);
        self.moments += i128::from(delta) * i128::from(at.0);
    }

    /// Folds the area up to `at` into the total.
    #[inline]
    pub(crate) fn advance(&mut self, at: SimTime) {
        debug_assert!(at >= self.since);
        let t = i128::from(at.0);
        let start = i128::from(self.start);
        let span = t - i128::from(self.since.0);
        let added = start * span + t * (i128::from(self.now) - start) - self.moments;
        debug_assert!(added >= 0, "a count never goes below zero");
        self.area += added as u128;
        self.since = at;
        self.start = self.now;
        self.moments = 0;
    }

    /// The area since the last reset, up to `at`.
    #[inline]
    pub(crate) fn area_until(&mut self, at: SimTime) -> u128 {
        self.advance(at);
        self.area
    }

    /// The area up to `at`, handed over and forgotten (for per-window sums).
    #[inline]
    pub(crate) fn take_area(&mut self, at: SimTime) -> u128 {
        self.advance(at);
        std::mem::take(&mut self.area)
    }

    /// Forgets the area, keeping the current count.
    pub(crate) fn reset(&mut self, at: SimTime) {
        self.advance(at);
        self.area = 0;
    }

    /// The count now.
    pub(crate) fn current(&self) -> u64 {
        self.now
    }

    /// Time-average of the count over a window of `window_ns`, once `advance`d to its end.
    pub(crate) fn mean(&self, window_ns: u64) -> f64 {
        if window_ns == 0 {
            return 0.0;
        }
        self.area as f64 / window_ns as f64
    }
}

#[cfg(test)]
mod tests;
