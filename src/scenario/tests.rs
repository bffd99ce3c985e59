//! Tests of the scenario reader: a full valid file, every diagnostic with its exact
//! position and key, units, distributions, and inputs that must not panic.

use std::num::{NonZeroU32, NonZeroU64};

use super::diagnostic::edit_distance;
use super::units::{parse_duration, parse_rate, per_second, seconds};
use super::*;
use crate::model::{
    Arrivals, Backoff, ClientPolicy, Discipline, Dist, Fault, Horizon, Jitter, Limits, Overflow,
    PartitionMode, Queue, QueueFate, RateChange, RateProfile, RetryBudget, RetryOn, RetryPolicy,
    Route, RouteBranch, ServiceChange, ServiceId, SimDuration, Step,
};

/// A small valid scenario; tests edit single lines of it, so its line numbers matter:
/// source on lines 6-9, service `api` on 11-16, service `db` on 18-20.
const VALID: &str = r#"[simulation]
duration = "1s"
warmup = "0s"
seed = 1

[[source]]
name = "web"
to = "api"
rate = "10/s"

[[service]]
name = "api"
workers = 2
queue = { capacity = 10, discipline = "fifo" }
service_time = { dist = "exponential", mean = "10ms" }
then = "db"

[[service]]
name = "db"
service_time = { dist = "constant", value = "1ms" }
"#;

/// `VALID` with each `(from, to)` replacement applied once.
fn edit(replacements: &[(&str, &str)]) -> String {
    let mut text = VALID.to_string();
    for (from, to) in replacements {
        assert!(text.contains(from), "VALID has no {from:?}");
        text = text.replacen(from, to, 1);
    }
    text
}

/// Each diagnostic as `line:column key: message (help: ...)`.
fn problems(text: &str) -> Vec<String> {
    match parse(text, "t.toml") {
        Ok(_) => Vec::new(),
        Err(error) => error
            .diagnostics
            .iter()
            .map(|d| {
                let help = d.help.as_ref().map(|h| format!(" (help: {h})"));
                format!(
                    "{}:{} {}: {}{}",
                    d.line,
                    d.column,
                    d.key,
                    d.message,
                    help.unwrap_or_default()
                )
            })
            .collect(),
    }
}

/// Asserts that `text` gives exactly these problems, each matched as a prefix.
fn assert_problems(text: &str, expected: &[&str]) {
    let actual = problems(text);
    let matches = actual.len() == expected.len()
        && actual.iter().zip(expected).all(|(a, e)| a.starts_with(e));
    assert!(
        matches,
        "expected\n  {}\ngot\n  {}",
        expected.join("\n  "),
        actual.join("\n  ")
    );
}

fn parse_ok(text: &str) -> model::System {
    match parse(text, "t.toml") {
        Ok(system) => system,
        Err(error) => panic!("expected a valid scenario, got\n{error}"),
    }
}

fn ms(value: u64) -> SimDuration {
    SimDuration(value * 1_000_000)
}

#[test]
fn full_example_parses_to_the_expected_system() {
    let text = r#"
[simulation]
duration = "1h"
warmup = "5m"
seed = 7
max_in_flight = 50_000
max_events = 0x10_0000

[[source]]
name = "checkout"
to = "api"
rate = "80/s"

[[source]]
name = "batch"
to = "payments"
interarrival = { dist = "uniform", min = "5ms", max = "15ms" }

[[service]]
name = "api"
workers = 8
queue = { capacity = 100, discipline = "lifo" }
service_time = { dist = "lognormal", mean = "60ms", p99 = "400ms" }
then = [ { to = "payments", p = 0.7 }, { to = "audit", p = 0.2 } ]

[[service]]
name = "payments"
queue = { capacity = 0 }
service_time = { dist = "erlang", k = 3, mean = "30ms" }
then = "audit"

[[service]]
name = "audit"
service_time = { dist = "constant", value = 0.002 }
"#;
    let system = parse_ok(text);
    let sim = system.simulation();
    assert_eq!(
        sim.horizon,
        Horizon::Duration(SimDuration(3_600_000_000_000))
    );
    assert_eq!(sim.warmup, SimDuration(300_000_000_000));
    assert_eq!(sim.seed, 7);
    assert_eq!(sim.limits.max_in_flight.get(), 50_000);
    assert_eq!(sim.limits.max_events.get(), 0x10_0000);

    let [checkout, batch] = system.sources() else {
        panic!("two sources")
    };
    assert_eq!(checkout.name, "checkout");
    assert_eq!(checkout.target, ServiceId(0));
    assert_eq!(checkout.arrivals.rate_per_sec(), 80.0);
    assert_eq!(batch.target, ServiceId(1));
    assert!(matches!(&batch.arrivals, Arrivals::Renewal(d) if d.family_name() == "uniform"));

    let [api, payments, audit] = system.services() else {
        panic!("three services")
    };
    assert_eq!(api.workers.get(), 8);
    assert_eq!(
        api.queue,
        Queue {
            capacity: Some(100),
            discipline: Discipline::Lifo,
            delivery: None,
            overflow: Overflow::Reject,
            memory: None,
        }
    );
    assert!((api.service_time().unwrap().mean() - 0.060).abs() < 1e-12);
    assert_eq!(
        api.route,
        Route::Split(vec![
            RouteBranch {
                p: 0.7,
                to: ServiceId(1)
            },
            RouteBranch {
                p: 0.2,
                to: ServiceId(2)
            },
        ])
    );
    assert_eq!(payments.workers, NonZeroU32::MIN);
    assert_eq!(payments.queue.capacity, Some(0));
    assert_eq!(
        payments.service_time().unwrap(),
        &Dist::erlang(3, 0.030).unwrap()
    );
    assert_eq!(payments.route, Route::To(ServiceId(2)));
    assert_eq!(
        audit.queue,
        Queue {
            capacity: None,
            discipline: Discipline::Fifo,
            delivery: None,
            overflow: Overflow::Reject,
            memory: None,
        }
    );
    assert_eq!(audit.route, Route::Exit);
}

#[test]
fn defaults_apply_when_keys_are_omitted() {
    let system = parse_ok(&edit(&[("warmup = \"0s\"\nseed = 1\n", "")]));
    let sim = system.simulation();
    assert_eq!(sim.warmup, SimDuration::ZERO);
    assert_eq!(sim.seed, 1);
    assert_eq!(sim.limits, Limits::default());
    let db = &system.services()[1];
    assert_eq!(db.workers.get(), 1);
    assert_eq!(
        db.queue,
        Queue {
            capacity: None,
            discipline: Discipline::Fifo,
            delivery: None,
            overflow: Overflow::Reject,
            memory: None,
        }
    );
}

#[test]
fn requests_horizon() {
    let system = parse_ok(&edit(&[("duration = \"1s\"", "requests = 1_000")]));
    let requests = NonZeroU64::new(1_000).unwrap();
    assert_eq!(system.simulation().horizon, Horizon::Requests(requests));
}

/// A table-driven case: its name, the edits to `VALID`, the problems expected.
type Case = (
    &'static str,
    &'static [(&'static str, &'static str)],
    &'static [&'static str],
);

#[test]
fn each_problem_is_reported_at_its_position_and_key() {
    let cases: &[Case] = &[
        (
            "unknown key",
            &[("workers = 2", "wokers = 2")],
            &["13:1 service.api.wokers: unknown key 'wokers' (help: did you mean 'workers'?)"],
        ),
        (
            "wrong type",
            &[("workers = 2", "workers = \"8\"")],
            &["13:11 service.api.workers: expected an integer, found a string"],
        ),
        (
            "zero workers",
            &[("workers = 2", "workers = 0")],
            &["13:11 service.api.workers: must be > 0"],
        ),
        (
            "negative capacity",
            &[("capacity = 10", "capacity = -1")],
            &["14:22 service.api.queue.capacity: must be >= 0"],
        ),
        (
            "unknown discipline",
            &[("\"fifo\"", "\"FIFO\"")],
            &[
                "14:39 service.api.queue.discipline: unknown queue discipline 'FIFO' (help: did you mean 'fifo'?)",
            ],
        ),
        (
            "missing name",
            &[("name = \"db\"\n", "")],
            &[
                "16:8 service.api.then: no service named 'db' (help: the services are: api)",
                "18:1 service[1].name: missing required key 'name'",
            ],
        ),
        (
            "missing service_time",
            &[(
                "service_time = { dist = \"constant\", value = \"1ms\" }\n",
                "",
            )],
            &["18:1 service.db: missing 'service_time' or 'steps' (give exactly one)"],
        ),
        (
            "duplicate name",
            &[("name = \"db\"", "name = \"api\"")],
            &[
                "16:8 service.api.then: no service named 'db'",
                "19:8 service[1].name: duplicate service name 'api' (first defined on line 12)",
            ],
        ),
        (
            "misspelt then",
            &[("then = \"db\"", "then = \"dbb\"")],
            &["16:8 service.api.then: no service named 'dbb' (help: did you mean 'db'?)"],
        ),
        (
            "misspelt to",
            &[("to = \"api\"", "to = \"apj\"")],
            &["8:6 source.web.to: no service named 'apj' (help: did you mean 'api'?)"],
        ),
        (
            "zero rate",
            &[("rate = \"10/s\"", "rate = \"0/s\"")],
            &["9:8 source.web.rate: a rate must be a finite number > 0"],
        ),
        (
            "p99 below the mean",
            &[(
                "{ dist = \"exponential\", mean = \"10ms\" }",
                "{ dist = \"lognormal\", mean = \"60ms\", p99 = \"40ms\" }",
            )],
            &[
                "15:16 service.api.service_time: invalid lognormal distribution: p99 (40 ms) must be greater than the mean (60 ms)",
            ],
        ),
        (
            "misspelt family",
            &[("\"exponential\"", "\"exponentail\"")],
            &[
                "15:25 service.api.service_time.dist: unknown distribution 'exponentail' (help: did you mean 'exponential'?)",
            ],
        ),
        (
            "parameter of another family",
            &[("mean = \"10ms\"", "mean = \"10ms\", p99 = \"1s\"")],
            &[
                "15:55 service.api.service_time.p99: unknown key 'p99' (help: expected one of: dist, mean, rate)",
            ],
        ),
        (
            "duration and requests",
            &[("duration = \"1s\"", "duration = \"1s\"\nrequests = 5")],
            &["3:1 simulation.requests: give either 'duration' or 'requests', not both"],
        ),
        (
            "neither duration nor requests",
            &[("duration = \"1s\"\n", "")],
            &["1:1 simulation: missing 'duration' or 'requests' (give exactly one)"],
        ),
        (
            "zero duration",
            &[("duration = \"1s\"", "duration = 0")],
            &["2:12 simulation.duration: must be > 0"],
        ),
        (
            "rate and interarrival",
            &[(
                "rate = \"10/s\"",
                "interarrival = { dist = \"constant\", value = 1 }\nrate = \"10/s\"",
            )],
            &["10:1 source.web.rate: give either 'rate' or 'interarrival', not both"],
        ),
        (
            "probability above 1",
            &[("then = \"db\"", "then = [ { to = \"db\", p = 1.5 } ]")],
            &["16:27 service.api.then[0].p: a probability must be in (0, 1] (got 1.5)"],
        ),
        (
            "probability of 0",
            &[("then = \"db\"", "then = [ { to = \"db\", p = 0 } ]")],
            &["16:27 service.api.then[0].p: a probability must be in (0, 1] (got 0)"],
        ),
        (
            "probabilities above 1 in sum",
            &[(
                "then = \"db\"",
                "then = [ { to = \"db\", p = 0.7 }, { to = \"api\", p = 0.5 } ]",
            )],
            &["16:8 service.api.then: branch probabilities sum to 1.2, more than 1"],
        ),
        (
            "branch misspelt",
            &[("then = \"db\"", "then = [ { to = \"bd\", prob = 0.5 } ]")],
            &[
                "16:10 service.api.then[0].p: missing required key 'p'",
                "16:17 service.api.then[0].to: no service named 'bd' (help: did you mean 'db'?)",
                "16:23 service.api.then[0].prob: unknown key 'prob' (help: expected one of: to, p)",
            ],
        ),
        (
            "no sources",
            &[(
                "[[source]]\nname = \"web\"\nto = \"api\"\nrate = \"10/s\"\n",
                "",
            )],
            &["1:1 source: no sources: add at least one [[source]] table"],
        ),
        (
            "a single [source] table",
            &[("[[source]]", "[source]")],
            &[
                "6:1 source: expected an array of tables, found a table (help: write [[source]], with double brackets, once per source)",
            ],
        ),
        (
            "misspelt top-level table",
            &[("[[service]]\nname = \"db\"", "[[servce]]\nname = \"db\"")],
            &[
                "16:8 service.api.then: no service named 'db'",
                "18:3 servce: unknown key 'servce' (help: did you mean 'service'?)",
            ],
        ),
        (
            "route with no exit",
            &[("then = \"db\"", "then = \"api\"")],
            &[
                "16:1 service.api.then: requests here can never leave the system: every route loops back",
            ],
        ),
        (
            "seed out of range",
            &[("seed = 1", "seed = 18_446_744_073_709_551_616")],
            &["4:8 simulation.seed: must be at most 18446744073709551615"],
        ),
        (
            "negative seed",
            &[("seed = 1", "seed = -1")],
            &["4:8 simulation.seed: must be >= 0"],
        ),
        (
            "huge integer",
            &[(
                "seed = 1",
                "seed = 0xffff_ffff_ffff_ffff_ffff_ffff_ffff_ffff_ff",
            )],
            &["4:8 simulation.seed: integer is too large"],
        ),
        (
            "max_in_flight out of range",
            &[("seed = 1", "max_in_flight = 5_000_000_000")],
            &["4:17 simulation.max_in_flight: must be at most 4294967295"],
        ),
        (
            "zero max_events",
            &[("seed = 1", "max_events = 0")],
            &["4:14 simulation.max_events: must be > 0"],
        ),
        (
            "bad unit",
            &[("warmup = \"0s\"", "warmup = \"5 sec\"")],
            &[
                "3:10 simulation.warmup: unknown unit 'sec' in duration \"5 sec\"; use one of ns, us (or µs), ms, s, m (or min), h",
            ],
        ),
        (
            "queue as a number",
            &[(
                "queue = { capacity = 10, discipline = \"fifo\" }",
                "queue = 10",
            )],
            &[
                "14:9 service.api.queue: expected a table, found an integer (help: write queue = { capacity = 100 }",
            ],
        ),
        (
            "empty route",
            &[("then = \"db\"", "then = []")],
            &["16:8 service.api.then: a route needs at least one branch"],
        ),
        (
            "empty name",
            &[("name = \"web\"", "name = \"\"")],
            &["7:8 source[0].name: must not be empty"],
        ),
    ];
    for (name, replacements, expected) in cases {
        let text = edit(replacements);
        let actual = problems(&text);
        let matches = actual.len() == expected.len()
            && actual
                .iter()
                .zip(expected.iter())
                .all(|(a, e)| a.starts_with(e));
        assert!(
            matches,
            "case '{name}': expected\n  {}\ngot\n  {}",
            expected.join("\n  "),
            actual.join("\n  ")
        );
    }
}

#[test]
fn many_problems_are_reported_at_once_in_position_order() {
    let text = edit(&[
        ("then = \"db\"", "then = \"dbb\""),
        ("seed = 1", "sed = 1"),
        ("rate = \"10/s\"", "rate = \"10/sec\""),
        ("workers = 2", "workers = true"),
    ]);
    assert_problems(
        &text,
        &[
            "4:1 simulation.sed: unknown key 'sed' (help: did you mean 'seed'?)",
            "9:8 source.web.rate: unknown unit 'sec' in rate \"10/sec\"",
            "13:11 service.api.workers: expected an integer, found a boolean",
            "16:8 service.api.then: no service named 'dbb' (help: did you mean 'db'?)",
        ],
    );
}

#[test]
fn a_syntax_error_gives_its_line_and_column() {
    let text = edit(&[("workers = 2", "workers = = 2")]);
    let error = parse(&text, "t.toml").unwrap_err();
    let [diagnostic] = error.diagnostics.as_slice() else {
        panic!("one diagnostic, got {error}")
    };
    assert_eq!((diagnostic.line, diagnostic.column), (13, 11));
    assert!(
        diagnostic.message.starts_with("invalid TOML: "),
        "{diagnostic}"
    );
    assert_eq!(diagnostic.key, "");
    assert_problems("[simulation\n", &["1:12 : invalid TOML: unclosed table"]);
}

#[test]
fn columns_count_characters_not_bytes() {
    let text = edit(&[(
        "queue = { capacity = 10, discipline = \"fifo\" }",
        "queue = { discipline = \"fïfø\", capacity = -1 }",
    )]);
    assert_problems(
        &text,
        &[
            "14:24 service.api.queue.discipline: unknown queue discipline 'fïfø'",
            "14:43 service.api.queue.capacity: must be >= 0",
        ],
    );
}

#[test]
fn every_family_builds_its_distribution() {
    let cases: &[(&str, &str, f64)] = &[
        (
            "{ dist = \"constant\", value = \"2ms\" }",
            "constant",
            0.002,
        ),
        (
            "{ dist = \"exponential\", mean = \"20ms\" }",
            "exponential",
            0.020,
        ),
        (
            "{ dist = \"exponential\", rate = \"50/s\" }",
            "exponential",
            0.020,
        ),
        (
            "{ dist = \"uniform\", min = \"10ms\", max = \"30ms\" }",
            "uniform",
            0.020,
        ),
        (
            "{ dist = \"normal\", mean = \"1s\", sd = \"1ms\" }",
            "normal",
            1.0,
        ),
        (
            "{ dist = \"lognormal\", mean = \"60ms\", p99 = \"400ms\" }",
            "lognormal",
            0.060,
        ),
        (
            "{ dist = \"lognormal\", median = \"50ms\", p99 = \"50.001ms\" }",
            "lognormal",
            0.050,
        ),
        (
            "{ dist = \"lognormal\", mu = 0, sigma = 0.000001 }",
            "lognormal",
            1.0,
        ),
        (
            "{ dist = \"gamma\", shape = 2, scale = \"10ms\" }",
            "gamma",
            0.020,
        ),
        (
            "{ dist = \"gamma\", shape = 2.0, mean = \"20ms\" }",
            "gamma",
            0.020,
        ),
        (
            "{ dist = \"erlang\", k = 4, mean = \"20ms\" }",
            "gamma",
            0.020,
        ),
        (
            "{ dist = \"weibull\", shape = 1, scale = \"20ms\" }",
            "weibull",
            0.020,
        ),
        (
            "{ dist = \"pareto\", shape = 2, scale = \"10ms\" }",
            "pareto",
            0.020,
        ),
        (
            "{ dist = \"hyperexponential\", mean = \"20ms\", cv = 3 }",
            "hyperexponential",
            0.020,
        ),
        (
            "{ dist = \"hyperexponential\", p = 0.8, mean1 = \"5ms\", mean2 = \"80ms\" }",
            "hyperexponential",
            0.020,
        ),
        (
            "{ dist = \"empirical\", samples = [\"10ms\", 0.02, \"30ms\"] }",
            "empirical",
            0.020,
        ),
    ];
    for (table, family, mean) in cases {
        let text = edit(&[("{ dist = \"exponential\", mean = \"10ms\" }", table)]);
        let system = parse_ok(&text);
        let dist = system.services()[0].service_time().unwrap();
        assert_eq!(dist.family_name(), *family, "{table}");
        assert!(
            (dist.mean() - mean).abs() < 1e-6,
            "{table}: mean {}",
            dist.mean()
        );
    }
}

#[test]
fn distribution_parameters_are_checked() {
    let at = "{ dist = \"exponential\", mean = \"10ms\" }";
    let cases: &[(&str, &str)] = &[
        (
            "{ mean = \"1ms\" }",
            "15:16 service.api.service_time.dist: missing required key 'dist'",
        ),
        (
            "{ dist = \"poisson\" }",
            "15:25 service.api.service_time.dist: unknown distribution 'poisson' (help: the families are: constant, exponential",
        ),
        (
            "{ dist = \"exponential\" }",
            "15:16 service.api.service_time: missing 'mean' or 'rate' (give exactly one)",
        ),
        (
            "{ dist = \"exponential\", rate = \"0/s\" }",
            "15:47 service.api.service_time.rate: a rate must be a finite number > 0",
        ),
        (
            "{ dist = \"uniform\", min = \"30ms\", max = \"10ms\" }",
            "15:16 service.api.service_time: invalid uniform distribution: min (30 ms) must not exceed max (10 ms)",
        ),
        (
            "{ dist = \"lognormal\", mean = \"1ms\", median = \"1ms\", p99 = \"2ms\" }",
            "15:16 service.api.service_time: lognormal takes exactly one pair: mean and p99, median and p99, or mu and sigma (given: mean, median, p99)",
        ),
        (
            "{ dist = \"erlang\", k = 0, mean = \"1ms\" }",
            "15:39 service.api.service_time.k: must be > 0",
        ),
        (
            "{ dist = \"hyperexponential\", mean = \"1ms\", cv = 0.5 }",
            "15:16 service.api.service_time: invalid hyperexponential distribution: cv must be >= 1",
        ),
        (
            "{ dist = \"hyperexponential\", mean = \"1ms\", p = 0.9, mean1 = \"1ms\", mean2 = \"9ms\" }",
            "15:16 service.api.service_time: hyperexponential takes either mean and cv, or p, mean1 and mean2 (given: mean, p, mean1, mean2)",
        ),
        (
            "{ dist = \"hyperexponential\", p = 0.9, mean1 = \"1ms\" }",
            "15:16 service.api.service_time: hyperexponential takes either mean and cv, or p, mean1 and mean2 (given: p, mean1)",
        ),
        (
            "{ dist = \"hyperexponential\", p = 1, mean1 = \"1ms\", mean2 = \"9ms\" }",
            "15:16 service.api.service_time: invalid hyperexponential distribution: p must be a number strictly between 0 and 1 (got 1)",
        ),
        (
            "{ dist = \"hyperexponential\", p = 0.5, mean1 = \"1ms\", mean2 = \"-9ms\" }",
            "15:77 service.api.service_time.mean2: a duration must not be negative",
        ),
        (
            "{ dist = \"empirical\", samples = [] }",
            "15:16 service.api.service_time: invalid empirical distribution: samples must not be empty",
        ),
        (
            "{ dist = \"empirical\", samples = [\"1ms\", \"-2ms\"] }",
            "15:56 service.api.service_time.samples[1]: a duration must not be negative",
        ),
        (
            "{ dist = \"gamma\", shape = \"2\", scale = \"1ms\" }",
            "15:42 service.api.service_time.shape: expected a number, found a string",
        ),
        (
            "\"10ms\"",
            "15:16 service.api.service_time: expected a table, found a string",
        ),
    ];
    for (table, expected) in cases {
        assert_problems(&edit(&[(at, table)]), &[expected]);
    }
}

#[test]
fn the_interarrival_distribution_is_read_like_a_service_time() {
    let text = edit(&[(
        "rate = \"10/s\"",
        "interarrival = { dist = \"constant\", value = \"100ms\" }",
    )]);
    let system = parse_ok(&text);
    assert_eq!(system.sources()[0].arrivals.rate_per_sec(), 10.0);
    let text = edit(&[(
        "rate = \"10/s\"",
        "interarrival = { dist = \"uniform\", min = \"2ms\", max = \"1ms\" }",
    )]);
    assert_problems(
        &text,
        &[
            "9:16 source.web.interarrival: invalid uniform distribution: min (2 ms) must not exceed max (1 ms)",
        ],
    );
}

#[test]
fn durations_accept_every_unit_and_plain_seconds() {
    let cases: &[(&str, u64)] = &[
        ("250ns", 250),
        ("250us", 250_000),
        ("250µs", 250_000),
        ("250μs", 250_000),
        ("40ms", 40_000_000),
        ("2s", 2_000_000_000),
        ("1.5s", 1_500_000_000),
        ("1.5 s", 1_500_000_000),
        (" 3 ms ", 3_000_000),
        ("5m", 300_000_000_000),
        ("5min", 300_000_000_000),
        ("1h", 3_600_000_000_000),
        ("0s", 0),
        ("1e3ms", 1_000_000_000),
        ("1_000ms", 1_000_000_000),
        (".5s", 500_000_000),
        ("10m30s", 630_000_000_000),
        ("1h 30m", 5_400_000_000_000),
        ("1m0.5s", 60_500_000_000),
        ("1s500ms", 1_500_000_000),
    ];
    for (text, ns) in cases {
        assert_eq!(parse_duration(text), Ok(SimDuration(*ns)), "{text}");
    }
    assert_eq!(seconds(2.0), Ok(SimDuration(2_000_000_000)));
    assert_eq!(seconds(0.25), Ok(ms(250)));
    // Plain TOML numbers are seconds, integer or float.
    let system = parse_ok(&edit(&[
        ("duration = \"1s\"", "duration = 3"),
        ("warmup = \"0s\"", "warmup = 0.5"),
    ]));
    assert_eq!(
        system.simulation().horizon,
        Horizon::Duration(SimDuration(3_000_000_000))
    );
    assert_eq!(system.simulation().warmup, ms(500));
}

#[test]
fn bad_durations_say_what_is_accepted() {
    let cases: &[(&str, &str)] = &[
        (
            "5",
            "missing unit in \"5\": write e.g. \"5s\"; units are ns, us (or µs), ms, s, m (or min), h",
        ),
        (
            "5 sec",
            "unknown unit 'sec' in duration \"5 sec\"; use one of ns, us (or µs), ms, s, m (or min), h",
        ),
        ("5d", "unknown unit 'd'"),
        ("-5ms", "a duration must not be negative"),
        (
            "ms",
            "invalid duration \"ms\": expected a number and a unit",
        ),
        ("inf ms", "invalid duration \"inf ms\""),
        ("NaN s", "invalid duration \"NaN s\""),
        ("1e999s", "the duration \"1e999s\" is too large"),
        ("1.2.3s", "invalid duration \"1.2.3s\""),
        ("", "invalid duration \"\""),
        ("10000000h", "the duration \"10000000h\" is too long"),
        ("10m30", "missing unit in \"10m30\""),
        ("10m30x", "unknown unit 'x' in duration \"10m30x\""),
    ];
    for (text, message) in cases {
        match parse_duration(text) {
            Ok(d) => panic!("{text:?} parsed as {d:?}"),
            Err(actual) => assert!(actual.starts_with(message), "{text:?}: {actual}"),
        }
    }
    assert!(seconds(-1.0).is_err());
    assert!(seconds(f64::NAN).is_err());
    assert!(seconds(f64::INFINITY).is_err());
}

#[test]
fn rates_accept_every_unit_and_plain_numbers() {
    let cases: &[(&str, f64)] = &[
        ("900/s", 900.0),
        ("30/min", 0.5),
        ("30/m", 0.5),
        ("2/ms", 2000.0),
        ("100/h", 100.0 / 3600.0),
        ("3/us", 3e6),
        ("1/ns", 1e9),
        ("2.5 / s", 2.5),
    ];
    for (text, per_sec) in cases {
        let rate = parse_rate(text).unwrap_or_else(|e| panic!("{text}: {e}"));
        assert!((rate.as_per_sec() / per_sec - 1.0).abs() < 1e-12, "{text}");
    }
    assert_eq!(per_second(80.0).map(|r| r.as_per_sec()), Ok(80.0));
    let system = parse_ok(&edit(&[("rate = \"10/s\"", "rate = 25")]));
    assert_eq!(system.sources()[0].arrivals.rate_per_sec(), 25.0);
}

#[test]
fn bad_rates_say_what_is_accepted() {
    let cases: &[(&str, &str)] = &[
        ("80", "missing unit in \"80\": write e.g. \"80/s\""),
        (
            "80/sec",
            "unknown unit 'sec' in rate \"80/sec\"; use one of ns, us (or µs), ms, s, m (or min), h",
        ),
        ("80/", "missing unit in \"80/\""),
        ("/s", "invalid rate \"/s\""),
        ("fast", "invalid rate \"fast\""),
        ("0/s", "a rate must be a finite number > 0"),
        ("-3/s", "a rate must not be negative"),
        ("inf/s", "invalid rate \"inf/s\""),
    ];
    for (text, message) in cases {
        match parse_rate(text) {
            Ok(r) => panic!("{text:?} parsed as {r:?}"),
            Err(actual) => assert!(actual.starts_with(message), "{text:?}: {actual}"),
        }
    }
    assert!(per_second(0.0).is_err());
    assert!(per_second(-1.0).is_err());
    assert!(per_second(f64::INFINITY).is_err());
}

#[test]
fn integers_honour_radix_and_separators() {
    for (text, seed) in [
        ("0x1F", 31),
        ("0o17", 15),
        ("0b101", 5),
        ("1_000", 1000),
        ("+7", 7),
    ] {
        let system = parse_ok(&edit(&[("seed = 1", &format!("seed = {text}"))]));
        assert_eq!(system.simulation().seed, seed, "{text}");
    }
}

#[test]
fn edit_distance_counts_swaps_as_one() {
    assert_eq!(edit_distance("workers", "wokers"), 1);
    assert_eq!(edit_distance("exponential", "exponentail"), 1);
    assert_eq!(edit_distance("abc", "abc"), 0);
    assert_eq!(edit_distance("", "abc"), 3);
    assert_eq!(edit_distance("kitten", "sitting"), 3);
}

#[test]
fn diagnostics_display_as_file_line_column_key_message() {
    let mut diagnostic = Diagnostic {
        file: "scenarios/shop.toml".to_string(),
        line: 14,
        column: 3,
        key: "service.api.queue.capacity".to_string(),
        message: "must be >= 0".to_string(),
        help: None,
    };
    assert_eq!(
        diagnostic.to_string(),
        "scenarios/shop.toml:14:3: service.api.queue.capacity: must be >= 0"
    );
    diagnostic.help = Some("did you mean 'capacity'?".to_string());
    let two_lines = "scenarios/shop.toml:14:3: service.api.queue.capacity: must be >= 0\n  help: did you mean 'capacity'?";
    assert_eq!(diagnostic.to_string(), two_lines);
    let error = ScenarioError {
        diagnostics: vec![diagnostic.clone(), diagnostic],
    };
    assert_eq!(error.to_string(), format!("{two_lines}\n{two_lines}"));
}

#[test]
fn an_unreadable_file_is_one_diagnostic_without_position() {
    let path = Path::new("/nonexistent/spillway/scenario.toml");
    let error = load(path).unwrap_err();
    let [diagnostic] = error.diagnostics.as_slice() else {
        panic!("one diagnostic")
    };
    assert_eq!((diagnostic.line, diagnostic.column), (0, 0));
    assert!(diagnostic.message.starts_with("cannot read the scenario: "));
    assert!(
        error
            .to_string()
            .starts_with("/nonexistent/spillway/scenario.toml: cannot read")
    );
}

#[test]
fn odd_documents_give_diagnostics_not_panics() {
    let cases: &[(&str, &[&str])] = &[
        (
            "",
            &[
                "1:1 simulation: missing the [simulation] table",
                "1:1 source: no sources",
            ],
        ),
        (
            "simulation = 3\nsource = 5\nservice = [1]\n",
            &[
                "1:14 simulation: expected a table, found an integer",
                "2:10 source: expected an array of tables, found an integer",
                "3:12 service[0]: expected a table, found an integer",
            ],
        ),
        (
            "[simulation]\nduration = 1979-05-27\nseed = 0x\nwarmup = nan\n",
            &[
                "1:1 source: no sources",
                "2:12 simulation.duration: expected a duration",
                "3:8 simulation.seed: not a valid integer",
                "4:10 simulation.warmup: must be a finite number",
            ],
        ),
        (
            "[simulation]\nduration = -inf\n[[source]]\n[[service]]\n",
            &[
                "2:12 simulation.duration: must be a finite number",
                "3:1 source[0].name: missing required key 'name'",
                "3:1 source[0].to: missing required key 'to'",
                "3:1 source[0]: missing 'rate', 'interarrival' or 'users' (give exactly one)",
                "4:1 service[0].name: missing required key 'name'",
                "4:1 service[0]: missing 'service_time' or 'steps' (give exactly one)",
            ],
        ),
    ];
    for (text, expected) in cases {
        assert_problems(text, expected);
    }
}

#[test]
fn no_truncation_or_deletion_of_a_valid_file_panics() {
    let full = edit(&[("then = \"db\"", "then = [ { to = \"db\", p = 0.5 } ]")]);
    for cut in 0..full.len() {
        let _ = parse(&full[..cut], "t.toml");
        let deleted = format!("{}{}", &full[..cut], &full[cut + 1..]);
        let _ = parse(&deleted, "t.toml");
    }
}

#[test]
fn the_documented_example_parses() {
    let doc = include_str!("../../docs/scenario-format.md");
    let example = doc
        .split("```toml\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("docs/scenario-format.md has a ```toml example");
    let system = parse_ok(example);
    assert_eq!(system.sources().len(), 2);
    assert_eq!(system.services().len(), 3);
    assert_eq!(system.services()[1].queue.capacity, Some(0));
}

#[test]
fn suggestions_need_a_close_name() {
    use super::diagnostic::did_you_mean;
    let keys = [
        "name",
        "workers",
        "queue",
        "service_time",
        "then",
        "to",
        "p",
    ];
    assert_eq!(
        did_you_mean("wokers", keys).as_deref(),
        Some("did you mean 'workers'?")
    );
    assert_eq!(
        did_you_mean("Workers", keys).as_deref(),
        Some("did you mean 'workers'?")
    );
    assert_eq!(
        did_you_mean("servicetime", keys).as_deref(),
        Some("did you mean 'service_time'?")
    );
    assert_eq!(
        did_you_mean("tp", keys).as_deref(),
        Some("did you mean 'to'?")
    );
    assert_eq!(did_you_mean("q", keys), None);
    assert_eq!(did_you_mean("capacity", keys), None);
    assert_eq!(did_you_mean(&"x".repeat(100_000), keys), None);
}

// ---- Issue 3: client policies, varying and closed-loop load, steps, schedules ----

/// Asserts every case of `(name, replacements on VALID, expected problems)`.
fn assert_cases(cases: &[Case]) {
    let mut failures = Vec::new();
    for (name, replacements, expected) in cases {
        let actual = problems(&edit(replacements));
        let matches = actual.len() == expected.len()
            && actual
                .iter()
                .zip(expected.iter())
                .all(|(a, e)| a.starts_with(e));
        if !matches {
            failures.push(format!(
                "case '{name}': expected\n  {}\ngot\n  {}",
                expected.join("\n  "),
                actual.join("\n  ")
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// The line `rate = "10/s"` of `VALID`'s source (line 9).
const RATE: &str = "rate = \"10/s\"";

/// The line `service_time = ...` of `VALID`'s service `api` (line 15).
const API_TIME: &str = "service_time = { dist = \"exponential\", mean = \"10ms\" }";

fn secs(value: u64) -> SimDuration {
    SimDuration(value * 1_000_000_000)
}

#[test]
fn source_client_policy_is_read() {
    let text = edit(&[(
        RATE,
        "rate = \"10/s\"\ntimeout = \"2s\"\nretry = { max_attempts = 4, on = [\"timeout\", \
         \"failed\"], base = \"50ms\", multiplier = 3, cap = \"5s\", jitter = \"decorrelated\", \
         budget = { ratio = 0.2, burst = 5 } }",
    )]);
    let system = parse_ok(&text);
    let client = &system.sources()[0].client;
    assert_eq!(client.timeout, Some(secs(2)));
    let retry = &client.retry;
    assert_eq!(retry.max_attempts.get(), 4);
    assert_eq!(
        retry.on,
        RetryOn {
            rejected: false,
            timeout: true,
            failed: true
        }
    );
    assert_eq!(
        retry.backoff,
        Backoff {
            base: ms(50),
            multiplier: 3.0,
            cap: secs(5),
            jitter: Jitter::Decorrelated
        }
    );
    assert_eq!(
        retry.budget,
        Some(RetryBudget {
            ratio: 0.2,
            burst: 5.0
        })
    );
}

#[test]
fn client_policy_defaults() {
    let none = parse_ok(VALID);
    assert_eq!(none.sources()[0].client, ClientPolicy::default());
    assert_eq!(none.sources()[0].client.retry.max_attempts.get(), 1);

    let text = edit(&[(
        RATE,
        "rate = \"10/s\"\nretry = { budget = { ratio = 0.1 } }",
    )]);
    let system = parse_ok(&text);
    let client = &system.sources()[0].client;
    assert_eq!(client.timeout, None);
    assert_eq!(client.retry.max_attempts.get(), 3);
    assert_eq!(client.retry.on, RetryOn::ALL);
    assert_eq!(client.retry.backoff, Backoff::default());
    assert_eq!(client.retry.backoff.base, ms(100));
    assert_eq!(client.retry.backoff.cap, secs(10));
    assert_eq!(client.retry.backoff.jitter, Jitter::Full);
    assert_eq!(
        client.retry.budget,
        Some(RetryBudget {
            ratio: 0.1,
            burst: 10.0
        })
    );
    let every_jitter = [
        ("none", Jitter::None),
        ("full", Jitter::Full),
        ("equal", Jitter::Equal),
        ("decorrelated", Jitter::Decorrelated),
    ];
    for (name, jitter) in every_jitter {
        let line = format!("rate = \"10/s\"\nretry = {{ jitter = \"{name}\" }}");
        let system = parse_ok(&edit(&[(RATE, &line)]));
        assert_eq!(system.sources()[0].client.retry.budget, None);
        assert_eq!(system.sources()[0].client.retry.backoff.jitter, jitter);
    }
}

#[test]
fn a_rate_schedule_makes_varying_arrivals() {
    let text = edit(&[(
        RATE,
        "rate = \"80/s\"\nschedule = [\n  { at = \"10m\", rate = \"800/s\" },\n  { at = \
         \"10m30s\", rate = 80 },\n  { at = \"1h\", rate = \"0/s\", over = \"30m\" },\n]",
    )]);
    let system = parse_ok(&text);
    let changes = [
        RateChange {
            at: secs(600),
            rate: 800.0,
            over: SimDuration::ZERO,
        },
        RateChange {
            at: secs(630),
            rate: 80.0,
            over: SimDuration::ZERO,
        },
        RateChange {
            at: secs(3600),
            rate: 0.0,
            over: secs(1800),
        },
    ];
    let expected = RateProfile::new(model::Rate::per_sec(80.0).unwrap(), &changes).unwrap();
    assert_eq!(system.sources()[0].arrivals, Arrivals::Varying(expected));
}

#[test]
fn users_and_think_time_make_a_closed_loop() {
    let text = edit(&[(
        RATE,
        "users = 50\nthink_time = { dist = \"exponential\", mean = \"5s\" }",
    )]);
    let system = parse_ok(&text);
    assert_eq!(
        system.sources()[0].arrivals,
        Arrivals::Closed {
            users: NonZeroU32::new(50).unwrap(),
            think_time: Dist::exponential(5.0).unwrap()
        }
    );
}

#[test]
fn service_steps_and_settings_are_read() {
    let text = edit(&[
        (
            API_TIME,
            "steps = [\n  { work = { dist = \"constant\", value = \"20ms\" } },\n  { call = \
             \"db\", timeout = \"1s\", retry = { max_attempts = 2 } },\n  { publish = \"db\" \
             },\n  { publish = \"db\", fanout = 20 },\n  { publish = \"db\", fanout = { dist = \
             \"uniform\", min = 1, max = 3 } },\n]\nerror_rate = 0.01\ndrop_expired = \
             true\nschedule = [\n  { at = \"10m\", workers = 0 },\n  { at = \"12m\", workers = 8 \
             },\n  { at = \"20m\", slowdown = 3 },\n  { at = \"30m\", error_rate = 0.5, slowdown \
             = 1 },\n]",
        ),
        // Routing out of `db` would loop; keep `api` an exit so the topology is valid.
        ("then = \"db\"", ""),
    ]);
    let system = parse_ok(&text);
    let api = &system.services()[0];
    let call_policy = ClientPolicy {
        timeout: Some(secs(1)),
        retry: RetryPolicy {
            max_attempts: NonZeroU32::new(2).unwrap(),
            ..RetryPolicy::default()
        },
    };
    assert_eq!(
        api.steps,
        vec![
            Step::Work(Dist::constant(0.020).unwrap()),
            Step::Call {
                to: ServiceId(1),
                policy: call_policy
            },
            Step::Publish {
                to: ServiceId(1),
                fanout: None
            },
            Step::Publish {
                to: ServiceId(1),
                fanout: Some(Dist::constant(20.0).unwrap())
            },
            Step::Publish {
                to: ServiceId(1),
                fanout: Some(Dist::uniform(1.0, 3.0).unwrap())
            },
        ]
    );
    assert_eq!(api.error_rate, 0.01);
    assert!(api.drop_expired);
    let change = |at, workers, slowdown, error_rate| ServiceChange {
        at: secs(at),
        workers,
        slowdown,
        error_rate,
        fault: None,
    };
    assert_eq!(
        api.schedule,
        vec![
            change(600, Some(0), None, None),
            change(720, Some(8), None, None),
            change(1200, None, Some(3.0), None),
            change(1800, None, Some(1.0), Some(0.5)),
        ]
    );
    assert_eq!(api.route, Route::Exit);
}

#[test]
fn service_defaults_for_the_new_keys() {
    let system = parse_ok(VALID);
    let api = &system.services()[0];
    assert_eq!(
        api.steps,
        vec![Step::Work(Dist::exponential(0.010).unwrap())]
    );
    assert_eq!(api.error_rate, 0.0);
    assert!(!api.drop_expired);
    assert!(api.schedule.is_empty());
}

#[test]
fn source_mistakes_are_reported_at_their_key() {
    let cases: &[Case] = &[
        (
            "both rate and users",
            &[(RATE, "rate = \"10/s\"\nusers = 5")],
            &["10:1 source.web.users: give either 'rate' or 'users', not both"],
        ),
        (
            "users without think_time",
            &[(RATE, "users = 5")],
            &[
                "9:1 source.web.users: a closed loop ('users') needs 'think_time' (help: each user pauses",
            ],
        ),
        (
            "zero users",
            &[(
                RATE,
                "users = 0\nthink_time = { dist = \"constant\", value = 1 }",
            )],
            &["9:9 source.web.users: must be > 0"],
        ),
        (
            "think_time without users",
            &[(RATE, "rate = \"10/s\"\nthink_time = 1")],
            &["10:1 source.web.think_time: 'think_time' is for a closed loop: it needs 'users'"],
        ),
        (
            "schedule and think_time with interarrival, bad rate with schedule",
            &[
                (
                    RATE,
                    "interarrival = 1\nthink_time = 1\nschedule = [{ at = 1, rate = 2 }]",
                ),
                ("name = \"api\"", "name = \"api\"\nxx = 1"),
            ],
            &[
                "10:1 source.web.think_time: 'think_time' is for a closed loop: it needs 'users'",
                "11:1 source.web.schedule: a schedule changes a Poisson rate: it needs 'rate'",
                "15:1 service.api.xx: unknown key 'xx'",
            ],
        ),
        (
            "bad base rate and bad schedule entry",
            &[(
                RATE,
                "rate = \"0/s\"\nschedule = [{ at = 1, rate = 2, ovr = 1 }]",
            )],
            &[
                "9:8 source.web.rate: a rate must be a finite number > 0",
                "10:33 source.web.schedule[0].ovr: unknown key 'ovr' (help: did you mean 'over'?)",
            ],
        ),
        (
            "schedule without rate",
            &[(RATE, "users = 5\nschedule = []")],
            &["10:1 source.web.schedule: a schedule changes a Poisson rate: it needs 'rate'"],
        ),
        (
            "overlapping ramp",
            &[(
                RATE,
                "rate = \"10/s\"\nschedule = [{ at = \"10s\", rate = 5, over = \"10s\" }, { at = \"15s\", rate = 1 }]",
            )],
            &[
                "10:60 source.web.schedule[1].at: it starts at 15 s, before the previous change's ramp has finished at 20 s",
            ],
        ),
        (
            "rate changes out of order",
            &[(
                RATE,
                "rate = \"10/s\"\nschedule = [{ at = \"10s\", rate = 5 }, { at = \"5s\", rate = 1 }]",
            )],
            &[
                "10:46 source.web.schedule[1].at: changes must be in time order: this one at 5 s comes after one at 10 s",
            ],
        ),
        (
            "schedule entry with an unknown key, and no rate",
            &[(
                RATE,
                "rate = \"10/s\"\nschedule = [{ at = \"10s\", rte = 5 }]",
            )],
            &[
                "10:13 source.web.schedule[0].rate: missing required key 'rate'",
                "10:27 source.web.schedule[0].rte: unknown key 'rte' (help: did you mean 'rate'?)",
            ],
        ),
        (
            "schedule entry without at",
            &[(RATE, "rate = \"10/s\"\nschedule = [{ rate = 5 }]")],
            &["10:13 source.web.schedule[0].at: missing required key 'at'"],
        ),
        (
            "negative scheduled rate",
            &[(RATE, "rate = \"10/s\"\nschedule = [{ at = 1, rate = -5 }]")],
            &["10:30 source.web.schedule[0].rate: a rate must be a finite number >= 0 (got -5)"],
        ),
        (
            "timeout 0",
            &[(RATE, "rate = \"10/s\"\ntimeout = \"0s\"")],
            &["10:11 source.web.timeout: must be > 0"],
        ),
        (
            "bad jitter",
            &[(RATE, "rate = \"10/s\"\nretry = { jitter = \"ful\" }")],
            &["10:20 source.web.retry.jitter: unknown jitter 'ful' (help: did you mean 'full'?)"],
        ),
        (
            "bad on entry",
            &[(
                RATE,
                "rate = \"10/s\"\nretry = { on = [\"rejected\", \"timout\"] }",
            )],
            &[
                "10:29 source.web.retry.on[1]: unknown outcome 'timout' (help: did you mean 'timeout'?)",
            ],
        ),
        (
            "repeated on entry",
            &[(
                RATE,
                "rate = \"10/s\"\nretry = { on = [\"failed\", \"failed\"] }",
            )],
            &["10:27 source.web.retry.on[1]: 'failed' is listed twice"],
        ),
        (
            "empty on",
            &[(RATE, "rate = \"10/s\"\nretry = { on = [] }")],
            &[
                "10:16 source.web.retry.on: must not be empty (help: name some of: rejected, timeout, failed)",
            ],
        ),
        (
            "budget ratio 0",
            &[(RATE, "rate = \"10/s\"\nretry = { budget = { ratio = 0 } }")],
            &["10:30 source.web.retry.budget.ratio: must be in (0, 1]"],
        ),
        (
            "budget without ratio, small burst",
            &[(
                RATE,
                "rate = \"10/s\"\nretry = { budget = { burst = 0.5 } }",
            )],
            &[
                "10:20 source.web.retry.budget.ratio: missing required key 'ratio'",
                "10:30 source.web.retry.budget.burst: must be >= 1 (got 0.5)",
            ],
        ),
        (
            "cap below base",
            &[(
                RATE,
                "rate = \"10/s\"\nretry = { base = \"1s\", cap = \"500ms\" }",
            )],
            &["10:30 source.web.retry.cap: must be >= base (1 s), got 500 ms"],
        ),
        (
            "base above the default cap",
            &[(RATE, "rate = \"10/s\"\nretry = { base = \"1m\" }")],
            &["10:9 source.web.retry: base (1 min) is above the default cap (10 s)"],
        ),
        (
            "zero attempts, small multiplier",
            &[(
                RATE,
                "rate = \"10/s\"\nretry = { max_attempts = 0, multiplier = 0.5 }",
            )],
            &[
                "10:26 source.web.retry.max_attempts: must be > 0",
                "10:42 source.web.retry.multiplier: must be >= 1 (got 0.5)",
            ],
        ),
        (
            "unknown retry key",
            &[(RATE, "rate = \"10/s\"\nretry = { max_attempt = 2 }")],
            &[
                "10:11 source.web.retry.max_attempt: unknown key 'max_attempt' (help: did you mean 'max_attempts'?)",
            ],
        ),
        (
            "think_time read like a distribution",
            &[(
                RATE,
                "users = 2\nthink_time = { dist = \"constnt\", value = \"1s\" }",
            )],
            &[
                "10:23 source.web.think_time.dist: unknown distribution 'constnt' (help: did you mean 'constant'?)",
            ],
        ),
    ];
    assert_cases(cases);
}

#[test]
fn service_mistakes_are_reported_at_their_key() {
    let cases: &[Case] = &[
        (
            "step with two kinds",
            &[(API_TIME, "steps = [{ work = 1, call = \"db\" }]")],
            &[
                "15:22 service.api.steps[0].call: a step does one thing: give one of 'work', 'call' or 'publish', not both 'work' and 'call'",
            ],
        ),
        (
            "step with no kind",
            &[(
                API_TIME,
                "steps = [{ wrk = { dist = \"constant\", value = 1 } }]",
            )],
            &[
                "15:10 service.api.steps[0]: a step needs one of 'work', 'call' or 'publish' (give exactly one)",
                "15:12 service.api.steps[0].wrk: unknown key 'wrk' (help: did you mean 'work'?)",
            ],
        ),
        (
            "unknown step key",
            &[(API_TIME, "steps = [{ call = \"db\", timout = \"1s\" }]")],
            &[
                "15:25 service.api.steps[0].timout: unknown key 'timout' (help: did you mean 'timeout'?)",
            ],
        ),
        (
            "key of another kind of step",
            &[(API_TIME, "steps = [{ call = \"db\", fanout = 2 }]")],
            &[
                "15:25 service.api.steps[0].fanout: unknown key 'fanout' (help: expected one of: call, timeout, retry)",
            ],
        ),
        (
            "call to an unknown service",
            &[(API_TIME, "steps = [{ call = \"dbb\" }]")],
            &["15:19 service.api.steps[0].call: no service named 'dbb' (help: did you mean 'db'?)"],
        ),
        (
            "publish to an unknown service",
            &[(API_TIME, "steps = [{ publish = \"xyz\" }]")],
            &[
                "15:22 service.api.steps[0].publish: no service named 'xyz' (help: the services are: api, db)",
            ],
        ),
        (
            "negative fanout",
            &[(API_TIME, "steps = [{ publish = \"db\", fanout = -1 }]")],
            &["15:37 service.api.steps[0].fanout: must be >= 0"],
        ),
        (
            "fanout of the wrong type",
            &[(API_TIME, "steps = [{ publish = \"db\", fanout = 1.5 }]")],
            &[
                "15:37 service.api.steps[0].fanout: expected an integer >= 0 or a distribution table, found a float",
            ],
        ),
        (
            "fanout distribution with durations",
            &[(
                API_TIME,
                "steps = [{ publish = \"db\", fanout = { dist = \"constant\", value = \"2ms\" } }]",
            )],
            &["15:66 service.api.steps[0].fanout.value: expected a number, found a string"],
        ),
        (
            "call timeout 0",
            &[(API_TIME, "steps = [{ call = \"db\", timeout = 0 }]")],
            &["15:35 service.api.steps[0].timeout: must be > 0"],
        ),
        (
            "empty steps",
            &[(API_TIME, "steps = []")],
            &["15:9 service.api.steps: a service needs at least one step"],
        ),
        (
            "both service_time and steps",
            &[(API_TIME, "service_time = 1\nsteps = [{ work = 1 }]")],
            &["16:1 service.api.steps: give either 'service_time' or 'steps', not both"],
        ),
        (
            "error_rate 1.5",
            &[("workers = 2", "workers = 2\nerror_rate = 1.5")],
            &["14:14 service.api.error_rate: a probability must be in [0, 1] (got 1.5)"],
        ),
        (
            "drop_expired not a boolean",
            &[("workers = 2", "workers = 2\ndrop_expired = \"yes\"")],
            &["14:16 service.api.drop_expired: expected a boolean (true or false), found a string"],
        ),
        (
            "out-of-order service schedule",
            &[(
                "workers = 2",
                "workers = 2\nschedule = [{ at = \"10m\", workers = 0 }, { at = \"5m\", workers = 2 }]",
            )],
            &[
                "14:49 service.api.schedule[1].at: changes must be in time order: this one at 5 min comes after one at 10 min",
            ],
        ),
        (
            "service change with nothing to change",
            &[("workers = 2", "workers = 2\nschedule = [{ at = \"10m\" }]")],
            &[
                "14:13 service.api.schedule[0]: a change needs at least one of 'workers', 'slowdown', 'error_rate', 'crash', 'outage' or 'partition'",
            ],
        ),
        (
            "bad scheduled values",
            &[(
                "workers = 2",
                "workers = 2\nschedule = [{ at = 1, workers = -1, slowdown = 0, error_rate = 2, wrkers = 1 }]",
            )],
            &[
                "14:33 service.api.schedule[0].workers: must be >= 0",
                "14:48 service.api.schedule[0].slowdown: must be > 0 (got 0)",
                "14:64 service.api.schedule[0].error_rate: a probability must be in [0, 1] (got 2)",
                "14:67 service.api.schedule[0].wrkers: unknown key 'wrkers' (help: did you mean 'workers'?)",
            ],
        ),
    ];
    assert_cases(cases);
}

#[test]
fn every_documented_example_parses() {
    let doc = include_str!("../../docs/scenario-format.md");
    let examples: Vec<&str> = doc
        .split("```toml\n")
        .skip(1)
        .filter_map(|rest| rest.split("```").next())
        .collect();
    assert!(examples.len() >= 2, "the doc has its two examples");
    for example in examples {
        parse_ok(example);
    }
}

#[test]
fn bundled_scenarios_still_parse() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let entries = std::fs::read_dir(dir).unwrap();
    let mut count = 0;
    for entry in entries {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "toml") {
            load(&path).unwrap_or_else(|e| panic!("{e}"));
            count += 1;
        }
    }
    assert!(count >= 5);
}

/// Issue 9: every array that must list something refuses to be empty, with a diagnostic
/// at the array instead of a panic.
#[test]
fn issue_9_empty_arrays_are_diagnostics() {
    let cases: &[Case] = &[
        (
            "empty source schedule",
            &[("rate = \"10/s\"", "rate = \"10/s\"\nschedule = []")],
            &["10:12 source.web.schedule: must list at least one change"],
        ),
        (
            "empty service schedule",
            &[("workers = 2", "workers = 2\nschedule = []")],
            &["14:12 service.api.schedule: must list at least one change"],
        ),
        (
            "empty steps",
            &[(
                "service_time = { dist = \"exponential\", mean = \"10ms\" }",
                "steps = []",
            )],
            &["15:9 service.api.steps: a service needs at least one step"],
        ),
        (
            "empty route",
            &[("then = \"db\"", "then = []")],
            &["16:8 service.api.then: a route needs at least one branch"],
        ),
        (
            "empty samples",
            &[(
                "{ dist = \"exponential\", mean = \"10ms\" }",
                "{ dist = \"empirical\", samples = [] }",
            )],
            &["15:16 service.api.service_time: invalid empirical distribution: samples must"],
        ),
    ];
    assert_cases(cases);
    let bare = "[simulation]\nduration = \"1s\"\n[[service]]\nschedule=[]\n";
    assert!(
        problems(bare)
            .iter()
            .any(|p| p.contains("must list at least one change"))
    );
}

/// Issue 9: a distribution whose moments overflow is refused at its table, not later as
/// a stability error quoting NaN.
#[test]
fn issue_9_non_finite_distributions_are_refused_at_the_table() {
    let exp = "{ dist = \"exponential\", mean = \"10ms\" }";
    for (dist, message) in [
        (
            "{ dist = \"hyperexponential\", mean = \"10ms\", cv = 1e200 }",
            "15:16 service.api.service_time: invalid hyperexponential distribution: cv is too large",
        ),
        (
            "{ dist = \"lognormal\", mu = 700, sigma = 1 }",
            "15:16 service.api.service_time: invalid lognormal distribution: the parameters are too extreme",
        ),
        (
            "{ dist = \"weibull\", shape = 1e-3, scale = \"1ms\" }",
            "15:16 service.api.service_time: invalid weibull distribution: the parameters are too extreme",
        ),
    ] {
        assert_problems(&edit(&[(exp, dist)]), &[message]);
    }
}

/// Issue 9: only a regular file within the size limit is read; a directory, a device or
/// an oversized file is refused before reading.
#[test]
fn issue_9_only_regular_files_within_the_size_limit_are_read() {
    let message = |path: &Path| load(path).unwrap_err().diagnostics[0].message.clone();
    let dir = tempfile::tempdir().unwrap();
    assert!(message(dir.path()).contains("not a regular file"));
    let zero = Path::new("/dev/zero");
    if zero.exists() {
        assert!(message(zero).contains("not a regular file"));
    }
    let big = dir.path().join("big.toml");
    let file = std::fs::File::create(&big).unwrap();
    file.set_len(MAX_FILE_BYTES + 1).unwrap();
    assert!(message(&big).contains("more than the 16 MiB a scenario may have"));
    file.set_len(0).unwrap();
    assert!(message(&big).contains("missing the [simulation] table"));
}

/// Issue 9: user text quoted in a diagnostic (a name, an unknown key) has its control
/// characters escaped, so it can neither recolour the terminal nor forge a line.
#[test]
fn issue_9_diagnostics_escape_control_characters() {
    let text = edit(&[
        ("name = \"api\"", "name = \"api\\u001b[31m\"\n\"x\\ny\" = 1"),
        ("then = \"db\"", "then = \"db\\u202e\""),
    ]);
    let shown = parse(&text, "t\u{7}.toml").unwrap_err().to_string();
    assert!(!shown.contains(['\u{1b}', '\u{7}', '\u{202e}']), "{shown}");
    assert!(shown.contains("api\\u{1b}[31m"), "{shown}");
    assert!(shown.contains("x\\ny: unknown key"), "{shown}");
    assert!(shown.contains("t\\u{7}.toml:"), "{shown}");
    assert!(
        shown
            .lines()
            .all(|line| line.starts_with("t\\u{7}.toml:") || line.starts_with("  help:")),
        "{shown}"
    );
}

/// Issue 9, section 5: a diagnostic quotes durations with their unit, never as bare
/// seconds, while a distribution of counts (a fanout) keeps plain numbers.
#[test]
fn issue_9_diagnostics_quote_durations_with_units() {
    let cases: [(&str, &str, &str); 3] = [
        (
            "{ dist = \"lognormal\", mean = \"20ms\", p99 = \"10ms\" }",
            "service_time",
            "p99 (10 ms) must be greater than the mean (20 ms)",
        ),
        (
            "{ dist = \"uniform\", min = \"1.5s\", max = \"250us\" }",
            "service_time",
            "min (1.5 s) must not exceed max (250 us)",
        ),
        (
            "{ dist = \"exponential\", mean = -2 }",
            "service_time.mean",
            "a duration must not be negative (got -2 s)",
        ),
    ];
    for (time, key, message) in cases {
        let found = problems(&edit(&[(API_TIME, &format!("service_time = {time}"))]));
        let wanted = format!("service.api.{key}: ");
        assert!(
            found
                .iter()
                .any(|p| p.contains(&wanted) && p.contains(message)),
            "{time}: {found:?}"
        );
    }
    let fanout =
        "steps = [{ publish = \"db\", fanout = { dist = \"uniform\", min = 3, max = 1 } }]";
    let found = problems(&edit(&[(API_TIME, fanout)]));
    assert!(
        found
            .iter()
            .any(|p| p.contains("min (3) must not exceed max (1)")),
        "{found:?}"
    );
}

/// Issue 9, section 5: a duration written as a plain number stays valid (seconds), and
/// the reader returns a warning beside the model: at the value, one per array, none for 0
/// (the same in every unit), for strings with a unit or for counts.
#[test]
fn issue_9_plain_number_durations_are_seconds_with_a_warning() {
    let text = edit(&[
        ("duration = \"1s\"", "duration = 2"),
        ("warmup = \"0s\"", "warmup = 0"),
        (
            API_TIME,
            "steps = [{ work = { dist = \"empirical\", samples = [0.01, 0.02] } }, { publish = \"db\", fanout = 2 }]",
        ),
    ]);
    let parsed = parse_with_warnings(&text, "t.toml").unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        parsed.system.simulation().horizon,
        Horizon::Duration(SimDuration(2_000_000_000))
    );
    let shown: Vec<String> = parsed.warnings.iter().map(Warning::to_string).collect();
    assert_eq!(
        shown,
        [
            "t.toml:2:12: simulation.duration: warning: a plain number is read as seconds \
             (2 s); write \"2s\" or \"2ms\" to say which",
            "t.toml:15:52: service.api.steps[0].work.samples[0]: warning: a plain number is \
             read as seconds (10 ms); write \"0.01s\" or \"0.01ms\" to say which",
        ]
    );
    assert_eq!(
        parsed.warnings[0].kind,
        WarningKind::PlainSeconds {
            number: "2".to_string(),
            read: SimDuration(2_000_000_000),
        }
    );
    let quiet = parse_with_warnings(VALID, "t.toml").unwrap_or_else(|e| panic!("{e}"));
    assert!(quiet.warnings.is_empty());
}

/// Issue 9: a pulse `{ at, for, ... }` is the change and, `for` later, a change back to
/// what was in effect before it: the same model as the two entries written out.
#[test]
fn issue_9_a_pulse_is_a_change_and_its_undoing() {
    let source = |schedule: &str| {
        parse_ok(&edit(&[(
            "rate = \"10/s\"",
            &format!("rate = \"10/s\"\nschedule = {schedule}"),
        )]))
        .sources()[0]
            .arrivals
            .clone()
    };
    assert_eq!(
        source(r#"[{ at = "1m", rate = "20/s" }, { at = "2m", for = "10s", rate = "300/s" }]"#),
        source(
            r#"[{ at = "1m", rate = "20/s" }, { at = "2m", rate = "300/s" },
                { at = "2m10s", rate = "20/s" }]"#
        ),
        "back to the rate in effect before the pulse, not the base rate"
    );
    let service = |schedule: &str| {
        parse_ok(&edit(&[(
            "service_time = { dist = \"exponential\", mean = \"10ms\" }",
            &format!(
                "service_time = {{ dist = \"exponential\", mean = \"10ms\" }}\n\
                 error_rate = 0.01\nschedule = {schedule}"
            ),
        )]))
        .services()[0]
            .schedule
            .clone()
    };
    assert_eq!(
        service(r#"[{ at = "2m", for = "10s", slowdown = 5, workers = 1, error_rate = 0.5 }]"#),
        service(
            r#"[{ at = "2m", slowdown = 5, workers = 1, error_rate = 0.5 },
                { at = "2m10s", slowdown = 1, workers = 2, error_rate = 0.01 }]"#
        )
    );
    // Only what the pulse changed is changed back.
    assert_eq!(
        service(r#"[{ at = "1m", workers = 4 }, { at = "2m", for = "5s", slowdown = 3 }]"#),
        service(
            r#"[{ at = "1m", workers = 4 }, { at = "2m", slowdown = 3 },
                { at = "2m5s", slowdown = 1 }]"#
        )
    );
}

#[test]
fn issue_9_bad_pulses_are_reported_at_their_key() {
    let with = |schedule: &str| {
        edit(&[(
            "rate = \"10/s\"",
            &format!("rate = \"10/s\"\nschedule = {schedule}"),
        )])
    };
    let overlapping = problems(&with(
        r#"[{ at = "2m", for = "10s", rate = "300/s" }, { at = "2m5s", rate = "5/s" }]"#,
    ));
    assert!(
        overlapping.len() == 1
            && overlapping[0].contains("source.web.schedule[1].at")
            && overlapping[0].contains("starts before the pulse before it ends (at 2.167 min)"),
        "{overlapping:?}"
    );
    let ramp = problems(&with(
        r#"[{ at = "2m", for = "10s", over = "5s", rate = "300/s" }]"#,
    ));
    assert!(
        ramp.len() == 1 && ramp[0].contains("cannot ramp"),
        "{ramp:?}"
    );
    let zero = problems(&with(r#"[{ at = "2m", for = "0s", rate = "300/s" }]"#));
    assert!(
        zero.len() == 1 && zero[0].contains("source.web.schedule[0].for"),
        "{zero:?}"
    );
}

const CRASHING: &str = r#"
[simulation]
duration = "1h"
[[source]]
name = "web"
to = "api"
rate = "10/s"
[[service]]
name = "api"
workers = 4
service_time = { dist = "exponential", mean = "100ms" }
"#;

#[test]
fn issue_11_crashes_and_outages_are_read() {
    let toml = format!(
        "{CRASHING}crash = {{ mtbf = \"2h\", restart = {{ dist = \"exponential\", mean = \"1m\" }} }}\n\
         schedule = [{{ at = \"10m\", crash = 2, for = \"1m\" }}, {{ at = \"20m\", outage = \"lost\", for = \"30s\" }}, \
         {{ at = \"30m\", partition = \"drop\", for = \"1m\" }}]\n"
    );
    let system = parse(&toml, "t.toml").unwrap();
    let api = &system.services()[0];
    let crashes = api.crashes.as_ref().unwrap();
    assert_eq!(crashes.mtbf, Dist::exponential(7200.0).unwrap());
    assert_eq!(crashes.restart, Dist::exponential(60.0).unwrap());
    let faults: Vec<_> = api.schedule.iter().map(|c| (c.at, c.fault)).collect();
    assert_eq!(
        faults,
        vec![
            (secs(600), Some(Fault::Crash(2))),
            (secs(660), Some(Fault::Restart(2))),
            (secs(1200), Some(Fault::Down(QueueFate::Lost))),
            (secs(1230), Some(Fault::Up)),
            (
                secs(1800),
                Some(Fault::Partition {
                    mode: PartitionMode::Drop,
                    until: secs(1860)
                })
            ),
            (secs(1860), Some(Fault::Heal)),
        ]
    );
    assert!(api.can_fail());
    let restart = format!("{CRASHING}crash = {{ mtbf = \"2h\", restart = \"30s\" }}\n");
    let system = parse(&restart, "t.toml").unwrap();
    let restart = &system.services()[0].crashes.as_ref().unwrap().restart;
    assert_eq!(
        *restart,
        Dist::constant(30.0).unwrap(),
        "a duration is a constant restart"
    );
}

#[test]
fn issue_11_bad_faults_are_reported_at_their_keys() {
    let cases = [
        (
            "schedule = [{ at = \"10m\", crash = 2 }]",
            "schedule[0]",
            "needs 'for'",
        ),
        (
            "schedule = [{ at = \"10m\", outage = \"gone\", for = \"1m\" }]",
            "schedule[0].outage",
            "unknown outage 'gone'",
        ),
        (
            "schedule = [{ at = \"10m\", crash = 1, workers = 2, for = \"1m\" }]",
            "schedule[0]",
            "stands alone",
        ),
        (
            "schedule = [{ at = \"10m\", crash = 0, for = \"1m\" }]",
            "schedule[0].crash",
            "must be > 0",
        ),
        ("crash = { mtbf = \"2h\" }", "crash", "restart"),
        (
            "crash = { mtbf = \"0s\", restart = \"1m\" }",
            "crash.mtbf",
            "> 0",
        ),
        (
            "crash = { mtbf = \"2h\", restart = \"1m\", mttr = 1 }",
            "crash.mttr",
            "unknown key",
        ),
    ];
    for (extra, key, message) in cases {
        assert_reported(&format!("{CRASHING}{extra}\n"), key, message);
    }
}

/// Asserts that `toml` is refused with a diagnostic that names `key` and says `message`.
fn assert_reported(toml: &str, key: &str, message: &str) {
    let err = parse(toml, "t.toml").unwrap_err().to_string();
    assert!(err.contains(key) && err.contains(message), "{toml}: {err}");
}

/// `VALID` with an autoscaler on `api` (line 17, after its `then`).
fn autoscaled(settings: &str) -> String {
    edit(&[(
        "then = \"db\"\n",
        &format!("then = \"db\"\nautoscale = {{ {settings} }}\n"),
    )])
}

#[test]
fn issue_11_autoscale_reads_with_its_defaults() {
    let system = parse_ok(&autoscaled(
        "metric = \"in_flight_per_worker\", target = 4, min = 1, max = 9",
    ));
    let a = system.services()[0].autoscale.expect("autoscaled");
    assert_eq!(a.metric, model::ScaleMetric::InFlightPerWorker);
    assert_eq!((a.target, a.min, a.max), (4.0, 1, 9));
    assert_eq!(a.interval, SimDuration(60_000_000_000));
    assert_eq!(a.scale_out_delay, SimDuration::ZERO);
    assert_eq!(a.scale_in_cooldown, SimDuration(300_000_000_000));
    assert_eq!(system.services()[0].most_workers(), 9);
    // Without `workers`, an autoscaled service starts at its `min`.
    let db = "service_time = { dist = \"constant\", value = \"1ms\" }\n";
    let text = edit(&[(
        db,
        &format!("{db}autoscale = {{ metric = \"queue_length\", target = 2, min = 3, max = 5 }}\n"),
    )]);
    assert_eq!(parse_ok(&text).services()[1].workers.get(), 3);
}

#[test]
fn issue_11_autoscale_problems_are_reported_at_their_keys() {
    assert_problems(
        &autoscaled("metric = \"utilization\", target = 0.5, min = 1, max = 4"),
        &[
            "17:24 service.api.autoscale.metric: unknown autoscale metric 'utilization' (help: did you mean 'utilisation'?)",
        ],
    );
    assert_problems(
        &autoscaled("metric = \"utilisation\", target = 1.5, min = 1, max = 4"),
        &["17:48 service.api.autoscale.target: a utilisation target must be at most 1"],
    );
    assert_problems(
        &autoscaled("metric = \"queue_length\", target = 0, min = 1, max = 4"),
        &["17:49 service.api.autoscale.target: the target must be a number > 0"],
    );
    assert_problems(
        &autoscaled("metric = \"utilisation\", target = 0.5, min = 3, max = 4"),
        &["17:13 service.api.autoscale: the service starts with 2 workers, fewer than min (3)"],
    );
    assert_problems(
        &autoscaled("metric = \"utilisation\", target = 0.5, min = 1, max = 1"),
        &["17:68 service.api.autoscale.max: the service starts with 2 workers, more than max (1)"],
    );
    assert_problems(
        &autoscaled("metric = \"utilisation\", target = 0.5, min = 1, max = 4, interval = \"0s\""),
        &["17:82 service.api.autoscale.interval: must be > 0"],
    );
    assert_problems(
        &autoscaled("metric = \"utilisation\", target = 0.5, min = 1, max = 4, intervall = \"1m\""),
        &[
            "17:71 service.api.autoscale.intervall: unknown key 'intervall' (help: did you mean 'interval'?)",
        ],
    );
    let scheduled = autoscaled("metric = \"utilisation\", target = 0.5, min = 1, max = 4").replace(
        "then = \"db\"\n",
        "then = \"db\"\nschedule = [ { at = \"1s\", workers = 3 } ]\n",
    );
    assert_problems(
        &scheduled,
        &[
            "18:13 service.api.autoscale: an autoscaled service's schedule cannot change its workers",
        ],
    );
}

#[test]
fn issue_12_delivery_guarantees_are_read_with_their_defaults() {
    let queue = |q: &str| {
        let system = parse_ok(&format!("{CRASHING}queue = {{ {q} }}\n"));
        system.services()[0].queue.delivery
    };
    assert_eq!(queue("capacity = 5"), None);
    assert_eq!(
        queue("delivery = \"at-most-once\""),
        Some(model::Delivery::AtMostOnce { persistence: None })
    );
    assert_eq!(
        queue("delivery = \"at-most-once\", persistence = \"1s\""),
        Some(model::Delivery::AtMostOnce {
            persistence: Some(secs(1))
        })
    );
    assert_eq!(
        queue("delivery = \"acknowledged\""),
        Some(model::Delivery::Acknowledged {
            early: false,
            limit: None,
            durable: true,
        })
    );
    assert_eq!(
        queue("delivery = \"acknowledged\", ack = \"early\", delivery_limit = 3, durable = false"),
        Some(model::Delivery::Acknowledged {
            early: true,
            limit: NonZeroU32::new(3),
            durable: false,
        })
    );
    assert_eq!(
        queue("delivery = \"at-least-once\", visibility_timeout = \"30s\", max_receives = 5"),
        Some(model::Delivery::AtLeastOnce {
            visibility: secs(30),
            max_receives: NonZeroU32::new(5)
        })
    );
}

#[test]
fn issue_12_bad_delivery_settings_are_reported_at_their_keys() {
    let cases = [
        (
            "delivery = \"exactly-once\"",
            "queue.delivery",
            "unknown delivery guarantee",
        ),
        (
            "delivery = \"at-least-onse\"",
            "queue.delivery",
            "at-least-once",
        ),
        (
            "delivery = \"at-least-once\"",
            "queue.delivery",
            "needs a 'visibility_timeout'",
        ),
        (
            "delivery = \"at-least-once\", visibility_timeout = \"30s\", delivery_limit = 2",
            "queue.delivery_limit",
            "use max_receives",
        ),
        (
            "delivery = \"acknowledged\", max_receives = 2",
            "queue.max_receives",
            "use delivery_limit",
        ),
        (
            "delivery = \"acknowledged\", ack = \"later\"",
            "queue.ack",
            "late",
        ),
        (
            "delivery = \"acknowledged\", delivery_limit = 0",
            "queue.delivery_limit",
            "must be > 0",
        ),
        (
            "visibility_timeout = \"30s\"",
            "queue.visibility_timeout",
            "delivery = \"at-least-once\"",
        ),
        (
            "delivery = \"at-most-once\", ack = \"late\"",
            "queue.ack",
            "does not apply",
        ),
        (
            "delivery = \"at-least-once\", visibility_timeout = \"30s\", durable = false",
            "queue.durable",
            "does not apply",
        ),
        (
            "delivery = \"acknowledged\", persistence = \"1s\"",
            "queue.persistence",
            "delivery = \"at-most-once\"",
        ),
        (
            "delivery = \"at-most-once\", persistence = \"0s\"",
            "queue.persistence",
            "must be",
        ),
    ];
    for (queue, key, message) in cases {
        assert_reported(&format!("{CRASHING}queue = {{ {queue} }}\n"), key, message);
    }
}

#[test]
fn issue_12_overflow_and_idempotent_consumers_are_read_with_their_defaults() {
    let broker = "queue = { delivery = \"at-most-once\" }\n";
    let service = |extra: &str| {
        let system = parse_ok(&format!("{CRASHING}{broker}{extra}"));
        system.services()[0].clone()
    };
    assert_eq!(service("").queue.overflow, Overflow::Reject);
    assert_eq!(service("").idempotent, None);
    let dropping =
        "queue = { capacity = 9, delivery = \"acknowledged\", overflow = \"drop-oldest\" }\n";
    let system = parse_ok(&format!("{CRASHING}{dropping}"));
    assert_eq!(system.services()[0].queue.overflow, Overflow::DropOldest);
    assert_eq!(
        service("idempotent = { window = \"10m\" }\n").idempotent,
        Some(model::Idempotence {
            window: model::DedupWindow::Time(secs(600)),
            check: SimDuration::ZERO,
        })
    );
    assert_eq!(
        service("idempotent = { window = 5000, check = \"2ms\" }\n").idempotent,
        Some(model::Idempotence {
            window: model::DedupWindow::Messages(NonZeroU32::new(5000).unwrap()),
            check: SimDuration(2_000_000),
        })
    );
}

#[test]
fn issue_12_bad_overflow_and_idempotent_settings_are_reported_at_their_keys() {
    let broker = "queue = { delivery = \"at-most-once\" }\n";
    let cases = [
        (
            "queue = { delivery = \"at-most-once\", overflow = \"drop-olderst\" }\n".to_string(),
            "queue.overflow",
            "drop-oldest",
        ),
        (
            "queue = { capacity = 5, overflow = \"drop-newest\" }\n".to_string(),
            "queue.overflow",
            "a setting of a broker's queue",
        ),
        (
            "idempotent = { window = \"1h\" }\n".to_string(),
            "idempotent",
            "needs a broker queue",
        ),
        (
            format!("{broker}idempotent = {{ check = \"1ms\" }}\n"),
            "idempotent",
            "window",
        ),
        (
            format!("{broker}idempotent = {{ window = 0 }}\n"),
            "idempotent.window",
            "must be",
        ),
        (
            format!("{broker}idempotent = {{ window = true }}\n"),
            "idempotent.window",
            "a count of messages",
        ),
        (
            format!("{broker}idempotent = {{ window = \"1h\", chek = \"1ms\" }}\n"),
            "chek",
            "check",
        ),
    ];
    for (extra, key, message) in cases {
        assert_reported(&format!("{CRASHING}{extra}"), key, message);
    }
}

#[test]
fn issue_12_a_broker_crash_needs_a_broker_queue() {
    let crash = "schedule = [{ at = \"1m\", outage = \"broker\", for = \"10s\" }]\n";
    let broker = "queue = { delivery = \"acknowledged\", durable = false }\n";
    let system = parse_ok(&format!("{CRASHING}{broker}{crash}"));
    let faults: Vec<_> = (system.services()[0].schedule.iter())
        .map(|c| c.fault)
        .collect();
    assert_eq!(faults, [Some(Fault::BrokerDown), Some(Fault::Up)]);
    assert_reported(
        &format!("{CRASHING}{crash}"),
        "schedule[0].outage",
        "needs a broker queue",
    );
    assert_reported(
        &format!(
            "{CRASHING}{broker}schedule = [{{ at = \"1m\", outage = \"brokr\", for = \"10s\" }}]\n"
        ),
        "outage",
        "\"broker\"",
    );
}

#[test]
fn issue_12_a_brokers_memory_limit_is_read_with_its_paging_cost() {
    let queue = "queue = { delivery = \"at-most-once\", memory_limit = 1000, paging = \"2ms\" }\n";
    let system = parse_ok(&format!("{CRASHING}{queue}"));
    let memory = system.services()[0].queue.memory.clone().expect("a memory");
    assert_eq!(memory.limit.get(), 1000);
    assert_eq!(memory.paging, Dist::constant(0.002).unwrap());
    let cases = [
        (
            "queue = { delivery = \"at-most-once\", memory_limit = 1000 }\n",
            "queue.memory_limit",
            "add paging",
        ),
        (
            "queue = { delivery = \"at-most-once\", paging = \"2ms\" }\n",
            "queue.paging",
            "add memory_limit",
        ),
        (
            "queue = { capacity = 9, memory_limit = 5, paging = \"2ms\" }\n",
            "queue.memory_limit",
            "a setting of a broker's queue",
        ),
        (
            "queue = { delivery = \"at-most-once\", memory_limit = 0, paging = \"2ms\" }\n",
            "queue.memory_limit",
            "must be",
        ),
    ];
    for (extra, key, message) in cases {
        assert_reported(&format!("{CRASHING}{extra}"), key, message);
    }
}
