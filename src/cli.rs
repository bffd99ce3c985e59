//! The command line: the only place for clap, anyhow, the terminal, exit codes and the wall
//! clock. It parses arguments, calls the library and prints; it decides nothing else.
//!
//! Exit codes: 0 success; 1 the run or its output failed; 2 bad usage or a bad scenario;
//! 3 a limit stopped a run before its horizon (its figures are printed and written); 4 no
//! value of a plan's knob meets every SLO.

mod args;
mod capacity;
mod commands;
mod plan;
mod progress;
mod shards;
mod slo;
mod term;

use std::io::Write;
use std::process::ExitCode;

use clap::Parser;

/// How a command failed, which decides the exit code.
#[derive(Debug)]
pub(crate) enum Failure {
    /// The scenario or the arguments are wrong (exit 2); the text is printed as is.
    Input(String),
    /// A scenario is bad and its problems are printed already (exit 2).
    Reported,
    /// The run or writing its output failed (exit 1).
    Run(anyhow::Error),
    /// A limit stopped a run before its horizon (exit 3): what was measured until then has
    /// been printed and written; the text says how many replications stopped.
    Stopped(String),
    /// No value of a plan's knob met every SLO (exit 4); the plan says why.
    Unmet,
}

pub(crate) fn main() -> ExitCode {
    let args = match args::Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    match commands::dispatch(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Input(text)) => {
            let _ = writeln!(std::io::stderr(), "{text}");
            ExitCode::from(2)
        }
        Err(Failure::Stopped(text)) => {
            let _ = writeln!(std::io::stderr(), "stopped: {text}");
            ExitCode::from(3)
        }
        Err(Failure::Reported) => ExitCode::from(2),
        Err(Failure::Unmet) => ExitCode::from(4),
        Err(Failure::Run(e)) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(Failure::Run(e)) => {
            // The chain quotes user text (service names, paths).
            let text = spillway::scenario::escape_controls(&format!("{e:#}")).into_owned();
            let _ = writeln!(std::io::stderr(), "error: {text}");
            ExitCode::from(1)
        }
    }
}

/// A closed pipe (`spillway run … | head`) is not an error worth reporting.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}
