//! spillway: a discrete-event simulator for asynchronous systems.
//!
//! The pipeline: a scenario file is parsed and validated into a [`model::System`]; the
//! [`experiment`] module runs one or more replications of it, each a single-threaded
//! [`sim::Engine`] reporting to a [`stats::Recorder`]; the resulting [`stats::RunSummary`] is
//! checked against Little's law and, where a textbook model applies ([`oracle`]), against
//! exact queueing [`theory`]; [`report`] turns it into bytes. The `spillway` binary wraps
//! this pipeline and is the only part that touches the terminal.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod experiment;
pub mod model;
pub mod oracle;
pub mod report;
pub mod scenario;
pub mod sim;
pub mod stats;
pub mod theory;
