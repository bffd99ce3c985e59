//! `--slo` targets as written: `web.p99 < 300ms`, `api.utilisation <= 80%`,
//! `web.over_300ms < 1%`, and `not_recovered >= 50%` (the metastability boundary).

use spillway::experiment::{Comparison, Slo};
use spillway::model::{SimDuration, System};
use spillway::scenario::{did_you_mean, parse_duration};
use spillway::stats::{Figure, Scope, Unit};

/// The figure names an SLO may use, per scope; a threshold figure is written with its
/// duration after an underscore (`over_300ms`).
const SOURCE_FIGURES: [(&str, Figure); 13] = [
    ("mean", Figure::LatencyMean),
    ("p50", Figure::LatencyP50),
    ("p90", Figure::LatencyP90),
    ("p99", Figure::LatencyP99),
    ("p99.9", Figure::LatencyP999),
    ("goodput", Figure::Goodput),
    ("ok", Figure::SuccessFraction),
    ("rejected", Figure::RejectedFraction),
    ("timed_out", Figure::TimedOutFraction),
    ("failed", Figure::FailedFraction),
    ("first_try", Figure::FirstTryFraction),
    ("attempts", Figure::Amplification),
    ("completion", Figure::CompletionMean),
];
const SERVICE_FIGURES: [(&str, Figure); 30] = [
    ("utilisation", Figure::Utilisation),
    ("wait", Figure::WaitMean),
    ("p_wait", Figure::WaitProbability),
    ("w", Figure::SojournMean),
    ("sojourn_p99", Figure::SojournP99),
    ("l", Figure::InService),
    ("wasted", Figure::WastedWork),
    ("lost", Figure::LostWork),
    ("refused", Figure::Refused),
    ("workers_up", Figure::WorkersUp),
    ("degraded", Figure::Degraded),
    ("scale_outs", Figure::ScaleOuts),
    ("scale_ins", Figure::ScaleIns),
    ("workers_mean", Figure::WorkersMean),
    ("workers_max", Figure::WorkersMax),
    ("published", Figure::Published),
    ("redelivered", Figure::Redelivered),
    ("duplicates", Figure::Duplicates),
    ("deduplicated", Figure::Deduplicated),
    ("messages_lost", Figure::MessagesLost),
    ("messages_lost_by_broker", Figure::MessagesLostByBroker),
    ("messages_dropped", Figure::MessagesDropped),
    ("dead_lettered", Figure::DeadLettered),
    ("expired", Figure::Expired),
    ("paged", Figure::Paged),
    ("age_at_start_mean", Figure::AgeAtStartMean),
    ("age_at_start_p99", Figure::AgeAtStartP99),
    ("age_at_end_mean", Figure::AgeAtEndMean),
    ("age_at_end_p99", Figure::AgeAtEndP99),
    ("pending", Figure::Pending),
];

/// The SLO `text` against the components of `system`, or what is wrong with it.
pub(crate) fn parse(text: &str, system: &System) -> Result<Slo, String> {
    let (at, symbol) = ["<=", ">=", "<", ">"]
        .iter()
        .filter_map(|op| text.find(op).map(|i| (i, *op)))
        .min_by_key(|(i, op)| (*i, std::cmp::Reverse(op.len())))
        .ok_or_else(|| format!("'{text}' has no comparison: write NAME.FIGURE < VALUE"))?;
    let comparison = match symbol {
        "<=" => Comparison::AtMost,
        ">=" => Comparison::AtLeast,
        "<" => Comparison::Below,
        _ => Comparison::Above,
    };
    let target = text[..at].trim();
    let value = text[at + symbol.len()..].trim();
    let (scope, component, figure) = target_of(target, system)?;
    let threshold = threshold(value, figure.unit()).map_err(|e| format!("'{text}': {e}"))?;
    Ok(Slo {
        text: text.trim().to_string(),
        scope,
        component,
        figure,
        comparison,
        threshold,
    })
}

/// `[source.|service.]NAME.FIGURE` (or `not_recovered`, of the whole system) as a scope,
/// a component and a figure.
fn target_of(target: &str, system: &System) -> Result<(Scope, String, Figure), String> {
    if matches!(target, "not_recovered" | "system.not_recovered") {
        return Ok((Scope::System, "system".into(), Figure::NotRecovered));
    }
    let (explicit, rest) = match target.split_once('.') {
        Some(("source", rest)) => (Some(Scope::Source), rest),
        Some(("service", rest)) => (Some(Scope::Service), rest),
        _ => (None, target),
    };
    let sources: Vec<&str> = system.sources().iter().map(|s| s.name.as_str()).collect();
    let services: Vec<&str> = system.services().iter().map(|s| s.name.as_str()).collect();
    // The figure is the shortest tail that names one ("p99.9" holds a dot).
    let split = (rest.match_indices('.').map(|(i, _)| i))
        .find(|&i| {
            let name = &rest[..i];
            sources.contains(&name) || services.contains(&name)
        })
        .or_else(|| rest.find('.'))
        .ok_or_else(|| format!("'{target}' is not NAME.FIGURE, such as web.p99"))?;
    let (name, figure) = (&rest[..split], &rest[split + 1..]);
    let scope = match (explicit, sources.contains(&name), services.contains(&name)) {
        (Some(scope), _, _) => scope,
        (None, true, true) => {
            return Err(format!(
                "'{name}' is both a source and a service: write source.{name}.{figure} or \
                 service.{name}.{figure}"
            ));
        }
        (None, true, false) => Scope::Source,
        (None, false, true) => Scope::Service,
        (None, false, false) => {
            let all = sources.iter().chain(&services).copied();
            let help = did_you_mean(name, all).map_or_else(String::new, |h| format!("; {h}"));
            return Err(format!("no source or service is named '{name}'{help}"));
        }
    };
    let names = if scope == Scope::Source {
        &sources
    } else {
        &services
    };
    if !names.contains(&name) {
        return Err(format!("there is no {} named '{name}'", scope.key()));
    }
    let figure_name = figure;
    let figure = figure_of(figure, scope)?;
    let can_fail = |n: &str| {
        system
            .services()
            .iter()
            .any(|s| s.name == n && s.can_fail())
    };
    if Figure::FAULTS.contains(&figure) && !can_fail(name) {
        return Err(format!(
            "'{figure_name}': service '{name}' cannot fail (it has no crash, and no crash, \
             outage or partition in its schedule)"
        ));
    }
    let scales = |n: &str| (system.services().iter()).any(|s| s.name == n && s.autoscale.is_some());
    if Figure::SCALING.contains(&figure) && !scales(name) {
        return Err(format!(
            "'{figure_name}': service '{name}' has no autoscale, so its workers do not scale"
        ));
    }
    let broker =
        |n: &str| (system.services().iter()).any(|s| s.name == n && s.queue.delivery.is_some());
    if Figure::MESSAGES.contains(&figure) && !broker(name) {
        return Err(format!(
            "'{figure_name}': service '{name}' has no broker queue (its queue has no delivery guarantee)"
        ));
    }
    Ok((scope, name.to_string(), figure))
}

/// A threshold figure's prefix and how it is made from its duration.
type ThresholdFigure = (&'static str, fn(SimDuration) -> Figure);

fn figure_of(name: &str, scope: Scope) -> Result<Figure, String> {
    let (table, over): (&[(&str, Figure)], &[ThresholdFigure]) = match scope {
        Scope::Source | Scope::System => (&SOURCE_FIGURES, &[("over_", Figure::OverThreshold)]),
        Scope::Service => (
            &SERVICE_FIGURES,
            &[
                ("wait_over_", Figure::WaitOver),
                ("sojourn_over_", Figure::SojournOver),
            ],
        ),
    };
    if let Some((_, figure)) = table.iter().find(|(n, _)| *n == name) {
        return Ok(*figure);
    }
    for (prefix, make) in over {
        if let Some(duration) = name.strip_prefix(prefix) {
            let t = parse_duration(duration).map_err(|e| format!("'{name}': {e}"))?;
            return Ok(make(t));
        }
    }
    let names: Vec<&str> = table.iter().map(|(n, _)| *n).collect();
    let help = did_you_mean(name, names.iter().copied())
        .unwrap_or_else(|| format!("one of {}, or {}DURATION", names.join(", "), over[0].0));
    Err(format!(
        "'{name}' is not a figure of a {}: {help}",
        scope.key()
    ))
}

/// The threshold in the figure's unit: a duration, a rate, a percentage or a number.
fn threshold(value: &str, unit: Unit) -> Result<f64, String> {
    let number = |text: &str| {
        text.trim()
            .parse::<f64>()
            .ok()
            .filter(|x| x.is_finite())
            .ok_or_else(|| format!("'{value}' is not a number"))
    };
    match unit {
        Unit::Seconds => parse_duration(value).map(SimDuration::as_secs_f64),
        Unit::PerSecond => {
            number(value.strip_suffix("/s").unwrap_or(value)).and_then(|x| match x >= 0.0 {
                true => Ok(x),
                false => Err(format!("'{value}' is below 0, which a rate never is")),
            })
        }
        Unit::Fraction => {
            let x = match value.strip_suffix('%') {
                Some(percent) => number(percent)? / 100.0,
                None => number(value)?,
            };
            match (0.0..=1.0).contains(&x) {
                true => Ok(x),
                false => Err(format!(
                    "'{value}' is not a share: write a percentage from 0% to 100%, or a number \
                     in [0, 1]"
                )),
            }
        }
        Unit::Number => number(value).and_then(|x| match x >= 0.0 {
            true => Ok(x),
            false => Err(format!("'{value}' is below 0, which the figure never is")),
        }),
    }
}

/// Durations the SLOs' threshold figures need counted (added to the scenario's).
pub(crate) fn thresholds(slos: &[Slo]) -> Vec<SimDuration> {
    slos.iter().filter_map(|s| s.figure.threshold()).collect()
}
