//! `timeseries.csv`: one row per time window (and per design in a comparison).

use std::fmt::Write;

use super::Report;

/// Column names, in order.
pub const COLUMNS: &str = "design,start_s,end_s,offered_per_s,admitted_per_s,\
completed_per_s,goodput_per_s,rejected_per_s,timed_out_per_s,retries_per_s,queue_depth,\
in_flight,utilisation,p50_s,p99_s";

/// The CSV text. Rates and time averages are means over replications; an empty p50/p99
/// cell means no request finished in that window.
pub fn render(report: &Report<'_>) -> Vec<u8> {
    let mut out = String::new();
    out.push_str(COLUMNS);
    out.push('\n');
    for design in &report.designs {
        for r in design.study.windows() {
            let q = |v: Option<f64>| v.map_or(String::new(), |x| format!("{x:.6}"));
            let _ = writeln!(
                out,
                "{},{:.6},{:.6},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{},{}",
                field(design.name),
                r.start_secs,
                r.end_secs,
                r.offered,
                r.admitted,
                r.completed,
                r.goodput,
                r.rejected,
                r.timed_out,
                r.retries,
                r.queue_depth,
                r.in_flight,
                r.utilisation,
                q(r.p50_secs),
                q(r.p99_secs),
            );
        }
    }
    out.into_bytes()
}

/// Quotes a field that holds a comma, quote or line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
