//! Engine behaviour on small deterministic models, where every figure is known exactly.

use std::num::NonZeroU32;

use super::*;
use crate::model::*;
use crate::stats::{Recorder, RunSummary};

fn secs(s: f64) -> SimDuration {
    SimDuration::from_secs_f64(s).unwrap()
}

/// One source feeding one service, for `duration` seconds without warm-up.
fn station(arrivals: Arrivals, service: Dist, workers: u32, queue: Queue) -> System {
    System::new(
        SimulationSpec {
            horizon: Horizon::Duration(secs(100.0)),
            warmup: SimDuration::ZERO,
            seed: 1,
            limits: Limits::default(),
            thresholds: Vec::new(),
        },
        vec![SourceSpec {
            name: "src".into(),
            target: ServiceId(0),
            arrivals,
            client: ClientPolicy::default(),
        }],
        vec![ServiceSpec::simple(
            "svc",
            NonZeroU32::new(workers).unwrap(),
            queue,
            service,
        )],
    )
    .unwrap()
}

fn run(system: &System) -> RunSummary {
    let mut recorder = Recorder::new(system);
    let outcome = Engine::new(system, 0).unwrap().run(&mut recorder).unwrap();
    recorder.summary(system, &outcome)
}

/// `system` with its safety limits changed by `set`.
fn with_limits(system: System, set: impl FnOnce(&mut Limits)) -> System {
    let mut spec = system.simulation().clone();
    set(&mut spec.limits);
    System::new(spec, system.sources().to_vec(), system.services().to_vec()).unwrap()
}

/// What stops a run of `system`: an error, or a limit that ended it early with what was
/// measured kept.
fn run_error(system: &System) -> RunError {
    match Engine::new(system, 0).unwrap().run(&mut NullObserver) {
        Err(error) => error,
        Ok(outcome) => outcome.stopped.expect("the run was stopped"),
    }
}

const UNBOUNDED: Queue = Queue {
    capacity: None,
    discipline: Discipline::Fifo,
    delivery: None,
    overflow: Overflow::Reject,
    memory: None,
};

fn every(gap_s: f64) -> Arrivals {
    Arrivals::Renewal(Dist::constant(gap_s).unwrap())
}

#[test]
fn deterministic_arrivals_never_wait() {
    // D/D/1: a request every second, served in 0.4 s.
    let s = run(&station(
        every(1.0),
        Dist::constant(0.4).unwrap(),
        1,
        UNBOUNDED,
    ));
    let svc = &s.services[0];
    assert_eq!(
        svc.arrivals, 99,
        "arrivals at 1..=99 s before the 100 s horizon"
    );
    assert_eq!(svc.wait.max, 0.0);
    assert_eq!(svc.sojourn.mean, 0.4);
    assert!((svc.utilisation - 0.4 * 99.0 / 100.0).abs() < 1e-12);
}

#[test]
fn a_full_waiting_room_rejects() {
    // Arrivals at 0.1, 0.2, …, 99.9 s; service 1 s; one worker and one waiting place.
    // 0.1 is served and 0.2 waits, so 0.3 … 1.0 are rejected. From then on a place frees
    // every second, just before the arrival at the same instant (the completion was
    // scheduled first), so each second admits one and rejects nine: 2 + 98 + 1 admitted.
    let queue = Queue {
        capacity: Some(1),
        discipline: Discipline::Fifo,
        delivery: None,
        overflow: Overflow::Reject,
        memory: None,
    };
    let s = run(&station(every(0.1), Dist::constant(1.0).unwrap(), 1, queue));
    let svc = &s.services[0];
    assert_eq!((svc.arrivals, svc.admitted, svc.rejected), (999, 101, 898));
    assert!(svc.lq <= 1.0 && svc.l <= 2.0);
}

#[test]
fn zero_capacity_is_a_loss_system() {
    // Arrivals every 0.1 s, two workers busy 0.25 s each, no waiting room: of every three
    // arrivals two find a worker free and the third is rejected.
    let queue = Queue {
        capacity: Some(0),
        discipline: Discipline::Fifo,
        delivery: None,
        overflow: Overflow::Reject,
        memory: None,
    };
    let s = run(&station(
        every(0.1),
        Dist::constant(0.25).unwrap(),
        2,
        queue,
    ));
    let svc = &s.services[0];
    assert_eq!((svc.arrivals, svc.rejected), (999, 333));
    assert_eq!(svc.wait.max, 0.0);
}

#[test]
fn lifo_serves_the_newest_first() {
    // A burst of waiting requests: under LIFO the first to wait waits longest.
    let lifo = Queue {
        capacity: None,
        discipline: Discipline::Lifo,
        delivery: None,
        overflow: Overflow::Reject,
        memory: None,
    };
    let bursty = || Arrivals::Renewal(Dist::uniform(0.0, 1.2).unwrap());
    let fifo = run(&station(
        bursty(),
        Dist::constant(0.5).unwrap(),
        1,
        UNBOUNDED,
    ));
    let lifo = run(&station(bursty(), Dist::constant(0.5).unwrap(), 1, lifo));
    // The same work is done, but under LIFO an unlucky request waits longest.
    assert_eq!(fifo.services[0].completed, lifo.services[0].completed);
    assert!(lifo.services[0].wait.max > fifo.services[0].wait.max);
}

#[test]
fn warmup_is_excluded() {
    let mut system = station(every(1.0), Dist::constant(0.5).unwrap(), 1, UNBOUNDED);
    system = System::new(
        SimulationSpec {
            warmup: secs(50.0),
            ..system.simulation().clone()
        },
        system.sources().to_vec(),
        system.services().to_vec(),
    )
    .unwrap();
    let s = run(&system);
    assert_eq!(s.measured_secs, 100.0);
    assert_eq!(s.sources[0].arrivals, 100, "arrivals at 50..=149 s");
}

#[test]
fn request_horizon_stops_at_the_nth_arrival() {
    let system = station(every(1.0), Dist::constant(0.5).unwrap(), 1, UNBOUNDED)
        .with_horizon(Horizon::Requests(std::num::NonZeroU64::new(10).unwrap()));
    let s = run(&system);
    assert_eq!(s.sources[0].arrivals, 10);
    assert_eq!(s.measured_secs, 10.0);
}

#[test]
fn unstable_models_are_refused() {
    let system = station(every(0.5), Dist::constant(1.0).unwrap(), 1, UNBOUNDED);
    let err = Engine::new(&system, 0).unwrap_err();
    assert!(
        matches!(
            err,
            RunError::Unstable {
                workers_needed: Some(3),
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("'svc' is unstable"));
}

#[test]
fn in_flight_limit_stops_the_run() {
    let bursty = Arrivals::Renewal(Dist::uniform(0.0, 1.0).unwrap());
    let system = station(bursty, Dist::constant(0.45).unwrap(), 1, UNBOUNDED);
    let system = with_limits(system, |l| l.max_in_flight = NonZeroU32::new(1).unwrap());
    let err = run_error(&system);
    assert!(
        matches!(
            err,
            RunError::InFlightLimit {
                in_flight: 2,
                limit: 1,
                ..
            }
        ),
        "{err}"
    );
}

/// Issue 9: a limit that trips after the warm-up ends the run there and keeps what was
/// measured; one that trips during the warm-up, with nothing measured, is an error.
#[test]
fn issue_9_a_stopped_run_keeps_what_was_measured() {
    let system = station(every(1.0), Dist::constant(0.5).unwrap(), 1, UNBOUNDED);
    let limited = with_limits(system.clone(), |l| {
        l.max_events = std::num::NonZeroU64::new(41).unwrap()
    });
    let mut recorder = Recorder::new(&limited);
    let outcome = Engine::new(&limited, 0)
        .unwrap()
        .run(&mut recorder)
        .unwrap();
    assert!(matches!(outcome.stopped, Some(RunError::EventLimit { .. })));
    // Two events per request (arrival at k s, work done at k + 0.5 s): 41 are processed,
    // the arrival at 21 s the last, and the run ends at the 42nd, the completion at 21.5 s,
    // which is not processed.
    assert_eq!(outcome.end, SimTime(21_500_000_000));
    let summary = recorder.summary(&limited, &outcome);
    assert_eq!(summary.measured_secs, 21.5);
    assert_eq!(summary.services[0].completed, 20);
    assert_eq!(summary.stopped, outcome.stopped);
    // The same limit during a warm-up of 30 s is an error: nothing was measured.
    let spec = SimulationSpec {
        warmup: SimDuration(30_000_000_000),
        ..limited.simulation().clone()
    };
    let warming = System::new(
        spec,
        limited.sources().to_vec(),
        limited.services().to_vec(),
    )
    .unwrap();
    let result = Engine::new(&warming, 0).unwrap().run(&mut NullObserver);
    assert!(
        matches!(result, Err(RunError::EventLimit { .. })),
        "{result:?}"
    );
}

#[test]
fn event_limit_stops_the_run() {
    let system = station(every(1.0), Dist::constant(0.5).unwrap(), 1, UNBOUNDED);
    let system = with_limits(system, |l| {
        l.max_events = std::num::NonZeroU64::new(10).unwrap()
    });
    let err = run_error(&system);
    assert!(
        matches!(err, RunError::EventLimit { limit: 10, .. }),
        "{err}"
    );
}

/// A clock that saturates before the horizon is an error, never a silent end, also when
/// the horizon is a number of requests (which once ended such a run quietly).
#[test]
fn end_of_time_stops_a_request_horizon() {
    let centuries = 300.0 * 365.25 * 86_400.0;
    let system = station(every(centuries), Dist::constant(1.0).unwrap(), 1, UNBOUNDED)
        .with_horizon(Horizon::Requests(std::num::NonZeroU64::new(5).unwrap()));
    assert_eq!(run_error(&system), RunError::EndOfTime);
}

/// A duration horizon reached while the next event sits at the saturated end of time is a
/// normal end: the clock never had to pass the horizon.
#[test]
fn horizon_before_a_saturated_event_ends_normally() {
    let forever = Dist::constant(SimDuration(u64::MAX).as_secs_f64()).unwrap();
    let one_user = Arrivals::Closed {
        users: NonZeroU32::new(1).unwrap(),
        think_time: Dist::constant(1.0).unwrap(),
    };
    let loss = Queue {
        capacity: Some(0),
        discipline: Discipline::Fifo,
        delivery: None,
        overflow: Overflow::Reject,
        memory: None,
    };
    let s = run(&station(one_user, forever, 1, loss));
    assert_eq!(s.sources[0].arrivals, 1);
}

/// The in-flight error names the queue as it was when the limit was passed, before the
/// event that passed it went on (here: one in service and nine waiting when the eleventh
/// request arrives).
#[test]
fn in_flight_error_reports_the_moment_of_the_trip() {
    let room = Queue {
        capacity: Some(100),
        discipline: Discipline::Fifo,
        delivery: None,
        overflow: Overflow::Reject,
        memory: None,
    };
    let system = station(every(0.1), Dist::constant(100.0).unwrap(), 1, room);
    let system = with_limits(system, |l| l.max_in_flight = NonZeroU32::new(10).unwrap());
    let err = run_error(&system);
    assert!(
        matches!(
            err,
            RunError::InFlightLimit {
                in_flight: 11,
                queue_len: 9,
                ..
            }
        ),
        "{err}"
    );
}

/// A source takes the fast path exactly when its client never times out or retries and no
/// service its requests can be routed to calls or publishes.
#[test]
fn plain_sources_are_recognised() {
    let work = || Dist::exponential(0.01).unwrap();
    let service =
        |name: &str| ServiceSpec::simple(name, NonZeroU32::new(1).unwrap(), UNBOUNDED, work());
    // front -> back; "aside" is reachable from no source.
    let with_back_steps = |steps: Vec<Step>| {
        let mut front = service("front");
        front.route = Route::To(ServiceId(1));
        let mut back = service("back");
        back.steps = steps;
        let mut aside = service("aside");
        aside.steps = vec![Step::Publish {
            to: ServiceId(0),
            fanout: None,
        }];
        System::new(
            station(every(1.0), work(), 1, UNBOUNDED)
                .simulation()
                .clone(),
            vec![SourceSpec {
                name: "src".into(),
                target: ServiceId(0),
                arrivals: every(1.0),
                client: ClientPolicy::default(),
            }],
            vec![front, back, aside],
        )
        .unwrap()
    };
    let plain = |system: &System| source::is_plain(system, &system.sources()[0]);
    let only_work = with_back_steps(vec![Step::Work(work())]);
    assert!(plain(&only_work), "an unreachable publish does not count");
    let publish = Step::Publish {
        to: ServiceId(2),
        fanout: None,
    };
    assert!(!plain(&with_back_steps(vec![Step::Work(work()), publish])));
    let call = Step::Call {
        to: ServiceId(2),
        policy: ClientPolicy::default(),
    };
    assert!(!plain(&with_back_steps(vec![call])));
    let client = |client: ClientPolicy| {
        let mut sources = only_work.sources().to_vec();
        sources[0].client = client;
        System::new(
            only_work.simulation().clone(),
            sources,
            only_work.services().to_vec(),
        )
        .unwrap()
    };
    let timeout = ClientPolicy {
        timeout: Some(secs(1.0)),
        ..ClientPolicy::default()
    };
    assert!(!plain(&client(timeout)));
    let mut retry = ClientPolicy::default();
    retry.retry.max_attempts = NonZeroU32::new(2).unwrap();
    assert!(!plain(&client(retry)));
}

/// Issue 9: a step down to a rate so low that the next arrival lies beyond the end of time
/// ends the arrivals instead of running off the last segment.
#[test]
fn issue_9_a_vanishing_rate_after_a_step_ends_the_arrivals() {
    let changes = [RateChange {
        at: secs(1.0),
        rate: 1e-12,
        over: SimDuration::ZERO,
    }];
    let profile = RateProfile::new(Rate::per_sec(10.0).unwrap(), &changes).unwrap();
    let s = run(&station(
        Arrivals::Varying(profile),
        Dist::constant(0.01).unwrap(),
        1,
        UNBOUNDED,
    ));
    assert!(s.services[0].arrivals < 40, "{}", s.services[0].arrivals);
}

/// Issue 9: a one-second burst too fast to simulate is judged at its peak, not by the
/// final rate after it.
#[test]
fn issue_9_a_burst_too_fast_to_simulate_is_refused() {
    let step = |at: f64, rate: f64| RateChange {
        at: secs(at),
        rate,
        over: SimDuration::ZERO,
    };
    let changes = [step(1.0, 1e15), step(2.0, 10.0)];
    let profile = RateProfile::new(Rate::per_sec(10.0).unwrap(), &changes).unwrap();
    let system = station(
        Arrivals::Varying(profile),
        Dist::constant(0.01).unwrap(),
        1,
        UNBOUNDED,
    );
    let error = check_stable(&system).unwrap_err();
    assert!(
        matches!(error, RunError::TooFast { rate, .. } if rate == 1e15),
        "{error}"
    );
}

/// Issue 9: a closed-loop population or an in-flight limit that could never fit in memory
/// is refused before the run, with its estimate.
#[test]
fn issue_9_populations_and_limits_that_cannot_fit_are_refused() {
    let crowd = Arrivals::Closed {
        users: NonZeroU32::MAX,
        think_time: Dist::exponential(1.0).unwrap(),
    };
    let closed = station(crowd, Dist::constant(0.01).unwrap(), 1, UNBOUNDED);
    let error = check_stable(&closed).unwrap_err();
    assert!(matches!(error, RunError::TooManyUsers { .. }), "{error}");
    assert!(error.to_string().contains("GiB"), "{error}");

    let open = station(every(1.0), Dist::constant(0.5).unwrap(), 1, UNBOUNDED);
    assert_eq!(check_stable(&open), Ok(()));
    let huge = with_limits(open, |l| l.max_in_flight = NonZeroU32::MAX);
    let error = check_stable(&huge).unwrap_err();
    assert!(
        matches!(error, RunError::InFlightTooLarge { .. }),
        "{error}"
    );
    assert!(error.to_string().contains("Lower it to at most"), "{error}");
}

/// Issue 11: the sizing rule of target tracking, per metric: the mean demand (busy, busy
/// plus waiting, or waiting per worker) over the target, rounded up and clamped; no data
/// (no worker up) holds.
#[test]
fn issue_11_target_tracking_sizes_capacity_as_metric_over_target() {
    let scaler = |metric| Autoscale {
        metric,
        target: 0.5,
        min: 2,
        max: 50,
        interval: secs(30.0),
        scale_out_delay: secs(60.0),
        scale_in_cooldown: secs(300.0),
    };
    let u = scaler(ScaleMetric::Utilisation);
    // 10 up, 7.3 busy: utilisation 0.73, so 10 × 0.73 / 0.5 = 14.6, rounded up.
    assert_eq!(u.desired(7.3, 100.0, 10.0), Some(15));
    // Exactly on target: no extra worker from rounding.
    assert_eq!(u.desired(5.0, 0.0, 10.0), Some(10));
    assert_eq!(u.desired(0.1, 0.0, 10.0), Some(2), "clamped to min");
    assert_eq!(u.desired(40.0, 0.0, 40.0), Some(50), "clamped to max");
    assert_eq!(u.desired(0.0, 3.0, 0.0), None, "no worker up: no data");
    let f = scaler(ScaleMetric::InFlightPerWorker);
    assert_eq!(f.desired(4.0, 6.0, 8.0), Some(20));
    let q = scaler(ScaleMetric::QueueLength);
    assert_eq!(q.desired(8.0, 6.0, 8.0), Some(12));
    assert_eq!(q.desired(8.0, 0.0, 8.0), Some(2), "nothing waiting: min");
}

/// Runs replication `replication` of `system` on the path `LEAN` chooses.
fn run_on<const LEAN: bool>(system: &System, replication: u64) -> RunSummary {
    let mut recorder = Recorder::new(system);
    let sim = engine::Sim::<LEAN>::new(system, replication).unwrap();
    let outcome = sim.run(&mut recorder).unwrap();
    recorder.summary(system, &outcome)
}

/// The lean path leaves out only what its models cannot use: on models that can take it
/// (retries, timeouts, hand-offs, closed loops, schedules, a collapse), every figure is
/// the same on both paths. The control shows the comparison tells runs apart.
#[test]
fn the_lean_path_gives_the_same_figures_as_the_full_one() {
    let files = [
        include_str!("../../scenarios/mm1-90.toml"),
        include_str!("../../scenarios/retry-storm.toml"),
        include_str!("../../scenarios/checkout-async.toml"),
        include_str!("../../scenarios/call-centre.toml"),
        include_str!("../../scenarios/flash-sale.toml"),
        include_str!("../../scenarios/post-fanout.toml"),
    ];
    for toml in files {
        let system = crate::scenario::parse(toml, "scenario.toml").unwrap();
        assert!(engine::is_lean(&system));
        let lean = run_on::<true>(&system, 0);
        assert_eq!(lean, run_on::<false>(&system, 0));
        assert_ne!(lean, run_on::<false>(&system, 1), "the control");
    }
    let crashes = include_str!("../../scenarios/worker-crashes.toml");
    let system = crate::scenario::parse(crashes, "worker-crashes.toml").unwrap();
    assert!(!engine::is_lean(&system));
}

/// The hot structures keep their sizes: an event fits its 16-byte payload slot and a task
/// one cache line.
#[test]
fn events_and_tasks_keep_their_sizes() {
    assert_eq!(size_of::<event::Event>(), 16);
    assert_eq!(size_of::<task::Task>(), 64);
}
