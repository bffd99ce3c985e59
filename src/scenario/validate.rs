//! The whole file: `[simulation]`, every `[[source]]` and `[[service]]`, then the model.
//!
//! Reads the root table, hands each entry to `components`, and calls
//! [`System::new`] only once everything else is valid, so that its topology errors (a
//! route with no exit) are the only ones left to map back to a position.

use std::num::{NonZeroU32, NonZeroU64};

use toml::de::{DeTable, DeValue};

use super::components::{self, ReadService, Seen, ServiceIds};
use super::diagnostic::Sink;
use super::reader::{Field, OneOf, Table, a_type};
use super::sweep;
use crate::model::{
    Axis, Grid, Horizon, Limits, MAX_REPLICATIONS, MAX_THRESHOLDS, SimDuration, SimulationSpec,
    SourceSpec, SweepSpec, System, TopologyError,
};

/// The seed when the file gives none.
const DEFAULT_SEED: u64 = 1;

/// A file's system and the sweep it declares.
pub(crate) struct Built {
    pub(crate) system: System,
    pub(crate) sweep: Option<SweepSpec>,
}

/// Builds the system, or returns `None` with at least one problem recorded in `sink`.
pub(crate) fn build<'a>(root: &'a DeTable<'a>, sink: &'a Sink<'a>) -> Option<Built> {
    let mut top = Table::root(sink, root);
    let simulation = match top.get("simulation") {
        Some(field) => read_simulation(&field),
        None => {
            let message = "missing the [simulation] table (it says how long to run)";
            sink.error(0, "simulation", message);
            None
        }
    };
    let source_tables = array_of_tables(&mut top, "source");
    if source_tables.is_none() {
        sink.error(0, "source", "no sources: add at least one [[source]] table");
    }
    let service_tables = array_of_tables(&mut top, "service").unwrap_or_default();
    let ids = ServiceIds::new(&service_tables);
    let mut seen = Seen::new("source");
    let sources: Vec<Option<SourceSpec>> = (source_tables.unwrap_or_default().into_iter())
        .map(|table| components::read_source(table, &mut seen, &ids))
        .collect();
    let mut seen = Seen::new("service");
    let services: Vec<ReadService> = (service_tables.into_iter())
        .map(|table| components::read_service(table, &mut seen, &ids))
        .collect();
    let sweep = top.get("sweep").map(|field| read_sweep(&field));
    top.finish();
    let system = assemble(simulation, sources, services, sink)?;
    Some(Built {
        system,
        sweep: sweep.flatten(),
    })
}

/// `[sweep]`: `vary = ["KEY=VALUES", …]`, `load = "F1..F2:N"` and `replications`, read as
/// the command line reads `--vary`, `--load` and `--replications`.
fn read_sweep(field: &Field<'_>) -> Option<SweepSpec> {
    let mut table = field.table()?;
    let vary = table.optional("vary", Vec::new(), |f| {
        (f.array()?.iter())
            .map(|item| {
                let text = item.string()?;
                sweep::parse_axis(text).map_err(|e| item.error(e)).ok()
            })
            .collect::<Option<Vec<_>>>()
    });
    let load = table.optional("load", None, |f| {
        let text = f.string()?;
        sweep::parse_load(text)
            .map_err(|e| f.error(e))
            .ok()
            .map(Some)
    });
    let replications = table.optional("replications", None, |f| {
        (f.integer(1, i128::from(MAX_REPLICATIONS))).map(|n| Some(n as u64))
    });
    let axes: Option<Vec<Axis>> = (vary.zip(load)).map(|(v, l)| v.into_iter().chain(l).collect());
    let grid = axes.and_then(|axes| Grid::new(axes).map_err(|e| table.error(e)).ok());
    table.finish();
    Some(SweepSpec {
        grid: grid?,
        replications: replications?,
    })
}

fn read_simulation(field: &Field<'_>) -> Option<SimulationSpec> {
    let mut table = field.table()?;
    let horizon = match table.one_of("duration", "requests") {
        Some(OneOf::First(duration)) => duration.positive_duration().map(Horizon::Duration),
        Some(OneOf::Second(requests)) => requests
            .u64_at_least(1)
            .and_then(NonZeroU64::new)
            .map(Horizon::Requests),
        None => None,
    };
    let warmup = table.optional("warmup", SimDuration::ZERO, Field::duration);
    let seed = table.optional("seed", DEFAULT_SEED, |f| f.u64_at_least(0));
    let defaults = Limits::default();
    let max_in_flight = table.optional("max_in_flight", defaults.max_in_flight, |f| {
        f.u32_at_least(1).and_then(NonZeroU32::new)
    });
    let max_events = table.optional("max_events", defaults.max_events, |f| {
        f.u64_at_least(1).and_then(NonZeroU64::new)
    });
    let thresholds = table.optional("thresholds", Vec::new(), read_thresholds);
    table.finish();
    Some(SimulationSpec {
        horizon: horizon?,
        warmup: warmup?,
        seed: seed?,
        limits: Limits {
            max_in_flight: max_in_flight?,
            max_events: max_events?,
        },
        thresholds: thresholds?,
    })
}

/// `thresholds = ["100ms", "300ms"]`: positive durations, at most [`MAX_THRESHOLDS`],
/// returned ascending without repeats.
fn read_thresholds(field: &Field<'_>) -> Option<Vec<SimDuration>> {
    let items = field.array()?;
    if items.is_empty() || items.len() > MAX_THRESHOLDS {
        field.error_with_help(
            format!("must list from 1 to {MAX_THRESHOLDS} durations"),
            Some("for example thresholds = [\"100ms\", \"300ms\"], or leave the key out".into()),
        );
        return None;
    }
    let read: Vec<Option<SimDuration>> = items.iter().map(Field::positive_duration).collect();
    let mut thresholds: Vec<SimDuration> = read.into_iter().collect::<Option<_>>()?;
    thresholds.sort_unstable();
    thresholds.dedup();
    Some(thresholds)
}

/// The tables of `[[key]]`, each named `key[i]` until its name is read; `None` if there
/// are none at all. Entries of the wrong type are reported and left out.
fn array_of_tables<'a>(top: &mut Table<'a>, key: &'static str) -> Option<Vec<Table<'a>>> {
    let field = top.get(key)?;
    let DeValue::Array(items) = field.value() else {
        let message = format!(
            "expected an array of tables, found {}",
            a_type(field.value())
        );
        let help = format!("write [[{key}]], with double brackets, once per {key}");
        field.error_with_help(message, Some(help));
        return Some(Vec::new());
    };
    if items.is_empty() {
        return None;
    }
    let tables = field
        .array()?
        .into_iter()
        .filter_map(|item| match item.value() {
            DeValue::Table(entries) => Some(item.as_table(entries)),
            _ => item.wrong_type("a table"),
        });
    Some(tables.collect())
}

/// Builds the system once nothing else is wrong, and maps its topology errors.
fn assemble(
    simulation: Option<SimulationSpec>,
    sources: Vec<Option<SourceSpec>>,
    services: Vec<ReadService>,
    sink: &Sink<'_>,
) -> Option<System> {
    if !sink.is_clean() {
        return None;
    }
    let thens: Vec<Option<(usize, String)>> = services.iter().map(|s| s.then.clone()).collect();
    let sources = sources.into_iter().collect::<Option<Vec<_>>>()?;
    let services = services
        .into_iter()
        .map(|s| s.spec)
        .collect::<Option<Vec<_>>>()?;
    match System::new(simulation?, sources, services) {
        Ok(system) => Some(system),
        Err(errors) => {
            for error in errors {
                report_topology(&error, &thens, sink);
            }
            None
        }
    }
}

/// Points a topology error at the `then` of the service it is about.
fn report_topology(error: &TopologyError, thens: &[Option<(usize, String)>], sink: &Sink<'_>) {
    let then = match error {
        TopologyError::NoExit { service, .. } => thens.get(service.index()).cloned().flatten(),
        _ => None,
    };
    match then {
        Some((at, key)) => sink.error(
            at,
            &key,
            "requests here can never leave the system: every route loops back; let some \
             leave (branch probabilities summing below 1) or end a path at a service \
             without 'then'",
        ),
        // Every other topology problem is caught earlier, with a position; this is a
        // fallback so that nothing is ever lost.
        None => sink.error(0, "", error.to_string()),
    }
}
