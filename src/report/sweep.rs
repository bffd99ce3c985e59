//! The files of a sweep's report: the HTML and Markdown documents (built in `document`,
//! rendered by the run report's renderers), `summary.json`, `points.csv` and the charts.

use std::fmt::Write;

use super::charts::sweep::{self as charts, SweepChart};
use super::{SweepReport, html, markdown, render_sweep_json};

pub(super) mod document;
pub(super) mod landmarks;

pub use document::refusal;

/// Every file of a sweep's report directory, as `(file name, bytes)`: `report.html`,
/// `report.md`, `summary.json`, `points.csv` and each chart as SVG and PNG.
pub fn sweep_files(report: &SweepReport<'_>) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("report.html".to_string(), render_sweep_html(report)),
        ("report.md".to_string(), render_sweep_markdown(report)),
        ("summary.json".to_string(), render_sweep_json(report)),
        ("points.csv".to_string(), render_points_csv(report)),
    ];
    for chart in SweepChart::of(report) {
        let stem = chart.file_stem();
        files.push((format!("{stem}.svg"), charts::render_svg(report, chart)));
        files.push((format!("{stem}.png"), charts::render_png(report, chart)));
    }
    files
}

/// `report.html` of a sweep: one self-contained page, charts inline as SVG.
pub fn render_sweep_html(report: &SweepReport<'_>) -> Vec<u8> {
    html::render_blocks(document::blocks(report), |chart| {
        charts::render_svg(report, chart)
    })
}

/// `report.md` of a sweep, which links the charts' PNG files beside it.
pub fn render_sweep_markdown(report: &SweepReport<'_>) -> Vec<u8> {
    markdown::render_blocks(document::blocks(report))
}

/// One row per point and figure: the point's value on each axis, then the figure's
/// component, name, threshold, mean, half-width and replications that observed it.
pub fn render_points_csv(report: &SweepReport<'_>) -> Vec<u8> {
    let sweep = report.sweep;
    let mut out = String::from("point");
    for axis in sweep.grid.axes() {
        let _ = write!(out, ",{}", quoted(axis.name()));
    }
    out.push_str(",status,scope,component,figure,threshold_seconds,mean,half_width,n\n");
    for (i, point) in sweep.points.iter().enumerate() {
        let values: String = (sweep.grid.values(i).iter())
            .map(|v| format!(",{}", v.number))
            .collect();
        let status = match (&point.refused, point.stopped()) {
            (Some(e), _) => e.kind().to_string(),
            (None, 0) => "ok".to_string(),
            (None, n) => format!("{n} stopped"),
        };
        for (column, key) in sweep.keys.iter().enumerate() {
            let estimate = point.estimate(column);
            let _ = writeln!(
                out,
                "{i}{values},{status},{},{},{},{},{},{},{}",
                key.scope.key(),
                quoted(&key.component),
                key.figure.key(),
                key.figure
                    .threshold()
                    .map_or(String::new(), |t| t.as_secs_f64().to_string()),
                estimate.map_or(String::new(), |e| e.mean.to_string()),
                estimate
                    .filter(|e| e.half_width.is_finite())
                    .map_or(String::new(), |e| e.half_width.to_string()),
                estimate.map_or(0, |e| e.n),
            );
        }
    }
    out.into_bytes()
}

/// A CSV field, quoted when it holds a comma, a quote or a line break.
fn quoted(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
