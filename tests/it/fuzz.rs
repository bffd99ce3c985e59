//! No input panics (issue 9): every bundled scenario and every issue-9 regression input,
//! mutated structurally (keys deleted, values replaced by extremes and wrong types, tables
//! duplicated) and textually (lines cut or repeated), is parsed in process; each one that
//! validates is also run briefly and rendered as `run --json` would. Seeded and
//! count-bounded, so every run tries the same inputs; a failure prints the input.

use std::num::{NonZeroU32, NonZeroU64};
use std::panic::{AssertUnwindSafe, catch_unwind};

use spillway::experiment::{self, Plan, Warmup};
use spillway::model::{Horizon, SimDuration, System};
use spillway::report::{self, Design, Report};
use toml::{Table, Value};

/// Mutants per corpus entry.
const MUTANTS: usize = 1000;

/// Inputs that once panicked or misbehaved, with the bundled scenarios as the corpus.
const REGRESSIONS: &[&str] = &[
    "[[service]]\nschedule=[]\n",
    "[simulation]\nduration = \"1s\"\n[[source]]\nname = \"w\"\nto = \"a\"\nrate = \"10/s\"\n\
     schedule = []\n[[service]]\nname = \"a\"\nschedule = []\nsteps = []\nthen = []\n\
     service_time = { dist = \"empirical\", samples = [] }\n",
    "[simulation]\nduration = \"1s\"\n[[source]]\nname = \"w\"\nto = \"a\"\nrate = \"10/s\"\n\
     [[service]]\nname = \"a\"\n\
     service_time = { dist = \"hyperexponential\", mean = \"10ms\", cv = 1e200 }\n",
    "[simulation]\nduration = \"3s\"\n[[source]]\nname = \"w\"\nto = \"a\"\nrate = \"10/s\"\n\
     schedule = [{ at = \"1s\", rate = \"1e-12/s\" }]\n[[service]]\nname = \"a\"\n\
     service_time = { dist = \"exponential\", mean = \"10ms\" }\n",
    "[simulation]\nduration = \"3s\"\n[[source]]\nname = \"w\"\nto = \"a\"\nrate = \"10/s\"\n\
     schedule = [{ at = \"1s\", rate = \"1e15/s\" }, { at = \"2s\", rate = \"10/s\" }]\n\
     [[service]]\nname = \"a\"\nservice_time = { dist = \"exponential\", mean = \"10ms\" }\n",
    "[simulation]\nduration = \"1s\"\nmax_in_flight = 4294967295\n[[source]]\nname = \"w\"\n\
     to = \"a\"\nusers = 4294967295\nthink_time = { dist = \"exponential\", mean = \"1s\" }\n\
     [[service]]\nname = \"a\"\nservice_time = { dist = \"exponential\", mean = \"10ms\" }\n",
    "[simulation]\nduration = \"1s\"\n[[source]]\nname = \"w\\u001b[31m\\n\"\nto = \"a\\n\"\n\
     rate = \"1/s\"\n\"k\\u001b[2J\" = 1\n[[service]]\nname = \"a\"\n\
     service_time = { dist = \"constant\", value = \"1ms\" }\n",
];

/// Replacement values: empty containers, zeros and extremes, strings of every unit kind
/// (some NaN-like or out of range), and wrong types.
fn replacements() -> Vec<Value> {
    let strings = [
        "0s",
        "1e-12/s",
        "1e15/s",
        "0/s",
        "NaN",
        "inf",
        "-1s",
        "1e300s",
        "1e-300s",
        "",
        "x",
        "10ms",
        "\u{1b}[31m\n",
        "exponential",
        "pareto",
        "fifo",
        "lifo",
        "full",
        "timeout",
    ];
    let mut values = vec![
        Value::Array(Vec::new()),
        Value::Table(Table::new()),
        Value::Integer(0),
        Value::Integer(-1),
        Value::Integer(1),
        Value::Integer(i64::MAX),
        Value::Integer(u32::MAX.into()),
        Value::Integer(1 << 24),
        Value::Float(0.5),
        Value::Float(1e15),
        Value::Float(1e300),
        Value::Float(1e-300),
        Value::Float(-1e300),
        Value::Float(f64::NAN),
        Value::Float(f64::INFINITY),
        Value::Boolean(true),
    ];
    values.extend(strings.iter().map(|s| Value::String((*s).to_string())));
    values
}

/// SplitMix64: a small, fixed generator, so every run tries the same mutants.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform below `n` (> 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// One step into the tree: a table key or an array index.
#[derive(Clone)]
enum Step {
    Key(String),
    Index(usize),
}

/// The path of every value in the tree, containers before their contents.
fn paths(value: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    let children: Vec<(Step, &Value)> = match value {
        Value::Table(table) => table
            .iter()
            .map(|(k, v)| (Step::Key(k.clone()), v))
            .collect(),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (Step::Index(i), v))
            .collect(),
        _ => return,
    };
    for (step, child) in children {
        prefix.push(step);
        out.push(prefix.clone());
        paths(child, prefix, out);
        prefix.pop();
    }
}

/// The container holding the value at `path`, and the value's step in it.
fn parent<'v>(root: &'v mut Value, path: &[Step]) -> Option<(&'v mut Value, Step)> {
    let (last, init) = path.split_last()?;
    let mut node = root;
    for step in init {
        node = match (node, step) {
            (Value::Table(table), Step::Key(key)) => table.get_mut(key)?,
            (Value::Array(items), Step::Index(i)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some((node, last.clone()))
}

/// A value to put in place of `old`: half the time one of the same kind (so that more
/// mutants validate and reach the engine), otherwise any.
fn replacement(old: Option<&Value>, rng: &mut Rng, values: &[Value]) -> Value {
    let same: Vec<&Value> = match old {
        Some(old) if rng.below(2) == 0 => values
            .iter()
            .filter(|v| std::mem::discriminant(*v) == std::mem::discriminant(old))
            .collect(),
        _ => Vec::new(),
    };
    match same.is_empty() {
        true => values[rng.below(values.len())].clone(),
        false => same[rng.below(same.len())].clone(),
    }
}

/// Applies one structural mutation at a random place of `root`.
fn mutate_tree(root: &mut Value, rng: &mut Rng, values: &[Value]) {
    let mut all = Vec::new();
    paths(root, &mut Vec::new(), &mut all);
    if all.is_empty() {
        return;
    }
    let path = all.swap_remove(rng.below(all.len()));
    let choice = rng.below(10);
    let Some((container, step)) = parent(root, &path) else {
        return;
    };
    match (container, step) {
        (Value::Table(table), Step::Key(key)) => match choice {
            0 | 1 => {
                table.remove(&key);
            }
            2 => {
                if let Some(value) = table.remove(&key) {
                    table.insert(format!("{key}x"), value);
                }
            }
            _ => {
                let old = table.get(&key).cloned();
                table.insert(key, replacement(old.as_ref(), rng, values));
            }
        },
        (Value::Array(items), Step::Index(i)) => match choice {
            0 | 1 => {
                items.remove(i);
            }
            2 | 3 => {
                let copy = items[i].clone();
                items.push(copy);
            }
            _ => items[i] = replacement(Some(&items[i]), rng, values),
        },
        _ => {}
    }
}

/// Cuts the text at a character, or deletes or repeats one of its lines.
fn mutate_text(text: &str, rng: &mut Rng) -> String {
    let lines: Vec<&str> = text.lines().collect();
    if lines.is_empty() {
        return String::new();
    }
    let at = rng.below(lines.len());
    match rng.below(3) {
        0 => {
            let cut = text
                .char_indices()
                .nth(rng.below(text.chars().count().max(1)));
            text[..cut.map_or(0, |(i, _)| i)].to_string()
        }
        1 => lines
            .iter()
            .enumerate()
            .filter(|&(i, _)| i != at)
            .map(|(_, l)| format!("{l}\n"))
            .collect(),
        _ => {
            let mut out: Vec<&str> = lines.clone();
            out.insert(at, lines[at]);
            out.join("\n")
        }
    }
}

/// One or two mutations of `seed`: usually structural, sometimes textual.
fn mutant(seed: &str, rng: &mut Rng, values: &[Value]) -> String {
    let Ok(table) = seed.parse::<Table>() else {
        return mutate_text(seed, rng);
    };
    let mut root = Value::Table(table);
    for _ in 0..=rng.below(2) {
        mutate_tree(&mut root, rng, values);
    }
    let text = toml::to_string(&root).unwrap_or_default();
    if rng.below(5) == 0 {
        mutate_text(&text, rng)
    } else {
        text
    }
}

/// `system` shortened to 50 ms, without warm-up, stopped after 20 000 events and at most
/// 10 000 requests in flight, so that any valid mutant runs in about a millisecond.
fn tiny(system: &System) -> Option<System> {
    let mut spec = system.simulation().clone();
    spec.horizon = Horizon::Duration(SimDuration::from_secs_f64(0.05)?);
    spec.warmup = SimDuration::ZERO;
    spec.limits.max_events = NonZeroU64::new(20_000)?;
    spec.limits.max_in_flight = spec.limits.max_in_flight.min(NonZeroU32::new(10_000)?);
    System::new(spec, system.sources().to_vec(), system.services().to_vec()).ok()
}

/// Parses `text`; if valid, runs it briefly and renders its JSON as `run --json` does.
/// Errors are expected outcomes; only a panic is a failure.
fn exercise(text: &str) {
    let Ok(system) = spillway::scenario::parse(text, "fuzz.toml") else {
        return;
    };
    let Some(system) = tiny(&system) else {
        return;
    };
    let plan = Plan {
        replications: 1,
        warmup: Warmup::Scenario,
        precision: None,
        time_series: false,
    };
    if let Ok(study) = experiment::study(&system, &plan, &|| ()) {
        let report = Report {
            command: "spillway run fuzz.toml --json",
            designs: vec![Design {
                name: "fuzz",
                scenario_path: "fuzz.toml",
                scenario_text: text,
                study: &study,
            }],
        };
        report::render_report_json(&report);
    }
}

/// Runs `check` on every input and returns the ones that panicked, each with its message.
fn panics(inputs: &[String], check: impl Fn(&str)) -> Vec<String> {
    let mut found = Vec::new();
    for input in inputs {
        if let Err(payload) = catch_unwind(AssertUnwindSafe(|| check(input))) {
            let message = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            found.push(format!("panic: {message}\ninput:\n{input}"));
        }
    }
    found
}

/// The corpus: every bundled scenario, then the regression inputs.
fn corpus() -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios/")
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    paths.sort();
    let bundled = paths
        .iter()
        .map(|path| std::fs::read_to_string(path).expect("readable"));
    bundled
        .chain(REGRESSIONS.iter().map(|s| s.to_string()))
        .collect()
}

#[test]
fn issue_9_no_mutated_scenario_panics() {
    let values = replacements();
    let mut rng = Rng(9);
    let mut inputs = Vec::new();
    for seed in corpus() {
        inputs.push(seed.clone());
        inputs.extend((0..MUTANTS).map(|_| mutant(&seed, &mut rng, &values)));
    }
    let found = panics(&inputs, exercise);
    assert!(
        found.is_empty(),
        "{} of {} inputs panicked; the first:\n{}",
        found.len(),
        inputs.len(),
        found[0]
    );
}

/// Negative control: the harness catches a panic and reports the input that caused it.
#[test]
fn issue_9_the_fuzz_harness_reports_a_panic() {
    let inputs = vec!["fine".to_string(), "boom".to_string()];
    let found = panics(&inputs, |text| assert!(text != "boom", "planted"));
    assert_eq!(found.len(), 1);
    assert!(
        found[0].contains("planted") && found[0].ends_with("boom"),
        "{found:?}"
    );
}

/// The mutants are structural as intended: some validate (and so are run), most do not.
#[test]
fn issue_9_the_mutants_reach_the_engine() {
    let values = replacements();
    let mut rng = Rng(9);
    let seed = &corpus()[0];
    let valid = (0..MUTANTS)
        .filter(|_| spillway::scenario::parse(&mutant(seed, &mut rng, &values), "m").is_ok())
        .count();
    assert!(
        valid > MUTANTS / 50 && valid < MUTANTS,
        "{valid} of {MUTANTS} valid"
    );
}
