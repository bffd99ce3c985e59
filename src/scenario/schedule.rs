//! Schedules: a source's changing rate (→ [`RateProfile`]) and a service's changes of
//! workers, speed and error rate (→ [`ServiceChange`]s).
//!
//! Both are arrays of tables with an `at` key, in time order (equal times allowed). Order
//! is checked here, at the entry that breaks it; a rate profile's other problems (a
//! change starting before the previous ramp ends) are the model's [`ScheduleError`],
//! reported at the `at` of the change it names.
//!
//! [`ScheduleError`]: crate::model::ScheduleError

use super::reader::{Field, Table, alternatives};
use crate::model::{Rate, RateChange, RateProfile, ServiceChange, SimDuration};

/// The keys of a service change besides `at`; at least one must be given.
const SERVICE_CHANGE_KEYS: [&str; 3] = ["workers", "slowdown", "error_rate"];

/// A source's `schedule`, applied to its base `rate` (`None` if that was unreadable: the
/// entries are still checked).
pub(crate) fn read_rate_schedule(field: &Field<'_>, base: Option<Rate>) -> Option<RateProfile> {
    let entries = read_entries(field, read_rate_change)?;
    let changes: Vec<RateChange> = entries.iter().map(|(change, _)| *change).collect();
    match RateProfile::new(base?, &changes) {
        Ok(profile) => Some(profile),
        Err(error) => {
            let key = format!("{}[{}].at", field.key(), error.index);
            field
                .sink()
                .error(entries[error.index].1, &key, error.problem);
            None
        }
    }
}

/// A service's `schedule`.
pub(crate) fn read_service_schedule(field: &Field<'_>) -> Option<Vec<ServiceChange>> {
    let entries = read_entries(field, read_service_change)?;
    Some(entries.into_iter().map(|(change, _)| change).collect())
}

/// A change that happens at a time from the start of the run.
trait Timed {
    /// When the change happens.
    fn at(&self) -> SimDuration;
}

impl Timed for RateChange {
    fn at(&self) -> SimDuration {
        self.at
    }
}

impl Timed for ServiceChange {
    fn at(&self) -> SimDuration {
        self.at
    }
}

/// Reads every entry of the array with `read` (each reporting its own problems), then
/// checks that they are in time order. Each entry comes with its `at` field's position.
/// An empty array is refused: it is almost surely a change left unwritten.
fn read_entries<T: Timed>(
    field: &Field<'_>,
    read: fn(&mut Table<'_>) -> Option<(T, usize)>,
) -> Option<Vec<(T, usize)>> {
    let items = field.array()?;
    if items.is_empty() {
        let help = "give changes such as { at = \"10m\", ... }, or omit 'schedule'";
        field.error_with_help("must list at least one change", Some(help.to_string()));
        return None;
    }
    let entries: Vec<Option<(T, usize)>> =
        items.iter().map(|item| read_entry(item, read)).collect();
    let entries: Vec<(T, usize)> = entries.into_iter().collect::<Option<_>>()?;
    let mut in_order = true;
    for (pair, item) in entries.windows(2).zip(&items[1..]) {
        let (previous, current) = (pair[0].0.at(), pair[1].0.at());
        if current < previous {
            let message = format!(
                "changes must be in time order: this one at {current} comes after one at \
                 {previous}"
            );
            field
                .sink()
                .error(pair[1].1, &format!("{}.at", item.key()), message);
            in_order = false;
        }
    }
    in_order.then_some(entries)
}

/// One entry: a table read by `read`, with its unknown keys reported.
fn read_entry<T>(
    item: &Field<'_>,
    read: fn(&mut Table<'_>) -> Option<(T, usize)>,
) -> Option<(T, usize)> {
    let mut table = item.table()?;
    let entry = read(&mut table);
    table.finish();
    entry
}

/// `{ at, rate, over }`; the position returned is that of `at`.
fn read_rate_change(table: &mut Table<'_>) -> Option<(RateChange, usize)> {
    let at = table.require("at");
    let when = at.as_ref().and_then(Field::duration);
    let rate = table.require("rate").and_then(|f| f.rate_or_zero());
    let over = table.optional("over", SimDuration::ZERO, Field::duration);
    let change = RateChange {
        at: when?,
        rate: rate?,
        over: over?,
    };
    Some((change, at?.at()))
}

/// `{ at, workers, slowdown, error_rate }` with at least one besides `at`.
fn read_service_change(table: &mut Table<'_>) -> Option<(ServiceChange, usize)> {
    let at = table.require("at");
    let when = at.as_ref().and_then(Field::duration);
    let workers = table.optional("workers", None, |f| f.u32_at_least(0).map(Some));
    let slowdown = table.optional("slowdown", None, |f| read_slowdown(f).map(Some));
    let error_rate = table.optional("error_rate", None, |f| f.probability().map(Some));
    if !SERVICE_CHANGE_KEYS.iter().any(|key| table.has(key)) {
        table.error(format!(
            "a change needs at least one of {}",
            alternatives(&SERVICE_CHANGE_KEYS)
        ));
        return None;
    }
    let change = ServiceChange {
        at: when?,
        workers: workers?,
        slowdown: slowdown?,
        error_rate: error_rate?,
    };
    Some((change, at?.at()))
}

/// A factor on work durations: a finite number > 0.
fn read_slowdown(field: &Field<'_>) -> Option<f64> {
    let factor = field.number()?;
    if factor > 0.0 {
        return Some(factor);
    }
    field.error(format!("must be > 0 (got {factor})"));
    None
}
