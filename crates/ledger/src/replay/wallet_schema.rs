//! The `wallet` section, checked and turned into a [`WalletConfig`]: its
//! currency, exhaustion rule, drawdown order, alerts, top-up rule and actor
//! budgets.

use std::collections::HashSet;

use super::grant_schema::grant_kind;
use super::node::Node;
use super::path::Path;
use super::read::{self, Ctx, Fields};
use super::scalar;
use super::schema::Check;
use crate::config::{ActorBudget, DrawdownOrder, Exhaustion, TopupRule, TopupSize, WalletConfig};
use crate::grant::Actor;
use crate::money::Amount;

const WALLET_FIELDS: &[&str] = &[
    "currency",
    "exhaustion",
    "order",
    "reset_keeps_overdraft",
    "alerts",
    "topup",
    "actor_budgets",
];
const EXHAUSTION_FIELDS: &[&str] = &["rule", "limit"];
const RULES: &[&str] = &["block", "overdraft", "invoice"];
const TOPUP_FIELDS: &[&str] = &[
    "below",
    "amount",
    "target",
    "kind",
    "priority",
    "cost_basis",
    "expires_after",
    "max_per_period",
    "period",
];
const BUDGET_FIELDS: &[&str] = &["cap", "period"];

impl Check<'_> {
    /// Reads the wallet section; also sets the currency grants and usage
    /// default to.
    pub(super) fn wallet(&mut self, node: &Node, path: &Path<'_>) -> Option<WalletConfig> {
        let fields = Fields::open(&mut self.ctx, node, *path, WALLET_FIELDS)?;
        let ctx = &mut self.ctx;
        let currency = fields.required(ctx, "currency", scalar::currency);
        let exhaustion = fields.optional(ctx, "exhaustion", exhaustion);
        let order = fields.optional(ctx, "order", drawdown_order);
        let reset_keeps_overdraft = fields.optional(ctx, "reset_keeps_overdraft", read::boolean);
        let alerts = fields.optional(ctx, "alerts", alerts);
        let topup = fields.optional(ctx, "topup", topup);
        let budgets = fields.get("actor_budgets");
        let budgets = budgets.map(|n| self.actor_budgets(n, &fields.key_path("actor_budgets")));
        let mut config = WalletConfig::new(currency?);
        self.currency = config.currency;
        config.exhaustion = exhaustion.unwrap_or(config.exhaustion);
        config.order = order.unwrap_or(config.order);
        config.reset_keeps_overdraft =
            reset_keeps_overdraft.unwrap_or(config.reset_keeps_overdraft);
        config.alerts = alerts.unwrap_or_default();
        config.topup = topup;
        config.actor_budgets = budgets.unwrap_or_default();
        Some(config)
    }

    /// Reads `{"agent-a": {"cap": "50", "period": "1d"}, ...}`: keys are the
    /// file's actor names.
    fn actor_budgets(&mut self, node: &Node, path: &Path<'_>) -> Vec<(Actor, ActorBudget)> {
        let Node::Object(entries) = node else {
            let what = format!(
                "{} of actor names to budgets",
                read::object_word(self.ctx.format)
            );
            self.ctx.expected(path, &what, node);
            return Vec::new();
        };
        let mut seen = HashSet::new();
        let mut budgets = Vec::with_capacity(entries.len());
        for (name, budget) in entries {
            let budget_path = path.key(name);
            if !seen.insert(name.as_str()) {
                self.ctx
                    .problem(budget_path, "appears more than once; keep one");
            } else if let Some(budget) = actor_budget(&mut self.ctx, budget, &budget_path) {
                budgets.push((self.names.actor(name), budget));
            }
        }
        budgets
    }
}

/// Reads `{"rule": "block" | "invoice"}` or `{"rule": "overdraft", "limit": ...}`.
fn exhaustion(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<Exhaustion> {
    let fields = Fields::open(ctx, node, *path, EXHAUSTION_FIELDS)?;
    let rule = fields.required(ctx, "rule", |ctx, node, path| {
        read::one_of(ctx, node, path, "rule", RULES, |name| {
            RULES.iter().find(|r| **r == name).copied()
        })
    })?;
    let limit = fields.optional(ctx, "limit", scalar::amount);
    match rule {
        "overdraft" if !fields.has("limit") => {
            let message = "the overdraft rule needs a limit: the most debt the wallet may carry";
            ctx.problem(path, message);
            None
        }
        "overdraft" => limit.map(|limit| Exhaustion::Overdraft { limit }),
        _ if fields.has("limit") => {
            let message = format!(
                "only the overdraft rule takes a limit; remove it, or use the overdraft rule \
                 instead of {rule}"
            );
            ctx.problem(fields.key_path("limit"), message);
            None
        }
        "block" => Some(Exhaustion::Block),
        _ => Some(Exhaustion::Invoice),
    }
}

fn drawdown_order(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<DrawdownOrder> {
    let names = DrawdownOrder::ALL.map(DrawdownOrder::code);
    read::one_of(ctx, node, path, "order", &names, DrawdownOrder::from_code)
}

fn alerts(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<Vec<Amount>> {
    let items = read::array(ctx, node, path)?;
    let thresholds = items.iter().enumerate();
    let thresholds = thresholds.filter_map(|(i, item)| scalar::amount(ctx, item, &path.index(i)));
    Some(thresholds.collect())
}

fn topup(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<TopupRule> {
    let fields = Fields::open(ctx, node, *path, TOPUP_FIELDS)?;
    let below = fields.required(ctx, "below", scalar::amount);
    let size = topup_size(ctx, &fields, below);
    let kind = fields.optional(ctx, "kind", grant_kind);
    let priority = fields.optional(ctx, "priority", scalar::priority);
    let cost_basis = fields.optional(ctx, "cost_basis", scalar::amount);
    let expires_after = fields.optional(ctx, "expires_after", scalar::period);
    let max_per_period = fields.optional(ctx, "max_per_period", scalar::count);
    let period = fields.optional(ctx, "period", scalar::period);
    let mut rule = TopupRule::new(below?, size?);
    rule.kind = kind.unwrap_or(rule.kind);
    rule.priority = priority.unwrap_or(rule.priority);
    rule.cost_basis = cost_basis.unwrap_or(rule.cost_basis);
    rule.expires_after = expires_after;
    rule.max_per_period = max_per_period;
    rule.period = period.unwrap_or(rule.period);
    Some(rule)
}

/// Exactly one of `amount` (a fixed size, above zero) and `target` (buy up
/// to that balance, at least `below`, or the top-up leaves the balance under
/// the threshold and fires again at once).
fn topup_size(ctx: &mut Ctx, fields: &Fields<'_, '_>, below: Option<Amount>) -> Option<TopupSize> {
    let amount = fields.optional(ctx, "amount", scalar::amount);
    let target = fields.optional(ctx, "target", scalar::amount);
    match (fields.has("amount"), fields.has("target")) {
        (true, true) => {
            let message = "has both amount and target; a top-up buys a fixed amount or up to a \
                           target balance, not both";
            ctx.problem(fields.path(), message);
            None
        }
        (false, false) => {
            let message = "needs amount (buy a fixed amount) or target (buy up to that available \
                           balance)";
            ctx.problem(fields.path(), message);
            None
        }
        (true, false) => {
            let amount = amount?;
            if amount == Amount::ZERO {
                ctx.problem(
                    fields.key_path("amount"),
                    "a top-up of 0 buys nothing; use an amount above 0",
                );
                return None;
            }
            Some(TopupSize::Fixed(amount))
        }
        (false, true) => {
            let target = target?;
            if let Some(below) = below
                && target < below
            {
                let message = format!(
                    "{target} is under the threshold ({below}): a top-up to it would leave the \
                     balance below {below}; use a target of at least {below}"
                );
                ctx.problem(fields.key_path("target"), message);
                return None;
            }
            Some(TopupSize::UpTo(target))
        }
    }
}

fn actor_budget(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<ActorBudget> {
    let fields = Fields::open(ctx, node, *path, BUDGET_FIELDS)?;
    let cap = fields.required(ctx, "cap", scalar::amount);
    let period = fields.required(ctx, "period", scalar::period);
    Some(ActorBudget {
        cap: cap?,
        period: period?,
    })
}
