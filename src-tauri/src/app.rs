//! The app's state and what each command does, independent of Tauri so the
//! tests can drive it directly: open scenarios, runs, results, charts, the
//! path inspector and saving results. `commands.rs` is a line per command
//! over this.

use std::sync::{Arc, Mutex};

use crate::dto::{
    ChartDto, CustomerDto, GrantDto, InspectRequest, Inspection, JournalEntryDto, JournalFilter,
    RunRequest, RunResults, ScenarioInfo,
};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::runs::{Runs, Sink};
use crate::scenarios::Library;
use crate::{charts, files, runs};

/// Everything the window can reach.
pub struct App {
    library: Mutex<Library>,
    runs: Arc<Runs>,
}

impl Default for App {
    fn default() -> App {
        App::new()
    }
}

impl App {
    pub fn new() -> App {
        App {
            library: Mutex::new(Library::new()),
            runs: Arc::new(Runs::default()),
        }
    }

    pub fn list_scenarios(&self) -> Vec<ScenarioInfo> {
        self.library.lock().expect("library lock").list()
    }

    pub fn open_scenario(&self, path: &str) -> IpcResult<ScenarioInfo> {
        self.library.lock().expect("library lock").open(path)
    }

    pub fn start_run(&self, request: &RunRequest, sink: Sink) -> IpcResult<u32> {
        let loaded = self
            .library
            .lock()
            .expect("library lock")
            .get(&request.scenario)?;
        self.runs.start(loaded.scenario, request, sink)
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
