//! Values of a scenario replaced by their dotted key (`service.api.workers = 8`), for
//! sweeps and capacity plans.
//!
//! An override is applied to the spanned tree before the file is validated, so the value
//! goes through exactly the checks the same value written in the file would, and a key
//! the reader does not know gets its usual "did you mean". The value of override `k` is
//! given the position just past the end of the text plus `k`, which the [`Sink`] turns
//! into a diagnostic naming the override instead of a line of the file.

use std::borrow::Cow;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Sink, did_you_mean};

/// A value of the scenario replaced by its dotted key, as diagnostics print keys:
/// `service.api.workers`, `source.web.rate`, `source.web.schedule[0].rate`.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Override {
    /// The dotted key.
    pub key: String,
    /// The value as it would be written in the file, without quotes: `8`, `250/s`, `2s`.
    pub value: String,
}

impl Override {
    /// `key` set to `value`.
    pub fn new(key: &str, value: &str) -> Override {
        Override {
            key: key.to_string(),
            value: value.to_string(),
        }
    }

    /// A one-line TOML document holding the value under `value`, quoted unless it is a
    /// number or a boolean.
    pub(crate) fn document(&self) -> String {
        format!("value = {}", literal(&self.value))
    }
}

/// The value as TOML: numbers and booleans as they are, anything else as a string.
fn literal(value: &str) -> String {
    let number = value.parse::<i64>().is_ok()
        || (value.parse::<f64>().is_ok_and(f64::is_finite)
            && value
                .chars()
                .all(|c| c.is_ascii_digit() || ".eE+-".contains(c)));
    if number || value == "true" || value == "false" {
        value.to_string()
    } else {
        let escaped: String = value
            .chars()
            .flat_map(|c| match c {
                '"' | '\\' => vec!['\\', c],
                c if c.is_control() => format!("\\u{:04X}", c as u32).chars().collect(),
                c => vec![c],
            })
            .collect();
        format!("\"{escaped}\"")
    }
}

/// One step of a dotted key: a table key, or an index into an array.
#[derive(Debug, PartialEq)]
enum Segment<'k> {
    Key(&'k str),
    Index(usize),
}

/// The segments of `key`, or why it is not a dotted key.
fn segments(key: &str) -> Result<Vec<Segment<'_>>, String> {
    let mut out = Vec::new();
    for part in key.split('.') {
        let (name, mut rest) = part.split_at(part.find('[').unwrap_or(part.len()));
        if name.is_empty() {
            return Err(format!(
                "'{key}' is not a dotted key such as service.api.workers"
            ));
        }
        out.push(Segment::Key(name));
        while let Some(inner) = rest.strip_prefix('[') {
            let (index, after) = inner
                .split_once(']')
                .ok_or_else(|| format!("'{key}': a '[' without its ']'"))?;
            let index = index
                .parse()
                .map_err(|_| format!("'{key}': [{index}] is not an index such as [0]"))?;
            out.push(Segment::Index(index));
            rest = after;
        }
        if !rest.is_empty() {
            return Err(format!("'{key}': unexpected '{rest}' after an index"));
        }
    }
    Ok(out)
}

/// Sets `value` (with position `at`) at `key` in `root`, creating missing tables on the
/// way; records why not in `sink`. Components (`source`, `service`) are found by name.
pub(crate) fn apply<'a>(
    root: &mut DeTable<'a>,
    key: &str,
    value: Spanned<DeValue<'a>>,
    at: usize,
    sink: &Sink<'_>,
) {
    if let Err((message, help)) = set(root, key, value, at) {
        sink.error_with_help(at, key, message, help);
    }
}

type Refusal = (String, Option<String>);

fn set<'a>(
    root: &mut DeTable<'a>,
    key: &str,
    value: Spanned<DeValue<'a>>,
    at: usize,
) -> Result<(), Refusal> {
    let segments = segments(key).map_err(|m| (m, None))?;
    let (last, path) = segments.split_last().expect("split always yields one part");
    let mut here = Place::Table(root);
    let mut walked = String::new();
    let mut rest = path.iter().peekable();
    while let Some(segment) = rest.next() {
        here = match (here, segment) {
            (Place::Table(table), Segment::Key(name))
                if walked.is_empty() && is_component(name) =>
            {
                let Some(Segment::Key(component)) = rest.next() else {
                    return Err((
                        format!("'{key}': name the {name}, as in {name}.NAME.KEY"),
                        None,
                    ));
                };
                walked = format!("{name}.{component}");
                Place::Table(component_table(table, name, component)?)
            }
            (Place::Table(table), Segment::Key(name)) => {
                walked = joined(&walked, name);
                Place::of(child(table, name, at))
            }
            (Place::Array(items), Segment::Index(i)) => {
                let len = items.len();
                walked = format!("{walked}[{i}]");
                Place::of(items.get_mut(*i).ok_or_else(|| {
                    (
                        format!("'{walked}' does not exist: the list has {len} entries"),
                        None,
                    )
                })?)
            }
            (Place::Array(_), Segment::Key(_)) | (Place::Other, Segment::Key(_)) => {
                return Err((
                    format!("'{walked}' is not a table, so it has no keys"),
                    None,
                ));
            }
            (Place::Table(_) | Place::Other, Segment::Index(_)) => {
                return Err((
                    format!("'{walked}' is not a list, so it has no [index]"),
                    None,
                ));
            }
        };
    }
    match (here, last) {
        (Place::Table(table), Segment::Key(name)) => {
            table.insert(
                Spanned::new(at..at + 1, Cow::Owned(name.to_string())),
                value,
            );
            Ok(())
        }
        (Place::Array(items), Segment::Index(i)) => {
            let len = items.len();
            let slot = items.get_mut(*i).ok_or_else(|| {
                (
                    format!("'{walked}[{i}]' does not exist: the list has {len} entries"),
                    None,
                )
            })?;
            *slot = value;
            Ok(())
        }
        (Place::Table(_) | Place::Other, Segment::Index(_)) => Err((
            format!("'{walked}' is not a list, so it has no [index]"),
            None,
        )),
        _ => Err((
            format!("'{walked}' is not a table, so it has no keys"),
            None,
        )),
    }
}

fn joined(walked: &str, name: &str) -> String {
    if walked.is_empty() {
        name.to_string()
    } else {
        format!("{walked}.{name}")
    }
}

fn is_component(name: &str) -> bool {
    matches!(name, "source" | "service")
}

/// Where a walk along a key has got to.
enum Place<'t, 'a> {
    Table(&'t mut DeTable<'a>),
    Array(&'t mut [Spanned<DeValue<'a>>]),
    Other,
}

impl<'t, 'a> Place<'t, 'a> {
    fn of(value: &'t mut Spanned<DeValue<'a>>) -> Place<'t, 'a> {
        match value.get_mut() {
            DeValue::Table(table) => Place::Table(table),
            DeValue::Array(items) => Place::Array(items),
            _ => Place::Other,
        }
    }
}

/// The value under `name`, inserting an empty table (positioned at `at`) when absent.
fn child<'t, 'a>(
    table: &'t mut DeTable<'a>,
    name: &str,
    at: usize,
) -> &'t mut Spanned<DeValue<'a>> {
    if !table.contains_key(name) {
        let empty = Spanned::new(at..at + 1, DeValue::Table(DeTable::new()));
        table.insert(
            Spanned::new(at..at + 1, Cow::Owned(name.to_string())),
            empty,
        );
    }
    table.get_mut(name).expect("just inserted")
}

/// The `[[kind]]` table whose `name` is `component`; a "did you mean" when there is none.
fn component_table<'t, 'a>(
    root: &'t mut DeTable<'a>,
    kind: &str,
    component: &str,
) -> Result<&'t mut DeTable<'a>, Refusal> {
    let tables: Vec<&'t mut DeTable<'a>> = match root.get_mut(kind).map(|v| v.get_mut()) {
        Some(DeValue::Array(items)) => (items.iter_mut())
            .filter_map(|item| match item.get_mut() {
                DeValue::Table(table) => Some(table),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    let name_of = |table: &DeTable<'_>| {
        table
            .get("name")
            .and_then(|v| v.get_ref().as_str())
            .map(str::to_string)
    };
    let names: Vec<String> = tables.iter().filter_map(|t| name_of(t)).collect();
    match tables
        .into_iter()
        .find(|t| name_of(t).as_deref() == Some(component))
    {
        Some(table) => Ok(table),
        None => {
            let help = did_you_mean(component, names.iter().map(String::as_str)).or_else(|| {
                (!names.is_empty()).then(|| format!("the {kind}s are: {}", names.join(", ")))
            });
            Err((format!("no {kind} named '{component}'"), help))
        }
    }
}

#[cfg(test)]
mod tests;
