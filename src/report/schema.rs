//! Versioned data-transfer objects of the machine-readable output.
//!
//! **API boundary**: tools parse this. Adding a field is compatible; renaming or removing
//! one bumps [`SCHEMA_VERSION`]. `reports/schema.json` describes it.

use serde::Serialize;

use super::{Checked, Design, Finding, Report, RunReport, scenario_hash};
use crate::experiment::{StopReason, Study};
use crate::model::{ServiceId, System};
use crate::oracle;
use crate::sim::RunError;
use crate::stats::{
    CONFIDENCE, Difference, Estimate, Growth, Headline, LatencySummary, LittleCheck, Over,
    RecoveryAcross, RecoveryVerdict, RunSummary, ServiceSummary, SourceSummary, differences,
    headlines,
};
use crate::theory::QueueFigures;

mod part;
mod plan;
mod sweep;

pub(crate) use part::SweepPartDoc;
pub(crate) use plan::PlanDoc;
pub(crate) use sweep::SweepDoc;

/// Version of the JSON layout.
pub const SCHEMA_VERSION: u32 = 2;

#[derive(Serialize)]
pub(crate) struct RunDoc<'a> {
    schema_version: u32,
    spillway_version: &'static str,
    scenario: &'a str,
    scenario_hash: String,
    seed: u64,
    replication: u64,
    events: u64,
    measured_seconds: f64,
    /// `null` unless a limit stopped the run before its horizon.
    stopped: Option<StopDoc>,
    services: Vec<ServiceDoc<'a>>,
    sources: Vec<SourceDoc<'a>>,
    system: SystemDoc,
    /// Added in schema 1 (additive): replications, warm-up and confidence intervals.
    #[serde(skip_serializing_if = "Option::is_none")]
    study: Option<StudyDoc>,
}

/// How a study ran, and every headline figure with its interval.
#[derive(Serialize)]
struct StudyDoc {
    command: String,
    replications: usize,
    stop: &'static str,
    warmup_seconds: f64,
    warmup_method: &'static str,
    /// The warm-up MSER-5 chose before it was capped at the first trigger, if it was.
    warmup_capped_from_seconds: Option<f64>,
    confidence: f64,
    intervals: Vec<IntervalDoc>,
    /// Replications that a limit stopped before their horizon.
    stopped_replications: usize,
    /// The recovery verdict over every replication; `null` without a trigger.
    recovery: Option<RecoveryAcrossDoc>,
}

#[derive(Serialize)]
struct RecoveryAcrossDoc {
    recovered: usize,
    not_recovered: usize,
    no_healthy_baseline: usize,
    /// Of the replications judged (recovered or not), the fraction that did not recover,
    /// with its 95% Wilson interval; `null` when none was judged.
    not_recovered_fraction: Option<FractionDoc>,
    time_to_recover_seconds: Option<TimeToRecoverDoc>,
    /// Each replication's verdict ("recovered", "not_recovered", "no_healthy_baseline",
    /// or `null` when it had none), in replication order.
    verdicts: Vec<Option<&'static str>>,
    /// Each replication's time to recover, `null` where it did not.
    recovered_after_seconds: Vec<Option<f64>>,
}

#[derive(Serialize)]
struct FractionDoc {
    fraction: f64,
    low: f64,
    high: f64,
}

#[derive(Serialize)]
struct TimeToRecoverDoc {
    replications: usize,
    mean: f64,
    half_width: Option<f64>,
    min: f64,
    median: f64,
    max: f64,
}

impl RecoveryAcrossDoc {
    fn new(r: &RecoveryAcross) -> RecoveryAcrossDoc {
        RecoveryAcrossDoc {
            recovered: r.recovered,
            not_recovered: r.not_recovered,
            no_healthy_baseline: r.no_healthy_baseline,
            not_recovered_fraction: r.not_recovered_fraction.map(|(fraction, low, high)| {
                FractionDoc {
                    fraction,
                    low,
                    high,
                }
            }),
            time_to_recover_seconds: r.time_to_recover.map(|t| TimeToRecoverDoc {
                replications: t.mean.n,
                mean: t.mean.mean,
                half_width: finite(t.mean.half_width),
                min: t.min,
                median: t.median,
                max: t.max,
            }),
            verdicts: r
                .verdicts
                .iter()
                .map(|v| v.map(|v| verdict_key(v.verdict)))
                .collect(),
            recovered_after_seconds: r
                .verdicts
                .iter()
                .map(|v| v.and_then(|v| v.recovered_after_secs()))
                .collect(),
        }
    }
}

fn verdict_key(v: RecoveryVerdict) -> &'static str {
    match v {
        RecoveryVerdict::Recovered { .. } => "recovered",
        RecoveryVerdict::NotRecovered => "not_recovered",
        RecoveryVerdict::NoHealthyBaseline => "no_healthy_baseline",
    }
}

#[derive(Serialize)]
struct IntervalDoc {
    scope: &'static str,
    component: String,
    figure: &'static str,
    /// `null` when no replication observed the figure (`missing` says why).
    mean: Option<f64>,
    /// `null` with fewer than two replications that observed it.
    half_width: Option<f64>,
    /// Replications that observed the figure.
    n: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    missing: Option<&'static str>,
    /// The threshold of an `over_threshold`, `wait_over` or `sojourn_over` figure.
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold_seconds: Option<f64>,
}

/// The share of work beyond one of the scenario's thresholds.
#[derive(Serialize)]
struct OverDoc {
    threshold_seconds: f64,
    fraction: Option<f64>,
}

fn over_docs(over: &[Over]) -> Vec<OverDoc> {
    over.iter()
        .map(|o| OverDoc {
            threshold_seconds: o.threshold.as_secs_f64(),
            fraction: o.fraction,
        })
        .collect()
}

/// The JSON document of `spillway compare`.
#[derive(Serialize)]
pub(crate) struct CompareDoc<'a> {
    schema_version: u32,
    spillway_version: &'static str,
    designs: Vec<RunDoc<'a>>,
    differences: Vec<DifferenceDoc>,
}

#[derive(Serialize)]
struct DifferenceDoc {
    baseline: String,
    design: String,
    scope: &'static str,
    component: String,
    figure: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    threshold_seconds: Option<f64>,
    baseline_mean: Option<f64>,
    design_mean: Option<f64>,
    /// `null` when no replication has the figure in both designs.
    difference: Option<EstimateDoc>,
}

#[derive(Serialize)]
struct EstimateDoc {
    mean: f64,
    half_width: Option<f64>,
    n: usize,
}

#[derive(Serialize)]
struct ServiceDoc<'a> {
    name: &'a str,
    workers: u32,
    arrivals: u64,
    admitted: u64,
    rejected: u64,
    completed: u64,
    failed: u64,
    dropped: u64,
    timeouts: u64,
    wasted_seconds: f64,
    arrival_rate: f64,
    completion_rate: f64,
    arrivals_rejected_fraction: f64,
    utilisation: f64,
    l: f64,
    lq: f64,
    wait_seconds: LatencyDoc,
    /// The fraction of work started that had waited; `null` when none started.
    wait_probability: Option<f64>,
    sojourn_seconds: LatencyDoc,
    little: LittleDoc,
    /// `null` unless the queue grew steadily through the measured period.
    queue_growth: Option<GrowthDoc>,
    /// Per scenario threshold, the share of work started that waited longer.
    wait_over_thresholds: Vec<OverDoc>,
    /// Per scenario threshold, the share of completed work that spent longer here.
    sojourn_over_thresholds: Vec<OverDoc>,
    exact_theory: Option<TheoryDoc>,
    /// Only for a service that can fail (crashes, outages).
    #[serde(skip_serializing_if = "Option::is_none")]
    faults: Option<FaultsDoc>,
    /// Only for an autoscaled service.
    #[serde(skip_serializing_if = "Option::is_none")]
    autoscale: Option<AutoscaleDoc>,
    /// Only for a broker's queue (a queue with a delivery guarantee).
    #[serde(skip_serializing_if = "Option::is_none")]
    messages: Option<MessagesDoc>,
}

#[derive(Serialize)]
struct MessagesDoc {
    published: u64,
    delivered: u64,
    redelivered: u64,
    processed: u64,
    duplicates: u64,
    deduplicated: u64,
    completed: u64,
    lost: u64,
    lost_by_broker: u64,
    dropped: u64,
    dead_lettered: u64,
    expired: u64,
    paged: u64,
    pending: u64,
    age_at_start_seconds: LatencyDoc,
    age_at_end_seconds: LatencyDoc,
    little: LittleDoc,
}

#[derive(Serialize)]
struct AutoscaleDoc {
    scale_outs: u64,
    scale_ins: u64,
    workers_min: u32,
    workers_max: u32,
    workers_mean: f64,
}

#[derive(Serialize)]
struct FaultsDoc {
    crashes: u64,
    restarts: u64,
    lost: u64,
    refused: u64,
    up_fraction: f64,
    degraded_fraction: f64,
}

#[derive(Serialize)]
struct StopDoc {
    at_seconds: f64,
    limit: &'static str,
    message: String,
}

impl StopDoc {
    fn new(error: &RunError, summary: &RunSummary, system: &System) -> StopDoc {
        StopDoc {
            at_seconds: system.simulation().warmup.as_secs_f64() + summary.measured_secs,
            limit: error.kind(),
            message: error.to_string(),
        }
    }
}

#[derive(Serialize)]
struct GrowthDoc {
    first_tenth_mean: f64,
    last_tenth_mean: f64,
}

impl GrowthDoc {
    fn new(g: Growth) -> GrowthDoc {
        GrowthDoc {
            first_tenth_mean: g.first,
            last_tenth_mean: g.last,
        }
    }
}

#[derive(Serialize)]
struct SourceDoc<'a> {
    name: &'a str,
    arrivals: u64,
    attempts: u64,
    retries: u64,
    completed: u64,
    succeeded_first_try: u64,
    succeeded_after_retries: u64,
    rejected: u64,
    timed_out: u64,
    failed: u64,
    /// Requests with a final outcome; the denominator of the fractions below.
    answered: u64,
    arrival_rate: f64,
    attempt_rate: f64,
    goodput: f64,
    amplification: f64,
    success_fraction: Option<f64>,
    rejected_fraction: Option<f64>,
    timed_out_fraction: Option<f64>,
    failed_fraction: Option<f64>,
    /// Of successful requests only.
    latency_seconds: LatencyDoc,
    /// Per scenario threshold, the share of answered requests not answered successfully
    /// within it.
    over_thresholds: Vec<OverDoc>,
    async_latency_seconds: LatencyDoc,
}

#[derive(Serialize)]
struct SystemDoc {
    in_flight: u64,
    little: LittleDoc,
    /// False when a queue or the requests in flight grew steadily through the run; `null`
    /// when the test could not be made (a request-count horizon, a run a limit stopped).
    steady_state: Option<bool>,
    in_flight_growth: Option<GrowthDoc>,
    recovery: Option<RecoveryDoc>,
}

#[derive(Serialize)]
struct RecoveryDoc {
    trigger_start_seconds: f64,
    trigger_end_seconds: f64,
    baseline_goodput: f64,
    baseline_offered: f64,
    final_goodput: f64,
    /// "recovered", "not_recovered" or "no_healthy_baseline".
    verdict: &'static str,
    /// `null` when there was no healthy baseline to recover to.
    recovered: Option<bool>,
    recovered_after_seconds: Option<f64>,
}

/// Every figure but the count is `null` when the count is 0.
#[derive(Serialize)]
struct LatencyDoc {
    count: u64,
    mean: Option<f64>,
    p50: Option<f64>,
    p90: Option<f64>,
    p99: Option<f64>,
    p999: Option<f64>,
    max: Option<f64>,
}

#[derive(Serialize)]
struct LittleDoc {
    l: f64,
    lambda: f64,
    w: f64,
    relative_error: f64,
    holds: bool,
}

#[derive(Serialize)]
struct TheoryDoc {
    model: &'static str,
    utilisation: f64,
    p_wait: f64,
    p_block: f64,
    throughput: f64,
    l: f64,
    lq: f64,
    w: f64,
    wq: f64,
}

impl<'a> RunDoc<'a> {
    pub(crate) fn new(report: &RunReport<'a>) -> RunDoc<'a> {
        RunDoc::of(
            report.scenario_path,
            report.scenario_text,
            report.system,
            &report.run.summary,
            report.run.replication,
        )
    }

    /// The document of a study: replication 0's figures (as in a single run) plus the
    /// study's intervals.
    pub(crate) fn of_study(design: &Design<'a>, command: &str) -> RunDoc<'a> {
        let study = design.study;
        let first = study
            .summaries
            .first()
            .expect("a study has at least one replication");
        let mut doc = RunDoc::of(
            design.scenario_path,
            design.scenario_text,
            &study.system,
            first,
            0,
        );
        doc.study = Some(StudyDoc::new(study, command));
        doc
    }

    fn of(
        scenario_path: &'a str,
        scenario_text: &'a str,
        system: &System,
        summary: &'a RunSummary,
        replication: u64,
    ) -> RunDoc<'a> {
        RunDoc {
            schema_version: SCHEMA_VERSION,
            spillway_version: env!("CARGO_PKG_VERSION"),
            scenario: scenario_path,
            scenario_hash: scenario_hash(scenario_text),
            seed: summary.seed,
            replication,
            events: summary.events,
            measured_seconds: summary.measured_secs,
            stopped: summary
                .stopped
                .as_ref()
                .map(|e| StopDoc::new(e, summary, system)),
            services: summary
                .services
                .iter()
                .enumerate()
                .map(|(i, s)| ServiceDoc::new(s, oracle::expected(system, ServiceId(i as u32))))
                .collect(),
            sources: summary.sources.iter().map(SourceDoc::new).collect(),
            system: SystemDoc {
                in_flight: summary.system.in_flight,
                little: LittleDoc::new(&summary.system.little),
                steady_state: summary.system.steady_tested.then(|| summary.steady()),
                in_flight_growth: summary.system.in_flight_growth.map(GrowthDoc::new),
                recovery: summary.system.recovery.map(|r| RecoveryDoc {
                    trigger_start_seconds: r.trigger_start_secs,
                    trigger_end_seconds: r.trigger_end_secs,
                    baseline_goodput: r.baseline_goodput,
                    baseline_offered: r.baseline_offered,
                    final_goodput: r.final_goodput,
                    verdict: verdict_key(r.verdict),
                    recovered: (r.verdict != RecoveryVerdict::NoHealthyBaseline)
                        .then(|| r.recovered_after_secs().is_some()),
                    recovered_after_seconds: r.recovered_after_secs(),
                }),
            },
            study: None,
        }
    }
}

impl StudyDoc {
    fn new(study: &Study, command: &str) -> StudyDoc {
        StudyDoc {
            command: command.to_string(),
            replications: study.summaries.len(),
            stop: match study.stop {
                StopReason::Planned => "planned",
                StopReason::PrecisionReached => "precision_reached",
                StopReason::MaxReplications => "max_replications",
            },
            warmup_seconds: study.warmup.secs,
            warmup_method: if study.warmup.mser.is_some() {
                "mser5"
            } else {
                "scenario"
            },
            warmup_capped_from_seconds: study.warmup.capped.map(|c| c.chosen_secs),
            confidence: CONFIDENCE,
            intervals: headlines(&study.summaries)
                .iter()
                .map(IntervalDoc::new)
                .collect(),
            stopped_replications: study
                .summaries
                .iter()
                .filter(|s| s.stopped.is_some())
                .count(),
            recovery: RecoveryAcross::of(&study.summaries)
                .as_ref()
                .map(RecoveryAcrossDoc::new),
        }
    }
}

fn finite(x: f64) -> Option<f64> {
    x.is_finite().then_some(x)
}

impl IntervalDoc {
    fn new(h: &Headline) -> IntervalDoc {
        IntervalDoc {
            scope: h.scope.key(),
            component: h.component.clone(),
            figure: h.figure.key(),
            mean: h.estimate.map(|e| e.mean),
            half_width: h.estimate.and_then(|e| finite(e.half_width)),
            n: h.estimate.map_or(0, |e| e.n),
            missing: h.estimate.is_none().then(|| h.figure.missing_reason()),
            threshold_seconds: h.figure.threshold().map(|t| t.as_secs_f64()),
        }
    }
}

impl<'a> CompareDoc<'a> {
    pub(crate) fn new(report: &Report<'a>) -> CompareDoc<'a> {
        let designs = &report.designs;
        let mut diffs = Vec::new();
        if let Some((base, others)) = designs.split_first() {
            for other in others {
                diffs.extend(
                    differences(&base.study.summaries, &other.study.summaries)
                        .iter()
                        .map(|d| DifferenceDoc::new(base.name, other.name, d)),
                );
            }
        }
        CompareDoc {
            schema_version: SCHEMA_VERSION,
            spillway_version: env!("CARGO_PKG_VERSION"),
            designs: designs
                .iter()
                .map(|d| RunDoc::of_study(d, report.command))
                .collect(),
            differences: diffs,
        }
    }
}

impl DifferenceDoc {
    fn new(baseline: &str, design: &str, d: &Difference) -> DifferenceDoc {
        DifferenceDoc {
            baseline: baseline.to_string(),
            design: design.to_string(),
            scope: d.scope.key(),
            component: d.component.clone(),
            figure: d.figure.key(),
            threshold_seconds: d.figure.threshold().map(|t| t.as_secs_f64()),
            baseline_mean: d.a.map(|e| e.mean),
            design_mean: d.b.map(|e| e.mean),
            difference: d.difference.as_ref().map(EstimateDoc::new),
        }
    }
}

impl EstimateDoc {
    fn new(e: &Estimate) -> EstimateDoc {
        EstimateDoc {
            mean: e.mean,
            half_width: finite(e.half_width),
            n: e.n,
        }
    }
}

impl<'a> ServiceDoc<'a> {
    fn new(s: &'a ServiceSummary, theory: Option<QueueFigures>) -> ServiceDoc<'a> {
        ServiceDoc {
            name: &s.name,
            workers: s.workers,
            arrivals: s.arrivals,
            admitted: s.admitted,
            rejected: s.rejected,
            completed: s.completed,
            failed: s.failed,
            dropped: s.dropped,
            timeouts: s.timeouts,
            wasted_seconds: s.wasted_secs,
            arrival_rate: s.arrival_rate,
            completion_rate: s.throughput,
            arrivals_rejected_fraction: s.rejected_fraction,
            utilisation: s.utilisation,
            l: s.l,
            lq: s.lq,
            wait_seconds: LatencyDoc::new(&s.wait),
            wait_probability: s.wait_probability,
            sojourn_seconds: LatencyDoc::new(&s.sojourn),
            little: LittleDoc::new(&s.little),
            queue_growth: s.queue_growth.map(GrowthDoc::new),
            wait_over_thresholds: over_docs(&s.wait_over),
            sojourn_over_thresholds: over_docs(&s.sojourn_over),
            exact_theory: theory.map(TheoryDoc::new),
            faults: s.faults.map(|f| FaultsDoc {
                crashes: f.crashes,
                restarts: f.restarts,
                lost: f.lost,
                refused: f.refused,
                up_fraction: f.up_fraction,
                degraded_fraction: f.degraded_fraction,
            }),
            autoscale: s.autoscale.map(|a| AutoscaleDoc {
                scale_outs: a.scale_outs,
                scale_ins: a.scale_ins,
                workers_min: a.workers_min,
                workers_max: a.workers_max,
                workers_mean: a.workers_mean,
            }),
            messages: s.messages.map(|m| MessagesDoc {
                published: m.published,
                delivered: m.delivered,
                redelivered: m.redelivered,
                processed: m.processed,
                duplicates: m.duplicates,
                deduplicated: m.deduplicated,
                completed: m.completed,
                lost: m.lost,
                lost_by_broker: m.lost_by_broker,
                dropped: m.dropped,
                dead_lettered: m.dead_lettered,
                expired: m.expired,
                paged: m.paged,
                pending: m.pending,
                age_at_start_seconds: LatencyDoc::new(&m.age_at_start),
                age_at_end_seconds: LatencyDoc::new(&m.age_at_end),
                little: LittleDoc::new(&m.little),
            }),
        }
    }
}

impl<'a> SourceDoc<'a> {
    fn new(s: &'a SourceSummary) -> SourceDoc<'a> {
        SourceDoc {
            name: &s.name,
            arrivals: s.arrivals,
            attempts: s.attempts,
            retries: s.retries,
            completed: s.completed,
            succeeded_first_try: s.succeeded_first_try,
            succeeded_after_retries: s.succeeded_after_retries,
            rejected: s.rejected,
            timed_out: s.timed_out,
            failed: s.failed,
            answered: s.answered(),
            arrival_rate: s.arrival_rate,
            attempt_rate: s.throughput,
            goodput: s.goodput,
            amplification: s.amplification,
            success_fraction: s.success_fraction(),
            rejected_fraction: s.share(s.rejected),
            timed_out_fraction: s.share(s.timed_out),
            failed_fraction: s.share(s.failed),
            latency_seconds: LatencyDoc::new(&s.latency),
            over_thresholds: over_docs(&s.over),
            async_latency_seconds: LatencyDoc::new(&s.async_latency),
        }
    }
}

impl LatencyDoc {
    fn new(l: &LatencySummary) -> LatencyDoc {
        let observed = |x: f64| (l.count > 0).then_some(x);
        LatencyDoc {
            count: l.count,
            mean: observed(l.mean),
            p50: observed(l.p50),
            p90: observed(l.p90),
            p99: observed(l.p99),
            p999: observed(l.p999),
            max: observed(l.max),
        }
    }
}

impl LittleDoc {
    fn new(c: &LittleCheck) -> LittleDoc {
        LittleDoc {
            l: c.l,
            lambda: c.lambda,
            w: c.w,
            relative_error: c.relative_error,
            holds: c.holds(),
        }
    }
}

impl TheoryDoc {
    fn new(f: QueueFigures) -> TheoryDoc {
        TheoryDoc {
            model: f.model,
            utilisation: f.utilisation,
            p_wait: f.p_wait,
            p_block: f.p_block,
            throughput: f.throughput,
            l: f.l,
            lq: f.lq,
            w: f.w,
            wq: f.wq,
        }
    }
}

/// `spillway check --json`: `ok` when every file is.
#[derive(Serialize)]
pub(crate) struct CheckDoc<'a> {
    schema_version: u32,
    spillway_version: &'static str,
    ok: bool,
    files: Vec<CheckedDoc<'a>>,
}

#[derive(Serialize)]
struct CheckedDoc<'a> {
    file: &'a str,
    ok: bool,
    diagnostics: Vec<FindingDoc<'a>>,
    warnings: Vec<FindingDoc<'a>>,
}

#[derive(Serialize)]
struct FindingDoc<'a> {
    file: &'a str,
    line: usize,
    column: usize,
    key: &'a str,
    message: &'a str,
    help: Option<&'a str>,
}

impl<'a> CheckDoc<'a> {
    pub(crate) fn new(files: &'a [Checked]) -> CheckDoc<'a> {
        let findings = |list: &'a [Finding]| list.iter().map(FindingDoc::new).collect();
        CheckDoc {
            schema_version: SCHEMA_VERSION,
            spillway_version: env!("CARGO_PKG_VERSION"),
            ok: files.iter().all(|f| f.diagnostics.is_empty()),
            files: (files.iter())
                .map(|f| CheckedDoc {
                    file: &f.file,
                    ok: f.diagnostics.is_empty(),
                    diagnostics: findings(&f.diagnostics),
                    warnings: findings(&f.warnings),
                })
                .collect(),
        }
    }
}

impl<'a> FindingDoc<'a> {
    fn new(f: &'a Finding) -> FindingDoc<'a> {
        FindingDoc {
            file: &f.file,
            line: f.line,
            column: f.column,
            key: &f.key,
            message: &f.message,
            help: f.help.as_deref(),
        }
    }
}
