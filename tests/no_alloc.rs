//! The event loop allocates nothing per event: a counting global allocator (its own test
//! binary, since a global allocator is per binary) sees zero allocations during a run of a
//! bounded model, whose buffers are all sized up front. Only the running thread's
//! allocations count: the test harness's own threads may allocate meanwhile.

use std::alloc::{GlobalAlloc, Layout, System as SystemAlloc};
use std::cell::Cell;
use std::sync::atomic::{AtomicU64, Ordering};

use spillway::sim::Engine;
use spillway::stats::Recorder;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// Set on the thread whose allocations are counted.
    static WATCHED: Cell<bool> = const { Cell::new(false) };
}

fn count() {
    // `try_with`: thread-local storage may already be gone while a thread exits.
    if WATCHED.try_with(Cell::get).unwrap_or(false) {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; we only count.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count();
        unsafe { SystemAlloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { SystemAlloc.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count();
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

#[test]
fn a_run_allocates_nothing_per_event() {
    let system = spillway::scenario::parse(BOUNDED, "bounded.toml").expect("valid");
    let mut recorder = Recorder::new(&system);
    let engine = Engine::new(&system, 0).expect("stable");
    let before = ALLOCATIONS.load(Ordering::Relaxed);
    WATCHED.with(|w| w.set(true));
    let outcome = engine.run(&mut recorder).expect("runs");
    WATCHED.with(|w| w.set(false));
    let during = ALLOCATIONS.load(Ordering::Relaxed) - before;
    assert!(outcome.events > 400_000, "{outcome:?}");
    assert_eq!(
        during, 0,
        "{during} allocations in {} events",
        outcome.events
    );
}
