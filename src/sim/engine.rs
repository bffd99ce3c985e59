//! The event loop: sources emit requests, services queue and serve them, routes move them on.
//!
//! Single-threaded and deterministic. Components are addressed by index; requests live in a
//! slab whose slots are reused, and every buffer is sized from the model's bounds up front,
//! so the steady state allocates nothing per event.

use std::collections::VecDeque;

use super::event::{Event, EventQueue, MAX_EVENTS, MAX_PENDING};
use super::guard::{self, RunError};
use super::observer::{Observer, RequestInfo};
use super::rng::{self, Sampler, Stream, Streams};
use crate::model::{Discipline, Horizon, Route, ServiceId, SimDuration, SimTime, SourceId, System};

/// What a finished run reports besides what its observer saw.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOutcome {
    /// Events processed, warm-up included.
    pub events: u64,
    /// Start of the measured period (the end of the warm-up).
    pub measure_start: SimTime,
    /// End of the run.
    pub end: SimTime,
}

/// One replication of a system, ready to run.
#[derive(Debug)]
pub struct Engine<'a> {
    system: &'a System,
    events: EventQueue,
    requests: Slab,
    sources: Vec<SourceState>,
    services: Vec<ServiceState>,
    now: SimTime,
    events_processed: u64,
}

#[derive(Debug)]
struct SourceState {
    target: ServiceId,
    gap: Sampler,
    rng: Stream,
}

#[derive(Debug)]
struct ServiceState {
    workers: u32,
    busy: u32,
    /// Waiting room; `u32::MAX` when unbounded (the in-flight guard bounds it in practice).
    capacity: u32,
    discipline: Discipline,
    queue: VecDeque<u32>,
    service_time: Sampler,
    rng: Stream,
    route: RouteState,
}

#[derive(Debug)]
enum RouteState {
    Exit,
    To(ServiceId),
    /// Cumulative probabilities; a draw beyond the last one exits.
    Split {
        cumulative: Box<[(f64, ServiceId)]>,
        rng: Stream,
    },
}

#[derive(Clone, Copy, Debug)]
struct Request {
    info: RequestInfo,
    /// When it reached its current service.
    entered: SimTime,
}

/// Requests alive, in reusable slots.
#[derive(Debug)]
struct Slab {
    slots: Vec<Request>,
    free: Vec<u32>,
    limit: usize,
}

/// Initial room for unbounded buffers; they grow (amortised) only while the model is filling.
const UNBOUNDED_START: usize = 1024;

impl<'a> Engine<'a> {
    /// Prepares replication `replication` of `system`, after checking it is stable.
    pub fn new(system: &'a System, replication: u64) -> Result<Engine<'a>, RunError> {
        guard::check_stable(system)?;
        let streams = Streams::new(system.simulation().seed, replication);
        let sources: Vec<SourceState> = system
            .sources()
            .iter()
            .map(|s| SourceState {
                target: s.target,
                gap: match &s.arrivals {
                    crate::model::Arrivals::Poisson(rate) => Sampler::poisson_gap(*rate),
                    crate::model::Arrivals::Renewal(dist) => Sampler::new(dist),
                    _ => unimplemented!(),
                },
                rng: streams.get(&format!("source:{}", s.name), "arrivals"),
            })
            .collect();
        let services: Vec<ServiceState> = system
            .services()
            .iter()
            .map(|s| {
                let component = format!("service:{}", s.name);
                ServiceState {
                    workers: s.workers.get(),
                    busy: 0,
                    capacity: s.queue.capacity.unwrap_or(u32::MAX),
                    discipline: s.queue.discipline,
                    queue: VecDeque::with_capacity(
                        s.queue.capacity.map_or(UNBOUNDED_START, |c| c as usize),
                    ),
                    service_time: Sampler::new(s.service_time().expect("one work step")),
                    rng: streams.get(&component, "service_time"),
                    route: RouteState::new(&s.route, || streams.get(&component, "route")),
                }
            })
            .collect();
        let limit = system.simulation().limits.max_in_flight.get() as usize;
        // Every request is in some service, plus the one arrival being offered to a full one.
        let bounded: Option<usize> = system
            .services()
            .iter()
            .map(|s| Some(s.workers.get() as usize + s.queue.capacity? as usize))
            .sum::<Option<usize>>()
            .map(|places| places + 1);
        let pending_events: u64 =
            sources.len() as u64 + services.iter().map(|s| u64::from(s.workers)).sum::<u64>();
        if pending_events > MAX_PENDING as u64 {
            return Err(RunError::TooLarge {
                pending: pending_events,
                limit: MAX_PENDING as u64,
            });
        }
        Ok(Engine {
            system,
            events: EventQueue::with_capacity(pending_events as usize),
            requests: Slab::new(bounded.unwrap_or(UNBOUNDED_START).min(limit), limit),
            sources,
            services,
            now: SimTime::ZERO,
            events_processed: 0,
        })
    }

    /// Runs to the horizon, reporting every state change to `observer`.
    pub fn run<O: Observer>(mut self, observer: &mut O) -> Result<RunOutcome, RunError> {
        let spec = self.system.simulation();
        let measure_start = SimTime::ZERO + spec.warmup;
        let (mut end, request_limit) = match spec.horizon {
            Horizon::Duration(d) => (measure_start + d, u64::MAX),
            Horizon::Requests(n) => (SimTime(u64::MAX), n.get()),
        };
        // The event list's sequence numbers have room for MAX_EVENTS.
        let max_events = spec.limits.max_events.get().min(MAX_EVENTS - 1);
        for i in 0..self.sources.len() {
            self.schedule_arrival(SourceId(i as u32));
        }
        let mut measuring = false;
        let mut measured_arrivals = 0u64;
        while let Some((time, event)) = self.events.pop() {
            if time >= end {
                break;
            }
            if !measuring && time >= measure_start {
                observer.on_measure_start(measure_start);
                measuring = true;
            }
            self.now = time;
            self.events_processed += 1;
            if self.events_processed > max_events {
                return Err(RunError::EventLimit {
                    at_secs: time.as_secs_f64(),
                    limit: max_events,
                });
            }
            match event {
                Event::Arrival(source) => {
                    self.arrive(source, observer)?;
                    measured_arrivals += u64::from(measuring);
                    if measured_arrivals >= request_limit {
                        end = time;
                        break;
                    }
                }
                Event::Completion { service, request } => {
                    self.complete(service, request, observer);
                }
            }
        }
        if !measuring {
            observer.on_measure_start(measure_start);
        }
        observer.on_end(end);
        Ok(RunOutcome {
            events: self.events_processed,
            measure_start,
            end,
        })
    }

    fn schedule_arrival(&mut self, id: SourceId) {
        let source = &mut self.sources[id.index()];
        let gap = source.gap.sample(&mut source.rng);
        self.events.push(self.now + gap, Event::Arrival(id));
    }

    fn arrive<O: Observer>(&mut self, id: SourceId, observer: &mut O) -> Result<(), RunError> {
        self.schedule_arrival(id);
        observer.on_source_arrival(self.now, id);
        let info = RequestInfo {
            source: id,
            born: self.now,
            in_system: false,
        };
        let Some(slot) = self.requests.insert(Request {
            info,
            entered: self.now,
        }) else {
            let queues = self.services.iter().map(|s| s.queue.len());
            let in_flight = self.requests.live() as u64 + 1;
            return Err(guard::in_flight_error(
                self.system,
                self.now,
                in_flight,
                queues,
            ));
        };
        let target = self.sources[id.index()].target;
        self.enter(target, slot, observer);
        Ok(())
    }

    /// Offers request `slot` to a service: a free worker, else the waiting room, else reject.
    fn enter<O: Observer>(&mut self, id: ServiceId, slot: u32, observer: &mut O) {
        let now = self.now;
        let request = &mut self.requests.slots[slot as usize];
        request.entered = now;
        let info = request.info;
        let service = &mut self.services[id.index()];
        if service.busy < service.workers {
            service.busy += 1;
            request.info.in_system = true;
            observer.on_admit(now, id, info, false);
            observer.on_start(now, id, SimDuration::ZERO, false);
            self.start(id, slot);
        } else if (service.queue.len() as u64) < u64::from(service.capacity) {
            service.queue.push_back(slot);
            request.info.in_system = true;
            observer.on_admit(now, id, info, true);
        } else {
            observer.on_reject(now, id, info);
            self.requests.remove(slot);
        }
    }

    fn start(&mut self, id: ServiceId, slot: u32) {
        let service = &mut self.services[id.index()];
        let duration = service.service_time.sample(&mut service.rng);
        self.events.push(
            self.now + duration,
            Event::Completion {
                service: id,
                request: slot,
            },
        );
    }

    fn complete<O: Observer>(&mut self, id: ServiceId, slot: u32, observer: &mut O) {
        let now = self.now;
        let request = self.requests.slots[slot as usize];
        observer.on_complete(now, id, now - request.entered);
        let service = &mut self.services[id.index()];
        let waiting = match service.discipline {
            Discipline::Fifo => service.queue.pop_front(),
            Discipline::Lifo => service.queue.pop_back(),
        };
        match waiting {
            Some(next) => {
                let entered = self.requests.slots[next as usize].entered;
                observer.on_start(now, id, now - entered, true);
                self.start(id, next);
            }
            None => service.busy -= 1,
        }
        match self.services[id.index()].route.next() {
            Some(to) => self.enter(to, slot, observer),
            None => {
                observer.on_exit(now, request.info);
                self.requests.remove(slot);
            }
        }
    }
}

impl RouteState {
    fn new(route: &Route, stream: impl FnOnce() -> Stream) -> RouteState {
        match route {
            Route::Exit => RouteState::Exit,
            Route::To(id) => RouteState::To(*id),
            Route::Split(branches) => {
                let mut total = 0.0;
                let cumulative = branches
                    .iter()
                    .map(|b| {
                        total += b.p;
                        (total, b.to)
                    })
                    .collect();
                RouteState::Split {
                    cumulative,
                    rng: stream(),
                }
            }
        }
    }

    /// The next service, or `None` to leave the system.
    #[inline]
    fn next(&mut self) -> Option<ServiceId> {
        match self {
            RouteState::Exit => None,
            RouteState::To(id) => Some(*id),
            RouteState::Split { cumulative, rng } => {
                let u = rng::unit(rng);
                cumulative.iter().find(|(c, _)| u < *c).map(|&(_, id)| id)
            }
        }
    }
}

impl Slab {
    fn new(capacity: usize, limit: usize) -> Slab {
        Slab {
            slots: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            limit,
        }
    }

    fn live(&self) -> usize {
        self.slots.len() - self.free.len()
    }

    /// Stores a request; `None` when `limit` requests are already alive.
    #[inline]
    fn insert(&mut self, request: Request) -> Option<u32> {
        if let Some(slot) = self.free.pop() {
            self.slots[slot as usize] = request;
            return Some(slot);
        }
        if self.slots.len() >= self.limit {
            return None;
        }
        self.slots.push(request);
        Some((self.slots.len() - 1) as u32)
    }

    #[inline]
    fn remove(&mut self, slot: u32) {
        self.free.push(slot);
    }
}
