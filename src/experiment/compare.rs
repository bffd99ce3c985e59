//! Several designs on common random numbers.
//!
//! Streams are keyed by (seed, replication, component name, purpose), so when every design
//! runs with the same seed, replication i of each design sees the same arrivals from
//! same-named sources. Differences between designs are then paired per replication, and
//! their intervals are much narrower than those of independent runs.

use super::replicate::{Plan, Study, study};
use crate::model::System;
use crate::sim::RunError;

/// Runs every design with the first design's seed (common random numbers), in order.
pub fn compare(
    designs: &[System],
    plan: &Plan,
    done: &(dyn Fn() + Sync),
) -> Result<Vec<Study>, RunError> {
    let Some(first) = designs.first() else {
        return Ok(Vec::new());
    };
    let seed = first.simulation().seed;
    designs
        .iter()
        .map(|design| study(&design.clone().with_seed(seed), plan, done))
        .collect()
}
