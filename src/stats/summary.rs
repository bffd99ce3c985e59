//! The figures of one run: plain numbers, ready for reports and comparisons.

use super::latency::LatencySummary;
use super::recovery::Recovery;
use crate::model::{SimDuration, System};
use crate::sim::RunError;

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
    /// The limit that stopped the run before its horizon, if one did: the figures then
    /// cover the measured time until it tripped.
    pub stopped: Option<RunError>,
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
    /// Its worker count at the end of the run.
    pub workers: u32,
    /// Work that reached it: client attempts, calls and messages.
    pub arrivals: u64,
    /// Work admitted (served at once or queued).
    pub admitted: u64,
    /// Work turned away by a full waiting room.
    pub rejected: u64,
    /// Work whose handling finished (successfully or not).
    pub completed: u64,
    /// Of the completed work, how much ended in an error (its own, a failed call or a
    /// refused publish).
    pub failed: u64,
    /// Work dropped unstarted: its caller had given up (`drop_expired`), or its full broker
    /// queue discarded it (`overflow`).
    pub dropped: u64,
    /// Attempts to this service that their callers gave up on.
    pub timeouts: u64,
    /// Seconds of work done for callers that had already given up.
    pub wasted_secs: f64,
    /// Arrivals per second.
    pub arrival_rate: f64,
    /// Completions per second.
    pub throughput: f64,
    /// rejected / arrivals.
    pub rejected_fraction: f64,
    /// Mean fraction of workers busy (of those present, when a schedule changes them).
    pub utilisation: f64,
    /// Time-average number in the service (waiting or served).
    pub l: f64,
    /// Time-average number waiting.
    pub lq: f64,
    /// Waiting time before service (Wq).
    pub wait: LatencySummary,
    /// The fraction of work started that had waited before service (Erlang C's P(wait) in
    /// an M/M/c queue); `None` when no work started.
    pub wait_probability: Option<f64>,
    /// Time in the service, waiting plus served (W).
    pub sojourn: LatencySummary,
    /// L against λW.
    pub little: LittleCheck,
    /// `Some` when the queue grew steadily through the measured period.
    pub queue_growth: Option<Growth>,
    /// Per scenario threshold: the share of work started that waited longer.
    pub wait_over: Vec<Over>,
    /// Per scenario threshold: the share of completed work that spent longer in the service.
    pub sojourn_over: Vec<Over>,
    /// What crashes and outages did, when the service can fail.
    pub faults: Option<FaultSummary>,
    /// What the autoscaler did, when the service has one.
    pub autoscale: Option<ScaleSummary>,
    /// What happened to its messages, when its queue is a broker's.
    pub messages: Option<MessageSummary>,
}

/// What happened to the messages of a broker's queue in the measured period. Every message
/// published ends once (completed, lost, dropped or dead-lettered) or is still pending at
/// the end: with no warm-up, `published = completed + lost + lost_by_broker + dropped +
/// dead_lettered + pending`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct MessageSummary {
    /// Accepted into the queue (those it turned away are the service's rejections).
    pub published: u64,
    /// First deliveries to a consumer.
    pub delivered: u64,
    /// Deliveries after the first: after a consumer crash, or a lapsed visibility timeout.
    pub redelivered: u64,
    /// Messages processed (the first processing of each).
    pub processed: u64,
    /// Processings after a message's first: duplicates.
    pub duplicates: u64,
    /// Deliveries after the first that idempotent consumers recognised, and did not
    /// process twice.
    pub deduplicated: u64,
    /// Acknowledged or deleted after processing.
    pub completed: u64,
    /// Lost with a consumer that crashed (at most once, or acknowledged early).
    pub lost: u64,
    /// Lost by the broker: waiting when it crashed and not kept (a transient queue, or at
    /// most once past the last sync), or in a queue lost with its service.
    pub lost_by_broker: u64,
    /// Discarded by the full queue to make room (lost by overflow).
    pub dropped: u64,
    /// Moved to the dead-letter queue after too many deliveries.
    pub dead_lettered: u64,
    /// Visibility timeouts that lapsed before the message was deleted.
    pub expired: u64,
    /// Receives that paid the paging time: more messages waited than the broker holds in
    /// memory (`memory_limit`).
    pub paged: u64,
    /// In the broker at the end of the run: waiting, held by consumers or hidden.
    pub pending: u64,
    /// Age (since its queue accepted it) of each message at its first delivery.
    pub age_at_start: LatencySummary,
    /// Age of each message at its completion: publish to acknowledgement or deletion.
    pub age_at_end: LatencySummary,
    /// Little's law on the broker's backlog: the time-average messages in the broker
    /// against messages published per second times the mean time from publish to end.
    pub little: LittleCheck,
}

/// What a service's autoscaler did in the measured period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ScaleSummary {
    /// Decisions that ordered workers.
    pub scale_outs: u64,
    /// Decisions that removed workers (or cancelled some still starting).
    pub scale_ins: u64,
    /// Fewest workers configured (up or down, not those still starting).
    pub workers_min: u32,
    /// Most workers configured.
    pub workers_max: u32,
    /// Time-average workers configured.
    pub workers_mean: f64,
}

/// What a service's faults did in the measured period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct FaultSummary {
    /// Workers that crashed (at random, by the schedule, or with the whole service).
    pub crashes: u64,
    /// Crashed workers that came back.
    pub restarts: u64,
    /// Work lost: held by a worker that crashed, or waiting in a queue lost with the
    /// service.
    pub lost: u64,
    /// Work refused while the service was down with its queue lost, or cut off by a
    /// partition that refuses.
    pub refused: u64,
    /// Time-average workers up over workers configured.
    pub up_fraction: f64,
    /// Share of the measured time with at least one configured worker down.
    pub degraded_fraction: f64,
}

/// The share of work beyond a threshold, e.g. of requests not answered successfully
/// within 300 ms.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Over {
    /// The threshold.
    pub threshold: SimDuration,
    /// The share; `None` when there was nothing to count.
    pub fraction: Option<f64>,
}

/// A level (a queue, the requests in flight) that grew steadily through the measured
/// period (the test is in `stats::trend`): the model was not in steady state.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Growth {
    /// Its time-average over the first tenth of the measured period.
    pub first: f64,
    /// Its time-average over the last tenth.
    pub last: f64,
}

/// Figures of one source's requests, end to end, as its client sees them.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSummary {
    /// Its name.
    pub name: String,
    /// Requests started.
    pub arrivals: u64,
    /// Attempts sent, retries included.
    pub attempts: u64,
    /// Retries sent (attempts beyond the first).
    pub retries: u64,
    /// Requests that succeeded (first try or after retries).
    pub completed: u64,
    /// Requests that succeeded on their first attempt.
    pub succeeded_first_try: u64,
    /// Requests that succeeded after one or more retries.
    pub succeeded_after_retries: u64,
    /// Requests whose final outcome was a rejection (HTTP 503).
    pub rejected: u64,
    /// Requests whose final outcome was a timeout.
    pub timed_out: u64,
    /// Requests whose final outcome was an error.
    pub failed: u64,
    /// Requests started per second.
    pub arrival_rate: f64,
    /// Attempts per second (the load the client offers, retries included).
    pub throughput: f64,
    /// Successful requests per second.
    pub goodput: f64,
    /// Attempts per request (retry amplification; 1 without retries).
    pub amplification: f64,
    /// Rejected requests over answered requests.
    pub rejected_fraction: f64,
    /// Latency of successful requests, from the first attempt to the answer.
    pub latency: LatencySummary,
    /// For requests that published messages: from the request's start until the last
    /// message it caused was processed.
    pub async_latency: LatencySummary,
    /// Per scenario threshold: the share of answered requests that did not succeed within
    /// it (a rejected, timed-out or failed request counts as over any threshold).
    pub over: Vec<Over>,
}

/// Where Little's law is checked in a run of `system`, in the order of
/// [`RunSummary::little_checks`]: each service, each broker queue's backlog, the whole
/// system.
pub fn little_places(system: &System) -> Vec<String> {
    let services = system.services().iter();
    let brokers = services.clone().filter(|s| s.queue.delivery.is_some());
    (services.map(|s| s.name.clone()))
        .chain(brokers.map(|s| broker_backlog(&s.name)))
        .chain(["whole system".to_string()])
        .collect()
}

/// The name of a broker queue's backlog among the places of Little's law.
fn broker_backlog(service: &str) -> String {
    format!("{service} (broker backlog)")
}

impl RunSummary {
    /// Little's law where it is checked, named as by [`little_places`].
    pub fn little_checks(&self) -> Vec<(String, LittleCheck)> {
        let services = self.services.iter();
        let brokers = (services.clone())
            .filter_map(|s| s.messages.map(|m| (broker_backlog(&s.name), m.little)));
        (services.map(|s| (s.name.clone(), s.little)))
            .chain(brokers)
            .chain([("whole system".to_string(), self.system.little)])
            .collect()
    }

    /// Whether no queue and not the requests in flight grew steadily through the run (also
    /// when the test could not be made: see `SystemSummary::steady_tested`).
    pub fn steady(&self) -> bool {
        self.system.in_flight_growth.is_none()
            && self.services.iter().all(|s| s.queue_growth.is_none())
    }
}

impl SourceSummary {
    /// Requests with a final outcome: succeeded, rejected, timed out or failed.
    pub fn answered(&self) -> u64 {
        self.completed + self.rejected + self.timed_out + self.failed
    }

    /// Share of answered requests that succeeded; `None` when none was answered.
    pub fn success_fraction(&self) -> Option<f64> {
        self.share(self.completed)
    }

    /// `count` as a share of answered requests; `None` when none was answered.
    pub fn share(&self, count: u64) -> Option<f64> {
        let answered = self.answered();
        (answered > 0).then(|| count as f64 / answered as f64)
    }
}

/// Figures of the whole system.
#[derive(Clone, Debug, PartialEq)]
pub struct SystemSummary {
    /// Client requests not yet answered at the end of the run.
    pub in_flight: u64,
    /// Client requests in progress (started, not yet answered) against λW.
    pub little: LittleCheck,
    /// `Some` when the client requests in flight grew steadily through the measured period.
    pub in_flight_growth: Option<Growth>,
    /// Whether the steady-state test could be made: every tenth of the measured period was
    /// measured (not with a request-count horizon, nor in a run a limit stopped).
    pub steady_tested: bool,
    /// Whether goodput came back after the scenario's triggers, when it has any.
    pub recovery: Option<Recovery>,
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
