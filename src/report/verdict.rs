//! Plain-language verdicts on a comparison of two designs.

use super::format::{half_width, signed, value};
use crate::stats::{Difference, Figure, Scope};

/// Figures a verdict speaks about, in order of importance.
const VERDICT_FIGURES: [Figure; 5] = [
    Figure::LatencyP99,
    Figure::LatencyMean,
    Figure::CompletionMean,
    Figure::RejectedFraction,
    Figure::Goodput,
];

/// One sentence per source and verdict figure, e.g. "B cuts p99 response time (web) from
/// 840.0 ms to 95.0 ms (difference −745.0 ms ± 12.0 ms, 95% CI)."
pub(crate) fn sentences(a_name: &str, b_name: &str, differences: &[Difference]) -> Vec<String> {
    VERDICT_FIGURES
        .iter()
        .flat_map(|figure| {
            differences
                .iter()
                .filter(move |d| d.scope == Scope::Source && d.figure == *figure)
        })
        .map(|d| sentence(a_name, b_name, d))
        .collect()
}

fn sentence(a_name: &str, b_name: &str, d: &Difference) -> String {
    let unit = d.figure.unit();
    let what = format!("{} ({})", d.figure.label(), d.component);
    let (a, b) = (value(unit, d.a.mean), value(unit, d.b.mean));
    let delta = format!(
        "difference {} {}, 95% CI",
        signed(unit, d.difference.mean),
        half_width(unit, &d.difference)
    );
    let significant =
        d.difference.half_width.is_finite() && d.difference.mean.abs() > d.difference.half_width;
    if !significant {
        return format!(
            "No clear difference in {what} between {a_name} ({a}) and {b_name} ({b}): \
             the interval of the difference includes zero ({delta})."
        );
    }
    let up = d.difference.mean > 0.0;
    let better = up != d.figure.lower_is_better();
    let verb = match (up, better) {
        (false, true) => "cuts",
        (true, true) => "raises",
        (true, false) => "worsens",
        (false, false) => "lowers",
    };
    format!("{b_name} {verb} {what} from {a} to {b} ({delta}).")
}
