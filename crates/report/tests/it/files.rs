//! The report's files: all there, well formed, and saying the right
//! things. The PDF's text is read back with lopdf, the workbook with
//! calamine, and the HTML is checked for references outside itself.

use std::io::Cursor;
use std::path::PathBuf;

use calamine::{Data, Reader, Xlsx, open_workbook_from_rs};
use report::{
    REPORT_FILES, ReportError, ReportFile, ReportInput, SensitivitySection, Tornado, TornadoBar,
    WriteOptions,
};
use sim::metrics::GROSS_MARGIN;

use crate::{SCENARIO, small_run};

const FILE_NAME: &str = "scenario-small.toml";

fn sensitivity() -> SensitivitySection {
    SensitivitySection {
        note: "Each input moved to its low and high value, the others at base.".into(),
        tornadoes: vec![Tornado {
            title: "Gross margin: prepaid".into(),
            unit: "USD".into(),
            base: 100.0,
            bars: vec![TornadoBar {
                label: "provider price".into(),
                low_input: "-20%".into(),
                high_input: "+20%".into(),
                at_low: 130.0,
                at_high: 70.0,
            }],
        }],
        heatmaps: vec![],
        columns: vec!["input".into(), "low".into(), "high".into()],
        text_columns: 1,
        rows: vec![vec!["provider price".into(), "130".into(), "70".into()]],
    }
}

fn build(run: &sim::run::RunOutput, sensitivity: Option<SensitivitySection>) -> Vec<ReportFile> {
    let input = ReportInput {
        run,
        scenario_text: SCENARIO,
        scenario_file_name: FILE_NAME,
        sensitivity,
        generated_on: Some("21 November 2026".into()),
    };
    report::build(&input).unwrap()
}

fn file<'a>(files: &'a [ReportFile], name: &str) -> &'a [u8] {
    &files.iter().find(|f| f.name == name).unwrap().bytes
}

/// The PDF's text, pages joined, whitespace collapsed to single spaces.
fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).unwrap();
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    assert!(!pages.is_empty());
    let text = doc.extract_text(&pages).unwrap();
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn every_file_is_built_and_the_scenario_is_copied_exactly() {
    let run = small_run(20);
    let files = build(&run, None);
    let names: Vec<String> = files.iter().map(|f| f.name.clone()).collect();
    let mut expected: Vec<String> = REPORT_FILES.map(String::from).to_vec();
    for id in [
        "margin_distribution",
        "comparison_bars",
        "exposure_fan",
        "balance_fan",
    ] {
        expected.push(format!("chart-{id}.svg"));
        expected.push(format!("chart-{id}.png"));
    }
    expected.push(FILE_NAME.to_owned());
    assert_eq!(names, expected);
    assert!(file(&files, "chart-exposure_fan.png").starts_with(b"\x89PNG"));
    assert_eq!(file(&files, FILE_NAME), SCENARIO.as_bytes());
    let reproduce = String::from_utf8(file(&files, "reproduce.txt").to_vec()).unwrap();
    assert!(reproduce.contains(&format!("seed: {}", run.seed)));
    assert!(reproduce.contains("--paths 20"));
    let csv = String::from_utf8(file(&files, "results.csv").to_vec()).unwrap();
    assert_eq!(csv.lines().count(), 1 + 20 * run.plans.len());
}

#[test]
fn pdf_names_the_plans_and_the_headline_numbers() {
    let run = small_run(20);
    let files = build(&run, Some(sensitivity()));
    let bytes = file(&files, "report.pdf");
    assert!(bytes.starts_with(b"%PDF-"));
    let text = pdf_text(bytes);
    for needle in [
        "Executive summary",
        "Assumptions",
        "Method notes",
        "Sensitivity",
        "CLI test",
    ] {
        assert!(text.contains(needle), "PDF lacks {needle:?}");
    }
    for plan in &run.plans {
        assert!(text.contains(&plan.id), "PDF lacks plan {}", plan.id);
        let mean = plan.summary(GROSS_MARGIN).mean;
        let shown = report_money(mean);
        assert!(
            text.contains(&shown),
            "PDF lacks {} margin {shown}",
            plan.id
        );
    }
    assert!(text.contains(&format!("seed {}", run.seed)));
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
fn workbook_has_summary_plan_and_assumption_sheets() {
    let run = small_run(20);
    let files = build(&run, Some(sensitivity()));
    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(file(&files, "report.xlsx").to_vec())).unwrap();
    let mut expected = vec!["Summary".to_owned()];
    expected.extend(run.plans.iter().map(|p| p.id.clone()));
    expected.push("Assumptions".into());
    expected.push("Sensitivity".into());
    expected.push("Scenario".into());
    assert_eq!(book.sheet_names(), expected);

    let summary = book.worksheet_range("Summary").unwrap();
    let header = summary
        .rows()
        .position(|r| r.first() == Some(&Data::String("plan".into())))
        .expect("a metric table");
    let first = summary.rows().nth(header + 1).unwrap();
    let s = run.plans[0].summary(0);
    assert_eq!(first[0], Data::String(run.plans[0].id.clone()));
    assert_eq!(first[1], Data::String("revenue".into()));
    // polars and sim::stats sum in different orders: equal to rounding.
    let close =
        |d: &Data, v: f64| matches!(d, Data::Float(x) if (x - v).abs() <= 1e-6 * v.abs().max(1.0));
    let (lo, hi) = s.ci95.unwrap();
    assert!(close(&first[5], s.mean), "{first:?}");
    assert!(close(&first[6], lo) && close(&first[7], hi), "{first:?}");

    let paths = book.worksheet_range(&run.plans[1].id).unwrap();
    assert_eq!(paths.height(), 21);
    assert_eq!(
        paths.get_value((0, 3)),
        Some(&Data::String("gross_margin".into()))
    );
    assert_eq!(
        paths.get_value((5, 3)),
        Some(&Data::Float(run.plans[1].rows[4][GROSS_MARGIN]))
    );

    let assumptions = book.worksheet_range("Assumptions").unwrap();
    let pairs: Vec<(String, String)> = assumptions
        .rows()
        .map(|r| (r[0].to_string(), r[1].to_string()))
        .collect();
    assert!(
        pairs.contains(&("horizon_days".into(), "31".into())),
        "{pairs:?}"
    );
    let price = (
        "plans[prepaid].packs[starter].price".to_owned(),
        "200".to_owned(),
    );
    assert!(pairs.contains(&price), "{pairs:?}");
}

#[test]
fn html_is_self_contained() {
    let run = small_run(20);
    let files = build(&run, Some(sensitivity()));
    let html = String::from_utf8(file(&files, "report.html").to_vec()).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<svg") && html.contains("provider price"));
    let lower = html.to_lowercase();
    for external in [
        "http://", "https://", "src=", "href=", "<link", "<script", "@import",
    ] {
        assert!(
            !lower.contains(external),
            "HTML refers outside itself: {external}"
        );
    }
    // Every url() is an embedded font.
    assert_eq!(
        lower.matches("url(").count(),
        lower.matches("url(data:font/ttf;base64,").count()
    );
    for plan in &run.plans {
        assert!(html.contains(&plan.id));
    }
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("creditsim-report-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn write_refuses_an_existing_report_unless_forced() {
    let run = small_run(20);
    let dir = temp_dir("force");
    let input = ReportInput {
        run: &run,
        scenario_text: SCENARIO,
        scenario_file_name: FILE_NAME,
        sensitivity: None,
        generated_on: None,
    };
    let written = report::write(&input, &dir, WriteOptions { force: false }).unwrap();
    assert_eq!(written.len(), REPORT_FILES.len() + 8 + 1);
    let before = std::fs::read(dir.join("report.pdf")).unwrap();
    let error = report::write(&input, &dir, WriteOptions { force: false }).unwrap_err();
    assert!(matches!(error, ReportError::Exists { .. }));
    assert!(error.to_string().contains("--force"), "{error}");
    assert_eq!(std::fs::read(dir.join("report.pdf")).unwrap(), before);
    report::write(&input, &dir, WriteOptions { force: true }).unwrap();
    // No temporary file is left behind.
    let stray: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(stray.is_empty());
    // The same run gives the same PDF, byte for byte (no clock inside).
    assert_eq!(std::fs::read(dir.join("report.pdf")).unwrap(), before);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_scenario_file_names_and_tables_are_refused() {
    let run = small_run(20);
    for name in ["", "../x.toml", "report.pdf", ".hidden", "chart-x.svg"] {
        let input = ReportInput {
            run: &run,
            scenario_text: SCENARIO,
            scenario_file_name: name,
            sensitivity: None,
            generated_on: None,
        };
        let error = report::build(&input).unwrap_err();
        assert!(
            matches!(error, ReportError::FileName { .. }),
            "{name:?}: {error}"
        );
    }
    let mut section = sensitivity();
    section.rows[0].pop();
    let input = ReportInput {
        run: &run,
        scenario_text: SCENARIO,
        scenario_file_name: FILE_NAME,
        sensitivity: Some(section),
        generated_on: None,
    };
    let error = report::build(&input).unwrap_err().to_string();
    assert!(error.contains("row 1 has 2 cells for 3 columns"), "{error}");
}

/// Money is labelled in the scenario's billing currency everywhere the
/// report names a unit: the PDF's tables and findings, the workbook's
/// summary and the charts' axes. Nothing says USD for a euro scenario.
#[test]
fn money_is_labelled_in_the_scenarios_currency() {
    let text = SCENARIO.replacen("seed = 5\n", "seed = 5\ncurrency = \"EUR\"\n", 1);
    assert_ne!(text, SCENARIO, "the fixture's seed line moved");
    let scenario = sim::scenario::load(&text, "eur.toml").expect("loads");
    let options = sim::run::RunOptions {
        paths: Some(10),
        threads: Some(1),
        ..sim::run::RunOptions::default()
    };
    let run = sim::run::run(
        &scenario,
        &options,
        &sim::run::Silent,
        &std::sync::atomic::AtomicBool::new(false),
    )
    .expect("runs");
    assert_eq!(run.currency, "EUR");
    assert_eq!(run.to_json()["currency"], "EUR");
    let input = ReportInput {
        run: &run,
        scenario_text: &text,
        scenario_file_name: "eur.toml",
        sensitivity: None,
        generated_on: None,
    };
    let files = report::build(&input).unwrap();

    let pdf = pdf_text(file(&files, "report.pdf"));
    assert!(pdf.contains("EUR"), "{pdf}");
    assert!(!pdf.contains("USD"), "{pdf}");

    let mut book: Xlsx<_> =
        open_workbook_from_rs(Cursor::new(file(&files, "report.xlsx").to_vec())).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    let units: Vec<String> = summary
        .rows()
        .filter(|r| r.get(1) == Some(&Data::String("revenue".into())))
        .map(|r| r[3].to_string())
        .collect();
    assert!(
        !units.is_empty() && units.iter().all(|u| u == "EUR"),
        "{units:?}"
    );

    for chart in [
        "chart-margin_distribution.svg",
        "chart-comparison_bars.svg",
        "chart-exposure_fan.svg",
    ] {
        let svg = String::from_utf8(file(&files, chart).to_vec()).unwrap();
        assert!(svg.contains("EUR") && !svg.contains("USD"), "{chart}");
    }
}
