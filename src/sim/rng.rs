//! The one place that owns randomness: stream derivation and sampling.
//!
//! Every random component draws from its own stream, keyed by
//! `(seed, replication, component, purpose)`. The key is hashed with FNV-1a (component and
//! purpose bytes) and mixed with the seed and replication by SplitMix64; the result seeds a
//! `Xoshiro256PlusPlus`. Both functions are fixed here, so a scenario and seed give the same
//! draws on every platform and Rust release, and changing one component never shifts
//! another's draws.

use rand::rngs::Xoshiro256PlusPlus;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};

use crate::model::dist::Family;
use crate::model::{Dist, Rate, SimDuration};

/// A random stream: one per (component, purpose).
pub(crate) type Stream = Xoshiro256PlusPlus;

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// One step of SplitMix64: a bijective mixer with good avalanche.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// FNV-1a over `component`, a 0xff separator (never valid UTF-8), and `purpose`.
fn fnv1a(component: &str, purpose: &str) -> u64 {
    let bytes = component.bytes().chain([0xff]).chain(purpose.bytes());
    bytes.fold(FNV_OFFSET, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(FNV_PRIME)
    })
}

/// Derives independent streams for one replication of one run.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Streams {
    root: u64,
}

impl Streams {
    /// Streams for replication `replication` of a run with root seed `seed`.
    pub(crate) fn new(seed: u64, replication: u64) -> Streams {
        Streams {
            root: splitmix64(splitmix64(seed) ^ replication),
        }
    }

    /// The stream for `purpose` (e.g. "arrivals") of `component` (e.g. "source:checkout").
    pub(crate) fn get(&self, component: &str, purpose: &str) -> Stream {
        Stream::seed_from_u64(splitmix64(self.root ^ fnv1a(component, purpose)))
    }
}

/// Draws durations from a `Dist`, with parameters precomputed for the hot path.
#[derive(Clone, Debug)]
pub(crate) enum Sampler {
    Constant(u64),
    Exponential {
        mean_ns: f64,
    },
    Uniform {
        min_ns: f64,
        span_ns: f64,
    },
    Normal {
        mean_ns: f64,
        sd_ns: f64,
    },
    LogNormal {
        mu: f64,
        sigma: f64,
    },
    Gamma(Gamma<f64>),
    Weibull {
        inv_shape: f64,
        scale_ns: f64,
    },
    Pareto {
        inv_shape: f64,
        scale_ns: f64,
    },
    HyperExponential {
        p: f64,
        mean1_ns: f64,
        mean2_ns: f64,
    },
    Empirical(Box<[u64]>),
}

const NS: f64 = 1e9;

/// Rounds a non-negative draw to whole nanoseconds; `as` saturates, so huge draws cannot
/// wrap. (Adding one half is much cheaper than `f64::round`, a library call on baseline x86,
/// and a signed conversion is about half the instructions of an unsigned one, so it takes
/// every draw below 2^63 ns, 292 years.)
#[inline]
fn to_ns(x: f64) -> u64 {
    const SIGNED_MAX: f64 = 9.2e18;
    let x = x + 0.5;
    if x < SIGNED_MAX {
        (x as i64).max(0) as u64
    } else {
        x as u64
    }
}

impl Sampler {
    pub(crate) fn new(dist: &Dist) -> Sampler {
        match &dist.0 {
            Family::Constant { value } => Sampler::Constant(to_ns(value * NS)),
            Family::Exponential { mean } => Sampler::Exponential { mean_ns: mean * NS },
            Family::Uniform { min, max } => Sampler::Uniform {
                min_ns: min * NS,
                span_ns: (max - min) * NS,
            },
            Family::Normal { mean, sd } => Sampler::Normal {
                mean_ns: mean * NS,
                sd_ns: sd * NS,
            },
            // Sampled in ln(seconds); the offset ln(1e9) converts to nanoseconds.
            Family::LogNormal { mu, sigma } => Sampler::LogNormal {
                mu: mu + NS.ln(),
                sigma: *sigma,
            },
            Family::Gamma { shape, scale } => Sampler::Gamma(
                Gamma::new(*shape, scale * NS).expect("shape and scale checked by model::Dist"),
            ),
            Family::Weibull { shape, scale } => Sampler::Weibull {
                inv_shape: 1.0 / shape,
                scale_ns: scale * NS,
            },
            Family::Pareto { shape, scale } => Sampler::Pareto {
                inv_shape: 1.0 / shape,
                scale_ns: scale * NS,
            },
            Family::HyperExponential { p, mean1, mean2 } => Sampler::HyperExponential {
                p: *p,
                mean1_ns: mean1 * NS,
                mean2_ns: mean2 * NS,
            },
            Family::Empirical { samples } => {
                Sampler::Empirical(samples.iter().map(|s| to_ns(s * NS)).collect())
            }
        }
    }

    /// Exponential gaps between Poisson arrivals at `rate`.
    pub(crate) fn poisson_gap(rate: Rate) -> Sampler {
        Sampler::Exponential {
            mean_ns: NS / rate.as_per_sec(),
        }
    }

    /// One draw, in whole nanoseconds. The exponential, by far the commonest, is drawn
    /// inline; the other families behind one call.
    #[inline(always)]
    pub(crate) fn sample(&self, rng: &mut Stream) -> SimDuration {
        match self {
            Sampler::Exponential { mean_ns } => SimDuration(to_ns(exp1(rng) * mean_ns)),
            _ => self.sample_other(rng),
        }
    }

    #[inline(never)]
    fn sample_other(&self, rng: &mut Stream) -> SimDuration {
        SimDuration(match self {
            Sampler::Constant(ns) => *ns,
            // Drawn by `sample` itself; kept so that this match stays exhaustive.
            Sampler::Exponential { mean_ns } => to_ns(exp1(rng) * mean_ns),
            Sampler::Uniform { min_ns, span_ns } => to_ns(min_ns + unit(rng) * span_ns),
            Sampler::Normal { mean_ns, sd_ns } => to_ns(truncated_normal(rng, *mean_ns, *sd_ns)),
            Sampler::LogNormal { mu, sigma } => to_ns((mu + sigma * standard_normal(rng)).exp()),
            Sampler::Gamma(gamma) => to_ns(gamma.sample(rng)),
            // Inversion: -ln(U) is Exp(1), and U^(-1/shape) is Pareto with scale 1.
            Sampler::Weibull {
                inv_shape,
                scale_ns,
            } => to_ns(scale_ns * exp1(rng).powf(*inv_shape)),
            Sampler::Pareto {
                inv_shape,
                scale_ns,
            } => to_ns(scale_ns * (1.0 - unit(rng)).powf(-inv_shape)),
            Sampler::HyperExponential {
                p,
                mean1_ns,
                mean2_ns,
            } => {
                let mean = if unit(rng) < *p { mean1_ns } else { mean2_ns };
                to_ns(exp1(rng) * mean)
            }
            Sampler::Empirical(samples) => samples[rng.random_range(0..samples.len())],
        })
    }
}

/// Uniform on [0, 1).
#[inline]
pub(crate) fn unit(rng: &mut Stream) -> f64 {
    rng.random::<f64>()
}

/// Exponential with mean 1.
#[inline]
pub(crate) fn exp1(rng: &mut Stream) -> f64 {
    Exp1.sample(rng)
}

#[inline]
fn standard_normal(rng: &mut Stream) -> f64 {
    StandardNormal.sample(rng)
}

/// Redraws negative values; the mean is positive, so each try succeeds with p > 1/2.
fn truncated_normal(rng: &mut Stream, mean: f64, sd: f64) -> f64 {
    loop {
        let x = mean + sd * standard_normal(rng);
        if x >= 0.0 {
            return x;
        }
    }
}

#[cfg(test)]
mod tests;
