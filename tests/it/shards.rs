//! Sweeps run in shards, each a separate process of the binary, then merged: the same bytes
//! as one sweep (its document, its tables and every report file); a missing shard named
//! with the command that runs it, which resumes the merge; doubled, foreign, edited and
//! other documents refused with exit 2; and parts that give back every value exactly.

use std::path::Path;
use std::process::Output;

use assert_cmd::Command;
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

/// The sweep: 4 points (one refused) × 3 replications = 9 runs, 3 per shard.
const SWEEP: [&str; 9] = [
    "s.toml",
    "--vary",
    "service.worker.workers=1,2",
    "--load",
    "0.5,1",
    "--replications",
    "3",
    "--seed",
    "8",
];

/// A directory holding the scenario as `s.toml` and an empty `parts/`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("s.toml"), SCENARIO).expect("written");
    std::fs::create_dir(dir.path().join("parts")).expect("created");
    dir
}

/// `spillway ARGS` run in `dir`.
fn spillway(dir: &Path, args: &[&str]) -> Output {
    Command::cargo_bin("spillway")
        .expect("binary built")
        .current_dir(dir)
        .args(args)
        .output()
        .expect("runs")
}

/// The stdout of a command that must have succeeded.
fn ok(out: Output) -> Vec<u8> {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// The stderr of a command that must have failed with exit 2.
fn refused(out: Output) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(out.stdout.is_empty());
    stderr
}

/// `spillway sweep` of [`SWEEP`] with `extra` arguments, run in `dir`.
fn sweep(dir: &Path, extra: &[&str]) -> Output {
    let args: Vec<&str> = ["sweep"]
        .iter()
        .chain(&SWEEP)
        .chain(extra)
        .copied()
        .collect();
    spillway(dir, &args)
}

/// Runs shard `index` of 3 as its own process, writing `parts/part-<index>.json`.
fn shard(dir: &Path, index: u64) {
    let (shard, out) = (format!("{index}/3"), format!("parts/part-{index}.json"));
    ok(sweep(dir, &["--shard", &shard, "--out", &out, "--quiet"]));
}

/// `spillway merge` of the parts of `indexes` with `extra` arguments, run in `dir`.
fn merge(dir: &Path, indexes: &[u64], extra: &[&str]) -> Output {
    let parts: Vec<String> = (indexes.iter())
        .map(|i| format!("parts/part-{i}.json"))
        .collect();
    let args: Vec<&str> = (["merge"].into_iter())
        .chain(parts.iter().map(String::as_str))
        .chain(extra.iter().copied())
        .collect();
    spillway(dir, &args)
}

/// Every file of a report directory, by name.
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = (std::fs::read_dir(dir).expect("report written"))
        .map(|entry| {
            let path = entry.expect("entry").path();
            let name = path
                .file_name()
                .expect("name")
                .to_string_lossy()
                .into_owned();
            (name, std::fs::read(&path).expect("readable"))
        })
        .collect();
    files.sort();
    files
}

#[test]
fn merged_shards_give_the_bytes_of_one_sweep() {
    let work = workspace();
    let dir = work.path();
    for index in [2, 0, 1] {
        shard(dir, index);
    }
    let single = ok(sweep(dir, &["--json", "--quiet"]));
    let merged = ok(merge(dir, &[1, 2, 0], &["--json", "--quiet"]));
    assert_eq!(
        String::from_utf8_lossy(&merged),
        String::from_utf8_lossy(&single)
    );
    // The sweep has what a part must carry: a refused point, verdicts, the --seed.
    let document: Value = serde_json::from_slice(&single).expect("JSON");
    let points = document["points"].as_array().expect("points");
    assert_eq!(points.iter().filter(|p| !p["refused"].is_null()).count(), 1);
    assert!(
        points
            .iter()
            .any(|p| p["recovery"]["recovered"].as_u64() > Some(0))
    );
    assert_eq!(
        document["command"],
        "spillway sweep s.toml --vary service.worker.workers=1,2 --load 0.5,1 \
         --replications 3 --seed 8"
    );
    // The tables and every report file.
    let single = ok(sweep(dir, &["--report", "single", "-q"]));
    let merged = ok(merge(dir, &[0, 1, 2], &["--report", "merged", "-q"]));
    assert_eq!(
        String::from_utf8_lossy(&merged).replace("merged/", "single/"),
        String::from_utf8_lossy(&single)
    );
    let written = files(&dir.join("single"));
    let names: Vec<&str> = written.iter().map(|(name, _)| name.as_str()).collect();
    assert!(names.contains(&"points.csv"), "{names:?}");
    let merged = files(&dir.join("merged"));
    assert_eq!(
        merged
            .iter()
            .map(|(name, _)| name.as_str())
            .collect::<Vec<_>>(),
        names
    );
    for ((name, a), (_, b)) in written.iter().zip(&merged) {
        assert!(a == b, "{name} differs");
    }
}

fn strs(words: &[String]) -> Vec<&str> {
    words.iter().map(String::as_str).collect()
}

#[test]
fn a_missing_shard_is_named_with_the_command_that_runs_it() {
    let work = workspace();
    let dir = work.path();
    shard(dir, 0);
    shard(dir, 2);
    let stderr = refused(merge(dir, &[2, 0], &["--json"]));
    assert!(
        stderr.contains("1 of the 3 shards of this sweep is missing: 1\n"),
        "{stderr}"
    );
    let command = |verb: &str| -> Vec<String> {
        let line = (stderr.lines())
            .find(|l| l.trim_start().starts_with(&format!("spillway {verb} ")))
            .unwrap_or_else(|| panic!("no {verb} command in {stderr}"));
        line.split_whitespace()
            .skip(1)
            .map(str::to_string)
            .collect()
    };
    let run = command("sweep");
    let expected: Vec<&str> = ["sweep"]
        .iter()
        .chain(&SWEEP)
        .chain(&["--shard", "1/3", "--out", "parts/part-1.json"])
        .copied()
        .collect();
    assert_eq!(run, expected);
    let merge_again = command("merge");
    assert_eq!(
        merge_again,
        [
            "merge",
            "parts/part-0.json",
            "parts/part-1.json",
            "parts/part-2.json",
            "--json"
        ]
    );
    // Resuming: run only what the error printed, then the merge it printed.
    ok(spillway(dir, &strs(&run)));
    let merged = ok(spillway(dir, &strs(&merge_again)));
    assert_eq!(merged, ok(sweep(dir, &["--json", "-q"])));
}

#[test]
fn doubled_foreign_and_other_files_are_refused() {
    let work = workspace();
    let dir = work.path();
    for index in 0..3 {
        shard(dir, index);
    }
    std::fs::copy(dir.join("parts/part-1.json"), dir.join("parts/copy.json")).expect("copied");
    let stderr = refused(spillway(
        dir,
        &[
            "merge",
            "parts/part-0.json",
            "parts/part-1.json",
            "parts/copy.json",
            "parts/part-2.json",
        ],
    ));
    assert!(stderr.contains("shard 1/3 is given twice"), "{stderr}");

    // Shard 1 of a sweep with other replications, and of another scenario text.
    let other = |at: usize, value: &str, out: &str| {
        let mut args: Vec<&str> = ["sweep"].iter().chain(&SWEEP).copied().collect();
        args[at] = value;
        args.extend(["--shard", "1/3", "--out", out]);
        ok(spillway(dir, &args));
    };
    assert_eq!(SWEEP[6], "3", "the replications");
    other(7, "2", "parts/other-1.json");
    std::fs::write(dir.join("t.toml"), SCENARIO.replace("seed = 3", "seed = 4")).expect("w");
    other(1, "t.toml", "parts/text-1.json");
    for (part, says) in [
        ("parts/other-1.json", "--replications 2 (not 3)"),
        ("parts/text-1.json", "scenario hash"),
    ] {
        let stderr = refused(spillway(
            dir,
            &["merge", "parts/part-0.json", part, "parts/part-2.json"],
        ));
        assert!(stderr.contains("is a part of another sweep"), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
    }

    // Not a part: a sweep's document, a part edited by hand, a missing file.
    std::fs::write(dir.join("doc.json"), ok(sweep(dir, &["--json", "-q"]))).expect("w");
    let text = std::fs::read_to_string(dir.join("parts/part-1.json")).expect("part");
    let edited = text.replacen("workers = 4", "workers = 5", 1);
    assert_ne!(edited, text);
    std::fs::write(dir.join("parts/edited-1.json"), edited).expect("w");
    for (file, says) in [
        ("doc.json", "a 'sweep' document, not a sweep part"),
        ("parts/edited-1.json", "the file was edited"),
        ("parts/none.json", "error: reading 'parts/none.json'"),
    ] {
        let stderr = refused(spillway(dir, &["merge", "parts/part-0.json", file]));
        assert!(stderr.contains(says), "{file}: {stderr}");
    }

    // Arguments: a shard beyond the count, and --shard without --out.
    let stderr = refused(sweep(dir, &["--shard", "3/3", "--out", "x.json"]));
    assert!(stderr.contains("must be below N"), "{stderr}");
    refused(sweep(dir, &["--shard", "0/3"]));
}

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
    super::schema::assert_conforms(&bytes);
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
