//! A sweep's report: every file, self-contained HTML that mentions every point, SVG that
//! parses, notes for refused points and for a sweep where nothing succeeds, and the same
//! bytes whatever the thread count.

use spillway::experiment::{self, Shard, SweepResult};
use spillway::model::Grid;
use spillway::report::{self, SweepChart, SweepReport};
use spillway::scenario::{self, parse_axis};

/// An M/M/c station with an unbounded queue, short enough for a test: 2 workers are
/// refused (load 1.25), 3 and 4 run.
const MMC: &str = r#"
[simulation]
duration = "60s"
warmup = "5s"
seed = 9

[[source]]
name = "web"
to = "api"
rate = "100/s"

[[service]]
name = "api"
workers = 3
service_time = { dist = "exponential", mean = "25ms" }
"#;

/// The same service failing every request: no response time at any point.
static FAILING: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| MMC.replace("workers = 3", "workers = 3\nerror_rate = 1.0"));

fn sweep(text: &str, vary: &[&str], replications: u64) -> SweepResult {
    let axes = vary.iter().map(|v| parse_axis(v).expect("axis")).collect();
    let grid = Grid::new(axes).expect("grid");
    let points: Vec<_> = (0..grid.len())
        .map(|p| scenario::point_system(text, "mmc.toml", &grid, p).expect("valid"))
        .collect();
    let runs = experiment::sweep(&points, replications, Shard::WHOLE, &|| {});
    SweepResult::assemble(grid, replications, points, runs).expect("complete")
}

fn report<'a>(text: &'a str, result: &'a SweepResult) -> SweepReport<'a> {
    SweepReport {
        command: "spillway sweep mmc.toml --vary service.api.workers=2..4:1 --report out",
        scenario_path: "mmc.toml",
        scenario_text: text,
        sweep: result,
    }
}

fn file<'f>(files: &'f [(String, Vec<u8>)], name: &str) -> &'f str {
    let bytes = &files.iter().find(|(n, _)| n == name).expect(name).1;
    std::str::from_utf8(bytes).expect("UTF-8")
}

#[test]
fn the_report_has_every_file_and_the_html_stands_alone() {
    let result = sweep(MMC, &["service.api.workers=2..4:1"], 2);
    let report = report(MMC, &result);
    let files = report::sweep_files(&report);
    let charts = SweepChart::of(&report);
    assert_eq!(
        charts,
        [
            SweepChart::ResponseTime,
            SweepChart::Capacity,
            SweepChart::Theory
        ],
        "M/M/c matches theory; no trigger, so no recovery chart"
    );
    let mut expected: Vec<String> = ["report.html", "report.md", "summary.json", "points.csv"]
        .map(String::from)
        .to_vec();
    for chart in &charts {
        expected.push(format!("{}.svg", chart.file_stem()));
        expected.push(format!("{}.png", chart.file_stem()));
    }
    let names: Vec<&String> = files.iter().map(|(n, _)| n).collect();
    assert_eq!(names, expected.iter().collect::<Vec<_>>());

    let html = file(&files, "report.html");
    let lower = html.to_lowercase();
    for banned in [
        "src=", "href=", "url(", "@import", "<link", "<script", "<iframe",
    ] {
        assert!(!lower.contains(banned), "report.html contains '{banned}'");
    }
    assert_eq!(html.matches("<svg").count(), charts.len());
    // Every point has a row (its value on the axis) in the tables, and the provenance.
    for workers in ["2", "3", "4"] {
        assert!(
            html.contains(&format!("<tr><td>{workers}</td>")),
            "point {workers}"
        );
    }
    for needle in [
        "seed 9",
        "common random numbers",
        env!("CARGO_PKG_VERSION"),
        "FNV-1a",
    ] {
        assert!(html.contains(needle), "{needle}");
    }
    assert!(html.contains("service_time = { dist = &quot;exponential&quot;"));
    let md = file(&files, "report.md");
    for chart in &charts {
        assert!(md.contains(&format!("({}.png)", chart.file_stem())));
    }

    for chart in &charts {
        let svg = file(&files, &format!("{}.svg", chart.file_stem()));
        let doc = roxmltree::Document::parse(svg)
            .unwrap_or_else(|e| panic!("{}: {e}", chart.file_stem()));
        assert_eq!(doc.root_element().tag_name().name(), "svg");
        let png = format!("{}.png", chart.file_stem());
        let png = &files.iter().find(|(n, _)| *n == png).expect("a PNG").1;
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
    }
}

#[test]
fn a_refused_point_is_noted_in_the_charts_and_the_tables() {
    let result = sweep(MMC, &["service.api.workers=2..4:1"], 2);
    let files = report::sweep_files(&report(MMC, &result));
    let html = file(&files, "report.html");
    assert!(html.contains("unstable: load 1.25 at api"), "{html}");
    // Its load counts for saturation: 2 workers is the saturation point.
    assert!(
        html.contains("Saturation at service.api.workers = 2"),
        "{html}"
    );
    for chart in ["sweep-response-time.svg", "sweep-capacity.svg"] {
        assert!(
            file(&files, chart).contains("refused (unstable)"),
            "{chart}"
        );
    }
    // Exact theory beside the simulation where the service matches M/M/c.
    assert!(html.contains("(M/M/c)"));
}

#[test]
fn a_sweep_where_nothing_succeeds_says_so() {
    let result = sweep(&FAILING, &["service.api.workers=3,4"], 2);
    let files = report::sweep_files(&report(&FAILING, &result));
    let svg = file(&files, "sweep-response-time.svg");
    assert!(svg.contains("no successful requests at any point"), "{svg}");
    let md = file(&files, "report.md");
    assert!(md.contains("no request succeeded at any point"), "{md}");
    // No service matches a textbook model once it fails requests: a sentence, no chart.
    assert!(md.contains("No service matches a textbook model"), "{md}");
    assert!(!files.iter().any(|(n, _)| n == "sweep-theory.svg"));
}

#[test]
fn a_sweep_where_every_point_is_refused_says_so() {
    let result = sweep(MMC, &["service.api.workers=1,2"], 2);
    let files = report::sweep_files(&report(MMC, &result));
    let svg = file(&files, "sweep-capacity.svg");
    assert!(
        svg.contains("no point ran: every point was refused"),
        "{svg}"
    );
}

#[test]
fn two_axes_draw_a_line_per_value_of_the_second() {
    let result = sweep(
        MMC,
        &["source.web.rate=20/s..320/s*2", "service.api.workers=3,5"],
        2,
    );
    let files = report::sweep_files(&report(MMC, &result));
    let svg = file(&files, "sweep-response-time.svg");
    assert!(svg.contains("workers = 3") && svg.contains("workers = 5"));
    // A geometric axis spanning a decade is drawn on a log scale, labelled at its values.
    assert!(svg.contains("source.web.rate (/s), log scale"), "{svg}");
    assert!(svg.contains("\n20\n") && svg.contains("\n320\n"), "{svg}");
    let html = file(&files, "report.html");
    assert!(html.contains("With service.api.workers = 5: "), "{html}");
}

#[test]
fn the_report_is_the_same_whatever_the_thread_count() {
    let files = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            let result = sweep(MMC, &["service.api.workers=2..4:1"], 3);
            report::sweep_files(&report(MMC, &result))
        })
    };
    let (one, two) = (files(1), files(2));
    assert_eq!(one.len(), two.len());
    for ((name, a), (_, b)) in one.iter().zip(&two) {
        assert!(a == b, "{name} differs between 1 and 2 threads");
    }
}
