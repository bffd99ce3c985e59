//! Sweeps too large for one machine, run as an array job: `sweep --shard I/N --out FILE`
//! runs one shard of the work list and writes its part; `merge` checks that the parts
//! belong to one sweep and hold every shard once, rebuilds the points from the scenario
//! text they carry, and prints and writes what `sweep` would, through the same
//! `capacity::publish`. A missing shard is named with the command that runs it, so a merge
//! resumes by running only those and merging again.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::Context;

use super::Failure;
use super::capacity::{Output, Points, SweepSpec, points_of, publish};
use super::commands::{shell_command, short_name};
use super::progress::Progress;
use spillway::experiment::{self, Shard, SweepResult};
use spillway::report::{self, SweepPart};

/// The largest part file read: far above any sweep's (a few hundred bytes per run).
const MAX_PART_BYTES: u64 = 1 << 30;

/// The most commands a missing-shard error prints; the rest are described.
const MAX_COMMANDS: usize = 10;

/// Runs shard `shard` of the sweep of `points` and writes its part to `out`.
pub(crate) fn run_shard(
    points: &Points,
    spec: &SweepSpec<'_>,
    shard: Shard,
    out: &Path,
    quiet: bool,
) -> Result<(), Failure> {
    let refused = experiment::refusals(&points.systems);
    let total = experiment::work_list(&refused, spec.replications()).len();
    let work = experiment::shard_work(&refused, spec.replications(), shard).len();
    let progress = Progress::new(work as u64, quiet);
    // Wall-clock time is measured here only, and printed to stderr, never into results.
    #[allow(clippy::disallowed_methods)]
    let started = Instant::now();
    let runs = experiment::sweep(&points.systems, spec.replications(), shard, &|| {
        progress.tick()
    });
    progress.finish();
    let part = SweepPart {
        scenario_path: points.path.clone(),
        scenario_text: points.text.clone(),
        vary: spec.vary.to_vec(),
        load: spec.load.map(str::to_string),
        replications: spec.replications(),
        seed: spec.seed,
        shard,
        runs,
    };
    report::write_atomic(out, &report::render_sweep_part_json(&part))
        .with_context(|| format!("writing the part '{}'", out.display()))
        .map_err(Failure::Run)?;
    if !quiet {
        eprintln!(
            "shard {}/{}: {work} of the sweep's {total} runs in {:.1} s, written to {}",
            shard.index,
            shard.count,
            started.elapsed().as_secs_f64(),
            out.display()
        );
    }
    Ok(())
}

/// A part and the file it came from.
struct Given {
    file: PathBuf,
    part: SweepPart,
}

/// Puts the parts of a sweep together and prints and writes what the sweep run whole
/// would.
pub(crate) fn merge(files: &[PathBuf], output: &Output) -> Result<(), Failure> {
    refuse_file_as_report_dir(output)?;
    let given = gather(files, output)?;
    // The arguments, owned, so that the parts can give up their runs to the result.
    let first = &given[0].part;
    let (vary, load) = (first.vary.clone(), first.load.clone());
    let spec = SweepSpec {
        vary: &vary,
        load: load.as_deref(),
        replications: Some(first.replications),
        seed: first.seed,
    };
    let points = points_of(
        first.scenario_path.clone(),
        short_name(&first.scenario_path),
        first.scenario_text.clone(),
        spec.axes()?,
        spec.seed,
    )?;
    let work = experiment::work_list(&experiment::refusals(&points.systems), spec.replications());
    for g in &given {
        holds_its_shard(g, &work)?;
    }
    let shards = given.len();
    let runs = given.into_iter().flat_map(|g| g.part.runs).collect();
    let result = SweepResult::assemble(
        points.grid.clone(),
        spec.replications(),
        points.systems.clone(),
        runs,
    )
    .map_err(|e| Failure::Input(format!("error: the parts do not make a whole sweep: {e}")))?;
    publish(&points, &spec, &result, output)?;
    if !output.quiet {
        eprintln!(
            "{shards} shards merged: {} points × {} replications",
            points.grid.len(),
            spec.replications()
        );
    }
    Ok(())
}

/// Reads every part and checks that they are one sweep's, each shard once; sorted by shard.
fn gather(files: &[PathBuf], output: &Output) -> Result<Vec<Given>, Failure> {
    let mut given = (files.iter())
        .map(|file| {
            Ok(Given {
                file: file.clone(),
                part: read_part(file)?,
            })
        })
        .collect::<Result<Vec<_>, Failure>>()?;
    for other in &given[1..] {
        same_sweep(&given[0], other)?;
    }
    given.sort_by_key(|g| g.part.shard.index);
    every_shard_once(&given, output)?;
    Ok(given)
}

/// `--report` takes an optional directory, so `merge --report a.json b.json` would take
/// the first part for the directory: refuse an existing file there.
fn refuse_file_as_report_dir(output: &Output) -> Result<(), Failure> {
    match &output.report {
        Some(Some(dir)) if dir.is_file() => Err(Failure::Input(format!(
            "error: --report '{}' is a file, not a directory: give --report after the parts",
            dir.display()
        ))),
        _ => Ok(()),
    }
}

/// Reads and parses one part file (at most [`MAX_PART_BYTES`]); exit 2 if it is not one.
fn read_part(file: &Path) -> Result<SweepPart, Failure> {
    let mut bytes = Vec::new();
    std::fs::File::open(file)
        .and_then(|f| f.take(MAX_PART_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Failure::Input(format!("error: reading '{}': {e}", file.display())))?;
    if bytes.len() as u64 > MAX_PART_BYTES {
        return Err(Failure::Input(format!(
            "error: '{}' is larger than {} MiB: not a sweep part",
            file.display(),
            MAX_PART_BYTES >> 20
        )));
    }
    report::read_sweep_part(&bytes)
        .map_err(|e| Failure::Input(format!("error: '{}': {e}", file.display())))
}

/// Refuses `other` unless it is a part of the same sweep as `first`: the same scenario
/// text, arguments and number of shards.
fn same_sweep(first: &Given, other: &Given) -> Result<(), Failure> {
    let (a, b) = (&first.part, &other.part);
    let hash = |p: &SweepPart| report::scenario_hash(&p.scenario_text);
    let seed = |p: &SweepPart| {
        p.seed
            .map_or("the scenario's".to_string(), |s| s.to_string())
    };
    let differences = [
        (hash(a) != hash(b)).then(|| format!("scenario hash {} (not {})", hash(b), hash(a))),
        (a.vary != b.vary).then(|| format!("--vary {:?} (not {:?})", b.vary, a.vary)),
        (a.load != b.load).then(|| format!("--load {:?} (not {:?})", b.load, a.load)),
        (a.replications != b.replications)
            .then(|| format!("--replications {} (not {})", b.replications, a.replications)),
        (a.seed != b.seed).then(|| format!("seed {} (not {})", seed(b), seed(a))),
        (a.shard.count != b.shard.count)
            .then(|| format!("{} shards (not {})", b.shard.count, a.shard.count)),
    ];
    let differences: Vec<String> = differences.into_iter().flatten().collect();
    if differences.is_empty() {
        return Ok(());
    }
    Err(Failure::Input(format!(
        "error: '{}' is a part of another sweep than '{}': it has {}; merge only the parts \
         of one sweep (one scenario text, the same --vary, --load, --replications, --seed \
         and N)",
        other.file.display(),
        first.file.display(),
        differences.join(", ")
    )))
}

/// Refuses a shard given twice, and names the missing ones with the commands that run
/// them. `given` is sorted by shard index.
fn every_shard_once(given: &[Given], output: &Output) -> Result<(), Failure> {
    if let Some(twice) = given
        .windows(2)
        .find(|w| w[0].part.shard.index == w[1].part.shard.index)
    {
        let shard = twice[0].part.shard;
        return Err(Failure::Input(format!(
            "error: shard {}/{} is given twice: '{}' and '{}'; give each shard's part once",
            shard.index,
            shard.count,
            twice[0].file.display(),
            twice[1].file.display()
        )));
    }
    let count = given[0].part.shard.count;
    let present: BTreeMap<u64, &Path> = (given.iter())
        .map(|g| (g.part.shard.index, g.file.as_path()))
        .collect();
    let missing: Vec<u64> = (0..count).filter(|i| !present.contains_key(i)).collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Failure::Input(missing_message(
        given, &present, &missing, output,
    )))
}

/// The error for missing shards: which, the command that runs each, and the merge to run
/// after them.
fn missing_message(
    given: &[Given],
    present: &BTreeMap<u64, &Path>,
    missing: &[u64],
    output: &Output,
) -> String {
    let example = &given[0];
    let part = &example.part;
    let count = part.shard.count;
    let spec = SweepSpec {
        vary: &part.vary,
        load: part.load.as_deref(),
        replications: Some(part.replications),
        seed: part.seed,
    };
    let out = |index| sibling_part(&example.file, part.shard.index, index);
    let mut text = format!(
        "error: {} of the {count} shards of this sweep {} missing: {}\nrun {} (with this \
         version of spillway and the same scenario file), then merge again:\n",
        missing.len(),
        if missing.len() == 1 { "is" } else { "are" },
        ranges(missing),
        if missing.len() == 1 { "it" } else { "them" },
    );
    for &index in missing.iter().take(MAX_COMMANDS) {
        let mut args = spec.arguments(&part.scenario_path);
        args.extend([
            "--shard".to_string(),
            format!("{index}/{count}"),
            "--out".to_string(),
            out(index).display().to_string(),
        ]);
        text.push_str(&format!(
            "  {}\n",
            shell_command(args.iter().map(String::as_str))
        ));
    }
    if missing.len() > MAX_COMMANDS {
        text.push_str(&format!(
            "  … and {} more: the same command with each missing --shard I/{count} and its \
             --out\n",
            missing.len() - MAX_COMMANDS
        ));
    }
    let mut parts: BTreeMap<u64, String> = (present.iter())
        .map(|(&i, file)| (i, file.display().to_string()))
        .collect();
    parts.extend(missing.iter().map(|&i| (i, out(i).display().to_string())));
    let mut merge: Vec<String> = vec!["merge".to_string()];
    merge.extend(parts.into_values());
    if output.json {
        merge.push("--json".to_string());
    }
    match &output.report {
        Some(Some(dir)) => merge.extend(["--report".to_string(), dir.display().to_string()]),
        Some(None) => merge.push("--report".to_string()),
        None => {}
    }
    text.push_str(&format!(
        "  {}",
        shell_command(merge.iter().map(String::as_str))
    ));
    text
}

/// Where shard `index`'s part goes, by the name of a given part of shard `known`: its file
/// name with the one number that is `known` replaced (`parts/part-0.json` gives
/// `parts/part-4.json`), or else `part-<index>.json` beside it.
fn sibling_part(file: &Path, known: u64, index: u64) -> PathBuf {
    let name = file
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let known = known.to_string();
    let numbers: Vec<(usize, &str)> = (digit_runs(&name).into_iter())
        .filter(|(_, n)| *n == known)
        .collect();
    match numbers[..] {
        [(at, number)] => file.with_file_name(format!(
            "{}{index}{}",
            &name[..at],
            &name[at + number.len()..]
        )),
        _ => file.with_file_name(format!("part-{index}.json")),
    }
}

/// The maximal runs of ASCII digits in `text`, with their byte offsets.
fn digit_runs(text: &str) -> Vec<(usize, &str)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
        match (c.is_ascii_digit(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, &text[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    runs
}

/// `1, 3-5, 9` from `[1, 3, 4, 5, 9]` (sorted, distinct).
fn ranges(indexes: &[u64]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < indexes.len() {
        let mut j = i;
        while j + 1 < indexes.len() && indexes[j + 1] == indexes[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            indexes[i].to_string()
        } else {
            format!("{}-{}", indexes[i], indexes[j])
        });
        i = j + 1;
    }
    out.join(", ")
}

/// Refuses a part whose runs are not exactly its shard's items of the sweep's `work` list.
fn holds_its_shard(given: &Given, work: &[(usize, u64)]) -> Result<(), Failure> {
    let shard = given.part.shard;
    let expected = shard.items(work);
    let mut got: Vec<(usize, u64)> = (given.part.runs.iter())
        .map(|r| (r.point, r.replication))
        .collect();
    got.sort_unstable();
    if got == expected {
        return Ok(());
    }
    Err(Failure::Input(format!(
        "error: '{}' does not hold the runs of shard {}/{} ({} runs, where the shard has {}): \
         the file was edited; run that shard again",
        given.file.display(),
        shard.index,
        shard.count,
        got.len(),
        expected.len()
    )))
}
