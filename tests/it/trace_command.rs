//! `creditsim trace fit` and `creditsim backtest`, end to end. The trace
//! fixture `tests/fixtures/azure-code-first200.csv` is the header and first
//! 200 rows of `data/traces/AzureLLMInferenceTrace_code.csv` (Azure LLM
//! inference trace 2023, CC-BY 4.0), bytes unchanged.

use std::process::{Command, Output};

fn creditsim(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_creditsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

const TRACE: &str = "tests/fixtures/azure-code-first200.csv";
const SCENARIO: &str = "tests/fixtures/scenario-small.toml";

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

#[test]
fn fit_prints_a_report_and_writes_a_segment() {
    let dir = std::env::temp_dir().join(format!("creditsim-fit-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let segment = dir.join("segment.toml");
    let out = creditsim(&[
        "trace",
        "fit",
        TRACE,
        "--segment-out",
        segment.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let report = String::from_utf8_lossy(&out.stdout);
    for expected in [
        "200 rows",
        "lognormal (MLE)",
        "Kolmogorov-Smirnov",
        "inter-arrival CV",
        "Spearman",
    ] {
        assert!(
            report.contains(expected),
            "{expected} missing from:\n{report}"
        );
    }
    let text = std::fs::read_to_string(&segment).expect("the segment was written");
    assert!(text.contains("[[segments]]") && text.contains("dist = \"lognormal\""));
    // Only the segment is left: the temporary file was renamed over it.
    let files: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert_eq!(files.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn fit_json_has_the_fitted_figures() {
    let out = creditsim(&["trace", "fit", TRACE, "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["rows"], 200);
    let sigma = doc["input"]["lognormal"]["sigma"].as_f64().expect("sigma");
    let ci = doc["input"]["lognormal"]["sigma_ci95"]
        .as_array()
        .expect("an interval");
    assert!(ci[0].as_f64().unwrap() < sigma && sigma < ci[1].as_f64().unwrap());
    assert!(doc["arrivals"]["per_minute"].as_f64().unwrap() > 0.0);
}

#[test]
fn malformed_rows_exit_2_with_their_lines() {
    let dir = std::env::temp_dir().join(format!("creditsim-bad-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a temp dir");
    let bad = dir.join("bad.csv");
    std::fs::write(
        &bad,
        "TIMESTAMP,ContextTokens,GeneratedTokens\n2023-11-16 18:17:03.9799600,4808,10\n2023-11-16 18:17:04.0319600,3180,eight\n",
    )
    .unwrap();
    let out = creditsim(&["trace", "fit", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(
        err.contains("bad.csv: line 3: `GeneratedTokens`: `eight` is not a token count"),
        "{err}"
    );
    let out = creditsim(&["backtest", bad.to_str().unwrap(), "--scenario", SCENARIO]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("line 3"), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_bad_column_mapping_exits_2() {
    let out = creditsim(&[
        "trace",
        "fit",
        TRACE,
        "--columns",
        "timestamp=TIMESTAMP,inputs=x",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("unknown role `inputs`"),
        "{}",
        stderr(&out)
    );
    let out = creditsim(&[
        "trace",
        "fit",
        TRACE,
        "--columns",
        "timestamp=TIMESTAMP,input=Context,output=GeneratedTokens",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("input=Context: no column `Context`"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn backtest_json_has_every_plan_with_its_daily_exposure() {
    let out = creditsim(&[
        "backtest",
        TRACE,
        "--scenario",
        SCENARIO,
        "--customers",
        "4",
        "--json",
    ]);
    assert!(out.status.success(), "{}", stderr(&out));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["rows"], 200);
    assert_eq!(doc["customers"], 4);
    assert_eq!(doc["days"], 1);
    for plan in ["prepaid", "postpaid"] {
        let p = &doc["plans"][plan];
        assert_eq!(
            p["metrics"]["calls_served"].as_f64().unwrap()
                + p["metrics"]["blocked_events"].as_f64().unwrap(),
            200.0
        );
        assert_eq!(
            p["daily"]["exposure"].as_array().expect("a series").len(),
            1
        );
        assert!(p["exact"]["revenue"].is_string());
    }
}

#[test]
fn backtest_table_and_option_errors() {
    let out = creditsim(&["backtest", TRACE, "--scenario", SCENARIO]);
    assert!(out.status.success(), "{}", stderr(&out));
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(table.contains("Revenue recognised") && table.contains("day: exposure"));
    let out = creditsim(&[
        "backtest",
        TRACE,
        "--scenario",
        SCENARIO,
        "--customers-from",
        "tenant",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("no column `tenant`"),
        "{}",
        stderr(&out)
    );
}

/// `sha256sum tests/fixtures/azure-code-first200.csv` (the fixture's bytes
/// never change).
const TRACE_SHA256: &str = "754c69af07b6a574a9da34cace1860a43d077ae7bb96381290d7efc19826621f";

#[test]
fn backtest_report_writes_the_files_and_keeps_them_without_force() {
    let dir =
        std::env::temp_dir().join(format!("creditsim-backtest-report-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let args = [
        "backtest",
        TRACE,
        "--scenario",
        SCENARIO,
        "--customers",
        "4",
        "--report",
        dir.to_str().unwrap(),
    ];
    let out = creditsim(&args);
    assert!(out.status.success(), "{}", stderr(&out));
    // The table is printed as without --report.
    assert!(String::from_utf8_lossy(&out.stdout).contains("Revenue recognised"));
    assert!(stderr(&out).contains("wrote 14 files"), "{}", stderr(&out));
    for name in [
        "report.pdf",
        "report.html",
        "report.xlsx",
        "results.csv",
        "results.parquet",
        "summary.csv",
        "reproduce.txt",
        "chart-backtest_exposure.png",
        "scenario-small.toml",
    ] {
        assert!(dir.join(name).is_file(), "{name} missing");
    }
    assert_eq!(
        std::fs::read(dir.join("scenario-small.toml")).unwrap(),
        std::fs::read(SCENARIO).unwrap()
    );
    // One day, two plans.
    let csv = std::fs::read_to_string(dir.join("results.csv")).unwrap();
    assert_eq!(csv.lines().count(), 1 + 2);
    let reproduce = std::fs::read_to_string(dir.join("reproduce.txt")).unwrap();
    assert!(
        reproduce.contains(&format!("trace sha256: {TRACE_SHA256}"))
            && reproduce.contains(&format!(
                "creditsim backtest {TRACE} --scenario scenario-small.toml --customers 4 --report DIR"
            )),
        "{reproduce}"
    );

    let again = creditsim(&args);
    assert_eq!(again.status.code(), Some(2));
    assert!(
        stderr(&again).contains("--force") && stderr(&again).contains("report.pdf"),
        "{}",
        stderr(&again)
    );
    // Refused before the replay: nothing was printed.
    assert!(again.stdout.is_empty());
    let forced = creditsim(&[&args[..], &["--force", "--json"]].concat());
    assert!(forced.status.success(), "{}", stderr(&forced));
    let doc: serde_json::Value = serde_json::from_slice(&forced.stdout).expect("one JSON document");
    assert_eq!(doc["rows"], 200);
    std::fs::remove_dir_all(&dir).unwrap();
}
