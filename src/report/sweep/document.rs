//! The content of a sweep's report as blocks, rendered by the same Markdown and HTML
//! renderers as a run's report: provenance, how to read it, the knee and saturation
//! point, the charts, a table per source and per service, recovery, Little's law and the
//! scenario.

use super::landmarks::{
    Curve, KNEE_FACTOR, Knee, Landmarks, SATURATION_LOAD, SATURATION_REJECTED, Saturated, curves,
    landmarks, offered_load,
};
use crate::experiment::{PointResult, SweepResult};
use crate::model::ServiceId;
use crate::oracle;
use crate::report::charts::sweep::{SweepChart, retried};
use crate::report::document::Block;
use crate::report::format::{NO_DATA, half_width, mean_of, num, pct, secs, value};
use crate::report::{SweepReport, scenario_hash};
use crate::sim::RunError;
use crate::stats::{CONFIDENCE, Estimate, Figure, LITTLE_TOLERANCE, Scope};

type Blocks = Vec<Block<SweepChart>>;

/// The whole report.
pub(crate) fn blocks(report: &SweepReport<'_>) -> Blocks {
    let sweep = report.sweep;
    let mut out = vec![Block::Heading(
        1,
        format!("spillway sweep: {}", report.scenario_path),
    )];
    provenance(&mut out, report);
    stopped_section(&mut out, sweep);
    reading(&mut out, sweep);
    landmark_section(&mut out, sweep);
    chart_section(&mut out, report);
    source_tables(&mut out, sweep);
    service_tables(&mut out, sweep);
    recovery_section(&mut out, sweep);
    little_section(&mut out, sweep);
    out.push(Block::Heading(
        2,
        format!("Scenario: {}", report.scenario_path),
    ));
    out.push(Block::Code(report.scenario_text.trim_end().to_string()));
    out
}

/// The most values of an axis listed in the provenance before "…".
const LISTED_VALUES: usize = 24;

fn provenance(out: &mut Blocks, report: &SweepReport<'_>) {
    let sweep = report.sweep;
    let seed = (sweep.points.first()).map_or(0, |p| p.system.simulation().seed);
    let mut items = vec![
        format!("spillway {}", env!("CARGO_PKG_VERSION")),
        format!("command: {}", report.command),
        format!(
            "scenario {} (FNV-1a {}), seed {seed}, {} replication(s) per point, common \
             random numbers: every point runs on the same seed, so replication i of every \
             point draws the same arrivals",
            report.scenario_path,
            scenario_hash(report.scenario_text),
            sweep.replications,
        ),
    ];
    for axis in sweep.grid.axes() {
        let values: Vec<&str> = axis.values.iter().map(|v| v.text.as_str()).collect();
        let listed = match values.len() {
            n if n > LISTED_VALUES => format!(
                "{}, …, {}",
                values[..LISTED_VALUES - 1].join(", "),
                values[n - 1]
            ),
            _ => values.join(", "),
        };
        items.push(format!(
            "varied: {} = {listed} ({} value(s))",
            axis.name(),
            values.len()
        ));
    }
    let refused = sweep.points.iter().filter(|p| p.refused.is_some()).count();
    items.push(format!(
        "{} point(s): {} ran, {refused} refused before running",
        sweep.points.len(),
        sweep.points.len() - refused
    ));
    out.push(Block::List(items));
    out.push(Block::Para(
        "To reproduce this report byte for byte, run the command above with the same scenario \
         file (its hash is given) and spillway version: every random draw follows from the \
         seed."
            .into(),
    ));
}

/// A warning, before any figure, when a limit stopped replications.
fn stopped_section(out: &mut Blocks, sweep: &SweepResult) {
    let stopped: Vec<(usize, &PointResult)> = (sweep.points.iter().enumerate())
        .filter(|(_, p)| p.stopped() > 0)
        .collect();
    if stopped.is_empty() {
        return;
    }
    let total: usize = stopped.iter().map(|(_, p)| p.stopped()).sum();
    out.push(Block::Heading(
        2,
        format!(
            "Warning: a limit stopped {total} replication(s) at {} point(s)",
            stopped.len()
        ),
    ));
    out.push(Block::Para(
        "A stopped replication keeps what it measured until the limit tripped (one that \
         tripped in the warm-up has no figures); the figures of these points describe a \
         collapse, not a steady state:"
            .into(),
    ));
    out.push(Block::List(
        (stopped.iter())
            .map(|(i, p)| format!("{}: {}", point_name(sweep, *i), stopped_note(p)))
            .collect(),
    ));
}

fn reading(out: &mut Blocks, sweep: &SweepResult) {
    let axes: Vec<&str> = sweep.grid.axes().iter().map(|a| a.name()).collect();
    let n = sweep.replications;
    let interval = if n > 1 {
        format!(
            "± is the half-width of the {:.0}% confidence interval of the mean over a point's \
             {n} replications (Student t with {} degrees of freedom), and the bands on the \
             charts are the same intervals.",
            CONFIDENCE * 100.0,
            n - 1
        )
    } else {
        "With one replication per point there is no interval (run with --replications 2 or \
         more)."
            .into()
    };
    out.push(Block::Para(format!(
        "A sweep runs the scenario at every point of a grid of values ({}) and shows each \
         figure against the varied value: where response time turns up, where a service runs \
         out of capacity, how many workers or how much load a design takes. Each point is a \
         full study: {n} independent replication(s), each with the scenario's warm-up and \
         horizon. {interval} Because every point draws the same random numbers, a steady \
         trend from point to point is real even where neighbouring intervals overlap. A \
         source's response times are of its successful requests only: read them beside the \
         share that succeeded. A refused point (an unbounded queue offered more than its \
         capacity) did not run and leaves a gap.",
        axes.join(" × ")
    )));
}

/// "service.api.workers = 8" (every axis, for a point anywhere in the grid).
fn point_name(sweep: &SweepResult, point: usize) -> String {
    (sweep.grid.axes().iter().zip(sweep.grid.values(point)))
        .map(|(a, v)| format!("{} = {}", a.name(), v.text))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The point's value on the first axis, "service.api.workers = 8".
fn first_axis(sweep: &SweepResult, point: usize) -> String {
    let axis = &sweep.grid.axes()[0];
    format!(
        "{} = {}",
        axis.name(),
        axis.values[sweep.grid.coordinates(point)[0]].text
    )
}

/// "With service.api.queue.capacity = 10: " for a curve of a grid of several axes.
fn curve_prefix(sweep: &SweepResult, curve: &Curve) -> String {
    let rest: Vec<String> = (sweep.grid.axes()[1..].iter().zip(&curve.fixed))
        .map(|(a, &i)| format!("{} = {}", a.name(), a.values[i].text))
        .collect();
    match rest.is_empty() {
        true => String::new(),
        false => format!("With {}: ", rest.join(", ")),
    }
}

/// A refused point in a few words: "unstable: load 1.25 at api" (the terminal's table
/// says the same).
pub fn refusal(error: &RunError) -> String {
    match error {
        RunError::Unstable { service, load, .. } => {
            format!("unstable: load {load:.2} at {service}")
        }
        other => format!("not run: {}", other.kind()),
    }
}

/// "3 of 10 replications stopped by max_in_flight".
fn stopped_note(point: &PointResult) -> String {
    let mut kinds: Vec<&str> = (point.samples.iter())
        .filter_map(|s| s.stopped.as_deref())
        .collect();
    kinds.sort_unstable();
    kinds.dedup();
    format!(
        "{} of {} replication(s) stopped by {}",
        point.stopped(),
        point.samples.len(),
        kinds.join(", ")
    )
}

fn landmark_section(out: &mut Blocks, sweep: &SweepResult) {
    out.push(Block::Heading(2, "Knee and saturation".into()));
    out.push(Block::Para(format!(
        "The points are taken in order of increasing offered load (the highest of any service \
         at the point: arrivals per second over workers ÷ mean service time, from the traffic \
         equations), so the rules read the same whether the load rises with the value (a load \
         factor) or falls with it (workers); where every point has the same load they are \
         taken in the order given. The saturation point is the first point at which some \
         service's offered load reaches {} or some source has more than {} of its requests \
         rejected (a bounded queue sheds load before that). The knee of a source is the first \
         point whose mean p99 response time is more than {} the p99 at the lowest-load \
         point that has one; refused points have no p99 and are skipped. Both are simple, \
         reproducible rules of thumb, not optimal operating points: read them with the \
         charts.",
        SATURATION_LOAD,
        pct(SATURATION_REJECTED),
        times(KNEE_FACTOR),
    )));
    let sources: Vec<&str> = (sweep.points.first()).map_or_else(Vec::new, |p| {
        p.system.sources().iter().map(|s| s.name.as_str()).collect()
    });
    let mut items = Vec::new();
    for curve in curves(&sweep.grid) {
        let found = landmarks(sweep, &curve);
        let prefix = curve_prefix(sweep, &curve);
        // After "With …: " a sentence of ours goes on in lower case; a source's name stays.
        let item = |text: String| match ["Saturation", "Knee", "No point"] {
            _ if prefix.is_empty() => text,
            words if words.iter().any(|w| text.starts_with(w)) => {
                format!("{prefix}{}{}", text[..1].to_ascii_lowercase(), &text[1..])
            }
            _ => format!("{prefix}{text}"),
        };
        items.push(item(saturation_text(sweep, &found)));
        for (s, source) in sources.iter().enumerate() {
            items.push(item(knee_text(sweep, &found, s, source)));
        }
    }
    out.push(Block::List(items));
}

fn saturation_text(sweep: &SweepResult, found: &Landmarks) -> String {
    let service = |i: usize| &sweep.points[0].system.services()[i].name;
    match found.saturation {
        Some((point, Saturated::Load { service: s, load })) => format!(
            "Saturation at {}: the offered load at {} reaches {} (≥ {SATURATION_LOAD}).",
            first_axis(sweep, point),
            service(s),
            num(load),
        ),
        Some((point, Saturated::Rejected { source, fraction })) => format!(
            "Saturation at {}: {} has {} of its requests rejected (over {}), though no \
             service's offered load reaches {SATURATION_LOAD}.",
            first_axis(sweep, point),
            sweep.points[0].system.sources()[source].name,
            pct(fraction),
            pct(SATURATION_REJECTED),
        ),
        None => {
            let Some(&top) = found.order.last() else {
                return "No point.".into();
            };
            let (load, s) = offered_load(&sweep.points[top]);
            format!(
                "No point saturates: the highest offered load is {} ({} at {}) and no source \
                 has more than {} of its requests rejected.",
                num(load),
                service(s),
                first_axis(sweep, top),
                pct(SATURATION_REJECTED)
            )
        }
    }
}

fn knee_text(sweep: &SweepResult, found: &Landmarks, source: usize, name: &str) -> String {
    let p99 = |point: usize| {
        let e = sweep
            .column(Scope::Source, name, Figure::LatencyP99)
            .and_then(|c| sweep.points[point].estimate(c));
        estimate_text(Figure::LatencyP99, e.as_ref())
    };
    let lowest = match found.by_load {
        true => "lowest-load value",
        false => "value at the first point",
    };
    let with_value = found.order.iter().filter(|&&p| {
        let column = sweep.column(Scope::Source, name, Figure::LatencyP99);
        column.and_then(|c| sweep.points[p].estimate(c)).is_some()
    });
    match found.knees[source] {
        Knee::NoData => {
            format!("{name}: no request succeeded at any point, so there is no p99 and no knee.")
        }
        Knee::Flat { baseline } if with_value.count() == 1 => format!(
            "p99 response time of {name}: only one point has a value ({} at {}), so no knee.",
            p99(baseline),
            first_axis(sweep, baseline)
        ),
        Knee::Flat { baseline } => format!(
            "p99 response time of {name} stays within {} its {lowest} ({} at {}) at every \
             point: no knee in this range.",
            times(KNEE_FACTOR),
            p99(baseline),
            first_axis(sweep, baseline)
        ),
        Knee::At { baseline, at } => format!(
            "Knee: p99 response time of {name} passes {} its {lowest} ({} at {}) at {} ({}).",
            times(KNEE_FACTOR),
            p99(baseline),
            first_axis(sweep, baseline),
            first_axis(sweep, at),
            p99(at)
        ),
    }
}

/// "twice", "3 times".
fn times(factor: f64) -> String {
    match factor {
        2.0 => "twice".into(),
        f => format!("{f} times"),
    }
}

/// "115.4 ± 2.3 ms" ("115.4 ms ± 980.0 µs" when the units differ), the mean alone with
/// one replication, "–" without data.
fn estimate_text(figure: Figure, e: Option<&Estimate>) -> String {
    match e {
        Some(e) if e.half_width.is_finite() => {
            let (mean, hw) = (value(figure.unit(), e.mean), half_width(figure.unit(), e));
            let unit = |t: &str| t.rsplit_once(' ').map(|(_, u)| u.to_string());
            match (mean.rsplit_once(' '), unit(&hw)) {
                (Some((number, u)), Some(v)) if u == v => format!("{number} {hw}"),
                _ => format!("{mean} {hw}"),
            }
        }
        e => mean_of(figure.unit(), e),
    }
}

fn chart_section(out: &mut Blocks, report: &SweepReport<'_>) {
    let sweep = report.sweep;
    let charts = SweepChart::of(report);
    out.push(Block::Heading(2, "Charts".into()));
    let mut common =
        String::from("The x axis is the first varied value; dots are the means over replications.");
    if let Some(second) = sweep.grid.axes().get(1) {
        common.push_str(&format!(
            " One line per value of {}, told apart by colour.",
            second.name()
        ));
    }
    if sweep.grid.axes().len() > 2 {
        let fixed: Vec<String> = (sweep.grid.axes()[2..].iter())
            .map(|a| format!("{} = {}", a.name(), a.values[0].text))
            .collect();
        common.push_str(&format!(
            " Further axes are at their first value ({}); the tables and points.csv have \
             every point.",
            fixed.join(", ")
        ));
    }
    let refused = refused_notes(sweep);
    if !refused.is_empty() {
        common.push_str(&format!(
            " Refused points have no data: the lines break there, and where every line is \
             refused the range is shaded ({}).",
            refused.join("; ")
        ));
    }
    out.push(Block::Para(common));
    for chart in [
        SweepChart::ResponseTime,
        SweepChart::Capacity,
        SweepChart::Theory,
    ] {
        out.push(Block::Heading(3, chart.title().into()));
        if !charts.contains(&chart) {
            out.push(Block::Para(
                "No service matches a textbook model (Poisson or closed-loop input, FIFO, \
                 exponential or fixed service time, or one worker) at any point, so there is \
                 no exact figure to draw beside the simulation."
                    .into(),
            ));
            continue;
        }
        out.push(Block::Chart(chart));
        out.push(Block::Para(caption(sweep, chart)));
    }
    if charts.contains(&SweepChart::Recovery) {
        out.push(Block::Heading(3, SweepChart::Recovery.title().into()));
        out.push(Block::Chart(SweepChart::Recovery));
        out.push(Block::Para(caption(sweep, SweepChart::Recovery)));
    }
}

/// "service.api.workers = 2: unstable: load 2.50 at api", one per refused point.
fn refused_notes(sweep: &SweepResult) -> Vec<String> {
    (sweep.points.iter().enumerate())
        .filter_map(|(i, p)| {
            let error = p.refused.as_ref()?;
            Some(format!("{}: {}", point_name(sweep, i), refusal(error)))
        })
        .collect()
}

fn caption(sweep: &SweepResult, chart: SweepChart) -> String {
    match chart {
        SweepChart::ResponseTime => "End-to-end response time of the successful requests at \
            each point, with its 95% band: p50, p99 and p99.9 (one panel per source when \
            there are several). The dashed line marks the knee, the dotted line the \
            saturation point."
            .into(),
        SweepChart::Capacity => {
            let attempts = match retried(sweep) {
                true => " Attempts per request: attempts sent per request answered (retry \
                         amplification)."
                    .to_string(),
                false => " Every request took a single attempt at every point (nothing was \
                          retried), so attempts per request are not drawn."
                    .to_string(),
            };
            format!(
                "Utilisation: the share of a service's workers busy. Rejected: the share of a \
                 source's answered requests whose final outcome was a rejection (a full \
                 queue). Goodput: successful requests per second. The dotted line marks the \
                 saturation point.{attempts}"
            )
        }
        SweepChart::Theory => format!(
            "Mean time at the service (W: wait and service) and the share of work that \
             waited (P(wait)), simulated with their 95% bands, against the exact values of \
             the textbook model the service matches at that point (dashed; absent where no \
             model applies). Models: {}.",
            models(sweep).join("; ")
        ),
        SweepChart::Recovery => "The share of judged replications that did not recover \
            after the trigger, with its 95% Wilson interval, and the mean time to recover of \
            those that did, with its 95% Student-t band (see the scenario format's \"What a \
            run reports\")."
            .into(),
    }
}

/// "api: M/M/c at 7 of 8 points", per service that matches a model somewhere.
fn models(sweep: &SweepResult) -> Vec<String> {
    let Some(first) = sweep.points.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (s, service) in first.system.services().iter().enumerate() {
        let mut names: Vec<&str> = (sweep.points.iter())
            .filter_map(|p| oracle::expected(&p.system, ServiceId(s as u32)))
            .map(|t| t.model)
            .collect();
        let matched = names.len();
        if matched == 0 {
            continue;
        }
        names.sort_unstable();
        names.dedup();
        out.push(format!(
            "{}: {} at {matched} of {} points",
            service.name,
            names.join(", "),
            sweep.points.len()
        ));
    }
    out
}

/// A table with a row per point: its value on each axis, then `cells`, then a note column
/// when any point was refused or stopped. A refused point's cells are "–".
fn point_table(
    sweep: &SweepResult,
    head: &[&str],
    cells: &dyn Fn(usize, &PointResult) -> Vec<String>,
) -> Block<SweepChart> {
    let noted = sweep
        .points
        .iter()
        .any(|p| p.refused.is_some() || p.stopped() > 0);
    let mut columns: Vec<String> = sweep
        .grid
        .axes()
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    columns.extend(head.iter().map(|h| h.to_string()));
    if noted {
        columns.push("note".into());
    }
    let rows = (sweep.points.iter().enumerate())
        .map(|(i, point)| {
            let mut row: Vec<String> = (sweep.grid.values(i).iter())
                .map(|v| v.text.clone())
                .collect();
            match &point.refused {
                Some(_) => row.extend(head.iter().map(|_| NO_DATA.to_string())),
                None => row.extend(cells(i, point)),
            }
            if noted {
                row.push(match (&point.refused, point.stopped()) {
                    (Some(error), _) => refusal(error),
                    (None, 0) => String::new(),
                    (None, _) => stopped_note(point),
                });
            }
            row
        })
        .collect();
    Block::Table {
        head: columns,
        rows,
    }
}

/// The estimate of a figure of a component at a point.
fn at(sweep: &SweepResult, point: &PointResult, key: (Scope, &str, Figure)) -> Option<Estimate> {
    point.estimate(sweep.column(key.0, key.1, key.2)?)
}

fn source_tables(out: &mut Blocks, sweep: &SweepResult) {
    let Some(first) = sweep.points.first() else {
        return;
    };
    out.push(Block::Heading(2, "Sources".into()));
    out.push(Block::Para(
        "Per source and point: response time of successful requests (mean over replications \
         ± the 95% half-width), the share of answered requests that succeeded and that were \
         rejected, and goodput (successful requests per second)."
            .into(),
    ));
    for source in first.system.sources() {
        let name = source.name.as_str();
        out.push(Block::Heading(3, format!("Source {name}")));
        out.push(point_table(
            sweep,
            &["p50", "p99", "p99.9", "ok", "rejected", "goodput"],
            &|_, point| {
                let mut cells: Vec<String> =
                    [Figure::LatencyP50, Figure::LatencyP99, Figure::LatencyP999]
                        .map(|f| {
                            estimate_text(f, at(sweep, point, (Scope::Source, name, f)).as_ref())
                        })
                        .to_vec();
                for f in [
                    Figure::SuccessFraction,
                    Figure::RejectedFraction,
                    Figure::Goodput,
                ] {
                    let e = at(sweep, point, (Scope::Source, name, f));
                    cells.push(mean_of(f.unit(), e.as_ref()));
                }
                cells
            },
        ));
    }
}

fn service_tables(out: &mut Blocks, sweep: &SweepResult) {
    let Some(first) = sweep.points.first() else {
        return;
    };
    out.push(Block::Heading(2, "Services".into()));
    out.push(Block::Para(
        "Per service and point: the offered load (arrivals over capacity, from the traffic \
         equations: 1 or more means the workers cannot keep up), the share of workers busy, \
         the mean wait before service, the share of work that waited, the mean time at the \
         service W (± the 95% half-width) and, where a textbook model applies, its exact W."
            .into(),
    ));
    for (s, service) in first.system.services().iter().enumerate() {
        let name = service.name.as_str();
        out.push(Block::Heading(3, format!("Service {name}")));
        out.push(point_table(
            sweep,
            &[
                "offered load",
                "utilisation",
                "mean wait",
                "P(wait)",
                "W",
                "exact W",
            ],
            &|_, point| {
                let load = point.system.traffic()[s].load();
                let mean = |f: Figure| {
                    mean_of(
                        f.unit(),
                        at(sweep, point, (Scope::Service, name, f)).as_ref(),
                    )
                };
                let w = at(sweep, point, (Scope::Service, name, Figure::SojournMean));
                let exact = oracle::expected(&point.system, ServiceId(s as u32));
                vec![
                    if load.is_finite() {
                        num(load)
                    } else {
                        NO_DATA.into()
                    },
                    mean(Figure::Utilisation),
                    mean(Figure::WaitMean),
                    mean(Figure::WaitProbability),
                    estimate_text(Figure::SojournMean, w.as_ref()),
                    exact.map_or_else(
                        || NO_DATA.into(),
                        |t| format!("{} ({})", secs(t.w), t.model),
                    ),
                ]
            },
        ));
    }
}

fn recovery_section(out: &mut Blocks, sweep: &SweepResult) {
    if sweep.points.iter().all(|p| p.recovery().is_none()) {
        return;
    }
    out.push(Block::Heading(2, "Recovery after the trigger".into()));
    out.push(Block::Para(
        "Per point: how many judged replications did not recover after the trigger (with \
         the 95% Wilson interval of that share) and how long those that recovered took \
         (mean ± the 95% Student-t half-width). The recovery criterion is in the scenario \
         format's \"What a run reports\"."
            .into(),
    ));
    out.push(point_table(
        sweep,
        &["did not recover", "95% interval", "mean time to recover"],
        &|_, point| match point.recovery() {
            None => vec!["not judged".into(), String::new(), NO_DATA.into()],
            Some(r) => vec![
                match r.not_recovered_fraction {
                    Some((f, ..)) => format!(
                        "{} of {} ({})",
                        r.not_recovered,
                        r.recovered + r.not_recovered,
                        pct(f)
                    ),
                    None => "not judged".into(),
                },
                r.not_recovered_fraction
                    .map_or(String::new(), |(_, low, high)| {
                        format!("{}–{}", pct(low), pct(high))
                    }),
                r.time_to_recover.map_or_else(
                    || NO_DATA.into(),
                    |t| match t.mean.half_width.is_finite() {
                        true => format!("{} ± {}", secs(t.mean.mean), secs(t.mean.half_width)),
                        false => secs(t.mean.mean),
                    },
                ),
            ],
        },
    ));
}

fn little_section(out: &mut Blocks, sweep: &SweepResult) {
    out.push(Block::Heading(2, "Little's law".into()));
    let mut rows = Vec::new();
    for (i, point) in sweep.points.iter().enumerate() {
        let names = crate::stats::little_places(&point.system);
        for (name, gap) in names.into_iter().zip(point.little_gaps()) {
            if gap > LITTLE_TOLERANCE {
                let mut row: Vec<String> = (sweep.grid.values(i).iter())
                    .map(|v| v.text.clone())
                    .collect();
                row.extend([name, pct(gap)]);
                rows.push(row);
            }
        }
    }
    if rows.is_empty() {
        out.push(Block::Para(format!(
            "Little's law holds at every point (gap ≤ {}): at every service, every broker \
             queue's backlog and for the whole system, L (the time-average number inside) equals λW (admissions per second \
             times the mean time inside), averaged over each point's replications.",
            pct(LITTLE_TOLERANCE)
        )));
        return;
    }
    out.push(Block::Para(format!(
        "L (the time-average number inside) against λW (admissions per second times the mean \
         time inside): these points and components have a mean relative gap over {} (a run \
         too short for the time work spends inside, or not in steady state).",
        pct(LITTLE_TOLERANCE)
    )));
    let mut head: Vec<String> = sweep
        .grid
        .axes()
        .iter()
        .map(|a| a.name().to_string())
        .collect();
    head.extend(["where".to_string(), "mean gap".to_string()]);
    out.push(Block::Table { head, rows });
}
