//! The figures of one run: plain numbers, ready for reports and comparisons.

use super::latency::LatencySummary;

/// Little's law holds on every sample path except for requests that straddle the edges of
/// the measured window; a larger relative gap means the run is too short for the time
/// requests spend inside (or a bug).
pub const LITTLE_TOLERANCE: f64 = 0.01;

/// Everything measured in one run's window.
#[derive(Clone, Debug, PartialEq)]
pub struct RunSummary {
    /// The root seed of the run.
    pub seed: u64,
    /// Events processed, warm-up included.
    pub events: u64,
    /// Length of the measured window in simulated seconds.
    pub measured_secs: f64,
    /// Per service, in scenario order.
    pub services: Vec<ServiceSummary>,
    /// Per source, in scenario order.
    pub sources: Vec<SourceSummary>,
    /// The whole system.
    pub system: SystemSummary,
}

/// Figures of one service (queue plus workers).
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSummary {
    /// Its name.
    pub name: String,
    /// Its worker count.
    pub workers: u32,
    /// Requests that reached it.
    pub arrivals: u64,
    /// Requests admitted (served at once or queued).
    pub admitted: u64,
    /// Requests turned away by a full waiting room.
    pub rejected: u64,
    /// Requests served to completion.
    pub completed: u64,
    /// Arrivals per second.
    pub arrival_rate: f64,
    /// Completions per second.
    pub throughput: f64,
    /// rejected / arrivals.
    pub rejected_fraction: f64,
    /// Mean fraction of workers busy.
    pub utilisation: f64,
    /// Time-average number in the service (waiting or served).
    pub l: f64,
    /// Time-average number waiting.
    pub lq: f64,
    /// Waiting time before service (Wq).
    pub wait: LatencySummary,
    /// Time in the service, waiting plus served (W).
    pub sojourn: LatencySummary,
    /// L against λW.
    pub little: LittleCheck,
}

/// Figures of one source, end to end across its route.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSummary {
    /// Its name.
    pub name: String,
    /// Requests emitted.
    pub arrivals: u64,
    /// Requests rejected anywhere on their route.
    pub rejected: u64,
    /// Requests that finished their route.
    pub completed: u64,
    /// Requests emitted per second.
    pub arrival_rate: f64,
    /// Completions per second.
    pub goodput: f64,
    /// rejected / arrivals.
    pub rejected_fraction: f64,
    /// End-to-end latency of completed requests.
    pub latency: LatencySummary,
}

/// Figures of the whole system.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemSummary {
    /// Requests inside at the end of the run.
    pub in_flight: u64,
    /// Requests inside (admitted, not yet finished or rejected) against λW.
    pub little: LittleCheck,
}

/// Little's law, L = λW, checked on measured figures.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LittleCheck {
    /// Time-average number inside.
    pub l: f64,
    /// Admissions per second.
    pub lambda: f64,
    /// Mean time inside, seconds.
    pub w: f64,
    /// |L − λW| / L (0 when both are 0).
    pub relative_error: f64,
}

impl LittleCheck {
    pub(crate) fn new(l: f64, lambda: f64, w: f64) -> LittleCheck {
        let gap = (l - lambda * w).abs();
        let scale = l.max(lambda * w);
        LittleCheck {
            l,
            lambda,
            w,
            relative_error: if scale > 0.0 { gap / scale } else { 0.0 },
        }
    }

    /// Whether the gap is within [`LITTLE_TOLERANCE`].
    pub fn holds(&self) -> bool {
        self.relative_error <= LITTLE_TOLERANCE
    }
}
