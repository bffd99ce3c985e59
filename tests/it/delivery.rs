//! Broker queues against what must hold exactly: the share of receives whose visibility
//! timeout lapses (e^(−V/m) for exponential processing of mean m), none lost under
//! acknowledged delivery and one lost per busy crash under at most once, dead letters
//! past the delivery limit, and conservation of messages for every guarantee.

use spillway::experiment;
use spillway::model::System;
use spillway::stats::{FaultSummary, MessageSummary, RunSummary};

use super::system;

fn run(system: &System) -> RunSummary {
    experiment::run(system, 0).expect("runs").summary
}

fn messages(run: &RunSummary) -> MessageSummary {
    run.services[0].messages.expect("a broker's queue")
}

fn faults(run: &RunSummary) -> FaultSummary {
    run.services[0].faults.expect("the consumers can crash")
}

/// Every message published ends once or is still in the broker (no warm-up).
fn assert_conserved(m: &MessageSummary) {
    assert_eq!(
        m.published,
        m.completed + m.lost + m.dead_lettered + m.pending,
        "{m:?}"
    );
    assert!(m.processed <= m.published, "{m:?}");
}

/// `rate` messages/s to 2,000 consumers (never all busy), the visibility timeout 30 s,
/// and `extra` settings of the queue.
fn visibility(rate: u32, work: &str, extra: &str) -> System {
    system(&format!(
        r#"
[simulation]
duration = "2000s"
warmup = "0s"
[[source]]
name = "orders"
to = "worker"
rate = "{rate}/s"
[[service]]
name = "worker"
workers = 2000
queue = {{ delivery = "at-least-once", visibility_timeout = "30s"{extra} }}
service_time = {work}
"#
    ))
}

/// With exponential processing of mean m, a receive outlives its visibility timeout V
/// with probability e^(−V/m), independently of every other receive (a copy's processing
/// is a fresh draw): the share of receives that expire is a binomial proportion.
#[test]
fn the_share_of_receives_that_expire_is_exp_of_minus_v_over_m() {
    let m = messages(&run(&visibility(
        50,
        r#"{ dist = "exponential", mean = "10s" }"#,
        "",
    )));
    let receives = (m.delivered + m.redelivered) as f64;
    let share = m.expired as f64 / receives;
    let expected = (-3.0f64).exp(); // 4.98%
    // 4 standard errors of a proportion over ~100,000 receives: about 0.28 points.
    let tolerance = 4.0 * (expected * (1.0 - expected) / receives).sqrt();
    assert!(receives > 90_000.0, "{m:?}");
    assert!(
        (share - expected).abs() < tolerance,
        "{share} against {expected} ± {tolerance}"
    );
    // The control: V = 25 s (e^(−2.5) = 8.2%) is far outside the same interval.
    assert!((share - (-2.5f64).exp()).abs() > tolerance);
    // Every lapse of a message still being processed makes a copy that is processed too.
    assert!(m.duplicates > 0 && m.redelivered == m.expired, "{m:?}");
    assert_conserved(&m);
}

/// Processing that always ends before the timeout never expires and never duplicates.
/// Processing that always outlives it can never be deleted (only the latest receive may
/// delete, and it lapses first): every message ends in the dead-letter queue after
/// `max_receives` receives, each but the first a copy that is processed again.
#[test]
fn constant_processing_below_the_timeout_never_expires() {
    let m = messages(&run(&visibility(
        50,
        r#"{ dist = "constant", value = "20s" }"#,
        "",
    )));
    assert_eq!((m.expired, m.redelivered, m.duplicates), (0, 0, 0), "{m:?}");
    assert!(m.completed > 90_000, "{m:?}");
    assert_conserved(&m);
    let m = messages(&run(&visibility(
        10,
        r#"{ dist = "constant", value = "40s" }"#,
        ", max_receives = 3",
    )));
    assert_eq!(m.completed, 0, "{m:?}");
    assert!(m.dead_lettered > 19_000, "{m:?}");
    assert_eq!(m.published, m.dead_lettered + m.pending, "{m:?}");
    assert!(m.redelivered <= 2 * m.published, "{m:?}");
    assert_conserved(&m);
}

/// Eight consumers (exponential 1 s per message, 5 messages/s) crashing every 10 minutes
/// on average and back after a minute, for 10 hours: about 480 crashes, some with a
/// message in hand. `queue` is the queue table's delivery settings.
fn crashing(queue: &str) -> System {
    system(&format!(
        r#"
[simulation]
duration = "10h"
warmup = "0s"
[[source]]
name = "orders"
to = "worker"
rate = "5/s"
[[service]]
name = "worker"
workers = 8
queue = {{ {queue} }}
service_time = {{ dist = "exponential", mean = "1s" }}
crash = {{ mtbf = "10m", restart = "1m" }}
"#
    ))
}

/// At most once, a crash that finds its consumer busy loses that message: lost messages
/// are exactly the work the crashes lost. Acknowledged early is the same.
#[test]
fn at_most_once_loses_one_message_per_busy_crash() {
    for queue in [
        r#"delivery = "at-most-once""#,
        r#"delivery = "acknowledged", ack = "early""#,
    ] {
        let run = run(&crashing(queue));
        let (m, f) = (messages(&run), faults(&run));
        assert!(f.lost > 50, "{queue}: {f:?}");
        assert_eq!(m.lost, f.lost, "{queue}: {m:?}");
        assert_eq!((m.redelivered, m.dead_lettered), (0, 0), "{queue}: {m:?}");
        assert_conserved(&m);
    }
}

/// Acknowledged after processing, no crash loses a message: each one that a crash took
/// from its consumer is redelivered (the control is the test above: the same crashes lose
/// messages at most once). Past a delivery limit of 1, each is dead-lettered instead.
#[test]
fn acknowledged_delivery_loses_nothing_and_redelivers_each_crashed_message() {
    let run = run(&crashing(r#"delivery = "acknowledged""#));
    let (m, f) = (messages(&run), faults(&run));
    assert!(f.lost > 50, "{f:?}");
    assert_eq!((m.lost, m.dead_lettered, m.duplicates), (0, 0, 0), "{m:?}");
    assert_eq!(m.redelivered, f.lost, "{m:?}");
    assert_conserved(&m);

    let run = super::delivery::run(&crashing(
        r#"delivery = "acknowledged", delivery_limit = 1"#,
    ));
    let (m, f) = (messages(&run), faults(&run));
    assert_eq!((m.lost, m.redelivered), (0, 0), "{m:?}");
    assert_eq!(m.dead_lettered, f.lost, "{m:?}");
    assert_conserved(&m);
}

/// At least once, a crashed consumer's message is hidden until its visibility timeout
/// lapses, then delivered again: nothing is lost, and every crash that found a consumer
/// busy is one more lapse than the slow receives alone would give.
#[test]
fn at_least_once_redelivers_crashed_messages_after_the_timeout() {
    let run = run(&crashing(
        r#"delivery = "at-least-once", visibility_timeout = "30s""#,
    ));
    let (m, f) = (messages(&run), faults(&run));
    assert!(f.lost > 50, "{f:?}");
    assert_eq!((m.lost, m.dead_lettered), (0, 0), "{m:?}");
    assert!(m.expired >= f.lost && m.redelivered == m.expired, "{m:?}");
    assert_conserved(&m);
}
