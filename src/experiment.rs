//! Many runs of a system: the only module that uses threads.
//!
//! Each replication is one single-threaded engine with its own streams. Replications run in
//! parallel on rayon and are collected by index, then merged in index order, so results are
//! identical whatever the number of threads. [`study`] adds the warm-up choice, the
//! stopping rule and the merge; [`compare`] runs several designs on common random numbers.

mod compare;
mod plan;
mod replicate;
mod sweep;

pub use compare::compare;
pub use plan::{
    Answer, Bound, Candidate, Check, Comparison, Effort, Infeasible, Slo, Verdict, search,
};
pub use replicate::{Plan, Precision, StopReason, Study, Warmup, WarmupCap, WarmupChoice, study};
pub use sweep::{
    PointResult, PointRun, Shard, SweepResult, refusals, shard_work, sweep, work_list,
};

use rayon::prelude::*;

use crate::model::System;
use crate::sim::{Engine, RunError, RunOutcome};
use crate::stats::{Recorder, RunSummary, TimeSeries};

/// One finished replication: its figures and the observers that measured them.
#[derive(Clone, Debug)]
pub struct Replication {
    /// Its number, which keys its random streams.
    pub replication: u64,
    /// Headline figures.
    pub summary: RunSummary,
    /// Full distributions, for merging or charts.
    pub recorder: Recorder,
    /// Figures per time window, warm-up included, when they were asked for.
    pub timeseries: Option<TimeSeries>,
    /// Events processed and the measured window.
    pub outcome: RunOutcome,
}

/// Runs replication number `replication` of `system`, time series included.
pub fn run(system: &System, replication: u64) -> Result<Replication, RunError> {
    measure(system, replication, true)
}

/// Runs one replication; the time series (a second observer) only if `time_series`.
fn measure(system: &System, replication: u64, time_series: bool) -> Result<Replication, RunError> {
    let engine = Engine::new(system, replication)?;
    let (recorder, outcome, timeseries) = if time_series {
        let mut observers = (Recorder::new(system), TimeSeries::new(system));
        let outcome = engine.run(&mut observers)?;
        (observers.0, outcome, Some(observers.1))
    } else {
        let mut recorder = Recorder::new(system);
        let outcome = engine.run(&mut recorder)?;
        (recorder, outcome, None)
    };
    Ok(Replication {
        replication,
        summary: recorder.summary(system, &outcome),
        recorder,
        timeseries,
        outcome,
    })
}

/// Runs replications `0..count` in parallel, time series included; results are in
/// replication order.
pub fn replicate(system: &System, count: u64) -> Result<Vec<Replication>, RunError> {
    replicate_range(system, 0..count, true, &|| {})
}

/// Runs the replications numbered `range` in parallel, calling `done` as each finishes;
/// results are in replication order.
fn replicate_range(
    system: &System,
    range: std::ops::Range<u64>,
    time_series: bool,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<Replication>, RunError> {
    range
        .into_par_iter()
        .map(|replication| {
            let result = measure(system, replication, time_series);
            done();
            result
        })
        .collect()
}
