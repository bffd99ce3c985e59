//! Numbers as report text: fixed precision, readable units, intervals.

use crate::stats::{Estimate, Figure, Unit};

/// What a report shows in place of a figure that has no observations.
pub(crate) const NO_DATA: &str = "–";

/// A duration in seconds with a readable unit.
pub(crate) fn secs(s: f64) -> String {
    match s {
        s if !s.is_finite() => "n/a".to_string(),
        0.0 => "0 s".to_string(),
        s if s.abs() >= 7200.0 => format!("{:.2} h", s / 3600.0),
        s if s.abs() >= 120.0 => format!("{:.2} min", s / 60.0),
        s if s.abs() >= 1.0 => format!("{s:.3} s"),
        s if s.abs() >= 1e-3 => format!("{:.1} ms", s * 1e3),
        s => format!("{:.1} µs", s * 1e6),
    }
}

/// A number with four significant digits.
pub(crate) fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return if x.is_finite() {
            "0".into()
        } else {
            "n/a".into()
        };
    }
    let decimals = (3 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.decimals$}")
}

/// A fraction as a percentage.
pub(crate) fn pct(fraction: f64) -> String {
    if fraction.is_finite() {
        format!("{:.2}%", fraction * 100.0)
    } else {
        "n/a".into()
    }
}

/// A value in its unit.
pub(crate) fn value(unit: Unit, x: f64) -> String {
    match unit {
        Unit::Seconds => secs(x),
        Unit::PerSecond => format!("{}/s", num(x)),
        Unit::Fraction => pct(x),
        Unit::Number => num(x),
    }
}

/// A number with two significant digits (for interval half-widths).
fn num2(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return num(x);
    }
    let decimals = (1 - x.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{x:.decimals$}")
}

/// A half-width in the same unit ("n/a" with a single replication).
pub(crate) fn half_width(unit: Unit, e: &Estimate) -> String {
    if e.half_width.is_finite() {
        let text = match unit {
            Unit::PerSecond => format!("{}/s", num2(e.half_width)),
            Unit::Number => num2(e.half_width),
            _ => value(unit, e.half_width),
        };
        format!("± {text}")
    } else {
        "n/a (1 replication)".into()
    }
}

/// A signed difference in its unit; no sign on a value that shows as zero ("0.00%", not
/// "−0.00%").
pub(crate) fn signed(unit: Unit, x: f64) -> String {
    let text = value(unit, x.abs());
    let zero = !text.chars().any(|c| c.is_ascii_digit() && c != '0');
    let sign = match () {
        _ if zero => "",
        _ if x > 0.0 => "+",
        _ if x < 0.0 => "−",
        _ => "",
    };
    format!("{sign}{text}")
}

/// An estimate's mean in its unit, or "–" when nothing was observed.
pub(crate) fn mean_of(unit: Unit, e: Option<&Estimate>) -> String {
    e.map_or_else(|| NO_DATA.to_string(), |e| value(unit, e.mean))
}

/// An estimate's interval, "(k replications)" when only k of `replications` observed the
/// figure, or the reason there is none.
pub(crate) fn interval_of(figure: Figure, e: Option<&Estimate>, replications: usize) -> String {
    match e {
        None => figure.missing_reason().to_string(),
        Some(e) if e.n < replications => format!(
            "{} (over the {} of {replications} replications with data)",
            half_width(figure.unit(), e),
            e.n
        ),
        Some(e) => half_width(figure.unit(), e),
    }
}
