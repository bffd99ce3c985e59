use super::*;

/// Asserts `actual` is within relative tolerance `rel` of `expected` (exact when both are 0).
#[track_caller]
fn assert_close(actual: f64, expected: f64, rel: f64) {
    let scale = actual.abs().max(expected.abs());
    assert!(
        (actual - expected).abs() <= rel * scale,
        "expected {expected}, got {actual} (relative tolerance {rel})"
    );
}

/// Asserts every numeric field agrees, ignoring the model name.
#[track_caller]
fn assert_figures_close(actual: QueueFigures, expected: QueueFigures, rel: f64) {
    let pairs = [
        (actual.utilisation, expected.utilisation),
        (actual.p_wait, expected.p_wait),
        (actual.p_block, expected.p_block),
        (actual.throughput, expected.throughput),
        (actual.l, expected.l),
        (actual.lq, expected.lq),
        (actual.w, expected.w),
        (actual.wq, expected.wq),
    ];
    for (a, e) in pairs {
        assert_close(a, e, rel);
    }
}

/// Little's law and the definitions every `QueueFigures` must satisfy.
#[track_caller]
fn assert_consistent(f: QueueFigures, mean_service: f64, servers: f64) {
    assert_close(f.l, f.throughput * f.w, 1e-9);
    assert_close(f.lq, f.throughput * f.wq, 1e-9);
    assert_close(f.w, f.wq + mean_service, 1e-9);
    assert_close(f.utilisation, f.throughput * mean_service / servers, 1e-9);
    for p in [f.p_wait, f.p_block, f.utilisation] {
        assert!(
            (0.0..=1.0).contains(&p),
            "{p} is not a probability in {f:?}"
        );
    }
}

/// Erlang B straight from its definition, `(a^c/c!) / Σ_{k≤c} a^k/k!`, in log space.
fn erlang_b_by_definition(c: u32, a: f64) -> f64 {
    let log_term = |k: u32| f64::from(k) * a.ln() - libm::lgamma(f64::from(k) + 1.0);
    let peak = (0..=c).map(log_term).fold(f64::NEG_INFINITY, f64::max);
    let total: f64 = (0..=c).map(|k| (log_term(k) - peak).exp()).sum();
    (log_term(c) - peak).exp() / total
}

#[test]
fn mm1_textbook_values() {
    let f = mm1(0.9, 1.0).expect("stable");
    assert_eq!(f.model, "M/M/1");
    assert_close(f.l, 9.0, 1e-9);
    assert_close(f.lq, 8.1, 1e-9);
    assert_close(f.w, 10.0, 1e-9);
    assert_close(f.wq, 9.0, 1e-9);
    assert_close(f.utilisation, 0.9, 1e-12);
    assert_close(f.p_wait, 0.9, 1e-12);
    assert_eq!(f.p_block, 0.0);
    assert_close(f.throughput, 0.9, 1e-12);
}

#[test]
fn mm1_rejects_unstable_and_invalid_inputs() {
    assert_eq!(mm1(1.0, 1.0), None);
    assert_eq!(mm1(2.0, 1.0), None);
    for bad in [0.0, -1.0, f64::NAN, f64::INFINITY] {
        assert_eq!(mm1(bad, 1.0), None, "lambda = {bad}");
        assert_eq!(mm1(0.5, bad), None, "mu = {bad}");
    }
}

#[test]
fn erlang_b_small_known_values() {
    assert_close(erlang_b(1, 1.0), 0.5, 1e-12);
    assert_close(erlang_b(2, 1.0), 0.2, 1e-12);
    assert_eq!(erlang_b(0, 3.0), 1.0);
    assert_eq!(erlang_b(5, 0.0), 0.0);
    // The classic table entry: 10 trunks offered 5 erlangs block about 1.84%.
    assert_close(erlang_b(10, 5.0), 0.018_384_570_336_648, 1e-9);
}

#[test]
fn erlang_b_matches_its_definition() {
    for (c, a) in [(1, 0.3), (3, 2.5), (10, 5.0), (20, 25.0), (50, 40.0)] {
        assert_close(erlang_b(c, a), erlang_b_by_definition(c, a), 1e-9);
    }
}

#[test]
fn erlang_c_known_values() {
    assert_close(erlang_c(2, 1.0), 1.0 / 3.0, 1e-12);
    assert_close(erlang_c(1, 0.7), 0.7, 1e-12);
    assert_close(erlang_c(3, 2.0), 4.0 / 9.0, 1e-12);
    assert_eq!(erlang_c(4, 0.0), 0.0);
    assert_eq!(erlang_c(2, 2.0), 1.0);
    assert_eq!(erlang_c(2, 7.5), 1.0);
}

#[test]
fn erlang_functions_give_nan_for_invalid_load() {
    for bad in [-1.0, f64::NAN, f64::INFINITY] {
        assert!(erlang_b(3, bad).is_nan());
        assert!(erlang_c(3, bad).is_nan());
    }
}

#[test]
fn erlang_is_stable_for_large_c() {
    let b = erlang_b(500, 480.0);
    assert!(b > 0.0 && b < 1.0, "B = {b}");
    assert_close(b, erlang_b_by_definition(500, 480.0), 1e-9);
    let c = erlang_c(500, 480.0);
    assert!(c > b && c < 1.0, "C = {c}");
    // Far more servers than load: the recursion underflows to 0 rather than failing.
    assert_eq!(erlang_b(100_000, 1.0), 0.0);
}

#[test]
fn mmc_textbook_values() {
    // λ = 2, μ = 1, c = 3: P0 = 1/9, C = 4/9, Lq = 8/9, Wq = 4/9, W = 13/9, L = 26/9.
    let f = mmc(2.0, 1.0, 3).expect("stable");
    assert_eq!(f.model, "M/M/c");
    assert_close(f.p_wait, 4.0 / 9.0, 1e-12);
    assert_close(f.lq, 8.0 / 9.0, 1e-12);
    assert_close(f.wq, 4.0 / 9.0, 1e-12);
    assert_close(f.w, 13.0 / 9.0, 1e-12);
    assert_close(f.l, 26.0 / 9.0, 1e-12);
    assert_close(f.utilisation, 2.0 / 3.0, 1e-12);
    assert_eq!(f.p_block, 0.0);
}

#[test]
fn mmc_with_one_server_equals_mm1() {
    for (lambda, mu) in [(0.9, 1.0), (3.0, 7.0), (0.001, 1000.0)] {
        let one = mmc(lambda, mu, 1).expect("stable");
        assert_figures_close(one, mm1(lambda, mu).expect("stable"), 1e-12);
    }
}

#[test]
fn mmc_is_stable_for_large_c() {
    let f = mmc(480.0, 1.0, 500).expect("stable");
    assert!(f.p_wait > 0.0 && f.p_wait < 1.0, "{f:?}");
    assert_close(f.utilisation, 0.96, 1e-12);
    assert_consistent(f, 1.0, 500.0);
    let tail = mmc_wait_tail(480.0, 1.0, 500, 0.0);
    assert_close(tail, f.p_wait, 1e-12);
}

#[test]
fn mmc_rejects_unstable_and_invalid_inputs() {
    assert_eq!(mmc(3.0, 1.0, 3), None);
    assert_eq!(mmc(4.0, 1.0, 3), None);
    assert_eq!(mmc(1.0, 1.0, 0), None);
    assert_eq!(mmc(f64::NAN, 1.0, 2), None);
    assert_eq!(mmc(1.0, -1.0, 2), None);
    assert_eq!(mmc(1.0, f64::INFINITY, 2), None);
}

#[test]
fn mmck_with_one_server_matches_mm1k_closed_form() {
    let k = 5;
    for rho in [0.3, 0.8, 1.7] {
        let f = mmck(rho, 1.0, 1, k).expect("valid");
        assert_eq!(f.model, "M/M/c/K");
        let top = 1.0 - rho.powi(k as i32 + 1);
        let p_block = (1.0 - rho) * rho.powi(k as i32) / top;
        let l = rho / (1.0 - rho) - f64::from(k + 1) * rho.powi(k as i32 + 1) / top;
        assert_close(f.p_block, p_block, 1e-9);
        assert_close(f.l, l, 1e-9);
        assert_close(f.throughput, rho * (1.0 - p_block), 1e-9);
        // One server: an admitted arrival waits exactly when the server is busy.
        let p0 = (1.0 - rho) / top;
        assert_close(f.p_wait, (1.0 - p0 - p_block) / (1.0 - p_block), 1e-9);
    }
}

#[test]
fn mmck_at_critical_load_is_uniform() {
    // ρ = 1: every state 0..=K has probability 1/(K+1), so L = K/2.
    let f = mmck(2.0, 2.0, 1, 9).expect("valid");
    assert_close(f.p_block, 0.1, 1e-12);
    assert_close(f.l, 4.5, 1e-12);
}

#[test]
fn mmck_without_waiting_room_is_erlang_b() {
    for (c, a) in [(1, 1.0), (4, 3.0), (30, 28.0)] {
        let f = mmck(a, 1.0, c, c).expect("valid");
        assert_close(f.p_block, erlang_b(c, a), 1e-9);
        assert_eq!(f.p_wait, 0.0);
        assert_eq!(f.lq, 0.0);
        assert_eq!(f.wq, 0.0);
    }
}

#[test]
fn mmck_with_huge_capacity_approaches_mmc() {
    for (lambda, mu, c) in [(2.0, 1.0, 3), (0.9, 1.0, 1), (480.0, 1.0, 500)] {
        let finite = mmck(lambda, mu, c, 10_000).expect("valid");
        let infinite = mmc(lambda, mu, c).expect("stable");
        assert!(finite.p_block < 1e-12, "{finite:?}");
        let infinite_but_blocking = QueueFigures {
            p_block: finite.p_block,
            ..infinite
        };
        assert_figures_close(finite, infinite_but_blocking, 1e-9);
    }
}

#[test]
fn mmck_survives_heavy_overload_with_large_capacity() {
    // Naive products would reach 1000^10000; the throughput saturates at cμ.
    for (lambda, mu, c) in [(1000.0, 1.0, 1), (3.0, 1.0, 2), (5000.0, 1.0, 500)] {
        let f = mmck(lambda, mu, c, 10_000).expect("valid");
        let capacity = f64::from(c) * mu;
        assert_close(f.throughput, capacity, 1e-6);
        assert_close(f.p_block, 1.0 - capacity / lambda, 1e-6);
        assert_close(f.utilisation, 1.0, 1e-6);
        assert!(f.l > 9_000.0 && f.l <= 10_000.0, "{f:?}");
        assert_consistent(f, 1.0 / mu, f64::from(c));
    }
}

#[test]
fn mmck_rejects_invalid_inputs() {
    assert_eq!(mmck(1.0, 1.0, 3, 2), None);
    assert_eq!(mmck(1.0, 1.0, 0, 2), None);
    assert_eq!(mmck(1.0, 0.0, 1, 2), None);
    assert_eq!(mmck(-1.0, 1.0, 1, 2), None);
    assert_eq!(mmck(f64::NAN, 1.0, 1, 2), None);
    assert!(mmck(50.0, 1.0, 1, 1).is_some(), "any load is stable");
}

#[test]
fn md1_waits_half_as_long_as_mm1() {
    for (lambda, mu) in [(0.5, 1.0), (0.9, 1.0), (40.0, 50.0)] {
        let d = md1(lambda, 1.0 / mu).expect("stable");
        let m = mm1(lambda, mu).expect("stable");
        assert_eq!(d.model, "M/D/1");
        assert_close(d.wq, m.wq / 2.0, 1e-9);
        assert_close(d.lq, m.lq / 2.0, 1e-9);
        assert_close(d.utilisation, m.utilisation, 1e-12);
    }
}

#[test]
fn mg1_with_exponential_moments_equals_mm1() {
    let (lambda, mean) = (0.7, 1.0);
    let g = mg1(lambda, mean, 2.0 * mean * mean).expect("stable");
    assert_eq!(g.model, "M/G/1");
    assert_figures_close(g, mm1(lambda, 1.0 / mean).expect("stable"), 1e-12);
}

#[test]
fn mg1_pollaczek_khinchine_value() {
    // λ = 0.5, E[S] = 1, E[S²] = 3 (scv 2): Wq = 0.5·3 / (2·0.5) = 1.5.
    let f = mg1(0.5, 1.0, 3.0).expect("stable");
    assert_close(f.wq, 1.5, 1e-12);
    assert_close(f.w, 2.5, 1e-12);
    assert_close(f.p_wait, 0.5, 1e-12);
}

#[test]
fn mg1_with_infinite_second_moment_has_infinite_wait() {
    let f = mg1(0.5, 1.0, f64::INFINITY).expect("stable");
    assert!(f.wq.is_infinite() && f.w.is_infinite() && f.l.is_infinite());
    assert_close(f.utilisation, 0.5, 1e-12);
}

#[test]
fn mg1_and_md1_reject_unstable_and_invalid_inputs() {
    assert_eq!(mg1(1.0, 1.0, 2.0), None);
    assert_eq!(mg1(0.5, 1.0, 0.5), None, "E[S²] < E[S]²");
    assert_eq!(mg1(0.5, 1.0, f64::NAN), None);
    assert_eq!(mg1(0.5, 0.0, 1.0), None);
    assert_eq!(mg1(0.0, 1.0, 1.0), None);
    assert_eq!(md1(2.0, 0.5), None);
    assert_eq!(md1(1.0, -0.5), None);
    assert_eq!(md1(1.0, f64::NAN), None);
    // Rounding in the caller's moments must not make a constant service invalid.
    assert!(mg1(0.5, 1.0, 1.0 - 1e-15).is_some());
}

#[test]
fn littles_law_holds_in_every_result() {
    let cases = [
        (mm1(0.9, 1.0), 1.0, 1.0),
        (mm1(3.0, 7.0), 1.0 / 7.0, 1.0),
        (mmc(2.0, 1.0, 3), 1.0, 3.0),
        (mmc(95.0, 1.0, 100), 1.0, 100.0),
        (mmck(0.8, 1.0, 1, 5), 1.0, 1.0),
        (mmck(5.0, 2.0, 2, 10), 0.5, 2.0),
        (mmck(12.0, 1.0, 10, 10), 1.0, 10.0),
        (md1(0.6, 1.0), 1.0, 1.0),
        (mg1(0.2, 2.0, 10.0), 2.0, 1.0),
    ];
    for (figures, mean_service, servers) in cases {
        assert_consistent(figures.expect("valid"), mean_service, servers);
    }
}

#[test]
fn mmc_wait_tail_and_quantile() {
    let (lambda, mu, c) = (2.0, 1.0, 3);
    let p_wait = 4.0 / 9.0;
    assert_close(mmc_wait_tail(lambda, mu, c, 0.0), p_wait, 1e-12);
    assert_close(
        mmc_wait_tail(lambda, mu, c, 2.0),
        p_wait * (-2.0_f64).exp(),
        1e-12,
    );
    assert_eq!(mmc_wait_tail(lambda, mu, c, -1.0), 1.0);
    assert_eq!(mmc_wait_tail(lambda, mu, c, f64::INFINITY), 0.0);
    // Five ninths never wait, so every quantile up to 5/9 is zero.
    assert_eq!(mmc_wait_quantile(lambda, mu, c, 0.5), 0.0);
    assert_eq!(mmc_wait_quantile(lambda, mu, c, 5.0 / 9.0), 0.0);
    for q in [0.6, 0.9, 0.99, 0.999] {
        let t = mmc_wait_quantile(lambda, mu, c, q);
        assert!(t > 0.0);
        assert_close(mmc_wait_tail(lambda, mu, c, t), 1.0 - q, 1e-9);
    }
    assert_eq!(mmc_wait_quantile(lambda, mu, c, 1.0), f64::INFINITY);
}

#[test]
fn mmc_wait_functions_when_unstable_or_invalid() {
    assert_eq!(mmc_wait_tail(3.0, 1.0, 3, 100.0), 1.0);
    assert_eq!(mmc_wait_quantile(3.0, 1.0, 3, 0.5), f64::INFINITY);
    assert_eq!(mmc_wait_quantile(3.0, 1.0, 3, 0.0), 0.0);
    assert!(mmc_wait_tail(1.0, 1.0, 0, 1.0).is_nan());
    assert!(mmc_wait_tail(1.0, 1.0, 2, f64::NAN).is_nan());
    assert!(mmc_wait_tail(f64::NAN, 1.0, 2, 1.0).is_nan());
    assert!(mmc_wait_quantile(1.0, 1.0, 2, 1.5).is_nan());
    assert!(mmc_wait_quantile(1.0, 1.0, 2, -0.1).is_nan());
    assert!(mmc_wait_quantile(1.0, 0.0, 2, 0.5).is_nan());
}

#[test]
fn mm1_sojourn_quantile_is_exponential() {
    let (lambda, mu) = (0.9, 1.0);
    assert_close(
        mm1_sojourn_quantile(lambda, mu, 0.5),
        std::f64::consts::LN_2 / 0.1,
        1e-9,
    );
    assert_close(
        mm1_sojourn_quantile(lambda, mu, 0.99),
        100.0_f64.ln() / 0.1,
        1e-9,
    );
    assert_eq!(mm1_sojourn_quantile(lambda, mu, 0.0), 0.0);
    assert_eq!(mm1_sojourn_quantile(lambda, mu, 1.0), f64::INFINITY);
    assert_eq!(mm1_sojourn_quantile(1.0, 1.0, 0.5), f64::INFINITY);
    assert!(mm1_sojourn_quantile(lambda, mu, 1.1).is_nan());
    assert!(mm1_sojourn_quantile(-1.0, mu, 0.5).is_nan());
}

#[test]
fn finite_source_single_server_matches_the_textbook() {
    // M/M/1//N with N = 2, Z = 1, S = 1: p0 : p1 : p2 = 1 : 2 : 2, so p0 = 1/5,
    // throughput = (1 − p0)/S = 0.8, L = (2 + 4)/5 = 1.2, W = L / X = 1.5.
    let f = finite_source(2, 1.0, 1.0, 1).unwrap();
    assert!((f.throughput - 0.8).abs() < 1e-12);
    assert!((f.l - 1.2).abs() < 1e-12);
    assert!((f.w - 1.5).abs() < 1e-12);
    // The response-time law: N / X = W + Z.
    for (users, c) in [(10, 1), (40, 3), (200, 16)] {
        let f = finite_source(users, 5.0, 0.8, c).unwrap();
        assert!((f64::from(users) / f.throughput - (f.w + 5.0)).abs() < 1e-9);
        assert!((f.l - f.throughput * f.w).abs() < 1e-9);
    }
    assert!(finite_source(0, 1.0, 1.0, 1).is_none());
}

#[test]
fn finite_source_with_many_users_approaches_saturation() {
    let f = finite_source(1000, 1.0, 0.1, 2).unwrap();
    assert!((f.throughput - 20.0).abs() < 1e-6);
    assert!(f.utilisation > 0.999999);
}

#[test]
fn wait_over_is_the_exponential_tail_where_one_exists() {
    for (lambda, mu, c) in [(0.9, 1.0, 1), (2.75, 0.25, 12), (7.0, 1.0, 8)] {
        let f = mmc(lambda, mu, c).expect("stable");
        for t in [0.0, 0.5, 3.0, 20.0] {
            let expected = mmc_wait_tail(lambda, mu, c, t);
            let got = f.wait_over(t).expect("M/M/c has it");
            assert!(
                (got - expected).abs() <= 1e-12 * expected.max(1e-300),
                "{got} vs {expected}"
            );
        }
    }
    let f = mm1(0.8, 1.0).expect("stable");
    assert_close(
        f.wait_over(2.0).expect("M/M/1 has it"),
        0.8 * (-0.2_f64 * 2.0).exp(),
        1e-12,
    );
    // The other models have no closed-form tail here.
    assert_eq!(md1(0.5, 1.0).expect("stable").wait_over(1.0), None);
    assert_eq!(mmck(2.0, 1.0, 3, 10).expect("valid").wait_over(1.0), None);
}
