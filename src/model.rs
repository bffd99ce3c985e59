//! The validated, typed description of a system to simulate.
//!
//! Inert data: no serde, no I/O, no randomness. Every value here has already been checked
//! (by `scenario` or by the constructors below), so the engine can trust it without
//! re-validating. Components refer to each other by index (`ServiceId`, `SourceId`), never by
//! name.

mod client;
pub(crate) mod dist;
mod schedule;
mod sweep;
mod topology;
mod traffic;
mod units;

pub use client::{Backoff, ClientPolicy, Jitter, RetryBudget, RetryOn, RetryPolicy};
pub use dist::{Dist, DistError};
pub use schedule::{
    Autoscale, Fault, PartitionMode, QueueFate, RateChange, RateProfile, RateSegment, ScaleMetric,
    ScheduleError, ServiceChange,
};
pub use sweep::{
    Axis, AxisUnit, AxisValue, Grid, Knob, MAX_POINTS, MAX_REPLICATIONS, MAX_RUNS, SweepSpec,
};
pub use topology::{
    Arrivals, Crashes, DedupWindow, Delivery, Discipline, Horizon, Idempotence, Limits,
    MAX_THRESHOLDS, Memory, Overflow, Queue, Route, RouteBranch, ServiceId, ServiceSpec,
    SimulationSpec, SourceId, SourceSpec, Step, System, TopologyError,
};
pub use traffic::Flow;
pub use units::{Rate, SimDuration, SimTime};
