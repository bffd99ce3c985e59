//! The closed set of events and the future-event list.
//!
//! Events are ordered by `(time, seq)`, where `seq` is a global insertion counter: ties go
//! first in, first out, so a run never depends on how the heap breaks ties.
//!
//! Each heap entry is one `u128`: time in the high 64 bits, then `seq` (40 bits), then the
//! slot (24 bits) of the event's payload in a side table. Moving single 16-byte values keeps
//! the heap free of the store-forwarding stalls that larger struct entries caused, which
//! cost about a fifth of the engine's time.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::call::CallId;
use super::task::TaskId;
use crate::model::{ServiceId, SimTime, SourceId};

/// Something that happens at an instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// A source emits a request (open loop), or one of its users sends again (closed loop).
    Arrival(SourceId),
    /// The current work step of a task is over (ignored if the task is gone).
    WorkDone(TaskId),
    /// An attempt's timer: the caller gives up unless attempt number `attempt` has answered.
    Timeout { call: CallId, attempt: u32 },
    /// A backoff after attempt number `attempt` is over: the call sends its next attempt.
    Retry { call: CallId, attempt: u32 },
    /// A service applies change number `index` of its schedule.
    Change { service: ServiceId, index: u32 },
    /// Worker `life` of a service crashes (ignored if that life has moved on since).
    Crash {
        service: ServiceId,
        life: u32,
        generation: u32,
    },
    /// Worker `life` of a service is back after a random crash (ignored if stale).
    Restart {
        service: ServiceId,
        life: u32,
        generation: u32,
    },
    /// A task reaches a service; used instead of a direct call when hand-offs that take no
    /// time are nested too deeply.
    Enter { service: ServiceId, task: TaskId },
}

const SLOT_BITS: u32 = 24;
/// Events pending at once (arrivals, work in progress, timers, backoffs, changes).
pub(crate) const MAX_PENDING: usize = 1 << SLOT_BITS;
/// Events per run before the sequence number would wrap into the time bits.
pub(crate) const MAX_EVENTS: u64 = 1 << (64 - SLOT_BITS);

/// Pending events, earliest first, ties in insertion order.
#[derive(Debug, Default)]
pub(crate) struct EventQueue {
    heap: BinaryHeap<Reverse<u128>>,
    payloads: Vec<Event>,
    free: Vec<u32>,
    next_seq: u64,
}

impl EventQueue {
    /// An empty queue with room for `capacity` pending events before it must grow.
    pub(crate) fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue {
            heap: BinaryHeap::with_capacity(capacity),
            payloads: Vec::with_capacity(capacity),
            free: Vec::with_capacity(capacity),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`. The engine keeps pending events under [`MAX_PENDING`]
    /// and the run under [`MAX_EVENTS`], so slot and sequence fit their bits.
    #[inline(always)]
    pub(crate) fn push(&mut self, time: SimTime, event: Event) {
        let slot = match self.free.pop() {
            Some(slot) => {
                self.payloads[slot as usize] = event;
                slot
            }
            None => {
                self.payloads.push(event);
                (self.payloads.len() - 1) as u32
            }
        };
        debug_assert!((slot as usize) < MAX_PENDING && self.next_seq < MAX_EVENTS);
        let low = self.next_seq << SLOT_BITS | u64::from(slot);
        self.heap
            .push(Reverse(u128::from(time.0) << 64 | u128::from(low)));
        self.next_seq += 1;
    }

    /// Events pending.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.heap.len()
    }

    /// The earliest event, if any.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<(SimTime, Event)> {
        let Reverse(key) = self.heap.pop()?;
        let slot = (key as u32) & ((1 << SLOT_BITS) - 1);
        self.free.push(slot);
        Some((SimTime((key >> 64) as u64), self.payloads[slot as usize]))
    }
}
