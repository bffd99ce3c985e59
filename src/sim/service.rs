//! Services: a waiting room, workers and the tasks they hold, the admission rule, and the
//! steps a worker runs (work steps here; calls and publishes in `handoff.rs`).

use std::collections::VecDeque;

use super::autoscale::Autoscaler;
use super::client::{Caller, Outcome};
use super::engine::{PREALLOCATE_MAX, Sim, UNBOUNDED_START};
use super::event::Event;
use super::fault::Faults;
use super::observer::Observer;
use super::rng::{self, Sampler, Stream, Streams};
use super::slab::Slab;
use super::task::{Task, TaskId};
use crate::model::{
    Delivery, Discipline, Idempotence, Overflow, PartitionMode, Route, ServiceId, ServiceSpec,
    SimDuration, SimTime, Step,
};

#[derive(Debug)]
pub(super) struct ServiceState {
    /// Workers that can serve now: those configured, less those down.
    pub(super) workers: u32,
    /// Arriving work starts at once while fewer than this are busy: `workers`, or 0 while a
    /// partition cuts the service off or its broker is down, so that the admission rule's first comparison sends
    /// all work to the slower branches then and costs nothing more otherwise.
    admit_below: u32,
    /// Workers as the model and its schedule set them.
    pub(super) configured: u32,
    /// Configured workers that are down (crashed).
    pub(super) down: u32,
    /// Workers busy.
    pub(super) busy: u32,
    /// Waiting room; `u32::MAX` when unbounded (the in-flight guard bounds it in practice).
    capacity: u32,
    discipline: Discipline,
    pub(super) queue: VecDeque<TaskId>,
    /// The tasks its workers hold (each knows its place here, `Task::held_at`), kept when
    /// the service can lose them (`faults`); others only count them (`busy`), which is all
    /// their admission needs, and saves M/M/1 about 2% of its instructions.
    pub(super) held: Vec<TaskId>,
    /// Crashes and outages, when the service can fail.
    pub(super) faults: Option<Box<Faults>>,
    /// The autoscaler, when the service has one; its tally follows every change of busy
    /// workers, waiting work and workers up.
    pub(super) autoscale: Option<Box<Autoscaler>>,
    /// The waiting room's delivery guarantee, when it is a broker's queue.
    pub(super) delivery: Option<Delivery>,
    /// What the broker's queue does with a message when full.
    pub(super) overflow: Overflow,
    /// Its consumers' memory of the messages they processed, when idempotent.
    pub(super) idempotent: Option<Idempotence>,
    /// Messages its consumers processed for the first time (or again, once forgotten):
    /// the clock of a window counted in messages.
    pub(super) remembered: u64,
    /// Down with its queue lost, or its broker down: arrivals are refused.
    pub(super) refusing: bool,
    /// Its broker is down: consumers take nothing (and `refusing` is set).
    pub(super) broker_down: bool,
    /// When, within each `persistence` interval, an at-most-once broker syncs its log:
    /// drawn once per run, as a broker's phase is unrelated to anything modelled.
    pub(super) sync_phase: SimDuration,
    /// Cut off from its callers until the time given, refusing or holding what they send.
    pub(super) partition: Option<(PartitionMode, SimTime)>,
    pub(super) steps: Box<[StepState]>,
    route: RouteState,
    error_rate: f64,
    pub(super) slowdown: f64,
    drop_expired: bool,
    /// Set while `fill_workers` runs for this service, so nested calls leave it to the loop.
    filling: bool,
    pub(super) work_rng: Stream,
    error_rng: Stream,
    pub(super) fanout_rng: Stream,
}

#[derive(Debug)]
pub(super) enum StepState {
    Work(Sampler),
    /// A broker queue's receive, the first step of its consumers when it has a memory
    /// limit: it costs a drawn paging time while more than `limit` messages wait.
    Page {
        limit: u32,
        paging: Sampler,
        rng: Stream,
    },
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

/// What a service does with work that reaches it now: the one admission rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Admission {
    /// A worker is free: it starts at once.
    Serve,
    /// Every worker is busy and the waiting room has a place.
    Wait,
    /// Turned away (HTTP 503).
    Full,
    /// A full broker queue that drops a message to take this one (`Overflow`).
    Overflow,
    /// Down with its queue lost, or cut off by a partition that refuses: refused
    /// (connection refused).
    Refused,
    /// Cut off by a partition that drops: it arrives when the partition heals.
    Delayed,
}

impl ServiceState {
    pub(super) fn new(
        spec: &ServiceSpec,
        streams: &Streams,
        callers: &mut Vec<Caller>,
        max_in_flight: usize,
    ) -> ServiceState {
        let component = format!("service:{}", spec.name);
        let page = spec.queue.memory.as_ref().map(|m| StepState::Page {
            limit: m.limit.get(),
            paging: Sampler::new(&m.paging),
            rng: streams.get(&component, "paging"),
        });
        let steps = page
            .into_iter()
            .chain(spec.steps.iter().enumerate().map(|(k, step)| match step {
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
            }))
            .collect();
        let room = |bound: Option<u32>| {
            bound
                .map_or(UNBOUNDED_START, |c| c as usize)
                .min(max_in_flight)
                .min(PREALLOCATE_MAX)
        };
        let faults = Faults::new(spec, streams);
        let held = if faults.is_some() {
            room(Some(spec.most_workers()))
        } else {
            0
        };
        ServiceState {
            workers: spec.workers.get(),
            admit_below: spec.workers.get(),
            configured: spec.workers.get(),
            down: 0,
            busy: 0,
            capacity: spec.queue.capacity.unwrap_or(u32::MAX),
            discipline: spec.queue.discipline,
            queue: VecDeque::with_capacity(room(spec.queue.capacity)),
            held: Vec::with_capacity(held),
            faults,
            autoscale: Autoscaler::new(spec),
            delivery: spec.queue.delivery,
            overflow: spec.queue.overflow,
            idempotent: spec.idempotent,
            remembered: 0,
            refusing: false,
            broker_down: false,
            sync_phase: match spec.queue.delivery {
                Some(Delivery::AtMostOnce {
                    persistence: Some(every),
                }) => {
                    let mut rng = streams.get(&component, "persistence");
                    SimDuration((rng::unit(&mut rng) * every.0 as f64) as u64)
                }
                _ => SimDuration::ZERO,
            },
            partition: None,
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

    /// What happens to work that reaches this service now.
    #[inline(always)]
    pub(super) fn admission(&self) -> Admission {
        if self.busy < self.admit_below {
            Admission::Serve
        } else if let Some((mode, _)) = self.partition {
            match mode {
                PartitionMode::Refuse => Admission::Refused,
                PartitionMode::Drop => Admission::Delayed,
            }
        } else if self.refusing {
            Admission::Refused
        } else if (self.queue.len() as u64) < u64::from(self.capacity) {
            Admission::Wait
        } else if self.overflow != Overflow::Reject {
            Admission::Overflow
        } else {
            Admission::Full
        }
    }

    /// Sets the workers that can serve now (after a crash, a restart or a change), and
    /// the autoscaler's tally of them.
    pub(super) fn set_up(&mut self, now: SimTime, workers: u32) {
        if let Some(a) = self.autoscale.as_deref_mut() {
            a.tally.up(now, self.workers, workers);
        }
        self.workers = workers;
        let cut_off = self.partition.is_some() || self.broker_down;
        self.admit_below = if cut_off { 0 } else { workers };
    }

    /// A worker takes `task` at `now`; returns its place among the tasks held
    /// (`Task::held_at`). `LEAN` (no faults, no autoscaler) only counts it.
    #[inline(always)]
    fn hold<const LEAN: bool>(&mut self, task: TaskId, now: SimTime) -> u32 {
        self.busy += 1;
        if LEAN {
            return u32::MAX;
        }
        if let Some(a) = self.autoscale.as_deref_mut() {
            a.tally.busy(now, 1);
        }
        if self.faults.is_none() {
            return u32::MAX;
        }
        self.held.push(task);
        (self.held.len() - 1) as u32
    }

    /// The worker holding the task at place `at` lets go of it at `now`.
    #[inline(always)]
    pub(super) fn release<const LEAN: bool>(
        &mut self,
        at: u32,
        tasks: &mut Slab<Task>,
        now: SimTime,
    ) {
        self.busy -= 1;
        if LEAN {
            return;
        }
        if let Some(a) = self.autoscale.as_deref_mut() {
            a.tally.busy(now, -1);
        }
        if self.faults.is_none() {
            return;
        }
        let at = at as usize;
        self.held.swap_remove(at);
        if let Some(&moved) = self.held.get(at) {
            tasks[moved].held_at = at as u32;
        }
    }

    /// The next task to serve from the waiting room at `now`, by the discipline.
    #[inline(always)]
    fn next_waiting<const LEAN: bool>(&mut self, now: SimTime) -> Option<TaskId> {
        let task = match self.discipline {
            Discipline::Fifo => self.queue.pop_front(),
            Discipline::Lifo => self.queue.pop_back(),
        };
        if !LEAN && task.is_some() {
            self.tally_waiting(now, -1);
        }
        task
    }

    /// Tells the autoscaler, if any, that `change` more tasks wait at `now`.
    #[inline(always)]
    pub(super) fn tally_waiting(&mut self, now: SimTime, change: i32) {
        if let Some(a) = self.autoscale.as_deref_mut() {
            a.tally.waiting(now, change);
        }
    }

    /// Queued work lost at `now` (a service down with its queue).
    pub(super) fn lose_waiting(&mut self, now: SimTime) -> Option<TaskId> {
        let task = self.queue.pop_front();
        if task.is_some() {
            self.tally_waiting(now, -1);
        }
        task
    }
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// Offers a task to a service: a free worker, else the waiting room, else reject.
    #[inline(always)]
    pub(super) fn enter_now<O: Observer>(&mut self, id: ServiceId, task: TaskId, o: &mut O) {
        let now = self.cx.now;
        let t = &mut self.cx.tasks[task];
        t.service = id;
        t.step = 0;
        t.entered = now;
        let service = &mut self.services[id.index()];
        match service.admission() {
            Admission::Serve => {
                if !LEAN {
                    self.accept_message(id, task, o);
                }
                o.on_admit(now, id, false);
                if !self.begin(id, task, false, o) && !self.services[id.index()].queue.is_empty() {
                    self.fill_workers(id, o);
                }
            }
            Admission::Wait => {
                service.queue.push_back(task);
                if !LEAN {
                    service.tally_waiting(now, 1);
                }
                o.on_admit(now, id, true);
                if !LEAN {
                    self.accept_message(id, task, o);
                }
            }
            Admission::Full => {
                o.on_reject(now, id);
                self.finish_task(task, Outcome::Rejected, o);
            }
            Admission::Overflow => self.overflow(id, task, o),
            Admission::Refused | Admission::Delayed => self.cut_off(id, task, o),
        }
    }

    /// Work reaches a service that is down with its queue lost, or cut off by a partition:
    /// refused, or held until the partition heals. Out of line and cold: faults are rare,
    /// and their code kept in the admission path cost M/M/1 about 25 instructions per
    /// request (worse inlining of the hot path).
    #[cold]
    #[inline(never)]
    fn cut_off<O: Observer>(&mut self, id: ServiceId, task: TaskId, o: &mut O) {
        let service = &self.services[id.index()];
        match service.partition {
            Some((PartitionMode::Drop, heals)) => {
                self.cx
                    .events
                    .push(heals, Event::Enter { service: id, task });
            }
            _ => {
                o.on_refused(self.cx.now, id);
                self.finish_task(task, Outcome::Failed, o);
            }
        }
    }

    /// A free worker takes `task` and starts its steps; or drops it, if its caller is gone
    /// and the service drops expired work, and returns `false`: the worker stays free.
    #[inline(always)]
    fn begin<O: Observer>(&mut self, id: ServiceId, task: TaskId, queued: bool, o: &mut O) -> bool {
        let now = self.cx.now;
        let t = &mut self.cx.tasks[task];
        let waited = now - t.entered;
        let service = &mut self.services[id.index()];
        if t.abandoned() && service.drop_expired {
            o.on_drop(now, id, waited, queued);
            if !LEAN {
                self.message_dropped(task, o);
            }
            self.cx.remove_task::<LEAN>(task);
            return false;
        }
        t.held_at = service.hold::<LEAN>(task, now);
        o.on_start(now, id, waited, queued);
        if !LEAN && self.receive_message(task, o) {
            self.check_duplicate(task);
        } else {
            self.run_steps(task, o);
        }
        true
    }

    /// Free workers take queued work. Re-entrant calls (work that ends at once) return
    /// immediately and leave the outer loop to carry on, so the stack stays shallow.
    #[inline(always)]
    pub(super) fn fill_workers<O: Observer>(&mut self, id: ServiceId, o: &mut O) {
        if self.services[id.index()].filling {
            return;
        }
        self.services[id.index()].filling = true;
        loop {
            let service = &mut self.services[id.index()];
            if service.busy >= service.workers || (!LEAN && service.broker_down) {
                break;
            }
            let Some(task) = service.next_waiting::<LEAN>(self.cx.now) else {
                break;
            };
            self.begin(id, task, true, o);
        }
        self.services[id.index()].filling = false;
    }

    /// Runs the task's steps from its current one until one takes time or waits. A work
    /// step, the usual case, starts right here; anything else goes to `run_other_steps`.
    #[inline(always)]
    pub(super) fn run_steps<O: Observer>(&mut self, task: TaskId, o: &mut O) {
        let t = &self.cx.tasks[task];
        let step = t.step as usize;
        let service = &mut self.services[t.service.index()];
        match service.steps.get(step) {
            Some(StepState::Work(sampler)) => {
                let work = draw_work(sampler, &mut service.work_rng, service.slowdown);
                self.start_work(task, work);
            }
            _ => self.run_other_steps(task, o),
        }
    }

    /// The task's current work step takes `work`: its end is scheduled.
    #[inline(always)]
    pub(super) fn start_work(&mut self, task: TaskId, work: SimDuration) {
        self.cx.tasks[task].work = work;
        self.cx.after(work, Event::WorkDone(task));
    }

    /// A work step is over, unless its task is gone (lost with its worker, which the lean
    /// path's models cannot do: it need not check).
    #[inline(always)]
    pub(super) fn work_done<O: Observer>(&mut self, task: TaskId, o: &mut O) {
        let now = self.cx.now;
        let t = if LEAN {
            &mut self.cx.tasks[task]
        } else {
            let Some(t) = self.cx.tasks.get_mut(task) else {
                return;
            };
            t
        };
        if t.abandoned() {
            // Only the part of the step after the caller gave up is wasted.
            let started = now.0.saturating_sub(t.work.0);
            let wasted_from = SimTime(started.max(t.abandoned_at.0));
            o.on_wasted(now, t.service, now - wasted_from);
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
    pub(super) fn end_service<O: Observer>(&mut self, task: TaskId, failed: bool, o: &mut O) {
        // Field by field, not a copy of the task: its step was just written, and a wide
        // load over a fresh narrow store stalls store forwarding.
        let (id, entered) = (self.cx.tasks[task].service, self.cx.tasks[task].entered);
        let held_at = self.cx.tasks[task].held_at;
        let now = self.cx.now;
        let service = &mut self.services[id.index()];
        let failed = failed
            || (service.error_rate > 0.0 && rng::unit(&mut service.error_rng) < service.error_rate);
        o.on_complete(now, id, now - entered, failed);
        service.release::<LEAN>(held_at, &mut self.cx.tasks, now);
        if !service.queue.is_empty() {
            self.fill_workers(id, o);
        }
        // After the next task started: only a receive that has not lapsed deletes, and a
        // queued copy of this message means this one's has.
        if !LEAN && self.message_processed(task, o) {
            // A duplicate its consumer recognised: acknowledged, and nothing more.
            return self.finish_task(task, Outcome::Success, o);
        }
        if failed {
            return self.finish_task(task, Outcome::Failed, o);
        }
        match self.services[id.index()].route.next() {
            Some(next) => self.enter(next, task, o),
            None => self.finish_task(task, Outcome::Success, o),
        }
    }

    /// A service applies change number `index` of its schedule.
    pub(super) fn change<O: Observer>(&mut self, id: ServiceId, index: u32, o: &mut O) {
        let change = self.system.service(id).schedule[index as usize];
        let service = &mut self.services[id.index()];
        if let Some(factor) = change.slowdown {
            service.slowdown = factor;
        }
        if let Some(p) = change.error_rate {
            service.error_rate = p;
        }
        if let Some(workers) = change.workers {
            self.set_workers(id, workers, o);
        }
        if let Some(fault) = change.fault {
            self.apply_fault(id, fault, o);
        }
    }
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// Service `id` has `workers` configured from now on (by its schedule or its
    /// autoscaler): workers removed finish what they hold; new ones take queued work.
    pub(super) fn set_workers<O: Observer>(&mut self, id: ServiceId, workers: u32, o: &mut O) {
        self.resize_lives(id, workers);
        o.on_workers(self.cx.now, id, workers);
        o.on_workers_up(self.cx.now, id, self.services[id.index()].workers);
        self.fill_workers(id, o);
    }
}

/// A work step's duration: drawn, then stretched by the service's slowdown factor.
#[inline(always)]
pub(super) fn draw_work(sampler: &Sampler, rng: &mut Stream, slowdown: f64) -> SimDuration {
    let work = sampler.sample(rng);
    if slowdown == 1.0 {
        work
    } else {
        SimDuration((work.0 as f64 * slowdown + 0.5) as u64)
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
