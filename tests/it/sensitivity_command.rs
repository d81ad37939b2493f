//! `creditsim sensitivity` and `creditsim sweep`, end to end: the JSON
//! documents, the tables, and bad arguments.

use std::process::Command;

fn creditsim(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_creditsim"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("the binary runs")
}

const SCENARIO: &str = "tests/fixtures/scenario-small.toml";
const PRICE: &str = "plans.prepaid.packs.starter.price";

fn json(out: &std::process::Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("one JSON document")
}

#[test]
fn sensitivity_json_ranks_the_named_input_for_every_plan() {
    let args = [
        "sensitivity",
        SCENARIO,
        "--param",
        PRICE,
        "--swing",
        "10%",
        "--paths",
        "8",
        "--samples",
        "4",
        "--json",
    ];
    let doc = json(&creditsim(&args));
    assert_eq!(doc["runs"], 1 + 2 + 4);
    assert_eq!(doc["swing"], 0.1);
    assert_eq!(doc["inputs"][0]["low"], 180.0);
    assert_eq!(doc["inputs"][0]["high"], 220.0);
    let bar = &doc["plans"]["prepaid"]["gross_margin_mean"]["bars"][0];
    assert_eq!(bar["input"], PRICE);
    assert!(bar["swing"].as_f64().expect("a number") > 0.0, "{bar}");
    assert_eq!(
        doc["plans"]["postpaid"]["gross_margin_mean"]["bars"][0]["swing"],
        0.0
    );
    assert_eq!(doc["global"]["samples_used"], 4);
    assert_eq!(
        doc["global"]["plans"]["prepaid"]["gross_margin_mean"][0]["spearman"],
        1.0
    );
    // Same seed, same document.
    assert_eq!(doc, json(&creditsim(&args)));
}

#[test]
fn sensitivity_table_names_inputs_runs_and_skipped_fields() {
    let out = creditsim(&["sensitivity", SCENARIO, "--paths", "2", "--samples", "0"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("prepaid: mean gross margin"), "{text}");
    assert!(text.contains("postpaid: P95 peak exposure"), "{text}");
    assert!(text.contains(PRICE), "{text}");
    assert!(text.contains("Not swung:"), "{text}");
    assert!(
        text.contains("  horizon_days: changes the horizon"),
        "{text}"
    );
    assert!(text.contains("runs of 2 paths in"), "{text}");
}

#[test]
fn list_shows_the_inputs_and_the_cost_without_running() {
    let out = creditsim(&["sensitivity", SCENARIO, "--list", "--samples", "10"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("│ plans.prepaid.packs.starter.price "),
        "{text}"
    );
    assert!(
        text.contains("  segments.teams.model_mix.m.share: refused: "),
        "{text}"
    );
    // 19 inputs in the fixture: 1 + 2 x 19 + 10 runs.
    assert!(
        text.contains("19 inputs: 49 runs of 200 paths (39 one at a time, 10 samples)."),
        "{text}"
    );
}

#[test]
fn an_unknown_parameter_is_bad_input_with_a_suggestion() {
    let out = creditsim(&[
        "sensitivity",
        SCENARIO,
        "--param",
        "plans.prepaid.packs.starter.prise",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim(),
        "tests/fixtures/scenario-small.toml: no number at `plans.prepaid.packs.starter.prise` in the scenario (did you mean `plans.prepaid.packs.starter.price`?)"
    );
    let out = creditsim(&["sensitivity", SCENARIO, "--swing", "-5%"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn sweep_json_has_the_grid_and_the_best_cells() {
    let args = [
        "sweep",
        SCENARIO,
        "--vary",
        "plans.prepaid.packs.starter.price=100..300:100",
        "--vary",
        "plans.postpaid.price_per_credit=0.01..0.02:0.01",
        "--paths",
        "4",
        "--json",
    ];
    let doc = json(&creditsim(&args));
    assert_eq!(doc["cells"].as_array().map(Vec::len), Some(6));
    assert_eq!(
        doc["axes"][0]["values"],
        serde_json::json!([100.0, 200.0, 300.0])
    );
    assert_eq!(doc["cells"][4]["at"], serde_json::json!([1, 1]));
    assert_eq!(doc["best_cell"]["prepaid"]["gross_margin_mean"], 2);
    assert_eq!(doc["best_cell"]["postpaid"]["gross_margin_mean"], 3);
}

#[test]
fn sweep_table_marks_and_names_the_best_cells() {
    let out = creditsim(&[
        "sweep",
        SCENARIO,
        "--vary",
        "plans.prepaid.packs.starter.price=100..300:100",
        "--paths",
        "2",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("  prepaid: highest mean margin at plans.prepaid.packs.starter.price = 300;"),
        "{text}"
    );
    // The pack is not part of the post-paid plan: its cells all tie.
    assert!(
        text.contains("  postpaid: highest mean margin: every cell ties;"),
        "{text}"
    );
    assert!(text.contains("3 runs of 2 paths in"), "{text}");
}

#[test]
fn sweep_refuses_three_axes_and_malformed_ones() {
    let out = creditsim(&[
        "sweep",
        SCENARIO,
        "--vary",
        "segments.teams.customers=4..5:1",
        "--vary",
        "plans.prepaid.packs.starter.price=1..2:1",
        "--vary",
        "plans.postpaid.price_per_credit=0.01..0.02:0.01",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("a sweep takes 1 or 2 axes"));
    let out = creditsim(&[
        "sweep",
        SCENARIO,
        "--vary",
        "plans.prepaid.packs.starter.price=1..2",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected PATH=FROM..TO:STEP"));
}

/// A scenario that prices its models from the catalogue: every variant is
/// loaded against the catalogue the scenario names, relative to its file.
#[test]
fn variants_of_a_catalogue_scenario_load_against_its_catalogue() {
    let out = creditsim(&[
        "sensitivity",
        "scenarios/price-cut-80.toml",
        "--list",
        "--param",
        "plans.prepaid-block.packs.starter.price",
        "--samples",
        "0",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("│ plans.prepaid-block.packs.starter.price "),
        "{text}"
    );
}

fn out_dir(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("creditsim-cli-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

fn files(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn sensitivity_writes_one_tornado_per_plan_and_outcome_and_keeps_them_without_force() {
    let dir = out_dir("tornado");
    let args = [
        "sensitivity",
        SCENARIO,
        "--param",
        PRICE,
        "--param",
        "plans.postpaid.price_per_credit",
        "--paths",
        "4",
        "--samples",
        "0",
        "--charts",
        dir.to_str().unwrap(),
    ];
    let out = creditsim(&args);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Two plans, two outcomes each.
    let expected: Vec<String> = (1..=4)
        .flat_map(|n| [format!("tornado-{n}.png"), format!("tornado-{n}.svg")])
        .collect();
    let mut expected = expected;
    expected.sort();
    assert_eq!(files(&dir), expected);
    let svg = std::fs::read_to_string(dir.join("tornado-1.svg")).unwrap();
    assert!(svg.starts_with("<svg"), "{}", &svg[..80.min(svg.len())]);
    assert!(svg.contains(PRICE), "the tornado names the input");
    let png = std::fs::read(dir.join("tornado-1.png")).unwrap();
    assert_eq!(&png[..4], b"\x89PNG");

    // Refused before anything runs: no table on stdout, the files kept.
    let again = creditsim(&args);
    assert_eq!(again.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&again.stderr);
    assert!(
        stderr.contains("--force") && stderr.contains("tornado-1.png"),
        "{stderr}"
    );
    assert!(again.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.join("tornado-1.svg")).unwrap(),
        svg
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
fn a_two_axis_sweep_writes_heatmaps_and_a_one_axis_sweep_refuses_charts() {
    let dir = out_dir("heatmap");
    let out = creditsim(&[
        "sweep",
        SCENARIO,
        "--vary",
        "plans.prepaid.packs.starter.price=100..300:100",
        "--vary",
        "plans.postpaid.price_per_credit=0.01..0.02:0.01",
        "--paths",
        "4",
        "--charts",
        dir.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("Best cells"));
    assert_eq!(files(&dir).len(), 8, "{:?}", files(&dir));
    let svg = std::fs::read_to_string(dir.join("heatmap-1.svg")).unwrap();
    assert!(svg.contains("plans.prepaid.packs.starter.price"));

    let one = out_dir("heatmap-one");
    let out = creditsim(&[
        "sweep",
        SCENARIO,
        "--vary",
        "plans.prepaid.packs.starter.price=100..300:100",
        "--charts",
        one.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("a heatmap needs two --vary axes, got 1")
    );
    assert!(!one.exists(), "nothing is written");
    std::fs::remove_dir_all(&dir).unwrap();
}
