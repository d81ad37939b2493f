//! `creditsim report` and `creditsim run --report`, end to end: the files
//! land in the directory, an existing report is kept unless `--force`.

use std::path::PathBuf;
use std::process::Command;

fn creditsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_creditsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

const SCENARIO: &str = "tests/fixtures/scenario-small.toml";

fn out_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("creditsim-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn report_writes_the_files_and_keeps_them_without_force() {
    let dir = out_dir("report");
    let out_arg = dir.to_str().unwrap();
    let args = ["report", SCENARIO, "--paths", "20", "--out", out_arg];
    let first = creditsim(&args);
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    for name in [
        "report.pdf",
        "report.html",
        "report.xlsx",
        "results.csv",
        "results.parquet",
        "reproduce.txt",
        "scenario-small.toml",
    ] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }
    let copy = std::fs::read(dir.join("scenario-small.toml")).unwrap();
    assert_eq!(copy, std::fs::read(SCENARIO).unwrap());

    let again = creditsim(&args);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("--force") && stderr.contains("report.pdf"),
        "{stderr}"
    );

    let forced = creditsim(&[&args[..], &["--force"]].concat());
    assert!(
        forced.status.success(),
        "{}",
        String::from_utf8_lossy(&forced.stderr)
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn run_with_report_prints_the_table_and_writes_the_report() {
    let dir = out_dir("run");
    let out = creditsim(&[
        "run",
        SCENARIO,
        "--paths",
        "20",
        "--report",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Gross margin"));
    assert!(dir.join("report.pdf").is_file());
    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 20 * 2);
    std::fs::remove_dir_all(&dir).unwrap();
}
