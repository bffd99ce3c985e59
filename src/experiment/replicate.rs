//! A study: replications of one system, merged in index order, with the warm-up chosen
//! and the number of replications decided by a fixed plan or a target precision.

use super::{Replication, replicate_range};
use crate::model::{SimDuration, SimTime, SimulationSpec, SourceId, System};
use crate::sim::RunError;
use crate::stats::{
    Figure, Latency, RunSummary, Scope, TimeSeries, WindowRow, baseline_room, headlines,
    mser5_truncation, trigger_span,
};

/// Replications run in parallel before their results are folded in; a fixed number, so
/// the order of folding, and the stopping point, never depend on the thread count.
const CHUNK: u64 = 8;
/// Replications of the pilot study that picks an automatic warm-up.
const PILOT_REPLICATIONS: u64 = 4;

/// How many replications to run, and how to choose the warm-up.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Plan {
    /// Replications to run (at least 1); the minimum when `precision` is set.
    pub replications: u64,
    /// Which warm-up to discard.
    pub warmup: Warmup,
    /// Keep adding replications until the headline intervals are this narrow.
    pub precision: Option<Precision>,
    /// Keep figures per time window (`Study::timeseries`), which reports need for their
    /// charts and CSV. Without them each replication feeds one observer instead of two.
    pub time_series: bool,
}

impl Plan {
    /// `replications` replications with the scenario's warm-up, time series included.
    pub fn fixed(replications: u64) -> Plan {
        Plan {
            replications: replications.max(1),
            warmup: Warmup::Scenario,
            precision: None,
            time_series: true,
        }
    }
}

/// Where measurement starts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Warmup {
    /// The scenario's `warmup`.
    Scenario,
    /// MSER-5 on the number of requests in the system per time window of a pilot study.
    Mser5,
}

/// A target precision: stop once every source's mean and p99 response time have a 95%
/// interval narrower than `relative_half_width` of their mean, or at `max_replications`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Precision {
    /// Largest half-width accepted, as a fraction of the mean (e.g. 0.05).
    pub relative_half_width: f64,
    /// Upper bound on replications.
    pub max_replications: u64,
}

/// The warm-up that was used, and how it was chosen.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarmupChoice {
    /// Simulated time discarded, seconds.
    pub secs: f64,
    /// The scenario's own warm-up, seconds.
    pub scenario_secs: f64,
    /// `Some` when MSER-5 chose it: the pilot's windows discarded and the window width.
    pub mser: Option<(usize, f64)>,
    /// `Some` when MSER-5 asked for more and the warm-up was cut short so as not to discard
    /// the scenario's first trigger: what MSER-5 asked for, and the trigger's start.
    pub capped: Option<WarmupCap>,
}

/// An automatic warm-up cut short before the first trigger (a spike, an outage) so that
/// the trigger under study and the baseline before it stay in the measured period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct WarmupCap {
    /// The warm-up MSER-5 chose, seconds.
    pub chosen_secs: f64,
    /// The start of the first trigger, seconds.
    pub trigger_secs: f64,
}

/// Why the study stopped adding replications.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StopReason {
    /// It ran the planned number.
    Planned,
    /// Every watched interval reached the target precision.
    PrecisionReached,
    /// The upper bound was hit before the target precision.
    MaxReplications,
}

/// Replications of one system, merged in replication order.
#[derive(Clone, Debug)]
pub struct Study {
    /// The system as run (with the chosen warm-up).
    pub system: System,
    /// Each replication's figures, by replication number.
    pub summaries: Vec<RunSummary>,
    /// Events processed, all replications.
    pub events: u64,
    /// End-to-end latency per source, all replications merged.
    pub latency: Vec<Latency>,
    /// Figures per time window, averaged over replications, if the plan asked for them.
    pub timeseries: Option<TimeSeries>,
    /// The warm-up used.
    pub warmup: WarmupChoice,
    /// Why it stopped.
    pub stop: StopReason,
    /// The plan it followed.
    pub plan: Plan,
}

impl Study {
    fn new(system: System, first: &Replication, warmup: WarmupChoice, plan: Plan) -> Study {
        Study {
            latency: (0..system.sources().len())
                .map(|i| first.recorder.source_latency(SourceId(i as u32)).clone())
                .collect(),
            timeseries: first.timeseries.clone(),
            summaries: vec![first.summary.clone()],
            events: first.outcome.events,
            system,
            warmup,
            stop: StopReason::Planned,
            plan,
        }
    }

    fn fold(&mut self, run: &Replication) {
        for (i, latency) in self.latency.iter_mut().enumerate() {
            latency.merge(run.recorder.source_latency(SourceId(i as u32)));
        }
        if let (Some(mine), Some(theirs)) = (&mut self.timeseries, &run.timeseries) {
            mine.merge(theirs);
        }
        self.summaries.push(run.summary.clone());
        self.events += run.outcome.events;
    }

    /// Each time window's figures; none when the plan kept no time series.
    pub fn windows(&self) -> Vec<WindowRow> {
        self.timeseries
            .as_ref()
            .map_or_else(Vec::new, TimeSeries::rows)
    }

    /// Replications so far.
    fn count(&self) -> u64 {
        self.summaries.len() as u64
    }

    /// Runs the next chunk of replications (never beyond `limit`) and folds them in.
    fn add_chunk(&mut self, limit: u64, done: &(dyn Fn() + Sync)) -> Result<(), RunError> {
        let next = self.count();
        let range = next..(next + CHUNK).min(limit);
        for run in replicate_range(&self.system, range, self.plan.time_series, done)? {
            self.fold(&run);
        }
        Ok(())
    }

    /// Whether every source's mean and p99 response time interval is narrow enough (a
    /// source with no successful request has no such interval to narrow).
    fn precise(&self, relative_half_width: f64) -> bool {
        headlines(&self.summaries)
            .iter()
            .filter(|h| {
                h.scope == Scope::Source
                    && matches!(h.figure, Figure::LatencyMean | Figure::LatencyP99)
            })
            .filter_map(|h| h.estimate)
            .all(|e| e.half_width <= relative_half_width * e.mean.abs())
    }
}

/// Runs `plan` on `system`, calling `done` after each replication (from any thread).
pub fn study(system: &System, plan: &Plan, done: &(dyn Fn() + Sync)) -> Result<Study, RunError> {
    let scenario_secs = system.simulation().warmup.as_secs_f64();
    let (system, warmup) = match plan.warmup {
        Warmup::Scenario => (
            system.clone(),
            WarmupChoice {
                secs: scenario_secs,
                scenario_secs,
                mser: None,
                capped: None,
            },
        ),
        Warmup::Mser5 => choose_warmup(system, done)?,
    };
    let wanted = plan.replications.max(1);
    let first = replicate_range(&system, 0..CHUNK.min(wanted), plan.time_series, done)?;
    let mut study = Study::new(system, &first[0], warmup, *plan);
    for run in &first[1..] {
        study.fold(run);
    }
    while study.count() < wanted {
        study.add_chunk(wanted, done)?;
    }
    if let Some(p) = plan.precision {
        let limit = p.max_replications.max(wanted);
        study.stop = loop {
            if study.precise(p.relative_half_width) {
                break StopReason::PrecisionReached;
            }
            if study.count() >= limit {
                break StopReason::MaxReplications;
            }
            study.add_chunk(limit, done)?;
        };
    }
    Ok(study)
}

/// A pilot study with the scenario's settings; MSER-5 on its number-in-system per window
/// picks the warm-up, and the system is returned with that warm-up.
fn choose_warmup(
    system: &System,
    done: &(dyn Fn() + Sync),
) -> Result<(System, WarmupChoice), RunError> {
    let pilot = study(system, &Plan::fixed(PILOT_REPLICATIONS), done)?;
    let timeseries = pilot
        .timeseries
        .expect("a fixed plan keeps the time series");
    let series: Vec<f64> = timeseries.rows().iter().map(|r| r.in_flight).collect();
    let windows = mser5_truncation(&series);
    let width_ns = timeseries.width_ns();
    let (warmup, capped) = cap_before_trigger(system, SimDuration(width_ns * windows as u64));
    let spec = SimulationSpec {
        warmup,
        ..system.simulation().clone()
    };
    let chosen = System::new(spec, system.sources().to_vec(), system.services().to_vec())
        .expect("only the warm-up changed, so the topology is still valid");
    Ok((
        chosen,
        WarmupChoice {
            secs: warmup.as_secs_f64(),
            scenario_secs: system.simulation().warmup.as_secs_f64(),
            mser: Some((windows, width_ns as f64 / 1e9)),
            capped,
        },
    ))
}

/// The warm-up to use when MSER-5 chose `chosen`: never so long that the scenario's first
/// trigger, or the baseline the recovery verdict needs before it, is discarded.
fn cap_before_trigger(system: &System, chosen: SimDuration) -> (SimDuration, Option<WarmupCap>) {
    let Some((trigger, _)) = trigger_span(system) else {
        return (chosen, None);
    };
    let limit = SimDuration(
        (trigger - SimTime::ZERO)
            .0
            .saturating_sub(baseline_room(system).0),
    );
    if chosen <= limit {
        return (chosen, None);
    }
    let cap = WarmupCap {
        chosen_secs: chosen.as_secs_f64(),
        trigger_secs: trigger.as_secs_f64(),
    };
    (limit, Some(cap))
}
