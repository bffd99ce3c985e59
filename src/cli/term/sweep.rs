//! The terminal table of a sweep: a row per point, per source and then per service.

use std::fmt::Write;

use super::{NO_DATA, clip, in_unit, num};
use spillway::experiment::{PointResult, SweepResult};
use spillway::model::ServiceId;
use spillway::oracle;
use spillway::report::refusal;
use spillway::stats::{Figure, Scope};

/// The columns shown per source: the latency of successful requests, then outcomes.
const SOURCE_COLUMNS: [Figure; 6] = [
    Figure::LatencyP50,
    Figure::LatencyP99,
    Figure::LatencyP999,
    Figure::SuccessFraction,
    Figure::RejectedFraction,
    Figure::Goodput,
];

/// The sweep's tables, with 95% intervals of the p99 response time.
pub(crate) fn sweep(result: &SweepResult) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{} point(s) × {} replication(s), common random numbers; ± is a 95% interval",
        result.points.len(),
        result.replications
    );
    let Some(first) = result.points.first() else {
        return out;
    };
    for source in first.system.sources() {
        let _ = writeln!(
            out,
            "\nsource {} (response time of successful requests)",
            source.name
        );
        let head: Vec<String> = SOURCE_COLUMNS.iter().map(|f| short(*f)).collect();
        let rows = (result.points.iter())
            .map(|point| {
                (SOURCE_COLUMNS.iter())
                    .map(|&f| cell(result, point, Scope::Source, &source.name, f))
                    .collect()
            })
            .collect();
        out.push_str(&table(result, head, rows));
    }
    for (s, service) in first.system.services().iter().enumerate() {
        let _ = writeln!(out, "\nservice {}", service.name);
        let head = [
            "offered load",
            "utilisation",
            "mean wait",
            "P(wait)",
            "W",
            "W exact",
        ];
        let rows = (result.points.iter())
            .map(|point| {
                let load = point.system.traffic()[s].load();
                let exact = oracle::expected(&point.system, ServiceId(s as u32));
                let mut cells = vec![if load.is_finite() {
                    num(load)
                } else {
                    NO_DATA.into()
                }];
                for f in [
                    Figure::Utilisation,
                    Figure::WaitMean,
                    Figure::WaitProbability,
                    Figure::SojournMean,
                ] {
                    cells.push(cell(result, point, Scope::Service, &service.name, f));
                }
                cells.push(exact.map_or_else(|| NO_DATA.into(), |e| super::secs(e.w)));
                cells
            })
            .collect();
        out.push_str(&table(result, head.map(String::from).to_vec(), rows));
    }
    recovery(&mut out, result);
    out
}

/// The fraction of replications that did not recover, per point, when there is a trigger.
fn recovery(out: &mut String, result: &SweepResult) {
    let verdicts: Vec<_> = result.points.iter().map(PointResult::recovery).collect();
    if verdicts.iter().all(Option::is_none) {
        return;
    }
    let _ = writeln!(out, "\nrecovery after the trigger");
    let rows = (verdicts.into_iter())
        .map(|verdict| match verdict {
            Some(v) => vec![
                v.not_recovered_fraction.map_or_else(
                    || "not judged".into(),
                    |(f, low, high)| {
                        format!(
                            "{:.0}% [{:.0}%, {:.0}%]",
                            f * 100.0,
                            low * 100.0,
                            high * 100.0
                        )
                    },
                ),
                v.time_to_recover
                    .map_or_else(|| NO_DATA.into(), |t| super::secs(t.mean.mean)),
            ],
            None => vec!["not judged".into(), NO_DATA.into()],
        })
        .collect();
    let head = vec!["did not recover".into(), "mean time to recover".into()];
    out.push_str(&table(result, head, rows));
}

/// A table with a row per point: its value on each axis (left-aligned), then `rows`'
/// cells (right-aligned); a refused point's row says why instead.
/// A row of a table: the point's values on the axes, then its cells.
type Line = (Vec<String>, Vec<String>);

fn table(result: &SweepResult, head: Vec<String>, rows: Vec<Vec<String>>) -> String {
    let axes: Vec<String> = result
        .grid
        .axes()
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    let lines: Vec<Line> = (rows.into_iter().enumerate())
        .map(|(i, cells)| {
            let values = result
                .grid
                .values(i)
                .iter()
                .map(|v| clip(&v.text, 24))
                .collect();
            let point = &result.points[i];
            let cells = match (&point.refused, point.stopped()) {
                (Some(error), _) => vec![refusal(error)],
                (None, 0) => cells,
                (None, n) => cells
                    .into_iter()
                    .chain([format!("({n} stopped)")])
                    .collect(),
            };
            (values, cells)
        })
        .collect();
    let width = |column: usize, of: &dyn Fn(&Line) -> Option<usize>| {
        lines
            .iter()
            .filter_map(of)
            .chain([column])
            .max()
            .unwrap_or(0)
    };
    let axis_widths: Vec<usize> = (axes.iter().enumerate())
        .map(|(a, name)| width(name.chars().count(), &|l| Some(l.0[a].chars().count())))
        .collect();
    let has_cells = |l: &Line| l.1.len() > 1;
    let cell_widths: Vec<usize> = (head.iter().enumerate())
        .map(|(c, name)| {
            width(name.chars().count(), &|l| {
                has_cells(l).then(|| l.1.get(c).map_or(0, |x| x.chars().count()))
            })
        })
        .collect();
    let mut out = String::new();
    let line = |out: &mut String, values: &[String], cells: &[String], spanning: bool| {
        for (v, w) in values.iter().zip(&axis_widths) {
            let _ = write!(out, "  {v:<w$}");
        }
        if spanning {
            let _ = write!(out, "  {}", cells[0]);
        } else {
            for (i, c) in cells.iter().enumerate() {
                let w = cell_widths.get(i).copied().unwrap_or(0);
                let _ = write!(out, "  {c:>w$}");
            }
        }
        out.push('\n');
    };
    line(&mut out, &axes, &head, false);
    for (values, cells) in &lines {
        line(
            &mut out,
            values,
            cells,
            cells.len() <= 1 && !head.is_empty() && head.len() > 1,
        );
    }
    out
}

fn short(figure: Figure) -> String {
    match figure {
        Figure::LatencyP50 => "p50".into(),
        Figure::LatencyP99 => "p99".into(),
        Figure::LatencyP999 => "p99.9".into(),
        Figure::SuccessFraction => "ok".into(),
        Figure::RejectedFraction => "rejected".into(),
        Figure::Goodput => "goodput".into(),
        other => other.label(),
    }
}

/// A figure's mean, with its interval for the p99 response time.
fn cell(
    result: &SweepResult,
    point: &PointResult,
    scope: Scope,
    name: &str,
    figure: Figure,
) -> String {
    let Some(estimate) = result
        .column(scope, name, figure)
        .and_then(|c| point.estimate(c))
    else {
        return NO_DATA.into();
    };
    let value = in_unit(figure.unit(), estimate.mean);
    if figure == Figure::LatencyP99 && estimate.half_width.is_finite() {
        format!("{value} ± {}", in_unit(figure.unit(), estimate.half_width))
    } else {
        value
    }
}
