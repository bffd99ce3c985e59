//! Distribution tables: `{ dist = "lognormal", mean = "60ms", p99 = "400ms" }` → [`Dist`].
//!
//! The `dist` key picks the family; each family reads its own parameters, so a parameter
//! of another family is reported as an unknown key. Values are durations, except for a
//! distribution of counts (a `fanout`), whose values are plain numbers. Parameter checks beyond types and
//! units are the model's: a [`DistError`] becomes a diagnostic on the table's key.

use super::diagnostic::did_you_mean;
use super::reader::{Field, OneOf, Table};
use crate::model::{Dist, DistError};

/// Every family name, as written in `dist = "..."`.
pub(crate) const FAMILIES: [&str; 11] = [
    "constant",
    "exponential",
    "uniform",
    "normal",
    "lognormal",
    "gamma",
    "erlang",
    "weibull",
    "pareto",
    "hyperexponential",
    "empirical",
];

/// What a family reader yields: `None` if a parameter was unreadable (already reported),
/// otherwise the model's verdict on the parameters.
type Built = Option<Result<Dist, DistError>>;

/// Reads one family's parameters from its table.
type FamilyReader = fn(&mut Table<'_>, Values) -> Built;

/// What a distribution's values are, which decides how its parameters are read.
#[derive(Clone, Copy)]
enum Values {
    /// Durations: with a unit, or plain seconds.
    Durations,
    /// Counts (a fanout): plain numbers only.
    Counts,
}

impl Values {
    /// Reads a parameter that is a value of the distribution (a mean, a bound, a sample).
    fn read(self, field: &Field<'_>) -> Option<f64> {
        match self {
            Values::Durations => field.seconds(),
            Values::Counts => field.number(),
        }
    }

    /// The model's complaint, quoting values as durations or as counts.
    fn describe(self, error: &DistError) -> String {
        match self {
            Values::Durations => error.to_string(),
            Values::Counts => error.counts(),
        }
    }
}

/// Reads a distribution of durations, such as `service_time` or `interarrival`.
pub(crate) fn read(field: &Field<'_>) -> Option<Dist> {
    read_values(field, Values::Durations)
}

/// Reads a distribution of counts, such as a publish step's `fanout`: its parameters are
/// plain numbers.
pub(crate) fn read_counts(field: &Field<'_>) -> Option<Dist> {
    read_values(field, Values::Counts)
}

fn read_values(field: &Field<'_>, values: Values) -> Option<Dist> {
    let mut table = field.table()?;
    let family_field = table.require("dist")?;
    let family = family_field.string()?;
    let Some(read_family) = family_reader(family) else {
        let help = did_you_mean(family, FAMILIES)
            .unwrap_or_else(|| format!("the families are: {}", FAMILIES.join(", ")));
        family_field.error_with_help(format!("unknown distribution '{family}'"), Some(help));
        return None;
    };
    let built = read_family(&mut table, values);
    table.finish();
    match built? {
        Ok(dist) => Some(dist),
        Err(error) => {
            let problem = values.describe(&error);
            field.error(format!("invalid {family} distribution: {problem}"));
            None
        }
    }
}

fn family_reader(family: &str) -> Option<FamilyReader> {
    let reader: FamilyReader = match family {
        "constant" => constant,
        "exponential" => exponential,
        "uniform" => uniform,
        "normal" => normal,
        "lognormal" => lognormal,
        "gamma" => gamma,
        "erlang" => erlang,
        "weibull" => weibull,
        "pareto" => pareto,
        "hyperexponential" => hyperexponential,
        "empirical" => empirical,
        _ => return None,
    };
    Some(reader)
}

/// A required parameter that is a value of the distribution (seconds, or a count).
fn value(table: &mut Table<'_>, key: &'static str, values: Values) -> Option<f64> {
    values.read(&table.require(key)?)
}

/// A required plain-number parameter.
fn number(table: &mut Table<'_>, key: &'static str) -> Option<f64> {
    table.require(key)?.number()
}

fn constant(t: &mut Table<'_>, v: Values) -> Built {
    let value = value(t, "value", v);
    Some(Dist::constant(value?))
}

fn exponential(t: &mut Table<'_>, v: Values) -> Built {
    let mean = match v {
        // A count has no rate; its mean is a plain number.
        Values::Counts => value(t, "mean", v)?,
        Values::Durations => match t.one_of("mean", "rate")? {
            OneOf::First(mean) => v.read(&mean)?,
            OneOf::Second(rate) => 1.0 / rate.rate()?.as_per_sec(),
        },
    };
    Some(Dist::exponential(mean))
}

fn uniform(t: &mut Table<'_>, v: Values) -> Built {
    let (min, max) = (value(t, "min", v), value(t, "max", v));
    Some(Dist::uniform(min?, max?))
}

fn normal(t: &mut Table<'_>, v: Values) -> Built {
    let (mean, sd) = (value(t, "mean", v), value(t, "sd", v));
    Some(Dist::normal(mean?, sd?))
}

/// Exactly one pair of (mean, p99), (median, p99) or (mu, sigma).
fn lognormal(t: &mut Table<'_>, v: Values) -> Built {
    let keys = ["mean", "median", "p99", "mu", "sigma"];
    let [mean, median, p99, mu, sigma] = keys.map(|key| t.get(key));
    let given: Vec<&str> = [&mean, &median, &p99, &mu, &sigma]
        .iter()
        .zip(keys)
        .filter_map(|(field, key)| field.as_ref().map(|_| key))
        .collect();
    let built = match (mean, median, p99, mu, sigma) {
        (Some(mean), None, Some(p99), None, None) => {
            let (mean, p99) = (v.read(&mean), v.read(&p99));
            Dist::lognormal_mean_p99(mean?, p99?)
        }
        (None, Some(median), Some(p99), None, None) => {
            let (median, p99) = (v.read(&median), v.read(&p99));
            Dist::lognormal_median_p99(median?, p99?)
        }
        (None, None, None, Some(mu), Some(sigma)) => {
            let (mu, sigma) = (mu.number(), sigma.number());
            Dist::lognormal(mu?, sigma?)
        }
        _ => {
            t.error(format!(
                "lognormal takes exactly one pair: mean and p99, median and p99, or mu and \
                 sigma (given: {})",
                listed(&given)
            ));
            return None;
        }
    };
    Some(built)
}

fn gamma(t: &mut Table<'_>, v: Values) -> Built {
    let shape = number(t, "shape");
    // The second parameter is either the scale itself or the mean (= shape · scale).
    let second = t.one_of("scale", "mean").map(|which| match which {
        OneOf::First(scale) => (v.read(&scale), false),
        OneOf::Second(mean) => (v.read(&mean), true),
    });
    let (shape, (value, is_mean)) = (shape?, second?);
    let scale = if is_mean { value? / shape } else { value? };
    Some(Dist::gamma(shape, scale))
}

fn erlang(t: &mut Table<'_>, v: Values) -> Built {
    let k = t.require("k").and_then(|k| k.u32_at_least(1));
    let mean = value(t, "mean", v);
    Some(Dist::erlang(k?, mean?))
}

fn weibull(t: &mut Table<'_>, v: Values) -> Built {
    let (shape, scale) = (number(t, "shape"), value(t, "scale", v));
    Some(Dist::weibull(shape?, scale?))
}

fn pareto(t: &mut Table<'_>, v: Values) -> Built {
    let (shape, scale) = (number(t, "shape"), value(t, "scale", v));
    Some(Dist::pareto(shape?, scale?))
}

/// Either `mean` and `cv` (the balanced fit) or the phases themselves: `p`, `mean1`, `mean2`.
fn hyperexponential(t: &mut Table<'_>, v: Values) -> Built {
    let keys = ["mean", "cv", "p", "mean1", "mean2"];
    let [mean, cv, p, mean1, mean2] = keys.map(|key| t.get(key));
    let given: Vec<&str> = [&mean, &cv, &p, &mean1, &mean2]
        .iter()
        .zip(keys)
        .filter_map(|(field, key)| field.as_ref().map(|_| key))
        .collect();
    let built = match (mean, cv, p, mean1, mean2) {
        (Some(mean), Some(cv), None, None, None) => {
            let (mean, cv) = (v.read(&mean), cv.number());
            Dist::hyperexponential(mean?, cv?)
        }
        (None, None, Some(p), Some(mean1), Some(mean2)) => {
            let (p, mean1, mean2) = (p.number(), v.read(&mean1), v.read(&mean2));
            Dist::hyperexponential_phases(p?, mean1?, mean2?)
        }
        _ => {
            t.error(format!(
                "hyperexponential takes either mean and cv, or p, mean1 and mean2 (given: {})",
                listed(&given)
            ));
            return None;
        }
    };
    Some(built)
}

fn empirical(t: &mut Table<'_>, v: Values) -> Built {
    let items = t.require("samples")?.array()?;
    // Read every sample before giving up, so that each bad one is reported.
    let samples: Vec<Option<f64>> = items.iter().map(|item| v.read(item)).collect();
    let samples: Option<Vec<f64>> = samples.into_iter().collect();
    Some(Dist::empirical(samples?))
}

/// The keys a table gave, for a message: "mean, cv", or "none".
fn listed(given: &[&str]) -> String {
    if given.is_empty() {
        "none".to_string()
    } else {
        given.join(", ")
    }
}
