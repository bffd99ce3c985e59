//! Results to bytes: the only module that knows serde's `Serialize` and output formats.
//!
//! It never simulates. Renderers are pure functions from a [`RunReport`] to bytes; the
//! engine's and model's types are never serialised directly, only the versioned DTOs of
//! `schema`.

mod json;
mod schema;

pub use json::render as render_json;
pub use schema::SCHEMA_VERSION;

use crate::experiment::Replication;
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

/// FNV-1a of the scenario text, as 16 hex digits: identifies the exact input of a report.
pub fn scenario_hash(text: &str) -> String {
    let hash = text.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    format!("{hash:016x}")
}
