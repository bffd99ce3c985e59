use super::*;

#[test]
fn a_level_that_keeps_rising_grows_steadily() {
    let means: Vec<f64> = (0..10).map(|i| 120.0 + 5000.0 * f64::from(i)).collect();
    assert_eq!(steady_growth(&means), Some((120.0, 45_120.0)));
    // One dip out of nine is still steady growth.
    let mut dip = means.clone();
    dip[5] = dip[4] - 1.0;
    assert!(steady_growth(&dip).is_some());
}

#[test]
fn a_steady_or_saturated_level_does_not() {
    // Fluctuating around a mean, and full at a bound after rising.
    let noisy = [40.0, 43.0, 38.0, 45.0, 41.0, 39.0, 44.0, 42.0, 40.0, 43.0];
    assert_eq!(steady_growth(&noisy), None);
    let saturated = [
        10.0, 300.0, 500.0, 500.0, 500.0, 499.0, 500.0, 500.0, 498.0, 500.0,
    ];
    assert_eq!(steady_growth(&saturated), None);
    // Rising, but by less than MIN_GROWTH, or by less than double.
    let small: Vec<f64> = (0..10).map(|i| 0.1 * f64::from(i)).collect();
    assert_eq!(steady_growth(&small), None);
    let slow: Vec<f64> = (0..10).map(|i| 1000.0 + 10.0 * f64::from(i)).collect();
    assert_eq!(steady_growth(&slow), None);
    // Too few parts to judge.
    assert_eq!(steady_growth(&[1.0, 100.0, 1000.0]), None);
}

#[test]
fn parts_average_the_level_over_their_span() {
    let mut level = Level::default();
    let mut trend = Trend::new();
    let s = |x: u64| SimTime(x * 1_000_000_000);
    level.reset(s(0));
    trend.reset(s(0));
    level.change(s(0), 2);
    trend.close(&mut level, s(10));
    level.change(s(15), 4);
    trend.close(&mut level, s(20));
    assert_eq!(trend.means[..2], [2.0, 4.0]);
}
