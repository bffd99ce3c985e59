//! `timeseries.csv`: one row per time window (and per design in a comparison).
//!
//! The fixed columns ([`COLUMNS`]) sum over services and sources. After them come
//! `queue_depth.<service>` and `utilisation.<service>` for every service, then
//! `workers.<service>` (time-average workers up) for every service whose worker count
//! changes (a schedule or an autoscaler) in some design, and, when a design
//! has several sources, `p50_s.<source>` and `p99_s.<source>` for every source; in a
//! comparison these cover the services and sources of all designs, in order of first
//! appearance, and a design without one leaves its cells empty.

use std::fmt::Write;

use super::Report;
use crate::stats::WindowRow;

/// The fixed column names, in order.
pub const COLUMNS: &str = "design,start_s,end_s,offered_per_s,admitted_per_s,\
completed_per_s,goodput_per_s,rejected_per_s,timed_out_per_s,retries_per_s,queue_depth,\
in_flight,utilisation,p50_s,p99_s";

/// The CSV text. Rates and time averages are means over replications; an empty p50/p99
/// cell means no request finished in that window.
pub fn render(report: &Report<'_>) -> Vec<u8> {
    let services = union(report, super::Design::service_names);
    let changing = union(report, |d| {
        d.changing_services().into_iter().map(|(_, n)| n).collect()
    });
    let sources = union(report, super::Design::source_names);
    let per_source = report
        .designs
        .iter()
        .any(|d| d.study.system.sources().len() > 1);
    let mut out = String::from(COLUMNS);
    for s in &services {
        let _ = write!(
            out,
            ",{},{}",
            field(&format!("queue_depth.{s}")),
            field(&format!("utilisation.{s}"))
        );
    }
    for s in &changing {
        let _ = write!(out, ",{}", field(&format!("workers.{s}")));
    }
    if per_source {
        for s in &sources {
            let _ = write!(
                out,
                ",{},{}",
                field(&format!("p50_s.{s}")),
                field(&format!("p99_s.{s}"))
            );
        }
    }
    out.push('\n');
    for design in &report.designs {
        let system = &design.study.system;
        let service_of = position(&services, system.services().iter().map(|s| s.name.as_str()));
        let source_of = position(&sources, system.sources().iter().map(|s| s.name.as_str()));
        let changing_of = position(&changing, system.services().iter().map(|s| s.name.as_str()));
        for r in design.study.windows() {
            fixed(&mut out, design.name, &r);
            for i in &service_of {
                match i.map(|i| r.services[i]) {
                    Some(s) => _ = write!(out, ",{:.4},{:.4}", s.queue_depth, s.utilisation),
                    None => out.push_str(",,"),
                }
            }
            for i in &changing_of {
                match i.map(|i| r.services[i]) {
                    Some(s) => _ = write!(out, ",{:.4}", s.workers),
                    None => out.push(','),
                }
            }
            if per_source {
                for i in &source_of {
                    match i.map(|i| r.sources[i]) {
                        Some(q) => {
                            _ = write!(out, ",{},{}", quantile(q.p50_secs), quantile(q.p99_secs))
                        }
                        None => out.push_str(",,"),
                    }
                }
            }
            out.push('\n');
        }
    }
    out.into_bytes()
}

fn fixed(out: &mut String, design: &str, r: &WindowRow) {
    let _ = write!(
        out,
        "{},{:.6},{:.6},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{:.4},{},{}",
        field(design),
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
        quantile(r.p50_secs),
        quantile(r.p99_secs),
    );
}

fn quantile(v: Option<f64>) -> String {
    v.map_or(String::new(), |x| format!("{x:.6}"))
}

/// The names of every design, in order of first appearance.
fn union<'a>(
    report: &Report<'a>,
    names: impl Fn(&super::Design<'a>) -> Vec<&'a str>,
) -> Vec<&'a str> {
    let mut all: Vec<&str> = Vec::new();
    for design in &report.designs {
        for name in names(design) {
            if !all.contains(&name) {
                all.push(name);
            }
        }
    }
    all
}

/// For each name of `all`, its index among `mine`, if there.
fn position<'a>(all: &[&str], mine: impl Iterator<Item = &'a str> + Clone) -> Vec<Option<usize>> {
    all.iter()
        .map(|name| mine.clone().position(|m| m == *name))
        .collect()
}

/// Quotes a field that holds a comma, quote or line break (RFC 4180).
fn field(text: &str) -> String {
    if text.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", text.replace('"', "\"\""))
    } else {
        text.to_string()
    }
}
