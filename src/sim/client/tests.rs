//! Each jitter formula against its definition, and the retry budget's arithmetic.

use std::num::NonZeroU32;

use super::*;
use crate::model::{RetryBudget, RetryPolicy};
use crate::sim::rng::Streams;

const BASE: u64 = 100_000_000; // 100 ms
const CAP: u64 = 1_000_000_000; // 1 s

fn caller(jitter: Jitter, budget: Option<RetryBudget>) -> Caller {
    let policy = ClientPolicy {
        timeout: None,
        retry: RetryPolicy {
            max_attempts: NonZeroU32::new(10).unwrap(),
            on: RetryOn::ALL,
            backoff: Backoff {
                base: SimDuration(BASE),
                multiplier: 2.0,
                cap: SimDuration(CAP),
                jitter,
            },
            budget,
        },
    };
    Caller::new(&policy, Streams::new(1, 0).get("test", "retry"))
}

/// Many sleeps before retry `n`, in ms, with `previous` reset to `previous_ms` each time.
fn sleeps(jitter: Jitter, n: u32, previous_ms: f64) -> Vec<f64> {
    let mut c = caller(jitter, None);
    (0..100_000)
        .map(|_| {
            let mut previous = SimDuration((previous_ms * 1e6) as u64);
            c.backoff(n, &mut previous).0 as f64 / 1e6
        })
        .collect()
}

fn summary(xs: &[f64]) -> (f64, f64, f64) {
    let mean = xs.iter().sum::<f64>() / xs.len() as f64;
    let min = xs.iter().copied().fold(f64::INFINITY, f64::min);
    let max = xs.iter().copied().fold(0.0, f64::max);
    (min, mean, max)
}

/// Mean within 4 standard errors of a uniform on [lo, hi], and the draws inside it.
fn assert_uniform(xs: &[f64], lo: f64, hi: f64) {
    let (min, mean, max) = summary(xs);
    let se = (hi - lo) / 12f64.sqrt() / (xs.len() as f64).sqrt();
    assert!(
        min >= lo - 1e-6 && max <= hi + 1e-6,
        "[{min}, {max}] not in [{lo}, {hi}]"
    );
    assert!(
        (mean - (lo + hi) / 2.0).abs() < 4.0 * se,
        "mean {mean} for [{lo}, {hi}]"
    );
    // Both ends are reached: the spread is the whole interval.
    assert!(min - lo < 0.01 * (hi - lo) && hi - max < 0.01 * (hi - lo));
}

#[test]
fn no_jitter_is_exponential_then_capped() {
    for (n, expected) in [
        (1, 100.0),
        (2, 200.0),
        (3, 400.0),
        (4, 800.0),
        (5, 1000.0),
        (9, 1000.0),
    ] {
        let (min, _, max) = summary(&sleeps(Jitter::None, n, 0.0));
        assert_eq!((min, max), (expected, expected), "retry {n}");
    }
}

#[test]
fn full_jitter_is_uniform_up_to_the_exponential() {
    assert_uniform(&sleeps(Jitter::Full, 3, 0.0), 0.0, 400.0);
    assert_uniform(&sleeps(Jitter::Full, 6, 0.0), 0.0, 1000.0);
}

#[test]
fn equal_jitter_is_half_plus_uniform_half() {
    assert_uniform(&sleeps(Jitter::Equal, 3, 0.0), 200.0, 400.0);
}

#[test]
fn decorrelated_jitter_grows_from_the_previous_sleep() {
    // First retry: previous = base, so uniform(base, 3 base).
    assert_uniform(&sleeps(Jitter::Decorrelated, 1, 0.0), 100.0, 300.0);
    // Later: uniform(base, 3 · previous), capped.
    assert_uniform(&sleeps(Jitter::Decorrelated, 4, 250.0), 100.0, 750.0);
    let (_, _, max) = summary(&sleeps(Jitter::Decorrelated, 4, 900.0));
    assert!(max <= 1000.0);
}

#[test]
fn retries_stop_at_max_attempts_and_respect_retry_on() {
    let mut c = caller(Jitter::None, None);
    assert!(c.should_retry(Outcome::Failed, 9));
    assert!(!c.should_retry(Outcome::Failed, 10));
    assert!(!c.should_retry(Outcome::Success, 1));
    c.on.timeout = false;
    assert!(!c.should_retry(Outcome::TimedOut, 1));
}

#[test]
fn the_budget_allows_a_ratio_of_retries() {
    let budget = RetryBudget {
        ratio: 0.1,
        burst: 5.0,
    };
    let mut c = caller(Jitter::None, Some(budget));
    // The initial burst, then one retry per ten requests.
    let mut retries = 0;
    for _ in 0..1000 {
        c.on_request();
        while c.should_retry(Outcome::Failed, 1) {
            retries += 1;
        }
    }
    // 5 (burst) + 0.1 per request; the first deposit is capped at the burst.
    assert!((99..=105).contains(&retries), "{retries}");
}
