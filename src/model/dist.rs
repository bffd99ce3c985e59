//! Probability distributions of durations, checked when they are built.
//!
//! Parameters are in seconds. A `Dist` can only be made through its constructors, which
//! reject impossible parameters, so sampling (in `sim::rng`) never has to. The moments are
//! exact and feed the stability check and the queueing-theory comparison.

use std::fmt;

use super::units::seconds_text;

/// The 99th percentile of the standard normal distribution.
const Z_P99: f64 = 2.326_347_874_040_841;

/// A validated distribution of non-negative durations, in seconds.
#[derive(Clone, Debug, PartialEq)]
pub struct Dist(pub(crate) Family);

/// The families `Dist` supports, with their checked parameters.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Family {
    Constant {
        value: f64,
    },
    Exponential {
        mean: f64,
    },
    Uniform {
        min: f64,
        max: f64,
    },
    /// A normal distribution truncated at zero (negative draws are redrawn).
    Normal {
        mean: f64,
        sd: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Gamma {
        shape: f64,
        scale: f64,
    },
    Weibull {
        shape: f64,
        scale: f64,
    },
    Pareto {
        shape: f64,
        scale: f64,
    },
    /// With probability `p` an exponential of mean `mean1`, otherwise of mean `mean2`.
    HyperExponential {
        p: f64,
        mean1: f64,
        mean2: f64,
    },
    Empirical {
        samples: Vec<f64>,
    },
}

/// Why a distribution's parameters were rejected; the text says what to change.
///
/// The values of the distribution it quotes (a mean, a bound, a sample) are kept as numbers,
/// because only the reader knows what they measure: [`Display`](fmt::Display) shows them as
/// durations (`p99 (10 ms) must be greater than the mean (20 ms)`), [`DistError::counts`] as
/// plain numbers, for a distribution of counts such as a fanout.
#[derive(Clone, Debug, PartialEq)]
pub struct DistError {
    /// The message, with `{0}`, `{1}`… where `values` go.
    template: String,
    values: Vec<f64>,
}

impl DistError {
    fn new(template: String, values: &[f64]) -> DistError {
        DistError {
            template,
            values: values.to_vec(),
        }
    }

    /// The message with the distribution's values as plain numbers (counts).
    pub fn counts(&self) -> String {
        self.render(|value| value.to_string())
    }

    fn render(&self, show: impl Fn(f64) -> String) -> String {
        let mut text = self.template.clone();
        for (i, value) in self.values.iter().enumerate() {
            text = text.replace(&format!("{{{i}}}"), &show(*value));
        }
        text
    }
}

impl fmt::Display for DistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.render(seconds_text))
    }
}

impl std::error::Error for DistError {}

fn check(ok: bool, message: impl FnOnce() -> DistError) -> Result<(), DistError> {
    if ok { Ok(()) } else { Err(message()) }
}

/// A message that quotes no value of the distribution.
fn plain(message: String) -> DistError {
    DistError::new(message, &[])
}

/// A parameter that is not a value of the distribution (a shape, `sigma`) must be > 0.
fn positive(name: &str, value: f64) -> Result<(), DistError> {
    check(value.is_finite() && value > 0.0, || {
        plain(format!("{name} must be a finite number > 0 (got {value})"))
    })
}

/// A value of the distribution (a mean, a scale) must be > 0.
fn positive_value(name: &str, value: f64) -> Result<(), DistError> {
    check(value.is_finite() && value > 0.0, || {
        DistError::new(
            format!("{name} must be a finite number > 0 (got {{0}})"),
            &[value],
        )
    })
}

/// A value of the distribution (a bound, a sample) must be >= 0.
fn non_negative_value(name: &str, value: f64) -> Result<(), DistError> {
    check(value.is_finite() && value >= 0.0, || {
        DistError::new(
            format!("{name} must be a finite number >= 0 (got {{0}})"),
            &[value],
        )
    })
}

/// A moment that is finite in exact arithmetic (`exact_finite`) must be finite as computed;
/// one that is exactly infinite must be `INFINITY`, never NaN.
fn finite_moment(name: &str, value: f64, exact_finite: bool) -> Result<(), DistError> {
    let ok = value.is_finite() || (!exact_finite && value == f64::INFINITY);
    check(ok, || {
        plain(format!(
            "the parameters are too extreme: the {name} comes out as {value}, which cannot \
             be simulated; bring them closer to ordinary values"
        ))
    })
}

impl Dist {
    /// Always `value` seconds.
    pub fn constant(value: f64) -> Result<Dist, DistError> {
        non_negative_value("value", value)?;
        Dist::checked(Family::Constant { value })
    }

    /// Exponential with the given mean (memoryless; Poisson arrivals have these gaps).
    pub fn exponential(mean: f64) -> Result<Dist, DistError> {
        positive_value("mean", mean)?;
        Dist::checked(Family::Exponential { mean })
    }

    /// Uniform on `[min, max]`.
    pub fn uniform(min: f64, max: f64) -> Result<Dist, DistError> {
        non_negative_value("min", min)?;
        non_negative_value("max", max)?;
        check(min <= max, || {
            DistError::new("min ({0}) must not exceed max ({1})".into(), &[min, max])
        })?;
        Dist::checked(Family::Uniform { min, max })
    }

    /// Normal with the given mean and standard deviation, truncated at zero.
    pub fn normal(mean: f64, sd: f64) -> Result<Dist, DistError> {
        positive_value("mean", mean)?;
        positive_value("sd", sd)?;
        Dist::checked(Family::Normal { mean, sd })
    }

    /// Log-normal whose logarithm has mean `mu` and standard deviation `sigma`.
    pub fn lognormal(mu: f64, sigma: f64) -> Result<Dist, DistError> {
        check(mu.is_finite(), || {
            plain(format!("mu must be finite (got {mu})"))
        })?;
        positive("sigma", sigma)?;
        Dist::checked(Family::LogNormal { mu, sigma })
    }

    /// Log-normal with the given median and 99th percentile.
    pub fn lognormal_median_p99(median: f64, p99: f64) -> Result<Dist, DistError> {
        positive_value("median", median)?;
        positive_value("p99", p99)?;
        check(p99 > median, || {
            let message = "p99 ({0}) must be greater than the median ({1})";
            DistError::new(message.into(), &[p99, median])
        })?;
        Dist::lognormal(median.ln(), (p99 / median).ln() / Z_P99)
    }

    /// Log-normal with the given mean and 99th percentile.
    ///
    /// Solves `ln(p99/mean) = z·σ − σ²/2` for the smaller root σ, which exists while
    /// `p99/mean ≤ e^(z²/2) ≈ 14.97`.
    pub fn lognormal_mean_p99(mean: f64, p99: f64) -> Result<Dist, DistError> {
        positive_value("mean", mean)?;
        positive_value("p99", p99)?;
        check(p99 > mean, || {
            DistError::new(
                "p99 ({0}) must be greater than the mean ({1})".into(),
                &[p99, mean],
            )
        })?;
        let gap = (p99 / mean).ln();
        let discriminant = Z_P99 * Z_P99 - 2.0 * gap;
        check(discriminant >= 0.0, || {
            let message = format!(
                "no log-normal has mean {{0}} and p99 {{1}}: p99 can be at most {:.2} times \
                 the mean; give median and p99, or mu and sigma, instead",
                (Z_P99 * Z_P99 / 2.0).exp()
            );
            DistError::new(message, &[mean, p99])
        })?;
        let sigma = Z_P99 - discriminant.sqrt();
        Dist::lognormal(mean.ln() - sigma * sigma / 2.0, sigma)
    }

    /// Gamma with the given shape and scale (mean = shape·scale).
    pub fn gamma(shape: f64, scale: f64) -> Result<Dist, DistError> {
        positive("shape", shape)?;
        positive_value("scale", scale)?;
        Dist::checked(Family::Gamma { shape, scale })
    }

    /// Erlang: the sum of `k` exponential phases, with the given overall mean.
    pub fn erlang(k: u32, mean: f64) -> Result<Dist, DistError> {
        check(k >= 1, || plain("k must be at least 1".to_string()))?;
        positive_value("mean", mean)?;
        Dist::gamma(f64::from(k), mean / f64::from(k))
    }

    /// Weibull with the given shape and scale.
    pub fn weibull(shape: f64, scale: f64) -> Result<Dist, DistError> {
        positive("shape", shape)?;
        positive_value("scale", scale)?;
        Dist::checked(Family::Weibull { shape, scale })
    }

    /// Pareto (type I) with the given shape (tail index) and scale (the minimum value).
    pub fn pareto(shape: f64, scale: f64) -> Result<Dist, DistError> {
        positive("shape", shape)?;
        positive_value("scale", scale)?;
        Dist::checked(Family::Pareto { shape, scale })
    }

    /// Two-phase hyperexponential with balanced means, fitted to a mean and a coefficient of
    /// variation `cv ≥ 1` (`cv = 1` is the exponential).
    pub fn hyperexponential(mean: f64, cv: f64) -> Result<Dist, DistError> {
        positive_value("mean", mean)?;
        check(cv.is_finite() && cv >= 1.0, || {
            plain(format!(
                "cv must be >= 1 for a hyperexponential (got {cv}); use gamma or erlang below 1"
            ))
        })?;
        let scv = cv * cv;
        let p = 0.5 * (1.0 + ((scv - 1.0) / (scv + 1.0)).sqrt());
        Dist::checked(Family::HyperExponential {
            p,
            mean1: mean / (2.0 * p),
            mean2: mean / (2.0 * (1.0 - p)),
        })
    }

    /// Two-phase hyperexponential given directly: with probability `p` an exponential of
    /// mean `mean1`, otherwise of mean `mean2`. For a mixture measured as such (most
    /// requests hit a cache, a few do not), where the balanced fit of
    /// [`Dist::hyperexponential`] would misplace the phases.
    pub fn hyperexponential_phases(p: f64, mean1: f64, mean2: f64) -> Result<Dist, DistError> {
        check(p.is_finite() && p > 0.0 && p < 1.0, || {
            plain(format!(
                "p must be a number strictly between 0 and 1 (got {p}); with p = 0 or 1 it \
                 is an exponential"
            ))
        })?;
        positive_value("mean1", mean1)?;
        positive_value("mean2", mean2)?;
        Dist::checked(Family::HyperExponential { p, mean1, mean2 })
    }

    /// Draws uniformly from a list of observed durations.
    pub fn empirical(samples: Vec<f64>) -> Result<Dist, DistError> {
        check(!samples.is_empty(), || {
            plain("samples must not be empty".to_string())
        })?;
        for &s in &samples {
            non_negative_value("every sample", s)?;
        }
        Dist::checked(Family::Empirical { samples })
    }

    /// The same family with every duration multiplied by `factor` (> 0): the gaps of a
    /// renewal source at `1 / factor` of their length serve a load `factor` times lower.
    pub fn scaled(&self, factor: f64) -> Result<Dist, DistError> {
        positive("the scale factor", factor)?;
        let k = factor;
        Dist::checked(match &self.0 {
            Family::Constant { value } => Family::Constant { value: value * k },
            Family::Exponential { mean } => Family::Exponential { mean: mean * k },
            Family::Uniform { min, max } => Family::Uniform {
                min: min * k,
                max: max * k,
            },
            Family::Normal { mean, sd } => Family::Normal {
                mean: mean * k,
                sd: sd * k,
            },
            Family::LogNormal { mu, sigma } => Family::LogNormal {
                mu: mu + k.ln(),
                sigma: *sigma,
            },
            Family::Gamma { shape, scale } => Family::Gamma {
                shape: *shape,
                scale: scale * k,
            },
            Family::Weibull { shape, scale } => Family::Weibull {
                shape: *shape,
                scale: scale * k,
            },
            Family::Pareto { shape, scale } => Family::Pareto {
                shape: *shape,
                scale: scale * k,
            },
            Family::HyperExponential { p, mean1, mean2 } => Family::HyperExponential {
                p: *p,
                mean1: mean1 * k,
                mean2: mean2 * k,
            },
            Family::Empirical { samples } => Family::Empirical {
                samples: samples.iter().map(|s| s * k).collect(),
            },
        })
    }

    /// The one exit of every constructor. Finite inputs can still give a derived parameter
    /// (a hyperexponential's branch probability, a phase mean) or an exact moment that
    /// overflows, underflows or is NaN; refusing those here covers every family at once, so
    /// sampling and the stability check only ever see finite figures. A Pareto's infinite
    /// moments are exact, not overflow, and stay allowed.
    fn checked(family: Family) -> Result<Dist, DistError> {
        if let Family::HyperExponential { p, mean1, mean2 } = family {
            check(p < 1.0, || {
                plain("cv is too large: one phase would have probability 0".to_string())
            })?;
            positive_value("the first phase's mean", mean1)?;
            positive_value("the second phase's mean", mean2)?;
        }
        let dist = Dist(family);
        let tail = match dist.0 {
            Family::Pareto { shape, .. } => shape,
            _ => f64::INFINITY,
        };
        finite_moment("mean", dist.mean(), tail > 1.0)?;
        finite_moment("second moment", dist.second_moment(), tail > 2.0)?;
        Ok(dist)
    }

    /// The mean in seconds (`f64::INFINITY` for a Pareto with shape ≤ 1).
    pub fn mean(&self) -> f64 {
        match &self.0 {
            Family::Constant { value } => *value,
            Family::Exponential { mean } => *mean,
            Family::Uniform { min, max } => (min + max) / 2.0,
            Family::Normal { mean, sd } => truncated_normal_moments(*mean, *sd).0,
            Family::LogNormal { mu, sigma } => (mu + sigma * sigma / 2.0).exp(),
            Family::Gamma { shape, scale } => shape * scale,
            Family::Weibull { shape, scale } => scale * libm::tgamma(1.0 + 1.0 / shape),
            Family::Pareto { shape, scale } if *shape > 1.0 => shape * scale / (shape - 1.0),
            Family::Pareto { .. } => f64::INFINITY,
            Family::HyperExponential { p, mean1, mean2 } => p * mean1 + (1.0 - p) * mean2,
            Family::Empirical { samples } => samples.iter().sum::<f64>() / samples.len() as f64,
        }
    }

    /// `P(X ≤ x)`, exactly, for `x` in seconds; `None` for a gamma whose shape is not a
    /// whole number (its incomplete gamma function is not implemented).
    pub fn cdf(&self, x: f64) -> Option<f64> {
        if x < 0.0 {
            return Some(0.0);
        }
        let phi = |z: f64| 0.5 * libm::erfc(-z / std::f64::consts::SQRT_2);
        Some(match &self.0 {
            Family::Constant { value } => f64::from(u8::from(x >= *value)),
            Family::Exponential { mean } => -(-x / mean).exp_m1(),
            Family::Uniform { min, max } if max > min => ((x - min) / (max - min)).clamp(0.0, 1.0),
            Family::Uniform { min, .. } => f64::from(u8::from(x >= *min)),
            Family::Normal { mean, sd } => {
                let below_zero = phi(-mean / sd);
                (phi((x - mean) / sd) - below_zero) / (1.0 - below_zero)
            }
            Family::LogNormal { mu, sigma } if x > 0.0 => phi((x.ln() - mu) / sigma),
            Family::LogNormal { .. } => 0.0,
            Family::Gamma { shape, scale } => erlang_cdf(*shape, x / scale)?,
            Family::Weibull { shape, scale } => -(-(x / scale).powf(*shape)).exp_m1(),
            Family::Pareto { shape, scale } if x > *scale => 1.0 - (scale / x).powf(*shape),
            Family::Pareto { .. } => 0.0,
            Family::HyperExponential { p, mean1, mean2 } => {
                p * -(-x / mean1).exp_m1() + (1.0 - p) * -(-x / mean2).exp_m1()
            }
            Family::Empirical { samples } => {
                samples.iter().filter(|&&s| s <= x).count() as f64 / samples.len() as f64
            }
        })
    }

    /// The `p`-quantile (0 < p < 1) in seconds, to a relative 1e-9, where [`Dist::cdf`]
    /// is known: the least `x` with `P(X ≤ x) ≥ p`.
    pub fn quantile(&self, p: f64) -> Option<f64> {
        self.cdf(0.0)?;
        let mean = self.mean();
        let start = if mean.is_finite() {
            mean.max(1e-9)
        } else {
            1.0
        };
        let (mut low, mut high) = (0.0_f64, start);
        while self.cdf(high)? < p {
            high *= 2.0;
            if !high.is_finite() {
                return None;
            }
        }
        while high - low > 1e-9 * high {
            let mid = 0.5 * (low + high);
            if self.cdf(mid)? >= p {
                high = mid;
            } else {
                low = mid;
            }
        }
        Some(high)
    }

    /// E[X²] in seconds² (`f64::INFINITY` for a Pareto with shape ≤ 2).
    pub fn second_moment(&self) -> f64 {
        match &self.0 {
            Family::Constant { value } => value * value,
            Family::Exponential { mean } => 2.0 * mean * mean,
            Family::Uniform { min, max } => (min * min + min * max + max * max) / 3.0,
            Family::Normal { mean, sd } => truncated_normal_moments(*mean, *sd).1,
            Family::LogNormal { mu, sigma } => (2.0 * mu + 2.0 * sigma * sigma).exp(),
            Family::Gamma { shape, scale } => shape * (shape + 1.0) * scale * scale,
            Family::Weibull { shape, scale } => scale * scale * libm::tgamma(1.0 + 2.0 / shape),
            Family::Pareto { shape, scale } if *shape > 2.0 => {
                shape * scale * scale / (shape - 2.0)
            }
            Family::Pareto { .. } => f64::INFINITY,
            Family::HyperExponential { p, mean1, mean2 } => {
                2.0 * (p * mean1 * mean1 + (1.0 - p) * mean2 * mean2)
            }
            Family::Empirical { samples } => {
                samples.iter().map(|s| s * s).sum::<f64>() / samples.len() as f64
            }
        }
    }

    /// The squared coefficient of variation, Var[X]/E[X]².
    pub fn scv(&self) -> f64 {
        let mean = self.mean();
        self.second_moment() / (mean * mean) - 1.0
    }

    /// Whether this is the exponential family (so that Markovian formulas apply).
    pub fn is_exponential(&self) -> bool {
        matches!(self.0, Family::Exponential { .. })
    }

    /// Whether every draw is the same value (so that M/D/1 formulas apply).
    pub fn is_constant(&self) -> bool {
        matches!(self.0, Family::Constant { .. })
    }

    /// A short name of the family, for reports.
    pub fn family_name(&self) -> &'static str {
        match self.0 {
            Family::Constant { .. } => "constant",
            Family::Exponential { .. } => "exponential",
            Family::Uniform { .. } => "uniform",
            Family::Normal { .. } => "normal",
            Family::LogNormal { .. } => "lognormal",
            Family::Gamma { .. } => "gamma",
            Family::Weibull { .. } => "weibull",
            Family::Pareto { .. } => "pareto",
            Family::HyperExponential { .. } => "hyperexponential",
            Family::Empirical { .. } => "empirical",
        }
    }
}

impl fmt::Display for Dist {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (mean {:.6}s)", self.family_name(), self.mean())
    }
}

/// `P(X ≤ x·scale)` of a gamma of whole-number `shape` (an Erlang), up to shape 1000.
fn erlang_cdf(shape: f64, x: f64) -> Option<f64> {
    if shape.fract() != 0.0 || shape > 1000.0 {
        return None;
    }
    // 1 − Σ_{k<shape} e^{−x} x^k / k!, each term in logarithms so that e^{−x} cannot
    // underflow before the large terms near k ≈ x are added.
    if x <= 0.0 {
        return Some(0.0);
    }
    let below: f64 = (0..shape as u32)
        .map(|k| {
            let k = f64::from(k);
            (-x + k * x.ln() - libm::lgamma(k + 1.0)).exp()
        })
        .sum();
    Some((1.0 - below).clamp(0.0, 1.0))
}

/// Mean and second moment of N(mean, sd²) conditioned on being ≥ 0.
fn truncated_normal_moments(mean: f64, sd: f64) -> (f64, f64) {
    let alpha = -mean / sd;
    let pdf = (-0.5 * alpha * alpha).exp() / (2.0 * std::f64::consts::PI).sqrt();
    let survival = 0.5 * libm::erfc(alpha / std::f64::consts::SQRT_2);
    let hazard = pdf / survival;
    let m1 = mean + sd * hazard;
    let var = sd * sd * (1.0 + alpha * hazard - hazard * hazard);
    (m1, var + m1 * m1)
}

#[cfg(test)]
mod tests;
