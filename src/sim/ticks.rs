//! The instants at which the engine calls `Observer::on_tick`: the inner boundaries of
//! [`TICKS`] equal parts of the measured period.

use super::observer::TICKS;
use crate::model::{Horizon, SimDuration, SimTime};

/// The ticks still to come.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Ticks {
    start: SimTime,
    /// The measured period; zero when its length is unknown (a request-count horizon).
    period: SimDuration,
    /// The next tick's number, 1 to `TICKS - 1`.
    next: u32,
}

impl Ticks {
    pub(crate) fn new(measure_start: SimTime, horizon: Horizon) -> Ticks {
        let (period, next) = match horizon {
            Horizon::Duration(d) => (d, 1),
            Horizon::Requests(_) => (SimDuration::ZERO, TICKS),
        };
        Ticks {
            start: measure_start,
            period,
            next,
        }
    }

    /// The next tick's instant; the end of time when there is none.
    pub(crate) fn next(&self) -> SimTime {
        if self.next >= TICKS {
            return SimTime(u64::MAX);
        }
        let offset = u128::from(self.period.0) * u128::from(self.next) / u128::from(TICKS);
        self.start + SimDuration(offset as u64)
    }

    /// The next tick if it is not later than `now`, consumed.
    pub(crate) fn due(&mut self, now: SimTime) -> Option<SimTime> {
        let tick = self.next();
        (tick <= now && self.next < TICKS).then(|| {
            self.next += 1;
            tick
        })
    }
}
