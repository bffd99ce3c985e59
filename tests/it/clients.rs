//! Clients, calls and messages: retries, budgets, closed loops, sync and async composition.

use spillway::experiment;
use spillway::model::System;
use spillway::stats::{Estimate, RunSummary};
use spillway::theory;

use super::system;

fn run(toml: &str) -> RunSummary {
    experiment::run(&system(toml), 0).expect("runs").summary
}

/// Every attempt fails: without a budget each request makes exactly `max_attempts`.
const ALWAYS_FAILS: &str = r#"
    [simulation]
    duration = "1000s"
    [[source]]
    name = "c"
    to = "broken"
    rate = "20/s"
    retry = { max_attempts = 4, base = "0s", jitter = "none" {budget} }
    [[service]]
    name = "broken"
    workers = 50
    service_time = { dist = "exponential", mean = "10ms" }
    error_rate = 1.0
"#;

#[test]
fn amplification_under_total_failure_is_max_attempts() {
    let s = run(&ALWAYS_FAILS.replace("{budget}", ""));
    let c = &s.sources[0];
    assert!(c.failed > 10_000);
    // Requests still retrying at the end have fewer attempts; allow for exactly those.
    let answered = c.failed as f64;
    let attempts_answered = c.attempts as f64 - s.system.in_flight as f64 * 4.0;
    assert!(
        (attempts_answered / answered - 4.0).abs() < 4.0 * 4.0 / answered,
        "{c:?}"
    );
    assert_eq!(c.completed, 0);
}

#[test]
fn a_retry_budget_caps_amplification_near_one_plus_its_ratio() {
    let s = run(&ALWAYS_FAILS.replace("{budget}", ", budget = { ratio = 0.1, burst = 10 }"));
    let c = &s.sources[0];
    // Retries are at most the burst plus 10% of requests, and the budget is used up.
    let retries = c.retries as f64;
    let requests = c.arrivals as f64;
    assert!(retries <= 10.0 + 0.1 * requests + 1.0, "{c:?}");
    assert!(retries >= 0.1 * requests - 10.0, "{c:?}");
    assert!((c.amplification - 1.1).abs() < 0.01, "{}", c.amplification);
}

/// A closed M/M/1 loop against the machine-repairman formulas, over replications.
#[test]
fn closed_loop_matches_the_finite_source_model() {
    let system = system(
        r#"
        [simulation]
        duration = "50000s"
        warmup = "500s"
        [[source]]
        name = "users"
        to = "server"
        users = 10
        think_time = { dist = "exponential", mean = "5s" }
        [[service]]
        name = "server"
        workers = 1
        service_time = { dist = "exponential", mean = "0.6s" }
        "#,
    );
    let exact = theory::finite_source(10, 5.0, 0.6, 1).expect("valid");
    let runs = experiment::replicate(&system, 20).expect("runs");
    let estimate = |f: &dyn Fn(&RunSummary) -> f64| {
        let xs: Vec<f64> = runs.iter().map(|r| f(&r.summary)).collect();
        Estimate::from_samples(&xs, 0.999)
    };
    let checks: [(&str, Estimate, f64); 4] = [
        (
            "throughput",
            estimate(&|s| s.services[0].throughput),
            exact.throughput,
        ),
        (
            "response time",
            estimate(&|s| s.sources[0].latency.mean),
            exact.w,
        ),
        ("L", estimate(&|s| s.services[0].l), exact.l),
        (
            "utilisation",
            estimate(&|s| s.services[0].utilisation),
            exact.utilisation,
        ),
    ];
    for (name, e, expected) in checks {
        assert!(e.covers(expected), "{name}: exact {expected} outside {e:?}");
    }
    // Negative control: the open M/M/1 at the same throughput predicts another W.
    let open = theory::mm1(exact.throughput, 1.0 / 0.6).expect("stable");
    assert!(!checks[1].1.covers(open.w), "{open:?}");
}

fn scenario(file: &str) -> System {
    let path = format!("{}/scenarios/{file}", env!("CARGO_MANIFEST_DIR"));
    spillway::scenario::load(path.as_ref()).unwrap_or_else(|e| panic!("{e}"))
}

/// The retry-storm pair: the same spike; naive clients never recover, careful ones do.
#[test]
fn retry_storm_pair_differs_qualitatively() {
    let storm = experiment::run(&scenario("retry-storm.toml"), 0)
        .expect("runs")
        .summary;
    let careful = experiment::run(&scenario("retry-storm-backoff.toml"), 0)
        .expect("runs")
        .summary;
    let storm_recovery = storm.system.recovery.expect("a trigger");
    let careful_recovery = careful.system.recovery.expect("a trigger");
    assert_eq!(
        storm_recovery.recovered_after_secs(),
        None,
        "{storm_recovery:?}"
    );
    assert!(
        careful_recovery.recovered_after_secs().is_some(),
        "{careful_recovery:?}"
    );
    assert!(storm.sources[0].amplification > 2.0);
    assert!(careful.sources[0].amplification < 1.2);
    assert!(storm.services[0].wasted_secs > 10.0 * careful.services[0].wasted_secs);
}

/// With nothing queueing, a synchronous chain takes exactly the sum of its parts, and an
/// asynchronous hand-off takes nothing from the response but shows in the async latency.
#[test]
fn sync_chain_is_the_sum_of_its_parts() {
    let s = run(r#"
        [simulation]
        duration = "100s"
        [[source]]
        name = "c"
        to = "checkout"
        interarrival = { dist = "constant", value = "1s" }
        [[service]]
        name = "checkout"
        steps = [
          { work = { dist = "constant", value = "10ms" } },
          { call = "payments" },
          { call = "fraud" },
          { publish = "email" },
          { work = { dist = "constant", value = "5ms" } },
        ]
        [[service]]
        name = "payments"
        service_time = { dist = "constant", value = "20ms" }
        [[service]]
        name = "fraud"
        service_time = { dist = "constant", value = "30ms" }
        then = "ledger"
        [[service]]
        name = "ledger"
        service_time = { dist = "constant", value = "7ms" }
        [[service]]
        name = "email"
        service_time = { dist = "constant", value = "300ms" }
    "#);
    let c = &s.sources[0];
    assert_eq!(c.completed, 99);
    // 10 + 20 + (30 + 7) + 5 ms, the publish costing nothing.
    assert!((c.latency.mean - 0.072).abs() < 1e-12, "{:?}", c.latency);
    // The e-mail is handed over at 10 + 20 + 37 = 67 ms and takes 300 ms.
    assert!(
        (c.async_latency.mean - 0.367).abs() < 1e-12,
        "{:?}",
        c.async_latency
    );
    // Checkout's worker is held through both calls.
    assert!((s.services[0].sojourn.mean - 0.072).abs() < 1e-12);
}

/// Asynchronous completion is timed at the last message's end, even when that comes before
/// the answer, and is reported once per request.
#[test]
fn async_completion_is_the_last_message_not_the_answer() {
    let s = run(r#"
        [simulation]
        duration = "100s"
        [[source]]
        name = "c"
        to = "checkout"
        interarrival = { dist = "constant", value = "1s" }
        [[service]]
        name = "checkout"
        steps = [
          { work = { dist = "constant", value = "10ms" } },
          { publish = "audit", fanout = 2 },
          { work = { dist = "constant", value = "50ms" } },
        ]
        [[service]]
        name = "audit"
        workers = 2
        service_time = { dist = "constant", value = "1ms" }
    "#);
    let c = &s.sources[0];
    assert!((c.latency.mean - 0.060).abs() < 1e-12, "{:?}", c.latency);
    assert!(
        (c.async_latency.mean - 0.011).abs() < 1e-12,
        "{:?}",
        c.async_latency
    );
    assert_eq!(c.async_latency.count, c.completed);
}

/// Only the part of a work step after the caller gave up counts as wasted.
#[test]
fn wasted_work_starts_when_the_caller_gives_up() {
    let s = run(r#"
        [simulation]
        duration = "100s"
        [[source]]
        name = "c"
        to = "slow"
        interarrival = { dist = "constant", value = "10s" }
        timeout = "1.5s"
        [[service]]
        name = "slow"
        service_time = { dist = "constant", value = "2s" }
    "#);
    let svc = &s.services[0];
    assert_eq!(s.sources[0].timed_out, 9);
    // Nine requests, each abandoned 0.5 s before its 2 s of work ends.
    assert!(
        (svc.wasted_secs - 9.0 * 0.5).abs() < 1e-9,
        "{}",
        svc.wasted_secs
    );
}

/// Little's law holds at every service of a network with calls, messages and retries.
#[test]
fn littles_law_with_calls_messages_and_retries() {
    let s = run(r#"
        [simulation]
        duration = "2000s"
        warmup = "100s"
        [[source]]
        name = "c"
        to = "front"
        rate = "30/s"
        timeout = "300ms"
        retry = { max_attempts = 3, base = "50ms" }
        [[service]]
        name = "front"
        workers = 4
        queue = { capacity = 20 }
        steps = [
          { work = { dist = "exponential", mean = "20ms" } },
          { call = "db", timeout = "100ms", retry = { max_attempts = 2, base = "10ms" } },
          { publish = "fanout", fanout = { dist = "exponential", mean = 3 } },
        ]
        error_rate = 0.02
        [[service]]
        name = "db"
        workers = 2
        queue = { capacity = 10 }
        service_time = { dist = "lognormal", mean = "30ms", p99 = "200ms" }
        drop_expired = true
        [[service]]
        name = "fanout"
        workers = 8
        service_time = { dist = "exponential", mean = "50ms" }
    "#);
    for svc in &s.services {
        assert!(svc.little.holds(), "{}: {:?}", svc.name, svc.little);
    }
    assert!(s.system.little.holds(), "{:?}", s.system.little);
    let c = &s.sources[0];
    assert!(c.retries > 0 && c.timed_out + c.failed > 0, "{c:?}");
    assert!(s.services[1].dropped > 0 && s.services[1].timeouts > 0);
}

/// A cycle of synchronous calls could deadlock its own workers: it is refused up front.
#[test]
fn call_cycles_are_refused() {
    let text = r#"
        [simulation]
        duration = "1m"
        [[source]]
        name = "s"
        to = "a"
        rate = "1/s"
        [[service]]
        name = "a"
        steps = [{ call = "b" }]
        [[service]]
        name = "b"
        steps = [{ work = { dist = "constant", value = "1ms" } }, { call = "a" }]
    "#;
    let error = spillway::scenario::parse(text, "t.toml").expect_err("a call cycle");
    assert!(error.to_string().contains("(a -> b -> a)"), "{error}");
    // Publishing in a cycle is fine: nobody waits.
    let ok = text.replace(r#"{ call = "a" }"#, r#"{ publish = "a" }"#);
    let _ = system(&ok);
}

/// A worker blocked in a call is not free: the stability check counts the callee's time.
#[test]
fn time_blocked_in_calls_counts_for_stability() {
    let text = r#"
        [simulation]
        duration = "1m"
        [[source]]
        name = "s"
        to = "front"
        rate = "200/s"
        [[service]]
        name = "front"
        workers = 8
        steps = [{ work = { dist = "constant", value = "20ms" } }, { call = "db" }]
        [[service]]
        name = "db"
        workers = 16
        service_time = { dist = "constant", value = "40ms" }
    "#;
    // 8 workers each held 60 ms serve at most 133/s, below the 200/s offered.
    let error = spillway::sim::check_stable(&system(text)).expect_err("overloaded");
    assert!(error.to_string().contains("'front' is unstable"), "{error}");
    spillway::sim::check_stable(&system(&text.replace("workers = 8", "workers = 13")))
        .expect("13 workers serve 216/s");
}

/// A change during the warm-up (a ramp-up) is not a trigger; a later spike still is.
#[test]
fn warmup_changes_do_not_hide_the_recovery_verdict() {
    let s = run(r#"
        [simulation]
        duration = "300s"
        warmup = "60s"
        [[source]]
        name = "s"
        to = "api"
        rate = "10/s"
        schedule = [
          { at = "0s", rate = "50/s", over = "30s" },
          { at = "120s", rate = "200/s" },
          { at = "130s", rate = "50/s" },
        ]
        [[service]]
        name = "api"
        workers = 10
        queue = { capacity = 100 }
        service_time = { dist = "exponential", mean = "100ms" }
    "#);
    let r = s.system.recovery.expect("a trigger after the warm-up");
    assert_eq!((r.trigger_start_secs, r.trigger_end_secs), (120.0, 130.0));
    assert!(r.recovered_after_secs().is_some(), "{r:?}");
}

/// Hand-offs that take no time can chain without end (here about 10 000 hops per request,
/// all at one instant); the run must not exhaust the stack.
#[test]
fn long_zero_time_loops_keep_the_stack_shallow() {
    let s = run(r#"
        [simulation]
        requests = 300
        [[source]]
        name = "s"
        to = "hop"
        rate = "10/s"
        [[service]]
        name = "hop"
        steps = [{ publish = "sink" }]
        then = [{ to = "hop", p = 0.9999 }]
        [[service]]
        name = "sink"
        workers = 4
        service_time = { dist = "constant", value = "0s" }
    "#);
    assert!(
        s.services[0].completed > 1_000_000,
        "{}",
        s.services[0].completed
    );
    assert!(s.services[0].little.holds());
}
