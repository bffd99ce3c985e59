//! Simulation against exact theory.
//!
//! Each case runs independent replications and builds a Student-t interval of each figure at
//! 99.9% confidence; the exact value must lie inside. The tolerance is the interval, never a
//! constant. With fixed seeds the outcome is reproducible, and the negative controls show the
//! intervals are narrow enough to catch a wrong model.

use spillway::experiment;
use spillway::model::{ServiceId, System};
use spillway::oracle;
use spillway::stats::{Estimate, RunSummary};
use spillway::theory::{self, QueueFigures};

use super::system;

const CONFIDENCE: f64 = 0.999;
const REPLICATIONS: u64 = 20;

/// Replicates `system` and returns the runs' summaries.
fn replicate(system: &System) -> Vec<RunSummary> {
    experiment::replicate(system, REPLICATIONS)
        .expect("runs")
        .into_iter()
        .map(|r| r.summary)
        .collect()
}

fn estimate(runs: &[RunSummary], figure: impl Fn(&RunSummary) -> f64) -> Estimate {
    let samples: Vec<f64> = runs.iter().map(figure).collect();
    Estimate::from_samples(&samples, CONFIDENCE)
}

/// Asserts that the exact `expected` lies in the interval of the simulated figure.
fn assert_covers(name: &str, e: Estimate, expected: f64) {
    assert!(
        e.covers(expected),
        "{name}: exact {expected:.6} outside simulated {:.6} ± {:.6} ({}% CI, n={})",
        e.mean,
        e.half_width,
        e.confidence * 100.0,
        e.n
    );
}

/// Checks the mean figures of service 0 against `exact`.
fn check_means(runs: &[RunSummary], exact: &QueueFigures) {
    let svc = |r: &RunSummary| r.services[0].clone();
    assert_covers("W", estimate(runs, |r| svc(r).sojourn.mean), exact.w);
    assert_covers("Wq", estimate(runs, |r| svc(r).wait.mean), exact.wq);
    assert_covers("L", estimate(runs, |r| svc(r).l), exact.l);
    assert_covers("Lq", estimate(runs, |r| svc(r).lq), exact.lq);
    assert_covers(
        "utilisation",
        estimate(runs, |r| svc(r).utilisation),
        exact.utilisation,
    );
    assert_covers(
        "blocking",
        estimate(runs, |r| svc(r).rejected_fraction),
        exact.p_block,
    );
}

fn station(rate: &str, workers: u32, queue: &str, service_time: &str, duration: &str) -> System {
    system(&format!(
        r#"
        [simulation]
        duration = "{duration}"
        warmup = "{warmup}"
        [[source]]
        name = "in"
        to = "svc"
        rate = "{rate}"
        [[service]]
        name = "svc"
        workers = {workers}
        {queue}
        service_time = {service_time}
        "#,
        warmup = "2000s",
    ))
}

fn exact(system: &System) -> QueueFigures {
    oracle::expected(system, ServiceId(0)).expect("a textbook model applies")
}

#[test]
fn mm1_heavy_load() {
    let system = station(
        "0.9/s",
        1,
        "",
        r#"{ dist = "exponential", mean = "1s" }"#,
        "200000s",
    );
    let expected = exact(&system);
    assert_eq!(expected.model, "M/M/1");
    assert!((expected.w - 10.0).abs() < 1e-12);
    let runs = replicate(&system);
    check_means(&runs, &expected);
    // The sojourn time is exponential with rate mu - lambda: check its median and p90.
    for q in [0.5, 0.9] {
        let exact_q = theory::mm1_sojourn_quantile(0.9, 1.0, q);
        let e = estimate(&runs, |r| {
            if q == 0.5 {
                r.services[0].sojourn.p50
            } else {
                r.services[0].sojourn.p90
            }
        });
        // HDR quantiles are exact to 0.1%: widen by that resolution, no more.
        let resolution = Estimate {
            half_width: e.half_width + 1e-3 * exact_q,
            ..e
        };
        assert_covers(&format!("W p{}", q * 100.0), resolution, exact_q);
    }
}

#[test]
fn mmc_call_centre() {
    let system = station(
        "2.75/min",
        12,
        "",
        r#"{ dist = "exponential", mean = "4m" }"#,
        "3000h",
    );
    let expected = exact(&system);
    assert_eq!(expected.model, "M/M/c");
    let runs = replicate(&system);
    check_means(&runs, &expected);
}

#[test]
fn mmc_probability_of_waiting() {
    let system = station(
        "7/s",
        8,
        "",
        r#"{ dist = "exponential", mean = "1s" }"#,
        "50000s",
    );
    let expected = exact(&system);
    let runs = experiment::replicate(&system, REPLICATIONS).expect("runs");
    let samples: Vec<f64> = runs
        .iter()
        .map(|r| {
            let reported = r.summary.services[0]
                .wait_probability
                .expect("work started");
            // The reported figure is the wait histogram's share above zero.
            let waits = r.recorder.service_wait(ServiceId(0));
            assert_eq!(reported, 1.0 - waits.fraction_at_or_below(0.0));
            reported
        })
        .collect();
    assert_covers(
        "P(wait)",
        Estimate::from_samples(&samples, CONFIDENCE),
        expected.p_wait,
    );
}

#[test]
fn mmck_heavy_blocking() {
    let system = station(
        "3/s",
        2,
        "queue = { capacity = 3 }",
        r#"{ dist = "exponential", mean = "1s" }"#,
        "50000s",
    );
    let expected = exact(&system);
    assert_eq!(expected.model, "M/M/c/K");
    assert!(expected.p_block > 0.3, "a case with large blocking");
    let runs = replicate(&system);
    check_means(&runs, &expected);
    assert_covers(
        "throughput",
        estimate(&runs, |r| r.services[0].throughput),
        expected.throughput,
    );
}

#[test]
fn md1() {
    let system = station(
        "0.8/s",
        1,
        "",
        r#"{ dist = "constant", value = "1s" }"#,
        "100000s",
    );
    let expected = exact(&system);
    assert_eq!(expected.model, "M/D/1");
    assert!((expected.wq - 2.0).abs() < 1e-12);
    check_means(&replicate(&system), &expected);
}

#[test]
fn mg1_lognormal() {
    let system = station(
        "0.7/s",
        1,
        "",
        r#"{ dist = "lognormal", median = "0.8s", p99 = "4s" }"#,
        "200000s",
    );
    let expected = exact(&system);
    assert_eq!(expected.model, "M/G/1");
    check_means(&replicate(&system), &expected);
}

#[test]
fn mg1_hyperexponential_heavy() {
    let system = station(
        "0.9/s",
        1,
        "",
        r#"{ dist = "hyperexponential", mean = "1s", cv = 2 }"#,
        "400000s",
    );
    let expected = exact(&system);
    check_means(&replicate(&system), &expected);
}

/// The check can fail: the same runs reject a wrong expectation.
#[test]
fn negative_controls() {
    // M/D/1 simulated, M/M/1 expected: the wait is twice the true one.
    let system = station(
        "0.8/s",
        1,
        "",
        r#"{ dist = "constant", value = "1s" }"#,
        "100000s",
    );
    let runs = replicate(&system);
    let wrong = theory::mm1(0.8, 1.0).expect("stable");
    assert!(!estimate(&runs, |r| r.services[0].wait.mean).covers(wrong.wq));
    // A 5% error in M/M/c's mean sojourn is detected.
    let system = station(
        "7/s",
        8,
        "",
        r#"{ dist = "exponential", mean = "1s" }"#,
        "50000s",
    );
    let runs = replicate(&system);
    let right = exact(&system);
    let e = estimate(&runs, |r| r.services[0].sojourn.mean);
    assert!(e.covers(right.w));
    assert!(!e.covers(right.w * 1.05), "{e:?} cannot tell a 5% error");
}

/// Shares over thresholds against exact tails: in M/M/c, P(Wq > t) = C(c, a)·e^{−(cμ−λ)t};
/// in M/M/1 the sojourn is exponential, P(W > t) = e^{−(μ−λ)t}, and with no rejection or
/// timeout the source's share "not ok within t" is the same tail. A 5% error is caught.
#[test]
fn shares_over_thresholds_match_exact_tails() {
    let text = |workers: u32, rate: &str| {
        format!(
            r#"
            [simulation]
            duration = "50000s"
            warmup = "2000s"
            thresholds = ["1s", "3s"]
            [[source]]
            name = "in"
            to = "svc"
            rate = "{rate}"
            [[service]]
            name = "svc"
            workers = {workers}
            service_time = {{ dist = "exponential", mean = "1s" }}
            "#
        )
    };
    let runs = replicate(&system(&text(2, "1.6/s")));
    for (k, t) in [1.0, 3.0].into_iter().enumerate() {
        let e = estimate(&runs, |r| {
            r.services[0].wait_over[k].fraction.expect("work started")
        });
        let exact = theory::mmc_wait_tail(1.6, 1.0, 2, t);
        assert_covers(&format!("M/M/2 P(Wq > {t} s)"), e, exact);
        assert!(!e.covers(exact * 1.05), "{e:?} cannot tell a 5% error");
    }
    let runs = replicate(&system(&text(1, "0.7/s")));
    for (k, t) in [1.0, 3.0].into_iter().enumerate() {
        let exact = (-(1.0_f64 - 0.7) * t).exp();
        let sojourn = estimate(&runs, |r| {
            r.services[0].sojourn_over[k].fraction.expect("done")
        });
        assert_covers(&format!("M/M/1 P(W > {t} s)"), sojourn, exact);
        let source = estimate(&runs, |r| r.sources[0].over[k].fraction.expect("answered"));
        assert_covers(&format!("M/M/1 not ok within {t} s"), source, exact);
        assert!(
            !sojourn.covers(exact * 1.05),
            "{sojourn:?} cannot tell a 5% error"
        );
    }
}
