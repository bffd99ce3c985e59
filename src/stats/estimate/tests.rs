use super::*;

#[test]
fn t_quantiles_match_tables() {
    // Two-sided 95% critical values from standard tables.
    for (df, expected) in [(1.0, 12.706), (4.0, 2.776), (9.0, 2.262), (29.0, 2.045)] {
        let q = student_t_quantile(0.975, df);
        assert!((q - expected).abs() < 2e-3, "df {df}: {q} vs {expected}");
    }
    assert!((student_t_quantile(0.975, 1e6) - 1.95996).abs() < 1e-3);
}

#[test]
fn interval_of_known_samples() {
    let e = Estimate::from_samples(&[1.0, 2.0, 3.0, 4.0, 5.0], 0.95);
    assert_eq!(e.mean, 3.0);
    // s = sqrt(2.5), t(0.975, 4) = 2.7764
    assert!((e.half_width - 2.7764 * (2.5f64 / 5.0).sqrt()).abs() < 1e-3);
    assert!(e.covers(4.9) && !e.covers(5.0));
    assert!(
        Estimate::from_samples(&[1.0], 0.95)
            .half_width
            .is_infinite()
    );
}
