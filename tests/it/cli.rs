//! The binary: exit codes, diagnostics on stderr, JSON on stdout.

use assert_cmd::Command;

/// The stdout of a run that must have succeeded (its stderr shown otherwise).
pub(crate) fn succeeded(out: &std::process::Output) -> String {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

pub(crate) fn spillway() -> Command {
    Command::cargo_bin("spillway").expect("binary built")
}

pub(crate) fn scenario(text: &str) -> tempfile::NamedTempFile {
    let file = tempfile::Builder::new()
        .suffix(".toml")
        .tempfile()
        .expect("temp file");
    std::fs::write(file.path(), text).expect("written");
    file
}

const SMALL: &str = r#"
[simulation]
duration = "60s"
[[source]]
name = "in"
to = "api"
rate = "50/s"
[[service]]
name = "api"
workers = 2
queue = { capacity = 10 }
service_time = { dist = "exponential", mean = "30ms" }
"#;

#[test]
fn check_accepts_a_valid_scenario() {
    let file = scenario(SMALL);
    let out = spillway()
        .arg("check")
        .arg(file.path())
        .output()
        .expect("runs");
    assert!(succeeded(&out).contains("ok"));
}

#[test]
fn run_prints_table_with_theory() {
    let file = scenario(SMALL);
    let out = spillway()
        .arg("run")
        .arg(file.path())
        .output()
        .expect("runs");
    let stdout = succeeded(&out);
    assert!(stdout.contains("exact M/M/c/K"), "{stdout}");
    assert!(stdout.contains("Little's law"), "{stdout}");
    assert!(String::from_utf8_lossy(&out.stderr).contains("events/s"));
}

#[test]
fn run_json_is_one_document_and_repeatable() {
    let file = scenario(SMALL);
    let run = || {
        let out = spillway()
            .args(["run", "--json", "--seed", "9"])
            .arg(file.path())
            .output()
            .expect("runs");
        succeeded(&out).into_bytes()
    };
    let first = run();
    assert_eq!(first, run());
    let doc: serde_json::Value = serde_json::from_slice(&first).expect("valid JSON");
    assert_eq!(doc["schema_version"], 2);
    assert_eq!(doc["seed"], 9);
    assert!(doc["events"].as_u64().expect("events") > 0);
    let api = &doc["services"][0];
    assert_eq!(api["name"], "api");
    assert_eq!(api["exact_theory"]["model"], "M/M/c/K");
    assert_eq!(api["little"]["holds"], true);
}

#[test]
fn bad_scenario_exits_2_with_every_problem() {
    let file = scenario(
        r#"
[simulation]
duration = "60s"
[[source]]
name = "in"
to = "apj"
rate = "0/s"
[[service]]
name = "api"
wokers = 2
service_time = { dist = "exponential", mean = "30ms" }
"#,
    );
    let out = spillway()
        .arg("run")
        .arg(file.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let name = file.path().display().to_string();
    assert!(stderr.contains(&format!("{name}:6:")), "{stderr}");
    assert!(stderr.contains("did you mean 'api'"), "{stderr}");
    assert!(stderr.contains(&format!("{name}:7:")), "{stderr}");
    assert!(stderr.contains("did you mean 'workers'"), "{stderr}");
    assert!(out.stdout.is_empty());
}

#[test]
fn unstable_model_is_refused_before_running() {
    let file = scenario(
        &SMALL
            .replace("queue = { capacity = 10 }", "")
            .replace("50/s", "80/s"),
    );
    let out = spillway()
        .arg("run")
        .arg(file.path())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("'api' is unstable"), "{stderr}");
    assert!(stderr.contains("Bound the queue"), "{stderr}");
}

#[test]
fn in_flight_limit_stops_a_runaway_model() {
    // Stable on average but with a tiny in-flight limit: the guard must stop it cleanly.
    let text = SMALL.replace("queue = { capacity = 10 }", "").replace(
        "duration = \"60s\"",
        "duration = \"60s\"\nmax_in_flight = 3",
    );
    let file = scenario(&text);
    let out = spillway()
        .arg("run")
        .arg(file.path())
        .output()
        .expect("runs");
    // Issue 9: exit 3, and what was measured until the stop is printed, not lost.
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("at the max_in_flight limit"), "{stderr}");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("max_in_flight = 3"), "{stdout}");
    assert!(stdout.contains("service "), "the table: {stdout}");
    assert!(
        stdout.contains("warning: the run was stopped before its horizon"),
        "{stdout}"
    );
    let json = spillway()
        .args(["run", "--json"])
        .arg(file.path())
        .output()
        .expect("runs");
    assert_eq!(json.status.code(), Some(3));
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON kept");
    assert_eq!(doc["stopped"]["limit"], "max_in_flight");
    assert!(doc["measured_seconds"].as_f64().expect("measured") < 60.0);
}

#[test]
fn missing_file_and_bad_usage_exit_2() {
    let out = spillway()
        .args(["run", "/no/such/file.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("/no/such/file.toml"));
    let out = spillway().arg("frobnicate").output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn run_report_writes_every_file_into_the_default_directory() {
    let dir = tempfile::tempdir().expect("temp dir");
    let file = dir.path().join("small.toml");
    std::fs::write(&file, SMALL).expect("written");
    let out = spillway()
        .current_dir(dir.path())
        .args([
            "run",
            "small.toml",
            "--replications",
            "3",
            "--report",
            "--quiet",
        ])
        .output()
        .expect("runs");
    succeeded(&out);
    assert!(
        out.stderr.is_empty(),
        "--quiet: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("the first of 3 replications"), "{stdout}");
    let report = dir.path().join("reports").join("small");
    for name in [
        "report.html",
        "report.md",
        "summary.json",
        "timeseries.csv",
        "latency-cdf.svg",
        "latency-cdf.png",
    ] {
        assert!(report.join(name).is_file(), "{name} missing");
    }
    let md = std::fs::read_to_string(report.join("report.md")).expect("read");
    assert!(md.contains("command: spillway run small.toml --replications 3 --report --quiet"));
}

#[test]
fn compare_prints_a_verdict_and_writes_one_report() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("two.toml"), SMALL).expect("written");
    let three = SMALL.replace("workers = 2", "workers = 3");
    std::fs::write(dir.path().join("three.toml"), three).expect("written");
    let out = spillway()
        .current_dir(dir.path())
        .args([
            "compare",
            "two.toml",
            "three.toml",
            "--replications",
            "4",
            "-q",
        ])
        .output()
        .expect("runs");
    let stdout = succeeded(&out);
    assert!(
        stdout.contains("three cuts p99 response time (in)"),
        "{stdout}"
    );
    let report = dir.path().join("reports").join("compare-two-vs-three");
    let json = std::fs::read(report.join("summary.json")).expect("written");
    let doc: serde_json::Value = serde_json::from_slice(&json).expect("valid JSON");
    assert_eq!(doc["designs"].as_array().map(Vec::len), Some(2));
    assert!(doc["differences"].as_array().is_some_and(|d| !d.is_empty()));
}

#[test]
fn bad_study_options_exit_2() {
    let file = scenario(SMALL);
    for args in [
        vec!["--precision", "2"],
        vec!["--replications", "0"],
        vec!["--warmup", "sometimes"],
    ] {
        let out = spillway()
            .arg("run")
            .arg(file.path())
            .args(&args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2), "{args:?}");
    }
    let out = spillway()
        .args(["compare", "only-one.toml"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn unwritable_report_directory_exits_1() {
    let file = scenario(SMALL);
    let blocker = tempfile::NamedTempFile::new().expect("temp file");
    let out = spillway()
        .arg("run")
        .arg(file.path())
        .arg("--report")
        .arg(blocker.path().join("sub"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("writing the report"), "{stderr}");
    // The operating system's reason, once (it used to be printed twice).
    assert_eq!(stderr.matches("os error").count(), 1, "{stderr}");
}

/// Issue 9: a source with no successful request shows "–", not 0 s, with the reason.
#[test]
fn issue_9_no_successful_requests_show_a_dash_and_the_reason() {
    let file = scenario(
        r#"
        [simulation]
        duration = "30s"
        [[source]]
        name = "web"
        to = "api"
        rate = "50/s"
        timeout = "1ms"
        [[service]]
        name = "api"
        workers = 4
        service_time = { dist = "constant", value = "30ms" }
        queue = { capacity = 10 }
        "#,
    );
    let out = succeeded(
        &spillway()
            .arg("run")
            .arg(file.path())
            .output()
            .expect("runs"),
    );
    let row = out
        .lines()
        .find(|l| l.starts_with("web "))
        .expect("a source row");
    assert!(!row.contains("0s"), "{row}");
    assert_eq!(row.matches('–').count(), 6, "six latency columns: {row}");
    assert!(row.contains("0.00%"), "ok: none succeeded: {row}");
    assert!(
        out.contains("web: no successful requests, so no response time"),
        "{out}"
    );
    let json = succeeded(
        &spillway()
            .args(["run", "--json"])
            .arg(file.path())
            .output()
            .expect("runs"),
    );
    let doc: serde_json::Value = serde_json::from_str(&json).expect("JSON");
    let latency = &doc["sources"][0]["latency_seconds"];
    assert_eq!(latency["count"], 0);
    assert!(latency["p99"].is_null() && latency["mean"].is_null());
    assert_eq!(doc["sources"][0]["success_fraction"], 0.0);
}

/// The stderr of `spillway <command> <scenario>`, which must exit 2.
fn refused(command: &str, text: &str) -> String {
    let file = scenario(text);
    let out = spillway()
        .arg(command)
        .arg(file.path())
        .output()
        .expect("runs");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    stderr
}

/// Issue 9: `check` refuses what `run` would refuse before running, and each refusal names
/// the key and its line: a burst too fast, a population or a limit too large for memory,
/// an unstable service.
#[test]
fn issue_9_pre_run_refusals_name_the_key_and_line() {
    let burst = SMALL.replace(
        "rate = \"50/s\"",
        "rate = \"50/s\"\nschedule = [{ at = \"1s\", rate = \"1e15/s\" }, { at = \"2s\", rate = \"50/s\" }]",
    );
    let users = SMALL.replace(
        "rate = \"50/s\"",
        "users = 4294967295\nthink_time = { dist = \"exponential\", mean = \"1s\" }",
    );
    let limit = SMALL.replace(
        "duration = \"60s\"",
        "duration = \"60s\"\nmax_in_flight = 4294967295",
    );
    let unstable = SMALL
        .replace("queue = { capacity = 10 }", "")
        .replace("50/s", "80/s");
    for (text, at) in [
        (
            &burst,
            ":8:1: source.in.schedule: source 'in' sends up to 1.000e15",
        ),
        (
            &users,
            ":7:1: source.in.users: source 'in' has 4294967295 users",
        ),
        (
            &limit,
            ":4:1: simulation.max_in_flight: max_in_flight = 4294967295 could take",
        ),
        (
            &unstable,
            ":10:1: service.api.workers: service 'api' is unstable",
        ),
    ] {
        for command in ["check", "run"] {
            let stderr = refused(command, text);
            assert!(stderr.contains(at), "{command}: {stderr}");
        }
    }
}

/// Issue 9: `check` refuses a device, a pipe and an oversized file quickly, with exit 2,
/// instead of reading without end or blocking.
#[test]
fn issue_9_check_refuses_devices_pipes_and_huge_files() {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.toml");
    let file = std::fs::File::create(&big).expect("created");
    file.set_len(spillway::scenario::MAX_FILE_BYTES + 1)
        .expect("sized");
    let fifo = dir.path().join("fifo.toml");
    let made_fifo = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .is_ok_and(|s| s.success());
    let mut paths = vec![(big, "more than the 16 MiB")];
    if made_fifo {
        paths.push((fifo, "not a regular file"));
    }
    if std::path::Path::new("/dev/zero").exists() {
        paths.push(("/dev/zero".into(), "not a regular file"));
    }
    for (path, expected) in paths {
        let out = spillway()
            .arg("check")
            .arg(&path)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .expect("runs");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{}: {stderr}", path.display());
        assert!(stderr.contains(expected), "{stderr}");
    }
}

/// Issue 9: a report directory derived from an odd file stem stays one directory inside
/// `reports/`: `...toml` used to write into the current directory, `..toml` into
/// `reports/` itself.
#[test]
fn issue_9_report_names_from_odd_file_stems_stay_inside_reports() {
    for (file, expected) in [
        ("...toml", "reports/scenario/report.html"),
        ("..toml", "reports/scenario/report.html"),
        (".hidden.toml", "reports/hidden/report.html"),
        ("a b\u{1b}.toml", "reports/a_b_/report.html"),
    ] {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join(file), SMALL).expect("written");
        let out = spillway()
            .current_dir(dir.path())
            .args(["run", file, "--report", "--quiet"])
            .output()
            .expect("runs");
        let stdout = succeeded(&out);
        assert!(
            stdout.contains(&format!("report: {expected}")),
            "{file}: {stdout}"
        );
        assert!(dir.path().join(expected).is_file(), "{file}");
        assert!(!dir.path().join("report.html").exists(), "{file}");
        assert!(!dir.path().join("reports/report.html").exists(), "{file}");
    }
}

/// `SMALL` with its service time written as a plain number (seconds), on line 12.
fn plain_seconds() -> String {
    SMALL.replace("mean = \"30ms\"", "mean = 0.03")
}

/// Issue 9, section 5: `check` takes several files and reports every problem of each.
#[test]
fn issue_9_check_reports_every_problem_of_every_file() {
    let good = scenario(SMALL);
    let bad = scenario(&SMALL.replace("workers = 2", "workers = 0\nwrokers = 1"));
    let out = spillway()
        .arg("check")
        .args([bad.path(), good.path()])
        .arg("/no/such/file.toml")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    let bad_name = bad.path().display().to_string();
    assert!(
        stdout.contains(&format!("{}: ok", good.path().display())),
        "{stdout}"
    );
    assert!(stderr.contains(&format!(
        "{bad_name}:10:11: service.api.workers: must be > 0"
    )));
    assert!(stderr.contains(&format!(
        "{bad_name}:11:1: service.api.wrokers: unknown key"
    )));
    assert!(
        stderr.contains("/no/such/file.toml: cannot read the scenario"),
        "{stderr}"
    );
}

/// `check --json`: one document, per file ok or its diagnostics (file, line, column, key,
/// message, help) and its warnings; conforming to `reports/schema.json`.
#[test]
fn issue_9_check_json_is_one_document_with_every_diagnostic() {
    let good = scenario(&plain_seconds());
    let bad = scenario(&SMALL.replace("workers = 2", "wrokers = 2"));
    let out = spillway()
        .args(["check", "--json"])
        .args([good.path(), bad.path()])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    super::schema::assert_conforms(&out.stdout);
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    assert_eq!(doc["ok"], false);
    let (ok, broken) = (&doc["files"][0], &doc["files"][1]);
    assert_eq!(ok["ok"], true);
    assert_eq!(ok["warnings"][0]["key"], "service.api.service_time.mean");
    assert_eq!(broken["ok"], false);
    let problem = &broken["diagnostics"][0];
    assert_eq!(problem["file"], bad.path().display().to_string());
    assert_eq!(
        (problem["line"].as_u64(), problem["column"].as_u64()),
        (Some(10), Some(1))
    );
    assert_eq!(problem["key"], "service.api.wrokers");
    assert_eq!(problem["message"], "unknown key 'wrokers'");
    assert_eq!(problem["help"], "did you mean 'workers'?");
    let all_good = spillway()
        .args(["check", "--json"])
        .arg(good.path())
        .output()
        .expect("runs");
    assert!(succeeded(&all_good).contains("\"ok\": true"));
}

/// `compare --json` prints the comparison document, the very bytes of `summary.json`.
#[test]
fn issue_9_compare_json_prints_the_summary_document() {
    let (a, b) = (
        scenario(SMALL),
        scenario(&SMALL.replace("workers = 2", "workers = 3")),
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let out = spillway()
        .args([
            "compare",
            "--json",
            "--replications",
            "2",
            "--quiet",
            "--report",
        ])
        .arg(dir.path())
        .args([a.path(), b.path()])
        .output()
        .expect("runs");
    let stdout = succeeded(&out);
    let written = std::fs::read_to_string(dir.path().join("summary.json")).expect("written");
    assert_eq!(stdout, written);
    super::schema::assert_conforms(stdout.as_bytes());
    assert!(stdout.contains("\"differences\""), "{stdout}");
}

/// `-` reads the scenario from standard input: named `<stdin>` in diagnostics, `stdin` in
/// a derived report directory, through the 16 MiB limit, and only once per command.
#[test]
fn issue_9_dash_reads_the_scenario_from_standard_input() {
    let out = spillway()
        .args(["run", "-", "--json", "--quiet"])
        .write_stdin(SMALL)
        .output()
        .expect("runs");
    assert!(succeeded(&out).contains("\"scenario\": \"<stdin>\""));
    let out = spillway()
        .args(["check", "-"])
        .write_stdin(SMALL.replace("workers = 2", "workers = 0"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin>:10:11: service.api.workers: must be > 0"),
        "{stderr}"
    );
    let dir = tempfile::tempdir().expect("temp dir");
    let out = spillway()
        .current_dir(dir.path())
        .args(["run", "-", "--report", "--quiet"])
        .write_stdin(SMALL)
        .output()
        .expect("runs");
    assert!(succeeded(&out).contains("report: reports/stdin/report.html"));
    assert!(dir.path().join("reports/stdin/report.html").is_file());
    let huge = format!("{SMALL}#{}", "x".repeat(16 << 20));
    let out = spillway()
        .args(["check", "-"])
        .write_stdin(huge)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("<stdin>: cannot read the scenario"),
        "{stderr}"
    );
    assert!(stderr.contains("more than the 16 MiB"), "{stderr}");
    let out = spillway().args(["check", "-", "-"]).output().expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("only once"));
}

/// Help pages show examples, usage lines read naturally, and each command states its own
/// default number of replications.
#[test]
fn issue_9_help_shows_examples_usage_and_each_default() {
    let help = |command: &str| {
        let out = spillway().args([command, "--help"]).output().expect("runs");
        succeeded(&out)
    };
    let (run, compare, check) = (help("run"), help("compare"), help("check"));
    for page in [&run, &compare, &check] {
        assert!(page.contains("Examples:\n"), "{page}");
        assert!(page.contains("Exit codes:"), "{page}");
    }
    assert!(compare.contains("Usage: spillway compare [OPTIONS] <BASELINE> <DESIGN>..."));
    assert!(
        check.contains("Usage: spillway check [OPTIONS] <FILE>..."),
        "{check}"
    );
    assert!(
        run.contains("[default: 1]") && !run.contains("for compare"),
        "{run}"
    );
    assert!(compare.contains("[default: 10]") && !compare.contains("for run"));
}

/// A negative count is refused as such, without clap's advice to use `--`.
#[test]
fn issue_9_negative_numbers_say_a_non_negative_integer_is_needed() {
    for args in [
        ["--replications", "-3"],
        ["--seed", "-1"],
        ["--max-replications", "-2"],
    ] {
        let out = spillway()
            .args(["run", "x.toml"])
            .args(args)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("must be a non-negative integer"),
            "{stderr}"
        );
        assert!(!stderr.contains("to pass"), "{stderr}");
    }
}

/// A plain number where a duration is expected is read as seconds, with a warning on
/// stderr naming the file, line, key and value; `run --json` keeps stdout pure JSON.
#[test]
fn issue_9_plain_number_durations_warn_on_stderr() {
    let file = scenario(&plain_seconds());
    let warning = format!(
        "{}:12:47: service.api.service_time.mean: warning: a plain number is read as seconds \
         (30 ms); write \"0.03s\" or \"0.03ms\" to say which",
        file.path().display()
    );
    let out = spillway()
        .arg("check")
        .arg(file.path())
        .output()
        .expect("runs");
    assert!(succeeded(&out).contains(": ok"));
    assert!(String::from_utf8_lossy(&out.stderr).contains(&warning));
    let out = spillway()
        .args(["run", "--json", "--quiet"])
        .arg(file.path())
        .output()
        .expect("runs");
    let stdout = succeeded(&out);
    serde_json::from_str::<serde_json::Value>(&stdout).expect("stdout is one JSON document");
    assert!(String::from_utf8_lossy(&out.stderr).contains(&warning));
}
