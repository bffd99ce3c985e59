//! A queue's delivery guarantee, read from the queue table: `delivery = "at-most-once"`,
//! `"acknowledged"` (with `ack` and `delivery_limit`) or `"at-least-once"` (with
//! `visibility_timeout` and `max_receives`) → [`Delivery`].

use std::num::NonZeroU32;

use super::diagnostic::did_you_mean;
use super::reader::{Field, Table};
use crate::model::Delivery;

const KINDS: [&str; 3] = ["at-most-once", "acknowledged", "at-least-once"];

/// The keys only some guarantees take, and the guarantee that takes each.
const SETTINGS: [(&str, &str); 4] = [
    ("ack", "acknowledged"),
    ("delivery_limit", "acknowledged"),
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
    let (ack, limit) = (take("ack"), take("delivery_limit"));
    let (visibility, max_receives) = (take("visibility_timeout"), take("max_receives"));
    let delivery = match kind {
        "at-most-once" => Some(Delivery::AtMostOnce),
        "acknowledged" => {
            let early = ack.as_ref().map_or(Some(false), read_ack);
            let limit = count(limit.as_ref());
            Some(Delivery::Acknowledged {
                early: early?,
                limit: limit?,
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
