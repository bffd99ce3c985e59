//! Confidence intervals across independent replications (Student t).

/// A mean over independent replications with its confidence interval.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Estimate {
    /// Sample mean.
    pub mean: f64,
    /// Half-width of the interval: the true value lies in `mean ± half_width` with
    /// probability `confidence` (under the usual normality of replication means).
    pub half_width: f64,
    /// Replications.
    pub n: usize,
    /// Confidence level, e.g. 0.95.
    pub confidence: f64,
}

impl Estimate {
    /// The Student-t interval of the mean of `samples`; the half-width is infinite with
    /// fewer than two samples.
    pub fn from_samples(samples: &[f64], confidence: f64) -> Estimate {
        let n = samples.len();
        let mean = samples.iter().sum::<f64>() / n.max(1) as f64;
        let half_width = if n < 2 {
            f64::INFINITY
        } else {
            let var = samples.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let df = (n - 1) as f64;
            student_t_quantile(0.5 + confidence / 2.0, df) * (var / n as f64).sqrt()
        };
        Estimate {
            mean,
            half_width,
            n,
            confidence,
        }
    }

    /// Whether `value` lies inside the interval.
    pub fn covers(&self, value: f64) -> bool {
        (self.mean - value).abs() <= self.half_width
    }
}

/// The `p`-quantile (p in (0.5, 1)) of Student's t with `df` degrees of freedom, found by
/// bisection on the CDF, which is integrated from the density with Simpson's rule.
pub fn student_t_quantile(p: f64, df: f64) -> f64 {
    let (mut lo, mut hi) = (0.0, 1.0);
    while t_cdf(hi, df) < p && hi < 1e6 {
        hi *= 2.0;
    }
    for _ in 0..100 {
        let mid = 0.5 * (lo + hi);
        if t_cdf(mid, df) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

/// P(T ≤ t) for t ≥ 0.
fn t_cdf(t: f64, df: f64) -> f64 {
    let log_norm = libm::lgamma((df + 1.0) / 2.0)
        - libm::lgamma(df / 2.0)
        - 0.5 * (df * std::f64::consts::PI).ln();
    let density = |x: f64| (log_norm - (df + 1.0) / 2.0 * (1.0 + x * x / df).ln()).exp();
    const PANELS: usize = 2000;
    let h = t / PANELS as f64;
    let inner: f64 = (1..PANELS)
        .map(|i| density(i as f64 * h) * if i % 2 == 1 { 4.0 } else { 2.0 })
        .sum();
    0.5 + h / 3.0 * (density(0.0) + inner + density(t))
}

#[cfg(test)]
mod tests;
