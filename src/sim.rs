//! The engine: a single-threaded discrete-event simulation of a `model::System`.
//!
//! It knows nothing of TOML, files, the terminal, the wall clock or threads. It takes a
//! validated system and a replication number, draws from its own seeded streams (`rng`), and
//! speaks only through an [`Observer`].

mod engine;
mod event;
mod guard;
mod observer;
pub(crate) mod rng;

pub use engine::{Engine, RunOutcome};
pub use guard::{RunError, check_stable, nominal_rates};
pub use observer::{NullObserver, Observer, RequestInfo};

#[cfg(test)]
mod tests;
