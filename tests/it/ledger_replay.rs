//! `creditsim ledger replay`: output and exit status on good files, one
//! line per problem and exit status 2 on bad ones, and never a panic.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Runs the binary from the package root, so file paths in its messages are
/// the relative ones given here.
fn creditsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_creditsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("running the creditsim binary")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

/// Exit status 2, nothing on stdout, no panic; returns the stderr lines.
fn assert_bad_input(output: &Output) -> Vec<String> {
    let err = stderr(output);
    assert!(!err.contains("panicked"), "the binary panicked:\n{err}");
    assert_eq!(output.status.code(), Some(2), "stderr:\n{err}");
    assert_eq!(
        stdout(output),
        "",
        "nothing is printed on stdout for a bad file"
    );
    err.lines().map(str::to_owned).collect()
}

fn replay_json(args: &[&str]) -> serde_json::Value {
    let output = creditsim(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr:\n{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output), "");
    serde_json::from_str(&stdout(&output)).expect("stdout is JSON")
}

#[test]
fn a_good_file_prints_the_wallet_as_pretty_json() {
    let output = creditsim(&["ledger", "replay", "tests/fixtures/replay-good.json"]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "stderr:\n{}",
        stderr(&output)
    );
    assert_eq!(stderr(&output), "");
    let expected = fs::read_to_string("tests/fixtures/replay-good.expected.json").unwrap();
    assert_eq!(stdout(&output), expected);
}

#[test]
fn the_output_keeps_its_key_order() {
    let output = replay_json(&["ledger", "replay", "tests/fixtures/replay-good.json"]);
    let keys: Vec<&str> = output
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "at",
            "available",
            "overdraft",
            "invoiced",
            "invoiced_foreign",
            "rejected",
            "grants",
            "journal"
        ]
    );
    let grants: Vec<&str> = output["grants"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(grants, ["g1", "g2"], "grants in creation order");
    for entry in output["journal"].as_array().unwrap() {
        let keys: Vec<&str> = entry
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(keys[..2], ["at", "entry"], "{entry}");
    }
}

#[test]
fn toml_and_json_replay_alike() {
    let json = creditsim(&["ledger", "replay", "tests/fixtures/replay-good.json"]);
    let toml = creditsim(&["ledger", "replay", "tests/fixtures/replay-good.toml"]);
    assert_eq!(toml.status.code(), Some(0), "stderr:\n{}", stderr(&toml));
    assert_eq!(stdout(&toml), stdout(&json));
}

#[test]
fn until_runs_time_on_past_the_last_event() {
    let args = [
        "ledger",
        "replay",
        "tests/fixtures/replay-good.json",
        "--until",
        "2025-02-01T00:00:00Z",
    ];
    let output = replay_json(&args);
    assert_eq!(output["at"], "2025-02-01T00:00:00Z");
    // g1 expires at 2025-02-01 exactly; --until is inclusive.
    assert_eq!(output["grants"]["g1"]["status"], "expired");
    assert_eq!(output["grants"]["g1"]["expired"], "30");
    let last = output["journal"]
        .as_array()
        .unwrap()
        .last()
        .unwrap()
        .clone();
    let expected = serde_json::json!({"at": "2025-02-01T00:00:00Z", "entry": "expired", "grant": "g1", "amount": "30"});
    assert_eq!(last, expected);
}

#[test]
fn a_bad_file_lists_every_problem_on_stderr() {
    let output = creditsim(&["ledger", "replay", "tests/fixtures/replay-bad.json"]);
    let file = "tests/fixtures/replay-bad.json";
    assert_eq!(
        assert_bad_input(&output),
        [
            format!(
                "{file}: wallet.exhaustion.rule: unknown rule \"blok\"; expected one of block, overdraft, invoice"
            ),
            format!("{file}: grants[0].ammount: unknown field; did you mean \"amount\"?"),
            format!("{file}: events[0].usage.amount: expected a decimal, got \"abc\""),
            format!(
                "{file}: events[1].at: 2025-01-01T00:00:00Z is before events[0] (2025-01-02T00:00:00Z); \
                 events must be in time order"
            ),
            format!("{file}: events[1].reverse: no usage \"u9\" is defined earlier in the file"),
        ]
    );
}

#[test]
fn argument_problems_are_reported_together() {
    let output = creditsim(&["ledger", "replay", "Cargo.toml.bak", "--until", "soon"]);
    assert_eq!(
        assert_bad_input(&output),
        [
            "Cargo.toml.bak: a replay file is .json or .toml, and this one has the extension .bak; rename it",
            "Cargo.toml.bak: --until: expected an RFC 3339 time like 2025-01-01T00:00:00Z, got \"soon\"",
        ]
    );
}

#[test]
fn until_before_the_last_event_is_a_problem() {
    let args = [
        "ledger",
        "replay",
        "tests/fixtures/replay-good.json",
        "--until",
        "2025-01-05T00:00:00Z",
    ];
    assert_eq!(
        assert_bad_input(&creditsim(&args)),
        [
            "tests/fixtures/replay-good.json: --until: 2025-01-05T00:00:00Z is before the last event, \
          events[5] at 2025-01-06T00:00:00Z; --until must not be earlier"
        ]
    );
}

#[test]
fn unreadable_files_are_problems_not_panics() {
    let missing = creditsim(&["ledger", "replay", "tests/fixtures/no-such-file.json"]);
    assert_eq!(
        assert_bad_input(&missing),
        ["tests/fixtures/no-such-file.json: cannot read the file: no such file"]
    );

    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("replay-dir.json");
    fs::create_dir_all(&dir).unwrap();
    let lines = assert_bad_input(&creditsim(&["ledger", "replay", dir.to_str().unwrap()]));
    assert_eq!(
        lines,
        [format!(
            "{}: cannot read the file: it is a directory",
            dir.display()
        )]
    );

    let latin1 = Path::new(env!("CARGO_TARGET_TMPDIR")).join("latin1.json");
    fs::write(&latin1, b"{\"wallet\": {\"currency\": \"\xa3\"}}").unwrap();
    let lines = assert_bad_input(&creditsim(&["ledger", "replay", latin1.to_str().unwrap()]));
    assert_eq!(
        lines,
        [format!(
            "{}: the file is not UTF-8 text (invalid byte at offset 25)",
            latin1.display()
        )]
    );
}

#[test]
fn a_malformed_command_line_exits_2() {
    let output = creditsim(&["ledger", "replay"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(stderr(&output).contains("Usage:"), "{}", stderr(&output));
}

/// Every file of the ledger's bad-file corpus, through the binary: exit 2,
/// and the corpus's expected lines, each prefixed with the file's path.
#[test]
fn every_bad_corpus_file_exits_2_with_its_expected_lines() {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("crates/ledger/tests/bad");
    let mut inputs: Vec<PathBuf> = fs::read_dir(&corpus)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "json" || e == "toml"))
        .collect();
    inputs.sort();
    assert!(
        inputs.len() >= 20,
        "found {} bad files in {}",
        inputs.len(),
        corpus.display()
    );
    for input in &inputs {
        let path = input.to_str().unwrap();
        let mut args = vec!["ledger", "replay", path];
        let until = fs::read_to_string(input.with_extension("until")).ok();
        if let Some(until) = &until {
            args.extend(["--until", until.trim()]);
        }
        let expected: Vec<String> = fs::read_to_string(input.with_extension("expected"))
            .unwrap()
            .lines()
            .map(|line| format!("{path}: {line}"))
            .collect();
        assert_eq!(assert_bad_input(&creditsim(&args)), expected, "{path}");
    }
}
