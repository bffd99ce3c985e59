//! The one integration-test binary (one link step instead of one per file).
//!
//! - `theory`: simulated figures against exact queueing theory, within confidence intervals.
//! - `properties`: conservation, Little's law, determinism, stream independence.
//! - `scenarios`: every bundled scenario loads, runs briefly and satisfies Little's law.
//! - `clients`: retries, budgets, closed loops, synchronous and asynchronous composition.
//! - `failures`: designs that fail: no data, broken baselines, divergence, warm-up and triggers.
//! - `cli`: the binary's exit codes, diagnostics and output.
//! - `tidy`: module boundaries (each crate's one home; the allowed module edges; no I/O or
//!   clock in the engine; unit tests in `<module>/tests.rs`).
//! - `report`: rendered reports (snapshots, well-formed SVG, self-contained HTML, thread
//!   independence, whole-or-nothing writes) and comparisons on common random numbers.
//! - `schema`: every JSON document the tests produce conforms to `reports/schema.json`.
//! - `scenario_schema`: `docs/scenario.schema.json` accepts every bundled scenario and lists
//!   exactly the keys the reader accepts.
//! - `sweep`: every point of a sweep against exact theory; refused points, shards, threads.
//! - `plan`: capacity plans against Erlang-C staffing computed in the test; infeasible SLOs.
//! - `shards`: a sweep run as shard processes and merged gives the bytes of one sweep;
//!   missing, doubled, foreign and edited parts; parts keep every value exactly.
//! - `sweep_report`: a sweep's report: its files, notes for refused points and for no data,
//!   several axes, thread independence.
//! - `coverage`: 95% intervals cover exact M/M/1 and M/M/c figures in ≥ 90 of 100 studies.
//! - `autoscale`: workers follow a step in load within the configured delays, the scale-in
//!   cooldown holds, autoscaling with crashes, no exact theory, stability at `max`.
//! - `fuzz`: no mutated scenario panics the reader, the engine or the JSON renderer.

mod autoscale;
mod capacity_cli;
mod cli;
mod clients;
mod coverage;
mod delivery;
mod failures;
mod faults;
mod fuzz;
mod plan;
mod properties;
mod report;
mod scenario_schema;
mod scenarios;
mod schema;
mod shards;
mod sweep;
mod sweep_report;
mod theory;
mod tidy;

use spillway::model::System;

/// Parses a scenario that the test knows to be valid.
pub(crate) fn system(toml: &str) -> System {
    spillway::scenario::parse(toml, "test.toml").unwrap_or_else(|e| panic!("{e}"))
}
