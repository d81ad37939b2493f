//! The path inspector: one customer under one plan on one path, simulated
//! again with the wallet's journal kept, so a person can see what happened
//! to its balance day by day and why: which grant each call drew from, what
//! was rejected and for what reason.
//!
//! A run keeps no journals (they would hold every metered call of every
//! customer); since a run is a pure function of (scenario, seed), the same
//! path can be drawn again on demand and gives the same wallet, call for
//! call.

use ledger::{EntryKind, GrantIndex, ReversalTarget};
use rust_decimal::Decimal;
use serde::Serialize;
use thiserror::Error;

use crate::customer::{self, Context, PlanTotals};
use crate::demand::{Demand, DemandContext};
use crate::path::Model;
use crate::scenario::Scenario;

/// The most journal entries one request returns; page with `offset`.
pub const MAX_PAGE: usize = 1000;

/// The most customers [`customers`] lists for one path.
pub const MAX_LISTED_CUSTOMERS: usize = 10_000;

/// A customer on a path, as the inspector lists them.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct CustomerRef {
    /// The position on the path, in segment order then joining order: what
    /// [`Request::customer`] takes.
    pub index: usize,
    pub segment: String,
    /// Horizon day on which the customer joined (0 for those present at the start).
    pub joined_day: u32,
    /// Agents the customer runs (its first actor is its own account).
    pub agents: u16,
}

/// Which journal entries to return.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Filter {
    All,
    /// Rejected calls only.
    Rejected,
    /// Everything but draws: grants, expiries, top-ups, rollovers, overdraft,
    /// invoices, alerts.
    Grants,
}

/// What to inspect.
#[derive(Clone, Debug)]
pub struct Request {
    /// Index into the scenario's plans.
    pub plan: usize,
    pub path: u64,
    /// Index into [`customers`] for this path.
    pub customer: usize,
    pub filter: Filter,
    /// The first matching entry to return, and how many (at most [`MAX_PAGE`]).
    pub offset: usize,
    pub limit: usize,
}

/// One journal entry in words and numbers.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct JournalEntry {
    /// Milliseconds since the horizon's start.
    pub at_ms: i64,
    /// The ledger's entry code (`drawn`, `rejected`, `granted`, ...).
    pub kind: &'static str,
    /// The grant's id in the wallet (`signup-pack`, `topup-2`, ...), if the entry is about one.
    pub grant: Option<String>,
    pub usage: Option<u64>,
    /// Credits, exact, as a decimal string.
    pub amount: Option<String>,
    /// Why a call was rejected (`insufficient_credit`, `actor_budget`, ...)
    /// or where a reversal went.
    pub reason: Option<&'static str>,
}

/// A grant of the customer's wallet.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct GrantSummary {
    pub id: String,
    /// The ledger's grant kind (`promotional`, `purchased`, ...).
    pub kind: String,
    /// Credits drawn over the horizon, as a decimal string.
    pub drawn: String,
}

/// What the inspector shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Inspection {
    pub plan: String,
    pub path: u64,
    pub customer: CustomerRef,
    /// Available balance (credits) at the end of each horizon day; days
    /// before the customer joined are 0.
    pub daily_available: Vec<f64>,
    pub grants: Vec<GrantSummary>,
    /// Entries of the whole journal, and of each kind (in first-seen order).
    pub entries_total: usize,
    pub entries_by_kind: Vec<(String, usize)>,
    /// Entries matching the filter, and the requested page of them.
    pub matching: usize,
    pub offset: usize,
    pub entries: Vec<JournalEntry>,
}

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum InspectError {
    #[error("plan {0} does not exist (the scenario has {1} plans)")]
    NoSuchPlan(usize, usize),
    #[error("customer {0} does not exist on this path (it has {1} customers)")]
    NoSuchCustomer(usize, usize),
    #[error("a page holds 1 to {MAX_PAGE} entries, got {0}")]
    Page(usize),
}

/// The customers on `path`, in the order the runner simulates them (at most
/// [`MAX_LISTED_CUSTOMERS`]).
pub fn customers(scenario: &Scenario, seed: u64, path: u64) -> Vec<CustomerRef> {
    let model = Model::new(scenario, seed);
    let ctx = demand_context(&model, path);
    let mut listed = Vec::new();
    let mut demand = Demand::default();
    for segment in &model.segments {
        let spec = &scenario.segments[segment.index];
        for (customer, joined) in segment.customers(seed, path, model.start, scenario.horizon_days)
        {
            if listed.len() >= MAX_LISTED_CUSTOMERS {
                return listed;
            }
            segment.demand(&ctx, customer, joined, &mut demand);
            listed.push(CustomerRef {
                index: listed.len(),
                segment: spec.id.clone(),
                joined_day: ((joined - model.start) / MS_PER_DAY) as u32,
                agents: demand.agents,
            });
        }
    }
    listed
}

const MS_PER_DAY: i64 = 86_400_000;

fn demand_context(model: &Model<'_>, path: u64) -> DemandContext {
    DemandContext {
        seed: model.seed,
        path,
        start: model.start,
        end: model.end,
    }
}

/// Simulates one customer of one path under one plan again, journal kept.
/// The result matches what the run saw for that customer: same demand,
/// same draws, same payments.
pub fn inspect(
    scenario: &Scenario,
    seed: u64,
    request: &Request,
) -> Result<Inspection, InspectError> {
    if request.limit == 0 || request.limit > MAX_PAGE {
        return Err(InspectError::Page(request.limit));
    }
    let mut model = Model::new(scenario, seed);
    let plans = model.plans.len();
    let plan = model
        .plans
        .get_mut(request.plan)
        .ok_or(InspectError::NoSuchPlan(request.plan, plans))?;
    plan.keep_journal();
    let listed = customers(scenario, seed, request.path);
    let target = listed
        .get(request.customer)
        .ok_or(InspectError::NoSuchCustomer(request.customer, listed.len()))?
        .clone();
    let (segment, customer, joined) = model
        .segments
        .iter()
        .flat_map(|segment| {
            segment
                .customers(seed, request.path, model.start, scenario.horizon_days)
                .into_iter()
                .map(move |(customer, joined)| (segment, customer, joined))
        })
        .nth(request.customer)
        .ok_or(InspectError::NoSuchCustomer(request.customer, listed.len()))?;
    let mut demand = Demand::default();
    segment.demand(
        &demand_context(&model, request.path),
        customer,
        joined,
        &mut demand,
    );
    let ctx = Context {
        seed,
        path: request.path,
        start: model.start,
        end: model.end,
        prices: &model.prices,
    };
    let plan = &model.plans[request.plan];
    let mut totals = PlanTotals::new(model.days);
    let wallet = customer::simulate_wallet(
        &ctx,
        plan,
        (segment.index, &scenario.segments[segment.index]),
        customer,
        &demand,
        &mut Vec::new(),
        &mut totals,
    );
    let grant_id = |g: GrantIndex| wallet.grants().get(g.get()).map(|g| g.id().to_owned());
    let journal = wallet.journal();
    let mut by_kind: Vec<(String, usize)> = Vec::new();
    let mut matching = 0;
    let mut entries = Vec::new();
    for entry in journal {
        let code = entry.kind.code();
        match by_kind.iter_mut().find(|(kind, _)| kind == code) {
            Some((_, count)) => *count += 1,
            None => by_kind.push((code.to_owned(), 1)),
        }
        if !matches(request.filter, &entry.kind) {
            continue;
        }
        if matching >= request.offset && entries.len() < request.limit {
            entries.push(describe(entry, model.start, &grant_id));
        }
        matching += 1;
    }
    Ok(Inspection {
        plan: plan.id.clone(),
        path: request.path,
        customer: target,
        daily_available: totals.daily_available,
        grants: wallet
            .grants()
            .iter()
            .map(|g| GrantSummary {
                id: g.id().to_owned(),
                kind: format!("{:?}", g.kind()).to_lowercase(),
                drawn: g.drawn().normalize().to_string(),
            })
            .collect(),
        entries_total: journal.len(),
        entries_by_kind: by_kind,
        matching,
        offset: request.offset,
        entries,
    })
}

fn matches(filter: Filter, kind: &EntryKind) -> bool {
    match filter {
        Filter::All => true,
        Filter::Rejected => matches!(kind, EntryKind::Rejected { .. }),
        Filter::Grants => !matches!(kind, EntryKind::Drawn { .. } | EntryKind::Rejected { .. }),
    }
}

fn describe(
    entry: &ledger::Entry,
    start: i64,
    grant_id: &dyn Fn(GrantIndex) -> Option<String>,
) -> JournalEntry {
    let amount = |a: &Decimal| Some(a.normalize().to_string());
    let mut out = JournalEntry {
        at_ms: entry.at.millis() - start,
        kind: entry.kind.code(),
        grant: None,
        usage: None,
        amount: None,
        reason: None,
    };
    match &entry.kind {
        EntryKind::Granted { grant, amount: a }
        | EntryKind::Expired { grant, amount: a }
        | EntryKind::Voided { grant, amount: a }
        | EntryKind::Refilled { grant, amount: a }
        | EntryKind::OverdraftRepaid { grant, amount: a }
        | EntryKind::Topup { grant, amount: a }
        | EntryKind::RolledOver { grant, delta: a } => {
            out.grant = grant_id(*grant);
            out.amount = amount(a);
        }
        EntryKind::Drawn {
            usage,
            grant,
            amount: a,
        } => {
            out.usage = Some(usage.0);
            out.grant = grant_id(*grant);
            out.amount = amount(a);
        }
        EntryKind::Rejected { usage, reason } => {
            out.usage = Some(usage.0);
            out.reason = Some(reason.code());
        }
        EntryKind::Reversed {
            usage,
            to,
            amount: a,
        } => {
            out.usage = Some(usage.0);
            out.amount = amount(a);
            out.reason = Some(match to {
                ReversalTarget::Balance(_) => "to_balance",
                ReversalTarget::Expired(_) => "to_expired",
                ReversalTarget::Voided(_) => "to_voided",
                ReversalTarget::Overdraft => "to_overdraft",
                ReversalTarget::Invoice => "to_invoice",
                ReversalTarget::Forgiven => "forgiven",
                ReversalTarget::Uncollected => "uncollected",
            });
            if let ReversalTarget::Balance(g)
            | ReversalTarget::Expired(g)
            | ReversalTarget::Voided(g) = to
            {
                out.grant = grant_id(*g);
            }
        }
        EntryKind::OverdraftDrawn { usage, amount: a }
        | EntryKind::Invoiced {
            usage, amount: a, ..
        }
        | EntryKind::Uncollected { usage, amount: a } => {
            out.usage = Some(usage.0);
            out.amount = amount(a);
        }
        EntryKind::OverdraftForgiven { amount: a } => out.amount = amount(a),
        EntryKind::Alert { available, .. } => {
            out.amount = amount(available);
            out.reason = Some("below_threshold");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;

    const TINY: &str = r#"
version = 1
start = 2026-01-01
horizon_days = 20
paths = 10
seed = 5

[[models]]
id = "anthropic/claude-sonnet-4-6"
price_per_mtok = { input = 3, output = 15, cache_read = 0.3 }

[[rate_card]]
model = "anthropic/claude-sonnet-4-6"
credits_per_mtok = { input = 450, output = 2250, cache_read = 45 }

[[segments]]
id = "a"
customers = 3
new_customers_per_day = 0.3

[segments.tasks]
per_agent_per_day = 2
steps = { dist = "poisson", mean = 4 }
input_tokens = { dist = "lognormal", median = 1469, sigma = 1.36 }
output_tokens = { dist = "lognormal", median = 13, sigma = 0.85 }

[[segments.model_mix]]
model = "anthropic/claude-sonnet-4-6"
share = 1

[[plans]]
id = "prepaid"
billing = "prepaid"
price_per_credit = "0.01"
initial_pack = "starter"
exhaustion = { rule = "overdraft", limit = 5 }

[[plans.packs]]
id = "starter"
credits = 30
price = 0.3

[[plans]]
id = "postpaid"
billing = "postpaid"
price_per_credit = "0.01"
"#;

    fn request(plan: usize, path: u64, customer: usize, filter: Filter) -> Request {
        Request {
            plan,
            path,
            customer,
            filter,
            offset: 0,
            limit: MAX_PAGE,
        }
    }

    /// Each customer simulated alone, journal kept, adds up to the path the
    /// runner simulated: the inspector shows what the run saw.
    #[test]
    fn customers_add_up_to_the_path_the_run_simulated() {
        let scenario = crate::scenario::load(TINY, "tiny.toml").expect("loads");
        let model = Model::new(&scenario, 5);
        for path in [0, 3] {
            let run = model
                .simulate_path(path, &AtomicBool::new(false))
                .expect("not cancelled");
            let listed = customers(&scenario, 5, path);
            assert!(listed.len() >= 3);
            for (plan, plan_path) in run.plans.iter().enumerate() {
                let mut sum = [0.0; 20];
                for c in &listed {
                    let seen = inspect(&scenario, 5, &request(plan, path, c.index, Filter::All))
                        .expect("inspects");
                    assert_eq!(seen.customer, *c);
                    for (s, v) in sum.iter_mut().zip(&seen.daily_available) {
                        *s += v;
                    }
                }
                for (day, (a, b)) in sum.iter().zip(&plan_path.daily.available).enumerate() {
                    assert!(
                        (a - b).abs() < 1e-6,
                        "plan {plan} path {path} day {day}: {a} vs {b}"
                    );
                }
            }
        }
    }

    #[test]
    fn filters_and_pages_select_entries() {
        let scenario = crate::scenario::load(TINY, "tiny.toml").expect("loads");
        let all = inspect(&scenario, 5, &request(0, 1, 0, Filter::All)).expect("all");
        assert_eq!(all.matching, all.entries_total);
        let counted: usize = all.entries_by_kind.iter().map(|(_, n)| n).sum();
        assert_eq!(counted, all.entries_total);
        let rejected =
            inspect(&scenario, 5, &request(0, 1, 0, Filter::Rejected)).expect("rejected");
        assert!(
            rejected
                .entries
                .iter()
                .all(|e| e.kind == "rejected" && e.reason.is_some())
        );
        let grants = inspect(&scenario, 5, &request(0, 1, 0, Filter::Grants)).expect("grants");
        assert!(
            grants
                .entries
                .iter()
                .any(|e| e.kind == "granted" && e.grant.is_some())
        );
        let page = Request {
            offset: 2,
            limit: 3,
            ..request(0, 1, 0, Filter::All)
        };
        let paged = inspect(&scenario, 5, &page).expect("a page");
        assert_eq!(paged.entries[..], all.entries[2..5]);
        for bad in [
            Request {
                limit: 0,
                ..request(0, 1, 0, Filter::All)
            },
            Request {
                limit: MAX_PAGE + 1,
                ..request(0, 1, 0, Filter::All)
            },
            request(2, 1, 0, Filter::All),
            request(0, 1, 10_000, Filter::All),
        ] {
            assert!(inspect(&scenario, 5, &bad).is_err(), "{bad:?}");
        }
    }
}
