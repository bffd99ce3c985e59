//! The charts of a sweep's report: figures against the first axis's value, one line per
//! value of the second axis, drawn by the same routine as a run's charts.
//!
//! Simulated figures have a dot per point and a lightly filled 95% band; exact theory is a
//! dashed line. A point with no value (refused, or nothing observed) leaves a gap; a range
//! of refused points is shaded, and the knee and saturation point are labelled vertical
//! lines. With several lines the colour says which value of the second axis, and the
//! stroke which service or source; further axes stay at their first value (the tables
//! and points.csv have every point).

use plotters::style::RGBColor;

use super::{Line, Marker, Panel, color, png, stroke, svg, tick, time_unit};
use crate::experiment::{PointResult, SweepResult};
use crate::model::{AxisUnit, Grid, ServiceId};
use crate::oracle;
use crate::report::SweepReport;
use crate::report::document::ChartFile;
use crate::report::sweep::landmarks::{Curve, Knee, curves, landmarks};
use crate::stats::{Estimate, Figure, Scope};
use crate::theory::QueueFigures;

/// The charts of a sweep's report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SweepChart {
    /// p50, p99 and p99.9 response time per source.
    ResponseTime,
    /// Utilisation per service; rejected share, goodput and attempts per source.
    Capacity,
    /// Mean time at each service that matches a textbook model, beside the exact value.
    Theory,
    /// The share of replications that did not recover after the trigger, and the time
    /// those that did took.
    Recovery,
}

impl SweepChart {
    /// The charts `report` has something to show in: theory only where a service matches
    /// a textbook model at some point, recovery only when the scenario has a trigger.
    pub fn of(report: &SweepReport<'_>) -> Vec<SweepChart> {
        let sweep = report.sweep;
        let theory = (0..services(sweep).len()).any(|s| {
            (sweep.points.iter())
                .any(|p| oracle::expected(&p.system, ServiceId(s as u32)).is_some())
        });
        let recovery = sweep.points.iter().any(|p| p.recovery().is_some());
        let mut charts = vec![SweepChart::ResponseTime, SweepChart::Capacity];
        charts.extend(theory.then_some(SweepChart::Theory));
        charts.extend(recovery.then_some(SweepChart::Recovery));
        charts
    }

    /// File stem ("sweep-response-time").
    pub fn file_stem(self) -> &'static str {
        match self {
            SweepChart::ResponseTime => "sweep-response-time",
            SweepChart::Capacity => "sweep-capacity",
            SweepChart::Theory => "sweep-theory",
            SweepChart::Recovery => "sweep-recovery",
        }
    }

    /// Title shown above the chart.
    pub fn title(self) -> &'static str {
        match self {
            SweepChart::ResponseTime => "Response time percentiles (95% bands)",
            SweepChart::Capacity => "Utilisation, rejections, goodput and retries",
            SweepChart::Theory => "Simulation against exact theory",
            SweepChart::Recovery => "Recovery after the trigger",
        }
    }
}

impl ChartFile for SweepChart {
    fn title(&self) -> &'static str {
        SweepChart::title(*self)
    }

    fn file_stem(&self) -> &'static str {
        SweepChart::file_stem(*self)
    }
}

/// The chart as an SVG document.
pub fn render_svg(report: &SweepReport<'_>, chart: SweepChart) -> Vec<u8> {
    svg(chart.title(), &panels(report, chart))
}

/// The chart as a PNG image.
pub fn render_png(report: &SweepReport<'_>, chart: SweepChart) -> Vec<u8> {
    png(chart.title(), &panels(report, chart))
}

/// The x axis of every panel: the first axis's values in a readable unit.
struct XAxis {
    desc: String,
    log: bool,
    /// The position of each value of the first axis (log10 of it on a log axis).
    x: Vec<f64>,
    span: (f64, f64),
    /// The axis is labelled at its values (at most [`TICKS`] of them), not at round
    /// numbers between them (1.1 workers, or 10 and 100 only on a log axis).
    ticks: Vec<(f64, String)>,
}

/// The most labels on the x axis: every k-th value beyond.
const TICKS: usize = 10;

/// Whether `values` are geometric (each about the same factor times the previous) and
/// span at least a decade: such an axis is drawn on a log scale.
pub(crate) fn geometric(values: &[f64]) -> bool {
    let (Some(&first), Some(&second)) = (values.first(), values.get(1)) else {
        return false;
    };
    let ratio = second / first;
    let positive = values.iter().all(|&v| v > 0.0 && v.is_finite());
    let steady = (values.windows(2)).all(|w| ((w[1] / w[0]) / ratio - 1.0).abs() < 0.05);
    let (low, high) = (
        first.min(values[values.len() - 1]),
        first.max(values[values.len() - 1]),
    );
    positive && ratio != 1.0 && steady && high / low >= 10.0 - 1e-9
}

fn x_axis(grid: &Grid) -> XAxis {
    let axis = &grid.axes()[0];
    let numbers: Vec<f64> = axis.values.iter().map(|v| v.number).collect();
    let largest = numbers.iter().map(|v| v.abs()).fold(0.0, f64::max);
    let (unit, per) = match axis.unit {
        AxisUnit::Seconds if largest >= 1.0 => (" (s)", 1.0),
        AxisUnit::Seconds if largest >= 1e-3 => (" (ms)", 1e3),
        AxisUnit::Seconds => (" (µs)", 1e6),
        AxisUnit::PerSecond => (" (/s)", 1.0),
        AxisUnit::Factor => (" (× load)", 1.0),
        AxisUnit::Number => ("", 1.0),
    };
    let log = geometric(&numbers);
    let x: Vec<f64> = (numbers.iter())
        .map(|v| if log { (v * per).log10() } else { v * per })
        .collect();
    let low = x.iter().copied().fold(f64::INFINITY, f64::min);
    let high = x.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let pad = if high > low {
        0.04 * (high - low)
    } else {
        (0.1 * low.abs()).max(0.5)
    };
    let name = match axis.unit {
        AxisUnit::Factor => "load factor",
        _ => axis.name(),
    };
    let mut sorted: Vec<(f64, f64)> = x.iter().copied().zip(numbers.iter().copied()).collect();
    sorted.sort_by(|a, b| a.0.total_cmp(&b.0));
    sorted.dedup_by(|a, b| a.0 == b.0);
    let every = sorted.len().div_ceil(TICKS).max(1);
    let ticks = (sorted.iter().step_by(every))
        .map(|&(at, v)| (at, tick(v * per)))
        .collect();
    XAxis {
        desc: format!("{name}{unit}{}", if log { ", log scale" } else { "" }),
        log,
        x,
        span: (low - pad, high + pad),
        ticks,
    }
}

/// A value to plot and its band, if it has one.
#[derive(Clone, Copy)]
struct Value {
    mean: f64,
    band: Option<(f64, f64)>,
}

impl Value {
    fn of(e: Estimate, scale: f64) -> Value {
        Value {
            mean: e.mean * scale,
            band: (e.half_width.is_finite()).then_some((
                (e.mean - e.half_width) * scale,
                (e.mean + e.half_width) * scale,
            )),
        }
    }

    fn exact(mean: f64) -> Value {
        Value { mean, band: None }
    }
}

/// What every panel of a sweep's charts shares: the x axis and the curves shown.
struct Frame<'a> {
    sweep: &'a SweepResult,
    axis: XAxis,
    curves: Vec<Curve>,
}

impl<'a> Frame<'a> {
    fn new(sweep: &'a SweepResult) -> Frame<'a> {
        let shown = (curves(&sweep.grid).into_iter())
            .filter(|c| c.fixed.iter().skip(1).all(|&i| i == 0))
            .collect();
        Frame {
            sweep,
            axis: x_axis(&sweep.grid),
            curves: shown,
        }
    }

    /// "capacity = 10" for a curve when there are several, else nothing.
    fn curve_label(&self, curve: &Curve) -> Option<String> {
        let (name, value) = self.curve_value(curve)?;
        Some(format!("{name} = {value}"))
    }

    /// The last part of the second axis's name and the curve's value on it.
    fn curve_value(&self, curve: &Curve) -> Option<(&'a str, &'a str)> {
        let axis = self.sweep.grid.axes().get(1)?;
        let short = axis.name().rsplit('.').next().unwrap_or(axis.name());
        Some((short, axis.values[curve.fixed[0]].text.as_str()))
    }

    /// A line's colour and stroke: with several curves the colour is the curve's and the
    /// stroke the entity's; with one, the colour is the entity's.
    fn style(&self, curve: usize, entity: usize) -> (RGBColor, Option<(u32, u32)>) {
        if self.curves.len() > 1 {
            (color(curve), stroke(entity))
        } else {
            (color(entity), None)
        }
    }

    /// "api · capacity = 10", "api", or "capacity = 10".
    fn label(&self, entity: &str, curve: &Curve, entities: usize) -> String {
        match (
            self.curve_label(curve),
            entities > 1 || self.curves.len() == 1,
        ) {
            (Some(c), true) => format!("{entity} · {c}"),
            (Some(c), false) => c,
            (None, _) => entity.to_string(),
        }
    }

    /// The line of `value` along `curve`, in order of x, broken where it has no value.
    fn line(
        &self,
        label: String,
        (color, dash): (RGBColor, Option<(u32, u32)>),
        curve: &Curve,
        value: &dyn Fn(&PointResult) -> Option<Value>,
    ) -> Line {
        let mut line = Line::plain(label, color, dash);
        let mut along: Vec<(f64, usize)> = (curve.points.iter().enumerate())
            .map(|(i, &p)| (self.axis.x[i], p))
            .collect();
        along.sort_by(|a, b| a.0.total_cmp(&b.0));
        // The band of the run of points that have one so far.
        let mut band: Vec<(f64, f64, f64)> = Vec::new();
        let mut gap = false;
        for (x, p) in along {
            let v = value(&self.sweep.points[p]);
            if v.and_then(|v| v.band).is_none() && !band.is_empty() {
                line.bands.push(std::mem::take(&mut band));
            }
            let Some(v) = v else {
                gap = true;
                continue;
            };
            if gap && !line.points.is_empty() {
                line.breaks.push(line.points.len());
            }
            gap = false;
            line.points.push((x, v.mean));
            band.extend(v.band.map(|(low, high)| (x, low, high)));
        }
        line.bands.extend((!band.is_empty()).then_some(band));
        line
    }

    /// A simulated figure of a component: a dotted line with its band.
    fn simulated(
        &self,
        label: String,
        style: (RGBColor, Option<(u32, u32)>),
        curve: &Curve,
        (scope, name, figure): (Scope, &str, Figure),
        scale: f64,
    ) -> Line {
        let column = self.sweep.column(scope, name, figure);
        let mut line = self.line(label, style, curve, &|p| {
            Some(Value::of(p.estimate(column?)?, scale))
        });
        line.dots = true;
        line
    }

    /// The x of the point `point` (of any curve).
    fn x_of(&self, point: usize) -> f64 {
        self.axis.x[self.sweep.grid.coordinates(point)[0]]
    }

    /// A panel of `lines`; when none has a point, `missing` (or that every point was
    /// refused) is written in the plot.
    fn panel(
        &self,
        y_desc: String,
        lines: Vec<Line>,
        markers: Vec<Marker>,
        missing: &str,
    ) -> Panel {
        let empty = lines.iter().all(|l| l.points.is_empty());
        // A row of labels per marker, up to three: enough for a shaded range, a knee and
        // a saturation point that fall close together.
        let label_rows = markers.len().clamp(1, 3) as u32;
        let notes = match () {
            _ if !empty => Vec::new(),
            _ if self.sweep.points.iter().all(|p| p.refused.is_some()) => {
                vec!["no point ran: every point was refused".to_string()]
            }
            _ => vec![format!("{missing} at any point")],
        };
        Panel {
            y_desc,
            x_desc: self.axis.desc.clone(),
            log_x: self.axis.log,
            markers,
            lines,
            y_max: None,
            x_span: Some(self.axis.span),
            label_rows,
            notes,
            x_ticks: self.axis.ticks.clone(),
        }
    }

    /// Shaded ranges of the first axis where every curve shown is refused.
    fn refused(&self) -> Vec<Marker> {
        let n = self.axis.x.len();
        let refused = |i: usize| {
            (self.curves.iter()).all(|c| self.sweep.points[c.points[i]].refused.is_some())
        };
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| self.axis.x[a].total_cmp(&self.axis.x[b]));
        let x = |k: usize| self.axis.x[order[k]];
        let mut marks = Vec::new();
        let mut k = 0;
        while k < n {
            if !refused(order[k]) {
                k += 1;
                continue;
            }
            let start = k;
            while k < n && refused(order[k]) {
                k += 1;
            }
            let from = if start == 0 {
                self.axis.span.0
            } else {
                0.5 * (x(start - 1) + x(start))
            };
            let to = if k == n {
                self.axis.span.1
            } else {
                0.5 * (x(k - 1) + x(k))
            };
            marks.push(Marker {
                from,
                to,
                label: "refused (unstable)".to_string(),
                dash: (1, 0),
                edge: false,
            });
        }
        marks
    }

    /// The saturation point of each curve shown, and, for source `source`, its knee; one
    /// line for the curves that share one.
    fn landmarks(&self, source: Option<usize>) -> Vec<Marker> {
        let mut marks: Vec<Landmark<'_>> = Vec::new();
        let mut add = |x: f64, what: &'static str, dash, value: Option<&'a str>| match marks
            .iter_mut()
            .find(|m| m.x == x && m.what == what)
        {
            Some(m) => m.values.extend(value),
            None => marks.push(Landmark {
                x,
                what,
                dash,
                values: value.into_iter().collect(),
            }),
        };
        for curve in &self.curves {
            let found = landmarks(self.sweep, curve);
            let value = self.curve_value(curve).map(|v| v.1);
            if let Some((point, _)) = found.saturation {
                add(self.x_of(point), "saturation", (2, 3), value);
            }
            if let Some(Knee::At { at, .. }) = source.map(|s| found.knees[s]) {
                add(self.x_of(at), "knee", (7, 4), value);
            }
        }
        let name = self.sweep.grid.axes().get(1).map(|a| a.name());
        let short = name.map(|n| n.rsplit('.').next().unwrap_or(n));
        (marks.into_iter())
            .map(|m| Marker {
                from: m.x,
                to: m.x,
                label: match short {
                    Some(short) => format!("{} ({short} = {})", m.what, m.values.join(", ")),
                    None => m.what.to_string(),
                },
                dash: m.dash,
                edge: true,
            })
            .collect()
    }
}

/// A knee or saturation line, and the values of the second axis whose curves it marks.
struct Landmark<'v> {
    x: f64,
    what: &'static str,
    dash: (u32, u32),
    values: Vec<&'v str>,
}

fn services(sweep: &SweepResult) -> Vec<&str> {
    (sweep.points.first()).map_or_else(Vec::new, |p| {
        p.system
            .services()
            .iter()
            .map(|s| s.name.as_str())
            .collect()
    })
}

fn sources(sweep: &SweepResult) -> Vec<&str> {
    (sweep.points.first()).map_or_else(Vec::new, |p| {
        p.system.sources().iter().map(|s| s.name.as_str()).collect()
    })
}

fn panels(report: &SweepReport<'_>, chart: SweepChart) -> Vec<Panel> {
    let frame = Frame::new(report.sweep);
    match chart {
        SweepChart::ResponseTime => response_time(&frame),
        SweepChart::Capacity => capacity(&frame),
        SweepChart::Theory => theory(&frame),
        SweepChart::Recovery => recovery(&frame),
    }
}

const NO_SUCCESS: &str = "no successful requests";
const NO_ANSWER: &str = "no requests answered";

const PERCENTILES: [(Figure, &str); 3] = [
    (Figure::LatencyP50, "p50"),
    (Figure::LatencyP99, "p99"),
    (Figure::LatencyP999, "p99.9"),
];

/// The largest mean or upper bound of `figures` of any shown point, seconds.
fn largest(frame: &Frame<'_>, scope: Scope, figures: &[Figure]) -> f64 {
    let sweep = frame.sweep;
    let names = match scope {
        Scope::Source => sources(sweep),
        Scope::Service => services(sweep),
        Scope::System => Vec::new(),
    };
    (names.iter())
        .flat_map(|name| {
            figures
                .iter()
                .filter_map(move |&f| sweep.column(scope, name, f))
        })
        .flat_map(|column| {
            (frame.curves.iter().flat_map(|c| c.points.iter()))
                .filter_map(move |&p| sweep.points[p].estimate(column))
        })
        .map(|e| {
            e.mean
                + if e.half_width.is_finite() {
                    e.half_width
                } else {
                    0.0
                }
        })
        .fold(0.0, f64::max)
}

/// Per source: p50, p99 and p99.9 on one panel; with several curves, a panel per
/// percentile with a line per curve.
fn response_time(frame: &Frame<'_>) -> Vec<Panel> {
    let names = sources(frame.sweep);
    let figures: Vec<Figure> = PERCENTILES.iter().map(|p| p.0).collect();
    let unit = time_unit(largest(frame, Scope::Source, &figures));
    let mut panels = Vec::new();
    for (s, name) in names.iter().enumerate() {
        let prefix = if names.len() > 1 {
            format!("{name}: ")
        } else {
            String::new()
        };
        let mut markers = frame.refused();
        markers.extend(frame.landmarks(Some(s)));
        let line = |curve: usize, (figure, label): (Figure, &str), colour: RGBColor| {
            let c = &frame.curves[curve];
            frame.simulated(
                label.to_string(),
                (colour, None),
                c,
                (Scope::Source, name, figure),
                unit.per_sec,
            )
        };
        if frame.curves.len() == 1 {
            let lines = (PERCENTILES.iter().enumerate())
                .map(|(k, &p)| line(0, p, color(k)))
                .collect();
            let y_desc = format!("{prefix}response time ({})", unit.name);
            panels.push(frame.panel(y_desc, lines, markers, NO_SUCCESS));
            continue;
        }
        for &(figure, short) in &PERCENTILES {
            let lines = (0..frame.curves.len())
                .map(|c| {
                    let mut l = line(c, (figure, short), color(c));
                    l.label = frame.curve_label(&frame.curves[c]).unwrap_or_default();
                    l
                })
                .collect();
            let y_desc = format!("{prefix}{short} response time ({})", unit.name);
            panels.push(frame.panel(y_desc, lines, markers.clone(), NO_SUCCESS));
        }
    }
    panels
}

/// Lines of one figure, one per (entity, curve).
fn per_entity(
    frame: &Frame<'_>,
    scope: Scope,
    names: &[&str],
    figure: Figure,
    scale: f64,
) -> Vec<Line> {
    let mut lines = Vec::new();
    for (c, curve) in frame.curves.iter().enumerate() {
        for (e, name) in names.iter().enumerate() {
            lines.push(frame.simulated(
                frame.label(name, curve, names.len()),
                frame.style(c, e),
                curve,
                (scope, name, figure),
                scale,
            ));
        }
    }
    lines
}

fn capacity(frame: &Frame<'_>) -> Vec<Panel> {
    let sweep = frame.sweep;
    let (services, sources) = (services(sweep), sources(sweep));
    let markers = || {
        let mut m = frame.refused();
        m.extend(frame.landmarks(None));
        m
    };
    let busy = per_entity(frame, Scope::Service, &services, Figure::Utilisation, 100.0);
    let mut utilisation = frame.panel(
        "utilisation (%)".into(),
        busy,
        markers(),
        "no work measured",
    );
    utilisation.y_max = Some(100.0);
    let rejected = per_entity(
        frame,
        Scope::Source,
        &sources,
        Figure::RejectedFraction,
        100.0,
    );
    let goodput = per_entity(frame, Scope::Source, &sources, Figure::Goodput, 1.0);
    let mut panels = vec![
        utilisation,
        frame.panel("rejected (%)".into(), rejected, markers(), NO_ANSWER),
        frame.panel("goodput (/s)".into(), goodput, markers(), NO_ANSWER),
    ];
    if retried(frame.sweep) {
        let attempts = per_entity(frame, Scope::Source, &sources, Figure::Amplification, 1.0);
        panels.push(frame.panel(
            "attempts per request".into(),
            attempts,
            markers(),
            NO_ANSWER,
        ));
    }
    panels
}

/// Whether any request of any point took more than one attempt: only then is attempts
/// per request drawn (a flat 1 says nothing).
pub(crate) fn retried(sweep: &SweepResult) -> bool {
    (sources(sweep).iter())
        .filter_map(|name| sweep.column(Scope::Source, name, Figure::Amplification))
        .any(|column| {
            (sweep.points.iter()).any(|p| p.estimate(column).is_some_and(|e| e.mean > 1.0 + 1e-9))
        })
}

/// One figure of the theory chart: simulated, and its exact value.
struct Compared {
    figure: Figure,
    exact: fn(&QueueFigures) -> f64,
}

const COMPARED: [Compared; 2] = [
    Compared {
        figure: Figure::SojournMean,
        exact: |t| t.w,
    },
    Compared {
        figure: Figure::WaitProbability,
        exact: |t| t.p_wait,
    },
];

/// Per service that matches a textbook model somewhere: simulated W with its band and the
/// exact W dashed; then P(wait) the same way.
fn theory(frame: &Frame<'_>) -> Vec<Panel> {
    let sweep = frame.sweep;
    let mut panels = Vec::new();
    for (s, name) in services(sweep).iter().enumerate() {
        let exact = |p: &PointResult| oracle::expected(&p.system, ServiceId(s as u32));
        if !sweep.points.iter().any(|p| exact(p).is_some()) {
            continue;
        }
        let largest_w = (sweep.points.iter().filter_map(exact)).map(|t| t.w).fold(
            largest(frame, Scope::Service, &[Figure::SojournMean]),
            f64::max,
        );
        let unit = time_unit(largest_w);
        for compared in &COMPARED {
            let (scale, y_desc) = match compared.figure {
                Figure::SojournMean => (unit.per_sec, format!("{name}: W ({})", unit.name)),
                _ => (100.0, format!("{name}: P(wait) (%)")),
            };
            let mut lines = Vec::new();
            for (c, curve) in frame.curves.iter().enumerate() {
                let tag = frame
                    .curve_label(curve)
                    .map_or(String::new(), |l| format!(" · {l}"));
                // Wide and pale, so that the exact line dashed over it shows where they meet.
                let mut simulated = frame.simulated(
                    format!("simulated{tag}"),
                    (color(c), None),
                    curve,
                    (Scope::Service, name, compared.figure),
                    scale,
                );
                simulated.pale = true;
                lines.push(simulated);
                lines.push(
                    frame.line(format!("exact{tag}"), (color(c), stroke(1)), curve, &|p| {
                        exact(p).map(|t| Value::exact((compared.exact)(&t) * scale))
                    }),
                );
            }
            let mut panel = frame.panel(y_desc, lines, frame.refused(), "no work completed");
            if compared.figure == Figure::WaitProbability {
                panel.y_max = Some(100.0);
            }
            panels.push(panel);
        }
    }
    panels
}

/// The share of replications that did not recover (Wilson band), and the mean time to
/// recover of those that did (Student-t band).
fn recovery(frame: &Frame<'_>) -> Vec<Panel> {
    let mut failed = Vec::new();
    let mut times = Vec::new();
    let largest_secs = (frame.sweep.points.iter())
        .filter_map(|p| p.recovery()?.time_to_recover)
        .map(|t| {
            t.mean.mean
                + if t.mean.half_width.is_finite() {
                    t.mean.half_width
                } else {
                    0.0
                }
        })
        .fold(0.0, f64::max);
    let unit = time_unit(largest_secs);
    for (c, curve) in frame.curves.iter().enumerate() {
        let label = frame
            .curve_label(curve)
            .unwrap_or_else(|| "all sources".into());
        let mut line = frame.line(label.clone(), (color(c), None), curve, &|p| {
            let (f, low, high) = p.recovery()?.not_recovered_fraction?;
            Some(Value {
                mean: f * 100.0,
                band: Some((low * 100.0, high * 100.0)),
            })
        });
        line.dots = true;
        failed.push(line);
        let mut line = frame.line(label, (color(c), None), curve, &|p| {
            Some(Value::of(p.recovery()?.time_to_recover?.mean, unit.per_sec))
        });
        line.dots = true;
        times.push(line);
    }
    let mut share = frame.panel(
        "did not recover (% of replications)".into(),
        failed,
        frame.refused(),
        "no recovery verdict",
    );
    share.y_max = Some(100.0);
    let time = frame.panel(
        format!("time to recover ({})", unit.name),
        times,
        frame.refused(),
        "no replication recovered",
    );
    vec![share, time]
}

#[cfg(test)]
mod tests;
