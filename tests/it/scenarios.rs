//! Every bundled scenario loads, validates, runs briefly and satisfies Little's law.

use std::num::NonZeroU64;

use spillway::experiment;
use spillway::model::Horizon;

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
