//! When sources emit requests: constant-rate Poisson, renewal, time-varying Poisson and
//! closed-loop users.
//!
//! A time-varying rate is simulated exactly by thinning, segment by segment: candidates
//! come at the segment's highest rate and are kept with probability rate(t) / highest.
//! Crossing a segment boundary restarts the candidate stream there, which the exponential's
//! lack of memory makes exact.

use super::rng::{self, Sampler, Stream};
use crate::model::{Arrivals, RateSegment, SimDuration, SimTime};

/// A source's arrival process, ready to draw from.
#[derive(Debug)]
pub(crate) enum Load {
    /// Independent gaps (Poisson or renewal).
    Gaps(Sampler),
    /// A Poisson process whose rate follows `segments`; `index` is the current segment.
    Varying {
        segments: Box<[RateSegment]>,
        index: usize,
    },
    /// `users` users who think for a drawn time between an answer and the next request.
    Closed { users: u32, think: Sampler },
}

impl Load {
    pub(crate) fn new(arrivals: &Arrivals) -> Load {
        match arrivals {
            Arrivals::Poisson(rate) => Load::Gaps(Sampler::poisson_gap(*rate)),
            Arrivals::Renewal(gap) => Load::Gaps(Sampler::new(gap)),
            Arrivals::Varying(profile) => Load::Varying {
                segments: profile.segments().into(),
                index: 0,
            },
            Arrivals::Closed { users, think_time } => Load::Closed {
                users: users.get(),
                think: Sampler::new(think_time),
            },
        }
    }

    /// The next open-loop arrival after `now`; `None` when the rate stays at zero forever
    /// (and always for a closed loop, whose users send when answered).
    #[inline(always)]
    pub(crate) fn next_after(&mut self, now: SimTime, rng: &mut Stream) -> Option<SimTime> {
        match self {
            Load::Gaps(gap) => Some(now + gap.sample(rng)),
            Load::Varying { segments, index } => next_varying(segments, index, now, rng),
            Load::Closed { .. } => None,
        }
    }

    /// A closed-loop user's pause before sending again.
    #[inline(always)]
    pub(crate) fn think(&self, rng: &mut Stream) -> Option<SimDuration> {
        match self {
            Load::Closed { think, .. } => Some(think.sample(rng)),
            Load::Gaps(_) | Load::Varying { .. } => None,
        }
    }
}

/// Thinning within each segment, moving on at segment ends.
fn next_varying(
    segments: &[RateSegment],
    index: &mut usize,
    now: SimTime,
    rng: &mut Stream,
) -> Option<SimTime> {
    let mut t = now;
    loop {
        // The last segment ends at the end of time; stop on it even when `t` got there.
        while *index + 1 < segments.len() && segments[*index].end <= t {
            *index += 1;
        }
        let segment = &segments[*index];
        let highest = segment.max_rate();
        let last = *index + 1 == segments.len();
        if highest <= 0.0 {
            if last {
                return None;
            }
            t = segment.end;
            continue;
        }
        let candidate = t + SimDuration((rng::exp1(rng) * 1e9 / highest + 0.5) as u64);
        if candidate >= segment.end {
            // A rate so low that the next candidate saturates at the end of time: on the
            // last segment nothing ever arrives again.
            if last {
                return None;
            }
            t = segment.end;
            continue;
        }
        let constant = segment.from == segment.to;
        if constant || rng::unit(rng) * highest <= segment.rate_at(candidate) {
            return Some(candidate);
        }
        t = candidate;
    }
}

#[cfg(test)]
mod tests;
