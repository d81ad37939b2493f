//! The append-only journal: one entry per change, in the order they happened.

use rust_decimal::Decimal;

use crate::money::Currency;
use crate::time::Time;

/// A usage event's identity, chosen by the caller and unique per wallet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct UsageId(pub u64);

/// A grant's position in its wallet, in creation order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct GrantIndex(pub u32);

impl GrantIndex {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}

/// Why a usage event was refused. Nothing is drawn for a rejected event.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RejectReason {
    /// Under `block`, the eligible grants do not cover the event.
    InsufficientCredit,
    /// Under `overdraft`, covering the event would take the debt past its limit.
    ExceedsOverdraftLimit,
    /// The actor's spend this period would pass its cap.
    ActorBudgetSpent,
    /// The event is priced in another currency and the rule is not `invoice`.
    CurrencyMismatch,
}

impl RejectReason {
    pub fn code(self) -> &'static str {
        match self {
            RejectReason::InsufficientCredit => "insufficient_credit",
            RejectReason::ExceedsOverdraftLimit => "overdraft_limit",
            RejectReason::ActorBudgetSpent => "actor_budget",
            RejectReason::CurrencyMismatch => "currency_mismatch",
        }
    }
}

/// Where a reversed part of a usage event went back to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReversalTarget {
    /// Back into the grant's balance.
    Balance(GrantIndex),
    /// The grant has expired since: straight to its expired amount.
    Expired(GrantIndex),
    /// The grant has been voided since: straight to its voided amount.
    Voided(GrantIndex),
    /// The overdraft part: reduces the outstanding debt.
    Overdraft,
    /// The invoiced part: credited on the invoice.
    Invoice,
    /// Overdraft debt that a reset forgave: nothing to give back.
    Forgiven,
    /// The part metered after the fact that nothing covered.
    Uncollected,
}

/// One journal entry.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub at: Time,
    pub kind: EntryKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EntryKind {
    Granted {
        grant: GrantIndex,
        amount: Decimal,
    },
    Drawn {
        usage: UsageId,
        grant: GrantIndex,
        amount: Decimal,
    },
    Rejected {
        usage: UsageId,
        reason: RejectReason,
    },
    Expired {
        grant: GrantIndex,
        amount: Decimal,
    },
    Voided {
        grant: GrantIndex,
        amount: Decimal,
    },
    Refilled {
        grant: GrantIndex,
        amount: Decimal,
    },
    /// `delta` is signed: a reset can remove credit or add it.
    RolledOver {
        grant: GrantIndex,
        delta: Decimal,
    },
    Reversed {
        usage: UsageId,
        to: ReversalTarget,
        amount: Decimal,
    },
    OverdraftDrawn {
        usage: UsageId,
        amount: Decimal,
    },
    OverdraftRepaid {
        grant: GrantIndex,
        amount: Decimal,
    },
    OverdraftForgiven {
        amount: Decimal,
    },
    Invoiced {
        usage: UsageId,
        amount: Decimal,
        currency: Currency,
    },
    /// Usage metered after the fact that nothing covered: spent past the
    /// balance (and past any overdraft limit) because enforcement lagged.
    Uncollected {
        usage: UsageId,
        amount: Decimal,
    },
    /// An automatic top-up created this grant.
    Topup {
        grant: GrantIndex,
        amount: Decimal,
    },
    Alert {
        threshold: Decimal,
        available: Decimal,
    },
}

impl EntryKind {
    /// The entry's name in the replay output.
    pub fn code(&self) -> &'static str {
        match self {
            EntryKind::Granted { .. } => "granted",
            EntryKind::Drawn { .. } => "drawn",
            EntryKind::Rejected { .. } => "rejected",
            EntryKind::Expired { .. } => "expired",
            EntryKind::Voided { .. } => "voided",
            EntryKind::Refilled { .. } => "refilled",
            EntryKind::RolledOver { .. } => "rolled_over",
            EntryKind::Reversed { .. } => "reversed",
            EntryKind::OverdraftDrawn { .. } => "overdraft_drawn",
            EntryKind::OverdraftRepaid { .. } => "overdraft_repaid",
            EntryKind::OverdraftForgiven { .. } => "overdraft_forgiven",
            EntryKind::Invoiced { .. } => "invoiced",
            EntryKind::Uncollected { .. } => "uncollected",
            EntryKind::Topup { .. } => "topup",
            EntryKind::Alert { .. } => "alert",
        }
    }
}
