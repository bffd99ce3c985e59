//! The validated, typed description of a system to simulate.
//!
//! Inert data: no serde, no I/O, no randomness. Every value here has already been checked
//! (by `scenario` or by the constructors below), so the engine can trust it without
//! re-validating. Components refer to each other by index (`ServiceId`, `SourceId`), never by
//! name.

pub(crate) mod dist;
mod topology;
mod units;

pub use dist::{Dist, DistError};
pub use topology::{
    Arrivals, Discipline, Horizon, Limits, Queue, Route, RouteBranch, ServiceId, ServiceSpec,
    SimulationSpec, SourceId, SourceSpec, System, TopologyError,
};
pub use units::{Rate, SimDuration, SimTime};
