//! `docs/scenario.schema.json`, the JSON Schema editors use for scenario files, against the
//! reader: every bundled scenario and every complete example of the docs conforms, a
//! misspelt or misplaced key does not, and each table of the schema lists exactly the keys
//! the reader accepts there, asked of the reader itself.

use std::collections::BTreeSet;

use serde_json::Value;

use super::schema::{resolve, violations};

fn schema() -> Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario.schema.json");
    serde_json::from_str(&std::fs::read_to_string(path).expect("schema present")).expect("JSON")
}

/// The TOML document as the JSON value an editor's validator sees.
fn as_json(text: &str) -> Value {
    let table: toml::Table = toml::from_str(text).unwrap_or_else(|e| panic!("TOML: {e}"));
    serde_json::to_value(table).expect("TOML values are JSON values")
}

fn problems(text: &str) -> Vec<String> {
    let root = schema();
    violations(&root, &root, &as_json(text), "$")
}

/// Every bundled scenario, and every complete example (a ```toml block with a
/// `[simulation]`) of `docs/scenario-format.md`.
fn examples() -> Vec<(String, String)> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<(String, String)> = (std::fs::read_dir(dir).expect("scenarios"))
        .map(|entry| entry.expect("entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            (path.display().to_string(), text)
        })
        .collect();
    files.sort();
    assert!(files.len() >= 10, "bundled scenarios found");
    let doc = concat!(env!("CARGO_MANIFEST_DIR"), "/docs/scenario-format.md");
    let text = std::fs::read_to_string(doc).expect("readable");
    let complete = (text.split("```toml\n").skip(1))
        .filter_map(|block| block.split("```").next())
        .filter(|block| block.contains("[simulation]"));
    let complete: Vec<(String, String)> = complete
        .enumerate()
        .map(|(i, block)| {
            (
                format!("docs/scenario-format.md example {}", i + 1),
                block.into(),
            )
        })
        .collect();
    assert!(complete.len() >= 2, "the docs' complete examples found");
    files.extend(complete);
    files
}

#[test]
fn issue_9_bundled_scenarios_and_doc_examples_conform_to_the_scenario_schema() {
    for (name, text) in examples() {
        spillway::scenario::parse(&text, &name).unwrap_or_else(|e| panic!("{name}: {e}"));
        let found = problems(&text);
        assert!(found.is_empty(), "{name}:\n{}", found.join("\n"));
    }
}

/// Negative control: a misspelt key, a key of another distribution family, a step of two
/// kinds, a wrong type and a missing required key each break the schema.
#[test]
fn issue_9_the_scenario_schema_rejects_what_the_reader_rejects() {
    let quickstart = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios/quickstart.toml");
    let good = std::fs::read_to_string(quickstart).expect("readable");
    assert!(problems(&good).is_empty());
    let broken = [
        ("workers = 8", "wrokers = 8"),
        ("[simulation]", "[simulaton]"),
        ("name = \"web\"", "name = \"web\"\nrate_limit = 3"),
        ("dist = \"lognormal\"", "dist = \"lognormal\", shape = 2"),
        ("dist = \"lognormal\"", "dist = \"lognormally\""),
        ("workers = 8", "workers = \"eight\""),
        ("to = \"api\"", "to = \"api\"\nusers = 3"),
        ("name = \"web\"\n", ""),
        (
            "dist = \"lognormal\", mean = \"60ms\", p99 = \"400ms\"",
            "dist = \"hyperexponential\", p = 0.9, mean1 = \"5ms\"",
        ),
        (
            "dist = \"lognormal\", mean = \"60ms\", p99 = \"400ms\"",
            "dist = \"hyperexponential\", p = 1, mean1 = \"5ms\", mean2 = \"9ms\"",
        ),
    ];
    for (from, to) in broken {
        assert!(good.contains(from), "quickstart has {from:?}");
        let text = good.replacen(from, to, 1);
        assert!(spillway::scenario::parse(&text, "t.toml").is_err(), "{to}");
        assert!(!problems(&text).is_empty(), "the schema accepts {to:?}");
    }
    let two_kinds = good.replacen(
        "service_time = ",
        "steps = [{ work = { dist = \"constant\", value = \"1ms\" }, publish = \"api\" }]\n#",
        1,
    );
    assert!(!problems(&two_kinds).is_empty());
}

/// A scenario with one `{slot}` per table the reader reads; a probe puts an unknown key
/// into one slot, and the reader's "expected one of" help then names every key it accepts
/// in that table. `{dist}` and `{count}` take a distribution of durations and of counts.
const PROBE: &str = r#"{root}
[simulation]
duration = "1s"
{simulation}
[[source]]
name = "web"
to = "api"
rate = "10/s"
schedule = [{ at = "1s", rate = "5/s" {rate_change} }]
retry = { budget = { ratio = 0.1 {budget} } {retry} }
{source}
[[service]]
name = "api"
queue = { capacity = 1 {queue} }
steps = [{ work = {dist} {work_step} }, { call = "db" {call_step} }, { publish = "db", fanout = {count} {publish_step} }]
then = [{ to = "db", p = 0.5 {branch} }]
schedule = [{ at = "1s", workers = 2 {service_change} }]
{service}
[[service]]
name = "db"
service_time = { dist = "constant", value = "1ms" }
[sweep]
load = "1,2"
{sweep}
"#;

/// The tables of `PROBE`, each named as its rule in the schema's `definitions` (`root`: the
/// document itself).
const TABLES: [&str; 14] = [
    "root",
    "simulation",
    "rate_change",
    "budget",
    "retry",
    "source",
    "queue",
    "work_step",
    "call_step",
    "publish_step",
    "branch",
    "service_change",
    "service",
    "sweep",
];

/// The tables of `PROBE` written as whole lines (the others are inline tables).
const LINE_TABLES: [&str; 5] = ["root", "simulation", "source", "service", "sweep"];

/// The unknown key of the probes.
const UNKNOWN: &str = "zz_probe";

/// A valid inline table of `family`, its values durations or (`counts`) plain numbers,
/// not yet closed.
fn family_table(family: &str, counts: bool) -> String {
    let v = |n: u32| {
        if counts {
            n.to_string()
        } else {
            format!("\"{n}ms\"")
        }
    };
    let params = match family {
        "constant" => format!("value = {}", v(1)),
        "exponential" => format!("mean = {}", v(2)),
        "uniform" => format!("min = {}, max = {}", v(1), v(3)),
        "normal" => format!("mean = {}, sd = {}", v(5), v(1)),
        "lognormal" => format!("mean = {}, p99 = {}", v(2), v(5)),
        "gamma" => format!("shape = 2, mean = {}", v(4)),
        "erlang" => format!("k = 2, mean = {}", v(4)),
        "weibull" | "pareto" => format!("shape = 3, scale = {}", v(2)),
        "hyperexponential" => format!("mean = {}, cv = 2", v(2)),
        "empirical" => format!("samples = [{}]", v(1)),
        other => panic!("no example of {other}"),
    };
    format!("{{ dist = \"{family}\", {params}")
}

/// `PROBE` with the unknown key in `slot` (a table of `TABLES`, or `dist` or `count`: the
/// distribution of `family`; an empty slot puts it nowhere).
fn probe_text(slot: &str, family: &str) -> String {
    let probe = |s: &str| match (s == slot, LINE_TABLES.contains(&s)) {
        (false, _) => String::new(),
        (true, true) => format!("{UNKNOWN} = 1"),
        (true, false) => format!(", {UNKNOWN} = 1"),
    };
    let distribution = |s: &str, counts: bool| {
        let f = if s == slot { family } else { "constant" };
        format!("{}{} }}", family_table(f, counts), probe(s))
    };
    let mut text = (PROBE.replace("{dist}", &distribution("dist", false)))
        .replace("{count}", &distribution("count", true));
    for table in TABLES {
        text = text.replace(&format!("{{{table}}}"), &probe(table));
    }
    text
}

/// The keys the reader accepts in `slot` (see [`probe_text`]), from its "expected one of"
/// help on an unknown key there.
fn reader_keys(slot: &str, family: &str) -> BTreeSet<String> {
    let text = probe_text(slot, family);
    let error = spillway::scenario::parse(&text, "probe.toml").expect_err("the probe is unknown");
    let [diagnostic] = error.diagnostics.as_slice() else {
        panic!("{slot} {family}: one problem expected, got\n{error}\nin\n{text}");
    };
    assert_eq!(diagnostic.message, format!("unknown key '{UNKNOWN}'"));
    let help = diagnostic.help.as_deref().unwrap_or_default();
    let keys = (help.strip_prefix("expected one of: ")).unwrap_or_else(|| panic!("{help}"));
    keys.split(", ").map(str::to_string).collect()
}

/// The keys of an object rule.
fn schema_keys(rule: &Value) -> BTreeSet<String> {
    let properties = rule["properties"].as_object().expect("an object rule");
    properties.keys().cloned().collect()
}

/// Each family's rule in a distribution definition, by name.
fn families<'v>(root: &'v Value, definition: &str) -> Vec<(String, &'v Value)> {
    let options = resolve(root, &format!("#/definitions/{definition}"))["oneOf"].as_array();
    (options.expect("families").iter())
        .map(|rule| {
            let name = rule["properties"]["dist"]["const"]
                .as_str()
                .expect("a family");
            (name.to_string(), rule)
        })
        .collect()
}

/// The keys of every table in the schema are those the reader accepts there, and the
/// other way round; the reader's keys come from the reader, through its help on an unknown
/// key. Every object rule of the schema is compared.
#[test]
fn issue_9_the_scenario_schema_lists_exactly_the_keys_the_reader_accepts() {
    let root = schema();
    for table in TABLES {
        let rule = match table {
            "root" => &root,
            name => resolve(&root, &format!("#/definitions/{name}")),
        };
        assert_eq!(reader_keys(table, "constant"), schema_keys(rule), "{table}");
    }
    let durations = families(&root, "distribution");
    let counts = families(&root, "count_distribution");
    let names = |list: &[(String, &Value)]| list.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(names(&durations), names(&counts));
    for (slot, list) in [("dist", &durations), ("count", &counts)] {
        for (family, rule) in list {
            assert_eq!(
                reader_keys(slot, family),
                schema_keys(rule),
                "{slot} {family}"
            );
        }
    }
    // An unknown family is refused with the list of them: the schema's list.
    let unknown = probe_text("", "constant").replacen("\"constant\", value = \"1ms\"", "\"zz\"", 1);
    assert!(spillway::scenario::parse(&probe_text("", "constant"), "t.toml").is_ok());
    let error = spillway::scenario::parse(&unknown, "t.toml").expect_err("unknown family");
    let listed = format!("the families are: {}", names(&durations).join(", "));
    assert!(error.to_string().contains(&listed), "{error}");
    let definitions = root["definitions"].as_object().expect("definitions");
    for (name, rule) in definitions {
        let compared = TABLES.contains(&name.as_str());
        assert!(
            rule.get("properties").is_none() || compared,
            "'{name}' is not compared"
        );
    }
}
