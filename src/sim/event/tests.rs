use std::cmp::Reverse;
use std::collections::{BTreeSet, BinaryHeap};

use super::*;

/// What the checks drive: the queue under test, or a deliberately wrong one.
trait Queue {
    fn push(&mut self, time: SimTime, event: Event);
    fn pop(&mut self) -> Option<(SimTime, Event)>;
    fn len(&self) -> usize;
}

impl Queue for EventQueue {
    fn push(&mut self, time: SimTime, event: Event) {
        EventQueue::push(self, time, event);
    }
    fn pop(&mut self) -> Option<(SimTime, Event)> {
        EventQueue::pop(self)
    }
    fn len(&self) -> usize {
        EventQueue::len(self)
    }
}

/// The negative control: ordered by time, but equal times last in, first out.
#[derive(Default)]
struct LifoTies {
    heap: BinaryHeap<Reverse<(u64, Reverse<u64>, u32)>>,
    seq: u64,
}

impl Queue for LifoTies {
    fn push(&mut self, time: SimTime, event: Event) {
        let Event::Arrival(SourceId(id)) = event else {
            unreachable!("the checks push only arrivals")
        };
        self.heap.push(Reverse((time.0, Reverse(self.seq), id)));
        self.seq += 1;
    }
    fn pop(&mut self) -> Option<(SimTime, Event)> {
        let Reverse((time, _, id)) = self.heap.pop()?;
        Some((SimTime(time), Event::Arrival(SourceId(id))))
    }
    fn len(&self) -> usize {
        self.heap.len()
    }
}

/// SplitMix64: a fixed, seedable source of test inputs.
struct Inputs(u64);

impl Inputs {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// A delay from now: often zero or one of a few values (equal times), else spread
    /// over nanoseconds to hours, now and then near the end of representable time.
    fn delay(&mut self, now: u64) -> u64 {
        match self.below(20) {
            0..=3 => 0,
            4 => 1_000 * self.below(4),
            5 | 6 => self.below(256),
            7 => (u64::MAX - now).saturating_sub(self.below(1 << 20)),
            _ => {
                let bits = 10 + self.below(33);
                self.below(1 << bits)
            }
        }
    }
}

/// Pops one event from `queue` and from the reference, which must agree.
fn pop_both(
    queue: &mut impl Queue,
    reference: &mut BTreeSet<(u64, u32)>,
    now: &mut u64,
) -> Result<(), String> {
    let expected = reference
        .pop_first()
        .map(|(time, id)| (SimTime(time), Event::Arrival(SourceId(id))));
    let got = queue.pop();
    if got != expected {
        return Err(format!("popped {got:?}, expected {expected:?}"));
    }
    if let Some((time, _)) = got {
        *now = time.0;
    }
    Ok(())
}

/// Runs `queue` through a random sequence of pushes and pops that grows to about `peak`
/// pending events, then drains it, comparing every pop with a reference that sorts by
/// (time, insertion sequence). Returns the first mismatch.
fn check(queue: &mut impl Queue, seed: u64, peak: usize) -> Result<(), String> {
    let mut inputs = Inputs(seed);
    let mut reference = BTreeSet::new();
    let mut now = 0u64;
    let mut seq = 0u32;
    for phase in 0..3 {
        for _ in 0..peak * 4 {
            // Growing, holding steady, then shrinking.
            let push_in_ten = [7, 5, 3][phase];
            if inputs.below(10) < push_in_ten {
                let time = now.saturating_add(inputs.delay(now));
                queue.push(SimTime(time), Event::Arrival(SourceId(seq)));
                reference.insert((time, seq));
                seq += 1;
            } else {
                pop_both(queue, &mut reference, &mut now)?;
            }
            if queue.len() != reference.len() {
                return Err(format!("len {}, expected {}", queue.len(), reference.len()));
            }
            if phase == 0 && reference.len() >= peak {
                break;
            }
        }
    }
    while !reference.is_empty() {
        pop_both(queue, &mut reference, &mut now)?;
    }
    pop_both(queue, &mut reference, &mut now)
}

#[test]
fn pops_in_time_then_insertion_order() {
    for (seed, peak) in [(1, 10), (2, 300), (3, SPILL + 1), (4, 20_000), (5, 100_000)] {
        let mut queue = EventQueue::with_capacity(16);
        check(&mut queue, seed, peak).unwrap_or_else(|e| panic!("seed {seed}: {e}"));
    }
}

/// With more than `SPILL` pending, most events wait in the radix buckets and the heap stays
/// small: the checks above do exercise both parts.
#[test]
fn far_holds_most_events_when_many_are_pending() {
    let mut queue = EventQueue::with_capacity(16);
    let mut inputs = Inputs(7);
    for id in 0..20_000 {
        queue.push(SimTime(inputs.below(1 << 30)), Event::Arrival(SourceId(id)));
    }
    assert!(queue.far.len >= 20_000 - SPILL, "{}", queue.far.len);
    let mut last = SimTime::ZERO;
    for _ in 0..10_000 {
        let (time, _) = queue.pop().expect("pending");
        assert!(time >= last);
        last = time;
        queue.push(
            SimTime(time.0 + inputs.below(1 << 30)),
            Event::Arrival(SourceId(0)),
        );
    }
    assert!(queue.near.len() < 4 * DUMP as usize, "{}", queue.near.len());
    assert_eq!(queue.len(), 20_000);
}

/// Many events at a few instants, far more than the heap keeps: ties stay in order when
/// buckets holding one instant are moved into the heap whole and spill out again.
#[test]
fn many_equal_times_across_spills() {
    let mut queue = EventQueue::with_capacity(16);
    let mut reference = BTreeSet::new();
    let mut id = 0;
    for round in 0..4u64 {
        for i in 0..3 * SPILL as u64 {
            let time = 1_000 * round + 1_000 * (i % 3);
            queue.push(SimTime(time), Event::Arrival(SourceId(id)));
            reference.insert((time, id));
            id += 1;
        }
        for _ in 0..2 * SPILL {
            let (time, id) = reference.pop_first().expect("pending");
            assert_eq!(
                queue.pop(),
                Some((SimTime(time), Event::Arrival(SourceId(id))))
            );
        }
    }
    while let Some((time, id)) = reference.pop_first() {
        assert_eq!(
            queue.pop(),
            Some((SimTime(time), Event::Arrival(SourceId(id))))
        );
    }
    assert_eq!(queue.pop(), None);
}

/// The check catches a queue that breaks ties last in, first out.
#[test]
fn negative_control_lifo_ties_fail_the_check() {
    let error = check(&mut LifoTies::default(), 1, 10).expect_err("LIFO ties are caught");
    assert!(error.contains("expected"), "{error}");
}

/// The backlog limit trips with the push that passes it, not before, whether the events
/// pile up in the heap or in the buckets; a pop of an event never clears it (the run stops).
#[test]
fn crowded_trips_exactly_past_the_backlog_limit() {
    let mut queue = EventQueue::with_capacity(16);
    for i in 0..MAX_BACKLOG as u64 {
        queue.push(SimTime(i % 1000 * 1_000_003), Event::Arrival(SourceId(0)));
    }
    assert_eq!(queue.len(), MAX_BACKLOG);
    assert!(!queue.crowded(), "at the limit");
    queue.push(SimTime(7), Event::Arrival(SourceId(0)));
    assert!(queue.crowded(), "one past it");
    queue.pop();
    assert!(queue.crowded());
}
