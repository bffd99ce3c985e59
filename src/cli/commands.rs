//! One orchestrating function per subcommand.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::Failure;
use super::args::{Args, Command, StudyArgs, WarmupArg};
use super::capacity;
use super::progress::Progress;
use super::term;
use spillway::experiment::{self, Plan, Precision, Study, Warmup};
use spillway::model::{Arrivals, MAX_THRESHOLDS, SimDuration, System};
use spillway::report::{self, Design, Report};
use spillway::scenario::{self, Diagnostic, Place, Warning};
use spillway::sim::{self, RunError};

pub(crate) fn dispatch(args: Args) -> Result<(), Failure> {
    match args.command {
        Command::Run {
            file,
            json,
            report,
            replications,
            study,
        } => run(&file, json, report, replications, &study),
        Command::Compare {
            baseline,
            designs,
            json,
            report,
            replications,
            study,
        } => {
            let files: Vec<PathBuf> = std::iter::once(baseline).chain(designs).collect();
            compare(&files, json, report, replications, &study)
        }
        Command::Check { files, json } => check(&files, json),
        Command::Plan {
            file,
            vary,
            slos,
            headroom,
            replications,
            max_replications,
            json,
            report,
            seed,
            quiet,
        } => super::plan::plan(&super::plan::PlanRequest {
            file: &file,
            vary: &vary,
            slos: &slos,
            headroom: headroom.as_deref(),
            effort: experiment::Effort {
                chunk: replications,
                max_replications: max_replications.max(replications),
            },
            seed,
            json,
            report,
            quiet,
        }),
        Command::Sweep {
            file,
            vary,
            load,
            replications,
            json,
            report,
            seed,
            shard,
            out,
            quiet,
        } => capacity::sweep(&capacity::SweepRequest {
            file: &file,
            spec: capacity::SweepSpec {
                vary: &vary,
                load: load.as_deref(),
                replications,
                seed,
            },
            part: shard.zip(out.as_deref()),
            output: capacity::Output {
                json,
                report,
                quiet,
            },
        }),
        Command::Merge {
            parts,
            json,
            report,
            quiet,
        } => super::shards::merge(
            &parts,
            &capacity::Output {
                json,
                report,
                quiet,
            },
        ),
    }
}

/// The file name that means standard input.
const STDIN: &str = "-";

/// A scenario as read: its path, text, validated system and the reader's warnings.
struct Loaded {
    path: String,
    name: String,
    text: String,
    system: System,
    warnings: Vec<Warning>,
}

/// A scenario that failed: its problems, and the reader's warnings when it got that far
/// (a duration read as seconds often explains a refusal).
struct Invalid {
    problems: Vec<Diagnostic>,
    warnings: Vec<Warning>,
}

impl Invalid {
    fn new(problems: Vec<Diagnostic>) -> Invalid {
        Invalid {
            problems,
            warnings: Vec::new(),
        }
    }
}

/// Reads and validates a scenario, keeping its text for the report; prints its warnings on
/// stderr.
fn load(file: &Path, seed: Option<u64>) -> Result<Loaded, Failure> {
    let loaded = validate(file).map_err(|invalid| {
        print_warnings(&invalid.warnings);
        Failure::Input(render(&invalid.problems))
    })?;
    print_warnings(&loaded.warnings);
    Ok(match seed {
        Some(seed) => Loaded {
            system: loaded.system.with_seed(seed),
            ..loaded
        },
        None => loaded,
    })
}

/// Reads (`-`: standard input, named `<stdin>`) and validates a scenario, refusing what
/// the engine would refuse before a run; every problem found, if any.
fn validate(file: &Path) -> Result<Loaded, Invalid> {
    let (path, name, text) = read(file).map_err(Invalid::new)?;
    let parsed =
        scenario::parse_with_warnings(&text, &path).map_err(|e| Invalid::new(e.diagnostics))?;
    if let Err(error) = sim::check_stable(&parsed.system) {
        return Err(Invalid {
            problems: vec![refusal(&text, &path, &parsed.system, &error)],
            warnings: parsed.warnings,
        });
    }
    Ok(Loaded {
        path,
        name,
        text,
        system: parsed.system,
        warnings: parsed.warnings,
    })
}

/// A scenario's text, with its path as diagnostics name it and a short name for reports
/// (`-`: standard input, named `<stdin>` and `stdin`).
pub(super) fn read(file: &Path) -> Result<(String, String, String), Vec<Diagnostic>> {
    let path = path_name(file);
    let text = if file.as_os_str() == STDIN {
        scenario::read_from(std::io::stdin().lock(), &path)
    } else {
        scenario::read(file)
    };
    let text = text.map_err(|e| e.diagnostics)?;
    Ok((path.clone(), short_name(&path), text))
}

/// The short name of the scenario at `path` (as [`read`] names it) for report directories:
/// its file stem, or `stdin`.
pub(super) fn short_name(path: &str) -> String {
    if path == STDIN_NAME {
        return "stdin".to_string();
    }
    (Path::new(path).file_stem())
        .map_or_else(|| "scenario".into(), |s| s.to_string_lossy().into_owned())
}

/// The file argument that reads the scenario at `path` (as [`read`] names it) again.
pub(super) fn file_argument(path: &str) -> &str {
    if path == STDIN_NAME { STDIN } else { path }
}

/// How diagnostics and reports name standard input.
const STDIN_NAME: &str = "<stdin>";

/// The file as diagnostics name it: `<stdin>` for `-`.
fn path_name(file: &Path) -> String {
    if file.as_os_str() == STDIN {
        STDIN_NAME.to_string()
    } else {
        file.display().to_string()
    }
}

pub(super) fn print_warnings(warnings: &[Warning]) {
    for warning in warnings {
        eprintln!("{warning}");
    }
}

/// Diagnostics as printed: one after another, each with its help line.
pub(super) fn render(problems: &[Diagnostic]) -> String {
    let lines: Vec<String> = problems.iter().map(Diagnostic::to_string).collect();
    lines.join("\n")
}

/// Standard input can be read once: `-` may be given once per command.
fn stdin_once(files: &[PathBuf]) -> Result<(), Failure> {
    if files.iter().filter(|f| f.as_os_str() == STDIN).count() > 1 {
        return Err(Failure::Input(
            "error: '-' (standard input) can be given only once".to_string(),
        ));
    }
    Ok(())
}

/// A pre-run refusal, pointed at the key that causes it when it names one.
pub(super) fn refusal(text: &str, path: &str, system: &System, error: &RunError) -> Diagnostic {
    let message = error.to_string();
    match place(system, error) {
        Some(place) => scenario::diagnostic_at(text, path, place, message),
        None => Diagnostic {
            file: path.to_string(),
            line: 0,
            column: 0,
            key: String::new(),
            message,
            help: None,
        },
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

/// Checks every file, reporting each one's problems (on stderr, or all in one JSON
/// document on stdout); exit 2 if any file is invalid.
/// The scenario with the thresholds of `--threshold` added to its own.
fn with_thresholds(loaded: Loaded, extra: &[SimDuration]) -> Result<Loaded, Failure> {
    let system = loaded.system.with_thresholds(extra);
    let count = system.simulation().thresholds.len();
    if count > MAX_THRESHOLDS {
        return Err(Failure::Input(format!(
            "{}: {count} thresholds in all (the scenario's and --threshold's); at most \
             {MAX_THRESHOLDS} are reported",
            loaded.path
        )));
    }
    Ok(Loaded { system, ..loaded })
}

fn check(files: &[PathBuf], json: bool) -> Result<(), Failure> {
    stdin_once(files)?;
    let results: Vec<Result<Loaded, Invalid>> = files.iter().map(|file| validate(file)).collect();
    if json {
        let checked: Vec<report::Checked> = (files.iter().zip(&results))
            .map(|(file, result)| checked(file, result))
            .collect();
        print(&String::from_utf8_lossy(&report::render_check_json(
            &checked,
        )))?;
    } else {
        for result in &results {
            match result {
                Ok(loaded) => {
                    print_warnings(&loaded.warnings);
                    print(&format!(
                        "{}: ok ({} source(s), {} service(s))\n",
                        scenario::escape_controls(&loaded.path),
                        loaded.system.sources().len(),
                        loaded.system.services().len()
                    ))?;
                }
                Err(invalid) => {
                    print_warnings(&invalid.warnings);
                    eprintln!("{}", render(&invalid.problems));
                }
            }
        }
    }
    match results.iter().all(Result::is_ok) {
        true => Ok(()),
        false => Err(Failure::Reported),
    }
}

/// One file's result as `check --json` shows it.
fn checked(file: &Path, result: &Result<Loaded, Invalid>) -> report::Checked {
    let finding = |d: &Diagnostic| report::Finding {
        file: d.file.clone(),
        line: d.line,
        column: d.column,
        key: d.key.clone(),
        message: d.message.clone(),
        help: d.help.clone(),
    };
    let warning = |w: &Warning| report::Finding {
        file: w.file.clone(),
        line: w.line,
        column: w.column,
        key: w.key.clone(),
        message: w.message(),
        help: None,
    };
    let (problems, warnings) = match result {
        Ok(loaded) => (&[][..], &loaded.warnings),
        Err(invalid) => (&invalid.problems[..], &invalid.warnings),
    };
    report::Checked {
        file: path_name(file),
        diagnostics: problems.iter().map(finding).collect(),
        warnings: warnings.iter().map(warning).collect(),
    }
}

/// The study to run; `time_series` when a report will draw charts from it.
fn plan(args: &StudyArgs, replications: u64, time_series: bool) -> Result<Plan, Failure> {
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
        replications,
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
pub(super) fn command_line() -> String {
    let args: Vec<String> = std::env::args().skip(1).collect();
    shell_command(args.iter().map(String::as_str))
}

/// `spillway` and `args`, each quoted for a POSIX shell where it needs it, so the line can
/// be pasted back.
pub(super) fn shell_command<'a>(args: impl IntoIterator<Item = &'a str>) -> String {
    std::iter::once("spillway".to_string())
        .chain(args.into_iter().map(shell_word))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `word` as is when a shell reads it as one literal word, otherwise in single quotes:
/// globs (`100/s..800/s*2`), spaces, quotes and other shell syntax are quoted.
fn shell_word(word: &str) -> String {
    let plain = |c: char| c.is_ascii_alphanumeric() || "-_./=:,+@%".contains(c);
    if !word.is_empty() && word.chars().all(plain) {
        word.to_string()
    } else {
        format!("'{}'", word.replace('\'', "'\\''"))
    }
}

fn run(
    file: &Path,
    json: bool,
    report_dir: Option<Option<PathBuf>>,
    replications: u64,
    args: &StudyArgs,
) -> Result<(), Failure> {
    let loaded = with_thresholds(load(file, args.seed)?, &args.thresholds)?;
    let plan = plan(args, replications, report_dir.is_some())?;
    let progress = Progress::new(expected_replications(&plan), args.quiet);
    // Wall-clock time is measured here only, and printed to stderr, never into results.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let study = experiment::study(&loaded.system, &plan, &|| progress.tick())
        .with_context(|| format!("simulating '{}'", loaded.path))
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

/// Runs the designs; prints the verdict, or with `json` the comparison document (the
/// report's `summary.json`), and writes the report either way.
fn compare(
    files: &[PathBuf],
    json: bool,
    report_dir: Option<PathBuf>,
    replications: u64,
    args: &StudyArgs,
) -> Result<(), Failure> {
    stdin_once(files)?;
    let mut loaded = files
        .iter()
        .map(|f| with_thresholds(load(f, args.seed)?, &args.thresholds))
        .collect::<Result<Vec<_>, _>>()?;
    disambiguate(&mut loaded);
    let plan = plan(args, replications, true)?;
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
    let text = if json {
        String::from_utf8_lossy(&report::render_report_json(&report)).into_owned()
    } else {
        let report_line = format!("report: {}\n", dir.join("report.html").display());
        term::verdict(&report) + &report_line
    };
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
        "{count} of {total} replication(s) ended early at the {} limit; the figures printed \
         cover the time measured until the stop (the summary's warning, or the JSON's \
         'stopped', says why)",
        first.kind(),
    )))
}

/// `reports/<name>`, with `name` (from file stems) made safe as one directory name; a
/// directory given with `--report` is used as is.
pub(super) fn default_report_dir(name: &str) -> PathBuf {
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

pub(super) fn print(text: &str) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .context("writing to stdout")
        .map_err(Failure::Run)
}
