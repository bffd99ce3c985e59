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
        if replication == 0 {
            eprintln!("{:?}\n{:?}", t.workers, t.scales);
        }
    }
}
