use super::geometric;

#[test]
fn a_log_axis_needs_a_steady_factor_over_a_decade() {
    assert!(geometric(&[100.0, 200.0, 400.0, 800.0, 1600.0]));
    assert!(geometric(&[1.0, 10.0]));
    assert!(geometric(&[1000.0, 100.0, 10.0]), "descending");
    assert!(!geometric(&[100.0, 200.0, 400.0]), "under a decade");
    assert!(!geometric(&[1.0, 2.0, 3.0, 4.0, 12.0]), "arithmetic");
    assert!(!geometric(&[0.0, 1.0, 10.0]), "not positive");
    assert!(!geometric(&[5.0]));
}
