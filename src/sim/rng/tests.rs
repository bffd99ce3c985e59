//! Stream derivation and sampling against each distribution's definition.

use super::*;
use crate::model::Dist;

#[test]
fn streams_differ_by_every_part_of_the_key() {
    let draw = |seed, rep, component, purpose| {
        let mut s = Streams::new(seed, rep).get(component, purpose);
        (0..4).map(|_| unit(&mut s)).collect::<Vec<_>>()
    };
    let base = draw(1, 0, "service:a", "service_time");
    assert_eq!(base, draw(1, 0, "service:a", "service_time"));
    assert_ne!(base, draw(2, 0, "service:a", "service_time"));
    assert_ne!(base, draw(1, 1, "service:a", "service_time"));
    assert_ne!(base, draw(1, 0, "service:b", "service_time"));
    assert_ne!(base, draw(1, 0, "service:a", "route"));
    // The separator keeps ("ab", "c") and ("a", "bc") apart.
    assert_ne!(draw(1, 0, "ab", "c"), draw(1, 0, "a", "bc"));
}

/// Sample mean, second moment and fourth moment of `n` draws, in seconds.
fn moments(dist: &Dist, n: usize) -> (f64, f64, f64) {
    let sampler = Sampler::new(dist);
    let mut rng = Streams::new(7, 0).get("test", "moments");
    let (mut m1, mut m2, mut m4) = (0.0, 0.0, 0.0);
    for _ in 0..n {
        let x = sampler.sample(&mut rng).as_secs_f64();
        m1 += x;
        m2 += x * x;
        m4 += x * x * x * x;
    }
    (m1 / n as f64, m2 / n as f64, m4 / n as f64)
}

/// Every family's sample mean and second moment (which M/G/1 theory relies on) agree with
/// `Dist`'s exact ones within 5 standard errors; the second moment's standard error is
/// estimated from the sample's fourth moment.
#[test]
fn samples_match_exact_moments() {
    let cases = [
        Dist::constant(0.25).unwrap(),
        Dist::exponential(0.1).unwrap(),
        Dist::uniform(0.01, 0.03).unwrap(),
        Dist::normal(0.05, 0.04).unwrap(),
        Dist::lognormal_mean_p99(0.06, 0.4).unwrap(),
        Dist::gamma(2.5, 0.02).unwrap(),
        Dist::erlang(4, 0.2).unwrap(),
        Dist::weibull(1.5, 0.1).unwrap(),
        Dist::pareto(5.0, 0.01).unwrap(),
        Dist::hyperexponential(0.05, 3.0).unwrap(),
        Dist::hyperexponential_phases(0.9, 0.005, 0.1).unwrap(),
        Dist::empirical(vec![0.01, 0.02, 0.07]).unwrap(),
    ];
    const N: usize = 400_000;
    for dist in cases {
        let (m1, m2, m4) = moments(&dist, N);
        let sd = (dist.second_moment() - dist.mean().powi(2)).max(0.0).sqrt();
        let tolerance = 5.0 * sd / (N as f64).sqrt() + 1e-9;
        assert!(
            (m1 - dist.mean()).abs() <= tolerance,
            "{dist}: sample mean {m1} vs {} ± {tolerance}",
            dist.mean()
        );
        let sd2 = (m4 - m2 * m2).max(0.0).sqrt();
        let tolerance2 = 5.0 * sd2 / (N as f64).sqrt() + 1e-12;
        assert!(
            (m2 - dist.second_moment()).abs() <= tolerance2,
            "{dist}: sample E[X²] {m2} vs {} ± {tolerance2}",
            dist.second_moment()
        );
    }
}

#[test]
fn a_wrong_mean_is_detected() {
    // Negative control for the test above: an exponential of mean 0.1 is not one of 0.102.
    let (m1, _, _) = moments(&Dist::exponential(0.1).unwrap(), 400_000);
    let tolerance = 5.0 * 0.1 / (400_000f64).sqrt();
    assert!((m1 - 0.102).abs() > tolerance);
}

/// How many standard errors the sample mean and second moment of `n` draws of `dist` lie
/// from `mean` and `second_moment`; each standard error is the sample's own (the second
/// moment's from the sample's fourth moment), with nothing added.
fn standard_errors_off(dist: &Dist, n: usize, mean: f64, second_moment: f64) -> (f64, f64) {
    let (m1, m2, m4) = moments(dist, n);
    let root_n = (n as f64).sqrt();
    let se1 = (m2 - m1 * m1).sqrt() / root_n;
    let se2 = (m4 - m2 * m2).sqrt() / root_n;
    ((m1 - mean).abs() / se1, (m2 - second_moment).abs() / se2)
}

/// A mixture of 5 ms and 100 ms phases samples to p·m1 + (1−p)·m2 and 2(p·m1² + (1−p)·m2²).
#[test]
fn hyperexponential_phases_sample_their_moments() {
    let (p, m1, m2) = (0.9, 0.005, 0.1);
    let dist = Dist::hyperexponential_phases(p, m1, m2).unwrap();
    let exact = (
        p * m1 + (1.0 - p) * m2,
        2.0 * (p * m1 * m1 + (1.0 - p) * m2 * m2),
    );
    let (z1, z2) = standard_errors_off(&dist, 400_000, exact.0, exact.1);
    assert!(
        z1 <= 5.0 && z2 <= 5.0,
        "{z1:.2} and {z2:.2} standard errors off"
    );
}

/// Negative control for the test above: the same draws are told apart from a slow phase of
/// 105 ms instead of 100 ms (a 5% change of the rare phase).
#[test]
fn hyperexponential_phases_wrong_slow_phase_is_detected() {
    let dist = Dist::hyperexponential_phases(0.9, 0.005, 0.1).unwrap();
    let wrong = Dist::hyperexponential_phases(0.9, 0.005, 0.105).unwrap();
    let (z1, z2) = standard_errors_off(&dist, 400_000, wrong.mean(), wrong.second_moment());
    assert!(
        z1 > 5.0 || z2 > 5.0,
        "{z1:.2} and {z2:.2} standard errors off"
    );
}

#[test]
fn poisson_gaps_have_the_rate() {
    let sampler = Sampler::poisson_gap(crate::model::Rate::per_sec(50.0).unwrap());
    let mut rng = Streams::new(3, 0).get("source:x", "arrivals");
    let n = 200_000;
    let total: f64 = (0..n).map(|_| sampler.sample(&mut rng).as_secs_f64()).sum();
    let mean = total / n as f64;
    assert!((mean - 0.02).abs() < 5.0 * 0.02 / (n as f64).sqrt());
}
