//! Sensitivity studies and sweeps as the report shows them: a real study of
//! the small scenario turned into tornadoes, the report section and chart
//! files; a real two-axis sweep into heatmaps.

use std::sync::atomic::AtomicBool;

use report::charts::Figure;
use report::study::{self, TOP_INPUTS};
use sim::sensitivity::{Quiet, SensitivityOptions};
use sim::sweep::{AxisSpec, SweepOptions};

use crate::SCENARIO;

const PRICE: &str = "plans.prepaid.packs.starter.price";
const RATE: &str = "plans.postpaid.price_per_credit";

fn study(params: &[&str]) -> sim::sensitivity::Sensitivity {
    let options = SensitivityOptions {
        swing: 0.1,
        params: params.iter().map(|p| p.to_string()).collect(),
        paths: 6,
        seed: Some(11),
        threads: Some(1),
        samples: 0,
    };
    sim::sensitivity::analyse(
        SCENARIO,
        "scenario-small.toml",
        None,
        &options,
        &Quiet,
        &AtomicBool::new(false),
    )
    .expect("the study runs")
}

#[test]
fn a_study_becomes_one_tornado_per_plan_and_outcome_with_its_table() {
    let s = study(&[PRICE, RATE]);
    let tornadoes = study::tornadoes(&s);
    assert_eq!(tornadoes.len(), 4, "two plans, two outcomes");
    assert_eq!(tornadoes[0].title, "Mean gross margin: prepaid plan");
    assert_eq!(tornadoes[0].unit, s.currency);
    for (t, source) in tornadoes.iter().zip(&s.tornadoes) {
        assert_eq!(t.base, source.base);
        assert_eq!(t.bars.len(), 2);
        for (bar, b) in t.bars.iter().zip(&source.bars) {
            assert_eq!(bar.label, b.input);
            assert_eq!((bar.at_low, bar.at_high), (b.output_low, b.output_high));
        }
    }

    let section = study::section(&s);
    assert!(
        section
            .note
            .starts_with("Each of 2 inputs was swung ±10% one at a time"),
        "{}",
        section.note
    );
    assert!(section.note.contains("6 paths per run and seed 11"));
    assert!(
        section
            .note
            .contains("show every input, largest swing first")
    );
    assert_eq!(section.rows.len(), 4 * 2);
    assert!(
        section
            .rows
            .iter()
            .all(|r| r.len() == section.columns.len())
    );
    // The pack price cannot move the post-paid plan: a swing of exactly 0.
    let postpaid_price = section
        .rows
        .iter()
        .find(|r| r[0] == "postpaid" && r[2] == PRICE && r[1].starts_with("mean gross margin"))
        .expect("a row for the pack price under postpaid");
    assert_eq!(postpaid_price[6], "0.00");
    assert_eq!(postpaid_price[7], "0.00 to 0.00");
}

#[test]
fn a_tornado_keeps_the_largest_swings_only() {
    let s = study(&[]);
    assert!(s.inputs.len() > TOP_INPUTS, "the fixture has many inputs");
    for t in study::tornadoes(&s) {
        assert_eq!(t.bars.len(), TOP_INPUTS);
    }
    let section = study::section(&s);
    assert_eq!(section.rows.len(), s.tornadoes.len() * TOP_INPUTS);
    assert!(section.note.contains(&format!("the {TOP_INPUTS} inputs")));
}

#[test]
fn study_charts_are_written_once_and_kept_without_force() {
    let s = study(&[PRICE]);
    let tornadoes = study::tornadoes(&s);
    let figures: Vec<Figure<'_>> = tornadoes.iter().map(Figure::Tornado).collect();
    let dir = std::env::temp_dir().join(format!("creditsim-study-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let written = study::write_charts(&dir, "tornado", &figures, false).unwrap();
    assert_eq!(written.len(), 8);
    assert_eq!(written[0], "tornado-1.svg");
    let before = std::fs::read(dir.join("tornado-1.png")).unwrap();
    let error = study::write_charts(&dir, "tornado", &figures, false).unwrap_err();
    assert!(error.to_string().contains("--force"), "{error}");
    assert!(study::check_free(&dir, "heatmap", false).is_ok());
    assert_eq!(std::fs::read(dir.join("tornado-1.png")).unwrap(), before);
    study::write_charts(&dir, "tornado", &figures, true).unwrap();
    let leftovers: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_two_axis_sweep_becomes_heatmaps_and_a_one_axis_sweep_none() {
    let axes = |specs: &[&str]| -> Vec<AxisSpec> {
        specs.iter().map(|s| s.parse().expect("an axis")).collect()
    };
    let options = |specs: &[&str]| SweepOptions {
        axes: axes(specs),
        paths: 4,
        seed: Some(3),
        threads: Some(1),
    };
    let run = |specs: &[&str]| {
        sim::sweep::sweep(
            SCENARIO,
            "scenario-small.toml",
            None,
            &options(specs),
            &Quiet,
            &AtomicBool::new(false),
        )
        .expect("the sweep runs")
    };
    let two = run(&[
        "plans.prepaid.packs.starter.price=100..300:100",
        "plans.postpaid.price_per_credit=0.01..0.02:0.01",
    ]);
    let heatmaps = study::heatmaps(&two);
    assert_eq!(heatmaps.len(), 4);
    let h = &heatmaps[0];
    assert_eq!(h.title, "Mean gross margin: prepaid plan");
    assert_eq!((h.x.len(), h.y.len()), (3, 2));
    assert_eq!(h.x, vec![100.0, 200.0, 300.0]);
    assert_eq!(h.unit, two.currency);
    assert_eq!(h.z[1][2], two.cells[5].plans[0].margin_mean);
    let one = run(&["plans.prepaid.packs.starter.price=100..300:100"]);
    assert!(study::heatmaps(&one).is_empty());
}
