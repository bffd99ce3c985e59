//! Worker crashes and outages against what must hold exactly: the long-run share of
//! workers up (an alternating renewal process: mtbf / (mtbf + mean restart)), lost work
//! that equals the crashes of busy workers, lost work as failures or timeouts, queues kept
//! or lost with the service, and stale events of lost work ignored.

use spillway::experiment;
use spillway::model::{ServiceId, SimDuration, SimTime, System};
use spillway::sim::{Engine, Observer};
use spillway::stats::{Estimate, FaultSummary, RunSummary};

use super::system;

const CONFIDENCE: f64 = 0.999;

fn replicate(system: &System, n: u64) -> Vec<RunSummary> {
    experiment::replicate(system, n)
        .expect("runs")
        .into_iter()
        .map(|r| r.summary)
        .collect()
}

fn faults(run: &RunSummary, service: usize) -> FaultSummary {
    run.services[service].faults.expect("the service can fail")
}

/// Eight workers crashing with exponential times (mean 10 minutes) and restarting after
/// exponential times (mean 1 minute), lightly loaded so that the queue never matters.
fn crashing(mtbf: &str, restart: &str) -> System {
    system(&format!(
        r#"
[simulation]
duration = "10h"
warmup = "30m"
[[source]]
name = "web"
to = "api"
rate = "5/s"
[[service]]
name = "api"
workers = 8
service_time = {{ dist = "exponential", mean = "100ms" }}
crash = {{ mtbf = {mtbf}, restart = {restart} }}
"#
    ))
}

#[test]
fn issue_11_the_share_of_workers_up_is_mtbf_over_mtbf_plus_restart() {
    let runs = replicate(
        &crashing("\"10m\"", "{ dist = \"exponential\", mean = \"1m\" }"),
        20,
    );
    let up: Vec<f64> = runs.iter().map(|r| faults(r, 0).up_fraction).collect();
    let e = Estimate::from_samples(&up, CONFIDENCE);
    let exact = 10.0 / 11.0;
    assert!(e.covers(exact), "up {e:?} against {exact}");
    // Negative control: the interval is narrow enough to refuse a restart twice as long.
    assert!(!e.covers(10.0 / 12.0), "up {e:?} also covers 10/12");
    // Every crash restarted but those at the edges of the window (at most one per worker),
    // and Little's law holds with lost work departing.
    for r in &runs {
        let f = faults(r, 0);
        assert!(f.crashes.abs_diff(f.restarts) <= 8, "{f:?}");
        assert!(r.services[0].little.holds(), "{:?}", r.services[0].little);
    }
}

/// A single worker kept always busy, crashing every 5 minutes or so.
const SATURATED: &str = r#"
[simulation]
duration = "10h"
[[source]]
name = "web"
to = "api"
rate = "20/s"
[[service]]
name = "api"
workers = 1
queue = { capacity = 50 }
service_time = { dist = "exponential", mean = "100ms" }
crash = { mtbf = "5m", restart = "10s" }
"#;

/// A saturated single worker (always busy) whose client has no timeout: every crash loses
/// what the worker holds, and the client sees each loss as a failure.
#[test]
fn issue_11_a_crash_of_a_busy_worker_loses_its_work_and_the_client_sees_a_failure() {
    let base = SATURATED;
    let run = &replicate(&system(base), 1)[0];
    let f = faults(run, 0);
    assert!(f.crashes > 50, "{f:?}");
    assert_eq!(f.lost, f.crashes, "every crash found the worker busy");
    assert_eq!(
        run.sources[0].failed, f.lost,
        "each loss is the client's failure"
    );
    // Negative control: with no work, no crash loses anything.
    let idle = system(&base.replace("rate = \"20/s\"", "rate = \"0.001/s\""));
    let f = faults(&replicate(&idle, 1)[0], 0);
    assert!(f.crashes > 50 && f.lost == 0, "{f:?}");
}

#[test]
fn issue_11_a_caller_with_a_timeout_sees_lost_work_only_as_its_timeout() {
    let toml = SATURATED.replace("rate = \"20/s\"", "rate = \"20/s\"\ntimeout = \"2s\"");
    let run = &replicate(&system(&toml), 1)[0];
    let f = faults(run, 0);
    assert!(f.lost > 50, "{f:?}");
    assert_eq!(
        run.sources[0].failed, 0,
        "no failure reaches a caller that times out"
    );
    assert!(run.sources[0].timed_out >= f.lost, "{:?}", run.sources[0]);
}

/// The whole service down for 10 minutes under a steady load: with its queue kept, queued
/// work waits and nothing is refused; with it lost, the queue's work is lost and arrivals
/// during the outage are refused (about 10/s × 600 s).
#[test]
fn issue_11_an_outage_keeps_or_loses_the_queue() {
    let toml = |fate: &str| {
        system(&format!(
            r#"
[simulation]
duration = "2h"
[[source]]
name = "web"
to = "api"
rate = "10/s"
[[service]]
name = "api"
workers = 2
queue = {{ capacity = 10000 }}
service_time = {{ dist = "exponential", mean = "100ms" }}
schedule = [{{ at = "30m", outage = "{fate}", for = "10m" }}]
"#
        ))
    };
    let kept = &replicate(&toml("kept"), 1)[0];
    let f = faults(kept, 0);
    assert_eq!((f.crashes, f.restarts, f.refused), (2, 2, 0), "{f:?}");
    assert!(f.lost <= 2, "only what the two workers held: {f:?}");
    let degraded = f.degraded_fraction * kept.measured_secs;
    assert!((degraded - 600.0).abs() < 1e-6, "down for {degraded} s");
    let lost = &replicate(&toml("lost"), 1)[0];
    let f = faults(lost, 0);
    let refused = f.refused as f64;
    // Poisson arrivals over 600 s: 6,000 expected, standard deviation about 77.
    assert!((refused - 6000.0).abs() < 4.0 * 6000f64.sqrt(), "{f:?}");
    assert_eq!(
        lost.sources[0].failed,
        f.lost + f.refused,
        "{:?}",
        lost.sources[0]
    );
}

/// Constant one-second work and frequent crashes: a lost task's pending end of work stays
/// in the event list after its slot is reused by new work. Were it not recognised as stale,
/// it would end the new work early, in less than its one second.
#[test]
fn issue_11_a_stale_end_of_work_does_not_end_the_work_that_reuses_its_slot() {
    let toml = r#"
[simulation]
duration = "10h"
[[source]]
name = "web"
to = "api"
interarrival = { dist = "exponential", mean = "1.2s" }
[[service]]
name = "api"
workers = 1
queue = { capacity = 5 }
service_time = { dist = "constant", value = "1s" }
crash = { mtbf = { dist = "exponential", mean = "3s" }, restart = "1ms" }
"#;
    let system = system(toml);
    let mut watch = Served::default();
    Engine::new(&system, 0)
        .expect("stable")
        .run(&mut watch)
        .expect("runs");
    assert!(watch.lost > 1000 && watch.served > 1000, "{watch:?}");
    assert!(
        watch.shortest >= SimDuration::from_secs_f64(1.0).expect("valid"),
        "{watch:?}"
    );
}

/// The one worker's service times: from each start to its completion (or loss).
#[derive(Debug, Default)]
struct Served {
    started: Option<SimTime>,
    served: u64,
    lost: u64,
    shortest: SimDuration,
}

impl Observer for Served {
    fn on_start(&mut self, at: SimTime, _: ServiceId, _: SimDuration, _: bool) {
        self.started = Some(at);
    }
    fn on_complete(&mut self, at: SimTime, _: ServiceId, _: SimDuration, _: bool) {
        let took = at - self.started.take().expect("a completion follows a start");
        if self.served == 0 || took < self.shortest {
            self.shortest = took;
        }
        self.served += 1;
    }
    fn on_lost(&mut self, _: SimTime, _: ServiceId, _: SimDuration, queued: bool) {
        if !queued {
            self.started = None;
            self.lost += 1;
        }
    }
}

/// A one-minute partition under 10 requests/s: refusing, the client fails about 600 of
/// them at once; dropping, nothing is refused, the client's 1-second timeouts fire for
/// every request sent meanwhile, and the held work reaches the service when it heals, where
/// its backlog (abandoned, 15 s of work for 4 workers) times out some requests after it.
#[test]
fn issue_11_a_partition_refuses_or_holds_what_callers_send() {
    let toml = |mode: &str| {
        system(&format!(
            r#"
[simulation]
duration = "20m"
[[source]]
name = "web"
to = "api"
rate = "10/s"
timeout = "1s"
[[service]]
name = "api"
workers = 4
queue = {{ capacity = 10000 }}
service_time = {{ dist = "exponential", mean = "100ms" }}
schedule = [{{ at = "10m", partition = "{mode}", for = "1m" }}]
"#
        ))
    };
    let bound = 4.0 * 600f64.sqrt();
    let refuse = &replicate(&toml("refuse"), 1)[0];
    let f = faults(refuse, 0);
    assert!((f.refused as f64 - 600.0).abs() < bound, "{f:?}");
    assert_eq!((f.crashes, f.lost), (0, 0), "{f:?}");
    assert_eq!(refuse.sources[0].failed, f.refused);
    let drop = &replicate(&toml("drop"), 1)[0];
    let f = faults(drop, 0);
    assert_eq!(f.refused, 0, "{f:?}");
    let timed_out = drop.sources[0].timed_out as f64;
    assert!(timed_out > 600.0 - bound, "{:?}", drop.sources[0]);
    assert!(
        drop.services[0].wasted_secs > 30.0,
        "the held work is served for nobody"
    );
    // The held work arrives at once when the partition heals: the queue holds it then.
    let api = &drop.services[0];
    assert!(
        api.wait.max > 5.0,
        "held work waited in the queue after the heal: {api:?}"
    );
    assert!(
        refuse.services[0].wait.max < 5.0,
        "nothing piles up when refused"
    );
}

/// Workers crashing at random every minute or so, and a two-minute outage that loses the
/// queue: a worker down after a random crash when the outage starts stays down with the
/// others (its restart does not bring it back early), so nothing starts during the outage.
#[test]
fn issue_11_nothing_is_served_during_an_outage_whatever_random_crashes_do() {
    let toml = r#"
[simulation]
duration = "1h"
[[source]]
name = "web"
to = "api"
rate = "20/s"
[[service]]
name = "api"
workers = 4
queue = { capacity = 100 }
service_time = { dist = "exponential", mean = "100ms" }
crash = { mtbf = "1m", restart = "30s" }
schedule = [{ at = "10m", outage = "lost", for = "2m" }]
"#;
    let system = system(toml);
    for replication in 0..5 {
        let mut starts = StartsIn {
            from: SimTime::ZERO + SimDuration::from_secs_f64(600.0).expect("valid"),
            to: SimTime::ZERO + SimDuration::from_secs_f64(720.0).expect("valid"),
            count: 0,
        };
        Engine::new(&system, replication)
            .expect("stable")
            .run(&mut starts)
            .expect("runs");
        assert_eq!(starts.count, 0, "replication {replication}");
    }
}

/// Work started at a service between two instants.
struct StartsIn {
    from: SimTime,
    to: SimTime,
    count: u64,
}

impl Observer for StartsIn {
    fn on_start(&mut self, at: SimTime, _: ServiceId, _: SimDuration, _: bool) {
        self.count += u64::from(at > self.from && at < self.to);
    }
}

/// A task waiting for a synchronous call whose attempts fail and back off is lost with its
/// worker: its call stops at the end of the backoff, and every client request is answered
/// exactly once (the counts balance; a retry of the orphaned call would reach a client
/// request already freed).
#[test]
fn issue_11_a_call_whose_caller_was_lost_stops_and_every_request_is_answered_once() {
    let toml = r#"
[simulation]
duration = "2h"
[[source]]
name = "web"
to = "api"
rate = "10/s"
[[service]]
name = "api"
workers = 40
queue = { capacity = 100 }
steps = [{ call = "db", retry = { max_attempts = 5, base = "500ms", jitter = "none" } }]
crash = { mtbf = "20s", restart = "1s" }
[[service]]
name = "db"
workers = 4
service_time = { dist = "exponential", mean = "10ms" }
error_rate = 0.5
"#;
    for run in replicate(&system(toml), 4) {
        let web = &run.sources[0];
        let f = faults(&run, 0);
        assert!(f.lost > 100, "{f:?}");
        let answered = web.completed + web.rejected + web.timed_out + web.failed;
        let in_flight = run.system.in_flight;
        assert!(
            web.arrivals.abs_diff(answered) <= in_flight + 60,
            "{} arrivals, {answered} answered, {in_flight} in flight",
            web.arrivals
        );
        assert!(run.system.little.holds(), "{:?}", run.system.little);
    }
}
