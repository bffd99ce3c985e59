//! The JSON output against `reports/schema.json`: every document the tests produce
//! conforms to the published schema (types, nulls, enums, required keys), checked by a
//! small validator of the schema keywords the file uses.

use serde_json::Value;

use spillway::experiment::{self, Plan};
use spillway::report::{self, Design, Report};

use super::system;

const SMALL: &str = r#"
    [simulation]
    duration = "60s"
    warmup = "5s"
    seed = 11
    [[source]]
    name = "web"
    to = "api"
    rate = "60/s"
    timeout = "1s"
    [[service]]
    name = "api"
    workers = 2
    queue = { capacity = 8 }
    service_time = { dist = "constant", value = "30ms" }
"#;

/// The same service, but every request times out: no response time exists.
fn serves_nothing() -> String {
    SMALL.replace("timeout = \"1s\"", "timeout = \"1ms\"")
}

fn schema() -> Value {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/reports/schema.json"))
        .expect("schema present");
    serde_json::from_str(&text).expect("schema is JSON")
}

/// Where `value` breaks `rule` (empty when it conforms). Objects are closed: a key not in
/// `properties` breaks the rule, as `additionalProperties: false` says (the scenario schema
/// writes it out for editors; the output schema relies on it silently).
pub(crate) fn violations(root: &Value, rule: &Value, value: &Value, at: &str) -> Vec<String> {
    if let Some(target) = rule.get("$ref").and_then(Value::as_str) {
        return violations(root, resolve(root, target), value, at);
    }
    let mut out = Vec::new();
    let fits = |options: &Value| {
        (options.as_array().into_iter().flatten())
            .filter(|o| violations(root, o, value, at).is_empty())
            .count()
    };
    if let Some(options) = rule.get("oneOf") {
        let n = fits(options);
        if n != 1 {
            out.push(format!("{at}: matches {n} of the oneOf options"));
        }
        // With no option fitting, say why each does not.
        for (i, o) in options.as_array().into_iter().flatten().enumerate() {
            if n == 0 {
                let why = violations(root, o, value, at);
                out.extend(why.into_iter().map(|v| format!("  option {i}: {v}")));
            }
        }
    }
    if let Some(options) = rule.get("anyOf")
        && fits(options) == 0
    {
        out.push(format!("{at}: matches none of the anyOf options"));
    }
    if let Some(types) = rule.get("type") {
        let allowed: Vec<&str> = match types {
            Value::String(t) => vec![t.as_str()],
            Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !allowed.iter().any(|t| is_type(value, t)) {
            out.push(format!("{at}: {value} is not of type {allowed:?}"));
        }
    }
    if let Some(options) = rule.get("enum").and_then(Value::as_array)
        && !options.contains(value)
    {
        out.push(format!("{at}: {value} is not one of {options:?}"));
    }
    if let Some(expected) = rule.get("const")
        && expected != value
    {
        out.push(format!("{at}: {value} is not {expected}"));
    }
    if let (Some(min), Some(v)) = (rule.get("minimum").and_then(Value::as_f64), value.as_f64())
        && v < min
    {
        out.push(format!("{at}: {v} is below {min}"));
    }
    if let (Some(max), Some(v)) = (rule.get("maximum").and_then(Value::as_f64), value.as_f64())
        && v > max
    {
        out.push(format!("{at}: {v} is above {max}"));
    }
    let bound = |key: &str| rule.get(key).and_then(Value::as_f64);
    if let (Some(min), Some(v)) = (bound("exclusiveMinimum"), value.as_f64())
        && v <= min
    {
        out.push(format!("{at}: {v} is not above {min}"));
    }
    if let (Some(max), Some(v)) = (bound("exclusiveMaximum"), value.as_f64())
        && v >= max
    {
        out.push(format!("{at}: {v} is not below {max}"));
    }
    if let (Some(min), Some(array)) = (
        rule.get("minItems").and_then(Value::as_u64),
        value.as_array(),
    ) && (array.len() as u64) < min
    {
        out.push(format!("{at}: fewer than {min} items"));
    }
    if let (Some(required), Some(object)) = (
        rule.get("required").and_then(Value::as_array),
        value.as_object(),
    ) {
        for key in required.iter().filter_map(Value::as_str) {
            if !object.contains_key(key) {
                out.push(format!("{at}: '{key}' missing"));
            }
        }
    }
    if let (Some(props), Some(object)) = (rule.get("properties"), value.as_object()) {
        for (key, v) in object {
            match props.get(key) {
                Some(r) => out.extend(violations(root, r, v, &format!("{at}.{key}"))),
                None => out.push(format!("{at}: '{key}' is not in the schema")),
            }
        }
    }
    if let (Some(items), Some(array)) = (rule.get("items"), value.as_array()) {
        for (i, v) in array.iter().enumerate() {
            out.extend(violations(root, items, v, &format!("{at}[{i}]")));
        }
    }
    out
}

/// The rule a local `$ref` (`#/$defs/run`, `#/definitions/source`) points at.
pub(crate) fn resolve<'v>(root: &'v Value, target: &str) -> &'v Value {
    let pointer = target.trim_start_matches('#');
    root.pointer(pointer)
        .unwrap_or_else(|| panic!("{target} resolves"))
}

fn is_type(value: &Value, t: &str) -> bool {
    match t {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.is_u64() || value.is_i64(),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        _ => false,
    }
}

/// Asserts that the JSON `document` conforms to `reports/schema.json`, listing every
/// violation.
pub(crate) fn assert_conforms(document: &[u8]) {
    let root = schema();
    let value: Value = serde_json::from_slice(document).expect("JSON");
    let problems = violations(&root, &root, &value, "$");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

fn design<'a>(name: &'a str, text: &'a str, study: &'a experiment::Study) -> Design<'a> {
    Design {
        name,
        scenario_path: "test.toml",
        scenario_text: text,
        study,
    }
}

#[test]
fn run_and_comparison_documents_conform() {
    let nothing = serves_nothing();
    let studies = experiment::compare(&[system(SMALL), system(&nothing)], &Plan::fixed(3), &|| {})
        .expect("runs");
    for (text, study) in [(SMALL, &studies[0]), (nothing.as_str(), &studies[1])] {
        let single = Report {
            command: "spillway run test.toml",
            designs: vec![design("a", text, study)],
        };
        assert_conforms(&report::render_report_json(&single));
    }
    let comparison = Report {
        command: "spillway compare a.toml b.toml",
        designs: vec![
            design("a", SMALL, &studies[0]),
            design("b", &nothing, &studies[1]),
        ],
    };
    assert_conforms(&report::render_report_json(&comparison));
}

/// Negative control: the validator finds a wrong type, a missing key, an unknown key and a
/// value outside an enum.
#[test]
fn the_validator_rejects_what_breaks_the_schema() {
    let root = schema();
    let study = experiment::study(&system(SMALL), &Plan::fixed(1), &|| {}).expect("runs");
    let single = Report {
        command: "spillway run test.toml",
        designs: vec![design("a", SMALL, &study)],
    };
    let good: Value = serde_json::from_slice(&report::render_report_json(&single)).expect("JSON");
    assert!(violations(&root, &root, &good, "$").is_empty());
    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut v = good.clone();
        edit(&mut v);
        violations(&root, &root, &v, "$")
    };
    assert!(!broken(&|v| v["seed"] = "seven".into()).is_empty());
    assert!(!broken(&|v| v["sources"][0]["latency_seconds"]["p99"] = "slow".into()).is_empty());
    assert!(
        !broken(&|v| {
            v["services"][0]
                .as_object_mut()
                .expect("object")
                .remove("utilisation");
        })
        .is_empty()
    );
    assert!(!broken(&|v| v["sources"][0]["surprise"] = 1.into()).is_empty());
    assert!(!broken(&|v| v["study"]["stop"] = "whenever".into()).is_empty());
}
