//! The observer that measures a run: counters, time-weighted levels and latency histograms.

use super::latency::Latency;
use super::level::Level;
use super::summary::{LittleCheck, RunSummary, ServiceSummary, SourceSummary, SystemSummary};
use crate::model::{ServiceId, SimDuration, SimTime, SourceId, System};
use crate::sim::{Observer, RequestInfo, RunOutcome};

/// Measures one run in memory that does not grow with its length.
#[derive(Clone, Debug)]
pub struct Recorder {
    services: Vec<ServiceStats>,
    sources: Vec<SourceStats>,
    system: SystemStats,
    window: (SimTime, SimTime),
}

#[derive(Clone, Debug)]
struct ServiceStats {
    workers: u32,
    arrivals: u64,
    admitted: u64,
    rejected: u64,
    completed: u64,
    /// Requests in the queue; those in service are `busy`, and L is the sum of the two.
    waiting: Level,
    busy: Level,
    wait: Latency,
    sojourn: Latency,
}

#[derive(Clone, Debug)]
struct SourceStats {
    arrivals: u64,
    rejected: u64,
    completed: u64,
    latency: Latency,
}

/// Requests between their first admission and their exit or rejection.
#[derive(Clone, Debug, Default)]
struct SystemStats {
    admitted: u64,
    departed: u64,
    in_system: Level,
    sojourn_ns: u128,
}

impl Recorder {
    /// A recorder for runs of `system`.
    pub fn new(system: &System) -> Recorder {
        Recorder {
            services: system
                .services()
                .iter()
                .map(|s| ServiceStats {
                    workers: s.workers.get(),
                    arrivals: 0,
                    admitted: 0,
                    rejected: 0,
                    completed: 0,
                    waiting: Level::default(),
                    busy: Level::default(),
                    wait: Latency::new(),
                    sojourn: Latency::new(),
                })
                .collect(),
            sources: system
                .sources()
                .iter()
                .map(|_| SourceStats {
                    arrivals: 0,
                    rejected: 0,
                    completed: 0,
                    latency: Latency::new(),
                })
                .collect(),
            system: SystemStats::default(),
            window: (SimTime::ZERO, SimTime::ZERO),
        }
    }

    /// The figures of the measured window, named after `system`'s components.
    pub fn summary(&self, system: &System, outcome: &RunOutcome) -> RunSummary {
        let window_ns = (self.window.1 - self.window.0).0;
        let secs = window_ns as f64 / 1e9;
        let per_sec = |n: u64| if secs > 0.0 { n as f64 / secs } else { 0.0 };
        let services = self
            .services
            .iter()
            .zip(system.services())
            .map(|(s, spec)| {
                let sojourn = s.sojourn.summary();
                let lq = s.waiting.mean(window_ns);
                let busy = s.busy.mean(window_ns);
                let l = lq + busy;
                ServiceSummary {
                    name: spec.name.clone(),
                    workers: s.workers,
                    arrivals: s.arrivals,
                    admitted: s.admitted,
                    rejected: s.rejected,
                    completed: s.completed,
                    arrival_rate: per_sec(s.arrivals),
                    throughput: per_sec(s.completed),
                    rejected_fraction: fraction(s.rejected, s.arrivals),
                    utilisation: busy / f64::from(s.workers),
                    l,
                    lq,
                    wait: s.wait.summary(),
                    sojourn,
                    little: LittleCheck::new(l, per_sec(s.admitted), sojourn.mean),
                }
            })
            .collect();
        let sources = self
            .sources
            .iter()
            .zip(system.sources())
            .map(|(s, spec)| SourceSummary {
                name: spec.name.clone(),
                arrivals: s.arrivals,
                rejected: s.rejected,
                completed: s.completed,
                arrival_rate: per_sec(s.arrivals),
                goodput: per_sec(s.completed),
                rejected_fraction: fraction(s.rejected, s.arrivals),
                latency: s.latency.summary(),
            })
            .collect();
        let sys = &self.system;
        let w = if sys.departed > 0 {
            sys.sojourn_ns as f64 / sys.departed as f64 / 1e9
        } else {
            0.0
        };
        RunSummary {
            seed: system.simulation().seed,
            events: outcome.events,
            measured_secs: secs,
            services,
            sources,
            system: SystemSummary {
                in_flight: sys.in_system.current(),
                little: LittleCheck::new(sys.in_system.mean(window_ns), per_sec(sys.admitted), w),
            },
        }
    }

    /// The latency distribution of source `id`'s completed requests.
    pub fn source_latency(&self, id: SourceId) -> &Latency {
        &self.sources[id.index()].latency
    }

    /// The waiting-time distribution at service `id`.
    pub fn service_wait(&self, id: ServiceId) -> &Latency {
        &self.services[id.index()].wait
    }

    fn service(&mut self, id: ServiceId) -> &mut ServiceStats {
        &mut self.services[id.index()]
    }

    fn source(&mut self, id: SourceId) -> &mut SourceStats {
        &mut self.sources[id.index()]
    }

    /// A request leaves the system (exit or rejection after its first hop).
    fn depart(&mut self, at: SimTime, request: RequestInfo) {
        let sys = &mut self.system;
        sys.in_system.change(at, -1);
        sys.departed += 1;
        sys.sojourn_ns += u128::from((at - request.born).0);
    }
}

fn fraction(part: u64, whole: u64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

impl Observer for Recorder {
    fn on_measure_start(&mut self, at: SimTime) {
        self.window.0 = at;
        for s in &mut self.services {
            s.arrivals = 0;
            s.admitted = 0;
            s.rejected = 0;
            s.completed = 0;
            s.waiting.reset(at);
            s.busy.reset(at);
            s.wait.reset();
            s.sojourn.reset();
        }
        for s in &mut self.sources {
            s.arrivals = 0;
            s.rejected = 0;
            s.completed = 0;
            s.latency.reset();
        }
        let sys = &mut self.system;
        sys.in_system.reset(at);
        sys.admitted = 0;
        sys.departed = 0;
        sys.sojourn_ns = 0;
    }

    #[inline]
    fn on_source_arrival(&mut self, _at: SimTime, source: SourceId) {
        self.source(source).arrivals += 1;
    }

    #[inline]
    fn on_admit(&mut self, at: SimTime, service: ServiceId, request: RequestInfo, queued: bool) {
        let s = self.service(service);
        s.arrivals += 1;
        s.admitted += 1;
        if queued {
            s.waiting.change(at, 1);
        }
        if !request.in_system {
            self.system.admitted += 1;
            self.system.in_system.change(at, 1);
        }
    }

    #[inline]
    fn on_reject(&mut self, at: SimTime, service: ServiceId, request: RequestInfo) {
        let s = self.service(service);
        s.arrivals += 1;
        s.rejected += 1;
        self.source(request.source).rejected += 1;
        if request.in_system {
            self.depart(at, request);
        }
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

    #[inline]
    fn on_complete(&mut self, at: SimTime, service: ServiceId, sojourn: SimDuration) {
        let s = self.service(service);
        s.completed += 1;
        s.busy.change(at, -1);
        s.sojourn.record(sojourn);
    }

    #[inline]
    fn on_exit(&mut self, at: SimTime, request: RequestInfo) {
        let s = self.source(request.source);
        s.completed += 1;
        s.latency.record(at - request.born);
        self.depart(at, request);
    }

    fn on_end(&mut self, at: SimTime) {
        self.window.1 = at;
        for s in &mut self.services {
            s.waiting.advance(at);
            s.busy.advance(at);
        }
        self.system.in_system.advance(at);
    }
}
