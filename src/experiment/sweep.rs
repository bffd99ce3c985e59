//! A sweep: replications of many variants (points) of one system, run together.
//!
//! Every (point, replication) pair is one item of a work list in a fixed order, point by
//! point; rayon runs the items in parallel and they are collected by position, so the
//! result never depends on the thread count. Points share the scenario's seed, so
//! replication i of every point draws the same arrivals (common random numbers) and the
//! differences between points are not noise. A shard runs every item whose position is
//! its index modulo the shard count: items of neighbouring points, whose cost is alike,
//! spread evenly over the shards.

use rayon::prelude::*;

use super::measure;
use crate::model::{Grid, System};
use crate::sim::{RunError, check_stable};
use crate::stats::{Estimate, Figure, Key, RecoveryAcross, Sample, Scope, column_estimate, keys};

/// Which share of a sweep's work list a process runs: item k when k % count == index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard, counting from 0.
    pub index: u64,
    /// How many shards the work is split into (at least 1).
    pub count: u64,
}

impl Shard {
    /// The whole work list.
    pub const WHOLE: Shard = Shard { index: 0, count: 1 };

    /// The most shards a sweep may be split into: a merge checks every index.
    pub const MAX_COUNT: u64 = 100_000;

    /// Shard `index` of `count`, or `None` unless `index < count <= MAX_COUNT`.
    pub fn new(index: u64, count: u64) -> Option<Shard> {
        (index < count && count <= Shard::MAX_COUNT).then_some(Shard { index, count })
    }

    /// Whether item number `item` of the work list is this shard's.
    pub fn holds(self, item: u64) -> bool {
        item % self.count == self.index
    }

    /// This shard's items of `list` (those [`Shard::holds`]), in order, without visiting
    /// the others: a merge checks every shard of a long list.
    pub fn items<T: Copy>(self, list: &[T]) -> Vec<T> {
        let (skip, step) = (self.index as usize, self.count as usize);
        list.iter().skip(skip).step_by(step).copied().collect()
    }
}

/// One replication of one point, reduced to its numbers.
#[derive(Clone, Debug, PartialEq)]
pub struct PointRun {
    /// The point's index.
    pub point: usize,
    /// The replication number (which keys the random streams).
    pub replication: u64,
    /// What it measured.
    pub sample: Sample,
}

/// Why each point cannot run (`None` for those that can): the pre-run checks, such as an
/// unbounded queue loaded at or above its capacity.
pub fn refusals(points: &[System]) -> Vec<Option<RunError>> {
    points.iter().map(|p| check_stable(p).err()).collect()
}

/// The work list of a sweep: (point, replication) for every point that can run, point by
/// point.
pub fn work_list(refused: &[Option<RunError>], replications: u64) -> Vec<(usize, u64)> {
    (refused.iter().enumerate())
        .filter(|(_, r)| r.is_none())
        .flat_map(|(point, _)| (0..replications).map(move |rep| (point, rep)))
        .collect()
}

/// The items of the work list that `shard` runs, in work-list order.
pub fn shard_work(
    refused: &[Option<RunError>],
    replications: u64,
    shard: Shard,
) -> Vec<(usize, u64)> {
    shard.items(&work_list(refused, replications))
}

/// Runs this shard's items of the work list of `points` (see [`work_list`]), calling
/// `done` after each; results are in work-list order.
///
/// A replication that a limit stops keeps its figures (`Sample::stopped` says which
/// limit); one that fails before measuring anything is a sample with no values.
pub fn sweep(
    points: &[System],
    replications: u64,
    shard: Shard,
    done: &(dyn Fn() + Sync),
) -> Vec<PointRun> {
    shard_work(&refusals(points), replications, shard)
        .into_par_iter()
        .map(|(point, replication)| {
            let system = &points[point];
            let sample = match measure(system, replication, false) {
                Ok(run) => Sample::of(&run.summary),
                Err(error) => Sample::failed(keys(system).len(), &error),
            };
            done();
            PointRun {
                point,
                replication,
                sample,
            }
        })
        .collect()
}

/// A finished sweep, or the merge of its shards: every point's replications.
#[derive(Clone, Debug)]
pub struct SweepResult {
    /// The axes and their values.
    pub grid: Grid,
    /// Replications per point.
    pub replications: u64,
    /// The columns of every sample.
    pub keys: Vec<Key>,
    /// One per point of the grid, in grid order.
    pub points: Vec<PointResult>,
}

/// One point of a sweep.
#[derive(Clone, Debug)]
pub struct PointResult {
    /// The system at this point.
    pub system: System,
    /// Why it could not run, if it could not (an unbounded queue loaded beyond capacity).
    pub refused: Option<RunError>,
    /// Its replications, by number; empty when refused.
    pub samples: Vec<Sample>,
}

impl SweepResult {
    /// Puts `runs` (every item of the work list, in any order) together with the points'
    /// systems; the error says which items are missing or given twice, or which sample
    /// does not have the points' columns (a run read back from a file is checked here).
    pub fn assemble(
        grid: Grid,
        replications: u64,
        points: Vec<System>,
        mut runs: Vec<PointRun>,
    ) -> Result<SweepResult, String> {
        let refused = refusals(&points);
        let expected = work_list(&refused, replications);
        runs.sort_by_key(|r| (r.point, r.replication));
        if let Some(twice) = runs
            .windows(2)
            .find(|w| (w[0].point, w[0].replication) == (w[1].point, w[1].replication))
        {
            return Err(format!(
                "replication {} of point {} is given twice",
                twice[0].replication, twice[0].point
            ));
        }
        let got: Vec<(usize, u64)> = runs.iter().map(|r| (r.point, r.replication)).collect();
        if got != expected {
            let missing = (expected.iter().enumerate())
                .filter(|(_, item)| got.binary_search(item).is_err())
                .count();
            return Err(format!(
                "{missing} of the {} runs are missing (or runs are given that the sweep \
                 does not have)",
                expected.len()
            ));
        }
        let keys = points.first().map(keys).unwrap_or_default();
        if let Some(other) = points.iter().position(|p| crate::stats::keys(p) != keys) {
            return Err(format!(
                "point {other} reports other figures than the first (a varied threshold?)"
            ));
        }
        let little = points
            .first()
            .map_or(0, |p| crate::stats::little_places(p).len());
        if let Some(odd) = runs.iter().find(|r| {
            r.sample.values.len() != keys.len()
                || !(r.sample.little.is_empty() || r.sample.little.len() == little)
        }) {
            return Err(format!(
                "replication {} of point {} has {} values and {} Little's-law gaps; the \
                 sweep has {} columns and {little} gaps",
                odd.replication,
                odd.point,
                odd.sample.values.len(),
                odd.sample.little.len(),
                keys.len()
            ));
        }
        let mut samples: Vec<Vec<Sample>> = vec![Vec::new(); points.len()];
        for run in runs {
            samples[run.point].push(run.sample);
        }
        let points = (points.into_iter().zip(refused).zip(samples))
            .map(|((system, refused), samples)| PointResult {
                system,
                refused,
                samples,
            })
            .collect();
        Ok(SweepResult {
            grid,
            replications,
            keys,
            points,
        })
    }

    /// The column of `figure` of the component `name` of `scope`, if the sweep has it.
    pub fn column(&self, scope: Scope, name: &str, figure: Figure) -> Option<usize> {
        (self.keys.iter())
            .position(|k| k.scope == scope && k.component == name && k.figure == figure)
    }
}

impl PointResult {
    /// The interval of column `column` over the replications that observed it.
    pub fn estimate(&self, column: usize) -> Option<Estimate> {
        column_estimate(&self.samples, column)
    }

    /// Replications a limit stopped.
    pub fn stopped(&self) -> usize {
        self.samples.iter().filter(|s| s.stopped.is_some()).count()
    }

    /// The recovery verdict over the replications, when the scenario has a trigger.
    pub fn recovery(&self) -> Option<RecoveryAcross> {
        RecoveryAcross::from_verdicts(self.samples.iter().map(|s| s.recovery).collect())
    }

    /// The mean relative gap of Little's law for each service, then the whole system,
    /// over the replications that measured it.
    pub fn little_gaps(&self) -> Vec<f64> {
        let measured: Vec<&Sample> = (self.samples.iter())
            .filter(|s| !s.little.is_empty())
            .collect();
        let width = crate::stats::little_places(&self.system).len();
        (0..width)
            .map(|i| {
                let sum: f64 = measured.iter().map(|s| s.little[i]).sum();
                if measured.is_empty() {
                    0.0
                } else {
                    sum / measured.len() as f64
                }
            })
            .collect()
    }
}
