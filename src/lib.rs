//! spillway: a discrete-event simulator for asynchronous systems.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod model;
pub mod scenario;
