//! One orchestrating function per subcommand.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use anyhow::Context;

use super::Failure;
use super::args::{Args, Command};
use super::term;
use spillway::model::System;
use spillway::report::{self, RunReport};
use spillway::{experiment, scenario, sim};

pub(crate) fn dispatch(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Run { file, seed, json } => run(&file, seed, json),
        Command::Check { file } => check(&file),
    }
}

/// Reads and validates a scenario, keeping its text for the report.
fn load(file: &Path) -> Result<(String, System), Failure> {
    let name = file.display().to_string();
    let text = std::fs::read_to_string(file)
        .map_err(|e| Failure::Input(format!("{name}: cannot read the scenario: {e}")))?;
    let system = scenario::parse(&text, &name).map_err(|e| Failure::Input(e.to_string()))?;
    sim::check_stable(&system).map_err(|e| Failure::Input(format!("{name}: {e}")))?;
    Ok((text, system))
}

fn check(file: &Path) -> Result<(), Failure> {
    let (_, system) = load(file)?;
    println!(
        "{}: ok ({} source(s), {} service(s))",
        file.display(),
        system.sources().len(),
        system.services().len()
    );
    Ok(())
}

fn run(file: &Path, seed: Option<u64>, json: bool) -> Result<(), Failure> {
    let (text, system) = load(file)?;
    let system = match seed {
        Some(seed) => system.with_seed(seed),
        None => system,
    };
    // Wall-clock time is measured here only, and printed to stderr, never into results.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let run = experiment::run(&system, 0)
        .with_context(|| format!("simulating '{}'", file.display()))
        .map_err(Failure::Run)?;
    let elapsed = started.elapsed().as_secs_f64();
    let scenario_path = file.display().to_string();
    let report = RunReport {
        scenario_path: &scenario_path,
        scenario_text: &text,
        system: &system,
        run: &run,
    };
    let bytes = if json {
        report::render_json(&report)
    } else {
        term::summary(&report).into_bytes()
    };
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(&bytes)
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
        .map_err(Failure::Run)?;
    eprintln!("{}", term::timing(run.outcome.events, elapsed));
    Ok(())
}
