//! The recovery verdict over every replication of a study: how many did not recover, with
//! a confidence interval on that fraction, and how long those that recovered took.

use super::{Recovery, RecoveryVerdict};
use crate::stats::estimate::Estimate;
use crate::stats::headline::CONFIDENCE;
use crate::stats::summary::RunSummary;

/// Recovery across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct RecoveryAcross {
    /// Each replication's verdict, in replication order; `None` where a replication has
    /// no verdict (too little time around the trigger).
    pub verdicts: Vec<Option<Recovery>>,
    /// Replications that recovered.
    pub recovered: usize,
    /// Replications that did not recover within the run.
    pub not_recovered: usize,
    /// Replications whose baseline was not healthy, so recovery was not judged.
    pub no_healthy_baseline: usize,
    /// The fraction of judged replications that did not recover, with its 95% Wilson
    /// interval `(fraction, low, high)`; `None` when none was judged.
    pub not_recovered_fraction: Option<(f64, f64, f64)>,
    /// Seconds to recover, over the replications that recovered.
    pub time_to_recover: Option<TimeToRecover>,
}

/// The distribution of the time to recover over the replications that recovered.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TimeToRecover {
    /// Mean with its Student-t interval (infinite half-width with one replication).
    pub mean: Estimate,
    /// Shortest.
    pub min: f64,
    /// Median.
    pub median: f64,
    /// Longest.
    pub max: f64,
}

impl RecoveryAcross {
    /// The verdicts of `runs`, or `None` when no replication has one.
    pub fn of(runs: &[RunSummary]) -> Option<RecoveryAcross> {
        RecoveryAcross::from_verdicts(runs.iter().map(|r| r.system.recovery).collect())
    }

    /// The verdict over replications with these verdicts (`None`: not judged), or `None`
    /// when no replication was judged.
    pub fn from_verdicts(verdicts: Vec<Option<Recovery>>) -> Option<RecoveryAcross> {
        if verdicts.iter().all(Option::is_none) {
            return None;
        }
        let count = |wanted: fn(&RecoveryVerdict) -> bool| {
            verdicts
                .iter()
                .flatten()
                .filter(|r| wanted(&r.verdict))
                .count()
        };
        let recovered = count(|v| matches!(v, RecoveryVerdict::Recovered { .. }));
        let not_recovered = count(|v| *v == RecoveryVerdict::NotRecovered);
        let judged = recovered + not_recovered;
        let mut times: Vec<f64> = verdicts
            .iter()
            .flatten()
            .filter_map(Recovery::recovered_after_secs)
            .collect();
        times.sort_by(f64::total_cmp);
        Some(RecoveryAcross {
            recovered,
            not_recovered,
            no_healthy_baseline: count(|v| *v == RecoveryVerdict::NoHealthyBaseline),
            not_recovered_fraction: (judged > 0).then(|| {
                let (low, high) = wilson_interval(not_recovered, judged);
                (not_recovered as f64 / judged as f64, low, high)
            }),
            time_to_recover: (!times.is_empty()).then(|| TimeToRecover {
                mean: Estimate::from_samples(&times, CONFIDENCE),
                min: times[0],
                median: median(&times),
                max: times[times.len() - 1],
            }),
            verdicts,
        })
    }
}

fn median(sorted: &[f64]) -> f64 {
    let n = sorted.len();
    if n % 2 == 1 {
        sorted[n / 2]
    } else {
        0.5 * (sorted[n / 2 - 1] + sorted[n / 2])
    }
}

/// The 95% Wilson score interval of a proportion of `successes` in `trials` (trials > 0):
/// unlike the normal approximation it stays inside [0, 1] and is honest at 0 of 10.
pub fn wilson_interval(successes: usize, trials: usize) -> (f64, f64) {
    const Z: f64 = 1.959_963_984_540_054;
    let n = trials as f64;
    let p = successes as f64 / n;
    let z2 = Z * Z;
    let centre = (p + z2 / (2.0 * n)) / (1.0 + z2 / n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / (1.0 + z2 / n);
    // At 0 of n and n of n the interval reaches the bound exactly (rounding would leave
    // 0.9999999999999999).
    let low = if successes == 0 {
        0.0
    } else {
        (centre - half).max(0.0)
    };
    let high = if successes == trials {
        1.0
    } else {
        (centre + half).min(1.0)
    };
    (low, high)
}
