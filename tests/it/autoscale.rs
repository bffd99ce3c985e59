//! Issue 11, part 3: target-tracking autoscaling. Workers follow the target within the
//! configured delays after a step in load, never before the start-up delay; scale-ins
//! keep the cooldown; crashes and outages keep working alongside; the oracle claims no
//! exact theory for an autoscaled service; stability is judged at `max` workers.

use spillway::model::{ServiceId, SimTime, System};
use spillway::sim::{Engine, Observer};

use super::system;

/// What the autoscaler did, as the engine reports it.
#[derive(Default)]
struct Trace {
    /// (time, workers configured) at each change.
    workers: Vec<(SimTime, u32)>,
    /// (time, capacity before, capacity after) at each scaling decision.
    scales: Vec<(SimTime, u32, u32)>,
}

impl Observer for Trace {
    fn on_workers(&mut self, at: SimTime, _service: ServiceId, workers: u32) {
        self.workers.push((at, workers));
    }
    fn on_scale(&mut self, at: SimTime, _service: ServiceId, from: u32, to: u32) {
        self.scales.push((at, from, to));
    }
}

impl Trace {
    /// Workers configured at `t` (the last change at or before it), starting at `initial`.
    fn workers_at(&self, t: SimTime, initial: u32) -> u32 {
        (self.workers.iter())
            .take_while(|(at, _)| *at <= t)
            .last()
            .map_or(initial, |&(_, w)| w)
    }
}

fn trace(system: &System, replication: u64) -> Trace {
    let mut trace = Trace::default();
    let engine = Engine::new(system, replication).expect("stable");
    engine.run(&mut trace).expect("runs");
    trace
}

fn secs(s: u64) -> SimTime {
    SimTime(s * 1_000_000_000)
}

/// 10/s, stepping to 40/s at 10 minutes, on exponential 1 s work; target utilisation 0.5,
/// so 20 workers before the step and 80 after. `min` 40 gives the head-room that lets one
/// decision see the whole step (a saturated service's utilisation cannot exceed 1, so
/// from 20 workers each decision can at most double them).
fn step(min: u32, autoscale_extra: &str) -> System {
    system(&format!(
        r#"
[simulation]
duration = "30m"
seed = 5
[[source]]
name = "web"
to = "api"
rate = "10/s"
schedule = [ {{ at = "10m", rate = "40/s" }} ]
[[service]]
name = "api"
workers = {min}
service_time = {{ dist = "exponential", mean = "1s" }}
autoscale = {{ metric = "utilisation", target = 0.5, min = {min}, max = 200, interval = "30s", scale_out_delay = "2m"{autoscale_extra} }}
"#
    ))
}

#[test]
fn issue_11_workers_follow_a_step_within_interval_plus_delay_and_never_before_the_delay() {
    for replication in 0..5 {
        let t = trace(&step(40, ""), replication);
        let (step_at, interval, delay) = (600, 30, 120);
        // Nothing new is up before the start-up delay has passed since the step.
        assert_eq!(t.workers_at(secs(step_at + delay - 1), 40), 40);
        // Within interval + delay the workers are about 80 (the decision 30 s after the
        // step sees a whole interval at 40/s: busy about 40, so 40 / 0.5).
        let reached = t.workers_at(secs(step_at + interval + delay), 40);
        assert!(
            (72..=90).contains(&reached),
            "replication {replication}: {reached} workers at step + interval + delay: {:?}",
            t.workers
        );
        // And they stay about there: 40/s on 1 s work at utilisation 0.5.
        let late = t.workers_at(secs(1700), 40);
        assert!((68..=95).contains(&late), "{late} workers late in the run");
    }
}

/// Load falls from 40/s to 10/s at 10 minutes and wobbles around a queue-length target,
/// so the autoscaler wants to scale in often: with `cooldown`, how close do scale-ins
/// come to each other and to the action before them?
fn falling(cooldown: &str) -> System {
    system(&format!(
        r#"
[simulation]
duration = "1h"
seed = 9
[[source]]
name = "web"
to = "api"
rate = "40/s"
schedule = [ {{ at = "10m", rate = "10/s" }} ]
[[service]]
name = "api"
workers = 80
service_time = {{ dist = "exponential", mean = "1s" }}
autoscale = {{ metric = "in_flight_per_worker", target = 0.6, min = 5, max = 120, interval = "20s", scale_out_delay = "30s", scale_in_cooldown = "{cooldown}" }}
"#
    ))
}

/// The shortest time from any scaling action to a scale-in after it, seconds.
fn closest_scale_in(t: &Trace) -> Option<f64> {
    (t.scales.windows(2))
        .filter(|w| w[1].2 < w[1].1)
        .map(|w| (w[1].0 - w[0].0).as_secs_f64())
        .reduce(f64::min)
}

#[test]
fn issue_11_scale_ins_keep_the_cooldown() {
    for replication in 0..5 {
        let t = trace(&falling("5m"), replication);
        let ins = t.scales.iter().filter(|s| s.2 < s.1).count();
        assert!(ins >= 2, "too few scale-ins to test: {:?}", t.scales);
        let closest = closest_scale_in(&t).expect("scale-ins after an action");
        assert!(
            closest >= 300.0,
            "a scale-in {closest} s after the last action"
        );
        // Workers fall to about 10/s x 1 s / 0.6 = 17 (within the run).
        let last = t.workers.last().expect("changes").1;
        assert!((12..=25).contains(&last), "{last} workers at the end");
    }
}

#[test]
fn issue_11_the_cooldown_check_can_fail() {
    // Negative control: without a cooldown the same model scales in within 5 minutes of
    // an earlier action, so the check above is not vacuous.
    let t = trace(&falling("0s"), 0);
    let closest = closest_scale_in(&t).expect("scale-ins after an action");
    assert!(
        closest < 300.0,
        "closest scale-in {closest} s: the check cannot fail"
    );
}

#[test]
fn issue_11_autoscaling_with_crashes_and_an_outage_keeps_both_working() {
    let system = system(
        r#"
[simulation]
duration = "2h"
warmup = "5m"
seed = 4
[[source]]
name = "web"
to = "api"
rate = "20/s"
schedule = [ { at = "40m", rate = "60/s" }, { at = "80m", rate = "20/s" } ]
[[service]]
name = "api"
workers = 10
queue = { capacity = 2000 }
service_time = { dist = "exponential", mean = "500ms" }
crash = { mtbf = "10m", restart = "1m" }
schedule = [ { at = "60m", outage = "lost", for = "1m" } ]
autoscale = { metric = "utilisation", target = 0.6, min = 5, max = 100, interval = "30s", scale_out_delay = "1m", scale_in_cooldown = "3m" }
"#,
    );
    let runs = spillway::experiment::replicate(&system, 3).expect("runs");
    for run in &runs {
        let s = &run.summary.services[0];
        let (f, a) = (
            s.faults.expect("can fail"),
            s.autoscale.expect("autoscaled"),
        );
        assert!(f.crashes > 0 && f.lost > 0 && f.refused > 0, "{f:?}");
        assert!(a.scale_outs > 0 && a.scale_ins > 0, "{a:?}");
        assert!(a.workers_min >= 5 && a.workers_max <= 100, "{a:?}");
        assert!(a.workers_max >= 50, "60/s on 0.5 s at 0.6 wants 50: {a:?}");
        assert!(
            f64::from(a.workers_min) <= a.workers_mean
                && a.workers_mean <= f64::from(a.workers_max)
        );
        assert!(s.little.relative_error < 0.01, "{:?}", s.little);
    }
}

#[test]
fn issue_11_an_unbounded_autoscaled_queue_is_judged_at_max_workers() {
    let scenario = |max: u32| {
        system(&format!(
            r#"
[simulation]
duration = "1m"
[[source]]
name = "web"
to = "api"
rate = "50/s"
[[service]]
name = "api"
workers = 2
service_time = {{ dist = "exponential", mean = "100ms" }}
autoscale = {{ metric = "utilisation", target = 0.7, min = 2, max = {max} }}
"#
        ))
    };
    // 50/s on 100 ms work is a load of 5 workers: 8 suffice, 5 do not.
    assert_eq!(spillway::sim::check_stable(&scenario(8)), Ok(()));
    match spillway::sim::check_stable(&scenario(5)) {
        Err(spillway::sim::RunError::Unstable { workers, .. }) => assert_eq!(workers, 5),
        other => panic!("expected unstable at max = 5 workers, got {other:?}"),
    }
}

/// The JSON of a run and of a study of an autoscaled service conform to the schema and
/// carry the autoscaler's figures; a service without one has none.
#[test]
fn issue_11_autoscale_figures_reach_the_json_documents() {
    use spillway::experiment::{self, Plan};
    use spillway::report::{self, Design, Report, RunReport};
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/autoscale-too-slow.toml"
    ))
    .expect("bundled");
    let system = system(&text);
    let run = experiment::run(&system, 0).expect("runs");
    let json = report::render_json(&RunReport {
        scenario_path: "autoscale-too-slow.toml",
        scenario_text: &text,
        system: &system,
        run: &run,
    });
    super::schema::assert_conforms(&json);
    let value: serde_json::Value = serde_json::from_slice(&json).expect("JSON");
    let a = &value["services"][0]["autoscale"];
    assert!(a["scale_outs"].as_u64().expect("scale_outs") >= 3, "{a}");
    assert!(a["workers_max"].as_u64().expect("workers_max") > 15, "{a}");
    let study = experiment::study(&system, &Plan::fixed(2), &|| {}).expect("runs");
    let doc = Report {
        command: "spillway run autoscale-too-slow.toml",
        designs: vec![Design {
            name: "a",
            scenario_path: "autoscale-too-slow.toml",
            scenario_text: &text,
            study: &study,
        }],
    };
    let json = report::render_report_json(&doc);
    super::schema::assert_conforms(&json);
    let json = String::from_utf8(json).expect("UTF-8");
    assert!(json.contains("\"scale_outs\"") && json.contains("\"workers_mean\""));
    let files = report::files(&doc);
    assert!(files.iter().any(|(name, _)| name == "workers.svg"));
    let csv = String::from_utf8(report::render_csv(&doc)).expect("UTF-8");
    assert!(
        csv.lines()
            .next()
            .expect("header")
            .ends_with(",workers.api")
    );
}
