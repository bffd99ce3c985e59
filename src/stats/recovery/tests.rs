use super::*;

fn at(s: f64) -> SimTime {
    SimTime((s * 1e9) as u64)
}

/// 100 successes per second, except `dip` (from, to) where there are 10.
fn counts(dip: (f64, f64), end: f64) -> WindowCounts {
    let mut w = WindowCounts::new(SimTime::ZERO);
    let mut t = 0.0;
    while t < end {
        let rate = if (dip.0..dip.1).contains(&t) {
            10.0
        } else {
            100.0
        };
        w.record(at(t));
        t += 1.0 / rate;
    }
    w
}

/// A run measured from 0 to `end` as planned.
fn whole(end: f64) -> (SimTime, SimDuration) {
    (at(end), SimDuration(at(end).0))
}

/// The verdict on a run measured from 0 to 1000 s, with a trigger from 100 to 120 s.
fn judge(goodput: &WindowCounts, offered: &WindowCounts) -> Recovery {
    assess(
        (goodput, offered),
        (at(100.0), at(120.0)),
        whole(1000.0),
        None,
        false,
    )
    .expect("judged")
}

/// 100 requests offered per second throughout.
fn offered(end: f64) -> WindowCounts {
    counts((0.0, 0.0), end)
}

#[test]
fn recovers_when_goodput_returns() {
    let w = counts((100.0, 150.0), 1000.0);
    let r = judge(&w, &offered(1000.0));
    assert!((r.baseline_goodput - 100.0).abs() < 1.0);
    // Windows are 20 s wide from t = 120: [120, 140) and [140, 160) are low.
    assert_eq!(r.verdict, RecoveryVerdict::Recovered { after_secs: 40.0 });
}

#[test]
fn a_lasting_dip_is_not_a_recovery() {
    let w = counts((100.0, 1e9), 1000.0);
    let r = judge(&w, &offered(1000.0));
    assert_eq!(r.verdict, RecoveryVerdict::NotRecovered);
    assert!(r.final_goodput < 20.0);
}

#[test]
fn a_broken_baseline_is_not_judged() {
    // 10/s served of 100/s offered from the start: goodput is "back to the baseline"
    // after the trigger, but the baseline was already broken.
    let w = counts((0.0, 1e9), 1000.0);
    let r = judge(&w, &offered(1000.0));
    assert_eq!(r.verdict, RecoveryVerdict::NoHealthyBaseline);
    assert!((r.baseline_offered - 100.0).abs() < 1.0);
    // Negative control: the same goodput against what it was offered is healthy.
    let r = judge(&w, &w);
    assert_eq!(r.verdict, RecoveryVerdict::Recovered { after_secs: 0.0 });
}

#[test]
fn windows_stay_bounded() {
    let mut w = WindowCounts::new(SimTime::ZERO);
    for s in 0..100_000 {
        w.record(at(f64::from(s) * 10.0));
    }
    assert!(w.counts.len() <= MAX_WINDOWS);
    assert_eq!(w.counts.iter().sum::<u64>(), 100_000);
}

#[test]
fn wilson_intervals_match_published_values() {
    // Newcombe (1998), table I: 0/10 → [0, 0.2775]; 1/29 → [0.0061, 0.1718]; 15/148 →
    // [0.0624, 0.1605].
    let close =
        |(a, b): (f64, f64), (x, y): (f64, f64)| (a - x).abs() < 5e-4 && (b - y).abs() < 5e-4;
    assert!(close(wilson_interval(0, 10), (0.0, 0.2775)));
    assert!(close(wilson_interval(1, 29), (0.0061, 0.1718)));
    assert!(close(wilson_interval(15, 148), (0.0624, 0.1605)));
    // Negative control: a wrong expectation is not "close".
    assert!(!close(wilson_interval(0, 10), (0.0, 0.3085)));
}

#[test]
fn a_run_stopped_by_a_limit_after_the_trigger_did_not_recover() {
    // Goodput collapses at the trigger and a limit stops the run at t = 300 of 1000.
    let w = counts((100.0, 1e9), 300.0);
    let planned = SimDuration(at(1000.0).0);
    let r = assess(
        (&w, &offered(300.0)),
        (at(100.0), at(120.0)),
        (at(300.0), planned),
        None,
        true,
    )
    .expect("judged");
    assert_eq!(r.verdict, RecoveryVerdict::NotRecovered);
    assert!((r.baseline_goodput - 100.0).abs() < 1.0);
    // Stopped before the trigger: nothing to judge.
    let early = assess(
        (&w, &offered(300.0)),
        (at(400.0), at(420.0)),
        (at(300.0), planned),
        None,
        true,
    );
    assert_eq!(early, None);
    // Negative control: without the stop, the windows judge (and here it recovers).
    let w = counts((100.0, 150.0), 1000.0);
    let r = judge(&w, &offered(1000.0));
    assert!(matches!(r.verdict, RecoveryVerdict::Recovered { .. }));
}

#[test]
fn the_backlog_times_a_recovery_inside_the_windows() {
    let w = counts((100.0, 150.0), 1000.0);
    let timed = |drained: f64| {
        let r = assess(
            (&w, &offered(1000.0)),
            (at(100.0), at(120.0)),
            whole(1000.0),
            Some(at(drained)),
            false,
        )
        .expect("judged");
        r.recovered_after_secs()
    };
    // The windows say [140, 160) was the last low one: the backlog's draining at 153.2 s
    // places recovery there, 33.2 s after the trigger ended.
    assert!((timed(153.2).unwrap() - 33.2).abs() < 1e-9);
    // Drained before the last low window: recovery is no earlier than that window.
    assert_eq!(timed(125.0), Some(20.0));
    // Drained after the windows recovered: the backlog's time stands.
    assert!((timed(171.5).unwrap() - 51.5).abs() < 1e-9);
}

#[test]
fn the_backlog_drains_at_the_first_answer_back_at_the_baseline() {
    let s = |x: f64| SimTime((x * 1e9) as u64);
    let mut level = Level::default();
    let mut backlog = Backlog::new((s(10.0), s(20.0)));
    level.reset(s(0.0));
    backlog.reset(s(0.0));
    // Two in flight from 0 to 10 s: the baseline's average is 2.
    backlog.before_change(&mut level, s(0.0));
    level.change(s(0.0), 2);
    // The trigger piles up 5 more at 12 s; answers at 15 s (during the trigger), then at
    // 21, 22 and 23 s.
    backlog.before_change(&mut level, s(12.0));
    level.change(s(12.0), 5);
    for (t, left) in [(15.0, 6), (21.0, 5), (22.0, 2), (23.0, 1)] {
        backlog.before_change(&mut level, s(t));
        level.change(s(t), -1);
        if t == 22.0 {
            level.change(s(t), -2);
        }
        backlog.after_answer(left, s(t));
    }
    assert_eq!(backlog.drained(), Some(s(22.0)));
}
