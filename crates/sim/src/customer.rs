//! One customer under one plan: its demand metered through its wallet, with
//! the plan's enforcement, billing periods, payments and the customer's
//! reactions, from sign-up to the end of the horizon.
//!
//! Money is kept in exact decimals here (credits in the wallet, the billing
//! currency for cash and cost) and converted to `f64` only when a path's
//! totals are handed to the statistics.
//!
//! Revenue is recognised when credits are used: credits drawn from a grant
//! at its cost basis, paid credits that expire or are removed at a reset
//! (breakage), and invoiced credits at the overage price. Cash arrives when
//! packs are paid and invoices collected. Exposure at a moment is the
//! provider cost of the customer's usage not yet paid for: its provider cost
//! so far times the share of the credits it consumed that are unpaid
//! (drawn from free grants or from grants whose payment is pending or
//! failed, owed as overdraft debt, invoiced and not collected, or spent past
//! the balance). Prepaid packs paid up front keep it at the promotional
//! usage; post-pay carries a period plus payment terms.

use ledger::{
    Actor, Amount, CertainRun, Feature, Outcome, RejectReason, RunTo, Time, Usage, UsageId, Wallet,
};
use rand::RngExt;
use rust_decimal::{Decimal, RoundingStrategy};

use crate::demand::{Call, Demand};
use crate::plan::{Enforcement, PlanModel};
use crate::pricing::PriceTable;
use crate::rng::{Key, Purpose};
use crate::scenario::{PackPayment, Segment};

const MS_PER_DAY: i64 = 86_400_000;
const MS_PER_HOUR: f64 = 3_600_000.0;
const REACTION: Purpose = Purpose::new("reaction");
const PAYMENT: Purpose = Purpose::new("payment");

/// What a path sums over its customers, per plan.
#[derive(Clone, Debug)]
pub struct PlanTotals {
    pub customers: u64,
    pub revenue: Decimal,
    pub provider_cost: Decimal,
    pub cash_collected: Decimal,
    pub receivables: Decimal,
    pub bad_debt: Decimal,
    pub blocked_events: u64,
    pub blocked_value: Decimal,
    pub breakage: Decimal,
    pub overage_invoiced: Decimal,
    pub overshoot: Decimal,
    pub topups: u64,
    pub alerts: u64,
    pub customers_interrupted: u64,
    pub interrupted_ms: i64,
    pub customers_churned: u64,
    pub disputes: u64,
    pub customers_exhausted: u64,
    /// Sign-up to first exhaustion, summed over exhausted customers.
    pub exhaustion_ms: i64,
    /// Sign-up to horizon end, summed over customers never exhausted.
    pub unexhausted_ms: i64,
    pub calls_served: u64,
    /// Per horizon day, summed over customers at the day's end.
    pub daily_available: Vec<f64>,
    pub daily_exposure: Vec<f64>,
    pub daily_revenue: Vec<f64>,
    pub daily_provider_cost: Vec<f64>,
}

impl PlanTotals {
    pub fn new(days: usize) -> PlanTotals {
        PlanTotals {
            customers: 0,
            revenue: Decimal::ZERO,
            provider_cost: Decimal::ZERO,
            cash_collected: Decimal::ZERO,
            receivables: Decimal::ZERO,
            bad_debt: Decimal::ZERO,
            blocked_events: 0,
            blocked_value: Decimal::ZERO,
            breakage: Decimal::ZERO,
            overage_invoiced: Decimal::ZERO,
            overshoot: Decimal::ZERO,
            topups: 0,
            alerts: 0,
            customers_interrupted: 0,
            interrupted_ms: 0,
            customers_churned: 0,
            disputes: 0,
            customers_exhausted: 0,
            exhaustion_ms: 0,
            unexhausted_ms: 0,
            calls_served: 0,
            daily_available: vec![0.0; days],
            daily_exposure: vec![0.0; days],
            daily_revenue: vec![0.0; days],
            daily_provider_cost: vec![0.0; days],
        }
    }
}

/// A call's price, the same under every plan (plans share the price
/// table): the credits it burns and what the provider charges for it, and
/// the customer's calls summed through it. A path prices each call once
/// and meters it under every plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Priced {
    pub credits: Decimal,
    pub provider_cost: Decimal,
    /// The customer's calls up to and including this one, summed: what a
    /// plan that served them all would have spent. A plan reads what it
    /// spent off this, less what it did not serve, rather than adding up
    /// every call it serves (most plans serve most calls).
    pub through: Spent,
}

/// Credits consumed and what the provider charged for them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Spent {
    pub credits: Decimal,
    pub provider_cost: Decimal,
}

impl Priced {
    /// The price of `call`, made after calls that summed to `before`.
    pub fn of(prices: &PriceTable, call: &Call, before: Spent) -> Priced {
        let (model, day) = (usize::from(call.model), usize::from(call.day));
        let credits = prices.customer(model, day).cost(call.tokens);
        let provider_cost = prices
            .provider_for(model, day, call.tokens)
            .cost(call.tokens);
        Priced {
            credits,
            provider_cost,
            through: Spent {
                credits: before.credits + credits,
                provider_cost: before.provider_cost + provider_cost,
            },
        }
    }
}

/// Prices every call of a demand, in order, into `out` (cleared first).
pub fn price_calls(prices: &PriceTable, calls: &[Call], out: &mut Vec<Priced>) {
    out.clear();
    let mut before = Spent::default();
    out.extend(calls.iter().map(|call| {
        let price = Priced::of(prices, call, before);
        before = price.through;
        price
    }));
}

/// What every customer on a path shares.
pub struct Context<'a> {
    pub seed: u64,
    pub path: u64,
    pub start: i64,
    pub end: i64,
    pub prices: &'a PriceTable,
}

/// An amount billed and not yet due.
#[derive(Clone, Copy, Debug)]
struct Receivable {
    due: i64,
    amount: Decimal,
    defaults: bool,
    pays_for: PaysFor,
}

/// What a bill pays for, so that collecting it marks that usage paid.
#[derive(Clone, Copy, Debug)]
enum PaysFor {
    /// Invoiced credits.
    Credits(Decimal),
    /// A grant bought on terms (a pack, a top-up, a period's included credits).
    Grant(usize),
}

/// Runs one customer's demand through `plan`, adding the results to `totals`.
/// `priced` holds the price of each of `demand.calls` ([`price_calls`]).
#[allow(clippy::too_many_arguments)]
pub fn simulate(
    ctx: &Context<'_>,
    plan: &PlanModel,
    segment: (usize, &Segment),
    customer: u64,
    demand: &Demand,
    priced: &[Priced],
    aborted: &mut Vec<bool>,
    totals: &mut PlanTotals,
) {
    debug_assert_eq!(priced.len(), demand.calls.len());
    aborted.clear();
    aborted.resize(demand.tasks as usize, false);
    let mut account = Account::open(ctx, plan, segment, customer, demand);
    for (call, &price) in demand.calls.iter().zip(priced) {
        account.call_priced(call, price, aborted, totals);
    }
    account.close(totals);
}

/// As [`simulate`], returning the customer's wallet as the horizon left it
/// (with its journal if the plan's wallet keeps one): the path inspector's
/// view (`inspect.rs`).
pub(crate) fn simulate_wallet(
    ctx: &Context<'_>,
    plan: &PlanModel,
    segment: (usize, &Segment),
    customer: u64,
    demand: &Demand,
    aborted: &mut Vec<bool>,
    totals: &mut PlanTotals,
) -> Wallet {
    aborted.clear();
    aborted.resize(demand.tasks as usize, false);
    let mut account = Account::open(ctx, plan, segment, customer, demand);
    for call in &demand.calls {
        account.call(call, aborted, totals);
    }
    account.close(totals)
}

/// One customer's wallet and money under one plan. [`simulate`] drives it
/// over a drawn demand; the trace backtest (`crate::backtest`) drives it over
/// a trace's calls, one at a time: [`Account::open`], [`Account::call`] in
/// time order, then [`Account::close`].
pub struct Account<'a> {
    ctx: &'a Context<'a>,
    plan: &'a PlanModel,
    segment_index: usize,
    segment: &'a Segment,
    key: Key,
    wallet: Wallet,
    joined: i64,
    next_usage: u64,
    /// The customer's calls summed through the last one metered
    /// ([`Priced::through`]), and those of them not served: what was spent
    /// is the difference ([`Account::spent`]).
    seen: Spent,
    unserved: Spent,
    cash: Decimal,
    bad_debt: Decimal,
    receivables: Vec<Receivable>,
    /// Grants whose payment is pending or failed: their usage is unpaid.
    unpaid_grants: Vec<usize>,
    /// Invoiced credits whose invoice was paid.
    invoiced_collected: Decimal,
    /// Credits spent past the balance.
    credits_uncollected: Decimal,
    /// Per actor, the budget window in which metering found its budget spent
    /// (the kill switch of lagging enforcement).
    actors_stopped: Vec<Option<i64>>,
    /// Credits already put on an invoice.
    invoiced_billed: Decimal,
    invoices: (u32, Decimal),
    bills: u64,
    disputes: u64,
    next_day: usize,
    next_period: u32,
    /// When billing period `next_period` starts (`i64::MAX` after the horizon).
    next_period_at: i64,
    pending_topup: Option<i64>,
    topups_bought: u64,
    grants_seen: usize,
    window: Option<Window>,
    gate_closed: bool,
    blocked_since: Option<i64>,
    interrupted: bool,
    interrupted_ms: i64,
    episodes: u64,
    churned: bool,
    exhausted_at: Option<i64>,
    blocked_events: u64,
    blocked_value: Decimal,
    overshoot: Decimal,
    calls_served: u64,
    /// `per_call` usage accepted while its outcome was certain and not yet
    /// metered (see [`Pending`]); `None` when coalescing is off.
    pending: Option<Pending>,
    /// Whether certain usage is coalesced ([`set_coalescing`] when the
    /// account opened: one account never switches halfway).
    coalesce: bool,
    /// Usage events metered in batches of two or more, by where their
    /// certain run went ([`RunTo`] as an index).
    coalesced: [u64; 3],
}

/// Per-call usage whose outcome the wallet found certain
/// ([`ledger::Wallet::certain_run`]), served at once and metered as one
/// event ([`ledger::Wallet::usage_certain`]) before anything reads or
/// changes the wallet: the next call that is not certain, anything
/// [`Account::advance`] does, and the close. The numbers are the same as
/// metering each call (tests/it/coalescing.rs compares whole runs).
#[derive(Clone, Copy, Debug)]
struct Pending {
    /// Credits of the calls waiting, and how many.
    amount: Decimal,
    events: u32,
    /// The last waiting call's time.
    at: i64,
    /// What the wallet's certain run allows, from its start.
    run: CertainRun,
}

/// Whether accounts coalesce certain usage (on unless a test turns it off
/// to compare; see [`set_coalescing`]).
static COALESCE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(true);

/// Turns coalescing of certain usage (`per_call` calls, and window ends)
/// on or off for accounts opened from now on, in the whole process; the
/// results are the same either way. For the test that proves it, and for
/// measuring what it saves.
#[doc(hidden)]
pub fn set_coalescing(on: bool) {
    COALESCE.store(on, std::sync::atomic::Ordering::Relaxed);
}

/// Usage events metered in batches of two or more, over the process's life.
static COALESCED: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// How many usage events this process has metered in coalesced batches of
/// two or more: whether coalescing happens at all.
#[doc(hidden)]
pub fn coalesced_events() -> u64 {
    COALESCED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Usage waiting to be metered at the end of an aggregation window.
struct Window {
    end: i64,
    usage: Vec<Usage>,
}

fn time(ms: i64) -> Time {
    Time::from_millis(ms)
}

impl<'a> Account<'a> {
    /// Signs the customer up at `demand.joined_at` with wallet actors for
    /// `demand.actors()`; `demand.calls` is not read.
    pub fn open(
        ctx: &'a Context<'a>,
        plan: &'a PlanModel,
        segment: (usize, &'a Segment),
        customer: u64,
        demand: &Demand,
    ) -> Account<'a> {
        let granted = plan.signup_credits(segment.0);
        let wallet = Wallet::new(plan.wallet_config(demand.actors(), granted));
        let mut account = Account {
            ctx,
            plan,
            segment_index: segment.0,
            segment: segment.1,
            key: Key::path(ctx.path).customer(customer),
            wallet,
            joined: demand.joined_at,
            next_usage: 0,
            seen: Spent::default(),
            unserved: Spent::default(),
            cash: Decimal::ZERO,
            bad_debt: Decimal::ZERO,
            receivables: Vec::new(),
            unpaid_grants: Vec::new(),
            invoiced_collected: Decimal::ZERO,
            credits_uncollected: Decimal::ZERO,
            actors_stopped: vec![None; usize::from(demand.actors())],
            invoiced_billed: Decimal::ZERO,
            invoices: (0, Decimal::ZERO),
            bills: 0,
            disputes: 0,
            next_day: ((demand.joined_at - ctx.start) / MS_PER_DAY) as usize,
            next_period: 1,
            next_period_at: i64::MAX,
            pending_topup: None,
            topups_bought: 0,
            grants_seen: 0,
            window: None,
            gate_closed: false,
            blocked_since: None,
            interrupted: false,
            interrupted_ms: 0,
            episodes: 0,
            churned: false,
            exhausted_at: None,
            blocked_events: 0,
            blocked_value: Decimal::ZERO,
            overshoot: Decimal::ZERO,
            calls_served: 0,
            pending: None,
            coalesce: COALESCE.load(std::sync::atomic::Ordering::Relaxed),
            coalesced: [0; 3],
        };
        account.next_period_at = account.period_start(1);
        account.sign_up();
        account
    }

    /// Onboarding grants, the sign-up pack and the first period's subscription.
    fn sign_up(&mut self) {
        let at = time(self.joined);
        let mut specs: Vec<_> = self.plan.onboarding_grants(at).collect();
        let pack = self.plan.signup_packs[self.segment_index].as_ref();
        let pack_index = pack.map(|p| {
            specs.push(p.grant("signup-pack".into(), self.plan.currency, at));
            specs.len() - 1
        });
        let included = self.plan.included_grant(0, at, at).map(|spec| {
            specs.push(spec);
            specs.len() - 1
        });
        let created = self
            .wallet
            .grant_all(specs, at)
            .expect("sign-up grants are valid");
        if let (Some(pack), Some(position)) = (pack, pack_index) {
            self.pay_for_pack(pack.price, self.joined, created[position].get());
        }
        if let Some(position) = included {
            self.bill_subscription(self.joined, created[position].get());
        }
        self.grants_seen = self.wallet.grants().len();
    }

    // ---- calls -----------------------------------------------------------

    /// Meters one call (calls in time order); `aborted[call.task]` says
    /// whether its task was already stopped, and is set when it is stopped.
    pub fn call(&mut self, call: &Call, aborted: &mut [bool], totals: &mut PlanTotals) {
        let price = Priced::of(self.ctx.prices, call, self.seen);
        self.call_priced(call, price, aborted, totals);
    }

    /// As [`Account::call`], with the call's price worked out already
    /// ([`price_calls`]: its `through` sums the calls given to this account
    /// so far and this one).
    pub fn call_priced(
        &mut self,
        call: &Call,
        price: Priced,
        aborted: &mut [bool],
        totals: &mut PlanTotals,
    ) {
        self.advance(call.at, totals);
        if self.churned {
            return;
        }
        self.seen = price.through;
        let credits = price.credits;
        if aborted[call.task as usize] {
            self.lose(call, price);
            return;
        }
        let id = UsageId(self.next_usage);
        self.next_usage += 1;
        // Built only where the wallet sees the call on its own.
        let usage = || Usage {
            id,
            amount: Amount::new(credits).expect("prices are not negative"),
            currency: self.plan.currency,
            feature: Some(Feature(u32::from(call.model))),
            actor: Some(Actor(u32::from(call.actor))),
        };
        match self.plan.enforcement {
            Enforcement::PerCall => {
                if self.coalesce(call.at, credits) {
                    self.serve(call);
                    return;
                }
                let usage = usage();
                match self
                    .wallet
                    .usage(&usage, time(call.at))
                    .expect("calls are in time order")
                {
                    Outcome::Accepted(drawdown) => {
                        self.note_uncovered(drawdown.from_grants < credits, call.at);
                        self.serve(call);
                    }
                    Outcome::Rejected(reason) => self.reject(call, price, reason, aborted),
                }
            }
            Enforcement::TaskStart => {
                if call.first
                    && let Some(reason) = self.authorise(call)
                {
                    self.reject(call, price, reason, aborted);
                    return;
                }
                let usage = usage();
                self.meter_late(&usage, call.at);
                self.serve(call);
            }
            Enforcement::Windowed { window_ms } => {
                let usage = usage();
                self.reopen_gate(call.at);
                if self.gate_closed {
                    self.reject(call, price, RejectReason::InsufficientCredit, aborted);
                    return;
                }
                if self.actor_stopped(call) {
                    self.reject(call, price, RejectReason::ActorBudgetSpent, aborted);
                    return;
                }
                let end = self
                    .window
                    .as_ref()
                    .map_or_else(|| window_end(self.ctx, call.at, window_ms), |w| w.end);
                self.window
                    .get_or_insert_with(|| Window {
                        end,
                        usage: Vec::new(),
                    })
                    .usage
                    .push(usage);
                self.serve(call);
            }
        }
    }

    /// Adds a `per_call` usage of `credits` at `at` to the pending certain
    /// usage if the wallet's certain run has room for it (metering what was
    /// pending first, and starting a new run, if not); `false` if the call
    /// must be metered on its own.
    fn coalesce(&mut self, at: i64, credits: Decimal) -> bool {
        if !self.coalesce {
            return false;
        }
        if let Some(p) = &mut self.pending {
            let sum = p.amount + credits;
            if at < p.run.until.millis() && p.events < u32::MAX && p.run.admits(sum) {
                p.amount = sum;
                p.events += 1;
                p.at = at;
                let run = p.run;
                self.note_run(&run, credits, at);
                return true;
            }
            self.flush_pending();
        }
        let Some(run) = self.wallet.certain_run() else {
            return false;
        };
        if at < run.until.millis() && run.admits(credits) {
            self.pending = Some(Pending {
                amount: credits,
                events: 1,
                at,
                run,
            });
            self.note_run(&run, credits, at);
            return true;
        }
        false
    }

    fn count_coalesced(&mut self, to: RunTo, events: u64) {
        COALESCED.fetch_add(events, std::sync::atomic::Ordering::Relaxed);
        self.coalesced[to as usize] += events;
    }

    /// Usage events this account has metered in batches of two or more
    /// whose certain run went `to`, so far: where coalescing happens.
    pub fn coalesced_events(&self, to: RunTo) -> u64 {
        self.coalesced[to as usize]
    }

    /// Meters the pending certain usage, if any.
    fn flush_pending(&mut self) {
        if let Some(p) = self.pending.take() {
            if p.events > 1 {
                self.count_coalesced(p.run.to, u64::from(p.events));
            }
            self.wallet
                .usage_certain(p.amount, p.events, time(p.at))
                .expect("the wallet found this usage certain");
        }
    }

    /// `windowed`: an actor whose budget metering found spent stays stopped
    /// until its next budget window.
    fn actor_stopped(&mut self, call: &Call) -> bool {
        let actor = usize::from(call.actor);
        let Some(window) = self.actors_stopped[actor] else {
            return false;
        };
        let now = self.plan.actor_budget_window(time(call.at));
        if now != Some(window) {
            self.actors_stopped[actor] = None;
        }
        self.actors_stopped[actor].is_some()
    }

    /// A call served: the provider is paid for it whatever the wallet says
    /// (its price is in [`Account::seen`] already).
    fn serve(&mut self, call: &Call) {
        self.calls_served += 1;
        if let Some(since) = self.blocked_since.filter(|_| !call.leak) {
            self.interrupted_ms += call.at - since;
            self.blocked_since = None;
        }
    }

    /// A call not served because its task was stopped.
    fn lose(&mut self, call: &Call, price: Priced) {
        self.unserved.credits += price.credits;
        self.unserved.provider_cost += price.provider_cost;
        if !call.leak {
            self.blocked_value += price.credits * self.plan.price_per_credit;
        }
    }

    /// Credits consumed and provider cost of the calls served so far.
    fn spent(&self) -> Spent {
        Spent {
            credits: self.seen.credits - self.unserved.credits,
            provider_cost: self.seen.provider_cost - self.unserved.provider_cost,
        }
    }

    fn reject(&mut self, call: &Call, price: Priced, reason: RejectReason, aborted: &mut [bool]) {
        aborted[call.task as usize] = true;
        if !call.leak {
            self.blocked_events += 1;
        }
        self.lose(call, price);
        if matches!(
            reason,
            RejectReason::InsufficientCredit | RejectReason::ExceedsOverdraftLimit
        ) {
            self.note_uncovered(true, call.at);
            if self.blocked_since.is_none() {
                self.blocked_since = Some(call.at);
                self.interrupted = true;
                self.react_to_block(call.at);
            }
        }
    }

    /// `task_start`: a task may start if the wallet has credit and its actor budget left.
    fn authorise(&mut self, call: &Call) -> Option<RejectReason> {
        let at = time(call.at);
        self.wallet.advance_to(at).expect("calls are in time order");
        let actor = Actor(u32::from(call.actor));
        if self
            .wallet
            .actor_budget_left(actor, at)
            .is_some_and(|left| left.is_zero())
        {
            return Some(RejectReason::ActorBudgetSpent);
        }
        self.out_of_credit()
            .then_some(RejectReason::InsufficientCredit)
    }

    /// Meters usage that already happened; what nothing covered is overshoot.
    fn meter_late(&mut self, usage: &Usage, at: i64) {
        let drawdown = self
            .wallet
            .usage_after_the_fact(usage, time(at))
            .expect("metered in time order");
        self.note_uncovered(drawdown.from_grants < usage.amount.get(), at);
        // Only what is there: a zero's scale would otherwise depend on
        // whether usage was metered call by call or in certain runs.
        if !drawdown.uncollected.is_zero() {
            self.overshoot += drawdown.uncollected * self.plan.price_per_credit;
            self.credits_uncollected += drawdown.uncollected;
        }
        if let Some(actor) = usage.actor
            && self
                .wallet
                .actor_budget_left(actor, time(at))
                .is_some_and(|left| left.is_zero())
        {
            self.actors_stopped[actor.0 as usize] = self.plan.actor_budget_window(time(at));
        }
    }

    /// As [`Account::note_uncovered`] for `amount` metered in `run`: no
    /// grant covers it unless the run draws from one.
    fn note_run(&mut self, run: &CertainRun, amount: Decimal, at: i64) {
        self.note_uncovered(run.to != RunTo::Grant && !amount.is_zero(), at);
    }

    /// Marks the first time the customer's granted credit failed to cover usage.
    fn note_uncovered(&mut self, uncovered: bool, at: i64) {
        if uncovered && self.exhausted_at.is_none() && !self.wallet.grants().is_empty() {
            self.exhausted_at = Some(at);
        }
    }

    /// `windowed`: the gate reopens once credit (or overdraft headroom) is back.
    fn reopen_gate(&mut self, at: i64) {
        if self.gate_closed {
            self.wallet
                .advance_to(time(at))
                .expect("calls are in time order");
            self.gate_closed = self.out_of_credit();
        }
    }

    /// Whether the wallet can take no more usage under its exhaustion rule.
    fn out_of_credit(&self) -> bool {
        let available = self.wallet.available();
        match self.wallet.config().exhaustion {
            ledger::Exhaustion::Block => available <= Decimal::ZERO,
            ledger::Exhaustion::Overdraft { limit } => available <= -limit.get(),
            ledger::Exhaustion::Invoice => false,
        }
    }

    /// Meters a window's usage at its end, in order: runs of it whose
    /// outcome is certain as one event each, the rest call by call.
    fn flush_window(&mut self) {
        let Some(window) = self.window.take() else {
            return;
        };
        let mut rest = &window.usage[..];
        while let Some((first, more)) = rest.split_first() {
            let events = self.meter_certain_prefix(rest, window.end);
            if events == 0 {
                self.meter_late(first, window.end);
                rest = more;
            } else {
                rest = &rest[events..];
            }
        }
        if self.out_of_credit() && !self.gate_closed {
            self.gate_closed = true;
            if self.blocked_since.is_none() {
                self.blocked_since = Some(window.end);
                self.interrupted = true;
                self.react_to_block(window.end);
            }
        }
    }

    /// Meters the longest prefix of `usage` (two events or more) whose
    /// outcome is certain at `at` as one event, as metering each after the
    /// fact would ([`ledger::Wallet::certain_run`]); how many it metered.
    fn meter_certain_prefix(&mut self, usage: &[Usage], at: i64) -> usize {
        if usage.len() < 2 || !self.coalesce {
            return 0;
        }
        self.wallet
            .advance_to(time(at))
            .expect("metered in time order");
        let Some(run) = self
            .wallet
            .certain_run()
            .filter(|run| at < run.until.millis())
        else {
            return 0;
        };
        let mut amount = Decimal::ZERO;
        let mut events = 0;
        for u in usage {
            let sum = amount + u.amount.get();
            // A window holds only `call_priced`'s usage, in the plan's currency.
            if events == u32::MAX as usize || !run.admits(sum) {
                break;
            }
            amount = sum;
            events += 1;
        }
        if events < 2 {
            return 0;
        }
        self.count_coalesced(run.to, events as u64);
        self.wallet
            .usage_certain(amount, events as u32, time(at))
            .expect("the wallet found this usage certain");
        self.note_run(&run, amount, at);
        events
    }

    // ---- reactions and payments ------------------------------------------

    /// A block episode begins: the customer tops up later, churns, or waits.
    fn react_to_block(&mut self, at: i64) {
        self.episodes += 1;
        let Some(reaction) = &self.segment.on_block else {
            return;
        };
        let mut rng = self.key.task(self.episodes).stream(self.ctx.seed, REACTION);
        let u: f64 = rng.random();
        if u < reaction.topup_probability {
            if self.plan.reaction_packs[self.segment_index].is_some()
                && self.pending_topup.is_none()
            {
                let delay = reaction
                    .topup_delay_hours
                    .sampler()
                    .expect("validated")
                    .sample(&mut rng)
                    .max(0.0);
                self.pending_topup = Some(at + (delay * MS_PER_HOUR) as i64);
            }
        } else if u < reaction.topup_probability + reaction.churn_probability {
            self.churned = true;
            if let Some(since) = self.blocked_since.take() {
                self.interrupted_ms += at - since;
            }
        }
    }

    fn buy_topup(&mut self, at: i64) {
        self.pending_topup = None;
        let Some(pack) = &self.plan.reaction_packs[self.segment_index] else {
            return;
        };
        self.topups_bought += 1;
        let spec = pack.grant(
            format!("reaction-topup-{}", self.topups_bought),
            self.plan.currency,
            time(at),
        );
        let index = self
            .wallet
            .grant(spec, time(at))
            .expect("top-up grants are valid");
        self.pay_for_pack(pack.price, at, index.get());
    }

    /// Automatic top-ups the wallet made since the last look: they are paid for.
    fn pay_for_automatic_topups(&mut self) {
        let grants = self.wallet.grants();
        let mut owed = Vec::new();
        for (index, grant) in grants.iter().enumerate().skip(self.grants_seen) {
            if grant.id().starts_with("topup-") {
                let spec = grant.spec();
                owed.push((
                    spec.amount.get() * spec.cost_basis.get(),
                    spec.effective_at.millis(),
                    index,
                ));
            }
        }
        self.grants_seen = grants.len();
        for (price, at, index) in owed {
            self.pay_for_pack(price, at, index);
        }
    }

    fn pay_for_pack(&mut self, price: Decimal, at: i64, grant: usize) {
        match self.plan.pack_payment {
            PackPayment::Upfront => self.cash += price,
            PackPayment::OnTerms => self.bill(price, at, PaysFor::Grant(grant)),
        }
    }

    fn bill_subscription(&mut self, at: i64, grant: usize) {
        if let Some(subscription) = &self.plan.subscription {
            self.bill(subscription.fee, at, PaysFor::Grant(grant));
        }
    }

    /// Issues an invoice due after the segment's net terms; it defaults with
    /// the segment's probability, or (a usage invoice) is disputed after a
    /// bill shock. Until it is paid, what it pays for is unpaid usage.
    fn bill(&mut self, amount: Decimal, at: i64, pays_for: PaysFor) {
        // Invoices are in the billing currency: half-even to cents.
        let amount = amount.round_dp_with_strategy(2, RoundingStrategy::MidpointNearestEven);
        if amount.is_zero() {
            return;
        }
        if let PaysFor::Grant(grant) = pays_for {
            self.unpaid_grants.push(grant);
        }
        let shock_check = matches!(pays_for, PaysFor::Credits(_));
        self.bills += 1;
        let mut rng = self.key.step(self.bills).stream(self.ctx.seed, PAYMENT);
        let mut defaults = rng.random::<f64>() < self.segment.payment.default_probability;
        if shock_check && let Some(shock) = &self.segment.on_bill_shock {
            let (count, sum) = self.invoices;
            let usual = if count == 0 {
                Decimal::ZERO
            } else {
                sum / Decimal::from(count)
            };
            let ratio = Decimal::try_from(shock.ratio).unwrap_or(Decimal::MAX);
            if count > 0
                && amount >= usual * ratio
                && rng.random::<f64>() < shock.dispute_probability
            {
                defaults = true;
                self.disputes += 1;
            }
            self.invoices = (count + 1, sum + amount);
        }
        let due = at + i64::from(self.segment.payment.net_days) * MS_PER_DAY;
        self.receivables.push(Receivable {
            due,
            amount,
            defaults,
            pays_for,
        });
    }

    fn collect_due(&mut self, up_to: i64) {
        let mut i = 0;
        while i < self.receivables.len() {
            let r = self.receivables[i];
            if r.due <= up_to {
                if r.defaults {
                    self.bad_debt += r.amount;
                } else {
                    self.cash += r.amount;
                    match r.pays_for {
                        PaysFor::Credits(credits) => self.invoiced_collected += credits,
                        PaysFor::Grant(grant) => self.unpaid_grants.retain(|g| *g != grant),
                    }
                }
                self.receivables.swap_remove(i);
            } else {
                i += 1;
            }
        }
    }

    // ---- time ------------------------------------------------------------

    /// Handles everything scheduled up to `t`, in time order: window ends,
    /// reaction top-ups, billing periods, payments due and day ends.
    #[inline]
    fn advance(&mut self, t: i64, totals: &mut PlanTotals) {
        // Most calls come before anything is due: a few comparisons.
        let day = self.ctx.start + (self.next_day as i64 + 1) * MS_PER_DAY;
        if t < day
            && t < self.next_period_at
            && self.window.as_ref().is_none_or(|w| t < w.end)
            && self.pending_topup.is_none_or(|at| t < at)
        {
            return;
        }
        self.advance_due(t, totals);
    }

    #[inline(never)]
    fn advance_due(&mut self, t: i64, totals: &mut PlanTotals) {
        loop {
            let window = self.window.as_ref().map_or(i64::MAX, |w| w.end);
            let topup = self.pending_topup.unwrap_or(i64::MAX);
            let period = self.next_period_at;
            let day = self.ctx.start + (self.next_day as i64 + 1) * MS_PER_DAY;
            let next = window.min(topup).min(period).min(day);
            if next > t || next == i64::MAX {
                return;
            }
            self.flush_pending();
            if next == window {
                self.flush_window();
            } else if next == topup {
                self.buy_topup(topup);
            } else if next == period {
                self.end_period(period);
            } else {
                self.end_day(day, totals);
            }
        }
    }

    /// When billing period `k` starts; a period ending exactly at the
    /// horizon's end is still invoiced.
    fn period_start(&self, k: u32) -> i64 {
        let at = self.plan.period.after(time(self.joined), k).millis();
        if at > self.ctx.end { i64::MAX } else { at }
    }

    /// A billing period ends at `at`: invoice its usage; for a subscription,
    /// reset (rollover, overdraft debt), grant the new included credits and
    /// bill the fee.
    fn end_period(&mut self, at: i64) {
        let k = self.next_period;
        self.next_period += 1;
        self.next_period_at = self.period_start(self.next_period);
        self.wallet.advance_to(time(at)).expect("in time order");
        self.invoice_usage(at);
        if self.plan.subscription.is_some() {
            self.wallet.reset(time(at)).expect("in time order");
            if let Some(spec) = self.plan.included_grant(k, time(at), time(self.joined)) {
                let index = self
                    .wallet
                    .grant(spec, time(at))
                    .expect("included grants are valid");
                self.bill_subscription(at, index.get());
            }
        }
    }

    fn invoice_usage(&mut self, at: i64) {
        let invoiced = self.wallet.invoiced();
        let credits = invoiced - self.invoiced_billed;
        self.invoiced_billed = invoiced;
        self.bill(
            credits * self.plan.overage_price,
            at,
            PaysFor::Credits(credits),
        );
    }

    /// The end of a horizon day: payments due, top-ups paid, and a snapshot.
    fn end_day(&mut self, at: i64, totals: &mut PlanTotals) {
        let day = self.next_day;
        self.next_day += 1;
        self.wallet.advance_to(time(at)).expect("in time order");
        self.collect_due(at);
        self.pay_for_automatic_topups();
        let revenue = self.revenue().0;
        totals.daily_available[day] += f64::try_from(self.wallet.available()).unwrap_or(0.0);
        totals.daily_exposure[day] += f64::try_from(self.exposure()).unwrap_or(0.0);
        totals.daily_revenue[day] += f64::try_from(revenue).unwrap_or(0.0);
        let provider_cost = self.spent().provider_cost;
        totals.daily_provider_cost[day] += f64::try_from(provider_cost).unwrap_or(0.0);
    }

    /// Provider cost of the usage not yet paid for (see the module docs).
    fn exposure(&self) -> Decimal {
        let spent = self.spent();
        if spent.credits.is_zero() {
            return Decimal::ZERO;
        }
        let mut unpaid = self.wallet.overdraft() + self.credits_uncollected;
        unpaid += self.wallet.invoiced() - self.invoiced_collected;
        for (index, grant) in self.wallet.grants().iter().enumerate() {
            if grant.spec().cost_basis.get().is_zero() || self.unpaid_grants.contains(&index) {
                unpaid += grant.drawn();
            }
        }
        let share = (unpaid / spent.credits).min(Decimal::ONE);
        spent.provider_cost * share
    }

    /// Revenue recognised so far and the breakage part of it.
    fn revenue(&self) -> (Decimal, Decimal) {
        let mut revenue = Decimal::ZERO;
        let mut breakage = Decimal::ZERO;
        for grant in self.wallet.grants() {
            let basis = grant.spec().cost_basis.get();
            if basis.is_zero() {
                continue;
            }
            revenue += grant.drawn() * basis;
            if grant.kind().is_paid() {
                let broken =
                    (grant.expired() + (-grant.rollover_delta()).max(Decimal::ZERO)) * basis;
                breakage += broken;
                revenue += broken;
            }
        }
        (
            revenue + self.wallet.invoiced() * self.plan.overage_price,
            breakage,
        )
    }

    /// The horizon ends: everything due is settled, open episodes closed.
    pub fn close(mut self, totals: &mut PlanTotals) -> Wallet {
        let end = self.ctx.end;
        self.advance(end, totals);
        self.flush_pending();
        self.flush_window();
        self.wallet.advance_to(time(end)).expect("in time order");
        self.collect_due(end);
        self.pay_for_automatic_topups();
        if let Some(since) = self.blocked_since.take() {
            self.interrupted_ms += end - since;
        }
        let (revenue, breakage) = self.revenue();
        let wallet_totals = self.wallet.totals();
        totals.customers += 1;
        totals.revenue += revenue;
        totals.breakage += breakage;
        totals.provider_cost += self.spent().provider_cost;
        totals.cash_collected += self.cash;
        // Billed and not yet due, plus usage accrued since the last invoice.
        let unbilled = (self.wallet.invoiced() - self.invoiced_billed) * self.plan.overage_price;
        totals.receivables += self.receivables.iter().map(|r| r.amount).sum::<Decimal>() + unbilled;
        totals.bad_debt += self.bad_debt;
        totals.blocked_events += self.blocked_events;
        totals.blocked_value += self.blocked_value;
        totals.overage_invoiced += self.wallet.invoiced() * self.plan.overage_price;
        totals.overshoot += self.overshoot;
        totals.topups += u64::from(wallet_totals.topups) + self.topups_bought;
        totals.alerts += u64::from(wallet_totals.alerts);
        totals.customers_interrupted += u64::from(self.interrupted);
        totals.interrupted_ms += self.interrupted_ms;
        totals.customers_churned += u64::from(self.churned);
        totals.disputes += self.disputes;
        totals.calls_served += self.calls_served;
        match self.exhausted_at {
            Some(at) => {
                totals.customers_exhausted += 1;
                totals.exhaustion_ms += at - self.joined;
            }
            None => totals.unexhausted_ms += end - self.joined,
        }
        self.wallet
    }
}

/// The end of the aggregation window containing `at`, windows counted from
/// the horizon's start; the horizon's end cuts the last window short (its
/// usage is metered when the horizon ends, not after).
fn window_end(ctx: &Context<'_>, at: i64, window_ms: i64) -> i64 {
    (ctx.start + ((at - ctx.start) / window_ms + 1) * window_ms).min(ctx.end)
}
