//! The recovery verdict in words, over one replication or all of them; shared by the
//! terminal summary and the report.

use super::format::{num, pct, secs};
use crate::stats::{HEALTHY_BASELINE, Recovery, RecoveryAcross, RecoveryVerdict};

/// One replication's verdict: "recovered 12.0 s after the trigger ended", "did NOT
/// recover …", or "no healthy baseline …".
pub fn recovery_verdict(r: &Recovery, stopped: bool) -> String {
    match r.verdict {
        RecoveryVerdict::Recovered { after_secs } => {
            format!("recovered {} after the trigger ended", secs(after_secs))
        }
        RecoveryVerdict::NotRecovered if stopped => {
            "did NOT recover: it collapsed into a limit that stopped the run".to_string()
        }
        RecoveryVerdict::NotRecovered => {
            "did NOT recover within the run (metastable failure?)".to_string()
        }
        RecoveryVerdict::NoHealthyBaseline => format!(
            "no healthy baseline: before the trigger only {} of the {}/s offered succeeded \
             (under {}), so recovery is not judged",
            pct(r.baseline_goodput / r.baseline_offered),
            num(r.baseline_offered),
            pct(HEALTHY_BASELINE),
        ),
    }
}

/// The verdict over every replication, e.g. "did not recover in 7 of 10 replications (70%,
/// 95% interval 40%–89%); the 3 that recovered took 12.0 s on average (± 3.0 s; from 9.0 s
/// to 15.0 s, median 12.0 s)".
pub fn recovery_across(r: &RecoveryAcross) -> String {
    let n = r.verdicts.len();
    let judged = r.recovered + r.not_recovered;
    let mut parts = Vec::new();
    if let Some((fraction, low, high)) = r.not_recovered_fraction {
        parts.push(format!(
            "did not recover in {} of {judged} judged replication(s) ({}, 95% interval {}–{})",
            r.not_recovered,
            pct(fraction),
            pct(low),
            pct(high)
        ));
    }
    if let Some(t) = r.time_to_recover {
        let spread = if t.mean.n > 1 {
            format!(
                " (± {}; from {} to {}, median {})",
                secs(t.mean.half_width),
                secs(t.min),
                secs(t.max),
                secs(t.median)
            )
        } else {
            String::new()
        };
        parts.push(format!(
            "the {} that recovered took {} on average after the trigger ended{spread}",
            r.recovered,
            secs(t.mean.mean)
        ));
    }
    if r.no_healthy_baseline > 0 {
        parts.push(format!(
            "{} had no healthy baseline and were not judged",
            r.no_healthy_baseline
        ));
    }
    let unjudged = n - judged - r.no_healthy_baseline;
    if unjudged > 0 {
        parts.push(format!(
            "{unjudged} had too little time around the trigger to judge"
        ));
    }
    let replications = if n == 1 {
        "replication"
    } else {
        "replications"
    };
    format!("over {n} {replications}: {}", parts.join("; "))
}
