//! The sweep document (`spillway sweep --json`, a sweep report's `summary.json`).

use serde::Serialize;

use super::{IntervalDoc, RecoveryAcrossDoc, SCHEMA_VERSION, TheoryDoc};
use crate::experiment::{PointResult, SweepResult};
use crate::model::{AxisUnit, ServiceId};
use crate::oracle;
use crate::report::{SweepReport, scenario_hash};
use crate::sim::RunError;
use crate::stats::{CONFIDENCE, Headline, LITTLE_TOLERANCE, little_places};

#[derive(Serialize)]
pub(crate) struct SweepDoc<'a> {
    schema_version: u32,
    spillway_version: &'static str,
    kind: &'static str,
    command: &'a str,
    scenario: &'a str,
    scenario_hash: String,
    seed: u64,
    replications: u64,
    confidence: f64,
    axes: Vec<AxisDoc<'a>>,
    points: Vec<PointDoc<'a>>,
}

#[derive(Serialize)]
struct AxisDoc<'a> {
    name: &'a str,
    unit: &'static str,
    values: Vec<&'a str>,
}

#[derive(Serialize)]
struct PointDoc<'a> {
    index: usize,
    /// The point's value on each axis, as written.
    values: Vec<&'a str>,
    /// The same values as numbers, in each axis's unit.
    numbers: Vec<f64>,
    /// `null` when the point ran; otherwise why it could not.
    refused: Option<RefusalDoc>,
    /// Replications that a limit stopped before their horizon.
    stopped_replications: usize,
    /// Per service, the offered load (arrivals over capacity) from the traffic equations.
    offered_load: Vec<LoadDoc<'a>>,
    intervals: Vec<IntervalDoc>,
    /// Per service, the figures of the textbook model it matches, if any.
    exact_theory: Vec<ExactDoc<'a>>,
    /// Each service, then the whole system, whose mean Little's-law gap exceeds the
    /// tolerance.
    little_failures: Vec<LittleFailureDoc>,
    /// `null` without a trigger (or before any replication ran).
    recovery: Option<RecoveryAcrossDoc>,
}

#[derive(Serialize)]
struct RefusalDoc {
    kind: &'static str,
    message: String,
    /// The offered load of the unstable service, when that is the reason.
    load: Option<f64>,
}

#[derive(Serialize)]
struct LoadDoc<'a> {
    service: &'a str,
    load: Option<f64>,
}

#[derive(Serialize)]
struct ExactDoc<'a> {
    service: &'a str,
    #[serde(flatten)]
    figures: TheoryDoc,
}

#[derive(Serialize)]
struct LittleFailureDoc {
    component: String,
    relative_error: f64,
}

pub(crate) fn unit_key(unit: AxisUnit) -> &'static str {
    match unit {
        AxisUnit::Number => "number",
        AxisUnit::Seconds => "seconds",
        AxisUnit::PerSecond => "per_second",
        AxisUnit::Factor => "factor",
    }
}

impl<'a> SweepDoc<'a> {
    pub(crate) fn new(report: &SweepReport<'a>) -> SweepDoc<'a> {
        let sweep: &'a SweepResult = report.sweep;
        SweepDoc {
            schema_version: SCHEMA_VERSION,
            spillway_version: env!("CARGO_PKG_VERSION"),
            kind: "sweep",
            command: report.command,
            scenario: report.scenario_path,
            scenario_hash: scenario_hash(report.scenario_text),
            seed: sweep
                .points
                .first()
                .map_or(0, |p| p.system.simulation().seed),
            replications: sweep.replications,
            confidence: CONFIDENCE,
            axes: (sweep.grid.axes().iter())
                .map(|a| AxisDoc {
                    name: a.name(),
                    unit: unit_key(a.unit),
                    values: a.values.iter().map(|v| v.text.as_str()).collect(),
                })
                .collect(),
            points: (sweep.points.iter().enumerate())
                .map(|(i, p)| PointDoc::new(sweep, i, p))
                .collect(),
        }
    }
}

impl<'a> PointDoc<'a> {
    fn new(sweep: &'a SweepResult, index: usize, point: &'a PointResult) -> PointDoc<'a> {
        let values = sweep.grid.values(index);
        let services = point.system.services();
        let names = || services.iter().map(|s| s.name.as_str());
        let places = little_places(&point.system);
        let little_failures = (places.into_iter().zip(point.little_gaps()))
            .filter(|(_, gap)| *gap > LITTLE_TOLERANCE)
            .map(|(component, relative_error)| LittleFailureDoc {
                component,
                relative_error,
            })
            .collect();
        PointDoc {
            index,
            values: values.iter().map(|v| v.text.as_str()).collect(),
            numbers: values.iter().map(|v| v.number).collect(),
            refused: point.refused.as_ref().map(RefusalDoc::new),
            stopped_replications: point.stopped(),
            offered_load: (names().zip(point.system.traffic()))
                .map(|(service, flow)| LoadDoc {
                    service,
                    load: Some(flow.load()).filter(|l| l.is_finite()),
                })
                .collect(),
            intervals: (sweep.keys.iter().enumerate())
                .map(|(column, key)| {
                    IntervalDoc::new(&Headline {
                        scope: key.scope,
                        component: key.component.clone(),
                        figure: key.figure,
                        estimate: point.estimate(column),
                    })
                })
                .collect(),
            exact_theory: (names().enumerate())
                .filter_map(|(i, service)| {
                    let figures = oracle::expected(&point.system, ServiceId(i as u32))?;
                    Some(ExactDoc {
                        service,
                        figures: TheoryDoc::new(figures),
                    })
                })
                .collect(),
            little_failures,
            recovery: point.recovery().as_ref().map(RecoveryAcrossDoc::new),
        }
    }
}

impl RefusalDoc {
    fn new(error: &RunError) -> RefusalDoc {
        RefusalDoc {
            kind: error.kind(),
            message: error.to_string(),
            load: match error {
                RunError::Unstable { load, .. } => Some(*load).filter(|l| l.is_finite()),
                _ => None,
            },
        }
    }
}
