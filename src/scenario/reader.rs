//! A typed reader over the spanned TOML tree.
//!
//! A [`Table`] hands out [`Field`]s by key and remembers which keys were asked for, so that
//! [`Table::finish`] can report every key nobody asked for as unknown (with a "did you
//! mean"). A `Field` converts its value to what the caller expects (string, integer in a
//! range, number, duration, rate, table, array) or records a diagnostic at the value's
//! position and yields `None`. Nothing here stops at the first problem.

use std::num::IntErrorKind;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeInteger, DeTable, DeValue};

use super::diagnostic::{Sink, WarningKind, did_you_mean};
use super::units;
use crate::model::{Rate, SimDuration};

/// A TOML table being read: the keys asked for so far, and where the table starts.
pub(crate) struct Table<'a> {
    sink: &'a Sink<'a>,
    entries: &'a DeTable<'a>,
    at: usize,
    path: String,
    asked: Vec<&'static str>,
}

/// One value in the tree, with its dotted key path and positions.
pub(crate) struct Field<'a> {
    sink: &'a Sink<'a>,
    key: String,
    key_at: usize,
    value: &'a Spanned<DeValue<'a>>,
}

/// The one key, of two mutually exclusive ones, that was given.
pub(crate) enum OneOf<'a> {
    /// The first key named in [`Table::one_of`].
    First(Field<'a>),
    /// The second key named in [`Table::one_of`].
    Second(Field<'a>),
}

impl<'a> Table<'a> {
    /// The document root, at the start of the file.
    pub(crate) fn root(sink: &'a Sink<'a>, entries: &'a DeTable<'a>) -> Table<'a> {
        Table::new(sink, entries, 0, String::new())
    }

    fn new(sink: &'a Sink<'a>, entries: &'a DeTable<'a>, at: usize, path: String) -> Table<'a> {
        Table {
            sink,
            entries,
            at,
            path,
            asked: Vec::new(),
        }
    }

    /// The sink that collects this file's problems.
    pub(crate) fn sink(&self) -> &'a Sink<'a> {
        self.sink
    }

    /// Renames the table for later diagnostics (once its `name` is known).
    pub(crate) fn rename(&mut self, path: String) {
        self.path = path;
    }

    /// The dotted path of `key` inside this table.
    pub(crate) fn key_path(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_string()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    /// Records a problem about the table as a whole, at its start.
    pub(crate) fn error(&self, message: impl Into<String>) {
        self.sink.error(self.at, &self.path, message);
    }

    /// The string under `key`, without reporting anything or marking it as read.
    pub(crate) fn peek_str(&self, key: &str) -> Option<&'a str> {
        self.entries.get(key)?.get_ref().as_str()
    }

    /// The value of `key`, if present. Either way, `key` becomes a known key.
    pub(crate) fn get(&mut self, key: &'static str) -> Option<Field<'a>> {
        self.asked.push(key);
        let (name, value) = self.entries.get_key_value(key)?;
        Some(Field {
            sink: self.sink,
            key: self.key_path(key),
            key_at: name.span().start,
            value,
        })
    }

    /// The value of `key`; when absent, reports it as missing at the table's start.
    pub(crate) fn require(&mut self, key: &'static str) -> Option<Field<'a>> {
        let field = self.get(key);
        if field.is_none() {
            self.sink.error(
                self.at,
                &self.key_path(key),
                format!("missing required key '{key}'"),
            );
        }
        field
    }

    /// Reads `key` with `read`, or gives `default` when it is absent.
    pub(crate) fn optional<T>(
        &mut self,
        key: &'static str,
        default: T,
        read: impl FnOnce(&Field<'a>) -> Option<T>,
    ) -> Option<T> {
        match self.get(key) {
            Some(field) => read(&field),
            None => Some(default),
        }
    }

    /// Exactly one of two keys; reports both (at the later one) and neither (at the table).
    pub(crate) fn one_of(
        &mut self,
        first: &'static str,
        second: &'static str,
    ) -> Option<OneOf<'a>> {
        match (self.get(first), self.get(second)) {
            (Some(a), None) => Some(OneOf::First(a)),
            (None, Some(b)) => Some(OneOf::Second(b)),
            (Some(a), Some(b)) => {
                let later = if a.key_at > b.key_at { a } else { b };
                later.error_at_key(format!("give either '{first}' or '{second}', not both"));
                None
            }
            (None, None) => {
                self.error(format!(
                    "missing '{first}' or '{second}' (give exactly one)"
                ));
                None
            }
        }
    }

    /// Whether `key` is present, without reporting anything or marking it as read.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.entries.contains_key(key)
    }

    /// Exactly one of `keys`: the index of the one given and its field. Reports each key
    /// given after the first (at that key) and none given (at the table).
    pub(crate) fn exactly_one(&mut self, keys: &[&'static str]) -> Option<(usize, Field<'a>)> {
        let mut given: Vec<(usize, Field<'a>)> = (keys.iter().enumerate())
            .filter_map(|(i, key)| self.get(key).map(|field| (i, field)))
            .collect();
        given.sort_by_key(|(_, field)| field.key_at);
        let mut given = given.into_iter();
        let Some(first) = given.next() else {
            self.error(format!("missing {} (give exactly one)", alternatives(keys)));
            return None;
        };
        let mut clash = false;
        for (i, field) in given {
            let (a, b) = (keys[first.0.min(i)], keys[first.0.max(i)]);
            field.error_at_key(format!("give either '{a}' or '{b}', not both"));
            clash = true;
        }
        (!clash).then_some(first)
    }

    /// Reports every key that was never asked for. Call once all keys have been read.
    pub(crate) fn finish(self) {
        for (name, _) in self.entries.iter() {
            let name_text: &str = name.get_ref();
            if self.asked.contains(&name_text) {
                continue;
            }
            let help = did_you_mean(name_text, self.asked.iter().copied())
                .unwrap_or_else(|| format!("expected one of: {}", self.asked.join(", ")));
            self.sink.error_with_help(
                name.span().start,
                &self.key_path(name_text),
                format!("unknown key '{name_text}'"),
                Some(help),
            );
        }
    }
}

impl<'a> Field<'a> {
    /// An element of an array, named `key[index]`.
    fn element(sink: &'a Sink<'a>, key: String, value: &'a Spanned<DeValue<'a>>) -> Field<'a> {
        Field {
            sink,
            key,
            key_at: value.span().start,
            value,
        }
    }

    /// The sink that collects this file's problems.
    pub(crate) fn sink(&self) -> &'a Sink<'a> {
        self.sink
    }

    /// The dotted key path, such as `service.api.workers`.
    pub(crate) fn key(&self) -> &str {
        &self.key
    }

    /// Byte offset of the key (of the value, for array elements).
    pub(crate) fn key_at(&self) -> usize {
        self.key_at
    }

    /// Byte offset of the value.
    pub(crate) fn at(&self) -> usize {
        self.span().start
    }

    fn span(&self) -> Range<usize> {
        self.value.span()
    }

    /// The raw value, for callers that accept several types.
    pub(crate) fn value(&self) -> &'a DeValue<'a> {
        self.value.get_ref()
    }

    /// Records a problem with the value.
    pub(crate) fn error(&self, message: impl Into<String>) {
        self.sink.error(self.at(), &self.key, message);
    }

    /// Records a problem with the value, with a hint.
    pub(crate) fn error_with_help(&self, message: impl Into<String>, help: Option<String>) {
        self.sink
            .error_with_help(self.at(), &self.key, message, help);
    }

    /// Records a problem with the key itself (its presence, not its value).
    pub(crate) fn error_at_key(&self, message: impl Into<String>) {
        self.sink.error(self.key_at, &self.key, message);
    }

    /// Records "expected X, found Y" and yields `None`.
    pub(crate) fn wrong_type<T>(&self, expected: &str) -> Option<T> {
        self.error(format!(
            "expected {expected}, found {}",
            a_type(self.value())
        ));
        None
    }

    /// A string.
    pub(crate) fn string(&self) -> Option<&'a str> {
        match self.value() {
            DeValue::String(s) => Some(s.as_ref()),
            _ => self.wrong_type("a string"),
        }
    }

    /// A string that is not empty.
    pub(crate) fn non_empty_string(&self) -> Option<&'a str> {
        let text = self.string()?;
        if text.is_empty() {
            self.error("must not be empty");
            return None;
        }
        Some(text)
    }

    /// An integer in `min..=max`.
    pub(crate) fn integer(&self, min: i128, max: i128) -> Option<i128> {
        let DeValue::Integer(integer) = self.value() else {
            return self.wrong_type("an integer");
        };
        let value = match integer_value(integer) {
            Ok(value) => value,
            Err(message) => {
                self.error(message);
                return None;
            }
        };
        if value < min {
            self.error(below(min));
            return None;
        }
        if value > max {
            self.error(format!("must be at most {max}"));
            return None;
        }
        Some(value)
    }

    /// A `u32` of at least `min`.
    pub(crate) fn u32_at_least(&self, min: u32) -> Option<u32> {
        let value = self.integer(i128::from(min), i128::from(u32::MAX))?;
        u32::try_from(value).ok()
    }

    /// A `u64` of at least `min`.
    pub(crate) fn u64_at_least(&self, min: u64) -> Option<u64> {
        let value = self.integer(i128::from(min), i128::from(u64::MAX))?;
        u64::try_from(value).ok()
    }

    /// A finite number, integer or float.
    pub(crate) fn number(&self) -> Option<f64> {
        let value = match self.value() {
            DeValue::Integer(integer) => integer_value(integer).map(|i| i as f64),
            DeValue::Float(float) => float_value(float.as_str()),
            _ => return self.wrong_type("a number"),
        };
        value.map_err(|message| self.error(message)).ok()
    }

    /// A duration: a string with a unit (`"250ms"`), or a plain number of seconds, which
    /// is valid but warned about unless it is 0 (the same in every unit).
    pub(crate) fn duration(&self) -> Option<SimDuration> {
        let parsed = match self.value() {
            DeValue::String(text) => units::parse_duration(text),
            DeValue::Integer(_) | DeValue::Float(_) => {
                let number = self.number()?;
                let read = units::seconds(number);
                if let Ok(duration) = read
                    && duration != SimDuration::ZERO
                {
                    let number = number.to_string();
                    let kind = WarningKind::PlainSeconds {
                        number,
                        read: duration,
                    };
                    self.sink.warn(self.at(), &self.key, kind);
                }
                read
            }
            _ => return self.wrong_type("a duration (a string such as \"250ms\", or seconds)"),
        };
        parsed.map_err(|message| self.error(message)).ok()
    }

    /// A duration that is not zero.
    pub(crate) fn positive_duration(&self) -> Option<SimDuration> {
        let duration = self.duration()?;
        if duration == SimDuration::ZERO {
            self.error("must be > 0");
            return None;
        }
        Some(duration)
    }

    /// A duration in seconds, for distribution parameters.
    pub(crate) fn seconds(&self) -> Option<f64> {
        self.duration().map(SimDuration::as_secs_f64)
    }

    /// A rate: a string such as `"80/s"`, or a plain number per second.
    pub(crate) fn rate(&self) -> Option<Rate> {
        let parsed = match self.value() {
            DeValue::String(text) => units::parse_rate(text),
            DeValue::Integer(_) | DeValue::Float(_) => units::per_second(self.number()?),
            _ => {
                return self
                    .wrong_type("a rate (a string such as \"80/s\", or a number per second)");
            }
        };
        parsed.map_err(|message| self.error(message)).ok()
    }

    /// A rate that may be zero (`"0/s"` or `0`), in events per second.
    pub(crate) fn rate_or_zero(&self) -> Option<f64> {
        let parsed = match self.value() {
            DeValue::String(text) => units::parse_rate_or_zero(text),
            DeValue::Integer(_) | DeValue::Float(_) => units::per_second_or_zero(self.number()?),
            _ => {
                return self
                    .wrong_type("a rate (a string such as \"80/s\", or a number per second)");
            }
        };
        parsed.map_err(|message| self.error(message)).ok()
    }

    /// A probability: a number in [0, 1].
    pub(crate) fn probability(&self) -> Option<f64> {
        let p = self.number()?;
        if (0.0..=1.0).contains(&p) {
            return Some(p);
        }
        self.error(format!("a probability must be in [0, 1] (got {p})"));
        None
    }

    /// A boolean.
    pub(crate) fn boolean(&self) -> Option<bool> {
        match self.value() {
            DeValue::Boolean(b) => Some(*b),
            _ => self.wrong_type("a boolean (true or false)"),
        }
    }

    /// A table (inline or not), to read key by key.
    pub(crate) fn table(&self) -> Option<Table<'a>> {
        match self.value() {
            DeValue::Table(entries) => Some(self.as_table(entries)),
            _ => self.wrong_type("a table"),
        }
    }

    /// The table under this field; the caller has matched the value as a table.
    pub(crate) fn as_table(&self, entries: &'a DeTable<'a>) -> Table<'a> {
        Table::new(self.sink, entries, self.at(), self.key.clone())
    }

    /// An array, as one field per element named `key[i]`.
    pub(crate) fn array(&self) -> Option<Vec<Field<'a>>> {
        let DeValue::Array(items) = self.value() else {
            return self.wrong_type("an array");
        };
        let fields = items
            .iter()
            .enumerate()
            .map(|(i, item)| Field::element(self.sink, format!("{}[{i}]", self.key), item));
        Some(fields.collect())
    }
}

/// The integer's value, honouring its radix and `_` separators, or why it has none.
fn integer_value(integer: &DeInteger<'_>) -> Result<i128, &'static str> {
    let radix = integer.radix();
    let digits = integer.as_str().replace('_', "");
    if !(2..=36).contains(&radix) || digits.is_empty() {
        return Err("not a valid integer");
    }
    i128::from_str_radix(&digits, radix).map_err(|error| match error.kind() {
        IntErrorKind::PosOverflow | IntErrorKind::NegOverflow => "integer is too large",
        _ => "not a valid integer",
    })
}

/// The float's value, which must be finite (TOML allows `inf` and `nan`).
fn float_value(text: &str) -> Result<f64, &'static str> {
    match text.replace('_', "").parse::<f64>() {
        Ok(value) if value.is_finite() => Ok(value),
        Ok(_) => Err("must be a finite number"),
        Err(_) => Err("not a valid number"),
    }
}

/// `'a' or 'b'`, `'a', 'b' or 'c'`: alternatives for messages.
pub(crate) fn alternatives(keys: &[&str]) -> String {
    let quoted: Vec<String> = keys.iter().map(|key| format!("'{key}'")).collect();
    match quoted.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => quoted.join(""),
    }
}

fn below(min: i128) -> String {
    match min {
        1 => "must be > 0".to_string(),
        min => format!("must be >= {min}"),
    }
}

/// "a string", "an integer": the type of a value, for messages.
pub(crate) fn a_type(value: &DeValue<'_>) -> &'static str {
    match value {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a date-time",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}
