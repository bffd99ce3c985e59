//! Distribution tables: `{ dist = "lognormal", mean = "60ms", p99 = "400ms" }` → [`Dist`].
//!
//! The `dist` key picks the family; each family reads its own parameters, so a parameter
//! of another family is reported as an unknown key. Parameter checks beyond types and
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

/// Reads a distribution table such as `service_time` or `interarrival`.
pub(crate) fn read(field: &Field<'_>) -> Option<Dist> {
    let mut table = field.table()?;
    let family_field = table.require("dist")?;
    let family = family_field.string()?;
    let Some(read_family) = family_reader(family) else {
        let help = did_you_mean(family, FAMILIES)
            .unwrap_or_else(|| format!("the families are: {}", FAMILIES.join(", ")));
        family_field.error_with_help(format!("unknown distribution '{family}'"), Some(help));
        return None;
    };
    let built = read_family(&mut table);
    table.finish();
    match built? {
        Ok(dist) => Some(dist),
        Err(error) => {
            field.error(format!("invalid {family} distribution: {error}"));
            None
        }
    }
}

fn family_reader(family: &str) -> Option<fn(&mut Table<'_>) -> Built> {
    let reader: fn(&mut Table<'_>) -> Built = match family {
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

/// A required duration parameter, in seconds.
fn secs(table: &mut Table<'_>, key: &'static str) -> Option<f64> {
    table.require(key)?.seconds()
}

/// A required plain-number parameter.
fn number(table: &mut Table<'_>, key: &'static str) -> Option<f64> {
    table.require(key)?.number()
}

fn constant(t: &mut Table<'_>) -> Built {
    let value = secs(t, "value");
    Some(Dist::constant(value?))
}

fn exponential(t: &mut Table<'_>) -> Built {
    let mean = match t.one_of("mean", "rate")? {
        OneOf::First(mean) => mean.seconds()?,
        OneOf::Second(rate) => 1.0 / rate.rate()?.as_per_sec(),
    };
    Some(Dist::exponential(mean))
}

fn uniform(t: &mut Table<'_>) -> Built {
    let (min, max) = (secs(t, "min"), secs(t, "max"));
    Some(Dist::uniform(min?, max?))
}

fn normal(t: &mut Table<'_>) -> Built {
    let (mean, sd) = (secs(t, "mean"), secs(t, "sd"));
    Some(Dist::normal(mean?, sd?))
}

/// Exactly one pair of (mean, p99), (median, p99) or (mu, sigma).
fn lognormal(t: &mut Table<'_>) -> Built {
    let keys = ["mean", "median", "p99", "mu", "sigma"];
    let [mean, median, p99, mu, sigma] = keys.map(|key| t.get(key));
    let given: Vec<&str> = [&mean, &median, &p99, &mu, &sigma]
        .iter()
        .zip(keys)
        .filter_map(|(field, key)| field.as_ref().map(|_| key))
        .collect();
    let built = match (mean, median, p99, mu, sigma) {
        (Some(mean), None, Some(p99), None, None) => {
            let (mean, p99) = (mean.seconds(), p99.seconds());
            Dist::lognormal_mean_p99(mean?, p99?)
        }
        (None, Some(median), Some(p99), None, None) => {
            let (median, p99) = (median.seconds(), p99.seconds());
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
                if given.is_empty() {
                    "none".to_string()
                } else {
                    given.join(", ")
                }
            ));
            return None;
        }
    };
    Some(built)
}

fn gamma(t: &mut Table<'_>) -> Built {
    let shape = number(t, "shape");
    // The second parameter is either the scale itself or the mean (= shape · scale).
    let second = t.one_of("scale", "mean").map(|which| match which {
        OneOf::First(scale) => (scale.seconds(), false),
        OneOf::Second(mean) => (mean.seconds(), true),
    });
    let (shape, (value, is_mean)) = (shape?, second?);
    let scale = if is_mean { value? / shape } else { value? };
    Some(Dist::gamma(shape, scale))
}

fn erlang(t: &mut Table<'_>) -> Built {
    let k = t.require("k").and_then(|k| k.u32_at_least(1));
    let mean = secs(t, "mean");
    Some(Dist::erlang(k?, mean?))
}

fn weibull(t: &mut Table<'_>) -> Built {
    let (shape, scale) = (number(t, "shape"), secs(t, "scale"));
    Some(Dist::weibull(shape?, scale?))
}

fn pareto(t: &mut Table<'_>) -> Built {
    let (shape, scale) = (number(t, "shape"), secs(t, "scale"));
    Some(Dist::pareto(shape?, scale?))
}

fn hyperexponential(t: &mut Table<'_>) -> Built {
    let (mean, cv) = (secs(t, "mean"), number(t, "cv"));
    Some(Dist::hyperexponential(mean?, cv?))
}

fn empirical(t: &mut Table<'_>) -> Built {
    let items = t.require("samples")?.array()?;
    // Read every sample before giving up, so that each bad one is reported.
    let samples: Vec<Option<f64>> = items.iter().map(Field::seconds).collect();
    let samples: Option<Vec<f64>> = samples.into_iter().collect();
    Some(Dist::empirical(samples?))
}
