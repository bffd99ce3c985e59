//! The terminal output of a plan: its sentences, then the candidates that were run.

use std::fmt::Write;

use super::{NO_DATA, in_unit};
use spillway::report::{PlanReport, plan_verdicts, verdict_label};

/// The plan's verdicts and, per load, a row per candidate run.
pub(crate) fn plan(report: &PlanReport<'_>) -> String {
    let mut out = String::new();
    let slos: Vec<&str> = report.slos.iter().map(|s| s.text.as_str()).collect();
    let _ = writeln!(
        out,
        "plan: the smallest {} that meets {} (95% intervals, replications added until decided)\n",
        report.knob.name(),
        slos.join(" and ")
    );
    for (verdict, at) in plan_verdicts(report).iter().zip(report.loads) {
        let _ = writeln!(out, "{verdict}");
        if at.answer.evaluated.is_empty() {
            out.push('\n');
            continue;
        }
        let _ = write!(
            out,
            "  {:>12}  {:>12}  {:>10}",
            report.knob.name().rsplit('.').next().unwrap_or(""),
            "replications",
            "verdict"
        );
        for slo in report.slos {
            let name = slo.target();
            let _ = write!(out, "  {name:>22}");
        }
        out.push('\n');
        for candidate in &at.answer.evaluated {
            let verdict = verdict_label(candidate);
            let _ = write!(
                out,
                "  {:>12}  {:>12}  {verdict:>10}",
                report.knob.values[candidate.index].text,
                candidate.samples.len()
            );
            for (slo, check) in report.slos.iter().zip(&candidate.checks) {
                let unit = slo.figure.unit();
                let cell = check.estimate.map_or_else(
                    || NO_DATA.to_string(),
                    |e| match e.half_width.is_finite() {
                        true => format!(
                            "{} ± {}",
                            in_unit(unit, e.mean),
                            in_unit(unit, e.half_width)
                        ),
                        false => in_unit(unit, e.mean),
                    },
                );
                let _ = write!(out, "  {cell:>22}");
            }
            out.push('\n');
        }
        out.push('\n');
    }
    out
}
