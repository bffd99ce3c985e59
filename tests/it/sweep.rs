//! Sweeps: every point against exact theory, refused points kept as results, common random
//! numbers, shards that add up to the whole, and output independent of the thread count.

use spillway::experiment::{self, Shard, SweepResult};
use spillway::model::{Grid, System};
use spillway::report::{self, SweepReport};
use spillway::scenario::{self, parse_axis, parse_load};
use spillway::stats::{Estimate, Figure, Scope};
use spillway::theory;

/// An M/M/c station with an unbounded queue: 3 workers are needed for 100/s at 25 ms.
const MMC: &str = r#"
[simulation]
duration = "400s"
warmup = "20s"
seed = 5

[[source]]
name = "web"
to = "api"
rate = "100/s"

[[service]]
name = "api"
workers = 3
service_time = { dist = "exponential", mean = "25ms" }
"#;

fn grid(vary: &[&str], load: Option<&str>) -> Grid {
    let mut axes: Vec<_> = vary.iter().map(|v| parse_axis(v).expect("axis")).collect();
    axes.extend(load.map(|l| parse_load(l).expect("load")));
    Grid::new(axes).expect("grid")
}

fn systems(text: &str, grid: &Grid) -> Vec<System> {
    (0..grid.len())
        .map(|p| {
            scenario::point_system(text, "mmc.toml", grid, p).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn run(text: &str, grid: Grid, replications: u64) -> SweepResult {
    let points = systems(text, &grid);
    let runs = experiment::sweep(&points, replications, Shard::WHOLE, &|| {});
    SweepResult::assemble(grid, replications, points, runs).expect("complete")
}

/// The 99.9% interval of a figure of the service at each point.
fn interval(result: &SweepResult, point: usize, figure: Figure) -> Estimate {
    let column = result
        .column(Scope::Service, "api", figure)
        .expect("column");
    let values: Vec<f64> = (result.points[point].samples.iter())
        .filter_map(|s| s.values[column])
        .collect();
    Estimate::from_samples(&values, 0.999)
}

#[test]
fn every_point_matches_erlang_c_and_an_unstable_point_is_a_result() {
    let result = run(MMC, grid(&["service.api.workers=2..5:1"], None), 20);
    let refused = result.points[0]
        .refused
        .as_ref()
        .expect("2 workers: load 1.25");
    assert_eq!(refused.kind(), "unstable");
    assert!(result.points[0].samples.is_empty());
    for (point, c) in [(1, 3), (2, 4), (3, 5)] {
        let exact = theory::mmc(100.0, 40.0, c).expect("stable");
        let wq = interval(&result, point, Figure::WaitMean);
        let p_wait = interval(&result, point, Figure::WaitProbability);
        assert!(wq.covers(exact.wq), "c={c}: Wq {wq:?} vs {}", exact.wq);
        assert!(
            p_wait.covers(exact.p_wait),
            "c={c}: P(wait) {p_wait:?} vs {}",
            exact.p_wait
        );
        // Negative control: the neighbouring staffing's exact wait lies outside.
        let other = theory::mmc(100.0, 40.0, c + 1).expect("stable");
        assert!(
            !wq.covers(other.wq),
            "c={c}: the interval cannot tell c from c+1"
        );
    }
}

#[test]
fn points_share_their_arrivals() {
    let grid = grid(&["service.api.workers=3,4"], None);
    let points = systems(MMC, &grid);
    let arrivals = |p: &System| experiment::run(p, 0).expect("runs").summary.sources[0].arrivals;
    assert_eq!(arrivals(&points[0]), arrivals(&points[1]));
    // Negative control: another replication draws other arrivals.
    let other = experiment::run(&points[0], 1)
        .expect("runs")
        .summary
        .sources[0]
        .arrivals;
    assert_ne!(arrivals(&points[0]), other);
}

#[test]
fn load_scales_every_rate() {
    let result = run(MMC, grid(&[], Some("0.5..1:3")), 2);
    let loads: Vec<f64> = (result.points.iter())
        .map(|p| p.system.traffic()[0].load())
        .collect();
    for (load, factor) in loads.iter().zip([0.5, 0.75, 1.0]) {
        assert!((load - factor * 100.0 / 120.0).abs() < 1e-12, "{loads:?}");
    }
}

#[test]
fn shards_add_up_to_the_whole_sweep() {
    let grid = grid(&["service.api.workers=2..4:1"], Some("0.8,1"));
    let points = systems(MMC, &grid);
    let whole = experiment::sweep(&points, 3, Shard::WHOLE, &|| {});
    let mut parts: Vec<_> = (0..4)
        .flat_map(|index| experiment::sweep(&points, 3, Shard { index, count: 4 }, &|| {}))
        .collect();
    assert_eq!(parts.len(), whole.len());
    parts.sort_by_key(|r| (r.point, r.replication));
    assert_eq!(parts, whole);
    // A missing or a doubled run is refused.
    let mut short = whole.clone();
    short.pop();
    assert!(SweepResult::assemble(grid.clone(), 3, points.clone(), short).is_err());
    let mut doubled = whole.clone();
    doubled.push(whole[0].clone());
    let error = SweepResult::assemble(grid, 3, points, doubled).unwrap_err();
    assert!(error.contains("twice"), "{error}");
}

#[test]
fn the_document_is_the_same_whatever_the_thread_count() {
    let json = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        pool.install(|| {
            let result = run(MMC, grid(&["service.api.workers=3,4"], Some("0.9,1")), 3);
            let report = SweepReport {
                command: "spillway sweep mmc.toml",
                scenario_path: "mmc.toml",
                scenario_text: MMC,
                sweep: &result,
            };
            report::render_sweep_json(&report)
        })
    };
    let one = json(1);
    assert_eq!(one, json(2));
    super::schema::assert_conforms(&one);
}
