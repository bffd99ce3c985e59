//! Did goodput come back after a trigger (a spike, an outage, a slowdown)?
//!
//! Successful requests are counted in time windows, in memory bounded whatever the run's
//! length: when the count of windows would pass a cap, neighbours merge and the width
//! doubles. The criterion, also in docs/scenario-format.md: the *baseline* is the mean
//! goodput between the end of the warm-up and the first trigger. Goodput is then compared
//! in assessment windows (1/50 of the measured period, at least one second) from the end of
//! the last trigger. The system *recovered* at the start of the first window from which
//! every complete window to the end of the run reaches 90% of the baseline; if there is no
//! such window, it did not recover within the run (a metastable failure, when the load is
//! back to normal). A baseline is *healthy* when its goodput reaches 90% of the requests
//! offered in the same period; against a broken baseline no recovery is judged.

use super::level::Level;
use crate::model::{Arrivals, Horizon, SimDuration, SimTime, System};

/// Fraction of the baseline that counts as recovered.
pub const RECOVERY_THRESHOLD: f64 = 0.9;
/// Fraction of the offered requests that the baseline's goodput must reach to be healthy.
pub const HEALTHY_BASELINE: f64 = 0.9;
const MAX_WINDOWS: usize = 4096;
const FIRST_WIDTH_NS: u64 = 100_000_000;

/// Counts per time window from `start`, with a width that doubles as the run grows.
#[derive(Clone, Debug)]
pub(crate) struct WindowCounts {
    start: SimTime,
    width_ns: u64,
    counts: Vec<u64>,
}

impl WindowCounts {
    pub(crate) fn new(start: SimTime) -> WindowCounts {
        WindowCounts {
            start,
            width_ns: FIRST_WIDTH_NS,
            counts: Vec::with_capacity(MAX_WINDOWS),
        }
    }

    #[inline(always)]
    pub(crate) fn record(&mut self, at: SimTime) {
        // Most records fall in the newest window: no division needed.
        let newest_end = self.start.0 + self.width_ns * self.counts.len() as u64;
        match self.counts.last_mut() {
            Some(newest) if at.0 < newest_end && at.0 + self.width_ns >= newest_end => *newest += 1,
            _ => self.record_elsewhere(at),
        }
    }

    #[inline(never)]
    fn record_elsewhere(&mut self, at: SimTime) {
        let Some(offset) = at.0.checked_sub(self.start.0) else {
            return;
        };
        let mut index = (offset / self.width_ns) as usize;
        while index >= MAX_WINDOWS {
            self.coarsen();
            index = (offset / self.width_ns) as usize;
        }
        if index >= self.counts.len() {
            self.counts.resize(index + 1, 0);
        }
        self.counts[index] += 1;
    }

    /// Starts again from `start`, keeping the buffer.
    pub(crate) fn reset(&mut self, start: SimTime) {
        self.start = start;
        self.width_ns = FIRST_WIDTH_NS;
        self.counts.clear();
    }

    /// Merges neighbouring windows in place, doubling the width.
    fn coarsen(&mut self) {
        let merged = self.counts.len().div_ceil(2);
        for i in 0..merged {
            let pair = self.counts[2 * i] + self.counts.get(2 * i + 1).copied().unwrap_or(0);
            self.counts[i] = pair;
        }
        self.counts.truncate(merged);
        self.width_ns *= 2;
    }

    /// Events per second in `[from, to)`, counting whole windows that start inside it.
    fn rate(&self, from: SimTime, to: SimTime) -> f64 {
        let first = from.0.saturating_sub(self.start.0).div_ceil(self.width_ns) as usize;
        let last = (to.0.saturating_sub(self.start.0) / self.width_ns) as usize;
        if last <= first {
            return 0.0;
        }
        let total: u64 = (first..last)
            .map(|i| self.counts.get(i).copied().unwrap_or(0))
            .sum();
        total as f64 / ((last - first) as f64 * self.width_ns as f64 / 1e9)
    }
}

/// When the client requests in flight first fell back, after the last trigger ended, to
/// their average over the baseline (from the start of measurement to the first trigger):
/// the backlog the trigger built has drained. Exact to the request.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Backlog {
    trigger: (SimTime, SimTime),
    measure_start: SimTime,
    /// The baseline's average in flight, once the first trigger has started.
    baseline: Baseline,
    /// The first answer after the trigger that left no more in flight than the baseline.
    drained: Option<SimTime>,
}

/// The requests in flight before the first trigger, as far as known.
#[derive(Clone, Copy, Debug)]
enum Baseline {
    /// The trigger has not started.
    Pending,
    /// Their average from the start of measurement to the trigger.
    Mean(f64),
    /// The trigger started as measurement did: there is no baseline.
    Empty,
}

impl Backlog {
    pub(crate) fn new(trigger: (SimTime, SimTime)) -> Backlog {
        Backlog {
            trigger,
            measure_start: SimTime::ZERO,
            baseline: Baseline::Pending,
            drained: None,
        }
    }

    /// Starts again at the start of measurement (`in_flight` was just reset there).
    pub(crate) fn reset(&mut self, at: SimTime) {
        *self = Backlog {
            measure_start: at,
            ..Backlog::new(self.trigger)
        };
    }

    /// Before `in_flight` changes at `at`: at the first change past the trigger's start,
    /// the baseline's average (every earlier change came before it, so the area is exact).
    #[inline]
    pub(crate) fn before_change(&mut self, in_flight: &mut Level, at: SimTime) {
        if matches!(self.baseline, Baseline::Pending) && at >= self.trigger.0 {
            let span = (self.trigger.0 - self.measure_start).0;
            let area = in_flight.area_until(self.trigger.0);
            self.baseline = match span {
                0 => Baseline::Empty,
                _ => Baseline::Mean(area as f64 / span as f64),
            };
        }
    }

    /// After an answer at `at` left `in_flight` requests in flight.
    #[inline]
    pub(crate) fn after_answer(&mut self, in_flight: u64, at: SimTime) {
        if self.drained.is_none()
            && at >= self.trigger.1
            && matches!(self.baseline, Baseline::Mean(b) if in_flight as f64 <= b)
        {
            self.drained = Some(at);
        }
    }

    /// When the backlog drained, if it has.
    pub(crate) fn drained(&self) -> Option<SimTime> {
        self.drained
    }
}

/// The verdict on recovery after the triggers of a run.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Recovery {
    /// Start of the first trigger, seconds from the start of the run.
    pub trigger_start_secs: f64,
    /// End of the last trigger.
    pub trigger_end_secs: f64,
    /// Goodput per second before the first trigger.
    pub baseline_goodput: f64,
    /// Requests offered per second before the first trigger.
    pub baseline_offered: f64,
    /// Goodput per second in the last assessment window.
    pub final_goodput: f64,
    /// What became of goodput after the trigger.
    pub verdict: RecoveryVerdict,
}

/// Whether goodput came back.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum RecoveryVerdict {
    /// Goodput stayed at 90% of the baseline from this many seconds after the trigger
    /// ended.
    Recovered {
        /// Seconds from the end of the trigger.
        after_secs: f64,
    },
    /// Goodput never stayed at 90% of the baseline within the run.
    NotRecovered,
    /// The baseline itself served less than 90% of what was offered: there was no healthy
    /// state to come back to, so recovery is not judged.
    NoHealthyBaseline,
}

impl Recovery {
    /// Seconds from the end of the trigger to recovery, if it recovered.
    pub fn recovered_after_secs(&self) -> Option<f64> {
        match self.verdict {
            RecoveryVerdict::Recovered { after_secs } => Some(after_secs),
            _ => None,
        }
    }
}

/// The span from the first change of load or capacity after the warm-up to the end of the
/// last one (changes during the warm-up, such as a ramp-up, are not triggers).
pub fn trigger_span(system: &System) -> Option<(SimTime, SimTime)> {
    let warmup = SimTime::ZERO + system.simulation().warmup;
    let source_changes = system.sources().iter().flat_map(|s| match &s.arrivals {
        Arrivals::Varying(p) => {
            let segments = p.segments();
            // A change starts each segment after the first and ends where the next begins.
            segments[1..]
                .iter()
                .map(|seg| {
                    (
                        seg.start,
                        if seg.from == seg.to {
                            seg.start
                        } else {
                            seg.end
                        },
                    )
                })
                .collect::<Vec<_>>()
        }
        _ => Vec::new(),
    });
    let service_changes = system.services().iter().flat_map(|s| {
        s.schedule
            .iter()
            .map(|c| (SimTime::ZERO + c.at, SimTime::ZERO + c.at))
    });
    source_changes
        .chain(service_changes)
        .filter(|&(start, _)| start >= warmup)
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)))
}

/// The time the verdict needs before the first trigger: two assessment windows, so that
/// the baseline is measured over at least one whole window.
pub fn baseline_room(system: &System) -> SimDuration {
    let measured = match system.simulation().horizon {
        Horizon::Duration(d) => d,
        Horizon::Requests(_) => SimDuration::ZERO,
    };
    SimDuration(2 * assessment_width(measured).0)
}

/// The width of the windows in which goodput is compared: 1/50 of the measured period,
/// at least one second.
fn assessment_width(measured: SimDuration) -> SimDuration {
    SimDuration((measured.0 / 50).max(1_000_000_000))
}

/// Judges recovery, or `None` when the run has no trigger after the warm-up, too little
/// time before or after it to judge, or no request offered before it. `measured` is the
/// planned measured period, which sets the assessment windows; `drained` is when the
/// backlog drained ([`Backlog`]), which times a recovery finely; `stopped` says a limit
/// ended the run at `end`, before its horizon: a run that collapsed into a limit after the
/// trigger started did not recover.
pub(crate) fn assess(
    (goodput, offered): (&WindowCounts, &WindowCounts),
    trigger: (SimTime, SimTime),
    (end, measured): (SimTime, SimDuration),
    drained: Option<SimTime>,
    stopped: bool,
) -> Option<Recovery> {
    let (trigger_start, trigger_end) = trigger;
    let width = assessment_width(measured);
    let room_before = trigger_start >= goodput.start + width;
    let judged = if stopped {
        end >= trigger_start
    } else {
        room_before && trigger_end + width + width <= end
    };
    if !judged {
        return None;
    }
    let baseline = goodput.rate(goodput.start, trigger_start);
    let baseline_offered = offered.rate(offered.start, trigger_start);
    if room_before && baseline_offered <= 0.0 {
        return None;
    }
    let windows: Vec<(SimTime, f64)> = (0..)
        .map(|k| trigger_end + SimDuration(width.0 * k))
        .take_while(|&from| from + width <= end)
        .map(|from| (from, goodput.rate(from, from + width)))
        .collect();
    let healthy = |rate: f64| rate >= RECOVERY_THRESHOLD * baseline;
    let last_bad = windows.iter().rposition(|&(_, rate)| !healthy(rate));
    let recovered_from = match last_bad {
        _ if stopped => None,
        None => Some(trigger_end),
        Some(i) => windows.get(i + 1).map(|&(from, _)| from),
    };
    // Goodput's windows place recovery within the last unhealthy one; the backlog's
    // draining places it to the request, and later if the backlog took longer.
    let earliest = last_bad.map_or(trigger_end, |i| windows[i].0);
    let recovered_from = recovered_from.map(|from| drained.map_or(from, |t| t.max(earliest)));
    let verdict = match recovered_from {
        _ if room_before && baseline < HEALTHY_BASELINE * baseline_offered => {
            RecoveryVerdict::NoHealthyBaseline
        }
        Some(t) => RecoveryVerdict::Recovered {
            after_secs: (t - trigger_end).as_secs_f64(),
        },
        None => RecoveryVerdict::NotRecovered,
    };
    let last = SimTime(end.0.saturating_sub(width.0).max(trigger_start.0));
    Some(Recovery {
        trigger_start_secs: trigger_start.as_secs_f64(),
        trigger_end_secs: trigger_end.as_secs_f64(),
        baseline_goodput: baseline,
        baseline_offered,
        final_goodput: windows
            .last()
            .map_or_else(|| goodput.rate(last, end), |&(_, rate)| rate),
        verdict,
    })
}

mod across;
pub use across::{RecoveryAcross, TimeToRecover, wilson_interval};

#[cfg(test)]
mod tests;
