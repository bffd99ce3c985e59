//! How the engine reports what happens: a trait with no-op defaults.
//!
//! The engine never counts, formats or stores results itself; an `Observer` (such as
//! `stats::Recorder`) sees every state change and decides what to keep.

use crate::model::{ServiceId, SimDuration, SimTime, SourceId};

/// A request as observers see it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RequestInfo {
    /// Where it came from.
    pub source: SourceId,
    /// When the source emitted it.
    pub born: SimTime,
    /// Whether it had been admitted by an earlier service on its route (so it was already
    /// counted as inside the system).
    pub in_system: bool,
}

/// Receives every state change of a run. Every method defaults to doing nothing.
#[allow(unused_variables)]
pub trait Observer {
    /// Measurement starts at `at` (the end of the warm-up): discard what came before.
    fn on_measure_start(&mut self, at: SimTime) {}
    /// A source emitted a request.
    fn on_source_arrival(&mut self, at: SimTime, source: SourceId) {}
    /// A request reached a service and was admitted: it starts at once (`queued` false, and
    /// `on_start` follows) or waits in the queue (`queued` true).
    fn on_admit(&mut self, at: SimTime, service: ServiceId, request: RequestInfo, queued: bool) {}
    /// A request reached a service whose waiting room was full, and was turned away.
    fn on_reject(&mut self, at: SimTime, service: ServiceId, request: RequestInfo) {}
    /// A worker started serving a request that had waited `waited` (in the queue, if
    /// `queued`).
    fn on_start(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {}
    /// A worker finished a request that spent `sojourn` at this service (waiting and served).
    fn on_complete(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration) {}
    /// A request finished its route and left the system.
    fn on_exit(&mut self, at: SimTime, request: RequestInfo) {}
    /// The run ends at `at`.
    fn on_end(&mut self, at: SimTime) {}
}

/// An observer that keeps nothing (for benchmarks of the bare engine).
#[derive(Clone, Copy, Debug, Default)]
pub struct NullObserver;

impl Observer for NullObserver {}

/// Two observers watching one run: every hook goes to the first, then the second (for
/// example a `stats::Recorder` and a `stats::TimeSeries`).
impl<A: Observer, B: Observer> Observer for (A, B) {
    fn on_measure_start(&mut self, at: SimTime) {
        self.0.on_measure_start(at);
        self.1.on_measure_start(at);
    }
    #[inline]
    fn on_source_arrival(&mut self, at: SimTime, source: SourceId) {
        self.0.on_source_arrival(at, source);
        self.1.on_source_arrival(at, source);
    }
    #[inline]
    fn on_admit(&mut self, at: SimTime, service: ServiceId, request: RequestInfo, queued: bool) {
        self.0.on_admit(at, service, request, queued);
        self.1.on_admit(at, service, request, queued);
    }
    #[inline]
    fn on_reject(&mut self, at: SimTime, service: ServiceId, request: RequestInfo) {
        self.0.on_reject(at, service, request);
        self.1.on_reject(at, service, request);
    }
    #[inline]
    fn on_start(&mut self, at: SimTime, service: ServiceId, waited: SimDuration, queued: bool) {
        self.0.on_start(at, service, waited, queued);
        self.1.on_start(at, service, waited, queued);
    }
    #[inline]
    fn on_complete(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration) {
        self.0.on_complete(at, service, sojourn);
        self.1.on_complete(at, service, sojourn);
    }
    #[inline]
    fn on_exit(&mut self, at: SimTime, request: RequestInfo) {
        self.0.on_exit(at, request);
        self.1.on_exit(at, request);
    }
    fn on_end(&mut self, at: SimTime) {
        self.0.on_end(at);
        self.1.on_end(at);
    }
}
