//! How the engine reports what happens: a trait with no-op defaults.
//!
//! The engine never counts, formats or stores results itself; an `Observer` (such as
//! `stats::Recorder`) sees every state change and decides what to keep. Client-level hooks
//! concern the requests that sources make; service-level hooks concern every piece of work
//! at a service (client attempts, synchronous calls and asynchronous messages alike).

use super::client::Outcome;
use crate::model::{ServiceId, SimDuration, SimTime, SourceId};

/// What happens to a message at a broker's queue. A message is published once, ends once
/// (completed, lost, dropped or dead-lettered) unless the run ends first, and may be delivered and
/// processed several times in between.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MessageEvent {
    /// Accepted into the queue (a publish the queue turned away is a rejection instead).
    Published,
    /// Taken by a consumer for the first time.
    Delivered,
    /// Taken again: after its consumer crashed, or after its visibility timeout lapsed.
    Redelivered,
    /// Processed for the first time.
    Processed,
    /// Processed again: a duplicate.
    Duplicate,
    /// Received again and recognised by an idempotent consumer, which did not process it
    /// twice (only checked it, or rolled back a processing under way).
    Deduplicated,
    /// Done with: acknowledged or deleted after processing (or taken and dropped as expired).
    Completed,
    /// Lost with its consumer, which crashed (at most once, or acknowledged early).
    Lost,
    /// Lost by the broker: waiting when it crashed and not kept by its durability, or in
    /// a queue lost with its service (an outage with `"lost"`).
    LostByBroker,
    /// Discarded by its full queue to make room (`overflow = "drop-newest"` or
    /// `"drop-oldest"`): lost, without its publisher knowing.
    Dropped,
    /// Moved to the dead-letter queue after too many deliveries.
    DeadLettered,
    /// Its visibility timeout lapsed before it was deleted: it is visible again.
    Expired,
    /// Received while more messages waited than the broker holds in memory: the receive
    /// paid the paging time.
    Paged,
}

impl MessageEvent {
    /// How many kinds there are (`Paged` is the last).
    pub const COUNT: usize = MessageEvent::Paged as usize + 1;
}

/// Receives every state change of a run. Every method defaults to doing nothing.
#[allow(unused_variables)]
pub trait Observer {
    /// Measurement starts at `at` (the end of the warm-up): discard what came before.
    fn on_measure_start(&mut self, at: SimTime) {}

    /// A source's client starts a request.
    fn on_request(&mut self, at: SimTime, source: SourceId) {}
    /// A source's client sends attempt number `attempt` (1 for the first) of a request.
    fn on_attempt(&mut self, at: SimTime, source: SourceId, attempt: u32) {}
    /// A source's request has its final outcome after `attempts` attempts; `latency` runs
    /// from the first attempt to the final answer.
    fn on_request_done(
        &mut self,
        at: SimTime,
        source: SourceId,
        outcome: Outcome,
        attempts: u32,
        latency: SimDuration,
    ) {
    }
    /// The asynchronous work a request triggered has all finished, `latency` after the
    /// request started.
    fn on_async_done(&mut self, at: SimTime, source: SourceId, latency: SimDuration) {}

    /// Work reached a service and was admitted: it starts at once (`queued` false, and
    /// `on_start` follows) or waits in the queue.
    fn on_admit(&mut self, at: SimTime, service: ServiceId, queued: bool) {}
    /// Work reached a service whose waiting room was full, and was turned away.
    fn on_reject(&mut self, at: SimTime, service: ServiceId) {}
    /// A worker took work that had waited `waited` (in the queue, if `queued`).
    fn on_start(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {}
    /// Work whose caller had given up was dropped instead of started, after waiting
    /// `waited` (in the queue, if `queued`).
    fn on_drop(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {}
    /// A worker finished work that spent `sojourn` at this service; `failed` when it ends in
    /// an error (its own, or a failed call or publish).
    fn on_complete(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration, failed: bool) {
    }
    /// A caller gave up waiting for an attempt at this service.
    fn on_timeout(&mut self, at: SimTime, service: ServiceId) {}
    /// A worker spent `work` on something whose caller had already given up.
    fn on_wasted(&mut self, at: SimTime, service: ServiceId, work: SimDuration) {}
    /// The number of workers changed (by the service's schedule or its autoscaler).
    fn on_workers(&mut self, at: SimTime, service: ServiceId, workers: u32) {}
    /// The number of workers up (configured and not crashed) changed, by the schedule, a
    /// crash or a restart.
    fn on_workers_up(&mut self, at: SimTime, service: ServiceId, up: u32) {}
    /// A worker crashed (at random, by the schedule, or with the whole service).
    fn on_crash(&mut self, at: SimTime, service: ServiceId) {}
    /// A crashed worker is back.
    fn on_restart(&mut self, at: SimTime, service: ServiceId) {}
    /// Work was lost after `sojourn` at the service: held by a worker that crashed, or
    /// waiting (`queued`) in a queue lost with the service.
    fn on_lost(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration, queued: bool) {}
    /// A message at a broker's queue (a service with a delivery guarantee) meets `event`,
    /// `age` after its queue accepted it.
    fn on_message(
        &mut self,
        at: SimTime,
        service: ServiceId,
        event: MessageEvent,
        age: SimDuration,
    ) {
    }
    /// Work reached a service that was down with its queue lost, or cut off by a
    /// partition that refuses, and was refused.
    fn on_refused(&mut self, at: SimTime, service: ServiceId) {}
    /// A service's autoscaler changed its capacity (workers configured plus starting)
    /// from `from` to `to`: a scale-out when `to > from`, else a scale-in.
    fn on_scale(&mut self, at: SimTime, service: ServiceId, from: u32, to: u32) {}

    /// One of the `TICKS - 1` instants that cut a measured period of known length (a
    /// `duration` horizon) into [`TICKS`] equal parts, in order; none with a
    /// request-count horizon. Between events, so every level is as the last event left it.
    fn on_tick(&mut self, at: SimTime) {}

    /// The run ends at `at`.
    fn on_end(&mut self, at: SimTime) {}
}

/// Equal parts of the measured period marked by [`Observer::on_tick`]: enough to see a
/// trend, few enough to cost nothing.
pub const TICKS: u32 = 10;

/// An observer that keeps nothing (for benchmarks of the bare engine).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullObserver;

impl Observer for NullObserver {}

/// Two observers watching one run: every hook goes to the first, then the second (for
/// example a `stats::Recorder` and a `stats::TimeSeries`). The hooks that fire for every
/// request are inlined into the engine, so a pair costs no more calls than one observer.
impl<A: Observer, B: Observer> Observer for (A, B) {
    fn on_measure_start(&mut self, at: SimTime) {
        self.0.on_measure_start(at);
        self.1.on_measure_start(at);
    }
    #[inline(always)]
    fn on_request(&mut self, at: SimTime, source: SourceId) {
        self.0.on_request(at, source);
        self.1.on_request(at, source);
    }
    #[inline(always)]
    fn on_attempt(&mut self, at: SimTime, source: SourceId, attempt: u32) {
        self.0.on_attempt(at, source, attempt);
        self.1.on_attempt(at, source, attempt);
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
        self.0
            .on_request_done(at, source, outcome, attempts, latency);
        self.1
            .on_request_done(at, source, outcome, attempts, latency);
    }
    fn on_async_done(&mut self, at: SimTime, source: SourceId, latency: SimDuration) {
        self.0.on_async_done(at, source, latency);
        self.1.on_async_done(at, source, latency);
    }
    #[inline(always)]
    fn on_admit(&mut self, at: SimTime, service: ServiceId, queued: bool) {
        self.0.on_admit(at, service, queued);
        self.1.on_admit(at, service, queued);
    }
    #[inline(always)]
    fn on_reject(&mut self, at: SimTime, service: ServiceId) {
        self.0.on_reject(at, service);
        self.1.on_reject(at, service);
    }
    #[inline(always)]
    fn on_start(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {
        self.0.on_start(at, service, waited, queued);
        self.1.on_start(at, service, waited, queued);
    }
    fn on_drop(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {
        self.0.on_drop(at, service, waited, queued);
        self.1.on_drop(at, service, waited, queued);
    }
    #[inline(always)]
    fn on_complete(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration, failed: bool) {
        self.0.on_complete(at, service, sojourn, failed);
        self.1.on_complete(at, service, sojourn, failed);
    }
    fn on_timeout(&mut self, at: SimTime, service: ServiceId) {
        self.0.on_timeout(at, service);
        self.1.on_timeout(at, service);
    }
    fn on_wasted(&mut self, at: SimTime, service: ServiceId, work: SimDuration) {
        self.0.on_wasted(at, service, work);
        self.1.on_wasted(at, service, work);
    }
    fn on_workers(&mut self, at: SimTime, service: ServiceId, workers: u32) {
        self.0.on_workers(at, service, workers);
        self.1.on_workers(at, service, workers);
    }
    fn on_workers_up(&mut self, at: SimTime, service: ServiceId, up: u32) {
        self.0.on_workers_up(at, service, up);
        self.1.on_workers_up(at, service, up);
    }
    fn on_crash(&mut self, at: SimTime, service: ServiceId) {
        self.0.on_crash(at, service);
        self.1.on_crash(at, service);
    }
    fn on_restart(&mut self, at: SimTime, service: ServiceId) {
        self.0.on_restart(at, service);
        self.1.on_restart(at, service);
    }
    fn on_lost(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration, queued: bool) {
        self.0.on_lost(at, service, sojourn, queued);
        self.1.on_lost(at, service, sojourn, queued);
    }
    fn on_message(
        &mut self,
        at: SimTime,
        service: ServiceId,
        event: MessageEvent,
        age: SimDuration,
    ) {
        self.0.on_message(at, service, event, age);
        self.1.on_message(at, service, event, age);
    }
    fn on_scale(&mut self, at: SimTime, service: ServiceId, from: u32, to: u32) {
        self.0.on_scale(at, service, from, to);
        self.1.on_scale(at, service, from, to);
    }
    fn on_refused(&mut self, at: SimTime, service: ServiceId) {
        self.0.on_refused(at, service);
        self.1.on_refused(at, service);
    }
    fn on_tick(&mut self, at: SimTime) {
        self.0.on_tick(at);
        self.1.on_tick(at);
    }
    fn on_end(&mut self, at: SimTime) {
        self.0.on_end(at);
        self.1.on_end(at);
    }
}
