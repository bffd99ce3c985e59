//! Limits that keep an unsafe model from eating the machine.
//!
//! Before a run, [`check_stable`] rejects any unbounded queue whose offered load is at or
//! beyond its capacity (it would grow without end). During a run, the engine stops when the
//! requests in flight or the events processed pass `model::Limits`.

use crate::model::{SimTime, System};

/// Why a run could not be completed. Each message names the component and the fix.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// An unbounded queue is fed at least as fast as its workers can drain it, so it would
    /// grow without limit. Fix: bound the queue, add workers, or lower the load.
    #[error(
        "service '{service}' is unstable: requests arrive at {arrival_rate:.3}/s but its {workers} \
         worker(s) can serve at most {capacity_rate:.3}/s (load {load:.3} >= 1), and its queue is \
         unbounded, so it would grow without limit. Bound the queue (queue = {{ capacity = N }}), \
         add workers (at least {workers_needed}), or lower the load"
    )]
    Unstable {
        /// The service.
        service: String,
        /// Offered arrivals per second, after upstream rejections.
        arrival_rate: f64,
        /// workers / mean service time.
        capacity_rate: f64,
        /// Number of workers.
        workers: u32,
        /// arrival_rate / capacity_rate.
        load: f64,
        /// The fewest workers that would make the load < 1.
        workers_needed: u64,
    },
    /// More requests were alive at once than `max_in_flight` allows.
    #[error(
        "stopped at t={at_secs:.3}s: {in_flight} requests in flight passed the limit \
         max_in_flight = {limit}. The longest queue is at service '{service}' ({queue_len} \
         waiting; arrivals {arrival_rate:.3}/s, capacity {capacity_rate:.3}/s). Bound that \
         queue, add workers, or raise [simulation] max_in_flight"
    )]
    InFlightLimit {
        /// Simulated seconds when the limit was hit.
        at_secs: f64,
        /// Requests alive at that moment.
        in_flight: u64,
        /// The limit.
        limit: u32,
        /// The service with the longest queue.
        service: String,
        /// Its queue length.
        queue_len: usize,
        /// Its nominal arrival rate per second.
        arrival_rate: f64,
        /// Its nominal service capacity per second.
        capacity_rate: f64,
    },
    /// The model has more workers and sources than the event list can track at once.
    #[error(
        "the model has {pending} workers and sources in all; at most {limit} are supported. \
         Model a large pool as several services or scale it down"
    )]
    TooLarge {
        /// Sources plus workers of every service.
        pending: u64,
        /// The supported maximum.
        limit: u64,
    },
    /// The run processed more events than `max_events` allows.
    #[error(
        "stopped at t={at_secs:.3}s after {limit} events (max_events). Shorten the run \
         (duration or requests) or raise [simulation] max_events"
    )]
    EventLimit {
        /// Simulated seconds when the limit was hit.
        at_secs: f64,
        /// The limit.
        limit: u64,
    },
}

/// Nominal flow through each service: `(arrival rate, capacity rate)` per second.
///
/// Solves the traffic equations by fixed-point iteration, capping what a service passes on
/// at its capacity (a saturated station cannot emit faster than it serves).
pub fn nominal_rates(system: &System) -> Vec<(f64, f64)> {
    let services = system.services();
    let capacity: Vec<f64> = services
        .iter()
        .map(|s| f64::from(s.workers.get()) / s.work_mean())
        .collect();
    let mut external = vec![0.0; services.len()];
    for source in system.sources() {
        external[source.target.index()] += source.arrivals.rate_per_sec();
    }
    let mut arrival = external.clone();
    for _ in 0..10_000 {
        let mut next = external.clone();
        for (i, service) in services.iter().enumerate() {
            let out = arrival[i].min(capacity[i]);
            for (to, p) in service.route.branches() {
                next[to.index()] += out * p;
            }
        }
        let settled = next
            .iter()
            .zip(&arrival)
            .all(|(a, b)| (a - b).abs() <= 1e-12 * a.abs().max(1.0));
        arrival = next;
        if settled {
            break;
        }
    }
    arrival.into_iter().zip(capacity).collect()
}

/// Rejects a model with an unbounded queue fed at or beyond its capacity.
pub fn check_stable(system: &System) -> Result<(), RunError> {
    let rates = nominal_rates(system);
    for (service, &(arrival_rate, capacity_rate)) in system.services().iter().zip(&rates) {
        let load = arrival_rate / capacity_rate;
        if service.queue.capacity.is_none() && load >= 1.0 {
            let per_worker = capacity_rate / f64::from(service.workers.get());
            return Err(RunError::Unstable {
                service: service.name.clone(),
                arrival_rate,
                capacity_rate,
                workers: service.workers.get(),
                load,
                workers_needed: (arrival_rate / per_worker).floor() as u64 + 1,
            });
        }
    }
    Ok(())
}

/// The in-flight error, naming the service with the longest queue.
pub(crate) fn in_flight_error(
    system: &System,
    at: SimTime,
    in_flight: u64,
    queue_lens: impl Iterator<Item = usize>,
) -> RunError {
    let (index, queue_len) = queue_lens
        .enumerate()
        .max_by_key(|&(i, len)| (len, std::cmp::Reverse(i)))
        .unwrap_or((0, 0));
    let (arrival_rate, capacity_rate) = nominal_rates(system)
        .get(index)
        .copied()
        .unwrap_or_default();
    RunError::InFlightLimit {
        at_secs: at.as_secs_f64(),
        in_flight,
        limit: system.simulation().limits.max_in_flight.get(),
        service: system
            .services()
            .get(index)
            .map_or_else(String::new, |s| s.name.clone()),
        queue_len,
        arrival_rate,
        capacity_rate,
    }
}
