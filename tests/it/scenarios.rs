//! Every bundled scenario loads, validates, runs briefly and satisfies Little's law, and its
//! report renders with well-formed charts.

use std::num::NonZeroU64;

use spillway::experiment::{self, Plan};
use spillway::model::Horizon;
use spillway::report::{self, Design, Report};

#[test]
fn every_bundled_scenario_runs() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios/ exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    assert!(files.len() >= 5, "{files:?}");
    for path in files {
        let system = spillway::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let short = system.with_horizon(Horizon::Requests(NonZeroU64::new(100_000).expect("> 0")));
        let run = experiment::run(&short, 0).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        for svc in &run.summary.services {
            assert!(svc.completed > 0, "{}: {} idle", path.display(), svc.name);
            assert!(
                svc.little.holds(),
                "{}: {}: {:?}",
                path.display(),
                svc.name,
                svc.little
            );
        }
    }
}

#[test]
fn every_bundled_scenario_renders_a_report() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/scenarios");
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .expect("scenarios/ exists")
        .map(|entry| entry.expect("readable").path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    files.sort();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("readable");
        let system = spillway::scenario::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let short = system.with_horizon(Horizon::Requests(NonZeroU64::new(20_000).expect("> 0")));
        let study = experiment::study(&short, &Plan::fixed(2), &|| {}).expect("runs");
        let name = path.display().to_string();
        let report = Report {
            command: "spillway run",
            designs: vec![Design {
                name: "scenario",
                scenario_path: &name,
                scenario_text: &text,
                study: &study,
            }],
        };
        for (file, bytes) in report::files(&report) {
            assert!(!bytes.is_empty(), "{name}: {file} is empty");
            if file.ends_with(".svg") {
                let svg = String::from_utf8(bytes).expect("UTF-8");
                roxmltree::Document::parse(&svg).unwrap_or_else(|e| panic!("{name}: {file}: {e}"));
            }
        }
    }
}
