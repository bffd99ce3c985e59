//! Positions for problems found after parsing: when the engine's pre-run check refuses a
//! valid model (a source too fast to simulate, an unstable service, a limit too large for
//! memory), the refusal is pointed at the key of the component that causes it.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use super::diagnostic::{Diagnostic, Sink};

/// A key of a component, named as in the file.
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub enum Place<'a> {
    /// A key of `[simulation]`.
    Simulation {
        /// The key, such as `max_in_flight`.
        key: &'a str,
    },
    /// A key of the `[[source]]` named `name`.
    Source {
        /// The source's name.
        name: &'a str,
        /// The key, such as `rate`.
        key: &'a str,
    },
    /// A key of the `[[service]]` named `name`.
    Service {
        /// The service's name.
        name: &'a str,
        /// The key, such as `workers`.
        key: &'a str,
    },
}

/// A problem with the valid scenario `text`, read from `file`, as a diagnostic at `place`:
/// at the key where it is written, else at the start of its table (a default applied).
pub fn diagnostic_at(text: &str, file: &str, place: Place<'_>, message: String) -> Diagnostic {
    let (section, name, key) = match place {
        Place::Simulation { key } => ("simulation", None, key),
        Place::Source { name, key } => ("source", Some(name), key),
        Place::Service { name, key } => ("service", Some(name), key),
    };
    let dotted = match name {
        Some(name) => format!("{section}.{name}.{key}"),
        None => format!("{section}.{key}"),
    };
    let at = DeTable::parse(text)
        .ok()
        .and_then(|root| offset(root.get_ref(), section, name, key));
    Sink::new(file, text).diagnostic(at.unwrap_or(0), &dotted, message, None)
}

/// The byte offset of `key` in the table of `section` (the one called `name` in an array
/// of tables), or of that table when the key is not written.
fn offset(root: &DeTable<'_>, section: &str, name: Option<&str>, key: &str) -> Option<usize> {
    let value = root.get(section)?;
    let (table, entries) = match (value.get_ref(), name) {
        (DeValue::Table(entries), None) => (value, entries),
        (DeValue::Array(items), Some(name)) => items.iter().find_map(|item| named(item, name))?,
        _ => return None,
    };
    let key_at = entries.get_key_value(key).map(|(k, _)| k.span().start);
    Some(key_at.unwrap_or(table.span().start))
}

/// `item` and its entries, if it is a table whose `name` is `name`.
fn named<'v, 'a>(
    item: &'v Spanned<DeValue<'a>>,
    name: &str,
) -> Option<(&'v Spanned<DeValue<'a>>, &'v DeTable<'a>)> {
    match item.get_ref() {
        DeValue::Table(entries) if entries.get("name")?.get_ref().as_str() == Some(name) => {
            Some((item, entries))
        }
        _ => None,
    }
}
