//! `creditsim prices import` and `prices list`, end to end, and `run` on a
//! scenario that prices its models from the catalogue.

use std::path::PathBuf;
use std::process::Command;

fn creditsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_creditsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("CREDITSIM_CATALOGUE")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// A fresh folder under the target directory for files a test writes.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn import_writes_the_shipped_catalogue_and_names_what_is_ignored() {
    let dir = scratch("prices-import");
    let target = dir.join("catalogue.json");
    let out = creditsim(&[
        "prices",
        "import",
        "data/genai-prices/data.json",
        "--catalogue",
        target.to_str().unwrap(),
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let summary = text(&out.stdout);
    assert!(
        summary.contains("imported 36 providers, 1466 models"),
        "{summary}"
    );
    assert!(
        summary.contains("prices with shapes the simulator ignores")
            && summary.contains("requests_kcount (4)")
            && summary.contains("time-of-day prices (6)"),
        "{summary}"
    );
    assert!(summary.contains("0 unknown fields"), "{summary}");
    let written = std::fs::read_to_string(&target).unwrap();
    let shipped = std::fs::read_to_string("data/catalogue.json").unwrap();
    assert!(
        written == shipped,
        "the import differs from data/catalogue.json"
    );
    // No temporary file is left beside it.
    let names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["catalogue.json"]);
}

#[test]
fn import_of_a_bad_file_names_the_place() {
    let dir = scratch("prices-import-bad");
    let source = dir.join("data.json");
    std::fs::write(&source, "{\"providers\": [}").unwrap();
    let out = creditsim(&[
        "prices",
        "import",
        source.to_str().unwrap(),
        "--catalogue",
        dir.join("catalogue.json").to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(err.contains("data.json: 1:"), "{err}");
    assert!(!dir.join("catalogue.json").exists());
}

#[test]
fn list_shows_current_prices_tiers_and_dated_changes() {
    let out = creditsim(&[
        "prices",
        "list",
        "--provider",
        "openai",
        "--model",
        "gpt-5.6-luna",
        "--date",
        "2026-07-01",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let table = text(&out.stdout);
    assert!(
        table.contains("1 models from data/catalogue.json"),
        "{table}"
    );
    assert!(table.contains("prices in force on 2026-07-01"), "{table}");
    let row = table
        .lines()
        .find(|l| l.contains("openai/gpt-5.6-luna"))
        .expect("the model's row");
    let cells: Vec<&str> = row
        .split('┆')
        .map(|c| c.trim_matches(|c: char| c == '│' || c.is_whitespace()))
        .collect();
    assert_eq!(
        &cells[..5],
        ["openai/gpt-5.6-luna", "1", "6", "0.1", "1.25"],
        "{row}"
    );
    assert!(row.contains("above 272000: 2 / 9 / 0.2 / 2.5"), "{row}");
    assert!(
        table.contains("from 2026-07-30: 0.2 / 1.2 / 0.02 / 0.25, tiered"),
        "{table}"
    );
    // After the cut, the cut prices are in force.
    let out = creditsim(&[
        "prices",
        "list",
        "--provider",
        "openai",
        "--model",
        "gpt-5.6-luna",
        "--date",
        "2026-08-01",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let model = &doc["models"][0];
    assert_eq!(model["id"], "openai/gpt-5.6-luna");
    assert_eq!(model["current"]["from"], "2026-07-30");
    assert_eq!(model["current"]["input"]["base"], "0.2");
    assert_eq!(model["prices"].as_array().unwrap().len(), 2);
}

#[test]
fn list_reads_the_catalogue_named_by_the_environment() {
    let out = Command::new(env!("CARGO_BIN_EXE_creditsim"))
        .args(["prices", "list", "--provider", "openai"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("CREDITSIM_CATALOGUE", "no/such/catalogue.json")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.starts_with("no/such/catalogue.json: cannot read the file"),
        "{err}"
    );
    assert!(err.contains("creditsim prices import"), "{err}");
}

#[test]
fn list_with_no_match_says_what_the_filters_take() {
    let out = creditsim(&["prices", "list", "--provider", "nobody"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert!(
        err.contains("no model matches") && err.contains("anthropic"),
        "{err}"
    );
}

#[test]
fn run_reads_the_catalogue_the_scenario_names() {
    let out = creditsim(&[
        "run",
        "scenarios/price-cut-80.toml",
        "--paths",
        "1",
        "--json",
    ]);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).expect("one JSON document");
    assert_eq!(doc["paths"], 1);
}
