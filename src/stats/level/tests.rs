//! Unit tests of `Level`: exact areas without multiplications.

use super::*;

fn at(ns: u64) -> SimTime {
    SimTime(ns)
}

/// The area against a step-by-step integration of the same changes.
#[test]
fn area_matches_direct_integration() {
    let changes = [
        (3, 1),
        (3, 1),
        (10, -1),
        (12, 2),
        (20, -3),
        (25, 1),
        (40, -1),
    ];
    let mut level = Level::default();
    let (mut count, mut last, mut area) = (0i64, 0u64, 0u128);
    for &(t, d) in &changes {
        area += (count as u128) * u128::from(t - last);
        (count, last) = (count + d, t);
        level.change(at(t), d);
    }
    area += (count as u128) * u128::from(50 - last);
    assert_eq!(level.take_area(at(50)), area);
    assert_eq!(level.current(), 0);
    assert_eq!(level.take_area(at(60)), 0);
}

/// Areas taken window by window add up to the whole, and a reset keeps the count.
#[test]
fn windows_add_up_and_reset_keeps_the_count() {
    let mut whole = Level::default();
    let mut parts = Level::default();
    let mut sum = 0;
    for t in (0..1000).step_by(7) {
        let delta = if t % 3 == 0 {
            1
        } else {
            -i64::from(whole.current() > 0)
        };
        whole.change(at(t), delta);
        parts.change(at(t), delta);
        if t % 50 == 0 {
            sum += parts.take_area(at(t));
        }
    }
    sum += parts.take_area(at(1000));
    assert_eq!(whole.take_area(at(1000)), sum);
    let count = whole.current();
    whole.reset(at(1000));
    assert_eq!(whole.current(), count);
    whole.advance(at(1010));
    assert_eq!(whole.mean(10), count as f64);
}
