//! The data-driven replay cases in `tests/replay/`.
//!
//! Each case is a directory holding an input file (`input.json` or
//! `input.toml`), optionally an `until` file (one RFC 3339 time, the
//! `--until` of the replay), `expected.json` (the whole output, pretty-printed
//! with a trailing newline, computed by hand from DOMAIN.md and
//! docs/ledger-semantics.md) and `about.txt` (what the case checks, and the
//! arithmetic). A new case is a new directory, not new code.
//!
//! Every case runs even when an earlier one fails, and the test fails at the
//! end listing each failing case with a line diff of expected against actual.
//! With `UPDATE_EXPECT=1` the actual outputs are written to `expected.json`
//! instead (`-- --nocapture` lists the cases rewritten); review that diff line
//! by line, since the expectations were computed by hand, independently of
//! the engine.

use std::fs;
use std::path::{Path, PathBuf};

use ledger::Time;
use ledger::replay::{Format, replay};

/// Fewer cases than this means the directory was not found or was emptied.
const CASES_MIN: usize = 30;

/// Lines of unchanged context shown around each difference.
const DIFF_CONTEXT: usize = 3;

#[test]
fn replay_cases_match_their_expected_output() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("replay");
    let update = std::env::var("UPDATE_EXPECT").is_ok_and(|v| v == "1");
    let cases = case_dirs(&root);

    let mut failures = Vec::new();
    let mut updated = Vec::new();
    for dir in &cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let actual = match run_case(dir) {
            Ok(actual) => actual,
            Err(message) => {
                failures.push(format!("case {name}: {message}"));
                continue;
            }
        };
        let expected_path = dir.join("expected.json");
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
                "case {name}: output differs (- expected, + actual)\n{}",
                line_diff(&expected, &actual)
            ));
        }
    }

    if !updated.is_empty() {
        eprintln!(
            "UPDATE_EXPECT: rewrote expected.json of {}",
            updated.join(", ")
        );
    }
    assert!(
        cases.len() >= CASES_MIN,
        "found {} replay cases in {}, expected at least {CASES_MIN}",
        cases.len(),
        root.display()
    );
    assert!(
        failures.is_empty(),
        "{} of {} replay cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

/// The case directories under `root`, sorted by name.
fn case_dirs(root: &Path) -> Vec<PathBuf> {
    let entries = fs::read_dir(root).unwrap_or_else(|e| panic!("reading {}: {e}", root.display()));
    let mut dirs: Vec<PathBuf> = entries
        .map(|entry| entry.expect("reading a directory entry").path())
        .filter(|path| path.is_dir())
        .collect();
    dirs.sort();
    dirs
}

/// Replays one case and renders its output the way `expected.json` holds it.
fn run_case(dir: &Path) -> Result<String, String> {
    if !dir.join("about.txt").is_file() {
        return Err("no about.txt saying what the case checks".to_owned());
    }
    let json = dir.join("input.json");
    let toml = dir.join("input.toml");
    let (path, format) = match (json.is_file(), toml.is_file()) {
        (true, false) => (json, Format::Json),
        (false, true) => (toml, Format::Toml),
        (true, true) => return Err("both input.json and input.toml; keep one".to_owned()),
        (false, false) => return Err("no input.json or input.toml".to_owned()),
    };
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    let until = read_until(dir)?;
    let output = replay(&text, format, until).map_err(|problems| {
        let lines: Vec<String> = problems.iter().map(|p| format!("  {p}")).collect();
        format!("the replay reported problems:\n{}", lines.join("\n"))
    })?;
    let pretty = serde_json::to_string_pretty(&output).map_err(|e| format!("rendering: {e}"))?;
    Ok(pretty + "\n")
}

/// The optional `until` file: one RFC 3339 time.
fn read_until(dir: &Path) -> Result<Option<Time>, String> {
    let path = dir.join("until");
    if !path.exists() {
        return Ok(None);
    }
    let text = fs::read_to_string(&path).map_err(|e| format!("reading {}: {e}", path.display()))?;
    Time::parse_rfc3339(text.trim())
        .map(Some)
        .ok_or_else(|| format!("`until` holds {:?}, not an RFC 3339 time", text.trim()))
}

/// One line of a diff.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Line<'a> {
    Same(&'a str),
    Expected(&'a str),
    Actual(&'a str),
}

/// A unified-style line diff (longest common subsequence), with
/// `DIFF_CONTEXT` unchanged lines around each change and `@@ line N` headers
/// giving the line in expected.json. Outputs are a few hundred lines, so the
/// quadratic table is small.
fn line_diff(expected: &str, actual: &str) -> String {
    let a: Vec<&str> = expected.lines().collect();
    let b: Vec<&str> = actual.lines().collect();
    let lines = lcs_diff(&a, &b);

    // Which diff lines to show: every change and its context.
    let mut show = vec![false; lines.len()];
    for (i, line) in lines.iter().enumerate() {
        if !matches!(line, Line::Same(_)) {
            let from = i.saturating_sub(DIFF_CONTEXT);
            let to = (i + DIFF_CONTEXT + 1).min(lines.len());
            show[from..to].iter_mut().for_each(|s| *s = true);
        }
    }

    let mut out = String::new();
    let mut expected_line = 1;
    let mut shown_previous = false;
    for (i, line) in lines.iter().enumerate() {
        if show[i] {
            if !shown_previous {
                out.push_str(&format!("  @@ expected.json line {expected_line}\n"));
            }
            match line {
                Line::Same(text) => out.push_str(&format!("    {text}\n")),
                Line::Expected(text) => out.push_str(&format!("  - {text}\n")),
                Line::Actual(text) => out.push_str(&format!("  + {text}\n")),
            }
        }
        shown_previous = show[i];
        if !matches!(line, Line::Actual(_)) {
            expected_line += 1;
        }
    }
    if out.is_empty() {
        // Same lines, different bytes: line endings or the final newline.
        out.push_str(
            "  (the lines are equal; the files differ in line endings or the final newline)\n",
        );
    }
    out
}

fn lcs_diff<'a>(a: &[&'a str], b: &[&'a str]) -> Vec<Line<'a>> {
    // common[i][j]: length of the longest common subsequence of a[i..] and b[j..].
    let mut common = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            common[i][j] = if a[i] == b[j] {
                common[i + 1][j + 1] + 1
            } else {
                common[i + 1][j].max(common[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut lines = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            lines.push(Line::Same(a[i]));
            i += 1;
            j += 1;
        } else if common[i + 1][j] >= common[i][j + 1] {
            lines.push(Line::Expected(a[i]));
            i += 1;
        } else {
            lines.push(Line::Actual(b[j]));
            j += 1;
        }
    }
    lines.extend(a[i..].iter().map(|text| Line::Expected(text)));
    lines.extend(b[j..].iter().map(|text| Line::Actual(text)));
    lines
}

#[test]
fn line_diff_shows_changes_with_context() {
    let expected = "a\nb\nc\nd\ne\nf\ng\nh\ni\n";
    let actual = "a\nb\nc\nd\nE\nf\ng\nh\ni\nj\n";
    let diff = line_diff(expected, actual);
    assert_eq!(
        diff,
        "  @@ expected.json line 2\n    b\n    c\n    d\n  - e\n  + E\n    f\n    g\n    h\n    i\n  + j\n"
    );
    assert!(line_diff("a\n", "a").contains("final newline"));
}
