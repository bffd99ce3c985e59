//! The capacity-planning commands: `sweep` (every point of a grid) and, on top of it,
//! `plan` (the smallest value that meets the SLOs).

use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::Failure;
use super::commands::{
    default_report_dir, file_argument, print, print_warnings, read, render, shell_command,
};
use super::progress::Progress;
use super::term;
use spillway::experiment::{self, Shard, SweepResult};
use spillway::model::{Axis, Grid, MAX_RUNS, System};
use spillway::report::{self, SweepReport};
use spillway::scenario;

/// Replications per point when neither the command line nor the file's `[sweep]` says.
const DEFAULT_REPLICATIONS: u64 = 10;

/// What a sweep runs: with the scenario, everything that decides its numbers. Empty
/// `vary` and no `load`: the axes of the file's `[sweep]`.
#[derive(Clone, Copy)]
pub(crate) struct SweepSpec<'a> {
    pub(crate) vary: &'a [String],
    pub(crate) load: Option<&'a str>,
    /// `None`: the file's `[sweep]` replications, or [`DEFAULT_REPLICATIONS`].
    pub(crate) replications: Option<u64>,
    pub(crate) seed: Option<u64>,
}

/// Where a sweep's results go: the tables or the document on stdout, and the report.
pub(crate) struct Output {
    pub(crate) json: bool,
    pub(crate) report: Option<Option<PathBuf>>,
    pub(crate) quiet: bool,
}

/// `spillway sweep`: the scenario, the sweep, and either a part to write (`--shard I/N
/// --out FILE`) or the output.
pub(crate) struct SweepRequest<'a> {
    pub(crate) file: &'a Path,
    pub(crate) spec: SweepSpec<'a>,
    pub(crate) part: Option<(Shard, &'a Path)>,
    pub(crate) output: Output,
}

impl SweepSpec<'_> {
    /// Replications per point.
    pub(crate) fn replications(&self) -> u64 {
        self.replications.unwrap_or(DEFAULT_REPLICATIONS)
    }

    /// The axes of `--vary` and `--load`, in that order.
    pub(crate) fn axes(&self) -> Result<Vec<Axis>, Failure> {
        axes(self.vary, self.load)
    }

    /// The arguments of `spillway sweep` that give this sweep of the scenario at `path`:
    /// the file, each `--vary`, `--load`, `--replications` and `--seed` when given.
    pub(crate) fn arguments(&self, path: &str) -> Vec<String> {
        let mut args = vec!["sweep".to_string(), file_argument(path).to_string()];
        for vary in self.vary {
            args.extend(["--vary".to_string(), vary.clone()]);
        }
        if let Some(load) = self.load {
            args.extend(["--load".to_string(), load.to_string()]);
        }
        args.extend([
            "--replications".to_string(),
            self.replications().to_string(),
        ]);
        if let Some(seed) = self.seed {
            args.extend(["--seed".to_string(), seed.to_string()]);
        }
        args
    }

    /// The command recorded in a sweep's document and report: [`SweepSpec::arguments`],
    /// never the output options, so that a sweep run whole and one merged from shards
    /// record the same line, and the line replays the numbers.
    pub(crate) fn command(&self, path: &str) -> String {
        shell_command(self.arguments(path).iter().map(String::as_str))
    }
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
    points_of(path, name, text, axes, seed)
}

/// [`points`] of a scenario already read: the file at `path`, short `name`, held `text`.
pub(crate) fn points_of(
    path: String,
    name: String,
    text: String,
    axes: Vec<Axis>,
    seed: Option<u64>,
) -> Result<Points, Failure> {
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
    // A warning about a point's own value (a duration without a unit) is printed once per
    // key, for the first point that has it; the file's own warnings were printed above.
    let mut warned: Vec<String> = Vec::new();
    let systems = (0..grid.len())
        .map(|point| {
            let parsed = scenario::parse_point(&text, &path, &grid, point)
                .map_err(|e| Failure::Input(render(&e.diagnostics)))?;
            let new: Vec<_> = (parsed.warnings.into_iter())
                .filter(|w| w.line == 0 && !warned.contains(&w.key))
                .collect();
            warned.extend(new.iter().map(|w| w.key.clone()));
            print_warnings(&new);
            Ok(match seed {
                Some(seed) => parsed.system.with_seed(seed),
                None => parsed.system,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    same_figures(&grid, &systems)?;
    Ok(Points {
        path,
        name,
        text,
        grid,
        systems,
        replications,
    })
}

/// Refuses a grid whose points report different figures: the thresholds decide which
/// shares are counted, so they are set once, not varied.
fn same_figures(grid: &Grid, systems: &[System]) -> Result<(), Failure> {
    let first = systems.first().map(|s| &s.simulation().thresholds);
    match systems
        .iter()
        .position(|s| Some(&s.simulation().thresholds) != first)
    {
        None => Ok(()),
        Some(point) => {
            let values: Vec<&str> = grid.values(point).iter().map(|v| v.text.as_str()).collect();
            Err(Failure::Input(format!(
                "error: at {} the scenario counts other thresholds than at the first point; \
                 thresholds decide which figures are reported, so they cannot be varied (give \
                 each in [simulation] thresholds instead)",
                values.join(", ")
            )))
        }
    }
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

/// Runs every point, or with `--shard` this shard's runs, which it writes to `--out`;
/// otherwise prints the table (or the document with `--json`) and writes the report.
pub(crate) fn sweep(request: &SweepRequest<'_>) -> Result<(), Failure> {
    let points = points(request.file, request.spec.axes()?, request.spec.seed)?;
    let spec = &SweepSpec {
        replications: request.spec.replications.or(points.replications),
        ..request.spec
    };
    let runs = points.grid.len() as u64 * spec.replications();
    if runs > MAX_RUNS {
        return Err(Failure::Input(format!(
            "error: {} points × {} replications is {runs} runs, more than the {MAX_RUNS} one \
             sweep may hold; vary fewer values or run fewer replications, in several sweeps",
            points.grid.len(),
            spec.replications()
        )));
    }
    if let Some((shard, out)) = request.part {
        return super::shards::run_shard(&points, spec, shard, out, request.output.quiet);
    }
    let work = experiment::work_list(&experiment::refusals(&points.systems), spec.replications());
    let progress = Progress::new(work.len() as u64, request.output.quiet);
    // Wall-clock time is measured here only, and printed to stderr, never into results.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let runs = experiment::sweep(&points.systems, spec.replications(), Shard::WHOLE, &|| {
        progress.tick()
    });
    progress.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let result = SweepResult::assemble(
        points.grid.clone(),
        spec.replications(),
        points.systems.clone(),
        runs,
    )
    .map_err(|e| Failure::Run(anyhow::anyhow!(e)))?;
    publish(&points, spec, &result, &request.output)?;
    if !request.output.quiet {
        eprintln!(
            "{} points × {} replications in {elapsed:.1} s",
            points.grid.len(),
            spec.replications()
        );
    }
    Ok(())
}

/// Prints a finished sweep's tables (or its document) and writes its report: the one
/// output of `sweep` and `merge`, so that both give the same bytes.
pub(crate) fn publish(
    points: &Points,
    spec: &SweepSpec<'_>,
    result: &SweepResult,
    output: &Output,
) -> Result<(), Failure> {
    let command = spec.command(&points.path);
    let report = SweepReport {
        command: &command,
        scenario_path: &points.path,
        scenario_text: &points.text,
        sweep: result,
    };
    let mut text = if output.json {
        String::from_utf8_lossy(&report::render_sweep_json(&report)).into_owned()
    } else {
        term::sweep(result)
    };
    if let Some(dir) = &output.report {
        let dir = dir
            .clone()
            .unwrap_or_else(|| default_report_dir(&format!("sweep-{}", points.name)));
        report::write_files(&dir, &report::sweep_files(&report))
            .with_context(|| format!("writing the report into '{}'", dir.display()))
            .map_err(Failure::Run)?;
        if !output.json {
            text.push_str(&format!("report: {}\n", dir.join("report.html").display()));
        }
    }
    print(&text)
}
