//! What a caller does with an attempt's outcome: retry after a backoff, or give up.
//!
//! Backoff and jitter follow the AWS Architecture Blog's "Exponential Backoff and Jitter":
//! with `exp = min(cap, base · multiplier^(n−1))` before retry `n`, "full" sleeps
//! uniform(0, exp), "equal" sleeps exp/2 + uniform(0, exp/2), and "decorrelated" sleeps
//! min(cap, uniform(base, 3 · previous sleep)), the first previous sleep being `base`.

use super::rng::{self, Stream};
use crate::model::{Backoff, ClientPolicy, Jitter, RetryOn, SimDuration};

/// How an attempt (or a whole request) ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Outcome {
    /// Served without error.
    Success,
    /// Turned away by a full waiting room (HTTP 503).
    Rejected,
    /// The caller stopped waiting.
    TimedOut,
    /// The service answered with an error.
    Failed,
}

/// One caller's policy with its running state: budget tokens and a jitter stream.
#[derive(Debug)]
pub(crate) struct Caller {
    pub(crate) timeout: Option<SimDuration>,
    max_attempts: u32,
    on: RetryOn,
    backoff: Backoff,
    budget: Option<Budget>,
    rng: Stream,
}

#[derive(Debug)]
struct Budget {
    ratio: f64,
    burst: f64,
    tokens: f64,
}

impl Caller {
    pub(crate) fn new(policy: &ClientPolicy, rng: Stream) -> Caller {
        let retry = &policy.retry;
        Caller {
            timeout: policy.timeout,
            max_attempts: retry.max_attempts.get(),
            on: retry.on,
            backoff: retry.backoff,
            budget: retry.budget.map(|b| Budget {
                ratio: b.ratio,
                burst: b.burst,
                tokens: b.burst,
            }),
            rng,
        }
    }

    /// A new request earns the budget its share of a retry.
    #[inline]
    pub(crate) fn on_request(&mut self) {
        if let Some(b) = &mut self.budget {
            b.tokens = (b.tokens + b.ratio).min(b.burst);
        }
    }

    /// Whether to retry after `attempts` attempts ended in `outcome`; a retry spends a
    /// budget token.
    pub(crate) fn should_retry(&mut self, outcome: Outcome, attempts: u32) -> bool {
        let retryable = match outcome {
            Outcome::Success => false,
            Outcome::Rejected => self.on.rejected,
            Outcome::TimedOut => self.on.timeout,
            Outcome::Failed => self.on.failed,
        };
        if !retryable || attempts >= self.max_attempts {
            return false;
        }
        match &mut self.budget {
            Some(b) if b.tokens < 1.0 => false,
            Some(b) => {
                b.tokens -= 1.0;
                true
            }
            None => true,
        }
    }

    /// The sleep before retry number `retry` (1 for the first); `previous` is the last
    /// sleep of this request (decorrelated jitter), updated here.
    pub(crate) fn backoff(&mut self, retry: u32, previous: &mut SimDuration) -> SimDuration {
        let sleep = sleep_ns(&self.backoff, retry, previous.0 as f64, &mut self.rng);
        let sleep = SimDuration((sleep + 0.5) as u64);
        *previous = sleep;
        sleep
    }
}

/// The sleep in nanoseconds, as defined in the module header.
fn sleep_ns(backoff: &Backoff, retry: u32, previous_ns: f64, rng: &mut Stream) -> f64 {
    let base = backoff.base.0 as f64;
    let cap = backoff.cap.0 as f64;
    let exponent = i32::try_from(retry.saturating_sub(1)).unwrap_or(i32::MAX);
    let exp = (base * backoff.multiplier.powi(exponent)).min(cap);
    match backoff.jitter {
        Jitter::None => exp,
        Jitter::Full => rng::unit(rng) * exp,
        Jitter::Equal => exp / 2.0 + rng::unit(rng) * exp / 2.0,
        Jitter::Decorrelated => {
            let previous = if retry <= 1 { base } else { previous_ns };
            let high = (3.0 * previous).max(base);
            (base + rng::unit(rng) * (high - base)).min(cap)
        }
    }
}

#[cfg(test)]
mod tests;
