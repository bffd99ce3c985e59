//! The engine: a single-threaded discrete-event simulation of a `model::System`.
//!
//! It knows nothing of TOML, files, the terminal, the wall clock or threads. It takes a
//! validated system and a replication number, draws from its own seeded streams (`rng`), and
//! speaks only through an [`Observer`].

mod autoscale;
mod call;
mod client;
mod delivery;
mod engine;
mod event;
mod fault;
mod guard;
mod handoff;
mod load;
mod observer;
pub(crate) mod rng;
mod service;
mod slab;
mod source;
mod task;
mod ticks;

pub use client::Outcome;
pub use engine::{Engine, RunOutcome};
pub use guard::{RunError, check_stable};
pub use observer::{MessageEvent, NullObserver, Observer, TICKS};

#[cfg(test)]
mod tests;
