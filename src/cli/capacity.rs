//! The capacity-planning commands: `sweep` (every point of a grid) and, on top of it,
//! `plan` (the smallest value that meets the SLOs).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::Failure;
use super::commands::{command_line, default_report_dir, print, print_warnings, read, render};
use super::progress::Progress;
use super::term;
use spillway::experiment::{self, Shard, SweepResult};
use spillway::model::{Axis, Grid, System};
use spillway::report::{self, SweepReport};
use spillway::scenario;

/// What `sweep` was asked to vary, and how.
pub(crate) struct SweepRequest<'a> {
    pub(crate) file: &'a Path,
    pub(crate) vary: &'a [String],
    pub(crate) load: Option<&'a str>,
    /// `None`: the file's `[sweep]` replications, or 10.
    pub(crate) replications: Option<u64>,
    pub(crate) seed: Option<u64>,
    pub(crate) json: bool,
    pub(crate) report: Option<Option<PathBuf>>,
    pub(crate) quiet: bool,
}

/// A scenario and the systems of every point of a grid over it.
pub(crate) struct Points {
    pub(crate) path: String,
    pub(crate) name: String,
    pub(crate) text: String,
    pub(crate) grid: Grid,
    pub(crate) systems: Vec<System>,
    /// The replications the file's `[sweep]` asks for, if it does.
    pub(crate) replications: Option<u64>,
}

/// Reads the scenario, checks it as written, and builds the system of every point of the
/// grid of `axes` (or, with none, of the file's `[sweep]`); exit 2 with the diagnostics of
/// the first point that is invalid.
pub(crate) fn points(file: &Path, axes: Vec<Axis>, seed: Option<u64>) -> Result<Points, Failure> {
    let (path, name, text) = read(file).map_err(|d| Failure::Input(render(&d)))?;
    let parsed = scenario::parse_with_warnings(&text, &path)
        .map_err(|e| Failure::Input(render(&e.diagnostics)))?;
    print_warnings(&parsed.warnings);
    let (grid, replications) = match (axes.is_empty(), parsed.sweep) {
        (true, Some(declared)) => (declared.grid, declared.replications),
        (_, declared) => (
            Grid::new(axes).map_err(|e| {
                Failure::Input(format!(
                    "error: {e}, or declare a [sweep] table in the file"
                ))
            })?,
            declared.and_then(|d| d.replications),
        ),
    };
    let systems = (0..grid.len())
        .map(|point| {
            let system = scenario::point_system(&text, &path, &grid, point)
                .map_err(|e| Failure::Input(render(&e.diagnostics)))?;
            Ok(match seed {
                Some(seed) => system.with_seed(seed),
                None => system,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    Ok(Points {
        path,
        name,
        text,
        grid,
        systems,
        replications,
    })
}

/// The axes of `--vary` and `--load`, in that order.
pub(crate) fn axes(vary: &[String], load: Option<&str>) -> Result<Vec<Axis>, Failure> {
    let mut axes = (vary.iter())
        .map(|spec| scenario::parse_axis(spec))
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| Failure::Input(format!("error: --vary {e}")))?;
    if let Some(load) = load {
        axes.push(
            scenario::parse_load(load).map_err(|e| Failure::Input(format!("error: --load {e}")))?,
        );
    }
    Ok(axes)
}

/// Runs every point; prints the table (or the document with `json`) and writes the report.
pub(crate) fn sweep(request: &SweepRequest<'_>) -> Result<(), Failure> {
    let points = points(
        request.file,
        axes(request.vary, request.load)?,
        request.seed,
    )?;
    let replications = request.replications.or(points.replications).unwrap_or(10);
    let work = experiment::work_list(&experiment::refusals(&points.systems), replications);
    let progress = Progress::new(work.len() as u64, request.quiet);
    // Wall-clock time is measured here only, and printed to stderr, never into results.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let runs = experiment::sweep(&points.systems, replications, Shard::WHOLE, &|| {
        progress.tick()
    });
    progress.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let result = SweepResult::assemble(
        points.grid.clone(),
        replications,
        points.systems.clone(),
        runs,
    )
    .map_err(|e| Failure::Run(anyhow::anyhow!(e)))?;
    let command = command_line();
    let report = SweepReport {
        command: &command,
        scenario_path: &points.path,
        scenario_text: &points.text,
        sweep: &result,
    };
    let mut text = if request.json {
        String::from_utf8_lossy(&report::render_sweep_json(&report)).into_owned()
    } else {
        term::sweep(&result)
    };
    if let Some(dir) = &request.report {
        let dir = dir
            .clone()
            .unwrap_or_else(|| default_report_dir(&format!("sweep-{}", points.name)));
        report::write_files(&dir, &report::sweep_files(&report))
            .with_context(|| format!("writing the report into '{}'", dir.display()))
            .map_err(Failure::Run)?;
        if !request.json {
            text.push_str(&format!("report: {}\n", dir.join("report.html").display()));
        }
    }
    print(&text)?;
    if !request.quiet {
        eprintln!(
            "{} points × {} replications in {elapsed:.1} s",
            points.grid.len(),
            replications
        );
    }
    Ok(())
}
