//! The wallet: grants, the drawdown, exhaustion rules and everything time
//! does to them. SKELETON: being written.

use rust_decimal::Decimal;

use crate::config::WalletConfig;
use crate::error::OpError;
use crate::grant::{Actor, Feature, Grant, GrantSpec};
use crate::journal::{Entry, GrantIndex, RejectReason, UsageId};
use crate::money::{Amount, Currency};
use crate::time::Time;

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
        Usage { id, amount, currency, feature: None, actor: None }
    }
}

/// How an accepted usage event was covered. The three parts add up to its amount.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drawdown {
    pub from_grants: Decimal,
    pub overdraft: Decimal,
    pub invoiced: Decimal,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    Accepted(Drawdown),
    Rejected(RejectReason),
}

/// Running totals over the wallet's life, kept whether or not the journal is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub usage_accepted: u64,
    pub usage_rejected: u64,
    /// Net of reversals; includes debt repaid from grants.
    pub drawn: Decimal,
    pub expired: Decimal,
    pub voided: Decimal,
    pub refilled: Decimal,
    pub overdraft_drawn: Decimal,
    pub overdraft_repaid: Decimal,
    pub overdraft_forgiven: Decimal,
    /// In the wallet's currency, net of reversals.
    pub invoiced: Decimal,
    pub topups: u32,
    pub topup_amount: Decimal,
    pub alerts: u32,
}

/// One customer's wallet in one currency.
#[derive(Clone, Debug)]
pub struct Wallet {
    config: WalletConfig,
    grants: Vec<Grant>,
    journal: Vec<Entry>,
    totals: Totals,
    clock: Option<Time>,
}

impl Wallet {
    pub fn new(config: WalletConfig) -> Wallet {
        Wallet { config, grants: Vec::new(), journal: Vec::new(), totals: Totals::default(), clock: None }
    }
    pub fn config(&self) -> &WalletConfig { &self.config }
    /// The time of the latest operation, `None` before the first.
    pub fn clock(&self) -> Option<Time> { self.clock }
    /// Applies every time-driven change (effective, expiry, refill) up to and including `at`.
    pub fn advance_to(&mut self, at: Time) -> Result<(), OpError> { let _ = at; todo!() }
    /// Creates a grant at `at`; it pays from `max(at, effective_at)`.
    pub fn grant(&mut self, spec: GrantSpec, at: Time) -> Result<GrantIndex, OpError> { let _ = (spec, at); todo!() }
    pub fn usage(&mut self, usage: &Usage, at: Time) -> Result<Outcome, OpError> { let _ = (usage, at); todo!() }
    pub fn void(&mut self, grant: GrantIndex, at: Time) -> Result<(), OpError> { let _ = (grant, at); todo!() }
    pub fn reset(&mut self, at: Time) -> Result<(), OpError> { let _ = at; todo!() }
    pub fn reverse(&mut self, usage: UsageId, at: Time) -> Result<(), OpError> { let _ = (usage, at); todo!() }
    /// Balances of effective, unexpired, unvoided grants in the wallet's currency, minus overdraft debt.
    pub fn available(&self) -> Decimal { todo!() }
    /// Outstanding overdraft debt (>= 0).
    pub fn overdraft(&self) -> Decimal { todo!() }
    /// Overage invoiced in the wallet's currency, net of reversals.
    pub fn invoiced(&self) -> Decimal { self.totals.invoiced }
    /// Usage in other currencies, invoiced whole under `invoice`, net of reversals.
    pub fn invoiced_foreign(&self) -> &[(Currency, Decimal)] { todo!() }
    pub fn grants(&self) -> &[Grant] { &self.grants }
    pub fn grant_named(&self, id: &str) -> Option<GrantIndex> { let _ = id; todo!() }
    pub fn journal(&self) -> &[Entry] { &self.journal }
    /// Rejected usage events in order (kept with the journal).
    pub fn rejections(&self) -> &[(UsageId, RejectReason)] { todo!() }
    pub fn totals(&self) -> &Totals { &self.totals }
    /// Checks the invariants of DOMAIN.md ("Journal and invariants") over the whole state.
    pub fn check_invariants(&self) -> Result<(), String> { todo!() }
}
