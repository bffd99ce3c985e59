//! Scenario files: TOML text → a validated [`model::System`], or every problem at once.
//!
//! This is the only module that knows TOML or source positions. It reads the spanned tree
//! from `toml::de::DeTable` by hand rather than with serde, because serde stops at the
//! first error and a user fixing a file wants the whole list. Its output is always a valid
//! model; the format is documented key by key in `docs/scenario-format.md`.
//!
//! ```
//! let text = r#"
//! [simulation]
//! duration = "10s"
//!
//! [[source]]
//! name = "web"
//! to = "api"
//! rate = "80/s"
//!
//! [[service]]
//! name = "api"
//! workers = 2
//! service_time = { dist = "exponential", mean = "20ms" }
//! "#;
//! let system = spillway::scenario::parse(text, "demo.toml").unwrap();
//! assert_eq!(system.services()[0].name, "api");
//!
//! let error = spillway::scenario::parse("[simulation]\nduraton = \"1h\"\n", "bad.toml")
//!     .unwrap_err();
//! assert!(error.to_string().contains("bad.toml:2:1: simulation.duraton: unknown key"));
//! ```
//!
//! **API boundary**: [`parse`], [`load`], [`read`], [`diagnostic_at`], [`escape_controls`],
//! [`Diagnostic`] and [`ScenarioError`] are the library facade used by the CLI.

mod client;
mod components;
mod diagnostic;
mod dist;
mod locate;
mod reader;
mod schedule;
mod steps;
mod units;
mod validate;

use std::io::Read;
use std::path::Path;

use toml::de::DeTable;

pub use diagnostic::{Diagnostic, ScenarioError, escape_controls};
pub use locate::{Place, diagnostic_at};

use crate::model;
use diagnostic::Sink;

/// Parses a scenario from `text`; `file` names it in diagnostics.
///
/// Returns the validated system, or every problem found (syntax, unknown keys, types,
/// units, names, topology), sorted by position.
pub fn parse(text: &str, file: &str) -> Result<model::System, ScenarioError> {
    let sink = Sink::new(file, text);
    let system = match DeTable::parse(text) {
        Ok(root) => validate::build(root.get_ref(), &sink),
        Err(error) => {
            report_syntax(&error, &sink);
            None
        }
    };
    let diagnostics = sink.into_sorted();
    match system {
        Some(system) if diagnostics.is_empty() => Ok(system),
        _ if !diagnostics.is_empty() => Err(ScenarioError { diagnostics }),
        // Every path that yields no system records why; this keeps a bug from becoming
        // an empty error.
        _ => Err(ScenarioError {
            diagnostics: vec![internal_error(file)],
        }),
    }
}

/// The largest scenario file read, in bytes (16 MiB): far beyond any real scenario, it
/// bounds what a mistaken path (a device such as `/dev/zero`, a huge log) can make the
/// reader hold.
pub const MAX_FILE_BYTES: u64 = 16 << 20;

/// Reads and parses the scenario file at `path` (see [`read`]).
pub fn load(path: &Path) -> Result<model::System, ScenarioError> {
    parse(&read(path)?, &path.display().to_string())
}

/// Reads the scenario file at `path` as text, refusing before reading anything that is not
/// a regular file (a directory, a device, a pipe that could block forever) or that is
/// larger than [`MAX_FILE_BYTES`].
///
/// A file that cannot be read gives one diagnostic with line and column 0 and the reason
/// as its message.
pub fn read(path: &Path) -> Result<String, ScenarioError> {
    read_text(path).map_err(|message| ScenarioError {
        diagnostics: vec![Diagnostic {
            file: path.display().to_string(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read the scenario: {message}"),
            help: None,
        }],
    })
}

fn read_text(path: &Path) -> Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file (a directory, device or pipe); give a .toml file".into());
    }
    check_size(metadata.len())?;
    let file = std::fs::File::open(path).map_err(|e| e.to_string())?;
    let mut text = String::new();
    // One byte beyond the limit tells a file that grew since it was measured.
    (file.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)).map_err(|e| e.to_string())?;
    check_size(text.len() as u64)?;
    Ok(text)
}

fn check_size(bytes: u64) -> Result<(), String> {
    if bytes > MAX_FILE_BYTES {
        return Err(format!(
            "the file has {bytes} bytes, more than the {} MiB a scenario may have",
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(())
}

/// A TOML syntax error: one diagnostic at its position, its message on one line.
fn report_syntax(error: &toml::de::Error, sink: &Sink<'_>) {
    let at = error.span().map_or(0, |span| span.start);
    let message = error.message().trim().replace('\n', "; ");
    sink.error(at, "", format!("invalid TOML: {message}"));
}

fn internal_error(file: &str) -> Diagnostic {
    Diagnostic {
        file: file.to_string(),
        line: 0,
        column: 0,
        key: String::new(),
        message: "internal error: the scenario was rejected without a reason; please report \
                  this file"
            .to_string(),
        help: None,
    }
}

#[cfg(test)]
mod tests;
