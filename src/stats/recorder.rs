//! The observer that measures a run: counters, time-weighted levels and latency histograms.

use super::latency::Latency;
use super::level::Level;
use super::recovery::{self, Backlog, WindowCounts};
use super::summary::{
    FaultSummary, Growth, LittleCheck, MessageSummary, Over, RunSummary, ScaleSummary,
    ServiceSummary, SourceSummary, SystemSummary,
};
use super::trend::Trend;
use crate::model::{Horizon, ServiceId, SimDuration, SimTime, SourceId, System};
use crate::sim::{MessageEvent, Observer, Outcome, RunOutcome};

/// Measures one run in memory that does not grow with its length.
#[derive(Clone, Debug)]
pub struct Recorder {
    services: Vec<ServiceStats>,
    sources: Vec<SourceStats>,
    /// Client requests started and not yet answered, over all sources.
    unanswered: Level,
    /// Its average in each tenth of the measured period.
    unanswered_trend: Trend,
    /// Successful requests per time window, for the recovery verdict.
    goodput: WindowCounts,
    /// Requests started per time window, counted only when there is a trigger to judge.
    offered: WindowCounts,
    /// First trigger start and last trigger end, if the system has any.
    trigger: Option<(SimTime, SimTime)>,
    /// When the backlog drained after the trigger; `None` without a trigger.
    backlog: Option<Backlog>,
    window: (SimTime, SimTime),
}

#[derive(Clone, Debug)]
struct ServiceStats {
    arrivals: u64,
    admitted: u64,
    rejected: u64,
    completed: u64,
    failed: u64,
    dropped: u64,
    timeouts: u64,
    wasted_ns: u128,
    /// Requests in the queue; those in service are `busy`, and L is the sum of the two.
    waiting: Level,
    /// The queue's average in each tenth of the measured period.
    waiting_trend: Trend,
    busy: Level,
    workers: Level,
    wait: Latency,
    sojourn: Latency,
    /// Time at the service of everything that left it (completed, dropped or lost), for
    /// Little.
    departed: u64,
    departed_ns: u128,
    /// Workers up (configured and not crashed), and whether any configured one is down.
    up: Level,
    degraded: Level,
    /// `Some` when the service can fail (crashes, outages): what its faults did.
    faults: Option<FaultCounts>,
    /// `Some` when the service is autoscaled: its actions and worker range.
    scaling: Option<ScaleCounts>,
    /// `Some` when the service's queue is a broker's: what happened to its messages.
    messages: Option<MessageCounts>,
}

/// Counts of [`MessageEvent`]s, by the event's index; the messages in the broker over
/// time; and the time in the broker of those that left it, for Little.
#[derive(Clone, Debug)]
struct MessageCounts {
    events: [u64; MessageEvent::COUNT],
    inside: Level,
    ended: u64,
    ended_ns: u128,
    /// Ages at first delivery and at completion.
    age_at_start: Latency,
    age_at_end: Latency,
}

impl MessageCounts {
    fn new() -> MessageCounts {
        MessageCounts {
            events: [0; MessageEvent::COUNT],
            inside: Level::default(),
            ended: 0,
            ended_ns: 0,
            age_at_start: Latency::new(),
            age_at_end: Latency::new(),
        }
    }
}

#[derive(Clone, Copy, Debug, Default)]
struct ScaleCounts {
    outs: u64,
    ins: u64,
    /// Fewest and most workers configured during the measured period.
    min: u32,
    max: u32,
}

#[derive(Clone, Copy, Debug, Default)]
struct FaultCounts {
    crashes: u64,
    restarts: u64,
    lost: u64,
    refused: u64,
}

#[derive(Clone, Debug)]
struct SourceStats {
    requests: u64,
    attempts: u64,
    outcomes: [u64; 5],
    latency: Latency,
    async_latency: Latency,
    answered: u64,
    answered_ns: u128,
}

/// Index into `SourceStats::outcomes`.
const FIRST_TRY: usize = 0;
const AFTER_RETRY: usize = 1;
const REJECTED: usize = 2;
const TIMED_OUT: usize = 3;
const FAILED: usize = 4;

impl Recorder {
    /// A recorder for runs of `system`.
    pub fn new(system: &System) -> Recorder {
        Recorder {
            services: system
                .services()
                .iter()
                .map(|s| {
                    let mut workers = Level::default();
                    workers.change(SimTime::ZERO, i64::from(s.workers.get()));
                    let mut stats = ServiceStats::new(workers, s.can_fail(), s.autoscale.is_some());
                    if s.queue.delivery.is_some() {
                        stats.messages = Some(MessageCounts::new());
                    }
                    stats
                })
                .collect(),
            sources: system
                .sources()
                .iter()
                .map(|_| SourceStats::new())
                .collect(),
            unanswered: Level::default(),
            unanswered_trend: Trend::new(),
            goodput: WindowCounts::new(SimTime::ZERO),
            offered: WindowCounts::new(SimTime::ZERO),
            trigger: recovery::trigger_span(system),
            backlog: recovery::trigger_span(system).map(Backlog::new),
            window: (SimTime::ZERO, SimTime::ZERO),
        }
    }

    /// The figures of the measured window, named after `system`'s components.
    pub fn summary(&self, system: &System, outcome: &RunOutcome) -> RunSummary {
        let window_ns = (self.window.1 - self.window.0).0;
        let secs = window_ns as f64 / 1e9;
        let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let thresholds = &system.simulation().thresholds;
        let services = self
            .services
            .iter()
            .zip(system.services())
            .map(|(s, spec)| s.summary(&spec.name, window_ns, per_sec, thresholds))
            .collect();
        let sources = self
            .sources
            .iter()
            .zip(system.sources())
            .map(|(s, spec)| s.summary(&spec.name, per_sec, thresholds))
            .collect();
        let (answered, answered_ns) = self
            .sources
            .iter()
            .fold((0, 0), |(n, ns), s| (n + s.answered, ns + s.answered_ns));
        let requests = self.sources.iter().map(|s| s.requests).sum();
        RunSummary {
            seed: system.simulation().seed,
            events: outcome.events,
            measured_secs: secs,
            stopped: outcome.stopped.clone(),
            services,
            sources,
            system: SystemSummary {
                in_flight: self.unanswered.current(),
                little: LittleCheck::new(
                    self.unanswered.mean(window_ns),
                    per_sec(requests),
                    mean_secs(answered_ns, answered),
                ),
                in_flight_growth: growth(&self.unanswered_trend),
                steady_tested: self.unanswered_trend.complete(),
                recovery: self.trigger.and_then(|t| {
                    let window = (self.window.1, planned_measured(system, outcome));
                    let stopped = outcome.stopped.is_some();
                    let drained = self.backlog.and_then(|b| b.drained());
                    let counts = (&self.goodput, &self.offered);
                    recovery::assess(counts, t, window, drained, stopped)
                }),
            },
        }
    }

    /// The latency distribution of source `id`'s successful requests.
    pub fn source_latency(&self, id: SourceId) -> &Latency {
        &self.sources[id.index()].latency
    }

    /// The waiting-time distribution at service `id`.
    pub fn service_wait(&self, id: ServiceId) -> &Latency {
        &self.services[id.index()].wait
    }

    /// A request starts in a run with a trigger: count it as offered, and let the backlog
    /// watch see the level before it changes. Out of line: runs without a trigger (and the
    /// event loop's registers) do not pay for it.
    #[inline(never)]
    fn request_after_trigger(&mut self, at: SimTime) {
        self.offered.record(at);
        if let Some(backlog) = &mut self.backlog {
            backlog.before_change(&mut self.unanswered, at);
        }
    }

    /// A request is answered in a run with a trigger: the level falls, watched.
    #[inline(never)]
    fn answer_after_trigger(&mut self, at: SimTime) {
        if let Some(backlog) = &mut self.backlog {
            backlog.before_change(&mut self.unanswered, at);
            self.unanswered.change(at, -1);
            backlog.after_answer(self.unanswered.current(), at);
        }
    }

    fn service(&mut self, id: ServiceId) -> &mut ServiceStats {
        &mut self.services[id.index()]
    }

    fn source(&mut self, id: SourceId) -> &mut SourceStats {
        &mut self.sources[id.index()]
    }
}

/// The measured period the scenario asked for, which a limit may have cut short.
fn planned_measured(system: &System, outcome: &RunOutcome) -> SimDuration {
    match system.simulation().horizon {
        Horizon::Duration(d) => d,
        Horizon::Requests(_) => outcome.end - outcome.measure_start,
    }
}

/// Per threshold, the share of `of` (a count of work) not in `within`'s samples at or below
/// it: `within` holds the durations of the work that counts as on time.
fn over(thresholds: &[SimDuration], within: &Latency, of: u64) -> Vec<Over> {
    thresholds
        .iter()
        .map(|&threshold| Over {
            threshold,
            fraction: (of > 0)
                .then(|| 1.0 - within.count_at_or_below(threshold) as f64 / of as f64),
        })
        .collect()
}

fn growth(trend: &Trend) -> Option<Growth> {
    trend.growth().map(|(first, last)| Growth { first, last })
}

fn mean_secs(total_ns: u128, count: u64) -> f64 {
    if count == 0 {
        0.0
    } else {
        total_ns as f64 / count as f64 / 1e9
    }
}

fn fraction(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl ServiceStats {
    fn new(workers: Level, can_fail: bool, autoscaled: bool) -> ServiceStats {
        ServiceStats {
            arrivals: 0,
            admitted: 0,
            rejected: 0,
            completed: 0,
            failed: 0,
            dropped: 0,
            timeouts: 0,
            wasted_ns: 0,
            waiting: Level::default(),
            waiting_trend: Trend::new(),
            busy: Level::default(),
            up: workers,
            workers,
            degraded: Level::default(),
            wait: Latency::new(),
            sojourn: Latency::new(),
            departed: 0,
            departed_ns: 0,
            faults: can_fail.then(FaultCounts::default),
            scaling: autoscaled.then(ScaleCounts::default),
            messages: None,
        }
    }

    fn reset(&mut self, at: SimTime) {
        (self.arrivals, self.admitted, self.rejected) = (0, 0, 0);
        (self.completed, self.failed, self.dropped, self.timeouts) = (0, 0, 0, 0);
        (self.wasted_ns, self.departed, self.departed_ns) = (0, 0, 0);
        self.waiting.reset(at);
        self.waiting_trend.reset(at);
        self.busy.reset(at);
        self.workers.reset(at);
        self.up.reset(at);
        self.degraded.reset(at);
        if let Some(f) = &mut self.faults {
            *f = FaultCounts::default();
        }
        if let Some(m) = &mut self.messages {
            m.events = [0; MessageEvent::COUNT];
            m.inside.reset(at);
            (m.ended, m.ended_ns) = (0, 0);
            m.age_at_start.reset();
            m.age_at_end.reset();
        }
        if let Some(c) = &mut self.scaling {
            let workers = self.workers.current() as u32;
            *c = ScaleCounts {
                min: workers,
                max: workers,
                ..ScaleCounts::default()
            };
        }
        self.wait.reset();
        self.sojourn.reset();
    }

    fn depart(&mut self, sojourn: SimDuration) {
        self.departed += 1;
        self.departed_ns += u128::from(sojourn.0);
    }

    fn summary(
        &self,
        name: &str,
        window_ns: u64,
        per_sec: impl Fn(u64) -> f64,
        thresholds: &[SimDuration],
    ) -> ServiceSummary {
        let lq = self.waiting.mean(window_ns);
        let busy = self.busy.mean(window_ns);
        let up = self.up.mean(window_ns);
        let l = lq + busy;
        ServiceSummary {
            name: name.to_string(),
            workers: self.workers.current() as u32,
            arrivals: self.arrivals,
            admitted: self.admitted,
            rejected: self.rejected,
            completed: self.completed,
            failed: self.failed,
            dropped: self.dropped,
            timeouts: self.timeouts,
            arrival_rate: per_sec(self.arrivals),
            throughput: per_sec(self.completed),
            rejected_fraction: fraction(self.rejected, self.arrivals),
            utilisation: if up > 0.0 { busy / up } else { 0.0 },
            wasted_secs: self.wasted_ns as f64 / 1e9,
            l,
            lq,
            wait: self.wait.summary(),
            wait_probability: (self.wait.count() > 0)
                .then(|| 1.0 - self.wait.fraction_at_or_below(0.0)),
            sojourn: self.sojourn.summary(),
            little: LittleCheck::new(
                l,
                per_sec(self.admitted),
                mean_secs(self.departed_ns, self.departed),
            ),
            queue_growth: growth(&self.waiting_trend),
            wait_over: over(thresholds, &self.wait, self.wait.count()),
            sojourn_over: over(thresholds, &self.sojourn, self.sojourn.count()),
            faults: self.faults.map(|f| {
                let configured = self.workers.mean(window_ns);
                FaultSummary {
                    crashes: f.crashes,
                    restarts: f.restarts,
                    lost: f.lost,
                    refused: f.refused,
                    up_fraction: if configured > 0.0 {
                        up / configured
                    } else {
                        0.0
                    },
                    degraded_fraction: self.degraded.mean(window_ns),
                }
            }),
            messages: self.messages.as_ref().map(|m| {
                let count = |e: MessageEvent| m.events[e as usize];
                MessageSummary {
                    published: count(MessageEvent::Published),
                    delivered: count(MessageEvent::Delivered),
                    redelivered: count(MessageEvent::Redelivered),
                    processed: count(MessageEvent::Processed),
                    duplicates: count(MessageEvent::Duplicate),
                    deduplicated: count(MessageEvent::Deduplicated),
                    completed: count(MessageEvent::Completed),
                    lost: count(MessageEvent::Lost),
                    lost_by_broker: count(MessageEvent::LostByBroker),
                    dropped: count(MessageEvent::Dropped),
                    dead_lettered: count(MessageEvent::DeadLettered),
                    expired: count(MessageEvent::Expired),
                    paged: count(MessageEvent::Paged),
                    pending: m.inside.current(),
                    age_at_start: m.age_at_start.summary(),
                    age_at_end: m.age_at_end.summary(),
                    little: LittleCheck::new(
                        m.inside.mean(window_ns),
                        per_sec(count(MessageEvent::Published)),
                        mean_secs(m.ended_ns, m.ended),
                    ),
                }
            }),
            autoscale: self.scaling.map(|c| ScaleSummary {
                scale_outs: c.outs,
                scale_ins: c.ins,
                workers_min: c.min,
                workers_max: c.max,
                workers_mean: self.workers.mean(window_ns),
            }),
        }
    }

    fn faults(&mut self) -> &mut FaultCounts {
        self.faults
            .as_mut()
            .expect("only a service that can fail has faults")
    }
}

impl SourceStats {
    fn new() -> SourceStats {
        SourceStats {
            requests: 0,
            attempts: 0,
            outcomes: [0; 5],
            latency: Latency::new(),
            async_latency: Latency::new(),
            answered: 0,
            answered_ns: 0,
        }
    }

    fn reset(&mut self) {
        (self.requests, self.attempts, self.outcomes) = (0, 0, [0; 5]);
        (self.answered, self.answered_ns) = (0, 0);
        self.latency.reset();
        self.async_latency.reset();
    }

    fn summary(
        &self,
        name: &str,
        per_sec: impl Fn(u64) -> f64,
        thresholds: &[SimDuration],
    ) -> SourceSummary {
        let o = &self.outcomes;
        let succeeded = o[FIRST_TRY] + o[AFTER_RETRY];
        SourceSummary {
            name: name.to_string(),
            arrivals: self.requests,
            attempts: self.attempts,
            retries: self.attempts.saturating_sub(self.requests),
            completed: succeeded,
            succeeded_first_try: o[FIRST_TRY],
            succeeded_after_retries: o[AFTER_RETRY],
            rejected: o[REJECTED],
            timed_out: o[TIMED_OUT],
            failed: o[FAILED],
            arrival_rate: per_sec(self.requests),
            throughput: per_sec(self.attempts),
            goodput: per_sec(succeeded),
            amplification: if self.answered > 0 {
                self.attempts as f64 / self.requests.max(1) as f64
            } else {
                0.0
            },
            rejected_fraction: fraction(o[REJECTED], self.answered),
            latency: self.latency.summary(),
            async_latency: self.async_latency.summary(),
            over: over(thresholds, &self.latency, self.answered),
        }
    }
}

impl Observer for Recorder {
    fn on_measure_start(&mut self, at: SimTime) {
        self.window.0 = at;
        self.goodput.reset(at);
        self.offered.reset(at);
        if let Some(backlog) = &mut self.backlog {
            backlog.reset(at);
        }
        for s in &mut self.services {
            s.reset(at);
        }
        for s in &mut self.sources {
            s.reset();
        }
        self.unanswered.reset(at);
        self.unanswered_trend.reset(at);
    }

    fn on_tick(&mut self, at: SimTime) {
        for s in &mut self.services {
            s.waiting_trend.close(&mut s.waiting, at);
        }
        self.unanswered_trend.close(&mut self.unanswered, at);
    }

    #[inline]
    fn on_request(&mut self, at: SimTime, source: SourceId) {
        self.source(source).requests += 1;
        if self.backlog.is_some() {
            self.request_after_trigger(at);
        }
        self.unanswered.change(at, 1);
    }

    #[inline]
    fn on_attempt(&mut self, _at: SimTime, source: SourceId, _attempt: u32) {
        self.source(source).attempts += 1;
    }

    #[inline(always)]
    fn on_request_done(
        &mut self,
        at: SimTime,
        source: SourceId,
        outcome: Outcome,
        attempts: u32,
        latency: SimDuration,
    ) {
        if self.backlog.is_some() {
            self.answer_after_trigger(at);
        } else {
            self.unanswered.change(at, -1);
        }
        let s = self.source(source);
        s.answered += 1;
        s.answered_ns += u128::from(latency.0);
        let index = match outcome {
            Outcome::Success if attempts == 1 => FIRST_TRY,
            Outcome::Success => AFTER_RETRY,
            Outcome::Rejected => REJECTED,
            Outcome::TimedOut => TIMED_OUT,
            Outcome::Failed => FAILED,
        };
        s.outcomes[index] += 1;
        if outcome == Outcome::Success {
            s.latency.record(latency);
            self.goodput.record(at);
        }
    }

    fn on_async_done(&mut self, _at: SimTime, source: SourceId, latency: SimDuration) {
        self.source(source).async_latency.record(latency);
    }

    #[inline]
    fn on_admit(&mut self, at: SimTime, service: ServiceId, queued: bool) {
        let s = self.service(service);
        s.arrivals += 1;
        s.admitted += 1;
        if queued {
            s.waiting.change(at, 1);
        }
    }

    #[inline]
    fn on_reject(&mut self, _at: SimTime, service: ServiceId) {
        let s = self.service(service);
        s.arrivals += 1;
        s.rejected += 1;
    }

    #[inline]
    fn on_start(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {
        let s = self.service(service);
        if queued {
            s.waiting.change(at, -1);
        }
        s.busy.change(at, 1);
        s.wait.record(waited);
    }

    fn on_drop(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {
        let s = self.service(service);
        if queued {
            s.waiting.change(at, -1);
        }
        s.dropped += 1;
        s.depart(waited);
    }

    #[inline]
    fn on_complete(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration, failed: bool) {
        let s = self.service(service);
        s.completed += 1;
        s.failed += u64::from(failed);
        s.busy.change(at, -1);
        s.sojourn.record(sojourn);
        s.depart(sojourn);
    }

    fn on_timeout(&mut self, _at: SimTime, service: ServiceId) {
        self.service(service).timeouts += 1;
    }

    fn on_wasted(&mut self, _at: SimTime, service: ServiceId, work: SimDuration) {
        self.service(service).wasted_ns += u128::from(work.0);
    }

    fn on_workers(&mut self, at: SimTime, service: ServiceId, workers: u32) {
        let s = self.service(service);
        let delta = i64::from(workers) - s.workers.current() as i64;
        s.workers.change(at, delta);
        if let Some(c) = &mut s.scaling {
            (c.min, c.max) = (c.min.min(workers), c.max.max(workers));
        }
    }

    fn on_scale(&mut self, _at: SimTime, service: ServiceId, from: u32, to: u32) {
        if let Some(c) = &mut self.service(service).scaling {
            if to > from {
                c.outs += 1;
            } else {
                c.ins += 1;
            }
        }
    }

    fn on_workers_up(&mut self, at: SimTime, service: ServiceId, up: u32) {
        let s = self.service(service);
        s.up.change(at, i64::from(up) - s.up.current() as i64);
        let degraded = i64::from(u64::from(up) < s.workers.current());
        s.degraded
            .change(at, degraded - s.degraded.current() as i64);
    }

    fn on_crash(&mut self, _at: SimTime, service: ServiceId) {
        self.service(service).faults().crashes += 1;
    }

    fn on_restart(&mut self, _at: SimTime, service: ServiceId) {
        self.service(service).faults().restarts += 1;
    }

    fn on_lost(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration, queued: bool) {
        let s = self.service(service);
        if queued {
            s.waiting.change(at, -1);
        } else {
            s.busy.change(at, -1);
        }
        s.faults().lost += 1;
        s.depart(sojourn);
    }

    fn on_message(
        &mut self,
        at: SimTime,
        service: ServiceId,
        event: MessageEvent,
        age: SimDuration,
    ) {
        let m =
            (self.service(service).messages.as_mut()).expect("only a broker's queue has messages");
        m.events[event as usize] += 1;
        match event {
            MessageEvent::Published => m.inside.change(at, 1),
            MessageEvent::Delivered => m.age_at_start.record(age),
            MessageEvent::Completed
            | MessageEvent::Lost
            | MessageEvent::LostByBroker
            | MessageEvent::Dropped
            | MessageEvent::DeadLettered => {
                if event == MessageEvent::Completed {
                    m.age_at_end.record(age);
                }
                m.inside.change(at, -1);
                m.ended += 1;
                m.ended_ns += u128::from(age.0);
            }
            _ => {}
        }
    }

    fn on_refused(&mut self, _at: SimTime, service: ServiceId) {
        let s = self.service(service);
        s.arrivals += 1;
        s.faults().refused += 1;
    }

    fn on_end(&mut self, at: SimTime) {
        self.window.1 = at;
        for s in &mut self.services {
            s.waiting_trend.close(&mut s.waiting, at);
            s.busy.advance(at);
            s.workers.advance(at);
            s.up.advance(at);
            s.degraded.advance(at);
            if let Some(m) = &mut s.messages {
                m.inside.advance(at);
            }
        }
        self.unanswered_trend.close(&mut self.unanswered, at);
    }
}
