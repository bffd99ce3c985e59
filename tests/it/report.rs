//! Reports: fixed-seed snapshots, well-formed SVG, self-contained HTML, identical bytes on
//! any number of threads, whole-or-nothing writes, and comparisons on common random numbers.

use std::sync::LazyLock;

use spillway::experiment::{self, Plan, Precision, StopReason, Study, Warmup};
use spillway::model::System;
use spillway::report::{self, Chart, Design, Report};
use spillway::stats::{MAX_WINDOWS, TimeSeries};

use super::system;

/// A small M/M/2/K service: fast to run, with exact theory and some rejections.
const SMALL: &str = r#"
    [simulation]
    duration = "120s"
    warmup = "10s"
    seed = 11
    [[source]]
    name = "web"
    to = "api"
    rate = "60/s"
    [[service]]
    name = "api"
    workers = 2
    queue = { capacity = 8 }
    service_time = { dist = "exponential", mean = "30ms" }
"#;

/// The same service with a third worker: the comparison's design B.
static BIGGER: LazyLock<String> = LazyLock::new(|| SMALL.replace("workers = 2", "workers = 3"));

const COMMAND: &str = "spillway run small.toml --replications 3 --report out";

fn study(system: &System, replications: u64) -> Study {
    experiment::study(system, &Plan::fixed(replications), &|| {}).expect("runs")
}

fn run_report<'a>(study: &'a Study, text: &'a str) -> Report<'a> {
    Report {
        command: COMMAND,
        designs: vec![Design {
            name: "small",
            scenario_path: "small.toml",
            scenario_text: text,
            study,
        }],
    }
}

fn compare_report<'a>(a: &'a Study, b: &'a Study) -> Report<'a> {
    Report {
        command: "spillway compare small.toml bigger.toml",
        designs: vec![
            Design {
                name: "small",
                scenario_path: "small.toml",
                scenario_text: SMALL,
                study: a,
            },
            Design {
                name: "bigger",
                scenario_path: "bigger.toml",
                scenario_text: &BIGGER,
                study: b,
            },
        ],
    }
}

#[test]
fn markdown_and_json_snapshots() {
    let s = study(&system(SMALL), 3);
    let report = run_report(&s, SMALL);
    let md = String::from_utf8(report::render_markdown(&report)).expect("UTF-8");
    insta::assert_snapshot!("small_report_md", md);
    let json = String::from_utf8(report::render_report_json(&report)).expect("UTF-8");
    insta::assert_snapshot!("small_summary_json", json);
}

#[test]
fn every_svg_is_well_formed_xml() {
    let (a, b) = (study(&system(SMALL), 2), study(&system(&BIGGER), 2));
    for report in [run_report(&a, SMALL), compare_report(&a, &b)] {
        for chart in Chart::ALL {
            let svg = String::from_utf8(report::render_chart_svg(&report, chart)).expect("UTF-8");
            let doc = roxmltree::Document::parse(&svg)
                .unwrap_or_else(|e| panic!("{}: {e}", chart.file_stem()));
            assert_eq!(doc.root_element().tag_name().name(), "svg");
            assert!(svg.contains("<text"), "{}: no text", chart.file_stem());
            let png = report::render_chart_png(&report, chart);
            assert!(
                png.starts_with(b"\x89PNG\r\n\x1a\n"),
                "{}",
                chart.file_stem()
            );
        }
    }
}

#[test]
fn html_references_no_external_resource() {
    let (a, b) = (study(&system(SMALL), 2), study(&system(&BIGGER), 2));
    for report in [run_report(&a, SMALL), compare_report(&a, &b)] {
        let html = String::from_utf8(report::render_html(&report)).expect("UTF-8");
        let lower = html.to_lowercase();
        for banned in [
            "src=", "href=", "url(", "@import", "<link", "<script", "<iframe",
        ] {
            assert!(!lower.contains(banned), "report.html contains '{banned}'");
        }
        // Charts are inline, and the scenario text, seed, version and command are present.
        assert_eq!(html.matches("<svg").count(), Chart::ALL.len());
        assert!(html.contains("seed 11"));
        assert!(html.contains(env!("CARGO_PKG_VERSION")));
        assert!(html.contains("spillway "));
        assert!(html.contains("service_time = { dist = &quot;exponential&quot;"));
    }
}

/// Every file of the report, rendered inside a rayon pool of `threads` threads.
fn files_on(threads: usize) -> Vec<(String, Vec<u8>)> {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    pool.install(|| {
        // More replications than one chunk, so the fold crosses chunk boundaries.
        let (a, b) = (study(&system(SMALL), 11), study(&system(&BIGGER), 11));
        let mut files = report::files(&run_report(&a, SMALL));
        files.extend(report::files(&compare_report(&a, &b)));
        files
    })
}

#[test]
fn reports_are_identical_on_one_or_several_threads() {
    let one = files_on(1);
    let three = files_on(3);
    assert_eq!(one.len(), three.len());
    for ((name, x), (_, y)) in one.iter().zip(&three) {
        assert!(x == y, "{name} differs between 1 and 3 threads");
    }
}

#[test]
fn files_are_written_whole_and_nothing_is_left_behind() {
    let s = study(&system(SMALL), 1);
    let files = report::files(&run_report(&s, SMALL));
    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("nested").join("report");
    report::write_files(&out, &files).expect("written");
    let mut names: Vec<String> = std::fs::read_dir(&out)
        .expect("listed")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    let mut expected: Vec<String> = files.iter().map(|(n, _)| n.clone()).collect();
    expected.sort();
    assert_eq!(names, expected, "no temporary file is left");
    for (name, bytes) in &files {
        assert_eq!(
            &std::fs::read(out.join(name)).expect("read"),
            bytes,
            "{name}"
        );
    }
    // A directory that cannot be created: an error, and no file appears.
    let blocked = dir.path().join("a-file");
    std::fs::write(&blocked, b"x").expect("written");
    assert!(report::write_files(&blocked.join("sub"), &files).is_err());
    assert_eq!(std::fs::read(&blocked).expect("read"), b"x");
}

#[test]
fn comparing_a_design_with_itself_shows_no_difference() {
    // Common random numbers: the same design draws the same arrivals and service times.
    let systems = [system(SMALL), system(SMALL)];
    let studies = experiment::compare(&systems, &Plan::fixed(4), &|| {}).expect("runs");
    let report = Report {
        command: "spillway compare small.toml small.toml",
        designs: vec![
            Design {
                name: "a",
                scenario_path: "small.toml",
                scenario_text: SMALL,
                study: &studies[0],
            },
            Design {
                name: "b",
                scenario_path: "small.toml",
                scenario_text: SMALL,
                study: &studies[1],
            },
        ],
    };
    let verdicts = report::verdicts(&report);
    assert!(!verdicts.is_empty());
    for v in &verdicts {
        assert!(
            v.starts_with("No clear difference") || v.starts_with("Identical in every"),
            "{v}"
        );
    }
}

#[test]
fn comparison_verdict_names_the_better_design() {
    let studies = experiment::compare(&[system(SMALL), system(&BIGGER)], &Plan::fixed(6), &|| {})
        .expect("runs");
    let report = compare_report(&studies[0], &studies[1]);
    let verdicts = report::verdicts(&report);
    assert!(
        verdicts[0].starts_with("bigger cuts p99 response time (web) from"),
        "{verdicts:?}"
    );
    let md = String::from_utf8(report::render_markdown(&report)).expect("UTF-8");
    assert!(
        md.contains("## Verdict") && md.contains("bigger − small"),
        "{md}"
    );
}

#[test]
fn target_precision_adds_replications_up_to_the_bound() {
    let plan = |rel: f64| Plan {
        replications: 3,
        warmup: Warmup::Scenario,
        precision: Some(Precision {
            relative_half_width: rel,
            max_replications: 12,
        }),
        time_series: false,
    };
    let loose = experiment::study(&system(SMALL), &plan(0.5), &|| {}).expect("runs");
    assert_eq!(loose.stop, StopReason::PrecisionReached);
    assert_eq!(loose.summaries.len(), 3);
    let strict = experiment::study(&system(SMALL), &plan(1e-6), &|| {}).expect("runs");
    assert_eq!(strict.stop, StopReason::MaxReplications);
    assert_eq!(strict.summaries.len(), 12);
}

#[test]
fn automatic_warmup_is_chosen_and_explained() {
    let plan = Plan {
        replications: 2,
        warmup: Warmup::Mser5,
        precision: None,
        // The pilot keeps its own time series for MSER-5 whatever the plan says.
        time_series: false,
    };
    let s = experiment::study(&system(SMALL), &plan, &|| {}).expect("runs");
    let (windows, width) = s.warmup.mser.expect("chosen by MSER-5");
    assert!((s.warmup.secs - windows as f64 * width).abs() < 1e-9);
    assert!(
        s.warmup.secs <= 65.0,
        "at most half the pilot: {}",
        s.warmup.secs
    );
    let md = String::from_utf8(report::render_markdown(&run_report(&s, SMALL))).expect("UTF-8");
    assert!(md.contains("MSER-5"), "{md}");
}

#[test]
fn time_series_tiles_the_run_and_adds_up() {
    let run = experiment::run(&system(SMALL), 0).expect("runs");
    let ts: &TimeSeries = run.timeseries.as_ref().expect("run keeps the time series");
    assert!(ts.windows().len() <= MAX_WINDOWS);
    let sum = |f: fn(&spillway::stats::Window) -> u64| ts.windows().iter().map(f).sum::<u64>();
    assert_eq!(
        sum(|w| w.exposure_ns),
        run.outcome.end.0,
        "windows tile the run"
    );
    // Every request started is answered (whatever the outcome) or still unanswered at the
    // end, and without retries, calls or messages each makes exactly one visit to a service.
    let unanswered = sum(|w| w.offered) - sum(|w| w.completed);
    assert!(unanswered <= 10, "at most workers + capacity inside");
    assert_eq!(
        sum(|w| w.admitted) + sum(|w| w.rejected),
        sum(|w| w.offered)
    );
    assert!(
        sum(|w| w.goodput) < sum(|w| w.completed),
        "some requests were rejected"
    );
    assert_eq!(sum(|w| w.timed_out) + sum(|w| w.retries), 0);
}

/// Two sources into two services in a row: per-service and per-source CSV columns.
const TWO_BY_TWO: &str = r#"
    [simulation]
    duration = "20s"
    seed = 3
    [[source]]
    name = "web"
    to = "api"
    rate = "40/s"
    [[source]]
    name = "batch"
    to = "db"
    rate = "5/s"
    [[service]]
    name = "api"
    workers = 2
    service_time = { dist = "exponential", mean = "20ms" }
    then = "db"
    [[service]]
    name = "db"
    workers = 1
    service_time = { dist = "exponential", mean = "5ms" }
"#;

#[test]
fn timeseries_csv_has_columns_per_service_and_source() {
    let one = study(&system(SMALL), 1);
    let csv = String::from_utf8(report::render_csv(&run_report(&one, SMALL))).expect("UTF-8");
    let header = csv.lines().next().expect("a header");
    assert_eq!(
        header,
        format!("{},queue_depth.api,utilisation.api", report::CSV_COLUMNS)
    );
    for line in csv.lines().skip(1) {
        let cells: Vec<&str> = line.split(',').collect();
        // One service: its columns repeat the totals.
        assert_eq!(cells[15..], [cells[10], cells[12]], "{line}");
    }
    let two = study(&system(TWO_BY_TWO), 1);
    let csv = String::from_utf8(report::render_csv(&run_report(&two, TWO_BY_TWO))).expect("UTF-8");
    let header: Vec<&str> = csv.lines().next().expect("a header").split(',').collect();
    assert_eq!(
        header[15..],
        [
            "queue_depth.api",
            "utilisation.api",
            "queue_depth.db",
            "utilisation.db",
            "p50_s.web",
            "p99_s.web",
            "p50_s.batch",
            "p99_s.batch"
        ]
    );
    assert!(csv.lines().all(|l| l.split(',').count() == header.len()));
}

#[test]
fn charts_draw_each_service_label_markers_and_say_when_a_design_has_no_data() {
    let svg = |report: &Report<'_>, chart| {
        String::from_utf8(report::render_chart_svg(report, chart)).expect("UTF-8")
    };
    let two = study(&system(TWO_BY_TWO), 1);
    let queues = svg(&run_report(&two, TWO_BY_TWO), Chart::QueueDepth);
    assert!(
        queues.contains("\napi\n") && queues.contains("\ndb\n"),
        "{queues}"
    );
    let latency = svg(&run_report(&two, TWO_BY_TWO), Chart::LatencyOverTime);
    assert!(latency.contains("web: response time") && latency.contains("batch: response time"));

    let broken_text = SMALL.replace("workers = 2", "workers = 2\n    error_rate = 1.0");
    let (ok, broken) = (study(&system(SMALL), 1), study(&system(&broken_text), 1));
    let mut report = compare_report(&ok, &broken);
    report.designs[1].scenario_text = &broken_text;
    for chart in [Chart::LatencyOverTime, Chart::LatencyCdf] {
        let text = svg(&report, chart);
        assert!(
            text.contains("bigger: no successful requests"),
            "{}",
            chart.file_stem()
        );
        assert!(!text.contains("small: no successful requests"));
    }
    assert!(svg(&report, Chart::Throughput).contains("warm-up ends"));
}
