//! Sources, services, routes and run settings: the shape of a system.

use std::num::{NonZeroU32, NonZeroU64};

use super::{Autoscale, ClientPolicy, Dist, Rate, RateProfile, ServiceChange, SimDuration};

/// Index of a service in `System::services`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ServiceId(pub u32);

/// Index of a source in `System::sources`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceId(pub u32);

impl ServiceId {
    /// The position in `System::services`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

impl SourceId {
    /// The position in `System::sources`.
    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// A complete, validated system: build it with [`System::new`].
#[derive(Clone, Debug, PartialEq)]
pub struct System {
    simulation: SimulationSpec,
    sources: Vec<SourceSpec>,
    services: Vec<ServiceSpec>,
}

/// How long to run, what to discard, and which seed to use.
#[derive(Clone, Debug, PartialEq)]
pub struct SimulationSpec {
    /// When the measured period ends.
    pub horizon: Horizon,
    /// Simulated time discarded before measuring, so that figures describe steady state.
    pub warmup: SimDuration,
    /// The root of every random stream.
    pub seed: u64,
    /// Safety limits that stop a runaway model.
    pub limits: Limits,
    /// Response and waiting times against which the share of slower work is reported,
    /// ascending and distinct (SLOs are written this way: "99% under 300 ms").
    pub thresholds: Vec<SimDuration>,
}

/// Most thresholds a study may count slow work against: each adds figures to every source
/// and service.
pub const MAX_THRESHOLDS: usize = 16;

/// The end of the measured period.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Horizon {
    /// Measure for this long after the warm-up.
    Duration(SimDuration),
    /// Measure until this many requests have arrived after the warm-up.
    Requests(NonZeroU64),
}

/// Limits that keep an unsafe model from exhausting memory or running forever.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    /// Work alive at once (requests, call attempts and messages, queued or in service)
    /// before the run is stopped; the same bound applies, counted apart, to the requests
    /// and calls that keep a record for their retries (waiting for an answer or a backoff).
    pub max_in_flight: NonZeroU32,
    /// Events processed before the run is stopped.
    pub max_events: NonZeroU64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_in_flight: NonZeroU32::new(1_000_000).expect("non-zero"),
            max_events: NonZeroU64::new(10_000_000_000).expect("non-zero"),
        }
    }
}

/// A producer of requests, and the client that sends them.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceSpec {
    /// Unique among sources; also keys the source's random streams.
    pub name: String,
    /// The first service every request visits.
    pub target: ServiceId,
    /// When requests are made.
    pub arrivals: Arrivals,
    /// Timeouts and retries of the client.
    pub client: ClientPolicy,
}

/// How requests are made.
#[derive(Clone, Debug, PartialEq)]
pub enum Arrivals {
    /// Open loop: Poisson arrivals at this rate (exponential gaps).
    Poisson(Rate),
    /// Open loop: a renewal process with independent gaps drawn from this distribution.
    Renewal(Dist),
    /// Open loop: Poisson arrivals at a rate that changes over time.
    Varying(RateProfile),
    /// Closed loop: `users` each send a request, wait for its final answer, think for a
    /// drawn time, and send again.
    Closed {
        /// Concurrent users.
        users: NonZeroU32,
        /// Pause between an answer and the next request.
        think_time: Dist,
    },
}

impl Arrivals {
    /// The long-run rate at which requests are offered, per second, for the stability
    /// check; a closed loop offers no more than its users can wait for, so it counts as 0.
    pub fn rate_per_sec(&self) -> f64 {
        match self {
            Arrivals::Poisson(rate) => rate.as_per_sec(),
            Arrivals::Renewal(gap) => 1.0 / gap.mean(),
            Arrivals::Varying(profile) => profile.final_rate(),
            Arrivals::Closed { .. } => 0.0,
        }
    }

    /// The highest rate at which requests are offered at any time, per second: a schedule's
    /// peak, not its final rate; 0 for a closed loop, as in [`Arrivals::rate_per_sec`].
    pub fn peak_rate_per_sec(&self) -> f64 {
        match self {
            Arrivals::Varying(profile) => profile.peak_rate(),
            _ => self.rate_per_sec(),
        }
    }

    /// Whether arrivals form a Poisson process of constant rate.
    pub fn is_poisson(&self) -> bool {
        match self {
            Arrivals::Poisson(_) => true,
            Arrivals::Renewal(gap) => gap.is_exponential(),
            Arrivals::Varying(_) | Arrivals::Closed { .. } => false,
        }
    }

    /// The same arrivals offering `factor` (finite, > 0) times the load: rates multiplied,
    /// renewal gaps divided, closed-loop users multiplied and rounded (at least one).
    pub fn scaled(&self, factor: f64) -> Result<Arrivals, String> {
        if !(factor.is_finite() && factor > 0.0) {
            return Err(format!(
                "a load factor must be a finite number > 0 (got {factor})"
            ));
        }
        Ok(match self {
            Arrivals::Poisson(rate) => Arrivals::Poisson(
                Rate::per_sec(rate.as_per_sec() * factor)
                    .ok_or_else(|| format!("the rate times {factor} is not a finite rate"))?,
            ),
            Arrivals::Renewal(gap) => {
                Arrivals::Renewal(gap.scaled(1.0 / factor).map_err(|e| e.to_string())?)
            }
            Arrivals::Varying(profile) => Arrivals::Varying(profile.scaled(factor)),
            Arrivals::Closed { users, think_time } => {
                let scaled = (f64::from(users.get()) * factor).round();
                let users = NonZeroU32::new(scaled.clamp(1.0, f64::from(u32::MAX)) as u32)
                    .expect("clamped to at least 1");
                Arrivals::Closed {
                    users,
                    think_time: think_time.clone(),
                }
            }
        })
    }
}

/// A queue in front of a pool of identical workers.
#[derive(Clone, Debug, PartialEq)]
pub struct ServiceSpec {
    /// Unique among services; also keys the service's random streams.
    pub name: String,
    /// Workers serving in parallel.
    pub workers: NonZeroU32,
    /// The waiting room.
    pub queue: Queue,
    /// What a worker does for each request, in order (at least one step).
    pub steps: Vec<Step>,
    /// Where a request goes when served here.
    pub route: Route,
    /// Probability in [0, 1] that a request served here fails (the caller sees an error).
    pub error_rate: f64,
    /// Whether a request whose caller has already given up is dropped when a worker would
    /// start it, instead of being served for nothing.
    pub drop_expired: bool,
    /// Changes over time, in time order.
    pub schedule: Vec<ServiceChange>,
    /// Workers that crash at random and restart.
    pub crashes: Option<Crashes>,
    /// A target-tracking autoscaler that sets the workers (never with scheduled changes
    /// of workers).
    pub autoscale: Option<Autoscale>,
    /// Consumers that remember the messages they processed (only at a broker's queue).
    pub idempotent: Option<Idempotence>,
}

/// Idempotent consumers: a message they processed within the window is recognised when it
/// comes again, and costs only the check; one processed before the window is processed
/// again (a duplicate).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Idempotence {
    /// How long a processed message's id is remembered.
    pub window: DedupWindow,
    /// A worker's time to recognise a duplicate received after the first processing.
    pub check: SimDuration,
}

/// How long idempotent consumers remember a processed message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DedupWindow {
    /// While fewer than this many other messages were processed since.
    Messages(NonZeroU32),
    /// For this long after its processing.
    Time(SimDuration),
}

/// Random worker crashes: each worker, while up, crashes after a time drawn from `mtbf`
/// (losing the work it holds) and is back after a time drawn from `restart`.
#[derive(Clone, Debug, PartialEq)]
pub struct Crashes {
    /// Time from a worker's start (or restart) to its next crash.
    pub mtbf: Dist,
    /// Time from a crash to the restart.
    pub restart: Dist,
}

/// One step of a worker's handling of a request.
#[derive(Clone, Debug, PartialEq)]
pub enum Step {
    /// Hold the worker for a drawn time.
    Work(Dist),
    /// Call another service synchronously: the worker waits for the answer (or the call's
    /// timeout, after its retries). A failed call fails the request.
    Call {
        /// The service called.
        to: ServiceId,
        /// The call's timeout and retries.
        policy: ClientPolicy,
    },
    /// Hand messages to another service's queue and carry on at once. A full queue refuses
    /// the message, which fails the request (back pressure).
    Publish {
        /// The service that processes the messages.
        to: ServiceId,
        /// Messages per request, rounded to a whole number; one when `None`.
        fanout: Option<Dist>,
    },
}

impl ServiceSpec {
    /// A plain service: one work step, exit afterwards, no errors, no schedule.
    pub fn simple(
        name: &str,
        workers: NonZeroU32,
        queue: Queue,
        service_time: Dist,
    ) -> ServiceSpec {
        ServiceSpec {
            name: name.to_string(),
            workers,
            queue,
            steps: vec![Step::Work(service_time)],
            route: Route::Exit,
            error_rate: 0.0,
            drop_expired: false,
            schedule: Vec::new(),
            crashes: None,
            autoscale: None,
            idempotent: None,
        }
    }

    /// The most workers it has at any time, by its schedule.
    pub fn most_workers(&self) -> u32 {
        (self.schedule.iter())
            .filter_map(|c| c.workers)
            .chain(self.autoscale.map(|a| a.max))
            .fold(self.workers.get(), u32::max)
    }

    /// The workers its long-run capacity is judged at: an autoscaler's `max` (what it can
    /// reach), else the configured workers.
    pub fn capacity_workers(&self) -> u32 {
        self.autoscale.map_or(self.workers.get(), |a| a.max)
    }

    /// Whether its worker count changes during a run (by the schedule or an autoscaler).
    pub fn workers_change(&self) -> bool {
        self.autoscale.is_some() || self.schedule.iter().any(|c| c.workers.is_some())
    }

    /// Whether work in service here can be lost: workers crash (at random or by the
    /// schedule) or the whole service goes down.
    pub fn can_fail(&self) -> bool {
        self.crashes.is_some() || self.schedule.iter().any(|c| c.fault.is_some())
    }

    /// The service-time distribution, when the only step is one work step.
    pub fn service_time(&self) -> Option<&Dist> {
        match self.steps.as_slice() {
            [Step::Work(dist)] => Some(dist),
            _ => None,
        }
    }

    /// Mean seconds of work per request (calls' waiting not included).
    pub fn work_mean(&self) -> f64 {
        self.steps
            .iter()
            .map(|step| match step {
                Step::Work(dist) => dist.mean(),
                Step::Call { .. } | Step::Publish { .. } => 0.0,
            })
            .sum()
    }

    /// Services this one calls or publishes to.
    pub fn step_targets(&self) -> impl Iterator<Item = ServiceId> + '_ {
        self.steps.iter().filter_map(|step| match step {
            Step::Work(_) => None,
            Step::Call { to, .. } | Step::Publish { to, .. } => Some(*to),
        })
    }
}

/// The waiting room of a service.
#[derive(Clone, Debug, PartialEq)]
pub struct Queue {
    /// Requests that may wait, not counting those in service; `None` is unbounded. A request
    /// arriving to a full waiting room is rejected (HTTP 503). The whole system holds at most
    /// `workers + capacity`.
    pub capacity: Option<u32>,
    /// Which waiting request a free worker takes.
    pub discipline: Discipline,
    /// The delivery guarantee when the waiting room is a message broker's queue and the
    /// workers its consumers; `None` for a plain waiting room (no message figures).
    pub delivery: Option<Delivery>,
    /// What a full broker queue does with a new message (a plain one rejects it).
    pub overflow: Overflow,
    /// A broker queue's memory, beyond which receiving a message costs more.
    pub memory: Option<Memory>,
}

/// A broker's memory: while more than `limit` messages wait, each receive also costs its
/// consumer a drawn `paging` time (the broker reads from disk, misses its caches), so a
/// backlog slows the consumers down just when it needs them fastest.
#[derive(Clone, Debug, PartialEq)]
pub struct Memory {
    /// Waiting messages the broker holds in memory.
    pub limit: NonZeroU32,
    /// The extra time of a receive beyond it.
    pub paging: Dist,
}

/// What a broker's full queue does when a message is published to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Overflow {
    /// The publish fails: the publisher sees an error, which it may retry.
    #[default]
    Reject,
    /// The new message is accepted and discarded (lost); the publisher sees success.
    DropNewest,
    /// The oldest waiting message is discarded (lost) to make room for the new one.
    DropOldest,
}

/// What a broker's queue guarantees about a message a consumer has taken.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Delivery {
    /// Removed when a consumer takes it (a Redis list): a consumer crash loses it.
    AtMostOnce {
        /// How often the broker syncs its log to disk (Redis's append-only file): a broker
        /// crash loses the messages published since the last sync. `None`: kept in memory
        /// only, a broker crash loses every waiting message.
        persistence: Option<SimDuration>,
    },
    /// Kept until the consumer acknowledges it (RabbitMQ): a consumer crash redelivers it
    /// at the head of the queue.
    Acknowledged {
        /// Acknowledged on receipt instead of after processing: a crash loses it.
        early: bool,
        /// Deliveries after which a message whose consumer crashes is dead-lettered.
        limit: Option<NonZeroU32>,
        /// Its waiting messages survive a broker crash (on disk); a transient queue's do
        /// not.
        durable: bool,
    },
    /// Hidden when received, and visible (delivered again) if not deleted by the end of
    /// its visibility timeout, whether its consumer crashed or is only slow (SQS). Its
    /// messages are replicated: a broker crash loses none.
    AtLeastOnce {
        /// How long a received message stays hidden.
        visibility: SimDuration,
        /// Receives after which a message whose visibility lapses is dead-lettered.
        max_receives: Option<NonZeroU32>,
    },
}

/// Queue discipline.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Discipline {
    /// First in, first out.
    #[default]
    Fifo,
    /// Last in, first out (a stack; newest requests first).
    Lifo,
}

/// Where a request goes after a service.
#[derive(Clone, Debug, PartialEq)]
pub enum Route {
    /// It leaves the system, done.
    Exit,
    /// It always goes to this service.
    To(ServiceId),
    /// It goes to each branch's service with that branch's probability, and leaves with the
    /// remaining probability.
    Split(Vec<RouteBranch>),
}

/// One branch of a probabilistic route.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RouteBranch {
    /// Probability in (0, 1]; the branches of one route sum to at most 1.
    pub p: f64,
    /// The next service.
    pub to: ServiceId,
}

impl Route {
    /// Each next service with its probability.
    pub fn branches(&self) -> Vec<(ServiceId, f64)> {
        match self {
            Route::Exit => Vec::new(),
            Route::To(id) => vec![(*id, 1.0)],
            Route::Split(branches) => branches.iter().map(|b| (b.to, b.p)).collect(),
        }
    }

    /// The probability of leaving the system straight after this service.
    pub fn exit_probability(&self) -> f64 {
        1.0 - self.branches().iter().map(|(_, p)| p).sum::<f64>()
    }
}

/// Why a set of parts does not form a valid system.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum TopologyError {
    /// A route or source names a service index that does not exist.
    #[error("{from} routes to service #{to}, which does not exist")]
    UnknownService {
        /// The component whose route is wrong.
        from: String,
        /// The missing index.
        to: u32,
    },
    /// Branch probabilities are outside (0, 1] or sum to more than 1.
    #[error("service '{name}': route probabilities must each be in (0, 1] and sum to at most 1")]
    BadProbabilities {
        /// The service whose route is wrong.
        service: ServiceId,
        /// Its name.
        name: String,
    },
    /// Requests entering this service can never leave the system: every path loops.
    #[error("service '{name}': no route from here ever leaves the system")]
    NoExit {
        /// The trapped service.
        service: ServiceId,
        /// Its name.
        name: String,
    },
    /// There is nothing to simulate.
    #[error("a system needs at least one source")]
    NoSources,
    /// A service calls itself, directly or through other services: its workers would wait
    /// for themselves and could deadlock. Publish instead, or break the cycle.
    #[error(
        "service '{name}' calls itself through synchronous calls ({path}): its workers would \
         wait on themselves; publish instead of calling, or break the cycle"
    )]
    CallCycle {
        /// A service on the cycle.
        name: String,
        /// The cycle, as names joined by " -> ".
        path: String,
    },
    /// A service's handling is invalid (no steps, an error rate outside [0, 1], a schedule
    /// out of order or with an invalid value).
    #[error("service '{name}': {problem}")]
    BadService {
        /// The service.
        name: String,
        /// What is wrong.
        problem: String,
    },
}

/// What is wrong with a service's own settings, if anything.
fn service_problem(service: &ServiceSpec) -> Option<String> {
    let probability = |p: f64| (0.0..=1.0).contains(&p);
    if service.steps.is_empty() {
        return Some("a service needs at least one step".into());
    }
    if !probability(service.error_rate) {
        return Some(format!(
            "error_rate {} is not in [0, 1]",
            service.error_rate
        ));
    }
    if let Some(autoscale) = &service.autoscale {
        if let Some(problem) = autoscale.problem(service.workers.get()) {
            return Some(problem);
        }
        if service.schedule.iter().any(|c| c.workers.is_some()) {
            return Some("an autoscaled service's schedule cannot change its workers".into());
        }
    }
    if service.schedule.windows(2).any(|w| w[0].at > w[1].at) {
        return Some("schedule changes must be in time order".into());
    }
    for change in &service.schedule {
        if change.slowdown.is_some_and(|f| !(f.is_finite() && f > 0.0)) {
            return Some("slowdown must be a finite number > 0".into());
        }
        if change.error_rate.is_some_and(|p| !probability(p)) {
            return Some("a scheduled error_rate must be in [0, 1]".into());
        }
    }
    None
}

impl System {
    /// Checks that every index exists, every route's probabilities are sound and every
    /// service has a path out of the system.
    pub fn new(
        simulation: SimulationSpec,
        sources: Vec<SourceSpec>,
        services: Vec<ServiceSpec>,
    ) -> Result<System, Vec<TopologyError>> {
        let system = System {
            simulation,
            sources,
            services,
        };
        let errors = system.problems();
        if errors.is_empty() {
            Ok(system)
        } else {
            Err(errors)
        }
    }

    fn problems(&self) -> Vec<TopologyError> {
        let mut errors = Vec::new();
        if self.sources.is_empty() {
            errors.push(TopologyError::NoSources);
        }
        let count = self.services.len() as u32;
        for source in &self.sources {
            if source.target.0 >= count {
                errors.push(TopologyError::UnknownService {
                    from: format!("source '{}'", source.name),
                    to: source.target.0,
                });
            }
        }
        for (i, service) in self.services.iter().enumerate() {
            if let Some(problem) = service_problem(service) {
                errors.push(TopologyError::BadService {
                    name: service.name.clone(),
                    problem,
                });
            }
            for to in service.step_targets() {
                if to.0 >= count {
                    errors.push(TopologyError::UnknownService {
                        from: format!("service '{}'", service.name),
                        to: to.0,
                    });
                }
            }
            let branches = service.route.branches();
            for &(to, _) in &branches {
                if to.0 >= count {
                    errors.push(TopologyError::UnknownService {
                        from: format!("service '{}'", service.name),
                        to: to.0,
                    });
                }
            }
            let sound = branches.iter().all(|&(_, p)| p > 0.0 && p <= 1.0)
                && service.route.exit_probability() >= -1e-9;
            if !sound {
                errors.push(TopologyError::BadProbabilities {
                    service: ServiceId(i as u32),
                    name: service.name.clone(),
                });
            }
        }
        if errors.is_empty() {
            errors.extend(self.trapped_services());
            errors.extend(self.call_cycle());
        }
        errors
    }

    /// A cycle of synchronous calls, if there is one.
    fn call_cycle(&self) -> Option<TopologyError> {
        let calls = |s: &ServiceSpec| -> Vec<usize> {
            s.steps
                .iter()
                .filter_map(|step| match step {
                    Step::Call { to, .. } => Some(to.index()),
                    Step::Work(_) | Step::Publish { .. } => None,
                })
                .collect()
        };
        // Depth-first search; `state`: 0 unvisited, 1 on the current path, 2 done.
        let mut state = vec![0u8; self.services.len()];
        let mut path = Vec::new();
        fn visit(
            i: usize,
            system: &System,
            calls: &dyn Fn(&ServiceSpec) -> Vec<usize>,
            state: &mut [u8],
            path: &mut Vec<usize>,
        ) -> Option<Vec<usize>> {
            state[i] = 1;
            path.push(i);
            for next in calls(&system.services[i]) {
                if state[next] == 1 {
                    let start = path.iter().position(|&p| p == next).unwrap_or(0);
                    let mut cycle = path[start..].to_vec();
                    cycle.push(next);
                    return Some(cycle);
                }
                if state[next] == 0
                    && let Some(cycle) = visit(next, system, calls, state, path)
                {
                    return Some(cycle);
                }
            }
            path.pop();
            state[i] = 2;
            None
        }
        (0..self.services.len()).find_map(|i| {
            if state[i] != 0 {
                return None;
            }
            let cycle = visit(i, self, &calls, &mut state, &mut path)?;
            let names: Vec<&str> = cycle
                .iter()
                .map(|&k| self.services[k].name.as_str())
                .collect();
            Some(TopologyError::CallCycle {
                name: names[0].to_string(),
                path: names.join(" -> "),
            })
        })
    }

    /// Services from which no sequence of hops reaches an exit.
    fn trapped_services(&self) -> Vec<TopologyError> {
        let n = self.services.len();
        let mut exits = vec![false; n];
        let mut changed = true;
        while changed {
            changed = false;
            for (i, service) in self.services.iter().enumerate() {
                let leaves = service.route.exit_probability() > 1e-9
                    || service
                        .route
                        .branches()
                        .iter()
                        .any(|(to, _)| exits[to.index()]);
                if leaves && !exits[i] {
                    exits[i] = true;
                    changed = true;
                }
            }
        }
        (0..n)
            .filter(|&i| !exits[i])
            .map(|i| TopologyError::NoExit {
                service: ServiceId(i as u32),
                name: self.services[i].name.clone(),
            })
            .collect()
    }

    /// Run settings.
    pub fn simulation(&self) -> &SimulationSpec {
        &self.simulation
    }

    /// Replaces the seed (for `--seed`).
    pub fn with_seed(mut self, seed: u64) -> System {
        self.simulation.seed = seed;
        self
    }

    /// Adds `extra` to the thresholds against which slow work is counted.
    pub fn with_thresholds(mut self, extra: &[SimDuration]) -> System {
        let thresholds = &mut self.simulation.thresholds;
        thresholds.extend_from_slice(extra);
        thresholds.sort_unstable();
        thresholds.dedup();
        self
    }

    /// The same system with every source offering `factor` times its load (see
    /// [`Arrivals::scaled`]); the error names the source that cannot be scaled.
    pub fn with_load(mut self, factor: f64) -> Result<System, String> {
        for source in &mut self.sources {
            source.arrivals = (source.arrivals.scaled(factor))
                .map_err(|e| format!("source '{}': {e}", source.name))?;
        }
        Ok(self)
    }

    /// Replaces the horizon (for short test runs).
    pub fn with_horizon(mut self, horizon: Horizon) -> System {
        self.simulation.horizon = horizon;
        self
    }

    /// Producers, by `SourceId`.
    pub fn sources(&self) -> &[SourceSpec] {
        &self.sources
    }

    /// Services, by `ServiceId`.
    pub fn services(&self) -> &[ServiceSpec] {
        &self.services
    }

    /// The service with this id.
    pub fn service(&self, id: ServiceId) -> &ServiceSpec {
        &self.services[id.index()]
    }
}
