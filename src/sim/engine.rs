//! The event loop and the context every state machine shares.
//!
//! Single-threaded and deterministic. Each concern is a state machine in its own file:
//! sources and closed-loop users (`source.rs`), services with their waiting rooms and
//! workers (`service.rs`), calls with their attempts, timers and backoffs (`call.rs`),
//! the steps that hand work on (`handoff.rs`), crashes and outages (`fault.rs`),
//! autoscalers (`autoscale.rs`) and the work in progress itself (`task.rs`).
//! Each adds its transitions to [`Sim`] in its own `impl` block and keeps its state in
//! its own type; what they share is the [`Context`]: the clock, the event list, the slabs
//! of tasks and calls, and the in-flight guard. The loop here pops events and hands each
//! to the state machine it belongs to.
//!
//! [`Sim`] is compiled twice: `LEAN` for models in which no service can fail or scale,
//! whose workers need not keep the tasks they hold and have no autoscaler to tell, and
//! the full path for the others. [`Engine`] picks one; the state machines are the same.

use super::autoscale::Autoscaler;
use super::call::Call;
use super::client::Caller;
use super::delivery::Message;
use super::event::{Event, EventQueue, MAX_BACKLOG, MAX_EVENTS};
use super::guard::{self, RunError};
use super::observer::Observer;
use super::rng::Streams;
use super::service::ServiceState;
use super::slab::Slab;
use super::source::SourceState;
use super::task::Task;
use super::ticks::Ticks;
use crate::model::{Horizon, ServiceId, SimDuration, SimTime, System};

/// What a finished run reports besides what its observer saw.
#[derive(Clone, Debug, PartialEq)]
pub struct RunOutcome {
    /// Events processed, warm-up included.
    pub events: u64,
    /// Start of the measured period (the end of the warm-up).
    pub measure_start: SimTime,
    /// End of the run: the horizon, or where a limit stopped it.
    pub end: SimTime,
    /// The limit that stopped the run before its horizon, if one did.
    pub stopped: Option<RunError>,
}

/// One replication of a system, ready to run.
#[derive(Debug)]
pub struct Engine<'a>(Path<'a>);

#[derive(Debug)]
enum Path<'a> {
    Lean(Sim<'a, true>),
    Full(Sim<'a, false>),
}

impl<'a> Engine<'a> {
    /// Prepares replication `replication` of `system`, after checking it is stable.
    pub fn new(system: &'a System, replication: u64) -> Result<Engine<'a>, RunError> {
        Ok(Engine(if is_lean(system) {
            Path::Lean(Sim::new(system, replication)?)
        } else {
            Path::Full(Sim::new(system, replication)?)
        }))
    }

    /// Runs to the horizon, reporting every state change to `observer` (see [`Sim::run`]).
    pub fn run<O: Observer>(self, observer: &mut O) -> Result<RunOutcome, RunError> {
        match self.0 {
            Path::Lean(sim) => sim.run(observer),
            Path::Full(sim) => sim.run(observer),
        }
    }
}

/// Whether `system` can take the lean path: no service can fail, scale or deliver messages.
pub(super) fn is_lean(system: &System) -> bool {
    (system.services().iter())
        .all(|s| !s.can_fail() && s.autoscale.is_none() && s.queue.delivery.is_none())
}

/// The engine proper, `LEAN` when [`is_lean`] holds for its system.
#[derive(Debug)]
pub(super) struct Sim<'a, const LEAN: bool> {
    pub(super) system: &'a System,
    pub(super) cx: Context,
    pub(super) sources: Vec<SourceState>,
    pub(super) services: Vec<ServiceState>,
    /// Policies with their state: one per source (by id), then one per call step.
    pub(super) callers: Vec<Caller>,
    events_processed: u64,
}

/// What every state machine shares: the clock, the event list, the work in progress and
/// the in-flight guard. Passed explicitly (as `self.cx`, or to a state's own methods).
#[derive(Debug)]
pub(super) struct Context {
    pub(super) now: SimTime,
    pub(super) events: EventQueue,
    pub(super) tasks: Slab<Task>,
    pub(super) calls: Slab<Call>,
    /// Messages at broker queues (see `delivery.rs`).
    pub(super) messages: Slab<Message>,
    pub(super) max_in_flight: usize,
    /// Nested hand-offs within the current event (see `Engine::enter`).
    pub(super) depth: u32,
    /// Set when an event passes `max_in_flight`, with the figures of that moment: the run
    /// stops once the event is over.
    pub(super) overflow: Option<RunError>,
}

/// Memory per pending event: its heap key, payload and free-list entry.
pub(crate) const BYTES_PER_EVENT: u64 = (size_of::<u128>() + size_of::<Event>() + 4) as u64;

/// Memory per request in flight at the limit: a task and a call slot with their free-list
/// entries, a queue place, a place among the tasks held by workers and a timer event.
pub(crate) const BYTES_PER_IN_FLIGHT: u64 =
    (size_of::<Task>() + size_of::<Call>() + 8 + 3 * 4 + 8) as u64 + BYTES_PER_EVENT;

/// Initial room for unbounded buffers; they grow (amortised) only while the model fills.
pub(super) const UNBOUNDED_START: usize = 1024;
/// The most slots any one buffer reserves before the run: beyond it buffers grow with use
/// (amortised, never per event once grown), so that a model with large bounds that it never
/// reaches (2,000 services with room for a million each) does not reserve gigabytes.
pub(super) const PREALLOCATE_MAX: usize = 1 << 16;

impl<'a, const LEAN: bool> Sim<'a, LEAN> {
    /// Prepares replication `replication` of `system`, after checking it is stable.
    pub(super) fn new(system: &'a System, replication: u64) -> Result<Sim<'a, LEAN>, RunError> {
        debug_assert!(
            !LEAN || is_lean(system),
            "a model that can fail or scale is not lean"
        );
        guard::check_stable(system)?;
        let streams = Streams::new(system.simulation().seed, replication);
        let mut callers = Vec::new();
        let sources: Vec<SourceState> = system
            .sources()
            .iter()
            .map(|s| SourceState::new(system, s, &streams, &mut callers))
            .collect();
        let max_in_flight = system.simulation().limits.max_in_flight.get() as usize;
        let services: Vec<ServiceState> = system
            .services()
            .iter()
            .map(|s| ServiceState::new(s, &streams, &mut callers, max_in_flight))
            .collect();
        // Every task is in some service, plus the one arrival being offered to a full one.
        let bounded: Option<usize> = system
            .services()
            .iter()
            .map(|s| Some(s.most_workers() as usize + s.queue.capacity? as usize))
            .sum::<Option<usize>>()
            .map(|places| places + 1);
        let room = bounded
            .unwrap_or(UNBOUNDED_START)
            .min(max_in_flight)
            .min(PREALLOCATE_MAX);
        let has_brokers = system.services().iter().any(|s| s.queue.delivery.is_some());
        // At most MAX_BACKLOG, checked by `check_stable`.
        // With random crashes, a worker also has a crash or restart timer pending.
        let lives = |s: &crate::model::ServiceSpec| {
            s.most_workers() as usize * (1 + usize::from(s.crashes.is_some()))
        };
        let pending = sources.len()
            + (system.services().iter())
                .map(|s| lives(s) + Autoscaler::most_pending(s))
                .sum::<usize>();
        // Pending events: an arrival per source, a work step per worker, one per caller,
        // and with timeouts a timer per piece of work in flight. A model with more pending
        // (long timeouts outliving their attempts) grows the list a few times, amortised.
        let timers = if callers.iter().any(|c| c.timeout.is_some()) {
            room
        } else {
            0
        };
        let events =
            EventQueue::with_capacity((pending + callers.len() + timers).min(4 * PREALLOCATE_MAX));
        Ok(Sim {
            system,
            cx: Context {
                now: SimTime::ZERO,
                events,
                tasks: Slab::with_capacity(room),
                calls: Slab::with_capacity(room),
                messages: Slab::with_capacity(if has_brokers { room } else { 0 }),
                max_in_flight,
                depth: 0,
                overflow: None,
            },
            sources,
            services,
            callers,
            events_processed: 0,
        })
    }

    /// Runs to the horizon, reporting every state change to `observer`. A limit that trips
    /// during the measured period (`max_in_flight`, `max_events`, the event backlog) ends
    /// the run there, and the outcome says so: what was measured until then is a result
    /// (a collapse is the most telling outcome). A limit that trips during the warm-up,
    /// with nothing measured, is an error.
    pub(super) fn run<O: Observer>(mut self, observer: &mut O) -> Result<RunOutcome, RunError> {
        let spec = self.system.simulation();
        let measure_start = SimTime::ZERO + spec.warmup;
        let (mut end, request_limit) = match spec.horizon {
            Horizon::Duration(d) => (measure_start + d, u64::MAX),
            Horizon::Requests(n) => (SimTime(u64::MAX), n.get()),
        };
        // The event list's sequence numbers have room for MAX_EVENTS.
        let max_events = spec.limits.max_events.get().min(MAX_EVENTS - 1);
        self.schedule_start();
        let mut measuring = false;
        let mut measured_requests = 0u64;
        let mut ticks = Ticks::new(measure_start, spec.horizon);
        // Before this instant nothing but the event itself happens: one comparison covers
        // the start of measurement, the ticks, the horizon and the end of representable time.
        let mut next_check = measure_start.min(end);
        let mut stopped = None;
        while let Some((time, event)) = self.cx.events.pop() {
            if time >= next_check {
                if time >= end {
                    // A request-count horizon (or one past 584 years) ends only with
                    // representable time: the clock has saturated.
                    if end.0 == u64::MAX {
                        return Err(RunError::EndOfTime);
                    }
                    break;
                }
                if !measuring {
                    observer.on_measure_start(measure_start);
                    measuring = true;
                }
                next_check = tick(&mut ticks, time, observer).min(end);
            }
            self.cx.now = time;
            if self.events_processed == max_events {
                stopped = Some(RunError::EventLimit {
                    at_secs: time.as_secs_f64(),
                    limit: max_events,
                });
                break;
            }
            self.events_processed += 1;
            match event {
                Event::Arrival(source) => {
                    self.arrive(source, observer);
                    measured_requests += u64::from(measuring);
                    if measured_requests >= request_limit {
                        end = time;
                        break;
                    }
                }
                Event::WorkDone(task) => self.work_done(task, observer),
                Event::Timeout { call, attempt } => self.timeout(call, attempt, observer),
                Event::Retry { call, attempt } => self.retry(call, attempt, observer),
                Event::Change { service, index } => self.change(service, index, observer),
                Event::Enter { service, task } => self.enter(service, task, observer),
                Event::Crash {
                    service,
                    life,
                    generation,
                } => self.crash_timer(service, life, generation, observer),
                Event::Restart {
                    service,
                    life,
                    generation,
                } => self.restart_timer(service, life, generation, observer),
                Event::ScaleDecision(service) => self.scale_decision(service, observer),
                Event::Visibility { message, receive } => {
                    self.visibility_lapsed(message, receive, observer);
                }
                Event::ScaleReady { service, workers } => {
                    self.scale_ready(service, workers, observer);
                }
            }
            if let Err(error) = self.check_limits() {
                stopped = Some(error);
                break;
            }
        }
        // The last arrival (with a request-count horizon) may have passed the limit.
        stopped = stopped.or_else(|| self.cx.overflow.take());
        if let Some(error) = &stopped {
            if !measuring {
                return Err(error.clone());
            }
            end = self.cx.now;
        }
        if !measuring {
            observer.on_measure_start(measure_start);
        }
        observer.on_end(end);
        Ok(RunOutcome {
            events: self.events_processed,
            measure_start,
            end,
            stopped,
        })
    }

    /// Stops the run once an event has passed the in-flight limit or left too many events
    /// pending. Checked between events, so the hot path never returns errors.
    #[inline(always)]
    fn check_limits(&mut self) -> Result<(), RunError> {
        if self.cx.overflow.is_some() || self.cx.events.crowded() {
            return Err(self.limit_error());
        }
        Ok(())
    }

    #[cold]
    fn limit_error(&mut self) -> RunError {
        self.cx.overflow.take().unwrap_or(RunError::EventBacklog {
            at_secs: self.cx.now.as_secs_f64(),
            limit: MAX_BACKLOG as u64,
        })
    }

    /// Trips the in-flight guard (once), naming the longest queue as it is at this moment.
    #[cold]
    #[inline(never)]
    pub(super) fn trip_in_flight(&mut self) {
        if self.cx.overflow.is_none() {
            let queues = self.services.iter().map(|s| s.queue.len());
            let in_flight = self.cx.tasks.live() as u64 + 1;
            let error = guard::in_flight_error(self.system, self.cx.now, in_flight, queues);
            self.cx.overflow = Some(error);
        }
    }

    /// First arrivals, closed-loop users (each after one think time), service changes and
    /// first crashes.
    fn schedule_start(&mut self) {
        for (i, source) in self.sources.iter_mut().enumerate() {
            source.schedule_start(i, &mut self.cx);
        }
        for (i, service) in self.system.services().iter().enumerate() {
            for (index, change) in service.schedule.iter().enumerate() {
                let service = ServiceId(i as u32);
                let index = index as u32;
                self.cx
                    .events
                    .push(SimTime::ZERO + change.at, Event::Change { service, index });
            }
        }
        self.schedule_crashes();
        self.schedule_autoscalers();
    }
}

impl Context {
    /// Schedules `event` after `delay` from now.
    #[inline(always)]
    pub(super) fn after(&mut self, delay: SimDuration, event: Event) {
        self.events.push(self.now + delay, event);
    }
}

/// Calls `on_tick` for every tick due by `now` and returns the next one. Out of line and
/// cold: it runs ten times a run, and inlined into the event loop it cost M/M/1 about 2%
/// of its instructions per request (register pressure on the loop).
#[cold]
#[inline(never)]
fn tick<O: Observer>(ticks: &mut Ticks, now: SimTime, observer: &mut O) -> SimTime {
    while let Some(at) = ticks.due(now) {
        observer.on_tick(at);
    }
    ticks.next()
}
