//! Command-line arguments.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};
use spillway::experiment::Shard;
use spillway::model::{MAX_REPLICATIONS, SimDuration};

/// Simulate asynchronous systems (queues, worker pools, routes) and check the figures against
/// Little's law and exact queueing theory.
#[derive(Debug, Parser)]
#[command(name = "spillway", version, about, after_help = MAIN_EXAMPLES)]
pub(crate) struct Args {
    #[command(subcommand)]
    pub(crate) command: Command,
}

const MAIN_EXAMPLES: &str = "\
Examples:
  spillway run scenarios/quickstart.toml
  spillway compare scenarios/checkout-sync.toml scenarios/checkout-async.toml
  spillway check scenarios/*.toml

Exit codes: 0 success, 1 run or output failure, 2 usage or scenario error,
3 a safety limit stopped a run (its figures are still printed), 4 plan found no value
that meets every SLO.";

const RUN_EXAMPLES: &str = "\
Examples:
  Simulate a bundled scenario and print its figures:
    spillway run scenarios/quickstart.toml
  Twenty replications, with 95% intervals, and a report in reports/quickstart/:
    spillway run scenarios/quickstart.toml --replications 20 --report
  One JSON document on stdout, another seed, the scenario read from stdin:
    cat scenarios/md1.toml | spillway run - --json --seed 7

Exit codes: 0 success, 1 run or output failure, 2 usage or scenario error,
3 a safety limit stopped a run (its figures are still printed).";

const COMPARE_EXAMPLES: &str = "\
Examples:
  The synchronous checkout against the asynchronous one:
    spillway compare scenarios/checkout-sync.toml scenarios/checkout-async.toml
  A retry storm with and without backoff, the comparison document on stdout:
    spillway compare scenarios/retry-storm.toml scenarios/retry-storm-backoff.toml --json
  Three designs, twenty replications each, the report in a chosen directory:
    spillway compare base.toml cache.toml queue.toml --replications 20 --report /tmp/abc

Exit codes: 0 success, 1 run or output failure, 2 usage or scenario error,
3 a safety limit stopped a run (its figures are still printed).";

const SWEEP_EXAMPLES: &str = "\
Examples:
  Workers from 2 to 8, ten replications each:
    spillway sweep scenarios/quickstart.toml --vary service.api.workers=2..8:1
  The hockey stick: the load from half to 1.2 times the scenario's, in 15 points:
    spillway sweep scenarios/quickstart.toml --load 0.5..1.2:15 --report
  A grid of workers and queue sizes, as JSON:
    spillway sweep FILE --vary service.api.workers=4,8 --vary service.api.queue.capacity=10,100 --json
  Too large for one machine: shard 0 of 3 (an array job runs 0, 1 and 2), then the merge:
    spillway sweep FILE --load 0.5..1.2:15 --shard 0/3 --out parts/part-0.json
    spillway merge parts/part-*.json --report

Without --vary or --load, the file's [sweep] table says what to vary. A point that cannot
run (an unbounded queue loaded beyond its capacity) is shown as such and the sweep goes
on. With --shard I/N, a process runs every item k of the work list
(point by point, replication by replication) with k % N == I and writes its runs to the
--out file; `spillway merge` prints and writes exactly what one sweep would
(docs/clusters.md has Slurm and Kubernetes examples).

Exit codes: 0 success, 1 run or output failure, 2 usage or scenario error.";

const PLAN_EXAMPLES: &str = "\
Examples:
  How many API workers keep p99 under 300 ms with under 0.1% rejected, now and at
  twice the load:
    spillway plan scenarios/quickstart.toml --vary service.api.workers \\
      --slo \"web.p99 < 300ms\" --slo \"web.rejected < 0.1%\" --headroom 2
  Among chosen queue sizes, the smallest that keeps rejections under 1%:
    spillway plan FILE --vary service.api.queue.capacity=10,20,50,100 --slo \"web.rejected < 1%\"

A candidate meets an SLO when the whole 95% interval of its figure is on the right side;
replications are added until that is decided, or --max-replications. An SLO that no
value can meet (a p99 below the service time's own p99) is reported without searching.

Exit codes: 0 found at every load, 1 run or output failure, 2 usage or scenario error,
4 no value in the range meets every SLO at some load.";

const MERGE_EXAMPLES: &str = "\
Examples:
  The three parts of a sweep run as `--shard 0/3`, `1/3` and `2/3`, as its tables:
    spillway merge parts/part-0.json parts/part-1.json parts/part-2.json
  As the sweep document, or with the sweep's report (--report after the parts):
    spillway merge parts/part-*.json --json
    spillway merge parts/part-*.json --report reports/sweep-big

The output is byte for byte what one `spillway sweep` with the same arguments gives. A
missing shard is named with the command that runs it; run it, then merge again.

Exit codes: 0 success, 1 output failure, 2 usage error, a part unreadable or from another
sweep, or a shard missing or given twice.";

const CHECK_EXAMPLES: &str = "\
Examples:
  Every bundled scenario, each problem of each file reported:
    spillway check scenarios/*.toml
  As one JSON document, for an editor or a CI job:
    spillway check --json scenarios/quickstart.toml scenarios/md1.toml
  A scenario written by another program:
    generate-scenario | spillway check -

Exit codes: 0 every file is valid, 2 usage error or some file is not.";

#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Simulate a scenario and print its figures.
    #[command(after_help = RUN_EXAMPLES)]
    Run {
        /// The scenario file (TOML); `-` reads it from standard input.
        file: PathBuf,
        /// Print one JSON document on stdout instead of the table (warnings go to stderr).
        #[arg(long)]
        json: bool,
        /// Write a report (HTML, Markdown, JSON, CSV, charts) into DIR
        /// [default: reports/<scenario name>].
        #[arg(long, value_name = "DIR", num_args = 0..=1)]
        report: Option<Option<PathBuf>>,
        /// Independent replications, run in parallel; from two on, headline figures get 95%
        /// confidence intervals.
        #[arg(long, value_name = "N", default_value_t = 1, allow_negative_numbers = true,
              value_parser = replications)]
        replications: u64,
        #[command(flatten)]
        study: StudyArgs,
    },
    /// Run several designs on the same random arrivals and write one report comparing
    /// them with the first, the baseline.
    #[command(after_help = COMPARE_EXAMPLES)]
    Compare {
        /// The baseline scenario (TOML); `-` reads it from standard input.
        baseline: PathBuf,
        /// The designs compared with the baseline (TOML files).
        #[arg(required = true, value_name = "DESIGN")]
        designs: Vec<PathBuf>,
        /// Print the comparison document on stdout instead of the verdict: the report's
        /// summary.json, which is written too.
        #[arg(long)]
        json: bool,
        /// Where to write the report [default: reports/compare-<a>-vs-<b>].
        #[arg(long, value_name = "DIR")]
        report: Option<PathBuf>,
        /// Independent replications of each design, run in parallel, which give the 95%
        /// confidence intervals of figures and differences.
        #[arg(long, value_name = "N", default_value_t = 10, allow_negative_numbers = true,
              value_parser = replications)]
        replications: u64,
        #[command(flatten)]
        study: StudyArgs,
    },
    /// Run a scenario at every point of a grid of values (workers, queue sizes, rates,
    /// timeouts, load) and tabulate how each figure moves.
    #[command(after_help = SWEEP_EXAMPLES)]
    Sweep {
        /// The scenario file (TOML); `-` reads it from standard input.
        file: PathBuf,
        /// A value to vary, by its dotted key: KEY=4,8,16 (a list), KEY=4..32:4 (a range and
        /// its step) or KEY=100/s..800/s*2 (a geometric range). Repeat for a grid.
        #[arg(long, value_name = "KEY=VALUES")]
        vary: Vec<String>,
        /// Scale every source's load by factors F1..F2:N (N evenly spaced factors, ends
        /// included) or a list (0.5,1,1.5): the offered-load axis.
        #[arg(long, value_name = "F1..F2:N")]
        load: Option<String>,
        /// Replications of each point, run in parallel on common random numbers
        /// [default: the file's [sweep] replications, or 10].
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = replications)]
        replications: Option<u64>,
        /// Print the sweep document on stdout instead of the tables.
        #[arg(long)]
        json: bool,
        /// Write a report (HTML, Markdown, JSON, CSV of every point, charts) into DIR
        /// [default: reports/sweep-<scenario name>].
        #[arg(long, value_name = "DIR", num_args = 0..=1)]
        report: Option<Option<PathBuf>>,
        /// Seed for every random stream (overrides the scenario's).
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = non_negative)]
        seed: Option<u64>,
        /// Run only shard I of N (counting from 0) of the work list, for an array job, and
        /// write its runs to --out; `spillway merge` puts the N parts together.
        #[arg(long, value_name = "I/N", requires = "out", value_parser = shard)]
        shard: Option<Shard>,
        /// The part file that --shard writes (whole or not at all), instead of the tables,
        /// the document and the report.
        #[arg(long, value_name = "FILE", requires = "shard", conflicts_with_all = ["json", "report"])]
        out: Option<PathBuf>,
        /// No progress bar or timing on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Find the smallest value of one knob (workers, a queue size) that meets every SLO,
    /// at the scenario's load and with headroom.
    #[command(after_help = PLAN_EXAMPLES)]
    Plan {
        /// The scenario file (TOML); `-` reads it from standard input.
        file: PathBuf,
        /// The knob, by its dotted key: KEY alone tries whole numbers 1 to 1024; KEY=VALUES
        /// (as in sweep) gives the candidates, in increasing order.
        #[arg(long, value_name = "KEY[=VALUES]")]
        vary: String,
        /// A target: NAME.FIGURE OP VALUE, e.g. "web.p99 < 300ms", "web.rejected < 0.1%",
        /// "api.utilisation <= 80%", "web.over_300ms < 1%". Repeat for several.
        #[arg(long = "slo", value_name = "SLO", required = true)]
        slos: Vec<String>,
        /// Also plan for these factors of the scenario's load, e.g. 1.5,2.
        #[arg(long, value_name = "F1,F2")]
        headroom: Option<String>,
        /// Replications run first at each candidate, and added at a time until every SLO
        /// is decided.
        #[arg(long, value_name = "N", default_value_t = 10, allow_negative_numbers = true,
              value_parser = replications)]
        replications: u64,
        /// Replications after which a candidate that is still undecided is reported so.
        #[arg(long, value_name = "N", default_value_t = 100, allow_negative_numbers = true,
              value_parser = replications)]
        max_replications: u64,
        /// Print the plan document on stdout instead of the sentences.
        #[arg(long)]
        json: bool,
        /// Write a report (HTML, Markdown, the plan document, a CSV and charts of the
        /// candidates run) into DIR [default: reports/plan-<scenario name>].
        #[arg(long, value_name = "DIR", num_args = 0..=1)]
        report: Option<Option<PathBuf>>,
        /// Seed for every random stream (overrides the scenario's).
        #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = non_negative)]
        seed: Option<u64>,
        /// No progress bar or timing on stderr.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Merge the parts of a sweep run in shards (`sweep --shard I/N --out FILE`) into the
    /// tables, document and report that one `sweep` would give.
    #[command(after_help = MERGE_EXAMPLES)]
    Merge {
        /// The part files, one per shard, in any order.
        #[arg(required = true, value_name = "PART")]
        parts: Vec<PathBuf>,
        /// Print the sweep document on stdout instead of the tables.
        #[arg(long)]
        json: bool,
        /// Write the sweep's report into DIR [default: reports/sweep-<scenario name>].
        #[arg(long, value_name = "DIR", num_args = 0..=1)]
        report: Option<Option<PathBuf>>,
        /// Nothing on stderr but errors and the scenario's warnings.
        #[arg(long, short)]
        quiet: bool,
    },
    /// Validate scenarios without running them; every problem of every file is reported.
    #[command(after_help = CHECK_EXAMPLES)]
    Check {
        /// The scenario files (TOML); `-` reads one from standard input.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// Print one JSON document on stdout: per file, ok or its diagnostics, and its
        /// warnings.
        #[arg(long)]
        json: bool,
    },
}

/// Which warm-up, which seed, when to stop.
#[derive(Debug, ClapArgs)]
pub(crate) struct StudyArgs {
    /// Seed for every random stream (overrides the scenario's).
    #[arg(long, value_name = "N", allow_negative_numbers = true, value_parser = non_negative)]
    pub(crate) seed: Option<u64>,
    /// Warm-up to discard: the scenario's, or chosen automatically by MSER-5.
    #[arg(long, value_enum, default_value_t = WarmupArg::Scenario)]
    pub(crate) warmup: WarmupArg,
    /// Add replications until every source's mean and p99 response time have a 95%
    /// interval within this fraction of their mean (e.g. 0.05).
    #[arg(long, value_name = "FRACTION", allow_negative_numbers = true)]
    pub(crate) precision: Option<f64>,
    /// Upper bound on replications with --precision.
    #[arg(long, value_name = "N", default_value_t = 200, allow_negative_numbers = true,
          value_parser = non_negative)]
    pub(crate) max_replications: u64,
    /// Also report the share of requests not answered successfully within DURATION (per
    /// source) and of work that waited or stayed longer (per service), with intervals;
    /// repeatable, added to the scenario's `thresholds`.
    #[arg(long = "threshold", value_name = "DURATION", value_parser = threshold)]
    pub(crate) thresholds: Vec<SimDuration>,
    /// No progress bar or timing on stderr.
    #[arg(long, short)]
    pub(crate) quiet: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub(crate) enum WarmupArg {
    /// The scenario's `warmup`.
    Scenario,
    /// MSER-5 on a pilot study.
    Auto,
}

/// A count. Negative numbers reach this parser (`allow_negative_numbers`) because clap's own
/// error for `-3` suggests `-- -3`, which is wrong here.
fn non_negative(text: &str) -> Result<u64, String> {
    text.parse()
        .map_err(|_| "must be a non-negative integer".to_string())
}

/// A positive duration written as in a scenario file ("300ms", "1.5s").
fn threshold(text: &str) -> Result<SimDuration, String> {
    match spillway::scenario::parse_duration(text)? {
        SimDuration::ZERO => Err("must be a positive duration, such as 300ms".into()),
        duration => Ok(duration),
    }
}

/// `I/N`: shard I (from 0) of N.
fn shard(text: &str) -> Result<Shard, String> {
    let (index, count) = text
        .split_once('/')
        .ok_or_else(|| "must be I/N, such as 0/4 (shard 0 of 4)".to_string())?;
    let (index, count) = (non_negative(index.trim())?, non_negative(count.trim())?);
    if !(1..=Shard::MAX_COUNT).contains(&count) {
        return Err(format!("N must be from 1 to {}", Shard::MAX_COUNT));
    }
    Shard::new(index, count)
        .ok_or_else(|| format!("I counts from 0, so it must be below N: 0 to {}", count - 1))
}

fn replications(text: &str) -> Result<u64, String> {
    match non_negative(text)? {
        n @ 1..=MAX_REPLICATIONS => Ok(n),
        _ => Err(format!("must be an integer from 1 to {MAX_REPLICATIONS}")),
    }
}
