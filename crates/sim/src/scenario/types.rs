//! The scenario file format, version 1, as Rust types. Field names are the
//! TOML keys; doc comments become the JSON Schema's descriptions and the
//! loader's hints, so they say the unit and the default. Every table denies
//! unknown keys so a typo is an error, not a silently ignored setting.
//!
//! `docs/scenario-format.md` documents each field; `docs/scenario.schema.json`
//! is generated from these types.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::values::{Date, Exact, PeriodSpec};
use crate::dist::Dist;

/// A scenario: a population of customers running agentic workloads on
/// priced models, and the credit plans to compare on it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "creditsim scenario, version 1")]
pub struct Scenario {
    /// Format version; must be 1.
    pub version: u32,
    /// A short name for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Free text for people reading the file.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// First simulated day, starting 00:00 UTC.
    pub start: Date,
    /// Length of the simulated horizon, in days.
    pub horizon_days: u32,
    /// Monte Carlo paths to run unless the run overrides it. Default 1000.
    #[serde(default = "default_paths")]
    pub paths: u32,
    /// Seed of every random stream unless the run overrides it. Default 0.
    #[serde(default)]
    pub seed: u64,
    /// Billing currency (ISO 4217) of provider prices, pack prices, fees and
    /// invoices. Default "USD".
    #[serde(default = "default_currency")]
    pub currency: String,
    /// The unit customers' wallets are denominated in. Default "CREDITS".
    #[serde(default = "default_credit_unit")]
    pub credit_unit: String,
    /// The plan the others are compared against. Default: the first plan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline_plan: Option<String>,
    /// The price catalogue the models marked `catalogue = true` are priced
    /// from, pinned by its checksum. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub catalogue: Option<CatalogueRef>,
    /// Models and what the provider charges for them.
    pub models: Vec<Model>,
    /// What customers are charged, in credits, for each model they use.
    pub rate_card: Vec<RateCardEntry>,
    /// Customer segments: who uses the product and how.
    pub segments: Vec<Segment>,
    /// The credit plans to compare; each is run against the same demand.
    pub plans: Vec<Plan>,
}

impl Scenario {
    /// The last simulated day (the horizon is `start` to this, inclusive).
    /// `None` only for a scenario that did not pass the checks.
    pub fn last_day(&self) -> Option<Date> {
        self.start
            .plus_days(u64::from(self.horizon_days.checked_sub(1)?))
    }

    /// The plan the others are compared against: `baseline_plan`, or the
    /// first plan.
    pub fn baseline(&self) -> Option<&Plan> {
        match &self.baseline_plan {
            Some(id) => self.plans.iter().find(|p| &p.id == id),
            None => self.plans.first(),
        }
    }
}

fn default_paths() -> u32 {
    1000
}

fn default_currency() -> String {
    "USD".to_owned()
}

fn default_credit_unit() -> String {
    "CREDITS".to_owned()
}

/// The price catalogue a scenario's models come from (`docs/catalogue.md`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CatalogueRef {
    /// The catalogue file, relative to the scenario file
    /// (`"../data/catalogue.json"`).
    pub file: String,
    /// The catalogue's SHA-256, lowercase hex, as `creditsim prices list`
    /// prints it: a different catalogue is an error, not a silent repricing.
    pub sha256: String,
}

/// Token prices of one model, per million tokens (Mtok).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PerMtok {
    /// Per million input tokens not read from the prompt cache.
    pub input: Exact,
    /// Per million output tokens.
    pub output: Exact,
    /// Per million input tokens read from the prompt cache.
    pub cache_read: Exact,
}

/// A model and the provider's price for it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Model {
    /// Any unique name; a catalogue id such as "anthropic/claude-sonnet-4-6".
    pub id: String,
    /// Price this model from the scenario's `[catalogue]`: `id` is its
    /// catalogue id (`provider/model`), and `price_per_mtok`,
    /// `context_tiers` and `price_changes` come from the catalogue (the
    /// price in force on `start` and every dated change inside the
    /// horizon), so they must not be written. Default false.
    #[serde(default, skip_serializing_if = "is_false")]
    pub catalogue: bool,
    /// What the provider charges us, in the billing currency per million
    /// tokens. Required unless `catalogue = true`.
    #[serde(default)]
    #[schemars(transform = no_default)]
    pub price_per_mtok: PerMtok,
    /// Context-length tiers of `price_per_mtok`, in ascending order. Default:
    /// none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_tiers: Vec<ContextTier>,
    /// The model's context window, in tokens: a task's context stops growing
    /// there. Default 200000, or the catalogue's window with
    /// `catalogue = true`.
    #[serde(default = "default_context_window")]
    pub context_window_tokens: u32,
    /// Dated changes of the provider's price, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub price_changes: Vec<PriceChange>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// A required field with a serde default (filled from elsewhere when
/// absent): its schema shows no default.
fn no_default(schema: &mut schemars::Schema) {
    schema.remove("default");
}

/// A context-length tier: a call whose input tokens (uncached plus cached)
/// are strictly more than `above_input_tokens` pays `price_per_mtok` for
/// every token of the call, not only those above the threshold.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ContextTier {
    /// The threshold, in input tokens of one call.
    pub above_input_tokens: u32,
    /// The price of every token of a call above the threshold, in the
    /// billing currency per million tokens.
    pub price_per_mtok: PerMtok,
}

fn default_context_window() -> u32 {
    200_000
}

/// From `date` (00:00 UTC) on, the price is `price_per_mtok`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PriceChange {
    /// The day the new price applies from; inside the horizon.
    pub date: Date,
    /// The new provider price, in the billing currency per million tokens.
    pub price_per_mtok: PerMtok,
    /// The new context-length tiers, in ascending order. Default: none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub context_tiers: Vec<ContextTier>,
}

/// The customer price of one model, in credits.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateCardEntry {
    /// The model's `id`.
    pub model: String,
    /// Credits burned per million tokens.
    pub credits_per_mtok: PerMtok,
    /// Dated repricings of the rate card, in date order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub price_changes: Vec<Repricing>,
}

/// From `date` (00:00 UTC) on, the customer price is `credits_per_mtok`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Repricing {
    /// The day the new rate applies from; inside the horizon.
    pub date: Date,
    /// The new customer price, in credits per million tokens.
    pub credits_per_mtok: PerMtok,
}

/// A group of similar customers.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Segment {
    /// A unique name.
    pub id: String,
    /// Customers at the start of the horizon.
    pub customers: u32,
    /// New customers per day, a Poisson process. Default 0.
    #[serde(default)]
    pub new_customers_per_day: f64,
    /// Agents (workloads, API keys) per customer, drawn once per customer,
    /// rounded, at least 1. Default 1.
    #[serde(default = "default_agents")]
    pub agents_per_customer: Dist,
    /// How tasks arrive and what each costs.
    pub tasks: Tasks,
    /// Which models tasks use, as shares summing to 1.
    pub model_mix: Vec<MixShare>,
    /// Dated moves of traffic from one model to another.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub model_swaps: Vec<ModelSwap>,
    /// Tasks that loop. Default: none do.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runaway: Option<Runaway>,
    /// Leaked API credentials used by an attacker. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credential_leaks: Option<CredentialLeaks>,
    /// What a customer does when its usage is blocked. Default: waits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_block: Option<OnBlock>,
    /// What a customer does with a shockingly large bill. Default: pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on_bill_shock: Option<OnBillShock>,
    /// How the customer pays invoices. Default: net 30, always paid.
    #[serde(default)]
    pub payment: Payment,
}

fn default_agents() -> Dist {
    Dist::Fixed { value: 1.0 }
}

/// The workload of one agent.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Tasks {
    /// Mean tasks per agent per day, before the daily and weekly profiles.
    pub per_agent_per_day: f64,
    /// 24 relative weights for the hours 00-01 ... 23-24 UTC; scaled so they
    /// average 1. Default: flat.
    #[serde(default = "flat_day")]
    pub daily_profile: Vec<f64>,
    /// 7 relative weights for Monday ... Sunday; scaled so they average 1.
    /// Default: flat.
    #[serde(default = "flat_week")]
    pub weekly_profile: Vec<f64>,
    /// A calm/burst two-state switch on the arrival rate. Default: always calm.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub burst: Option<Burst>,
    /// Model calls in a task that does not loop, rounded, at least 1.
    pub steps: Dist,
    /// Seconds from one call's start to the next (model latency plus tool
    /// time). Default 10.
    #[serde(default = "default_step_seconds")]
    pub step_seconds: Dist,
    /// Input tokens of a task's first call.
    pub input_tokens: Dist,
    /// Input tokens added to the context at each further call. Default 0.
    #[serde(default = "zero")]
    pub context_growth_tokens: Dist,
    /// Output tokens of each call.
    pub output_tokens: Dist,
    /// Share of each call's input tokens read from the prompt cache, 0 to 1.
    /// Default 0.
    #[serde(default)]
    pub cache_hit_share: f64,
}

fn flat_day() -> Vec<f64> {
    vec![1.0; 24]
}

fn flat_week() -> Vec<f64> {
    vec![1.0; 7]
}

fn default_step_seconds() -> Dist {
    Dist::Fixed { value: 10.0 }
}

fn zero() -> Dist {
    Dist::Fixed { value: 0.0 }
}

/// Arrivals alternate between a calm and a burst state, per agent.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    /// How long a calm spell lasts, in hours.
    pub calm_hours: Dist,
    /// How long a burst lasts, in hours.
    pub burst_hours: Dist,
    /// The arrival rate during a burst, as a multiple of the calm rate.
    pub rate_multiplier: f64,
}

/// One model's share of tasks.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MixShare {
    /// The model's `id`.
    pub model: String,
    /// The share of tasks that use it, 0 to 1.
    pub share: f64,
}

/// From `start`, tasks move from model `from` to model `to`: the share moved
/// rises linearly from 0 to `share` over `ramp_days`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ModelSwap {
    /// The model tasks move away from.
    pub from: String,
    /// The model they move to.
    pub to: String,
    /// The day the move starts; inside the horizon.
    pub start: Date,
    /// Days from the start until `share` is reached; 0 moves at once. Default 0.
    #[serde(default)]
    pub ramp_days: u32,
    /// The final share of `from`'s tasks that move, 0 to 1. Default 1.
    #[serde(default = "one")]
    pub share: f64,
}

fn one() -> f64 {
    1.0
}

/// Tasks that loop: they keep calling until something stops them.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Runaway {
    /// Probability that a task loops, 0 to 1.
    pub probability: f64,
    /// The agent framework's step cap. Default: none (the simulator's own
    /// limit of 10000 steps applies).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_steps: Option<u32>,
    /// Hours until a person notices and kills the loop. Default: nobody does.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_after_hours: Option<Dist>,
}

/// Leaked API credentials: an attacker spends on the customer's account
/// until the leak is detected.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CredentialLeaks {
    /// Incidents per customer per year, a Poisson process.
    pub per_customer_per_year: f64,
    /// The model the attacker calls.
    pub model: String,
    /// Input tokens per hour the attacker burns, drawn once per incident.
    pub input_tokens_per_hour: Dist,
    /// Output tokens per hour the attacker burns, drawn once per incident.
    pub output_tokens_per_hour: Dist,
    /// Hours from the leak until it is detected and the key revoked.
    pub detection_delay_hours: Dist,
}

/// A blocked customer tops up after a delay, churns, or else waits for
/// credit to come back (a refill or a top-up rule).
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnBlock {
    /// Probability of buying more credit after a block, 0 to 1.
    pub topup_probability: f64,
    /// Hours from the block to the purchase. Default 0.
    #[serde(default = "zero")]
    pub topup_delay_hours: Dist,
    /// Probability of leaving for good after a block, 0 to 1; with
    /// `topup_probability` at most 1.
    #[serde(default)]
    pub churn_probability: f64,
}

/// A bill far above the customer's usual may be disputed.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnBillShock {
    /// A bill is a shock when it is at least this multiple of the customer's
    /// average earlier bill; >= 1.
    pub ratio: f64,
    /// Probability that a shocking bill is disputed (and not paid), 0 to 1.
    pub dispute_probability: f64,
}

/// How a customer pays invoices.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Payment {
    /// Days from invoice to due date (net terms). Default 30.
    #[serde(default = "default_net_days")]
    pub net_days: u32,
    /// Probability that an invoice is never paid, 0 to 1. Default 0.
    #[serde(default)]
    pub default_probability: f64,
}

fn default_net_days() -> u32 {
    30
}

impl Default for Payment {
    fn default() -> Payment {
        Payment {
            net_days: default_net_days(),
            default_probability: 0.0,
        }
    }
}

/// A credit plan: how credit is sold, what happens at zero, and how usage
/// is enforced.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// A unique name.
    pub id: String,
    /// A longer name for reports.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `prepaid`, `postpaid` or `hybrid`.
    pub billing: Billing,
    /// List price of one credit, in the billing currency: post-paid usage
    /// and overage are invoiced at it, `up_to` top-ups bought at it.
    pub price_per_credit: Exact,
    /// Length of a billing period: invoices, subscription fees and included
    /// credits follow it. Default "1M".
    #[serde(default = "default_billing_period")]
    pub billing_period: PeriodSpec,
    /// Credit packs for sale (prepaid and hybrid).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packs: Vec<Pack>,
    /// The pack every new customer buys at sign-up. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub initial_pack: Option<String>,
    /// Per-segment overrides of `initial_pack`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub segment_packs: Vec<SegmentPack>,
    /// When packs and top-ups are paid: `upfront` (at purchase) or
    /// `on_terms` (invoiced, per the segment's payment terms). Default
    /// `upfront`.
    #[serde(default)]
    pub pack_payment: PackPayment,
    /// A recurring fee with included credits (hybrid plans).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subscription: Option<Subscription>,
    /// Grants every new customer receives at sign-up (onboarding, trial).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<OnboardingGrant>,
    /// What happens to usage the balance cannot cover. Default: `block` for
    /// prepaid, `invoice` for postpaid and hybrid.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exhaustion: Option<Exhaustion>,
    /// Automatic top-up when the balance runs low. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub topup: Option<Topup>,
    /// A spend cap for each agent. Default: none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor_budget: Option<ActorBudget>,
    /// Balance alert thresholds. Default: none.
    #[serde(default)]
    pub alerts: Alerts,
    /// The order grants are drawn in: `kong`, `openmeter` or `orb`. Default
    /// `kong`.
    #[serde(default)]
    pub drawdown_order: DrawdownOrder,
    /// When the balance is checked against usage. Default `per_call`.
    #[serde(default)]
    pub enforcement: Enforcement,
}

impl Plan {
    /// The exhaustion rule with its billing-dependent default applied:
    /// `block` for prepaid, `invoice` (at `price_per_credit`) otherwise.
    pub fn exhaustion_rule(&self) -> Exhaustion {
        self.exhaustion.clone().unwrap_or(match self.billing {
            Billing::Prepaid => Exhaustion::Block,
            Billing::Postpaid | Billing::Hybrid => Exhaustion::Invoice {
                overage_price_per_credit: None,
            },
        })
    }

    /// The pack a new customer of `segment` buys at sign-up, if any.
    pub fn signup_pack(&self, segment: &str) -> Option<&Pack> {
        let id = self
            .segment_packs
            .iter()
            .find(|choice| choice.segment == segment)
            .map(|choice| &choice.pack)
            .or(self.initial_pack.as_ref())?;
        self.packs.iter().find(|pack| &pack.id == id)
    }
}

fn default_billing_period() -> PeriodSpec {
    PeriodSpec::new(ledger::Period::Months(1))
}

/// How a plan bills.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Billing {
    /// Credit packs bought ahead; usage draws them down.
    Prepaid,
    /// Usage invoiced at the end of each billing period at the list price.
    Postpaid,
    /// A subscription with included credits, packs on top, overage invoiced.
    Hybrid,
}

/// A credit pack for sale.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Pack {
    /// A name unique in the plan.
    pub id: String,
    /// Credits the pack grants.
    pub credits: Exact,
    /// What the pack costs, in the billing currency.
    pub price: Exact,
    /// The kind of grant it creates: `prepaid` or `external` (sold through
    /// a marketplace or reseller). Default `prepaid`.
    #[serde(default = "default_pack_kind")]
    pub kind: GrantKind,
    /// Drawdown priority, 0-255, lower drawn first. Default 100.
    #[serde(default = "default_priority")]
    pub priority: u8,
    /// The pack's credits expire this long after purchase. Default: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<PeriodSpec>,
}

fn default_pack_kind() -> GrantKind {
    GrantKind::Prepaid
}

fn default_priority() -> u8 {
    100
}

/// The pack a segment's customers buy at sign-up in this plan.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SegmentPack {
    /// The segment's `id`.
    pub segment: String,
    /// The pack's `id`.
    pub pack: String,
}

/// When packs and top-ups are paid.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum PackPayment {
    /// Paid at purchase (card); always collected.
    #[default]
    Upfront,
    /// Invoiced at purchase and paid per the segment's payment terms, or not.
    OnTerms,
}

/// A subscription: a fee each billing period and credits included with it.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Subscription {
    /// Fee per billing period, in the billing currency.
    pub fee: Exact,
    /// Credits granted each billing period, as a new grant; unused ones carry into the next period up to `rollover_max`.
    pub included_credits: Exact,
    /// Unused included credits carried into the next period, at most; the
    /// rest expires. Default 0 (use it or lose it).
    #[serde(default)]
    pub rollover_max: Exact,
    /// Drawdown priority of the included credits, 0-255. Default 50.
    #[serde(default = "default_included_priority")]
    pub priority: u8,
}

fn default_included_priority() -> u8 {
    50
}

/// A grant given to every new customer at sign-up.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OnboardingGrant {
    /// A name unique in the plan.
    pub id: String,
    /// `promotional`, `prepaid`, `external` or `included`. Default
    /// `promotional`.
    #[serde(default = "default_grant_kind")]
    pub kind: GrantKind,
    /// Credits granted.
    pub credits: Exact,
    /// Price paid per credit, in the billing currency. Default 0.
    #[serde(default)]
    pub cost_basis: Exact,
    /// Drawdown priority, 0-255, lower drawn first. Default 100.
    #[serde(default = "default_priority")]
    pub priority: u8,
    /// The grant expires this long after sign-up. Default: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_after: Option<PeriodSpec>,
    /// Models the grant may pay for. Default: all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub models: Vec<String>,
}

fn default_grant_kind() -> GrantKind {
    GrantKind::Promotional
}

/// What a grant is, commercially (DOMAIN.md section 2).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
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
    pub fn to_ledger(self) -> ledger::GrantKind {
        match self {
            GrantKind::Promotional => ledger::GrantKind::Promotional,
            GrantKind::Prepaid => ledger::GrantKind::Prepaid,
            GrantKind::External => ledger::GrantKind::External,
            GrantKind::Included => ledger::GrantKind::Included,
        }
    }
}

/// What happens to usage the wallet's grants cannot cover.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "rule", rename_all = "lowercase", deny_unknown_fields)]
pub enum Exhaustion {
    /// Reject the whole call; nothing is drawn.
    Block,
    /// Let the balance go negative, down to `-limit`; the debt is repaid
    /// first out of the next credit.
    Overdraft {
        /// How far below zero the balance may go, in credits.
        limit: Exact,
        /// Keep debt across a subscription period reset (`true`) or forgive
        /// it (`false`). Default false.
        #[serde(default)]
        keep_debt_at_reset: bool,
    },
    /// Invoice the uncovered part at the end of the billing period.
    Invoice {
        /// Price per credit of overage, in the billing currency. Default:
        /// the plan's `price_per_credit`.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        overage_price_per_credit: Option<Exact>,
    },
}

/// Buy credit automatically when the available balance falls below `below`.
/// Give exactly one of `pack` and `up_to`.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Topup {
    /// The threshold, in credits.
    pub below: Exact,
    /// Buy this pack (its `id`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pack: Option<String>,
    /// Buy enough to bring the balance up to this many credits, at
    /// `price_per_credit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to: Option<Exact>,
    /// At most this many automatic top-ups per `period`. Default: no cap.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_period: Option<u32>,
    /// The window `max_per_period` counts in. Default "1M".
    #[serde(default = "default_billing_period")]
    pub period: PeriodSpec,
}

/// A spend cap applied to each agent of a customer: an agent over its cap
/// is stopped while the customer's other agents go on.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActorBudget {
    /// Credits an agent may spend per `period`.
    pub cap: Exact,
    /// The window the cap applies to, a UTC calendar period such as "1d".
    pub period: PeriodSpec,
}

/// Alert thresholds on the available balance; each fires once per crossing
/// downward.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Alerts {
    /// Absolute thresholds, in credits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub below: Vec<Exact>,
    /// Thresholds as a percent of the credits granted so far, 0 to 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub below_percent: Vec<f64>,
}

/// The order eligible grants are drawn in (DOMAIN.md section 3).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum DrawdownOrder {
    /// Priority, scoped before unscoped, expiry, cost basis, effective date, id.
    #[default]
    Kong,
    /// Priority, expiry, effective date, id.
    OpenMeter,
    /// Expiry, cost basis, effective date, id; no priority.
    Orb,
}

impl DrawdownOrder {
    pub fn to_ledger(self) -> ledger::DrawdownOrder {
        match self {
            DrawdownOrder::Kong => ledger::DrawdownOrder::Kong,
            DrawdownOrder::OpenMeter => ledger::DrawdownOrder::OpenMeter,
            DrawdownOrder::Orb => ledger::DrawdownOrder::Orb,
        }
    }
}

/// When usage is checked against the balance. The overshoot past the
/// balance that each mode allows is measured per plan.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(tag = "mode", rename_all = "snake_case", deny_unknown_fields)]
pub enum Enforcement {
    /// Every model call is checked before it runs.
    #[default]
    PerCall,
    /// A task is authorised once when it starts and then runs to its end,
    /// even past zero.
    TaskStart,
    /// Usage is metered in windows and the balance checked at each window's
    /// end, as metering pipelines aggregate.
    Windowed {
        /// Window length in minutes, 1 to 1440.
        window_minutes: u32,
    },
}
