//! The plan document (`spillway plan --json`).

use serde::Serialize;

use super::sweep::unit_key;
use super::{SCHEMA_VERSION, finite};
use crate::experiment::{Bound, Candidate, Slo, Verdict};
use crate::report::plan::infeasible;
use crate::report::{PlanAtLoad, PlanReport, plan_verdicts, scenario_hash};
use crate::stats::CONFIDENCE;

#[derive(Serialize)]
pub(crate) struct PlanDoc<'a> {
    schema_version: u32,
    spillway_version: &'static str,
    kind: &'static str,
    command: &'a str,
    scenario: &'a str,
    scenario_hash: String,
    confidence: f64,
    knob: KnobDoc<'a>,
    slos: Vec<SloDoc<'a>>,
    loads: Vec<LoadDoc<'a>>,
}

#[derive(Serialize)]
struct KnobDoc<'a> {
    name: &'a str,
    unit: &'static str,
    values: Vec<&'a str>,
}

#[derive(Serialize)]
struct SloDoc<'a> {
    text: &'a str,
    scope: &'static str,
    component: &'a str,
    figure: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold_seconds: Option<f64>,
    comparison: &'static str,
    target: f64,
}

#[derive(Serialize)]
struct LoadDoc<'a> {
    factor: f64,
    /// The smallest value that meets every SLO; `null` when none does.
    found: Option<&'a str>,
    verdict: String,
    /// Where exact theory placed the answer, when it could.
    theory_seed: Option<&'a str>,
    infeasible: Vec<InfeasibleDoc<'a>>,
    evaluated: Vec<CandidateDoc<'a>>,
}

#[derive(Serialize)]
struct InfeasibleDoc<'a> {
    slo: &'a str,
    /// "work_floor" or "overload".
    bound: &'static str,
    reason: String,
}

#[derive(Serialize)]
struct CandidateDoc<'a> {
    value: &'a str,
    replications: usize,
    /// Replications a safety limit stopped (the candidate then fails).
    stopped_replications: usize,
    verdict: &'static str,
    /// `null` unless the candidate could not run (then it fails every SLO).
    refused: Option<String>,
    checks: Vec<CheckDoc<'a>>,
}

#[derive(Serialize)]
struct CheckDoc<'a> {
    slo: &'a str,
    mean: Option<f64>,
    half_width: Option<f64>,
    n: usize,
    verdict: &'static str,
}

fn verdict_key(v: Verdict) -> &'static str {
    match v {
        Verdict::Meets => "meets",
        Verdict::Fails => "fails",
        Verdict::Undecided => "undecided",
    }
}

impl<'a> PlanDoc<'a> {
    pub(crate) fn new(report: &PlanReport<'a>) -> PlanDoc<'a> {
        let values = |i: usize| report.knob.values[i].text.as_str();
        let verdicts = plan_verdicts(report);
        PlanDoc {
            schema_version: SCHEMA_VERSION,
            spillway_version: env!("CARGO_PKG_VERSION"),
            kind: "plan",
            command: report.command,
            scenario: report.scenario_path,
            scenario_hash: scenario_hash(report.scenario_text),
            confidence: CONFIDENCE,
            knob: KnobDoc {
                name: report.knob.name(),
                unit: unit_key(report.knob.unit),
                values: report.knob.values.iter().map(|v| v.text.as_str()).collect(),
            },
            slos: report.slos.iter().map(SloDoc::new).collect(),
            loads: (report.loads.iter().zip(verdicts))
                .map(|(at, verdict): (&'a PlanAtLoad, String)| LoadDoc {
                    factor: at.factor,
                    found: at.answer.found.map(values),
                    verdict,
                    theory_seed: at.answer.theory_seed.map(values),
                    infeasible: (at.answer.infeasible.iter())
                        .map(|i| InfeasibleDoc {
                            slo: &report.slos[i.slo].text,
                            bound: match i.reason {
                                Bound::WorkFloor { .. } => "work_floor",
                                Bound::Overload { .. } => "overload",
                            },
                            reason: infeasible(report, &report.slos[i.slo], &i.reason),
                        })
                        .collect(),
                    evaluated: (at.answer.evaluated.iter())
                        .map(|c| CandidateDoc::new(report.slos, values(c.index), c))
                        .collect(),
                })
                .collect(),
        }
    }
}

impl<'a> SloDoc<'a> {
    fn new(slo: &'a Slo) -> SloDoc<'a> {
        SloDoc {
            text: &slo.text,
            scope: slo.scope.key(),
            component: &slo.component,
            figure: slo.figure.key(),
            threshold_seconds: slo.figure.threshold().map(|t| t.as_secs_f64()),
            comparison: slo.comparison.symbol(),
            target: slo.threshold,
        }
    }
}

impl<'a> CandidateDoc<'a> {
    fn new(slos: &'a [Slo], value: &'a str, c: &Candidate) -> CandidateDoc<'a> {
        CandidateDoc {
            value,
            replications: c.samples.len(),
            stopped_replications: c.stopped(),
            verdict: verdict_key(c.verdict),
            refused: c.refused.as_ref().map(ToString::to_string),
            checks: (slos.iter().zip(&c.checks))
                .map(|(slo, check)| CheckDoc {
                    slo: &slo.text,
                    mean: check.estimate.map(|e| e.mean),
                    half_width: check.estimate.and_then(|e| finite(e.half_width)),
                    n: check.estimate.map_or(0, |e| e.n),
                    verdict: verdict_key(check.verdict),
                })
                .collect(),
        }
    }
}
