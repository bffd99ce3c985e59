//! Events per second of the engine with full statistics, on canonical scenarios: M/M/1 at
//! 90% load (as `spillway run` measures it, and with the time series that `--report` adds),
//! M/M/16, the four-stage pipeline, and the retry storm (timeouts, immediate retries, a
//! bounded queue full of abandoned work). The event list's cases: closed loops of 10 and of
//! 100,000 thinking users (as many events pending), and 100,000 pending timeouts. Last, the
//! baseline `bare_heap_mm1`: M/M/1 as a bare binary-heap loop with one histogram, against
//! which the engine's M/M/1 is given as a ratio.
//!
//! `cargo bench --bench engine`; results and the machine go in benches/README.md.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, VecDeque};
use std::hint::black_box;
use std::num::NonZeroU64;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hdrhistogram::Histogram;
use rand::SeedableRng;
use rand::rngs::Xoshiro256PlusPlus;
use rand_distr::{Distribution, Exp1};
use spillway::experiment::{self, Plan};
use spillway::model::{Horizon, System};

/// Requests per iteration: long enough that setup is noise, short enough for many samples.
const REQUESTS: u64 = 5_000_000;

fn load(file: &str) -> System {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    spillway::scenario::load(path.as_ref())
        .unwrap_or_else(|e| panic!("{e}"))
        .with_horizon(Horizon::Requests(NonZeroU64::new(REQUESTS).expect("> 0")))
}

const MM16: &str = r#"
[simulation]
requests = 1
[[source]]
name = "in"
to = "pool"
rate = "14.4/s"
[[service]]
name = "pool"
workers = 16
service_time = { dist = "exponential", mean = "1s" }
"#;

/// A closed loop of `USERS` users thinking 1 s on average, in front of a service whose 1,000
/// workers are busy about 10% of the time at 100,000 users: the users' think timers are
/// (nearly) all the pending events, and the service is never the bottleneck.
const CLOSED: &str = r#"
[simulation]
requests = 1
[[source]]
name = "users"
to = "api"
users = USERS
think_time = { dist = "exponential", mean = "1s" }
[[service]]
name = "api"
workers = 1000
service_time = { dist = "exponential", mean = "1ms" }
"#;

/// 50,000 requests/s, each holding a 2 s timeout timer that outlives its 1 ms of service:
/// about 100,000 timers pending, nearly all of which will find their attempt answered.
const TIMEOUTS: &str = r#"
[simulation]
requests = 1
[[source]]
name = "in"
to = "api"
rate = "50000/s"
timeout = "2s"
[[service]]
name = "api"
workers = 1000
service_time = { dist = "exponential", mean = "1ms" }
"#;

fn parse(toml: &str, name: &str) -> System {
    spillway::scenario::parse(toml, name)
        .unwrap_or_else(|e| panic!("{e}"))
        .with_horizon(Horizon::Requests(NonZeroU64::new(REQUESTS).expect("> 0")))
}

/// M/M/1 at ρ = 0.9 (mean service 10 ms, arrivals at 90/s) as the simplest loop can run
/// it: a std `BinaryHeap` of (time, sequence, kind) events, a FIFO of arrival times, and
/// one HDR histogram of response times. Returns the events processed.
fn bare_heap_mm1(requests: u64) -> u64 {
    const ARRIVAL: u8 = 0;
    const DEPARTURE: u8 = 1;
    let mean_interarrival_ns = 1e9 / 90.0;
    let mean_service_ns = 10e6;
    let mut arrivals = Xoshiro256PlusPlus::seed_from_u64(1);
    let mut service = Xoshiro256PlusPlus::seed_from_u64(2);
    let draw = |rng: &mut Xoshiro256PlusPlus, mean: f64| {
        let x: f64 = Exp1.sample(rng);
        (x * mean) as u64
    };
    let mut histogram =
        Histogram::<u64>::new_with_bounds(1, 100_000_000_000_000, 3).expect("valid bounds");
    let mut heap = BinaryHeap::with_capacity(16);
    let mut waiting = VecDeque::with_capacity(1024);
    let mut seq = 0u64;
    let mut schedule = |heap: &mut BinaryHeap<_>, time: u64, kind: u8| {
        heap.push(Reverse((time, seq, kind)));
        seq += 1;
    };
    schedule(
        &mut heap,
        draw(&mut arrivals, mean_interarrival_ns),
        ARRIVAL,
    );
    let (mut events, mut done) = (0u64, 0u64);
    while let Some(Reverse((now, _, kind))) = heap.pop() {
        events += 1;
        if kind == ARRIVAL {
            let next = now + draw(&mut arrivals, mean_interarrival_ns);
            schedule(&mut heap, next, ARRIVAL);
            waiting.push_back(now);
            if waiting.len() == 1 {
                schedule(
                    &mut heap,
                    now + draw(&mut service, mean_service_ns),
                    DEPARTURE,
                );
            }
        } else {
            let arrived = waiting.pop_front().expect("a request in service");
            histogram.saturating_record((now - arrived).max(1));
            done += 1;
            if done == requests {
                break;
            }
            if !waiting.is_empty() {
                schedule(
                    &mut heap,
                    now + draw(&mut service, mean_service_ns),
                    DEPARTURE,
                );
            }
        }
    }
    black_box(&histogram);
    events
}

/// One replication with full statistics, as `spillway run` does it; `time_series` as with
/// `--report`, which also keeps figures per time window.
fn run(system: &System, time_series: bool) -> u64 {
    let plan = Plan {
        time_series,
        ..Plan::fixed(1)
    };
    let study = experiment::study(system, &plan, &|| {}).expect("runs");
    black_box(&study.summaries);
    study.events
}

fn engine(c: &mut Criterion) {
    let mm16 = parse(MM16, "mm16");
    let mm1 = load("mm1-90.toml");
    let cases = [
        ("mm1_rho0.9", &mm1, false),
        ("mm1_rho0.9_time_series", &mm1, true),
        ("mm16_rho0.9", &mm16, false),
        ("pipeline", &load("pipeline.toml"), false),
        ("retry_storm", &load("retry-storm.toml"), false),
        (
            "pending_10",
            &parse(&CLOSED.replace("USERS", "10"), "pending_10"),
            false,
        ),
        (
            "pending_100k",
            &parse(&CLOSED.replace("USERS", "100_000"), "pending_100k"),
            false,
        ),
        ("timeouts_100k", &parse(TIMEOUTS, "timeouts_100k"), false),
    ];
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for (name, system, time_series) in cases {
        group.throughput(Throughput::Elements(run(system, time_series)));
        group.bench_function(name, |b| b.iter(|| run(system, time_series)));
    }
    group.throughput(Throughput::Elements(bare_heap_mm1(REQUESTS)));
    group.bench_function("bare_heap_mm1", |b| b.iter(|| bare_heap_mm1(REQUESTS)));
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
