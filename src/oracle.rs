//! Which exact queueing model, if any, describes a service of a system.
//!
//! A service matches a textbook model when its arrivals are Poisson and its discipline is
//! FIFO: fed only by constant-rate Poisson sources whose clients never time out or retry,
//! directly or through upstream M/M/c stations with unbounded queues (whose departures are
//! Poisson, by Burke's theorem), with no routing loop, call or publish through it, and with
//! one work step, no errors, no schedule, no autoscaler and no crashes. Then exponential service gives M/M/c (or
//! M/M/c/K with a bounded queue), and one worker with an unbounded queue gives M/D/1 or
//! M/G/1 for any service time.
//!
//! A plain FIFO station with exponential service whose only input is one closed loop of
//! users (exponential think time, no timeouts or retries, nothing else feeding it, every
//! request leaving after it, and room for all users) is the machine-repairman model
//! M/M/c//N.

use std::num::NonZeroU32;

use crate::model::{Arrivals, ClientPolicy, Discipline, Dist, ServiceId, System};
use crate::theory::{self, QueueFigures};

/// Exact steady-state figures for service `id`, when a model applies and is stable.
pub fn expected(system: &System, id: ServiceId) -> Option<QueueFigures> {
    let service = system.service(id);
    if service.queue.discipline != Discipline::Fifo {
        return None;
    }
    let time = plain_service_time(system, id)?;
    if let Some((users, think_time)) = closed_input(system, id) {
        let c = service.workers.get();
        let room = service
            .queue
            .capacity
            .is_none_or(|waiting| u64::from(c) + u64::from(waiting) >= u64::from(users.get()));
        return (time.is_exponential() && think_time.is_exponential() && room)
            .then(|| theory::finite_source(users.get(), think_time.mean(), time.mean(), c))
            .flatten();
    }
    if !poisson_input(system, id, &mut Vec::new()) {
        return None;
    }
    let lambda = system.traffic()[id.index()].arrival;
    let c = service.workers.get();
    let figures = match (service.queue.capacity, c) {
        // Beyond this many places the cost grows with K and blocking is nil: M/M/c applies.
        (Some(waiting), _) if time.is_exponential() && waiting <= MAX_EXACT_PLACES => {
            theory::mmck(lambda, 1.0 / time.mean(), c, c.checked_add(waiting)?)
        }
        (Some(_), _) => None,
        (None, 1) if time.is_exponential() => theory::mm1(lambda, 1.0 / time.mean()),
        (None, _) if time.is_exponential() => theory::mmc(lambda, 1.0 / time.mean(), c),
        (None, 1) if time.is_constant() => theory::md1(lambda, time.mean()),
        (None, 1) => theory::mg1(lambda, time.mean(), time.second_moment()),
        (None, _) => None,
    }?;
    // A heavy tail can make the exact mean infinite: say nothing rather than "inf".
    figures.w.is_finite().then_some(figures)
}

/// Largest waiting room for which the M/M/c/K figures are computed.
const MAX_EXACT_PLACES: u32 = 100_000;

/// The service time of a plain station: one work step, no errors, schedule or crashes, and
/// neither called nor published to by any service.
fn plain_service_time(system: &System, id: ServiceId) -> Option<&Dist> {
    let service = system.service(id);
    let reached_by_step = system
        .services()
        .iter()
        .any(|s| s.step_targets().any(|to| to == id));
    let plain = service.error_rate == 0.0
        && service.schedule.is_empty()
        && service.autoscale.is_none()
        && !service.can_fail()
        && !reached_by_step;
    plain.then(|| service.service_time()).flatten()
}

/// The users and think time of the one closed loop that is all of `id`'s input, when its
/// client never times out or retries, no service routes to `id`, and every request leaves
/// the system after `id` (so a user's cycle is think, wait, service).
fn closed_input(system: &System, id: ServiceId) -> Option<(NonZeroU32, &Dist)> {
    let mut feeding = system.sources().iter().filter(|s| s.target == id);
    let (Some(source), None) = (feeding.next(), feeding.next()) else {
        return None;
    };
    let Arrivals::Closed { users, think_time } = &source.arrivals else {
        return None;
    };
    let routed_to =
        (system.services().iter()).any(|up| up.route.branches().iter().any(|(to, _)| *to == id));
    let leaves = system.service(id).route.branches().is_empty();
    (source.client == ClientPolicy::default() && !routed_to && leaves)
        .then_some((*users, think_time))
}

/// Whether every stream into `id` is Poisson. `path` holds the services being visited, to
/// refuse loops.
fn poisson_input(system: &System, id: ServiceId, path: &mut Vec<ServiceId>) -> bool {
    if path.contains(&id) {
        return false;
    }
    path.push(id);
    let sources_ok = system
        .sources()
        .iter()
        .filter(|s| s.target == id)
        .all(|s| s.arrivals.is_poisson() && s.client == ClientPolicy::default());
    let upstream_ok = system.services().iter().enumerate().all(|(i, up)| {
        let up_id = ServiceId(i as u32);
        let feeds = up.route.branches().iter().any(|(to, _)| *to == id);
        !feeds
            || (up.queue.capacity.is_none()
                && plain_service_time(system, up_id).is_some_and(Dist::is_exponential)
                && poisson_input(system, up_id, path))
    });
    path.pop();
    sources_ok && upstream_ok
}

#[cfg(test)]
mod tests;
