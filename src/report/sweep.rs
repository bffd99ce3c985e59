//! The files of a sweep's report.

use std::fmt::Write;

use super::{SweepReport, render_sweep_json};

/// Every file of a sweep's report directory, as `(file name, bytes)`.
pub fn sweep_files(report: &SweepReport<'_>) -> Vec<(String, Vec<u8>)> {
    vec![
        ("summary.json".to_string(), render_sweep_json(report)),
        ("points.csv".to_string(), render_points_csv(report)),
    ]
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
