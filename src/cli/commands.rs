//! One orchestrating function per subcommand.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::Failure;
use super::args::{Args, Command, StudyArgs, WarmupArg};
use super::progress::Progress;
use super::term;
use spillway::experiment::{self, Plan, Precision, Study, Warmup};
use spillway::model::{Arrivals, System};
use spillway::report::{self, Design, Report};
use spillway::scenario::{self, Place};
use spillway::sim::{self, RunError};

pub(crate) fn dispatch(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Run {
            file,
            json,
            report,
            study,
        } => run(&file, json, report, &study),
        Command::Compare {
            files,
            report,
            study,
        } => compare(&files, report, &study),
        Command::Check { file } => check(&file),
    }
}

/// A scenario as read: its path, text and validated system.
struct Loaded {
    path: String,
    name: String,
    text: String,
    system: System,
}

/// Reads and validates a scenario, keeping its text for the report.
fn load(file: &Path, seed: Option<u64>) -> Result<Loaded, Failure> {
    let path = file.display().to_string();
    let text = scenario::read(file).map_err(|e| Failure::Input(e.to_string()))?;
    let system = scenario::parse(&text, &path).map_err(|e| Failure::Input(e.to_string()))?;
    sim::check_stable(&system).map_err(|e| Failure::Input(refusal(&text, &path, &system, &e)))?;
    let system = match seed {
        Some(seed) => system.with_seed(seed),
        None => system,
    };
    let name = file
        .file_stem()
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned());
    Ok(Loaded {
        path,
        name,
        text,
        system,
    })
}

/// A pre-run refusal, pointed at the key that causes it when it names one.
fn refusal(text: &str, path: &str, system: &System, error: &RunError) -> String {
    let message = error.to_string();
    match place(system, error) {
        Some(place) => scenario::diagnostic_at(text, path, place, message).to_string(),
        None => scenario::escape_controls(&format!("{path}: {message}")).into_owned(),
    }
}

/// Which key a pre-run refusal is about, if one.
fn place<'a>(system: &System, error: &'a RunError) -> Option<Place<'a>> {
    Some(match error {
        RunError::Unstable { service, .. } => Place::Service {
            name: service,
            key: "workers",
        },
        RunError::TooFast { name, .. } => Place::Source {
            name,
            key: arrivals_key(system, name),
        },
        RunError::TooManyUsers { name, .. } => Place::Source { name, key: "users" },
        RunError::InFlightTooLarge { .. } => Place::Simulation {
            key: "max_in_flight",
        },
        _ => return None,
    })
}

/// The key that sets a source's fastest arrivals: a schedule's step beyond the base rate
/// is in `schedule`.
fn arrivals_key(system: &System, name: &str) -> &'static str {
    let arrivals = system.sources().iter().find(|s| s.name == name);
    match arrivals.map(|s| &s.arrivals) {
        Some(Arrivals::Varying(profile)) => match profile.segments().first() {
            Some(base) if base.from < profile.peak_rate() => "schedule",
            _ => "rate",
        },
        Some(Arrivals::Renewal(_)) => "interarrival",
        Some(Arrivals::Closed { .. }) => "users",
        _ => "rate",
    }
}

fn check(file: &Path) -> Result<(), Failure> {
    let loaded = load(file, None)?;
    println!(
        "{}: ok ({} source(s), {} service(s))",
        file.display(),
        loaded.system.sources().len(),
        loaded.system.services().len()
    );
    Ok(())
}

/// The study to run; `time_series` when a report will draw charts from it.
fn plan(args: &StudyArgs, default_replications: u64, time_series: bool) -> Result<Plan, Failure> {
    let precision = match args.precision {
        Some(p) if !(p > 0.0 && p < 1.0) => {
            return Err(Failure::Input(format!(
                "--precision must be a fraction between 0 and 1 (got {p})"
            )));
        }
        Some(p) => Some(Precision {
            relative_half_width: p,
            max_replications: args.max_replications.max(2),
        }),
        None => None,
    };
    Ok(Plan {
        replications: args.replications.unwrap_or(default_replications),
        warmup: match args.warmup {
            WarmupArg::Scenario => Warmup::Scenario,
            WarmupArg::Auto => Warmup::Mser5,
        },
        precision,
        time_series,
    })
}

/// Replications the progress bar expects for one design.
fn expected_replications(plan: &Plan) -> u64 {
    let pilot = if plan.warmup == Warmup::Mser5 { 4 } else { 0 };
    pilot
        + plan.precision.map_or(plan.replications, |p| {
            p.max_replications.max(plan.replications)
        })
}

/// The command line as typed, for the report's replay line.
fn command_line() -> String {
    let args = std::env::args().skip(1).map(|a| {
        if a.is_empty() || a.contains(|c: char| c.is_whitespace() || c == '\'') {
            format!("'{}'", a.replace('\'', "'\\''"))
        } else {
            a
        }
    });
    std::iter::once("spillway".to_string())
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

fn run(
    file: &Path,
    json: bool,
    report_dir: Option<Option<PathBuf>>,
    args: &StudyArgs,
) -> Result<(), Failure> {
    let loaded = load(file, args.seed)?;
    let plan = plan(args, 1, report_dir.is_some())?;
    let progress = Progress::new(expected_replications(&plan), args.quiet);
    // Wall-clock time is measured here only, and printed to stderr, never into results.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let study = experiment::study(&loaded.system, &plan, &|| progress.tick())
        .with_context(|| format!("simulating '{}'", file.display()))
        .map_err(Failure::Run)?;
    progress.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let command = command_line();
    let report = Report {
        command: &command,
        designs: vec![design(&loaded, &study)],
    };
    let mut text = if json {
        String::from_utf8_lossy(&report::render_report_json(&report)).into_owned()
    } else {
        term::summary(&loaded.path, &study)
    };
    if let Some(dir) = report_dir {
        let dir = dir.unwrap_or_else(|| default_report_dir(&loaded.name));
        write_report(&dir, &report)?;
        if !json {
            text.push_str(&format!("report: {}\n", dir.join("report.html").display()));
        }
    }
    print(&text)?;
    if !args.quiet {
        eprintln!("{}", term::timing(study.events, elapsed));
    }
    stopped(&[&study])
}

fn compare(
    files: &[PathBuf],
    report_dir: Option<PathBuf>,
    args: &StudyArgs,
) -> Result<(), Failure> {
    let mut loaded = files
        .iter()
        .map(|f| load(f, args.seed))
        .collect::<Result<Vec<_>, _>>()?;
    disambiguate(&mut loaded);
    let plan = plan(args, 10, true)?;
    let progress = Progress::new(
        expected_replications(&plan) * loaded.len() as u64,
        args.quiet,
    );
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let systems: Vec<System> = loaded.iter().map(|l| l.system.clone()).collect();
    let studies = experiment::compare(&systems, &plan, &|| progress.tick())
        .context("simulating the designs")
        .map_err(Failure::Run)?;
    progress.finish();
    let elapsed = started.elapsed().as_secs_f64();
    let command = command_line();
    let report = Report {
        command: &command,
        designs: loaded
            .iter()
            .zip(&studies)
            .map(|(l, s)| design(l, s))
            .collect(),
    };
    let names: Vec<&str> = loaded.iter().map(|l| l.name.as_str()).collect();
    let dir = report_dir
        .unwrap_or_else(|| default_report_dir(&format!("compare-{}", names.join("-vs-"))));
    write_report(&dir, &report)?;
    let mut text = term::verdict(&report);
    text.push_str(&format!("report: {}\n", dir.join("report.html").display()));
    print(&text)?;
    if !args.quiet {
        let events = studies.iter().map(|s| s.events).sum();
        eprintln!("{}", term::timing(events, elapsed));
    }
    stopped(&studies.iter().collect::<Vec<_>>())
}

/// Exit 3 when a limit stopped any replication, once its figures are out.
fn stopped(studies: &[&Study]) -> Result<(), Failure> {
    let runs = studies.iter().flat_map(|s| &s.summaries);
    let total = runs.clone().count();
    let mut errors = runs.filter_map(|r| r.stopped.as_ref());
    let Some(first) = errors.next() else {
        return Ok(());
    };
    let count = 1 + errors.count();
    Err(Failure::Stopped(format!(
        "{count} of {total} replication(s) ended early; the first: {first}. The figures \
         printed cover the time measured until the stop"
    )))
}

/// `reports/<name>`, with `name` (from file stems) made safe as one directory name; a
/// directory given with `--report` is used as is.
fn default_report_dir(name: &str) -> PathBuf {
    Path::new("reports").join(report::safe_dir_name(name))
}

/// Two designs with the same file stem get their position appended, so legends differ.
fn disambiguate(loaded: &mut [Loaded]) {
    let names: Vec<String> = loaded.iter().map(|l| l.name.clone()).collect();
    for (i, l) in loaded.iter_mut().enumerate() {
        if names.iter().filter(|n| **n == l.name).count() > 1 {
            l.name = format!("{}-{}", l.name, i + 1);
        }
    }
}

fn design<'a>(loaded: &'a Loaded, study: &'a Study) -> Design<'a> {
    Design {
        name: &loaded.name,
        scenario_path: &loaded.path,
        scenario_text: &loaded.text,
        study,
    }
}

fn write_report(dir: &Path, report: &Report<'_>) -> Result<(), Failure> {
    report::write_files(dir, &report::files(report))
        .with_context(|| format!("writing the report into '{}'", dir.display()))
        .map_err(Failure::Run)
}

fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
        .map_err(Failure::Run)
}
