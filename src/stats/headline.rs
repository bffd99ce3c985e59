//! Headline figures across replications, each with its confidence interval, and paired
//! differences between two designs run on common random numbers.

use super::estimate::Estimate;
use super::latency::LatencySummary;
use super::recovery::{Recovery, RecoveryVerdict};
use super::summary::{Over, RunSummary};
use crate::model::{SimDuration, System};

/// Confidence level of every interval in reports.
pub const CONFIDENCE: f64 = 0.95;

/// What a headline figure measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Figure {
    /// Mean end-to-end latency of a source's completed requests.
    LatencyMean,
    /// Median end-to-end latency.
    LatencyP50,
    /// 90th percentile end-to-end latency.
    LatencyP90,
    /// 99th percentile end-to-end latency.
    LatencyP99,
    /// 99.9th percentile end-to-end latency.
    LatencyP999,
    /// Mean time until all of a request's work is done: its response, or, for requests
    /// that publish messages, the processing of its last message. Compares a synchronous
    /// design (work inside the response) with an asynchronous one (work after it).
    CompletionMean,
    /// Completed requests per second.
    Goodput,
    /// Share of a source's answered requests that succeeded (first try or after retries).
    SuccessFraction,
    /// Share of a source's answered requests whose final outcome was a rejection.
    RejectedFraction,
    /// Share of a source's answered requests whose final outcome was a timeout.
    TimedOutFraction,
    /// Share of a source's answered requests that succeeded at the first attempt.
    FirstTryFraction,
    /// Share of a source's answered requests that succeeded after one or more retries.
    AfterRetriesFraction,
    /// Share of a source's answered requests whose final outcome was an error.
    FailedFraction,
    /// Attempts per request (retry amplification).
    Amplification,
    /// Mean fraction of a service's workers busy.
    Utilisation,
    /// Time-average number in a service (L).
    InService,
    /// Mean waiting time before service (Wq).
    WaitMean,
    /// The fraction of work that waited before service.
    WaitProbability,
    /// Mean time in a service (W).
    SojournMean,
    /// 99th percentile time in a service.
    SojournP99,
    /// Work done for callers that had already given up, in worker-seconds per second: the
    /// number of a service's workers busy, on average, with abandoned work.
    WastedWork,
    /// Share of a source's answered requests not answered successfully within a threshold
    /// of the scenario's `thresholds`.
    OverThreshold(SimDuration),
    /// Share of a service's work started that waited longer than a threshold.
    WaitOver(SimDuration),
    /// Share of a service's completed work that spent longer than a threshold in it.
    SojournOver(SimDuration),
    /// Workers that crashed during the measured period, per run.
    Crashes,
    /// Crashed workers that came back, per run.
    Restarts,
    /// Work lost with crashed workers or a lost queue, per run.
    LostWork,
    /// Work refused while the service was down with its queue lost or cut off by a
    /// partition that refuses, per run.
    Refused,
    /// Time-average share of a service's configured workers that were up.
    WorkersUp,
    /// Share of the measured time with at least one of a service's workers down.
    Degraded,
    /// An autoscaler's scale-out decisions, per run.
    ScaleOuts,
    /// An autoscaler's scale-in decisions, per run.
    ScaleIns,
    /// Time-average workers configured at an autoscaled service.
    WorkersMean,
    /// Fewest workers configured at an autoscaled service during a run.
    WorkersMin,
    /// Most workers configured at an autoscaled service during a run.
    WorkersMax,
    /// Messages a broker's queue accepted, per run.
    Published,
    /// Deliveries of a message after its first, per run.
    Redelivered,
    /// Processings of a message after its first (duplicates), per run.
    Duplicates,
    /// Deliveries after the first that idempotent consumers recognised, per run.
    Deduplicated,
    /// Messages lost with a crashed consumer, per run.
    MessagesLost,
    /// Messages the broker lost (in its crash, or with a lost queue), per run.
    MessagesLostByBroker,
    /// Messages a full queue discarded to make room, per run.
    MessagesDropped,
    /// Messages moved to the dead-letter queue, per run.
    DeadLettered,
    /// Visibility timeouts that lapsed before the message was deleted, per run.
    Expired,
    /// Receives that paid the paging time of a broker beyond its memory, per run.
    Paged,
    /// Mean age of a message (since its queue accepted it) when first delivered.
    AgeAtStartMean,
    /// 99th percentile of a message's age when first delivered.
    AgeAtStartP99,
    /// Mean age of a message when completed: from publish to acknowledgement or deletion.
    AgeAtEndMean,
    /// 99th percentile of a message's age when completed.
    AgeAtEndP99,
    /// Messages still in the broker when the run ended.
    Pending,
    /// Share of the replications judged (and of those a limit stopped) whose goodput did
    /// not come back after the scenario's trigger: the system's, for capacity plans that
    /// look for the metastability boundary; runs report it in their recovery section.
    NotRecovered,
}

/// How a figure's values read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// Seconds (durations).
    Seconds,
    /// Per second (rates).
    PerSecond,
    /// A fraction in [0, 1], shown as a percentage.
    Fraction,
    /// A plain number (counts, time averages of counts).
    Number,
}

impl Figure {
    /// Figures reported per source.
    pub const SOURCE: [Figure; 14] = [
        Figure::LatencyMean,
        Figure::LatencyP50,
        Figure::LatencyP90,
        Figure::LatencyP99,
        Figure::LatencyP999,
        Figure::CompletionMean,
        Figure::Goodput,
        Figure::SuccessFraction,
        Figure::RejectedFraction,
        Figure::TimedOutFraction,
        Figure::FirstTryFraction,
        Figure::AfterRetriesFraction,
        Figure::FailedFraction,
        Figure::Amplification,
    ];
    /// Figures reported per service.
    pub const SERVICE: [Figure; 7] = [
        Figure::Utilisation,
        Figure::InService,
        Figure::WaitMean,
        Figure::WaitProbability,
        Figure::SojournMean,
        Figure::SojournP99,
        Figure::WastedWork,
    ];
    /// The breakdown of what became of requests and of work: reports show these in a
    /// table of their own, when anything retried, timed out, failed or was wasted.
    pub const OUTCOMES: [Figure; 7] = [
        Figure::FirstTryFraction,
        Figure::AfterRetriesFraction,
        Figure::RejectedFraction,
        Figure::TimedOutFraction,
        Figure::FailedFraction,
        Figure::Amplification,
        Figure::WastedWork,
    ];

    /// What faults did at a service that can fail: reports show these in a table of
    /// their own, and only services that can fail have them.
    pub const FAULTS: [Figure; 6] = [
        Figure::Crashes,
        Figure::Restarts,
        Figure::LostWork,
        Figure::Refused,
        Figure::WorkersUp,
        Figure::Degraded,
    ];

    /// What an autoscaler did: reports show these in a table of their own, and only
    /// autoscaled services have them.
    pub const SCALING: [Figure; 5] = [
        Figure::ScaleOuts,
        Figure::ScaleIns,
        Figure::WorkersMean,
        Figure::WorkersMin,
        Figure::WorkersMax,
    ];

    /// What happened to the messages of a broker's queue: reports show these in a table
    /// of their own, and only services whose queue has a delivery guarantee have them.
    pub const MESSAGES: [Figure; 15] = [
        Figure::Published,
        Figure::Redelivered,
        Figure::Duplicates,
        Figure::Deduplicated,
        Figure::MessagesLost,
        Figure::MessagesLostByBroker,
        Figure::MessagesDropped,
        Figure::DeadLettered,
        Figure::Expired,
        Figure::Paged,
        Figure::Pending,
        Figure::AgeAtStartMean,
        Figure::AgeAtStartP99,
        Figure::AgeAtEndMean,
        Figure::AgeAtEndP99,
    ];

    /// A short human label ("p99 response time", "not ok within 300 ms").
    pub fn label(self) -> String {
        let fixed = match self {
            Figure::OverThreshold(t) => return format!("not ok within {t}"),
            Figure::WaitOver(t) => return format!("waited over {t}"),
            Figure::SojournOver(t) => return format!("at the service over {t}"),
            Figure::NotRecovered => "did not recover",
            Figure::LatencyMean => "mean response time",
            Figure::LatencyP50 => "p50 response time",
            Figure::LatencyP90 => "p90 response time",
            Figure::LatencyP99 => "p99 response time",
            Figure::LatencyP999 => "p99.9 response time",
            Figure::CompletionMean => "mean completion of all work",
            Figure::Goodput => "goodput",
            Figure::SuccessFraction => "succeeded",
            Figure::RejectedFraction => "rejected",
            Figure::TimedOutFraction => "timed out",
            Figure::FirstTryFraction => "ok at first try",
            Figure::AfterRetriesFraction => "ok after retries",
            Figure::FailedFraction => "failed",
            Figure::Amplification => "attempts per request",
            Figure::WastedWork => "workers busy with abandoned work",
            Figure::Utilisation => "utilisation",
            Figure::InService => "L (number at the service)",
            Figure::WaitMean => "mean wait (Wq)",
            Figure::WaitProbability => "P(wait)",
            Figure::SojournMean => "mean time at the service (W)",
            Figure::SojournP99 => "p99 time at the service",
            Figure::Crashes => "worker crashes",
            Figure::Restarts => "worker restarts",
            Figure::LostWork => "work lost in crashes",
            Figure::Refused => "work refused (down or cut off)",
            Figure::WorkersUp => "workers up",
            Figure::Degraded => "time with a worker down",
            Figure::ScaleOuts => "scale-outs",
            Figure::ScaleIns => "scale-ins",
            Figure::WorkersMean => "mean workers",
            Figure::WorkersMin => "fewest workers",
            Figure::WorkersMax => "most workers",
            Figure::Published => "messages published",
            Figure::Redelivered => "redeliveries",
            Figure::Duplicates => "duplicate processings",
            Figure::Deduplicated => "duplicates recognised",
            Figure::MessagesLost => "messages lost with a consumer",
            Figure::MessagesLostByBroker => "messages lost by the broker",
            Figure::MessagesDropped => "messages dropped by overflow",
            Figure::DeadLettered => "messages dead-lettered",
            Figure::Expired => "visibility timeouts lapsed",
            Figure::Paged => "receives paged (beyond the broker's memory)",
            Figure::AgeAtStartMean => "mean message age at first delivery",
            Figure::AgeAtStartP99 => "p99 message age at first delivery",
            Figure::AgeAtEndMean => "mean message age at completion",
            Figure::AgeAtEndP99 => "p99 message age at completion",
            Figure::Pending => "messages pending at the end",
        };
        fixed.to_string()
    }

    /// A stable machine key ("latency_p99").
    pub fn key(self) -> &'static str {
        match self {
            Figure::LatencyMean => "latency_mean",
            Figure::LatencyP50 => "latency_p50",
            Figure::LatencyP90 => "latency_p90",
            Figure::LatencyP99 => "latency_p99",
            Figure::LatencyP999 => "latency_p999",
            Figure::CompletionMean => "completion_mean",
            Figure::Goodput => "goodput",
            Figure::SuccessFraction => "success_fraction",
            Figure::RejectedFraction => "rejected_fraction",
            Figure::TimedOutFraction => "timed_out_fraction",
            Figure::FirstTryFraction => "first_try_fraction",
            Figure::AfterRetriesFraction => "after_retries_fraction",
            Figure::FailedFraction => "failed_fraction",
            Figure::Amplification => "amplification",
            Figure::WastedWork => "wasted_work",
            Figure::Utilisation => "utilisation",
            Figure::InService => "l",
            Figure::WaitMean => "wait_mean",
            Figure::WaitProbability => "wait_probability",
            Figure::SojournMean => "sojourn_mean",
            Figure::SojournP99 => "sojourn_p99",
            Figure::OverThreshold(_) => "over_threshold",
            Figure::WaitOver(_) => "wait_over",
            Figure::SojournOver(_) => "sojourn_over",
            Figure::NotRecovered => "not_recovered",
            Figure::Crashes => "crashes",
            Figure::Restarts => "restarts",
            Figure::LostWork => "lost",
            Figure::Refused => "refused",
            Figure::WorkersUp => "workers_up",
            Figure::Degraded => "degraded",
            Figure::ScaleOuts => "scale_outs",
            Figure::ScaleIns => "scale_ins",
            Figure::WorkersMean => "workers_mean",
            Figure::WorkersMin => "workers_min",
            Figure::WorkersMax => "workers_max",
            Figure::Published => "published",
            Figure::Redelivered => "redelivered",
            Figure::Duplicates => "duplicates",
            Figure::Deduplicated => "deduplicated",
            Figure::MessagesLost => "messages_lost",
            Figure::MessagesLostByBroker => "messages_lost_by_broker",
            Figure::MessagesDropped => "messages_dropped",
            Figure::DeadLettered => "dead_lettered",
            Figure::Expired => "expired",
            Figure::Paged => "paged",
            Figure::AgeAtStartMean => "age_at_start_mean",
            Figure::AgeAtStartP99 => "age_at_start_p99",
            Figure::AgeAtEndMean => "age_at_end_mean",
            Figure::AgeAtEndP99 => "age_at_end_p99",
            Figure::Pending => "pending",
        }
    }

    /// The figure's unit.
    pub fn unit(self) -> Unit {
        match self {
            Figure::LatencyMean
            | Figure::LatencyP50
            | Figure::LatencyP90
            | Figure::LatencyP99
            | Figure::LatencyP999
            | Figure::CompletionMean
            | Figure::WaitMean
            | Figure::SojournMean
            | Figure::SojournP99
            | Figure::AgeAtStartMean
            | Figure::AgeAtStartP99
            | Figure::AgeAtEndMean
            | Figure::AgeAtEndP99 => Unit::Seconds,
            Figure::Goodput => Unit::PerSecond,
            Figure::SuccessFraction
            | Figure::RejectedFraction
            | Figure::TimedOutFraction
            | Figure::FirstTryFraction
            | Figure::AfterRetriesFraction
            | Figure::FailedFraction
            | Figure::WaitProbability
            | Figure::OverThreshold(_)
            | Figure::WaitOver(_)
            | Figure::SojournOver(_)
            | Figure::NotRecovered
            | Figure::WorkersUp
            | Figure::Degraded
            | Figure::Utilisation => Unit::Fraction,
            Figure::InService
            | Figure::Amplification
            | Figure::WastedWork
            | Figure::Crashes
            | Figure::Restarts
            | Figure::LostWork
            | Figure::Refused
            | Figure::ScaleOuts
            | Figure::ScaleIns
            | Figure::WorkersMean
            | Figure::WorkersMin
            | Figure::WorkersMax
            | Figure::Published
            | Figure::Redelivered
            | Figure::Duplicates
            | Figure::Deduplicated
            | Figure::MessagesLost
            | Figure::MessagesLostByBroker
            | Figure::MessagesDropped
            | Figure::DeadLettered
            | Figure::Expired
            | Figure::Paged
            | Figure::Pending => Unit::Number,
        }
    }

    /// Whether a smaller value is the better one (goodput and success are the exceptions).
    pub fn lower_is_better(self) -> bool {
        !matches!(
            self,
            Figure::Goodput
                | Figure::SuccessFraction
                | Figure::FirstTryFraction
                | Figure::WorkersUp
                | Figure::Published
        )
    }

    /// The threshold a figure is measured against, if it is one of those.
    pub fn threshold(self) -> Option<SimDuration> {
        match self {
            Figure::OverThreshold(t) | Figure::WaitOver(t) | Figure::SojournOver(t) => Some(t),
            _ => None,
        }
    }

    /// Why a run may have no value of this figure: latencies need observations, rates and
    /// fractions always exist.
    pub fn missing_reason(self) -> &'static str {
        match self {
            Figure::LatencyMean
            | Figure::LatencyP50
            | Figure::LatencyP90
            | Figure::LatencyP99
            | Figure::LatencyP999 => "no successful requests",
            Figure::CompletionMean => "no completed work",
            Figure::WaitMean | Figure::WaitProbability | Figure::WaitOver(_) => "no work started",
            Figure::SojournMean | Figure::SojournP99 | Figure::SojournOver(_) => {
                "no work completed"
            }
            Figure::NotRecovered => "no replication's recovery was judged",
            Figure::AgeAtStartMean | Figure::AgeAtStartP99 => "no message delivered",
            Figure::AgeAtEndMean | Figure::AgeAtEndP99 => "no message completed",
            _ => "no requests answered",
        }
    }
}

/// Whether a figure belongs to a source or a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    /// End to end, per source.
    Source,
    /// Per service.
    Service,
    /// The whole system (only [`Figure::NotRecovered`]).
    System,
}

impl Scope {
    /// A stable machine key ("source").
    pub fn key(self) -> &'static str {
        match self {
            Scope::Source => "source",
            Scope::Service => "service",
            Scope::System => "system",
        }
    }
}

/// One figure of one component, across replications.
#[derive(Clone, Debug, PartialEq)]
pub struct Headline {
    /// Source or service.
    pub scope: Scope,
    /// The component's name.
    pub component: String,
    /// What is measured.
    pub figure: Figure,
    /// Mean and interval over the replications that observed it (`n` of them); `None`
    /// when none did (for example no request succeeded, so there is no response time).
    pub estimate: Option<Estimate>,
}

/// A figure of design B minus the same figure of design A, paired by replication.
#[derive(Clone, Debug, PartialEq)]
pub struct Difference {
    /// Source or service.
    pub scope: Scope,
    /// The component's name (present in both designs).
    pub component: String,
    /// What is measured.
    pub figure: Figure,
    /// Design A's estimate; `None` when no replication of A observed the figure.
    pub a: Option<Estimate>,
    /// Design B's estimate.
    pub b: Option<Estimate>,
    /// B − A, with the interval of the mean of paired differences, over the replications
    /// in which both designs observed the figure; `None` when there are none.
    pub difference: Option<Estimate>,
}

/// The value of `figure` for component `index` in one run; `None` when the run has no
/// observation of it (a latency without a single sample).
fn value(run: &RunSummary, scope: Scope, index: usize, figure: Figure) -> Option<f64> {
    let observed = |l: &LatencySummary, x: f64| (l.count > 0).then_some(x);
    match scope {
        Scope::Source => {
            let s = &run.sources[index];
            match figure {
                Figure::LatencyMean => observed(&s.latency, s.latency.mean),
                Figure::LatencyP50 => observed(&s.latency, s.latency.p50),
                Figure::LatencyP90 => observed(&s.latency, s.latency.p90),
                Figure::LatencyP99 => observed(&s.latency, s.latency.p99),
                Figure::LatencyP999 => observed(&s.latency, s.latency.p999),
                Figure::CompletionMean if s.async_latency.count > 0 => Some(s.async_latency.mean),
                Figure::CompletionMean => observed(&s.latency, s.latency.mean),
                Figure::Goodput => Some(s.goodput),
                Figure::SuccessFraction => s.share(s.completed),
                Figure::RejectedFraction => s.share(s.rejected),
                Figure::TimedOutFraction => s.share(s.timed_out),
                Figure::FirstTryFraction => s.share(s.succeeded_first_try),
                Figure::AfterRetriesFraction => s.share(s.succeeded_after_retries),
                Figure::FailedFraction => s.share(s.failed),
                Figure::Amplification => (s.answered() > 0).then_some(s.amplification),
                Figure::OverThreshold(t) => share_over(&s.over, t),
                _ => None,
            }
        }
        Scope::Service => {
            let s = &run.services[index];
            match figure {
                Figure::Utilisation => Some(s.utilisation),
                Figure::InService => Some(s.l),
                Figure::WaitMean => observed(&s.wait, s.wait.mean),
                Figure::WaitProbability => s.wait_probability,
                Figure::SojournMean => observed(&s.sojourn, s.sojourn.mean),
                Figure::SojournP99 => observed(&s.sojourn, s.sojourn.p99),
                Figure::WaitOver(t) => share_over(&s.wait_over, t),
                Figure::SojournOver(t) => share_over(&s.sojourn_over, t),
                Figure::WastedWork => {
                    (run.measured_secs > 0.0).then(|| s.wasted_secs / run.measured_secs)
                }
                Figure::Crashes => s.faults.map(|f| f.crashes as f64),
                Figure::Restarts => s.faults.map(|f| f.restarts as f64),
                Figure::LostWork => s.faults.map(|f| f.lost as f64),
                Figure::Refused => s.faults.map(|f| f.refused as f64),
                Figure::WorkersUp => s.faults.map(|f| f.up_fraction),
                Figure::Degraded => s.faults.map(|f| f.degraded_fraction),
                Figure::ScaleOuts => s.autoscale.map(|a| a.scale_outs as f64),
                Figure::ScaleIns => s.autoscale.map(|a| a.scale_ins as f64),
                Figure::WorkersMean => s.autoscale.map(|a| a.workers_mean),
                Figure::WorkersMin => s.autoscale.map(|a| f64::from(a.workers_min)),
                Figure::WorkersMax => s.autoscale.map(|a| f64::from(a.workers_max)),
                Figure::Published => s.messages.map(|m| m.published as f64),
                Figure::Redelivered => s.messages.map(|m| m.redelivered as f64),
                Figure::Duplicates => s.messages.map(|m| m.duplicates as f64),
                Figure::Deduplicated => s.messages.map(|m| m.deduplicated as f64),
                Figure::MessagesLost => s.messages.map(|m| m.lost as f64),
                Figure::MessagesLostByBroker => s.messages.map(|m| m.lost_by_broker as f64),
                Figure::MessagesDropped => s.messages.map(|m| m.dropped as f64),
                Figure::DeadLettered => s.messages.map(|m| m.dead_lettered as f64),
                Figure::Expired => s.messages.map(|m| m.expired as f64),
                Figure::Paged => s.messages.map(|m| m.paged as f64),
                Figure::AgeAtStartMean => {
                    (s.messages).and_then(|m| observed(&m.age_at_start, m.age_at_start.mean))
                }
                Figure::AgeAtStartP99 => {
                    (s.messages).and_then(|m| observed(&m.age_at_start, m.age_at_start.p99))
                }
                Figure::AgeAtEndMean => {
                    (s.messages).and_then(|m| observed(&m.age_at_end, m.age_at_end.mean))
                }
                Figure::AgeAtEndP99 => {
                    (s.messages).and_then(|m| observed(&m.age_at_end, m.age_at_end.p99))
                }
                Figure::Pending => s.messages.map(|m| m.pending as f64),
                _ => None,
            }
        }
        Scope::System => None,
    }
}

fn share_over(over: &[Over], threshold: SimDuration) -> Option<f64> {
    over.iter()
        .find(|o| o.threshold == threshold)
        .and_then(|o| o.fraction)
}

/// The interval of the observed values, or `None` when there are none.
fn estimate(samples: &[f64]) -> Option<Estimate> {
    (!samples.is_empty()).then(|| Estimate::from_samples(samples, CONFIDENCE))
}

/// One headline figure of one component: a column of a [`Sample`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// Source or service.
    pub scope: Scope,
    /// The component's index among the sources or services.
    pub index: usize,
    /// The component's name.
    pub component: String,
    /// What is measured.
    pub figure: Figure,
}

/// Every headline figure of `system`, in report order: per source, then per service, the
/// fixed figures and then one per threshold of the scenario.
pub fn keys(system: &System) -> Vec<Key> {
    let names = |list: Vec<&str>| list.into_iter().map(str::to_string).collect::<Vec<_>>();
    let services = (system.services().iter())
        .map(|s| Kinds {
            name: s.name.clone(),
            can_fail: s.can_fail(),
            autoscaled: s.autoscale.is_some(),
            broker: s.queue.delivery.is_some(),
        })
        .collect::<Vec<_>>();
    layout(
        &names(system.sources().iter().map(|s| s.name.as_str()).collect()),
        &services,
        &system.simulation().thresholds,
    )
}

/// The keys of a run's figures; the same as [`keys`] of the system that was run.
fn run_keys(run: &RunSummary) -> Vec<Key> {
    let thresholds: Vec<SimDuration> = (run.sources.first())
        .map(|s| s.over.iter().map(|o| o.threshold).collect())
        .unwrap_or_default();
    layout(
        &run.sources
            .iter()
            .map(|s| s.name.clone())
            .collect::<Vec<_>>(),
        &run.services
            .iter()
            .map(|s| Kinds {
                name: s.name.clone(),
                can_fail: s.faults.is_some(),
                autoscaled: s.autoscale.is_some(),
                broker: s.messages.is_some(),
            })
            .collect::<Vec<_>>(),
        &thresholds,
    )
}

/// A service by name, with what adds figures to it: failing (the faults), autoscaling (the
/// scaling figures) and a broker's queue (the message figures).
struct Kinds {
    name: String,
    can_fail: bool,
    autoscaled: bool,
    broker: bool,
}

/// Sources by name, and services with their kinds.
fn layout(sources: &[String], services: &[Kinds], thresholds: &[SimDuration]) -> Vec<Key> {
    let key = |scope, index, component: &String, figure| Key {
        scope,
        index,
        component: component.clone(),
        figure,
    };
    let over = thresholds.iter().map(|&t| Figure::OverThreshold(t));
    let waits = thresholds.iter().map(|&t| Figure::WaitOver(t));
    let sojourns = thresholds.iter().map(|&t| Figure::SojournOver(t));
    let source_figures: Vec<Figure> = Figure::SOURCE.into_iter().chain(over).collect();
    let service_figures: Vec<Figure> =
        (Figure::SERVICE.into_iter().chain(waits).chain(sojourns)).collect();
    let per = |scope, names: &[String], figures: &[Figure]| {
        (names.iter().enumerate())
            .flat_map(|(i, name)| figures.iter().map(move |&f| key(scope, i, name, f)))
            .collect::<Vec<_>>()
    };
    let mut all = per(Scope::Source, sources, &source_figures);
    for (i, s) in services.iter().enumerate() {
        let faults = Figure::FAULTS.iter().filter(|_| s.can_fail);
        let scaling = Figure::SCALING.iter().filter(|_| s.autoscaled);
        let messages = Figure::MESSAGES.iter().filter(|_| s.broker);
        let figures = service_figures
            .iter()
            .chain(faults)
            .chain(scaling)
            .chain(messages);
        all.extend(figures.map(|&f| key(Scope::Service, i, &s.name, f)));
    }
    all
}

/// One replication reduced to numbers: what a sweep keeps of each run, enough to give
/// every headline interval, Little's law and the recovery verdict of a point.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    /// The value of each [`keys`] figure, in that order; `None` where the run had no
    /// observation.
    pub values: Vec<Option<f64>>,
    /// Little's law's relative gap per service, then for the whole system.
    pub little: Vec<f64>,
    /// The recovery verdict, when the scenario has a trigger and it could be judged.
    pub recovery: Option<Recovery>,
    /// The kind of limit that stopped the run (`RunError::kind`), if one did.
    pub stopped: Option<String>,
}

impl Sample {
    /// The numbers of `run`.
    pub fn of(run: &RunSummary) -> Sample {
        Sample {
            values: (run_keys(run).iter())
                .map(|k| value(run, k.scope, k.index, k.figure))
                .collect(),
            little: (run.little_checks().iter())
                .map(|(_, c)| c.relative_error)
                .collect(),
            recovery: run.system.recovery,
            stopped: run.stopped.as_ref().map(|e| e.kind().to_string()),
        }
    }
}

impl Sample {
    /// Whether the run did not recover after the trigger (a run a limit stopped after the
    /// trigger started did not); `None` when its recovery was not judged (no trigger, too
    /// little time, no healthy baseline, or nothing measured).
    pub fn not_recovered(&self) -> Option<bool> {
        // A run a limit stopped after the trigger started has the verdict "not recovered"
        // from the recorder already; one stopped before measuring anything is not judged,
        // as `RecoveryAcross` counts them.
        match self.recovery?.verdict {
            RecoveryVerdict::Recovered { .. } => Some(false),
            RecoveryVerdict::NotRecovered => Some(true),
            RecoveryVerdict::NoHealthyBaseline => None,
        }
    }

    /// A run that failed before measuring anything (a limit tripped in the warm-up): no
    /// values, and the limit as what stopped it.
    pub fn failed(columns: usize, error: &crate::sim::RunError) -> Sample {
        Sample {
            values: vec![None; columns],
            little: Vec::new(),
            recovery: None,
            stopped: Some(error.kind().to_string()),
        }
    }
}

/// The interval of column `column` over `samples`, from those that observed it.
pub fn column_estimate<'s>(
    samples: impl IntoIterator<Item = &'s Sample>,
    column: usize,
) -> Option<Estimate> {
    let values: Vec<f64> = samples
        .into_iter()
        .filter_map(|s| s.values[column])
        .collect();
    estimate(&values)
}

/// The headline figures of a set of replications of one system, in report order: per
/// source, then per service. Empty when `runs` is.
pub fn headlines(runs: &[RunSummary]) -> Vec<Headline> {
    let Some(first) = runs.first() else {
        return Vec::new();
    };
    let samples: Vec<Sample> = runs.iter().map(Sample::of).collect();
    (run_keys(first).into_iter().enumerate())
        .map(|(column, key)| Headline {
            scope: key.scope,
            component: key.component,
            figure: key.figure,
            estimate: column_estimate(&samples, column),
        })
        .collect()
}

/// B − A for every figure of a component that both designs have (matched by name), paired
/// replication by replication: replication i of both designs drew the same arrivals, so
/// the differences vary less than either design.
pub fn differences(a: &[RunSummary], b: &[RunSummary]) -> Vec<Difference> {
    let (Some(first_a), Some(first_b)) = (a.first(), b.first()) else {
        return Vec::new();
    };
    let pairs = a.len().min(b.len());
    let index_in_b = |scope: Scope, name: &str| match scope {
        Scope::Source => first_b.sources.iter().position(|s| s.name == name),
        Scope::Service => first_b.services.iter().position(|s| s.name == name),
        Scope::System => None,
    };
    run_keys(first_a)
        .into_iter()
        .filter_map(|key| {
            let (scope, ia, name, figure) =
                (key.scope, key.index, key.component.as_str(), key.figure);
            let ib = index_in_b(scope, name)?;
            let xs: Vec<Option<f64>> = a.iter().map(|r| value(r, scope, ia, figure)).collect();
            let ys: Vec<Option<f64>> = b.iter().map(|r| value(r, scope, ib, figure)).collect();
            let diffs: Vec<f64> = (0..pairs).filter_map(|k| Some(ys[k]? - xs[k]?)).collect();
            let observed =
                |v: &[Option<f64>]| estimate(&v.iter().flatten().copied().collect::<Vec<_>>());
            Some(Difference {
                scope,
                component: name.to_string(),
                figure,
                a: observed(&xs),
                b: observed(&ys),
                difference: estimate(&diffs),
            })
        })
        .collect()
}
