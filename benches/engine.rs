//! Events per second of the engine with full statistics, on canonical scenarios: M/M/1 at
//! 90% load (as `spillway run` measures it, and with the time series that `--report` adds),
//! M/M/16, the four-stage pipeline, and the retry storm (timeouts, immediate retries, a
//! bounded queue full of abandoned work).
//!
//! `cargo bench --bench engine`; results and the machine go in benches/README.md.

use std::hint::black_box;
use std::num::NonZeroU64;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
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
    let mm16 = spillway::scenario::parse(MM16, "mm16")
        .unwrap_or_else(|e| panic!("{e}"))
        .with_horizon(Horizon::Requests(NonZeroU64::new(REQUESTS).expect("> 0")));
    let mm1 = load("mm1-90.toml");
    let cases = [
        ("mm1_rho0.9", &mm1, false),
        ("mm1_rho0.9_time_series", &mm1, true),
        ("mm16_rho0.9", &mm16, false),
        ("pipeline", &load("pipeline.toml"), false),
        ("retry_storm", &load("retry-storm.toml"), false),
    ];
    let mut group = c.benchmark_group("engine");
    group.sample_size(10);
    for (name, system, time_series) in cases {
        group.throughput(Throughput::Elements(run(system, time_series)));
        group.bench_function(name, |b| b.iter(|| run(system, time_series)));
    }
    group.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
