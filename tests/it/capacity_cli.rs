//! `sweep` and `plan` through the binary: their sentences, documents and exit codes.

use serde_json::Value;

use super::cli::{scenario, spillway, succeeded};

const STATION: &str = r#"
[simulation]
duration = "300s"
warmup = "10s"
seed = 3
[[source]]
name = "web"
to = "api"
rate = "100/s"
[[service]]
name = "api"
workers = 4
service_time = { dist = "exponential", mean = "25ms" }
"#;

/// The binary run with `args`, then the scenario `file`.
fn on(file: &tempfile::NamedTempFile, args: &[&str]) -> std::process::Output {
    spillway()
        .args(args)
        .arg(file.path())
        .output()
        .expect("runs")
}

fn conforms(stdout: &str) -> Value {
    super::schema::assert_conforms(stdout.as_bytes());
    serde_json::from_str(stdout).expect("one JSON document")
}

#[test]
fn sweep_tabulates_every_point_and_marks_the_unstable_one() {
    let file = scenario(STATION);
    let out = on(
        &file,
        &[
            "sweep",
            "-q",
            "--replications",
            "3",
            "--vary",
            "service.api.workers=2..4:1",
        ],
    );
    let text = succeeded(&out);
    assert!(text.contains("unstable: load 1.25 at api"), "{text}");
    assert!(text.contains("3 point(s) × 3 replication(s)"), "{text}");
    let out = on(
        &file,
        &[
            "sweep",
            "-q",
            "--json",
            "--replications",
            "2",
            "--vary",
            "service.api.workers=3,4",
            "--load",
            "0.5,1",
        ],
    );
    let document = conforms(&succeeded(&out));
    assert_eq!(document["points"].as_array().map(Vec::len), Some(4));
}

#[test]
fn sweep_keys_and_values_get_the_scenario_diagnostics() {
    let file = scenario(STATION);
    let out = on(&file, &["sweep", "--vary", "service.api.wrkers=3,4"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("(with service.api.wrkers = 3)"), "{stderr}");
    assert!(stderr.contains("did you mean 'workers'"), "{stderr}");
    let out = on(&file, &["sweep", "--vary", "service.api.workers=0,1"]);
    assert_eq!(out.status.code(), Some(2));
    let out = on(&file, &["sweep", "--vary", "service.api.workers=4..1:1"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is below"));
}

#[test]
fn plan_answers_with_its_evidence_and_exits_4_when_nothing_meets() {
    let file = scenario(STATION);
    let out = on(
        &file,
        &[
            "plan",
            "-q",
            "--vary",
            "service.api.workers",
            "--slo",
            "api.p_wait < 30%",
        ],
    );
    let text = succeeded(&out);
    assert!(text.contains("service.api.workers = "), "{text}");
    assert!(text.contains("meets every SLO"), "{text}");
    assert!(text.contains(" fails api.p_wait"), "{text}");
    let out = on(
        &file,
        &[
            "plan",
            "-q",
            "--json",
            "--vary",
            "service.api.workers",
            "--slo",
            "web.p99 < 50ms",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let document = conforms(&String::from_utf8_lossy(&out.stdout));
    let load = &document["loads"][0];
    assert_eq!(load["found"], Value::Null);
    assert_eq!(load["infeasible"][0]["bound"], "work_floor");
    assert!(
        load["verdict"]
            .as_str()
            .is_some_and(|v| v.contains("115.1 ms")),
        "{load}"
    );
}

#[test]
fn bad_slos_exit_2_and_say_what_is_wrong() {
    let file = scenario(STATION);
    for (slo, wanted) in [
        ("wbe.p99 < 1s", "did you mean 'web'"),
        ("web.p98 < 1s", "not a figure of a source"),
        ("web.p99 300ms", "no comparison"),
        ("web.rejected < 5", "not a share"),
        ("web.rejected < -5%", "not a share"),
        ("not_recovered >= 50%", "has no trigger"),
        ("web.p99 < fast", "web.p99 < fast"),
    ] {
        let out = on(
            &file,
            &["plan", "--vary", "service.api.workers", "--slo", slo],
        );
        assert_eq!(out.status.code(), Some(2), "{slo}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(stderr.contains(wanted), "{slo}: {stderr}");
    }
}

#[test]
fn plan_writes_a_report_with_its_answer_and_the_candidates() {
    let file = scenario(STATION);
    let dir = tempfile::tempdir().expect("temp dir");
    let out = spillway()
        .args([
            "plan",
            "-q",
            "--vary",
            "service.api.workers",
            "--slo",
            "api.p_wait < 30%",
            "--report",
        ])
        .arg(dir.path())
        .arg(file.path())
        .output()
        .expect("runs");
    let text = succeeded(&out);
    let html = std::fs::read_to_string(dir.path().join("report.html")).expect("written");
    let verdict = text
        .lines()
        .find(|l| l.starts_with("At the scenario's load"))
        .expect("a verdict");
    assert!(
        html.contains(&verdict.replace('<', "&lt;").replace('\'', "&#39;")),
        "the report holds the terminal's verdict"
    );
    conforms(&std::fs::read_to_string(dir.path().join("summary.json")).expect("written"));
    assert!(dir.path().join("points.csv").exists());
    assert!(dir.path().join("sweep-response-time.svg").exists());
}

#[test]
fn varying_a_threshold_is_refused_before_running() {
    let file = scenario(&STATION.replace("seed = 3", "seed = 3\nthresholds = [\"50ms\"]"));
    let out = spillway()
        .args([
            "sweep",
            "-q",
            "--vary",
            "simulation.thresholds[0]=50ms,100ms",
        ])
        .arg(file.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("cannot be varied"), "{stderr}");
}

/// An unbounded queue that a spike at 30 s overwhelms: every replication is stopped by
/// `max_in_flight` at any number of workers that the spike overloads.
const GUARDED: &str = r#"
[simulation]
duration = "60s"
seed = 3
max_in_flight = 20
[[source]]
name = "web"
to = "api"
rate = "20/s"
schedule = [{ at = "30s", for = "5s", rate = "2000/s" }]
[[service]]
name = "api"
workers = 1
service_time = { dist = "exponential", mean = "20ms" }
"#;

#[test]
fn a_candidate_that_a_limit_stopped_fails() {
    let file = scenario(GUARDED);
    let out = on(
        &file,
        &[
            "plan",
            "-q",
            "--json",
            "--vary",
            "service.api.workers=1..4:1",
            "--slo",
            "web.p99 < 150ms",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(4),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let document = conforms(&String::from_utf8_lossy(&out.stdout));
    let load = &document["loads"][0];
    assert!(
        load["verdict"]
            .as_str()
            .is_some_and(|v| v.contains("safety limit")),
        "{load}"
    );
    let first = &load["evaluated"][0];
    assert_eq!(first["verdict"], "fails");
    assert!(
        first["stopped_replications"]
            .as_u64()
            .is_some_and(|n| n > 0),
        "{first}"
    );
}

#[test]
fn a_value_without_its_unit_warns_once_naming_the_override() {
    let file = scenario(STATION);
    let out = on(
        &file,
        &[
            "sweep",
            "-q",
            "--replications",
            "2",
            "--vary",
            "source.web.timeout=1,2",
        ],
    );
    succeeded(&out);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let warnings: Vec<&str> = stderr.lines().filter(|l| l.contains("warning:")).collect();
    assert_eq!(warnings.len(), 1, "{stderr}");
    assert!(
        warnings[0].contains("(with source.web.timeout = 1): source.web.timeout:"),
        "{stderr}"
    );
    assert!(warnings[0].contains("read as seconds"), "{stderr}");
}
