//! Capacity planning: the smallest value of one knob that meets every SLO, decided with
//! confidence.
//!
//! The candidates are the knob's values in increasing order, and meeting the SLOs is
//! assumed monotone in them (more workers never hurt). A candidate is decided when the 95%
//! interval of every SLO figure lies on one side of its threshold: replications are added
//! in chunks until it is, or until an upper bound, when it is *undecided*. The search
//! starts where exact theory (Erlang C and the other closed forms) or, without it, the
//! stability bound says the answer should be, then brackets and bisects; the candidate
//! below the answer is always run, so the answer comes with the evidence that one less
//! is not enough. Infeasible SLOs, those that no value of the knob can meet, are detected
//! before searching where a bound proves it.

use rayon::prelude::*;

use super::measure;
use crate::model::{Arrivals, ServiceId, Step, System};
use crate::oracle;
use crate::sim::{RunError, check_stable};
use crate::stats::{
    CONFIDENCE, Estimate, Figure, Key, Sample, Scope, column_estimate, keys, wilson_interval,
};

/// How an SLO compares its figure with the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Comparison {
    /// `<`
    Below,
    /// `<=`
    AtMost,
    /// `>`
    Above,
    /// `>=`
    AtLeast,
}

impl Comparison {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Comparison::Below => "<",
            Comparison::AtMost => "<=",
            Comparison::Above => ">",
            Comparison::AtLeast => ">=",
        }
    }

    /// Whether `x` meets `threshold`.
    pub fn holds(self, x: f64, threshold: f64) -> bool {
        match self {
            Comparison::Below => x < threshold,
            Comparison::AtMost => x <= threshold,
            Comparison::Above => x > threshold,
            Comparison::AtLeast => x >= threshold,
        }
    }

    /// Whether a smaller value is the better side.
    fn upper_bound(self) -> bool {
        matches!(self, Comparison::Below | Comparison::AtMost)
    }
}

/// A target on one headline figure of one component: `web.p99 < 300ms`.
#[derive(Clone, Debug, PartialEq)]
pub struct Slo {
    /// As the user wrote it.
    pub text: String,
    /// Source or service.
    pub scope: Scope,
    /// The component's name.
    pub component: String,
    /// The figure.
    pub figure: Figure,
    /// The comparison.
    pub comparison: Comparison,
    /// The threshold, in the figure's unit (seconds, per second, a fraction).
    pub threshold: f64,
}

impl Slo {
    /// What the SLO measures, as written before its comparison: `web.p99`.
    pub fn target(&self) -> &str {
        let symbol = self.comparison.symbol();
        self.text.split(symbol).next().unwrap_or(&self.text).trim()
    }
}

/// Whether a candidate (or one SLO at a candidate) meets the target.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// The whole 95% interval is on the good side.
    Meets,
    /// The whole interval is on the bad side (or the figure has no value at all: nothing
    /// was served).
    Fails,
    /// The interval straddles the threshold at the largest number of replications.
    Undecided,
}

/// One SLO at one candidate.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Check {
    /// The figure's interval; `None` when no replication observed it.
    pub estimate: Option<Estimate>,
    /// What the interval says.
    pub verdict: Verdict,
}

/// A value of the knob that was run.
#[derive(Clone, Debug)]
pub struct Candidate {
    /// Its position among the candidates.
    pub index: usize,
    /// Why it could not run, if it could not (then it fails every SLO).
    pub refused: Option<RunError>,
    /// One per SLO, in order.
    pub checks: Vec<Check>,
    /// Meets every SLO, fails one, or neither yet. A candidate whose replications a safety
    /// limit stopped fails: what it measured before the stop says nothing of the rest.
    pub verdict: Verdict,
    /// Its replications.
    pub samples: Vec<Sample>,
}

impl Candidate {
    /// Replications a safety limit stopped (or that failed before measuring anything).
    pub fn stopped(&self) -> usize {
        self.samples.iter().filter(|s| s.stopped.is_some()).count()
    }
}

/// How hard to try at each candidate.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Effort {
    /// Replications run first, and added at a time (at least 2).
    pub chunk: u64,
    /// Replications after which an undecided candidate stays undecided.
    pub max_replications: u64,
}

/// An SLO that no candidate can meet, and the bound that proves it.
#[derive(Clone, Debug, PartialEq)]
pub struct Infeasible {
    /// The SLO's position.
    pub slo: usize,
    /// The bound.
    pub reason: Bound,
}

/// Why an SLO cannot be met by any value of the knob.
#[derive(Clone, Debug, PartialEq)]
pub enum Bound {
    /// A source that never times out has every request served by `service`, whose first
    /// work step alone has this figure (its mean or a quantile, seconds): the response
    /// time can never beat it, and the knob does not change that work.
    WorkFloor {
        /// The service.
        service: String,
        /// The work's own value of the SLO's figure, seconds.
        floor: f64,
    },
    /// Even at the largest candidate, `service` is offered `load` times what it can serve,
    /// so at least `rejected` of its work is turned away.
    Overload {
        /// The service.
        service: String,
        /// Arrivals over capacity (> 1).
        load: f64,
        /// 1 − 1/load.
        rejected: f64,
    },
}

/// The result of a search.
#[derive(Clone, Debug)]
pub struct Answer {
    /// The smallest candidate that meets every SLO, if one does.
    pub found: Option<usize>,
    /// Every candidate run, by index.
    pub evaluated: Vec<Candidate>,
    /// SLOs proved impossible before searching (then nothing is run).
    pub infeasible: Vec<Infeasible>,
    /// Where exact theory placed the answer, when it could.
    pub theory_seed: Option<usize>,
}

impl Answer {
    /// The candidate run at `index`, if it was.
    pub fn candidate(&self, index: usize) -> Option<&Candidate> {
        self.evaluated.iter().find(|c| c.index == index)
    }
}

/// The smallest of `candidates` (the systems at the knob's values, in increasing order)
/// that meets every SLO.
pub fn search(
    candidates: &[System],
    slos: &[Slo],
    effort: Effort,
    done: &(dyn Fn() + Sync),
) -> Answer {
    let infeasible = infeasible(candidates, slos);
    let mut search = Search {
        candidates,
        slos,
        effort,
        done,
        evaluated: vec![None; candidates.len()],
    };
    let theory_seed = theory_seed(candidates, slos);
    let found = if infeasible.is_empty() && !candidates.is_empty() {
        search.smallest(theory_seed.unwrap_or_else(|| first_unsaturated(candidates)))
    } else {
        None
    };
    Answer {
        found,
        evaluated: search.evaluated.into_iter().flatten().collect(),
        infeasible,
        theory_seed,
    }
}

/// The column of each SLO's figure in the samples of `system`.
fn columns(system: &System, slos: &[Slo]) -> Vec<Option<usize>> {
    let keys: Vec<Key> = keys(system);
    (slos.iter())
        .map(|slo| {
            (keys.iter()).position(|k| {
                k.scope == slo.scope && k.component == slo.component && k.figure == slo.figure
            })
        })
        .collect()
}

struct Search<'a> {
    candidates: &'a [System],
    slos: &'a [Slo],
    effort: Effort,
    done: &'a (dyn Fn() + Sync),
    evaluated: Vec<Option<Candidate>>,
}

impl Search<'_> {
    /// Brackets the answer from `start` (galloping up while candidates fail, down while
    /// they meet), then bisects; `None` when the largest candidate does not meet the SLOs.
    /// The candidate below the answer is always run, so the answer comes with its evidence.
    fn smallest(&mut self, start: usize) -> Option<usize> {
        let last = self.candidates.len() - 1;
        let floor = first_stable(self.candidates);
        let start = start.clamp(floor.min(last), last);
        let (mut low, mut high) = (None, start);
        if !self.meets(start) {
            let (mut below, mut step) = (start, 1);
            loop {
                let probe = (below + step).min(last);
                if self.meets(probe) {
                    (low, high) = (Some(below), probe);
                    break;
                }
                if probe == last {
                    return None;
                }
                (below, step) = (probe, step * 2);
            }
        }
        let mut step = 1;
        while low.is_none() && high > floor {
            let probe = high.saturating_sub(step).max(floor);
            if self.meets(probe) {
                (high, step) = (probe, step * 2);
            } else {
                low = Some(probe);
            }
        }
        while let Some(l) = low.filter(|&l| high - l > 1) {
            let mid = l + (high - l) / 2;
            if self.meets(mid) {
                high = mid;
            } else {
                low = Some(mid);
            }
        }
        if high > 0 {
            self.meets(high - 1); // Refused (below the stable range) costs nothing.
        }
        Some(high)
    }

    /// Runs candidate `index` until decided (once) and says whether it meets every SLO.
    fn meets(&mut self, index: usize) -> bool {
        if self.evaluated[index].is_none() {
            self.evaluated[index] = Some(self.evaluate(index));
        }
        self.evaluated[index].as_ref().map(|c| c.verdict) == Some(Verdict::Meets)
    }

    fn evaluate(&self, index: usize) -> Candidate {
        let system = &self.candidates[index];
        if let Err(error) = check_stable(system) {
            return Candidate {
                index,
                refused: Some(error),
                checks: vec![
                    Check {
                        estimate: None,
                        verdict: Verdict::Fails
                    };
                    self.slos.len()
                ],
                verdict: Verdict::Fails,
                samples: Vec::new(),
            };
        }
        let columns = columns(system, self.slos);
        let mut samples: Vec<Sample> = Vec::new();
        loop {
            let from = samples.len() as u64;
            let to = (from + self.effort.chunk.max(2)).min(self.effort.max_replications.max(2));
            samples.extend(
                (from..to)
                    .into_par_iter()
                    .map(|replication| {
                        let sample = match measure(system, replication, false) {
                            Ok(run) => Sample::of(&run.summary),
                            Err(error) => Sample::failed(keys(system).len(), &error),
                        };
                        (self.done)();
                        sample
                    })
                    .collect::<Vec<_>>(),
            );
            let checks: Vec<Check> = (self.slos.iter().zip(&columns))
                .map(|(slo, column)| {
                    let estimate = match slo.figure {
                        Figure::NotRecovered => not_recovered(&samples),
                        _ => column.and_then(|c| column_estimate(&samples, c)),
                    };
                    check(slo, estimate)
                })
                .collect();
            // A stopped run is data for the recovery verdict (it did not recover), and for
            // every other figure a sign that the candidate cannot carry the load.
            let boundary = self.slos.iter().all(|s| s.figure == Figure::NotRecovered);
            let stopped = samples.iter().any(|s| s.stopped.is_some());
            let verdict = match overall(&checks) {
                _ if stopped && !boundary => Verdict::Fails,
                verdict => verdict,
            };
            if verdict != Verdict::Undecided || to >= self.effort.max_replications {
                return Candidate {
                    index,
                    refused: None,
                    checks,
                    verdict,
                    samples,
                };
            }
        }
    }
}

/// The share of judged replications that did not recover, with the 95% Wilson interval
/// made symmetric by its longer side (a t-interval on zeros and ones would claim certainty
/// after ten equal outcomes); `None` when no replication was judged.
fn not_recovered(samples: &[Sample]) -> Option<Estimate> {
    let judged: Vec<bool> = samples.iter().filter_map(Sample::not_recovered).collect();
    if judged.is_empty() {
        return None;
    }
    let failed = judged.iter().filter(|&&f| f).count();
    let (low, high) = wilson_interval(failed, judged.len());
    let mean = failed as f64 / judged.len() as f64;
    Some(Estimate {
        mean,
        half_width: (mean - low).max(high - mean),
        n: judged.len(),
        confidence: CONFIDENCE,
    })
}

/// What an interval says about one SLO.
fn check(slo: &Slo, estimate: Option<Estimate>) -> Check {
    let verdict = match estimate {
        None => Verdict::Fails,
        Some(e) => {
            let (good, bad) = if slo.comparison.upper_bound() {
                (e.mean + e.half_width, e.mean - e.half_width)
            } else {
                (e.mean - e.half_width, e.mean + e.half_width)
            };
            if slo.comparison.holds(good, slo.threshold) {
                Verdict::Meets
            } else if !slo.comparison.holds(bad, slo.threshold) {
                Verdict::Fails
            } else {
                Verdict::Undecided
            }
        }
    };
    Check { estimate, verdict }
}

/// Meets when every SLO meets; fails when one fails.
fn overall(checks: &[Check]) -> Verdict {
    if checks.iter().any(|c| c.verdict == Verdict::Fails) {
        Verdict::Fails
    } else if checks.iter().all(|c| c.verdict == Verdict::Meets) {
        Verdict::Meets
    } else {
        Verdict::Undecided
    }
}

/// The first candidate the pre-run checks accept (the last when none is).
fn first_stable(candidates: &[System]) -> usize {
    (candidates.iter())
        .position(|c| check_stable(c).is_ok())
        .unwrap_or(candidates.len().saturating_sub(1))
}

/// The first candidate at which no service is offered as much as it can serve (the
/// stability bound, which bounded queues have too); the last when there is none.
fn first_unsaturated(candidates: &[System]) -> usize {
    (candidates.iter())
        .position(|c| check_stable(c).is_ok() && c.traffic().iter().all(|f| f.load() < 1.0))
        .unwrap_or(candidates.len().saturating_sub(1))
}

/// The exact value of an SLO's figure in `system`, where a closed form gives it: the
/// service figures of a textbook station, and a source's when it calls one plain station.
fn exact(system: &System, slo: &Slo) -> Option<f64> {
    let service = match slo.scope {
        Scope::System => return None,
        Scope::Service => system
            .services()
            .iter()
            .position(|s| s.name == slo.component)?,
        Scope::Source => {
            let source = system.sources().iter().find(|s| s.name == slo.component)?;
            let plain = source.client.timeout.is_none()
                && source.client.retry.max_attempts.get() == 1
                && system.sources().len() == 1;
            let target = source.target.index();
            let single = system.services().len() == 1;
            (plain && single).then_some(target)?
        }
    };
    let figures = oracle::expected(system, ServiceId(service as u32))?;
    Some(match (slo.scope, slo.figure) {
        (Scope::Service, Figure::Utilisation) => figures.utilisation,
        (Scope::Service, Figure::WaitMean) => figures.wq,
        (Scope::Service, Figure::WaitProbability) => figures.p_wait,
        (Scope::Service, Figure::SojournMean) => figures.w,
        (Scope::Service, Figure::InService) => figures.l,
        (Scope::Service, Figure::WaitOver(t)) => figures.wait_over(t.as_secs_f64())?,
        (Scope::Source, Figure::LatencyMean) => figures.w,
        (Scope::Source, Figure::RejectedFraction) => figures.p_block,
        _ => return None,
    })
}

/// The smallest candidate that exact theory says meets every SLO it can speak for (a
/// lower bound on the answer when the theory is exact); `None` when theory speaks for no
/// SLO, or says that no candidate meets them.
fn theory_seed(candidates: &[System], slos: &[Slo]) -> Option<usize> {
    let predicted = |system: &System| {
        let known: Vec<bool> = (slos.iter())
            .filter_map(|slo| Some(slo.comparison.holds(exact(system, slo)?, slo.threshold)))
            .collect();
        !known.is_empty() && known.iter().all(|ok| *ok)
    };
    (candidates.iter()).position(|system| check_stable(system).is_ok() && predicted(system))
}

/// SLOs that no candidate can meet, where a bound proves it without running anything.
fn infeasible(candidates: &[System], slos: &[Slo]) -> Vec<Infeasible> {
    let (Some(first), Some(last)) = (candidates.first(), candidates.last()) else {
        return Vec::new();
    };
    (slos.iter().enumerate())
        .filter_map(|(i, slo)| {
            let reason = latency_floor(first, last, slo).or_else(|| overload(last, slo))?;
            Some(Infeasible { slo: i, reason })
        })
        .collect()
}

/// The quantile a latency figure stands for.
fn latency_quantile(figure: Figure) -> Option<f64> {
    match figure {
        Figure::LatencyP50 => Some(0.5),
        Figure::LatencyP90 => Some(0.9),
        Figure::LatencyP99 => Some(0.99),
        Figure::LatencyP999 => Some(0.999),
        _ => None,
    }
}

/// A response time can never beat the work of the first service every request is served
/// by: when a source never times out, each successful request spends at least its first
/// work step there, so its p-quantile is at least that step's.
fn latency_floor(first: &System, last: &System, slo: &Slo) -> Option<Bound> {
    if slo.scope != Scope::Source || !slo.comparison.upper_bound() {
        return None;
    }
    let work = |system: &System| {
        let source = system.sources().iter().find(|s| s.name == slo.component)?;
        if source.client.timeout.is_some() {
            return None;
        }
        let service = system.service(source.target);
        if !service.schedule.is_empty() {
            return None; // A slowdown below 1 makes the work faster.
        }
        let step = service.steps.iter().find_map(|s| match s {
            Step::Work(dist) => Some(dist.clone()),
            _ => None,
        })?;
        Some((service.name.clone(), step))
    };
    let (service, dist) = work(first)?;
    if work(last).map(|w| w.1) != Some(dist.clone()) {
        return None; // The knob changes the work itself.
    }
    let floor = match slo.figure {
        Figure::LatencyMean => dist.mean(),
        figure => dist.quantile(latency_quantile(figure)?)?,
    };
    let finite = floor.is_finite();
    (finite && !slo.comparison.holds(floor, slo.threshold))
        .then_some(Bound::WorkFloor { service, floor })
}

/// At the largest candidate, a bounded service offered more than it can serve rejects at
/// least 1 − capacity/arrivals of its work; a source without retries sees that share.
fn overload(last: &System, slo: &Slo) -> Option<Bound> {
    if slo.scope != Scope::Source || slo.figure != Figure::RejectedFraction {
        return None;
    }
    let source = last.sources().iter().find(|s| s.name == slo.component)?;
    let service = source.target.index();
    // The traffic equations give the long-run rate: the bound holds for constant arrivals
    // and capacity, and for a client that neither retries nor gives up (a timeout turns
    // rejections into timeouts).
    let constant = matches!(source.arrivals, Arrivals::Poisson(_) | Arrivals::Renewal(_))
        && last.services()[service].schedule.is_empty();
    let plain = source.client.retry.max_attempts.get() == 1 && source.client.timeout.is_none();
    if !(constant && plain && slo.comparison.upper_bound()) {
        return None;
    }
    let flow = last.traffic()[service];
    let rejected = 1.0 - flow.capacity / flow.arrival;
    (flow.load() > 1.0 && !slo.comparison.holds(rejected, slo.threshold)).then(|| Bound::Overload {
        service: last.services()[service].name.clone(),
        load: flow.load(),
        rejected,
    })
}
