//! Is a level still growing at the end of the run? The time-average of a count (a queue,
//! the requests in flight) in each tenth of the measured period, and a test of steady
//! growth over those tenths.
//!
//! The test, also in docs/scenario-format.md: a level *grows steadily* when its average
//! rises from one tenth to the next at least [`MIN_RISES`] times out of nine, and the last
//! tenth's average is at least twice the first's and [`MIN_GROWTH`] more. For a level in
//! steady state, whose tenths are close to independent, eight or more rises out of nine
//! happen with probability about 3 in 10,000 (Eulerian numbers: 1,014 of the 10!
//! orderings); a level that rises steadily because the system serves less than it is
//! given passes in every run.

use super::level::Level;
use crate::model::SimTime;
use crate::sim::TICKS;

/// Rises between consecutive tenths, out of nine, that count as steady growth.
pub const MIN_RISES: usize = 8;
/// The least growth, first tenth to last, that counts (a queue from 0.1 to 0.3 is noise).
pub const MIN_GROWTH: f64 = 10.0;

/// The time-average of a level in each part of the measured period.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Trend {
    means: [f64; TICKS as usize],
    parts: usize,
    /// The level's area and the instant at the end of the last part.
    area: u128,
    at: SimTime,
}

impl Trend {
    pub(crate) fn new() -> Trend {
        Trend {
            means: [0.0; TICKS as usize],
            parts: 0,
            area: 0,
            at: SimTime::ZERO,
        }
    }

    /// Starts again at the start of measurement (`level` was just reset there).
    pub(crate) fn reset(&mut self, at: SimTime) {
        *self = Trend { at, ..Trend::new() };
    }

    /// Closes the part that ends at `at`.
    pub(crate) fn close(&mut self, level: &mut Level, at: SimTime) {
        let area = level.area_until(at);
        let span = (at - self.at).0;
        if self.parts < self.means.len() && span > 0 {
            self.means[self.parts] = (area - self.area) as f64 / span as f64;
            self.parts += 1;
        }
        self.area = area;
        self.at = at;
    }

    /// Whether every part closed, so that the test can be made (not with a request-count
    /// horizon, nor when a limit stopped the run).
    pub(crate) fn complete(&self) -> bool {
        self.parts == self.means.len()
    }

    /// The first and last part's averages, if the level grew steadily through all parts.
    pub(crate) fn growth(&self) -> Option<(f64, f64)> {
        steady_growth(&self.means[..self.parts])
    }
}

/// The test of the module's header on a sequence of averages.
pub(crate) fn steady_growth(means: &[f64]) -> Option<(f64, f64)> {
    if means.len() < TICKS as usize {
        return None;
    }
    let rises = means.windows(2).filter(|w| w[1] > w[0]).count();
    let (first, last) = (means[0], means[means.len() - 1]);
    (rises >= MIN_RISES && last >= 2.0 * first && last - first >= MIN_GROWTH)
        .then_some((first, last))
}

#[cfg(test)]
mod tests;
