//! The values a sweep or a plan varies, as written on the command line or in a `[sweep]`
//! table, and the system of each point.
//!
//! `KEY=VALUES` where VALUES is a comma-separated list of values (`4,8,16`), arithmetic
//! ranges with a step (`4..32:4`, `100ms..900ms:100ms`) and geometric ones with a factor
//! (`100/s..800/s*2`), in the order given.
//! `--load` takes `F1..F2:N` (N evenly spaced factors) or a list of factors.

use super::units;
use super::{Override, Parsed, ScenarioError, parse_with_overrides};
use crate::model::{Axis, AxisUnit, AxisValue, Grid, Knob, MAX_POINTS, System};

/// `KEY=VALUES`, as `--vary` takes it.
pub fn parse_axis(spec: &str) -> Result<Axis, String> {
    let (key, values) = spec.split_once('=').ok_or_else(|| {
        format!("'{spec}' is not KEY=VALUES, such as service.api.workers=4..32:4")
    })?;
    let key = key.trim();
    if key.is_empty() {
        return Err(format!("'{spec}' names no key"));
    }
    let (unit, values) = parse_values(values.trim()).map_err(|e| format!("{key}: {e}"))?;
    Ok(Axis {
        knob: Knob::Key(key.to_string()),
        unit,
        values,
    })
}

/// The factors of `--load`: `F1..F2:N` (N ≥ 2 evenly spaced factors, ends included) or a
/// list (`0.5,1,1.5`).
pub fn parse_load(spec: &str) -> Result<Axis, String> {
    let factors: Vec<f64> = match spec.split_once("..") {
        Some((low, rest)) => {
            let (high, count) = rest
                .split_once(':')
                .ok_or_else(|| format!("'{spec}' is not F1..F2:N, such as 0.5..1.5:11"))?;
            let (low, high) = (factor(low)?, factor(high)?);
            let count: usize = (count.trim().parse().ok())
                .filter(|n| (2..=MAX_POINTS).contains(n))
                .ok_or_else(|| {
                    format!("'{count}' after ':' must be a number of points, 2 to {MAX_POINTS}")
                })?;
            if high <= low {
                return Err(format!("'{spec}': the second factor must be larger"));
            }
            let step = (high - low) / (count - 1) as f64;
            (0..count).map(|i| round(low + i as f64 * step)).collect()
        }
        None => spec.split(',').map(factor).collect::<Result<_, _>>()?,
    };
    Ok(Axis {
        knob: Knob::Load,
        unit: AxisUnit::Factor,
        values: (factors.into_iter())
            .map(|f| AxisValue {
                text: format!("{f}"),
                number: f,
            })
            .collect(),
    })
}

fn factor(text: &str) -> Result<f64, String> {
    let text = text.trim();
    text.parse::<f64>()
        .ok()
        .filter(|f| f.is_finite() && *f > 0.0)
        .ok_or_else(|| format!("'{text}' is not a load factor (a number > 0, such as 1.5)"))
}

/// A list or a range of values, all of one unit.
fn parse_values(text: &str) -> Result<(AxisUnit, Vec<AxisValue>), String> {
    let mut texts = Vec::new();
    for part in text.split(',').map(str::trim) {
        match part.split_once("..") {
            Some((low, rest)) => texts.extend(range(low.trim(), rest.trim())?),
            None => texts.push(part.to_string()),
        }
        if texts.len() > MAX_POINTS {
            return Err(format!("more than {MAX_POINTS} values"));
        }
    }
    let mut unit = None;
    let mut values = Vec::with_capacity(texts.len());
    for text in texts {
        let (this, number) = classify(&text)?;
        if unit.is_some_and(|u| u != this) {
            return Err(format!(
                "'{text}' is not in the unit of the values before it"
            ));
        }
        unit = Some(this);
        values.push(AxisValue { text, number });
    }
    Ok((unit.expect("split yields at least one value"), values))
}

/// A value's unit and its number in that unit.
fn classify(text: &str) -> Result<(AxisUnit, f64), String> {
    if text.is_empty() {
        return Err("an empty value".into());
    }
    if let Ok(number) = text.parse::<f64>() {
        return Ok((AxisUnit::Number, number));
    }
    if let Ok(rate) = units::parse_rate(text) {
        return Ok((AxisUnit::PerSecond, rate.as_per_sec()));
    }
    if let Ok(duration) = units::parse_duration(text) {
        return Ok((AxisUnit::Seconds, duration.as_secs_f64()));
    }
    Err(format!(
        "'{text}' is not a number, a rate (250/s) or a duration (2s)"
    ))
}

/// `LOW..HIGH:STEP` or `LOW..HIGH*FACTOR` (after `LOW..`), as texts in LOW's unit.
fn range(low: &str, rest: &str) -> Result<Vec<String>, String> {
    let (high, by, geometric) = match (rest.rsplit_once('*'), rest.rsplit_once(':')) {
        (Some((high, factor)), None) => (high, factor, true),
        (None, Some((high, step))) => (high, step, false),
        _ => {
            return Err(format!(
                "'{low}..{rest}' is not LOW..HIGH:STEP (4..32:4) or LOW..HIGH*FACTOR (100/s..800/s*2)"
            ));
        }
    };
    let (low_n, unit) = split_unit(low)?;
    let (high_n, high_unit) = split_unit(high.trim())?;
    if high_unit != unit {
        return Err(format!("give both ends in one unit ('{low}' and '{high}')"));
    }
    if high_n < low_n {
        return Err(format!("'{high}' is below '{low}'"));
    }
    let (by_n, by_unit) = split_unit(by.trim())?;
    let integer = [low, high.trim(), by.trim()]
        .iter()
        .all(|t| split_unit(t).is_ok_and(|(_, u)| t.trim_end_matches(u).parse::<i64>().is_ok()));
    let numbers = if geometric {
        if !by_unit.is_empty() || by_n <= 1.0 || low_n <= 0.0 {
            return Err(format!(
                "'*{by}' must be a plain factor above 1, from a value above 0"
            ));
        }
        progression(low_n, high_n, |x| x * by_n)?
    } else {
        if !(by_unit.is_empty() || by_unit == unit) || by_n <= 0.0 {
            return Err(format!(
                "the step ':{by}' must be above 0, in the unit of the ends"
            ));
        }
        let mut i = 0.0;
        progression(low_n, high_n, |_| {
            i += 1.0;
            low_n + i * by_n
        })?
    };
    Ok(numbers
        .into_iter()
        .map(|n| {
            let n = if integer { n.round() } else { round(n) };
            format!("{n}{unit}")
        })
        .collect())
}

/// `first`, then `next` of the last, while at most `last` (with a relative slack of 1e-9
/// for sums of decimal steps); at most [`MAX_POINTS`] values.
fn progression(
    first: f64,
    last: f64,
    mut next: impl FnMut(f64) -> f64,
) -> Result<Vec<f64>, String> {
    let mut out = vec![first];
    loop {
        let x = next(*out.last().expect("starts with one"));
        if x > last + 1e-9 * last.abs() {
            return Ok(out);
        }
        if out.len() == MAX_POINTS {
            return Err(format!("the range has more than {MAX_POINTS} values"));
        }
        out.push(x);
    }
}

/// A number and the unit written after it: `("250", "ms")` from `250ms`.
fn split_unit(text: &str) -> Result<(f64, &str), String> {
    let end = text
        .find(|c: char| !(c.is_ascii_digit() || ".+-eE".contains(c)))
        .unwrap_or(text.len());
    // An exponent's `e` is part of the number only when digits follow it.
    let (mut number, mut unit) = text.split_at(end);
    while number.ends_with(['e', 'E']) {
        (number, unit) = text.split_at(number.len() - 1);
    }
    let value = number
        .parse::<f64>()
        .ok()
        .filter(|v| v.is_finite())
        .ok_or_else(|| format!("'{text}' does not start with a number"))?;
    Ok((value, unit.trim()))
}

/// `x` to 12 significant digits, so that sums of decimal steps print as written (0.3, not
/// 0.30000000000000004).
fn round(x: f64) -> f64 {
    format!("{x:.11e}").parse().unwrap_or(x)
}

/// The system at point `point` of `grid`: the scenario `text` with the point's values set,
/// validated as the file would be, and its load scaled.
pub fn point_system(
    text: &str,
    file: &str,
    grid: &Grid,
    point: usize,
) -> Result<System, ScenarioError> {
    parse_point(text, file, grid, point).map(|parsed| parsed.system)
}

/// [`point_system`] with the reader's warnings, those about the point's own values among
/// them (a value without a unit, read as seconds): their `file` names the override.
pub fn parse_point(
    text: &str,
    file: &str,
    grid: &Grid,
    point: usize,
) -> Result<Parsed, ScenarioError> {
    let mut overrides = Vec::new();
    let mut load = 1.0;
    for (axis, value) in grid.axes().iter().zip(grid.values(point)) {
        match &axis.knob {
            Knob::Key(key) => overrides.push(Override::new(key, &value.text)),
            Knob::Load => load *= value.number,
        }
    }
    let parsed = parse_with_overrides(text, file, &overrides)?;
    if load == 1.0 {
        return Ok(parsed);
    }
    let system = parsed
        .system
        .with_load(load)
        .map_err(|message| ScenarioError {
            diagnostics: vec![super::Diagnostic {
                file: format!("{file} (with load {load})"),
                line: 0,
                column: 0,
                key: String::new(),
                message,
                help: None,
            }],
        })?;
    Ok(Parsed { system, ..parsed })
}

#[cfg(test)]
mod tests;
