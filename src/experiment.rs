//! Many runs of a system: the only module that uses threads.
//!
//! Each replication is one single-threaded engine with its own streams. Replications run in
//! parallel on rayon and are collected by index, so results are identical whatever the
//! number of threads.

use rayon::prelude::*;

use crate::model::System;
use crate::sim::{Engine, RunError, RunOutcome};
use crate::stats::{Recorder, RunSummary};

/// One finished replication: its figures and the recorder that measured them.
#[derive(Clone, Debug)]
pub struct Replication {
    /// Its number, which keys its random streams.
    pub replication: u64,
    /// Headline figures.
    pub summary: RunSummary,
    /// Full distributions, for merging or charts.
    pub recorder: Recorder,
    /// Events processed and the measured window.
    pub outcome: RunOutcome,
}

/// Runs replication number `replication` of `system`.
pub fn run(system: &System, replication: u64) -> Result<Replication, RunError> {
    let mut recorder = Recorder::new(system);
    let outcome = Engine::new(system, replication)?.run(&mut recorder)?;
    Ok(Replication {
        replication,
        summary: recorder.summary(system, &outcome),
        recorder,
        outcome,
    })
}

/// Runs replications `0..count` in parallel; results are in replication order.
pub fn replicate(system: &System, count: u64) -> Result<Vec<Replication>, RunError> {
    (0..count)
        .into_par_iter()
        .map(|replication| run(system, replication))
        .collect()
}
