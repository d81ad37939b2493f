//! The corpus of bad replay files in `tests/bad/`.
//!
//! Each case is `NAME.json` or `NAME.toml`, `NAME.expected` holding the exact
//! problem lines the replay must report (one per line, trailing newline), and
//! optionally `NAME.until` (the `--until` of the replay, read like the CLI
//! reads it). A case is parsed, and run when it parses; a file that parses
//! and runs without a problem fails the case. A new case is new files, not
//! new code.
//!
//! Every case runs even when an earlier one fails or panics (a panic is a
//! failure too: a bad file must never panic), and the test lists every
//! failing case at the end. With `UPDATE_EXPECT=1` the actual lines are
//! written to `NAME.expected` instead; read them before committing: they are
//! what a user sees.

use std::fs;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use ledger::replay::{Format, Problem, parse, parse_until};

/// Fewer cases than this means the directory was not found or was emptied.
const CASES_MIN: usize = 20;

#[test]
fn bad_files_report_the_expected_problems() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("bad");
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");
    let inputs = inputs(&root);
    let mut failures = orphan_expectations(&root, &inputs);
    failures.extend(shared_stems(&inputs));
    let mut updated = Vec::new();
    for input in &inputs {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let expected_path = input.with_extension("expected");
        let actual = match check_case(input) {
            Ok(lines) => lines,
            Err(message) => {
                failures.push(format!("{name}: {message}"));
                continue;
            }
        };
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if actual == expected {
            continue;
        }
        if update {
            fs::write(&expected_path, &actual)
                .unwrap_or_else(|e| panic!("writing {}: {e}", expected_path.display()));
            updated.push(name);
        } else {
            failures.push(format!(
                "{name}: problems differ\n  expected:\n{}  actual:\n{}",
                indent(&expected),
                indent(&actual)
            ));
        }
    }
    if !updated.is_empty() {
        eprintln!(
            "UPDATE_EXPECT: rewrote the .expected of {}",
            updated.join(", ")
        );
    }
    assert!(
        inputs.len() >= CASES_MIN,
        "found {} bad files in {}, expected at least {CASES_MIN}",
        inputs.len(),
        root.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {} bad files failed:\n\n{}",
        failures.len(),
        inputs.len(),
        failures.join("\n\n")
    );
}

/// The `.json` and `.toml` files under `root`, sorted by name.
fn inputs(root: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(root).unwrap_or_else(|e| panic!("reading {}: {e}", root.display()));
    let mut inputs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("reading a directory entry").path())
        .filter(|path| Format::from_path(path).is_some())
        .collect();
    inputs.sort();
    inputs
}

/// `.expected` files with no input beside them: a renamed or deleted case.
fn orphan_expectations(root: &Path, inputs: &[PathBuf]) -> Vec<String> {
    let entries = fs::read_dir(root).unwrap_or_else(|e| panic!("reading {}: {e}", root.display()));
    let mut orphans: Vec<String> = entries
        .map(|entry| entry.expect("reading a directory entry").path())
        .filter(|path| path.extension().is_some_and(|e| e == "expected"))
        .filter(|path| {
            !inputs
                .iter()
                .any(|input| input.with_extension("expected") == *path)
        })
        .map(|path| format!("{}: no .json or .toml beside it", path.display()))
        .collect();
    orphans.sort();
    orphans
}

/// `NAME.json` and `NAME.toml` would share `NAME.expected`.
fn shared_stems(inputs: &[PathBuf]) -> Vec<String> {
    let stems: Vec<PathBuf> = inputs
        .iter()
        .map(|input| input.with_extension(""))
        .collect();
    let mut shared: Vec<String> = stems
        .iter()
        .enumerate()
        .filter(|(i, stem)| stems[..*i].contains(stem))
        .map(|(_, stem)| format!("{}: both a .json and a .toml; rename one", stem.display()))
        .collect();
    shared.dedup();
    shared
}

/// The problem lines of one case, as `NAME.expected` holds them.
fn check_case(input: &Path) -> Result<String, String> {
    let text = fs::read_to_string(input).map_err(|e| format!("reading: {e}"))?;
    let format = Format::from_path(input).expect("inputs are filtered by extension");
    let until = fs::read_to_string(input.with_extension("until")).ok();
    let problems = panic::catch_unwind(AssertUnwindSafe(|| {
        problems(&text, format, until.as_deref())
    }))
    .map_err(|payload| format!("panicked: {}", panic_message(&payload)))?;
    if problems.is_empty() {
        return Err("no problem reported; a bad file must report at least one".to_owned());
    }
    Ok(problems.iter().map(|p| format!("{p}\n")).collect())
}

/// Everything the replay reports for a file: the `--until` problem, or the
/// parse problems, or the run problems.
fn problems(text: &str, format: Format, until: Option<&str>) -> Vec<Problem> {
    let until = match until.map(|text| parse_until(text.trim())).transpose() {
        Ok(until) => until,
        Err(problem) => return vec![problem],
    };
    match parse(text, format) {
        Ok(replay) => replay.run(until).err().unwrap_or_default(),
        Err(problems) => problems,
    }
}

fn panic_message(payload: &Box<dyn std::any::Any + Send>) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_owned())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(not a string)".to_owned())
}

fn indent(lines: &str) -> String {
    lines.lines().map(|line| format!("    {line}\n")).collect()
}
