//! The event loop: clients send requests, services queue and serve them step by step,
//! callers time out and retry, routes and messages move work on.
//!
//! Single-threaded and deterministic. Components are addressed by index; calls (a caller's
//! logical request, with its attempts) and tasks (one piece of work travelling through
//! services) live in slabs whose slots are reused, and buffers are sized from the model's
//! bounds up front, so the steady state allocates nothing per event.

use std::collections::VecDeque;

use super::client::{Caller, Outcome};
use super::event::{Event, EventQueue, MAX_EVENTS, MAX_PENDING};
use super::guard::{self, RunError};
use super::load::Load;
use super::observer::Observer;
use super::rng::{self, Sampler, Stream, Streams};
use super::slab::Slab;
use super::ticks::Ticks;
use crate::model::{
    Discipline, Horizon, Route, ServiceId, SimDuration, SimTime, SourceId, SourceSpec, Step, System,
};

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
pub struct Engine<'a> {
    system: &'a System,
    events: EventQueue,
    tasks: Slab<Task>,
    calls: Slab<Call>,
    sources: Vec<SourceState>,
    services: Vec<ServiceState>,
    /// Policies with their state: one per source (by id), then one per call step.
    callers: Vec<Caller>,
    now: SimTime,
    events_processed: u64,
    next_token: u64,
    max_in_flight: usize,
    /// Nested hand-offs within the current event (see `enter`).
    depth: u32,
    /// Set when an event passes `max_in_flight`, with the figures of that moment: the run
    /// stops once the event is over.
    overflow: Option<RunError>,
}

/// Marks "no task" or "no call".
const NONE: u32 = u32::MAX;
/// Most messages one publish step may emit for one request.
const MAX_FANOUT: u64 = 1_000_000;
/// Nested hand-offs (a route, call or publish that takes no time, entering a service whose
/// steps take no time either, and so on) handled within one event before the next one is
/// deferred to the event list at the same instant: keeps the stack shallow on any model.
const MAX_DEPTH: u32 = 256;

#[derive(Debug)]
struct SourceState {
    target: ServiceId,
    /// Its requests skip the call record: no timeout, no retries, and no service on any
    /// route from `target` has a call or publish step. The commonest model, and the fast path.
    plain: bool,
    load: Load,
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
    steps: Box<[StepState]>,
    route: RouteState,
    error_rate: f64,
    slowdown: f64,
    drop_expired: bool,
    /// Set while `fill_workers` runs for this service, so nested calls leave it to the loop.
    filling: bool,
    work_rng: Stream,
    error_rng: Stream,
    fanout_rng: Stream,
}

#[derive(Debug)]
enum StepState {
    Work(Sampler),
    Call {
        to: ServiceId,
        caller: u32,
    },
    Publish {
        to: ServiceId,
        fanout: Option<Sampler>,
    },
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

/// One piece of work: a client's or caller's attempt, or an asynchronous message.
#[derive(Clone, Copy, Debug)]
struct Task {
    owner: Owner,
    service: ServiceId,
    step: u32,
    /// When it reached its current service.
    entered: SimTime,
    /// The duration of its current work step.
    work: SimDuration,
    /// Its caller gave up on it: whatever is done for it from now on is wasted.
    abandoned: bool,
    /// When its caller gave up.
    abandoned_at: SimTime,
}

/// A caller's logical request to a service, over one or more attempts.
#[derive(Clone, Copy, Debug)]
struct Call {
    origin: Origin,
    caller: u32,
    target: ServiceId,
    attempts: u32,
    /// The outstanding attempt; `NONE` between attempts.
    task: u32,
    /// Identifies the current attempt, so stale timers can be told apart.
    token: u64,
    born: SimTime,
    last_sleep: SimDuration,
    /// The client request this call serves (itself, for a client request).
    root: u32,
    /// Client requests only: tasks alive on its behalf (attempts, abandoned ones included,
    /// calls' attempts and messages), messages among them, whether any message was sent,
    /// and whether the client has its answer. The slot lives until it is answered and no
    /// task refers to it.
    tasks: u32,
    messages: u32,
    had_async: bool,
    answered: bool,
    async_reported: bool,
    /// When the last message so far finished.
    last_message_done: SimTime,
}

/// Whom a task works for.
#[derive(Clone, Copy, Debug)]
enum Owner {
    /// An attempt of call `call`, on behalf of client request `root` (a call slot too).
    Attempt { call: u32, root: u32 },
    /// An asynchronous message published on behalf of client request `root`.
    Message { root: u32 },
    /// The one attempt of a plain request (see `SourceState::plain`), which needs no call
    /// record: it cannot time out or retry, and nothing it meets calls or publishes.
    Plain { source: SourceId, born: SimTime },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Origin {
    Source(SourceId),
    /// A task blocked in a call step, waiting for this call.
    Task(u32),
}

/// Memory per pending event: its heap key, payload and free-list entry.
pub(crate) const BYTES_PER_EVENT: u64 = (size_of::<u128>() + size_of::<Event>() + 4) as u64;

/// Memory per request in flight at the limit: a task and a call slot with their free-list
/// entries, a queue place and a timer event.
pub(crate) const BYTES_PER_IN_FLIGHT: u64 =
    (size_of::<Task>() + size_of::<Call>() + 3 * 4) as u64 + BYTES_PER_EVENT;

/// Initial room for unbounded buffers; they grow (amortised) only while the model fills.
const UNBOUNDED_START: usize = 1024;
/// The most slots any one buffer reserves before the run: beyond it buffers grow with use
/// (amortised, never per event once grown), so that a model with large bounds that it never
/// reaches (2,000 services with room for a million each) does not reserve gigabytes.
const PREALLOCATE_MAX: usize = 1 << 16;

impl<'a> Engine<'a> {
    /// Prepares replication `replication` of `system`, after checking it is stable.
    pub fn new(system: &'a System, replication: u64) -> Result<Engine<'a>, RunError> {
        guard::check_stable(system)?;
        let streams = Streams::new(system.simulation().seed, replication);
        let mut callers = Vec::new();
        let sources: Vec<SourceState> = system
            .sources()
            .iter()
            .map(|s| {
                let component = format!("source:{}", s.name);
                callers.push(Caller::new(&s.client, streams.get(&component, "retry")));
                SourceState {
                    target: s.target,
                    plain: is_plain(system, s),
                    load: Load::new(&s.arrivals),
                    rng: streams.get(&component, "arrivals"),
                }
            })
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
            .map(|s| Some(s.workers.get() as usize + s.queue.capacity? as usize))
            .sum::<Option<usize>>()
            .map(|places| places + 1);
        let room = bounded
            .unwrap_or(UNBOUNDED_START)
            .min(max_in_flight)
            .min(PREALLOCATE_MAX);
        // At most MAX_PENDING / 2, checked by `check_stable`.
        let pending = sources.len() + services.iter().map(|s| s.workers as usize).sum::<usize>();
        // Pending events: an arrival per source, a work step per worker, one per caller,
        // and with timeouts a timer per piece of work in flight. A model with more pending
        // (long timeouts outliving their attempts) grows the list a few times, amortised.
        let timers = if callers.iter().any(|c| c.timeout.is_some()) {
            room
        } else {
            0
        };
        Ok(Engine {
            system,
            events: EventQueue::with_capacity(
                (pending + callers.len() + timers).min(4 * PREALLOCATE_MAX),
            ),
            tasks: Slab::with_capacity(room),
            calls: Slab::with_capacity(room),
            sources,
            services,
            callers,
            now: SimTime::ZERO,
            events_processed: 0,
            next_token: 0,
            max_in_flight,
            depth: 0,
            overflow: None,
        })
    }

    /// Runs to the horizon, reporting every state change to `observer`. A limit that trips
    /// during the measured period (`max_in_flight`, `max_events`, the event backlog) ends
    /// the run there, and the outcome says so: what was measured until then is a result
    /// (a collapse is the most telling outcome). A limit that trips during the warm-up,
    /// with nothing measured, is an error.
    pub fn run<O: Observer>(mut self, observer: &mut O) -> Result<RunOutcome, RunError> {
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
        while let Some((time, event)) = self.events.pop() {
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
            self.now = time;
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
                Event::Timeout { call, token } => self.timeout(call, token, observer),
                Event::Retry { call, token } => self.retry(call, token, observer),
                Event::Change { service, index } => self.change(service, index, observer),
                Event::Enter { service, task } => self.enter(service, task, observer),
            }
            if let Err(error) = self.check_limits() {
                stopped = Some(error);
                break;
            }
        }
        // The last arrival (with a request-count horizon) may have passed the limit.
        stopped = stopped.or_else(|| self.overflow.take());
        if let Some(error) = &stopped {
            if !measuring {
                return Err(error.clone());
            }
            end = self.now;
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
        if self.overflow.is_some() || self.events.len() > MAX_PENDING / 2 {
            return Err(self.limit_error());
        }
        Ok(())
    }

    #[cold]
    fn limit_error(&mut self) -> RunError {
        self.overflow.take().unwrap_or(RunError::EventBacklog {
            at_secs: self.now.as_secs_f64(),
            limit: (MAX_PENDING / 2) as u64,
        })
    }

    /// Trips the in-flight guard (once), naming the longest queue as it is at this moment.
    #[cold]
    #[inline(never)]
    fn trip_in_flight(&mut self) {
        if self.overflow.is_none() {
            let queues = self.services.iter().map(|s| s.queue.len());
            let in_flight = self.tasks.live() as u64 + 1;
            let error = guard::in_flight_error(self.system, self.now, in_flight, queues);
            self.overflow = Some(error);
        }
    }

    /// First arrivals, closed-loop users (each after one think time) and service changes.
    fn schedule_start(&mut self) {
        for (i, source) in self.sources.iter_mut().enumerate() {
            let id = SourceId(i as u32);
            if let Some(first) = source.load.next_after(SimTime::ZERO, &mut source.rng) {
                self.events.push(first, Event::Arrival(id));
            }
            if let Load::Closed { users, .. } = source.load {
                for _ in 0..users {
                    let think = source.load.think(&mut source.rng).unwrap_or_default();
                    self.events.push(SimTime::ZERO + think, Event::Arrival(id));
                }
            }
        }
        for (i, service) in self.system.services().iter().enumerate() {
            for (index, change) in service.schedule.iter().enumerate() {
                let service = ServiceId(i as u32);
                let index = index as u32;
                self.events
                    .push(SimTime::ZERO + change.at, Event::Change { service, index });
            }
        }
    }

    // ----- clients and callers -------------------------------------------------------------

    #[inline(always)]
    fn arrive<O: Observer>(&mut self, id: SourceId, o: &mut O) {
        let source = &mut self.sources[id.index()];
        if let Some(next) = source.load.next_after(self.now, &mut source.rng) {
            self.events.push(next, Event::Arrival(id));
        }
        o.on_request(self.now, id);
        let (target, plain) = (source.target, source.plain);
        if plain {
            o.on_attempt(self.now, id, 1);
            let born = self.now;
            let task = self.new_task(Owner::Plain { source: id, born });
            return self.enter(target, task, o);
        }
        let call = self.open_call(Origin::Source(id), id.0, target, NONE);
        self.send_attempt(call, o);
    }

    /// A new call; `root` is `NONE` for a client request, which is its own root.
    #[inline(always)]
    fn open_call(&mut self, origin: Origin, caller: u32, target: ServiceId, root: u32) -> u32 {
        if self.calls.full(self.max_in_flight) {
            self.trip_in_flight();
        }
        self.callers[caller as usize].on_request();
        let call = self.calls.insert(Call {
            origin,
            caller,
            target,
            attempts: 0,
            task: NONE,
            token: 0,
            born: self.now,
            last_sleep: SimDuration::ZERO,
            root,
            tasks: 0,
            messages: 0,
            had_async: false,
            answered: false,
            async_reported: false,
            last_message_done: SimTime::ZERO,
        });
        if root == NONE {
            self.calls[call].root = call;
        }
        call
    }

    #[inline(always)]
    fn send_attempt<O: Observer>(&mut self, id: u32, o: &mut O) {
        let token = self.next_token;
        self.next_token += 1;
        let call = &mut self.calls[id];
        call.attempts += 1;
        call.token = token;
        let (origin, attempts, caller) = (call.origin, call.attempts, call.caller);
        let (root, target) = (call.root, call.target);
        if let Origin::Source(source) = origin {
            o.on_attempt(self.now, source, attempts);
        }
        if let Some(timeout) = self.callers[caller as usize].timeout {
            let event = Event::Timeout { call: id, token };
            self.events.push(self.now + timeout, event);
        }
        let task = self.new_task(Owner::Attempt { call: id, root });
        self.calls[id].task = task;
        self.enter(target, task, o);
    }

    fn timeout<O: Observer>(&mut self, id: u32, token: u64, o: &mut O) {
        let call = self.calls[id];
        if call.token != token || call.task == NONE {
            return; // answered already, or a stale timer of a freed slot
        }
        let task = &mut self.tasks[call.task];
        task.abandoned = true;
        task.abandoned_at = self.now;
        self.calls[id].task = NONE;
        o.on_timeout(self.now, call.target);
        self.attempt_ended(id, Outcome::TimedOut, o);
    }

    fn retry<O: Observer>(&mut self, id: u32, token: u64, o: &mut O) {
        if self.calls[id].token == token {
            self.send_attempt(id, o);
        }
    }

    /// The current attempt of call `id` ended: retry after a backoff, or settle the call.
    #[inline(always)]
    fn attempt_ended<O: Observer>(&mut self, id: u32, outcome: Outcome, o: &mut O) {
        let call = &self.calls[id];
        let (attempts, token, last_sleep) = (call.attempts, call.token, call.last_sleep);
        let caller = &mut self.callers[call.caller as usize];
        if outcome != Outcome::Success && caller.should_retry(outcome, attempts) {
            let mut last = last_sleep;
            let sleep = caller.backoff(attempts, &mut last);
            self.calls[id].last_sleep = last;
            let event = Event::Retry { call: id, token };
            self.events.push(self.now + sleep, event);
            return;
        }
        self.call_done(id, outcome, o);
    }

    #[inline(always)]
    fn call_done<O: Observer>(&mut self, id: u32, outcome: Outcome, o: &mut O) {
        let call = &self.calls[id];
        match call.origin {
            Origin::Source(source) => {
                self.answer(source, call.born, outcome, call.attempts, o);
                self.calls[id].answered = true;
                self.report_async(id, o);
                self.release_root(id);
            }
            Origin::Task(parent) => {
                self.calls.remove(id);
                self.resume(parent, outcome, o);
            }
        }
    }

    /// A task blocked in a call step has the call's final outcome: it carries on with its
    /// next step, or fails. Out of line: it cuts the recursion through `end_service`.
    #[inline(never)]
    fn resume<O: Observer>(&mut self, task: u32, outcome: Outcome, o: &mut O) {
        if outcome == Outcome::Success {
            self.tasks[task].step += 1;
            self.run_steps(task, o);
        } else {
            self.end_service(task, true, o);
        }
    }

    /// A source's request has its final answer; a closed-loop user starts thinking.
    #[inline(always)]
    fn answer<O: Observer>(
        &mut self,
        source: SourceId,
        born: SimTime,
        outcome: Outcome,
        attempts: u32,
        o: &mut O,
    ) {
        o.on_request_done(self.now, source, outcome, attempts, self.now - born);
        let state = &mut self.sources[source.index()];
        if let Some(think) = state.load.think(&mut state.rng) {
            self.events.push(self.now + think, Event::Arrival(source));
        }
    }

    /// Reports, once, when a client request's asynchronous work is all done: as soon as it
    /// is answered and no message is in flight, timed at the last message's end. Messages
    /// published later (by an abandoned attempt still running) do not report again.
    #[inline(always)]
    fn report_async<O: Observer>(&mut self, root: u32, o: &mut O) {
        let call = &self.calls[root];
        if call.answered && call.had_async && !call.async_reported && call.messages == 0 {
            if let Origin::Source(source) = call.origin {
                o.on_async_done(self.now, source, call.last_message_done - call.born);
            }
            self.calls[root].async_reported = true;
        }
    }

    /// Frees a client request once it is answered and no task refers to it.
    #[inline(always)]
    fn release_root(&mut self, root: u32) {
        let call = &self.calls[root];
        if call.answered && call.tasks == 0 {
            self.calls.remove(root);
        }
    }

    /// Removes a task, and its client request if that was the last thing keeping it.
    #[inline(always)]
    fn remove_task(&mut self, task: u32) {
        let owner = self.tasks[task].owner;
        self.tasks.remove(task);
        if let Owner::Attempt { root, .. } | Owner::Message { root } = owner {
            self.calls[root].tasks -= 1;
            self.release_root(root);
        }
    }

    // ----- services --------------------------------------------------------------------------

    /// A new task working for `owner`. Passing `max_in_flight` trips the guard, which stops
    /// the run after this event.
    #[inline(always)]
    fn new_task(&mut self, owner: Owner) -> u32 {
        if self.tasks.full(self.max_in_flight) {
            self.trip_in_flight();
        }
        if let Owner::Attempt { root, .. } | Owner::Message { root } = owner {
            self.calls[root].tasks += 1;
        }
        self.tasks.insert(Task {
            owner,
            service: ServiceId(0),
            step: 0,
            entered: self.now,
            work: SimDuration::ZERO,
            abandoned: false,
            abandoned_at: SimTime::ZERO,
        })
    }

    /// Whether service `id` would admit work now.
    fn has_room(&self, id: ServiceId) -> bool {
        let s = &self.services[id.index()];
        s.busy < s.workers || (s.queue.len() as u64) < u64::from(s.capacity)
    }

    /// Offers a task to a service, now or, when hand-offs are nested too deeply, through an
    /// event at the same instant.
    #[inline(always)]
    fn enter<O: Observer>(&mut self, id: ServiceId, task: u32, o: &mut O) {
        if self.depth >= MAX_DEPTH {
            self.events
                .push(self.now, Event::Enter { service: id, task });
            return;
        }
        self.depth += 1;
        self.enter_now(id, task, o);
        self.depth -= 1;
    }

    /// Offers a task to a service: a free worker, else the waiting room, else reject.
    #[inline(always)]
    fn enter_now<O: Observer>(&mut self, id: ServiceId, task: u32, o: &mut O) {
        let t = &mut self.tasks[task];
        t.service = id;
        t.step = 0;
        t.entered = self.now;
        let service = &mut self.services[id.index()];
        if service.busy < service.workers {
            service.busy += 1;
            o.on_admit(self.now, id, false);
            if !self.begin(id, task, false, o) {
                self.release_worker(id, o);
            }
        } else if (service.queue.len() as u64) < u64::from(service.capacity) {
            service.queue.push_back(task);
            o.on_admit(self.now, id, true);
        } else {
            o.on_reject(self.now, id);
            self.finish_task(task, Outcome::Rejected, o);
        }
    }

    /// A worker, already counted busy, takes `task` and starts its steps; or drops it, if
    /// its caller is gone and the service drops expired work, and returns `false`: the
    /// worker is then free, and the caller releases it.
    #[inline(always)]
    fn begin<O: Observer>(&mut self, id: ServiceId, task: u32, queued: bool, o: &mut O) -> bool {
        let t = &self.tasks[task];
        let waited = self.now - t.entered;
        if t.abandoned && self.services[id.index()].drop_expired {
            o.on_drop(self.now, id, waited, queued);
            self.remove_task(task);
            return false;
        }
        o.on_start(self.now, id, waited, queued);
        self.run_steps(task, o);
        true
    }

    #[inline(always)]
    fn release_worker<O: Observer>(&mut self, id: ServiceId, o: &mut O) {
        let service = &mut self.services[id.index()];
        service.busy -= 1;
        if !service.queue.is_empty() {
            self.fill_workers(id, o);
        }
    }

    /// Free workers take queued work. Re-entrant calls (work that ends at once) return
    /// immediately and leave the outer loop to carry on, so the stack stays shallow.
    #[inline(always)]
    fn fill_workers<O: Observer>(&mut self, id: ServiceId, o: &mut O) {
        if self.services[id.index()].filling {
            return;
        }
        self.services[id.index()].filling = true;
        loop {
            let service = &mut self.services[id.index()];
            if service.busy >= service.workers {
                break;
            }
            let next = match service.discipline {
                Discipline::Fifo => service.queue.pop_front(),
                Discipline::Lifo => service.queue.pop_back(),
            };
            let Some(task) = next else {
                break;
            };
            service.busy += 1;
            if !self.begin(id, task, true, o) {
                self.services[id.index()].busy -= 1;
            }
        }
        self.services[id.index()].filling = false;
    }

    /// Runs the task's steps from its current one until one takes time or waits. A work
    /// step, the usual case, starts right here; anything else goes to `run_other_steps`.
    #[inline(always)]
    fn run_steps<O: Observer>(&mut self, task: u32, o: &mut O) {
        let t = &self.tasks[task];
        let service = &mut self.services[t.service.index()];
        match service.steps.get(t.step as usize) {
            Some(StepState::Work(sampler)) => {
                let work = draw_work(sampler, &mut service.work_rng, service.slowdown);
                self.start_work(task, work);
            }
            _ => self.run_other_steps(task, o),
        }
    }

    /// The task's current work step takes `work`: its end is scheduled.
    #[inline(always)]
    fn start_work(&mut self, task: u32, work: SimDuration) {
        self.tasks[task].work = work;
        self.events.push(self.now + work, Event::WorkDone(task));
    }

    /// `run_steps` for the other steps: calls, publishes, the end of the steps, and work
    /// that follows a publish. One of the two places (with `resume`) where the mutual
    /// recursion of hand-offs is cut, so that everything between them inlines.
    #[inline(never)]
    fn run_other_steps<O: Observer>(&mut self, task: u32, o: &mut O) {
        loop {
            let t = &self.tasks[task];
            let (owner, step) = (t.owner, t.step as usize);
            let service = &mut self.services[t.service.index()];
            let next = match service.steps.get(step) {
                None => None,
                Some(StepState::Work(sampler)) => {
                    let work = draw_work(sampler, &mut service.work_rng, service.slowdown);
                    return self.start_work(task, work);
                }
                Some(StepState::Call { to, caller }) => Some((*to, Some(*caller), 0)),
                Some(StepState::Publish { to, fanout }) => {
                    let count = fanout
                        .as_ref()
                        .map_or(1, |f| count(f.sample(&mut service.fanout_rng)));
                    Some((*to, None, count))
                }
            };
            match next {
                None => return self.end_service(task, false, o),
                Some((to, Some(caller), _)) => {
                    let root = client_request(owner);
                    let call = self.open_call(Origin::Task(task), caller, to, root);
                    return self.send_attempt(call, o);
                }
                Some((to, None, count)) => {
                    let root = client_request(owner);
                    for _ in 0..count {
                        if self.overflow.is_some() {
                            return; // the run stops after this event
                        }
                        if !self.publish(root, to, o) {
                            return self.end_service(task, true, o);
                        }
                    }
                    self.tasks[task].step += 1;
                }
            }
        }
    }

    /// Hands one message for client request `root` to service `to`; `false` if refused.
    fn publish<O: Observer>(&mut self, root: u32, to: ServiceId, o: &mut O) -> bool {
        let accepted = self.has_room(to);
        let message = self.new_task(Owner::Message { root });
        let r = &mut self.calls[root];
        r.messages += 1;
        r.had_async = true;
        self.enter(to, message, o);
        accepted
    }

    #[inline(always)]
    fn work_done<O: Observer>(&mut self, task: u32, o: &mut O) {
        let t = &mut self.tasks[task];
        if t.abandoned {
            // Only the part of the step after the caller gave up is wasted.
            let started = self.now.0.saturating_sub(t.work.0);
            let wasted_from = SimTime(started.max(t.abandoned_at.0));
            o.on_wasted(self.now, t.service, self.now - wasted_from);
        }
        t.step += 1;
        // Straight to the end when that was the last step (the usual single work step).
        if t.step as usize == self.services[t.service.index()].steps.len() {
            self.end_service(task, false, o);
        } else {
            self.run_steps(task, o);
        }
    }

    /// The worker is done with `task`: it fails (an error of its own, or of a step), or
    /// moves on along the route.
    #[inline(always)]
    fn end_service<O: Observer>(&mut self, task: u32, failed: bool, o: &mut O) {
        // Field by field, not a copy of the task: its step was just written, and a wide
        // load over a fresh narrow store stalls store forwarding.
        let (id, entered) = (self.tasks[task].service, self.tasks[task].entered);
        let service = &mut self.services[id.index()];
        let failed = failed
            || (service.error_rate > 0.0 && rng::unit(&mut service.error_rng) < service.error_rate);
        o.on_complete(self.now, id, self.now - entered, failed);
        self.release_worker(id, o);
        if failed {
            return self.finish_task(task, Outcome::Failed, o);
        }
        match self.services[id.index()].route.next() {
            Some(next) => self.enter(next, task, o),
            None => self.finish_task(task, Outcome::Success, o),
        }
    }

    /// A task leaves the system with `outcome`: answer its caller, or count a message done.
    #[inline(always)]
    fn finish_task<O: Observer>(&mut self, task: u32, outcome: Outcome, o: &mut O) {
        let (owner, abandoned) = (self.tasks[task].owner, self.tasks[task].abandoned);
        match owner {
            Owner::Plain { source, born } => {
                self.answer(source, born, outcome, 1, o);
                self.remove_task(task);
            }
            Owner::Message { root } => {
                let r = &mut self.calls[root];
                r.messages -= 1;
                r.last_message_done = self.now;
                self.report_async(root, o);
                self.remove_task(task);
            }
            // Nobody is waiting for it any more.
            Owner::Attempt { .. } if abandoned => self.remove_task(task),
            Owner::Attempt { call, .. } => {
                // The client request outlives this task only if something else still
                // refers to it, so settle the call before the task goes.
                self.calls[call].task = NONE;
                self.attempt_ended(call, outcome, o);
                self.remove_task(task);
            }
        }
    }

    fn change<O: Observer>(&mut self, id: ServiceId, index: u32, o: &mut O) {
        let change = self.system.service(id).schedule[index as usize];
        let service = &mut self.services[id.index()];
        if let Some(factor) = change.slowdown {
            service.slowdown = factor;
        }
        if let Some(p) = change.error_rate {
            service.error_rate = p;
        }
        if let Some(workers) = change.workers {
            service.workers = workers;
            o.on_workers(self.now, id, workers);
            self.fill_workers(id, o);
        }
    }
}

/// The client request a task works for. Plain requests never reach a call or publish
/// step, the only places that ask.
#[inline]
fn client_request(owner: Owner) -> u32 {
    match owner {
        Owner::Attempt { root, .. } | Owner::Message { root } => root,
        Owner::Plain { .. } => unreachable!("a plain request met a call or publish step"),
    }
}

/// Whether `source`'s requests are plain: the client never times out or retries, and no
/// service a request can be routed to calls or publishes (which would need the request's
/// call record to track the work it causes).
pub(super) fn is_plain(system: &System, source: &SourceSpec) -> bool {
    let client = &source.client;
    if client.timeout.is_some() || client.retry.max_attempts.get() > 1 {
        return false;
    }
    let mut seen = vec![false; system.services().len()];
    let mut stack = vec![source.target];
    while let Some(id) = stack.pop() {
        if std::mem::replace(&mut seen[id.index()], true) {
            continue;
        }
        let service = system.service(id);
        if service.step_targets().next().is_some() {
            return false;
        }
        stack.extend(service.route.branches().into_iter().map(|(to, _)| to));
    }
    true
}

/// A work step's duration: drawn, then stretched by the service's slowdown factor.
#[inline(always)]
fn draw_work(sampler: &Sampler, rng: &mut Stream, slowdown: f64) -> SimDuration {
    let work = sampler.sample(rng);
    if slowdown == 1.0 {
        work
    } else {
        SimDuration((work.0 as f64 * slowdown + 0.5) as u64)
    }
}

/// A fan-out draw (in the distribution's unit, here nanoseconds per "second") as a count.
fn count(drawn: SimDuration) -> u64 {
    ((drawn.0 as f64 / 1e9).round() as u64).min(MAX_FANOUT)
}

impl ServiceState {
    fn new(
        spec: &crate::model::ServiceSpec,
        streams: &Streams,
        callers: &mut Vec<Caller>,
        max_in_flight: usize,
    ) -> ServiceState {
        let component = format!("service:{}", spec.name);
        let steps = spec
            .steps
            .iter()
            .enumerate()
            .map(|(k, step)| match step {
                Step::Work(dist) => StepState::Work(Sampler::new(dist)),
                Step::Call { to, policy } => {
                    let rng = streams.get(&component, &format!("call{k}:retry"));
                    callers.push(Caller::new(policy, rng));
                    StepState::Call {
                        to: *to,
                        caller: (callers.len() - 1) as u32,
                    }
                }
                Step::Publish { to, fanout } => StepState::Publish {
                    to: *to,
                    fanout: fanout.as_ref().map(Sampler::new),
                },
            })
            .collect();
        ServiceState {
            workers: spec.workers.get(),
            busy: 0,
            capacity: spec.queue.capacity.unwrap_or(u32::MAX),
            discipline: spec.queue.discipline,
            queue: VecDeque::with_capacity(
                spec.queue
                    .capacity
                    .map_or(UNBOUNDED_START, |c| c as usize)
                    .min(max_in_flight)
                    .min(PREALLOCATE_MAX),
            ),
            steps,
            route: RouteState::new(&spec.route, || streams.get(&component, "route")),
            error_rate: spec.error_rate,
            slowdown: 1.0,
            drop_expired: spec.drop_expired,
            filling: false,
            work_rng: streams.get(&component, "service_time"),
            error_rng: streams.get(&component, "errors"),
            fanout_rng: streams.get(&component, "fanout"),
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
