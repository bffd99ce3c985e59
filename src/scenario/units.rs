//! Durations and rates written as text: `"250ms"`, `"1.5 s"`, `"80/s"`, `"30/min"`.
//!
//! Pure functions from a string (or a plain number of seconds) to the model's
//! [`SimDuration`] and [`Rate`]. Errors are messages for a diagnostic; positions are the
//! caller's business.

use crate::model::{Rate, SimDuration};

/// Accepted units and their length in nanoseconds. Longer spellings come first where one
/// is a suffix of another ("ms" before "s", "min" before "m").
const UNITS: [(&str, f64); 9] = [
    ("ns", 1.0),
    ("us", 1e3),
    ("µs", 1e3),
    ("μs", 1e3),
    ("ms", 1e6),
    ("s", 1e9),
    ("min", 60e9),
    ("m", 60e9),
    ("h", 3600e9),
];

/// The units as the user should read them.
const UNITS_TEXT: &str = "ns, us (or µs), ms, s, m (or min), h";

/// Nanoseconds in one second.
const NS_PER_S: f64 = 1e9;

/// A duration such as `"250us"`, `"40ms"`, `"1.5 s"`, `"5m"` or `"1h"`, or several of
/// them written together and added up: `"10m30s"`, `"1h 30m"`.
pub(crate) fn parse_duration(text: &str) -> Result<SimDuration, String> {
    let single = parse_single_duration(text);
    if single.is_ok() {
        return single;
    }
    let parts = compound_parts(text);
    if parts.len() < 2 {
        return single;
    }
    let mut total_ns: u64 = 0;
    for part in parts {
        // Any part that is not a duration on its own: the message about the whole text is
        // the clearer one.
        let Ok(duration) = parse_single_duration(part) else {
            return single;
        };
        total_ns = total_ns.saturating_add(duration.0);
    }
    duration_from_ns(total_ns as f64, &format!("\"{text}\""))
}

/// Splits `"10m30s"` into `["10m", "30s"]`: a new part starts wherever a digit or decimal
/// point follows a letter (spaces between are allowed). An exponent (`"1e3ms"`) splits too, but then a part has no
/// unit and the whole text is read as one duration instead.
fn compound_parts(text: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut previous) = (0, ' ');
    for (i, c) in text.char_indices() {
        let starts_number = c.is_ascii_digit() || c == '.';
        if starts_number && previous.is_alphabetic() {
            parts.push(text[start..i].trim());
            start = i;
        }
        if !c.is_whitespace() {
            previous = c;
        }
    }
    parts.push(text[start..].trim());
    parts
}

/// One number and its unit.
fn parse_single_duration(text: &str) -> Result<SimDuration, String> {
    let (number, unit) = split_number(text);
    if number.is_empty() {
        return Err(not_a(text, Kind::Duration));
    }
    if unit.is_empty() {
        return Err(missing_unit(text, number, Kind::Duration));
    }
    let ns_per_unit = unit_ns(unit).ok_or_else(|| {
        format!("unknown unit '{unit}' in duration \"{text}\"; use one of {UNITS_TEXT}")
    })?;
    let value = parse_magnitude(number, text, Kind::Duration)?;
    duration_from_ns(value * ns_per_unit, &format!("\"{text}\""))
}

/// A plain number of seconds (a TOML integer or float without a unit).
pub(crate) fn seconds(value: f64) -> Result<SimDuration, String> {
    if value.is_nan() || value.is_infinite() {
        return Err(format!("must be a finite number of seconds (got {value})"));
    }
    if value < 0.0 {
        return Err(format!("a duration must not be negative (got {value} s)"));
    }
    duration_from_ns(value * NS_PER_S, &format!("{value} s"))
}

/// A rate such as `"900/s"`, `"30/min"`, `"2/ms"` or `"100/h"`; it must be > 0.
pub(crate) fn parse_rate(text: &str) -> Result<Rate, String> {
    positive_rate(rate_per_sec(text)?, text)
}

/// A rate as [`parse_rate`] reads it, but 0 is allowed (`"0/s"`): per second, >= 0.
pub(crate) fn parse_rate_or_zero(text: &str) -> Result<f64, String> {
    rate_per_sec(text)
}

/// A plain number of events per second, finite and >= 0.
pub(crate) fn per_second_or_zero(value: f64) -> Result<f64, String> {
    if value.is_finite() && value >= 0.0 {
        Ok(value)
    } else {
        Err(format!("a rate must be a finite number >= 0 (got {value})"))
    }
}

/// The events per second written in `text` (finite, not negative), without a range check.
fn rate_per_sec(text: &str) -> Result<f64, String> {
    let Some((number, unit)) = text.split_once('/') else {
        return Err(match split_number(text) {
            ("", _) => not_a(text, Kind::Rate),
            (number, _) => missing_unit(text, number, Kind::Rate),
        });
    };
    let (number, unit) = (number.trim(), unit.trim());
    if unit.is_empty() {
        return Err(missing_unit(text, number, Kind::Rate));
    }
    let ns_per_unit = unit_ns(unit).ok_or_else(|| {
        format!("unknown unit '{unit}' in rate \"{text}\"; use one of {UNITS_TEXT} after '/'")
    })?;
    let value = parse_magnitude(number, text, Kind::Rate)?;
    Ok(value / (ns_per_unit / NS_PER_S))
}

/// A plain number of events per second; it must be > 0.
pub(crate) fn per_second(value: f64) -> Result<Rate, String> {
    positive_rate(value, &value.to_string())
}

fn positive_rate(per_sec: f64, shown: &str) -> Result<Rate, String> {
    Rate::per_sec(per_sec)
        .ok_or_else(|| format!("a rate must be a finite number > 0 (got {shown})"))
}

fn unit_ns(unit: &str) -> Option<f64> {
    UNITS
        .iter()
        .find(|(name, _)| *name == unit)
        .map(|&(_, ns)| ns)
}

/// Splits `"1.5 ms"` into `("1.5", "ms")`: the unit is whatever follows the last digit
/// or decimal point, so that exponents (`"1e3ms"`) stay with the number.
fn split_number(text: &str) -> (&str, &str) {
    let text = text.trim();
    let end = text
        .char_indices()
        .filter(|(_, c)| c.is_ascii_digit() || *c == '.')
        .map(|(i, c)| i + c.len_utf8())
        .next_back()
        .unwrap_or(0);
    let (number, unit) = text.split_at(end);
    (number.trim(), unit.trim())
}

/// What a text was meant to be, for messages.
#[derive(Clone, Copy)]
enum Kind {
    Duration,
    Rate,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Duration => "duration",
            Kind::Rate => "rate",
        }
    }

    fn example(self) -> &'static str {
        match self {
            Kind::Duration => "\"250ms\"",
            Kind::Rate => "\"80/s\"",
        }
    }
}

/// Parses the number in front of a unit; it must be finite and not negative.
fn parse_magnitude(number: &str, text: &str, kind: Kind) -> Result<f64, String> {
    // Only digits and the signs of a decimal number: f64's parser would also take "inf".
    let numeric = |c: char| c.is_ascii_digit() || matches!(c, '.' | 'e' | 'E' | '+' | '-' | '_');
    if !number.chars().all(numeric) {
        return Err(not_a(text, kind));
    }
    let value: f64 = number
        .replace('_', "")
        .parse()
        .map_err(|_| not_a(text, kind))?;
    let what = kind.name();
    if !value.is_finite() {
        return Err(format!("the {what} \"{text}\" is too large"));
    }
    if value < 0.0 {
        return Err(format!("a {what} must not be negative (got \"{text}\")"));
    }
    Ok(value)
}

fn not_a(text: &str, kind: Kind) -> String {
    format!(
        "invalid {} \"{text}\": expected a number and a unit, such as {}",
        kind.name(),
        kind.example()
    )
}

fn missing_unit(text: &str, number: &str, kind: Kind) -> String {
    let (suffix, plain) = match kind {
        Kind::Duration => ("s", "seconds"),
        Kind::Rate => ("/s", "per second"),
    };
    format!(
        "missing unit in \"{text}\": write e.g. \"{number}{suffix}\"; units are {UNITS_TEXT} \
         (a plain number without quotes means {plain})"
    )
}

fn duration_from_ns(ns: f64, shown: &str) -> Result<SimDuration, String> {
    let ns = ns.round();
    if ns.is_finite() && ns < u64::MAX as f64 {
        Ok(SimDuration(ns as u64))
    } else {
        Err(format!(
            "the duration {shown} is too long (at most about 584 years)"
        ))
    }
}
