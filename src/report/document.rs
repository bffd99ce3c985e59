//! The content of a report as a list of blocks, rendered to Markdown or HTML, so both
//! formats always say the same thing.

use super::charts::Chart;
use super::format::{half_width, interval_of, mean_of, num, pct, secs, signed, value};
use super::{
    Design, Report, recovery_across, recovery_verdict, scenario_hash, steady_state_warnings,
    stop_warning, verdict,
};
use crate::experiment::StopReason;
use crate::model::ServiceId;
use crate::oracle;
use crate::stats::{
    CONFIDENCE, Estimate, Figure, Headline, RecoveryAcross, Scope, differences, headlines,
};

/// A piece of a report; `C` names its charts (a run report's [`Chart`], a sweep's own).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Block<C = Chart> {
    /// A heading of level 1 to 3.
    Heading(u8, String),
    /// A paragraph of plain text.
    Para(String),
    /// A bulleted list.
    List(Vec<String>),
    /// A table with a header row.
    Table {
        head: Vec<String>,
        rows: Vec<Vec<String>>,
    },
    /// A chart, shown inline (HTML) or as a PNG beside the file (Markdown).
    Chart(C),
    /// Preformatted text (commands, the scenario).
    Code(String),
}

/// A chart as a document refers to it: its title, and the stem of its SVG and PNG files.
pub(crate) trait ChartFile: Copy {
    /// Title shown above the chart, and its alternative text.
    fn title(&self) -> &'static str;
    /// File stem of `<stem>.svg` and `<stem>.png` beside the report.
    fn file_stem(&self) -> &'static str;
}

impl ChartFile for Chart {
    fn title(&self) -> &'static str {
        Chart::title(*self)
    }

    fn file_stem(&self) -> &'static str {
        Chart::file_stem(*self)
    }
}

/// The whole report: a single run study or a comparison.
pub(crate) fn blocks(report: &Report<'_>) -> Vec<Block> {
    let mut out = Vec::new();
    match report.designs.as_slice() {
        [design] => {
            out.push(Block::Heading(
                1,
                format!("spillway report: {}", design.name),
            ));
            out.extend(provenance(report));
            caveat_section(&mut out, design);
            headline_section(&mut out, design);
            outcome_section(&mut out, design);
            fault_section(&mut out, design);
            scaling_section(&mut out, design);
            message_section(&mut out, design);
            recovery_section(&mut out, design);
            theory_section(&mut out, design);
            little_section(&mut out, design);
        }
        designs => {
            let names: Vec<&str> = designs.iter().map(|d| d.name).collect();
            out.push(Block::Heading(
                1,
                format!("spillway comparison: {}", names.join(" vs ")),
            ));
            out.extend(provenance(report));
            for design in designs {
                caveat_section(&mut out, design);
            }
            comparison_section(&mut out, designs);
            for design in designs {
                recovery_section(&mut out, design);
            }
        }
    }
    out.push(Block::Heading(2, "Charts".into()));
    for chart in Chart::of(report) {
        out.push(Block::Heading(3, chart.title().into()));
        out.push(Block::Chart(chart));
        out.push(Block::Para(chart.caption().into()));
    }
    method_section(&mut out, report);
    for design in &report.designs {
        out.push(Block::Heading(
            2,
            format!("Scenario: {}", design.scenario_path),
        ));
        out.push(Block::Code(design.scenario_text.trim_end().to_string()));
    }
    out
}

/// Seed, version, command and everything else needed to replay the report.
fn provenance(report: &Report<'_>) -> Vec<Block> {
    let mut items = vec![
        format!("spillway {}", env!("CARGO_PKG_VERSION")),
        format!("command: {}", report.command),
    ];
    for d in &report.designs {
        let sim = d.study.system.simulation();
        let prefix = if report.designs.len() > 1 {
            format!("{}: ", d.name)
        } else {
            String::new()
        };
        items.push(format!(
            "{prefix}scenario {} (FNV-1a {}), seed {}, {} replication(s) ({}), warm-up {}, \
             {} measured per replication, {} events in all",
            d.scenario_path,
            scenario_hash(d.scenario_text),
            sim.seed,
            d.study.summaries.len(),
            stop_text(d.study.stop),
            secs(d.study.warmup.secs),
            secs(d.study.summaries.first().map_or(0.0, |s| s.measured_secs)),
            d.study.events,
        ));
    }
    vec![
        Block::List(items),
        Block::Para(
            "To reproduce this report byte for byte, run the command above with the same \
             scenario file (its hash is given) and spillway version: every random draw \
             follows from the seed."
                .into(),
        ),
    ]
}

fn stop_text(stop: StopReason) -> &'static str {
    match stop {
        StopReason::Planned => "as planned",
        StopReason::PrecisionReached => "target precision reached",
        StopReason::MaxReplications => "upper bound reached before the target precision",
    }
}

fn component(h_scope: Scope, name: &str) -> String {
    match h_scope {
        Scope::Source => format!("{name} (source)"),
        Scope::Service => format!("{name} (service)"),
        Scope::System => name.to_string(),
    }
}

/// Warnings, before any figure, when a limit stopped a replication or one was not in
/// steady state: a reader of the report alone must not miss either.
fn caveat_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let runs = &design.study.summaries;
    let system = &design.study.system;
    let stopped: Vec<usize> = (0..runs.len())
        .filter(|&i| runs[i].stopped.is_some())
        .collect();
    if let Some(&first) = stopped.first() {
        out.push(Block::Heading(
            2,
            format!(
                "Warning: {} was stopped by a limit in {} of {} replication(s)",
                design.name,
                stopped.len(),
                runs.len()
            ),
        ));
        out.extend(
            stop_warning(system, &runs[first])
                .map(|text| Block::Para(format!("Replication {first}: {text}"))),
        );
    }
    if let Some(r) = RecoveryAcross::of(runs).filter(|r| r.not_recovered > 0) {
        out.push(Block::Heading(
            2,
            format!(
                "Warning: {} did not recover after the trigger in {} of {} judged replication(s)",
                design.name,
                r.not_recovered,
                r.recovered + r.not_recovered
            ),
        ));
        out.push(Block::Para(format!(
            "Recovery {}. See \"Recovery: {}\" below.",
            recovery_across(&r),
            design.name
        )));
    }
    let unsteady: Vec<usize> = (0..runs.len()).filter(|&i| !runs[i].steady()).collect();
    let Some(&first) = unsteady.first() else {
        return;
    };
    out.push(Block::Heading(
        2,
        format!("Warning: {} was not in steady state", design.name),
    ));
    out.push(Block::Para(format!(
        "In {} of {} replication(s) a queue or the requests in flight grew steadily through \
         the measured period, so the figures below describe a run that had not settled. \
         Replication {first}:",
        unsteady.len(),
        runs.len()
    )));
    out.push(Block::List(steady_state_warnings(system, &runs[first])));
}

fn headline_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let n = design.study.summaries.len();
    out.push(Block::Heading(2, "Headline figures".into()));
    let over = if n > 1 {
        format!(
            "Mean over {n} independent replications, with the {:.0}% confidence interval \
             (Student t with {} degrees of freedom).",
            CONFIDENCE * 100.0,
            n - 1
        )
    } else {
        "One replication: no confidence interval (run with --replications 2 or more).".into()
    };
    out.push(Block::Para(format!(
        "{over} Sources are end to end; services are per hop. A source's response times are \
         of its successful requests only: read them beside the share that succeeded."
    )));
    let main: Vec<Headline> = headlines(&design.study.summaries)
        .into_iter()
        .filter(|h| {
            ![
                &Figure::OUTCOMES[..],
                &Figure::FAULTS,
                &Figure::SCALING,
                &Figure::MESSAGES,
            ]
            .iter()
            .any(|set| set.contains(&h.figure))
        })
        .collect();
    out.push(headline_table("figure", &main, n));
}

/// What crashes and outages did at each service that can fail: crashes, restarts and
/// work lost per run, the share of workers up and of the time with one down.
fn fault_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let n = design.study.summaries.len();
    let faults: Vec<Headline> = headlines(&design.study.summaries)
        .into_iter()
        .filter(|h| Figure::FAULTS.contains(&h.figure))
        .collect();
    if faults.is_empty() {
        return;
    }
    out.push(Block::Heading(2, "Faults".into()));
    out.push(Block::Para(
        "What worker crashes and outages did, per service that can fail: crashes, restarts \
         and pieces of work lost (held by a crashed worker, or waiting in a queue lost with \
         the service) or refused (down with its queue lost, or cut off by a partition) per run; the time-average share of configured workers that were up; \
         and the share of the measured time with at least one worker down. Lost work reaches \
         its caller as a failure, or, for a caller with a timeout, as that timeout."
            .into(),
    ));
    out.push(headline_table("fault", &faults, n));
}

/// What the autoscaler did at each autoscaled service: scale-outs and scale-ins per run,
/// and the mean, fewest and most workers configured.
fn scaling_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let n = design.study.summaries.len();
    let scaling: Vec<Headline> = headlines(&design.study.summaries)
        .into_iter()
        .filter(|h| Figure::SCALING.contains(&h.figure))
        .collect();
    if scaling.is_empty() {
        return;
    }
    out.push(Block::Heading(2, "Autoscaling".into()));
    out.push(Block::Para(
        "What each service's autoscaler did in the measured period: decisions that ordered \
         workers (scale-outs) and that removed them (scale-ins) per run, and the workers \
         configured (up or crashed, not those still starting): time-average, fewest and \
         most. The workers chart shows them over time."
            .into(),
    ));
    out.push(headline_table("scaling", &scaling, n));
}

/// What happened to the messages of each broker queue: published, redelivered, processed
/// twice, lost, dead-lettered, visibility timeouts lapsed, and pending at the end.
fn message_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let n = design.study.summaries.len();
    let messages: Vec<Headline> = headlines(&design.study.summaries)
        .into_iter()
        .filter(|h| Figure::MESSAGES.contains(&h.figure))
        .collect();
    if messages.is_empty() {
        return;
    }
    out.push(Block::Heading(2, "Messages".into()));
    out.push(Block::Para(
        "What happened to the messages of each broker queue (a service whose queue has a \
         delivery guarantee) per run: accepted (published); delivered again after a \
         consumer crash or a lapsed visibility timeout (redeliveries); processed more \
         than once (duplicates); received again and recognised by idempotent consumers \
         (deduplicated); lost with a crashed consumer; lost by the broker (in its crash, \
         or with a lost queue); dropped by a full \
         queue to make room; moved to the dead-letter queue; visibility timeouts that \
         lapsed before the message was deleted; receives that paid the paging time of a \
         broker beyond its memory; still in the broker at the end; and the age of a \
         message, from its publish, when first delivered and when completed. \
         Every message published is completed, lost, dropped, dead-lettered or still \
         pending."
            .into(),
    ));
    out.push(headline_table("message", &messages, n));
}

/// A table of headline figures, one row each: component, figure, mean, interval.
fn headline_table(what: &str, figures: &[Headline], replications: usize) -> Block {
    let rows = figures
        .iter()
        .map(|h| {
            vec![
                component(h.scope, &h.component),
                h.figure.label(),
                mean_of(h.figure.unit(), h.estimate.as_ref()),
                interval_of(h.figure, h.estimate.as_ref(), replications),
            ]
        })
        .collect();
    Block::Table {
        head: vec![
            "component".into(),
            what.into(),
            "mean".into(),
            "95% CI".into(),
        ],
        rows,
    }
}

/// What became of requests (first try, after retries, rejected, timed out, failed, attempts
/// per request) and of work (wasted on callers that gave up), with intervals; left out
/// when every request succeeded at its first try and nothing was wasted.
fn outcome_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let n = design.study.summaries.len();
    // Component by component, as headlines come, each in the order of `Figure::OUTCOMES`.
    let mut outcomes: Vec<(usize, usize, Headline)> = Vec::new();
    let mut group = 0;
    for h in headlines(&design.study.summaries) {
        if outcomes
            .last()
            .is_some_and(|(_, _, last)| (last.scope, &last.component) != (h.scope, &h.component))
        {
            group += 1;
        }
        if let Some(k) = Figure::OUTCOMES.iter().position(|&f| f == h.figure) {
            outcomes.push((group, k, h));
        }
    }
    outcomes.sort_by_key(|&(group, k, _)| (group, k));
    let outcomes: Vec<Headline> = outcomes.into_iter().map(|(_, _, h)| h).collect();
    let plain = |h: &Headline| match h.figure {
        Figure::FirstTryFraction | Figure::Amplification => {
            h.estimate.is_none_or(|e| e.mean == 1.0)
        }
        _ => h.estimate.is_none_or(|e| e.mean == 0.0),
    };
    if outcomes.iter().all(plain) {
        return;
    }
    out.push(Block::Heading(2, "Outcomes".into()));
    out.push(Block::Para(
        "What became of each source's requests, as shares of the requests answered (a \
         request's outcome is its last attempt's), the attempts each took, and, per service, \
         how many workers were busy on average with work whose caller had already given up."
            .into(),
    ));
    out.push(headline_table("outcome", &outcomes, n));
}

/// The recovery verdict of every replication, and over all of them.
fn recovery_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let runs = &design.study.summaries;
    let Some(across) = RecoveryAcross::of(runs) else {
        return;
    };
    out.push(Block::Heading(2, format!("Recovery: {}", design.name)));
    let mut paragraph = format!(
        "Recovery after the trigger (a change of load or capacity, or a scheduled crash or \
         outage, after the warm-up; see the scenario format's \"What a run reports\"): {}.",
        recovery_across(&across)
    );
    if let Some(r) = runs.iter().find_map(|r| r.system.recovery) {
        paragraph.push_str(&format!(
            " The trigger runs from {} to {}.",
            secs(r.trigger_start_secs),
            secs(r.trigger_end_secs)
        ));
    }
    out.push(Block::Para(paragraph));
    let rows = runs
        .iter()
        .enumerate()
        .map(|(i, run)| match run.system.recovery {
            Some(r) => vec![
                i.to_string(),
                recovery_verdict(&r, run.stopped.is_some()),
                format!("{}/s", num(r.baseline_goodput)),
                format!("{}/s", num(r.baseline_offered)),
                format!("{}/s", num(r.final_goodput)),
            ],
            None => vec![
                i.to_string(),
                "no verdict: too little time around the trigger".into(),
                String::new(),
                String::new(),
                String::new(),
            ],
        })
        .collect();
    out.push(Block::Table {
        head: [
            "replication",
            "verdict",
            "goodput before",
            "offered before",
            "goodput at the end",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
}

/// Exact figures where a textbook model applies, beside the simulated intervals.
fn theory_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let system = &design.study.system;
    let hl = headlines(&design.study.summaries);
    let find = |name: &str, figure: Figure| -> Option<&Headline> {
        hl.iter()
            .find(|h| h.scope == Scope::Service && h.component == name && h.figure == figure)
    };
    let mut rows = Vec::new();
    for (i, svc) in system.services().iter().enumerate() {
        let Some(t) = oracle::expected(system, ServiceId(i as u32)) else {
            continue;
        };
        for (figure, exact) in [
            (Figure::Utilisation, t.utilisation),
            (Figure::InService, t.l),
            (Figure::WaitMean, t.wq),
            (Figure::WaitProbability, t.p_wait),
            (Figure::SojournMean, t.w),
        ] {
            if let Some(e) = find(&svc.name, figure).and_then(|h| h.estimate.as_ref()) {
                rows.push(theory_row(&svc.name, t.model, figure, exact, e));
            }
        }
        for &limit in &system.simulation().thresholds {
            let figure = Figure::WaitOver(limit);
            let exact = t.wait_over(limit.as_secs_f64());
            let e = find(&svc.name, figure).and_then(|h| h.estimate.as_ref());
            if let (Some(exact), Some(e)) = (exact, e) {
                rows.push(theory_row(&svc.name, t.model, figure, exact, e));
            }
        }
    }
    if rows.is_empty() {
        return;
    }
    out.push(Block::Heading(2, "Exact theory".into()));
    out.push(Block::Para(
        "Services that match a textbook model (Poisson input or a closed loop of users, FIFO, \
         matching service distribution) are compared with its exact figures."
            .into(),
    ));
    out.push(Block::Table {
        head: [
            "service",
            "model",
            "figure",
            "exact",
            "simulated",
            "95% CI",
            "covered",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
}

fn theory_row(name: &str, model: &str, figure: Figure, exact: f64, e: &Estimate) -> Vec<String> {
    let unit = figure.unit();
    let covered = if e.half_width.is_finite() {
        if e.covers(exact) { "yes" } else { "no" }
    } else {
        "n/a"
    };
    vec![
        name.to_string(),
        model.to_string(),
        figure.label().to_string(),
        value(unit, exact),
        value(unit, e.mean),
        half_width(unit, e),
        covered.to_string(),
    ]
}

fn little_section(out: &mut Vec<Block>, design: &Design<'_>) {
    let runs = &design.study.summaries;
    let Some(first) = runs.first() else {
        return;
    };
    out.push(Block::Heading(2, "Little's law".into()));
    out.push(Block::Para(
        "L (time-average number inside) against λW (admissions per second times mean time \
         inside), checked in every replication; the largest relative gap is shown."
            .into(),
    ));
    let mut rows = Vec::new();
    let names = first.little_checks().into_iter().map(|(name, _)| name);
    for (i, name) in names.enumerate() {
        let check = |r: &crate::stats::RunSummary| r.little_checks()[i].1;
        let worst = runs
            .iter()
            .map(|r| check(r).relative_error)
            .fold(0.0, f64::max);
        let holds = runs.iter().all(|r| check(r).holds());
        let c = check(first);
        rows.push(vec![
            name,
            num(c.l),
            num(c.lambda * c.w),
            pct(worst),
            if holds { "yes" } else { "no" }.to_string(),
        ]);
    }
    out.push(Block::Table {
        head: [
            "where",
            "L (replication 0)",
            "λW (replication 0)",
            "largest gap",
            "holds",
        ]
        .map(String::from)
        .to_vec(),
        rows,
    });
}

fn comparison_section(out: &mut Vec<Block>, designs: &[Design<'_>]) {
    let base = &designs[0];
    out.push(Block::Heading(2, "Verdict".into()));
    out.push(Block::List(verdict::comparison(designs)));
    out.push(Block::Para(format!(
        "All designs ran with the same seed, so replication i of each drew the same \
         arrivals from same-named sources (common random numbers). Differences are paired \
         replication by replication, with the {:.0}% Student-t interval of their mean; a \
         difference counts only when that interval excludes zero.",
        CONFIDENCE * 100.0
    )));
    for other in &designs[1..] {
        out.push(Block::Heading(
            2,
            format!("Side by side: {} vs {}", base.name, other.name),
        ));
        let (na, nb) = (base.study.summaries.len(), other.study.summaries.len());
        let rows = differences(&base.study.summaries, &other.study.summaries)
            .iter()
            .map(|d| {
                let unit = d.figure.unit();
                let side = |e: Option<&Estimate>, n: usize| {
                    format!("{} {}", mean_of(unit, e), interval_of(d.figure, e, n))
                };
                let difference = d.difference.as_ref().map_or_else(
                    || "no replication where both have data".to_string(),
                    |e| format!("{} {}", signed(unit, e.mean), half_width(unit, e)),
                );
                vec![
                    component(d.scope, &d.component),
                    d.figure.label().to_string(),
                    side(d.a.as_ref(), na),
                    side(d.b.as_ref(), nb),
                    difference,
                ]
            })
            .collect();
        out.push(Block::Table {
            head: vec![
                "component".into(),
                "figure".into(),
                base.name.into(),
                other.name.into(),
                format!("{} − {}", other.name, base.name),
            ],
            rows,
        });
    }
}

fn method_section(out: &mut Vec<Block>, report: &Report<'_>) {
    out.push(Block::Heading(2, "Method".into()));
    let mut items = Vec::new();
    for d in &report.designs {
        let w = d.study.warmup;
        let text = match w.mser {
            None => format!(
                "{}: the first {} of every replication is discarded (the scenario's warm-up).",
                d.name,
                secs(w.secs)
            ),
            Some((windows, width)) => format!(
                "{}: warm-up chosen by MSER-5: a pilot of 4 replications (warm-up included) \
                 recorded the number of requests inside the system per {} window; these were \
                 grouped in batches of 5, and the warm-up is the truncation point that \
                 minimises the squared standard error of the remaining batch means. It \
                 discarded {windows} window(s): a warm-up of {} (the scenario said {}). \
                 Deleting a start-up transient lowers that error; deleting steady-state \
                 data raises it. Its resolution is one batch ({}): a transient shorter \
                 than that is not removed.",
                d.name,
                secs(width),
                secs(w.secs),
                secs(w.scenario_secs),
                secs(width * 5.0),
            ),
        };
        items.push(text);
        if let Some(cap) = w.capped {
            items.push(format!(
                "{}: MSER-5 chose a warm-up of {}, which would have discarded the scenario's \
                 first trigger (at {}); the warm-up was capped at {} so that the trigger and \
                 the baseline the recovery verdict needs before it are measured. The start-up \
                 transient may not be wholly removed: lengthen the time before the trigger.",
                d.name,
                secs(cap.chosen_secs),
                secs(cap.trigger_secs),
                secs(w.secs),
            ));
        }
        if let Some(p) = d.study.plan.precision {
            items.push(format!(
                "{}: replications were added until every source's mean and p99 response time \
                 had a 95% interval within ±{} of its mean, up to {} replications: {}.",
                d.name,
                pct(p.relative_half_width),
                p.max_replications,
                stop_text(d.study.stop)
            ));
        }
    }
    items.push(match &report.designs[0].study.timeseries {
        Some(ts) => format!(
            "timeseries.csv (beside this report) has one row per {} window from the start of \
             the run, warm-up included: rates per second and time averages, averaged over \
             replications; p50 and p99 come from 16-buckets-per-octave histograms (within \
             about 6%, interpolated). offered, completed (answered, whatever the outcome), \
             goodput (successful), retries and in flight count client requests; admitted, \
             rejected and timed_out count work at services (attempts, calls and messages). \
             queue_depth and utilisation are over all services; queue_depth.<service> and \
             utilisation.<service> follow for each service and, with several sources, \
             p50_s.<source> and p99_s.<source> for each source (empty where a design has no \
             such service or source, or no request finished).",
            secs(ts.width_ns() as f64 / 1e9)
        ),
        None => "No time series was kept for this study, so timeseries.csv and the charts \
                 over time are empty."
            .to_string(),
    });
    items.push(format!(
        "Confidence intervals: {:.0}% confidence, Student t across independent replications \
         (each replication has its own random streams); a single replication has none.",
        CONFIDENCE * 100.0
    ));
    out.push(Block::List(items));
}
