//! The files of a plan's report: the plan in words and a table of the candidates run, then
//! the curves of those candidates drawn as a sweep's report draws them.

use super::super::charts::sweep::{self as charts, SweepChart};
use super::super::document::Block;
use super::super::format::{half_width, value};
use super::super::sweep::{document, render_points_csv};
use super::super::{SweepReport, html, markdown, render_plan_json};
use super::{PlanReport, plan_verdicts, verdict_label};
use crate::experiment::{PointResult, SweepResult};
use crate::model::{Axis, Grid};
use crate::stats::keys;

/// Every file of a plan's report directory: `report.html`, `report.md`, `summary.json`
/// (the plan document), `points.csv` (every candidate run at the scenario's load) and the
/// charts of those candidates, each as SVG and PNG.
pub fn plan_files(report: &PlanReport<'_>) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![("summary.json".to_string(), render_plan_json(report))];
    let Some(sweep) = candidates_as_sweep(report) else {
        let blocks: Vec<Block<SweepChart>> = plan_blocks(report);
        files.push((
            "report.html".into(),
            html::render_blocks(blocks.clone(), |_| Vec::new()),
        ));
        files.push(("report.md".into(), markdown::render_blocks(blocks)));
        return files;
    };
    let curves = SweepReport {
        command: report.command,
        scenario_path: report.scenario_path,
        scenario_text: report.scenario_text,
        sweep: &sweep,
    };
    let mut blocks = plan_blocks(report);
    blocks.push(Block::Heading(
        2,
        "The candidates run at the scenario's load".into(),
    ));
    blocks.push(Block::Para(
        "The values below are those the search ran, in increasing order, each with the \
         replications it needed to decide; read as a sweep of them."
            .into(),
    ));
    // The sweep's own blocks, without its title.
    blocks.extend(
        document::blocks(&curves)
            .into_iter()
            .skip(1)
            .map(|b| match b {
                Block::Heading(level, text) => Block::Heading(level.max(2) + 1, text),
                other => other,
            }),
    );
    files.push((
        "report.html".into(),
        html::render_blocks(blocks.clone(), |chart| charts::render_svg(&curves, chart)),
    ));
    files.push(("report.md".into(), markdown::render_blocks(blocks)));
    files.push(("points.csv".into(), render_points_csv(&curves)));
    for chart in SweepChart::of(&curves) {
        let stem = chart.file_stem();
        files.push((format!("{stem}.svg"), charts::render_svg(&curves, chart)));
        files.push((format!("{stem}.png"), charts::render_png(&curves, chart)));
    }
    files
}

/// The title, the verdict at each load, and per load a row per candidate run.
fn plan_blocks(report: &PlanReport<'_>) -> Vec<Block<SweepChart>> {
    let slos: Vec<&str> = report.slos.iter().map(|s| s.text.as_str()).collect();
    let mut out = vec![
        Block::Heading(1, format!("spillway plan: {}", report.scenario_path)),
        Block::List(vec![
            format!("spillway {}", env!("CARGO_PKG_VERSION")),
            format!("command: {}", report.command),
            format!("knob: {}; SLOs: {}", report.knob.name(), slos.join(", ")),
        ]),
        Block::Para(
            "A candidate meets an SLO when the whole 95% interval of its figure (Student t \
             over its replications; Wilson for the share that did not recover) lies on the \
             good side of the threshold, and fails it when the interval lies wholly on the \
             other; replications are added until every SLO is decided or the bound is \
             reached. The value below the answer is always run."
                .into(),
        ),
        Block::Heading(2, "Answer".into()),
    ];
    for (verdict, at) in plan_verdicts(report).into_iter().zip(report.loads) {
        out.push(Block::Para(verdict));
        if at.answer.evaluated.is_empty() {
            continue;
        }
        let mut head = vec![
            report.knob.name().to_string(),
            "replications".into(),
            "verdict".into(),
        ];
        head.extend(slos.iter().map(|s| s.to_string()));
        let rows = (at.answer.evaluated.iter())
            .map(|c| {
                let verdict = verdict_label(c);
                let mut row = vec![
                    report.knob.values[c.index].text.clone(),
                    c.samples.len().to_string(),
                    verdict.to_string(),
                ];
                row.extend(report.slos.iter().zip(&c.checks).map(|(slo, check)| {
                    let unit = slo.figure.unit();
                    check.estimate.map_or_else(
                        || slo.figure.missing_reason().to_string(),
                        |e| format!("{} {}", value(unit, e.mean), half_width(unit, &e)),
                    )
                }));
                row
            })
            .collect();
        out.push(Block::Table { head, rows });
    }
    out
}

/// The candidates run at the scenario's load (the first of `loads`), as the points of a
/// sweep over the knob; `None` when none was run.
fn candidates_as_sweep(report: &PlanReport<'_>) -> Option<SweepResult> {
    let at = report.loads.first()?;
    let run = &at.answer.evaluated;
    let first = run.first()?;
    let knob = Axis {
        values: run
            .iter()
            .map(|c| report.knob.values[c.index].clone())
            .collect(),
        ..report.knob.clone()
    };
    let grid = Grid::new(vec![knob]).ok()?;
    Some(SweepResult {
        grid,
        replications: run
            .iter()
            .map(|c| c.samples.len() as u64)
            .max()
            .unwrap_or(0),
        keys: keys(&at.candidates[first.index]),
        points: (run.iter())
            .map(|c| PointResult {
                system: at.candidates[c.index].clone(),
                refused: c.refused.clone(),
                samples: c.samples.clone(),
            })
            .collect(),
    })
}
