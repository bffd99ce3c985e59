use super::*;
use crate::model::{Axis, AxisUnit, AxisValue, Knob};

#[test]
fn the_knee_is_the_first_value_past_twice_the_baseline() {
    let curve = [Some(1.0), Some(1.2), Some(1.9), Some(2.1), Some(5.0)];
    assert_eq!(knee(&curve), Knee::At { baseline: 0, at: 3 });
}

#[test]
fn a_curve_that_stays_under_twice_its_baseline_has_no_knee() {
    assert_eq!(
        knee(&[Some(1.0), Some(1.5), Some(1.99)]),
        Knee::Flat { baseline: 0 }
    );
    // Exactly twice is not past it.
    assert_eq!(knee(&[Some(1.0), Some(2.0)]), Knee::Flat { baseline: 0 });
}

#[test]
fn a_curve_with_no_data_has_no_baseline() {
    assert_eq!(knee(&[None, None]), Knee::NoData);
    assert_eq!(knee(&[]), Knee::NoData);
}

#[test]
fn a_single_point_is_its_own_baseline_and_no_knee() {
    assert_eq!(knee(&[Some(0.3)]), Knee::Flat { baseline: 0 });
}

#[test]
fn missing_values_are_skipped() {
    // The baseline is the first value present; a gap (a refused point) is no knee.
    assert_eq!(
        knee(&[None, Some(2.0), None, Some(4.1)]),
        Knee::At { baseline: 1, at: 3 }
    );
}

#[test]
fn saturation_is_the_first_full_load_or_one_percent_rejected() {
    assert_eq!(saturation(&[0.5, 0.9, 1.0, 1.2], &[Some(0.0); 4]), Some(2));
    assert_eq!(
        saturation(&[0.5, 0.8, 0.9], &[Some(0.0), Some(0.02), Some(0.05)]),
        Some(1)
    );
    // Exactly 1% rejected and a load just under 1 are not saturated; a point with no
    // figures (refused) counts by its load alone.
    assert_eq!(saturation(&[0.5, 0.99], &[Some(0.01), None]), None);
    assert_eq!(saturation(&[0.5, 1.25], &[Some(0.0), None]), Some(1));
    assert_eq!(saturation(&[], &[]), None);
}

#[test]
fn points_are_scanned_by_increasing_load_and_ties_keep_their_order() {
    // A sweep of workers: the load falls as the value rises.
    assert_eq!(by_load(&[1.5, 1.25, 1.0]), vec![2, 1, 0]);
    assert_eq!(by_load(&[0.7, 0.7, 0.7]), vec![0, 1, 2]);
    assert!(loads_differ(&[1.5, 1.25]));
    assert!(!loads_differ(&[0.7, 0.7]));
}

fn axis(name: &str, values: &[f64]) -> Axis {
    Axis {
        knob: Knob::Key(name.into()),
        unit: AxisUnit::Number,
        values: (values.iter())
            .map(|&v| AxisValue {
                text: v.to_string(),
                number: v,
            })
            .collect(),
    }
}

#[test]
fn a_curve_holds_the_points_that_differ_only_in_the_first_axis() {
    let grid =
        Grid::new(vec![axis("a", &[1.0, 2.0, 3.0]), axis("b", &[10.0, 20.0])]).expect("grid");
    let all = curves(&grid);
    assert_eq!(all.len(), 2);
    for curve in &all {
        for &p in &curve.points {
            assert_eq!(grid.coordinates(p)[1..], curve.fixed[..]);
        }
    }
    assert_eq!(all[0].points, vec![0, 2, 4]);
    let one = Grid::new(vec![axis("a", &[1.0])]).expect("grid");
    assert_eq!(
        curves(&one),
        vec![Curve {
            fixed: vec![],
            points: vec![0]
        }]
    );
}
