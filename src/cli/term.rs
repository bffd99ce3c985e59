//! The terminal summary: a short table per service and per source, theory beside simulation.

use std::fmt::Write;

mod plan;
mod sweep;

pub(crate) use plan::plan;
pub(crate) use sweep::sweep;

use spillway::experiment::Study;
use spillway::model::{ServiceId, System};
use spillway::oracle;
use spillway::report::{self, Report};
use spillway::stats::{
    Figure, LITTLE_TOLERANCE, LatencySummary, LittleCheck, Over, RecoveryAcross, RunSummary, Scope,
    Unit, headlines,
};

/// The human-readable summary of a study: replication 0's table, then, with several
/// replications, the headline intervals per source.
pub(crate) fn summary(scenario_path: &str, study: &Study) -> String {
    let s = &study.summaries[0];
    let mut out = table(scenario_path, &study.system, s);
    if let Some(across) = RecoveryAcross::of(&study.summaries)
        && study.summaries.len() > 1
    {
        let _ = writeln!(out, "\nrecovery {}", report::recovery_across(&across));
    }
    let stopped = study
        .summaries
        .iter()
        .filter(|r| r.stopped.is_some())
        .count();
    if stopped > 0 && study.summaries.len() > 1 {
        let _ = writeln!(
            out,
            "\n{stopped} of {} replications were stopped by a limit before their horizon; \
             their figures cover the time until the stop",
            study.summaries.len()
        );
    }
    if let Some(cap) = study.warmup.capped {
        let _ = writeln!(
            out,
            "\nwarm-up: MSER-5 chose {}, capped at {} so that the first trigger (at {}) and \
             the baseline before it are measured",
            secs(cap.chosen_secs),
            secs(study.warmup.secs),
            secs(cap.trigger_secs),
        );
    }
    let n = study.summaries.len();
    if n > 1 {
        let _ = writeln!(
            out,
            "\nthe table shows the first of {n} replications; means over all of them with 95% \
             confidence intervals (response times of successful requests):"
        );
        for h in headlines(&study.summaries)
            .iter()
            .filter(|h| h.scope == Scope::Source)
            .filter(|h| {
                matches!(
                    h.figure,
                    Figure::SuccessFraction
                        | Figure::Goodput
                        | Figure::LatencyMean
                        | Figure::LatencyP99
                )
            })
        {
            let interval = h.estimate.map_or_else(
                || format!("{NO_DATA:>10}   {}", h.figure.missing_reason()),
                |e| {
                    let unit = h.figure.unit();
                    format!(
                        "{:>10} ± {}",
                        in_unit(unit, e.mean),
                        in_unit(unit, e.half_width)
                    )
                },
            );
            let _ = writeln!(
                out,
                "  {:<16} {:<20} {interval}",
                clip(&h.component, 16),
                h.figure.label(),
            );
        }
    }
    out
}

/// The verdict lines of a comparison.
pub(crate) fn verdict(report: &Report<'_>) -> String {
    let mut out = String::new();
    for line in report::verdicts(report) {
        let _ = writeln!(out, "{line}");
    }
    out
}

/// The table of one replication.
fn table(scenario_path: &str, system: &System, s: &RunSummary) -> String {
    let mut out = String::new();
    let warmup = system.simulation().warmup.as_secs_f64();
    let _ = writeln!(
        out,
        "spillway {} · {} · seed {}\nmeasured {} after {} warm-up · {} events\n",
        env!("CARGO_PKG_VERSION"),
        scenario_path,
        s.seed,
        secs(s.measured_secs),
        secs(warmup),
        s.events
    );
    let _ = writeln!(
        out,
        "{:<16} {:>7} {:>11} {:>10} {:>8} {:>6} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
        "service",
        "workers",
        "arrivals/s",
        "done/s",
        "rejected",
        "util",
        "P(wait)",
        "L",
        "Lq",
        "Wq mean",
        "W mean",
        "W p50",
        "W p99"
    );
    for (i, svc) in s.services.iter().enumerate() {
        let _ = writeln!(
            out,
            "{:<16} {:>7} {:>11} {:>10} {:>8} {:>6} {:>7} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9}",
            clip(&svc.name, 16),
            svc.workers,
            num(svc.arrival_rate),
            num(svc.throughput),
            pct(svc.rejected_fraction),
            pct(svc.utilisation),
            svc.wait_probability.map_or(NO_DATA.to_string(), pct),
            num(svc.l),
            num(svc.lq),
            observed(&svc.wait, svc.wait.mean),
            observed(&svc.sojourn, svc.sojourn.mean),
            observed(&svc.sojourn, svc.sojourn.p50),
            observed(&svc.sojourn, svc.sojourn.p99),
        );
        if let Some(t) = oracle::expected(system, ServiceId(i as u32)) {
            let _ = writeln!(
                out,
                "{:<16} {:>7} {:>11} {:>10} {:>8} {:>6} {:>7} {:>8} {:>8} {:>9} {:>9}",
                format!("  exact {}", t.model),
                "",
                "",
                num(t.throughput),
                pct(t.p_block),
                pct(t.utilisation),
                pct(t.p_wait),
                num(t.l),
                num(t.lq),
                secs(t.wq),
                secs(t.w),
            );
        }
    }
    let _ = writeln!(
        out,
        "\n{:<16} {:>11} {:>10} {:>8} {:>8}   response time of successful requests:",
        "", "", "", "", ""
    );
    let _ = writeln!(
        out,
        "{:<16} {:>11} {:>10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "source",
        "arrivals/s",
        "goodput/s",
        "ok",
        "rejected",
        "mean",
        "p50",
        "p90",
        "p99",
        "p99.9",
        "max"
    );
    for src in &s.sources {
        let l = &src.latency;
        let _ = writeln!(
            out,
            "{:<16} {:>11} {:>10} {:>8} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9}",
            clip(&src.name, 16),
            num(src.arrival_rate),
            num(src.goodput),
            src.success_fraction().map_or(NO_DATA.to_string(), pct),
            pct(src.rejected_fraction),
            observed(l, l.mean),
            observed(l, l.p50),
            observed(l, l.p90),
            observed(l, l.p99),
            observed(l, l.p999),
            observed(l, l.max),
        );
    }
    out.push_str(&outcomes(s));
    out.push_str(&thresholds(system, s));
    out.push_str(&notes(s));
    out.push('\n');
    for warning in report::stop_warning(system, s)
        .into_iter()
        .chain(report::steady_state_warnings(system, s))
    {
        let _ = writeln!(out, "warning: {warning}");
    }
    out.push_str(&little_line(s));
    out
}

/// How requests ended, when any client retries, times out or sees failures.
fn outcomes(s: &RunSummary) -> String {
    let eventful = s
        .sources
        .iter()
        .any(|x| x.retries + x.timed_out + x.failed > 0);
    if !eventful {
        return String::new();
    }
    let mut out = format!(
        "\n{:<16} {:>9} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9}\n",
        "requests",
        "attempts",
        "ok first",
        "ok retry",
        "rejected",
        "timed out",
        "failed",
        "try/req"
    );
    for x in &s.sources {
        let answered = x.completed + x.rejected + x.timed_out + x.failed;
        let share = |n: u64| {
            pct(if answered == 0 {
                0.0
            } else {
                n as f64 / answered as f64
            })
        };
        let _ = writeln!(
            out,
            "{:<16} {:>9} {:>10} {:>10} {:>9} {:>9} {:>9} {:>9.2}",
            clip(&x.name, 16),
            x.attempts,
            share(x.succeeded_first_try),
            share(x.succeeded_after_retries),
            share(x.rejected),
            share(x.timed_out),
            share(x.failed),
            x.amplification,
        );
    }
    out
}

/// The shares over each of the scenario's thresholds, when it names any.
fn thresholds(system: &System, s: &RunSummary) -> String {
    let limits = &system.simulation().thresholds;
    if limits.is_empty() {
        return String::new();
    }
    let mut out = format!("\n{:<16} {:<16}", "over threshold", "");
    for t in limits {
        let _ = write!(out, " {:>9}", t.to_string());
    }
    out.push('\n');
    let mut row = |name: &str, what: &str, over: &[Over]| {
        let _ = write!(out, "{:<16} {:<16}", clip(name, 16), what);
        for o in over {
            let _ = write!(out, " {:>9}", o.fraction.map_or(NO_DATA.to_string(), pct));
        }
        out.push('\n');
    };
    for x in &s.sources {
        row(&x.name, "not ok within", &x.over);
    }
    for (i, svc) in s.services.iter().enumerate() {
        row(&svc.name, "waited over", &svc.wait_over);
        let exact = oracle::expected(system, ServiceId(i as u32));
        if let Some(t) = exact.filter(|t| t.wait_tail_rate.is_some()) {
            let tails: Vec<Over> = limits
                .iter()
                .map(|&threshold| Over {
                    threshold,
                    fraction: t.wait_over(threshold.as_secs_f64()),
                })
                .collect();
            row(&format!("  exact {}", t.model), "waited over", &tails);
        }
        row(&svc.name, "at service over", &svc.sojourn_over);
    }
    out
}

/// One line each for what only some scenarios have: timeouts and wasted work at services,
/// asynchronous completion, and the recovery verdict.
fn notes(s: &RunSummary) -> String {
    let mut out = String::new();
    for x in s.sources.iter().filter(|x| x.latency.count == 0) {
        let _ = writeln!(
            out,
            "{}: no successful requests, so no response time ({} of {} answered requests \
             rejected, {} timed out, {} failed)",
            x.name,
            x.rejected,
            x.answered(),
            x.timed_out,
            x.failed,
        );
    }
    for svc in s.services.iter().filter(|x| x.sojourn.count == 0) {
        let _ = writeln!(
            out,
            "{}: no work completed, so no time in service ({} arrivals, {} rejected)",
            svc.name, svc.arrivals, svc.rejected,
        );
    }
    for svc in s
        .services
        .iter()
        .filter(|x| x.timeouts + x.dropped > 0 || x.failed > 0)
    {
        let _ = writeln!(
            out,
            "{}: {} attempts timed out, {} dropped unstarted, {} failed; {} of work wasted on \
             callers that had given up",
            svc.name,
            svc.timeouts,
            svc.dropped,
            svc.failed,
            secs(svc.wasted_secs),
        );
    }
    for svc in &s.services {
        let Some(f) = svc.faults else { continue };
        let _ = writeln!(
            out,
            "{}: {} worker crashes, {} restarts; {} pieces of work lost, {} refused (down or cut off); \
             workers up {:.1}% of the time, a worker down {:.1}% of the time",
            svc.name,
            f.crashes,
            f.restarts,
            f.lost,
            f.refused,
            f.up_fraction * 100.0,
            f.degraded_fraction * 100.0,
        );
    }
    for svc in &s.services {
        let Some(m) = svc.messages else { continue };
        let _ = writeln!(
            out,
            "{}: messages: {} published, {} completed, {} pending at the end; {} processed \
             ({} duplicate processings, {} duplicates recognised); lost: {} with a consumer, {} \
             by the broker, {} dropped by overflow; {} dead-lettered; {} redeliveries, {} \
             visibility timeouts lapsed, {} receives paged",
            svc.name,
            m.published,
            m.completed,
            m.pending,
            m.processed,
            m.duplicates,
            m.deduplicated,
            m.lost,
            m.lost_by_broker,
            m.dropped,
            m.dead_lettered,
            m.redelivered,
            m.expired,
            m.paged,
        );
    }
    for svc in &s.services {
        let Some(m) = svc.messages.filter(|m| m.age_at_end.count > 0) else {
            continue;
        };
        let (start, end) = (&m.age_at_start, &m.age_at_end);
        let _ = writeln!(
            out,
            "{}: message age (from publish) at first delivery mean {}, p99 {}; at completion \
             mean {}, p99 {}",
            svc.name,
            secs(start.mean),
            secs(start.p99),
            secs(end.mean),
            secs(end.p99),
        );
    }
    for svc in &s.services {
        let Some(a) = svc.autoscale else { continue };
        let _ = writeln!(
            out,
            "{}: autoscaling: {} scale-outs, {} scale-ins; workers {} to {} (mean {:.1})",
            svc.name, a.scale_outs, a.scale_ins, a.workers_min, a.workers_max, a.workers_mean,
        );
    }
    for x in s.sources.iter().filter(|x| x.async_latency.count > 0) {
        let a = &x.async_latency;
        let _ = writeln!(
            out,
            "{}: asynchronous work finished after mean {}, p50 {}, p99 {} (from the request's start)",
            x.name,
            secs(a.mean),
            secs(a.p50),
            secs(a.p99),
        );
    }
    if let Some(r) = &s.system.recovery {
        let _ = writeln!(
            out,
            "recovery: goodput {}/s before the trigger, {}/s at the end; trigger from {} to {}: \
             {}",
            num(r.baseline_goodput),
            num(r.final_goodput),
            secs(r.trigger_start_secs),
            secs(r.trigger_end_secs),
            report::recovery_verdict(r, s.stopped.is_some()),
        );
    }
    if out.is_empty() {
        out
    } else {
        format!("\n{out}")
    }
}

/// One line on Little's law: all well, or which checks missed and by how much.
fn little_line(s: &RunSummary) -> String {
    let checks = s.little_checks();
    let misses: Vec<&(String, LittleCheck)> = checks.iter().filter(|(_, c)| !c.holds()).collect();
    if misses.is_empty() {
        let worst = (checks.iter())
            .map(|(_, c)| c.relative_error)
            .fold(0.0, f64::max);
        return format!(
            "Little's law L = λW holds everywhere (largest gap {:.3}%, tolerance {}%)\n",
            worst * 100.0,
            LITTLE_TOLERANCE * 100.0
        );
    }
    let why = if s.stopped.is_some() {
        "expected when a limit stops the run: work that entered is still inside"
    } else if s.steady() {
        "the run is too short for the time requests spend inside: lengthen duration"
    } else {
        "expected while the model is not in steady state (see above): work that entered is \
         still inside at the end"
    };
    let mut out = String::new();
    for (name, c) in misses {
        let _ = writeln!(
            out,
            "warning: Little's law misses at {name}: L = {:.4} but λW = {:.4} (gap {:.2}% > {}%); \
             {why}",
            c.l,
            c.lambda * c.w,
            c.relative_error * 100.0,
            LITTLE_TOLERANCE * 100.0
        );
    }
    out
}

/// Wall-clock speed, for stderr.
pub(crate) fn timing(events: u64, elapsed_secs: f64) -> String {
    let rate = events as f64 / elapsed_secs.max(1e-9);
    format!(
        "simulated {events} events in {elapsed_secs:.3}s ({:.1} million events/s)",
        rate / 1e6
    )
}

/// A rate or count with four significant digits.
fn num(x: f64) -> String {
    if x == 0.0 || !x.is_finite() {
        return format!("{x}");
    }
    let decimals = (3 - x.abs().log10().floor() as i32).clamp(0, 9) as usize;
    format!("{x:.decimals$}")
}

fn pct(fraction: f64) -> String {
    format!("{:.2}%", fraction * 100.0)
}

/// A duration with a readable unit.
fn secs(s: f64) -> String {
    match s {
        s if !s.is_finite() => "inf".to_string(),
        0.0 => "0s".to_string(),
        s if s >= 7200.0 => format!("{:.2}h", s / 3600.0),
        s if s >= 120.0 => format!("{:.2}min", s / 60.0),
        s if s >= 1.0 => format!("{s:.3}s"),
        s if s >= 1e-3 => format!("{:.2}ms", s * 1e3),
        s => format!("{:.1}us", s * 1e6),
    }
}

/// A figure's value in its unit.
fn in_unit(unit: Unit, x: f64) -> String {
    match unit {
        Unit::Seconds => secs(x),
        Unit::PerSecond => format!("{}/s", num(x)),
        Unit::Fraction => pct(x),
        Unit::Number => num(x),
    }
}

/// What the table shows for a figure with no observations.
const NO_DATA: &str = "–";

/// A latency figure, or "–" when the distribution has no samples.
fn observed(l: &LatencySummary, x: f64) -> String {
    if l.count == 0 {
        NO_DATA.to_string()
    } else {
        secs(x)
    }
}

fn clip(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_string()
    } else {
        let head: String = name.chars().take(width - 1).collect();
        format!("{head}…")
    }
}
