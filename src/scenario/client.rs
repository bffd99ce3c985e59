//! Client policies: `timeout` and `retry` (with its backoff, jitter and budget) →
//! [`ClientPolicy`].
//!
//! The same keys describe a source's clients and a service's `call` steps, so both read
//! them here from the table that holds them. Every key of `retry` is optional; an absent
//! `retry` never retries.

use std::num::NonZeroU32;

use super::diagnostic::did_you_mean;
use super::reader::{Field, Table};
use crate::model::{Backoff, ClientPolicy, Jitter, RetryBudget, RetryOn, RetryPolicy};

/// Attempts in all when `retry` is given without `max_attempts`.
const DEFAULT_ATTEMPTS: NonZeroU32 = NonZeroU32::MIN.saturating_add(2);

/// Tokens of a budget given without `burst`.
const DEFAULT_BURST: f64 = 10.0;

/// The outcomes `on` may name, in the order they are documented.
const OUTCOMES: [&str; 3] = ["rejected", "timeout", "failed"];

/// The jitter names, as written in `jitter = "..."`.
const JITTERS: [&str; 4] = ["none", "full", "equal", "decorrelated"];

/// Reads `timeout` and `retry` from `table` (a source, or a call step).
pub(crate) fn read_policy(table: &mut Table<'_>) -> Option<ClientPolicy> {
    let timeout = table.optional("timeout", None, |f| f.positive_duration().map(Some));
    let retry = table.optional("retry", RetryPolicy::default(), read_retry);
    Some(ClientPolicy {
        timeout: timeout?,
        retry: retry?,
    })
}

/// The `retry` table; each key has a default, so `retry = {}` retries 3 times in all.
fn read_retry(field: &Field<'_>) -> Option<RetryPolicy> {
    let mut table = field.table()?;
    let max_attempts = table.optional("max_attempts", DEFAULT_ATTEMPTS, |f| {
        f.u32_at_least(1).and_then(NonZeroU32::new)
    });
    let on = table.optional("on", RetryOn::ALL, read_on);
    let backoff = read_backoff(&mut table);
    let budget = table.optional("budget", None, |f| read_budget(f).map(Some));
    table.finish();
    Some(RetryPolicy {
        max_attempts: max_attempts?,
        on: on?,
        backoff: backoff?,
        budget: budget?,
    })
}

/// `base`, `multiplier`, `cap` and `jitter`, with `cap >= base`.
fn read_backoff(table: &mut Table<'_>) -> Option<Backoff> {
    let defaults = Backoff::default();
    let base = table.optional("base", defaults.base, Field::duration);
    let multiplier = table.optional("multiplier", defaults.multiplier, read_multiplier);
    let cap_field = table.get("cap");
    let cap = match &cap_field {
        Some(field) => field.duration(),
        None => Some(defaults.cap),
    };
    let jitter = table.optional("jitter", defaults.jitter, read_jitter);
    let (base, cap) = (base?, cap?);
    if cap < base {
        match &cap_field {
            Some(field) => field.error(format!("must be >= base ({base}), got {cap}")),
            None => table.error(format!(
                "base ({base}) is above the default cap ({cap}); give a larger 'cap'"
            )),
        }
        return None;
    }
    Some(Backoff {
        base,
        multiplier: multiplier?,
        cap,
        jitter: jitter?,
    })
}

fn read_multiplier(field: &Field<'_>) -> Option<f64> {
    let multiplier = field.number()?;
    if multiplier < 1.0 {
        field.error(format!("must be >= 1 (got {multiplier})"));
        return None;
    }
    Some(multiplier)
}

fn read_jitter(field: &Field<'_>) -> Option<Jitter> {
    match field.string()? {
        "none" => Some(Jitter::None),
        "full" => Some(Jitter::Full),
        "equal" => Some(Jitter::Equal),
        "decorrelated" => Some(Jitter::Decorrelated),
        other => {
            let help = did_you_mean(other, JITTERS)
                .unwrap_or_else(|| format!("the jitters are: {}", JITTERS.join(", ")));
            field.error_with_help(format!("unknown jitter '{other}'"), Some(help));
            None
        }
    }
}

/// `on`: a non-empty array of distinct outcome names.
fn read_on(field: &Field<'_>) -> Option<RetryOn> {
    let items = field.array()?;
    if items.is_empty() {
        let help = format!("name some of: {}", OUTCOMES.join(", "));
        field.error_with_help("must not be empty", Some(help));
        return None;
    }
    let mut on = RetryOn {
        rejected: false,
        timeout: false,
        failed: false,
    };
    let mut ok = true;
    for item in &items {
        ok &= read_outcome(item, &mut on).is_some();
    }
    ok.then_some(on)
}

/// Sets the outcome named by `item` in `on`; reports unknown and repeated names.
fn read_outcome(item: &Field<'_>, on: &mut RetryOn) -> Option<()> {
    let name = item.string()?;
    let flag = match name {
        "rejected" => &mut on.rejected,
        "timeout" => &mut on.timeout,
        "failed" => &mut on.failed,
        other => {
            let help = did_you_mean(other, OUTCOMES)
                .unwrap_or_else(|| format!("the outcomes are: {}", OUTCOMES.join(", ")));
            item.error_with_help(format!("unknown outcome '{other}'"), Some(help));
            return None;
        }
    };
    if *flag {
        item.error(format!("'{name}' is listed twice"));
        return None;
    }
    *flag = true;
    Some(())
}

/// `budget = { ratio, burst }`.
fn read_budget(field: &Field<'_>) -> Option<RetryBudget> {
    let mut table = field.table()?;
    let ratio = table.require("ratio").and_then(|f| read_ratio(&f));
    let burst = table.optional("burst", DEFAULT_BURST, read_burst);
    table.finish();
    Some(RetryBudget {
        ratio: ratio?,
        burst: burst?,
    })
}

fn read_ratio(field: &Field<'_>) -> Option<f64> {
    let ratio = field.number()?;
    if ratio > 0.0 && ratio <= 1.0 {
        return Some(ratio);
    }
    field.error(format!(
        "must be in (0, 1]: retries per request (got {ratio})"
    ));
    None
}

fn read_burst(field: &Field<'_>) -> Option<f64> {
    let burst = field.number()?;
    if burst < 1.0 {
        field.error(format!("must be >= 1 (got {burst})"));
        return None;
    }
    Some(burst)
}
