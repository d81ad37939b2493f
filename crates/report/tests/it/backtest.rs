//! The backtest report: a small generic trace (three customers over five
//! days, written out below) replayed through the CLI's small scenario by
//! `sim::backtest`, then every file checked: all there, the numbers the
//! replay's own totals, no Monte Carlo vocabulary, refusal without force.

use std::io::Cursor;
use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use polars::prelude::{ParquetReader, SerReader};
use report::backtest::{
    BACKTEST_FILES, BacktestReportInput, SUMMARY_CSV, build, daily_frame, write,
};
use report::{ReportError, ReportFile, WriteOptions};
use sim::backtest::{BacktestOptions, BacktestOutput, Customers};
use sim::metrics;
use sim::trace::{Columns, Format};

use crate::SCENARIO;

const FILE_NAME: &str = "scenario-small.toml";
const TRACE_NAME: &str = "usage.csv";
const SHA: &str = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
const DAYS: usize = 5;

/// Two calls a day at 09:00 and 15:00 UTC for each of three customers over
/// five days: `heavy` burns through the prepaid pack (3,000 credits a call
/// against 20,000), `medium` and `light` do not.
fn trace() -> String {
    let mut text = String::from("timestamp,customer,input,output\n");
    for day in 1..=DAYS {
        for hour in [9, 15] {
            for (customer, input) in [("heavy", 5_000_000), ("medium", 200_000), ("light", 20_000)]
            {
                text.push_str(&format!(
                    "2026-03-0{day} {hour:02}:00:00,{customer},{input},1000\n"
                ));
            }
        }
    }
    text
}

fn options() -> BacktestOptions {
    BacktestOptions {
        format: Format::Generic,
        columns: Columns::default(),
        customers: Some(Customers::FromColumn("customer".into())),
        model: None,
        segment: None,
    }
}

fn replay() -> BacktestOutput {
    let scenario = sim::scenario::load(SCENARIO, FILE_NAME).expect("fixture loads");
    let output = sim::backtest::backtest(
        &scenario,
        Cursor::new(trace().into_bytes()),
        TRACE_NAME,
        &options(),
    )
    .expect("the trace replays");
    assert_eq!((output.rows, output.customers, output.days), (30, 3, DAYS));
    output
}

fn arguments() -> Vec<String> {
    ["--customers-from", "customer"].map(String::from).to_vec()
}

fn files(output: &BacktestOutput) -> Vec<ReportFile> {
    let options = options();
    let arguments = arguments();
    let input = BacktestReportInput {
        output,
        options: &options,
        arguments: &arguments,
        scenario_text: SCENARIO,
        scenario_file_name: FILE_NAME,
        trace_sha256: SHA,
        generated_on: Some("21 November 2026".into()),
    };
    build(&input).unwrap()
}

fn file<'a>(files: &'a [ReportFile], name: &str) -> &'a [u8] {
    &files
        .iter()
        .find(|f| f.name == name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .bytes
}

fn text(files: &[ReportFile], name: &str) -> String {
    String::from_utf8(file(files, name).to_vec()).unwrap()
}

/// The PDF's text, pages joined, whitespace collapsed to single spaces.
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    let text = doc.extract_text(&pages).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn revenue(output: &BacktestOutput, plan: usize) -> f64 {
    output.plans[plan].row[metrics::index("revenue").unwrap()]
}

#[test]
fn every_file_is_built_with_a_row_per_plan_and_day() {
    let output = replay();
    let files = files(&output);
    let names: Vec<&str> = files.iter().map(|f| f.name.as_str()).collect();
    let mut expected: Vec<String> = BACKTEST_FILES.map(String::from).to_vec();
    for id in ["backtest_totals", "backtest_exposure", "backtest_balance"] {
        expected.push(format!("chart-{id}.svg"));
        expected.push(format!("chart-{id}.png"));
    }
    expected.push(FILE_NAME.to_owned());
    assert_eq!(names, expected);
    assert!(file(&files, "chart-backtest_exposure.png").starts_with(b"\x89PNG"));
    assert!(text(&files, "chart-backtest_totals.svg").contains("<svg"));
    assert_eq!(file(&files, FILE_NAME), SCENARIO.as_bytes());

    let csv = text(&files, "results.csv");
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("scenario,trace,seed,plan,day,date,available,exposure,revenue,provider_cost")
    );
    assert_eq!(lines.count(), output.plans.len() * DAYS);
    // Day 0 is the scenario's start date, whatever the trace's own dates.
    assert!(csv.contains(&format!(
        "CLI test,{TRACE_NAME},5,prepaid,0,{},",
        output.start
    )));
    // Every value is the replay's own end-of-day figure, to the bit.
    let expected_rows = output
        .plans
        .iter()
        .flat_map(|p| (0..DAYS).map(move |d| (p, d)));
    for (line, (plan, day)) in csv.lines().skip(1).zip(expected_rows) {
        let cells: Vec<&str> = line.split(',').collect();
        assert_eq!(
            (cells[3], cells[4]),
            (plan.id.as_str(), day.to_string().as_str())
        );
        let t = &plan.totals;
        let expected = [
            t.daily_available[day],
            t.daily_exposure[day],
            t.daily_revenue[day],
            t.daily_provider_cost[day],
        ];
        let values: Vec<f64> = cells[6..].iter().map(|c| c.parse().unwrap()).collect();
        assert_eq!(values, expected, "{line}");
    }
    let parquet = file(&files, "results.parquet").to_vec();
    let back = ParquetReader::new(Cursor::new(parquet)).finish().unwrap();
    assert!(back.equals(&daily_frame(&output).unwrap()), "{back:?}");
    let summary = text(&files, SUMMARY_CSV);
    assert_eq!(summary.lines().count(), 1 + output.plans.len());
    assert!(summary.lines().next().unwrap().ends_with(",calls_served"));

    let reproduce = text(&files, "reproduce.txt");
    for needle in [
        format!("trace sha256: {SHA}"),
        format!(
            "scenario sha256: {}",
            sim::catalogue::sha256_hex(SCENARIO.as_bytes())
        ),
        format!(
            "creditsim backtest {TRACE_NAME} --scenario {FILE_NAME} --customers-from customer --report DIR"
        ),
    ] {
        assert!(
            reproduce.contains(&needle),
            "{needle:?} not in:\n{reproduce}"
        );
    }
}

#[test]
fn pdf_states_the_replay_totals_without_monte_carlo_words() {
    let output = replay();
    let files = files(&output);
    let bytes = file(&files, "report.pdf");
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(bytes);
    for needle in [
        "Backtest: CLI test",
        "Summary",
        "Trace",
        "Assumptions",
        "Method notes",
        SHA,
    ] {
        assert!(text.contains(needle), "PDF lacks {needle:?}");
    }
    for (i, plan) in output.plans.iter().enumerate() {
        assert!(text.contains(&plan.id), "PDF lacks plan {}", plan.id);
        let shown = report_money(revenue(&output, i));
        assert!(
            text.contains(&shown),
            "PDF lacks {} revenue {shown}",
            plan.id
        );
        let exact = plan.totals.revenue.normalize().to_string();
        assert!(
            text.contains(&exact),
            "PDF lacks {} exact revenue {exact}",
            plan.id
        );
    }
    // The heavy customer ran the prepaid pack dry: the replay blocked calls.
    assert!(output.plans[0].totals.blocked_events > 0);
    let lower = text.to_lowercase();
    for word in [
        "paths",
        "confidence",
        "monte carlo",
        "95% ci",
        "percentile",
        "p95",
    ] {
        assert!(!lower.contains(word), "PDF says {word:?}");
    }
}

/// Money as the report prints it (the memo's format, restated).
fn report_money(v: f64) -> String {
    if v.abs() < 1000.0 {
        return format!("{v:.2}");
    }
    let whole = format!("{:.0}", v.abs());
    let mut grouped = String::new();
    for (i, digit) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(digit);
    }
    if v < 0.0 {
        format!("-{grouped}")
    } else {
        grouped
    }
}

#[test]
fn workbook_has_the_replay_totals_and_daily_series() {
    let output = replay();
    let files = files(&output);
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(file(&files, "report.xlsx").to_vec())).unwrap();
    assert_eq!(book.sheet_names(), ["Summary", "Daily", "Assumptions"]);

    let summary = book.worksheet_range("Summary").unwrap();
    let header = summary
        .rows()
        .position(|r| r.first() == Some(&Data::String("plan".into())))
        .expect("a metric table");
    let revenue_rows: Vec<&[Data]> = summary
        .rows()
        .skip(header + 1)
        .filter(|r| r[1] == Data::String("revenue".into()))
        .collect();
    assert_eq!(revenue_rows.len(), output.plans.len());
    for (i, (row, plan)) in revenue_rows.iter().zip(&output.plans).enumerate() {
        assert_eq!(row[0], Data::String(plan.id.clone()));
        assert_eq!(row[4], Data::Float(revenue(&output, i)), "{row:?}");
        let exact = plan.totals.revenue.normalize().to_string();
        assert_eq!(row[5], Data::String(exact));
    }

    let daily = book.worksheet_range("Daily").unwrap();
    assert_eq!(daily.height(), 1 + output.plans.len() * DAYS);
    let last = &output.plans[1].totals.daily_exposure;
    assert_eq!(
        daily.get_value((2 * DAYS as u32, 4)),
        Some(&Data::Float(last[DAYS - 1]))
    );

    let assumptions = book.worksheet_range("Assumptions").unwrap();
    let inputs: Vec<String> = assumptions.rows().map(|r| r[0].to_string()).collect();
    assert!(inputs.contains(&"plans[prepaid].packs[starter].price".to_owned()));
    // What the trace replaces is left out.
    for left_out in ["paths", "horizon_days", "segments[teams].customers"] {
        assert!(!inputs.contains(&left_out.to_owned()), "{left_out} listed");
    }
    assert!(
        inputs
            .iter()
            .all(|i| !i.starts_with("segments[teams].tasks"))
    );
}

#[test]
fn html_is_self_contained() {
    let output = replay();
    let files = files(&output);
    let html = text(&files, "report.html");
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert_eq!(html.matches("<svg").count(), 3);
    let lower = html.to_lowercase();
    for external in [
        "http://", "https://", "src=", "href=", "<link", "<script", "@import",
    ] {
        assert!(
            !lower.contains(external),
            "HTML refers outside itself: {external}"
        );
    }
    assert_eq!(
        lower.matches("url(").count(),
        lower.matches("url(data:font/ttf;base64,").count()
    );
    for plan in &output.plans {
        assert!(html.contains(&plan.id));
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir =
        std::env::temp_dir().join(format!("creditsim-backtest-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn write_refuses_an_existing_report_unless_forced() {
    let output = replay();
    let options = options();
    let arguments = arguments();
    let input = BacktestReportInput {
        output: &output,
        options: &options,
        arguments: &arguments,
        scenario_text: SCENARIO,
        scenario_file_name: FILE_NAME,
        trace_sha256: SHA,
        generated_on: None,
    };
    let dir = temp_dir("force");
    let written = write(&input, &dir, WriteOptions { force: false }).unwrap();
    assert_eq!(written.len(), BACKTEST_FILES.len() + 6 + 1);
    let before = std::fs::read(dir.join("report.pdf")).unwrap();
    let error = write(&input, &dir, WriteOptions { force: false }).unwrap_err();
    assert!(matches!(error, ReportError::Exists { .. }), "{error}");
    assert!(error.to_string().contains("--force"), "{error}");
    // summary.csv alone, which a Monte Carlo report does not write, is kept too.
    for name in std::fs::read_dir(&dir).unwrap().filter_map(|e| e.ok()) {
        if name.file_name() != SUMMARY_CSV {
            std::fs::remove_file(name.path()).unwrap();
        }
    }
    let error = write(&input, &dir, WriteOptions { force: false }).unwrap_err();
    assert!(error.to_string().contains(SUMMARY_CSV), "{error}");
    write(&input, &dir, WriteOptions { force: true }).unwrap();
    let stray = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .count();
    assert_eq!(stray, 0);
    // The same replay gives the same PDF, byte for byte (no clock inside).
    assert_eq!(std::fs::read(dir.join("report.pdf")).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();

    for name in [SUMMARY_CSV, "report.pdf", "../x.toml"] {
        let bad = BacktestReportInput {
            scenario_file_name: name,
            ..input.clone()
        };
        let error = build(&bad).unwrap_err();
        assert!(
            matches!(error, ReportError::FileName { .. }),
            "{name}: {error}"
        );
    }
}
