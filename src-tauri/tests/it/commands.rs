//! What the commands do: scenarios, runs with progress and cancellation,
//! results, charts, the path inspector, saving, and errors with codes.

use std::time::{Duration, Instant};

use creditsim_desktop::app::App;
use creditsim_desktop::dto::{InspectRequest, JournalFilter, RunEvent, RunRequest};
use creditsim_desktop::error::{ErrorCode, IpcError};
use creditsim_desktop::scenarios::header_comment;

use crate::support::{TempDir, app_with_tiny, events_to_end, finished_run, request, start};

#[test]
fn the_six_shipped_scenarios_are_listed_with_their_descriptions() {
    let list = App::new().list_scenarios();
    assert_eq!(list.len(), 6);
    for info in &list {
        assert!(
            info.shipped && info.id.starts_with("shipped:"),
            "{}",
            info.id
        );
        assert!(
            info.description.len() > 200,
            "{} documents itself",
            info.file
        );
        assert!(
            !info.description.contains("# "),
            "comment marks are stripped"
        );
        assert!(!info.plans.is_empty());
    }
    let default = list
        .iter()
        .find(|i| i.id == "shipped:default-agentic-saas")
        .expect("the default scenario");
    assert!(default.description.starts_with("Default agentic SaaS"));
}

#[test]
fn a_header_comment_loses_its_marks_and_rules() {
    let text = "# ====\n# Title\n#\n#   indented\n# ----\nversion = 1\n# not header\n";
    assert_eq!(header_comment(text), "Title\n\n  indented");
}

#[test]
fn an_opened_file_joins_the_list() {
    let (app, id) = app_with_tiny();
    assert_eq!(id, "file:1");
    let list = app.list_scenarios();
    assert_eq!(list.len(), 7);
    let tiny = list.last().expect("the opened file");
    assert_eq!(tiny.name, "Tiny");
    assert!(!tiny.shipped);
    assert!(tiny.description.starts_with("A tiny scenario"));
}

#[test]
fn bad_scenario_files_are_refused_with_a_code_and_the_place() {
    let app = App::new();
    let dir = TempDir::new("bad-scenarios");
    let code = |path: &str| app.open_scenario(path).expect_err(path).code;
    assert_eq!(code("relative/tiny.toml"), ErrorCode::BadPath);
    assert_eq!(code(&dir.path("missing.toml")), ErrorCode::BadPath);
    std::fs::write(dir.path("notes.txt"), "version = 1").expect("write");
    assert_eq!(code(&dir.path("notes.txt")), ErrorCode::BadPath);
    std::fs::create_dir(dir.path("folder.toml")).expect("mkdir");
    assert_eq!(code(&dir.path("folder.toml")), ErrorCode::BadPath);
    std::fs::write(
        dir.path("broken.toml"),
        "version = 1\nhorizon_days = \"ninety\"\n",
    )
    .expect("write");
    let error = app
        .open_scenario(&dir.path("broken.toml"))
        .expect_err("broken");
    assert_eq!(error.code, ErrorCode::BadScenario);
    assert!(error.message.contains("broken.toml"), "{}", error.message);
    assert!(error.message.contains("horizon_days"), "{}", error.message);
    std::fs::write(dir.path("binary.toml"), [0xff, 0xfe, 0x00]).expect("write");
    let error = app
        .open_scenario(&dir.path("binary.toml"))
        .expect_err("binary");
    assert_eq!(error.code, ErrorCode::Io);
    assert!(error.message.contains("not UTF-8"), "{}", error.message);
    assert_eq!(app.list_scenarios().len(), 6, "nothing bad was added");
}

#[test]
fn errors_cross_ipc_as_a_code_and_a_message() {
    let error = IpcError::new(ErrorCode::RunNotFinished, "still going");
    assert_eq!(
        serde_json::to_value(&error).expect("serialise"),
        serde_json::json!({ "code": "run_not_finished", "message": "still going" })
    );
}

#[test]
fn a_run_streams_progress_then_finishes_with_results_and_charts() {
    let (app, scenario) = app_with_tiny();
    let (id, rx) = start(&app, &request(&scenario, 120));
    let events = events_to_end(&rx);
    let done: Vec<u32> = events
        .iter()
        .filter_map(|e| match e {
            RunEvent::Progress {
                paths_done,
                paths_max,
                paths_per_second,
                estimates,
                ..
            } => {
                assert_eq!(*paths_max, 120);
                assert!(*paths_per_second > 0.0);
                assert_eq!(estimates.len(), 2, "one estimate per plan");
                Some(*paths_done)
            }
            _ => None,
        })
        .collect();
    assert_eq!(done, vec![50, 100, 120], "a report after each batch of 50");
    assert!(
        matches!(events.last(), Some(RunEvent::Finished { run_id, paths: 120, .. }) if *run_id == id)
    );

    let results = app.run_results(id).expect("results");
    assert_eq!(results.paths, 120);
    assert_eq!(results.plans.len(), 2);
    assert_eq!(results.rows.len(), sim::metrics::METRICS.len() + 1);
    assert!(results.rows.iter().all(|r| r.cells.len() == 2));
    let margin = results
        .rows
        .iter()
        .find(|r| r.name == "gross_margin")
        .expect("margin row");
    assert!(margin.cells.iter().all(|c| c.ci95.is_some()));

    let charts = app.run_charts(id).expect("charts");
    let ids: Vec<&str> = charts.iter().map(|c| c.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "margin_distribution",
            "comparison_bars",
            "exposure_fan",
            "balance_fan"
        ]
    );
    for chart in &charts {
        assert!(
            chart.svg.starts_with("<svg") && chart.svg.trim_end().ends_with("</svg>"),
            "{}",
            chart.id
        );
        assert!(
            !chart.svg.contains("style=") && !chart.svg.contains("<script"),
            "CSP-safe"
        );
        assert!(
            chart.svg.contains("prepaid") && chart.svg.contains("postpaid"),
            "legend"
        );
    }
}

#[test]
fn the_same_seed_gives_the_same_results() {
    let (app, scenario) = app_with_tiny();
    let a = finished_run(&app, &scenario, 50);
    let b = finished_run(&app, &scenario, 50);
    let (ra, rb) = (
        app.run_results(a).expect("a"),
        app.run_results(b).expect("b"),
    );
    assert_eq!(ra.rows, rb.rows);
}

#[test]
fn cancel_stops_a_long_run_within_a_second() {
    let (app, scenario) = app_with_tiny();
    let (id, rx) = start(&app, &request(&scenario, 1_000_000));
    let first = rx
        .recv_timeout(Duration::from_secs(300))
        .expect("a first batch");
    assert!(matches!(first, RunEvent::Progress { .. }));
    let busy = app.run_results(id).expect_err("no results while running");
    assert_eq!(busy.code, ErrorCode::RunNotFinished);
    let asked = Instant::now();
    app.cancel_run(id).expect("cancel");
    let events = events_to_end(&rx);
    let took = asked.elapsed();
    assert!(matches!(events.last(), Some(RunEvent::Cancelled { run_id }) if *run_id == id));
    assert!(took < Duration::from_secs(1), "cancel took {took:?}");
    assert_eq!(
        app.run_results(id).expect_err("cancelled").code,
        ErrorCode::RunNotFinished
    );
    // The app is usable after: another run finishes.
    finished_run(&app, &scenario, 50);
}

#[test]
fn bad_run_requests_are_refused_before_a_thread_starts() {
    let (app, scenario) = app_with_tiny();
    let sink = || Box::new(|_: RunEvent| {}) as creditsim_desktop::runs::Sink;
    let code = |request: RunRequest| app.start_run(&request, sink()).expect_err("refused").code;
    assert_eq!(code(request(&scenario, 0)), ErrorCode::BadOptions);
    assert_eq!(code(request(&scenario, 2_000_000)), ErrorCode::BadOptions);
    assert_eq!(
        code(RunRequest {
            precision: Some(1.5),
            ..request(&scenario, 10)
        }),
        ErrorCode::BadOptions
    );
    assert_eq!(code(request("file:99", 10)), ErrorCode::UnknownScenario);
    assert_eq!(
        app.run_results(12345).expect_err("unknown").code,
        ErrorCode::UnknownRun
    );
    assert_eq!(
        app.cancel_run(12345).expect_err("unknown").code,
        ErrorCode::UnknownRun
    );
}

#[test]
fn the_inspector_shows_a_customers_balance_and_journal() {
    let (app, scenario) = app_with_tiny();
    let id = finished_run(&app, &scenario, 50);
    let inspect = |filter, offset, limit| {
        app.inspect_path(&InspectRequest {
            run_id: id,
            plan: 0,
            path: 3,
            customer: 2,
            filter,
            offset,
            limit,
        })
    };
    let all = inspect(JournalFilter::All, 0, 1000).expect("inspect");
    assert_eq!(all.plan, "prepaid");
    assert_eq!(all.customers.len(), 6);
    assert_eq!(all.customer.index, 2);
    assert_eq!(all.daily_available.len(), 30);
    assert!(all.balance_svg.starts_with("<svg"));
    assert_eq!(all.matching, all.entries_total);
    assert!(
        all.entries
            .iter()
            .any(|e| e.kind == "drawn" && e.grant.is_some())
    );
    assert!(
        all.entries.windows(2).all(|w| w[0].day <= w[1].day),
        "in time order"
    );

    // What the journal says was drawn from each grant is what the grant says.
    let mut everything = Vec::new();
    let mut offset = 0;
    loop {
        let page = inspect(JournalFilter::All, offset, 1000).expect("page");
        let n = page.entries.len() as u32;
        everything.extend(page.entries);
        offset += n;
        if offset >= page.matching {
            break;
        }
    }
    for grant in &all.grants {
        let drawn: f64 = everything
            .iter()
            .filter(|e| e.kind == "drawn" && e.grant.as_deref() == Some(grant.id.as_str()))
            .map(|e| {
                e.amount
                    .as_deref()
                    .expect("an amount")
                    .parse::<f64>()
                    .expect("a number")
            })
            .sum();
        let expected: f64 = grant.drawn.parse().expect("a number");
        assert!(
            (drawn - expected).abs() <= 1e-6 * expected.abs().max(1.0),
            "{}: {drawn} vs {expected}",
            grant.id
        );
    }

    // The 40-credit pack runs out: some calls are rejected, each with a reason.
    let rejected = inspect(JournalFilter::Rejected, 0, 1000).expect("rejections");
    assert!(rejected.matching > 0, "the small pack runs out");
    assert!(
        rejected
            .entries
            .iter()
            .all(|e| e.kind == "rejected" && e.reason.as_deref() == Some("insufficient_credit"))
    );
    let grants = inspect(JournalFilter::Grants, 0, 1000).expect("grants");
    assert!(
        grants
            .entries
            .iter()
            .all(|e| e.kind != "drawn" && e.kind != "rejected")
    );

    // Out of range: a path the run did not simulate, a customer, a page.
    let bad = |request: InspectRequest| app.inspect_path(&request).expect_err("refused").code;
    let base = InspectRequest {
        run_id: id,
        plan: 0,
        path: 0,
        customer: 0,
        filter: JournalFilter::All,
        offset: 0,
        limit: 10,
    };
    assert_eq!(
        bad(InspectRequest {
            path: 50,
            ..base.clone()
        }),
        ErrorCode::BadOptions
    );
    assert_eq!(
        bad(InspectRequest {
            customer: 6,
            ..base.clone()
        }),
        ErrorCode::BadOptions
    );
    assert_eq!(
        bad(InspectRequest {
            plan: 2,
            ..base.clone()
        }),
        ErrorCode::BadOptions
    );
    assert_eq!(
        bad(InspectRequest {
            limit: 0,
            ..base.clone()
        }),
        ErrorCode::BadOptions
    );
    assert_eq!(
        bad(InspectRequest {
            run_id: 999,
            ..base
        }),
        ErrorCode::UnknownRun
    );
}

#[test]
fn results_are_saved_atomically_as_the_cli_json() {
    let (app, scenario) = app_with_tiny();
    let id = finished_run(&app, &scenario, 50);
    let dir = TempDir::new("save");
    let target = dir.path("results.json");
    std::fs::write(&target, "old").expect("an older file");
    let written = app.save_results(id, &target).expect("saved");
    assert!(written.ends_with("results.json"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&target).expect("read")).expect("JSON");
    assert_eq!(json["paths"], 50);
    assert!(json["plans"]["prepaid"]["metrics"]["gross_margin"]["mean"].is_number());
    let leftovers: Vec<_> = std::fs::read_dir(&dir.0)
        .expect("list")
        .map(|e| e.expect("entry").file_name())
        .collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left: {leftovers:?}");

    let code = |path: &str| app.save_results(id, path).expect_err(path).code;
    assert_eq!(code("results.json"), ErrorCode::BadPath);
    assert_eq!(code(&dir.path("results.csv")), ErrorCode::BadPath);
    assert_eq!(
        code(&dir.path("no/such/folder/results.json")),
        ErrorCode::BadPath
    );
    assert_eq!(
        app.save_results(777, &target).expect_err("unknown").code,
        ErrorCode::UnknownRun
    );
}
