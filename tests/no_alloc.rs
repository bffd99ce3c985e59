//! The event loop allocates nothing per event: a counting global allocator (its own test
//! binary, since a global allocator is per binary) sees zero allocations during runs of
//! bounded models, whose buffers are all sized up front: one of plain requests (the
//! engine's fast path) and one with timeouts, retries, calls and fan-out (the general
//! path), one whose workers crash and whose services go down (the fault paths), and one
//! whose autoscalers order and remove workers, with crashes alongside, and one of broker
//! queues that redeliver, make copies and dead-letter. The
//! time series, which allocates once per window closed, is not attached.

use std::alloc::{GlobalAlloc, Layout, System as SystemAlloc};
use std::cell::Cell;

use spillway::sim::Engine;
use spillway::stats::Recorder;

struct Counting;

thread_local! {
    /// Allocations made by this thread while `counting` is on. Per thread, because the test
    /// harness's own threads allocate at any moment.
    static ALLOCATIONS: Cell<u64> = const { Cell::new(0) };
    static COUNTING: Cell<bool> = const { Cell::new(false) };
}

fn note_allocation() {
    if COUNTING.with(Cell::get) {
        ALLOCATIONS.with(|n| n.set(n.get() + 1));
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; we only count.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        note_allocation();
        unsafe { SystemAlloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { SystemAlloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        note_allocation();
        unsafe { SystemAlloc.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

const BOUNDED: &str = r#"
[simulation]
requests = 200_000
warmup = "10s"
[[source]]
name = "in"
to = "api"
rate = "95/s"
[[source]]
name = "batch"
to = "api"
interarrival = { dist = "lognormal", mean = "100ms", p99 = "900ms" }
[[service]]
name = "api"
workers = 4
queue = { capacity = 50, discipline = "lifo" }
service_time = { dist = "gamma", shape = 2, mean = "40ms" }
then = [{ to = "db", p = 0.5 }]
[[service]]
name = "db"
workers = 1
queue = { capacity = 20 }
service_time = { dist = "hyperexponential", mean = "15ms", cv = 3 }
"#;

/// Runs `toml` with a recorder; returns the events and the allocations during the run.
fn count_allocations(toml: &str) -> (u64, u64) {
    let system = spillway::scenario::parse(toml, "test.toml").expect("valid");
    let mut recorder = Recorder::new(&system);
    let engine = Engine::new(&system, 0).expect("stable");
    ALLOCATIONS.with(|n| n.set(0));
    COUNTING.with(|c| c.set(true));
    let outcome = engine.run(&mut recorder);
    COUNTING.with(|c| c.set(false));
    (outcome.expect("runs").events, ALLOCATIONS.with(Cell::get))
}

/// Runs `toml` with a recorder and asserts that it allocates nothing during the run.
fn assert_no_allocations(toml: &str, min_events: u64) {
    let (events, during) = count_allocations(toml);
    assert!(events > min_events, "{events} events");
    assert_eq!(during, 0, "{during} allocations in {events} events");
}

#[test]
fn a_run_allocates_nothing_per_event() {
    assert_no_allocations(BOUNDED, 400_000);
}

/// Clients that time out and retry with jittered backoff and a budget, a synchronous call
/// and an asynchronous fan-out: the general path, with call records, timers and messages.
const CLIENTS: &str = r#"
[simulation]
requests = 100_000
warmup = "10s"
[[source]]
name = "web"
to = "api"
rate = "60/s"
timeout = "300ms"
retry = { max_attempts = 3, base = "20ms", jitter = "decorrelated", budget = { ratio = 0.2 } }
[[service]]
name = "api"
workers = 4
queue = { capacity = 20 }
drop_expired = true
steps = [
  { work = { dist = "exponential", mean = "20ms" } },
  { call = "db", timeout = "100ms", retry = { max_attempts = 2 } },
  { publish = "mail", fanout = { dist = "uniform", min = 0, max = 3 } },
]
[[service]]
name = "db"
workers = 2
queue = { capacity = 10 }
service_time = { dist = "lognormal", mean = "15ms", p99 = "120ms" }
error_rate = 0.02
[[service]]
name = "mail"
workers = 2
queue = { capacity = 50 }
service_time = { dist = "exponential", mean = "10ms" }
"#;

#[test]
fn clients_calls_and_messages_allocate_nothing_per_event() {
    assert_no_allocations(CLIENTS, 400_000);
}

/// Random worker crashes (losing work held in service, a synchronous call's caller among
/// it), scheduled crashes, outages that keep or lose the queue, and partitions that refuse
/// or hold work: the fault paths.
const FAULTS: &str = r#"
[simulation]
duration = "2h"
warmup = "10s"
[[source]]
name = "web"
to = "api"
rate = "60/s"
timeout = "300ms"
retry = { max_attempts = 3, base = "20ms", jitter = "full" }
[[source]]
name = "batch"
to = "db"
rate = "20/s"
[[service]]
name = "api"
workers = 4
queue = { capacity = 20 }
steps = [
  { work = { dist = "exponential", mean = "20ms" } },
  { call = "db", timeout = "100ms" },
  { publish = "mail" },
]
crash = { mtbf = "2m", restart = { dist = "exponential", mean = "5s" } }
schedule = [
  { at = "20m", crash = 2, for = "1m" },
  { at = "40m", outage = "lost", for = "2m" },
  { at = "60m", workers = 6 },
  { at = "80m", outage = "kept", for = "2m" },
  { at = "100m", workers = 3 },
]
[[service]]
name = "db"
workers = 2
queue = { capacity = 10 }
service_time = { dist = "exponential", mean = "15ms" }
crash = { mtbf = "3m", restart = "2s" }
schedule = [{ at = "50m", partition = "refuse", for = "1m" }]
[[service]]
name = "mail"
workers = 2
queue = { capacity = 50 }
service_time = { dist = "exponential", mean = "10ms" }
schedule = [
  { at = "30m", outage = "lost", for = "1m" },
  { at = "70m", partition = "drop", for = "1m" },
]
"#;

/// The fault model's buffers may still grow during its first outages and partitions
/// (retries, the timers of lost attempts and the work a partition holds pile up beyond what
/// the model's places bound), amortised; but twice the run allocates no more than the run:
/// nothing per event.
#[test]
fn crashes_and_outages_allocate_nothing_per_event() {
    assert_no_growth(FAULTS, 2_000_000);
}

/// Runs `toml` (a 2-hour model) and the same for 4 hours: the second, with at least
/// `more` events more, allocates no more than the first.
fn assert_no_growth(toml: &str, more: u64) {
    let longer = toml.replace("duration = \"2h\"", "duration = \"4h\"");
    let (events, allocations) = count_allocations(toml);
    let (more_events, more_allocations) = count_allocations(&longer);
    assert!(
        more_events > events + more,
        "{events} then {more_events} events"
    );
    assert_eq!(
        allocations, more_allocations,
        "{allocations} allocations in {events} events, {more_allocations} in {more_events}"
    );
}

/// Load that swings between 20/s and 90/s every 20 minutes into an autoscaled service
/// (decisions, orders with a start-up delay, scale-ins after the cooldown) whose workers
/// also crash, in front of an autoscaled bounded queue tracking its queue length.
const AUTOSCALED: &str = r#"
[simulation]
duration = "2h"
warmup = "10s"

[[source]]
name = "web"
to = "api"
rate = "20/s"
schedule = [
  { at = "10m", rate = "90/s", for = "20m" },
  { at = "50m", rate = "90/s", for = "20m" },
  { at = "90m", rate = "90/s", for = "20m" },
  { at = "130m", rate = "90/s", for = "20m" },
  { at = "170m", rate = "90/s", for = "20m" },
  { at = "210m", rate = "90/s", for = "20m" },
]

[[service]]
name = "api"
workers = 4
queue = { capacity = 500 }
service_time = { dist = "exponential", mean = "100ms" }
crash = { mtbf = "5m", restart = "10s" }
autoscale = { metric = "utilisation", target = 0.6, min = 2, max = 40, interval = "15s", scale_out_delay = "1m", scale_in_cooldown = "2m" }
then = "db"

[[service]]
name = "db"
workers = 2
queue = { capacity = 200 }
service_time = { dist = "exponential", mean = "20ms" }
autoscale = { metric = "queue_length", target = 1, min = 1, max = 10, interval = "10s", scale_out_delay = "20s", scale_in_cooldown = "1m" }
"#;

/// As the fault model: the buffers may grow early, amortised, but twice the run allocates
/// no more than the run.
#[test]
fn autoscaling_allocates_nothing_per_event() {
    assert_no_growth(AUTOSCALED, 1_000_000);
}

/// Broker queues under consumer crashes: acknowledged (redelivered at the head, dead-lettered
/// past the delivery limit) and at least once (hidden, then visible again; copies of slow
/// receives; dead-lettered past `max_receives`), fed by a publishing front end.
const BROKERS: &str = r#"
[simulation]
duration = "2h"
warmup = "10s"
[[source]]
name = "web"
to = "api"
rate = "40/s"
[[service]]
name = "api"
workers = 4
queue = { capacity = 50 }
steps = [
  { work = { dist = "exponential", mean = "10ms" } },
  { publish = "orders" },
  { publish = "emails" },
]
[[service]]
name = "orders"
workers = 4
queue = { capacity = 200, delivery = "acknowledged", delivery_limit = 2 }
service_time = { dist = "exponential", mean = "50ms" }
crash = { mtbf = "1m", restart = "2s" }
[[service]]
name = "emails"
workers = 6
queue = { capacity = 400, delivery = "at-least-once", visibility_timeout = "200ms", max_receives = 3 }
service_time = { dist = "exponential", mean = "100ms" }
crash = { mtbf = "2m", restart = "5s" }
"#;

/// As the fault model: the buffers may grow early, amortised, but twice the run allocates
/// no more than the run.
#[test]
fn redelivering_brokers_allocate_nothing_per_event() {
    assert_no_growth(BROKERS, 1_000_000);
}
