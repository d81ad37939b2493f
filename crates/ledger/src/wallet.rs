//! The wallet: grants, the drawdown, exhaustion rules and everything time
//! does to them (DOMAIN.md section 3; the choices it leaves open are in
//! docs/ledger-semantics.md).
//!
//! Every public operation first applies the time-driven changes due up to its
//! time, then does its work, then runs the checks (alerts, top-up). Balances
//! change only through a handful of private methods that keep the derived
//! state in step: the running total behind [`Wallet::available`] and the
//! draw list, which holds exactly the grants that can pay (effective, in the
//! wallet's currency, balance above zero) sorted so that the next grant to
//! draw is last. A usage event therefore never looks at an empty, expired or
//! pending grant, and popping an emptied grant is O(1).

use std::cmp::{Ordering, Reverse};
use std::collections::{BinaryHeap, HashMap};

use rust_decimal::Decimal;

use crate::config::{ActorBudget, Exhaustion, TopupSize, WalletConfig};
use crate::error::{MAX_GRANTS, OpError};
use crate::grant::{Actor, Feature, Grant, GrantSpec, GrantStatus, Scope};
use crate::journal::{Entry, EntryKind, GrantIndex, RejectReason, ReversalTarget, UsageId};
use crate::money::{Amount, Currency};
use crate::order;
use crate::time::{Period, Time};

/// A usage event: an amount priced in some currency, for a feature, by an actor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Usage {
    pub id: UsageId,
    pub amount: Amount,
    pub currency: Currency,
    pub feature: Option<Feature>,
    pub actor: Option<Actor>,
}

impl Usage {
    pub fn new(id: UsageId, amount: Amount, currency: Currency) -> Usage {
        Usage {
            id,
            amount,
            currency,
            feature: None,
            actor: None,
        }
    }
}

/// How an accepted usage event was covered. The parts add up to its amount;
/// a usage in another currency is all `invoiced`, in that currency.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drawdown {
    pub from_grants: Decimal,
    pub overdraft: Decimal,
    pub invoiced: Decimal,
    /// Only after the fact ([`Wallet::usage_after_the_fact`]): what nothing covered.
    pub uncollected: Decimal,
}

/// Usage the wallet can take with a certain outcome ([`Wallet::certain_run`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CertainRun {
    /// Usage summing to less than this stays certain; `None`: any amount
    /// does (invoiced usage changes no balance).
    pub credit: Option<Decimal>,
    /// The next time-driven change; usage must come before it.
    pub until: Time,
    /// Where every event of the run goes.
    pub to: RunTo,
}

/// Where the events of a certain run go, each whole.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RunTo {
    /// The next grant to draw, which they do not empty.
    Grant,
    /// Overdraft debt, within its limit (no grant can pay).
    Overdraft,
    /// The invoice (no grant can pay).
    Invoice,
}

impl CertainRun {
    /// Whether usage summing to `amount` stays inside the run.
    #[inline]
    pub fn admits(&self, amount: Decimal) -> bool {
        self.credit.is_none_or(|credit| amount < credit)
    }

    /// What metering `amount` in this run gives.
    pub fn drawdown(&self, amount: Decimal) -> Drawdown {
        let mut drawdown = Drawdown::default();
        match self.to {
            RunTo::Grant => drawdown.from_grants = amount,
            RunTo::Overdraft => drawdown.overdraft = amount,
            RunTo::Invoice => drawdown.invoiced = amount,
        }
        drawdown
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted(Drawdown),
    Rejected(RejectReason),
}

/// Totals over the wallet's life, kept whether or not the journal is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub usage_accepted: u64,
    pub usage_rejected: u64,
    /// Over all grants, net of reversals; includes debt repaid from grants.
    pub drawn: Decimal,
    pub expired: Decimal,
    pub voided: Decimal,
    pub refilled: Decimal,
    /// Net of reversals. `overdraft_drawn - overdraft_repaid - overdraft_forgiven`
    /// is the outstanding debt.
    pub overdraft_drawn: Decimal,
    pub overdraft_repaid: Decimal,
    pub overdraft_forgiven: Decimal,
    /// In the wallet's currency, net of reversals.
    pub invoiced: Decimal,
    /// Usage metered after the fact that nothing covered, net of reversals.
    pub uncollected: Decimal,
    pub topups: u32,
    pub topup_amount: Decimal,
    pub alerts: u32,
}

/// What a usage event did, kept (with the journal) so it can be reversed.
#[derive(Clone, Debug)]
enum UsageRecord {
    Accepted(AcceptedUsage),
    Rejected,
    Reversed,
}

#[derive(Clone, Debug)]
struct AcceptedUsage {
    at: Time,
    amount: Decimal,
    currency: Currency,
    actor: Option<Actor>,
    draws: Vec<(GrantIndex, Decimal)>,
    overdraft: Decimal,
    invoiced: Decimal,
    uncollected: Decimal,
}

/// Time-driven changes, in the order they apply at one instant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Due {
    Expiry,
    Effective,
    Refill,
}

/// One actor's spend in its current budget window.
#[derive(Clone, Copy, Debug)]
struct BudgetState {
    actor: Actor,
    budget: ActorBudget,
    window: Time,
    spent: Decimal,
}

/// One customer's wallet in one currency.
#[derive(Clone, Debug)]
pub struct Wallet {
    config: WalletConfig,
    grants: Vec<Grant>,
    names: HashMap<String, GrantIndex>,
    /// Grants that can pay, sorted by drawdown order, next to draw last.
    draw_list: Vec<GrantIndex>,
    /// Sum of balances of effective grants in the wallet's currency.
    grant_total: Decimal,
    debt: Decimal,
    due: BinaryHeap<Reverse<(Time, Due, GrantIndex)>>,
    clock: Option<Time>,
    totals: Totals,
    invoiced_foreign: Vec<(Currency, Decimal)>,
    /// Sorted by actor for binary search.
    budgets: Vec<BudgetState>,
    alerts_armed: Vec<bool>,
    /// Available balances `[low, high)` between which no alert threshold can
    /// change state: the check costs two comparisons while the balance stays
    /// inside. Empty until the first check.
    alerts_quiet: (Decimal, Decimal),
    topup_window: Time,
    topups_in_window: u32,
    journal: Vec<Entry>,
    rejections: Vec<(UsageId, RejectReason)>,
    usages: HashMap<UsageId, UsageRecord>,
    /// Debt repayments not yet given back by a reversal, latest last.
    repayments: Vec<(GrantIndex, Decimal)>,
    /// Reused by the drawdown: (position in draw list, grant, amount).
    plan: Vec<(usize, GrantIndex, Decimal)>,
}

impl Wallet {
    pub fn new(config: WalletConfig) -> Wallet {
        let mut budgets: Vec<BudgetState> = config
            .actor_budgets
            .iter()
            .map(|&(actor, budget)| BudgetState {
                actor,
                budget,
                window: Time::from_millis(i64::MIN),
                spent: Decimal::ZERO,
            })
            .collect();
        budgets.sort_by_key(|b| b.actor);
        // A new wallet has nothing available: only thresholds at or below zero start armed.
        let alerts_armed = config
            .alerts
            .iter()
            .map(|t| t.get() <= Decimal::ZERO)
            .collect();
        Wallet {
            config,
            grants: Vec::new(),
            names: HashMap::new(),
            draw_list: Vec::new(),
            grant_total: Decimal::ZERO,
            debt: Decimal::ZERO,
            due: BinaryHeap::new(),
            clock: None,
            totals: Totals::default(),
            invoiced_foreign: Vec::new(),
            budgets,
            alerts_armed,
            alerts_quiet: (Decimal::MAX, Decimal::MIN),
            topup_window: Time::from_millis(i64::MIN),
            topups_in_window: 0,
            journal: Vec::new(),
            rejections: Vec::new(),
            usages: HashMap::new(),
            repayments: Vec::new(),
            plan: Vec::new(),
        }
    }

    pub fn config(&self) -> &WalletConfig {
        &self.config
    }

    /// The time of the latest operation, `None` before the first.
    pub fn clock(&self) -> Option<Time> {
        self.clock
    }

    /// Applies every time-driven change (expiry, effective, refill) due up to
    /// and including `at`, running the checks after each instant's changes.
    pub fn advance_to(&mut self, at: Time) -> Result<(), OpError> {
        if let Some(clock) = self.clock
            && at < clock
        {
            return Err(OpError::TimeWentBackwards { at, clock });
        }
        while let Some(&Reverse((instant, _, _))) = self.due.peek() {
            if instant > at {
                break;
            }
            self.clock = Some(instant);
            let mut changed = false;
            while let Some(&Reverse((t, due, grant))) = self.due.peek() {
                if t != instant {
                    break;
                }
                self.due.pop();
                changed |= self.apply_due(due, grant, instant);
            }
            // A stale item (the expiry of a grant voided since) is no change to check after.
            if changed {
                self.after_change(instant);
            }
        }
        self.clock = Some(at);
        Ok(())
    }

    /// Creates a grant at `at`. It pays from `max(at, effective_at)` until
    /// `expires_at`; one created already expired is all breakage.
    pub fn grant(&mut self, spec: GrantSpec, at: Time) -> Result<GrantIndex, OpError> {
        self.advance_to(at)?;
        let index = self.create_grant(spec, at)?;
        self.after_change(at);
        Ok(index)
    }

    /// Creates several grants at one instant and runs the checks once, so a
    /// wallet opened with two grants is not judged (alerts, top-up) on the
    /// first alone. On an error, the grants before the faulty one exist.
    pub fn grant_all(
        &mut self,
        specs: impl IntoIterator<Item = GrantSpec>,
        at: Time,
    ) -> Result<Vec<GrantIndex>, OpError> {
        self.advance_to(at)?;
        let created = specs
            .into_iter()
            .map(|spec| self.create_grant(spec, at))
            .collect::<Result<Vec<_>, _>>();
        self.after_change(at);
        created
    }

    fn create_grant(&mut self, spec: GrantSpec, at: Time) -> Result<GrantIndex, OpError> {
        if self.names.contains_key(&spec.id) {
            return Err(OpError::DuplicateGrant(spec.id));
        }
        if let Some(expires_at) = spec.expires_at
            && expires_at <= spec.effective_at
        {
            return Err(OpError::ExpiresNotAfterEffective {
                id: spec.id,
                effective_at: spec.effective_at,
                expires_at,
            });
        }
        if self.grants.len() >= MAX_GRANTS {
            return Err(OpError::TooManyGrants);
        }
        // The entry goes first: creating the grant can expire it or repay debt from it.
        let index = GrantIndex(self.grants.len() as u32);
        let amount = spec.amount.get();
        self.record(
            at,
            EntryKind::Granted {
                grant: index,
                amount,
            },
        );
        self.push_grant(spec, at);
        Ok(index)
    }

    /// Meters one usage event. A rejection is an [`Outcome`], not an error.
    pub fn usage(&mut self, usage: &Usage, at: Time) -> Result<Outcome, OpError> {
        self.advance_to(at)?;
        if self.config.keep_journal && self.usages.contains_key(&usage.id) {
            return Err(OpError::DuplicateUsage(usage.id));
        }
        let outcome = self.meter(usage, at);
        if let Outcome::Rejected(reason) = outcome {
            self.totals.usage_rejected += 1;
            self.record(
                at,
                EntryKind::Rejected {
                    usage: usage.id,
                    reason,
                },
            );
            if self.config.keep_journal {
                self.rejections.push((usage.id, reason));
                self.usages.insert(usage.id, UsageRecord::Rejected);
            }
        }
        self.after_change(at);
        Ok(outcome)
    }

    /// How much usage the wallet can take before anything but its balances
    /// and totals would change: `None` unless the wallet keeps no journal,
    /// has no actor budgets, every grant that can pay is unscoped, and
    /// either a grant can pay or the exhaustion rule takes usage (overdraft
    /// with headroom left, invoice).
    ///
    /// Usage events in the wallet's currency, at times from the clock up to
    /// (not including) [`CertainRun::until`], whose amounts sum to less than
    /// [`CertainRun::credit`], are each accepted and go whole where
    /// [`CertainRun::to`] says: drawn from the next grant to draw, which
    /// they do not empty, or (when no grant can pay) added to overdraft debt
    /// that stays within its limit, or invoiced. None crosses an alert
    /// threshold, falls below the top-up trigger or meets a time-driven
    /// change (expiry, activation, refill). Metering them one by one
    /// therefore leaves the wallet exactly as metering their sum once does
    /// ([`Wallet::usage_certain`]), down to the scale of every decimal (a
    /// sum's scale is its largest part's, and every part goes to one place):
    /// a caller whose events are certain can meter them as one. Metered
    /// after the fact ([`Wallet::usage_after_the_fact`]) at one instant, they
    /// leave it the same way too: accepted usage is metered alike.
    pub fn certain_run(&self) -> Option<CertainRun> {
        if self.config.keep_journal || !self.budgets.is_empty() {
            return None;
        }
        if self
            .draw_list
            .iter()
            .any(|g| self.grants[g.get()].spec.scope.is_scoped())
        {
            return None;
        }
        let available = self.available();
        // Stay at or above every threshold the balance is at or above now.
        let mut floor: Option<Decimal> = None;
        for threshold in &self.config.alerts {
            let threshold = threshold.get();
            if threshold <= available {
                floor = Some(floor.map_or(threshold, |f| f.max(threshold)));
            }
        }
        // Stay at or above the top-up trigger, so that no top-up is considered.
        if let Some(rule) = self.config.topup {
            let below = rule.below.get();
            if available < below {
                return None;
            }
            floor = Some(floor.map_or(below, |f| f.max(below)));
        }
        let until = self
            .due
            .peek()
            .map_or(Time::from_millis(i64::MAX), |Reverse((t, _, _))| *t);
        let above_floor = |room: Decimal| Some(floor.map_or(room, |f| room.min(available - f)));
        let (credit, to) = match self.draw_list.last() {
            // Stay inside the next grant to draw: every event is then drawn
            // from it alone.
            Some(next) => (above_floor(self.grants[next.get()].balance), RunTo::Grant),
            // Nothing can pay: every event goes whole to the exhaustion rule.
            None => match self.config.exhaustion {
                Exhaustion::Block => return None,
                // Debt may reach its limit; the balance falls with it.
                Exhaustion::Overdraft { limit } => {
                    (above_floor(limit.get() - self.debt), RunTo::Overdraft)
                }
                // Invoicing leaves the balance where it is.
                Exhaustion::Invoice => (None, RunTo::Invoice),
            },
        };
        Some(CertainRun { credit, until, to })
    }

    /// Meters `events` usage events in the wallet's currency that
    /// [`Wallet::certain_run`] found certain, as one event of their summed
    /// `amount` at `at` (the last event's time): the wallet ends as metering
    /// them one by one leaves it, and its count of accepted usage grows by
    /// `events`. [`OpError::NotCertain`] if the run does not admit `amount`
    /// at `at`; nothing changes then.
    pub fn usage_certain(
        &mut self,
        amount: Decimal,
        events: u32,
        at: Time,
    ) -> Result<Drawdown, OpError> {
        if let Some(clock) = self.clock
            && at < clock
        {
            return Err(OpError::TimeWentBackwards { at, clock });
        }
        let run = self.certain_run();
        if !run.is_some_and(|run| amount >= Decimal::ZERO && run.admits(amount) && at < run.until) {
            return Err(OpError::NotCertain { amount, at });
        }
        let usage = Usage::new(
            UsageId(u64::MAX),
            Amount::new(amount).ok_or(OpError::NotCertain { amount, at })?,
            self.config.currency,
        );
        match self.usage(&usage, at)? {
            Outcome::Accepted(drawdown) => {
                debug_assert!(run.is_some_and(|run| drawdown == run.drawdown(amount)));
                self.totals.usage_accepted += u64::from(events.max(1)) - 1;
                Ok(drawdown)
            }
            // Not reached: a certain run is accepted whole.
            Outcome::Rejected(_) => Err(OpError::NotCertain { amount, at }),
        }
    }

    /// Meters usage that has already happened and cannot be refused: a call
    /// metered at the end of an aggregation window, or made by a task that
    /// was authorised when it started. Eligible grants pay what they can;
    /// under `overdraft` the debt takes what it can up to its limit; under
    /// `invoice` the rest is invoiced; whatever is left is `uncollected`:
    /// credit spent past the balance that nobody pays for. Actor budgets
    /// count the spend but cannot refuse it. Usage in another currency is
    /// invoiced under `invoice` and uncollected otherwise.
    pub fn usage_after_the_fact(&mut self, usage: &Usage, at: Time) -> Result<Drawdown, OpError> {
        self.advance_to(at)?;
        if self.config.keep_journal && self.usages.contains_key(&usage.id) {
            return Err(OpError::DuplicateUsage(usage.id));
        }
        let drawdown = self.meter_after_the_fact(usage, at);
        self.after_change(at);
        Ok(drawdown)
    }

    /// What `actor` may still spend in its current budget window; `None`
    /// when it has no budget.
    pub fn actor_budget_left(&mut self, actor: Actor, at: Time) -> Option<Decimal> {
        let slot = self.budget_slot(Some(actor), at)?;
        let state = &self.budgets[slot];
        Some((state.budget.cap.get() - state.spent).max(Decimal::ZERO))
    }

    /// Voids what is left of a grant; a pending grant never becomes effective.
    pub fn void(&mut self, grant: GrantIndex, at: Time) -> Result<(), OpError> {
        self.advance_to(at)?;
        let g = self
            .grants
            .get(grant.get())
            .ok_or(OpError::UnknownGrant(grant))?;
        match g.status {
            GrantStatus::Expired => return Err(OpError::GrantAlreadyExpired(g.spec.id.clone())),
            GrantStatus::Voided => return Err(OpError::GrantAlreadyVoided(g.spec.id.clone())),
            GrantStatus::Pending | GrantStatus::Active => {}
        }
        let amount = self.end_grant(grant, GrantStatus::Voided);
        self.record(at, EntryKind::Voided { grant, amount });
        self.after_change(at);
        Ok(())
    }

    /// The end of a usage period: clamps balances with rollover bounds, then
    /// repays or forgives overdraft debt per `reset_keeps_overdraft`.
    pub fn reset(&mut self, at: Time) -> Result<(), OpError> {
        self.advance_to(at)?;
        for index in 0..self.grants.len() {
            self.roll_over(GrantIndex(index as u32), at);
        }
        if self.debt > Decimal::ZERO {
            if self.config.reset_keeps_overdraft {
                let payers: Vec<GrantIndex> = self
                    .draw_list
                    .iter()
                    .rev()
                    .copied()
                    .filter(|g| !self.grants[g.get()].spec.scope.is_scoped())
                    .collect();
                for grant in payers {
                    self.repay_from(grant, at);
                }
            } else {
                let amount = std::mem::take(&mut self.debt);
                self.totals.overdraft_forgiven += amount;
                self.record(at, EntryKind::OverdraftForgiven { amount });
            }
        }
        self.after_change(at);
        Ok(())
    }

    /// Reverses an accepted usage event (refund, dispute): every part goes
    /// back where it came from, in the reverse order it was taken.
    pub fn reverse(&mut self, usage: UsageId, at: Time) -> Result<(), OpError> {
        self.advance_to(at)?;
        if !self.config.keep_journal {
            return Err(OpError::JournalOff);
        }
        let record = match self.usages.get_mut(&usage) {
            None => return Err(OpError::UnknownUsage(usage)),
            Some(UsageRecord::Rejected) => return Err(OpError::UsageWasRejected(usage)),
            Some(UsageRecord::Reversed) => return Err(OpError::AlreadyReversed(usage)),
            Some(record) => std::mem::replace(record, UsageRecord::Reversed),
        };
        let UsageRecord::Accepted(accepted) = record else {
            unreachable!("matched above")
        };
        self.reverse_accepted(usage, &accepted, at);
        self.after_change(at);
        Ok(())
    }

    /// Balances of effective, unexpired, unvoided grants in the wallet's
    /// currency, minus overdraft debt. Negative while in debt.
    pub fn available(&self) -> Decimal {
        self.grant_total - self.debt
    }

    /// Outstanding overdraft debt (>= 0).
    pub fn overdraft(&self) -> Decimal {
        self.debt
    }

    /// Overage invoiced in the wallet's currency, net of reversals.
    pub fn invoiced(&self) -> Decimal {
        self.totals.invoiced
    }

    /// Usage in other currencies, invoiced whole under `invoice`, net of
    /// reversals, in the order the currencies first appeared.
    pub fn invoiced_foreign(&self) -> &[(Currency, Decimal)] {
        &self.invoiced_foreign
    }

    /// All grants in creation order; a [`GrantIndex`] indexes this slice.
    pub fn grants(&self) -> &[Grant] {
        &self.grants
    }

    pub fn grant_named(&self, id: &str) -> Option<GrantIndex> {
        self.names.get(id).copied()
    }

    /// Empty unless the wallet keeps its journal.
    pub fn journal(&self) -> &[Entry] {
        &self.journal
    }

    /// Rejected usage events in order (kept with the journal).
    pub fn rejections(&self) -> &[(UsageId, RejectReason)] {
        &self.rejections
    }

    /// The wallet's totals. The per-grant sums (drawn, expired, voided,
    /// refilled) are added up here rather than kept on every usage event:
    /// O(grants), for reports, not for the inner loop.
    pub fn totals(&self) -> Totals {
        let mut totals = self.totals.clone();
        for g in &self.grants {
            totals.drawn += g.drawn;
            totals.expired += g.expired;
            totals.voided += g.voided;
            totals.refilled += g.refilled;
        }
        totals
    }

    // ---- usage -------------------------------------------------------------

    fn meter(&mut self, usage: &Usage, at: Time) -> Outcome {
        let amount = usage.amount.get();
        if usage.currency != self.config.currency {
            return self.meter_foreign(usage, at);
        }
        let budget = self.budget_slot(usage.actor, at);
        if let Some(slot) = budget {
            let state = &self.budgets[slot];
            if state.spent + amount > state.budget.cap.get() {
                return Outcome::Rejected(RejectReason::ActorBudgetSpent);
            }
        }
        let covered = self.plan_drawdown(amount, usage.feature, usage.actor);
        let uncovered = amount - covered;
        match self.config.exhaustion {
            Exhaustion::Block if uncovered > Decimal::ZERO => {
                return Outcome::Rejected(RejectReason::InsufficientCredit);
            }
            Exhaustion::Overdraft { limit } if self.debt + uncovered > limit.get() => {
                return Outcome::Rejected(RejectReason::ExceedsOverdraftLimit);
            }
            _ => {}
        }
        let draws = self.apply_plan(usage.id, at);
        let mut drawdown = Drawdown {
            from_grants: covered,
            ..Drawdown::default()
        };
        if let Exhaustion::Overdraft { .. } = self.config.exhaustion {
            drawdown.overdraft = uncovered;
        } else {
            drawdown.invoiced = uncovered;
        }
        if let Some(slot) = budget {
            self.budgets[slot].spent += amount;
        }
        self.book_accepted(usage, draws, drawdown, at);
        if let Exhaustion::Overdraft { limit } = self.config.exhaustion {
            assert!(self.debt <= limit.get(), "overdraft debt within its limit");
        }
        Outcome::Accepted(drawdown)
    }

    fn meter_after_the_fact(&mut self, usage: &Usage, at: Time) -> Drawdown {
        let amount = usage.amount.get();
        if usage.currency != self.config.currency {
            if let Outcome::Accepted(drawdown) = self.meter_foreign(usage, at) {
                return drawdown;
            }
            // Another currency under block or overdraft: nothing can cover it.
            let drawdown = Drawdown {
                uncollected: amount,
                ..Drawdown::default()
            };
            self.book_accepted(usage, Vec::new(), drawdown, at);
            return drawdown;
        }
        if let Some(slot) = self.budget_slot(usage.actor, at) {
            self.budgets[slot].spent += amount;
        }
        let covered = self.plan_drawdown(amount, usage.feature, usage.actor);
        let draws = self.apply_plan(usage.id, at);
        let mut drawdown = Drawdown {
            from_grants: covered,
            ..Drawdown::default()
        };
        let mut uncovered = amount - covered;
        match self.config.exhaustion {
            Exhaustion::Overdraft { limit } => {
                drawdown.overdraft = uncovered.min(limit.get() - self.debt);
                uncovered -= drawdown.overdraft;
            }
            Exhaustion::Invoice => {
                drawdown.invoiced = uncovered;
                uncovered = Decimal::ZERO;
            }
            Exhaustion::Block => {}
        }
        drawdown.uncollected = uncovered;
        self.book_accepted(usage, draws, drawdown, at);
        drawdown
    }

    /// Books an accepted usage: the parts its grants did not cover (debt,
    /// invoice, uncollected; never negative, so a zero test suffices), its
    /// count, and (with the journal) its record.
    fn book_accepted(
        &mut self,
        usage: &Usage,
        draws: Vec<(GrantIndex, Decimal)>,
        drawdown: Drawdown,
        at: Time,
    ) {
        if !drawdown.overdraft.is_zero() {
            self.debt += drawdown.overdraft;
            self.totals.overdraft_drawn += drawdown.overdraft;
            let amount = drawdown.overdraft;
            self.record(
                at,
                EntryKind::OverdraftDrawn {
                    usage: usage.id,
                    amount,
                },
            );
        }
        if !drawdown.invoiced.is_zero() {
            self.totals.invoiced += drawdown.invoiced;
            let (amount, currency) = (drawdown.invoiced, usage.currency);
            self.record(
                at,
                EntryKind::Invoiced {
                    usage: usage.id,
                    amount,
                    currency,
                },
            );
        }
        if !drawdown.uncollected.is_zero() {
            self.totals.uncollected += drawdown.uncollected;
            let amount = drawdown.uncollected;
            self.record(
                at,
                EntryKind::Uncollected {
                    usage: usage.id,
                    amount,
                },
            );
        }
        self.totals.usage_accepted += 1;
        if self.config.keep_journal {
            let record = AcceptedUsage {
                at,
                amount: usage.amount.get(),
                currency: usage.currency,
                actor: usage.actor,
                draws,
                overdraft: drawdown.overdraft,
                invoiced: drawdown.invoiced,
                uncollected: drawdown.uncollected,
            };
            self.usages.insert(usage.id, UsageRecord::Accepted(record));
        }
    }

    /// Usage priced in another currency never draws from the wallet: under
    /// `invoice` it is billed whole, otherwise rejected.
    fn meter_foreign(&mut self, usage: &Usage, at: Time) -> Outcome {
        if self.config.exhaustion != Exhaustion::Invoice {
            return Outcome::Rejected(RejectReason::CurrencyMismatch);
        }
        let amount = usage.amount.get();
        self.add_foreign_invoice(usage.currency, amount);
        let currency = usage.currency;
        self.record(
            at,
            EntryKind::Invoiced {
                usage: usage.id,
                amount,
                currency,
            },
        );
        self.totals.usage_accepted += 1;
        if self.config.keep_journal {
            let record = AcceptedUsage {
                at,
                amount,
                currency,
                actor: usage.actor,
                draws: Vec::new(),
                overdraft: Decimal::ZERO,
                invoiced: amount,
                uncollected: Decimal::ZERO,
            };
            self.usages.insert(usage.id, UsageRecord::Accepted(record));
        }
        Outcome::Accepted(Drawdown {
            invoiced: amount,
            ..Drawdown::default()
        })
    }

    fn add_foreign_invoice(&mut self, currency: Currency, amount: Decimal) {
        match self
            .invoiced_foreign
            .iter_mut()
            .find(|(c, _)| *c == currency)
        {
            Some((_, total)) => *total += amount,
            None => self.invoiced_foreign.push((currency, amount)),
        }
    }

    /// The actor's budget slot, its window rolled forward to `at`.
    fn budget_slot(&mut self, actor: Option<Actor>, at: Time) -> Option<usize> {
        let actor = actor?;
        let slot = self
            .budgets
            .binary_search_by_key(&actor, |b| b.actor)
            .ok()?;
        let state = &mut self.budgets[slot];
        let window = state.budget.period.window_start(at);
        if window != state.window {
            state.window = window;
            state.spent = Decimal::ZERO;
        }
        Some(slot)
    }

    /// Fills `self.plan` with what each eligible grant would give, walking the
    /// draw list from the grant drawn first; returns the amount covered.
    fn plan_drawdown(
        &mut self,
        amount: Decimal,
        feature: Option<Feature>,
        actor: Option<Actor>,
    ) -> Decimal {
        self.plan.clear();
        let mut remaining = amount;
        for position in (0..self.draw_list.len()).rev() {
            if remaining.is_zero() {
                break;
            }
            let index = self.draw_list[position];
            let grant = &self.grants[index.get()];
            if !grant.spec.scope.admits(feature, actor) {
                continue;
            }
            let take = grant.balance.min(remaining);
            remaining -= take;
            self.plan.push((position, index, take));
        }
        amount - remaining
    }

    /// Draws what `plan_drawdown` planned. Positions in the plan descend, so
    /// removing an emptied grant never shifts one still to be drawn.
    fn apply_plan(&mut self, usage: UsageId, at: Time) -> Vec<(GrantIndex, Decimal)> {
        let plan = std::mem::take(&mut self.plan);
        for &(position, index, take) in &plan {
            let grant = &mut self.grants[index.get()];
            grant.balance -= take;
            grant.drawn += take;
            if grant.balance.is_zero() {
                let removed = self.draw_list.remove(position);
                debug_assert_eq!(removed, index);
            }
            self.grant_total -= take;
            self.record(
                at,
                EntryKind::Drawn {
                    usage,
                    grant: index,
                    amount: take,
                },
            );
        }
        let draws = if self.config.keep_journal {
            plan.iter().map(|&(_, index, take)| (index, take)).collect()
        } else {
            Vec::new()
        };
        self.plan = plan;
        draws
    }

    // ---- reversal ----------------------------------------------------------

    fn reverse_accepted(&mut self, usage: UsageId, accepted: &AcceptedUsage, at: Time) {
        if accepted.uncollected > Decimal::ZERO {
            self.totals.uncollected -= accepted.uncollected;
            let amount = accepted.uncollected;
            self.record(
                at,
                EntryKind::Reversed {
                    usage,
                    to: ReversalTarget::Uncollected,
                    amount,
                },
            );
        }
        if accepted.invoiced > Decimal::ZERO {
            if accepted.currency == self.config.currency {
                self.totals.invoiced -= accepted.invoiced;
            } else {
                self.add_foreign_invoice(accepted.currency, -accepted.invoiced);
            }
            let amount = accepted.invoiced;
            self.record(
                at,
                EntryKind::Reversed {
                    usage,
                    to: ReversalTarget::Invoice,
                    amount,
                },
            );
        }
        if accepted.overdraft > Decimal::ZERO {
            self.reverse_overdraft(usage, accepted.overdraft, at);
        }
        for &(grant, amount) in accepted.draws.iter().rev() {
            self.give_back(usage, grant, amount, at);
        }
        if accepted.currency == self.config.currency
            && let Some(slot) = self.budget_slot(accepted.actor, at)
            && self.budgets[slot].window
                == self.budgets[slot].budget.period.window_start(accepted.at)
        {
            self.budgets[slot].spent -= accepted.amount;
        }
    }

    /// The overdraft part reduces the debt; what was already repaid goes back
    /// to the grants that repaid it (latest first); the rest was forgiven.
    fn reverse_overdraft(&mut self, usage: UsageId, part: Decimal, at: Time) {
        self.totals.overdraft_drawn -= part;
        let from_debt = self.debt.min(part);
        if from_debt > Decimal::ZERO {
            self.debt -= from_debt;
            self.record(
                at,
                EntryKind::Reversed {
                    usage,
                    to: ReversalTarget::Overdraft,
                    amount: from_debt,
                },
            );
        }
        let mut left = part - from_debt;
        while left > Decimal::ZERO {
            let Some((grant, repaid)) = self.repayments.pop() else {
                break;
            };
            let back = repaid.min(left);
            if back < repaid {
                self.repayments.push((grant, repaid - back));
            }
            left -= back;
            self.totals.overdraft_repaid -= back;
            self.give_back(usage, grant, back, at);
        }
        if left > Decimal::ZERO {
            self.totals.overdraft_forgiven -= left;
            self.record(
                at,
                EntryKind::Reversed {
                    usage,
                    to: ReversalTarget::Forgiven,
                    amount: left,
                },
            );
        }
    }

    /// Returns `amount` drawn from `grant`: to its balance, or straight to
    /// expired or voided if it has ended since.
    fn give_back(&mut self, usage: UsageId, grant: GrantIndex, amount: Decimal, at: Time) {
        let g = &mut self.grants[grant.get()];
        g.drawn -= amount;
        let to = match g.status {
            GrantStatus::Active => {
                self.credit(grant, amount);
                ReversalTarget::Balance(grant)
            }
            GrantStatus::Expired => {
                g.expired += amount;
                ReversalTarget::Expired(grant)
            }
            GrantStatus::Voided => {
                g.voided += amount;
                ReversalTarget::Voided(grant)
            }
            GrantStatus::Pending => unreachable!("a pending grant has never been drawn"),
        };
        self.record(at, EntryKind::Reversed { usage, to, amount });
    }

    // ---- time-driven changes -----------------------------------------------

    /// Applies one scheduled change; `false` when it no longer applies.
    fn apply_due(&mut self, due: Due, grant: GrantIndex, at: Time) -> bool {
        let status = self.grants[grant.get()].status;
        match due {
            Due::Expiry if matches!(status, GrantStatus::Pending | GrantStatus::Active) => {
                self.expire(grant, at);
            }
            Due::Effective if status == GrantStatus::Pending => self.activate(grant, at),
            Due::Refill if status == GrantStatus::Active => self.refill(grant, at),
            // The grant ended (or became effective early) since this was scheduled.
            _ => return false,
        }
        true
    }

    fn expire(&mut self, grant: GrantIndex, at: Time) {
        let amount = self.end_grant(grant, GrantStatus::Expired);
        self.record(at, EntryKind::Expired { grant, amount });
    }

    /// Sets an ended status and moves the remaining balance out; returns it.
    fn end_grant(&mut self, grant: GrantIndex, status: GrantStatus) -> Decimal {
        let amount = self.grants[grant.get()].balance;
        if self.grants[grant.get()].status == GrantStatus::Active {
            self.debit(grant, amount);
        } else {
            self.grants[grant.get()].balance = Decimal::ZERO;
        }
        let g = &mut self.grants[grant.get()];
        match status {
            GrantStatus::Expired => g.expired += amount,
            GrantStatus::Voided => g.voided += amount,
            GrantStatus::Pending | GrantStatus::Active => unreachable!("not an end"),
        }
        g.status = status;
        amount
    }

    fn activate(&mut self, grant: GrantIndex, at: Time) {
        let g = &mut self.grants[grant.get()];
        g.status = GrantStatus::Active;
        let balance = std::mem::take(&mut g.balance);
        self.credit(grant, balance);
        self.repay_from(grant, at);
    }

    fn refill(&mut self, grant: GrantIndex, at: Time) {
        let g = &mut self.grants[grant.get()];
        let add = g.spec.amount.get() - g.balance;
        g.refills_done += 1;
        let next = g
            .spec
            .recurrence
            .expect("only recurring grants are refilled")
            .after(g.spec.effective_at, g.refills_done + 1);
        let expires_at = g.spec.expires_at.unwrap_or(Time::NEVER);
        if next < expires_at {
            self.due.push(Reverse((next, Due::Refill, grant)));
        }
        if add > Decimal::ZERO {
            self.grants[grant.get()].refilled += add;
            self.credit(grant, add);
            self.record(at, EntryKind::Refilled { grant, amount: add });
            self.repay_from(grant, at);
        }
    }

    /// Clamps one grant to its rollover bounds at a reset.
    fn roll_over(&mut self, grant: GrantIndex, at: Time) {
        let g = &self.grants[grant.get()];
        let Some(bounds) = g.spec.rollover else {
            return;
        };
        if g.status != GrantStatus::Active {
            return;
        }
        let clamped = g.balance.clamp(bounds.min().get(), bounds.max().get());
        let delta = clamped - g.balance;
        if delta.is_zero() {
            return;
        }
        self.grants[grant.get()].rollover_delta += delta;
        if delta > Decimal::ZERO {
            self.credit(grant, delta);
        } else {
            self.debit(grant, -delta);
        }
        self.record(at, EntryKind::RolledOver { grant, delta });
    }

    // ---- grants and balances -----------------------------------------------

    /// Adds a grant to the wallet and schedules what time will do to it.
    fn push_grant(&mut self, spec: GrantSpec, at: Time) -> GrantIndex {
        let index = GrantIndex(self.grants.len() as u32);
        self.names.insert(spec.id.clone(), index);
        let (effective_at, expires_at, recurrence) =
            (spec.effective_at, spec.expires_at, spec.recurrence);
        self.grants.push(Grant::new(spec));
        if let Some(expires_at) = expires_at {
            if expires_at <= at {
                self.expire(index, at);
                return index;
            }
            self.due.push(Reverse((expires_at, Due::Expiry, index)));
        }
        if let Some(period) = recurrence {
            // Refill boundaries already past at creation are skipped.
            let mut k = match period {
                Period::Millis(ms) if at > effective_at => {
                    u32::try_from((at.millis() - effective_at.millis()) / ms).unwrap_or(u32::MAX)
                }
                _ => 0,
            }
            .saturating_add(1);
            while period.after(effective_at, k) <= at {
                k += 1;
            }
            self.grants[index.get()].refills_done = k - 1;
            let next = period.after(effective_at, k);
            if next < expires_at.unwrap_or(Time::NEVER) {
                self.due.push(Reverse((next, Due::Refill, index)));
            }
        }
        if effective_at <= at {
            self.activate(index, at);
        } else {
            self.due
                .push(Reverse((effective_at, Due::Effective, index)));
        }
        index
    }

    /// Whether the grant's balance counts in `available` and can pay.
    fn counts(&self, grant: GrantIndex) -> bool {
        let g = &self.grants[grant.get()];
        g.status == GrantStatus::Active && g.spec.currency == self.config.currency
    }

    /// Adds to an active grant's balance, keeping the draw list and total in step.
    fn credit(&mut self, grant: GrantIndex, amount: Decimal) {
        debug_assert!(amount >= Decimal::ZERO);
        let was_empty = self.grants[grant.get()].balance.is_zero();
        self.grants[grant.get()].balance += amount;
        if !self.counts(grant) || amount.is_zero() {
            return;
        }
        self.grant_total += amount;
        if was_empty {
            let position = self.draw_position(grant);
            self.draw_list.insert(position, grant);
        }
    }

    /// Takes from an active grant's balance, keeping the draw list and total in step.
    fn debit(&mut self, grant: GrantIndex, amount: Decimal) {
        let g = &mut self.grants[grant.get()];
        assert!(amount <= g.balance, "a balance never goes below zero");
        if amount.is_zero() {
            return;
        }
        let position = self.counts(grant).then(|| self.draw_position(grant));
        let g = &mut self.grants[grant.get()];
        g.balance -= amount;
        if let Some(position) = position {
            self.grant_total -= amount;
            if self.grants[grant.get()].balance.is_zero() {
                let removed = self.draw_list.remove(position);
                debug_assert_eq!(removed, grant);
            }
        }
    }

    /// Where `grant` sits (or would sit) in the draw list.
    fn draw_position(&self, grant: GrantIndex) -> usize {
        let spec = &self.grants[grant.get()].spec;
        self.draw_list.partition_point(|&other| {
            order::compare(self.config.order, &self.grants[other.get()].spec, spec)
                == Ordering::Greater
        })
    }

    /// Repays overdraft debt from credit that has just appeared in `grant`.
    fn repay_from(&mut self, grant: GrantIndex, at: Time) {
        if self.debt.is_zero()
            || !self.counts(grant)
            || self.grants[grant.get()].spec.scope.is_scoped()
        {
            return;
        }
        let amount = self.debt.min(self.grants[grant.get()].balance);
        if amount.is_zero() {
            return;
        }
        self.debit(grant, amount);
        self.grants[grant.get()].drawn += amount;
        self.debt -= amount;
        self.totals.overdraft_repaid += amount;
        if self.config.keep_journal {
            self.repayments.push((grant, amount));
        }
        self.record(at, EntryKind::OverdraftRepaid { grant, amount });
    }

    // ---- checks ------------------------------------------------------------

    /// Runs after every operation and every instant of time-driven changes.
    fn after_change(&mut self, at: Time) {
        self.check_alerts(at);
        if self.check_topup(at) {
            self.check_alerts(at);
        }
    }

    fn check_alerts(&mut self, at: Time) {
        let available = self.available();
        let (low, high) = self.alerts_quiet;
        if low <= available && available < high {
            return;
        }
        let (mut low, mut high) = (Decimal::MIN, Decimal::MAX);
        for i in 0..self.config.alerts.len() {
            let threshold = self.config.alerts[i].get();
            let at_or_above = available >= threshold;
            if self.alerts_armed[i] && !at_or_above {
                self.totals.alerts += 1;
                self.record(
                    at,
                    EntryKind::Alert {
                        threshold,
                        available,
                    },
                );
            }
            self.alerts_armed[i] = at_or_above;
            if at_or_above {
                low = low.max(threshold);
            } else {
                high = high.min(threshold);
            }
        }
        self.alerts_quiet = (low, high);
    }

    /// Buys at most one top-up if the balance is below the threshold and the
    /// period's cap allows; returns whether it did.
    fn check_topup(&mut self, at: Time) -> bool {
        let Some(rule) = self.config.topup else {
            return false;
        };
        let available = self.available();
        if available >= rule.below.get() || self.grants.len() >= MAX_GRANTS {
            return false;
        }
        let window = rule.period.window_start(at);
        if window != self.topup_window {
            self.topup_window = window;
            self.topups_in_window = 0;
        }
        if rule
            .max_per_period
            .is_some_and(|max| self.topups_in_window >= max)
        {
            return false;
        }
        let amount = match rule.size {
            TopupSize::Fixed(amount) => amount.get(),
            TopupSize::UpTo(target) => target.get() - available,
        };
        let Some(amount) = Amount::new(amount).filter(|a| !a.get().is_zero()) else {
            return false;
        };
        let spec = GrantSpec {
            id: self.next_topup_name(),
            kind: rule.kind,
            amount,
            priority: rule.priority,
            effective_at: at,
            expires_at: rule.expires_after.map(|p| p.after(at, 1)),
            cost_basis: rule.cost_basis,
            currency: self.config.currency,
            scope: Scope::default(),
            recurrence: None,
            rollover: None,
        };
        self.topups_in_window += 1;
        self.totals.topups += 1;
        self.totals.topup_amount += amount.get();
        let index = GrantIndex(self.grants.len() as u32);
        // The entry goes first so that a repayment the top-up makes follows it.
        self.record(
            at,
            EntryKind::Topup {
                grant: index,
                amount: amount.get(),
            },
        );
        let pushed = self.push_grant(spec, at);
        debug_assert_eq!(pushed, index);
        true
    }

    fn next_topup_name(&self) -> String {
        (self.totals.topups + 1..)
            .map(|n| format!("topup-{n}"))
            .find(|name| !self.names.contains_key(name))
            .expect("some name is free")
    }

    fn record(&mut self, at: Time, kind: EntryKind) {
        if self.config.keep_journal {
            self.journal.push(Entry { at, kind });
        }
    }

    // ---- invariants ----------------------------------------------------------

    /// Checks the invariants of DOMAIN.md ("Journal and invariants") and the
    /// engine's derived state over the whole wallet. O(grants + journal):
    /// tests call it after every operation; the engine asserts the cheap
    /// per-operation parts inline.
    pub fn check_invariants(&self) -> Result<(), String> {
        self.check_grants()?;
        self.check_derived_state()?;
        self.check_usage_records()?;
        if self.config.keep_journal {
            self.check_journal_rebuilds_balances()?;
        }
        Ok(())
    }

    fn check_grants(&self) -> Result<(), String> {
        for g in &self.grants {
            let credited = g.spec.amount.get() + g.refilled + g.rollover_delta;
            let accounted = g.drawn + g.expired + g.voided + g.balance;
            if credited != accounted {
                return Err(format!(
                    "grant {:?}: amount + refilled + rollover_delta = {credited} but drawn + expired + voided + balance = {accounted}",
                    g.spec.id
                ));
            }
            for (name, value) in [
                ("balance", g.balance),
                ("drawn", g.drawn),
                ("expired", g.expired),
                ("voided", g.voided),
                ("refilled", g.refilled),
            ] {
                if value < Decimal::ZERO {
                    return Err(format!(
                        "grant {:?}: {name} is negative ({value})",
                        g.spec.id
                    ));
                }
            }
            if matches!(g.status, GrantStatus::Expired | GrantStatus::Voided)
                && !g.balance.is_zero()
            {
                return Err(format!(
                    "grant {:?} has ended but holds {}",
                    g.spec.id, g.balance
                ));
            }
        }
        Ok(())
    }

    fn check_derived_state(&self) -> Result<(), String> {
        let limit = match self.config.exhaustion {
            Exhaustion::Overdraft { limit } => limit.get(),
            Exhaustion::Block | Exhaustion::Invoice => Decimal::ZERO,
        };
        if self.debt < Decimal::ZERO || self.debt > limit {
            return Err(format!("overdraft debt {} outside [0, {limit}]", self.debt));
        }
        let t = &self.totals;
        if t.overdraft_drawn - t.overdraft_repaid - t.overdraft_forgiven != self.debt {
            return Err(format!(
                "debt {} != overdraft drawn {} - repaid {} - forgiven {}",
                self.debt, t.overdraft_drawn, t.overdraft_repaid, t.overdraft_forgiven
            ));
        }
        let counted: Vec<GrantIndex> = (0..self.grants.len())
            .map(|i| GrantIndex(i as u32))
            .filter(|&g| self.counts(g))
            .collect();
        let grant_total: Decimal = counted.iter().map(|g| self.grants[g.get()].balance).sum();
        if grant_total != self.grant_total {
            return Err(format!(
                "running grant total {} != sum of effective balances {grant_total}",
                self.grant_total
            ));
        }
        let mut payers: Vec<GrantIndex> = counted
            .into_iter()
            .filter(|g| !self.grants[g.get()].balance.is_zero())
            .collect();
        payers.sort_by(|a, b| {
            order::compare(
                self.config.order,
                &self.grants[b.get()].spec,
                &self.grants[a.get()].spec,
            )
        });
        if payers != self.draw_list {
            return Err(format!(
                "draw list {:?} != grants that can pay, in order, {payers:?}",
                self.draw_list
            ));
        }
        Ok(())
    }

    fn check_usage_records(&self) -> Result<(), String> {
        for (id, record) in &self.usages {
            if let UsageRecord::Accepted(u) = record {
                let drawn: Decimal = u.draws.iter().map(|(_, amount)| *amount).sum();
                if drawn + u.overdraft + u.invoiced + u.uncollected != u.amount {
                    return Err(format!(
                        "usage {id:?}: drawn {drawn} + overdraft {} + invoiced {} + uncollected {} != amount {}",
                        u.overdraft, u.invoiced, u.uncollected, u.amount
                    ));
                }
            }
        }
        Ok(())
    }

    /// Every balance can be rebuilt from the journal alone: nothing moves
    /// without an entry.
    fn check_journal_rebuilds_balances(&self) -> Result<(), String> {
        let mut balances = vec![Decimal::ZERO; self.grants.len()];
        for entry in &self.journal {
            match entry.kind {
                EntryKind::Granted { grant, amount }
                | EntryKind::Topup { grant, amount }
                | EntryKind::Refilled { grant, amount } => balances[grant.get()] += amount,
                EntryKind::RolledOver { grant, delta } => balances[grant.get()] += delta,
                EntryKind::Drawn { grant, amount, .. }
                | EntryKind::Expired { grant, amount }
                | EntryKind::Voided { grant, amount }
                | EntryKind::OverdraftRepaid { grant, amount } => balances[grant.get()] -= amount,
                EntryKind::Reversed {
                    to: ReversalTarget::Balance(grant),
                    amount,
                    ..
                } => {
                    balances[grant.get()] += amount;
                }
                _ => {}
            }
        }
        for (g, rebuilt) in self.grants.iter().zip(balances) {
            if rebuilt != g.balance {
                return Err(format!(
                    "grant {:?}: the journal gives a balance of {rebuilt}, the grant holds {}",
                    g.spec.id, g.balance
                ));
            }
        }
        Ok(())
    }
}
