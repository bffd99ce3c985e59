//! Which services get an exact row, and with which arrival rate.

use super::*;
use crate::scenario::parse;

/// The model name (or "none") and λ of each service of a scenario's services.
fn matches(services: &str, source: &str) -> Vec<(String, f64)> {
    let text = format!("[simulation]\nduration = \"1h\"\n{source}\n{services}");
    let system = parse(&text, "t.toml").unwrap_or_else(|e| panic!("{e}"));
    (0..system.services().len())
        .map(|i| match expected(&system, ServiceId(i as u32)) {
            Some(f) => (f.model.to_string(), f.throughput),
            None => ("none".to_string(), 0.0),
        })
        .collect()
}

const POISSON: &str = "[[source]]\nname = \"s\"\nto = \"a\"\nrate = \"10/s\"";

fn service(name: &str, extra: &str) -> String {
    format!(
        "[[service]]\nname = \"{name}\"\nworkers = 2\nservice_time = {{ dist = \"exponential\", mean = \"50ms\" }}\n{extra}\n"
    )
}

fn model_of(services: &str, source: &str) -> Vec<String> {
    matches(services, source)
        .into_iter()
        .map(|(m, _)| m)
        .collect()
}

#[test]
fn textbook_stations_match() {
    assert_eq!(model_of(&service("a", ""), POISSON), ["M/M/c"]);
    assert_eq!(
        model_of(&service("a", "queue = { capacity = 3 }"), POISSON),
        ["M/M/c/K"]
    );
    let one = "[[service]]\nname = \"a\"\nservice_time = { dist = \"constant\", value = \"50ms\" }";
    assert_eq!(model_of(one, POISSON), ["M/D/1"]);
    let lognormal = "[[service]]\nname = \"a\"\nservice_time = { dist = \"lognormal\", mean = \"50ms\", p99 = \"200ms\" }";
    assert_eq!(model_of(lognormal, POISSON), ["M/G/1"]);
}

/// A hyperexponential given by its phases is M/G/1, with Pollaczek–Khinchine's wait from
/// its exact second moment: Wq = λ·E[S²] / (2(1 − ρ)).
#[test]
fn a_hyperexponential_by_phases_is_mg1() {
    let one = "[[service]]\nname = \"a\"\nservice_time = { dist = \"hyperexponential\", p = 0.9, mean1 = \"5ms\", mean2 = \"100ms\" }";
    let system = parse(
        &format!("[simulation]\nduration = \"1h\"\n{POISSON}\n{one}"),
        "t.toml",
    )
    .unwrap_or_else(|e| panic!("{e}"));
    let figures = expected(&system, ServiceId(0)).expect("an exact row");
    assert_eq!(figures.model, "M/G/1");
    let (lambda, mean, second) = (10.0, 0.0145, 2.0 * (0.9 * 0.005f64.powi(2) + 0.1 * 0.01));
    let wq = lambda * second / (2.0 * (1.0 - lambda * mean));
    assert!((figures.wq - wq).abs() < 1e-12, "{} vs {wq}", figures.wq);
}

/// A station fed only by a closed loop of users is M/M/c//N, with the machine-repairman
/// figures; anything that breaks the loop's cycle (a timeout, a second source, a route
/// onward, too small a waiting room, non-exponential think time) gets no exact row.
#[test]
fn a_closed_loop_is_the_finite_source_model() {
    let users = "[[source]]\nname = \"u\"\nto = \"a\"\nusers = 10\nthink_time = { dist = \"exponential\", mean = \"5s\" }";
    let station = "[[service]]\nname = \"a\"\nworkers = 2\nservice_time = { dist = \"exponential\", mean = \"600ms\" }\n";
    let m = matches(station, users);
    let exact = theory::finite_source(10, 5.0, 0.6, 2).expect("valid");
    assert_eq!(m, [("M/M/c//N".to_string(), exact.throughput)]);
    assert_eq!(
        model_of(&format!("{station}queue = {{ capacity = 8 }}"), users),
        ["M/M/c//N"]
    );
    let none = |services: &str, source: &str| {
        assert_eq!(
            model_of(services, source)[0],
            "none",
            "{services}\n{source}"
        );
    };
    none(&format!("{station}queue = {{ capacity = 7 }}"), users);
    none(station, &format!("{users}\ntimeout = \"1s\""));
    none(
        station,
        &format!("{users}\n{}", POISSON.replace("\"s\"", "\"s2\"")),
    );
    none(
        station,
        &users
            .replace("\"exponential\"", "\"constant\"")
            .replace("mean", "value"),
    );
    none(&(service("a", "then = \"b\"") + &service("b", "")), users);
}

#[test]
fn departures_of_an_unbounded_mmc_are_poisson_downstream() {
    let services = service("a", "then = [{ to = \"b\", p = 0.3 }]") + &service("b", "");
    let m = matches(&services, POISSON);
    assert_eq!(m[1].0, "M/M/c");
    assert!((m[1].1 - 3.0).abs() < 1e-9, "λ at b is 10/s × 0.3: {m:?}");
}

#[test]
fn anything_else_gets_no_exact_row() {
    let none = |services: &str, source: &str| {
        assert_eq!(
            model_of(services, source).last().map(String::as_str),
            Some("none"),
            "{services}"
        );
    };
    none(&service("a", "queue = { discipline = \"lifo\" }"), POISSON);
    none(&service("a", "then = [{ to = \"a\", p = 0.2 }]"), POISSON);
    none(&service("a", "error_rate = 0.1"), POISSON);
    none(
        &service("a", "schedule = [{ at = \"1m\", workers = 1 }]"),
        POISSON,
    );
    none(
        &(service("a", "queue = { capacity = 3 }\nthen = \"b\"") + &service("b", "")),
        POISSON,
    );
    let lognormal_pool = "[[service]]\nname = \"a\"\nworkers = 3\nservice_time = { dist = \"lognormal\", mean = \"50ms\", p99 = \"200ms\" }";
    none(lognormal_pool, POISSON);
    let renewal = "[[source]]\nname = \"s\"\nto = \"a\"\ninterarrival = { dist = \"uniform\", min = \"50ms\", max = \"150ms\" }";
    none(&service("a", ""), renewal);
    none(&service("a", ""), &format!("{POISSON}\ntimeout = \"1s\""));
    let called =
        "[[service]]\nname = \"a\"\nsteps = [{ call = \"b\" }]\n".to_string() + &service("b", "");
    none(&called, POISSON);
}

#[test]
fn issue_11_a_service_whose_workers_crash_has_no_exact_model() {
    let crash = "crash = { mtbf = \"1h\", restart = \"1m\" }";
    assert_eq!(model_of(&service("a", ""), POISSON), ["M/M/c"]);
    assert_eq!(model_of(&service("a", crash), POISSON), ["none"]);
    // Nor downstream of it: its departures are not Poisson.
    let two = service("a", &format!("{crash}\nthen = \"b\"")) + &service("b", "");
    assert_eq!(model_of(&two, POISSON), ["none", "none"]);
}

#[test]
fn issue_11_an_autoscaled_service_has_no_exact_model() {
    let autoscale = "autoscale = { metric = \"utilisation\", target = 0.5, min = 1, max = 8 }";
    assert_eq!(model_of(&service("a", autoscale), POISSON), ["none"]);
    // Control: the same station without its autoscaler is M/M/c.
    assert_eq!(model_of(&service("a", ""), POISSON), ["M/M/c"]);
}
