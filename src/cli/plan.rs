//! `spillway plan`: the smallest value of one knob that meets every SLO, at the
//! scenario's load and at each headroom factor.

use std::path::{Path, PathBuf};

use anyhow::Context;

use super::Failure;
use super::capacity::points;
use super::commands::{command_line, default_report_dir, print};
use super::progress::Progress;
use super::slo;
use spillway::experiment::{self, Effort, Slo};
use spillway::model::{MAX_THRESHOLDS, System};
use spillway::report::{self, PlanAtLoad, PlanReport};
use spillway::scenario;
use spillway::stats::{Figure, trigger_span};

/// The candidates of `--vary KEY` without values: whole numbers from 1 to this.
const DEFAULT_MAX: u32 = 1024;

/// What `plan` was asked.
pub(crate) struct PlanRequest<'a> {
    pub(crate) file: &'a Path,
    pub(crate) vary: &'a str,
    pub(crate) slos: &'a [String],
    pub(crate) headroom: Option<&'a str>,
    pub(crate) effort: Effort,
    pub(crate) seed: Option<u64>,
    pub(crate) json: bool,
    pub(crate) report: Option<Option<PathBuf>>,
    pub(crate) quiet: bool,
}

pub(crate) fn plan(request: &PlanRequest<'_>) -> Result<(), Failure> {
    let spec = match request.vary.contains('=') {
        true => request.vary.to_string(),
        false => format!("{}=1..{DEFAULT_MAX}:1", request.vary),
    };
    let axis =
        scenario::parse_axis(&spec).map_err(|e| Failure::Input(format!("error: --vary {e}")))?;
    let points = points(request.file, vec![axis], request.seed)?;
    let knob = points.grid.axes()[0].clone();
    if knob.values.windows(2).any(|w| w[1].number <= w[0].number) {
        return Err(Failure::Input(format!(
            "error: --vary {}: give the values in increasing order",
            knob.name()
        )));
    }
    let slos = (request.slos.iter())
        .map(|text| slo::parse(text, &points.systems[0]))
        .collect::<Result<Vec<Slo>, _>>()
        .map_err(|e| Failure::Input(format!("error: --slo {e}")))?;
    let first = &points.systems[0];
    if slos.iter().any(|s| s.figure == Figure::NotRecovered) && trigger_span(first).is_none() {
        return Err(Failure::Input(format!(
            "error: --slo not_recovered: {} has no trigger (a change of load or capacity after \
             the warm-up, such as a spike), so there is no recovery to judge",
            points.path
        )));
    }
    let extra = slo::thresholds(&slos);
    let systems: Vec<System> = (points.systems.into_iter())
        .map(|s| s.with_thresholds(&extra))
        .collect();
    let count = systems[0].simulation().thresholds.len();
    if count > MAX_THRESHOLDS {
        return Err(Failure::Input(format!(
            "error: {count} thresholds in all (the scenario's and the SLOs'); at most \
             {MAX_THRESHOLDS} are counted"
        )));
    }
    let factors = headroom(request.headroom)?;
    let progress = Progress::new(
        factors.len() as u64 * 4 * request.effort.chunk,
        request.quiet,
    );
    let loads = (factors.iter())
        .map(|&factor| {
            let candidates = (systems.iter())
                .map(|s| s.clone().with_load(factor))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| Failure::Input(format!("error: --headroom {factor}: {e}")))?;
            let answer =
                experiment::search(&candidates, &slos, request.effort, &|| progress.tick());
            Ok(PlanAtLoad {
                factor,
                candidates,
                answer,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    progress.finish();
    let command = command_line();
    let report = PlanReport {
        command: &command,
        scenario_path: &points.path,
        scenario_text: &points.text,
        knob: &knob,
        slos: &slos,
        loads: &loads,
    };
    let mut text = if request.json {
        String::from_utf8_lossy(&report::render_plan_json(&report)).into_owned()
    } else {
        super::term::plan(&report)
    };
    if let Some(dir) = &request.report {
        let dir =
            (dir.clone()).unwrap_or_else(|| default_report_dir(&format!("plan-{}", points.name)));
        report::write_files(&dir, &report::plan_files(&report))
            .with_context(|| format!("writing the report into '{}'", dir.display()))
            .map_err(Failure::Run)?;
        if !request.json {
            text.push_str(&format!("report: {}\n", dir.join("report.html").display()));
        }
    }
    print(&text)?;
    match loads.iter().all(|l| l.answer.found.is_some()) {
        true => Ok(()),
        false => Err(Failure::Unmet),
    }
}

/// The load factors to plan for: 1, then those of `--headroom`.
fn headroom(list: Option<&str>) -> Result<Vec<f64>, Failure> {
    let mut factors = vec![1.0];
    for text in list.into_iter().flat_map(|l| l.split(',')) {
        match text.trim().parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 => factors.push(f),
            _ => {
                return Err(Failure::Input(format!(
                    "error: --headroom: '{text}' is not a load factor (a number > 0, such as 1.5)"
                )));
            }
        }
    }
    Ok(factors)
}
