//! Charts drawn with plotters, as SVG text or PNG bytes, from the same drawing code.
//!
//! Text is drawn with DejaVu Sans, bundled in the binary and registered with plotters'
//! ab_glyph backend on first use, so charts render identically on any machine (no
//! fontconfig, no system fonts). Each design of a comparison is overlaid on the same axes.

use std::sync::Once;

use image::ImageEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use plotters::coord::Shift;
use plotters::prelude::*;

use super::Report;
use crate::stats::{Latency, WindowRow};
use bitmap::PngBackend;

mod bitmap;

/// The font family name under which the bundled font is registered.
const FONT: &str = "sans-serif";
/// Pixel size of every chart.
const SIZE: (u32, u32) = (960, 420);
/// Tableau 10: distinct for colour-blind readers in most pairs.
const PALETTE: [RGBColor; 10] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(127, 127, 127),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
];

/// The charts of a report.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Chart {
    /// p50 and p99 response time per window.
    LatencyOverTime,
    /// Distribution function of response time, log time axis.
    LatencyCdf,
    /// Offered, completed and goodput per second.
    Throughput,
    /// Requests waiting, inside, and worker utilisation.
    QueueDepth,
    /// Rejections, timeouts and retries per second.
    Errors,
}

impl Chart {
    /// Every chart, in report order.
    pub const ALL: [Chart; 5] = [
        Chart::LatencyOverTime,
        Chart::LatencyCdf,
        Chart::Throughput,
        Chart::QueueDepth,
        Chart::Errors,
    ];

    /// File stem ("latency-over-time").
    pub fn file_stem(self) -> &'static str {
        match self {
            Chart::LatencyOverTime => "latency-over-time",
            Chart::LatencyCdf => "latency-cdf",
            Chart::Throughput => "throughput",
            Chart::QueueDepth => "queue-depth",
            Chart::Errors => "retries-rejections",
        }
    }

    /// Title shown above the chart.
    pub fn title(self) -> &'static str {
        match self {
            Chart::LatencyOverTime => "Response time over time (p50, p99 per window)",
            Chart::LatencyCdf => "Response time distribution (CDF, log time axis)",
            Chart::Throughput => "Throughput over time",
            Chart::QueueDepth => "Queue depth and utilisation over time",
            Chart::Errors => "Rejections, timeouts and retries over time",
        }
    }

    /// One sentence on how to read it.
    pub fn caption(self) -> &'static str {
        match self {
            Chart::LatencyOverTime => {
                "End-to-end response time of requests finishing in each window, all sources \
                 together; the grey line marks the end of the warm-up."
            }
            Chart::LatencyCdf => {
                "Fraction of completed requests (measured period, all replications) answered \
                 within a given time: the further left, the faster; the tail is on the right."
            }
            Chart::Throughput => {
                "Offered: requests started by clients; completed: requests answered, \
                 whatever the outcome (a rejection or a timeout is an answer too); goodput: \
                 requests answered with success."
            }
            Chart::QueueDepth => {
                "Time-average number of requests waiting in queues and inside the system, \
                 and the share of all workers busy."
            }
            Chart::Errors => {
                "Work turned away by full queues, attempts whose caller gave up waiting, and \
                 retries sent by clients."
            }
        }
    }
}

/// One line on a panel.
struct Line {
    label: String,
    color: RGBColor,
    points: Vec<(f64, f64)>,
}

/// One set of axes.
struct Panel {
    y_desc: &'static str,
    x_desc: &'static str,
    /// The x values are log10 of milliseconds.
    log_x: bool,
    lines: Vec<Line>,
    /// Vertical markers (end of warm-up), x values.
    markers: Vec<f64>,
    y_max: Option<f64>,
    /// The x range to show whatever the data covers (the whole run, for time charts, so a
    /// series that stops, such as the latency of successes in an outage, does not shorten
    /// the axis).
    x_span: Option<(f64, f64)>,
    legend: SeriesLabelPosition,
}

/// The chart as an SVG document. Same report, same bytes.
pub fn render_svg(report: &Report<'_>, chart: Chart) -> Vec<u8> {
    ensure_font();
    let panels = panels(report, chart);
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, SIZE).into_drawing_area();
        draw(&root, chart.title(), &panels).expect("drawing to memory with a bundled font");
    }
    svg.push('\n');
    svg.into_bytes()
}

/// The chart as a PNG image.
pub fn render_png(report: &Report<'_>, chart: Chart) -> Vec<u8> {
    ensure_font();
    let panels = panels(report, chart);
    let (w, h) = SIZE;
    let mut pixels = vec![0u8; (w * h * 3) as usize];
    {
        let root = PngBackend::new(&mut pixels, SIZE).into_drawing_area();
        draw(&root, chart.title(), &panels).expect("drawing to memory with a bundled font");
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

fn color(design: usize, series: usize, series_count: usize) -> RGBColor {
    PALETTE[(design * series_count + series) % PALETTE.len()]
}

/// "A · p99" in a comparison, "p99" otherwise.
fn label(report: &Report<'_>, design: &str, series: &str) -> String {
    if report.designs.len() > 1 {
        format!("{design} · {series}")
    } else {
        series.to_string()
    }
}

type Extract = fn(&WindowRow) -> Option<f64>;

/// Lines of per-window values, one per (design, series).
fn window_lines(report: &Report<'_>, series: &[(&str, Extract)], scale: f64) -> Vec<Line> {
    let mut lines = Vec::new();
    for (d, design) in report.designs.iter().enumerate() {
        let rows = design.study.windows();
        for (s, (name, extract)) in series.iter().enumerate() {
            lines.push(Line {
                label: label(report, design.name, name),
                color: color(d, s, series.len()),
                points: rows
                    .iter()
                    .filter_map(|r| {
                        extract(r).map(|v| (0.5 * (r.start_secs + r.end_secs), v * scale))
                    })
                    .collect(),
            });
        }
    }
    lines
}

fn warmup_markers(report: &Report<'_>) -> Vec<f64> {
    let mut marks: Vec<f64> = report.designs.iter().map(|d| d.study.warmup.secs).collect();
    marks.dedup();
    marks.retain(|m| *m > 0.0);
    marks
}

fn time_panel(report: &Report<'_>, y_desc: &'static str, lines: Vec<Line>) -> Panel {
    Panel {
        y_desc,
        x_desc: "simulated time (s)",
        log_x: false,
        lines,
        markers: warmup_markers(report),
        y_max: None,
        x_span: Some(run_span(report)),
        legend: SeriesLabelPosition::UpperRight,
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

fn panels(report: &Report<'_>, chart: Chart) -> Vec<Panel> {
    match chart {
        Chart::LatencyOverTime => {
            let series: [(&str, Extract); 2] = [("p50", |r| r.p50_secs), ("p99", |r| r.p99_secs)];
            vec![time_panel(
                report,
                "response time (ms)",
                window_lines(report, &series, 1e3),
            )]
        }
        Chart::LatencyCdf => vec![cdf_panel(report)],
        Chart::Throughput => {
            let series: [(&str, Extract); 3] = [
                ("offered", |r| Some(r.offered)),
                ("completed", |r| Some(r.completed)),
                ("goodput", |r| Some(r.goodput)),
            ];
            vec![time_panel(
                report,
                "requests per second",
                window_lines(report, &series, 1.0),
            )]
        }
        Chart::QueueDepth => {
            let levels: [(&str, Extract); 2] = [
                ("waiting in queues", |r| Some(r.queue_depth)),
                ("inside the system", |r| Some(r.in_flight)),
            ];
            let busy: [(&str, Extract); 1] = [("utilisation", |r| Some(r.utilisation))];
            let mut utilisation = time_panel(
                report,
                "workers busy (%)",
                window_lines(report, &busy, 100.0),
            );
            utilisation.y_max = Some(100.0);
            utilisation.legend = SeriesLabelPosition::LowerRight;
            vec![
                time_panel(report, "requests", window_lines(report, &levels, 1.0)),
                utilisation,
            ]
        }
        Chart::Errors => {
            let series: [(&str, Extract); 3] = [
                ("rejected", |r| Some(r.rejected)),
                ("timed out", |r| Some(r.timed_out)),
                ("retries", |r| Some(r.retries)),
            ];
            vec![time_panel(
                report,
                "per second",
                window_lines(report, &series, 1.0),
            )]
        }
    }
}

fn cdf_panel(report: &Report<'_>) -> Panel {
    let lines = report
        .designs
        .iter()
        .enumerate()
        .map(|(d, design)| {
            let mut all = Latency::new();
            for l in &design.study.latency {
                all.merge(l);
            }
            Line {
                label: label(report, design.name, "all sources"),
                color: color(d, 0, 1),
                points: all
                    .cdf_points()
                    .into_iter()
                    .filter(|(s, _)| *s > 0.0)
                    .map(|(s, p)| ((s * 1e3).log10(), p))
                    .collect(),
            }
        })
        .collect();
    Panel {
        y_desc: "fraction completed within",
        x_desc: "response time (ms, log scale)",
        log_x: true,
        lines,
        markers: Vec::new(),
        y_max: Some(1.0),
        x_span: None,
        legend: SeriesLabelPosition::LowerRight,
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    panels: &[Panel],
) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let root = root.titled(title, (FONT, 20).into_font().style(FontStyle::Bold))?;
    for (area, panel) in root.split_evenly((panels.len(), 1)).iter().zip(panels) {
        draw_panel(area, panel)?;
    }
    root.present()
}

/// The data bounds of a panel, never empty.
fn bounds(panel: &Panel) -> (f64, f64, f64) {
    let points = || panel.lines.iter().flat_map(|l| l.points.iter());
    let x_min = points().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let x_max = points().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    let y_max = panel
        .y_max
        .unwrap_or_else(|| points().map(|p| p.1).fold(0.0, f64::max) * 1.1);
    let (x_min, x_max) = match panel.x_span {
        Some((from, to)) if to > from => (from, to),
        _ if x_min.is_finite() && x_max > x_min => (x_min, x_max),
        _ => (0.0, 1.0),
    };
    (x_min, x_max, if y_max > 0.0 { y_max } else { 1.0 })
}

fn draw_panel<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, panel: &Panel) -> DrawResult<DB> {
    let (x0, x1, y1) = bounds(panel);
    let mut chart = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(36)
        .y_label_area_size(64)
        .build_cartesian_2d(x0..x1, 0.0..y1)?;
    let log_x = panel.log_x;
    // On the log axis only whole decades (1, 10, 100 ms) get a label.
    let x_fmt = move |v: &f64| match log_x {
        false => tick(*v),
        true if (v - v.round()).abs() < 1e-9 => ms_tick(10f64.powf(v.round())),
        true => String::new(),
    };
    chart
        .configure_mesh()
        .x_desc(panel.x_desc)
        .y_desc(panel.y_desc)
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&|v| tick(*v))
        .label_style((FONT, 13))
        .light_line_style(RGBColor(238, 238, 238))
        .x_max_light_lines(2)
        .y_max_light_lines(2)
        .draw()?;
    for (i, m) in panel.markers.iter().enumerate() {
        let series = chart.draw_series(LineSeries::new(
            [(*m, 0.0), (*m, y1)],
            RGBColor(150, 150, 150),
        ))?;
        if i == 0 {
            series.label("end of warm-up").legend(|(x, y)| {
                PathElement::new(vec![(x, y), (x + 18, y)], RGBColor(150, 150, 150))
            });
        }
    }
    for line in &panel.lines {
        let c = line.color;
        chart
            .draw_series(LineSeries::new(
                line.points.iter().copied(),
                c.stroke_width(2),
            ))?
            .label(line.label.as_str())
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 18, y)], c.stroke_width(2)));
    }
    chart
        .configure_series_labels()
        .position(panel.legend.clone())
        .background_style(WHITE.mix(0.85))
        .border_style(RGBColor(190, 190, 190))
        .label_font((FONT, 13))
        .draw()
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

/// A log-axis tick in milliseconds.
fn ms_tick(ms: f64) -> String {
    if ms >= 1000.0 {
        format!("{} s", tick(ms / 1000.0))
    } else {
        tick(ms)
    }
}

#[cfg(test)]
mod tests;
