//! Runs: each on its own thread (never the UI's), streaming [`RunEvent`]s
//! to a sink (the window's channel), with its own cancel flag. A finished
//! run's output stays here, keyed by its id, for the dashboard, the path
//! inspector, comparisons and exports. One finished run may be pinned as
//! the baseline of comparisons; it is never forgotten while pinned.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use sim::metrics::{METRICS, Unit};
use sim::run::{Progress, RunError, RunOptions, RunOutput, Update};
use sim::scenario::Scenario;

use crate::dto::{
    Better, Estimate, MetricCell, MetricRow, PlanInfo, RunEvent, RunRequest, RunResults,
};
use crate::error::{ErrorCode, IpcError, IpcResult};

/// The most runs going at once.
pub const MAX_RUNNING: usize = 2;
/// The most finished runs kept; starting one more forgets the oldest.
pub const MAX_KEPT: usize = 8;

/// Where a run's events go (the window's channel; a Vec in tests).
pub type Sink = Box<dyn Fn(RunEvent) + Send + Sync>;

enum Slot {
    Running(Arc<AtomicBool>),
    Finished(Arc<Finished>),
    /// Failed or cancelled: nothing to show but the event already sent.
    Ended,
}

/// A finished run with what it ran.
pub struct Finished {
    pub scenario: Arc<Scenario>,
    pub source: Source,
    pub output: RunOutput,
}

/// Where a run's scenario came from.
#[derive(Clone, Debug)]
pub struct Source {
    /// The scenario text it ran (as edited, if it was), for the diff of a
    /// comparison and the copy an export embeds.
    pub text: Arc<str>,
    /// The scenario's file name without folders (`price-cut-80.toml`), as
    /// an export names its copy.
    pub file_name: String,
}

/// Every run of this app session.
#[derive(Default)]
pub struct Runs {
    slots: Mutex<BTreeMap<u32, Slot>>,
    next_id: Mutex<u32>,
    /// The run pinned as the baseline of comparisons.
    pinned: Mutex<Option<u32>>,
}

impl Runs {
    /// Checks the request, starts the run on a new thread and returns its id.
    pub fn start(
        self: &Arc<Self>,
        scenario: Arc<Scenario>,
        source: Source,
        request: &RunRequest,
        sink: Sink,
    ) -> IpcResult<u32> {
        let options = options(request)?;
        let cancel = Arc::new(AtomicBool::new(false));
        let id = {
            let mut slots = self.slots.lock().expect("runs lock");
            let running = slots
                .values()
                .filter(|s| matches!(s, Slot::Running(_)))
                .count();
            if running >= MAX_RUNNING {
                return Err(IpcError::new(
                    ErrorCode::Busy,
                    format!("{running} runs are going already; wait for one or cancel it"),
                ));
            }
            let pinned = *self.pinned.lock().expect("pinned lock");
            while slots.len() >= MAX_KEPT {
                let oldest_done = slots
                    .iter()
                    .find(|(id, s)| !matches!(s, Slot::Running(_)) && Some(**id) != pinned)
                    .map(|(id, _)| *id);
                match oldest_done {
                    Some(id) => slots.remove(&id),
                    None => break,
                };
            }
            let mut next = self.next_id.lock().expect("run id lock");
            *next += 1;
            slots.insert(*next, Slot::Running(cancel.clone()));
            *next
        };
        let runs = Arc::clone(self);
        let spawned = std::thread::Builder::new()
            .name(format!("run-{id}"))
            .spawn(move || runs.execute(id, (scenario, source), options, cancel, sink));
        if let Err(error) = spawned {
            self.slots.lock().expect("runs lock").remove(&id);
            return Err(IpcError::new(
                ErrorCode::Busy,
                format!("cannot start the run's thread: {error}; close other programs and retry"),
            ));
        }
        Ok(id)
    }

    fn execute(
        &self,
        id: u32,
        (scenario, source): (Arc<Scenario>, Source),
        options: RunOptions,
        cancel: Arc<AtomicBool>,
        sink: Sink,
    ) {
        let started = Instant::now();
        let progress = Streamed {
            id,
            started,
            sink: &sink,
        };
        let result = sim::run::run(&scenario, &options, &progress, &cancel);
        let (slot, event) = match result {
            Ok(output) => {
                let event = RunEvent::Finished {
                    run_id: id,
                    paths: output.paths as u32,
                    seconds: started.elapsed().as_secs_f64(),
                };
                (
                    Slot::Finished(Arc::new(Finished {
                        scenario,
                        source,
                        output,
                    })),
                    event,
                )
            }
            Err(RunError::Cancelled) => (Slot::Ended, RunEvent::Cancelled { run_id: id }),
            Err(RunError::Options(message)) => (
                Slot::Ended,
                RunEvent::Failed {
                    run_id: id,
                    error: IpcError::new(ErrorCode::BadOptions, message),
                },
            ),
        };
        // The slot is updated before the event is sent, so a window that
        // asks for results on `finished` finds them.
        self.slots.lock().expect("runs lock").insert(id, slot);
        sink(event);
    }

    /// Raises the run's cancel flag; it stops within a batch's customer.
    /// Cancelling a run that already ended does nothing.
    pub fn cancel(&self, id: u32) -> IpcResult<()> {
        match self.slots.lock().expect("runs lock").get(&id) {
            Some(Slot::Running(flag)) => {
                flag.store(true, Ordering::Relaxed);
                Ok(())
            }
            Some(_) => Ok(()),
            None => Err(unknown(id)),
        }
    }

    /// A finished run.
    pub fn finished(&self, id: u32) -> IpcResult<Arc<Finished>> {
        match self.slots.lock().expect("runs lock").get(&id) {
            Some(Slot::Finished(finished)) => Ok(Arc::clone(finished)),
            Some(Slot::Running(_)) => Err(IpcError::new(
                ErrorCode::RunNotFinished,
                format!("run {id} is still going; its results come when it finishes"),
            )),
            Some(Slot::Ended) => Err(IpcError::new(
                ErrorCode::RunNotFinished,
                format!("run {id} was cancelled or failed, so it has no results"),
            )),
            None => Err(unknown(id)),
        }
    }

    /// Pins a finished run as the baseline of comparisons (replacing any
    /// other): it is kept however many runs follow, until unpinned.
    pub fn pin(&self, id: u32) -> IpcResult<()> {
        self.finished(id)?;
        *self.pinned.lock().expect("pinned lock") = Some(id);
        Ok(())
    }

    /// Unpins the baseline; it is forgotten in turn like any other run.
    pub fn unpin(&self) {
        *self.pinned.lock().expect("pinned lock") = None;
    }

    /// The pinned run, if any.
    pub fn pinned(&self) -> Option<u32> {
        *self.pinned.lock().expect("pinned lock")
    }
}

fn unknown(id: u32) -> IpcError {
    IpcError::new(
        ErrorCode::UnknownRun,
        format!("no run {id} (the app keeps the last {MAX_KEPT}); run the scenario again"),
    )
}

/// The request as runner options, checked here so the window gets a
/// precise error before a thread starts.
fn options(request: &RunRequest) -> IpcResult<RunOptions> {
    let max = sim::scenario::limits::MAX_PATHS;
    if let Some(paths) = request.paths
        && (paths == 0 || paths > max)
    {
        return Err(IpcError::new(
            ErrorCode::BadOptions,
            format!("paths: expected 1 to {max}, got {paths}"),
        ));
    }
    if let Some(precision) = request.precision
        && !(precision.is_finite() && precision > 0.0 && precision < 1.0)
    {
        return Err(IpcError::new(
            ErrorCode::BadOptions,
            format!(
                "precision: expected a fraction between 0 and 1 (0.01 for 1%), got {precision}"
            ),
        ));
    }
    Ok(RunOptions {
        paths: request.paths.map(|p| p as usize),
        seed: request.seed,
        threads: None,
        precision: request.precision,
    })
}

/// Turns the runner's updates into progress events with a measured rate.
struct Streamed<'a> {
    id: u32,
    started: Instant,
    sink: &'a Sink,
}

impl Progress for Streamed<'_> {
    fn update(&self, update: &Update<'_>) {
        let seconds = self.started.elapsed().as_secs_f64();
        let rate = if seconds > 0.0 {
            update.paths_done as f64 / seconds
        } else {
            0.0
        };
        let left = update.paths_max.saturating_sub(update.paths_done) as f64;
        (self.sink)(RunEvent::Progress {
            run_id: self.id,
            paths_done: update.paths_done as u32,
            paths_max: update.paths_max as u32,
            paths_per_second: rate,
            seconds_left: (rate > 0.0).then(|| left / rate),
            estimates: update
                .estimates
                .iter()
                .map(|(plan, s)| Estimate {
                    plan: plan.clone(),
                    mean: s.mean,
                    ci95: s.ci95,
                })
                .collect(),
        });
    }
}

/// Which way is better for each metric (by name), for marking the best plan.
pub fn better(metric: &str) -> Better {
    match metric {
        "revenue" | "gross_margin" | "gross_margin_pct" | "cash_collected" | "calls_served"
        | "days_to_exhaustion" => Better::Higher,
        "receivables"
        | "exposure_peak"
        | "bad_debt"
        | "blocked_events"
        | "blocked_value"
        | "overshoot"
        | "customers_interrupted"
        | "interrupted_hours"
        | "customers_churned"
        | "disputes"
        | "customers_exhausted"
        | "p_exhausted" => Better::Lower,
        _ => Better::Neither,
    }
}

pub fn unit(unit: Unit) -> &'static str {
    match unit {
        Unit::Currency => "currency",
        Unit::Percent => "percent",
        Unit::Count => "count",
        Unit::Hours => "hours",
        Unit::Days => "days",
    }
}

/// The comparison table of a finished run: every metric, then the
/// probability that a customer's credit runs out.
pub fn results(id: u32, output: &RunOutput) -> RunResults {
    let mut rows: Vec<MetricRow> = METRICS
        .iter()
        .enumerate()
        .map(|(index, metric)| MetricRow {
            name: metric.name.to_owned(),
            label: metric.label.to_owned(),
            unit: unit(metric.unit).to_owned(),
            better: better(metric.name),
            cells: output
                .plans
                .iter()
                .map(|plan| {
                    let s = plan.summary(index);
                    MetricCell {
                        mean: s.mean,
                        ci95: s.ci95,
                        p05: s.p05,
                        p50: s.p50,
                        p95: s.p95,
                    }
                })
                .collect(),
        })
        .collect();
    rows.push(MetricRow {
        name: "p_exhausted".to_owned(),
        label: "P(credit runs out before the horizon ends)".to_owned(),
        unit: "probability".to_owned(),
        better: better("p_exhausted"),
        cells: output
            .plans
            .iter()
            .map(|plan| {
                let (p, ci) = plan.p_exhausted();
                MetricCell {
                    mean: p,
                    ci95: Some(ci),
                    p05: p,
                    p50: p,
                    p95: p,
                }
            })
            .collect(),
    });
    RunResults {
        run_id: id,
        scenario: output.scenario.clone(),
        seed: output.seed,
        paths: output.paths as u32,
        stopped_by: output.stopped_by.code().to_owned(),
        precision: output.precision,
        horizon_days: output.horizon_days,
        plans: output
            .plans
            .iter()
            .map(|p| PlanInfo {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect(),
        rows,
    }
}
