//! Streaming latency distributions: an HDR histogram plus an exact sum for the mean.

use hdrhistogram::Histogram;

use crate::model::SimDuration;

/// Largest latency resolved separately: about 28 hours. Longer ones count as this value.
const HIGHEST_NS: u64 = 100_000_000_000_000;
/// Three significant digits: quantiles within 0.1%.
const SIGNIFICANT_DIGITS: u8 = 3;

/// A latency distribution in bounded memory, whatever the number of samples.
#[derive(Clone, Debug)]
pub struct Latency {
    histogram: Histogram<u64>,
    sum_ns: u128,
}

/// Headline figures of a latency distribution, in seconds.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct LatencySummary {
    /// Samples recorded.
    pub count: u64,
    /// Exact mean.
    pub mean: f64,
    /// Median (within 0.1%).
    pub p50: f64,
    /// 90th percentile.
    pub p90: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Largest sample.
    pub max: f64,
}

impl Latency {
    pub(crate) fn new() -> Latency {
        Latency {
            histogram: Histogram::new_with_bounds(1, HIGHEST_NS, SIGNIFICANT_DIGITS)
                .expect("constant bounds are valid"),
            sum_ns: 0,
        }
    }

    #[inline]
    pub(crate) fn record(&mut self, value: SimDuration) {
        self.histogram.saturating_record(value.0);
        self.sum_ns += u128::from(value.0);
    }

    pub(crate) fn reset(&mut self) {
        self.histogram.reset();
        self.sum_ns = 0;
    }

    /// Adds another distribution's samples (for merging replications).
    pub fn merge(&mut self, other: &Latency) {
        self.histogram
            .add(&other.histogram)
            .expect("histograms share bounds");
        self.sum_ns += other.sum_ns;
    }

    /// Samples recorded.
    pub fn count(&self) -> u64 {
        self.histogram.len()
    }

    /// The fraction of samples at or below `value_s` seconds.
    pub fn fraction_at_or_below(&self, value_s: f64) -> f64 {
        if self.count() == 0 {
            return 0.0;
        }
        let ns = (value_s * 1e9).round() as u64;
        self.histogram.count_between(0, ns) as f64 / self.count() as f64
    }

    /// Samples no longer than `threshold`.
    pub fn count_at_or_below(&self, threshold: SimDuration) -> u64 {
        self.histogram.count_between(0, threshold.0)
    }

    /// Points `(seconds, fraction at or below)` of the distribution function, at about 200
    /// quantiles spaced to show both the body and the tail (up to p99.99), then the maximum.
    pub fn cdf_points(&self) -> Vec<(f64, f64)> {
        if self.count() == 0 {
            return Vec::new();
        }
        let body = (1..100).map(|i| f64::from(i) / 100.0);
        // 1 − 10^(−x) for x from 2 to 4: the tail, evenly on a log scale of 1 − p.
        let tail = (1..=100).map(|i| 1.0 - 10f64.powf(-2.0 - f64::from(i) / 50.0));
        let mut points: Vec<(f64, f64)> = body
            .chain(tail)
            .map(|p| (self.histogram.value_at_quantile(p) as f64 / 1e9, p))
            .collect();
        points.push((self.histogram.max() as f64 / 1e9, 1.0));
        points
    }

    /// Headline figures in seconds.
    pub fn summary(&self) -> LatencySummary {
        let count = self.count();
        if count == 0 {
            return LatencySummary::default();
        }
        let q = |quantile: f64| self.histogram.value_at_quantile(quantile) as f64 / 1e9;
        LatencySummary {
            count,
            mean: self.sum_ns as f64 / count as f64 / 1e9,
            p50: q(0.5),
            p90: q(0.9),
            p99: q(0.99),
            p999: q(0.999),
            max: self.histogram.max() as f64 / 1e9,
        }
    }
}
