//! Sweeps: axis parsing, the grid's shape and order, the best cell per plan
//! and objective, limits, and reproducibility.

use std::sync::atomic::AtomicBool;

use rust_decimal::Decimal;
use sim::sensitivity::{Objective, Quiet, SensitivityError};
use sim::sweep::{AxisSpec, Cell, CellPlan, MAX_CELLS, Sweep, SweepOptions, best_cell, sweep};

use crate::vary::SMALL;

fn axis(text: &str) -> AxisSpec {
    text.parse().unwrap_or_else(|e| panic!("{e}"))
}

fn sweep_small(axes: &[&str], paths: usize) -> Result<Sweep, SensitivityError> {
    let options = SweepOptions {
        axes: axes.iter().map(|a| axis(a)).collect(),
        paths,
        ..SweepOptions::default()
    };
    sweep(
        SMALL,
        "small.toml",
        None,
        &options,
        &Quiet,
        &AtomicBool::new(false),
    )
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

#[test]
fn axes_parse_and_step_exactly() {
    let spec = axis("plans.prepaid.price_per_credit=0.01..0.02:0.0025");
    assert_eq!(spec.path, "plans.prepaid.price_per_credit");
    let values = spec.values(100).expect("few values");
    let expected: Vec<Decimal> = ["0.01", "0.0125", "0.015", "0.0175", "0.02"]
        .map(dec)
        .to_vec();
    assert_eq!(values, expected);
    assert_eq!(axis("a=1..1:5").values(10), Some(vec![dec("1")]));
    assert_eq!(axis("a=0..100:1").values(10), None, "past the limit");
    for bad in [
        "a=1..2", "a1..2:1", "a=1-2:1", "a=x..2:1", "a=1..2:0", "a=3..2:1", "=1..2:1",
    ] {
        assert!(bad.parse::<AxisSpec>().is_err(), "{bad} parsed");
    }
    let error = "a=1..2:-1".parse::<AxisSpec>().unwrap_err();
    assert_eq!(error, "`a=1..2:-1`: STEP must be above 0");
}

#[test]
fn a_two_axis_grid_runs_x_fastest_and_names_the_best_cells() {
    let result = sweep_small(
        &[
            "plans.prepaid.packs.starter.price=160..240:40",
            "plans.postpaid.price_per_credit=0.01..0.02:0.01",
        ],
        6,
    )
    .expect("the sweep runs");
    assert_eq!(result.plans, ["prepaid", "postpaid"]);
    assert_eq!(result.cells.len(), 6);
    for (i, cell) in result.cells.iter().enumerate() {
        assert_eq!(cell.at, [i % 3, i / 3]);
    }
    assert_eq!(
        result.setting(4),
        [
            ("plans.prepaid.packs.starter.price", dec("200")),
            ("plans.postpaid.price_per_credit", dec("0.02"))
        ]
    );
    // A dearer pack raises prepaid margin; post-paid margin follows only its
    // own price. Ties (the other plan's axis) go to the first cell.
    let prepaid = &result.best[0];
    assert_eq!(prepaid.margin, 2);
    let postpaid = &result.best[1];
    assert_eq!(postpaid.margin, 3);
    for (a, b) in [(0, 3), (1, 4), (2, 5)] {
        assert_eq!(
            result.cells[a].plans[0], result.cells[b].plans[0],
            "prepaid ignores y"
        );
    }
    for (a, b) in [(0, 1), (1, 2), (3, 4), (4, 5)] {
        assert_eq!(
            result.cells[a].plans[1], result.cells[b].plans[1],
            "postpaid ignores x"
        );
        assert!(result.cells[a].plans[0].margin_mean < result.cells[b].plans[0].margin_mean);
    }
    let grid = result
        .grid(0, Objective::MeanGrossMargin)
        .expect("two axes");
    assert_eq!(grid.x, [160.0, 200.0, 240.0]);
    assert_eq!(grid.y, [0.01, 0.02]);
    assert_eq!((grid.z.len(), grid.z[0].len()), (2, 3));
    assert_eq!(grid.z[1][2], result.cells[5].plans[0].margin_mean);
    assert_eq!(grid.best, (2, 0));
    assert_eq!(
        result
            .grid(1, Objective::MeanGrossMargin)
            .expect("grid")
            .best,
        (0, 1)
    );
}

#[test]
fn one_axis_has_a_table_but_no_heatmap() {
    let result = sweep_small(&["segments.teams.customers=4..6:1"], 2).expect("runs");
    assert_eq!(result.cells.len(), 3);
    assert_eq!(result.axes[0].values, [4, 5, 6].map(Decimal::from));
    assert_eq!(result.grid(0, Objective::P95Exposure), None);
}

#[test]
fn best_cell_takes_the_highest_margin_the_lowest_exposure_and_the_first_of_ties() {
    let cell = |margin: f64, exposure: f64| Cell {
        at: vec![],
        plans: vec![CellPlan {
            margin_mean: margin,
            margin_ci95: None,
            exposure_p95: exposure,
        }],
    };
    let cells = [
        cell(1.0, 5.0),
        cell(3.0, 2.0),
        cell(3.0, 2.0),
        cell(-1.0, 9.0),
    ];
    assert_eq!(best_cell(&cells, 0, Objective::MeanGrossMargin), 1);
    assert_eq!(best_cell(&cells, 0, Objective::P95Exposure), 1);
}

#[test]
fn limits_and_bad_axes_are_errors_that_say_so() {
    let three = [
        "segments.teams.customers=4..5:1",
        "plans.prepaid.packs.starter.price=1..2:1",
        "plans.postpaid.price_per_credit=0.01..0.02:0.01",
    ];
    let error = sweep_small(&three, 2).unwrap_err().to_string();
    assert!(
        error.starts_with("a sweep takes 1 or 2 axes (--vary), got 3"),
        "{error}"
    );
    let error = sweep_small(&["plans.prepaid.packs.starter.price=1..1000:1"], 2)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains(&format!("more than {MAX_CELLS} values (MAX_CELLS)")),
        "{error}"
    );
    let error = sweep_small(
        &[
            "segments.teams.customers=1..20:1",
            "plans.prepaid.packs.starter.price=1..30:1",
        ],
        2,
    )
    .unwrap_err()
    .to_string();
    assert!(
        error.contains("20 x 30 = 600 cells, over the limit of 400 (MAX_CELLS)"),
        "{error}"
    );
    let error = sweep_small(&["seed=1..3:1"], 2).unwrap_err().to_string();
    assert!(
        error.starts_with("`seed` is a run setting, not an input"),
        "{error}"
    );
    let error = sweep_small(&["segments.teams.customers=4..5:0.5"], 2)
        .unwrap_err()
        .to_string();
    assert!(error.contains("is an integer field"), "{error}");
    let error = sweep_small(&["plans.prepaid.packs.starter.prise=1..2:1"], 2)
        .unwrap_err()
        .to_string();
    assert!(
        error.contains("did you mean `plans.prepaid.packs.starter.price`?"),
        "{error}"
    );
    let error = sweep_small(&["segments.teams.tasks.cache_hit_share=0.5..1.5:0.5"], 2)
        .unwrap_err()
        .to_string();
    assert!(error.starts_with("segments.teams.tasks.cache_hit_share = 1.5: the scenario checks refuse it: segments[0].tasks.cache_hit_share"), "{error}");
}

#[test]
fn the_same_seed_gives_the_same_document() {
    let axes = ["plans.prepaid.packs.starter.price=150..250:50"];
    let first = sweep_small(&axes, 3).expect("runs").to_json();
    assert_eq!(first, sweep_small(&axes, 3).expect("runs").to_json());
    assert_eq!(first["cells"].as_array().map(Vec::len), Some(3));
    assert_eq!(first["best_cell"]["prepaid"]["gross_margin_mean"], 2);
}
