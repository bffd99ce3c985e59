//! Command-line arguments.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

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
        /// Seed for every random stream (overrides the scenario's).
        #[arg(long)]
        seed: Option<u64>,
        /// Print one JSON document on stdout instead of the table.
        #[arg(long)]
        json: bool,
    },
    /// Validate a scenario without running it.
    Check {
        /// The scenario file (TOML).
        file: PathBuf,
    },
}
