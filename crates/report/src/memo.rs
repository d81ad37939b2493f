//! What the report says, independent of its format: the executive summary
//! (which plan wins on margin, on exposure and on interruptions, and by how
//! much), the assumptions, the per-plan metrics, the charts, the
//! sensitivity study and the method notes. The PDF, HTML and XLSX writers
//! lay out the same [`Memo`], so the three files never disagree.

use polars::prelude::Float64Chunked;
use sim::metrics::{self, METRICS, Unit};
use sim::run::{RunOutput, StoppedBy};
use sim::stats::Tail;

use crate::charts::{self, Chart, Figure};
use crate::frames::{self, Stat, unit_name};
use crate::{ReportError, ReportInput, SensitivitySection};

/// The most rows the assumptions table lists; a longer scenario is cut
/// with a note (the whole file is beside the report).
pub const MAX_ASSUMPTIONS: usize = 400;

/// One headline of the executive summary.
#[derive(Clone, Debug)]
pub struct Finding {
    /// `Margin`, `Exposure`, `Interruptions`.
    pub topic: &'static str,
    pub text: String,
}

pub struct Memo<'a> {
    pub run: &'a RunOutput,
    pub scenario_file_name: &'a str,
    /// The scenario file's exact text, embedded in the HTML, PDF and XLSX
    /// so each reproduces on its own.
    pub scenario_text: &'a str,
    pub generated_on: Option<&'a str>,
    pub title: String,
    /// Plan-major, metrics in [`METRICS`] order.
    pub stats: Vec<Stat>,
    pub findings: Vec<Finding>,
    pub assumptions: Vec<(String, String)>,
    /// The run's charts, in report order, at the default size.
    pub charts: Vec<Chart>,
    /// The same, as figures to draw at another size (the PDF's).
    pub figures: Vec<Figure<'a>>,
    pub sensitivity: Option<&'a SensitivitySection>,
    pub sensitivity_charts: Vec<Chart>,
    pub sensitivity_figures: Vec<Figure<'a>>,
    pub method: Vec<String>,
}

/// The metrics of the headline comparison table, by name.
pub const COMPARISON: [&str; 8] = [
    "revenue",
    "gross_margin",
    "gross_margin_pct",
    "exposure_peak",
    "bad_debt",
    "customers_interrupted",
    "blocked_value",
    "cash_collected",
];

/// Column headings of the per-plan metric tables.
pub const METRIC_COLUMNS: [&str; 9] = [
    "Metric", "Unit", "Mean", "95% CI", "P5", "P50", "P95", "P99", "CVaR95",
];

impl<'a> Memo<'a> {
    pub fn new(input: &'a ReportInput<'a>) -> Result<Memo<'a>, ReportError> {
        let run = input.run;
        let stats = frames::stats(run)?;
        let mut sensitivity_figures = Vec::new();
        if let Some(section) = &input.sensitivity {
            sensitivity_figures.extend(section.tornadoes.iter().map(Figure::Tornado));
            sensitivity_figures.extend(section.heatmaps.iter().map(Figure::Heatmap));
        }
        let figures = vec![
            Figure::MarginDistribution(run),
            Figure::ComparisonBars(run),
            Figure::ExposureFan(run),
            Figure::BalanceFan(run),
        ];
        let draw = |figures: &[Figure<'a>]| -> Result<Vec<Chart>, ReportError> {
            Ok(figures
                .iter()
                .map(|f| charts::chart(*f))
                .collect::<Result<Vec<_>, _>>()?)
        };
        let title = if run.scenario.is_empty() {
            format!("Pricing review: {}", input.scenario_file_name)
        } else {
            format!("Pricing review: {}", run.scenario)
        };
        Ok(Memo {
            run,
            scenario_file_name: input.scenario_file_name,
            scenario_text: input.scenario_text,
            generated_on: input.generated_on.as_deref(),
            title,
            findings: findings(run, &stats)?,
            stats,
            assumptions: assumptions(input.scenario_text, input.scenario_file_name)?,
            charts: draw(&figures)?,
            sensitivity_charts: draw(&sensitivity_figures)?,
            figures,
            sensitivity: input.sensitivity.as_ref(),
            sensitivity_figures,
            method: method(run, input.scenario_file_name),
        })
    }

    /// The statistics of plan `plan` (index into the run's plans).
    pub fn plan_stats(&self, plan: usize) -> &[Stat] {
        &self.stats[plan * METRICS.len()..(plan + 1) * METRICS.len()]
    }

    /// The per-plan metric table as text cells, [`METRIC_COLUMNS`] wide.
    pub fn metric_rows(&self, plan: usize) -> Vec<[String; 9]> {
        let mut rows: Vec<[String; 9]> = self
            .plan_stats(plan)
            .iter()
            .map(|s| {
                let unit = METRICS[s.metric].unit;
                let f = |v: f64| value(unit, v);
                [
                    METRICS[s.metric].label.to_owned(),
                    unit_name(unit, &self.run.currency).to_owned(),
                    f(s.mean),
                    s.ci95
                        .map_or("n/a".into(), |(lo, hi)| format!("{} to {}", f(lo), f(hi))),
                    f(s.p05),
                    f(s.p50),
                    f(s.p95),
                    f(s.p99),
                    s.cvar95.map_or(String::new(), f),
                ]
            })
            .collect();
        let (p, (lo, hi)) = self.run.plans[plan].p_exhausted();
        rows.push([
            "P(a customer's credit runs out before the horizon ends)".into(),
            "%".into(),
            format!("{:.1}%", p * 100.0),
            format!("{:.1}% to {:.1}%", lo * 100.0, hi * 100.0),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
            String::new(),
        ]);
        rows
    }

    /// The headline comparison: for each of [`COMPARISON`], one cell per
    /// plan with the mean and its 95% interval.
    pub fn comparison_rows(&self) -> Vec<Vec<String>> {
        COMPARISON
            .iter()
            .map(|name| {
                let index = metrics::index(name).expect("comparison metrics exist");
                let metric = METRICS[index];
                let unit = unit_name(metric.unit, &self.run.currency);
                let mut row = vec![format!("{} ({unit})", metric.label)];
                for plan in 0..self.run.plans.len() {
                    let s = &self.plan_stats(plan)[index];
                    let f = |v: f64| value(metric.unit, v);
                    row.push(match s.ci95 {
                        Some((lo, hi)) => format!("{} [{}, {}]", f(s.mean), f(lo), f(hi)),
                        None => f(s.mean),
                    });
                }
                row
            })
            .collect()
    }

    /// The plan's display name: `id (name)`.
    pub fn plan_label(&self, plan: usize) -> String {
        let p = &self.run.plans[plan];
        match &p.name {
            Some(name) if name != &p.id => format!("{} ({name})", p.id),
            _ => p.id.clone(),
        }
    }

    /// The run in one sentence: paths, horizon, seed, stopping.
    pub fn run_line(&self) -> String {
        format!(
            "{} paths over {} days, seed {}; {}.",
            self.run.paths,
            self.run.horizon_days,
            self.run.seed,
            stopped(self.run)
        )
    }

    /// The sentence above the embedded scenario text.
    pub fn source_note(&self) -> String {
        format!(
            "The scenario file {file} exactly as run, with seed {seed} and {paths} paths: \
             save this text as {file} and run `creditsim report {file} --seed {seed} \
             --paths {paths} --out DIR` for the same numbers, bit for bit.",
            file = self.scenario_file_name,
            seed = self.run.seed,
            paths = self.run.paths,
        )
    }

    /// The text of `reproduce.txt`.
    pub fn reproduce(&self) -> String {
        let run = self.run;
        let precision = run
            .precision
            .map_or("none".to_owned(), |p| format!("{}%", p * 100.0));
        format!(
            "scenario file: {file}\n\
             scenario name: {name}\n\
             seed: {seed}\n\
             paths: {paths}\n\
             stopped by: {stopped}\n\
             precision target: {precision}\n\
             horizon days: {days}\n\
             \n\
             Every number in this report comes from the scenario file beside this one\n\
             and the seed above. To reproduce them:\n\
             \n\
             \x20   creditsim report {file} --seed {seed} --paths {paths} --out DIR\n\
             \n\
             The same scenario and seed give the same numbers, bit for bit, with any\n\
             number of threads. results.csv and results.parquet hold every path.\n",
            file = self.scenario_file_name,
            name = run.scenario,
            seed = run.seed,
            paths = run.paths,
            stopped = run.stopped_by.code(),
            days = run.horizon_days,
        )
    }
}

fn stopped(run: &RunOutput) -> String {
    match (run.stopped_by, run.precision) {
        (StoppedBy::Precision, Some(p)) => {
            format!("stopped when the precision target ({}%) was met", p * 100.0)
        }
        (_, Some(p)) => format!(
            "stopped at the path limit before the precision target ({}%) was met",
            p * 100.0
        ),
        (_, None) => "stopped at the requested number of paths".to_owned(),
    }
}

/// A metric's value as the report prints it.
pub fn value(unit: Unit, v: f64) -> String {
    match unit {
        Unit::Currency => money(v),
        Unit::Percent => format!("{v:.1}%"),
        Unit::Count if v.abs() >= 1000.0 => money(v),
        Unit::Count | Unit::Hours | Unit::Days => format!("{v:.1}"),
    }
}

/// Whole units with thousands separators from 1,000; cents below.
pub fn money(v: f64) -> String {
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

/// Which way a headline metric is better.
#[derive(Clone, Copy)]
enum Better {
    Higher,
    Lower,
}

fn findings(run: &RunOutput, stats: &[Stat]) -> Result<Vec<Finding>, ReportError> {
    let headlines = [
        ("Margin", "gross_margin", Better::Higher),
        ("Exposure", "exposure_peak", Better::Lower),
        ("Interruptions", "customers_interrupted", Better::Lower),
    ];
    let mut out = Vec::new();
    for (topic, name, better) in headlines {
        let index = metrics::index(name).expect("headline metrics exist");
        out.push(Finding {
            topic,
            text: finding(run, stats, index, better)?,
        });
    }
    Ok(out)
}

/// One sentence: the best plan on the metric, its mean and interval, and
/// its paired lead over the runner-up.
fn finding(
    run: &RunOutput,
    stats: &[Stat],
    index: usize,
    better: Better,
) -> Result<String, ReportError> {
    let metric = METRICS[index];
    let unit = metric.unit;
    let of = |plan: usize| &stats[plan * METRICS.len() + index];
    let mut order: Vec<usize> = (0..run.plans.len()).collect();
    order.sort_by(|&a, &b| {
        let (x, y) = (of(a).mean, of(b).mean);
        match better {
            Better::Higher => y.total_cmp(&x),
            Better::Lower => x.total_cmp(&y),
        }
    });
    let what = match index {
        i if i == metrics::GROSS_MARGIN => "the highest mean gross margin",
        _ if metric.name == "exposure_peak" => "the lowest mean peak exposure",
        _ => "the fewest customers interrupted",
    };
    let unit_word = if unit == Unit::Currency {
        format!(" {}", run.currency)
    } else {
        String::new()
    };
    let best = order[0];
    let s = of(best);
    let ci = s.ci95.map_or(String::new(), |(lo, hi)| {
        format!(" (95% CI {} to {})", value(unit, lo), value(unit, hi))
    });
    let head = format!(
        "{} has {what}: {}{unit_word} per path{ci}",
        run.plans[best].id,
        value(unit, s.mean)
    );
    let Some(&second) = order.get(1) else {
        return Ok(format!("{head}. It is the only plan in the scenario."));
    };
    let differences: Vec<f64> = run.plans[best]
        .rows
        .iter()
        .zip(&run.plans[second].rows)
        .map(|(a, b)| a[index] - b[index])
        .collect();
    let column = Float64Chunked::from_vec("difference".into(), differences);
    let d = frames::column_stat(&run.plans[best].id, index, &column, Tail::None)?;
    if d.mean == 0.0 && d.ci95.is_none_or(|(lo, hi)| lo == 0.0 && hi == 0.0) {
        return Ok(format!(
            "{head}, the same as {} on every path.",
            run.plans[second].id
        ));
    }
    let more = match (better, unit) {
        (Better::Higher, _) => "more",
        (Better::Lower, Unit::Currency) => "less",
        (Better::Lower, _) => "fewer",
    };
    let lead = d.mean.abs();
    let mut text = format!(
        "{head}, {}{unit_word} {more} than {}",
        value(unit, lead),
        run.plans[second].id
    );
    if let Some((lo, hi)) = d.ci95 {
        let (lo, hi) = match better {
            Better::Higher => (lo, hi),
            Better::Lower => (-hi, -lo),
        };
        text.push_str(&format!(
            " (paired 95% CI of the difference {} to {})",
            value(unit, lo),
            value(unit, hi)
        ));
        if lo <= 0.0 {
            text.push_str(&format!(
                "; the interval includes zero, so at {} paths the two plans are not told apart: run more paths before relying on the ranking",
                run.paths
            ));
        }
    }
    text.push('.');
    Ok(text)
}

/// The scenario's inputs as `field path = value` rows, keys sorted within
/// each table, arrays of tables in file order labelled by `id`.
pub(crate) fn assumptions(text: &str, file: &str) -> Result<Vec<(String, String)>, ReportError> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        ReportError::Scenario(format!("{file}: not a TOML file: {}", e.message()))
    })?;
    let mut rows = Vec::new();
    for (key, value) in &table {
        flatten(key, value, &mut rows);
    }
    if rows.len() > MAX_ASSUMPTIONS {
        let more = rows.len() - MAX_ASSUMPTIONS;
        rows.truncate(MAX_ASSUMPTIONS);
        rows.push((
            format!("(and {more} more)"),
            format!("see {file} beside this report"),
        ));
    }
    Ok(rows)
}

fn flatten(path: &str, value: &toml::Value, out: &mut Vec<(String, String)>) {
    use toml::Value;
    match value {
        Value::Table(table) if !is_small(table) => {
            for (key, v) in table {
                flatten(&format!("{path}.{key}"), v, out);
            }
        }
        Value::Array(items) if !items.is_empty() && items.iter().all(Value::is_table) => {
            // An element is named by its id (or model) and always spread
            // over its fields, so every number has its own row.
            for (i, item) in items.iter().enumerate() {
                let name = ["id", "model"]
                    .into_iter()
                    .find_map(|key| item.get(key).and_then(Value::as_str).map(|id| (key, id)));
                let label = name.map_or(format!("{path}[{i}]"), |(_, id)| format!("{path}[{id}]"));
                let Value::Table(fields) = item else { continue };
                for (key, v) in fields {
                    if name.is_some_and(|(named_by, _)| named_by == key) {
                        continue;
                    }
                    flatten(&format!("{label}.{key}"), v, out);
                }
            }
        }
        Value::String(s) => out.push((path.to_owned(), s.clone())),
        other => out.push((path.to_owned(), inline(other))),
    }
}

/// A table of a few plain values (a distribution, a price triple) reads
/// best on one line.
fn is_small(table: &toml::Table) -> bool {
    table.len() <= 6 && table.values().all(|v| !v.is_table() && !v.is_array())
}

fn inline(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Table(table) => table
            .iter()
            .map(|(k, v)| format!("{k} = {}", inline(v)))
            .collect::<Vec<_>>()
            .join(", "),
        toml::Value::Array(items) => format!(
            "[{}]",
            items.iter().map(inline).collect::<Vec<_>>().join(", ")
        ),
        other => other.to_string(),
    }
}

fn method(run: &RunOutput, file: &str) -> Vec<String> {
    let mut notes = vec![
        format!(
            "Paths and seed: {} Monte Carlo paths over a {}-day horizon, seed {}; {}.",
            run.paths,
            run.horizon_days,
            run.seed,
            stopped(run)
        ),
        "Common random numbers: on each path every plan meets the same demand (the same customers, agents, tasks and token counts), so plans are compared path by path. The intervals of differences in the summary are paired Student t intervals of the per-path differences, much narrower than comparing two independent runs.".into(),
        "Statistics: means with 95% confidence intervals by Student's t; quantiles of type 7 (linear interpolation, as Excel's PERCENTILE.INC); CVaR95 is the mean of the worst 5% of paths (lowest gross margin; highest exposure, bad debt, blocked value and overshoot). The probability that a customer's credit runs out has a 95% Wilson interval.".into(),
        "Daily bands (fan charts): P5, P25, P50, P75 and P95 across paths for each day, from one t-digest per day; exact up to 171 paths, within 0.3 percentage points of rank at 10,000 paths.".into(),
    ];
    notes.push(match run.precision {
        Some(p) => format!(
            "Stopping rule: paths were added in batches of 50 until the 95% interval half-width of every plan's mean gross margin was within {}% of that mean, or the path limit was reached; this run {}.",
            p * 100.0,
            stopped(run)
        ),
        None => "Stopping rule: a fixed number of paths (no precision target was set).".into(),
    });
    notes.push(format!(
        "Reproducing: the scenario file {file} and reproduce.txt are beside this report; `creditsim report {file} --seed {} --paths {} --out DIR` gives the same numbers bit for bit, with any number of threads. results.csv and results.parquet hold every path of every plan.",
        run.seed, run.paths
    ));
    notes
}
