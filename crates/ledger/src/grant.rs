//! Grants: what a wallet is funded with, and the state each one carries.

use rust_decimal::Decimal;

use crate::money::{Amount, Currency};
use crate::time::{Period, Time};

/// What a grant is, commercially. Kinds differ in cash and revenue (DOMAIN.md
/// section 2); the drawdown treats them alike.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum GrantKind {
    /// No cash, no revenue: onboarding, trials, goodwill.
    Promotional,
    /// A purchase invoiced by us.
    Prepaid,
    /// Settled outside the platform (marketplace, reseller).
    External,
    /// Part of a subscription fee.
    Included,
}

impl GrantKind {
    pub const ALL: [GrantKind; 4] = [
        GrantKind::Promotional,
        GrantKind::Prepaid,
        GrantKind::External,
        GrantKind::Included,
    ];

    pub fn code(self) -> &'static str {
        match self {
            GrantKind::Promotional => "promotional",
            GrantKind::Prepaid => "prepaid",
            GrantKind::External => "external",
            GrantKind::Included => "included",
        }
    }

    pub fn from_code(code: &str) -> Option<GrantKind> {
        GrantKind::ALL.into_iter().find(|kind| kind.code() == code)
    }

    /// Whether credits of this kind were paid for, so that their breakage is
    /// revenue (DOMAIN.md section 3, expiry).
    pub fn is_paid(self) -> bool {
        !matches!(self, GrantKind::Promotional)
    }
}

/// A feature (model, product) a usage event is for. Callers intern their
/// names to these numbers so the drawdown compares integers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Feature(pub u32);

/// An actor (agent, workload, API key) inside a customer's wallet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Actor(pub u32);

/// What a grant may pay for. An empty list means "any".
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Scope {
    pub features: Vec<Feature>,
    pub actors: Vec<Actor>,
}

impl Scope {
    pub fn is_scoped(&self) -> bool {
        !self.features.is_empty() || !self.actors.is_empty()
    }

    pub fn admits(&self, feature: Option<Feature>, actor: Option<Actor>) -> bool {
        let feature_ok =
            self.features.is_empty() || feature.is_some_and(|f| self.features.contains(&f));
        let actor_ok = self.actors.is_empty() || actor.is_some_and(|a| self.actors.contains(&a));
        feature_ok && actor_ok
    }
}

/// Bounds a reset clamps the balance to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rollover {
    min: Amount,
    max: Amount,
}

impl Rollover {
    /// `None` when `min > max`.
    pub fn new(min: Amount, max: Amount) -> Option<Rollover> {
        (min <= max).then_some(Rollover { min, max })
    }
    pub fn min(self) -> Amount {
        self.min
    }
    pub fn max(self) -> Amount {
        self.max
    }
}

/// Everything needed to create a grant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GrantSpec {
    pub id: String,
    pub kind: GrantKind,
    pub amount: Amount,
    /// 0-255; lower is drawn first.
    pub priority: u8,
    pub effective_at: Time,
    pub expires_at: Option<Time>,
    /// Price paid per credit, in the billing currency.
    pub cost_basis: Amount,
    pub currency: Currency,
    pub scope: Scope,
    /// Refill to `amount` every period, anchored at `effective_at`.
    pub recurrence: Option<Period>,
    pub rollover: Option<Rollover>,
}

impl GrantSpec {
    /// A grant with the replay format's defaults: priority 100, cost basis 0,
    /// no scope, no expiry, no recurrence, no rollover.
    pub fn new(
        id: impl Into<String>,
        kind: GrantKind,
        amount: Amount,
        effective_at: Time,
        currency: Currency,
    ) -> GrantSpec {
        GrantSpec {
            id: id.into(),
            kind,
            amount,
            priority: 100,
            effective_at,
            expires_at: None,
            cost_basis: Amount::ZERO,
            currency,
            scope: Scope::default(),
            recurrence: None,
            rollover: None,
        }
    }
}

/// Where a grant is in its life.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum GrantStatus {
    /// Created, `effective_at` not reached.
    Pending,
    /// Effective and neither expired nor voided; its balance may be zero.
    Active,
    Expired,
    Voided,
}

/// A grant and what has happened to it. The accounting identity
/// `amount + refilled + rollover_delta = drawn + expired + voided + balance`
/// holds after every operation.
#[derive(Clone, Debug)]
pub struct Grant {
    pub(crate) spec: GrantSpec,
    pub(crate) status: GrantStatus,
    pub(crate) balance: Decimal,
    pub(crate) drawn: Decimal,
    pub(crate) expired: Decimal,
    pub(crate) voided: Decimal,
    pub(crate) refilled: Decimal,
    pub(crate) rollover_delta: Decimal,
    /// Refills done so far; the next one is at `effective_at + (refills + 1) * period`.
    pub(crate) refills_done: u32,
}

impl Grant {
    pub(crate) fn new(spec: GrantSpec) -> Grant {
        let balance = spec.amount.get();
        Grant {
            spec,
            status: GrantStatus::Pending,
            balance,
            drawn: Decimal::ZERO,
            expired: Decimal::ZERO,
            voided: Decimal::ZERO,
            refilled: Decimal::ZERO,
            rollover_delta: Decimal::ZERO,
            refills_done: 0,
        }
    }

    pub fn spec(&self) -> &GrantSpec {
        &self.spec
    }
    pub fn id(&self) -> &str {
        &self.spec.id
    }
    pub fn kind(&self) -> GrantKind {
        self.spec.kind
    }
    pub fn status(&self) -> GrantStatus {
        self.status
    }
    /// Unspent credit. For a pending grant, what it will bring when effective.
    pub fn balance(&self) -> Decimal {
        self.balance
    }
    /// Drawn by usage and overdraft repayment, net of reversals.
    pub fn drawn(&self) -> Decimal {
        self.drawn
    }
    pub fn expired(&self) -> Decimal {
        self.expired
    }
    pub fn voided(&self) -> Decimal {
        self.voided
    }
    pub fn refilled(&self) -> Decimal {
        self.refilled
    }
    /// Net change made by resets (negative when a reset removed credit).
    pub fn rollover_delta(&self) -> Decimal {
        self.rollover_delta
    }
}
