//! A scenario plan compiled for the inner loop: the wallet it gives each
//! customer, the grants made at sign-up, prices as decimals, and the rules
//! the customer simulation follows (enforcement, billing period, payment).

use ledger::{
    ActorBudget, Amount, Currency, Exhaustion, Feature, GrantKind, GrantSpec, Period, Scope, Time,
    TopupRule, TopupSize, WalletConfig,
};
use rust_decimal::Decimal;

use crate::pricing::PriceTable;
use crate::scenario::{self, Billing, PackPayment, Scenario};

/// How usage is checked against the balance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Enforcement {
    PerCall,
    TaskStart,
    Windowed { window_ms: i64 },
}

/// A pack a customer can buy, with its cost basis per credit.
#[derive(Clone, Debug)]
pub struct Pack {
    pub id: String,
    pub credits: Decimal,
    pub price: Decimal,
    /// `price / credits`, rust_decimal's 28-digit division (half-even).
    pub cost_basis: Decimal,
    pub kind: GrantKind,
    pub priority: u8,
    pub expires_after: Option<Period>,
}

impl Pack {
    fn new(pack: &scenario::Pack) -> Pack {
        let credits = pack.credits.get();
        let price = pack.price.get();
        Pack {
            id: pack.id.clone(),
            credits,
            price,
            cost_basis: price / credits,
            kind: pack.kind.to_ledger(),
            priority: pack.priority,
            expires_after: pack.expires_after.map(|p| p.get()),
        }
    }

    /// The grant this pack creates when bought at `at`.
    pub fn grant(&self, id: String, currency: Currency, at: Time) -> GrantSpec {
        let mut spec = GrantSpec::new(id, self.kind, amount(self.credits), at, currency);
        spec.priority = self.priority;
        spec.cost_basis = amount(self.cost_basis);
        spec.expires_at = self.expires_after.map(|p| p.after(at, 1));
        spec
    }
}

/// Included credits and the fee for them, each billing period.
#[derive(Clone, Debug)]
pub struct Subscription {
    pub fee: Decimal,
    pub included: Decimal,
    pub rollover_max: Decimal,
    pub priority: u8,
}

#[derive(Clone, Debug)]
pub struct Onboarding {
    id: String,
    kind: GrantKind,
    credits: Decimal,
    cost_basis: Decimal,
    priority: u8,
    expires_after: Option<Period>,
    features: Vec<Feature>,
}

#[derive(Clone, Debug)]
pub struct PlanModel {
    pub id: String,
    pub billing: Billing,
    pub currency: Currency,
    pub price_per_credit: Decimal,
    /// What invoiced credits are billed at.
    pub overage_price: Decimal,
    pub period: Period,
    pub enforcement: Enforcement,
    pub pack_payment: PackPayment,
    pub subscription: Option<Subscription>,
    /// The pack a customer of each segment buys at sign-up (and again when
    /// it reacts to a block by topping up), by segment index.
    pub signup_packs: Vec<Option<Pack>>,
    /// What a customer of each segment buys when it reacts to a block: its
    /// sign-up pack, or the plan's first pack.
    pub reaction_packs: Vec<Option<Pack>>,
    onboarding: Vec<Onboarding>,
    wallet: WalletConfig,
    actor_budget: Option<ActorBudget>,
    alert_percents: Vec<f64>,
}

fn amount(value: Decimal) -> Amount {
    Amount::new(value).expect("validated: amounts are not negative")
}

impl PlanModel {
    pub fn new(scenario: &Scenario, plan: &scenario::Plan, prices: &PriceTable) -> PlanModel {
        let currency = Currency::new(&scenario.credit_unit).expect("validated credit unit");
        let price_per_credit = plan.price_per_credit.get();
        let packs: Vec<Pack> = plan.packs.iter().map(Pack::new).collect();
        let (exhaustion, overage_price, keep_debt) = match plan.exhaustion_rule() {
            scenario::Exhaustion::Block => (Exhaustion::Block, price_per_credit, false),
            scenario::Exhaustion::Overdraft {
                limit,
                keep_debt_at_reset,
            } => (
                Exhaustion::Overdraft {
                    limit: amount(limit.get()),
                },
                price_per_credit,
                keep_debt_at_reset,
            ),
            scenario::Exhaustion::Invoice {
                overage_price_per_credit,
            } => (
                Exhaustion::Invoice,
                overage_price_per_credit.map_or(price_per_credit, |p| p.get()),
                false,
            ),
        };
        let mut wallet = WalletConfig::new(currency);
        wallet.exhaustion = exhaustion;
        wallet.order = plan.drawdown_order.to_ledger();
        wallet.reset_keeps_overdraft = keep_debt;
        wallet.keep_journal = false;
        wallet.alerts = plan.alerts.below.iter().map(|a| amount(a.get())).collect();
        wallet.topup = plan
            .topup
            .as_ref()
            .map(|t| topup_rule(t, &packs, price_per_credit));
        PlanModel {
            id: plan.id.clone(),
            billing: plan.billing,
            currency,
            price_per_credit,
            overage_price,
            period: plan.billing_period.get(),
            enforcement: match plan.enforcement {
                scenario::Enforcement::PerCall => Enforcement::PerCall,
                scenario::Enforcement::TaskStart => Enforcement::TaskStart,
                scenario::Enforcement::Windowed { window_minutes } => Enforcement::Windowed {
                    window_ms: i64::from(window_minutes) * 60_000,
                },
            },
            pack_payment: plan.pack_payment,
            subscription: plan.subscription.as_ref().map(|s| Subscription {
                fee: s.fee.get(),
                included: s.included_credits.get(),
                rollover_max: s.rollover_max.get(),
                priority: s.priority,
            }),
            signup_packs: scenario
                .segments
                .iter()
                .map(|segment| plan.signup_pack(&segment.id).map(Pack::new))
                .collect(),
            reaction_packs: scenario
                .segments
                .iter()
                .map(|segment| {
                    plan.signup_pack(&segment.id)
                        .or(plan.packs.first())
                        .map(Pack::new)
                })
                .collect(),
            onboarding: plan
                .grants
                .iter()
                .map(|g| Onboarding {
                    id: g.id.clone(),
                    kind: g.kind.to_ledger(),
                    credits: g.credits.get(),
                    cost_basis: g.cost_basis.get(),
                    priority: g.priority,
                    expires_after: g.expires_after.map(|p| p.get()),
                    features: g
                        .models
                        .iter()
                        .map(|m| Feature(prices.model_index(m).expect("validated model") as u32))
                        .collect(),
                })
                .collect(),
            wallet,
            actor_budget: plan.actor_budget.as_ref().map(|b| ActorBudget {
                cap: amount(b.cap.get()),
                period: b.period.get(),
            }),
            alert_percents: plan.alerts.below_percent.clone(),
        }
    }

    /// Makes every wallet of this plan keep its journal (the path
    /// inspector; runs leave it off for speed).
    pub(crate) fn keep_journal(&mut self) {
        self.wallet.keep_journal = true;
    }

    /// The wallet config for a customer with `actors` actors and `granted`
    /// credits at sign-up (for percent alerts).
    pub fn wallet_config(&self, actors: u16, granted: Decimal) -> WalletConfig {
        let mut config = self.wallet.clone();
        if let Some(budget) = self.actor_budget {
            config.actor_budgets = (0..actors)
                .map(|a| (ledger::Actor(u32::from(a)), budget))
                .collect();
        }
        for percent in &self.alert_percents {
            let threshold =
                granted * Decimal::try_from(*percent).unwrap_or_default() / Decimal::ONE_HUNDRED;
            config.alerts.push(amount(threshold.max(Decimal::ZERO)));
        }
        config
    }

    /// The start of the actor-budget window containing `at`, if the plan has budgets.
    pub fn actor_budget_window(&self, at: Time) -> Option<i64> {
        self.actor_budget
            .map(|b| b.period.window_start(at).millis())
    }

    /// The onboarding grants a customer receives at sign-up.
    pub fn onboarding_grants(&self, at: Time) -> impl Iterator<Item = GrantSpec> + '_ {
        self.onboarding.iter().map(move |g| {
            let mut spec =
                GrantSpec::new(g.id.clone(), g.kind, amount(g.credits), at, self.currency);
            spec.cost_basis = amount(g.cost_basis);
            spec.priority = g.priority;
            spec.expires_at = g.expires_after.map(|p| p.after(at, 1));
            spec.scope = Scope {
                features: g.features.clone(),
                actors: Vec::new(),
            };
            spec
        })
    }

    /// Credits granted at sign-up: onboarding, the sign-up pack, the first
    /// period's included credits.
    pub fn signup_credits(&self, segment: usize) -> Decimal {
        self.onboarding.iter().map(|g| g.credits).sum::<Decimal>()
            + self.signup_packs[segment]
                .as_ref()
                .map_or(Decimal::ZERO, |p| p.credits)
            + self
                .subscription
                .as_ref()
                .map_or(Decimal::ZERO, |s| s.included)
    }

    /// The included grant of billing period `k` (starting `start`): it can be
    /// carried into the next period up to `rollover_max` (a reset at the
    /// period's end clamps it) and expires at the end of that next period.
    pub fn included_grant(&self, k: u32, start: Time, joined: Time) -> Option<GrantSpec> {
        let s = self.subscription.as_ref()?;
        let mut spec = GrantSpec::new(
            format!("included-{k}"),
            GrantKind::Included,
            amount(s.included),
            start,
            self.currency,
        );
        spec.priority = s.priority;
        spec.cost_basis = amount(if s.included.is_zero() {
            Decimal::ZERO
        } else {
            s.fee / s.included
        });
        spec.expires_at = Some(self.period.after(joined, k + 2));
        spec.rollover = ledger::Rollover::new(Amount::ZERO, amount(s.rollover_max));
        Some(spec)
    }
}

fn topup_rule(topup: &scenario::Topup, packs: &[Pack], price_per_credit: Decimal) -> TopupRule {
    let below = amount(topup.below.get());
    let mut rule = match (&topup.pack, topup.up_to) {
        (Some(id), _) => {
            let pack = packs
                .iter()
                .find(|p| &p.id == id)
                .expect("validated pack reference");
            let mut rule = TopupRule::new(below, TopupSize::Fixed(amount(pack.credits)));
            rule.kind = pack.kind;
            rule.priority = pack.priority;
            rule.cost_basis = amount(pack.cost_basis);
            rule.expires_after = pack.expires_after;
            rule
        }
        (None, up_to) => {
            let target = up_to.expect("validated: pack or up_to").get();
            let mut rule = TopupRule::new(below, TopupSize::UpTo(amount(target)));
            rule.cost_basis = amount(price_per_credit);
            rule
        }
    };
    rule.max_per_period = topup.max_per_period;
    rule.period = topup.period.get();
    rule
}
