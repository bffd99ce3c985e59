//! Broker queues against what must hold exactly: the share of receives whose visibility
//! timeout lapses (e^(−V/m) for exponential processing of mean m), none lost under
//! acknowledged delivery and one lost per busy crash under at most once, dead letters
//! past the delivery limit, idempotent consumers that process each message once within
//! their window, the share a full queue drops (M/M/c/K blocking), and conservation of
//! messages for every guarantee.

use spillway::experiment;
use spillway::model::{ServiceId, System};
use spillway::oracle;
use spillway::stats::{Estimate, FaultSummary, MessageSummary, RunSummary};
use spillway::theory;

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
        m.completed + m.lost + m.lost_by_broker + m.dropped + m.dead_lettered + m.pending,
        "{m:?}"
    );
    assert!(m.processed <= m.published, "{m:?}");
}

/// `rate` messages/s to 2,000 consumers (never all busy), the visibility timeout 30 s,
/// and `extra` settings of the queue.
fn visibility(rate: u32, work: &str, extra: &str) -> System {
    system(&visibility_toml(rate, work, extra))
}

/// The scenario of [`visibility`]; its consumer's table comes last.
fn visibility_toml(rate: u32, work: &str, extra: &str) -> String {
    format!(
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
    )
}

/// [`visibility`] with idempotent consumers remembering for `window`.
fn idempotent(rate: u32, work: &str, extra: &str, window: &str) -> System {
    let toml = visibility_toml(rate, work, extra);
    system(&format!("{toml}idempotent = {{ window = {window} }}\n"))
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

/// Consumers that remember every message for an hour (far longer than any chain of
/// lapsed receives, each under 30 s after the last) never process one twice: every
/// processing after a message's first is recognised. Without the memory (a window of one
/// message, forgotten as soon as another is processed), the same load has duplicates.
#[test]
fn idempotent_consumers_process_each_message_exactly_once_within_their_window() {
    let work = r#"{ dist = "exponential", mean = "10s" }"#;
    let m = messages(&run(&idempotent(50, work, "", r#""1h""#)));
    assert_eq!(m.duplicates, 0, "{m:?}");
    assert!(m.deduplicated > 1_000, "{m:?}");
    // Each receive ends in one processing, but those under way at the end (at most one
    // per consumer).
    let receives = m.delivered + m.redelivered;
    let processings = m.processed + m.deduplicated;
    assert!(
        processings <= receives && receives <= processings + 2_000,
        "{m:?}"
    );
    assert_conserved(&m);
    let m = messages(&run(&idempotent(50, work, "", "1")));
    assert!(m.duplicates > 1_000, "{m:?}");
    assert_conserved(&m);
}

/// Constant processing of 40 s against a 30 s visibility timeout and two receives: a
/// message's copy is received at 30 s, the original's processing ends at 40 s, the second
/// receive lapses at 60 s (dead-lettered) and the copy's processing ends at 70 s, 30 s
/// after the first. A window of 40 s still remembers it; one of 20 s has forgotten it and
/// processes it again. The arrivals and work are the same in both runs, so the same
/// processings are deduplicated in one and duplicates in the other.
#[test]
fn a_duplicate_after_the_window_is_processed_again() {
    let (work, extra) = (
        r#"{ dist = "constant", value = "40s" }"#,
        ", max_receives = 2",
    );
    let remembered = messages(&run(&idempotent(10, work, extra, r#""40s""#)));
    let forgotten = messages(&run(&idempotent(10, work, extra, r#""20s""#)));
    assert_eq!(remembered.duplicates, 0, "{remembered:?}");
    assert!(remembered.deduplicated > 19_000, "{remembered:?}");
    assert_eq!(forgotten.deduplicated, 0, "{forgotten:?}");
    assert_eq!(forgotten.duplicates, remembered.deduplicated);
    for m in [remembered, forgotten] {
        assert_eq!(m.completed, 0, "{m:?}");
        assert_conserved(&m);
    }
}

/// An M/M/2/5 broker queue (3 places) at 3 messages/s against 2/s of processing: a full
/// queue drops a message for each one published to it, the newest or the oldest waiting,
/// so by PASTA the share dropped is the M/M/c/K blocking probability either way (the
/// queue length is the same birth-and-death chain), and nobody publishing sees an error.
/// Rejecting instead gives the same share as rejections and drops nothing. The control:
/// one more place (M/M/2/6) is outside the interval.
#[test]
fn a_full_queue_drops_the_share_that_m_m_c_k_blocks() {
    let station = |overflow: &str| {
        system(&format!(
            r#"
[simulation]
duration = "20000s"
warmup = "1000s"
[[source]]
name = "in"
to = "broker"
rate = "3/s"
[[service]]
name = "broker"
workers = 2
queue = {{ capacity = 3, delivery = "at-most-once", overflow = "{overflow}" }}
service_time = {{ dist = "exponential", mean = "1s" }}
"#
        ))
    };
    let exact = oracle::expected(&station("reject"), ServiceId(0)).expect("M/M/c/K");
    assert_eq!(exact.model, "M/M/c/K");
    let control = theory::mmck(3.0, 1.0, 2, 6).expect("valid").p_block;
    for overflow in ["drop-newest", "drop-oldest", "reject"] {
        let runs = experiment::replicate(&station(overflow), 20).expect("runs");
        let share = |r: &RunSummary| {
            let (m, s) = (messages(r), &r.services[0]);
            if overflow == "reject" {
                assert_eq!(m.dropped, 0, "{m:?}");
                s.rejected_fraction
            } else {
                assert_eq!(s.rejected, 0, "{overflow}");
                m.dropped as f64 / m.published as f64
            }
        };
        let samples: Vec<f64> = runs.iter().map(|r| share(&r.summary)).collect();
        let e = Estimate::from_samples(&samples, 0.999);
        assert!(
            e.covers(exact.p_block) && !e.covers(control),
            "{overflow}: {} ± {} against {} (control {control})",
            e.mean,
            e.half_width,
            exact.p_block
        );
        if overflow != "reject" {
            let outcomes = &runs[0].summary.sources[0];
            assert_eq!(
                outcomes.rejected, 0,
                "{overflow}: the publisher never hears"
            );
        }
    }
}

/// One message a second to one consumer taking 2 s each: when the broker crashes at
/// 100.5 s, 50 messages have started (the last still in hand) and the 50 published in
/// the last 50 s wait (in a queue of 1,000 places, never full). `queue` is the queue table's delivery settings, `outage` the
/// schedule's fault.
fn broker_crash(queue: &str, outage: &str) -> System {
    system(&format!(
        r#"
[simulation]
duration = "300s"
warmup = "0s"
[[source]]
name = "orders"
to = "broker"
interarrival = {{ dist = "constant", value = "1s" }}
[[service]]
name = "broker"
workers = 1
queue = {{ capacity = 1000, {queue} }}
service_time = {{ dist = "constant", value = "2s" }}
schedule = [{{ at = "100500ms", outage = "{outage}", for = "10s" }}]
"#
    ))
}

/// A broker crash loses the waiting messages its durability does not keep: none for a
/// durable queue or at least once, all 50 for a transient one or at most once in memory,
/// and at most once with a log synced every 30 s, those published since the last sync
/// (see the next test). The 10 publishes while it is down are refused; the message in hand is finished,
/// and the consumer takes no other until the broker is back.
/// The controls: an outage that keeps the queue loses nothing, one that loses it loses
/// the 50 waiting and the consumer's too.
#[test]
fn a_broker_crash_loses_what_its_durability_does_not_keep() {
    let cases = [
        (r#"delivery = "acknowledged""#, "broker", 0, 0),
        (
            r#"delivery = "at-least-once", visibility_timeout = "1m""#,
            "broker",
            0,
            0,
        ),
        (
            r#"delivery = "acknowledged", durable = false"#,
            "broker",
            50,
            0,
        ),
        (r#"delivery = "at-most-once""#, "broker", 50, 0),
        (r#"delivery = "at-most-once""#, "kept", 0, 1),
        (r#"delivery = "at-most-once""#, "lost", 50, 1),
    ];
    for (queue, outage, by_broker, with_consumer) in cases {
        let run = run(&broker_crash(queue, outage));
        let (m, f) = (messages(&run), faults(&run));
        let what = format!("{queue}, outage {outage}: {m:?}");
        assert_eq!(
            (m.lost_by_broker, m.lost),
            (by_broker, with_consumer),
            "{what}"
        );
        let refused = if outage == "kept" { 0 } else { 10 };
        assert_eq!(f.refused, refused, "{what}");
        assert_eq!(m.published + refused, 299, "{what}"); // at 1 s, 2 s, ..., 299 s
        if outage == "broker" {
            // The one in hand finishes at 101 s; the next starts at 110.5 s: 50 processed
            // before, 94 after.
            assert_eq!(m.completed, 144, "{what}");
        }
        if outage == "broker" {
            // The one in hand finishes at 101 s; the next starts at 110.5 s: 50 processed
            // before, 94 after.
            assert_eq!(m.completed, 144, "{what}");
        }
        if outage == "broker" {
            // The one in hand finishes at 101 s; the next starts at 110.5 s: 50 processed
            // before, 94 after.
            assert_eq!(m.completed, 144, "{what}");
        }
        assert_conserved(&m);
    }
}

/// At most once with a log synced every 30 s, at a phase drawn for each run: the last sync
/// before the crash at 100.5 s falls X before it, X uniform on [0, 30 s), and the waiting
/// messages published after it (at whole seconds up to 100 s) are lost: n of them when X
/// lies within half a second of n, so the mean is (1 + 2 + ... + 29 + 30/2) / 30 = 15.
/// Over 100 runs, within the 99.9% interval; the control is 10, the loss with syncs at
/// whole multiples of 30 s from the start.
#[test]
fn a_persistent_broker_loses_what_it_published_since_its_last_sync() {
    let system = broker_crash(
        r#"delivery = "at-most-once", persistence = "30s""#,
        "broker",
    );
    let runs = experiment::replicate(&system, 100).expect("runs");
    let lost: Vec<f64> = (runs.iter())
        .map(|r| messages(&r.summary).lost_by_broker as f64)
        .collect();
    assert!(lost.iter().all(|&n| n <= 30.0), "{lost:?}");
    let e = Estimate::from_samples(&lost, 0.999);
    assert!(
        e.covers(15.0) && !e.covers(10.0),
        "{} ± {} against 15 (control 10)",
        e.mean,
        e.half_width
    );
}

/// One consumer (constant 500 ms a message) behind a broker queue of 50 places, at 0.9
/// messages/s; `memory` is the queue's memory settings.
fn paging(memory: &str) -> System {
    system(&format!(
        r#"
[simulation]
duration = "20000s"
warmup = "0s"
[[source]]
name = "in"
to = "broker"
rate = "0.9/s"
[[service]]
name = "broker"
workers = 1
queue = {{ capacity = 50, delivery = "at-most-once"{memory} }}
service_time = {{ dist = "constant", value = "500ms" }}
"#
    ))
}

/// Beyond its memory, a receive costs the paging time: the consumer's busy time is 500 ms
/// per message plus 500 ms per paged receive, to within the one message under way at each
/// end of the run. A limit the queue cannot pass (its capacity) pages nothing and changes
/// nothing else: every figure equals the run without a memory limit (the control).
#[test]
fn a_receive_beyond_the_brokers_memory_pays_the_paging_time() {
    let run = run(&paging(r#", memory_limit = 2, paging = "500ms""#));
    let (m, s) = (messages(&run), &run.services[0]);
    assert!(m.paged > 1_000, "{m:?}");
    let busy = s.utilisation * 20_000.0;
    let accounted = 0.5 * s.completed as f64 + 0.5 * m.paged as f64;
    assert!(
        (busy - accounted).abs() <= 2.0,
        "{busy} s busy against {accounted} s"
    );

    let unlimited = paging(r#", memory_limit = 50, paging = "500ms""#);
    let (a, b) = (self::run(&unlimited), self::run(&paging("")));
    assert_eq!(messages(&a).paged, 0);
    assert_eq!(a, b);
}

/// Little's law on the broker's backlog: the time-average messages in the broker equal
/// messages published per second times the mean time from publish to end, for every
/// guarantee under crashes, copies and dead letters, within the edges of the window. The
/// control: a run that ends with 145 of its 289 messages still waiting misses it.
#[test]
fn littles_law_holds_on_the_brokers_backlog() {
    let queues = [
        r#"delivery = "at-most-once""#,
        r#"delivery = "acknowledged", delivery_limit = 2"#,
        r#"delivery = "at-least-once", visibility_timeout = "3s", max_receives = 3"#,
    ];
    for queue in queues {
        let m = messages(&run(&crashing(queue)));
        assert!(
            m.little.l > 0.5 && m.little.holds(),
            "{queue}: {:?}",
            m.little
        );
    }
    let m = messages(&run(&broker_crash(
        r#"delivery = "acknowledged""#,
        "broker",
    )));
    assert!(m.pending > 100 && !m.little.holds(), "{m:?}");
}

/// A message's age at its first delivery is its wait, and at its completion its time at
/// the service, when each message is delivered once (at most once, no crashes): the same
/// samples, so the same means exactly. Redeliveries break it (the control): at least once
/// with a timeout shorter than some processing, a message's age at completion counts all
/// its deliveries, which the service's time per delivery does not.
#[test]
fn a_messages_age_is_its_wait_and_time_at_the_service_when_delivered_once() {
    let (work, queue) = (r#"{ dist = "exponential", mean = "1s" }"#, "");
    let toml = |delivery: &str| {
        format!(
            r#"
[simulation]
duration = "5000s"
warmup = "100s"
[[source]]
name = "in"
to = "worker"
rate = "0.8/s"
[[service]]
name = "worker"
workers = 1
queue = {{ delivery = {delivery}{queue} }}
service_time = {work}
"#
        )
    };
    let run = run(&system(&toml(r#""at-most-once""#)));
    let (m, s) = (messages(&run), &run.services[0]);
    assert!(m.age_at_end.count > 3_000, "{m:?}");
    assert_eq!(m.age_at_start.mean, s.wait.mean);
    assert_eq!(m.age_at_end.mean, s.sojourn.mean);
    let run = super::delivery::run(&system(&toml(
        r#""at-least-once", visibility_timeout = "2s""#,
    )));
    let (m, s) = (messages(&run), &run.services[0]);
    assert!(m.redelivered > 100, "{m:?}");
    assert!(m.age_at_end.mean > s.sojourn.mean, "{m:?}");
}
