//! Schedules: a source's changing rate (→ [`RateProfile`]) and a service's changes of
//! workers, speed and error rate (→ [`ServiceChange`]s).
//!
//! Both are arrays of tables with an `at` key, in time order (equal times allowed). Order
//! is checked here, at the entry that breaks it; a rate profile's other problems (a
//! change starting before the previous ramp ends) are the model's [`ScheduleError`],
//! reported at the `at` of the change it names.
//!
//! An entry with `for` is a *pulse*: the change at `at`, and at `at + for` a change back to
//! what was in effect before it (so a spike's length is one key, which a sweep can vary).
//! The next entry may not start before a pulse ends.
//!
//! [`ScheduleError`]: crate::model::ScheduleError

use super::reader::{Field, Table, alternatives};
use crate::model::{
    Fault, PartitionMode, QueueFate, Rate, RateChange, RateProfile, ServiceChange, SimDuration,
};

/// The keys of a service change besides `at` and `for`; at least one must be given.
const SERVICE_CHANGE_KEYS: [&str; 6] = [
    "workers",
    "slowdown",
    "error_rate",
    "crash",
    "outage",
    "partition",
];

/// The keys of a fault, which stands alone in its entry and needs `for`.
const FAULT_KEYS: [&str; 3] = ["crash", "outage", "partition"];

/// A change as written: what happens at `at`, and, for a pulse, how long it lasts.
struct Entry<T> {
    change: T,
    pulse: Option<SimDuration>,
    /// The position of `at`, where problems with the entry are reported.
    at_pos: usize,
}

/// What a service runs with before its schedule changes anything.
#[derive(Clone, Copy, Debug)]
pub(crate) struct ServiceBase {
    pub(crate) workers: u32,
    pub(crate) error_rate: f64,
    /// Its queue is a broker's (only then may its broker crash).
    pub(crate) broker: bool,
}

/// A source's `schedule`, applied to its base `rate` (`None` if that was unreadable: the
/// entries are still checked).
pub(crate) fn read_rate_schedule(field: &Field<'_>, base: Option<Rate>) -> Option<RateProfile> {
    let entries = read_entries(field, read_rate_change)?;
    let base = base?;
    let mut changes = Vec::with_capacity(entries.len() * 2);
    // Where each change came from, to report the model's problems at the entry's `at`.
    let mut origin = Vec::with_capacity(entries.len() * 2);
    let mut rate = base.as_per_sec();
    for (i, entry) in entries.iter().enumerate() {
        changes.push(entry.change);
        origin.push(i);
        if let Some(length) = entry.pulse {
            changes.push(RateChange {
                at: entry.change.at + length,
                rate,
                over: SimDuration::ZERO,
            });
            origin.push(i);
        } else {
            rate = entry.change.rate;
        }
    }
    match RateProfile::new(base, &changes) {
        Ok(profile) => Some(profile),
        Err(error) => {
            let i = origin[error.index];
            let key = format!("{}[{i}].at", field.key());
            field.sink().error(entries[i].at_pos, &key, error.problem);
            None
        }
    }
}

/// A service's `schedule`, a pulse's end restoring what `base` and earlier changes set.
pub(crate) fn read_service_schedule(
    field: &Field<'_>,
    base: ServiceBase,
) -> Option<Vec<ServiceChange>> {
    let entries = read_entries(field, read_service_change)?;
    let mut changes = Vec::with_capacity(entries.len() * 2);
    let mut now = (Some(base.workers), Some(1.0), Some(base.error_rate));
    let mut complete = true;
    for (i, entry) in entries.iter().enumerate() {
        let c = entry.change;
        if c.fault.is_some() && entry.pulse.is_none() {
            let key = format!("{}[{i}]", field.key());
            let help = "add how long it lasts, such as for = \"2m\"";
            let message = "a crash, outage or partition needs 'for': how long until it is back";
            field
                .sink()
                .error_with_help(entry.at_pos, &key, message, Some(help.to_string()));
            complete = false;
        }
        if c.fault == Some(Fault::BrokerDown) && !base.broker {
            let key = format!("{}[{i}].outage", field.key());
            let help = "give the queue a delivery guarantee, or use outage = \"kept\" or \"lost\"";
            let message = "outage = \"broker\" needs a broker queue";
            field
                .sink()
                .error_with_help(entry.at_pos, &key, message, Some(help.to_string()));
            complete = false;
        }
        let mut c = c;
        if let (Some(Fault::Partition { until, .. }), Some(length)) = (&mut c.fault, entry.pulse) {
            *until = c.at + length;
        }
        changes.push(c);
        match entry.pulse {
            Some(length) => changes.push(ServiceChange {
                at: c.at + length,
                workers: c.workers.and(now.0),
                slowdown: c.slowdown.and(now.1),
                error_rate: c.error_rate.and(now.2),
                fault: c.fault.map(|f| match f {
                    Fault::Crash(n) => Fault::Restart(n),
                    Fault::Partition { .. } => Fault::Heal,
                    _ => Fault::Up,
                }),
            }),
            None => {
                now.0 = c.workers.or(now.0);
                now.1 = c.slowdown.or(now.1);
                now.2 = c.error_rate.or(now.2);
            }
        }
    }
    complete.then_some(changes)
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

impl<T: Timed> Entry<T> {
    /// When the entry's effect ends: the end of its pulse, or its start.
    fn end(&self) -> SimDuration {
        let at = self.change.at();
        self.pulse.map_or(at, |length| at + length)
    }
}

/// Reads every entry of the array with `read` (each reporting its own problems), then
/// checks that they are in time order and that none starts inside an earlier pulse.
/// An empty array is refused: it is almost surely a change left unwritten.
fn read_entries<T: Timed>(
    field: &Field<'_>,
    read: fn(&mut Table<'_>) -> Option<(T, usize)>,
) -> Option<Vec<Entry<T>>> {
    let items = field.array()?;
    if items.is_empty() {
        let help = "give changes such as { at = \"10m\", ... }, or omit 'schedule'";
        field.error_with_help("must list at least one change", Some(help.to_string()));
        return None;
    }
    let entries: Vec<Option<Entry<T>>> = items.iter().map(|item| read_entry(item, read)).collect();
    let entries: Vec<Entry<T>> = entries.into_iter().collect::<Option<_>>()?;
    let mut in_order = true;
    for (pair, item) in entries.windows(2).zip(&items[1..]) {
        let (previous, current) = (&pair[0], pair[1].change.at());
        let message = if current < previous.change.at() {
            format!(
                "changes must be in time order: this one at {current} comes after one at {}",
                previous.change.at()
            )
        } else if current < previous.end() {
            format!(
                "this change at {current} starts before the pulse before it ends (at {})",
                previous.end()
            )
        } else {
            continue;
        };
        field
            .sink()
            .error(pair[1].at_pos, &format!("{}.at", item.key()), message);
        in_order = false;
    }
    in_order.then_some(entries)
}

/// One entry: a table read by `read`, with its `for` and its unknown keys.
fn read_entry<T>(
    item: &Field<'_>,
    read: fn(&mut Table<'_>) -> Option<(T, usize)>,
) -> Option<Entry<T>> {
    let mut table = item.table()?;
    let pulse = table.optional("for", None, |f| f.positive_duration().map(Some));
    let entry = read(&mut table);
    table.finish();
    let (change, at_pos) = entry?;
    Some(Entry {
        change,
        pulse: pulse?,
        at_pos,
    })
}

/// `{ at, rate, over }` (and `for`, read by `read_entry`); the position returned is that
/// of `at`.
fn read_rate_change(table: &mut Table<'_>) -> Option<(RateChange, usize)> {
    let at = table.require("at");
    let when = at.as_ref().and_then(Field::duration);
    let rate = table.require("rate").and_then(|f| f.rate_or_zero());
    let over = table.optional("over", SimDuration::ZERO, Field::duration);
    if table.has("for") && table.has("over") {
        table.error("a pulse ('for') is a step up and back: it cannot ramp ('over')");
        return None;
    }
    let change = RateChange {
        at: when?,
        rate: rate?,
        over: over?,
    };
    Some((change, at?.at()))
}

/// `{ at, workers, slowdown, error_rate }` with at least one besides `at`, or a fault:
/// `{ at, crash = N, for }` or `{ at, outage = "kept" | "lost" | "broker", for }`, alone.
fn read_service_change(table: &mut Table<'_>) -> Option<(ServiceChange, usize)> {
    let at = table.require("at");
    let when = at.as_ref().and_then(Field::duration);
    let workers = table.optional("workers", None, |f| f.u32_at_least(0).map(Some));
    let slowdown = table.optional("slowdown", None, |f| read_slowdown(f).map(Some));
    let error_rate = table.optional("error_rate", None, |f| f.probability().map(Some));
    let crash = table.optional("crash", None, |f| {
        f.u32_at_least(1).map(|n| Some(Fault::Crash(n)))
    });
    let outage = table.optional("outage", None, |f| read_outage(f).map(Some));
    let partition = table.optional("partition", None, |f| read_partition(f).map(Some));
    if !SERVICE_CHANGE_KEYS.iter().any(|key| table.has(key)) {
        table.error(format!(
            "a change needs at least one of {}",
            alternatives(&SERVICE_CHANGE_KEYS)
        ));
        return None;
    }
    let faults = FAULT_KEYS.iter().filter(|key| table.has(key)).count();
    let others = SERVICE_CHANGE_KEYS.len() - FAULT_KEYS.len();
    let changes = SERVICE_CHANGE_KEYS[..others]
        .iter()
        .filter(|key| table.has(key));
    if faults > 1 || (faults == 1 && changes.count() > 0) {
        table.error(
            "a crash, outage or partition stands alone in its entry: give other changes an entry \
             of their own",
        );
        return None;
    }
    let change = ServiceChange {
        at: when?,
        workers: workers?,
        slowdown: slowdown?,
        error_rate: error_rate?,
        fault: crash?.or(outage?).or(partition?),
    };
    Some((change, at?.at()))
}

/// `"kept"` or `"lost"`: what becomes of the waiting room when the service goes down; or
/// `"broker"`: the broker of a broker queue crashes, its consumers carry on.
fn read_outage(field: &Field<'_>) -> Option<Fault> {
    let fate = match field.string()? {
        "kept" => QueueFate::Kept,
        "lost" => QueueFate::Lost,
        "broker" => return Some(Fault::BrokerDown),
        other => {
            let help = "\"kept\" (the queue survives, held elsewhere), \"lost\" (it was in the crashed process) or, at a broker queue, \"broker\" (its broker crashes)";
            field.error_with_help(format!("unknown outage '{other}'"), Some(help.to_string()));
            return None;
        }
    };
    Some(Fault::Down(fate))
}

/// `"refuse"` or `"drop"`: what a partition does to work sent across it. Its end is set
/// from the entry's `for` by `read_service_schedule`.
fn read_partition(field: &Field<'_>) -> Option<Fault> {
    let mode = match field.string()? {
        "refuse" => PartitionMode::Refuse,
        "drop" => PartitionMode::Drop,
        other => {
            let help = "\"refuse\" (connection refused: the caller fails at once) or \"drop\" (packets dropped: it waits, or times out)";
            field.error_with_help(
                format!("unknown partition '{other}'"),
                Some(help.to_string()),
            );
            return None;
        }
    };
    Some(Fault::Partition {
        mode,
        until: SimDuration::ZERO,
    })
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
