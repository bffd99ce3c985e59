//! The curves of a sweep and the landmarks on them: the saturation point, where a service
//! runs out of capacity, and the knee, where response time turns up. The rules are pure
//! functions of numbers, tested on their own; the rest reads those numbers off a sweep.
//!
//! Both rules scan a curve's points in order of increasing offered load (the highest of
//! any service at the point, from the traffic equations), so that they mean the same for
//! a sweep of load (load rises with the value) and of workers (load falls). Points of
//! equal load keep the axis's order, so a sweep that leaves the load alone (a timeout, a
//! queue bound) is scanned in the order its values were given.

use crate::experiment::{PointResult, SweepResult};
use crate::model::Grid;
use crate::stats::{Figure, Scope};

/// A curve has its knee where p99 response time passes this multiple of its value at the
/// lowest load.
pub(crate) const KNEE_FACTOR: f64 = 2.0;
/// A point is saturated when some service's offered load reaches this...
pub(crate) const SATURATION_LOAD: f64 = 1.0;
/// ...or some source has more than this share of its requests rejected (a bounded queue
/// sheds load instead of growing).
pub(crate) const SATURATION_REJECTED: f64 = 0.01;

/// The points of a sweep that differ only in the first axis: one line on a chart.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Curve {
    /// The value index on every axis after the first (empty with one axis).
    pub(crate) fixed: Vec<usize>,
    /// The points, in the first axis's order.
    pub(crate) points: Vec<usize>,
}

/// Every curve of `grid`, in grid order (the second axis varying slowest).
pub(crate) fn curves(grid: &Grid) -> Vec<Curve> {
    let first = grid.axes().first().map_or(1, |a| a.values.len());
    let rest = grid.len() / first.max(1);
    (0..rest)
        .map(|r| Curve {
            fixed: grid.coordinates(r)[1..].to_vec(),
            points: (0..first).map(|i| i * rest + r).collect(),
        })
        .collect()
}

/// What the knee rule finds on one curve; positions are into the values it was given.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Knee {
    /// No value at all (no request succeeded at any point).
    NoData,
    /// No value passes the factor (or only one value exists).
    Flat {
        /// The first value present.
        baseline: usize,
    },
    /// The first value above [`KNEE_FACTOR`] times the baseline.
    At {
        /// The first value present.
        baseline: usize,
        /// The knee.
        at: usize,
    },
}

/// The knee of `values`, taken in order of increasing load: the first value above
/// [`KNEE_FACTOR`] times the first value present (the baseline). Missing values (no
/// successful request, a refused point) are skipped.
pub(crate) fn knee(values: &[Option<f64>]) -> Knee {
    let mut present = (values.iter().enumerate()).filter_map(|(i, v)| v.map(|v| (i, v)));
    let Some((baseline, base)) = present.next() else {
        return Knee::NoData;
    };
    match present.find(|&(_, v)| v > KNEE_FACTOR * base) {
        Some((at, _)) => Knee::At { baseline, at },
        None => Knee::Flat { baseline },
    }
}

/// The first position, in order of increasing load, at which the offered load reaches
/// [`SATURATION_LOAD`] or the rejected share passes [`SATURATION_REJECTED`].
pub(crate) fn saturation(loads: &[f64], rejected: &[Option<f64>]) -> Option<usize> {
    (0..loads.len()).find(|&i| {
        let shed = rejected.get(i).copied().flatten();
        loads[i] >= SATURATION_LOAD || shed.is_some_and(|r| r > SATURATION_REJECTED)
    })
}

/// Positions of `loads` in order of increasing load; equal loads keep their order.
pub(crate) fn by_load(loads: &[f64]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..loads.len()).collect();
    order.sort_by(|&a, &b| loads[a].total_cmp(&loads[b]));
    order
}

/// Whether `loads` differ at all (otherwise a curve is scanned in its axis's order).
pub(crate) fn loads_differ(loads: &[f64]) -> bool {
    let (low, high) = (loads.iter()).fold((f64::INFINITY, f64::NEG_INFINITY), |(l, h), &x| {
        (l.min(x), h.max(x))
    });
    high > low * (1.0 + 1e-9)
}

/// The highest offered load of any service at a point, and that service's index.
pub(crate) fn offered_load(point: &PointResult) -> (f64, usize) {
    (point.system.traffic().iter().map(|f| f.load()).enumerate()).fold(
        (0.0, 0),
        |best, (i, load)| {
            if load > best.0 { (load, i) } else { best }
        },
    )
}

/// Why a point is the saturation point.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) enum Saturated {
    /// A service's offered load reached [`SATURATION_LOAD`].
    Load {
        /// The service's index.
        service: usize,
        /// Its offered load.
        load: f64,
    },
    /// A source's rejected share passed [`SATURATION_REJECTED`].
    Rejected {
        /// The source's index.
        source: usize,
        /// Its mean rejected share.
        fraction: f64,
    },
}

/// The landmarks of one curve; points are indices into the sweep.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Landmarks {
    /// The curve's points in the order the rules scan them.
    pub(crate) order: Vec<usize>,
    /// Whether that order is by load (otherwise the loads are equal: the axis's order).
    pub(crate) by_load: bool,
    /// The saturation point and why it is one.
    pub(crate) saturation: Option<(usize, Saturated)>,
    /// Per source, the knee of its p99 response time (positions are point indices).
    pub(crate) knees: Vec<Knee>,
}

/// The landmarks of `curve`.
pub(crate) fn landmarks(sweep: &SweepResult, curve: &Curve) -> Landmarks {
    let loads: Vec<(f64, usize)> = (curve.points.iter())
        .map(|&p| offered_load(&sweep.points[p]))
        .collect();
    let plain: Vec<f64> = loads.iter().map(|l| l.0).collect();
    let order: Vec<usize> = by_load(&plain);
    let sources = sweep.points.first().map_or(0, |p| p.system.sources().len());
    let mean = |point: usize, figure: Figure, source: usize| {
        let name = &sweep.points[point].system.sources()[source].name;
        let column = sweep.column(Scope::Source, name, figure)?;
        sweep.points[point].estimate(column).map(|e| e.mean)
    };
    // The source with the largest rejected share at each point, in scan order.
    let worst: Vec<Option<(f64, usize)>> = (order.iter())
        .map(|&k| {
            (0..sources)
                .filter_map(|s| mean(curve.points[k], Figure::RejectedFraction, s).map(|f| (f, s)))
                .max_by(|a, b| a.0.total_cmp(&b.0))
        })
        .collect();
    let scanned: Vec<f64> = order.iter().map(|&k| plain[k]).collect();
    let rejected: Vec<Option<f64>> = worst.iter().map(|w| w.map(|w| w.0)).collect();
    let saturation = saturation(&scanned, &rejected).map(|i| {
        let (load, service) = loads[order[i]];
        let why = match worst[i] {
            Some((fraction, source)) if load < SATURATION_LOAD => {
                Saturated::Rejected { source, fraction }
            }
            _ => Saturated::Load { service, load },
        };
        (curve.points[order[i]], why)
    });
    let point = |i: usize| curve.points[order[i]];
    let knees = (0..sources)
        .map(|s| {
            let p99: Vec<Option<f64>> = (order.iter())
                .map(|&k| mean(curve.points[k], Figure::LatencyP99, s))
                .collect();
            match knee(&p99) {
                Knee::NoData => Knee::NoData,
                Knee::Flat { baseline } => Knee::Flat {
                    baseline: point(baseline),
                },
                Knee::At { baseline, at } => Knee::At {
                    baseline: point(baseline),
                    at: point(at),
                },
            }
        })
        .collect();
    Landmarks {
        order: order.iter().map(|&k| curve.points[k]).collect(),
        by_load: loads_differ(&plain),
        saturation,
        knees,
    }
}

#[cfg(test)]
mod tests;
