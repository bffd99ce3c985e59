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
mod tests {
    use super::*;
    use crate::model::{Rate, RateChange, RateProfile};
    use crate::sim::rng::Streams;

    fn count_in(load: &mut Load, from: f64, to: f64) -> u64 {
        let mut rng = Streams::new(1, 0).get("source:test", "arrivals");
        let (mut t, mut n) = (SimTime::ZERO, 0);
        while let Some(next) = load.next_after(t, &mut rng) {
            if next.as_secs_f64() >= to {
                break;
            }
            n += u64::from(next.as_secs_f64() >= from);
            t = next;
        }
        n
    }

    fn secs(s: f64) -> SimDuration {
        SimDuration::from_secs_f64(s).unwrap()
    }

    #[test]
    fn steps_and_ramps_have_the_expected_counts() {
        // 100/s, a step to 1000/s during [100, 110), back to 100/s, then a ramp from 100/s
        // to 300/s over [200, 300): expected counts are the integrals of the rate.
        let changes = [
            RateChange {
                at: secs(100.0),
                rate: 1000.0,
                over: SimDuration::ZERO,
            },
            RateChange {
                at: secs(110.0),
                rate: 100.0,
                over: SimDuration::ZERO,
            },
            RateChange {
                at: secs(200.0),
                rate: 300.0,
                over: secs(100.0),
            },
        ];
        let profile = RateProfile::new(Rate::per_sec(100.0).unwrap(), &changes).unwrap();
        let load = || Load::new(&Arrivals::Varying(profile.clone()));
        for (from, to, expected) in [
            (0.0, 100.0, 10_000.0),
            (100.0, 110.0, 10_000.0),
            (110.0, 200.0, 9_000.0),
            (200.0, 300.0, 20_000.0),
            (300.0, 400.0, 30_000.0),
        ] {
            let n = count_in(&mut load(), from, to) as f64;
            // Poisson counts: standard deviation sqrt(expected); allow 5 of them.
            assert!(
                (n - expected).abs() < 5.0 * expected.sqrt(),
                "[{from}, {to}): {n} arrivals, expected {expected}"
            );
        }
    }

    #[test]
    fn a_rate_of_zero_forever_ends_the_arrivals() {
        let changes = [RateChange {
            at: secs(10.0),
            rate: 0.0,
            over: SimDuration::ZERO,
        }];
        let profile = RateProfile::new(Rate::per_sec(5.0).unwrap(), &changes).unwrap();
        let n = count_in(&mut Load::new(&Arrivals::Varying(profile)), 0.0, 1e9);
        assert!((n as f64 - 50.0).abs() < 5.0 * 50f64.sqrt(), "{n}");
    }
}
