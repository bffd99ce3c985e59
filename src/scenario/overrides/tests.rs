use super::super::{Override, parse_with_overrides};
use crate::model::Arrivals;

const BASE: &str = r#"
[simulation]
duration = "10s"

[[source]]
name = "web"
to = "api"
rate = "80/s"
timeout = "1s"
schedule = [{ at = "5s", rate = "120/s" }]

[[service]]
name = "api"
workers = 2
service_time = { dist = "exponential", mean = "20ms" }
"#;

fn with(overrides: &[(&str, &str)]) -> Result<crate::model::System, String> {
    let overrides: Vec<Override> = overrides.iter().map(|(k, v)| Override::new(k, v)).collect();
    parse_with_overrides(BASE, "base.toml", &overrides)
        .map(|p| p.system)
        .map_err(|e| e.to_string())
}

#[test]
fn an_override_replaces_the_value_in_the_file() {
    let system = with(&[("service.api.workers", "7")]).unwrap();
    assert_eq!(system.services()[0].workers.get(), 7);
}

#[test]
fn missing_tables_and_keys_are_created() {
    let system = with(&[("service.api.queue.capacity", "12")]).unwrap();
    assert_eq!(system.services()[0].queue.capacity, Some(12));
}

#[test]
fn schedule_entries_and_inline_tables_are_reached_by_index_and_key() {
    let system = with(&[
        ("source.web.schedule[0].rate", "300/s"),
        ("service.api.service_time.mean", "5ms"),
    ])
    .unwrap();
    let Arrivals::Varying(profile) = &system.sources()[0].arrivals else {
        panic!("a schedule gives a varying rate")
    };
    assert_eq!(profile.peak_rate(), 300.0);
    assert!((system.services()[0].work_mean() - 0.005).abs() < 1e-12);
}

#[test]
fn a_bad_value_is_refused_as_the_file_would_be_and_names_the_override() {
    let error = with(&[("service.api.workers", "0")]).unwrap_err();
    assert!(
        error.starts_with("base.toml (with service.api.workers = 0): service.api.workers:"),
        "{error}"
    );
}

#[test]
fn unknown_keys_and_names_get_a_did_you_mean() {
    let error = with(&[("service.api.wrkers", "3")]).unwrap_err();
    assert!(error.contains("unknown key 'wrkers'"), "{error}");
    assert!(error.contains("did you mean 'workers'"), "{error}");
    let error = with(&[("service.apii.workers", "3")]).unwrap_err();
    assert!(error.contains("no service named 'apii'"), "{error}");
    assert!(error.contains("did you mean 'api'"), "{error}");
}

#[test]
fn indexes_beyond_a_list_and_keys_inside_values_are_refused() {
    let error = with(&[("source.web.schedule[3].rate", "1/s")]).unwrap_err();
    assert!(error.contains("the list has 1 entries"), "{error}");
    let error = with(&[("service.api.workers.x", "1")]).unwrap_err();
    assert!(error.contains("is not a table"), "{error}");
}

#[test]
fn quotes_in_a_value_stay_inside_the_string() {
    let error = with(&[("source.web.rate", "1\" x = \"2")]).unwrap_err();
    assert!(error.contains("source.web.rate"), "{error}");
    assert!(!error.contains("unknown key 'x'"), "{error}");
}
