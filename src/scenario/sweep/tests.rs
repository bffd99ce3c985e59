use super::{parse_axis, parse_load};
use crate::model::{AxisUnit, Knob};

fn texts(spec: &str) -> Vec<String> {
    parse_axis(spec)
        .unwrap()
        .values
        .into_iter()
        .map(|v| v.text)
        .collect()
}

#[test]
fn lists_and_integer_ranges() {
    assert_eq!(texts("service.api.workers=4,8,16"), ["4", "8", "16"]);
    assert_eq!(texts("service.api.workers=4..16:4"), ["4", "8", "12", "16"]);
    assert_eq!(texts("service.api.workers=1..6:2"), ["1", "3", "5"]);
    assert_eq!(
        texts("service.api.workers=1,6..8:1,12"),
        ["1", "6", "7", "8", "12"]
    );
}

#[test]
fn geometric_and_unit_ranges_keep_the_unit() {
    let axis = parse_axis("source.web.rate=100/s..800/s*2").unwrap();
    assert_eq!(axis.unit, AxisUnit::PerSecond);
    let values: Vec<(String, f64)> = axis
        .values
        .into_iter()
        .map(|v| (v.text, v.number))
        .collect();
    assert_eq!(
        values,
        [
            ("100/s".into(), 100.0),
            ("200/s".into(), 200.0),
            ("400/s".into(), 400.0),
            ("800/s".into(), 800.0)
        ]
    );
    assert_eq!(
        texts("source.web.timeout=100ms..300ms:100ms"),
        ["100ms", "200ms", "300ms"]
    );
    assert_eq!(texts("x=0.1..0.3:0.1"), ["0.1", "0.2", "0.3"]);
    assert_eq!(parse_axis("x=1s,2s").unwrap().unit, AxisUnit::Seconds);
}

#[test]
fn malformed_values_say_what_is_wrong() {
    for (spec, wanted) in [
        ("service.api.workers", "not KEY=VALUES"),
        ("x=4..2:1", "is below"),
        ("x=1..8*1", "factor above 1"),
        ("x=1..8:0", "above 0"),
        ("x=100ms..1s:100ms", "one unit"),
        ("x=1,2s", "unit of the values before"),
        ("x=fast", "not a number, a rate"),
        ("x=1..10000000:1", "more than"),
    ] {
        let error = parse_axis(spec).unwrap_err();
        assert!(error.contains(wanted), "{spec}: {error}");
    }
}

#[test]
fn load_takes_a_number_of_points_or_a_list() {
    let axis = parse_load("0.5..1.5:5").unwrap();
    assert_eq!(axis.knob, Knob::Load);
    let factors: Vec<f64> = axis.values.iter().map(|v| v.number).collect();
    assert_eq!(factors, [0.5, 0.75, 1.0, 1.25, 1.5]);
    assert_eq!(parse_load("1,2").unwrap().values.len(), 2);
    assert!(parse_load("0.5..1.5:1").is_err());
    assert!(parse_load("0,1").is_err());
}

#[test]
fn a_sweep_table_declares_the_grid_and_its_problems_are_diagnostics() {
    let base = "[simulation]\nduration = \"1m\"\n[[source]]\nname = \"web\"\nto = \"api\"\nrate = \"10/s\"\n[[service]]\nname = \"api\"\nworkers = 2\nservice_time = { dist = \"constant\", value = \"10ms\" }\n";
    let text = format!(
        "{base}[sweep]\nvary = [\"service.api.workers=2..4:1\"]\nload = \"0.5,1\"\nreplications = 3\n"
    );
    let parsed = crate::scenario::parse_with_warnings(&text, "s.toml").unwrap();
    let sweep = parsed.sweep.expect("declared");
    assert_eq!(sweep.grid.len(), 6);
    assert_eq!(sweep.replications, Some(3));
    let bad = format!("{base}[sweep]\nvary = [\"service.api.workers=4..2:1\"]\nreplicatons = 3\n");
    let error = crate::scenario::parse(&bad, "s.toml")
        .unwrap_err()
        .to_string();
    assert!(error.contains("s.toml:12:9: sweep.vary[0]:"), "{error}");
    assert!(error.contains("is below"), "{error}");
    assert!(error.contains("did you mean 'replications'"), "{error}");
}
