//! Autoscaling: a target-tracking autoscaler per service (`model::Autoscale`).
//!
//! Every `interval` a decision event measures the metric over the interval just ended and
//! sets the capacity (workers configured plus workers still starting) to what the target
//! asks for. The metric comes from time integrals of the service's busy workers, waiting
//! work and workers up, kept in a [`Tally`] as `Σ Δlevel · t` (one addition per change, no
//! allocation), from which the area up to any instant is `level · t − Σ`. A scale-out
//! orders workers that become usable after `scale_out_delay` (one `ScaleReady` event per
//! order); a scale-in, at most once per `scale_in_cooldown` since the last action, cancels
//! workers still starting first, then removes workers up, which finish what they hold.
//! Workers are set through the schedule's path (`Sim::set_workers`), so crashes and
//! outages work alongside.

use super::engine::Sim;
use super::event::Event;
use super::observer::Observer;
use crate::model::{Autoscale, ServiceId, ServiceSpec, SimTime};

/// The autoscaler of one service.
#[derive(Debug)]
pub(super) struct Autoscaler {
    spec: Autoscale,
    /// Workers ordered and not yet up.
    starting: u32,
    /// The last scale-out or scale-in, for the cooldown.
    last_action: Option<SimTime>,
    pub(super) tally: Tally,
    /// The areas (busy, waiting, up) at the last decision, and its time.
    mark: [i128; 3],
    marked_at: SimTime,
}

/// Time integrals of a service's levels, each kept as `Σ Δlevel · t` in nanoseconds.
#[derive(Debug, Default)]
pub(super) struct Tally {
    busy: i128,
    waiting: i128,
    up: i128,
}

impl Tally {
    /// A worker took work, or let go of it (`delta` ±1), at `now`.
    #[inline(always)]
    pub(super) fn busy(&mut self, now: SimTime, delta: i32) {
        self.busy += i128::from(delta) * i128::from(now.0);
    }

    /// Work joined the waiting room, or left it (`delta` ±1), at `now`.
    #[inline(always)]
    pub(super) fn waiting(&mut self, now: SimTime, delta: i32) {
        self.waiting += i128::from(delta) * i128::from(now.0);
    }

    /// The workers up went from `from` to `to` at `now`.
    pub(super) fn up(&mut self, now: SimTime, from: u32, to: u32) {
        self.up += (i128::from(to) - i128::from(from)) * i128::from(now.0);
    }

    /// The areas under busy, waiting and up from time zero to `now`, given the levels now.
    fn areas(&self, now: SimTime, levels: [u64; 3]) -> [i128; 3] {
        let area = |level: u64, sum: i128| i128::from(level) * i128::from(now.0) - sum;
        [
            area(levels[0], self.busy),
            area(levels[1], self.waiting),
            area(levels[2], self.up),
        ]
    }
}

impl Autoscaler {
    pub(super) fn new(spec: &ServiceSpec) -> Option<Box<Autoscaler>> {
        let spec = spec.autoscale?;
        Some(Box::new(Autoscaler {
            spec,
            starting: 0,
            last_action: None,
            tally: Tally::default(),
            mark: [0; 3],
            marked_at: SimTime::ZERO,
        }))
    }

    /// Events this autoscaler may have pending at once: its next decision and one
    /// `ScaleReady` per decision within a start-up delay.
    pub(super) fn most_pending(spec: &ServiceSpec) -> usize {
        spec.autoscale.map_or(0, |a| {
            let orders = a.scale_out_delay.0 / a.interval.0.max(1);
            2 + orders.min(1 << 16) as usize
        })
    }
}

impl<const LEAN: bool> Sim<'_, LEAN> {
    /// The first decision of every autoscaled service.
    pub(super) fn schedule_autoscalers(&mut self) {
        for (i, service) in self.services.iter().enumerate() {
            if let Some(a) = service.autoscale.as_deref() {
                let event = Event::ScaleDecision(ServiceId(i as u32));
                self.cx.events.push(SimTime::ZERO + a.spec.interval, event);
            }
        }
    }

    /// A decision: measure the interval just ended, schedule the next one, and scale.
    pub(super) fn scale_decision<O: Observer>(&mut self, id: ServiceId, o: &mut O) {
        let now = self.cx.now;
        let service = &mut self.services[id.index()];
        let levels = [
            u64::from(service.busy),
            service.queue.len() as u64,
            u64::from(service.workers),
        ];
        let configured = service.configured;
        let a = service.autoscale.as_deref_mut().expect("autoscaled");
        let areas = a.tally.areas(now, levels);
        let span = (now - a.marked_at).0 as f64;
        let mean = |k: usize| (areas[k] - a.mark[k]) as f64 / span;
        let desired = a.spec.desired(mean(0), mean(1), mean(2));
        (a.mark, a.marked_at) = (areas, now);
        self.cx.after(a.spec.interval, Event::ScaleDecision(id));
        let Some(desired) = desired else {
            return;
        };
        let capacity = configured + a.starting;
        if desired > capacity {
            let workers = desired - capacity;
            a.starting += workers;
            a.last_action = Some(now);
            let ready = Event::ScaleReady {
                service: id,
                workers,
            };
            self.cx.after(a.spec.scale_out_delay, ready);
            o.on_scale(now, id, capacity, desired);
        } else if desired < capacity
            && a.last_action
                .is_none_or(|t| now - t >= a.spec.scale_in_cooldown)
        {
            let remove = capacity - desired;
            let cancelled = remove.min(a.starting);
            a.starting -= cancelled;
            a.last_action = Some(now);
            o.on_scale(now, id, capacity, desired);
            if remove > cancelled {
                self.set_workers(id, configured - (remove - cancelled), o);
            }
        }
    }

    /// Workers ordered by a scale-out are up, unless a scale-in has cancelled them since
    /// (cancelled orders are the newest, so an older order's event still finds its own).
    pub(super) fn scale_ready<O: Observer>(&mut self, id: ServiceId, workers: u32, o: &mut O) {
        let service = &mut self.services[id.index()];
        let a = service.autoscale.as_deref_mut().expect("autoscaled");
        let added = workers.min(a.starting);
        a.starting -= added;
        if added > 0 {
            let configured = service.configured + added;
            self.set_workers(id, configured, o);
        }
    }
}
