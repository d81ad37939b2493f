//! Sensitivity analysis: swings with a known direction, exact zeros under
//! common random numbers, the default inputs, rank correlations on
//! hand-computed values, the Latin hypercube, and reproducibility.

use std::sync::atomic::AtomicBool;

use sim::sensitivity::{
    Objective, Quiet, Sensitivity, SensitivityError, SensitivityOptions, analyse, fisher_ci95,
    latin_hypercube, ranks, spearman,
};

use crate::vary::SMALL;

const PRICE: &str = "plans.prepaid.packs.starter.price";

fn analyse_small(options: &SensitivityOptions) -> Result<Sensitivity, SensitivityError> {
    analyse(
        SMALL,
        "small.toml",
        None,
        options,
        &Quiet,
        &AtomicBool::new(false),
    )
}

fn price_only(samples: usize) -> SensitivityOptions {
    SensitivityOptions {
        params: vec![PRICE.to_owned()],
        paths: 10,
        samples,
        ..SensitivityOptions::default()
    }
}

#[test]
fn a_dearer_pack_raises_prepaid_margin_and_leaves_postpaid_exactly_alone() {
    let analysis = analyse_small(&price_only(0)).expect("the analysis runs");
    assert_eq!(analysis.runs, 3);
    assert_eq!(analysis.seed, 5, "the scenario's seed");
    let input = &analysis.inputs[0];
    assert_eq!(
        (input.low.value, input.high.value),
        (160.into(), 240.into())
    );
    let tornado = |plan: &str, objective| {
        analysis
            .tornadoes
            .iter()
            .find(|t| t.plan == plan && t.objective == objective)
            .expect("a tornado per plan and objective")
    };
    let prepaid = &tornado("prepaid", Objective::MeanGrossMargin).bars[0];
    assert_eq!((prepaid.input_low, prepaid.input_high), (160.0, 240.0));
    assert!(prepaid.output_high > prepaid.output_low, "{prepaid:?}");
    let (lo, hi) = prepaid
        .swing_ci95
        .expect("10 paired paths give an interval");
    assert!(
        lo > 0.0 && lo <= prepaid.swing && prepaid.swing <= hi,
        "{prepaid:?}"
    );
    // Post-paid customers never see the pack: same demand, same numbers.
    for objective in Objective::ALL {
        let bar = &tornado("postpaid", objective).bars[0];
        assert_eq!(bar.output_low, bar.output_high, "{bar:?}");
        assert_eq!(bar.swing, 0.0);
    }
    let postpaid = &tornado("postpaid", Objective::MeanGrossMargin);
    assert_eq!(postpaid.bars[0].swing_ci95, Some((0.0, 0.0)));
    assert_eq!(postpaid.bars[0].output_low, postpaid.base);
}

#[test]
fn default_inputs_leave_out_run_settings_and_say_why() {
    let options = SensitivityOptions {
        paths: 2,
        samples: 0,
        ..SensitivityOptions::default()
    };
    let analysis = analyse_small(&options).expect("the analysis runs");
    let paths: Vec<&str> = analysis.inputs.iter().map(|i| i.path.as_str()).collect();
    for expected in [
        PRICE,
        "segments.teams.customers",
        "models.m.price_per_mtok.input",
    ] {
        assert!(paths.contains(&expected), "{expected} in {paths:?}");
    }
    assert_eq!(analysis.runs, 1 + 2 * analysis.inputs.len());
    let skipped = |path: &str| {
        analysis
            .skipped
            .iter()
            .find(|s| s.path == path)
            .unwrap_or_else(|| panic!("{path} is not skipped: {:?}", analysis.skipped))
    };
    for path in ["version", "seed", "paths", "horizon_days"] {
        assert!(!paths.contains(&path));
        skipped(path);
    }
    // The only model's share must stay 1: its low end is refused.
    assert!(
        skipped("segments.teams.model_mix.m.share")
            .reason
            .starts_with("refused: the checks reject the low end (0.8): segments[0].model_mix: ")
    );
    // 5 customers swung 20% are 4 and 6: whole already, no note.
    let customers = analysis
        .inputs
        .iter()
        .find(|i| i.path == "segments.teams.customers")
        .unwrap();
    assert_eq!(
        (customers.low.value, customers.high.value),
        (4.into(), 6.into())
    );
    // A share of 0.5 swung is 0.4 and 0.6, inside [0, 1].
    let cache = analysis
        .inputs
        .iter()
        .find(|i| i.path == "segments.teams.tasks.cache_hit_share")
        .unwrap();
    assert_eq!(cache.high.note, None);
}

#[test]
fn a_named_input_the_checks_refuse_is_an_error_naming_it() {
    let options = SensitivityOptions {
        params: vec!["segments.teams.model_mix.0.share".to_owned()],
        paths: 2,
        samples: 0,
        ..SensitivityOptions::default()
    };
    let error = analyse_small(&options).unwrap_err();
    let text = error.to_string();
    assert!(
        text.starts_with("segments.teams.model_mix.m.share = 0.8 (the low end of a ±20% swing): the scenario checks refuse it: segments[0].model_mix"),
        "{text}"
    );
    let options = SensitivityOptions {
        params: vec!["plans.prepaid.packs.starter.prize".to_owned()],
        ..options
    };
    let error = analyse_small(&options).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("did you mean `plans.prepaid.packs.starter.price`?"),
        "{error}"
    );
    let options = SensitivityOptions {
        swing: 1.5,
        ..price_only(0)
    };
    assert!(matches!(
        analyse_small(&options),
        Err(SensitivityError::Options(_))
    ));
}

#[test]
fn margin_ranks_perfectly_with_the_only_input_that_moves_it() {
    let analysis = analyse_small(&price_only(8)).expect("the analysis runs");
    let global = analysis.global.as_ref().expect("samples were asked for");
    assert_eq!(analysis.runs, 3 + 8);
    assert_eq!(global.values.len(), 8);
    for value in global.values.iter().map(|v| v[0]) {
        assert!((160.0..=240.0).contains(&value), "{value}");
    }
    let ranking = |plan: &str, objective| {
        global
            .rankings
            .iter()
            .find(|r| r.plan == plan && r.objective == objective)
            .expect("a ranking per plan and objective")
    };
    let prepaid = &ranking("prepaid", Objective::MeanGrossMargin).correlations[0];
    assert_eq!(prepaid.rho, Some(1.0));
    assert!(prepaid.significant());
    // Post-paid margin does not move at all: no correlation to speak of.
    let postpaid = &ranking("postpaid", Objective::MeanGrossMargin).correlations[0];
    assert_eq!(postpaid.rho, None);
    assert!(!postpaid.significant());
}

#[test]
fn the_same_seed_gives_the_same_document() {
    let options = SensitivityOptions {
        params: vec![
            PRICE.to_owned(),
            "segments.teams.tasks.per_agent_per_day".to_owned(),
        ],
        paths: 4,
        samples: 5,
        ..SensitivityOptions::default()
    };
    let first = analyse_small(&options).expect("runs").to_json();
    let again = analyse_small(&options).expect("runs").to_json();
    assert_eq!(first, again);
    let other = SensitivityOptions {
        seed: Some(6),
        ..options
    };
    let other = analyse_small(&other).expect("runs").to_json();
    assert_ne!(
        first["plans"], other["plans"],
        "a different seed draws different demand"
    );
}

#[test]
fn spearman_matches_a_hand_computation() {
    // Ranks of y: 1, 2, 3.5, 5, 3.5 (a tie). Deviations from the mean rank 3:
    // x -2 -1 0 1 2, y -2 -1 0.5 2 0.5: sum of products 8, sums of squares
    // 10 and 9.5, so rho = 8 / sqrt(95).
    let x = [1.0, 2.0, 3.0, 4.0, 5.0];
    let y = [5.0, 6.0, 7.0, 8.0, 7.0];
    assert_eq!(ranks(&y), vec![1.0, 2.0, 3.5, 5.0, 3.5]);
    let rho = spearman(&x, &y).expect("defined");
    assert!((rho - 8.0 / 95f64.sqrt()).abs() < 1e-12, "{rho}");
    assert!((rho - 0.820_782_681_668_123_3).abs() < 1e-12);
    // Any strictly increasing transform ranks the same; reversed is -1.
    let cubes: Vec<f64> = x.iter().map(|v| v * v * v).collect();
    assert_eq!(spearman(&x, &cubes), Some(1.0));
    let reversed: Vec<f64> = x.iter().map(|v| -v).collect();
    assert_eq!(spearman(&x, &reversed), Some(-1.0));
    assert_eq!(spearman(&x, &[2.0; 5]), None);
    assert_eq!(spearman(&x, &y[..4]), None);
}

#[test]
fn fisher_interval_matches_a_hand_computation() {
    // tanh(atanh(0.5) -/+ 1.96 / sqrt(25)), computed separately.
    let (lo, hi) = fisher_ci95(0.5, 28).expect("defined");
    assert!((lo - 0.156_028_362_529_085_95).abs() < 1e-12, "{lo}");
    assert!((hi - 0.735_818_479_443_937_6).abs() < 1e-12, "{hi}");
    assert_eq!(fisher_ci95(0.5, 3), None);
    assert_eq!(fisher_ci95(1.0, 10), Some((1.0, 1.0)));
}

#[test]
fn latin_hypercube_puts_one_point_in_each_stratum_of_each_input() {
    let n = 16;
    let cube = latin_hypercube(3, n, 42);
    assert_eq!(cube.len(), n);
    for d in 0..3 {
        let mut strata: Vec<usize> = cube.iter().map(|p| (p[d] * n as f64) as usize).collect();
        strata.sort_unstable();
        assert_eq!(strata, (0..n).collect::<Vec<_>>(), "dimension {d}");
    }
    assert_eq!(cube, latin_hypercube(3, n, 42));
    assert_ne!(cube, latin_hypercube(3, n, 43));
    // Adding an input leaves the others' points where they were.
    let wider = latin_hypercube(4, n, 42);
    for (a, b) in cube.iter().zip(&wider) {
        assert_eq!(a[..], b[..3]);
    }
}
