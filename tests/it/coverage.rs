//! The reports' confidence intervals cover the exact figures at about their nominal rate.
//!
//! 100 independent studies (seeds 0..100) of 10 short replications each build the same
//! 95% Student-t intervals that reports show (`stats::headlines`); the exact M/M/1 and M/M/c
//! figures must lie inside at least 90 of them. A correct 95% interval misses about 5 times
//! in 100; fewer than 90 hits would happen with probability below 2% if the intervals were
//! right, so a failure points to bias or too-narrow intervals.

use spillway::experiment::{self, Plan};
use spillway::model::System;
use spillway::stats::{Figure, Scope, headlines};
use spillway::theory::{self, QueueFigures};

use super::system;

const STUDIES: u64 = 100;
const REPLICATIONS: u64 = 10;
const REQUIRED: usize = 90;

const MM1: &str = r#"
    [simulation]
    duration = "60s"
    warmup = "5s"
    [[source]]
    name = "in"
    to = "server"
    rate = "50/s"
    [[service]]
    name = "server"
    workers = 1
    service_time = { dist = "exponential", mean = "10ms" }
"#;

const MMC: &str = r#"
    [simulation]
    duration = "30s"
    warmup = "5s"
    [[source]]
    name = "in"
    to = "agents"
    rate = "240/s"
    [[service]]
    name = "agents"
    workers = 3
    service_time = { dist = "exponential", mean = "10ms" }
"#;

/// How many of the studies' intervals of each figure cover the exact value.
fn coverage(system: &System, exact: &QueueFigures) -> Vec<(Figure, usize)> {
    let checks = [
        (Figure::Utilisation, exact.utilisation),
        (Figure::InService, exact.l),
        (Figure::WaitMean, exact.wq),
        (Figure::SojournMean, exact.w),
    ];
    let mut hits = [0usize; 4];
    for seed in 0..STUDIES {
        let study = experiment::study(
            &system.clone().with_seed(seed),
            &Plan::fixed(REPLICATIONS),
            &|| {},
        )
        .expect("runs");
        let hl = headlines(&study.summaries);
        for (k, (figure, value)) in checks.iter().enumerate() {
            let h = hl
                .iter()
                .find(|h| h.scope == Scope::Service && h.figure == *figure)
                .expect("every service figure is reported");
            hits[k] += usize::from(h.estimate.is_some_and(|e| e.covers(*value)));
        }
    }
    checks.iter().map(|c| c.0).zip(hits).collect()
}

fn assert_coverage(name: &str, counts: &[(Figure, usize)]) {
    // Shown with --nocapture: the measured coverage, out of STUDIES.
    eprintln!("{name}: {counts:?}");
    for (figure, hits) in counts {
        assert!(
            *hits >= REQUIRED,
            "{name} {}: exact value inside {hits} of {STUDIES} 95% intervals (want ≥ {REQUIRED}); all: {counts:?}",
            figure.label()
        );
    }
}

#[test]
fn intervals_cover_mm1() {
    let exact = theory::mm1(50.0, 100.0).expect("stable");
    assert_coverage("M/M/1", &coverage(&system(MM1), &exact));
}

#[test]
fn intervals_cover_mmc() {
    let exact = theory::mmc(240.0, 100.0, 3).expect("stable");
    assert_coverage("M/M/3", &coverage(&system(MMC), &exact));
}
