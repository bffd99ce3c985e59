//! Results to bytes and files: the only module that knows serde's `Serialize`, plotters and
//! output formats, and the only one that writes files (`write`).
//!
//! It never simulates. Renderers are pure functions from a [`RunReport`] (one replication,
//! for `run --json`) or a [`Report`] (one study or a comparison) to bytes; the engine's and
//! model's types are never serialised directly, only the versioned DTOs of `schema`.

mod charts;
mod csv;
mod document;
mod format;
mod html;
mod json;
mod markdown;
mod plan;
mod recovery;
mod schema;
mod sweep;
mod verdict;
mod warnings;
mod write;

pub use charts::sweep::SweepChart;
pub use charts::{Chart, render_png as render_chart_png, render_svg as render_chart_svg};
pub use csv::{COLUMNS as CSV_COLUMNS, render as render_csv};
pub use html::render as render_html;
pub use json::{
    read_sweep_part, render as render_json, render_check as render_check_json,
    render_plan as render_plan_json, render_report as render_report_json,
    render_sweep as render_sweep_json, render_sweep_part as render_sweep_part_json,
};
pub use markdown::render as render_markdown;
pub use plan::{PlanAtLoad, PlanReport, plan_files, plan_verdicts, verdict_label};
pub use recovery::{recovery_across, recovery_verdict};
pub use schema::SCHEMA_VERSION;
pub use sweep::{
    refusal, render_points_csv, render_sweep_html, render_sweep_markdown, sweep_files,
};
pub use warnings::{steady_state_warnings, stop_warning};
pub use write::{ReportError, safe_dir_name, write_atomic, write_files};

use crate::experiment::{PointRun, Replication, Shard, Study, SweepResult};
use crate::model::System;

/// Everything a report shows about one run, and what is needed to replay it.
#[derive(Clone, Copy, Debug)]
pub struct RunReport<'a> {
    /// The scenario file as given on the command line.
    pub scenario_path: &'a str,
    /// The scenario file's text (hashed into the report so a replay can be checked).
    pub scenario_text: &'a str,
    /// The validated system that ran.
    pub system: &'a System,
    /// The run's results.
    pub run: &'a Replication,
}

/// A full report: one study (`spillway run --report`) or several designs compared
/// (`spillway compare`), the first being the baseline.
#[derive(Clone, Debug)]
pub struct Report<'a> {
    /// The command line that produced it, for replay.
    pub command: &'a str,
    /// The designs, baseline first.
    pub designs: Vec<Design<'a>>,
}

/// One design of a report.
#[derive(Clone, Copy, Debug)]
pub struct Design<'a> {
    /// A short name for tables and legends (the scenario file's stem).
    pub name: &'a str,
    /// The scenario file as given on the command line.
    pub scenario_path: &'a str,
    /// The scenario file's text.
    pub scenario_text: &'a str,
    /// Its results.
    pub study: &'a Study,
}

/// A sweep's report (`spillway sweep`): what ran it and every point's results.
#[derive(Clone, Copy, Debug)]
pub struct SweepReport<'a> {
    /// The command line that produced it, for replay.
    pub command: &'a str,
    /// The scenario file as given on the command line.
    pub scenario_path: &'a str,
    /// The scenario file's text.
    pub scenario_text: &'a str,
    /// Its results.
    pub sweep: &'a SweepResult,
}

/// One shard's share of a sweep (`spillway sweep --shard I/N --out FILE`): everything
/// needed to merge the shards without the original files, the scenario's text included.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepPart {
    /// The scenario file as given on the command line (`<stdin>` for `-`).
    pub scenario_path: String,
    /// The scenario file's text, from which the merge rebuilds every point.
    pub scenario_text: String,
    /// Each `--vary` as given.
    pub vary: Vec<String>,
    /// `--load` as given.
    pub load: Option<String>,
    /// Replications per point.
    pub replications: u64,
    /// `--seed`, when given (otherwise the scenario's seed applies).
    pub seed: Option<u64>,
    /// Which share of the work list this is.
    pub shard: Shard,
    /// This shard's runs, in work-list order.
    pub runs: Vec<PointRun>,
}

/// A file given as a sweep part cannot be read as one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PartError {
    /// Not JSON, or not in the layout of a part: the parser's message says where. Give the
    /// file that `spillway sweep --shard I/N --out FILE` wrote, unedited.
    #[error("not a sweep part: {0}")]
    Malformed(String),
    /// Another kind of spillway document (a sweep's `summary.json`, say).
    #[error(
        "a '{0}' document, not a sweep part (kind 'sweep_part', written by \
         `spillway sweep --shard I/N --out FILE`)"
    )]
    Kind(String),
    /// Written by another version of spillway, whose runs may differ from this one's: run
    /// that shard again with this version.
    #[error(
        "written by spillway {version} (schema {schema}); this is spillway {} (schema \
         {SCHEMA_VERSION}): run that shard again with this version",
        env!("CARGO_PKG_VERSION")
    )]
    Version {
        /// The file's `spillway_version`.
        version: String,
        /// The file's `schema_version`.
        schema: u64,
    },
    /// The scenario text does not hash to the recorded hash, or the shard or a recovery
    /// verdict is impossible: the file was edited. Run that shard again.
    #[error("{0}: the file was edited; run that shard again")]
    Edited(String),
}

/// What `spillway check` found in one scenario file.
#[derive(Clone, Debug)]
pub struct Checked {
    /// The file as given on the command line (`<stdin>` for `-`).
    pub file: String,
    /// Its problems; empty when it is valid.
    pub diagnostics: Vec<Finding>,
    /// Values accepted but perhaps not meant; a valid file may have some.
    pub warnings: Vec<Finding>,
}

/// One diagnostic or warning about a scenario file, where it is and what it says.
#[derive(Clone, Debug)]
pub struct Finding {
    /// The file.
    pub file: String,
    /// 1-based line, or 0 when it has no position (an unreadable file).
    pub line: usize,
    /// 1-based column in characters, or 0.
    pub column: usize,
    /// Dotted key, such as `service.api.workers`; empty when not about a key.
    pub key: String,
    /// What is wrong, or what was read.
    pub message: String,
    /// How to fix it, when there is more to say.
    pub help: Option<String>,
}

impl<'a> Design<'a> {
    /// Its services whose worker count changes (schedule or autoscaler), by index and
    /// name, in scenario order.
    pub(crate) fn changing_services(&self) -> Vec<(usize, &'a str)> {
        let system: &'a System = &self.study.system;
        (system.services().iter().enumerate())
            .filter(|(_, s)| s.workers_change())
            .map(|(i, s)| (i, s.name.as_str()))
            .collect()
    }

    /// Its services' names, in scenario order.
    pub(crate) fn service_names(&self) -> Vec<&'a str> {
        let system: &'a System = &self.study.system;
        system.services().iter().map(|s| s.name.as_str()).collect()
    }

    /// Its sources' names, in scenario order.
    pub(crate) fn source_names(&self) -> Vec<&'a str> {
        let system: &'a System = &self.study.system;
        system.sources().iter().map(|s| s.name.as_str()).collect()
    }
}

/// Every file of a report directory, as `(file name, bytes)`: `report.html`, `report.md`,
/// `summary.json`, `timeseries.csv` and each chart as SVG and PNG.
pub fn files(report: &Report<'_>) -> Vec<(String, Vec<u8>)> {
    let mut files = vec![
        ("report.html".to_string(), render_html(report)),
        ("report.md".to_string(), render_markdown(report)),
        ("summary.json".to_string(), render_report_json(report)),
        ("timeseries.csv".to_string(), render_csv(report)),
    ];
    for chart in Chart::of(report) {
        files.push((
            format!("{}.svg", chart.file_stem()),
            render_chart_svg(report, chart),
        ));
        files.push((
            format!("{}.png", chart.file_stem()),
            render_chart_png(report, chart),
        ));
    }
    files
}

/// The verdict of a comparison in plain language: what stopped or did not recover, then one
/// sentence per source and figure, each design against the first. Empty for a single
/// design.
pub fn verdicts(report: &Report<'_>) -> Vec<String> {
    verdict::comparison(&report.designs)
}

/// FNV-1a of the scenario text, as 16 hex digits: identifies the exact input of a report.
pub fn scenario_hash(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}
