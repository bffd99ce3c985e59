//! Sweep parts, the files a shard of a sweep writes and a merge reads: every value comes
//! back exactly (absent, NaN, infinite, signed zero, subnormal; every recovery verdict), and
//! an edited, foreign-version or other document is refused.

use serde_json::Value;
use spillway::experiment::{PointRun, Shard};
use spillway::report::{self, PartError, SweepPart};
use spillway::stats::{Recovery, RecoveryVerdict, Sample};

/// A spike at the api, which recovers (a verdict per run), and a batch worker whose single
/// worker cannot keep up at full load (a refused point).
const SCENARIO: &str = r#"
[simulation]
duration = "60s"
warmup = "5s"
seed = 3

[[source]]
name = "web"
to = "api"
rate = "40/s"
schedule = [{ at = "30s", for = "5s", rate = "120/s" }]

[[source]]
name = "batch"
to = "worker"
rate = "25/s"

[[service]]
name = "api"
workers = 4
queue = { capacity = 20 }
service_time = { dist = "exponential", mean = "50ms" }

[[service]]
name = "worker"
workers = 1
service_time = { dist = "exponential", mean = "50ms" }
"#;

/// A run whose every number is unusual: absent, not a number, infinite, signed zero,
/// subnormal, the largest, and thirds that print with 17 digits.
fn odd_sample(recovery: Option<Recovery>) -> Sample {
    Sample {
        values: vec![
            Some(0.1),
            None,
            Some(f64::NAN),
            Some(f64::INFINITY),
            Some(f64::NEG_INFINITY),
            Some(-0.0),
            Some(5e-324),
            Some(f64::MAX),
            Some(1.0 / 3.0),
            None,
        ],
        little: vec![0.0, f64::NAN, 2.0 / 3.0],
        recovery,
        stopped: None,
    }
}

/// Doubles from every corner of the bit space (SplitMix64 over `i`), finite ones only.
fn scattered(count: u64) -> Vec<Option<f64>> {
    (0..count)
        .map(|i| {
            let mut z = i.wrapping_add(1).wrapping_mul(0x9e37_79b9_7f4a_7c15);
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            Some(f64::from_bits(z ^ (z >> 31))).filter(|x| x.is_finite())
        })
        .collect()
}

fn recovery(verdict: RecoveryVerdict) -> Recovery {
    Recovery {
        trigger_start_secs: 30.0,
        trigger_end_secs: 35.000_000_001,
        baseline_goodput: 33.48,
        baseline_offered: f64::INFINITY,
        final_goodput: 0.1 + 0.2,
        verdict,
    }
}

fn part() -> SweepPart {
    let run = |point, replication, sample| PointRun {
        point,
        replication,
        sample,
    };
    SweepPart {
        scenario_path: "dir/s \"quoted\".toml".to_string(),
        scenario_text: SCENARIO.to_string(),
        vary: vec!["service.api.workers=4..32:4".to_string()],
        load: None,
        replications: 3,
        seed: Some(u64::MAX),
        shard: Shard::new(2, 5).expect("a shard"),
        runs: vec![
            run(
                0,
                2,
                odd_sample(Some(recovery(RecoveryVerdict::Recovered {
                    after_secs: 27.6,
                }))),
            ),
            run(
                1,
                0,
                odd_sample(Some(recovery(RecoveryVerdict::NotRecovered))),
            ),
            run(
                3,
                1,
                odd_sample(Some(recovery(RecoveryVerdict::NoHealthyBaseline))),
            ),
            run(
                7,
                2,
                Sample {
                    values: scattered(2000),
                    little: Vec::new(),
                    recovery: None,
                    stopped: Some("max_in_flight".to_string()),
                },
            ),
        ],
    }
}

#[test]
fn a_part_gives_back_every_value_exactly() {
    let part = part();
    let bytes = report::render_sweep_part_json(&part);
    let text = String::from_utf8_lossy(&bytes);
    for written in ["\"NaN\"", "\"inf\"", "\"-inf\"", "-0.0", "null"] {
        assert!(text.contains(written), "{written} not in the part");
    }
    let read = report::read_sweep_part(&bytes).expect("reads back");
    // f64's Debug prints the shortest digits that read back to the same bits (and NaN,
    // signed zero and infinities as such), so equal texts mean equal values, bit for bit.
    assert_eq!(format!("{read:?}"), format!("{part:?}"));
    assert_eq!(report::render_sweep_part_json(&read), bytes);
    let document: Value = serde_json::from_slice(&bytes).expect("JSON");
    let schema: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/reports/schema.json"))
            .expect("schema"),
    )
    .expect("schema is JSON");
    let problems = super::schema::violations(&schema, &schema, &document, "$");
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn an_edited_or_foreign_part_is_refused() {
    let bytes = report::render_sweep_part_json(&part());
    let text = String::from_utf8_lossy(&bytes).into_owned();
    let read = |t: &str| report::read_sweep_part(t.as_bytes());
    let edit = |from: &str, to: &str| {
        assert!(text.contains(from), "{from}");
        read(&text.replacen(from, to, 1))
    };
    assert!(matches!(
        edit("seed = 3", "seed = 4"),
        Err(PartError::Edited(_))
    ));
    assert!(matches!(
        edit(
            "\"verdict\": \"recovered\"",
            "\"verdict\": \"not_recovered\""
        ),
        Err(PartError::Edited(_))
    ));
    assert!(matches!(
        edit("\"index\": 2", "\"index\": 5"),
        Err(PartError::Edited(_))
    ));
    assert!(matches!(
        edit("\"spillway_version\": \"", "\"spillway_version\": \"0."),
        Err(PartError::Version { .. })
    ));
    assert!(matches!(
        edit("\"kind\": \"sweep_part\"", "\"kind\": \"sweep\""),
        Err(PartError::Kind(_))
    ));
    assert!(matches!(
        edit("\"NaN\"", "\"nan\""),
        Err(PartError::Malformed(_))
    ));
    assert!(matches!(
        edit("\"replications\": 3", "\"replications\": 3, \"extra\": 1"),
        Err(PartError::Malformed(_))
    ));
    assert!(matches!(read("{"), Err(PartError::Malformed(_))));
    // Negative control: the text unedited reads.
    assert!(read(&text).is_ok());
}

#[test]
fn a_shard_holds_every_count_th_item() {
    let list: Vec<u64> = (0..23).collect();
    for count in 1..6 {
        let mut all: Vec<u64> = Vec::new();
        for index in 0..count {
            let shard = Shard::new(index, count).expect("a shard");
            let items = shard.items(&list);
            assert!(
                items.iter().all(|&k| shard.holds(k)),
                "{shard:?}: {items:?}"
            );
            assert!(items.len().abs_diff(list.len() / count as usize) <= 1);
            all.extend(items);
        }
        all.sort_unstable();
        assert_eq!(all, list, "{count} shards");
    }
    // Negative control: shards that are not.
    assert_eq!(Shard::new(3, 3), None);
    assert_eq!(Shard::new(0, 0), None);
    assert_eq!(Shard::new(0, Shard::MAX_COUNT + 1), None);
}
