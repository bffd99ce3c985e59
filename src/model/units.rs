//! Simulated time and rates.
//!
//! Time is an integer count of nanoseconds so that event ordering is exact and runs are
//! reproducible bit for bit; floating point appears only in derived figures.

use std::fmt;
use std::ops::{Add, Sub};

/// A point on the simulated clock, in nanoseconds since the start of the run.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimTime(pub u64);

/// A span of simulated time, in nanoseconds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SimDuration(pub u64);

/// Nanoseconds in one second.
pub(crate) const NS_PER_S: f64 = 1e9;

impl SimTime {
    /// The start of every run.
    pub const ZERO: SimTime = SimTime(0);

    /// Seconds since the start, as a float for derived figures.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S
    }
}

impl SimDuration {
    /// The empty span.
    pub const ZERO: SimDuration = SimDuration(0);

    /// A span from seconds, rounded to the nearest nanosecond; `None` if negative, not finite
    /// or beyond about 584 years.
    pub fn from_secs_f64(secs: f64) -> Option<SimDuration> {
        let ns = (secs * NS_PER_S).round();
        (secs.is_finite() && secs >= 0.0 && ns < u64::MAX as f64).then_some(SimDuration(ns as u64))
    }

    /// The span in seconds.
    pub fn as_secs_f64(self) -> f64 {
        self.0 as f64 / NS_PER_S
    }
}

impl Add for SimDuration {
    type Output = SimDuration;
    /// Saturating, as times are: past about 584 years a span stays at the end of time.
    fn add(self, other: SimDuration) -> SimDuration {
        SimDuration(self.0.saturating_add(other.0))
    }
}

impl Add<SimDuration> for SimTime {
    type Output = SimTime;
    fn add(self, d: SimDuration) -> SimTime {
        SimTime(self.0.saturating_add(d.0))
    }
}

impl Sub for SimTime {
    type Output = SimDuration;
    fn sub(self, earlier: SimTime) -> SimDuration {
        SimDuration(self.0.saturating_sub(earlier.0))
    }
}

/// Units for [`SimDuration`]'s display, largest first, in nanoseconds.
const DISPLAY_UNITS: [(u64, &str); 6] = [
    (3_600_000_000_000, "h"),
    (60_000_000_000, "min"),
    (1_000_000_000, "s"),
    (1_000_000, "ms"),
    (1_000, "us"),
    (1, "ns"),
];

/// In the largest unit that gives at least 1, to three decimals without trailing zeros
/// (`20 ms`, `1.5 s`, `2 h`), so that messages quote values as a scenario writes them.
impl fmt::Display for SimDuration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 == 0 {
            return f.write_str("0 s");
        }
        let (size, unit) = (DISPLAY_UNITS.iter())
            .find(|(size, _)| self.0 >= *size)
            .copied()
            .unwrap_or((1, "ns"));
        let text = format!("{:.3}", self.0 as f64 / size as f64);
        let text = text.trim_end_matches('0').trim_end_matches('.');
        write!(f, "{text} {unit}")
    }
}

/// Seconds as a duration for messages (`0.02` → `20 ms`); a number no duration can be
/// (negative, not finite) keeps its digits and says `s`.
pub(crate) fn seconds_text(secs: f64) -> String {
    match SimDuration::from_secs_f64(secs) {
        Some(duration) => duration.to_string(),
        None => format!("{secs} s"),
    }
}

/// Events per second; always finite and strictly positive.
#[derive(Clone, Copy, Debug, PartialEq, PartialOrd)]
pub struct Rate(f64);

impl Rate {
    /// A rate in events per second; `None` unless finite and > 0.
    pub fn per_sec(value: f64) -> Option<Rate> {
        (value.is_finite() && value > 0.0).then_some(Rate(value))
    }

    /// Events per second.
    pub fn as_per_sec(self) -> f64 {
        self.0
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.3}/s", self.0)
    }
}
