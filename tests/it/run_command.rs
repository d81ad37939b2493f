//! `creditsim run`, end to end: the table, the JSON document, and bad input.

use std::process::Command;

fn creditsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_creditsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

const SCENARIO: &str = "tests/fixtures/scenario-small.toml";

/// The metrics the issue names for `--json`.
const REQUIRED: [&str; 12] = [
    "revenue",
    "provider_cost",
    "gross_margin",
    "gross_margin_pct",
    "cash_collected",
    "exposure_peak",
    "bad_debt",
    "blocked_value",
    "breakage",
    "overage_invoiced",
    "customers_interrupted",
    "overshoot",
];

#[test]
fn json_has_every_plan_and_metric_with_its_interval() {
    let out = creditsim(&["run", SCENARIO, "--json", "--paths", "20", "--seed", "3"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["seed"], 3);
    assert_eq!(doc["paths"], 20);
    assert_eq!(doc["stopped_by"], "paths");
    for plan in ["prepaid", "postpaid"] {
        let metrics = &doc["plans"][plan]["metrics"];
        for name in REQUIRED {
            let m = &metrics[name];
            for key in ["mean", "p05", "p50", "p95", "p99"] {
                assert!(m[key].is_number(), "{plan}.{name}.{key}: {m}");
            }
            let ci = m["ci95"].as_array().expect("ci95 is a pair");
            assert!(ci[0].as_f64() <= m["mean"].as_f64() && m["mean"].as_f64() <= ci[1].as_f64());
        }
        assert!(metrics["exposure_peak"]["cvar95"].is_number());
        let p = doc["plans"][plan]["p_exhausted"]
            .as_f64()
            .expect("p_exhausted");
        assert!((0.0..=1.0).contains(&p));
    }
    // Post-pay carries exposure; prepaid packs paid up front carry none here.
    let exposure = |plan: &str| {
        doc["plans"][plan]["metrics"]["exposure_peak"]["mean"]
            .as_f64()
            .unwrap()
    };
    assert!(exposure("postpaid") > 0.0 && exposure("prepaid") == 0.0);
}

#[test]
fn the_table_names_plans_and_the_stopping_reason() {
    let out = creditsim(&["run", SCENARIO, "--paths", "10"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    for needle in [
        "prepaid",
        "postpaid",
        "Gross margin (USD)",
        "10 paths over 31 days, seed 5",
        "requested number of paths",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    // The progress bar is drawn only on a terminal; here stderr is a pipe.
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_bad_scenario_exits_2_with_one_line_per_problem() {
    let dir = std::env::temp_dir().join(format!("creditsim-run-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let bad = dir.join("bad.toml");
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO))
            .unwrap();
    std::fs::write(
        &bad,
        text.replace("horizon_days = 31", "horizon_days = -3")
            .replace("share = 1", "shares = 1"),
    )
    .unwrap();
    let out = creditsim(&["run", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    let lines: Vec<&str> = stderr.lines().collect();
    assert!(lines.len() >= 2, "{stderr}");
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with(&format!("{}:", bad.display()))),
        "{stderr}"
    );
    assert!(
        stderr.contains("horizon_days") && stderr.contains("shares"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty());
}

#[test]
fn bad_flags_and_missing_files_are_refused() {
    let out = creditsim(&["run", SCENARIO, "--precision", "-1%"]);
    assert_eq!(out.status.code(), Some(2));
    let out = creditsim(&["run", "no/such/scenario.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no such file"));
    let out = creditsim(&["run", SCENARIO, "--threads", "0"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("threads"));
}

#[test]
fn money_is_in_the_scenarios_currency_in_the_table_and_the_json() {
    let text =
        std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(SCENARIO))
            .expect("the fixture");
    let text = text.replacen("seed = 5\n", "seed = 5\ncurrency = \"EUR\"\n", 1);
    let file = std::env::temp_dir().join(format!("creditsim-cli-eur-{}.toml", std::process::id()));
    std::fs::write(&file, text).expect("a temporary scenario");
    let path = file.to_str().unwrap();

    let table = creditsim(&["run", path, "--paths", "5"]);
    let stdout = String::from_utf8_lossy(&table.stdout);
    assert!(
        table.status.success(),
        "{}",
        String::from_utf8_lossy(&table.stderr)
    );
    assert!(stdout.contains("Gross margin (EUR)"), "{stdout}");
    assert!(!stdout.contains("USD"), "{stdout}");

    let json = creditsim(&["run", path, "--paths", "5", "--json"]);
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("one JSON document");
    assert_eq!(doc["currency"], "EUR");
    let _ = std::fs::remove_file(&file);
}
