//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

/// Simulate asynchronous systems (queues, worker pools, routes) and check the figures against
/// Little's law and exact queueing theory.
#[derive(Debug, Parser)]
#[command(name = "spillway", version, about, after_help = EXIT_CODES)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub(crate) command: Command,
}

const EXIT_CODES: &str =
    "Exit codes: 0 success, 1 run or output failure, 2 usage or scenario error.";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Simulate a scenario and print its figures.
    Run {
        /// The scenario file (TOML).
        file: PathBuf,
        /// Print one JSON document on stdout instead of the table.
        #[arg(long)]
        json: bool,
        /// Write a report (HTML, Markdown, JSON, CSV, charts) into DIR
        /// [default: reports/<scenario name>].
        #[arg(long, value_name = "DIR", num_args = 0..=1)]
        report: Option<Option<PathBuf>>,
        #[command(flatten)]
        study: StudyArgs,
    },
    /// Run several designs on the same random arrivals and write one report comparing
    /// them (the first is the baseline).
    Compare {
        /// Two or more scenario files (TOML).
        #[arg(required = true, num_args = 2..)]
        files: Vec<PathBuf>,
        /// Where to write the report [default: reports/compare-<a>-vs-<b>].
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        #[command(flatten)]
        study: StudyArgs,
    },
    /// Validate a scenario without running it.
    Check {
        /// The scenario file (TOML).
        file: PathBuf,
    },
}

/// How many replications, which warm-up, which seed.
#[derive(Debug, ClapArgs)]
pub(crate) struct StudyArgs {
    /// Seed for every random stream (overrides the scenario's).
    #[arg(long)]
    pub(crate) seed: Option<u64>,
    /// Independent replications, run in parallel; headline figures get 95% confidence
    /// intervals from two on [default: 1 for run, 10 for compare].
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..=100_000))]
    pub(crate) replications: Option<u64>,
    /// Warm-up to discard: the scenario's, or chosen automatically by MSER-5.
    #[arg(long, value_enum, default_value_t = WarmupArg::Scenario)]
    pub(crate) warmup: WarmupArg,
    /// Add replications until every source's mean and p99 response time have a 95%
    /// interval within this fraction of their mean (e.g. 0.05).
    #[arg(long, value_name = "FRACTION")]
    pub(crate) precision: Option<f64>,
    /// Upper bound on replications with --precision.
    #[arg(long, value_name = "N", default_value_t = 200)]
    pub(crate) max_replications: u64,
    /// No progress bar or timing on stderr.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum WarmupArg {
    /// The scenario's `warmup`.
    Scenario,
    /// MSER-5 on a pilot study.
    Auto,
}
