use super::*;
use crate::model::SimTime;

fn system(duration: &str) -> System {
    crate::scenario::parse(
        &format!(
            r#"
            [simulation]
            duration = "{duration}"
            [[source]]
            name = "in"
            to = "api"
            rate = "10/s"
            [[service]]
            name = "api"
            workers = 2
            service_time = {{ dist = "exponential", mean = "10ms" }}
            "#
        ),
        "t.toml",
    )
    .expect("valid")
}

#[test]
fn width_is_round_and_gives_at_most_about_250_windows() {
    assert_eq!(window_width_ns(3_720_000_000_000), 20_000_000_000);
    assert_eq!(window_width_ns(250_000_000_000), 1_000_000_000);
    assert_eq!(window_width_ns(0), 1_000);
    let ts = TimeSeries::new(&system("100s"));
    assert_eq!(ts.width_ns(), 500_000_000);
}

#[test]
fn a_run_far_longer_than_expected_merges_windows_and_keeps_every_count() {
    let mut ts = TimeSeries::new(&system("10s"));
    let width = ts.width_ns();
    // 100 times the expected length, one arrival every 10 ms.
    let events = 100_000u64;
    for i in 0..events {
        ts.on_request(SimTime(i * 10_000_000), SourceId(0));
    }
    ts.on_end(SimTime(events * 10_000_000));
    assert!(ts.windows().len() <= MAX_WINDOWS, "{}", ts.windows().len());
    assert!(ts.width_ns() >= 64 * width);
    assert_eq!(ts.windows().iter().map(|w| w.offered).sum::<u64>(), events);
    let exposure: u64 = ts.windows().iter().map(|w| w.exposure_ns).sum();
    assert_eq!(exposure, events * 10_000_000);
    let rows = ts.rows();
    assert!(
        (rows[0].offered - 100.0).abs() < 1e-9,
        "{}",
        rows[0].offered
    );
}

#[test]
fn levels_and_latency_per_window() {
    let mut ts = TimeSeries::new(&system("100s")); // 0.5 s windows
    let done = SimTime(250_000_000);
    ts.on_request(SimTime(0), SourceId(0));
    ts.on_admit(SimTime(0), ServiceId(0), false);
    ts.on_start(SimTime(0), ServiceId(0), SimDuration(0), false);
    ts.on_complete(done, ServiceId(0), SimDuration(250_000_000), false);
    ts.on_request_done(
        done,
        SourceId(0),
        Outcome::Success,
        1,
        SimDuration(250_000_000),
    );
    ts.on_end(SimTime(1_000_000_000));
    let rows = ts.rows();
    assert_eq!(rows.len(), 2);
    // Inside for 0.25 s of the first 0.5 s window; one worker of two busy meanwhile.
    assert!((rows[0].in_flight - 0.5).abs() < 1e-12);
    assert!((rows[0].utilisation - 0.25).abs() < 1e-12);
    let p50 = rows[0].p50_secs.expect("one completion");
    assert!((p50 - 0.25).abs() / 0.25 < 0.07, "{p50}");
    assert_eq!(rows[1].p50_secs, None);
    assert_eq!(rows[1].end_secs, 1.0);
}

#[test]
fn merging_replications_of_different_widths_coarsens_the_finer() {
    let mut a = TimeSeries::new(&system("10s"));
    let mut b = a.clone();
    for i in 0..10u64 {
        a.on_request(SimTime(i * 1_000_000_000), SourceId(0));
    }
    a.on_end(SimTime(10_000_000_000));
    b.coarsen();
    b.on_end(SimTime(10_000_000_000));
    let fine = a.width_ns();
    a.merge(&b);
    assert_eq!(a.width_ns(), 2 * fine);
    assert_eq!(a.replications(), 2);
    assert_eq!(a.windows().iter().map(|w| w.offered).sum::<u64>(), 10);
}

fn two_services_two_sources() -> System {
    crate::scenario::parse(
        r#"
        [simulation]
        duration = "100s"
        [[source]]
        name = "web"
        to = "api"
        rate = "10/s"
        [[source]]
        name = "batch"
        to = "db"
        rate = "1/s"
        [[service]]
        name = "api"
        workers = 2
        service_time = { dist = "exponential", mean = "10ms" }
        [[service]]
        name = "db"
        workers = 4
        service_time = { dist = "exponential", mean = "10ms" }
        "#,
        "t.toml",
    )
    .expect("valid")
}

#[test]
fn levels_per_service_and_latency_per_source_add_up_to_the_totals() {
    let mut ts = TimeSeries::new(&two_services_two_sources()); // 0.5 s windows
    let (api, db) = (ServiceId(0), ServiceId(1));
    // api: one request waits 0.25 s, then is served; db: two workers busy all window.
    ts.on_admit(SimTime(0), api, true);
    ts.on_start(SimTime(250_000_000), api, SimDuration(250_000_000), true);
    ts.on_start(SimTime(0), db, SimDuration(0), false);
    ts.on_start(SimTime(0), db, SimDuration(0), false);
    ts.on_request_done(
        SimTime(1),
        SourceId(0),
        Outcome::Success,
        1,
        SimDuration(1_000_000),
    );
    ts.on_request_done(
        SimTime(2),
        SourceId(1),
        Outcome::Success,
        1,
        SimDuration(400_000_000),
    );
    ts.on_end(SimTime(500_000_000));
    let rows = ts.rows();
    let (a, d) = (rows[0].services[0], rows[0].services[1]);
    assert!((a.queue_depth - 0.5).abs() < 1e-12);
    assert!((a.utilisation - 0.25).abs() < 1e-12);
    assert_eq!(d.queue_depth, 0.0);
    assert!((d.utilisation - 0.5).abs() < 1e-12);
    // Totals: sums over all services; 0.25 + 1 worker·s busy of 1 + 2 present.
    assert!((rows[0].queue_depth - 0.5).abs() < 1e-12);
    assert!((rows[0].utilisation - 1.25 / 3.0).abs() < 1e-12);
    let web = rows[0].sources[0].p50_secs.expect("one success");
    let batch = rows[0].sources[1].p50_secs.expect("one success");
    assert!(web < 0.0011 && batch > 0.37, "{web} {batch}");
    assert_eq!(rows[0].p99_secs.map(|p| p > 0.37), Some(true));
}
