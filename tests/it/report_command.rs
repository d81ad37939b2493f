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

#[test]
fn report_with_sensitivity_adds_the_study_section_and_its_tornadoes() {
    let dir = out_dir("sensitivity");
    let out = creditsim(&[
        "report",
        SCENARIO,
        "--paths",
        "10",
        "--out",
        dir.to_str().unwrap(),
        "--sensitivity",
        "--param",
        "plans.prepaid.packs.starter.price",
        "--swing",
        "10%",
        "--sensitivity-paths",
        "4",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let html = std::fs::read_to_string(dir.join("report.html")).unwrap();
    assert!(html.contains("Sensitivity"), "the section is there");
    assert!(
        html.contains("swung ±10% one at a time"),
        "the note says how the study ran"
    );
    assert!(html.contains("plans.prepaid.packs.starter.price"));
    // Two plans, two outcomes: four tornadoes.
    for name in [
        "chart-tornado.svg",
        "chart-tornado-2.svg",
        "chart-tornado-3.svg",
        "chart-tornado-4.png",
    ] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn report_and_run_refuse_an_existing_report_before_running() {
    let dir = out_dir("refuse-early");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("report.pdf"), b"keep me").unwrap();
    for args in [
        vec!["report", SCENARIO, "--out", dir.to_str().unwrap()],
        vec!["run", SCENARIO, "--report", dir.to_str().unwrap()],
    ] {
        let out = creditsim(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "refused before the run: {args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    }
    assert_eq!(std::fs::read(dir.join("report.pdf")).unwrap(), b"keep me");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_sensitivity_parameter_is_refused_before_the_run() {
    let dir = out_dir("bad-param");
    // A million paths would take a quarter of an hour: refused after the
    // run, this test would hang instead of passing.
    let out = creditsim(&[
        "report",
        SCENARIO,
        "--paths",
        "1000000",
        "--out",
        dir.to_str().unwrap(),
        "--sensitivity",
        "--param",
        "plans.prepaid.packs.starter.prise",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("did you mean `plans.prepaid.packs.starter.price`"),
        "{stderr}"
    );
    assert!(!dir.exists(), "nothing is written");
}
