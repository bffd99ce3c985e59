//! Load and capacity that change over time.

use super::{Rate, SimDuration, SimTime};

/// A Poisson arrival rate that varies over time: piecewise constant or linear.
#[derive(Clone, Debug, PartialEq)]
pub struct RateProfile {
    segments: Vec<RateSegment>,
}

/// The rate on `[start, end)`, moving linearly from `from` to `to` (per second).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateSegment {
    /// Start of the segment.
    pub start: SimTime,
    /// End of the segment (`SimTime(u64::MAX)` for the last).
    pub end: SimTime,
    /// Rate at `start`, per second (≥ 0).
    pub from: f64,
    /// Rate at `end`, per second (≥ 0).
    pub to: f64,
}

/// A change of rate at `at`: a step, or a linear ramp lasting `over`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RateChange {
    /// When the change starts, from the start of the run.
    pub at: SimDuration,
    /// The new rate per second (≥ 0, finite).
    pub rate: f64,
    /// How long the ramp to `rate` takes; zero for a step.
    pub over: SimDuration,
}

/// Why a rate profile is invalid: one of its changes.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("change [{index}]: {problem}")]
pub struct ScheduleError {
    /// The change at fault, counting from 0 (as a scenario's `schedule[i]`).
    pub index: usize,
    /// What is wrong with it.
    pub problem: String,
}

impl RateProfile {
    /// Starts at `base` and applies `changes` in order; each change must start at or after
    /// the end of the previous one's ramp.
    pub fn new(base: Rate, changes: &[RateChange]) -> Result<RateProfile, ScheduleError> {
        let mut segments = Vec::new();
        let (mut t, mut rate) = (SimTime::ZERO, base.as_per_sec());
        for (i, change) in changes.iter().enumerate() {
            let at = SimTime::ZERO + change.at;
            if !(change.rate.is_finite() && change.rate >= 0.0) {
                return Err(ScheduleError {
                    index: i,
                    problem: format!(
                        "the rate must be a finite number >= 0 (got {})",
                        change.rate
                    ),
                });
            }
            if at < t {
                return Err(ScheduleError {
                    index: i,
                    problem: format!(
                        "it starts at {}, before the previous change's ramp has finished at {}",
                        change.at,
                        t - SimTime::ZERO
                    ),
                });
            }
            if at > t {
                segments.push(RateSegment {
                    start: t,
                    end: at,
                    from: rate,
                    to: rate,
                });
            }
            let end = at + change.over;
            if end > at {
                segments.push(RateSegment {
                    start: at,
                    end,
                    from: rate,
                    to: change.rate,
                });
            }
            (t, rate) = (end, change.rate);
        }
        segments.push(RateSegment {
            start: t,
            end: SimTime(u64::MAX),
            from: rate,
            to: rate,
        });
        Ok(RateProfile { segments })
    }

    /// The segments, in time order, covering all of time.
    pub fn segments(&self) -> &[RateSegment] {
        &self.segments
    }

    /// The rate that holds after the last change (the long-run rate).
    pub fn final_rate(&self) -> f64 {
        self.segments.last().map_or(0.0, |s| s.to)
    }

    /// The highest rate at any time, per second.
    pub fn peak_rate(&self) -> f64 {
        self.segments
            .iter()
            .map(RateSegment::max_rate)
            .fold(0.0, f64::max)
    }

    /// The same profile with every rate multiplied by `factor` (finite, > 0).
    pub fn scaled(&self, factor: f64) -> RateProfile {
        let segments = (self.segments.iter())
            .map(|s| RateSegment {
                from: s.from * factor,
                to: s.to * factor,
                ..*s
            })
            .collect();
        RateProfile { segments }
    }

    /// When the last change ends (zero when there is none).
    pub fn last_change_end(&self) -> SimTime {
        self.segments.last().map_or(SimTime::ZERO, |s| s.start)
    }

    /// When the first change starts, if any.
    pub fn first_change(&self) -> Option<SimTime> {
        (self.segments.len() > 1).then(|| self.segments[0].end)
    }
}

impl RateSegment {
    /// The rate at `t` within the segment.
    pub fn rate_at(&self, t: SimTime) -> f64 {
        if self.from == self.to || self.end.0 == u64::MAX {
            return self.from;
        }
        let span = (self.end - self.start).0 as f64;
        self.from + (self.to - self.from) * ((t - self.start).0 as f64 / span)
    }

    /// The largest rate in the segment.
    pub fn max_rate(&self) -> f64 {
        self.from.max(self.to)
    }
}

/// A change to a service at `at`. Unset fields stay as they were.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct ServiceChange {
    /// When the change happens, from the start of the run.
    pub at: SimDuration,
    /// Workers from now on (0 is an outage). Busy workers finish what they hold.
    pub workers: Option<u32>,
    /// Factor on every work step's duration (3.0: three times slower).
    pub slowdown: Option<f64>,
    /// Probability that a request served here fails, in [0, 1].
    pub error_rate: Option<f64>,
    /// Workers crash or the whole service goes down (or comes back).
    pub fault: Option<Fault>,
}

/// A scheduled failure, or the end of one.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Fault {
    /// This many workers that are up crash (as many as are up, if fewer), each losing the
    /// work it holds.
    Crash(u32),
    /// This many workers crashed by the schedule restart.
    Restart(u32),
    /// The whole service goes down: every worker crashes, losing what it holds.
    Down(QueueFate),
    /// The broker of a service whose queue is a broker's crashes: publishes are refused
    /// and consumers take nothing until it is back; the waiting messages that its queue's
    /// durability does not keep are lost; consumers finish what they hold.
    BrokerDown,
    /// The service is back after [`Fault::Down`], or its broker after
    /// [`Fault::BrokerDown`].
    Up,
    /// The network between the service and its callers splits until `until` (from the
    /// start of the run): work sent to it meanwhile is refused, or held until the split
    /// heals (`PartitionMode`). Work already inside it carries on.
    Partition {
        /// What happens to work sent during the split.
        mode: PartitionMode,
        /// When it heals.
        until: SimDuration,
    },
    /// The split of [`Fault::Partition`] heals.
    Heal,
}

/// What a partition does to work sent across it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartitionMode {
    /// Connection refused: the caller sees a failure at once.
    Refuse,
    /// Packets dropped: nothing reaches the service until the split heals (then it arrives,
    /// as retransmission does); a caller with a timeout gives up meanwhile.
    Drop,
}

/// What becomes of a service's waiting room when the whole service goes down.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum QueueFate {
    /// The queue survives (it is held elsewhere, by a load balancer or a broker): queued
    /// work waits, and arrivals still queue while there is room.
    Kept,
    /// The queue lived in the crashed process: queued work is lost, and arrivals are
    /// refused (connection refused: the caller sees a failure) until the service is back.
    Lost,
}

/// A target-tracking autoscaler: every `interval` it measures `metric` (time-averaged over
/// the interval just ended) and sets the workers to what would bring it to `target`.
///
/// The workers wanted are `ceil(current × metric / target)`, clamped to `[min, max]`, with
/// `current` the time-averaged workers up over the interval (as AWS target tracking sets
/// capacity in proportion to metric / target). For utilisation and in-flight per worker,
/// `current × metric` is the mean number busy (or in flight), so the wanted workers are
/// that divided by the target. For `queue_length` the target is the acceptable number
/// waiting *per worker* (AWS's "backlog per instance"), so the wanted workers are the mean
/// number waiting divided by it; work in service is not counted, so with nothing waiting
/// such a service scales in to `min` (as far as the cooldown allows).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Autoscale {
    /// What is tracked.
    pub metric: ScaleMetric,
    /// The value to hold the metric at: finite and > 0 (at most 1 for utilisation).
    pub target: f64,
    /// Fewest workers (≥ 1).
    pub min: u32,
    /// Most workers (≥ `min`).
    pub max: u32,
    /// Time between decisions (> 0).
    pub interval: SimDuration,
    /// Start-up time: workers ordered now can serve only this much later. Workers still
    /// starting count as capacity already ordered, so they are not ordered twice.
    pub scale_out_delay: SimDuration,
    /// Least time from the last scaling action (out or in) to a scale-in.
    pub scale_in_cooldown: SimDuration,
}

/// The metric an autoscaler tracks, each time-averaged over a decision interval.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ScaleMetric {
    /// Busy workers / workers up, in (0, 1].
    Utilisation,
    /// Mean number waiting, against a target per worker.
    QueueLength,
    /// (Waiting + in service) / workers up.
    InFlightPerWorker,
}

impl Autoscale {
    /// Workers wanted for a time-averaged `busy`, `waiting` and `up` over an interval, by
    /// target tracking (see [`Autoscale`]); `None` when no worker was up (no data: hold).
    pub fn desired(&self, busy: f64, waiting: f64, up: f64) -> Option<u32> {
        if up <= 0.0 {
            return None;
        }
        let demand = match self.metric {
            ScaleMetric::Utilisation => busy,
            ScaleMetric::QueueLength => waiting,
            ScaleMetric::InFlightPerWorker => busy + waiting,
        };
        // A hair below the exact quotient, so that a metric exactly at target (within
        // rounding of the integrals) does not order one worker more.
        let wanted = (demand / self.target - 1e-9).ceil();
        Some(wanted.clamp(f64::from(self.min), f64::from(self.max)) as u32)
    }

    /// What is wrong with the settings against the service's initial `workers`, if anything.
    pub fn problem(&self, workers: u32) -> Option<String> {
        if !(self.target.is_finite() && self.target > 0.0) {
            return Some("autoscale target must be a finite number > 0".into());
        }
        if self.metric == ScaleMetric::Utilisation && self.target > 1.0 {
            return Some("a utilisation target must be at most 1".into());
        }
        if self.min == 0 || self.min > self.max {
            return Some("autoscale needs 1 <= min <= max".into());
        }
        if !(self.min..=self.max).contains(&workers) {
            return Some("autoscale needs min <= workers <= max".into());
        }
        if self.interval.0 == 0 {
            return Some("autoscale interval must be > 0".into());
        }
        None
    }
}
