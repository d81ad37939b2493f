//! The app's state and what each command does, independent of Tauri so the
//! tests can drive it directly: open scenarios, runs, results, charts, the
//! path inspector, saving results, comparisons, exports and the price
//! catalogue. `commands.rs` is a line per command over this.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::dto::{
    CatalogueChoice, CatalogueView, ChartDto, Comparison, CustomerDto, DistPreview, DistValue,
    Draft, ExportFormat, ExportProgress, FieldEdit, FormModel, GrantDto, InspectRequest,
    Inspection, JournalEntryDto, JournalFilter, RunRequest, RunResults, ScenarioInfo, Validation,
};
use crate::editor::{self, Drafts};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::prices::Prices;
use crate::runs::{Runs, Sink, Source};
use crate::scenarios::{self, Library, Loaded};
use crate::{charts, compare, export, files, runs};

/// Everything the window can reach.
pub struct App {
    library: Mutex<Library>,
    runs: Arc<Runs>,
    drafts: Drafts,
    prices: Prices,
}

impl Default for App {
    fn default() -> App {
        App::new()
    }
}

impl App {
    /// An app that keeps no drafts (tests of everything else).
    pub fn new() -> App {
        App::with_data_dir(None)
    }

    /// An app that keeps drafts under `data_dir` (the window's app data
    /// folder).
    pub fn with_data_dir(data_dir: Option<PathBuf>) -> App {
        App {
            library: Mutex::new(Library::new()),
            runs: Arc::new(Runs::default()),
            drafts: Drafts::new(data_dir.clone()),
            prices: Prices::new(data_dir),
        }
    }

    fn loaded(&self, id: &str) -> IpcResult<Loaded> {
        self.library.lock().expect("library lock").get(id)
    }

    pub fn list_scenarios(&self) -> Vec<ScenarioInfo> {
        self.library.lock().expect("library lock").list()
    }

    pub fn open_scenario(&self, path: &str) -> IpcResult<ScenarioInfo> {
        let imported = self.prices.imported();
        self.library
            .lock()
            .expect("library lock")
            .open(path, imported.as_ref())
    }

    /// Starts a run of an open scenario, or of its text as edited when the
    /// request carries one.
    pub fn start_run(&self, request: &RunRequest, sink: Sink) -> IpcResult<u32> {
        let loaded = self.loaded(&request.scenario)?;
        let source = Source {
            text: match &request.text {
                None => Arc::clone(&loaded.text),
                Some(text) => Arc::from(text.as_str()),
            },
            file_name: std::path::Path::new(&loaded.info.file)
                .file_name()
                .map_or_else(
                    || "scenario.toml".to_owned(),
                    |n| n.to_string_lossy().into_owned(),
                ),
        };
        let scenario = match &request.text {
            None => loaded.scenario,
            Some(text) => {
                let (scenario, _) = editor::load(
                    text,
                    scenarios::file_of(&loaded.info),
                    self.prices.imported().as_ref(),
                )
                .map_err(|problems| {
                    let lines: Vec<String> = problems
                        .iter()
                        .map(|p| format!("{}:{}: {}: {}", p.line, p.column, p.path, p.message))
                        .collect();
                    IpcError::new(ErrorCode::BadScenario, lines.join("\n"))
                })?;
                Arc::new(scenario)
            }
        };
        self.runs.start(scenario, source, request, sink)
    }

    /// The text an open scenario was loaded from.
    pub fn scenario_text(&self, id: &str) -> IpcResult<String> {
        Ok(self.loaded(id)?.text.to_string())
    }

    /// The loader's verdict on `text` as the scenario `id` (whose file, if
    /// any, locates the catalogue).
    pub fn validate_scenario(&self, text: &str, id: Option<&str>) -> IpcResult<Validation> {
        let info = id.map(|id| self.loaded(id)).transpose()?.map(|l| l.info);
        Ok(editor::validate(
            text,
            info.as_ref().and_then(scenarios::file_of),
            self.prices.imported().as_ref(),
        ))
    }

    pub fn scenario_form(&self, text: &str) -> IpcResult<FormModel> {
        editor::form(text)
    }

    pub fn set_field(&self, text: &str, change: &FieldEdit) -> IpcResult<String> {
        editor::set_field(text, change)
    }

    pub fn add_element(&self, text: &str, path: &str) -> IpcResult<String> {
        editor::add_element(text, path)
    }

    pub fn remove_element(&self, text: &str, path: &str) -> IpcResult<String> {
        editor::remove_element(text, path)
    }

    pub fn distribution_preview(&self, dist: &DistValue) -> IpcResult<DistPreview> {
        editor::preview(dist)
    }

    /// The models the editor's picker offers for `text`, priced on `day`.
    pub fn catalogue_models(&self, day: &str, text: &str) -> IpcResult<Vec<CatalogueChoice>> {
        editor::catalogue_choices(day, text, self.prices.imported().as_ref())
    }

    pub fn add_catalogue_model(
        &self,
        text: &str,
        model: &str,
        id: Option<&str>,
    ) -> IpcResult<String> {
        let info = id.map(|id| self.loaded(id)).transpose()?.map(|l| l.info);
        editor::add_catalogue_model(
            text,
            model,
            info.as_ref().and_then(scenarios::file_of),
            self.prices.imported().as_ref(),
        )
    }

    /// Writes a scenario text to a path the save dialog returned,
    /// atomically; a text the loader refuses is not written (it stays in
    /// its draft), so every saved file opens again.
    pub fn save_scenario(&self, path: &str, text: &str) -> IpcResult<String> {
        let target = files::scenario_save_path(path)?;
        let validation = editor::validate(text, Some(&target), self.prices.imported().as_ref());
        if !validation.ok {
            let first = &validation.problems[0];
            return Err(IpcError::new(
                ErrorCode::BadScenario,
                format!(
                    "not saved: the scenario has {}; the first is at line {}, column {}: {}: {} \
                     (your changes are kept as a draft)",
                    validation.summary, first.line, first.column, first.path, first.message
                ),
            ));
        }
        files::write_atomically(&target, text.as_bytes())?;
        Ok(target.display().to_string())
    }

    pub fn save_draft(&self, draft: &Draft) -> IpcResult<()> {
        self.drafts.save(draft)
    }

    pub fn load_drafts(&self) -> IpcResult<Vec<Draft>> {
        self.drafts.list()
    }

    pub fn discard_draft(&self, key: &str) -> IpcResult<()> {
        self.drafts.discard(key)
    }

    /// The names of the scenarios with unsaved changes (drafts).
    pub fn unsaved(&self) -> Vec<String> {
        self.drafts
            .list()
            .unwrap_or_default()
            .into_iter()
            .map(|d| d.name)
            .collect()
    }

    pub fn discard_all_drafts(&self) -> IpcResult<()> {
        self.drafts.discard_all()
    }

    pub fn cancel_run(&self, run_id: u32) -> IpcResult<()> {
        self.runs.cancel(run_id)
    }

    pub fn run_results(&self, run_id: u32) -> IpcResult<RunResults> {
        Ok(runs::results(run_id, &self.runs.finished(run_id)?.output))
    }

    pub fn run_charts(&self, run_id: u32) -> IpcResult<Vec<ChartDto>> {
        charts::all(&self.runs.finished(run_id)?.output)
    }

    pub fn inspect_path(&self, request: &InspectRequest) -> IpcResult<Inspection> {
        let finished = self.runs.finished(request.run_id)?;
        let output = &finished.output;
        if request.path as usize >= output.paths {
            return Err(IpcError::new(
                ErrorCode::BadOptions,
                format!(
                    "path: expected 0 to {}, the paths this run simulated; got {}",
                    output.paths - 1,
                    request.path
                ),
            ));
        }
        let sim_request = sim::inspect::Request {
            plan: request.plan as usize,
            path: u64::from(request.path),
            customer: request.customer as usize,
            filter: match request.filter {
                JournalFilter::All => sim::inspect::Filter::All,
                JournalFilter::Rejected => sim::inspect::Filter::Rejected,
                JournalFilter::Grants => sim::inspect::Filter::Grants,
            },
            offset: request.offset as usize,
            limit: request.limit as usize,
        };
        let seen = sim::inspect::inspect(&finished.scenario, output.seed, &sim_request)
            .map_err(|e| IpcError::new(ErrorCode::BadOptions, e.to_string()))?;
        let customers = sim::inspect::customers(&finished.scenario, output.seed, sim_request.path);
        let customer = |c: &sim::inspect::CustomerRef| CustomerDto {
            index: c.index as u32,
            segment: c.segment.clone(),
            joined_day: c.joined_day,
            agents: u32::from(c.agents),
        };
        let title = format!(
            "Available balance of customer {} ({}) under {}, path {}",
            seen.customer.index, seen.customer.segment, seen.plan, seen.path
        );
        Ok(Inspection {
            balance_svg: charts::balance(title, &seen.daily_available)?,
            plan: seen.plan,
            path: request.path,
            customer: customer(&seen.customer),
            customers: customers.iter().map(customer).collect(),
            daily_available: seen.daily_available,
            grants: seen
                .grants
                .into_iter()
                .map(|g| GrantDto {
                    id: g.id,
                    kind: g.kind,
                    drawn: g.drawn,
                })
                .collect(),
            entries_total: seen.entries_total as u32,
            entries_by_kind: seen
                .entries_by_kind
                .into_iter()
                .map(|(k, n)| (k, n as u32))
                .collect(),
            matching: seen.matching as u32,
            offset: seen.offset as u32,
            entries: seen
                .entries
                .into_iter()
                .map(|e| JournalEntryDto {
                    day: e.at_ms as f64 / 86_400_000.0,
                    kind: e.kind.to_owned(),
                    grant: e.grant,
                    usage: e.usage,
                    amount: e.amount,
                    reason: e.reason.map(str::to_owned),
                })
                .collect(),
        })
    }

    /// Pins a finished run as the baseline of comparisons.
    pub fn pin_run(&self, run_id: u32) -> IpcResult<()> {
        self.runs.pin(run_id)
    }

    pub fn unpin_run(&self) {
        self.runs.unpin()
    }

    /// The pinned baseline's id, if any.
    pub fn pinned_run(&self) -> Option<u32> {
        self.runs.pinned()
    }

    /// `candidate` against `baseline`: deltas with their intervals and the
    /// scenario diff.
    pub fn compare_runs(&self, baseline: u32, candidate: u32) -> IpcResult<Comparison> {
        let (b, c) = (
            self.runs.finished(baseline)?,
            self.runs.finished(candidate)?,
        );
        Ok(compare::comparison((baseline, &b), (candidate, &c)))
    }

    /// The overlaid margin distributions of the two runs.
    pub fn compare_charts(&self, baseline: u32, candidate: u32) -> IpcResult<Vec<ChartDto>> {
        let (b, c) = (
            self.runs.finished(baseline)?,
            self.runs.finished(candidate)?,
        );
        Ok(vec![charts::overlay(
            (&format!("run {baseline} (baseline)"), &b.output),
            (&format!("run {candidate}"), &c.output),
        )?])
    }

    /// Exports one file of the run's report (or its raw paths) to a path
    /// the save dialog returned, telling `progress` each stage.
    pub fn export_run(
        &self,
        run_id: u32,
        format: ExportFormat,
        path: &str,
        progress: &dyn Fn(ExportProgress),
    ) -> IpcResult<String> {
        let finished = self.runs.finished(run_id)?;
        export::export(&finished, format, path, progress)
    }

    /// The catalogue in use, prices as on `day` (`YYYY-MM-DD`).
    pub fn price_catalogue(&self, day: &str) -> IpcResult<CatalogueView> {
        self.prices.view(day)
    }

    /// Imports a genai-prices `data.json` and uses it from now on.
    pub fn import_catalogue(&self, path: &str, day: &str) -> IpcResult<CatalogueView> {
        self.prices.import(path, day)
    }

    /// Writes the run's results as the JSON document `creditsim run --json`
    /// prints, to a path the save dialog returned.
    pub fn save_results(&self, run_id: u32, path: &str) -> IpcResult<String> {
        let target = files::results_path(path)?;
        let finished = self.runs.finished(run_id)?;
        let mut text = serde_json::to_string_pretty(&finished.output.to_json())
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("cannot encode the results: {e}")))?;
        text.push('\n');
        files::write_atomically(&target, text.as_bytes())?;
        Ok(target.display().to_string())
    }
}
