//! The architecture's boundaries, enforced: each external crate has one home, modules use
//! only the modules beneath them, the engine and model stay free of I/O, formats and
//! threads, and unit tests live in `<module>/tests.rs`.

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
    outside(&sources(), &needles, homes)
        .into_iter()
        .map(|path| format!("{path} uses {krate}"))
        .collect()
}

/// The `files` not under `homes` whose code (comment lines skipped) holds one of `needles`.
fn outside(files: &[(String, String)], needles: &[String], homes: &[&str]) -> Vec<String> {
    files
        .iter()
        .filter(|(path, _)| !within(path, homes))
        .filter(|(_, text)| {
            text.lines()
                .map(str::trim_start)
                .filter(|line| !line.starts_with("//"))
                .any(|line| needles.iter().any(|n| line.contains(n.as_str())))
        })
        .map(|(path, _)| path.clone())
        .collect()
}

/// serde lives in `report`, which writes documents; one is read back: a sweep's part,
/// which must give `merge` exactly the runs a shard wrote. `Deserialize` and
/// serde_json's readers appear only there (scenarios are read without serde).
#[test]
fn only_the_sweep_part_is_read_back() {
    let needles = ["Deserialize".to_string(), "serde_json::from_".to_string()];
    let home = ["report/schema/part.rs"];
    let problems = outside(&sources(), &needles, &home);
    assert!(problems.is_empty(), "{problems:#?} read a document back");
    // Negative control: a second reader is found, a comment is not.
    let files = [
        ("report/schema/part.rs", "#[derive(Serialize, Deserialize)]"),
        (
            "report/schema.rs",
            "let doc: RunDoc = serde_json::from_slice(b)?;",
        ),
        (
            "scenario/raw.rs",
            "// no Deserialize here\nuse serde::Deserialize;",
        ),
        ("stats/summary.rs", "// Deserialize is not used"),
    ]
    .map(|(p, t)| (p.to_string(), t.to_string()));
    assert_eq!(
        outside(&files, &needles, &home),
        ["report/schema.rs", "scenario/raw.rs"]
    );
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

/// The crate modules each module may use, besides itself. One table, read bottom-up: `model`
/// and `theory` are the leaves, `sim` sees only the model (never `scenario`), and `report`
/// renders what the layers below produced, so it may read `sim::RunError` (carried by
/// `RunSummary`) but nothing above it. `cli` is the binary crate and may use anything, so it
/// has no row. Unit tests (`tests.rs`) are exempt: they may build systems with
/// `scenario::parse` or watch the engine with `stats::Recorder`, which ships no edge.
const ALLOWED_EDGES: [(&str, &[&str]); 8] = [
    ("model", &[]),
    ("theory", &[]),
    ("sim", &["model"]),
    ("stats", &["sim", "model"]),
    ("scenario", &["model"]),
    ("oracle", &["model", "theory"]),
    ("experiment", &["sim", "stats", "model", "oracle", "theory"]),
    (
        "report",
        &["stats", "experiment", "theory", "oracle", "model", "sim"],
    ),
];

/// The crate modules named by `crate::<module>` paths in `text`, including those inside a
/// `crate::{a::X, b::Y}` group; comment lines are skipped.
fn crate_modules_used(text: &str) -> Vec<String> {
    let code: Vec<&str> = text
        .lines()
        .filter(|line| !line.trim_start().starts_with("//"))
        .collect();
    let code = code.join("\n");
    let mut used = Vec::new();
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        match rest.strip_prefix('{') {
            Some(group) => used.extend(group_items(group).into_iter().map(leading_ident)),
            None => used.push(leading_ident(rest)),
        }
    }
    used.retain(|m| !m.is_empty());
    used
}

/// The top-level items of a `{ ... }` group whose opening brace has been stripped.
fn group_items(group: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => {
                items.push(&group[start..i]);
                break;
            }
            '}' => depth -= 1,
            ',' if depth == 0 => {
                items.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    items
}

fn leading_ident(path: &str) -> String {
    path.trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect()
}

/// The top-level module a file under `src/` belongs to (`sim/guard.rs` → `sim`).
fn module_of(path: &str) -> &str {
    let first = path.split('/').next().unwrap_or(path);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// Every use of a crate module that `ALLOWED_EDGES` does not permit, as "file uses module".
fn forbidden_edges<'a>(files: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut problems = Vec::new();
    for (path, text) in files {
        let module = module_of(path);
        let Some((_, allowed)) = ALLOWED_EDGES.iter().find(|(m, _)| *m == module) else {
            continue;
        };
        if path.ends_with("tests.rs") {
            continue;
        }
        for used in crate_modules_used(text) {
            if used != module && !allowed.contains(&used.as_str()) {
                problems.push(format!("{path} uses crate::{used}"));
            }
        }
    }
    problems.sort();
    problems.dedup();
    problems
}

#[test]
fn modules_use_only_the_modules_beneath_them() {
    let files = sources();
    let problems = forbidden_edges(files.iter().map(|(p, t)| (p.as_str(), t.as_str())));
    assert!(problems.is_empty(), "{problems:#?}");
    for (path, _) in &files {
        let module = module_of(path);
        assert!(
            ["lib", "main", "cli"].contains(&module)
                || ALLOWED_EDGES.iter().any(|(m, _)| *m == module),
            "module {module} has no row in ALLOWED_EDGES"
        );
    }
}

#[test]
fn the_edge_check_reports_a_forbidden_edge() {
    let files = [
        (
            "sim/engine.rs",
            "use crate::model::System;\nuse crate::scenario::parse;\n",
        ),
        ("model/dist.rs", "// crate::sim in a comment is no edge\n"),
        (
            "stats/recorder.rs",
            "use crate::{\n    model::Rate,\n    report::Report,\n};\n",
        ),
        ("sim/tests.rs", "use crate::stats::Recorder;\n"),
        ("cli/commands.rs", "use crate::report::Report;\n"),
    ];
    assert_eq!(
        forbidden_edges(files),
        [
            "sim/engine.rs uses crate::scenario",
            "stats/recorder.rs uses crate::report"
        ]
    );
}

#[test]
fn unit_tests_live_in_their_own_file() {
    for (path, text) in sources() {
        assert!(
            !text
                .lines()
                .any(|line| line.trim_start().starts_with("mod tests {")),
            "{path} keeps its tests inline: move them to {}/tests.rs",
            path.trim_end_matches(".rs")
        );
    }
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
