//! Properties every run must have, whatever the model.

use spillway::experiment::{self, Plan};
use spillway::model::{SimTime, SourceId};
use spillway::report::{self, RunReport};
use spillway::sim::{Engine, Observer};

use super::system;

const NETWORK: &str = r#"
    [simulation]
    duration = "600s"
    seed = 42
    [[source]]
    name = "a"
    to = "front"
    rate = "40/s"
    [[source]]
    name = "b"
    to = "side"
    interarrival = { dist = "uniform", min = "50ms", max = "150ms" }
    [[service]]
    name = "front"
    workers = 3
    queue = { capacity = 5 }
    service_time = { dist = "lognormal", mean = "60ms", p99 = "300ms" }
    then = [{ to = "side", p = 0.5 }, { to = "front", p = 0.1 }]
    [[service]]
    name = "side"
    workers = 2
    queue = { capacity = 2, discipline = "lifo" }
    service_time = { dist = "gamma", shape = 2, mean = "50ms" }
"#;

/// Every emitted request is completed, rejected or still inside at the end.
#[test]
fn conservation() {
    let system = system(NETWORK);
    let run = experiment::run(&system, 0).expect("runs");
    let s = &run.summary;
    let arrived: u64 = s.sources.iter().map(|x| x.arrivals).sum();
    let completed: u64 = s.sources.iter().map(|x| x.completed).sum();
    let rejected: u64 = s.sources.iter().map(|x| x.rejected).sum();
    let failed: u64 = s.sources.iter().map(|x| x.failed + x.timed_out).sum();
    assert!(rejected > 0 && completed > 0);
    assert_eq!(arrived, completed + rejected + failed + s.system.in_flight);
    for svc in &s.services {
        assert_eq!(svc.arrivals, svc.admitted + svc.rejected, "{}", svc.name);
    }
}

/// Little's law holds on every service and on the system, with loops, splits and LIFO.
#[test]
fn littles_law() {
    let system = system(NETWORK);
    let run = experiment::run(&system, 0).expect("runs");
    for svc in &run.summary.services {
        assert!(svc.little.holds(), "{}: {:?}", svc.name, svc.little);
    }
    assert!(
        run.summary.system.little.holds(),
        "{:?}",
        run.summary.system.little
    );
}

fn json(system: &spillway::model::System) -> Vec<u8> {
    let run = experiment::run(system, 0).expect("runs");
    report::render_json(&RunReport {
        scenario_path: "test.toml",
        scenario_text: NETWORK,
        system,
        run: &run,
    })
}

/// Same scenario and seed: the same bytes. Another seed: other bytes.
#[test]
fn determinism() {
    let system = system(NETWORK);
    assert_eq!(json(&system), json(&system));
    assert_ne!(json(&system), json(&system.clone().with_seed(43)));
}

/// Replications give the same results on one thread as on several.
#[test]
fn replications_independent_of_threads() {
    let system = system(NETWORK);
    let on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| experiment::replicate(&system, 4).expect("runs"))
            .into_iter()
            .map(|r| r.summary)
            .collect::<Vec<_>>()
    };
    assert_eq!(on(1), on(2));
}

/// Records when source `a` emits requests.
struct ArrivalTimes(Vec<SimTime>);

impl Observer for ArrivalTimes {
    fn on_request(&mut self, at: SimTime, source: SourceId) {
        if source == SourceId(0) {
            self.0.push(at);
        }
    }
}

fn arrivals_of_a(toml: &str) -> Vec<SimTime> {
    let system = system(toml);
    let mut times = ArrivalTimes(Vec::new());
    Engine::new(&system, 0)
        .expect("stable")
        .run(&mut times)
        .expect("runs");
    times.0
}

/// Changing one service leaves another component's random draws unchanged.
#[test]
fn streams_are_independent() {
    let changed = NETWORK
        .replace(r#"shape = 2, mean = "50ms""#, r#"shape = 3, mean = "70ms""#)
        .replace("workers = 3", "workers = 4");
    assert_ne!(changed, NETWORK);
    let before = arrivals_of_a(NETWORK);
    assert!(before.len() > 10_000);
    assert_eq!(before, arrivals_of_a(&changed));
    // And the recorder sees a different outcome, so the change was real.
    let run = |t: &str| experiment::run(&system(t), 0).expect("runs").summary;
    assert_ne!(run(NETWORK).services[1], run(&changed).services[1]);
}

/// Plain requests (no timeout, no retry, no call or publish on the way) take the engine's
/// fast path without a call record; a retry policy that can never fire (it retries
/// timeouts, and there is no timeout) sends the same model down the general path. Both
/// must measure exactly the same run: with rejections, service errors, loops, LIFO and a
/// closed loop of users.
#[test]
fn fast_path_equals_general_path() {
    let model = format!(
        "{NETWORK}
    error_rate = 0.05
    [[source]]
    name = \"users\"
    to = \"side\"
    users = 3
    think_time = {{ dist = \"exponential\", mean = \"200ms\" }}
"
    );
    let never_retried =
        ["a", "b", "users"]
            .iter()
            .fold(model.clone(), |text, name| {
                text.replace(
            &format!("name = \"{name}\"\n"),
            &format!("name = \"{name}\"\n    retry = {{ max_attempts = 2, on = [\"timeout\"] }}\n"),
        )
            });
    assert_eq!(never_retried.matches("retry =").count(), 3);
    let plain = experiment::run(&system(&model), 0).expect("runs");
    let general = experiment::run(&system(&never_retried), 0).expect("runs");
    let s = &plain.summary;
    assert!(s.sources.iter().all(|x| x.completed > 0) && s.services[1].failed > 0);
    assert!(s.sources.iter().any(|x| x.rejected > 0));
    assert_eq!(plain.summary, general.summary);
    let rows = |r: &experiment::Replication| r.timeseries.as_ref().map(|t| t.rows());
    assert_eq!(rows(&plain), rows(&general));
}

/// A study without a time series (as `spillway run` does when no report is asked for)
/// measures the same run as one with it, and keeps no windows.
#[test]
fn time_series_is_optional_and_changes_nothing_else() {
    let system = system(NETWORK);
    let with = experiment::study(&system, &Plan::fixed(3), &|| {}).expect("runs");
    let plan = Plan {
        time_series: false,
        ..Plan::fixed(3)
    };
    let without = experiment::study(&system, &plan, &|| {}).expect("runs");
    assert_eq!(with.summaries, without.summaries);
    assert!(!with.windows().is_empty());
    assert!(without.timeseries.is_none() && without.windows().is_empty());
}
