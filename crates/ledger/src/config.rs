//! How a wallet behaves: its currency, exhaustion rule, drawdown order,
//! alerts, automatic top-ups and per-actor budgets.

use crate::grant::{Actor, GrantKind};
use crate::money::{Amount, Currency};
use crate::time::Period;

/// What happens to the part of a usage event the eligible grants cannot cover.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Exhaustion {
    /// Reject the whole event; nothing is drawn.
    Block,
    /// Let the wallet go into debt down to `-limit`; the debt is repaid first
    /// out of the next credit that appears.
    Overdraft { limit: Amount },
    /// Bill the uncovered part in arrears.
    Invoice,
}

/// The order eligible grants are drawn in (DOMAIN.md section 3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum DrawdownOrder {
    /// priority, scoped before unscoped, `expires_at` (none last), cost basis,
    /// `effective_at`, id.
    #[default]
    Kong,
    /// priority, `expires_at` (none last), `effective_at`, id.
    OpenMeter,
    /// `expires_at` (none last), cost basis, `effective_at`, id; no priority.
    Orb,
}

impl DrawdownOrder {
    pub const ALL: [DrawdownOrder; 3] = [
        DrawdownOrder::Kong,
        DrawdownOrder::OpenMeter,
        DrawdownOrder::Orb,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DrawdownOrder::Kong => "kong",
            DrawdownOrder::OpenMeter => "openmeter",
            DrawdownOrder::Orb => "orb",
        }
    }

    pub fn from_code(code: &str) -> Option<DrawdownOrder> {
        DrawdownOrder::ALL.into_iter().find(|o| o.code() == code)
    }
}

/// How much an automatic top-up buys.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TopupSize {
    /// A fixed amount.
    Fixed(Amount),
    /// Enough to bring the available balance up to this target.
    UpTo(Amount),
}

/// Buy credit automatically when the available balance falls below `below`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct TopupRule {
    pub below: Amount,
    pub size: TopupSize,
    pub kind: GrantKind,
    pub priority: u8,
    pub cost_basis: Amount,
    /// The top-up grant expires this long after it is bought.
    pub expires_after: Option<Period>,
    /// At most this many top-ups per UTC calendar `period`.
    pub max_per_period: Option<u32>,
    pub period: Period,
}

impl TopupRule {
    /// A rule with the replay format's defaults: kind prepaid, priority 100,
    /// cost basis 0, no expiry, no cap, period one month.
    pub fn new(below: Amount, size: TopupSize) -> TopupRule {
        TopupRule {
            below,
            size,
            kind: GrantKind::Prepaid,
            priority: 100,
            cost_basis: Amount::ZERO,
            expires_after: None,
            max_per_period: None,
            period: Period::Months(1),
        }
    }
}

/// A spend cap for one actor per UTC calendar period.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ActorBudget {
    pub cap: Amount,
    pub period: Period,
}

/// Everything about a wallet except its grants.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WalletConfig {
    pub currency: Currency,
    pub exhaustion: Exhaustion,
    pub order: DrawdownOrder,
    /// At a reset, keep overdraft debt and repay it from the rolled-over
    /// balances (`true`), or forgive it (`false`).
    pub reset_keeps_overdraft: bool,
    /// Available-balance thresholds that fire an alert when crossed downward.
    pub alerts: Vec<Amount>,
    pub topup: Option<TopupRule>,
    pub actor_budgets: Vec<(Actor, ActorBudget)>,
    /// Keep the journal and per-usage records (needed for `reverse`). A
    /// simulator running millions of events turns this off and reads totals.
    pub keep_journal: bool,
}

impl WalletConfig {
    /// A wallet with the replay format's defaults: block, kong order, debt
    /// forgiven at reset, no alerts, no top-up, no budgets; journal kept.
    pub fn new(currency: Currency) -> WalletConfig {
        WalletConfig {
            currency,
            exhaustion: Exhaustion::Block,
            order: DrawdownOrder::Kong,
            reset_keeps_overdraft: false,
            alerts: Vec::new(),
            topup: None,
            actor_budgets: Vec::new(),
            keep_journal: true,
        }
    }
}
