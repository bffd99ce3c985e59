//! Sources and services: each read from its table into a model spec.
//!
//! Names of services are collected first ([`ServiceIds`]), so that a source or route may
//! name a service defined further down the file and be resolved as it is read. Each
//! reader reads every key before giving up, so one bad value does not hide the problems
//! after it.

use std::collections::BTreeMap;
use std::num::NonZeroU32;

use toml::de::DeValue;

use super::diagnostic::did_you_mean;
use super::reader::{Field, OneOf, Table, a_type};
use super::{autoscale, client, delivery, dist, faults, schedule, steps};
use crate::model::{
    Arrivals, Discipline, Overflow, Queue, Route, RouteBranch, ServiceId, ServiceSpec, SourceSpec,
    Step,
};

/// Tolerance on the sum of route probabilities, matching the model's.
const PROBABILITY_SLACK: f64 = 1e-9;

/// Names already used in one list (sources or services), with where each was defined.
pub(crate) struct Seen {
    kind: &'static str,
    first_at: BTreeMap<String, usize>,
}

impl Seen {
    /// An empty list of names of `kind` ("source" or "service").
    pub(crate) fn new(kind: &'static str) -> Seen {
        Seen {
            kind,
            first_at: BTreeMap::new(),
        }
    }
}

/// Service ids by name, plus the names in file order (for suggestions).
pub(crate) struct ServiceIds {
    by_name: BTreeMap<String, ServiceId>,
    in_order: Vec<String>,
}

impl ServiceIds {
    /// The id of each `[[service]]` table's name (its index), first definition winning.
    /// Nothing is reported here: `read_service` checks the names again, loudly.
    pub(crate) fn new(tables: &[Table<'_>]) -> ServiceIds {
        let mut ids = ServiceIds {
            by_name: BTreeMap::new(),
            in_order: Vec::new(),
        };
        for (index, table) in tables.iter().enumerate() {
            let (Some(name), Ok(index)) = (table.peek_str("name"), u32::try_from(index)) else {
                continue;
            };
            if !name.is_empty() && !ids.by_name.contains_key(name) {
                ids.by_name.insert(name.to_string(), ServiceId(index));
                ids.in_order.push(name.to_string());
            }
        }
        ids
    }

    /// The service named by `field`, or a diagnostic with the nearest names.
    pub(crate) fn resolve(&self, field: &Field<'_>) -> Option<ServiceId> {
        let name = field.string()?;
        if let Some(&id) = self.by_name.get(name) {
            return Some(id);
        }
        let names = self.in_order.iter().map(String::as_str);
        let help = did_you_mean(name, names).unwrap_or_else(|| {
            if self.in_order.is_empty() {
                "this file defines no [[service]]".to_string()
            } else {
                format!("the services are: {}", self.in_order.join(", "))
            }
        });
        field.error_with_help(format!("no service named '{name}'"), Some(help));
        None
    }
}

/// A service as read, with where its `then` is (to point at if the route has no exit).
pub(crate) struct ReadService {
    /// The service, or `None` if anything was wrong (already reported).
    pub(crate) spec: Option<ServiceSpec>,
    /// Position and key path of `then`, when present.
    pub(crate) then: Option<(usize, String)>,
}

/// Reads one `[[source]]` table.
pub(crate) fn read_source(
    mut table: Table<'_>,
    seen: &mut Seen,
    ids: &ServiceIds,
) -> Option<SourceSpec> {
    let name = read_name(&mut table, seen);
    let target = table.require("to").and_then(|to| ids.resolve(&to));
    let arrivals = read_arrivals(&mut table);
    let client = client::read_policy(&mut table);
    table.finish();
    Some(SourceSpec {
        name: name?,
        target: target?,
        arrivals: arrivals?,
        client: client?,
    })
}

/// The keys that say how a source makes requests; exactly one is given.
const ARRIVAL_KEYS: [&str; 3] = ["rate", "interarrival", "users"];

/// Exactly one of `rate` (with an optional `schedule`), `interarrival` or `users` (with
/// its required `think_time`).
fn read_arrivals(table: &mut Table<'_>) -> Option<Arrivals> {
    let given = table.exactly_one(&ARRIVAL_KEYS);
    let think_time = table.get("think_time");
    let schedule = table.get("schedule");
    let (index, field) = given?;
    let kind = ARRIVAL_KEYS[index];
    let misplaced_schedule = kind != "rate" && schedule.is_some();
    if let (true, Some(schedule)) = (misplaced_schedule, &schedule) {
        schedule.error_at_key("a schedule changes a Poisson rate: it needs 'rate'");
    }
    let misplaced_think_time = kind != "users" && think_time.is_some();
    if let (true, Some(think_time)) = (misplaced_think_time, &think_time) {
        think_time.error_at_key("'think_time' is for a closed loop: it needs 'users'");
    }
    if misplaced_schedule || misplaced_think_time {
        return None;
    }
    match kind {
        "rate" => read_rate(&field, schedule.as_ref()),
        "interarrival" => dist::read(&field).map(Arrivals::Renewal),
        _ => read_closed(&field, think_time.as_ref()),
    }
}

/// `rate`, varying over time when there is a `schedule`.
fn read_rate(rate: &Field<'_>, schedule: Option<&Field<'_>>) -> Option<Arrivals> {
    let base = rate.rate();
    match schedule {
        None => base.map(Arrivals::Poisson),
        Some(schedule) => schedule::read_rate_schedule(schedule, base).map(Arrivals::Varying),
    }
}

/// A closed loop: `users` and `think_time`.
fn read_closed(users: &Field<'_>, think_time: Option<&Field<'_>>) -> Option<Arrivals> {
    let count = users.u32_at_least(1).and_then(NonZeroU32::new);
    let Some(think_time) = think_time else {
        let help = "each user pauses between an answer and its next request: add, for \
                    example, think_time = { dist = \"exponential\", mean = \"5s\" }";
        users.sink().error_with_help(
            users.key_at(),
            users.key(),
            "a closed loop ('users') needs 'think_time'",
            Some(help.to_string()),
        );
        return None;
    };
    let think_time = dist::read(think_time);
    Some(Arrivals::Closed {
        users: count?,
        think_time: think_time?,
    })
}

/// Reads one `[[service]]` table.
pub(crate) fn read_service(mut table: Table<'_>, seen: &mut Seen, ids: &ServiceIds) -> ReadService {
    let name = read_name(&mut table, seen);
    let workers_given = table.has("workers");
    let workers = table.optional("workers", NonZeroU32::MIN, |field| {
        field.u32_at_least(1).and_then(NonZeroU32::new)
    });
    let unbounded = Queue {
        capacity: None,
        discipline: Discipline::Fifo,
        delivery: None,
        overflow: Overflow::Reject,
        memory: None,
    };
    let queue = table.optional("queue", unbounded, read_queue);
    let steps = match table.one_of("service_time", "steps") {
        Some(OneOf::First(time)) => dist::read(&time).map(|dist| vec![Step::Work(dist)]),
        Some(OneOf::Second(steps)) => steps::read_steps(&steps, ids),
        None => None,
    };
    let then = table.get("then");
    let route = match &then {
        Some(field) => read_route(field, ids),
        None => Some(Route::Exit),
    };
    let error_rate = table.optional("error_rate", 0.0, Field::probability);
    let drop_expired = table.optional("drop_expired", false, Field::boolean);
    let broker = queue.as_ref().is_some_and(|q| q.delivery.is_some());
    let base = schedule::ServiceBase {
        workers: workers.map_or(1, NonZeroU32::get),
        error_rate: error_rate.unwrap_or(0.0),
        broker,
    };
    let schedule = table.optional("schedule", Vec::new(), |field| {
        schedule::read_service_schedule(field, base)
    });
    let crashes = table.optional("crash", None, |f| faults::read_crashes(f).map(Some));
    let idempotent = table.optional("idempotent", None, |f| {
        delivery::read_idempotent(f, broker).map(Some)
    });
    let autoscale = table.get("autoscale").map(|field| {
        let initial = workers_given.then(|| workers.map(NonZeroU32::get)).flatten();
        let read = autoscale::read_autoscale(&field, initial);
        if read.is_some() && schedule.as_ref().is_some_and(|s| s.iter().any(|c| c.workers.is_some())) {
            let help = "the autoscaler sets the workers: remove the schedule's 'workers' changes, or the autoscaler";
            field.error_with_help(
                "an autoscaled service's schedule cannot change its workers",
                Some(help.to_string()),
            );
            return None;
        }
        read
    });
    table.finish();
    // Without `workers`, an autoscaled service starts at its `min`.
    let workers = match (&autoscale, workers_given) {
        (Some(Some(a)), false) => NonZeroU32::new(a.min),
        _ => workers,
    };
    let spec = (|| {
        Some(ServiceSpec {
            name: name?,
            workers: workers?,
            queue: queue?,
            steps: steps?,
            route: route?,
            error_rate: error_rate?,
            drop_expired: drop_expired?,
            schedule: schedule?,
            crashes: crashes?,
            autoscale: autoscale.map_or(Some(None), |a| a.map(Some))?,
            idempotent: idempotent?,
        })
    })();
    ReadService {
        spec,
        then: then.map(|field| (field.key_at(), field.key().to_string())),
    }
}

/// The entry's `name`: required, non-empty and unique in its list. Once known, the table
/// is renamed `kind.name` for the diagnostics that follow.
fn read_name(table: &mut Table<'_>, seen: &mut Seen) -> Option<String> {
    let field = table.require("name")?;
    let name = field.non_empty_string()?;
    if let Some(&first) = seen.first_at.get(name) {
        let line = table.sink().line_of(first);
        field.error(format!(
            "duplicate {} name '{name}' (first defined on line {line})",
            seen.kind
        ));
        return None;
    }
    seen.first_at.insert(name.to_string(), field.at());
    table.rename(format!("{}.{name}", seen.kind));
    Some(name.to_string())
}

fn read_queue(field: &Field<'_>) -> Option<Queue> {
    let DeValue::Table(entries) = field.value() else {
        let help = "write queue = { capacity = 100 }; omit capacity for an unbounded queue";
        let message = format!("expected a table, found {}", a_type(field.value()));
        field.error_with_help(message, Some(help.to_string()));
        return None;
    };
    let mut table = field.as_table(entries);
    let capacity = table.optional("capacity", None, |f| f.u32_at_least(0).map(Some));
    let discipline = table.optional("discipline", Discipline::Fifo, read_discipline);
    let delivery = delivery::read_delivery(&mut table);
    let broker = delivery.is_some_and(|d| d.is_some());
    let overflow = delivery::read_overflow(&mut table, broker);
    let memory = delivery::read_memory(&mut table, broker);
    table.finish();
    Some(Queue {
        capacity: capacity?,
        discipline: discipline?,
        delivery: delivery?,
        overflow: overflow?,
        memory: memory?,
    })
}

fn read_discipline(field: &Field<'_>) -> Option<Discipline> {
    match field.string()? {
        "fifo" => Some(Discipline::Fifo),
        "lifo" => Some(Discipline::Lifo),
        other => {
            let help = did_you_mean(other, ["fifo", "lifo"])
                .unwrap_or_else(|| "use \"fifo\" or \"lifo\"".to_string());
            field.error_with_help(format!("unknown queue discipline '{other}'"), Some(help));
            None
        }
    }
}

fn read_route(field: &Field<'_>, ids: &ServiceIds) -> Option<Route> {
    match field.value() {
        DeValue::String(_) => ids.resolve(field).map(Route::To),
        DeValue::Array(_) => read_split(field, ids),
        _ => field.wrong_type("a service name or an array of { to, p } tables"),
    }
}

fn read_split(field: &Field<'_>, ids: &ServiceIds) -> Option<Route> {
    let items = field.array()?;
    if items.is_empty() {
        let help = "omit 'then' to leave the system after this service";
        field.error_with_help("a route needs at least one branch", Some(help.to_string()));
        return None;
    }
    // Read every branch before giving up, so that each bad one is reported.
    let branches: Vec<Option<RouteBranch>> =
        items.iter().map(|item| read_branch(item, ids)).collect();
    let branches: Vec<RouteBranch> = branches.into_iter().collect::<Option<_>>()?;
    let total: f64 = branches.iter().map(|branch| branch.p).sum();
    if total > 1.0 + PROBABILITY_SLACK {
        let help = "the probabilities must sum to at most 1; the remainder leaves the system";
        let message = format!(
            "branch probabilities sum to {}, more than 1",
            trim_float(total)
        );
        field.error_with_help(message, Some(help.to_string()));
        return None;
    }
    Some(Route::Split(branches))
}

fn read_branch(item: &Field<'_>, ids: &ServiceIds) -> Option<RouteBranch> {
    let mut table = item.table()?;
    let to = table.require("to").and_then(|to| ids.resolve(&to));
    let p = table.require("p").and_then(|p| probability(&p));
    table.finish();
    Some(RouteBranch { p: p?, to: to? })
}

fn probability(field: &Field<'_>) -> Option<f64> {
    let p = field.number()?;
    if p > 0.0 && p <= 1.0 {
        return Some(p);
    }
    field.error(format!(
        "a probability must be in (0, 1] (got {})",
        trim_float(p)
    ));
    None
}

/// A float with at most 9 decimals and no trailing zeros: `1.2`, not `1.2000000000000002`.
fn trim_float(value: f64) -> String {
    let text = format!("{value:.9}");
    text.trim_end_matches('0').trim_end_matches('.').to_string()
}
