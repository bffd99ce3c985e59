//! Capacity plans: the answer against Erlang-C staffing computed here, independently of the
//! crate's theory; infeasible SLOs found without searching; undecided candidates said so.

use spillway::experiment::{self, Bound, Comparison, Effort, Slo, Verdict};
use spillway::model::{Grid, System};
use spillway::scenario::{self, parse_axis};
use spillway::stats::{Figure, Scope};

const EFFORT: Effort = Effort {
    chunk: 10,
    max_replications: 40,
};

/// An M/M/c call centre at `rate` per second, calls of mean 1 s: `rate` erlangs.
fn call_centre(rate: f64) -> String {
    format!(
        r#"
[simulation]
duration = "3000s"
warmup = "100s"
seed = 17

[[source]]
name = "callers"
to = "agents"
rate = "{rate}/s"

[[service]]
name = "agents"
workers = 40
service_time = {{ dist = "exponential", mean = "1s" }}
"#
    )
}

fn candidates(text: &str, values: &str) -> Vec<System> {
    let grid = Grid::new(vec![parse_axis(values).expect("axis")]).expect("grid");
    (0..grid.len())
        .map(|p| {
            scenario::point_system(text, "plan.toml", &grid, p).unwrap_or_else(|e| panic!("{e}"))
        })
        .collect()
}

fn slo(scope: Scope, component: &str, figure: Figure, threshold: f64) -> Slo {
    Slo {
        text: format!("{component}.{} < {threshold}", figure.key()),
        scope,
        component: component.to_string(),
        figure,
        comparison: Comparison::Below,
        threshold,
    }
}

/// Erlang C, P(wait) in M/M/c with `a` erlangs, from Erlang B's recursion.
fn erlang_c(c: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=c {
        b = a * b / (f64::from(k) + a * b);
    }
    let rho = a / f64::from(c);
    b / (1.0 - rho + rho * b)
}

/// The fewest agents with `measure(c) < target`, and a target halfway (geometrically)
/// between that staffing's value and the one below, so that both are decided.
fn staffing(a: f64, measure: impl Fn(u32) -> f64, target_for: f64) -> (u32, f64) {
    let stable = a.floor() as u32 + 1;
    let c = (stable..)
        .find(|&c| measure(c) < target_for)
        .expect("some c meets it");
    let below = if c > stable { measure(c - 1) } else { 1.0 };
    (c, (measure(c) * below).sqrt())
}

#[test]
fn plans_agree_with_erlang_c_staffing() {
    let mut answers = Vec::new();
    for a in [5.0, 11.0, 20.0] {
        let text = call_centre(a);
        let systems = candidates(&text, "service.agents.workers=1..40:1");
        let p_wait = |c: u32| erlang_c(c, a);
        let wq = |c: u32| erlang_c(c, a) / (f64::from(c) - a);
        for (figure, measure, level) in [
            (Figure::WaitProbability, &p_wait as &dyn Fn(u32) -> f64, 0.2),
            (Figure::WaitMean, &wq as &dyn Fn(u32) -> f64, 0.05),
        ] {
            let (c, target) = staffing(a, measure, level);
            let slos = [slo(Scope::Service, "agents", figure, target)];
            let answer = experiment::search(&systems, &slos, EFFORT, &|| {});
            assert_eq!(
                answer.found,
                Some(c as usize - 1),
                "{a} erlangs, {figure:?} < {target}: Erlang C staffs {c}"
            );
            let below = answer
                .candidate(c as usize - 2)
                .expect("the neighbour below is run");
            assert_eq!(
                below.verdict,
                Verdict::Fails,
                "{a} erlangs: {c} − 1 must fail"
            );
            answers.push(c);
        }
    }
    // Negative control: the staffing is not the naive "load plus one" everywhere, so the
    // test tells a correct search from one that stops at the stability bound.
    let naive = [6, 6, 12, 12, 21, 21];
    assert_ne!(answers, naive, "{answers:?}");
}

#[test]
fn a_percentile_below_the_work_itself_is_infeasible_without_running() {
    let text = call_centre(5.0);
    let systems = candidates(&text, "service.agents.workers=6..40:1");
    // An exponential of mean 1 s has p99 = ln 100 = 4.6 s: no staffing answers 99% in 3 s.
    let slos = [slo(Scope::Source, "callers", Figure::LatencyP99, 3.0)];
    let answer = experiment::search(&systems, &slos, EFFORT, &|| {});
    assert_eq!(answer.found, None);
    assert!(answer.evaluated.is_empty(), "nothing is run");
    match &answer.infeasible[..] {
        [infeasible] => match infeasible.reason {
            Bound::WorkFloor { floor, .. } => assert!((floor - 100f64.ln()).abs() < 1e-6),
            ref other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // Negative control: 5 s is above the work's p99, so the search runs and finds a value.
    let slos = [slo(Scope::Source, "callers", Figure::LatencyP99, 5.5)];
    let answer = experiment::search(&systems, &slos, EFFORT, &|| {});
    assert!(answer.infeasible.is_empty());
    assert!(answer.found.is_some());
}

#[test]
fn a_rejection_target_beyond_capacity_is_infeasible() {
    let text = call_centre(30.0).replace("workers = 40", "workers = 40\nqueue = { capacity = 10 }");
    let systems = candidates(&text, "service.agents.workers=10..20:1");
    let slos = [slo(
        Scope::Source,
        "callers",
        Figure::RejectedFraction,
        0.01,
    )];
    let answer = experiment::search(&systems, &slos, EFFORT, &|| {});
    match &answer.infeasible[..] {
        [infeasible] => match infeasible.reason {
            Bound::Overload { load, rejected, .. } => {
                assert!((load - 1.5).abs() < 1e-9);
                assert!((rejected - 1.0 / 3.0).abs() < 1e-9);
            }
            ref other => panic!("{other:?}"),
        },
        other => panic!("{other:?}"),
    }
    // A client that gives up turns rejections into timeouts: the bound no longer holds,
    // and neither does it for a rate that changes over time.
    for variant in [
        text.replace("rate = \"30/s\"", "rate = \"30/s\"\ntimeout = \"100ms\""),
        text.replace(
            "rate = \"30/s\"",
            "rate = \"30/s\"\nschedule = [{ at = \"2000s\", rate = \"5/s\" }]",
        ),
    ] {
        let systems = candidates(&variant, "service.agents.workers=10..20:1");
        let answer = experiment::search(&systems, &slos, EFFORT, &|| {});
        assert!(answer.infeasible.is_empty(), "{variant}");
    }
}

#[test]
fn a_target_on_the_exact_value_stays_undecided() {
    let a = 5.0;
    let text = call_centre(a);
    let systems = candidates(&text, "service.agents.workers=6..12:1");
    // P(wait) at 7 agents exactly: no number of replications decides it.
    let slos = [slo(
        Scope::Service,
        "agents",
        Figure::WaitProbability,
        erlang_c(7, a),
    )];
    let effort = Effort {
        chunk: 10,
        max_replications: 20,
    };
    let answer = experiment::search(&systems, &slos, effort, &|| {});
    let at_seven = answer.candidate(1).expect("7 agents is run");
    assert_eq!(at_seven.verdict, Verdict::Undecided);
    assert_eq!(at_seven.samples.len(), 20);
    assert_eq!(answer.found, Some(2), "8 agents is the smallest proven");
}

/// The retry storm's spike at two heights: 90/s recovers in every replication, 150/s in
/// none (see `spillway sweep scenarios/retry-storm.toml --vary
/// 'source.clients.schedule[0].rate=80/s..200/s:10/s'`).
#[test]
fn the_metastability_boundary_is_where_half_do_not_recover() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/retry-storm.toml");
    let text = std::fs::read_to_string(path).expect("bundled");
    let systems = candidates(&text, "source.clients.schedule[0].rate=90/s,150/s");
    let boundary = Slo {
        text: "not_recovered >= 50%".into(),
        scope: Scope::System,
        component: "system".into(),
        figure: Figure::NotRecovered,
        comparison: Comparison::AtLeast,
        threshold: 0.5,
    };
    let answer = experiment::search(&systems, std::slice::from_ref(&boundary), EFFORT, &|| {});
    assert_eq!(answer.found, Some(1));
    let low = answer.candidate(0).expect("the spike below is run");
    assert_eq!(low.verdict, Verdict::Fails);
    let at = |c: &experiment::Candidate| c.checks[0].estimate.expect("judged").mean;
    assert_eq!(at(low), 0.0);
    assert_eq!(at(answer.candidate(1).expect("run")), 1.0);
    // Negative control: with backoff, jitter and a budget the storm never sets in.
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/scenarios/retry-storm-backoff.toml"
    );
    let text = std::fs::read_to_string(path).expect("bundled");
    let systems = candidates(&text, "source.clients.schedule[0].rate=90/s,150/s");
    let answer = experiment::search(&systems, &[boundary], EFFORT, &|| {});
    assert_eq!(answer.found, None);
}
