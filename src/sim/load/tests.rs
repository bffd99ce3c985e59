use super::*;
use crate::model::{Rate, RateChange, RateProfile};
use crate::sim::rng::Streams;

fn count_in(load: &mut Load, from: f64, to: f64) -> u64 {
    let mut rng = Streams::new(1, 0).get("source:test", "arrivals");
    let (mut t, mut n) = (SimTime::ZERO, 0);
    while let Some(next) = load.next_after(t, &mut rng) {
        if next.as_secs_f64() >= to {
            break;
        }
        n += u64::from(next.as_secs_f64() >= from);
        t = next;
    }
    n
}

fn secs(s: f64) -> SimDuration {
    SimDuration::from_secs_f64(s).unwrap()
}

#[test]
fn steps_and_ramps_have_the_expected_counts() {
    // 100/s, a step to 1000/s during [100, 110), back to 100/s, then a ramp from 100/s
    // to 300/s over [200, 300): expected counts are the integrals of the rate.
    let changes = [
        RateChange {
            at: secs(100.0),
            rate: 1000.0,
            over: SimDuration::ZERO,
        },
        RateChange {
            at: secs(110.0),
            rate: 100.0,
            over: SimDuration::ZERO,
        },
        RateChange {
            at: secs(200.0),
            rate: 300.0,
            over: secs(100.0),
        },
    ];
    let profile = RateProfile::new(Rate::per_sec(100.0).unwrap(), &changes).unwrap();
    let load = || Load::new(&Arrivals::Varying(profile.clone()));
    for (from, to, expected) in [
        (0.0, 100.0, 10_000.0),
        (100.0, 110.0, 10_000.0),
        (110.0, 200.0, 9_000.0),
        (200.0, 300.0, 20_000.0),
        (300.0, 400.0, 30_000.0),
    ] {
        let n = count_in(&mut load(), from, to) as f64;
        // Poisson counts: standard deviation sqrt(expected); allow 5 of them.
        assert!(
            (n - expected).abs() < 5.0 * expected.sqrt(),
            "[{from}, {to}): {n} arrivals, expected {expected}"
        );
    }
}

#[test]
fn a_rate_of_zero_forever_ends_the_arrivals() {
    let changes = [RateChange {
        at: secs(10.0),
        rate: 0.0,
        over: SimDuration::ZERO,
    }];
    let profile = RateProfile::new(Rate::per_sec(5.0).unwrap(), &changes).unwrap();
    let n = count_in(&mut Load::new(&Arrivals::Varying(profile)), 0.0, 1e9);
    assert!((n as f64 - 50.0).abs() < 5.0 * 50f64.sqrt(), "{n}");
}
