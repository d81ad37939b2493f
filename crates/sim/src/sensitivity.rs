//! Sensitivity analysis: which inputs of a scenario move each plan's mean
//! gross margin and P95 peak exposure, and by how much.
//!
//! Two methods, both with common random numbers (every variant runs with
//! the same seed, so all meet the same demand draws and their differences
//! are differences of inputs, not of luck):
//!
//! - **One at a time** (a tornado): each input is set to `base · (1 −
//!   swing)` and `base · (1 + swing)` with the others at base. The swing of
//!   an output is its value at the high input minus its value at the low
//!   one; for the mean margin it comes with the 95% interval of the mean of
//!   the paired per-path differences, which CRN makes narrow.
//! - **Global** (@RISK-style rank correlation): `samples` parameter vectors
//!   are drawn by Latin hypercube sampling, each input uniform on `[base ·
//!   (1 − swing), base · (1 + swing)]`, from streams keyed by the seed. Each
//!   vector is run, and the Spearman rank correlation between each input and
//!   each output is reported with a 95% interval from Fisher's z.
//!
//! The runs happen here, one after another, each with [`crate::run::run`]
//! (which spreads a run's paths over the threads). There is no clock and no
//! I/O: the caller times the work and prints it. `docs/sensitivity.md`
//! describes the method for users.

use std::sync::atomic::AtomicBool;

use rand::RngExt;
use rust_decimal::Decimal;
use thiserror::Error;

use crate::catalogue::Catalogue;
use crate::metrics::{GROSS_MARGIN, index};
use crate::rng::{Key, Purpose};
use crate::run::{self, RunError, RunOptions, Update};
use crate::scenario::{Scenario, ScenarioError};
use crate::stats::{self, Tail};
use crate::vary::{self, Document, Fitted, Kind, Leaf, VaryError};

/// Paths per variant unless told otherwise: every input costs two runs, so
/// fewer than a plain run's default.
pub const DEFAULT_PATHS: usize = 200;
/// Latin hypercube samples unless told otherwise.
pub const DEFAULT_SAMPLES: usize = 32;
/// The default swing: ±20%.
pub const DEFAULT_SWING: f64 = 0.2;
/// The most inputs one analysis swings (each costs two runs).
pub const MAX_INPUTS: usize = 200;
/// The most Latin hypercube samples (each costs one run).
pub const MAX_SAMPLES: usize = 2000;

/// The stream the Latin hypercube is drawn from, one per input.
const LHS: Purpose = Purpose::new("sensitivity_latin_hypercube");

/// What an analysis ranks inputs by.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Objective {
    /// A plan's mean gross margin across paths (higher is better).
    MeanGrossMargin,
    /// The 95th percentile across paths of a plan's peak exposure (lower is
    /// better).
    P95Exposure,
}

impl Objective {
    pub const ALL: [Objective; 2] = [Objective::MeanGrossMargin, Objective::P95Exposure];

    /// The key in JSON output.
    pub fn code(self) -> &'static str {
        match self {
            Objective::MeanGrossMargin => "gross_margin_mean",
            Objective::P95Exposure => "exposure_peak_p95",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Objective::MeanGrossMargin => "mean gross margin",
            Objective::P95Exposure => "P95 peak exposure",
        }
    }
}

/// How to run an analysis.
#[derive(Clone, Debug)]
pub struct SensitivityOptions {
    /// The fraction each input is swung by, in (0, 1]: 0.2 for ±20%.
    pub swing: f64,
    /// The inputs to swing, as paths ([`crate::vary`]); empty for every
    /// input that makes sense to swing (see [`default_inputs`]).
    pub params: Vec<String>,
    /// Paths per variant.
    pub paths: usize,
    /// Default the scenario's seed.
    pub seed: Option<u64>,
    pub threads: Option<usize>,
    /// Latin hypercube samples for the rank correlations; 0 skips them.
    pub samples: usize,
}

impl Default for SensitivityOptions {
    fn default() -> SensitivityOptions {
        SensitivityOptions {
            swing: DEFAULT_SWING,
            params: Vec::new(),
            paths: DEFAULT_PATHS,
            seed: None,
            threads: None,
            samples: DEFAULT_SAMPLES,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Error)]
pub enum SensitivityError {
    /// The scenario itself has problems, with their places in the file.
    #[error("the scenario has {} problem(s)", .0.len())]
    Scenario(Vec<ScenarioError>),
    #[error(transparent)]
    Vary(#[from] VaryError),
    #[error("{0}")]
    Options(String),
    #[error("{0}")]
    Run(#[from] RunError),
}

/// Told which variant starts, and about each batch of its paths.
pub trait VariantProgress: Sync {
    /// Variant `index` (from 0) of `total` starts; `label` says what it is.
    fn variant(&self, index: usize, total: usize, label: &str);
    fn update(&self, update: &Update<'_>);
}

/// A progress sink that ignores everything.
pub struct Quiet;

impl VariantProgress for Quiet {
    fn variant(&self, _: usize, _: usize, _: &str) {}
    fn update(&self, _: &Update<'_>) {}
}

struct Forward<'a>(&'a dyn VariantProgress);

impl run::Progress for Forward<'_> {
    fn update(&self, update: &Update<'_>) {
        self.0.update(update);
    }
}

/// What a variant's run found about one plan.
#[derive(Clone, Debug)]
pub(crate) struct PlanOutcome {
    pub id: String,
    /// Gross margin per path, in path order.
    pub margin: Vec<f64>,
    pub margin_mean: f64,
    pub margin_ci95: Option<(f64, f64)>,
    /// P95 across paths of the peak exposure.
    pub exposure_p95: f64,
}

impl PlanOutcome {
    pub fn objective(&self, objective: Objective) -> f64 {
        match objective {
            Objective::MeanGrossMargin => self.margin_mean,
            Objective::P95Exposure => self.exposure_p95,
        }
    }
}

/// Runs one variant and keeps what the analyses need.
pub(crate) fn run_variant(
    scenario: &Scenario,
    options: &RunOptions,
    progress: &dyn VariantProgress,
    cancel: &AtomicBool,
) -> Result<Vec<PlanOutcome>, RunError> {
    let output = run::run(scenario, options, &Forward(progress), cancel)?;
    let exposure = index("exposure_peak").expect("exposure_peak is a metric");
    Ok(output
        .plans
        .iter()
        .map(|plan| {
            let margin = plan.summary(GROSS_MARGIN);
            PlanOutcome {
                id: plan.id.clone(),
                margin: plan.column(GROSS_MARGIN),
                margin_mean: margin.mean,
                margin_ci95: margin.ci95,
                exposure_p95: plan.summary(exposure).p95,
            }
        })
        .collect())
}

/// An input swung one at a time.
#[derive(Clone, Debug, PartialEq)]
pub struct Input {
    pub path: String,
    pub kind: Kind,
    /// The value in the file.
    pub base: Decimal,
    pub low: Fitted,
    pub high: Fitted,
}

/// An input left out, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Skipped {
    pub path: String,
    pub reason: String,
}

/// One bar of a tornado: an output at an input's low and high values.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    /// The input's path.
    pub input: String,
    pub input_low: f64,
    pub input_high: f64,
    pub output_low: f64,
    pub output_high: f64,
    /// `output_high - output_low`; ranked by its size.
    pub swing: f64,
    /// The 95% interval of the swing, from the paired per-path differences
    /// (mean gross margin only; a quantile has no paired form).
    pub swing_ci95: Option<(f64, f64)>,
}

/// One plan's tornado for one objective: bars by decreasing |swing|.
#[derive(Clone, Debug, PartialEq)]
pub struct Tornado {
    pub plan: String,
    pub objective: Objective,
    /// The output with every input at base.
    pub base: f64,
    pub bars: Vec<Bar>,
}

/// The rank correlation of one input with one output.
#[derive(Clone, Debug, PartialEq)]
pub struct Correlation {
    pub input: String,
    /// Spearman's rho; `None` when the input or the output did not vary.
    pub rho: Option<f64>,
    /// 95% interval from Fisher's z; `None` with fewer than 4 samples.
    pub ci95: Option<(f64, f64)>,
}

impl Correlation {
    /// Whether the interval excludes zero.
    pub fn significant(&self) -> bool {
        self.ci95.is_some_and(|(lo, hi)| lo > 0.0 || hi < 0.0)
    }
}

/// One plan's correlations for one objective, by decreasing |rho|.
#[derive(Clone, Debug, PartialEq)]
pub struct Ranking {
    pub plan: String,
    pub objective: Objective,
    pub correlations: Vec<Correlation>,
}

/// The Latin hypercube part of an analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Global {
    /// Samples drawn.
    pub samples: usize,
    /// Samples the scenario checks refused (inputs varied together can break
    /// a joint rule, say two probabilities summing over 1), with why.
    pub refused: Vec<String>,
    /// Per sample used, the value of each input (in input order).
    pub values: Vec<Vec<f64>>,
    pub rankings: Vec<Ranking>,
}

/// A finished analysis.
#[derive(Clone, Debug, PartialEq)]
pub struct Sensitivity {
    pub scenario: String,
    /// The billing currency money outcomes are in.
    pub currency: String,
    pub seed: u64,
    /// Paths per variant.
    pub paths: usize,
    pub swing: f64,
    /// Runs made, base included.
    pub runs: usize,
    pub inputs: Vec<Input>,
    pub skipped: Vec<Skipped>,
    /// Per plan, one per objective, plans in scenario order.
    pub tornadoes: Vec<Tornado>,
    pub global: Option<Global>,
}

/// Whether a number is worth swinging by default; `Err` says why not.
fn default_worthy(leaf: &Leaf) -> Result<(), &'static str> {
    let path = leaf.path.as_str();
    let field = leaf.field();
    let top = path.split('.').next().unwrap_or("");
    match () {
        _ if matches!(top, "version" | "seed" | "paths") => Err("a run setting, not an input"),
        _ if top == "horizon_days" => Err("changes the horizon the metrics are measured over"),
        _ if field == "priority" => Err("an ordering, not a quantity"),
        _ if path.contains(".daily_profile.") || path.contains(".weekly_profile.") => {
            Err("profile weights are rescaled to average 1")
        }
        _ if path.contains(".alerts.") => Err("alerts do not change margin or exposure"),
        _ if field == "values" || path.contains(".values.") => {
            Err("an observed value of an empirical distribution")
        }
        _ if leaf.value.is_zero() => Err("zero: a relative swing leaves it at zero"),
        _ => Ok(()),
    }
}

/// `version`, `seed` and `paths` are not inputs: every variant runs with
/// the analysis's own seed and paths, so varying them would change nothing.
pub(crate) fn refuse_run_setting(leaf: &Leaf) -> Result<(), SensitivityError> {
    match leaf.path.as_str() {
        "version" | "seed" | "paths" => Err(SensitivityError::Options(format!(
            "`{}` is a run setting, not an input: every variant runs with the same seed and paths (--seed, --paths)",
            leaf.path
        ))),
        _ => Ok(()),
    }
}

/// The inputs an analysis swings when none are named: every number in the
/// file except run settings, the horizon, priorities, profile weights,
/// alert thresholds, empirical observations and zeros. Returns them and
/// the ones left out with why.
pub fn default_inputs(document: &Document) -> (Vec<Leaf>, Vec<Skipped>) {
    let mut inputs = Vec::new();
    let mut skipped = Vec::new();
    for leaf in document.leaves() {
        match default_worthy(&leaf) {
            Ok(()) => inputs.push(leaf),
            Err(reason) => skipped.push(Skipped {
                path: leaf.path,
                reason: reason.to_owned(),
            }),
        }
    }
    (inputs, skipped)
}

/// A variant ready to run.
struct Variant {
    label: String,
    scenario: Scenario,
}

/// The inputs an analysis would swing, each with its low and high
/// variant loaded, and the inputs left out with why.
struct Setup {
    base: Scenario,
    document: Document,
    inputs: Vec<(Leaf, Input)>,
    /// Low and high variant of each input, in input order.
    variants: Vec<Variant>,
    skipped: Vec<Skipped>,
}

fn setup(
    text: &str,
    file: &str,
    catalogue: Option<&Catalogue>,
    options: &SensitivityOptions,
) -> Result<Setup, SensitivityError> {
    check_options(options)?;
    let (base, document) =
        vary::load_base(text, file, catalogue).map_err(SensitivityError::Scenario)?;
    let swing = vary::decimal_of(options.swing).ok_or_else(|| {
        SensitivityError::Options(format!("swing {} is not usable", options.swing))
    })?;
    let (candidates, mut skipped) = if options.params.is_empty() {
        default_inputs(&document)
    } else {
        let mut leaves = Vec::new();
        for path in &options.params {
            let leaf = document.find(path)?;
            refuse_run_setting(&leaf)?;
            if !leaves.contains(&leaf) {
                leaves.push(leaf);
            }
        }
        (leaves, Vec::new())
    };
    let explicit = !options.params.is_empty();
    let mut inputs = Vec::new();
    let mut variants = Vec::new();
    for leaf in candidates {
        match swung(&document, &leaf, swing, options.swing, file, explicit)? {
            Ok((input, low, high)) => {
                inputs.push((leaf, input));
                variants.push(low);
                variants.push(high);
            }
            Err(reason) => skipped.push(Skipped {
                path: leaf.path,
                reason,
            }),
        }
    }
    if inputs.is_empty() {
        return Err(SensitivityError::Options(
            "no input left to swing (see the skipped inputs); name some with --param".to_owned(),
        ));
    }
    if inputs.len() > MAX_INPUTS {
        return Err(SensitivityError::Options(format!(
            "{} inputs to swing, over the limit of {MAX_INPUTS} (MAX_INPUTS); name the ones that matter with --param",
            inputs.len()
        )));
    }
    Ok(Setup {
        base,
        document,
        inputs,
        variants,
        skipped,
    })
}

/// The inputs [`analyse`] would swing with these options, and the ones it
/// would leave out with why, without running anything: every variant is
/// built and checked, so a refusal shows here too.
pub fn inputs(
    text: &str,
    file: &str,
    catalogue: Option<&Catalogue>,
    options: &SensitivityOptions,
) -> Result<(Vec<Input>, Vec<Skipped>), SensitivityError> {
    let setup = setup(text, file, catalogue, options)?;
    let inputs = setup.inputs.into_iter().map(|(_, input)| input).collect();
    Ok((inputs, setup.skipped))
}

/// Runs a sensitivity analysis of the scenario in `text` (`file` names it
/// in errors; `catalogue` prices its catalogue models when it names one).
pub fn analyse(
    text: &str,
    file: &str,
    catalogue: Option<&Catalogue>,
    options: &SensitivityOptions,
    progress: &dyn VariantProgress,
    cancel: &AtomicBool,
) -> Result<Sensitivity, SensitivityError> {
    let Setup {
        base,
        document,
        inputs,
        variants,
        skipped,
    } = setup(text, file, catalogue, options)?;
    let seed = options.seed.unwrap_or(base.seed);
    let run_options = RunOptions {
        paths: Some(options.paths),
        seed: Some(seed),
        threads: options.threads,
        precision: None,
    };
    let leaves: Vec<&Leaf> = inputs.iter().map(|(leaf, _)| leaf).collect();
    let (samples, refused, sample_values) =
        global_variants(&document, &leaves, options, seed, file);
    let total = 1 + variants.len() + samples.len();
    progress.variant(0, total, "base");
    let base_outcome = run_variant(&base, &run_options, progress, cancel)?;
    let mut outcomes = Vec::with_capacity(variants.len());
    for (i, variant) in variants.iter().enumerate() {
        progress.variant(1 + i, total, &variant.label);
        outcomes.push(run_variant(
            &variant.scenario,
            &run_options,
            progress,
            cancel,
        )?);
    }
    let mut sample_outcomes = Vec::with_capacity(samples.len());
    for (i, variant) in samples.iter().enumerate() {
        progress.variant(1 + variants.len() + i, total, &variant.label);
        sample_outcomes.push(run_variant(
            &variant.scenario,
            &run_options,
            progress,
            cancel,
        )?);
    }
    let inputs: Vec<Input> = inputs.into_iter().map(|(_, input)| input).collect();
    let tornadoes = tornadoes(&inputs, &base_outcome, &outcomes);
    let global = (options.samples > 0).then(|| Global {
        samples: options.samples,
        refused,
        rankings: rankings(&inputs, &sample_values, &sample_outcomes),
        values: sample_values,
    });
    Ok(Sensitivity {
        scenario: base.name.clone().unwrap_or_default(),
        currency: base.currency.clone(),
        seed,
        paths: options.paths,
        swing: options.swing,
        runs: total,
        inputs,
        skipped,
        tornadoes,
        global,
    })
}

fn check_options(options: &SensitivityOptions) -> Result<(), SensitivityError> {
    if !(options.swing > 0.0 && options.swing <= 1.0) {
        return Err(SensitivityError::Options(format!(
            "the swing must be above 0 and at most 100%, got {}",
            options.swing
        )));
    }
    if options.samples > MAX_SAMPLES {
        return Err(SensitivityError::Options(format!(
            "{} samples is over the limit of {MAX_SAMPLES} (MAX_SAMPLES)",
            options.samples
        )));
    }
    Ok(())
}

/// An input with its low and high variants, or why it is skipped.
type Swung = Result<(Input, Variant, Variant), String>;

/// The low and high variants of one input, or why it is skipped. An input
/// named on the command line is never skipped: a refusal is an error.
fn swung(
    document: &Document,
    leaf: &Leaf,
    swing: Decimal,
    swing_f64: f64,
    file: &str,
    explicit: bool,
) -> Result<Swung, VaryError> {
    let low = leaf.fit(leaf.value * (Decimal::ONE - swing), true);
    let high = leaf.fit(leaf.value * (Decimal::ONE + swing), true);
    if low.value == high.value {
        let reason = format!(
            "a ±{}% swing leaves it at {} once fitted",
            swing_f64 * 100.0,
            vary::show(low.value)
        );
        return if explicit {
            Err(VaryError::Rejected {
                setting: leaf.path.clone(),
                problems: vec![reason],
            })
        } else {
            Ok(Err(reason))
        };
    }
    let mut made = Vec::new();
    for (end, fitted) in [("low", &low), ("high", &high)] {
        let setting = format!(
            "{} = {} (the {end} end of a ±{}% swing)",
            leaf.path,
            vary::show(fitted.value),
            swing_f64 * 100.0
        );
        match document.variant(&[(leaf, fitted.value)], file, &setting) {
            Ok(scenario) => made.push(Variant {
                label: format!("{} {end} ({})", leaf.path, vary::show(fitted.value)),
                scenario,
            }),
            Err(error) if explicit => return Err(error),
            Err(VaryError::Rejected { problems, .. }) => {
                return Ok(Err(format!(
                    "refused: the checks reject the {end} end ({}): {}",
                    vary::show(fitted.value),
                    problems.join("; ")
                )));
            }
            Err(error) => return Err(error),
        }
    }
    let high_variant = made.pop().expect("two variants were made");
    let low_variant = made.pop().expect("two variants were made");
    let input = Input {
        path: leaf.path.clone(),
        kind: leaf.kind,
        base: leaf.value,
        low,
        high,
    };
    Ok(Ok((input, low_variant, high_variant)))
}

/// The Latin hypercube variants that the checks accept, the refusals, and
/// each accepted sample's input values.
fn global_variants(
    document: &Document,
    leaves: &[&Leaf],
    options: &SensitivityOptions,
    seed: u64,
    file: &str,
) -> (Vec<Variant>, Vec<String>, Vec<Vec<f64>>) {
    let mut variants = Vec::new();
    let mut refused = Vec::new();
    let mut values = Vec::new();
    let cube = latin_hypercube(leaves.len(), options.samples, seed);
    for (s, point) in cube.iter().enumerate() {
        let changes: Vec<(&Leaf, Decimal)> = leaves
            .iter()
            .zip(point)
            .map(|(leaf, u)| {
                let factor = 1.0 + options.swing * (2.0 * u - 1.0);
                let value =
                    vary::decimal_rounded(vary::to_f64(leaf.value) * factor).unwrap_or(leaf.value);
                (*leaf, leaf.fit(value, true).value)
            })
            .collect();
        let setting = format!("sample {} of {}", s + 1, options.samples);
        match document.variant(&changes, file, &setting) {
            Ok(scenario) => {
                values.push(changes.iter().map(|(_, v)| vary::to_f64(*v)).collect());
                variants.push(Variant {
                    label: setting,
                    scenario,
                });
            }
            Err(error) => refused.push(error.to_string()),
        }
    }
    (variants, refused, values)
}

/// `samples` points in the unit cube of `dimensions` dimensions, one per
/// row: in each dimension every one of the `samples` equal strata holds
/// exactly one point, placed uniformly inside it. Dimension `d` is drawn
/// from its own stream keyed by (seed, d), so adding an input does not move
/// the others' points.
pub fn latin_hypercube(dimensions: usize, samples: usize, seed: u64) -> Vec<Vec<f64>> {
    let mut points = vec![vec![0.0; dimensions]; samples];
    for d in 0..dimensions {
        let mut stream = Key::path(d as u64).stream(seed, LHS);
        let mut strata: Vec<usize> = (0..samples).collect();
        for i in (1..samples).rev() {
            strata.swap(i, stream.random_range(0..=i));
        }
        for (point, stratum) in points.iter_mut().zip(strata) {
            point[d] = (stratum as f64 + stream.random::<f64>()) / samples as f64;
        }
    }
    points
}

fn tornadoes(
    inputs: &[Input],
    base: &[PlanOutcome],
    outcomes: &[Vec<PlanOutcome>],
) -> Vec<Tornado> {
    let mut out = Vec::new();
    for (p, plan) in base.iter().enumerate() {
        for objective in Objective::ALL {
            let mut bars: Vec<Bar> = inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    let low = &outcomes[2 * i][p];
                    let high = &outcomes[2 * i + 1][p];
                    bar(input, low, high, objective)
                })
                .collect();
            bars.sort_by(|a, b| b.swing.abs().total_cmp(&a.swing.abs()));
            out.push(Tornado {
                plan: plan.id.clone(),
                objective,
                base: plan.objective(objective),
                bars,
            });
        }
    }
    out
}

fn bar(input: &Input, low: &PlanOutcome, high: &PlanOutcome, objective: Objective) -> Bar {
    let output_low = low.objective(objective);
    let output_high = high.objective(objective);
    let swing_ci95 = match objective {
        Objective::MeanGrossMargin => {
            let differences: Vec<f64> = high
                .margin
                .iter()
                .zip(&low.margin)
                .map(|(h, l)| h - l)
                .collect();
            stats::summarise(&differences, Tail::None).and_then(|s| s.ci95)
        }
        Objective::P95Exposure => None,
    };
    Bar {
        input: input.path.clone(),
        input_low: vary::to_f64(input.low.value),
        input_high: vary::to_f64(input.high.value),
        output_low,
        output_high,
        swing: output_high - output_low,
        swing_ci95,
    }
}

fn rankings(inputs: &[Input], values: &[Vec<f64>], outcomes: &[Vec<PlanOutcome>]) -> Vec<Ranking> {
    let Some(first) = outcomes.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (p, plan) in first.iter().enumerate() {
        for objective in Objective::ALL {
            let output: Vec<f64> = outcomes.iter().map(|o| o[p].objective(objective)).collect();
            let mut correlations: Vec<Correlation> = inputs
                .iter()
                .enumerate()
                .map(|(i, input)| {
                    let column: Vec<f64> = values.iter().map(|v| v[i]).collect();
                    let rho = spearman(&column, &output);
                    Correlation {
                        input: input.path.clone(),
                        rho,
                        ci95: rho.and_then(|r| fisher_ci95(r, output.len())),
                    }
                })
                .collect();
            correlations.sort_by(|a, b| {
                let size = |c: &Correlation| c.rho.map_or(-1.0, f64::abs);
                size(b).total_cmp(&size(a))
            });
            out.push(Ranking {
                plan: plan.id.clone(),
                objective,
                correlations,
            });
        }
    }
    out
}

/// Ranks from 1, ties given the mean of the ranks they span.
pub fn ranks(values: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..values.len()).collect();
    order.sort_by(|&a, &b| values[a].total_cmp(&values[b]));
    let mut ranks = vec![0.0; values.len()];
    let mut start = 0;
    while start < order.len() {
        let mut end = start + 1;
        while end < order.len() && values[order[end]] == values[order[start]] {
            end += 1;
        }
        // Positions start..end hold ranks start+1 ..= end; their mean:
        let rank = (start + 1 + end) as f64 / 2.0;
        for &i in &order[start..end] {
            ranks[i] = rank;
        }
        start = end;
    }
    ranks
}

/// Spearman's rank correlation: Pearson's correlation of the ranks (mean
/// ranks for ties). `None` for unequal lengths, fewer than 2 values, or a
/// side that does not vary.
pub fn spearman(x: &[f64], y: &[f64]) -> Option<f64> {
    if x.len() != y.len() || x.len() < 2 {
        return None;
    }
    let (rx, ry) = (ranks(x), ranks(y));
    let n = x.len() as f64;
    let mean = (n + 1.0) / 2.0;
    let (mut sxy, mut sxx, mut syy) = (0.0, 0.0, 0.0);
    for (a, b) in rx.iter().zip(&ry) {
        sxy += (a - mean) * (b - mean);
        sxx += (a - mean) * (a - mean);
        syy += (b - mean) * (b - mean);
    }
    if sxx == 0.0 || syy == 0.0 {
        return None;
    }
    Some((sxy / (sxx * syy).sqrt()).clamp(-1.0, 1.0))
}

/// The 95% interval of a correlation `r` from `n` samples by Fisher's z:
/// `tanh(atanh(r) ± 1.96 / sqrt(n - 3))`. For Spearman's rho this is the
/// usual approximation (Fieller, Hartley and Pearson give a slightly wider
/// variance, 1.06 / (n - 3)); `None` for fewer than 4 samples.
pub fn fisher_ci95(r: f64, n: usize) -> Option<(f64, f64)> {
    if n < 4 {
        return None;
    }
    let z = r.clamp(-1.0, 1.0).atanh();
    let half = 1.959_963_984_540_054 / ((n - 3) as f64).sqrt();
    Some(((z - half).tanh(), (z + half).tanh()))
}

impl Sensitivity {
    /// The analysis as the JSON document `creditsim sensitivity --json`
    /// prints. Holds no times, so the same scenario and seed give the same
    /// document.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value, json};
        let pair = |p: Option<(f64, f64)>| p.map_or(Value::Null, |(a, b)| json!([a, b]));
        let inputs: Vec<Value> = self
            .inputs
            .iter()
            .map(|input| {
                let notes: Vec<&str> = [&input.low.note, &input.high.note]
                    .into_iter()
                    .flatten()
                    .map(String::as_str)
                    .collect();
                json!({
                    "path": input.path,
                    "kind": input.kind.code(),
                    "base": vary::to_f64(input.base),
                    "low": vary::to_f64(input.low.value),
                    "high": vary::to_f64(input.high.value),
                    "notes": notes,
                })
            })
            .collect();
        let skipped: Vec<Value> = self
            .skipped
            .iter()
            .map(|s| json!({ "path": s.path, "reason": s.reason }))
            .collect();
        let mut plans = Map::new();
        for tornado in &self.tornadoes {
            let bars: Vec<Value> = tornado
                .bars
                .iter()
                .map(|bar| {
                    json!({
                        "input": bar.input,
                        "input_low": bar.input_low,
                        "input_high": bar.input_high,
                        "output_low": bar.output_low,
                        "output_high": bar.output_high,
                        "swing": bar.swing,
                        "swing_ci95": pair(bar.swing_ci95),
                    })
                })
                .collect();
            let entry = plans
                .entry(tornado.plan.clone())
                .or_insert_with(|| json!({}));
            entry[tornado.objective.code()] = json!({ "base": tornado.base, "bars": bars });
        }
        let global = self.global.as_ref().map_or(Value::Null, |global| {
            let mut plans = Map::new();
            for ranking in &global.rankings {
                let list: Vec<Value> = ranking
                    .correlations
                    .iter()
                    .map(|c| {
                        json!({
                            "input": c.input,
                            "spearman": c.rho,
                            "ci95": pair(c.ci95),
                            "significant": c.significant(),
                        })
                    })
                    .collect();
                let entry = plans
                    .entry(ranking.plan.clone())
                    .or_insert_with(|| json!({}));
                entry[ranking.objective.code()] = Value::Array(list);
            }
            json!({
                "samples": global.samples,
                "samples_used": global.values.len(),
                "refused": global.refused,
                "plans": plans,
            })
        });
        json!({
            "scenario": self.scenario,
            "seed": self.seed,
            "paths": self.paths,
            "swing": self.swing,
            "runs": self.runs,
            "inputs": inputs,
            "skipped": skipped,
            "plans": plans,
            "global": global,
        })
    }
}
