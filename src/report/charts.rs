//! Charts drawn with plotters, as SVG text or PNG bytes, from the same drawing code.
//!
//! Text is drawn with DejaVu Sans, bundled in the binary and registered with plotters'
//! ab_glyph backend on first use, so charts render identically on any machine (no
//! fontconfig, no system fonts). Each design of a comparison is overlaid on the same axes:
//! a line's colour says what it measures (a service, a source, a series) and its stroke
//! which design (solid, dashed, dotted), so overlapping lines stay apart in grey scale too.
//! Legends sit in a strip right of the plot, never over data; the end of the warm-up and
//! triggers are black dashed and dotted lines labelled above the plot.

use std::sync::Once;

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use plotters::coord::Shift;
use plotters::element::DashedPathElement;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::{Design, Report};
use crate::stats::{Latency, WindowRow, trigger_span};
use bitmap::PngBackend;

mod bitmap;
pub(super) mod sweep;

/// The font family name under which the bundled font is registered.
const FONT: &str = "sans-serif";
/// Width of every chart, pixels; of it, the legend strip.
const WIDTH: u32 = 1040;
const LEGEND_WIDTH: u32 = 240;
/// Height of the title, and the least height of a panel, pixels.
const TITLE_HEIGHT: u32 = 36;
const PANEL_HEIGHT: u32 = 190;
/// Height of one legend entry, and of a row of marker labels, pixels.
const ENTRY_HEIGHT: u32 = 18;
const LABEL_ROW: u32 = 16;
/// Okabe and Ito's palette, told apart with every common colour-vision deficiency; black is
/// left for the markers and yellow, too faint on white, is last.
const PALETTE: [RGBColor; 7] = [
    RGBColor(0, 114, 178),
    RGBColor(213, 94, 0),
    RGBColor(0, 158, 115),
    RGBColor(204, 121, 167),
    RGBColor(230, 159, 0),
    RGBColor(86, 180, 233),
    RGBColor(240, 228, 66),
];
/// Gridlines: light enough that no marker or line is mistaken for one.
const GRID_BOLD: RGBColor = RGBColor(222, 222, 222);
const GRID_LIGHT: RGBColor = RGBColor(242, 242, 242);

/// The charts of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    /// p50 and p99 response time per window, per source.
    LatencyOverTime,
    /// Distribution function of response time, log time axis.
    LatencyCdf,
    /// Offered, completed and goodput per second.
    Throughput,
    /// Requests waiting and worker utilisation, per service.
    QueueDepth,
    /// Rejections, timeouts and retries per second.
    Errors,
    /// Workers up per service whose worker count changes (a schedule or an autoscaler);
    /// only in reports that have such a service.
    Workers,
}

impl Chart {
    /// The charts every report has, in report order.
    pub const ALL: [Chart; 5] = [
        Chart::LatencyOverTime,
        Chart::LatencyCdf,
        Chart::Throughput,
        Chart::QueueDepth,
        Chart::Errors,
    ];

    /// The charts of `report`, in order: [`Chart::ALL`], then [`Chart::Workers`] when a
    /// service of some design changes its worker count.
    pub fn of(report: &Report<'_>) -> Vec<Chart> {
        let mut charts = Chart::ALL.to_vec();
        if report
            .designs
            .iter()
            .any(|d| !d.changing_services().is_empty())
        {
            charts.push(Chart::Workers);
        }
        charts
    }

    /// File stem ("latency-over-time").
    pub fn file_stem(self) -> &'static str {
        match self {
            Chart::LatencyOverTime => "latency-over-time",
            Chart::LatencyCdf => "latency-cdf",
            Chart::Throughput => "throughput",
            Chart::QueueDepth => "queue-depth",
            Chart::Errors => "retries-rejections",
            Chart::Workers => "workers",
        }
    }

    /// Title shown above the chart.
    pub fn title(self) -> &'static str {
        match self {
            Chart::LatencyOverTime => "Response time over time (p50, p99 per window)",
            Chart::LatencyCdf => "Response time distribution (CDF, log time axis)",
            Chart::Throughput => "Throughput over time",
            Chart::QueueDepth => "Queue depth and utilisation per service",
            Chart::Errors => "Rejections, timeouts and retries over time",
            Chart::Workers => "Workers per service over time",
        }
    }

    /// One sentence on how to read it.
    pub fn caption(self) -> &'static str {
        match self {
            Chart::LatencyOverTime => {
                "End-to-end response time of the successful requests finishing in each \
                 window (one panel per source when there are several); the dashed line marks \
                 the end of the warm-up, a dotted line a trigger (a change of load or \
                 capacity after it)."
            }
            Chart::LatencyCdf => {
                "Fraction of successful requests (measured period, all replications) \
                 answered within a given time, per source when there are several: the \
                 further left, the faster; the tail is on the right."
            }
            Chart::Throughput => {
                "Offered: requests started by clients; completed: requests answered, \
                 whatever the outcome (a rejection or a timeout is an answer too); goodput: \
                 requests answered with success."
            }
            Chart::QueueDepth => {
                "Time-average number of requests waiting in each service's queue, and the \
                 share of its workers busy (requests inside the whole system are in \
                 timeseries.csv)."
            }
            Chart::Errors => {
                "Work turned away by full queues, attempts whose caller gave up waiting, and \
                 retries sent by clients."
            }
            Chart::Workers => {
                "Time-average number of workers up at each service whose worker count \
                 changes (by its schedule or its autoscaler; crashes show as dips). An \
                 autoscaler's new workers count from when their start-up delay is over."
            }
        }
    }
}

/// One line on a panel.
struct Line {
    label: String,
    color: RGBColor,
    /// The design it belongs to.
    design: usize,
    /// Dash and gap, pixels, if dashed: in a report, the design's stroke.
    dash: Option<(u32, u32)>,
    /// In a comparison, the baseline's solid line is wide and pale, so that another
    /// design's dashed line drawn over it stays visible where the two coincide.
    pale: bool,
    points: Vec<(f64, f64)>,
    /// Indices into `points` where the line breaks and starts again: a gap where values
    /// are missing (a refused sweep point).
    breaks: Vec<usize>,
    /// Confidence bands, `(x, low, high)`, one per run of points that have one, drawn as
    /// lightly filled polygons (an error bar for a lone point).
    bands: Vec<Vec<(f64, f64, f64)>>,
    /// Whether each point is marked with a dot.
    dots: bool,
}

impl Line {
    fn new(report: &Report<'_>, design: usize, label: String, color: RGBColor) -> Line {
        let mut line = Line::plain(label, color, stroke(design));
        line.design = design;
        line.pale = design == 0 && report.designs.len() > 1;
        line
    }

    /// A line of one colour and stroke, with no points yet.
    fn plain(label: String, color: RGBColor, dash: Option<(u32, u32)>) -> Line {
        Line {
            label,
            color,
            design: 0,
            dash,
            pale: false,
            points: Vec::new(),
            breaks: Vec::new(),
            bands: Vec::new(),
            dots: false,
        }
    }

    fn with(mut self, points: Vec<(f64, f64)>) -> Line {
        self.points = points;
        self
    }

    /// Its colour and width, and its dash and gap if dashed.
    fn style(&self) -> (ShapeStyle, Option<(u32, u32)>) {
        let style = match self.pale {
            true => self.color.mix(0.45).stroke_width(4),
            false => self.color.stroke_width(2),
        };
        (style, self.dash)
    }

    /// The runs of points between breaks; one run (perhaps empty) without breaks.
    fn segments(&self) -> Vec<&[(f64, f64)]> {
        let mut cuts: Vec<usize> = self.breaks.clone();
        cuts.push(self.points.len());
        let mut start = 0;
        let mut out = Vec::new();
        for cut in cuts {
            out.push(&self.points[start..cut]);
            start = cut;
        }
        out
    }
}

/// A vertical marker: the end of the warm-up, a trigger (shaded when it lasts), a sweep's
/// knee or saturation point, or a range of refused sweep points.
#[derive(Clone)]
struct Marker {
    from: f64,
    to: f64,
    label: String,
    /// Dash and gap, pixels.
    dash: (u32, u32),
    /// Whether a line is drawn at `from` (a shaded range may go without).
    edge: bool,
}

/// One set of axes.
struct Panel {
    y_desc: String,
    x_desc: String,
    /// The x values are log10 of the response time unit.
    log_x: bool,
    lines: Vec<Line>,
    markers: Vec<Marker>,
    y_max: Option<f64>,
    /// The x range to show whatever the data covers (the whole run, for time charts, so a
    /// series that stops, such as the latency of successes in an outage, does not shorten
    /// the axis).
    x_span: Option<(f64, f64)>,
    /// Written in the plot, for designs with nothing to draw.
    notes: Vec<String>,
    /// Rows of marker labels above the plot: one, or more where labels would overlap.
    label_rows: u32,
    /// Where to label the x axis, and how, instead of plotters' evenly spaced ticks (a
    /// sweep's log axis is labelled at its values); empty for plotters' ticks.
    x_ticks: Vec<(f64, String)>,
}

/// Each panel's height: panels stack below the title, a lone one twice as tall, each tall
/// enough for its legend and its rows of marker labels.
fn heights(panels: &[Panel]) -> Vec<u32> {
    let least = if panels.len() == 1 {
        2 * PANEL_HEIGHT
    } else {
        PANEL_HEIGHT
    };
    panels
        .iter()
        .map(|p| {
            let labels = LABEL_ROW * (p.label_rows.max(1) - 1);
            (least + labels).max(40 + ENTRY_HEIGHT * p.lines.len() as u32)
        })
        .collect()
}

fn size(panels: &[Panel]) -> (u32, u32) {
    (WIDTH, TITLE_HEIGHT + heights(panels).iter().sum::<u32>())
}

/// The chart as an SVG document. Same report, same bytes.
pub fn render_svg(report: &Report<'_>, chart: Chart) -> Vec<u8> {
    svg(chart.title(), &panels(report, chart))
}

/// The chart as a PNG image.
pub fn render_png(report: &Report<'_>, chart: Chart) -> Vec<u8> {
    png(chart.title(), &panels(report, chart))
}

/// Panels under a title, as an SVG document.
fn svg(title: &str, panels: &[Panel]) -> Vec<u8> {
    ensure_font();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, size(panels)).into_drawing_area();
        draw(&root, title, panels).expect("drawing to memory with a bundled font");
    }
    svg.push('\n');
    svg.into_bytes()
}

/// Panels under a title, as a PNG image (the same drawing as [`svg`]).
fn png(title: &str, panels: &[Panel]) -> Vec<u8> {
    ensure_font();
    let (w, h) = size(panels);
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let root = PngBackend::new(&mut pixels, (w, h)).into_drawing_area();
        draw(&root, title, panels).expect("drawing to memory with a bundled font");
    }
    let mut png = Vec::new();
    PngEncoder::new_with_quality(&mut png, CompressionType::Best, FilterType::Adaptive)
        .write_image(&pixels, w, h, image::ColorType::Rgb8)
        .expect("encoding a PNG in memory");
    png
}

/// Registers the bundled font once per process.
fn ensure_font() {
    static FONT_ONCE: Once = Once::new();
    FONT_ONCE.call_once(|| {
        for (style, bytes) in [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
        ] {
            if plotters::style::register_font(FONT, style, bytes).is_err() {
                panic!("the bundled DejaVu font is valid");
            }
        }
    });
}

fn color(series: usize) -> RGBColor {
    PALETTE[series % PALETTE.len()]
}

/// Dash and gap of a design's lines, pixels: solid, dashed, dotted, long dashes.
fn stroke(design: usize) -> Option<(u32, u32)> {
    match design % 4 {
        0 => None,
        1 => Some((9, 5)),
        2 => Some((2, 3)),
        _ => Some((16, 4)),
    }
}

/// "A · p99" in a comparison, "p99" otherwise.
fn label(report: &Report<'_>, design: &str, series: &str) -> String {
    if report.designs.len() > 1 {
        format!("{design} · {series}")
    } else {
        series.to_string()
    }
}

/// One design's value of a series in a window, if it has one.
type Extract<'e> = &'e dyn Fn(&WindowRow) -> Option<f64>;

/// Lines of per-window values, one per (design, series); a series' colour is its index.
fn window_lines(report: &Report<'_>, series: &[(&str, Extract<'_>)], scale: f64) -> Vec<Line> {
    let mut lines = Vec::new();
    for (d, design) in report.designs.iter().enumerate() {
        let rows = design.study.windows();
        for (s, (name, extract)) in series.iter().enumerate() {
            lines.push(
                Line::new(report, d, label(report, design.name, name), color(s))
                    .with(points(&rows, extract, scale)),
            );
        }
    }
    lines
}

fn points(rows: &[WindowRow], extract: Extract<'_>, scale: f64) -> Vec<(f64, f64)> {
    rows.iter()
        .filter_map(|r| extract(r).map(|v| (0.5 * (r.start_secs + r.end_secs), v * scale)))
        .collect()
}

/// The names of every design's services or sources, in order of first appearance, and for
/// each design the index of each name in its own list.
fn union(lists: &[Vec<&str>]) -> (Vec<String>, Vec<Vec<Option<usize>>>) {
    let mut names: Vec<String> = Vec::new();
    for name in lists.iter().flatten() {
        if !names.iter().any(|n| n == name) {
            names.push(name.to_string());
        }
    }
    let index = lists
        .iter()
        .map(|list| {
            names
                .iter()
                .map(|n| list.iter().position(|m| m == n))
                .collect()
        })
        .collect();
    (names, index)
}

fn service_names<'a>(report: &Report<'a>) -> Vec<Vec<&'a str>> {
    report.designs.iter().map(Design::service_names).collect()
}

fn source_names<'a>(report: &Report<'a>) -> Vec<Vec<&'a str>> {
    report.designs.iter().map(Design::source_names).collect()
}

/// Lines of one per-entity value (a service's queue depth), one per (design, entity): the
/// colour is the entity's, so a service keeps its colour across designs.
fn entity_lines(
    report: &Report<'_>,
    names: &[Vec<&str>],
    value: &dyn Fn(&WindowRow, usize) -> f64,
    scale: f64,
) -> Vec<Line> {
    let (all, index) = union(names);
    let mut lines = Vec::new();
    for (d, design) in report.designs.iter().enumerate() {
        let rows = design.study.windows();
        for (e, name) in all.iter().enumerate() {
            if let Some(i) = index[d][e] {
                lines.push(
                    Line::new(report, d, label(report, design.name, name), color(e)).with(points(
                        &rows,
                        &|r| Some(value(r, i)),
                        scale,
                    )),
                );
            }
        }
    }
    lines
}

/// Notes for the designs none of whose lines has a point.
fn no_data_notes(report: &Report<'_>, lines: &[Line], what: &str) -> Vec<String> {
    (0..report.designs.len())
        .filter(|d| {
            lines
                .iter()
                .filter(|l| l.design == *d)
                .all(|l| l.points.is_empty())
        })
        .map(|d| match report.designs.len() {
            1 => what.to_string(),
            _ => format!("{}: {what}", report.designs[d].name),
        })
        .collect()
}

/// The end of each design's warm-up and its triggers, once each.
fn markers(report: &Report<'_>) -> Vec<Marker> {
    let mut marks: Vec<Marker> = Vec::new();
    let mut add = |from: f64, to: f64, label: &str, dash| {
        if !marks.iter().any(|m| m.from == from && m.to == to) {
            marks.push(Marker {
                from,
                to,
                label: label.to_string(),
                dash,
                edge: true,
            });
        }
    };
    for design in &report.designs {
        let warmup = design.study.warmup.secs;
        if warmup > 0.0 {
            add(warmup, warmup, "warm-up ends", (7, 4));
        }
        if let Some((from, to)) = trigger_span(&design.study.system) {
            add(from.as_secs_f64(), to.as_secs_f64(), "trigger", (2, 3));
        }
    }
    marks
}

fn time_panel(report: &Report<'_>, y_desc: String, lines: Vec<Line>) -> Panel {
    let markers = markers(report);
    // A second row where labels could meet (the end of the warm-up and a trigger a few
    // minutes apart on a long run overprinted each other in one row).
    let label_rows = markers.len().clamp(1, 2) as u32;
    Panel {
        y_desc,
        x_desc: "simulated time (s)".to_string(),
        log_x: false,
        lines,
        markers,
        y_max: None,
        x_span: Some(run_span(report)),
        notes: Vec::new(),
        label_rows,
        x_ticks: Vec::new(),
    }
}

/// From 0 to the end of the longest time series among the designs.
fn run_span(report: &Report<'_>) -> (f64, f64) {
    let end = report
        .designs
        .iter()
        .filter_map(|d| d.study.windows().last().map(|r| r.end_secs))
        .fold(0.0, f64::max);
    (0.0, end)
}

/// The one unit of a response time axis: seconds once the data reach 10 s, else ms.
#[derive(Clone, Copy)]
struct TimeUnit {
    name: &'static str,
    per_sec: f64,
}

fn time_unit(max_secs: f64) -> TimeUnit {
    if max_secs >= 10.0 {
        TimeUnit {
            name: "s",
            per_sec: 1.0,
        }
    } else {
        TimeUnit {
            name: "ms",
            per_sec: 1e3,
        }
    }
}

fn panels(report: &Report<'_>, chart: Chart) -> Vec<Panel> {
    match chart {
        Chart::LatencyOverTime => latency_panels(report),
        Chart::LatencyCdf => vec![cdf_panel(report)],
        Chart::Throughput => {
            let series: [(&str, Extract<'_>); 3] = [
                ("offered", &|r| Some(r.offered)),
                ("completed", &|r| Some(r.completed)),
                ("goodput", &|r| Some(r.goodput)),
            ];
            let lines = window_lines(report, &series, 1.0);
            vec![time_panel(report, "requests per second".into(), lines)]
        }
        Chart::QueueDepth => {
            let services = service_names(report);
            let depth = entity_lines(report, &services, &|r, i| r.services[i].queue_depth, 1.0);
            let busy = entity_lines(report, &services, &|r, i| r.services[i].utilisation, 100.0);
            let mut utilisation = time_panel(report, "workers busy (%)".into(), busy);
            utilisation.y_max = Some(100.0);
            vec![
                time_panel(report, "requests waiting".into(), depth),
                utilisation,
            ]
        }
        Chart::Errors => {
            let series: [(&str, Extract<'_>); 3] = [
                ("rejected", &|r| Some(r.rejected)),
                ("timed out", &|r| Some(r.timed_out)),
                ("retries", &|r| Some(r.retries)),
            ];
            let lines = window_lines(report, &series, 1.0);
            vec![time_panel(report, "per second".into(), lines)]
        }
        Chart::Workers => vec![workers_panel(report)],
    }
}

/// Workers up over time, one line per (design, service whose worker count changes).
fn workers_panel(report: &Report<'_>) -> Panel {
    let names: Vec<Vec<&str>> = (report.designs.iter())
        .map(|d| d.changing_services().into_iter().map(|(_, n)| n).collect())
        .collect();
    let (all, index) = union(&names);
    let mut lines = Vec::new();
    for (d, design) in report.designs.iter().enumerate() {
        let rows = design.study.windows();
        let ids = design.changing_services();
        for (e, name) in all.iter().enumerate() {
            if let Some(k) = index[d][e] {
                let id = ids[k].0;
                let line = Line::new(report, d, label(report, design.name, name), color(e));
                lines.push(line.with(points(&rows, &|r| Some(r.services[id].workers), 1.0)));
            }
        }
    }
    time_panel(report, "workers up".into(), lines)
}

/// p50 and p99 over time: one panel for all sources, or one per source when a design has
/// several.
fn latency_panels(report: &Report<'_>) -> Vec<Panel> {
    let sources = source_names(report);
    let (names, index) = union(&sources);
    let per_source = sources.iter().any(|s| s.len() > 1);
    let max_secs = report
        .designs
        .iter()
        .flat_map(|d| d.study.windows())
        .filter_map(|r| r.p99_secs)
        .fold(0.0, f64::max);
    let unit = time_unit(max_secs);
    if !per_source {
        let series: [(&str, Extract<'_>); 2] = [("p50", &|r| r.p50_secs), ("p99", &|r| r.p99_secs)];
        let lines = window_lines(report, &series, unit.per_sec);
        let mut panel = time_panel(report, format!("response time ({})", unit.name), lines);
        panel.notes = no_data_notes(report, &panel.lines, "no successful requests");
        return vec![panel];
    }
    (0..names.len())
        .map(|e| {
            let mut lines = Vec::new();
            for (d, design) in report.designs.iter().enumerate() {
                let Some(i) = index[d][e] else { continue };
                let rows = design.study.windows();
                let quantile: [(&str, Extract<'_>); 2] = [
                    ("p50", &|r| r.sources[i].p50_secs),
                    ("p99", &|r| r.sources[i].p99_secs),
                ];
                for (s, (name, extract)) in quantile.iter().enumerate() {
                    lines.push(
                        Line::new(report, d, label(report, design.name, name), color(s))
                            .with(points(&rows, *extract, unit.per_sec)),
                    );
                }
            }
            let y_desc = format!("{}: response time ({})", names[e], unit.name);
            let mut panel = time_panel(report, y_desc, lines);
            panel.notes = no_data_notes(report, &panel.lines, "no successful requests");
            panel
        })
        .collect()
}

/// The distribution of response time, one line per (design, source).
fn cdf_panel(report: &Report<'_>) -> Panel {
    let sources = source_names(report);
    let (names, index) = union(&sources);
    let per_source = sources.iter().any(|s| s.len() > 1);
    // (design, colour, label, latency) for every line.
    let mut all: Vec<(usize, usize, String, Latency)> = Vec::new();
    for (d, design) in report.designs.iter().enumerate() {
        if per_source {
            for (e, name) in names.iter().enumerate() {
                if let Some(i) = index[d][e] {
                    let latency = design.study.latency[i].clone();
                    all.push((d, e, label(report, design.name, name), latency));
                }
            }
        } else {
            let mut merged = Latency::new();
            for l in &design.study.latency {
                merged.merge(l);
            }
            all.push((d, 0, label(report, design.name, "all sources"), merged));
        }
    }
    let max_secs = all
        .iter()
        .flat_map(|(.., l)| l.cdf_points().last().map(|p| p.0))
        .fold(0.0, f64::max);
    let unit = time_unit(max_secs);
    let lines: Vec<Line> = all
        .into_iter()
        .map(|(design, e, label, latency)| {
            Line::new(report, design, label, color(e)).with(
                latency
                    .cdf_points()
                    .into_iter()
                    .filter(|(s, _)| *s > 0.0)
                    .map(|(s, p)| ((s * unit.per_sec).log10(), p))
                    .collect(),
            )
        })
        .collect();
    Panel {
        y_desc: "fraction answered within".to_string(),
        x_desc: format!("response time ({}, log scale)", unit.name),
        log_x: true,
        notes: no_data_notes(report, &lines, "no successful requests"),
        lines,
        markers: Vec::new(),
        y_max: Some(1.0),
        x_span: None,
        label_rows: 1,
        x_ticks: Vec::new(),
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Panel],
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (top, mut rest) = root.split_vertically(TITLE_HEIGHT);
    top.draw(&Text::new(
        title,
        (WIDTH as i32 / 2, TITLE_HEIGHT as i32 / 2),
        (FONT, 20)
            .into_font()
            .style(FontStyle::Bold)
            .color(&BLACK)
            .pos(Pos::new(HPos::Center, VPos::Center)),
    ))?;
    for (panel, height) in panels.iter().zip(heights(panels)) {
        let (area, below) = rest.split_vertically(height);
        draw_panel(&area, panel)?;
        rest = below;
    }
    root.present()
}

/// The data bounds of a panel, never empty.
fn bounds(panel: &Panel) -> (f64, f64, f64) {
    let points = || panel.lines.iter().flat_map(|l| l.points.iter());
    let x_min = points().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = points().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let highs = panel.lines.iter().flat_map(|l| l.bands.iter().flatten());
    let y_max = panel.y_max.unwrap_or_else(|| {
        (points().map(|p| p.1))
            .chain(highs.map(|b| b.2))
            .fold(0.0, f64::max)
            * 1.1
    });
    let (x_min, x_max) = match panel.x_span {
        Some((from, to)) if to > from => (from, to),
        _ if x_min.is_finite() && x_max > x_min => (x_min, x_max),
        _ => (0.0, 1.0),
    };
    (x_min, x_max, if y_max > 0.0 { y_max } else { 1.0 })
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> DrawResult<DB> {
    let (plot, legend) = area.split_horizontally(WIDTH - LEGEND_WIDTH);
    let height = area.dim_in_pixel().1;
    let (x0, x1, y1) = bounds(panel);
    let mut chart = ChartBuilder::on(&plot)
        .margin(10)
        .margin_top(24 + LABEL_ROW * (panel.label_rows.max(1) - 1))
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0.0..y1)?;
    // On a log axis spanning decades only whole ones (1, 10, 100) get a label, in the
    // axis' unit; on one narrower than that (all responses between 100 and 160 ms) no
    // whole decade may fall on a tick, so every tick gets its value.
    let (log_x, decades_only) = (panel.log_x, x1 - x0 >= 1.5);
    let x_fmt = move |v: &f64| match log_x {
        false => tick(*v),
        true if !decades_only => tick(10f64.powf(*v)),
        true if (v - v.round()).abs() < 1e-9 => tick(10f64.powf(v.round())),
        true => String::new(),
    };
    let mut mesh = chart.configure_mesh();
    mesh.x_desc(panel.x_desc.as_str())
        .y_desc(panel.y_desc.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|v| tick(*v))
        .y_labels(if height < 2 * PANEL_HEIGHT { 6 } else { 10 })
        .label_style((FONT, 13))
        .bold_line_style(GRID_BOLD)
        .light_line_style(GRID_LIGHT)
        .x_max_light_lines(2)
        .y_max_light_lines(2);
    if !panel.x_ticks.is_empty() {
        // No key points: no ticks, labels or grid lines of plotters' own on x.
        mesh.x_labels(0);
    }
    mesh.draw()?;
    for &(x, _) in &panel.x_ticks {
        chart.draw_series(std::iter::once(PathElement::new(
            [(x, 0.0), (x, y1)],
            GRID_BOLD,
        )))?;
    }
    for m in &panel.markers {
        if m.to > m.from {
            chart.draw_series(std::iter::once(Rectangle::new(
                [(m.from, 0.0), (m.to.min(x1), y1)],
                BLACK.mix(0.06).filled(),
            )))?;
        }
        if m.edge {
            chart.draw_series(DashedLineSeries::new(
                [(m.from, 0.0), (m.from, y1)],
                m.dash.0,
                m.dash.1,
                BLACK.stroke_width(1),
            ))?;
        }
    }
    for line in &panel.lines {
        let fill = line.color.mix(0.16).filled();
        for band in &line.bands {
            let clamp = |y: f64| y.clamp(0.0, y1);
            match band.as_slice() {
                [] => {}
                [(x, low, high)] => {
                    let bar = [(*x, clamp(*low)), (*x, clamp(*high))];
                    chart.draw_series(std::iter::once(PathElement::new(bar, line.color)))?;
                }
                band => {
                    let upper = band.iter().map(|&(x, _, high)| (x, clamp(high)));
                    let lower = band.iter().rev().map(|&(x, low, _)| (x, clamp(low)));
                    let outline: Vec<(f64, f64)> = upper.chain(lower).collect();
                    chart.draw_series(std::iter::once(Polygon::new(outline, fill)))?;
                }
            }
        }
    }
    for line in &panel.lines {
        let (style, dash) = line.style();
        for segment in line.segments() {
            let points = segment.iter().copied();
            match dash {
                None => chart.draw_series(LineSeries::new(points, style))?,
                Some((dash, gap)) => {
                    chart.draw_series(DashedLineSeries::new(points, dash, gap, style))?
                }
            };
        }
        if line.dots {
            let dot = |&(x, y): &(f64, f64)| Circle::new((x, y), 3, line.color.filled());
            chart.draw_series(line.points.iter().map(dot))?;
        }
    }
    // Pixel positions, relative to the plot's drawing area.
    let (bx, by) = plot.get_base_pixel();
    let pixel = |x: f64, y: f64| {
        let (px, py) = chart.backend_coord(&(x, y));
        (px - bx, py - by)
    };
    let marks: Vec<(i32, &str)> = panel
        .markers
        .iter()
        .map(|m| (pixel(m.from, y1).0, m.label.as_str()))
        .collect();
    let ((left, bottom), (right, top)) = (pixel(x0, 0.0), pixel(x1, y1));
    let width = plot.dim_in_pixel().0 as i32;
    marker_labels(&plot, marks, (top, width), panel.label_rows)?;
    let ticks: Vec<(i32, &str)> = (panel.x_ticks.iter())
        .map(|(x, label)| (pixel(*x, 0.0).0, label.as_str()))
        .collect();
    x_tick_labels(&plot, &ticks, bottom)?;
    notes(
        &plot,
        ((left + right) / 2, (top + bottom) / 2),
        &panel.notes,
    )?;
    draw_legend(&legend, &panel.lines)
}

/// Each marker's label above the plot, beside its line at pixel x, in the first free
/// place of: right of it, left of it, then the same in each further row above. A label
/// runs into another when their spans overlap, and into the edge of the plot's drawing
/// area at `right`, where it would be cut.
/// When no place is free it goes left of its line in the first row: with one row, a label
/// close after another sits on the other side of its line.
fn marker_labels<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    mut marks: Vec<(i32, &str)>,
    (top, right): (i32, i32),
    rows: u32,
) -> DrawResult<DB> {
    let style = (FONT, 13).into_font().color(&BLACK);
    marks.sort_by_key(|m| m.0);
    // (row, start, end) of each label placed.
    let mut placed: Vec<(u32, i32, i32)> = Vec::new();
    for (x, label) in marks {
        let width = plot.estimate_text_size(label, &style)?.0 as i32;
        let free = |row: u32, (a, b): (i32, i32)| {
            b <= right && (placed.iter()).all(|&(r, pa, pb)| r != row || a > pb || b < pa)
        };
        let mut candidates = (0..rows.max(1)).flat_map(|row| {
            [
                (row, HPos::Left, (x + 4, x + 4 + width)),
                (row, HPos::Right, (x - 4 - width, x - 4)),
            ]
        });
        let (row, h_pos, span) = candidates
            .find(|&(row, _, span)| free(row, span))
            .unwrap_or((0, HPos::Right, (x - 4 - width, x - 4)));
        placed.push((row, span.0, span.1));
        let pos = Pos::new(h_pos, VPos::Bottom);
        let y = top - 3 - LABEL_ROW as i32 * row as i32;
        let dx = if matches!(h_pos, HPos::Left) { 4 } else { -4 };
        plot.draw(&Text::new(label, (x + dx, y), style.pos(pos)))?;
    }
    Ok(())
}

/// Tick marks and labels under the x axis at `bottom`, at the given pixel x.
fn x_tick_labels<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    ticks: &[(i32, &str)],
    bottom: i32,
) -> DrawResult<DB> {
    let style = (FONT, 13)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Center, VPos::Top));
    for &(x, label) in ticks {
        plot.draw(&PathElement::new([(x, bottom), (x, bottom + 5)], BLACK))?;
        plot.draw(&Text::new(label, (x, bottom + 10), style.clone()))?;
    }
    Ok(())
}

/// Notes ("no successful requests") centred in the plot, at pixel `centre`.
fn notes<DB: DrawingBackend>(
    plot: &DrawingArea<DB, Shift>,
    (cx, cy): (i32, i32),
    notes: &[String],
) -> DrawResult<DB> {
    let style = (FONT, 15)
        .into_font()
        .color(&RGBColor(90, 90, 90))
        .pos(Pos::new(HPos::Center, VPos::Center));
    let first = cy - 10 * (notes.len() as i32 - 1);
    for (i, note) in notes.iter().enumerate() {
        plot.draw(&Text::new(
            note.as_str(),
            (cx, first + 20 * i as i32),
            style.clone(),
        ))?;
    }
    Ok(())
}

/// The legend, in its own strip: a sample of each line's colour and stroke, and its label.
fn draw_legend<DB: DrawingBackend>(
    legend: &DrawingArea<DB, Shift>,
    lines: &[Line],
) -> DrawResult<DB> {
    let style = (FONT, 14)
        .into_font()
        .color(&BLACK)
        .pos(Pos::new(HPos::Left, VPos::Center));
    for (i, line) in lines.iter().enumerate() {
        let y = 30 + (i as u32 * ENTRY_HEIGHT) as i32;
        let sample = [(4, y), (34, y)];
        let (stroke_style, dash) = line.style();
        match dash {
            None => legend.draw(&PathElement::new(sample, stroke_style))?,
            Some((dash, gap)) => {
                legend.draw(&DashedPathElement::new(sample, dash, gap, stroke_style))?
            }
        }
        if line.dots {
            legend.draw(&Circle::new((19, y), 3, line.color.filled()))?;
        }
        legend.draw(&Text::new(line.label.as_str(), (42, y), style.clone()))?;
    }
    Ok(())
}

/// An axis tick: up to three significant digits, no trailing zeros.
fn tick(v: f64) -> String {
    let text = if v.abs() >= 100.0 || v == 0.0 {
        format!("{v:.0}")
    } else if v.abs() >= 10.0 {
        format!("{v:.1}")
    } else if v.abs() >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    };
    if text.contains('.') {
        text.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        text
    }
}

#[cfg(test)]
mod tests;
