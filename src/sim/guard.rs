//! Limits that keep an unsafe model from eating the machine.
//!
//! Before a run, [`check_stable`] rejects a model too large for the event list or for
//! memory at its limits, a source too fast to simulate at its peak, and any unbounded queue
//! whose offered load is at or beyond its capacity (it would grow without end). During a
//! run, the engine stops when the requests in flight or the events processed pass
//! `model::Limits`.

use super::engine::{BYTES_PER_EVENT, BYTES_PER_IN_FLIGHT};
use super::event::MAX_BACKLOG;
use crate::model::{Arrivals, SimTime, System};

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
         waiting; {arrival_rate:.3}/s offered before retries, capacity {capacity_rate:.3}/s). Bound that \
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
    /// The model has more workers, sources and closed-loop users than the event list can
    /// track at once.
    #[error(
        "the model has {pending} workers, sources and closed-loop users in all; at most \
         {limit} are supported. Model a large pool as several services or scale it down"
    )]
    TooLarge {
        /// Sources, closed-loop users and the workers of every service.
        pending: u64,
        /// The supported maximum.
        limit: u64,
    },
    /// A source's gaps between requests average under a nanosecond, at least for a while,
    /// so simulated time would hardly advance.
    #[error(
        "source '{name}' sends up to {rate:.3e} requests/s: gaps under 1 ns on average, so \
         simulated time would stand still. Lower its rate (every step of its schedule) or \
         lengthen its interarrival gaps"
    )]
    TooFast {
        /// The source.
        name: String,
        /// Its highest rate per second, over its whole schedule.
        rate: f64,
    },
    /// A closed loop has more users than the event list can track at once (each user
    /// always has one pending event).
    #[error(
        "source '{name}' has {users} users; at most {limit} are supported (each keeps an \
         event pending: about {gib:.1} GiB for them all). Scale the population down",
        gib = *bytes as f64 / GIB as f64,
    )]
    TooManyUsers {
        /// The source.
        name: String,
        /// Its population.
        users: u32,
        /// The supported maximum.
        limit: u64,
        /// The memory the population would take at once, in bytes.
        bytes: u64,
    },
    /// `max_in_flight` allows more live requests than a run may take memory for, so the
    /// limit could never stop a runaway model before the machine runs out.
    #[error(
        "max_in_flight = {max_in_flight} could take about {gib:.1} GiB ({per_request} bytes \
         per request in flight), more than the {limit_gib} GiB a run may use. Lower it to at \
         most {most}",
        gib = *bytes as f64 / GIB as f64,
        limit_gib = MEMORY_LIMIT_BYTES / GIB,
        most = MEMORY_LIMIT_BYTES / per_request,
    )]
    InFlightTooLarge {
        /// The limit asked for.
        max_in_flight: u32,
        /// Its memory estimate in bytes.
        bytes: u64,
        /// Bytes per request in flight.
        per_request: u64,
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

impl RunError {
    /// A stable machine name for the kind of error (the limit's key for those that stop a
    /// run: `max_in_flight`, `max_events`, `event_backlog`).
    pub fn kind(&self) -> &'static str {
        match self {
            RunError::Unstable { .. } => "unstable",
            RunError::InFlightLimit { .. } => "max_in_flight",
            RunError::TooLarge { .. } => "too_large",
            RunError::TooFast { .. } => "too_fast",
            RunError::TooManyUsers { .. } => "too_many_users",
            RunError::InFlightTooLarge { .. } => "max_in_flight_too_large",
            RunError::EndOfTime => "end_of_time",
            RunError::EventBacklog { .. } => "event_backlog",
            RunError::EventLimit { .. } => "max_events",
        }
    }
}

/// Gaps between arrivals shorter than this, on average, are refused: simulated time would
/// hardly move.
const MIN_MEAN_GAP_SECS: f64 = 1e-9;

const GIB: u64 = 1 << 30;

/// The most memory a run may plan for at its limits; `max_in_flight` is refused beyond it.
/// Fixed rather than the machine's, so that a scenario is accepted everywhere or nowhere.
pub(crate) const MEMORY_LIMIT_BYTES: u64 = 16 * GIB;

/// Rejects, before the run, a model that cannot be simulated safely: more pending events
/// than the event list holds, limits that could exhaust memory, a source whose gaps average
/// under a nanosecond at any time, or an unbounded queue fed at or beyond its capacity.
pub fn check_stable(system: &System) -> Result<(), RunError> {
    check_size(system)?;
    check_rates(system)?;
    check_loads(system)
}

/// Each closed-loop user, source and worker holds a pending event; live requests take
/// memory up to `max_in_flight`.
fn check_size(system: &System) -> Result<(), RunError> {
    let limit = MAX_BACKLOG as u64;
    let mut pending = system.sources().len() as u64;
    for source in system.sources() {
        if let Arrivals::Closed { users, .. } = source.arrivals {
            let users = users.get();
            if u64::from(users) > limit {
                return Err(RunError::TooManyUsers {
                    name: source.name.clone(),
                    users,
                    limit,
                    bytes: u64::from(users) * BYTES_PER_EVENT,
                });
            }
            pending += u64::from(users);
        }
    }
    pending += (system.services().iter())
        .map(|s| u64::from(s.capacity_workers()))
        .sum::<u64>();
    if pending > limit {
        return Err(RunError::TooLarge { pending, limit });
    }
    let max_in_flight = system.simulation().limits.max_in_flight.get();
    let bytes = u64::from(max_in_flight) * BYTES_PER_IN_FLIGHT;
    if bytes > MEMORY_LIMIT_BYTES {
        return Err(RunError::InFlightTooLarge {
            max_in_flight,
            bytes,
            per_request: BYTES_PER_IN_FLIGHT,
        });
    }
    Ok(())
}

/// Judges every source at its peak rate: a short burst too fast to simulate spins as long
/// as a steady one.
fn check_rates(system: &System) -> Result<(), RunError> {
    for source in system.sources() {
        let rate = source.arrivals.peak_rate_per_sec();
        if !(rate.is_finite() && rate <= 1.0 / MIN_MEAN_GAP_SECS) {
            return Err(RunError::TooFast {
                name: source.name.clone(),
                rate,
            });
        }
    }
    Ok(())
}

/// Refuses an unbounded queue whose long-run load is at least 1.
fn check_loads(system: &System) -> Result<(), RunError> {
    let flows = system.traffic();
    for (service, flow) in system.services().iter().zip(&flows) {
        let load = flow.load();
        if service.queue.capacity.is_none() && (load.is_nan() || load >= 1.0) {
            // An autoscaled service is judged at its `max`: what it can reach.
            let per_worker = flow.capacity / f64::from(service.capacity_workers());
            let needed = (flow.arrival / per_worker).floor();
            return Err(RunError::Unstable {
                service: service.name.clone(),
                arrival_rate: flow.arrival,
                capacity_rate: flow.capacity,
                workers: service.capacity_workers(),
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
