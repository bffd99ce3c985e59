//! The closed set of events and the future-event list.
//!
//! Events are ordered by `(time, seq)`, where `seq` is a global insertion counter: ties go
//! first in, first out, so a run never depends on how the heap breaks ties.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::model::{ServiceId, SimTime, SourceId};

/// Something that happens at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// A source emits a request.
    Arrival(SourceId),
    /// A worker of `service` finishes `request` (an index into the request slab).
    Completion { service: ServiceId, request: u32 },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Scheduled {
    time: SimTime,
    seq: u64,
    event: Event,
}

impl Ord for Scheduled {
    /// Reversed, so that `BinaryHeap` (a max-heap) pops the earliest event first.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
    }
}

impl PartialOrd for Scheduled {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Pending events, earliest first, ties in insertion order.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Scheduled>,
    next_seq: u64,
}

impl EventQueue {
    /// An empty queue with room for `capacity` events before it must grow.
    pub(crate) fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            next_seq: 0,
        }
    }

    #[inline]
    pub(crate) fn push(&mut self, time: SimTime, event: Event) {
        self.heap.push(Scheduled {
            time,
            seq: self.next_seq,
            event,
        });
        self.next_seq += 1;
    }

    /// The earliest event, if any.
    #[inline]
    pub(crate) fn pop(&mut self) -> Option<(SimTime, Event)> {
        self.heap.pop().map(|s| (s.time, s.event))
    }
}
