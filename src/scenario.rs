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
//! **API boundary**: [`parse`], [`load`], [`diagnostic_at`], [`Diagnostic`] and
//! [`ScenarioError`] are the library facade used by the CLI.

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

use std::path::Path;

use toml::de::DeTable;

pub use diagnostic::{Diagnostic, ScenarioError};
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

/// Reads and parses the scenario file at `path`.
///
/// A file that cannot be read gives one diagnostic with line and column 0 and the I/O
/// error as its message.
pub fn load(path: &Path) -> Result<model::System, ScenarioError> {
    let file = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => parse(&text, &file),
        Err(error) => Err(ScenarioError {
            diagnostics: vec![Diagnostic {
                file,
                line: 0,
                column: 0,
                key: String::new(),
                message: format!("cannot read the scenario: {error}"),
                help: None,
            }],
        }),
    }
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
