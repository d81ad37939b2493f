//! Property tests: random wallets and random operation sequences, checked
//! after every operation against the invariants (`Wallet::check_invariants`)
//! and against `Reference`, a small model that recomputes everything by
//! brute force: it scans every grant for what is due, sorts the eligible
//! grants afresh for every usage event and keeps no running totals, so it
//! shares none of the engine's incremental state.
//!
//! The runner is seeded: `LEDGER_PROPTEST_SEED=<u64>` replays a run, and a
//! failure prints the seed and the shrunk operation sequence;
//! `LEDGER_PROPTEST_CASES=<n>` searches deeper than CI's fixed count.

use std::collections::{BTreeMap, HashMap};

use ledger::{
    Actor, ActorBudget, Amount, Currency, DrawdownOrder, Exhaustion, Feature, GrantIndex,
    GrantKind, GrantSpec, GrantStatus, OpError, Outcome, Period, RejectReason, Rollover, Scope,
    TopupRule, TopupSize, Usage, UsageId, Wallet, WalletConfig,
};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngAlgorithm, TestCaseError, TestRng, TestRunner};
use rust_decimal::Decimal;

const DEFAULT_SEED: u64 = 20_250_101;
const HOUR_MS: i64 = 3_600_000;
const T0: i64 = 1_735_689_600_000; // 2025-01-01T00:00:00Z

fn eur() -> Currency {
    Currency::new("EUR").unwrap()
}

// ---- generated inputs ------------------------------------------------------

#[derive(Clone, Debug)]
enum Op {
    Usage {
        amount: Decimal,
        foreign: bool,
        feature: Option<u32>,
        actor: Option<u32>,
    },
    /// Metered after the fact: cannot be refused.
    UsageAfter {
        amount: Decimal,
        foreign: bool,
        feature: Option<u32>,
        actor: Option<u32>,
    },
    Grant(GrantSpec),
    Void(usize),
    Reset,
    Reverse(u64),
    Advance,
}

#[derive(Clone, Debug)]
struct Case {
    config: WalletConfig,
    grants: Vec<GrantSpec>,
    /// Each operation with the hours elapsed since the previous one.
    ops: Vec<(i64, Op)>,
    until_hours: i64,
}

fn amount() -> impl Strategy<Value = Decimal> {
    // Whole credits mostly, cents sometimes, so rounding-free arithmetic is exercised too.
    prop_oneof![
        3 => (0u64..200).prop_map(Decimal::from),
        1 => (0i64..20_000).prop_map(|cents| Decimal::new(cents, 2)),
    ]
}

fn period() -> impl Strategy<Value = Period> {
    prop_oneof![
        Just(Period::hours(6)),
        Just(Period::days(1)),
        Just(Period::weeks(1)),
        Just(Period::Months(1))
    ]
}

fn grant_spec(id: String) -> impl Strategy<Value = GrantSpec> {
    (
        (
            amount(),
            0u8..3,
            0i64..72,
            proptest::option::of(1i64..200),
            0u32..3,
        ),
        (
            proptest::option::weighted(0.3, 0u32..2),
            proptest::option::weighted(0.2, 0u32..2),
            proptest::option::weighted(0.3, period()),
            proptest::option::weighted(0.3, (amount(), amount())),
            proptest::bool::weighted(0.1),
            0usize..4,
        ),
    )
        .prop_map(
            move |((amount, priority, effective_h, lifetime_h, cost), extra)| {
                let (feature, actor, recurrence, rollover, foreign, kind) = extra;
                let effective_at = ledger::Time::from_millis(T0 + effective_h * HOUR_MS);
                let currency = if foreign { eur() } else { Currency::USD };
                let mut spec = GrantSpec::new(
                    id.clone(),
                    GrantKind::ALL[kind],
                    Amount::new(amount).unwrap(),
                    effective_at,
                    currency,
                );
                spec.priority = priority;
                spec.expires_at = lifetime_h
                    .map(|h| ledger::Time::from_millis(effective_at.millis() + h * HOUR_MS));
                spec.cost_basis = Amount::new(Decimal::new(i64::from(cost), 2)).unwrap();
                spec.scope = Scope {
                    features: feature.map(Feature).into_iter().collect(),
                    actors: actor.map(Actor).into_iter().collect(),
                };
                spec.recurrence = recurrence;
                spec.rollover = rollover.map(|(a, b)| {
                    let (min, max) = if a <= b { (a, b) } else { (b, a) };
                    Rollover::new(Amount::new(min).unwrap(), Amount::new(max).unwrap()).unwrap()
                });
                spec
            },
        )
}

fn config() -> impl Strategy<Value = WalletConfig> {
    let exhaustion = prop_oneof![
        Just(Exhaustion::Block),
        amount().prop_map(|limit| Exhaustion::Overdraft {
            limit: Amount::new(limit).unwrap()
        }),
        Just(Exhaustion::Invoice),
    ];
    let topup = (
        amount(),
        amount(),
        proptest::bool::ANY,
        proptest::option::of(1u32..3),
        proptest::option::of(period()),
    )
        .prop_map(|(below, size, up_to, max_per_period, expires_after)| {
            let size = Amount::new(size).unwrap();
            let mut rule = TopupRule::new(
                Amount::new(below).unwrap(),
                if up_to {
                    TopupSize::UpTo(size)
                } else {
                    TopupSize::Fixed(size)
                },
            );
            rule.max_per_period = max_per_period;
            rule.expires_after = expires_after;
            rule.period = Period::days(1);
            rule
        });
    (
        exhaustion,
        0usize..3,
        proptest::bool::ANY,
        proptest::collection::vec(amount(), 0..3),
        proptest::option::weighted(0.3, topup),
        proptest::option::weighted(0.3, amount()),
    )
        .prop_map(
            |(exhaustion, order, keeps, alerts, topup, budget)| WalletConfig {
                exhaustion,
                order: DrawdownOrder::ALL[order],
                reset_keeps_overdraft: keeps,
                alerts: alerts
                    .into_iter()
                    .map(|a| Amount::new(a).unwrap())
                    .collect(),
                topup,
                actor_budgets: budget
                    .map(|cap| {
                        (
                            Actor(0),
                            ActorBudget {
                                cap: Amount::new(cap).unwrap(),
                                period: Period::days(1),
                            },
                        )
                    })
                    .into_iter()
                    .collect(),
                ..WalletConfig::new(Currency::USD)
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        8 => (amount(), proptest::bool::weighted(0.05), proptest::option::of(0u32..2), proptest::option::of(0u32..2))
            .prop_map(|(amount, foreign, feature, actor)| Op::Usage { amount, foreign, feature, actor }),
        3 => (amount(), proptest::bool::weighted(0.05), proptest::option::of(0u32..2), proptest::option::of(0u32..2))
            .prop_map(|(amount, foreign, feature, actor)| Op::UsageAfter { amount, foreign, feature, actor }),
        2 => grant_spec(String::new()).prop_map(Op::Grant),
        1 => (0usize..8).prop_map(Op::Void),
        1 => Just(Op::Reset),
        2 => (0u64..12).prop_map(Op::Reverse),
        1 => Just(Op::Advance),
    ]
}

fn case() -> impl Strategy<Value = Case> {
    (
        config(),
        proptest::collection::vec(0..6usize, 1).prop_flat_map(|n| {
            let count = n[0];
            (0..count)
                .map(|i| grant_spec(format!("g{i}")))
                .collect::<Vec<_>>()
        }),
        proptest::collection::vec((0i64..30, op()), 1..40),
        0i64..200,
    )
        .prop_map(|(config, grants, mut ops, until_hours)| {
            // File grant events get unique ids.
            for (i, (_, op)) in ops.iter_mut().enumerate() {
                if let Op::Grant(spec) = op {
                    spec.id = format!("e{i}");
                }
            }
            Case {
                config,
                grants,
                ops,
                until_hours,
            }
        })
}

// ---- the reference model ---------------------------------------------------

#[derive(Clone, Debug, PartialEq)]
struct RefGrant {
    spec: GrantSpec,
    status: GrantStatus,
    balance: Decimal,
    drawn: Decimal,
    expired: Decimal,
    voided: Decimal,
    refilled: Decimal,
    rollover_delta: Decimal,
    next_refill: u32,
}

struct RefUsage {
    at: ledger::Time,
    amount: Decimal,
    foreign: bool,
    actor: Option<u32>,
    draws: Vec<(usize, Decimal)>,
    overdraft: Decimal,
    invoiced: Decimal,
    uncollected: Decimal,
}

enum RefRecord {
    Accepted(RefUsage),
    Rejected,
    Reversed,
}

struct Reference {
    config: WalletConfig,
    grants: Vec<RefGrant>,
    debt: Decimal,
    invoiced: Decimal,
    invoiced_eur: Decimal,
    uncollected: Decimal,
    clock: Option<ledger::Time>,
    usages: HashMap<u64, RefRecord>,
    repayments: Vec<(usize, Decimal)>,
    armed: Vec<bool>,
    topups_per_window: BTreeMap<ledger::Time, u32>,
    topups: u32,
    alerts: u32,
    spent: BTreeMap<ledger::Time, Decimal>,
}

impl Reference {
    fn new(config: WalletConfig) -> Reference {
        let armed = config
            .alerts
            .iter()
            .map(|a| a.get() <= Decimal::ZERO)
            .collect();
        Reference {
            config,
            grants: Vec::new(),
            debt: Decimal::ZERO,
            invoiced: Decimal::ZERO,
            invoiced_eur: Decimal::ZERO,
            uncollected: Decimal::ZERO,
            clock: None,
            usages: HashMap::new(),
            repayments: Vec::new(),
            armed,
            topups_per_window: BTreeMap::new(),
            topups: 0,
            alerts: 0,
            spent: BTreeMap::new(),
        }
    }

    fn pays(&self, i: usize) -> bool {
        let g = &self.grants[i];
        g.status == GrantStatus::Active && g.spec.currency == Currency::USD
    }

    fn available(&self) -> Decimal {
        (0..self.grants.len())
            .filter(|&i| self.pays(i))
            .map(|i| self.grants[i].balance)
            .sum::<Decimal>()
            - self.debt
    }

    fn key(&self, i: usize) -> (u8, bool, ledger::Time, Decimal, ledger::Time, String) {
        let s = &self.grants[i].spec;
        let expires = s.expires_at.unwrap_or(ledger::Time::NEVER);
        let (priority, unscoped, cost) = match self.config.order {
            DrawdownOrder::Kong => (s.priority, !s.scope.is_scoped(), s.cost_basis.get()),
            DrawdownOrder::OpenMeter => (s.priority, false, Decimal::ZERO),
            DrawdownOrder::Orb => (0, false, s.cost_basis.get()),
        };
        (
            priority,
            unscoped,
            expires,
            cost,
            s.effective_at,
            s.id.clone(),
        )
    }

    /// Grants that can pay and whose scope `admits`, in drawdown order.
    fn ordered(&self, admits: impl Fn(&Scope) -> bool) -> Vec<usize> {
        let mut list: Vec<usize> = (0..self.grants.len())
            .filter(|&i| {
                self.pays(i)
                    && self.grants[i].balance > Decimal::ZERO
                    && admits(&self.grants[i].spec.scope)
            })
            .collect();
        list.sort_by_key(|&i| self.key(i));
        list
    }

    fn next_due(&self) -> Option<(ledger::Time, u8, usize)> {
        let mut due = Vec::new();
        for (i, g) in self.grants.iter().enumerate() {
            let live = matches!(g.status, GrantStatus::Pending | GrantStatus::Active);
            if let (true, Some(expires_at)) = (live, g.spec.expires_at) {
                due.push((expires_at, 0, i));
            }
            if g.status == GrantStatus::Pending {
                due.push((g.spec.effective_at, 1, i));
            }
            if let (GrantStatus::Active, Some(period)) = (g.status, g.spec.recurrence) {
                let t = period.after(g.spec.effective_at, g.next_refill);
                if t < g.spec.expires_at.unwrap_or(ledger::Time::NEVER) {
                    due.push((t, 2, i));
                }
            }
        }
        due.into_iter().min()
    }

    fn advance(&mut self, at: ledger::Time) -> Result<(), ()> {
        if self.clock.is_some_and(|c| at < c) {
            return Err(());
        }
        while let Some((t, _, _)) = self.next_due().filter(|d| d.0 <= at) {
            while let Some((_, kind, i)) = self.next_due().filter(|d| d.0 == t) {
                match kind {
                    0 => self.end(i, GrantStatus::Expired),
                    1 => {
                        self.grants[i].status = GrantStatus::Active;
                        self.repay(i);
                    }
                    _ => {
                        let g = &mut self.grants[i];
                        g.next_refill += 1;
                        let add = g.spec.amount.get() - g.balance;
                        if add > Decimal::ZERO {
                            g.balance += add;
                            g.refilled += add;
                            self.repay(i);
                        }
                    }
                }
            }
            self.checks(t);
        }
        self.clock = Some(at);
        Ok(())
    }

    fn end(&mut self, i: usize, status: GrantStatus) {
        let g = &mut self.grants[i];
        let b = std::mem::take(&mut g.balance);
        if status == GrantStatus::Expired {
            g.expired += b
        } else {
            g.voided += b
        }
        g.status = status;
    }

    fn repay(&mut self, i: usize) {
        if !self.pays(i) || self.grants[i].spec.scope.is_scoped() {
            return;
        }
        let x = self.debt.min(self.grants[i].balance);
        if x > Decimal::ZERO {
            self.grants[i].balance -= x;
            self.grants[i].drawn += x;
            self.debt -= x;
            self.repayments.push((i, x));
        }
    }

    fn add_grant(&mut self, spec: GrantSpec, at: ledger::Time) {
        let mut k = 1;
        if let Some(p) = spec.recurrence {
            while p.after(spec.effective_at, k) <= at {
                k += 1;
            }
        }
        let i = self.grants.len();
        let balance = spec.amount.get();
        self.grants.push(RefGrant {
            spec,
            status: GrantStatus::Pending,
            balance,
            drawn: Decimal::ZERO,
            expired: Decimal::ZERO,
            voided: Decimal::ZERO,
            refilled: Decimal::ZERO,
            rollover_delta: Decimal::ZERO,
            next_refill: k,
        });
        let g = &self.grants[i];
        if g.spec.expires_at.is_some_and(|e| e <= at) {
            self.end(i, GrantStatus::Expired);
        } else if g.spec.effective_at <= at {
            self.grants[i].status = GrantStatus::Active;
            self.repay(i);
        }
    }

    fn grant_all(&mut self, specs: Vec<GrantSpec>, at: ledger::Time) {
        self.advance(at).unwrap();
        for spec in specs {
            self.add_grant(spec, at);
        }
        self.checks(at);
    }

    fn grant(&mut self, spec: GrantSpec, at: ledger::Time) -> Result<(), ()> {
        self.advance(at)?;
        if self.grants.iter().any(|g| g.spec.id == spec.id) {
            return Err(());
        }
        self.add_grant(spec, at);
        self.checks(at);
        Ok(())
    }

    fn usage(
        &mut self,
        id: u64,
        amount: Decimal,
        foreign: bool,
        feature: Option<u32>,
        actor: Option<u32>,
        at: ledger::Time,
    ) -> Result<Outcome, ()> {
        self.advance(at)?;
        if self.usages.contains_key(&id) {
            return Err(());
        }
        let outcome = self.meter(id, amount, foreign, feature, actor, at);
        if let Outcome::Rejected(_) = outcome {
            self.usages.insert(id, RefRecord::Rejected);
        }
        self.checks(at);
        Ok(outcome)
    }

    fn meter(
        &mut self,
        id: u64,
        amount: Decimal,
        foreign: bool,
        feature: Option<u32>,
        actor: Option<u32>,
        at: ledger::Time,
    ) -> Outcome {
        let mut record = RefUsage {
            at,
            amount,
            foreign,
            actor,
            draws: Vec::new(),
            overdraft: Decimal::ZERO,
            invoiced: Decimal::ZERO,
            uncollected: Decimal::ZERO,
        };
        if foreign {
            if self.config.exhaustion != Exhaustion::Invoice {
                return Outcome::Rejected(RejectReason::CurrencyMismatch);
            }
            self.invoiced_eur += amount;
            record.invoiced = amount;
            self.usages.insert(id, RefRecord::Accepted(record));
            return Outcome::Accepted(ledger::Drawdown {
                invoiced: amount,
                ..Default::default()
            });
        }
        let budget = self.budget_window(actor, at);
        if let Some((window, cap)) = budget
            && self.spent.get(&window).copied().unwrap_or_default() + amount > cap
        {
            return Outcome::Rejected(RejectReason::ActorBudgetSpent);
        }
        let eligible = self.ordered(|s| s.admits(feature.map(Feature), actor.map(Actor)));
        let mut remaining = amount;
        for i in eligible {
            let take = self.grants[i].balance.min(remaining);
            if take > Decimal::ZERO {
                record.draws.push((i, take));
                remaining -= take;
            }
        }
        match self.config.exhaustion {
            Exhaustion::Block if remaining > Decimal::ZERO => {
                return Outcome::Rejected(RejectReason::InsufficientCredit);
            }
            Exhaustion::Overdraft { limit } if self.debt + remaining > limit.get() => {
                return Outcome::Rejected(RejectReason::ExceedsOverdraftLimit);
            }
            Exhaustion::Overdraft { .. } => {
                self.debt += remaining;
                record.overdraft = remaining;
            }
            _ => {
                self.invoiced += remaining;
                record.invoiced = remaining;
            }
        }
        for &(i, take) in &record.draws {
            self.grants[i].balance -= take;
            self.grants[i].drawn += take;
        }
        if let Some((window, _)) = budget {
            *self.spent.entry(window).or_default() += amount;
        }
        let drawdown = ledger::Drawdown {
            from_grants: amount - remaining,
            overdraft: record.overdraft,
            invoiced: record.invoiced,
            uncollected: Decimal::ZERO,
        };
        self.usages.insert(id, RefRecord::Accepted(record));
        Outcome::Accepted(drawdown)
    }

    #[allow(clippy::too_many_arguments)]
    fn usage_after(
        &mut self,
        id: u64,
        amount: Decimal,
        foreign: bool,
        feature: Option<u32>,
        actor: Option<u32>,
        at: ledger::Time,
    ) -> Result<ledger::Drawdown, ()> {
        self.advance(at)?;
        if self.usages.contains_key(&id) {
            return Err(());
        }
        let mut record = RefUsage {
            at,
            amount,
            foreign,
            actor,
            draws: Vec::new(),
            overdraft: Decimal::ZERO,
            invoiced: Decimal::ZERO,
            uncollected: Decimal::ZERO,
        };
        if foreign {
            if self.config.exhaustion == Exhaustion::Invoice {
                self.invoiced_eur += amount;
                record.invoiced = amount;
            } else {
                self.uncollected += amount;
                record.uncollected = amount;
            }
        } else {
            if let Some((window, _)) = self.budget_window(actor, at) {
                *self.spent.entry(window).or_default() += amount;
            }
            let mut remaining = amount;
            for i in self.ordered(|s| s.admits(feature.map(Feature), actor.map(Actor))) {
                let take = self.grants[i].balance.min(remaining);
                if take > Decimal::ZERO {
                    self.grants[i].balance -= take;
                    self.grants[i].drawn += take;
                    record.draws.push((i, take));
                    remaining -= take;
                }
            }
            match self.config.exhaustion {
                Exhaustion::Overdraft { limit } => {
                    record.overdraft = remaining.min(limit.get() - self.debt);
                    self.debt += record.overdraft;
                    remaining -= record.overdraft;
                }
                Exhaustion::Invoice => {
                    record.invoiced = remaining;
                    self.invoiced += remaining;
                    remaining = Decimal::ZERO;
                }
                Exhaustion::Block => {}
            }
            record.uncollected = remaining;
            self.uncollected += remaining;
        }
        let drawdown = ledger::Drawdown {
            from_grants: record.draws.iter().map(|(_, t)| *t).sum(),
            overdraft: record.overdraft,
            invoiced: record.invoiced,
            uncollected: record.uncollected,
        };
        self.usages.insert(id, RefRecord::Accepted(record));
        self.checks(at);
        Ok(drawdown)
    }

    fn budget_window(
        &self,
        actor: Option<u32>,
        at: ledger::Time,
    ) -> Option<(ledger::Time, Decimal)> {
        let (_, budget) = self
            .config
            .actor_budgets
            .iter()
            .find(|(a, _)| Some(a.0) == actor)?;
        Some((budget.period.window_start(at), budget.cap.get()))
    }

    fn void(&mut self, i: usize, at: ledger::Time) -> Result<(), ()> {
        self.advance(at)?;
        match self.grants.get(i).map(|g| g.status) {
            Some(GrantStatus::Pending | GrantStatus::Active) => {}
            _ => return Err(()),
        }
        self.end(i, GrantStatus::Voided);
        self.checks(at);
        Ok(())
    }

    fn reset(&mut self, at: ledger::Time) -> Result<(), ()> {
        self.advance(at)?;
        for g in self
            .grants
            .iter_mut()
            .filter(|g| g.status == GrantStatus::Active)
        {
            if let Some(r) = g.spec.rollover {
                let clamped = g.balance.clamp(r.min().get(), r.max().get());
                g.rollover_delta += clamped - g.balance;
                g.balance = clamped;
            }
        }
        if self.config.reset_keeps_overdraft {
            for i in self.ordered(|s| !s.is_scoped()) {
                self.repay(i);
            }
        } else {
            self.debt = Decimal::ZERO;
        }
        self.checks(at);
        Ok(())
    }

    fn reverse(&mut self, id: u64, at: ledger::Time) -> Result<(), ()> {
        self.advance(at)?;
        let Some(RefRecord::Accepted(_)) = self.usages.get(&id) else {
            return Err(());
        };
        let Some(RefRecord::Accepted(u)) = self.usages.insert(id, RefRecord::Reversed) else {
            unreachable!()
        };
        if u.foreign {
            self.invoiced_eur -= u.invoiced;
        } else {
            self.invoiced -= u.invoiced;
        }
        self.uncollected -= u.uncollected;
        let from_debt = self.debt.min(u.overdraft);
        self.debt -= from_debt;
        let mut left = u.overdraft - from_debt;
        while left > Decimal::ZERO {
            let Some((i, repaid)) = self.repayments.pop() else {
                break;
            };
            let back = repaid.min(left);
            if back < repaid {
                self.repayments.push((i, repaid - back));
            }
            left -= back;
            self.give_back(i, back);
        }
        for &(i, amount) in u.draws.iter().rev() {
            self.give_back(i, amount);
        }
        if let (false, Some((window, _))) = (u.foreign, self.budget_window(u.actor, u.at))
            && self.budget_window(u.actor, at).map(|b| b.0) == Some(window)
        {
            *self.spent.entry(window).or_default() -= u.amount;
        }
        self.checks(at);
        Ok(())
    }

    fn give_back(&mut self, i: usize, amount: Decimal) {
        let g = &mut self.grants[i];
        g.drawn -= amount;
        match g.status {
            GrantStatus::Expired => g.expired += amount,
            GrantStatus::Voided => g.voided += amount,
            _ => g.balance += amount,
        }
    }

    fn checks(&mut self, at: ledger::Time) {
        self.alert_check();
        if self.topup(at) {
            self.alert_check();
        }
    }

    fn alert_check(&mut self) {
        let available = self.available();
        for (i, threshold) in self.config.alerts.iter().enumerate() {
            let above = available >= threshold.get();
            if self.armed[i] && !above {
                self.alerts += 1;
            }
            self.armed[i] = above;
        }
    }

    fn topup(&mut self, at: ledger::Time) -> bool {
        let Some(rule) = self.config.topup else {
            return false;
        };
        let available = self.available();
        if available >= rule.below.get() {
            return false;
        }
        let window = rule.period.window_start(at);
        let count = self.topups_per_window.get(&window).copied().unwrap_or(0);
        if rule.max_per_period.is_some_and(|max| count >= max) {
            return false;
        }
        let amount = match rule.size {
            TopupSize::Fixed(a) => a.get(),
            TopupSize::UpTo(target) => target.get() - available,
        };
        if amount <= Decimal::ZERO {
            return false;
        }
        self.topups += 1;
        self.topups_per_window.insert(window, count + 1);
        let mut n = self.topups;
        while self
            .grants
            .iter()
            .any(|g| g.spec.id == format!("topup-{n}"))
        {
            n += 1;
        }
        let mut spec = GrantSpec::new(
            format!("topup-{n}"),
            rule.kind,
            Amount::new(amount).unwrap(),
            at,
            Currency::USD,
        );
        spec.priority = rule.priority;
        spec.cost_basis = rule.cost_basis;
        spec.expires_at = rule.expires_after.map(|p| p.after(at, 1));
        self.add_grant(spec, at);
        true
    }
}

// ---- the comparison ----------------------------------------------------------

fn check_case(case: &Case) -> Result<(), TestCaseError> {
    let mut wallet = Wallet::new(case.config.clone());
    let mut reference = Reference::new(case.config.clone());
    drive(case, &mut wallet, &mut reference)
}

/// Applies the case to both, comparing after every operation.
fn drive(case: &Case, wallet: &mut Wallet, reference: &mut Reference) -> Result<(), TestCaseError> {
    let start = ledger::Time::from_millis(T0);
    wallet.grant_all(case.grants.clone(), start).unwrap();
    reference.grant_all(case.grants.clone(), start);
    compare(wallet, reference, "initial grants")?;
    let mut at = start;
    for (step, (hours, op)) in case.ops.iter().enumerate() {
        at = ledger::Time::from_millis(at.millis() + hours * HOUR_MS);
        let label = format!("op {step} {op:?}");
        let (engine, model): (
            Result<Option<Outcome>, OpError>,
            Result<Option<Outcome>, ()>,
        ) = match op {
            Op::Usage {
                amount,
                foreign,
                feature,
                actor,
            } => {
                let usage = Usage {
                    id: UsageId(step as u64),
                    amount: Amount::new(*amount).unwrap(),
                    currency: if *foreign { eur() } else { Currency::USD },
                    feature: feature.map(Feature),
                    actor: actor.map(Actor),
                };
                (
                    wallet.usage(&usage, at).map(Some),
                    reference
                        .usage(step as u64, *amount, *foreign, *feature, *actor, at)
                        .map(Some),
                )
            }
            Op::UsageAfter {
                amount,
                foreign,
                feature,
                actor,
            } => {
                let usage = Usage {
                    id: UsageId(step as u64),
                    amount: Amount::new(*amount).unwrap(),
                    currency: if *foreign { eur() } else { Currency::USD },
                    feature: feature.map(Feature),
                    actor: actor.map(Actor),
                };
                (
                    wallet
                        .usage_after_the_fact(&usage, at)
                        .map(|d| Some(Outcome::Accepted(d))),
                    reference
                        .usage_after(step as u64, *amount, *foreign, *feature, *actor, at)
                        .map(|d| Some(Outcome::Accepted(d))),
                )
            }
            Op::Grant(spec) => (
                wallet.grant(spec.clone(), at).map(|_| None),
                reference.grant(spec.clone(), at).map(|_| None),
            ),
            Op::Void(i) => (
                wallet.void(GrantIndex(*i as u32), at).map(|_| None),
                reference.void(*i, at).map(|_| None),
            ),
            Op::Reset => (
                wallet.reset(at).map(|_| None),
                reference.reset(at).map(|_| None),
            ),
            Op::Reverse(id) => (
                wallet.reverse(UsageId(*id), at).map(|_| None),
                reference.reverse(*id, at).map(|_| None),
            ),
            Op::Advance => (
                wallet.advance_to(at).map(|_| None),
                reference.advance(at).map(|_| None),
            ),
        };
        match (&engine, &model) {
            (Ok(a), Ok(b)) if a != b => {
                let journal: Vec<String> = wallet
                    .journal()
                    .iter()
                    .map(|e| format!("{} {:?}", e.at, e.kind))
                    .collect();
                let grants: Vec<String> = reference
                    .grants
                    .iter()
                    .map(|g| format!("{} {:?} {}", g.spec.id, g.status, g.balance))
                    .collect();
                prop_assert!(
                    false,
                    "{}: engine {:?} but reference {:?}\njournal:\n{}\nreference grants: {:?} debt {}",
                    label,
                    a,
                    b,
                    journal.join("\n"),
                    grants,
                    reference.debt
                );
            }
            (Ok(_), Ok(_)) => {}
            (Err(_), Err(())) => {}
            _ => prop_assert!(
                false,
                "{}: engine {:?} but reference {:?}",
                label,
                engine,
                model
            ),
        }
        compare(wallet, reference, &label)?;
    }
    let until = ledger::Time::from_millis(at.millis() + case.until_hours * HOUR_MS);
    wallet.advance_to(until).unwrap();
    reference.advance(until).unwrap();
    compare(wallet, reference, "after --until")
}

fn compare(wallet: &Wallet, reference: &Reference, label: &str) -> Result<(), TestCaseError> {
    if let Err(broken) = wallet.check_invariants() {
        return Err(TestCaseError::fail(format!(
            "{label}: invariant broken: {broken}"
        )));
    }
    prop_assert_eq!(
        wallet.grants().len(),
        reference.grants.len(),
        "{}: grant count",
        label
    );
    for (g, r) in wallet.grants().iter().zip(&reference.grants) {
        let engine = (
            g.id(),
            g.status(),
            g.balance(),
            g.drawn(),
            g.expired(),
            g.voided(),
            g.refilled(),
            g.rollover_delta(),
        );
        let model = (
            r.spec.id.as_str(),
            r.status,
            r.balance,
            r.drawn,
            r.expired,
            r.voided,
            r.refilled,
            r.rollover_delta,
        );
        prop_assert_eq!(
            engine,
            model,
            "{}: grant (id, status, balance, drawn, expired, voided, refilled, rollover)",
            label
        );
    }
    prop_assert_eq!(
        wallet.available(),
        reference.available(),
        "{}: available",
        label
    );
    prop_assert_eq!(wallet.overdraft(), reference.debt, "{}: overdraft", label);
    prop_assert_eq!(wallet.invoiced(), reference.invoiced, "{}: invoiced", label);
    let eur_invoiced = wallet
        .invoiced_foreign()
        .iter()
        .find(|(c, _)| *c == eur())
        .map_or(Decimal::ZERO, |(_, a)| *a);
    prop_assert_eq!(
        eur_invoiced,
        reference.invoiced_eur,
        "{}: invoiced EUR",
        label
    );
    prop_assert_eq!(
        wallet.totals().topups,
        reference.topups,
        "{}: top-ups",
        label
    );
    prop_assert_eq!(
        wallet.totals().alerts,
        reference.alerts,
        "{}: alerts",
        label
    );
    Ok(())
}

fn seed() -> u64 {
    std::env::var("LEDGER_PROPTEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED)
}

fn run(cases: u32, test: impl Fn(&Case) -> Result<(), TestCaseError>) {
    let seed = seed();
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    // LEDGER_PROPTEST_CASES raises the count for a deeper local search.
    let cases = std::env::var("LEDGER_PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(cases);
    let config = Config {
        cases,
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner =
        TestRunner::new_with_rng(config, TestRng::from_seed(RngAlgorithm::ChaCha, &bytes));
    if let Err(failure) = runner.run(&case(), |c| test(&c)) {
        panic!("property failed with LEDGER_PROPTEST_SEED={seed}: {failure}");
    }
}

#[test]
fn engine_matches_the_reference_model_and_keeps_its_invariants() {
    run(512, check_case);
}

#[test]
fn same_operations_give_the_same_journal() {
    // Two wallets hash with different random keys, so any dependence on
    // hash-map iteration order would show up as two different journals.
    run(64, |case| {
        let journal = |case: &Case| {
            let mut wallet = Wallet::new(case.config.clone());
            let mut reference = Reference::new(case.config.clone());
            let _ = drive(case, &mut wallet, &mut reference);
            wallet.journal().to_vec()
        };
        prop_assert_eq!(journal(case), journal(case));
        Ok(())
    });
}

// ---- coalescing certain usage -------------------------------------------------

/// Usage waiting to be metered as one event ([`Wallet::usage_certain`]).
struct Pending {
    amount: Decimal,
    events: u32,
    at: ledger::Time,
    run: ledger::CertainRun,
}

/// Batches of two or more events metered, over all cases: the property
/// says nothing if none forms.
static BATCHES: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);

/// Events metered in certain runs, by where the run went ([`ledger::RunTo`]
/// as an index): each kind must occur.
static RUNS_TO: [std::sync::atomic::AtomicU64; 3] =
    [const { std::sync::atomic::AtomicU64::new(0) }; 3];

fn flush(wallet: &mut Wallet, pending: &mut Option<Pending>) -> Result<(), TestCaseError> {
    if let Some(p) = pending.take() {
        if p.events > 1 {
            BATCHES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
        let drawdown = wallet.usage_certain(p.amount, p.events, p.at);
        prop_assert!(drawdown.is_ok(), "usage_certain refused: {drawdown:?}");
    }
    Ok(())
}

/// Drives `one` with every operation and `batched` with runs of certain usage
/// metered as one event, as the simulator does; they must agree on every
/// balance and total whenever nothing is pending.
fn check_coalescing(case: &Case) -> Result<(), TestCaseError> {
    let config = WalletConfig {
        keep_journal: false,
        ..case.config.clone()
    };
    let mut one = Wallet::new(config.clone());
    let mut batched = Wallet::new(config);
    let start = ledger::Time::from_millis(T0);
    one.grant_all(case.grants.clone(), start).unwrap();
    batched.grant_all(case.grants.clone(), start).unwrap();
    let mut pending: Option<Pending> = None;
    let mut at = start;
    for (step, (hours, op)) in case.ops.iter().enumerate() {
        at = ledger::Time::from_millis(at.millis() + hours * HOUR_MS);
        let label = format!("op {step} {op:?}");
        if let Op::Usage {
            amount,
            foreign: false,
            feature,
            actor,
        } = op
        {
            let usage = Usage {
                id: UsageId(step as u64),
                amount: Amount::new(*amount).unwrap(),
                currency: Currency::USD,
                feature: feature.map(Feature),
                actor: actor.map(Actor),
            };
            let outcome = one.usage(&usage, at).unwrap();
            let fits = |p: &Pending| at < p.run.until && p.run.admits(p.amount + amount);
            if !pending.as_ref().is_some_and(fits) {
                flush(&mut batched, &mut pending)?;
                if let Some(run) = batched.certain_run() {
                    let candidate = Pending {
                        amount: Decimal::ZERO,
                        events: 0,
                        at,
                        run,
                    };
                    if fits(&candidate) {
                        pending = Some(candidate);
                    }
                }
            }
            if let Some(p) = &mut pending {
                prop_assert_eq!(
                    outcome,
                    Outcome::Accepted(p.run.drawdown(*amount)),
                    "{}: certain usage metered alone",
                    label
                );
                RUNS_TO[p.run.to as usize].fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                p.amount = if p.events == 0 {
                    *amount
                } else {
                    p.amount + amount
                };
                p.events += 1;
                p.at = at;
                continue;
            }
            prop_assert_eq!(batched.usage(&usage, at).unwrap(), outcome, "{}", label);
        } else {
            flush(&mut batched, &mut pending)?;
            match op {
                Op::Usage {
                    amount,
                    feature,
                    actor,
                    ..
                }
                | Op::UsageAfter {
                    amount,
                    feature,
                    actor,
                    ..
                } => {
                    let usage = Usage {
                        id: UsageId(step as u64),
                        amount: Amount::new(*amount).unwrap(),
                        currency: eur(),
                        feature: feature.map(Feature),
                        actor: actor.map(Actor),
                    };
                    let usage = if matches!(op, Op::UsageAfter { foreign: false, .. }) {
                        Usage {
                            currency: Currency::USD,
                            ..usage
                        }
                    } else {
                        usage
                    };
                    if matches!(op, Op::UsageAfter { .. }) {
                        prop_assert_eq!(
                            one.usage_after_the_fact(&usage, at),
                            batched.usage_after_the_fact(&usage, at),
                            "{}",
                            label
                        );
                    } else {
                        prop_assert_eq!(
                            one.usage(&usage, at),
                            batched.usage(&usage, at),
                            "{}",
                            label
                        );
                    }
                }
                Op::Grant(spec) => {
                    prop_assert_eq!(
                        one.grant(spec.clone(), at),
                        batched.grant(spec.clone(), at),
                        "{}",
                        label
                    );
                }
                Op::Void(i) => {
                    let grant = GrantIndex(*i as u32);
                    prop_assert_eq!(one.void(grant, at), batched.void(grant, at), "{}", label);
                }
                Op::Reset => prop_assert_eq!(one.reset(at), batched.reset(at), "{}", label),
                Op::Reverse(id) => prop_assert_eq!(
                    one.reverse(UsageId(*id), at),
                    batched.reverse(UsageId(*id), at),
                    "{}",
                    label
                ),
                Op::Advance => {
                    prop_assert_eq!(one.advance_to(at), batched.advance_to(at), "{}", label);
                }
            }
            same_state(&one, &batched, &label)?;
        }
    }
    flush(&mut batched, &mut pending)?;
    same_state(&one, &batched, "at the end")?;
    let until = ledger::Time::from_millis(at.millis() + case.until_hours * HOUR_MS);
    one.advance_to(until).unwrap();
    batched.advance_to(until).unwrap();
    same_state(&one, &batched, "after --until")
}

/// Every balance, total and grant of two wallets, with their scales
/// (`Decimal` equality ignores scale; the output does not).
fn same_state(one: &Wallet, batched: &Wallet, label: &str) -> Result<(), TestCaseError> {
    let show = |w: &Wallet| {
        let grants: Vec<String> = w
            .grants()
            .iter()
            .map(|g| {
                format!(
                    "{} {:?} {} {} {} {} {} {}",
                    g.id(),
                    g.status(),
                    g.balance(),
                    g.drawn(),
                    g.expired(),
                    g.voided(),
                    g.refilled(),
                    g.rollover_delta()
                )
            })
            .collect();
        format!(
            "available {} overdraft {} invoiced {} totals {:?}\n{}",
            w.available(),
            w.overdraft(),
            w.invoiced(),
            w.totals(),
            grants.join("\n")
        )
    };
    prop_assert_eq!(show(one), show(batched), "{}", label);
    Ok(())
}

#[test]
fn metering_certain_usage_as_one_event_changes_nothing() {
    // Half the cases as generated; half with what rules coalescing out
    // (scoped grants, actor budgets) removed and operations closer in time,
    // so that runs of certain usage form.
    run(512, |case| {
        check_coalescing(case)?;
        let mut close = case.clone();
        close.config.actor_budgets.clear();
        for spec in &mut close.grants {
            spec.scope = Scope::default();
        }
        for (hours, op) in &mut close.ops {
            *hours %= 3;
            match op {
                Op::Grant(spec) => spec.scope = Scope::default(),
                // Smaller usage, at mixed scales (a sixteenth is exact to four places).
                Op::Usage { amount, .. } => *amount /= Decimal::from(16),
                _ => {}
            }
        }
        check_coalescing(&close)
    });
    let batches = BATCHES.load(std::sync::atomic::Ordering::Relaxed);
    assert!(batches >= 100, "only {batches} batches formed");
    let runs: Vec<u64> = RUNS_TO
        .iter()
        .map(|n| n.load(std::sync::atomic::Ordering::Relaxed))
        .collect();
    assert!(
        runs.iter().all(|&n| n >= 20),
        "certain events to a grant, overdraft and invoice: {runs:?}"
    );
}
