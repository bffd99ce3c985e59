//! A broker queue's settings: the delivery guarantee, read from the queue table
//! (`delivery = "at-most-once"` with `persistence`, `"acknowledged"` with `ack`,
//! `delivery_limit` and `durable`, or `"at-least-once"` with `visibility_timeout` and
//! `max_receives`) → [`Delivery`]; what a
//! full one does (`overflow`) → [`Overflow`]; and the service's idempotent consumers
//! (`idempotent = { window, check }`) → [`Idempotence`].

use std::num::NonZeroU32;

use super::diagnostic::did_you_mean;
use super::faults;
use super::reader::{Field, Table};
use toml::de::DeValue;

use crate::model::{DedupWindow, Delivery, Dist, Idempotence, Memory, Overflow, SimDuration};

const KINDS: [&str; 3] = ["at-most-once", "acknowledged", "at-least-once"];

/// The keys only some guarantees take, and the guarantee that takes each.
const SETTINGS: [(&str, &str); 6] = [
    ("persistence", "at-most-once"),
    ("ack", "acknowledged"),
    ("delivery_limit", "acknowledged"),
    ("durable", "acknowledged"),
    ("visibility_timeout", "at-least-once"),
    ("max_receives", "at-least-once"),
];

/// Reads `delivery` and its settings from a queue table: `Some(None)` for a plain waiting
/// room, `None` after reporting a problem.
pub(crate) fn read_delivery(table: &mut Table<'_>) -> Option<Option<Delivery>> {
    let kind = table.get("delivery");
    let mut settings: Vec<(&str, &str, Option<Field<'_>>)> = (SETTINGS.iter())
        .map(|&(key, owner)| (key, owner, table.get(key)))
        .collect();
    let Some(kind_field) = kind else {
        let mut ok = true;
        for (key, owner, field) in &settings {
            if let Some(field) = field {
                let help = format!("add delivery = \"{owner}\" to the queue, or remove '{key}'");
                let message = format!("'{key}' is a setting of a broker's queue");
                field.error_with_help(message, Some(help));
                ok = false;
            }
        }
        return ok.then_some(None);
    };
    let kind = kind_field.string()?;
    if !KINDS.contains(&kind) {
        let help = did_you_mean(kind, KINDS).unwrap_or_else(|| {
            "use \"at-most-once\", \"acknowledged\" or \"at-least-once\"".to_string()
        });
        kind_field.error_with_help(format!("unknown delivery guarantee '{kind}'"), Some(help));
        return None;
    }
    // A setting of another guarantee is a mistake about which guarantee this is.
    let mut ok = true;
    for (key, owner, field) in &settings {
        if let Some(field) = field.as_ref().filter(|_| *owner != kind) {
            let help = match (*key, kind) {
                ("delivery_limit", "at-least-once") => "use max_receives".to_string(),
                ("max_receives", "acknowledged") => "use delivery_limit".to_string(),
                _ => format!("remove it, or use delivery = \"{owner}\""),
            };
            let message = format!("'{key}' does not apply to delivery = \"{kind}\"");
            field.error_with_help(message, Some(help));
            ok = false;
        }
    }
    let mut take = |key: &str| {
        let at = settings
            .iter()
            .position(|(k, ..)| *k == key)
            .expect("a setting");
        settings[at].2.take()
    };
    let persistence = take("persistence");
    let (ack, limit, durable) = (take("ack"), take("delivery_limit"), take("durable"));
    let (visibility, max_receives) = (take("visibility_timeout"), take("max_receives"));
    let delivery = match kind {
        "at-most-once" => {
            let persistence = persistence.as_ref().map(Field::positive_duration);
            Some(Delivery::AtMostOnce {
                persistence: persistence.map_or(Some(None), |p| p.map(Some))?,
            })
        }
        "acknowledged" => {
            let early = ack.as_ref().map_or(Some(false), read_ack);
            let limit = count(limit.as_ref());
            let durable = durable.as_ref().map_or(Some(true), Field::boolean);
            Some(Delivery::Acknowledged {
                early: early?,
                limit: limit?,
                durable: durable?,
            })
        }
        _ => {
            let visibility = match &visibility {
                Some(field) => field.positive_duration(),
                None => {
                    let help = "SQS's default is visibility_timeout = \"30s\"";
                    let message = "delivery = \"at-least-once\" needs a 'visibility_timeout'";
                    kind_field.error_with_help(message, Some(help.to_string()));
                    None
                }
            };
            let max_receives = count(max_receives.as_ref());
            Some(Delivery::AtLeastOnce {
                visibility: visibility?,
                max_receives: max_receives?,
            })
        }
    };
    ok.then_some(delivery?).map(Some)
}

/// `overflow = "reject"` (the default), `"drop-newest"` or `"drop-oldest"`, only at a broker
/// queue (`broker`); `None` after reporting a problem.
pub(crate) fn read_overflow(table: &mut Table<'_>, broker: bool) -> Option<Overflow> {
    const NAMES: [&str; 3] = ["reject", "drop-newest", "drop-oldest"];
    let Some(field) = table.get("overflow") else {
        return Some(Overflow::Reject);
    };
    let overflow = match field.string()? {
        "reject" => Overflow::Reject,
        "drop-newest" => Overflow::DropNewest,
        "drop-oldest" => Overflow::DropOldest,
        other => {
            let help = did_you_mean(other, NAMES).unwrap_or_else(|| {
                "use \"reject\" (the publish fails), \"drop-newest\" or \"drop-oldest\"".to_string()
            });
            field.error_with_help(format!("unknown overflow '{other}'"), Some(help));
            return None;
        }
    };
    if !broker {
        let help = "a plain waiting room rejects what it has no room for: add a delivery \
                    guarantee, or remove 'overflow'";
        field.error_with_help(
            "'overflow' is a setting of a broker's queue",
            Some(help.into()),
        );
        return None;
    }
    Some(overflow)
}

/// `memory_limit = N` with `paging = "2ms"` (a duration, or a distribution), only at a
/// broker queue (`broker`): `Some(None)` without them, `None` after reporting a problem.
pub(crate) fn read_memory(table: &mut Table<'_>, broker: bool) -> Option<Option<Memory>> {
    let (limit, paging) = (table.get("memory_limit"), table.get("paging"));
    let Some(given) = limit.as_ref().or(paging.as_ref()) else {
        return Some(None);
    };
    if !broker {
        let help = "a plain waiting room costs nothing per request waiting: add a delivery \
                    guarantee, or remove it";
        let message = format!("'{}' is a setting of a broker's queue", given.key());
        given.error_with_help(message, Some(help.into()));
        return None;
    }
    let (Some(limit), Some(paging)) = (&limit, &paging) else {
        let (missing, example) = match limit {
            Some(_) => ("paging", "paging = \"2ms\""),
            None => ("memory_limit", "memory_limit = 10000"),
        };
        let message = format!("'{}' needs '{missing}'", given.key());
        given.error_with_help(message, Some(format!("add {example}")));
        return None;
    };
    let limit = limit.u32_at_least(1).and_then(NonZeroU32::new);
    let paging = faults::duration_or_dist(paging, Dist::constant);
    Some(Some(Memory {
        limit: limit?,
        paging: paging?,
    }))
}

/// `idempotent = { window = "1h" | 10000, check = "1ms" }` at a service whose queue is a
/// broker's (`broker`): a window in time or in messages processed since, and the time to
/// recognise a duplicate (none by default).
pub(crate) fn read_idempotent(field: &Field<'_>, broker: bool) -> Option<Idempotence> {
    let mut table = field.table()?;
    let window = table.require("window").and_then(|w| match w.value() {
        DeValue::Integer(_) => {
            (w.u32_at_least(1).and_then(NonZeroU32::new)).map(DedupWindow::Messages)
        }
        DeValue::String(_) => w.positive_duration().map(DedupWindow::Time),
        _ => w.wrong_type("a duration (\"1h\") or a count of messages (10000)"),
    });
    let check = table.optional("check", SimDuration::ZERO, Field::duration);
    table.finish();
    if !broker {
        let help = "idempotent consumers remember the messages of a broker's queue: give the \
                    queue a delivery guarantee, or remove 'idempotent'";
        field.error_with_help("'idempotent' needs a broker queue", Some(help.into()));
        return None;
    }
    Some(Idempotence {
        window: window?,
        check: check?,
    })
}

/// `ack = "late"` (after processing, the default) or `"early"` (on receipt): whether early.
fn read_ack(field: &Field<'_>) -> Option<bool> {
    match field.string()? {
        "late" => Some(false),
        "early" => Some(true),
        other => {
            let help = did_you_mean(other, ["late", "early"])
                .unwrap_or_else(|| "use \"late\" (after processing) or \"early\"".to_string());
            field.error_with_help(format!("unknown ack mode '{other}'"), Some(help));
            None
        }
    }
}

/// An optional count of at least 1.
fn count(field: Option<&Field<'_>>) -> Option<Option<NonZeroU32>> {
    match field {
        None => Some(None),
        Some(field) => field.u32_at_least(1).map(NonZeroU32::new),
    }
}
