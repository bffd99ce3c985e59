//! Time-weighted averages of a count (requests in system, in queue, busy workers).

use crate::model::SimTime;

/// A count that changes over time, with the area under it since the last reset.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Level {
    now: u64,
    area: u128,
    since: SimTime,
}

impl Level {
    /// Adds `delta` at `at`, first accumulating the area up to `at`.
    #[inline]
    pub(crate) fn change(&mut self, at: SimTime, delta: i64) {
        self.advance(at);
        self.now = self.now.wrapping_add_signed(delta);
    }

    /// Accumulates the area up to `at`.
    #[inline]
    pub(crate) fn advance(&mut self, at: SimTime) {
        self.area += u128::from(self.now) * u128::from((at - self.since).0);
        self.since = at;
    }

    /// The area up to `at`, handed over and forgotten (for per-window sums).
    #[inline]
    pub(crate) fn take_area(&mut self, at: SimTime) -> u128 {
        self.advance(at);
        std::mem::take(&mut self.area)
    }

    /// Forgets the area, keeping the current count.
    pub(crate) fn reset(&mut self, at: SimTime) {
        self.area = 0;
        self.since = at;
    }

    /// The count now.
    pub(crate) fn current(&self) -> u64 {
        self.now
    }

    /// Time-average of the count over a window of `window_ns`.
    pub(crate) fn mean(&self, window_ns: u64) -> f64 {
        if window_ns == 0 {
            return 0.0;
        }
        self.area as f64 / window_ns as f64
    }
}
