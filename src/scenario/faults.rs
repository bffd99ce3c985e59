//! A service's random crashes: `crash = { mtbf = ..., restart = ... }` → [`Crashes`].
//!
//! Each key takes a distribution table, or a duration: for `mtbf` a duration is the mean
//! of an exponential (memoryless failures, the usual reading of an MTBF); for `restart` it
//! is a constant time.

use toml::de::DeValue;

use super::dist;
use super::reader::Field;
use crate::model::{Crashes, Dist};

/// Reads the `crash` table of a service.
pub(crate) fn read_crashes(field: &Field<'_>) -> Option<Crashes> {
    let mut table = field.table()?;
    let mtbf = table
        .require("mtbf")
        .and_then(|f| duration_or_dist(&f, Dist::exponential));
    let restart = table
        .require("restart")
        .and_then(|f| duration_or_dist(&f, Dist::constant));
    table.finish();
    Some(Crashes {
        mtbf: mtbf?,
        restart: restart?,
    })
}

/// A distribution table, or a duration made into a distribution by `from_secs`.
pub(crate) fn duration_or_dist(
    field: &Field<'_>,
    from_secs: fn(f64) -> Result<Dist, crate::model::DistError>,
) -> Option<Dist> {
    if let DeValue::Table(_) = field.value() {
        return dist::read(field);
    }
    let secs = field.positive_duration()?.as_secs_f64();
    match from_secs(secs) {
        Ok(dist) => Some(dist),
        Err(error) => {
            field.error(error.to_string());
            None
        }
    }
}
