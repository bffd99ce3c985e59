//! How a caller behaves: timeouts, retries with backoff and jitter, retry budgets.
//!
//! The same policy describes a source's clients and a service's synchronous calls.

use std::num::NonZeroU32;

use super::SimDuration;

/// A caller's policy for one logical request.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct ClientPolicy {
    /// Each attempt is abandoned after this long without an answer; `None` waits forever.
    pub timeout: Option<SimDuration>,
    /// Whether and how failed attempts are retried.
    pub retry: RetryPolicy,
}

/// When and how to try again.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included (1 means never retry).
    pub max_attempts: NonZeroU32,
    /// Which outcomes are retried.
    pub on: RetryOn,
    /// The wait before each retry.
    pub backoff: Backoff,
    /// Caps retries at a fraction of requests, if set.
    pub budget: Option<RetryBudget>,
}

impl Default for RetryPolicy {
    /// Never retry.
    fn default() -> RetryPolicy {
        RetryPolicy {
            max_attempts: NonZeroU32::MIN,
            on: RetryOn::ALL,
            backoff: Backoff::default(),
            budget: None,
        }
    }
}

/// Outcomes that may be retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryOn {
    /// The service's waiting room was full (HTTP 503).
    pub rejected: bool,
    /// The attempt timed out.
    pub timeout: bool,
    /// The service answered with an error.
    pub failed: bool,
}

impl RetryOn {
    /// Retry every kind of failure.
    pub const ALL: RetryOn = RetryOn {
        rejected: true,
        timeout: true,
        failed: true,
    };
}

/// Exponential backoff: before retry `n` (n = 1 for the first retry) the caller sleeps
/// `min(cap, base · multiplier^(n−1))`, shaped by `jitter`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Backoff {
    /// The first sleep.
    pub base: SimDuration,
    /// Growth per retry (≥ 1).
    pub multiplier: f64,
    /// The longest sleep.
    pub cap: SimDuration,
    /// Randomisation of each sleep.
    pub jitter: Jitter,
}

impl Default for Backoff {
    fn default() -> Backoff {
        Backoff {
            base: SimDuration(100_000_000),
            multiplier: 2.0,
            cap: SimDuration(10_000_000_000),
            jitter: Jitter::Full,
        }
    }
}

/// Jitter, as defined in the AWS Architecture Blog's "Exponential Backoff and Jitter".
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Jitter {
    /// Sleep exactly `min(cap, base·m^(n−1))`.
    None,
    /// Uniform on `[0, min(cap, base·m^(n−1))]`.
    Full,
    /// Half of the exponential sleep plus a uniform draw over the other half.
    Equal,
    /// `min(cap, uniform(base, 3 · previous sleep))`, starting from `base`.
    Decorrelated,
}

/// A token bucket that lets retries be at most about `ratio` of requests.
///
/// It starts with `burst` tokens and holds at most that many. Every first attempt adds
/// `ratio` tokens; every retry needs and takes one. Without tokens the failure is final.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RetryBudget {
    /// Tokens earned per request, in (0, 1].
    pub ratio: f64,
    /// Initial and largest number of tokens (≥ 1).
    pub burst: f64,
}
