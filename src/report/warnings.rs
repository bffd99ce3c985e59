//! Plain-language warnings about a run whose figures need a caveat: a limit stopped it
//! before its horizon, or it was not in steady state (a queue, or the requests in flight,
//! grew steadily through the measured period). Shared by the terminal summary and the
//! report, so both say the same.

use super::format::{num, pct, secs};
use crate::model::{Flow, System};
use crate::stats::{Growth, RunSummary, ServiceSummary};

/// One sentence per growing level, then what to change; empty when the run was steady.
pub fn steady_state_warnings(system: &System, run: &RunSummary) -> Vec<String> {
    let flows = system.traffic();
    let mut out = Vec::new();
    for (service, flow) in run.services.iter().zip(&flows) {
        let Some(g) = service.queue_growth else {
            continue;
        };
        let advice = advice(service, flow);
        out.push(format!(
            "the model is not in steady state: the queue of '{}' grew {}; {advice}",
            service.name,
            grew(g)
        ));
    }
    if let Some(g) = run.system.in_flight_growth
        && out.is_empty()
    {
        out.push(format!(
            "the model is not in steady state: the client requests in flight grew {} (waiting \
             in backoff, on timers or in calls rather than in a queue); the figures describe a \
             system that was still filling up",
            grew(g)
        ));
    }
    out
}

/// Why a queue kept growing, and what to change: the load the model offers is over
/// capacity; or retries (or calls) raised the work that arrived above it, which a longer
/// run cannot settle; or neither, and the queue is still filling up from empty.
fn advice(service: &ServiceSummary, flow: &Flow) -> String {
    let (offered, measured, capacity) = (flow.arrival, service.arrival_rate, flow.capacity);
    if offered >= capacity {
        format!(
            "{}/s is offered and it can serve at most {}/s, so no run length will settle it: \
             add workers, or lower the load",
            num(offered),
            num(capacity)
        )
    } else if measured > capacity && amplified(service, flow) {
        format!(
            "{}/s is offered, but retries raised the work that arrived to {}/s, above the {}/s \
             it can serve, so no run length will settle it: give the clients backoff and a \
             retry budget, bound the queue (queue = {{ capacity = N }}), or add workers",
            num(offered),
            num(measured),
            num(capacity)
        )
    } else {
        format!(
            "{}/s is offered against {}/s of capacity (load {}), so this is the queue still \
             filling up from empty, a start-up transient that outlasted the warm-up: \
             lengthen the warm-up (or use --warmup auto) and the run",
            num(offered),
            num(capacity),
            pct(offered / capacity)
        )
    }
}

/// Whether more work arrived than the model offers: more than three standard deviations
/// of a Poisson count above the offered rate (retries, or calls that retry).
fn amplified(service: &ServiceSummary, flow: &Flow) -> bool {
    let noise = 3.0 / (service.arrivals.max(1) as f64).sqrt();
    service.arrival_rate > flow.arrival * (1.0 + noise)
}

fn grew(g: Growth) -> String {
    format!(
        "from {} to {} during the run (averages over the first and last tenth of the measured \
         period)",
        num(g.first),
        num(g.last)
    )
}

/// What stopped the run and what the figures cover, with the work arriving at each service
/// as measured (retries included), which the limit's own message, from the model's
/// nominal rates, cannot show. `None` when the run reached its horizon.
pub fn stop_warning(system: &System, run: &RunSummary) -> Option<String> {
    let error = run.stopped.as_ref()?;
    let flows = system.traffic();
    let arriving: Vec<String> = run
        .services
        .iter()
        .zip(&flows)
        .filter(|(s, f)| amplified(s, f) || s.arrival_rate >= f.capacity)
        .map(|(s, f)| {
            format!(
                "work arrived at '{}' at {}/s (retries included; {}/s offered) against a \
                 capacity of {}/s",
                s.name,
                num(s.arrival_rate),
                num(f.arrival),
                num(f.capacity)
            )
        })
        .collect();
    let measured = if arriving.is_empty() {
        String::new()
    } else {
        format!(" Measured until the stop: {}.", arriving.join("; "))
    };
    Some(format!(
        "the run was stopped before its horizon: {error}. The figures cover the {} measured \
         until then.{measured}",
        secs(run.measured_secs)
    ))
}
