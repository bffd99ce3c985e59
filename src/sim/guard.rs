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
        "service '{service}' is unstable: work arrives at {arrival_rate:.3}/s but its {workers} \
         worker(s) can serve at most {capacity_rate:.3}/s (load {load:.3} >= 1), and its queue is \
         unbounded, so it would grow without limit. Bound the queue (queue = {{ capacity = N }}), \
         {}or lower the load",
        match workers_needed {
            Some(n) => format!("add workers (at least {n}), "),
            None => "shorten its service time (its mean is infinite or the flow has no bound), ".to_string(),
        }
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
        /// The fewest workers that would make the load < 1, if any number would.
        workers_needed: Option<u64>,
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
    /// A source's gaps between requests average under a nanosecond, so simulated time would
    /// hardly advance.
    #[error(
        "source '{name}' sends {rate:.3e} requests/s: gaps under 1 ns on average, so simulated \
         time would stand still. Lower its rate or lengthen its interarrival gaps"
    )]
    TooFast {
        /// The source.
        name: String,
        /// Its rate per second.
        rate: f64,
    },
    /// Simulated time reached its end (about 584 years) before the horizon.
    #[error(
        "simulated time ran past 584 years before the horizon was reached: some gap or service \
         time is astronomically long (a heavy-tailed distribution?); check the scenario's \
         distributions"
    )]
    EndOfTime,
    /// Too many events were pending at once, typically timers of attempts (each attempt's
    /// timer stays scheduled until it expires, answered or not).
    #[error(
        "stopped at t={at_secs:.3}s: more than {limit} events pending at once, mostly attempt \
         timers (each stays scheduled for its whole timeout). Shorten the timeouts or lower \
         the request rate"
    )]
    EventBacklog {
        /// Simulated seconds when the limit was hit.
        at_secs: f64,
        /// The limit.
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

/// Gaps between arrivals shorter than this, on average, are refused: simulated time would
/// hardly move.
const MIN_MEAN_GAP_SECS: f64 = 1e-9;

/// Rejects, before the run, a model that cannot be simulated safely: an unbounded queue fed
/// at or beyond its capacity, or a source whose gaps average under a nanosecond.
pub fn check_stable(system: &System) -> Result<(), RunError> {
    for source in system.sources() {
        let rate = source.arrivals.rate_per_sec();
        if !(rate.is_finite() && rate <= 1.0 / MIN_MEAN_GAP_SECS) {
            return Err(RunError::TooFast {
                name: source.name.clone(),
                rate,
            });
        }
    }
    let flows = system.traffic();
    for (service, flow) in system.services().iter().zip(&flows) {
        let load = flow.load();
        if service.queue.capacity.is_none() && (load.is_nan() || load >= 1.0) {
            let per_worker = flow.capacity / f64::from(service.workers.get());
            let needed = (flow.arrival / per_worker).floor();
            return Err(RunError::Unstable {
                service: service.name.clone(),
                arrival_rate: flow.arrival,
                capacity_rate: flow.capacity,
                workers: service.workers.get(),
                load,
                workers_needed: if needed.is_finite() && needed < 1e12 {
                    Some(needed as u64 + 1)
                } else {
                    None
                },
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
    let (arrival_rate, capacity_rate) = system
        .traffic()
        .get(index)
        .map_or((0.0, 0.0), |f| (f.arrival, f.capacity));
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
