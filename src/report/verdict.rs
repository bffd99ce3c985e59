//! Plain-language verdicts on a comparison of two designs.

use super::Design;
use super::format::{half_width, pct, signed, value};
use super::recovery::recovery_across;
use crate::stats::{Difference, Estimate, Figure, RecoveryAcross, Scope, differences};

/// The verdict of a comparison: first what a reader must know before any difference (a
/// design that a limit stopped, each design's recovery), then every design against the
/// first, figure by figure.
pub(crate) fn comparison(designs: &[Design<'_>]) -> Vec<String> {
    let Some((base, others)) = designs.split_first() else {
        return Vec::new();
    };
    let caveats = designs.iter().flat_map(caveats);
    let compared = others.iter().flat_map(|other| {
        let diffs = differences(&base.study.summaries, &other.study.summaries);
        sentences(base.name, other.name, &diffs)
    });
    caveats.chain(compared).collect()
}

/// What a comparison must say about one design before comparing figures.
fn caveats(design: &Design<'_>) -> Vec<String> {
    let runs = &design.study.summaries;
    let mut out = Vec::new();
    let stopped = runs.iter().filter(|r| r.stopped.is_some()).count();
    if stopped > 0 {
        out.push(format!(
            "{} was stopped by a limit in {stopped} of {} replications: its figures cover \
             only the time until the stop (it collapsed), so the differences below compare \
             periods of different length and understate how badly it fares.",
            design.name,
            runs.len()
        ));
    }
    if let Some(caveat) = messages_not_done(design) {
        out.push(caveat);
    }
    if let Some(r) = RecoveryAcross::of(runs) {
        out.push(format!(
            "{}: recovery {}.",
            design.name,
            recovery_across(&r)
        ));
    }
    out
}

/// "orders-redis lost or dead-lettered 3,120 messages per run on average (fulfilment):
/// ...": a design whose broker queues did not get messages done, whose completion time then
/// counts only the messages that were.
fn messages_not_done(design: &Design<'_>) -> Option<String> {
    let runs = &design.study.summaries;
    let mut parts = Vec::new();
    for (i, service) in runs.first()?.services.iter().enumerate() {
        let undone = |r: &crate::stats::RunSummary| {
            r.services[i].messages.map_or(0, |m| {
                m.lost + m.lost_by_broker + m.dropped + m.dead_lettered
            })
        };
        let total: u64 = runs.iter().map(undone).sum();
        if total > 0 {
            let mean = total as f64 / runs.len() as f64;
            let digits = if mean < 10.0 { 1 } else { 0 };
            parts.push(format!("{mean:.digits$} at {}", service.name));
        }
    }
    (!parts.is_empty()).then(|| {
        format!(
            "{} lost, dropped or dead-lettered messages ({} per run on average): its \
             completion time of asynchronous work counts only the messages that got done, \
             so a shorter one there does not mean the work was done.",
            design.name,
            parts.join(", ")
        )
    })
}

/// What became of broker queues' messages, which a verdict speaks about after the sources'
/// figures: every one of them is better lower.
const MESSAGE_FIGURES: [Figure; 5] = [
    Figure::MessagesLost,
    Figure::MessagesLostByBroker,
    Figure::MessagesDropped,
    Figure::DeadLettered,
    Figure::Duplicates,
];

/// Figures a verdict speaks about, in order of importance.
const VERDICT_FIGURES: [Figure; 7] = [
    Figure::LatencyP99,
    Figure::LatencyMean,
    Figure::CompletionMean,
    Figure::SuccessFraction,
    Figure::RejectedFraction,
    Figure::TimedOutFraction,
    Figure::Goodput,
];

/// Picks one design's estimate out of a difference.
type Side = fn(&Difference) -> Option<Estimate>;

/// The sentences of a verdict: first, for each source that one design did not serve at
/// all, a plain statement of it; then one sentence per source and verdict figure, then
/// per broker queue and message figure, that both designs have, e.g. "B cuts p99 response time (web) from 840.0 ms to 95.0 ms
/// (difference −745.0 ms ± 12.0 ms, 95% CI)"; last, one sentence listing the figures
/// that were identical in every replication of both (0% timed out on both sides).
fn sentences(a_name: &str, b_name: &str, differences: &[Difference]) -> Vec<String> {
    let source = |figure: Figure| {
        differences
            .iter()
            .filter(move |d| d.scope == Scope::Source && d.figure == figure)
    };
    let sides: [(&str, Side); 2] = [(a_name, |d| d.a), (b_name, |d| d.b)];
    let nothing = source(Figure::LatencyMean).flat_map(|latency| {
        sides
            .into_iter()
            .filter(|(_, side)| side(latency).is_none())
            .map(|(name, side)| served_nothing(name, &latency.component, side, differences))
    });
    let service = |figure: Figure| {
        differences
            .iter()
            .filter(move |d| d.scope == Scope::Service && d.figure == figure)
    };
    let (same, differing): (Vec<&Difference>, Vec<&Difference>) = (VERDICT_FIGURES.iter())
        .flat_map(|&figure| source(figure))
        .chain(MESSAGE_FIGURES.iter().flat_map(|&figure| service(figure)))
        .partition(|d| d.difference.is_some_and(|e| identical(&e)));
    let compared = differing
        .into_iter()
        .filter_map(|d| sentence(a_name, b_name, d));
    let same = (!same.is_empty()).then(|| {
        let figures: Vec<String> = same
            .iter()
            .map(|d| {
                let shown = d.a.map_or(String::new(), |e| {
                    format!(" {}", value(d.figure.unit(), e.mean))
                });
                format!("{} ({}){shown}", d.figure.label(), d.component)
            })
            .collect();
        format!(
            "Identical in every replication of {a_name} and {b_name}: {}.",
            figures.join(", ")
        )
    });
    nothing.chain(compared).chain(same).collect()
}

/// "api-sync served nothing to web: no request succeeded in any replication (rejected
/// 95.00%, timed out 5.00%), so it has no response time to compare."
fn served_nothing(design: &str, component: &str, side: Side, differences: &[Difference]) -> String {
    let share = |figure: Figure| {
        differences
            .iter()
            .find(|d| d.scope == Scope::Source && d.component == component && d.figure == figure)
            .and_then(side)
            .map(|e| format!("{} {}", figure.label(), pct(e.mean)))
    };
    let shares: Vec<String> = [Figure::RejectedFraction, Figure::TimedOutFraction]
        .into_iter()
        .filter_map(share)
        .collect();
    let outcomes = if shares.is_empty() {
        "no request was answered".to_string()
    } else {
        shares.join(", ")
    };
    format!(
        "{design} served nothing to {component}: no request succeeded in any replication \
         ({outcomes}), so it has no response time to compare."
    )
}

/// One comparison sentence, or `None` when a side has no data.
fn sentence(a_name: &str, b_name: &str, d: &Difference) -> Option<String> {
    let (ea, eb, diff) = (d.a?, d.b?, d.difference?);
    let unit = d.figure.unit();
    let what = format!("{} ({})", d.figure.label(), d.component);
    let (a, b) = (value(unit, ea.mean), value(unit, eb.mean));
    let delta = format!(
        "difference {} {}, 95% CI",
        signed(unit, diff.mean),
        half_width(unit, &diff)
    );
    let significant = diff.half_width.is_finite() && diff.mean.abs() > diff.half_width;
    if !significant {
        return Some(format!(
            "No clear difference in {what} between {a_name} ({a}) and {b_name} ({b}): \
             the interval of the difference includes zero ({delta})."
        ));
    }
    let up = diff.mean > 0.0;
    let better = up != d.figure.lower_is_better();
    let verb = match (up, better) {
        (false, true) => "cuts",
        (true, true) => "raises",
        (true, false) => "worsens",
        (false, false) => "lowers",
    };
    Some(format!("{b_name} {verb} {what} from {a} to {b} ({delta})."))
}

/// The two designs gave the same value in every paired replication.
fn identical(diff: &Estimate) -> bool {
    diff.mean == 0.0 && diff.half_width == 0.0
}
