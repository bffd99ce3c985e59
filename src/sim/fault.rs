//! Faults: workers that crash and restart, at random (`crash = { mtbf, restart }`) or by
//! the schedule, whole services that go down with their queue kept or lost, brokers that
//! crash (`delivery.rs` decides which messages survive), and
//! partitions that cut a service off from its callers (the admission rule in `service.rs`
//! refuses or holds what they send).
//!
//! Each worker of a service that can fail has a *life*: up or down, with a generation
//! that every change bumps, so a pending crash or restart timer of a life that has moved
//! on (crashed by the schedule meanwhile, or removed by a change of workers) is stale.
//! Workers are anonymous to the work they hold: a crashing worker is busy with the
//! probability that a worker picked at random is (held / up), and then loses one of the
//! held tasks picked at random, which is what crashes independent of the work give.

use super::engine::Sim;
use super::event::Event;
use super::observer::Observer;
use super::rng::{self, Sampler, Stream, Streams};
use super::task::TaskId;
use crate::model::{Fault, QueueFate, ServiceId, ServiceSpec, SimTime};

/// The fault state of one service.
#[derive(Debug)]
pub(super) struct Faults {
    lives: Vec<Life>,
    /// Random crashes: time to crash and time to restart.
    random: Option<(Sampler, Sampler)>,
    timing_rng: Stream,
    victim_rng: Stream,
}

#[derive(Clone, Copy, Debug)]
struct Life {
    generation: u32,
    state: LifeState,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LifeState {
    Up,
    /// Down after a random crash (a restart timer is pending) or by the schedule (the
    /// schedule brings it back).
    Down {
        scheduled: bool,
    },
}

impl Faults {
    /// The fault state of `spec`, if it can fail at all.
    pub(super) fn new(spec: &ServiceSpec, streams: &Streams) -> Option<Box<Faults>> {
        if !spec.can_fail() {
            return None;
        }
        let component = format!("service:{}", spec.name);
        let up = Life {
            generation: 0,
            state: LifeState::Up,
        };
        Some(Box::new(Faults {
            lives: vec![up; spec.most_workers() as usize],
            random: (spec.crashes.as_ref())
                .map(|c| (Sampler::new(&c.mtbf), Sampler::new(&c.restart))),
            timing_rng: streams.get(&component, "crash"),
            victim_rng: streams.get(&component, "crash:victim"),
        }))
    }

    /// Bumps the generation of `life`, so that its pending timers are stale, and returns it.
    fn renew(&mut self, life: u32) -> u32 {
        let l = &mut self.lives[life as usize];
        l.generation = l.generation.wrapping_add(1);
        l.generation
    }
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// Each worker's first crash, for services that crash at random.
    pub(super) fn schedule_crashes(&mut self) {
        for i in 0..self.services.len() {
            let id = ServiceId(i as u32);
            for life in 0..self.services[i].configured {
                self.schedule_crash(id, life);
            }
        }
    }

    /// Draws when worker `life` crashes next, if the service crashes at random.
    fn schedule_crash(&mut self, id: ServiceId, life: u32) {
        let Some(faults) = self.services[id.index()].faults.as_deref_mut() else {
            return;
        };
        let Some((mtbf, _)) = &faults.random else {
            return;
        };
        let after = mtbf.sample(&mut faults.timing_rng);
        let generation = faults.lives[life as usize].generation;
        let event = Event::Crash {
            service: id,
            life,
            generation,
        };
        self.cx.after(after, event);
    }

    /// A random crash timer fires: the worker goes down and its restart is drawn.
    pub(super) fn crash_timer<O: Observer>(
        &mut self,
        id: ServiceId,
        life: u32,
        generation: u32,
        o: &mut O,
    ) {
        let service = &self.services[id.index()];
        let Some(faults) = service.faults.as_deref() else {
            return;
        };
        let l = faults.lives[life as usize];
        if l.generation != generation || l.state != LifeState::Up || life >= service.configured {
            return;
        }
        let generation = self.crash(id, life, false, o);
        let faults = (self.services[id.index()].faults.as_deref_mut()).expect("can fail");
        let (_, restart) = faults.random.as_ref().expect("random crashes");
        let after = restart.sample(&mut faults.timing_rng);
        let event = Event::Restart {
            service: id,
            life,
            generation,
        };
        self.cx.after(after, event);
    }

    /// A random crash's restart timer fires.
    pub(super) fn restart_timer<O: Observer>(
        &mut self,
        id: ServiceId,
        life: u32,
        generation: u32,
        o: &mut O,
    ) {
        let service = &self.services[id.index()];
        let faults = service
            .faults
            .as_deref()
            .expect("only failing services crash");
        if faults.lives[life as usize].generation == generation && life < service.configured {
            self.restart(id, life, o);
        }
    }

    /// Worker `life` goes down and, if it held work, loses it; returns the life's new
    /// generation (for its restart timer).
    fn crash<O: Observer>(&mut self, id: ServiceId, life: u32, scheduled: bool, o: &mut O) -> u32 {
        let service = &mut self.services[id.index()];
        let up_before = service.workers;
        service.down += 1;
        service.set_up(self.cx.now, service.configured.saturating_sub(service.down));
        let faults = service.faults.as_deref_mut().expect("can fail");
        faults.lives[life as usize].state = LifeState::Down { scheduled };
        let generation = faults.renew(life);
        o.on_crash(self.cx.now, id);
        o.on_workers_up(self.cx.now, id, service.workers);
        let held = service.held.len();
        let busy = held.min(up_before as usize) as f64 / f64::from(up_before.max(1));
        if held > 0 && rng::unit(&mut faults.victim_rng) < busy {
            let pick = (rng::unit(&mut faults.victim_rng) * held as f64) as usize;
            let task = service.held[pick.min(held - 1)];
            self.lose(id, task, false, o);
        }
        generation
    }

    /// Worker `life` is back (and, with random crashes, its next crash is drawn).
    fn restart<O: Observer>(&mut self, id: ServiceId, life: u32, o: &mut O) {
        let service = &mut self.services[id.index()];
        service.down -= 1;
        service.set_up(self.cx.now, service.configured.saturating_sub(service.down));
        let faults = service.faults.as_deref_mut().expect("can fail");
        faults.lives[life as usize].state = LifeState::Up;
        faults.renew(life);
        o.on_restart(self.cx.now, id);
        o.on_workers_up(self.cx.now, id, service.workers);
        self.schedule_crash(id, life);
        self.fill_workers(id, o);
    }

    /// Work at service `id` is lost: held by a worker that crashed, or in a lost queue.
    pub(super) fn lose<O: Observer>(
        &mut self,
        id: ServiceId,
        task: TaskId,
        queued: bool,
        o: &mut O,
    ) {
        if !queued {
            let at = self.cx.tasks[task].held_at;
            self.services[id.index()].release::<LEAN>(at, &mut self.cx.tasks, self.cx.now);
        }
        let sojourn = self.cx.now - self.cx.tasks[task].entered;
        o.on_lost(self.cx.now, id, sojourn, queued);
        if queued {
            self.message_lost_queued(task, o);
        } else if self.survives_crash(id, task, o) {
            return;
        }
        self.lose_task(task, o);
    }

    /// A fault of the service's schedule.
    pub(super) fn apply_fault<O: Observer>(&mut self, id: ServiceId, fault: Fault, o: &mut O) {
        const SCHEDULED_DOWN: LifeState = LifeState::Down { scheduled: true };
        match fault {
            Fault::Crash(n) => self.crash_up_lives(id, n, o),
            Fault::Restart(n) => self.restart_lives(id, SCHEDULED_DOWN, n, o),
            Fault::Down(fate) => {
                // Down first, then the losses: a caller told of a loss may send work here
                // at once, and must find the service down (queued, or refused).
                let service = &mut self.services[id.index()];
                service.refusing = fate == QueueFate::Lost;
                self.all_lives_down(id, o);
                while let Some(&task) = self.services[id.index()].held.last() {
                    self.lose(id, task, false, o);
                }
                if fate == QueueFate::Lost {
                    while let Some(task) = self.services[id.index()].lose_waiting(self.cx.now) {
                        self.lose(id, task, true, o);
                    }
                }
            }
            Fault::BrokerDown => self.broker_crash(id, o),
            Fault::Up => {
                let service = &mut self.services[id.index()];
                service.refusing = false;
                if service.broker_down {
                    service.broker_down = false;
                    service.set_up(self.cx.now, service.workers);
                    self.fill_workers(id, o);
                }
                self.restart_lives(id, SCHEDULED_DOWN, u32::MAX, o);
            }
            Fault::Partition { mode, until } => {
                let service = &mut self.services[id.index()];
                service.partition = Some((mode, SimTime::ZERO + until));
                service.set_up(self.cx.now, service.workers);
            }
            Fault::Heal => {
                let service = &mut self.services[id.index()];
                service.partition = None;
                service.set_up(self.cx.now, service.workers);
            }
        }
    }

    /// Every present worker goes down until the schedule brings it back: those up crash
    /// (losing nothing yet: the outage loses all held work after), and those down after a
    /// random crash stay down, their restart timers made stale.
    fn all_lives_down<O: Observer>(&mut self, id: ServiceId, o: &mut O) {
        for life in 0..self.present_lives(id) {
            let service = &mut self.services[id.index()];
            let faults = service.faults.as_deref_mut().expect("can fail");
            let was_up = faults.lives[life as usize].state == LifeState::Up;
            faults.lives[life as usize].state = LifeState::Down { scheduled: true };
            faults.renew(life);
            if was_up {
                service.down += 1;
                o.on_crash(self.cx.now, id);
            }
        }
        let service = &mut self.services[id.index()];
        service.set_up(self.cx.now, service.configured.saturating_sub(service.down));
        o.on_workers_up(self.cx.now, id, service.workers);
    }

    /// Up to `n` workers that are up crash by the schedule, the last ones first.
    fn crash_up_lives<O: Observer>(&mut self, id: ServiceId, n: u32, o: &mut O) {
        let mut left = n;
        for life in (0..self.present_lives(id)).rev() {
            if left == 0 {
                break;
            }
            if self.life(id, life).state == LifeState::Up {
                self.crash(id, life, true, o);
                left -= 1;
            }
        }
    }

    /// Up to `n` workers down in `state` restart, the first ones first.
    fn restart_lives<O: Observer>(&mut self, id: ServiceId, state: LifeState, n: u32, o: &mut O) {
        let mut left = n;
        for life in 0..self.present_lives(id) {
            if left == 0 {
                break;
            }
            if self.life(id, life).state == state {
                self.restart(id, life, o);
                left -= 1;
            }
        }
    }

    /// Lives of service `id` that are present (within its configured workers).
    fn present_lives(&self, id: ServiceId) -> u32 {
        let service = &self.services[id.index()];
        let lives = service
            .faults
            .as_deref()
            .map_or(0, |f| f.lives.len() as u32);
        service.configured.min(lives)
    }

    fn life(&self, id: ServiceId, life: u32) -> Life {
        let faults = self.services[id.index()].faults.as_deref();
        faults.expect("can fail").lives[life as usize]
    }

    /// The schedule or the autoscaler sets service `id`'s workers to `workers`: lives
    /// beyond it are retired (a down one no longer counts as down), and new ones start up.
    pub(super) fn resize_lives(&mut self, id: ServiceId, workers: u32) {
        let now = self.cx.now;
        let service = &mut self.services[id.index()];
        let old = service.configured;
        service.configured = workers;
        let Some(faults) = service.faults.as_deref_mut() else {
            service.set_up(now, workers);
            return;
        };
        for life in workers..old {
            if faults.lives[life as usize].state != LifeState::Up {
                service.down -= 1;
            }
            faults.lives[life as usize].state = LifeState::Up;
            faults.renew(life);
        }
        service.set_up(now, workers.saturating_sub(service.down));
        for life in old..workers {
            self.services[id.index()]
                .faults
                .as_deref_mut()
                .expect("can fail")
                .renew(life);
            self.schedule_crash(id, life);
        }
    }
}
