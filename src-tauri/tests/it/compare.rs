//! Pinning a baseline and comparing a run with it: the pinned run outlives
//! the store's limit, deltas and their method, the scenario diff and the
//! overlaid chart.

use creditsim_desktop::dto::{DiffTag, RunEvent, RunRequest};
use creditsim_desktop::error::ErrorCode;
use creditsim_desktop::runs::MAX_KEPT;

use crate::support::{app_with_tiny, events_to_end, finished_run, request, start};

/// The tiny scenario with the provider's input price raised from 3 to 4.
fn dearer(text: &str) -> String {
    let changed = text.replacen(
        "price_per_mtok = { input = 3,",
        "price_per_mtok = { input = 4,",
        1,
    );
    assert_ne!(changed, text, "the test changes the provider price");
    changed
}

#[test]
fn a_pinned_run_is_kept_however_many_runs_follow() {
    let (app, scenario) = app_with_tiny();
    let first = finished_run(&app, &scenario, 10);
    let second = finished_run(&app, &scenario, 10);
    app.pin_run(first).expect("a finished run can be pinned");
    assert_eq!(app.pinned_run(), Some(first));
    for _ in 0..MAX_KEPT {
        finished_run(&app, &scenario, 10);
    }
    assert!(app.run_results(first).is_ok(), "the pinned run is kept");
    assert_eq!(
        app.run_results(second).expect_err("forgotten").code,
        ErrorCode::UnknownRun,
        "the oldest unpinned run is forgotten"
    );
    app.unpin_run();
    assert_eq!(app.pinned_run(), None);
    finished_run(&app, &scenario, 10);
    assert_eq!(
        app.run_results(first)
            .expect_err("forgotten once unpinned")
            .code,
        ErrorCode::UnknownRun
    );
}

#[test]
fn only_a_finished_run_can_be_pinned() {
    let (app, _) = app_with_tiny();
    assert_eq!(
        app.pin_run(99).expect_err("no such run").code,
        ErrorCode::UnknownRun
    );
    assert_eq!(app.pinned_run(), None);
}

#[test]
fn a_run_compared_with_itself_changes_nothing() {
    let (app, scenario) = app_with_tiny();
    let id = finished_run(&app, &scenario, 40);
    let c = app.compare_runs(id, id).expect("comparison");
    assert_eq!(c.method, "paired");
    assert_eq!(c.plans.len(), 2);
    assert!(c.diff.is_empty(), "same text, no diff: {:?}", c.diff);
    assert_eq!(c.lines_changed, 0);
    for row in &c.rows {
        for cell in &row.cells {
            assert_eq!(cell.delta, 0.0, "{}", row.name);
            assert_eq!(cell.ci95, Some((0.0, 0.0)), "{}", row.name);
        }
    }
}

#[test]
fn an_edited_run_is_compared_with_the_pinned_one_by_common_random_numbers() {
    let (app, scenario) = app_with_tiny();
    let baseline = finished_run(&app, &scenario, 60);
    app.pin_run(baseline).expect("pinned");
    let text = app.scenario_text(&scenario).expect("text");
    let (candidate, rx) = start(
        &app,
        &RunRequest {
            text: Some(dearer(&text)),
            ..request(&scenario, 60)
        },
    );
    assert!(matches!(
        events_to_end(&rx).last(),
        Some(RunEvent::Finished { .. })
    ));
    let c = app.compare_runs(baseline, candidate).expect("comparison");
    assert_eq!(c.method, "paired");
    assert!(c.method_text.starts_with("paired, same seed"));
    assert_eq!(
        (c.baseline.run_id, c.candidate.run_id),
        (baseline, candidate)
    );
    // The diff: the one changed line, removed then added, with context.
    assert_eq!(c.lines_changed, 2);
    let removed: Vec<_> = c
        .diff
        .iter()
        .filter(|l| l.tag == DiffTag::Removed)
        .collect();
    let added: Vec<_> = c.diff.iter().filter(|l| l.tag == DiffTag::Added).collect();
    assert_eq!(removed.len(), 1);
    assert_eq!(added.len(), 1);
    assert!(removed[0].text.contains("input = 3,"), "{:?}", removed[0]);
    assert!(added[0].text.contains("input = 4,"), "{:?}", added[0]);
    assert_eq!(removed[0].old_line, added[0].new_line);
    assert!(c.diff.iter().any(|l| l.tag == DiffTag::Same));
    // A dearer provider: cost up, margin down, both intervals clear of 0.
    let row = |name: &str| c.rows.iter().find(|r| r.name == name).expect(name);
    for cell in &row("provider_cost").cells {
        let (lo, _) = cell.ci95.expect("interval");
        assert!(lo > 0.0, "cost rises: {cell:?}");
    }
    let postpaid = c
        .plans
        .iter()
        .position(|p| p.id == "postpaid")
        .expect("plan");
    let margin = &row("gross_margin").cells[postpaid];
    let (_, hi) = margin.ci95.expect("interval");
    assert!(hi < 0.0, "margin falls: {margin:?}");

    let charts = app.compare_charts(baseline, candidate).expect("chart");
    assert_eq!(charts.len(), 1);
    assert_eq!(charts[0].id, "margin_overlay");
    assert!(
        charts[0].svg.contains("(baseline)"),
        "the legend names the baseline"
    );
    assert!(charts[0].svg.starts_with("<svg"));
}

#[test]
fn different_seeds_are_compared_as_independent_runs() {
    let (app, scenario) = app_with_tiny();
    let baseline = finished_run(&app, &scenario, 30);
    let (candidate, rx) = start(
        &app,
        &RunRequest {
            seed: Some(99),
            ..request(&scenario, 30)
        },
    );
    events_to_end(&rx);
    let c = app.compare_runs(baseline, candidate).expect("comparison");
    assert_eq!(c.method, "independent_seeds");
    assert!(c.method_text.starts_with("independent"));
    assert_eq!(
        app.compare_runs(baseline, 999).expect_err("unknown").code,
        ErrorCode::UnknownRun
    );
}
