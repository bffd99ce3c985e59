use super::*;

#[test]
fn buckets_are_monotone_and_tight() {
    let mut last = 0;
    for ns in [
        1u64,
        2,
        3,
        7,
        8,
        9,
        15,
        16,
        1000,
        1_000_000,
        123_456_789,
        u64::MAX,
    ] {
        let b = bucket(ns);
        assert!(b >= last, "{ns}");
        last = b;
        let mid = bucket_mid(b);
        if ns >= 16 {
            assert!((mid - ns as f64).abs() / ns as f64 <= 0.032, "{ns}: {mid}");
        }
    }
    assert!(bucket(u64::MAX) < BUCKETS);
}

#[test]
fn quantiles_and_merge() {
    let mut dense = [0u64; BUCKETS];
    for ms in 1..=100u64 {
        dense[bucket(ms * 1_000_000)] += 1;
    }
    let mut h = SparseHistogram::from_dense(&dense);
    let p50 = h.quantile_secs(0.5).unwrap();
    assert!((p50 - 0.050).abs() / 0.050 < 0.04, "{p50}");
    let copy = h.clone();
    h.merge(&copy);
    assert_eq!(h.count(), 200);
    let (merged, single) = (
        h.quantile_secs(0.5).unwrap(),
        copy.quantile_secs(0.5).unwrap(),
    );
    assert!(
        (merged - single).abs() / single < 0.01,
        "{merged} vs {single}"
    );
    assert_eq!(SparseHistogram::default().quantile_secs(0.5), None);
}
