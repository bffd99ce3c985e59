use super::*;

#[test]
fn finds_an_initial_transient() {
    // 50 observations climbing from 0 to 10, then 450 alternating around 10.
    let series: Vec<f64> = (0..500)
        .map(|i| {
            if i < 50 {
                i as f64 / 5.0
            } else {
                10.0 + if i % 2 == 0 { 0.5 } else { -0.5 }
            }
        })
        .collect();
    let d = mser5_truncation(&series);
    assert!((40..=60).contains(&d), "{d}");
}

#[test]
fn keeps_a_stationary_series() {
    let series: Vec<f64> = (0..500).map(|i| ((i * 7919) % 13) as f64).collect();
    assert!(mser5_truncation(&series) <= 50);
    assert_eq!(mser5_truncation(&[1.0, 2.0, 3.0]), 0);
}
