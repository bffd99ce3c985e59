//! A capacity plan in words: the answer at each load, with its margins, the evidence
//! below it, and why an SLO cannot be met.

mod files;

pub use files::plan_files;

use super::format::{half_width, pct, secs, value};
use crate::experiment::{Answer, Bound, Candidate, Comparison, Slo, Verdict};
use crate::model::{Arrivals, Axis, System};
use crate::stats::{Estimate, Figure};

/// A plan's report (`spillway plan`): the knob, the SLOs and the answer at each load.
#[derive(Clone, Copy, Debug)]
pub struct PlanReport<'a> {
    /// The command line that produced it, for replay.
    pub command: &'a str,
    /// The scenario file as given on the command line.
    pub scenario_path: &'a str,
    /// The scenario file's text.
    pub scenario_text: &'a str,
    /// The knob and its candidate values, in increasing order.
    pub knob: &'a Axis,
    /// The targets.
    pub slos: &'a [Slo],
    /// The scenario's load first, then each headroom factor.
    pub loads: &'a [PlanAtLoad],
}

/// The search at one load.
#[derive(Clone, Debug)]
pub struct PlanAtLoad {
    /// The factor on the scenario's load (1 for the scenario's own).
    pub factor: f64,
    /// The system at each candidate value, with the load scaled.
    pub candidates: Vec<System>,
    /// What the search found.
    pub answer: Answer,
}

/// What a plan's sentences say about each load, for the terminal and the report alike.
pub fn plan_verdicts(report: &PlanReport<'_>) -> Vec<String> {
    report.loads.iter().map(|at| verdict(report, at)).collect()
}

/// "at 250/s offered: service.api.workers = 14 meets every SLO (…); 13 fails web.p99 (…)"
fn verdict(report: &PlanReport<'_>, at: &PlanAtLoad) -> String {
    let knob = report.knob.name();
    let load = load_phrase(at);
    let value = |i: usize| report.knob.values[i].text.as_str();
    if !at.answer.infeasible.is_empty() {
        let reasons: Vec<String> = (at.answer.infeasible.iter())
            .map(|i| infeasible(report, &report.slos[i.slo], &i.reason))
            .collect();
        return format!("{load}: {}.", reasons.join("; "));
    }
    let Some(found) = at.answer.found else {
        let last = at.candidates.len().saturating_sub(1);
        let why = at
            .answer
            .candidate(last)
            .map_or_else(|| "it was not run".to_string(), |c| shortfall(report, c));
        return format!(
            "{load}: no value of {knob} up to {} meets every SLO; at {}, {why}.",
            value(last),
            value(last)
        );
    };
    let chosen = at.answer.candidate(found).expect("the answer was run");
    let mut text = format!(
        "{load}: {knob} = {} meets every SLO ({})",
        value(found),
        margins(report, chosen)
    );
    match found.checked_sub(1).and_then(|i| at.answer.candidate(i)) {
        Some(below) if below.refused.is_some() => {
            let reason = below
                .refused
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let short = reason.split(':').next().unwrap_or(&reason).to_string();
            text.push_str(&format!("; {} cannot run ({short})", value(found - 1)));
        }
        Some(below) => text.push_str(&format!(
            "; {} {}",
            value(found - 1),
            shortfall(report, below)
        )),
        None => text.push_str(&format!("; {} is the smallest value tried", value(found))),
    }
    if let Some(seed) = at.answer.theory_seed {
        let run = at.answer.evaluated.len();
        text.push_str(&format!(
            ". Exact theory put the answer at {}; {run} value{} run",
            value(seed),
            if run == 1 { " was" } else { "s were" }
        ));
    }
    text.push('.');
    text
}

/// Why `slo` cannot be met, in words.
pub(crate) fn infeasible(report: &PlanReport<'_>, slo: &Slo, bound: &Bound) -> String {
    let knob = report.knob.name();
    match bound {
        Bound::WorkFloor { service, floor } => format!(
            "{} cannot be met by {knob}: every request of {} is served by {service}, whose \
             work alone has {} {}, so no value of {knob} brings it {} {}",
            slo.text,
            slo.component,
            figure_name(slo),
            secs(*floor),
            match slo.comparison {
                Comparison::AtMost => "to at most",
                _ => "below",
            },
            secs(slo.threshold),
        ),
        Bound::Overload {
            service,
            load,
            rejected,
        } => format!(
            "{} cannot be met by {knob}: even at its largest value, {}, {service} is offered \
             {:.3} times what it can serve, so at least {} of its work is rejected",
            slo.text,
            report.knob.values.last().map_or("", |v| v.text.as_str()),
            load,
            pct(*rejected),
        ),
    }
}

/// The figure's name as the SLO writes it ("p99", "mean").
fn figure_name(slo: &Slo) -> &str {
    let target = slo.target();
    target
        .rsplit_once(&format!("{}.", slo.component))
        .map_or(target, |(_, f)| f)
}

/// A candidate's verdict in a word, for tables.
pub fn verdict_label(candidate: &Candidate) -> &'static str {
    match (&candidate.refused, candidate.verdict) {
        (Some(_), _) => "cannot run",
        (None, Verdict::Meets) => "meets",
        (None, Verdict::Fails) if candidate.stopped() > 0 => "fails (stopped)",
        (None, Verdict::Fails) => "fails",
        (None, Verdict::Undecided) => "undecided",
    }
}

/// "at the scenario's load (250/s offered)" or "at 1.5× the load (375/s offered)".
/// The offered load is said only when every candidate offers the same (the knob is not
/// the load itself, as a spike's height is).
fn load_phrase(at: &PlanAtLoad) -> String {
    let offers: Vec<String> = at.candidates.iter().map(offered).collect();
    let same = offers.windows(2).all(|w| w[0] == w[1]);
    let offered = match offers.first() {
        Some(o) if same => format!(" ({o})"),
        _ => String::new(),
    };
    if at.factor == 1.0 {
        format!("At the scenario's load{offered}")
    } else {
        format!("At {}× the load{offered}", at.factor)
    }
}

/// The load the sources offer: their rates, and closed-loop users.
fn offered(system: &System) -> String {
    let rate: f64 = system
        .sources()
        .iter()
        .map(|s| s.arrivals.peak_rate_per_sec())
        .sum();
    let users: u32 = (system.sources().iter())
        .filter_map(|s| match &s.arrivals {
            Arrivals::Closed { users, .. } => Some(users.get()),
            _ => None,
        })
        .sum();
    let varying = (system.sources().iter()).any(|s| matches!(s.arrivals, Arrivals::Varying(_)));
    let rate = match varying {
        true => format!("{}/s offered at the peak", super::format::num(rate)),
        false => format!("{}/s offered", super::format::num(rate)),
    };
    match (users > 0, rate.starts_with("0/s")) {
        (true, true) => format!("{users} users"),
        (true, false) => format!("{rate} and {users} users"),
        _ => rate,
    }
}

/// Each SLO's estimate against its threshold: "web.p99 271 ms ± 6 ms < 300 ms".
fn margins(report: &PlanReport<'_>, candidate: &Candidate) -> String {
    (report.slos.iter().zip(&candidate.checks))
        .map(|(slo, check)| slo_estimate(slo, check.estimate.as_ref()))
        .collect::<Vec<_>>()
        .join("; ")
}

fn slo_estimate(slo: &Slo, estimate: Option<&Estimate>) -> String {
    let unit = slo.figure.unit();
    let target = format!("{} {}", slo.comparison.symbol(), value(unit, slo.threshold));
    let name = slo.target();
    match estimate {
        Some(e) => format!(
            "{name} {} {} {target}",
            value(unit, e.mean),
            half_width(unit, e)
        ),
        None => format!("{name}: {} ({target})", slo.figure.missing_reason()),
    }
}

/// What a candidate that does not meet every SLO falls short on.
fn shortfall(report: &PlanReport<'_>, candidate: &Candidate) -> String {
    let pick = |wanted: Verdict| {
        (report.slos.iter().zip(&candidate.checks))
            .filter(|(_, c)| c.verdict == wanted)
            .map(|(slo, c)| {
                let unit = slo.figure.unit();
                let name = slo.target();
                let threshold = value(unit, slo.threshold);
                let Some(e) = c.estimate else {
                    return format!("{name} ({})", slo.figure.missing_reason());
                };
                let interval = format!("{} {}", value(unit, e.mean), half_width(unit, &e));
                match wanted {
                    Verdict::Undecided => format!("{name} {interval}, across {threshold}"),
                    _ => format!(
                        "{name} ({interval}, not {} {threshold})",
                        slo.comparison.symbol()
                    ),
                }
            })
            .collect::<Vec<_>>()
    };
    if let Some(error) = &candidate.refused {
        return format!("cannot run: {error}");
    }
    let stopped = candidate.stopped();
    let boundary = report.slos.iter().all(|s| s.figure == Figure::NotRecovered);
    if stopped > 0 && !boundary {
        let limits: Vec<&str> = (candidate.samples.iter())
            .filter_map(|s| s.stopped.as_deref())
            .collect();
        return format!(
            "fails: a safety limit ({}) stopped {stopped} of its {} replications, so what \
             they measured covers only the time before the stop",
            limits.first().copied().unwrap_or("a limit"),
            candidate.samples.len()
        );
    }
    let failing = pick(Verdict::Fails);
    if !failing.is_empty() {
        return format!("fails {}", failing.join("; "));
    }
    let undecided = pick(Verdict::Undecided);
    let replications = candidate.samples.len();
    format!(
        "is undecided at {replications} replications ({})",
        undecided.join("; ")
    )
}
