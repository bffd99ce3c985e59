//! The closed set of events and the future-event list.
//!
//! Events are ordered by `(time, seq)`, where `seq` is a global insertion counter: ties go
//! first in, first out, so a run never depends on how the list breaks ties.
//!
//! Each entry is one `u128` key: time in the high 64 bits, then `seq` (40 bits), then the
//! slot (24 bits) of the event's payload in a side table. Keys are unique, so ordering keys
//! is ordering events, whatever structure holds them. Moving single 16-byte values keeps the
//! heap free of the store-forwarding stalls that larger struct entries caused, which cost
//! about a fifth of the engine's time.
//!
//! While few events are pending (M/M/1 has two) the list is a plain binary heap, `near`.
//! With thousands pending, a heap's pops walk a tree that no longer fits the cache, which
//! made 100,000 pending events cost five times as much per event as 10. So from `SPILL`
//! pending on, only the nearest events stay in the heap, and the others wait in `far`, a
//! radix structure on time (a radix heap with 8-bit digits): bucket `(p, d)` holds the
//! events whose time agrees with `far.base` above digit `p` and has digit `d` there.
//! Buckets in index order are disjoint, increasing ranges of time. A push is an append; the
//! lowest bucket either moves into the (empty) heap whole, when it is small or holds a
//! single instant, or is split by its next digit. An event is split about once on its way,
//! by sequential reads and appends, and the heap stays small. Order within a bucket does
//! not matter: the heap orders the full keys, and every event in `near` is earlier than
//! every event in `far`.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::call::CallId;
use super::delivery::MessageId;
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
    /// A service's autoscaler decides (every `interval`).
    ScaleDecision(ServiceId),
    /// Workers ordered by a scale-out of a service are ready to serve (fewer, or none, if
    /// a scale-in has cancelled some since).
    ScaleReady { service: ServiceId, workers: u32 },
    /// Receive number `receive` of a message at a broker queue is out of its visibility
    /// timeout (ignored if the message was deleted or received again since).
    Visibility { message: MessageId, receive: u32 },
    /// A task reaches a service; used instead of a direct call when hand-offs that take no
    /// time are nested too deeply.
    Enter { service: ServiceId, task: TaskId },
}

const SLOT_BITS: u32 = 24;
/// Events pending at once (arrivals, work in progress, timers, backoffs, changes).
pub(crate) const MAX_PENDING: usize = 1 << SLOT_BITS;
/// Events pending beyond which the run stops (the event backlog): half of what the slots
/// allow, so that the event that passes it still fits.
pub(crate) const MAX_BACKLOG: usize = MAX_PENDING / 2;
/// Events per run before the sequence number would wrap into the time bits.
pub(crate) const MAX_EVENTS: u64 = 1 << (64 - SLOT_BITS);

/// Pending events from which the list keeps the nearest in the heap and the rest in `far`.
const SPILL: usize = 2048;
/// A bucket with at most this many events goes into the heap whole instead of being split.
const DUMP: u32 = 64;
/// Bits per digit of `far`'s radix, and the buckets per digit position.
const DIGIT_BITS: u32 = 8;
const DIGITS: usize = 1 << DIGIT_BITS;
const BUCKETS: usize = (64 / DIGIT_BITS as usize) * DIGITS;
/// Events per chunk of a bucket's storage.
const CHUNK: usize = 32;
const SLOT_MASK: u128 = (1 << SLOT_BITS) - 1;

/// Pending events, earliest first, ties in insertion order.
#[derive(Debug)]
pub(crate) struct EventQueue {
    /// The nearest events (all of them while `far` is empty), by key.
    near: BinaryHeap<Reverse<u128>>,
    /// A push goes straight into `near` while it holds fewer events than this: `spill_at - 1`
    /// (at most [`MAX_BACKLOG`]) while `far` is empty, else 0 (every push is classified).
    fast_below: usize,
    /// Set (for good) by a push that leaves more than [`MAX_BACKLOG`] events pending; only
    /// the slow path can, so the fast one never counts.
    crowded: bool,
    /// `near` this large is moved into `far`.
    spill_at: usize,
    far: Far,
    /// The payloads of `near`'s events, by slot.
    payloads: Vec<Event>,
    free: Vec<u32>,
    next_seq: u64,
}

/// An event waiting in `far`: its key (with slot 0) and its payload, which gets a slot
/// when the event moves into `near`. Carrying the payload keeps `far`'s accesses sequential.
type Entry = (u128, Event);

/// Events later than all of `near`'s, in radix buckets relative to `base`. A bucket's
/// events are kept in a chain of fixed-size chunks from a shared pool, reused last freed
/// first, so the memory is what is pending plus a partial chunk per bucket, and recently
/// read chunks (still in cache) are written next.
#[derive(Debug, Default)]
struct Far {
    /// Bucket `p * DIGITS + d`; allocated when the list first spills.
    buckets: Vec<Bucket>,
    chunks: Vec<[Entry; CHUNK]>,
    /// The chunk after each chunk in its bucket's chain.
    next: Vec<u32>,
    free: Vec<u32>,
    /// Bit `i % 64` of word `i / 64` is set when bucket `i` is not empty.
    occupied: [u64; BUCKETS / 64],
    /// Bit `w` is set when `occupied[w]` is not zero.
    summary: u32,
    len: usize,
    /// A time no later than any event in `far`. Later pushes are no earlier either, except
    /// between a spill from a heap alone and the next refill (after which `base` is at most
    /// the last event popped); such pushes go to `near`.
    base: u64,
    /// Pushes into buckets below this index belong to `near` (they fall in the range that
    /// was last moved there).
    near_end: usize,
}

/// A chain of chunks: events are appended to `tail`, which holds `fill` of them.
#[derive(Clone, Copy, Debug, Default)]
struct Bucket {
    head: u32,
    tail: u32,
    fill: u32,
    len: u32,
}

impl Far {
    /// The bucket for time `t` (no earlier than `base`): the highest digit position where `t`
    /// differs from `base` (0 if equal), and `t`'s digit there.
    #[inline(always)]
    fn bucket(&self, t: u64) -> usize {
        debug_assert!(t >= self.base);
        let position = (63 - ((t ^ self.base) | 1).leading_zeros()) / DIGIT_BITS;
        (position as usize) << DIGIT_BITS | (t >> (position * DIGIT_BITS)) as usize & (DIGITS - 1)
    }

    #[inline(always)]
    fn insert(&mut self, entry: Entry) {
        let i = self.bucket((entry.0 >> 64) as u64);
        self.insert_at(i, entry);
    }

    #[inline(always)]
    fn insert_at(&mut self, i: usize, entry: Entry) {
        let word = i / 64;
        let bit = 1 << (i % 64);
        if self.occupied[word] & bit == 0 {
            let chunk = self.new_chunk();
            self.buckets[i] = Bucket {
                head: chunk,
                tail: chunk,
                fill: 0,
                len: 0,
            };
            self.occupied[word] |= bit;
            self.summary |= 1 << word;
        } else if self.buckets[i].fill == CHUNK as u32 {
            let chunk = self.new_chunk();
            self.next[self.buckets[i].tail as usize] = chunk;
            self.buckets[i].tail = chunk;
            self.buckets[i].fill = 0;
        }
        let bucket = &mut self.buckets[i];
        self.chunks[bucket.tail as usize][bucket.fill as usize] = entry;
        bucket.fill += 1;
        bucket.len += 1;
        self.len += 1;
    }

    #[inline(always)]
    fn new_chunk(&mut self) -> u32 {
        self.free.pop().unwrap_or_else(|| {
            self.chunks.push([(0, Event::Arrival(SourceId(0))); CHUNK]);
            self.next.push(0);
            (self.chunks.len() - 1) as u32
        })
    }

    /// The lowest non-empty bucket, emptied of its events, and `base` moved to the start of
    /// its range (which keeps every other bucket's events where they belong). Returns the
    /// bucket's index and chain; the caller reads the chain with `drain`.
    fn take_lowest(&mut self) -> (usize, Bucket) {
        debug_assert!(self.len > 0);
        let word = self.summary.trailing_zeros() as usize;
        let i = word * 64 + self.occupied[word].trailing_zeros() as usize;
        self.occupied[word] &= !(1 << (i % 64));
        if self.occupied[word] == 0 {
            self.summary &= !(1 << word);
        }
        let position = (i >> DIGIT_BITS) as u32;
        let digit = (i & (DIGITS - 1)) as u64;
        let above = (position + 1) * DIGIT_BITS;
        let kept = if above >= 64 {
            0
        } else {
            self.base >> above << above
        };
        self.base = kept | digit << (position * DIGIT_BITS);
        let bucket = self.buckets[i];
        self.len -= bucket.len as usize;
        (i, bucket)
    }

    /// Calls `each` on every event of a taken chain, freeing each chunk once it is read, so
    /// `each` may insert into `far` (and the next chunk it needs is the one just read).
    #[inline(always)]
    fn drain(&mut self, bucket: Bucket, mut each: impl FnMut(&mut Far, Entry)) {
        let mut chunk = bucket.head as usize;
        loop {
            let last = chunk == bucket.tail as usize;
            let count = if last { bucket.fill as usize } else { CHUNK };
            for j in 0..count {
                let entry = self.chunks[chunk][j];
                each(self, entry);
            }
            self.free.push(chunk as u32);
            if last {
                break;
            }
            chunk = self.next[chunk] as usize;
        }
    }
}

impl EventQueue {
    /// An empty queue with room for `capacity` pending events before it must grow.
    pub(crate) fn with_capacity(capacity: usize) -> EventQueue {
        EventQueue {
            near: BinaryHeap::with_capacity(capacity.min(SPILL)),
            fast_below: SPILL - 1,
            crowded: false,
            spill_at: SPILL,
            far: Far::default(),
            payloads: Vec::with_capacity(capacity.min(SPILL)),
            free: Vec::with_capacity(capacity.min(SPILL)),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`, which is no earlier than the last event popped. The
    /// engine keeps pending events under [`MAX_PENDING`] and the run under [`MAX_EVENTS`],
    /// so slot and sequence fit their bits.
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
        let key = u128::from(time.0) << 64 | u128::from(low);
        self.next_seq += 1;
        if self.near.len() < self.fast_below {
            self.near.push(Reverse(key));
        } else {
            self.push_slow(key);
        }
    }

    /// A push while `far` holds events (the event leaves its slot if it goes there), or one
    /// that fills `near`.
    #[cold]
    #[inline(never)]
    fn push_slow(&mut self, key: u128) {
        self.crowded |= self.len() >= MAX_BACKLOG;
        let time = (key >> 64) as u64;
        if self.far.len > 0 && time >= self.far.base {
            let i = self.far.bucket(time);
            if i >= self.far.near_end {
                let slot = (key & SLOT_MASK) as u32;
                self.free.push(slot);
                let event = self.payloads[slot as usize];
                self.far.insert_at(i, (key & !SLOT_MASK, event));
                return;
            }
        }
        self.near.push(Reverse(key));
        if self.near.len() >= self.spill_at {
            self.spill();
        }
    }

    /// Moves all of `near` into `far`'s buckets.
    #[cold]
    fn spill(&mut self) {
        let Some(&Reverse(earliest)) = self.near.peek() else {
            return;
        };
        let earliest = (earliest >> 64) as u64;
        if self.far.len == 0 {
            // No push is earlier than the last event popped, but pushes between it and
            // `earliest` can come: they go to `near`, which is then earlier than `far`.
            self.far.base = earliest;
        } else if earliest < self.far.base {
            // Only such pushes are in `near` (they come before the first refill): they stay.
            self.spill_at *= 2;
            return;
        }
        if self.far.buckets.is_empty() {
            self.far.buckets = vec![Bucket::default(); BUCKETS];
        }
        let mut keys = std::mem::take(&mut self.near).into_vec();
        for Reverse(key) in keys.drain(..) {
            let slot = (key & SLOT_MASK) as u32;
            self.free.push(slot);
            self.far
                .insert((key & !SLOT_MASK, self.payloads[slot as usize]));
        }
        self.near = BinaryHeap::from(keys);
        self.far.near_end = 0;
        self.spill_at = SPILL;
        self.fast_below = 0;
    }

    /// Events pending.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.near.len() + self.far.len
    }

    /// Whether a push has left more than [`MAX_BACKLOG`] events pending.
    #[inline(always)]
    pub(crate) fn crowded(&self) -> bool {
        self.crowded
    }

    /// The earliest event, if any.
    #[inline(always)]
    pub(crate) fn pop(&mut self) -> Option<(SimTime, Event)> {
        let key = match self.near.pop() {
            Some(Reverse(key)) => key,
            None => self.refill()?,
        };
        let slot = (key & SLOT_MASK) as u32;
        self.free.push(slot);
        Some((SimTime((key >> 64) as u64), self.payloads[slot as usize]))
    }

    /// With `near` empty: moves the earliest events from `far` into it (all of them when
    /// few are left), splitting large buckets on the way, and pops the earliest.
    #[cold]
    #[inline(never)]
    fn refill(&mut self) -> Option<u128> {
        if self.far.len == 0 {
            return None;
        }
        let mut keys = std::mem::take(&mut self.near).into_vec();
        let mut into_near = |far: &mut Far, (key, event): Entry| {
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
            let _ = far;
            keys.push(Reverse(key | u128::from(slot)));
        };
        if self.far.len <= SPILL / 2 {
            while self.far.len > 0 {
                let (_, bucket) = self.far.take_lowest();
                self.far.drain(bucket, &mut into_near);
            }
        } else {
            loop {
                let (i, bucket) = self.far.take_lowest();
                if i < DIGITS || bucket.len <= DUMP {
                    self.far.drain(bucket, &mut into_near);
                    self.far.near_end = i + 1;
                    break;
                }
                self.far.drain(bucket, Far::insert);
            }
        }
        self.near = BinaryHeap::from(keys);
        self.spill_at = SPILL.max(2 * self.near.len());
        self.fast_below = if self.far.len == 0 {
            (self.spill_at - 1).min(MAX_BACKLOG)
        } else {
            0
        };
        self.near.pop().map(|Reverse(key)| key)
    }
}

#[cfg(test)]
mod tests;
