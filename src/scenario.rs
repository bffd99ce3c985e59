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
//! **API boundary**: [`parse`], [`parse_with_warnings`], [`load`], [`read`], [`read_from`],
//! [`diagnostic_at`], [`escape_controls`], [`Diagnostic`], [`Warning`] and [`ScenarioError`]
//! are the library facade used by the CLI.

mod autoscale;
mod client;
mod components;
mod delivery;
mod diagnostic;
mod dist;
mod faults;
mod locate;
mod overrides;
mod reader;
mod schedule;
mod steps;
mod sweep;
mod units;
mod validate;

use std::io::Read;
use std::path::Path;

use toml::de::DeTable;

pub use diagnostic::{
    Diagnostic, ScenarioError, Warning, WarningKind, did_you_mean, escape_controls,
};
pub use locate::{Place, diagnostic_at};
pub use overrides::Override;
pub use sweep::{parse_axis, parse_load, parse_point, point_system};

/// A duration written as a scenario file writes it (`"250ms"`, `"1.5 s"`, `"10m30s"`), for
/// command-line flags that take one; the error says what is wrong.
pub fn parse_duration(text: &str) -> Result<model::SimDuration, String> {
    units::parse_duration(text)
}

use crate::model;
use diagnostic::Sink;

/// A validated scenario, with what the reader warned about.
#[derive(Debug)]
#[non_exhaustive]
pub struct Parsed {
    /// The system, valid as read.
    pub system: model::System,
    /// Values accepted but perhaps not meant (a duration without a unit), in file order.
    pub warnings: Vec<Warning>,
    /// The sweep the file declares in `[sweep]`, if any.
    pub sweep: Option<model::SweepSpec>,
}

/// Parses a scenario from `text`; `file` names it in diagnostics. See [`parse_with_warnings`].
pub fn parse(text: &str, file: &str) -> Result<model::System, ScenarioError> {
    parse_with_warnings(text, file).map(|parsed| parsed.system)
}

/// Parses a scenario from `text`; `file` names it in diagnostics and warnings.
///
/// Returns the validated system and its warnings, or every problem found (syntax, unknown
/// keys, types, units, names, topology), sorted by position.
pub fn parse_with_warnings(text: &str, file: &str) -> Result<Parsed, ScenarioError> {
    parse_with_overrides(text, file, &[])
}

/// Parses a scenario from `text` with some of its values replaced (see [`Override`]), as
/// though the file said so; a problem with an override is reported as the file's are,
/// naming the override instead of a line.
pub fn parse_with_overrides(
    text: &str,
    file: &str,
    overrides: &[Override],
) -> Result<Parsed, ScenarioError> {
    let labels = overrides.iter().map(|o| format!("{} = {}", o.key, o.value));
    let sink = Sink::new(file, text).with_overrides(labels.collect());
    let documents: Vec<String> = overrides.iter().map(Override::document).collect();
    let system = match DeTable::parse(text) {
        Ok(root) => {
            let mut root = root.into_inner();
            for (k, (o, document)) in overrides.iter().zip(&documents).enumerate() {
                let at = text.len() + 1 + k;
                if let Some(value) = override_value(document, at, &o.key, &sink) {
                    overrides::apply(&mut root, &o.key, value, at, &sink);
                }
            }
            sink.is_clean()
                .then(|| validate::build(&root, &sink))
                .flatten()
        }
        Err(error) => {
            report_syntax(&error, &sink);
            None
        }
    };
    let (diagnostics, warnings) = sink.into_sorted();
    match system {
        Some(built) if diagnostics.is_empty() => Ok(Parsed {
            system: built.system,
            warnings,
            sweep: built.sweep,
        }),
        _ if !diagnostics.is_empty() => Err(ScenarioError { diagnostics }),
        // Every path that yields no system records why; this keeps a bug from becoming
        // an empty error.
        _ => Err(ScenarioError {
            diagnostics: vec![internal_error(file)],
        }),
    }
}

/// The value of an override's one-line `document`, positioned at `at`.
fn override_value<'d>(
    document: &'d str,
    at: usize,
    key: &str,
    sink: &Sink<'_>,
) -> Option<toml::Spanned<toml::de::DeValue<'d>>> {
    let parsed = DeTable::parse(document).ok().and_then(|mut table| {
        let (_, value) = table.get_mut().remove_entry("value")?;
        Some(value.into_inner())
    });
    if parsed.is_none() {
        sink.error(at, key, "not a value a scenario file can hold");
    }
    parsed.map(|value| toml::Spanned::new(at..at + 1, value))
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
    read_text(path).map_err(|message| unreadable(&path.display().to_string(), message))
}

/// Reads a scenario from `input` (standard input, for `-`) as text, with the size limit of
/// [`read`]; `name` (such as `<stdin>`) names it in the diagnostic.
pub fn read_from(input: impl Read, name: &str) -> Result<String, ScenarioError> {
    read_limited(input).map_err(|message| unreadable(name, message))
}

fn unreadable(file: &str, message: String) -> ScenarioError {
    ScenarioError {
        diagnostics: vec![Diagnostic {
            file: file.to_string(),
            line: 0,
            column: 0,
            key: String::new(),
            message: format!("cannot read the scenario: {message}"),
            help: None,
        }],
    }
}

fn read_text(path: &Path) -> Result<String, String> {
    let metadata = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !metadata.is_file() {
        return Err("not a regular file (a directory, device or pipe); give a .toml file".into());
    }
    check_size(metadata.len())?;
    read_limited(std::fs::File::open(path).map_err(|e| e.to_string())?)
}

/// At most [`MAX_FILE_BYTES`]: one byte beyond the limit tells a file that grew since it
/// was measured, or a stream that is too long.
fn read_limited(input: impl Read) -> Result<String, String> {
    let mut text = String::new();
    (input.take(MAX_FILE_BYTES + 1).read_to_string(&mut text)).map_err(|e| e.to_string())?;
    check_size(text.len() as u64)?;
    Ok(text)
}

fn check_size(bytes: u64) -> Result<(), String> {
    if bytes > MAX_FILE_BYTES {
        return Err(format!(
            "the scenario has {bytes} bytes, more than the {} MiB a scenario may have",
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
