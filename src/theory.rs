//! Closed-form steady-state queueing theory: M/M/1, M/M/c (Erlang C), M/M/c/K, M/D/1 and
//! M/G/1 (Pollaczek–Khinchine).
//!
//! Owns the textbook formulas that simulation results are checked against. These are pure
//! functions of plain numbers: no I/O and no randomness, and no knowledge of the simulator,
//! the model or the scenario format (nothing else in the crate is used here). Times are in
//! seconds and rates per second, as bare `f64`.
//!
//! Every formula assumes a single station in steady state with Poisson arrivals, service
//! times independent of each other and of the arrivals, identical servers, and FIFO order.
//! Functions returning [`QueueFigures`] give `None` when a formula does not apply (invalid
//! inputs, or an infinite queue that is unstable); the scalar functions give `NaN` for
//! invalid inputs. Nothing here panics.

/// Steady-state figures of one queueing station.
///
/// Little's law holds in every value the functions return: `l = throughput · w` and
/// `lq = throughput · wq`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct QueueFigures {
    /// The Kendall notation of the formula used: "M/M/1", "M/M/c", "M/M/c/K", "M/D/1",
    /// "M/G/1" or "M/M/c//N".
    pub model: &'static str,
    /// Mean fraction of busy workers, `throughput · E[S] / c`.
    pub utilisation: f64,
    /// Probability that an admitted arrival has to wait (Erlang C for M/M/c; `ρ` for M/G/1).
    pub p_wait: f64,
    /// Probability that an arrival is rejected (0 for infinite queues).
    pub p_block: f64,
    /// Admitted arrivals per second, `λ · (1 − p_block)`.
    pub throughput: f64,
    /// Mean number in the system (waiting or in service).
    pub l: f64,
    /// Mean number waiting.
    pub lq: f64,
    /// Mean sojourn (wait plus service) of admitted requests, in seconds.
    pub w: f64,
    /// Mean wait before service of admitted requests, in seconds.
    pub wq: f64,
    /// Where the wait of those who wait is exponential (M/M/1, M/M/c), its rate, so that
    /// `P(Wq > t) = p_wait · e^{−rate·t}` (`cμ − λ`); `None` for the other models.
    pub wait_tail_rate: Option<f64>,
}

impl QueueFigures {
    /// `P(Wq > t)` for `t ≥ 0` seconds, where the model gives it in closed form.
    pub fn wait_over(&self, t: f64) -> Option<f64> {
        self.wait_tail_rate
            .map(|rate| self.p_wait * (-rate * t).exp())
    }
}

/// M/M/1: one server, exponential service at rate `mu`, unbounded FIFO queue.
///
/// With `ρ = λ/μ`: `L = ρ/(1−ρ)`, `W = 1/(μ−λ)`, `Wq = ρ/(μ−λ)`, `P(wait) = ρ`.
/// `None` unless both rates are finite and positive and `λ < μ`.
pub fn mm1(lambda: f64, mu: f64) -> Option<QueueFigures> {
    if !(positive(lambda) && positive(mu)) || lambda >= mu {
        return None;
    }
    let rho = lambda / mu;
    let wq = rho / (mu - lambda);
    Some(QueueFigures {
        wait_tail_rate: Some(mu - lambda),
        ..open_queue("M/M/1", lambda, rho, rho, wq, 1.0 / mu)
    })
}

/// M/M/c: `c` identical exponential servers at rate `mu` each, one unbounded FIFO queue.
///
/// With offered load `a = λ/μ` and `ρ = a/c`: `P(wait) = C(c, a)` ([`erlang_c`]),
/// `Wq = C/(cμ − λ)`, `W = Wq + 1/μ`, `L = λW`. `None` for invalid inputs (non-finite or
/// non-positive rates, `c = 0`) or when unstable (`λ ≥ cμ`).
pub fn mmc(lambda: f64, mu: f64, c: u32) -> Option<QueueFigures> {
    let (servers, a) = offered_load(lambda, mu, c)?;
    if a >= servers {
        return None;
    }
    let p_wait = erlang_c(c, a);
    let wq = p_wait / (servers * mu - lambda);
    let rho = a / servers;
    Some(QueueFigures {
        wait_tail_rate: Some(servers * mu - lambda),
        ..open_queue("M/M/c", lambda, rho, p_wait, wq, 1.0 / mu)
    })
}

/// M/M/c/K: `c` exponential servers at rate `mu` each and room for `k` requests in the whole
/// system (`c` in service plus `k − c` waiting); arrivals that find it full are rejected.
///
/// The stationary distribution is the birth–death one, `p_n ∝ Π_{i≤n} a/min(i, c)` with
/// `a = λ/μ`, summed in log space and normalised at the end, so it is stable for any load and
/// `k` in the tens of thousands. By PASTA, `p_block = p_K` and `P(wait) = P(c ≤ n < K | n < K)`;
/// `W` and `Wq` follow from Little's law with the admitted throughput `λ(1 − p_K)`.
/// `None` only for invalid inputs (non-finite or non-positive rates, `c = 0`, `k < c`).
pub fn mmck(lambda: f64, mu: f64, c: u32, k: u32) -> Option<QueueFigures> {
    let (servers, a) = offered_load(lambda, mu, c)?;
    if k < c {
        return None;
    }
    let log_a = a.ln();
    let log_peak = log_weights(log_a, c, k).fold(f64::NEG_INFINITY, |m, (_, w)| m.max(w));
    let mut sums = StateSums::default();
    for (n, log_weight) in log_weights(log_a, c, k) {
        sums.add(n, c, k, (log_weight - log_peak).exp());
    }
    let admitted = sums.admitted / sums.total;
    let throughput = lambda * admitted;
    let l = sums.number / sums.total;
    let lq = sums.waiting / sums.total;
    Some(QueueFigures {
        model: "M/M/c/K",
        utilisation: throughput / (servers * mu),
        p_wait: sums.admitted_to_wait / sums.admitted,
        p_block: sums.full / sums.total,
        throughput,
        l,
        lq,
        w: l / throughput,
        wq: lq / throughput,
        wait_tail_rate: None,
    })
}

/// M/G/1 by the Pollaczek–Khinchine formula: one server, FIFO, unbounded queue, service times
/// with the given `mean` and second moment `E[S²]` (seconds²).
///
/// With `ρ = λE[S]`: `Wq = λE[S²] / (2(1−ρ))`, `W = Wq + E[S]`, `P(wait) = ρ`. An infinite
/// second moment (e.g. Pareto with shape ≤ 2) is accepted and gives infinite `wq`, `w`, `lq`
/// and `l`. `None` for invalid inputs (non-finite or non-positive `lambda` or `mean`, a NaN
/// second moment or one below `mean²` beyond rounding) or when unstable (`ρ ≥ 1`).
pub fn mg1(lambda: f64, mean: f64, second_moment: f64) -> Option<QueueFigures> {
    pollaczek_khinchine("M/G/1", lambda, mean, second_moment)
}

/// M/D/1: [`mg1`] with every service taking exactly `service` seconds (`E[S²] = D²`).
///
/// `Wq = ρD / (2(1−ρ))`, exactly half the M/M/1 wait at the same mean.
pub fn md1(lambda: f64, service: f64) -> Option<QueueFigures> {
    pollaczek_khinchine("M/D/1", lambda, service, service * service)
}

/// Erlang B: the probability that an arrival finds all `c` servers busy in the loss system
/// M/M/c/c (also M/G/c/c), with `offered_load = λ/μ` erlangs.
///
/// Computed by the recursion `B(0) = 1`, `B(k) = a·B(k−1) / (k + a·B(k−1))`, which never
/// overflows, so large `c` is safe. `NaN` if `offered_load` is negative or not finite.
pub fn erlang_b(c: u32, offered_load: f64) -> f64 {
    if !(offered_load.is_finite() && offered_load >= 0.0) {
        return f64::NAN;
    }
    let mut blocking = 1.0;
    for k in 1..=c {
        if blocking == 0.0 {
            break; // Underflowed: every further step stays zero.
        }
        let a_b = offered_load * blocking;
        blocking = a_b / (f64::from(k) + a_b);
    }
    blocking
}

/// Erlang C: the probability that an arrival has to wait in M/M/c, with
/// `offered_load = λ/μ` erlangs.
///
/// From Erlang B with `ρ = a/c`: `C = B / (1 − ρ(1 − B))`. `1.0` when `offered_load ≥ c`
/// (the queue grows without bound, so everyone waits); `NaN` if `offered_load` is negative or
/// not finite.
pub fn erlang_c(c: u32, offered_load: f64) -> f64 {
    if !(offered_load.is_finite() && offered_load >= 0.0) {
        return f64::NAN;
    }
    let servers = f64::from(c);
    if offered_load >= servers {
        return 1.0;
    }
    let blocking = erlang_b(c, offered_load);
    blocking / (1.0 - offered_load / servers * (1.0 - blocking))
}

/// M/M/c FIFO: the probability that an arrival waits longer than `t` seconds,
/// `P(Wq > t) = C · exp(−(cμ − λ)t)`.
///
/// `1.0` for `t < 0` or an unstable system (`λ ≥ cμ`); `NaN` for invalid inputs (non-finite or
/// non-positive rates, `c = 0`, NaN `t`).
pub fn mmc_wait_tail(lambda: f64, mu: f64, c: u32, t: f64) -> f64 {
    let Some((servers, a)) = offered_load(lambda, mu, c) else {
        return f64::NAN;
    };
    if t.is_nan() {
        return f64::NAN;
    }
    if a >= servers || t < 0.0 {
        return 1.0;
    }
    erlang_c(c, a) * (-(servers * mu - lambda) * t).exp()
}

/// M/M/c FIFO: the `q`-quantile of the wait, the smallest `t ≥ 0` with `P(Wq ≤ t) ≥ q`.
///
/// `0` when `q ≤ 1 − C` (that many arrivals do not wait at all), otherwise
/// `ln(C / (1 − q)) / (cμ − λ)`; `+∞` for `q = 1`, and for any `q > 0` when unstable.
/// `NaN` for invalid inputs (as [`mmc_wait_tail`], or `q` outside `[0, 1]`).
pub fn mmc_wait_quantile(lambda: f64, mu: f64, c: u32, q: f64) -> f64 {
    let Some((servers, a)) = offered_load(lambda, mu, c) else {
        return f64::NAN;
    };
    if !(0.0..=1.0).contains(&q) {
        return f64::NAN;
    }
    if a >= servers {
        return if q > 0.0 { f64::INFINITY } else { 0.0 };
    }
    let p_wait = erlang_c(c, a);
    if q <= 1.0 - p_wait {
        return 0.0;
    }
    (p_wait.ln() - (-q).ln_1p()) / (servers * mu - lambda)
}

/// M/M/1 FIFO: the `q`-quantile of the sojourn (wait plus service), which is exponential with
/// rate `μ − λ`: `−ln(1 − q) / (μ − λ)`.
///
/// `+∞` for `q = 1`, and for any `q > 0` when unstable (`λ ≥ μ`). `NaN` for invalid inputs
/// (non-finite or non-positive rates, `q` outside `[0, 1]`).
pub fn mm1_sojourn_quantile(lambda: f64, mu: f64, q: f64) -> f64 {
    if !(positive(lambda) && positive(mu) && (0.0..=1.0).contains(&q)) {
        return f64::NAN;
    }
    if lambda >= mu {
        return if q > 0.0 { f64::INFINITY } else { 0.0 };
    }
    -(-q).ln_1p() / (mu - lambda)
}

/// How far below `mean²` a second moment may fall and still count as rounding in the caller.
const MOMENT_SLACK: f64 = 1e-9;

fn positive(x: f64) -> bool {
    x.is_finite() && x > 0.0
}

/// The number of servers and the offered load `a = λ/μ`, if the inputs are valid.
fn offered_load(lambda: f64, mu: f64, c: u32) -> Option<(f64, f64)> {
    let a = lambda / mu;
    let valid = positive(lambda) && positive(mu) && c > 0 && a.is_finite();
    valid.then_some((f64::from(c), a))
}

/// Figures of an infinite-queue station from its mean wait; the rest follows from
/// `W = Wq + E[S]` and Little's law.
fn open_queue(
    model: &'static str,
    lambda: f64,
    utilisation: f64,
    p_wait: f64,
    wq: f64,
    mean_service: f64,
) -> QueueFigures {
    let w = wq + mean_service;
    QueueFigures {
        model,
        utilisation,
        p_wait,
        p_block: 0.0,
        throughput: lambda,
        l: lambda * w,
        lq: lambda * wq,
        w,
        wq,
        wait_tail_rate: None,
    }
}

fn pollaczek_khinchine(
    model: &'static str,
    lambda: f64,
    mean: f64,
    second_moment: f64,
) -> Option<QueueFigures> {
    let moments_valid = positive(mean)
        && !second_moment.is_nan()
        && second_moment >= mean * mean * (1.0 - MOMENT_SLACK);
    if !(positive(lambda) && moments_valid) {
        return None;
    }
    let rho = lambda * mean;
    if rho >= 1.0 {
        return None;
    }
    let wq = lambda * second_moment / (2.0 * (1.0 - rho));
    Some(open_queue(model, lambda, rho, rho, wq, mean))
}

/// `(n, ln w_n)` for `n = 0..=k`, where `w_n` is the unnormalised M/M/c/K probability of `n`
/// in the system: `w_0 = 1`, `w_n = w_{n−1} · a / min(n, c)`.
fn log_weights(log_a: f64, c: u32, k: u32) -> impl Iterator<Item = (u32, f64)> {
    let rest = (1..=k).scan(0.0, move |log_w, n| {
        *log_w += log_a - f64::from(n.min(c)).ln();
        Some((n, *log_w))
    });
    std::iter::once((0, 0.0)).chain(rest)
}

/// Running sums over the M/M/c/K states, each weighted by the state's (scaled) probability.
#[derive(Default)]
struct StateSums {
    total: f64,
    number: f64,
    waiting: f64,
    admitted: f64,
    admitted_to_wait: f64,
    full: f64,
}

impl StateSums {
    fn add(&mut self, n: u32, c: u32, k: u32, weight: f64) {
        self.total += weight;
        self.number += f64::from(n) * weight;
        self.waiting += f64::from(n.saturating_sub(c)) * weight;
        if n < k {
            self.admitted += weight;
            if n >= c {
                self.admitted_to_wait += weight;
            }
        } else {
            self.full += weight;
        }
    }
}

#[cfg(test)]
mod tests;

/// The closed finite-source model M/M/c//N (the machine-repairman model): `users` each
/// think for an exponential time of mean `think_mean`, then wait for one of `c` servers
/// (exponential service of mean `service_mean`, FIFO). Returns the figures of the station:
/// `throughput` is the rate of requests, `w` the response time, `l` the number at the
/// station; `p_wait` is the probability that a request finds every server busy (by the
/// arrival theorem, the station as seen with one user fewer); `p_block` is 0.
pub fn finite_source(
    users: u32,
    think_mean: f64,
    service_mean: f64,
    c: u32,
) -> Option<QueueFigures> {
    let valid = users >= 1
        && c >= 1
        && think_mean.is_finite()
        && think_mean > 0.0
        && service_mean.is_finite()
        && service_mean > 0.0;
    if !valid {
        return None;
    }
    let n = users as usize;
    // ln p_k up to a constant, from p_{k+1} / p_k = ((N − k)/Z) / (min(k+1, c)/S); logs
    // keep large populations from overflowing.
    let mut log_weights = Vec::with_capacity(n + 1);
    let mut log_w = 0.0_f64;
    log_weights.push(log_w);
    for k in 0..n {
        let up = (n - k) as f64 / think_mean;
        let down = ((k + 1).min(c as usize)) as f64 / service_mean;
        log_w += (up / down).ln();
        log_weights.push(log_w);
    }
    let top = log_weights
        .iter()
        .copied()
        .fold(f64::NEG_INFINITY, f64::max);
    let weights: Vec<f64> = log_weights.iter().map(|lw| (lw - top).exp()).collect();
    let total: f64 = weights.iter().sum();
    let p: Vec<f64> = weights.iter().map(|w| w / total).collect();
    let busy = |k: usize| k.min(c as usize) as f64;
    let throughput: f64 = (0..=n).map(|k| p[k] * busy(k) / service_mean).sum();
    let l: f64 = (0..=n).map(|k| p[k] * k as f64).sum();
    let lq: f64 = (0..=n)
        .map(|k| p[k] * k.saturating_sub(c as usize) as f64)
        .sum();
    let utilisation = (0..=n).map(|k| p[k] * busy(k)).sum::<f64>() / f64::from(c);
    let arriving: f64 = (0..n).map(|k| p[k] * (n - k) as f64).sum();
    let p_wait = (c as usize..n).map(|k| p[k] * (n - k) as f64).sum::<f64>() / arriving;
    Some(QueueFigures {
        model: "M/M/c//N",
        utilisation,
        p_wait,
        p_block: 0.0,
        throughput,
        l,
        lq,
        w: l / throughput,
        wq: lq / throughput,
        wait_tail_rate: None,
    })
}
