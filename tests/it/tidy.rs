//! The architecture's boundaries, enforced: each external crate has one home, and the
//! engine and model stay free of I/O, formats and threads.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, with its path relative to `src/`.
fn sources() -> Vec<(String, String)> {
    fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).expect("readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    walk(&root, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            let relative = path.strip_prefix(&root).expect("under src");
            (relative.to_string_lossy().replace('\\', "/"), text)
        })
        .collect()
}

/// Whether the file at `path` belongs to one of the module prefixes.
fn within(path: &str, homes: &[&str]) -> bool {
    homes.iter().any(|home| path.starts_with(home))
}

/// `crate` (e.g. "rayon") may be named only in files under `homes`.
fn only_in(krate: &str, homes: &[&str]) -> Vec<String> {
    let needles = [format!("use {krate}::"), format!("{krate}::")];
    sources()
        .into_iter()
        .filter(|(path, _)| !within(path, homes))
        .filter(|(_, text)| {
            text.lines()
                .map(str::trim_start)
                .filter(|line| !line.starts_with("//"))
                .any(|line| needles.iter().any(|n| line.contains(n.as_str())))
        })
        .map(|(path, _)| format!("{path} uses {krate}"))
        .collect()
}

#[test]
fn each_crate_has_one_home() {
    let rules: [(&str, &[&str]); 15] = [
        ("rand", &["sim/rng"]),
        ("rand_distr", &["sim/rng"]),
        ("toml", &["scenario"]),
        ("rayon", &["experiment"]),
        ("hdrhistogram", &["stats"]),
        ("serde", &["report"]),
        ("serde_json", &["report"]),
        ("clap", &["cli", "main.rs"]),
        ("anyhow", &["cli", "main.rs"]),
        ("indicatif", &["cli"]),
        ("plotters", &["report"]),
        ("image", &["report"]),
        ("dejavu", &["report"]),
        ("ab_glyph", &["report"]),
        ("plotters_backend", &["report"]),
    ];
    let problems: Vec<String> = rules
        .iter()
        .flat_map(|(krate, homes)| only_in(krate, homes))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn the_engine_and_model_do_no_io_and_keep_no_time() {
    let forbidden = [
        "std::fs",
        "std::time",
        "std::thread",
        "std::env",
        "println!",
        "eprintln!",
    ];
    let problems: Vec<String> = sources()
        .into_iter()
        .filter(|(path, _)| within(path, &["sim", "model", "stats", "theory"]))
        .flat_map(|(path, text)| {
            forbidden
                .iter()
                .filter(|f| text.contains(*f))
                .map(|f| format!("{path} uses {f}"))
                .collect::<Vec<_>>()
        })
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn theory_depends_on_nothing_in_the_crate() {
    for (path, text) in sources() {
        if path.starts_with("theory") {
            assert!(!text.contains("crate::"), "{path} depends on the crate");
        }
    }
}

#[test]
fn every_module_says_what_it_owns() {
    for (path, text) in sources() {
        let is_test = path.ends_with("tests.rs");
        assert!(
            is_test || text.trim_start().starts_with("//!"),
            "{path} has no //! header"
        );
    }
}
