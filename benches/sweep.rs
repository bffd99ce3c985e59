//! A sweep against the same runs done one after another: 200 points (queue capacities 1 to
//! 200) × 10 replications of `scenarios/quickstart.toml`.
//!
//! `cargo bench --bench sweep` prints the wall time of 2,000 single runs back to back on one
//! thread (each as `spillway run` does it: `experiment::study`, one replication), of the
//! same sweep on one thread and on every core, and the ratios. Results and the machine go in
//! benches/README.md.

use std::time::Instant;

use spillway::experiment::{self, Plan, Shard};
use spillway::model::{Grid, System};

const POINTS: &str = "service.api.queue.capacity=1..200:1";
const REPLICATIONS: u64 = 10;

fn points() -> Vec<System> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");
    let text = std::fs::read_to_string(path).expect("the quickstart is bundled");
    let grid =
        Grid::new(vec![spillway::scenario::parse_axis(POINTS).expect("axis")]).expect("grid");
    (0..grid.len())
        .map(|p| spillway::scenario::point_system(&text, path, &grid, p).expect("valid"))
        .collect()
}

/// Seconds of wall time `work` takes on a pool of `threads`.
fn timed(threads: usize, work: impl FnOnce() -> u64 + Send) -> (f64, u64) {
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .build()
        .expect("pool");
    // A benchmark measures wall time; nothing here feeds a result.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let events = pool.install(work);
    (started.elapsed().as_secs_f64(), events)
}

fn main() {
    let points = points();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let single = |points: &[System]| {
        let mut events = 0;
        for point in points {
            for seed in 0..REPLICATIONS {
                let system = point.clone().with_seed(seed);
                let plan = Plan {
                    time_series: false,
                    ..Plan::fixed(1)
                };
                events += experiment::study(&system, &plan, &|| {})
                    .expect("runs")
                    .events;
            }
        }
        events
    };
    let sweep = |points: &[System]| {
        let runs = experiment::sweep(points, REPLICATIONS, Shard::WHOLE, &|| {});
        runs.len() as u64
    };
    let (back_to_back, events) = timed(1, || single(&points));
    let (one_thread, runs) = timed(1, || sweep(&points));
    let (all_cores, _) = timed(cores, || sweep(&points));
    println!(
        "{} points × {REPLICATIONS} replications ({runs} runs, {events} events in the single runs)",
        points.len()
    );
    println!("2000 single runs back to back, 1 thread: {back_to_back:.2} s");
    println!(
        "sweep on 1 thread:                      {one_thread:.2} s ({:.3}× the single runs)",
        one_thread / back_to_back
    );
    println!(
        "sweep on {cores} threads:                     {all_cores:.2} s ({:.3}× the single runs, speed-up {:.2} on {cores} cores)",
        all_cores / back_to_back,
        one_thread / all_cores
    );
}
