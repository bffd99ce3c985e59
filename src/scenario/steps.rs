//! A service's `steps`: what a worker does for each request → [`Step`]s.
//!
//! Each step table has exactly one of `work` (a distribution), `call` (a service, with the
//! client keys `timeout` and `retry`) or `publish` (a service, with an optional
//! `fanout`). The kind decides which other keys are known, so a key of another kind of
//! step is reported as unknown with a suggestion among the valid ones.

use toml::de::DeValue;

use super::client;
use super::components::ServiceIds;
use super::dist;
use super::reader::{Field, Table, alternatives};
use crate::model::{Dist, Step};

/// The keys that name a step's kind.
const KINDS: [&str; 3] = ["work", "call", "publish"];

/// The `steps` array: at least one step, each read and reported on its own.
pub(crate) fn read_steps(field: &Field<'_>, ids: &ServiceIds) -> Option<Vec<Step>> {
    let items = field.array()?;
    if items.is_empty() {
        let help = "give at least one step, such as { work = { dist = \"exponential\", \
                    mean = \"20ms\" } }";
        field.error_with_help("a service needs at least one step", Some(help.to_string()));
        return None;
    }
    let steps: Vec<Option<Step>> = items.iter().map(|item| read_step(item, ids)).collect();
    steps.into_iter().collect()
}

/// One step table.
fn read_step(item: &Field<'_>, ids: &ServiceIds) -> Option<Step> {
    let mut table = item.table()?;
    let given: Vec<&'static str> = KINDS.into_iter().filter(|k| table.has(k)).collect();
    let step = match given.as_slice() {
        ["work"] => read_work(&mut table),
        ["call"] => read_call(&mut table, ids),
        // The only kind left.
        [_publish] => read_publish(&mut table, ids),
        [] => {
            table.error(format!(
                "a step needs one of {} (give exactly one)",
                alternatives(&KINDS)
            ));
            // Asking for every kind makes a misspelt one an unknown key with a suggestion.
            for kind in KINDS {
                let _ = table.get(kind);
            }
            None
        }
        [first, second, ..] => {
            let message = format!(
                "a step does one thing: give one of {}, not both '{first}' and '{second}'",
                alternatives(&KINDS)
            );
            if let Some(field) = table.get(second) {
                field.error_at_key(message);
            }
            // The other keys cannot be checked without knowing the kind.
            return None;
        }
    };
    table.finish();
    step
}

/// `{ work = <distribution> }`.
fn read_work(table: &mut Table<'_>) -> Option<Step> {
    let work = table.get("work")?;
    dist::read(&work).map(Step::Work)
}

/// `{ call = "service", timeout, retry }`.
fn read_call(table: &mut Table<'_>, ids: &ServiceIds) -> Option<Step> {
    let to = table.get("call").and_then(|f| ids.resolve(&f));
    let policy = client::read_policy(table);
    Some(Step::Call {
        to: to?,
        policy: policy?,
    })
}

/// `{ publish = "service", fanout }`.
fn read_publish(table: &mut Table<'_>, ids: &ServiceIds) -> Option<Step> {
    let to = table.get("publish").and_then(|f| ids.resolve(&f));
    let fanout = table.optional("fanout", None, |f| read_fanout(f).map(Some));
    Some(Step::Publish {
        to: to?,
        fanout: fanout?,
    })
}

/// Messages per request: an integer >= 0, or a distribution of counts.
fn read_fanout(field: &Field<'_>) -> Option<Dist> {
    match field.value() {
        DeValue::Integer(_) => {
            let count = field.integer(0, i128::from(u32::MAX))?;
            match Dist::constant(count as f64) {
                Ok(dist) => Some(dist),
                Err(error) => {
                    field.error(format!("invalid fanout: {}", error.counts()));
                    None
                }
            }
        }
        DeValue::Table(_) => dist::read_counts(field),
        _ => field.wrong_type("an integer >= 0 or a distribution table"),
    }
}
