use super::*;

/// The 99th percentile of the standard normal, written out independently of `Z_P99`.
const Z99: f64 = 2.326_347_874_040_840_8;

/// Asserts `actual` is within relative tolerance `rel` of `expected` (exact when both are 0).
#[track_caller]
fn assert_close(actual: f64, expected: f64, rel: f64) {
    let scale = actual.abs().max(expected.abs());
    assert!(
        (actual - expected).abs() <= rel * scale,
        "expected {expected}, got {actual} (relative tolerance {rel})"
    );
}

#[track_caller]
fn assert_moments(d: &Dist, mean: f64, second_moment: f64) {
    assert_close(d.mean(), mean, 1e-12);
    assert_close(d.second_moment(), second_moment, 1e-12);
}

/// The log-normal parameters `(mu, sigma)` of `d`.
fn log_params(d: &Dist) -> (f64, f64) {
    match d.0 {
        Family::LogNormal { mu, sigma } => (mu, sigma),
        ref other => panic!("not a log-normal: {other:?}"),
    }
}

const BAD: [f64; 4] = [0.0, -1.0, f64::NAN, f64::INFINITY];

#[test]
fn positive_parameters_reject_zero_negative_and_non_finite() {
    for bad in BAD {
        assert!(Dist::exponential(bad).is_err(), "exponential({bad})");
        assert!(Dist::normal(bad, 1.0).is_err(), "normal mean {bad}");
        assert!(Dist::normal(1.0, bad).is_err(), "normal sd {bad}");
        assert!(Dist::lognormal(0.0, bad).is_err(), "lognormal sigma {bad}");
        assert!(Dist::gamma(bad, 1.0).is_err(), "gamma shape {bad}");
        assert!(Dist::gamma(1.0, bad).is_err(), "gamma scale {bad}");
        assert!(Dist::erlang(2, bad).is_err(), "erlang mean {bad}");
        assert!(Dist::weibull(bad, 1.0).is_err(), "weibull shape {bad}");
        assert!(Dist::weibull(1.0, bad).is_err(), "weibull scale {bad}");
        assert!(Dist::pareto(bad, 1.0).is_err(), "pareto shape {bad}");
        assert!(Dist::pareto(1.0, bad).is_err(), "pareto scale {bad}");
        assert!(
            Dist::hyperexponential(bad, 2.0).is_err(),
            "hyperexp mean {bad}"
        );
        assert!(
            Dist::lognormal_median_p99(bad, 2.0).is_err(),
            "median {bad}"
        );
        assert!(Dist::lognormal_mean_p99(bad, 2.0).is_err(), "mean {bad}");
        assert!(Dist::lognormal_mean_p99(1.0, bad).is_err(), "p99 {bad}");
    }
    assert!(Dist::erlang(0, 1.0).is_err());
    assert!(Dist::lognormal(f64::NAN, 1.0).is_err());
    assert!(Dist::lognormal(f64::INFINITY, 1.0).is_err());
}

#[test]
fn non_negative_parameters_accept_zero_only() {
    assert!(Dist::constant(0.0).is_ok());
    assert!(Dist::uniform(0.0, 0.0).is_ok());
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(Dist::constant(bad).is_err(), "constant({bad})");
        assert!(Dist::uniform(bad, 1.0).is_err(), "uniform min {bad}");
        assert!(Dist::uniform(0.0, bad).is_err(), "uniform max {bad}");
        assert!(Dist::empirical(vec![1.0, bad]).is_err(), "sample {bad}");
    }
}

#[test]
fn uniform_rejects_min_above_max() {
    assert!(Dist::uniform(2.0, 1.0).is_err());
    assert!(Dist::uniform(1.0, 1.0).is_ok());
}

#[test]
fn empirical_rejects_no_samples() {
    assert!(Dist::empirical(Vec::new()).is_err());
}

#[test]
fn hyperexponential_rejects_cv_below_one() {
    for bad in [0.5, 0.999, f64::NAN, f64::INFINITY] {
        assert!(Dist::hyperexponential(1.0, bad).is_err(), "cv {bad}");
    }
    assert!(Dist::hyperexponential(1.0, 1.0).is_ok());
}

#[test]
fn lognormal_p99_must_exceed_the_centre() {
    assert!(Dist::lognormal_median_p99(1.0, 1.0).is_err());
    assert!(Dist::lognormal_median_p99(1.0, 0.5).is_err());
    assert!(Dist::lognormal_mean_p99(1.0, 1.0).is_err());
    assert!(Dist::lognormal_mean_p99(1.0, 0.5).is_err());
}

#[test]
fn lognormal_mean_p99_ratio_is_bounded_by_e_to_z_squared_over_two() {
    // e^(z²/2) ≈ 14.9685: no log-normal has a p99 further above its mean.
    assert_close((Z99 * Z99 / 2.0).exp(), 14.968_5, 1e-5);
    assert!(Dist::lognormal_mean_p99(1.0, 14.9).is_ok());
    assert!(Dist::lognormal_mean_p99(1.0, 15.0).is_err());
    assert!(Dist::lognormal_mean_p99(0.01, 0.1497).is_err());
}

#[test]
fn constant_moments() {
    let d = Dist::constant(0.25).expect("valid");
    assert_moments(&d, 0.25, 0.0625);
    assert_eq!(d.scv(), 0.0);
    assert!(d.is_constant() && !d.is_exponential());
}

#[test]
fn exponential_moments() {
    let d = Dist::exponential(0.2).expect("valid");
    assert_moments(&d, 0.2, 2.0 * 0.2 * 0.2);
    assert_close(d.scv(), 1.0, 1e-12);
    assert!(d.is_exponential() && !d.is_constant());
}

#[test]
fn uniform_moments() {
    // On [1, 3]: mean 2, variance (3 − 1)²/12 = 1/3, so E[X²] = 4 + 1/3.
    let d = Dist::uniform(1.0, 3.0).expect("valid");
    assert_moments(&d, 2.0, 13.0 / 3.0);
    assert_close(d.scv(), 1.0 / 12.0, 1e-12);
}

#[test]
fn gamma_moments() {
    // Shape 2, scale 3: mean 6, variance kθ² = 18, so E[X²] = 54.
    let d = Dist::gamma(2.0, 3.0).expect("valid");
    assert_moments(&d, 6.0, 54.0);
    assert_close(d.scv(), 0.5, 1e-12);
}

#[test]
fn erlang_has_scv_one_over_k() {
    let d = Dist::erlang(4, 0.8).expect("valid");
    assert_close(d.mean(), 0.8, 1e-12);
    assert_close(d.scv(), 0.25, 1e-12);
    let one = Dist::erlang(1, 0.8).expect("valid");
    assert_close(one.scv(), 1.0, 1e-12);
}

#[test]
fn hyperexponential_reproduces_mean_and_cv() {
    for (mean, cv) in [(0.1, 1.5), (2.0, 3.0), (0.005, 10.0)] {
        let d = Dist::hyperexponential(mean, cv).expect("valid");
        assert_close(d.mean(), mean, 1e-12);
        assert_close(d.scv(), cv * cv, 1e-9);
    }
}

#[test]
fn hyperexponential_with_cv_one_is_exponential() {
    let d = Dist::hyperexponential(0.3, 1.0).expect("valid");
    assert_moments(&d, 0.3, 2.0 * 0.3 * 0.3);
}

#[test]
fn hyperexponential_phases_have_exact_moments() {
    // 90% cache hits of 5 ms, 10% misses of 100 ms.
    let d = Dist::hyperexponential_phases(0.9, 0.005, 0.1).expect("valid");
    assert_moments(
        &d,
        0.9 * 0.005 + 0.1 * 0.1,
        2.0 * (0.9 * 0.005 * 0.005 + 0.1 * 0.1 * 0.1),
    );
    assert_eq!(d.family_name(), "hyperexponential");
    // The balanced fit is one such mixture: giving its phases back rebuilds it.
    let balanced = Dist::hyperexponential(0.02, 3.0).expect("valid");
    let Family::HyperExponential { p, mean1, mean2 } = balanced.0 else {
        panic!("not a hyperexponential");
    };
    assert_eq!(Dist::hyperexponential_phases(p, mean1, mean2), Ok(balanced));
}

#[test]
fn hyperexponential_phases_reject_impossible_parameters() {
    for p in [0.0, 1.0, -0.1, 1.5, f64::NAN, f64::INFINITY] {
        let error = Dist::hyperexponential_phases(p, 0.005, 0.1).expect_err("bad p");
        assert!(
            error.to_string().contains("strictly between 0 and 1"),
            "{error}"
        );
    }
    for bad in BAD {
        assert!(
            Dist::hyperexponential_phases(0.5, bad, 0.1).is_err(),
            "mean1 {bad}"
        );
        assert!(
            Dist::hyperexponential_phases(0.5, 0.1, bad).is_err(),
            "mean2 {bad}"
        );
    }
}

#[test]
fn lognormal_moments() {
    let (mu, sigma) = (-1.0, 0.5);
    let d = Dist::lognormal(mu, sigma).expect("valid");
    assert_moments(
        &d,
        (mu + sigma * sigma / 2.0).exp(),
        (2.0 * mu + 2.0 * sigma * sigma).exp(),
    );
    assert_close(d.scv(), (sigma * sigma).exp() - 1.0, 1e-12);
}

#[test]
fn lognormal_mean_p99_reproduces_mean_and_p99() {
    for (mean, p99) in [(0.1, 0.5), (1.0, 1.01), (0.02, 0.29)] {
        let d = Dist::lognormal_mean_p99(mean, p99).expect("valid");
        let (mu, sigma) = log_params(&d);
        assert_close(d.mean(), mean, 1e-12);
        assert_close((mu + Z99 * sigma).exp(), p99, 1e-12);
    }
}

#[test]
fn lognormal_median_p99_reproduces_median_and_p99() {
    let d = Dist::lognormal_median_p99(0.05, 0.4).expect("valid");
    let (mu, sigma) = log_params(&d);
    assert_close(mu.exp(), 0.05, 1e-12);
    assert_close((mu + Z99 * sigma).exp(), 0.4, 1e-12);
}

#[test]
fn weibull_with_shape_one_is_exponential() {
    let d = Dist::weibull(1.0, 0.7).expect("valid");
    assert_moments(&d, 0.7, 2.0 * 0.7 * 0.7);
}

#[test]
fn weibull_with_shape_two_is_rayleigh() {
    // Mean θ·√π/2 and E[X²] = θ².
    let d = Dist::weibull(2.0, 1.5).expect("valid");
    assert_moments(&d, 1.5 * std::f64::consts::PI.sqrt() / 2.0, 2.25);
}

#[test]
fn pareto_moments_and_infinite_tails() {
    // Shape 3, scale 1: mean 3/2, E[X²] = 3.
    let d = Dist::pareto(3.0, 1.0).expect("valid");
    assert_moments(&d, 1.5, 3.0);
    let heavy = Dist::pareto(2.0, 1.0).expect("valid");
    assert_close(heavy.mean(), 2.0, 1e-12);
    assert_eq!(heavy.second_moment(), f64::INFINITY);
    for shape in [1.0, 0.5] {
        let d = Dist::pareto(shape, 1.0).expect("valid");
        assert_eq!(d.mean(), f64::INFINITY, "shape {shape}");
        assert_eq!(d.second_moment(), f64::INFINITY, "shape {shape}");
    }
}

#[test]
fn normal_far_from_zero_is_barely_truncated() {
    let (mean, sd) = (10.0, 1.0);
    let d = Dist::normal(mean, sd).expect("valid");
    assert_moments(&d, mean, mean * mean + sd * sd);
}

#[test]
fn normal_truncated_at_its_mean_is_half_normal() {
    // `Dist::normal` requires mean > 0, so check the moment formula directly.
    let sd = 0.3;
    let (m1, m2) = truncated_normal_moments(0.0, sd);
    assert_close(m1, sd * (2.0 / std::f64::consts::PI).sqrt(), 1e-12);
    assert_close(m2, sd * sd, 1e-12);
}

#[test]
fn truncation_raises_the_mean() {
    let d = Dist::normal(1.0, 1.0).expect("valid");
    assert!(d.mean() > 1.0 && d.mean() < 1.0 + (2.0 / std::f64::consts::PI).sqrt());
}

#[test]
fn empirical_moments() {
    let d = Dist::empirical(vec![1.0, 2.0, 3.0]).expect("valid");
    assert_moments(&d, 2.0, 14.0 / 3.0);
}

#[test]
fn display_names_the_family_and_mean() {
    let d = Dist::exponential(0.25).expect("valid");
    assert_eq!(d.to_string(), "exponential (mean 0.250000s)");
}

/// Values at and beyond the edges of ordinary durations and shapes.
const EXTREME: [f64; 12] = [
    1e300,
    1e200,
    1e150,
    1e15,
    1e-15,
    1e-150,
    1e-300,
    5e-324,
    f64::MAX,
    f64::MIN_POSITIVE,
    1.0,
    2.5,
];

/// Every family built from every pair of extreme values (first and second parameter).
fn every_family(a: f64, b: f64) -> Vec<(&'static str, Result<Dist, DistError>)> {
    let k = if (1.0..1e9).contains(&a) {
        a as u32
    } else {
        u32::MAX
    };
    vec![
        ("constant", Dist::constant(a)),
        ("exponential", Dist::exponential(a)),
        ("uniform", Dist::uniform(a.min(b), a.max(b))),
        ("normal", Dist::normal(a, b)),
        ("lognormal", Dist::lognormal(a.ln(), b)),
        ("lognormal mean/p99", Dist::lognormal_mean_p99(a, b)),
        ("lognormal median/p99", Dist::lognormal_median_p99(a, b)),
        ("gamma", Dist::gamma(a, b)),
        ("erlang", Dist::erlang(k, b)),
        ("weibull", Dist::weibull(a, b)),
        ("pareto", Dist::pareto(a, b)),
        ("hyperexponential", Dist::hyperexponential(a, b)),
        (
            "hyperexponential phases",
            Dist::hyperexponential_phases(0.5, a, b),
        ),
        ("empirical", Dist::empirical(vec![a, b])),
    ]
}

/// Issue 9: whatever the parameters, a distribution that builds has moments that are finite,
/// or exactly infinite for a heavy Pareto tail; never NaN, never an overflow.
#[test]
fn issue_9_extreme_parameters_give_finite_moments_or_an_error() {
    let mut refused = 0;
    for a in EXTREME {
        for b in EXTREME {
            for (family, built) in every_family(a, b) {
                let Ok(d) = built else {
                    refused += 1;
                    continue;
                };
                let (mean, second) = (d.mean(), d.second_moment());
                let heavy = family == "pareto";
                let ok = |m: f64| m.is_finite() || (heavy && m == f64::INFINITY);
                assert!(
                    ok(mean) && ok(second),
                    "{family}({a}, {b}): {mean}, {second}"
                );
                assert!(mean >= 0.0 && second >= 0.0, "{family}({a}, {b})");
            }
        }
    }
    assert!(refused > 0, "the extremes include impossible distributions");
}

#[test]
fn issue_9_overflowing_moments_are_refused() {
    let cases = [
        (
            "hyperexponential cv 1e200",
            Dist::hyperexponential(0.01, 1e200),
        ),
        (
            "hyperexponential cv 1e10",
            Dist::hyperexponential(0.01, 1e10),
        ),
        ("exponential 1e300", Dist::exponential(1e300)),
        ("constant 1e300", Dist::constant(1e300)),
        ("lognormal mu 700", Dist::lognormal(700.0, 1.0)),
        ("weibull shape 1e-3", Dist::weibull(1e-3, 1.0)),
        ("gamma scale 1e300", Dist::gamma(2.0, 1e300)),
        ("pareto shape 3 scale 1e300", Dist::pareto(3.0, 1e300)),
        ("normal sd 1e-320", Dist::normal(1.0, 1e-320)),
        ("empirical sum", Dist::empirical(vec![f64::MAX, f64::MAX])),
    ];
    for (name, built) in cases {
        let error = built.expect_err(name);
        assert!(
            error.to_string().contains("too extreme") || error.to_string().contains("cv is too"),
            "{name}: {error}"
        );
    }
    // Heavy tails are exact, not overflow.
    assert!(Dist::pareto(0.5, 1e300).is_ok());
    assert!(Dist::hyperexponential(0.01, 1e6).is_ok());
}

#[test]
fn cdf_and_quantile_invert_each_other_and_match_closed_forms() {
    let exp = Dist::exponential(0.02).unwrap();
    assert!((exp.quantile(0.99).unwrap() - 0.02 * 100f64.ln()).abs() < 1e-9);
    let logn = Dist::lognormal_mean_p99(0.06, 0.4).unwrap();
    assert!((logn.quantile(0.99).unwrap() - 0.4).abs() < 1e-6);
    let erlang = Dist::erlang(2, 1.0).unwrap();
    // Erlang-2 of mean 1 (rate 2): P(X ≤ 1) = 1 − e^{−2}(1 + 2).
    assert!((erlang.cdf(1.0).unwrap() - (1.0 - 3.0 * (-2.0f64).exp())).abs() < 1e-12);
    for dist in [
        Dist::constant(0.1).unwrap(),
        Dist::uniform(0.1, 0.3).unwrap(),
        Dist::normal(0.1, 0.05).unwrap(),
        Dist::weibull(1.5, 0.1).unwrap(),
        Dist::pareto(2.5, 0.01).unwrap(),
        Dist::hyperexponential(0.05, 3.0).unwrap(),
        Dist::empirical(vec![0.01, 0.02, 0.5]).unwrap(),
    ] {
        for p in [0.5, 0.9, 0.99] {
            let q = dist.quantile(p).unwrap();
            assert!(dist.cdf(q).unwrap() >= p - 1e-9, "{dist}: cdf(q({p}))");
            assert!(
                dist.cdf(q * (1.0 - 1e-6)).unwrap() <= p + 1e-9,
                "{dist}: q({p}) is least"
            );
        }
    }
    assert_eq!(Dist::gamma(1.5, 1.0).unwrap().cdf(1.0), None);
}

#[test]
fn quantiles_of_heavy_tails_and_long_erlangs_are_finite_and_right() {
    // A Pareto of shape 0.9 has an infinite mean but a median of scale · 2^(1/shape).
    let pareto = Dist::pareto(0.9, 0.001).unwrap();
    let median = 0.001 * 2f64.powf(1.0 / 0.9);
    assert!((pareto.quantile(0.5).unwrap() - median).abs() < 1e-9 * median.max(1.0));
    // An Erlang of 900 phases of mean 100 ms has its median within a few ms of the mean;
    // e^(−x) underflows for x > 745, which the sum in logarithms must survive.
    let erlang = Dist::erlang(900, 0.1).unwrap();
    let median = erlang.quantile(0.5).unwrap();
    assert!((median - 0.1).abs() < 0.001, "{median}");
}
