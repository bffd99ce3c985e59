//! The JSON documents: `spillway run --json`, a report's `summary.json` (also
//! `compare --json`), `check --json`, a sweep's document and its parts, which are also
//! read back.

use super::schema::{CheckDoc, CompareDoc, PlanDoc, RunDoc, SweepDoc, SweepPartDoc};
use super::{Checked, PartError, PlanReport, Report, RunReport, SweepPart, SweepReport};

/// One JSON document, pretty-printed, ending in a newline. Same input, same bytes.
pub fn render(report: &RunReport<'_>) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(&RunDoc::new(report)).expect("plain data always serialises");
    bytes.push(b'\n');
    bytes
}

/// `summary.json` of a report: for one design, the `run --json` document with its study
/// (replications, warm-up, intervals); for a comparison, every design and the differences.
pub fn render_report(report: &Report<'_>) -> Vec<u8> {
    let bytes = match report.designs.as_slice() {
        [design] => serde_json::to_vec_pretty(&RunDoc::of_study(design, report.command)),
        _ => serde_json::to_vec_pretty(&CompareDoc::new(report)),
    };
    let mut bytes = bytes.expect("plain data always serialises");
    bytes.push(b'\n');
    bytes
}

/// The document of `spillway check --json`: every file, ok or its diagnostics, and its
/// warnings.
pub fn render_check(files: &[Checked]) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(&CheckDoc::new(files)).expect("plain data always serialises");
    bytes.push(b'\n');
    bytes
}

/// The document of a sweep: its axes and, per point, every headline interval, the exact
/// theory, Little's law and the recovery verdict.
pub fn render_sweep(report: &SweepReport<'_>) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(&SweepDoc::new(report)).expect("plain data always serialises");
    bytes.push(b'\n');
    bytes
}

/// The document of a plan: the knob, the SLOs and, per load, the answer, its sentence and
/// every candidate run with its intervals.
pub fn render_plan(report: &PlanReport<'_>) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(&PlanDoc::new(report)).expect("plain data always serialises");
    bytes.push(b'\n');
    bytes
}

/// The partial result of one shard of a sweep (`spillway sweep --shard I/N --out FILE`):
/// the scenario, the sweep's arguments and every run of the shard, each `f64` exactly.
pub fn render_sweep_part(part: &SweepPart) -> Vec<u8> {
    let mut bytes =
        serde_json::to_vec_pretty(&SweepPartDoc::new(part)).expect("plain data always serialises");
    bytes.push(b'\n');
    bytes
}

/// A part as [`render_sweep_part`] wrote it, every value as it was; refuses another kind
/// of document, another version's part and an edited one.
pub fn read_sweep_part(bytes: &[u8]) -> Result<SweepPart, PartError> {
    SweepPartDoc::read(bytes)
}
