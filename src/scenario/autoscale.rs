//! A service's autoscaler: `autoscale = { metric, target, min, max, interval,
//! scale_out_delay, scale_in_cooldown }` → [`Autoscale`].
//!
//! `metric`, `target`, `min` and `max` are required; `interval` defaults to 60 s (the
//! usual one-minute metric period), `scale_out_delay` to 0 and `scale_in_cooldown` to
//! 300 s (the usual default cooldown). The service's initial `workers` must lie in
//! `[min, max]`; when `workers` is not given it starts at `min`.

use super::diagnostic::did_you_mean;
use super::reader::Field;
use crate::model::{Autoscale, ScaleMetric, SimDuration};

const METRICS: [&str; 3] = ["utilisation", "queue_length", "in_flight_per_worker"];

/// Reads the `autoscale` table of a service whose initial workers are `workers`, if given.
pub(crate) fn read_autoscale(field: &Field<'_>, workers: Option<u32>) -> Option<Autoscale> {
    let mut table = field.table()?;
    let metric = table.require("metric").and_then(|f| read_metric(&f));
    let target = table.require("target");
    let min = table.require("min").and_then(|f| f.u32_at_least(1));
    let max = table.require("max");
    let interval = table.optional("interval", SimDuration(60_000_000_000), |f| {
        f.positive_duration()
    });
    let delay = table.optional("scale_out_delay", SimDuration::ZERO, Field::duration);
    let cooldown = table.optional(
        "scale_in_cooldown",
        SimDuration(300_000_000_000),
        Field::duration,
    );
    table.finish();
    let target = target.and_then(|f| read_target(&f, metric?));
    let max = max.and_then(|f| read_max(&f, min?, workers));
    let min = min.filter(|&min| check_min(field, min, workers))?;
    Some(Autoscale {
        metric: metric?,
        target: target?,
        min,
        max: max?,
        interval: interval?,
        scale_out_delay: delay?,
        scale_in_cooldown: cooldown?,
    })
}

fn read_metric(field: &Field<'_>) -> Option<ScaleMetric> {
    match field.string()? {
        "utilisation" => Some(ScaleMetric::Utilisation),
        "queue_length" => Some(ScaleMetric::QueueLength),
        "in_flight_per_worker" => Some(ScaleMetric::InFlightPerWorker),
        other => {
            let help = did_you_mean(other, METRICS)
                .unwrap_or_else(|| format!("use one of: {}", METRICS.join(", ")));
            field.error_with_help(format!("unknown autoscale metric '{other}'"), Some(help));
            None
        }
    }
}

/// A finite number > 0; for utilisation, at most 1 (a fraction of the workers up).
fn read_target(field: &Field<'_>, metric: ScaleMetric) -> Option<f64> {
    let target = field.number()?;
    if !(target.is_finite() && target > 0.0) {
        field.error(format!("the target must be a number > 0 (got {target})"));
        return None;
    }
    if metric == ScaleMetric::Utilisation && target > 1.0 {
        let help = "utilisation is busy workers / workers up: write 0.7 for 70%";
        field.error_with_help(
            format!("a utilisation target must be at most 1 (got {target})"),
            Some(help.to_string()),
        );
        return None;
    }
    Some(target)
}

/// At least `min` and the initial workers.
fn read_max(field: &Field<'_>, min: u32, workers: Option<u32>) -> Option<u32> {
    let max = field.u32_at_least(1)?;
    if max < min {
        field.error(format!("max ({max}) must be at least min ({min})"));
        return None;
    }
    if let Some(workers) = workers.filter(|&w| w > max) {
        let help = format!("raise max to {workers}, or start with fewer workers");
        field.error_with_help(
            format!("the service starts with {workers} workers, more than max ({max})"),
            Some(help),
        );
        return None;
    }
    Some(max)
}

/// At most the initial workers; reported at the `autoscale` key.
fn check_min(field: &Field<'_>, min: u32, workers: Option<u32>) -> bool {
    let Some(workers) = workers.filter(|&w| w < min) else {
        return true;
    };
    let help = format!("start with workers = {min} or more, or lower min to {workers}");
    field.error_with_help(
        format!("the service starts with {workers} workers, fewer than min ({min})"),
        Some(help),
    );
    false
}
