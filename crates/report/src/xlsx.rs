//! `report.xlsx`: the numbers for finance to open and audit. Sheets:
//! `Summary` (the run, the executive summary, and every metric of every
//! plan with its mean, 95% interval, quantiles and CVaR95 as numbers),
//! one sheet per plan with its per-path rows, `Assumptions` (every input
//! of the scenario), `Sensitivity` when the report has one, and `Scenario`
//! (the scenario text as run, with its seed and paths).

use rust_xlsxwriter::{Format, Workbook, Worksheet, XlsxError};
use sim::metrics::METRICS;

use crate::frames::unit_name;
use crate::memo::Memo;
use crate::{ReportError, backtest};

/// The most path rows a plan's sheet holds; every path is in results.csv
/// and results.parquet. Far below Excel's 1,048,576 rows, and keeps the
/// workbook (built in memory) to a few hundred MB at most.
pub const MAX_SHEET_PATHS: usize = 100_000;

/// Sheet names of the summary and assumptions.
pub const SUMMARY: &str = "Summary";
pub const ASSUMPTIONS: &str = "Assumptions";
/// The sheet holding the scenario text as run.
pub const SCENARIO: &str = "Scenario";
/// The row (0-based) of the scenario's first line on [`SCENARIO`].
pub const SCENARIO_FIRST_ROW: u32 = 6;
pub const SENSITIVITY: &str = "Sensitivity";

/// Header of the summary's metric table.
pub const SUMMARY_COLUMNS: [&str; 13] = [
    "plan",
    "metric",
    "label",
    "unit",
    "paths",
    "mean",
    "ci95_low",
    "ci95_high",
    "p05",
    "p50",
    "p95",
    "p99",
    "cvar95",
];

pub fn workbook(memo: &Memo<'_>) -> Result<Vec<u8>, ReportError> {
    build(memo).map_err(|e| ReportError::Workbook(e.to_string()))
}

fn build(memo: &Memo<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let run = memo.run;

    let sheet = book.add_worksheet().set_name(SUMMARY)?;
    let mut row = 0u32;
    sheet.write_string_with_format(row, 0, &memo.title, &bold)?;
    row += 1;
    if let Some(date) = memo.generated_on {
        sheet.write_string(row, 0, date)?;
        row += 1;
    }
    for (key, value) in [
        ("scenario", run.scenario.clone()),
        ("scenario file", memo.scenario_file_name.to_owned()),
        ("stopped by", run.stopped_by.code().to_owned()),
    ] {
        sheet.write_string(row, 0, key)?;
        sheet.write_string(row, 1, value)?;
        row += 1;
    }
    for (key, value) in [
        ("seed", run.seed as f64),
        ("paths", run.paths as f64),
        ("horizon_days", f64::from(run.horizon_days)),
    ] {
        sheet.write_string(row, 0, key)?;
        sheet.write_number(row, 1, value)?;
        row += 1;
    }
    row += 1;
    for f in &memo.findings {
        sheet.write_string_with_format(row, 0, f.topic, &bold)?;
        sheet.write_string(row, 1, &f.text)?;
        row += 1;
    }
    row += 1;
    for (col, name) in SUMMARY_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *name, &bold)?;
    }
    row += 1;
    for s in &memo.stats {
        let metric = METRICS[s.metric];
        sheet.write_string(row, 0, &s.plan)?;
        sheet.write_string(row, 1, metric.name)?;
        sheet.write_string(row, 2, metric.label)?;
        sheet.write_string(row, 3, unit_name(metric.unit, &memo.run.currency))?;
        sheet.write_number(row, 4, s.n as f64)?;
        let numbers = [
            Some(s.mean),
            s.ci95.map(|c| c.0),
            s.ci95.map(|c| c.1),
            Some(s.p05),
            Some(s.p50),
            Some(s.p95),
            Some(s.p99),
            s.cvar95,
        ];
        for (i, value) in numbers.into_iter().enumerate() {
            if let Some(value) = value {
                sheet.write_number(row, 5 + i as u16, value)?;
            }
        }
        row += 1;
    }
    for plan in &run.plans {
        let (p, (lo, hi)) = plan.p_exhausted();
        sheet.write_string(row, 0, &plan.id)?;
        sheet.write_string(row, 1, "p_exhausted")?;
        sheet.write_string(
            row,
            2,
            "P(a customer's credit runs out before the horizon ends)",
        )?;
        sheet.write_string(row, 3, "share")?;
        sheet.write_number(row, 4, plan.customers as f64)?;
        sheet.write_number(row, 5, p)?;
        sheet.write_number(row, 6, lo)?;
        sheet.write_number(row, 7, hi)?;
        row += 1;
    }
    sheet.set_column_width(0, 16)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 40)?;

    let mut used = vec![
        SUMMARY.to_owned(),
        ASSUMPTIONS.to_owned(),
        SENSITIVITY.to_owned(),
        SCENARIO.to_owned(),
    ];
    for plan in &run.plans {
        let name = sheet_name(&plan.id, &used);
        used.push(name.clone());
        let sheet = book.add_worksheet().set_name(&name)?;
        paths_sheet(sheet, plan, &bold)?;
    }

    assumptions_sheet(&mut book, &memo.assumptions, &bold)?;

    if let Some(section) = memo.sensitivity {
        let sheet = book.add_worksheet().set_name(SENSITIVITY)?;
        sheet.write_string(0, 0, &section.note)?;
        for (col, name) in section.columns.iter().enumerate() {
            sheet.write_string_with_format(2, col as u16, name, &bold)?;
        }
        for (r, cells) in section.rows.iter().enumerate() {
            for (col, cell) in cells.iter().enumerate() {
                let at = (r as u32 + 3, col as u16);
                // Numbers stay numbers, so finance can compute with them.
                match cell.trim().parse::<f64>() {
                    Ok(v) if v.is_finite() => sheet.write_number(at.0, at.1, v)?,
                    _ => sheet.write_string(at.0, at.1, cell)?,
                };
            }
        }
    }
    scenario_sheet(&mut book, memo, &bold)?;
    book.save_to_buffer()
}

/// The `Scenario` sheet: the seed and paths, then the scenario file's text
/// as run, one line per row after its line number, so the workbook alone
/// reproduces its numbers.
fn scenario_sheet(book: &mut Workbook, memo: &Memo<'_>, bold: &Format) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(SCENARIO)?;
    sheet.write_string_with_format(0, 0, memo.source_note(), bold)?;
    sheet.write_string(1, 0, "scenario file")?;
    sheet.write_string(1, 1, memo.scenario_file_name)?;
    sheet.write_string(2, 0, "seed")?;
    // The seed as text: a u64 does not fit an Excel number exactly.
    sheet.write_string(2, 1, memo.run.seed.to_string())?;
    sheet.write_string(3, 0, "paths")?;
    sheet.write_number(3, 1, memo.run.paths as f64)?;
    sheet.write_string_with_format(5, 0, "line", bold)?;
    sheet.write_string_with_format(5, 1, "text", bold)?;
    for (i, line) in memo.scenario_text.split('\n').enumerate() {
        let row = SCENARIO_FIRST_ROW + i as u32;
        sheet.write_number(row, 0, (i + 1) as f64)?;
        if !line.is_empty() {
            sheet.write_string(row, 1, line)?;
        }
    }
    sheet.set_column_width(0, 14)?;
    sheet.set_column_width(1, 100)?;
    Ok(())
}

/// The `Assumptions` sheet: every input of the scenario file.
fn assumptions_sheet(
    book: &mut Workbook,
    assumptions: &[(String, String)],
    bold: &Format,
) -> Result<(), XlsxError> {
    let sheet = book.add_worksheet().set_name(ASSUMPTIONS)?;
    sheet.write_string_with_format(0, 0, "input", bold)?;
    sheet.write_string_with_format(0, 1, "value", bold)?;
    for (i, (key, value)) in assumptions.iter().enumerate() {
        sheet.write_string(i as u32 + 1, 0, key)?;
        sheet.write_string(i as u32 + 1, 1, value)?;
    }
    sheet.set_column_width(0, 48)?;
    sheet.set_column_width(1, 40)?;
    Ok(())
}

/// Sheet of a backtest's daily series.
pub const DAILY: &str = "Daily";

/// Header of a backtest summary's metric table.
pub const BACKTEST_SUMMARY_COLUMNS: [&str; 6] =
    ["plan", "metric", "label", "unit", "value", "exact"];

/// A backtest's workbook: `Summary` (the replay, the findings, and every
/// metric of every plan as a number, with the exact decimal of money
/// totals as text), `Daily` (every plan's daily series) and `Assumptions`.
pub(crate) fn backtest_workbook(memo: &backtest::Memo<'_>) -> Result<Vec<u8>, ReportError> {
    build_backtest(memo).map_err(|e| ReportError::Workbook(e.to_string()))
}

fn build_backtest(memo: &backtest::Memo<'_>) -> Result<Vec<u8>, XlsxError> {
    let mut book = Workbook::new();
    let bold = Format::new().set_bold();
    let output = memo.output;

    let sheet = book.add_worksheet().set_name(SUMMARY)?;
    let mut row = 0u32;
    sheet.write_string_with_format(row, 0, &memo.title, &bold)?;
    row += 1;
    if let Some(date) = memo.generated_on {
        sheet.write_string(row, 0, date)?;
        row += 1;
    }
    for (fact, value) in &memo.trace {
        sheet.write_string(row, 0, fact)?;
        sheet.write_string(row, 1, value)?;
        row += 1;
    }
    row += 1;
    for f in &memo.findings {
        sheet.write_string_with_format(row, 0, f.topic, &bold)?;
        sheet.write_string(row, 1, &f.text)?;
        row += 1;
    }
    row += 1;
    for (col, name) in BACKTEST_SUMMARY_COLUMNS.iter().enumerate() {
        sheet.write_string_with_format(row, col as u16, *name, &bold)?;
    }
    row += 1;
    for plan in &output.plans {
        for (index, metric) in METRICS.iter().enumerate() {
            sheet.write_string(row, 0, &plan.id)?;
            sheet.write_string(row, 1, metric.name)?;
            sheet.write_string(row, 2, metric.label)?;
            sheet.write_string(row, 3, unit_name(metric.unit, &output.currency))?;
            sheet.write_number(row, 4, plan.row[index])?;
            if let Some(exact) = backtest::exact(&plan.totals, metric.name) {
                sheet.write_string(row, 5, exact)?;
            }
            row += 1;
        }
    }
    sheet.set_column_width(0, 36)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 40)?;
    sheet.set_column_width(5, 24)?;

    let sheet = book.add_worksheet().set_name(DAILY)?;
    let header = &backtest::DAILY_COLUMNS[3..];
    for (col, name) in header.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16, *name, &bold)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    let dates = backtest::dates(output);
    let mut row = 1u32;
    for plan in &output.plans {
        let t = &plan.totals;
        for (day, date) in dates.iter().enumerate() {
            sheet.write_string(row, 0, &plan.id)?;
            sheet.write_number(row, 1, day as f64)?;
            sheet.write_string(row, 2, date)?;
            let series = [
                &t.daily_available,
                &t.daily_exposure,
                &t.daily_revenue,
                &t.daily_provider_cost,
            ];
            for (col, values) in series.into_iter().enumerate() {
                sheet.write_number(row, 3 + col as u16, values[day])?;
            }
            row += 1;
        }
    }
    sheet.set_column_width(2, 12)?;

    assumptions_sheet(&mut book, &memo.assumptions, &bold)?;
    book.save_to_buffer()
}

fn paths_sheet(
    sheet: &mut Worksheet,
    plan: &sim::run::PlanResult,
    bold: &Format,
) -> Result<(), XlsxError> {
    sheet.write_string_with_format(0, 0, "path", bold)?;
    for (col, metric) in METRICS.iter().enumerate() {
        sheet.write_string_with_format(0, col as u16 + 1, metric.name, bold)?;
    }
    sheet.set_freeze_panes(1, 1)?;
    for (index, values) in plan.rows.iter().take(MAX_SHEET_PATHS).enumerate() {
        let r = index as u32 + 1;
        sheet.write_number(r, 0, index as f64)?;
        for (col, value) in values.iter().enumerate() {
            sheet.write_number(r, col as u16 + 1, *value)?;
        }
    }
    if plan.rows.len() > MAX_SHEET_PATHS {
        let r = MAX_SHEET_PATHS as u32 + 1;
        sheet.write_string(
            r,
            0,
            format!(
                "first {MAX_SHEET_PATHS} of {} paths; every path is in results.csv",
                plan.rows.len()
            ),
        )?;
    }
    Ok(())
}

/// A sheet name Excel accepts (at most 31 characters, none of `[]:*?/\`,
/// not starting or ending with `'`) and not already used.
pub fn sheet_name(plan: &str, used: &[String]) -> String {
    let clean: String = plan
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .collect();
    let clean = clean.trim_matches('\'');
    let base: String = if clean.is_empty() {
        "plan".into()
    } else {
        clean.chars().take(31).collect()
    };
    let taken = |name: &str| used.iter().any(|u| u.eq_ignore_ascii_case(name));
    if !taken(&base) {
        return base;
    }
    (2..)
        .map(|k| {
            let suffix = format!(" ({k})");
            let keep = 31 - suffix.chars().count();
            format!("{}{suffix}", base.chars().take(keep).collect::<String>())
        })
        .find(|name| !taken(name))
        .expect("some suffix is free")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sheet_names_are_legal_and_unique() {
        let used = vec!["Summary".to_owned()];
        assert_eq!(sheet_name("a/b:c", &used), "a_b_c");
        assert_eq!(sheet_name("summary", &used), "summary (2)");
        let long = "x".repeat(40);
        assert_eq!(sheet_name(&long, &used).chars().count(), 31);
    }
}
