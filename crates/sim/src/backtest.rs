//! Backtest: a real usage trace replayed exactly (no Monte Carlo) through
//! every plan of a scenario, with the same per-customer machinery as a
//! simulated path ([`crate::customer::Account`]: wallet, enforcement,
//! billing periods, invoices, payments, top-ups and reactions).
//!
//! Each trace row is one model call, a task of one step, priced with the
//! scenario's provider prices and rate card: the model is the row's `model`
//! column, or [`BacktestOptions::model`], or the scenario's first model.
//! Rows go to customers by a column's value, or round-robin over a number of
//! customers (row `i`, counted from 0, goes to customer `i mod n`); a
//! customer signs up at its first row. Within a customer, distinct values of
//! the `actor` column are its agents (actor budgets apply to them).
//!
//! Trace timestamps are shifted by whole days so that the first row falls on
//! the scenario's start date at its own time of day; the horizon runs from
//! 00:00 UTC of that date for as many whole days as the shifted trace spans.
//! Customer behaviour (payment terms, defaults, reactions to blocks, bill
//! shock) is the scenario segment's (the first, or
//! [`BacktestOptions::segment`]); its random draws are keyed by the
//! scenario's seed and path 0, so a backtest is deterministic.
//!
//! The trace is read twice, one row at a time: a first pass checks every row
//! and finds the span, customers and actors; the second replays it. Memory
//! holds per-customer accounts and per-day series, not rows.

use std::collections::HashMap;
use std::fmt;
use std::io::{Read, Seek, SeekFrom};

use rust_decimal::Decimal;

use crate::customer::{Account, Context, PlanTotals};
use crate::demand::{Call, Demand};
use crate::metrics::{self, METRICS, Row};
use crate::plan::PlanModel;
use crate::pricing::PriceTable;
use crate::scenario::Scenario;
use crate::scenario::limits::{MAX_AGENTS_PER_CUSTOMER, MAX_HORIZON_DAYS};
use crate::trace::{Columns, Format, RowError, RowProblems, TraceError, TraceReader};

const MS_PER_DAY: i64 = 86_400_000;
/// The most customers a backtest keeps accounts for.
pub const MAX_BACKTEST_CUSTOMERS: u64 = 200_000;

/// Who a row belongs to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Customers {
    /// The value of this header column names the customer.
    FromColumn(String),
    /// Round-robin over this many customers.
    RoundRobin(u64),
}

/// How to replay a trace.
#[derive(Clone, Debug)]
pub struct BacktestOptions {
    pub format: Format,
    pub columns: Columns,
    /// Default: the trace's `customer` column if it has one, else one customer.
    pub customers: Option<Customers>,
    /// The model of rows without a `model` column; default the scenario's first.
    pub model: Option<String>,
    /// The segment whose customer behaviour applies; default the first.
    pub segment: Option<String>,
}

/// One plan's result over the trace. `totals` are exact; `row` holds every
/// metric of `crate::metrics::METRICS` in that order.
#[derive(Clone, Debug)]
pub struct PlanBacktest {
    pub id: String,
    pub totals: PlanTotals,
    pub row: Row,
}

/// A backtest's result, for the CLI table, JSON and report writers.
#[derive(Clone, Debug)]
pub struct BacktestOutput {
    pub scenario: Option<String>,
    /// The billing currency money metrics are in.
    pub currency: String,
    /// The scenario's seed: the streams of payment defaults and reactions.
    pub seed: u64,
    pub trace: String,
    pub rows: u64,
    pub customers: u64,
    /// The model of rows without a `model` column.
    pub model: String,
    pub segment: String,
    /// First and last trace timestamps as written, RFC 3339 (before the shift).
    pub trace_first: String,
    pub trace_last: String,
    /// Milliseconds added to every trace timestamp.
    pub shift_ms: i64,
    /// The replay's first day (the scenario's start date, `YYYY-MM-DD`) and length.
    pub start: String,
    pub days: usize,
    pub plans: Vec<PlanBacktest>,
}

/// Why a backtest could not run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BacktestError {
    Trace(TraceError),
    /// An option names something the scenario or trace does not have.
    Option {
        message: String,
    },
}

impl BacktestError {
    /// One line per problem.
    pub fn lines(&self) -> Vec<String> {
        match self {
            BacktestError::Trace(e) => e.lines(),
            BacktestError::Option { message } => vec![message.clone()],
        }
    }
}

impl fmt::Display for BacktestError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.lines().join("\n"))
    }
}

impl std::error::Error for BacktestError {}

impl From<TraceError> for BacktestError {
    fn from(e: TraceError) -> BacktestError {
        BacktestError::Trace(e)
    }
}

/// What the first pass learns.
struct Scan {
    rows: u64,
    first_us: i64,
    last_us: i64,
    /// Customer name to index (column mode).
    customers: HashMap<String, u32>,
    /// Per customer, actor name to index.
    actors: Vec<HashMap<String, u16>>,
    customer_count: u64,
}

/// Where a row goes: customer, actor, model.
struct Route {
    customer: usize,
    actor: u16,
    model: u16,
}

/// Replays the trace in `source` through every plan of `scenario`.
pub fn backtest<R: Read + Seek>(
    scenario: &Scenario,
    mut source: R,
    file: &str,
    options: &BacktestOptions,
) -> Result<BacktestOutput, BacktestError> {
    let segment_index = segment_index(scenario, options.segment.as_deref())?;
    let default_model = match &options.model {
        Some(id) => model_index(scenario, id).ok_or_else(|| BacktestError::Option {
            message: format!(
                "--model {id}: the scenario has no such model (it has {})",
                model_ids(scenario)
            ),
        })?,
        None => 0,
    };
    let reader = TraceReader::new(&mut source, file, options.format, &options.columns)?;
    let customers = resolve_customers(&reader, options)?;
    let mut scan = scan(reader, scenario, &customers, default_model)?;

    let start = scenario.start.to_time().millis();
    let first_ms = scan.first_us.div_euclid(1000);
    let shift_ms = start + first_ms.rem_euclid(MS_PER_DAY) - first_ms;
    let last_ms = scan.last_us.div_euclid(1000) + shift_ms;
    let days = ((last_ms - start) / MS_PER_DAY + 1) as usize;
    if days > MAX_HORIZON_DAYS as usize {
        return Err(BacktestError::Option {
            message: format!(
                "{file}: the trace spans {days} days, more than the {MAX_HORIZON_DAYS} a scenario may"
            ),
        });
    }
    let mut replay_scenario = scenario.clone();
    replay_scenario.horizon_days = days as u32;
    let prices = PriceTable::new(&replay_scenario);
    let plans: Vec<PlanModel> = replay_scenario
        .plans
        .iter()
        .map(|p| PlanModel::new(&replay_scenario, p, &prices))
        .collect();
    let ctx = Context {
        seed: scenario.seed,
        path: 0,
        start,
        end: start + days as i64 * MS_PER_DAY,
        prices: &prices,
    };
    source
        .seek(SeekFrom::Start(0))
        .map_err(|e| TraceError::Read {
            file: file.to_owned(),
            message: format!("cannot read the trace again: {e}"),
        })?;
    let reader = TraceReader::new(&mut source, file, options.format, &options.columns)?;
    let segment = (segment_index, &replay_scenario.segments[segment_index]);
    let setup = Replay {
        scenario: &replay_scenario,
        customers,
        default_model,
        ctx: &ctx,
        plans: &plans,
        segment,
        shift_ms,
    };
    let totals = replay(reader, &mut scan, &setup)?;
    let plans = replay_scenario
        .plans
        .iter()
        .zip(totals)
        .map(|(plan, totals)| PlanBacktest {
            id: plan.id.clone(),
            row: metrics::row(&totals, days as u32),
            totals,
        })
        .collect();
    Ok(BacktestOutput {
        scenario: scenario.name.clone(),
        currency: scenario.currency.clone(),
        seed: scenario.seed,
        trace: file.to_owned(),
        rows: scan.rows,
        customers: scan.customer_count,
        model: scenario.models[default_model].id.clone(),
        segment: scenario.segments[segment_index].id.clone(),
        trace_first: rfc3339(scan.first_us / 1000),
        trace_last: rfc3339(scan.last_us / 1000),
        shift_ms,
        start: scenario.start.get().to_string(),
        days,
        plans,
    })
}

fn segment_index(scenario: &Scenario, id: Option<&str>) -> Result<usize, BacktestError> {
    let Some(id) = id else { return Ok(0) };
    scenario
        .segments
        .iter()
        .position(|s| s.id == id)
        .ok_or_else(|| BacktestError::Option {
            message: format!(
                "--segment {id}: the scenario has no such segment (it has {})",
                scenario
                    .segments
                    .iter()
                    .map(|s| format!("`{}`", s.id))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        })
}

fn model_index(scenario: &Scenario, id: &str) -> Option<usize> {
    scenario.models.iter().position(|m| m.id == id)
}

fn model_ids(scenario: &Scenario) -> String {
    scenario
        .models
        .iter()
        .map(|m| format!("`{}`", m.id))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The customer column's index, or the round-robin count.
#[derive(Clone, Copy)]
enum CustomerKey {
    Column(usize),
    RoundRobin(u64),
}

fn resolve_customers<R: Read>(
    reader: &TraceReader<R>,
    options: &BacktestOptions,
) -> Result<CustomerKey, BacktestError> {
    match &options.customers {
        Some(Customers::FromColumn(name)) => Ok(CustomerKey::Column(reader.column(name)?)),
        Some(Customers::RoundRobin(0)) => Err(BacktestError::Option {
            message: "--customers 0: give at least 1 customer".to_owned(),
        }),
        Some(Customers::RoundRobin(n)) if *n > MAX_BACKTEST_CUSTOMERS => {
            Err(BacktestError::Option {
                message: format!("--customers {n}: at most {MAX_BACKTEST_CUSTOMERS} customers"),
            })
        }
        Some(Customers::RoundRobin(n)) => Ok(CustomerKey::RoundRobin(*n)),
        None => Ok(match reader.layout.customer {
            Some(index) => CustomerKey::Column(index),
            None => CustomerKey::RoundRobin(1),
        }),
    }
}

/// First pass: every row checked; span, customers and actors found.
fn scan<R: Read>(
    mut reader: TraceReader<R>,
    scenario: &Scenario,
    customers: &CustomerKey,
    default_model: usize,
) -> Result<Scan, BacktestError> {
    let mut problems = RowProblems::new(reader.file());
    let mut scan = Scan {
        rows: 0,
        first_us: 0,
        last_us: 0,
        customers: HashMap::new(),
        actors: Vec::new(),
        customer_count: 0,
    };
    while let Some(next) = reader.next_row() {
        let row = match next? {
            Ok(row) => row,
            Err(error) => {
                problems.push(error);
                continue;
            }
        };
        if let Err(error) = route(
            &reader,
            &mut scan,
            customers,
            scenario,
            default_model,
            row.line,
            true,
        ) {
            problems.push(error);
            continue;
        }
        if scan.rows == 0 {
            scan.first_us = row.at_us;
        }
        scan.last_us = row.at_us;
        scan.rows += 1;
    }
    if !problems.is_empty() {
        return Err(TraceError::Rows(problems).into());
    }
    if scan.rows == 0 {
        return Err(TraceError::Empty {
            file: reader.file().to_owned(),
        }
        .into());
    }
    scan.customer_count = match customers {
        CustomerKey::Column(_) => scan.customers.len() as u64,
        CustomerKey::RoundRobin(n) => (*n).min(scan.rows),
    };
    Ok(scan)
}

/// Finds (in the first pass, `learn`: also records) a row's customer, actor
/// and model.
fn route<R: Read>(
    reader: &TraceReader<R>,
    scan: &mut Scan,
    customers: &CustomerKey,
    scenario: &Scenario,
    default_model: usize,
    line: u64,
    learn: bool,
) -> Result<Route, RowError> {
    let row_error = |column: Option<String>, message: String| RowError {
        line,
        column,
        message,
    };
    let model = match reader.model() {
        Some(id) => model_index(scenario, id).ok_or_else(|| {
            row_error(
                reader.layout.model.map(|i| reader.header()[i].clone()),
                format!(
                    "unknown model `{id}`: the scenario has {}",
                    model_ids(scenario)
                ),
            )
        })?,
        None => default_model,
    };
    let customer = match customers {
        CustomerKey::RoundRobin(n) => (scan.rows % n) as usize,
        CustomerKey::Column(index) => {
            let name = reader.text(*index);
            match scan.customers.get(name) {
                Some(&c) => c as usize,
                None if learn => {
                    if scan.customers.len() as u64 >= MAX_BACKTEST_CUSTOMERS {
                        return Err(row_error(
                            Some(reader.header()[*index].clone()),
                            format!(
                                "more than {MAX_BACKTEST_CUSTOMERS} customers: backtest a part of the trace"
                            ),
                        ));
                    }
                    let c = scan.customers.len();
                    scan.customers.insert(name.to_owned(), c as u32);
                    c
                }
                None => {
                    return Err(row_error(
                        None,
                        "a customer the first pass did not see: was the file changed?".to_owned(),
                    ));
                }
            }
        }
    };
    if scan.actors.len() <= customer {
        scan.actors.resize_with(customer + 1, HashMap::new);
    }
    let actor = match reader.actor() {
        None => 0,
        Some(name) => {
            let actors = &mut scan.actors[customer];
            match actors.get(name) {
                Some(&a) => a,
                None if learn && actors.len() < MAX_AGENTS_PER_CUSTOMER as usize => {
                    let a = actors.len() as u16;
                    actors.insert(name.to_owned(), a);
                    a
                }
                None if learn => {
                    return Err(row_error(
                        reader.layout.actor.map(|i| reader.header()[i].clone()),
                        format!(
                            "more than {MAX_AGENTS_PER_CUSTOMER} actors for one customer, the most a wallet tracks"
                        ),
                    ));
                }
                None => {
                    return Err(row_error(
                        None,
                        "an actor the first pass did not see: was the file changed?".to_owned(),
                    ));
                }
            }
        }
    };
    Ok(Route {
        customer,
        actor,
        model: model as u16,
    })
}

/// What the second pass replays through.
struct Replay<'a> {
    scenario: &'a Scenario,
    customers: CustomerKey,
    default_model: usize,
    ctx: &'a Context<'a>,
    plans: &'a [PlanModel],
    /// The segment whose customer behaviour applies, with its index.
    segment: (usize, &'a crate::scenario::Segment),
    /// Added to every trace timestamp (ms).
    shift_ms: i64,
}

/// Second pass: every row metered through each plan's account of its customer.
fn replay<R: Read>(
    mut reader: TraceReader<R>,
    scan: &mut Scan,
    setup: &Replay<'_>,
) -> Result<Vec<PlanTotals>, BacktestError> {
    let Replay {
        scenario,
        ref customers,
        default_model,
        ctx,
        plans,
        segment,
        shift_ms,
    } = *setup;
    let days = ((ctx.end - ctx.start) / MS_PER_DAY) as usize;
    let mut totals: Vec<PlanTotals> = plans.iter().map(|_| PlanTotals::new(days)).collect();
    let mut accounts: Vec<Option<Vec<Account<'_>>>> = Vec::new();
    accounts.resize_with(scan.customer_count as usize, || None);
    // The row counter restarts for round-robin routing; names are only read.
    scan.rows = 0;
    let mut aborted = [false];
    while let Some(next) = reader.next_row() {
        let one_problem = |e: RowError, file: &str| {
            let mut problems = RowProblems::new(file);
            problems.push(e);
            TraceError::Rows(problems)
        };
        let row = next?.map_err(|e| one_problem(e, reader.file()))?;
        let route = route(
            &reader,
            scan,
            customers,
            scenario,
            default_model,
            row.line,
            false,
        )
        .map_err(|e| one_problem(e, reader.file()))?;
        scan.rows += 1;
        let at = row.at_us.div_euclid(1000) + shift_ms;
        let call = Call {
            at,
            task: 0,
            actor: route.actor,
            model: route.model,
            day: ((at - ctx.start) / MS_PER_DAY) as u16,
            first: true,
            leak: false,
            tokens: row.tokens(),
        };
        let slot = &mut accounts[route.customer];
        let accounts = slot.get_or_insert_with(|| {
            let agents = scan.actors[route.customer].len().max(1) as u16;
            let demand = Demand {
                joined_at: at,
                agents,
                tasks: 1,
                calls: Vec::new(),
            };
            plans
                .iter()
                .map(|plan| Account::open(ctx, plan, segment, route.customer as u64, &demand))
                .collect()
        });
        for (account, plan_totals) in accounts.iter_mut().zip(&mut totals) {
            // Each row is a task of its own: nothing carries over between rows.
            aborted[0] = false;
            account.call(&call, &mut aborted, plan_totals);
        }
    }
    for accounts in accounts.into_iter().flatten() {
        for (account, plan_totals) in accounts.into_iter().zip(&mut totals) {
            account.close(plan_totals);
        }
    }
    Ok(totals)
}

fn rfc3339(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true))
        .unwrap_or_default()
}

impl BacktestOutput {
    /// Every plan's metrics and daily series as one JSON document. Money is
    /// in the billing currency; exact totals are written as decimal strings
    /// under `exact`.
    pub fn to_json(&self) -> serde_json::Value {
        use serde_json::{Map, Value, json};
        let mut plans = Map::new();
        for plan in &self.plans {
            let mut metrics = Map::new();
            for (metric, value) in METRICS.iter().zip(plan.row) {
                metrics.insert(metric.name.into(), json!(value));
            }
            let t = &plan.totals;
            let exact = |d: Decimal| Value::String(d.normalize().to_string());
            plans.insert(
                plan.id.clone(),
                json!({
                    "metrics": metrics,
                    "exact": {
                        "revenue": exact(t.revenue),
                        "provider_cost": exact(t.provider_cost),
                        "gross_margin": exact(t.revenue - t.provider_cost),
                        "blocked_value": exact(t.blocked_value),
                        "overage_invoiced": exact(t.overage_invoiced),
                        "breakage": exact(t.breakage),
                        "cash_collected": exact(t.cash_collected),
                        "receivables": exact(t.receivables),
                        "bad_debt": exact(t.bad_debt),
                    },
                    "daily": {
                        "exposure": t.daily_exposure,
                        "available": t.daily_available,
                        "revenue": t.daily_revenue,
                        "provider_cost": t.daily_provider_cost,
                    },
                }),
            );
        }
        json!({
            "scenario": self.scenario,
            "currency": self.currency,
            "seed": self.seed,
            "trace": self.trace,
            "rows": self.rows,
            "customers": self.customers,
            "model": self.model,
            "segment": self.segment,
            "trace_first": self.trace_first,
            "trace_last": self.trace_last,
            "shift_ms": self.shift_ms,
            "start": self.start,
            "days": self.days,
            "plans": plans,
        })
    }
}
