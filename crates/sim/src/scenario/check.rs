//! The meaning check: everything about a well-shaped scenario that its
//! types cannot say. Non-negative prices and amounts, probabilities in
//! [0, 1], model mixes summing to 1, references to defined models,
//! segments, plans and packs, dated changes inside the horizon and in
//! order, unique ids, settings that fit the plan's billing model, valid
//! distributions, and the limits in [`super::limits`].
//!
//! Each problem is located by its field path in the parsed document.

use std::collections::HashMap;

use ledger::Currency;
use ledger::Period;

use super::doc::{Doc, FieldPath};
use super::error::{ErrorCode, Issue};
use super::limits::*;
use super::shape::{closest, or_list};
use super::types::*;
use super::values::{Date, Exact, PeriodSpec};
use crate::dist::Dist;

/// How far the shares of a model mix may sum away from 1.
pub const MIX_SUM_TOLERANCE: f64 = 1e-6;

/// Every meaning problem of `scenario`, located in `doc`.
pub(crate) fn check(scenario: &Scenario, doc: &Doc<'_>) -> Vec<Issue> {
    let horizon = (1..=MAX_HORIZON_DAYS)
        .contains(&scenario.horizon_days)
        .then(|| {
            let end = scenario
                .start
                .plus_days(u64::from(scenario.horizon_days) - 1)?;
            Some((scenario.start, end))
        })
        .flatten();
    let mut check = Check {
        doc,
        issues: Vec::new(),
        horizon,
        models: scenario.models.iter().map(|m| m.id.as_str()).collect(),
        priced: scenario
            .rate_card
            .iter()
            .map(|r| r.model.as_str())
            .collect(),
    };
    let root = FieldPath::root();
    check.top(scenario, &root);
    for (i, model) in scenario.models.iter().enumerate() {
        check.model(model, &root.key("models").index(i));
    }
    for (i, entry) in scenario.rate_card.iter().enumerate() {
        check.rate_card_entry(entry, &root.key("rate_card").index(i));
    }
    let segment_ids: Vec<&str> = scenario.segments.iter().map(|s| s.id.as_str()).collect();
    for (i, segment) in scenario.segments.iter().enumerate() {
        check.segment(
            segment,
            scenario.horizon_days,
            &root.key("segments").index(i),
        );
    }
    for (i, plan) in scenario.plans.iter().enumerate() {
        check.plan(plan, &segment_ids, &root.key("plans").index(i));
    }
    check.issues
}

struct Check<'a> {
    doc: &'a Doc<'a>,
    issues: Vec<Issue>,
    /// First and last simulated day, when the horizon is valid.
    horizon: Option<(Date, Date)>,
    models: Vec<&'a str>,
    /// Models with a rate card entry.
    priced: Vec<&'a str>,
}

/// What a distribution's draws must satisfy.
#[derive(Clone, Copy)]
enum Draws {
    /// Never below 0 (token counts, durations).
    NonNegative,
    /// Never below 0, and a mean above 0 (durations that must pass).
    Positive,
}

impl<'a> Check<'a> {
    fn issue(&mut self, code: ErrorCode, path: &FieldPath, message: String, hint: Option<String>) {
        let span = self.doc.locate(path);
        self.issues
            .push(Issue::new(code, span, path.clone(), message).maybe_hint(hint));
    }

    // ----- scalar rules -----

    fn non_negative(&mut self, path: &FieldPath, value: Exact) {
        if value.get().is_sign_negative() && !value.get().is_zero() {
            self.issue(
                ErrorCode::OutOfRange,
                path,
                format!("must be >= 0, found {value}"),
                None,
            );
        }
    }

    fn positive(&mut self, path: &FieldPath, value: Exact) {
        if value.get() <= rust_decimal::Decimal::ZERO {
            self.issue(
                ErrorCode::OutOfRange,
                path,
                format!("must be > 0, found {value}"),
                None,
            );
        }
    }

    /// A finite f64 in `[min, max]`.
    fn within(&mut self, path: &FieldPath, value: f64, min: f64, max: f64) -> bool {
        if value.is_finite() && (min..=max).contains(&value) {
            return true;
        }
        let message = if !value.is_finite() {
            format!("must be a finite number, found {value}")
        } else if value < min {
            format!("must be >= {min}, found {value}")
        } else {
            format!("must be <= {max}, found {value}")
        };
        self.issue(ErrorCode::OutOfRange, path, message, None);
        false
    }

    /// A rate: finite, >= 0, and at most its named limit.
    fn rate(&mut self, path: &FieldPath, value: f64, max: f64, name: &str) {
        if self.within(path, value, 0.0, f64::MAX) && value > max {
            self.issue(
                ErrorCode::LimitExceeded,
                path,
                format!("{value} exceeds the limit of {max} ({name})"),
                None,
            );
        }
    }

    fn probability(&mut self, path: &FieldPath, value: f64) -> bool {
        if value.is_finite() && (0.0..=1.0).contains(&value) {
            return true;
        }
        self.issue(
            ErrorCode::OutOfRange,
            path,
            format!("must be a probability between 0 and 1, found {value}"),
            None,
        );
        false
    }

    /// A count over its named limit.
    fn limit(&mut self, path: &FieldPath, count: u64, max: u64, what: &str, name: &str) {
        if count > max {
            self.issue(
                ErrorCode::LimitExceeded,
                path,
                format!("{count} {what} exceeds the limit of {max} ({name})"),
                None,
            );
        }
    }

    /// A list that must have at least one entry and at most `max`.
    fn list(&mut self, path: &FieldPath, len: usize, max: usize, what: &str, name: &str) {
        if len == 0 {
            self.issue(
                ErrorCode::MissingField,
                path,
                format!("needs at least one {what}"),
                None,
            );
        }
        self.limit(path, len as u64, max as u64, &format!("{what}s"), name);
    }

    fn id(&mut self, path: &FieldPath, id: &str) {
        if id.trim().is_empty() {
            self.issue(
                ErrorCode::InvalidValue,
                path,
                "must not be empty".to_owned(),
                None,
            );
        }
        let chars = id.chars().count();
        if chars > MAX_ID_CHARS {
            self.issue(
                ErrorCode::LimitExceeded,
                path,
                format!("{chars} characters exceeds the limit of {MAX_ID_CHARS} (MAX_ID_CHARS)"),
                None,
            );
        }
    }

    /// Ids that must be unique in a list; each repeat is reported once.
    fn unique<'i>(&mut self, ids: impl Iterator<Item = (FieldPath, &'i str)>, what: &str) {
        let mut seen: HashMap<&str, FieldPath> = HashMap::new();
        for (path, id) in ids {
            if let Some(first) = seen.get(id) {
                let hint = format!("already used by {first}");
                self.issue(
                    ErrorCode::DuplicateId,
                    &path,
                    format!("duplicate {what} `{id}`"),
                    Some(hint),
                );
            } else {
                seen.insert(id, path);
            }
        }
    }

    fn reference(&mut self, path: &FieldPath, name: &str, known: &[&str], what: &str) -> bool {
        if known.contains(&name) {
            return true;
        }
        let hint = match closest(name, known.iter().copied()) {
            Some(close) => format!("did you mean `{close}`?"),
            None if known.is_empty() => format!("no {what} is defined"),
            None if known.len() <= 10 => format!("defined: {}", or_list(known)),
            None => format!("{} {what}s are defined", known.len()),
        };
        self.issue(
            ErrorCode::UndefinedReference,
            path,
            format!("no {what} `{name}`"),
            Some(hint),
        );
        false
    }

    /// A model used by traffic: it must exist and have a customer price.
    fn used_model(&mut self, path: &FieldPath, model: &str) {
        let models = self.models.clone();
        if self.reference(path, model, &models, "model") && !self.priced.contains(&model) {
            self.issue(
                ErrorCode::UndefinedReference,
                path,
                format!("model `{model}` has no rate card entry"),
                Some("add a [[rate_card]] entry for it".to_owned()),
            );
        }
    }

    fn currency(&mut self, path: &FieldPath, code: &str) {
        if Currency::new(code).is_none() {
            self.issue(
                ErrorCode::InvalidValue,
                path,
                format!("`{code}` is not a currency code"),
                Some(
                    "1 to 12 characters of A-Z, 0-9 and _, like \"USD\" or \"CREDITS\"".to_owned(),
                ),
            );
        }
    }

    fn period_at_least_a_day(&mut self, path: &FieldPath, period: PeriodSpec) {
        if let Period::Millis(ms) = period.get()
            && ms < 24 * 60 * 60 * 1000
        {
            self.issue(
                ErrorCode::OutOfRange,
                path,
                format!("must be at least 1d, found {period}"),
                None,
            );
        }
    }

    // ----- dates -----

    /// A dated change: after the first day and inside the horizon (on the
    /// first day it would be the base value, which is written as such).
    fn change_date(&mut self, path: &FieldPath, date: Date, allow_first_day: bool) {
        let Some((first, last)) = self.horizon else {
            return;
        };
        let too_early = if allow_first_day {
            date < first
        } else {
            date <= first
        };
        if too_early || date > last {
            let hint = if date == first {
                "a change on the first day is the base value; write it there".to_owned()
            } else {
                format!("the horizon runs from {first} to {last}")
            };
            self.issue(
                ErrorCode::OutsideHorizon,
                path,
                format!("{date} is outside the horizon"),
                Some(hint),
            );
        }
    }

    /// Dates that must strictly increase.
    fn in_order(&mut self, dates: impl Iterator<Item = (FieldPath, Date)>, what: &str) {
        let mut previous: Option<Date> = None;
        for (path, date) in dates {
            if let Some(before) = previous
                && date <= before
            {
                self.issue(
                    ErrorCode::OutOfOrder,
                    &path,
                    format!("{date} is not after the previous {what} ({before})"),
                    Some(format!("list {what}s in date order, one per date")),
                );
            }
            previous = Some(date);
        }
    }

    // ----- distributions -----

    fn dist(&mut self, path: &FieldPath, dist: &Dist, draws: Draws) -> bool {
        let problems = dist.check();
        let is_table = self.doc.is_table(path);
        let failed = !problems.is_empty();
        for problem in problems {
            let at = if is_table {
                path.suffix(&problem.field)
            } else {
                path.clone()
            };
            self.issue(ErrorCode::OutOfRange, &at, problem.message, problem.hint);
        }
        if failed {
            return false;
        }
        let lowest = dist.min_value();
        if lowest < 0.0 {
            self.issue(
                ErrorCode::OutOfRange,
                path,
                format!("can draw negative values (as low as {lowest})"),
                Some("this quantity is never below 0".to_owned()),
            );
            return false;
        }
        if matches!(draws, Draws::Positive) && dist.mean().is_some_and(|m| m <= 0.0) {
            self.issue(
                ErrorCode::OutOfRange,
                path,
                "must have a mean above 0".to_owned(),
                None,
            );
            return false;
        }
        true
    }

    /// A count drawn from a distribution whose mean is capped by a limit.
    fn counted(&mut self, path: &FieldPath, dist: &Dist, max: f64, what: &str, name: &str) {
        if !self.dist(path, dist, Draws::NonNegative) {
            return;
        }
        if let Some(mean) = dist.mean()
            && mean > max
        {
            self.issue(
                ErrorCode::LimitExceeded,
                path,
                format!("a mean of {mean} {what} exceeds the limit of {max} ({name})"),
                None,
            );
        }
    }

    // ----- sections -----

    fn top(&mut self, s: &'a Scenario, root: &FieldPath) {
        if s.paths == 0 {
            self.issue(
                ErrorCode::OutOfRange,
                &root.key("paths"),
                "must be >= 1".to_owned(),
                None,
            );
        }
        self.limit(
            &root.key("paths"),
            u64::from(s.paths),
            u64::from(MAX_PATHS),
            "paths",
            "MAX_PATHS",
        );
        if s.horizon_days == 0 {
            self.issue(
                ErrorCode::OutOfRange,
                &root.key("horizon_days"),
                "must be >= 1".to_owned(),
                None,
            );
        }
        self.limit(
            &root.key("horizon_days"),
            u64::from(s.horizon_days),
            u64::from(MAX_HORIZON_DAYS),
            "days",
            "MAX_HORIZON_DAYS",
        );
        self.currency(&root.key("currency"), &s.currency);
        self.currency(&root.key("credit_unit"), &s.credit_unit);
        let models = root.key("models");
        self.list(&models, s.models.len(), MAX_MODELS, "model", "MAX_MODELS");
        self.unique(
            s.models
                .iter()
                .enumerate()
                .map(|(i, m)| (models.index(i).key("id"), m.id.as_str())),
            "model id",
        );
        let rate_card = root.key("rate_card");
        self.limit(
            &rate_card,
            s.rate_card.len() as u64,
            MAX_MODELS as u64,
            "rate card entries",
            "MAX_MODELS",
        );
        self.unique(
            s.rate_card
                .iter()
                .enumerate()
                .map(|(i, r)| (rate_card.index(i).key("model"), r.model.as_str())),
            "rate card entry for model",
        );
        let segments = root.key("segments");
        self.list(
            &segments,
            s.segments.len(),
            MAX_SEGMENTS,
            "segment",
            "MAX_SEGMENTS",
        );
        self.unique(
            s.segments
                .iter()
                .enumerate()
                .map(|(i, x)| (segments.index(i).key("id"), x.id.as_str())),
            "segment id",
        );
        let total: u64 = s
            .segments
            .iter()
            .map(|x| reachable_customers(x, s.horizon_days))
            .sum();
        self.limit(
            &segments,
            total,
            MAX_CUSTOMERS,
            "customers",
            "MAX_CUSTOMERS",
        );
        let plans = root.key("plans");
        self.list(&plans, s.plans.len(), MAX_PLANS, "plan", "MAX_PLANS");
        self.unique(
            s.plans
                .iter()
                .enumerate()
                .map(|(i, p)| (plans.index(i).key("id"), p.id.as_str())),
            "plan id",
        );
        if let Some(baseline) = &s.baseline_plan {
            let ids: Vec<&str> = s.plans.iter().map(|p| p.id.as_str()).collect();
            self.reference(&root.key("baseline_plan"), baseline, &ids, "plan");
        }
    }

    fn per_mtok(&mut self, path: &FieldPath, prices: &PerMtok) {
        self.non_negative(&path.key("input"), prices.input);
        self.non_negative(&path.key("output"), prices.output);
        self.non_negative(&path.key("cache_read"), prices.cache_read);
    }

    fn model(&mut self, model: &Model, path: &FieldPath) {
        self.id(&path.key("id"), &model.id);
        self.per_mtok(&path.key("price_per_mtok"), &model.price_per_mtok);
        self.context_tiers(&path.key("context_tiers"), &model.context_tiers);
        let window = path.key("context_window_tokens");
        if model.context_window_tokens == 0 {
            self.issue(
                ErrorCode::OutOfRange,
                &window,
                "must be >= 1".to_owned(),
                None,
            );
        }
        self.limit(
            &window,
            u64::from(model.context_window_tokens),
            u64::from(MAX_CONTEXT_WINDOW_TOKENS),
            "tokens",
            "MAX_CONTEXT_WINDOW_TOKENS",
        );
        let changes = path.key("price_changes");
        self.limit(
            &changes,
            model.price_changes.len() as u64,
            MAX_PRICE_CHANGES as u64,
            "price changes",
            "MAX_PRICE_CHANGES",
        );
        for (i, change) in model.price_changes.iter().enumerate() {
            let at = changes.index(i);
            self.change_date(&at.key("date"), change.date, false);
            self.per_mtok(&at.key("price_per_mtok"), &change.price_per_mtok);
            self.context_tiers(&at.key("context_tiers"), &change.context_tiers);
        }
        self.in_order(
            model
                .price_changes
                .iter()
                .enumerate()
                .map(|(i, c)| (changes.index(i).key("date"), c.date)),
            "price change",
        );
    }

    /// At most [`MAX_CONTEXT_TIERS`], thresholds strictly ascending,
    /// prices not negative.
    fn context_tiers(&mut self, path: &FieldPath, tiers: &[ContextTier]) {
        self.limit(
            path,
            tiers.len() as u64,
            MAX_CONTEXT_TIERS as u64,
            "context tiers",
            "MAX_CONTEXT_TIERS",
        );
        for (i, tier) in tiers.iter().enumerate() {
            let at = path.index(i);
            self.per_mtok(&at.key("price_per_mtok"), &tier.price_per_mtok);
            if i > 0 && tier.above_input_tokens <= tiers[i - 1].above_input_tokens {
                self.issue(
                    ErrorCode::OutOfOrder,
                    &at.key("above_input_tokens"),
                    format!(
                        "must be above the previous tier's {}, found {}",
                        tiers[i - 1].above_input_tokens,
                        tier.above_input_tokens
                    ),
                    Some("list tiers in ascending order of above_input_tokens".to_owned()),
                );
            }
        }
    }

    fn rate_card_entry(&mut self, entry: &RateCardEntry, path: &FieldPath) {
        let models = self.models.clone();
        self.reference(&path.key("model"), &entry.model, &models, "model");
        self.per_mtok(&path.key("credits_per_mtok"), &entry.credits_per_mtok);
        let changes = path.key("price_changes");
        self.limit(
            &changes,
            entry.price_changes.len() as u64,
            MAX_PRICE_CHANGES as u64,
            "price changes",
            "MAX_PRICE_CHANGES",
        );
        for (i, change) in entry.price_changes.iter().enumerate() {
            let at = changes.index(i);
            self.change_date(&at.key("date"), change.date, false);
            self.per_mtok(&at.key("credits_per_mtok"), &change.credits_per_mtok);
        }
        self.in_order(
            entry
                .price_changes
                .iter()
                .enumerate()
                .map(|(i, c)| (changes.index(i).key("date"), c.date)),
            "price change",
        );
    }

    fn segment(&mut self, segment: &Segment, horizon_days: u32, path: &FieldPath) {
        self.id(&path.key("id"), &segment.id);
        self.limit(
            &path.key("customers"),
            reachable_customers(segment, horizon_days),
            MAX_CUSTOMERS_PER_SEGMENT,
            "customers (initial plus expected new)",
            "MAX_CUSTOMERS_PER_SEGMENT",
        );
        self.within(
            &path.key("new_customers_per_day"),
            segment.new_customers_per_day,
            0.0,
            MAX_CUSTOMERS_PER_SEGMENT as f64,
        );
        self.counted(
            &path.key("agents_per_customer"),
            &segment.agents_per_customer,
            f64::from(MAX_AGENTS_PER_CUSTOMER),
            "agents",
            "MAX_AGENTS_PER_CUSTOMER",
        );
        self.tasks(&segment.tasks, &path.key("tasks"));
        self.model_mix(&segment.model_mix, &path.key("model_mix"));
        self.model_swaps(&segment.model_swaps, &path.key("model_swaps"));
        if let Some(runaway) = &segment.runaway {
            self.runaway(runaway, &path.key("runaway"));
        }
        if let Some(leaks) = &segment.credential_leaks {
            self.credential_leaks(leaks, &path.key("credential_leaks"));
        }
        if let Some(on_block) = &segment.on_block {
            self.on_block(on_block, &path.key("on_block"));
        }
        if let Some(shock) = &segment.on_bill_shock {
            let at = path.key("on_bill_shock");
            self.within(&at.key("ratio"), shock.ratio, 1.0, f64::MAX);
            self.probability(&at.key("dispute_probability"), shock.dispute_probability);
        }
        let payment = path.key("payment");
        self.limit(
            &payment.key("net_days"),
            u64::from(segment.payment.net_days),
            u64::from(MAX_NET_DAYS),
            "days",
            "MAX_NET_DAYS",
        );
        self.probability(
            &payment.key("default_probability"),
            segment.payment.default_probability,
        );
    }

    fn tasks(&mut self, tasks: &Tasks, path: &FieldPath) {
        self.rate(
            &path.key("per_agent_per_day"),
            tasks.per_agent_per_day,
            MAX_TASKS_PER_AGENT_PER_DAY,
            "MAX_TASKS_PER_AGENT_PER_DAY",
        );
        self.profile(
            &path.key("daily_profile"),
            &tasks.daily_profile,
            24,
            "hourly weights (00-01 UTC first)",
        );
        self.profile(
            &path.key("weekly_profile"),
            &tasks.weekly_profile,
            7,
            "daily weights (Monday first)",
        );
        if let Some(burst) = &tasks.burst {
            let at = path.key("burst");
            self.dist(&at.key("calm_hours"), &burst.calm_hours, Draws::Positive);
            self.dist(&at.key("burst_hours"), &burst.burst_hours, Draws::Positive);
            self.within(&at.key("rate_multiplier"), burst.rate_multiplier, 0.0, 1e6);
        }
        self.counted(
            &path.key("steps"),
            &tasks.steps,
            f64::from(MAX_STEPS_PER_TASK),
            "steps",
            "MAX_STEPS_PER_TASK",
        );
        self.dist(
            &path.key("step_seconds"),
            &tasks.step_seconds,
            Draws::NonNegative,
        );
        self.dist(
            &path.key("input_tokens"),
            &tasks.input_tokens,
            Draws::NonNegative,
        );
        self.dist(
            &path.key("context_growth_tokens"),
            &tasks.context_growth_tokens,
            Draws::NonNegative,
        );
        self.dist(
            &path.key("output_tokens"),
            &tasks.output_tokens,
            Draws::NonNegative,
        );
        self.probability(&path.key("cache_hit_share"), tasks.cache_hit_share);
    }

    fn profile(&mut self, path: &FieldPath, weights: &[f64], len: usize, what: &str) {
        if weights.len() != len {
            self.issue(
                ErrorCode::OutOfRange,
                path,
                format!("needs {len} {what}, found {}", weights.len()),
                None,
            );
            return;
        }
        let mut ok = true;
        for (i, weight) in weights.iter().enumerate() {
            ok &= self.within(&path.index(i), *weight, 0.0, 1e6);
        }
        if ok && weights.iter().sum::<f64>() <= 0.0 {
            self.issue(
                ErrorCode::OutOfRange,
                path,
                "weights must not all be 0".to_owned(),
                None,
            );
        }
    }

    fn model_mix(&mut self, mix: &[MixShare], path: &FieldPath) {
        self.list(
            path,
            mix.len(),
            MAX_MIX_ENTRIES,
            "model mix entry",
            "MAX_MIX_ENTRIES",
        );
        let mut shares_ok = true;
        for (i, entry) in mix.iter().enumerate() {
            let at = path.index(i);
            self.used_model(&at.key("model"), &entry.model);
            shares_ok &= self.probability(&at.key("share"), entry.share);
        }
        self.unique(
            mix.iter()
                .enumerate()
                .map(|(i, e)| (path.index(i).key("model"), e.model.as_str())),
            "mix entry for model",
        );
        let sum: f64 = mix.iter().map(|e| e.share).sum();
        if shares_ok && !mix.is_empty() && (sum - 1.0).abs() > MIX_SUM_TOLERANCE {
            self.issue(
                ErrorCode::Inconsistent,
                path,
                format!("shares sum to {}, not 1", short(sum)),
                Some(format!("within {MIX_SUM_TOLERANCE:e}")),
            );
        }
    }

    fn model_swaps(&mut self, swaps: &[ModelSwap], path: &FieldPath) {
        self.limit(
            path,
            swaps.len() as u64,
            MAX_MODEL_SWAPS as u64,
            "model swaps",
            "MAX_MODEL_SWAPS",
        );
        let models = self.models.clone();
        for (i, swap) in swaps.iter().enumerate() {
            let at = path.index(i);
            self.reference(&at.key("from"), &swap.from, &models, "model");
            self.used_model(&at.key("to"), &swap.to);
            if swap.from == swap.to {
                self.issue(
                    ErrorCode::Inconsistent,
                    &at.key("to"),
                    format!("swaps `{}` to itself", swap.to),
                    None,
                );
            }
            self.change_date(&at.key("start"), swap.start, true);
            self.limit(
                &at.key("ramp_days"),
                u64::from(swap.ramp_days),
                u64::from(MAX_HORIZON_DAYS),
                "days",
                "MAX_HORIZON_DAYS",
            );
            self.probability(&at.key("share"), swap.share);
        }
        let mut previous: Option<Date> = None;
        for (i, swap) in swaps.iter().enumerate() {
            if let Some(before) = previous
                && swap.start < before
            {
                self.issue(
                    ErrorCode::OutOfOrder,
                    &path.index(i).key("start"),
                    format!(
                        "{} is before the previous swap's start ({before})",
                        swap.start
                    ),
                    Some("list model swaps in date order".to_owned()),
                );
            }
            previous = Some(swap.start);
        }
    }

    fn runaway(&mut self, runaway: &Runaway, path: &FieldPath) {
        self.probability(&path.key("probability"), runaway.probability);
        if let Some(max_steps) = runaway.max_steps {
            let at = path.key("max_steps");
            if max_steps == 0 {
                self.issue(ErrorCode::OutOfRange, &at, "must be >= 1".to_owned(), None);
            }
            self.limit(
                &at,
                u64::from(max_steps),
                u64::from(MAX_STEPS_PER_TASK),
                "steps",
                "MAX_STEPS_PER_TASK",
            );
        }
        if let Some(stop) = &runaway.stop_after_hours {
            self.dist(&path.key("stop_after_hours"), stop, Draws::NonNegative);
        }
    }

    fn credential_leaks(&mut self, leaks: &CredentialLeaks, path: &FieldPath) {
        self.rate(
            &path.key("per_customer_per_year"),
            leaks.per_customer_per_year,
            MAX_LEAKS_PER_CUSTOMER_YEAR,
            "MAX_LEAKS_PER_CUSTOMER_YEAR",
        );
        self.used_model(&path.key("model"), &leaks.model);
        self.dist(
            &path.key("input_tokens_per_hour"),
            &leaks.input_tokens_per_hour,
            Draws::NonNegative,
        );
        self.dist(
            &path.key("output_tokens_per_hour"),
            &leaks.output_tokens_per_hour,
            Draws::NonNegative,
        );
        self.dist(
            &path.key("detection_delay_hours"),
            &leaks.detection_delay_hours,
            Draws::NonNegative,
        );
    }

    fn on_block(&mut self, on_block: &OnBlock, path: &FieldPath) {
        let topup = self.probability(&path.key("topup_probability"), on_block.topup_probability);
        let churn = self.probability(&path.key("churn_probability"), on_block.churn_probability);
        let sum = on_block.topup_probability + on_block.churn_probability;
        if topup && churn && sum > 1.0 + 1e-9 {
            self.issue(
                ErrorCode::Inconsistent,
                path,
                format!(
                    "topup_probability + churn_probability is {}, more than 1",
                    short(sum)
                ),
                None,
            );
        }
        self.dist(
            &path.key("topup_delay_hours"),
            &on_block.topup_delay_hours,
            Draws::NonNegative,
        );
    }

    fn plan(&mut self, plan: &Plan, segment_ids: &[&str], path: &FieldPath) {
        self.id(&path.key("id"), &plan.id);
        self.non_negative(&path.key("price_per_credit"), plan.price_per_credit);
        self.period_at_least_a_day(&path.key("billing_period"), plan.billing_period);
        self.billing_rules(plan, path);
        let pack_ids: Vec<&str> = plan.packs.iter().map(|p| p.id.as_str()).collect();
        self.packs(plan, path);
        if let Some(pack) = &plan.initial_pack {
            self.reference(&path.key("initial_pack"), pack, &pack_ids, "pack");
        }
        let segment_packs = path.key("segment_packs");
        for (i, entry) in plan.segment_packs.iter().enumerate() {
            let at = segment_packs.index(i);
            self.reference(&at.key("segment"), &entry.segment, segment_ids, "segment");
            self.reference(&at.key("pack"), &entry.pack, &pack_ids, "pack");
        }
        self.unique(
            plan.segment_packs
                .iter()
                .enumerate()
                .map(|(i, e)| (segment_packs.index(i).key("segment"), e.segment.as_str())),
            "pack choice for segment",
        );
        if let Some(subscription) = &plan.subscription {
            let at = path.key("subscription");
            self.non_negative(&at.key("fee"), subscription.fee);
            self.non_negative(&at.key("included_credits"), subscription.included_credits);
            self.non_negative(&at.key("rollover_max"), subscription.rollover_max);
        }
        self.grants(plan, path);
        match &plan.exhaustion {
            Some(Exhaustion::Overdraft { limit, .. }) => {
                self.non_negative(&path.key("exhaustion").key("limit"), *limit);
            }
            Some(Exhaustion::Invoice {
                overage_price_per_credit: Some(price),
            }) => {
                self.non_negative(
                    &path.key("exhaustion").key("overage_price_per_credit"),
                    *price,
                );
            }
            _ => {}
        }
        if let Some(topup) = &plan.topup {
            self.topup(topup, &pack_ids, &path.key("topup"));
        }
        if let Some(budget) = &plan.actor_budget {
            self.positive(&path.key("actor_budget").key("cap"), budget.cap);
        }
        self.alerts(&plan.alerts, &path.key("alerts"));
        if let Enforcement::Windowed { window_minutes } = plan.enforcement {
            let at = path.key("enforcement").key("window_minutes");
            if window_minutes == 0 {
                self.issue(ErrorCode::OutOfRange, &at, "must be >= 1".to_owned(), None);
            }
            self.limit(
                &at,
                u64::from(window_minutes),
                u64::from(MAX_WINDOW_MINUTES),
                "minutes",
                "MAX_WINDOW_MINUTES",
            );
        }
    }

    /// Settings that must or must not be there for the plan's billing model.
    fn billing_rules(&mut self, plan: &Plan, path: &FieldPath) {
        let billing = plan.billing;
        let forbid = |check: &mut Self, present: bool, field: &str, hint: &str| {
            if present {
                let name = match billing {
                    Billing::Prepaid => "prepaid",
                    Billing::Postpaid => "postpaid",
                    Billing::Hybrid => "hybrid",
                };
                check.issue(
                    ErrorCode::Inconsistent,
                    &path.key(field),
                    format!("a {name} plan has no `{field}`"),
                    Some(hint.to_owned()),
                );
            }
        };
        match billing {
            Billing::Prepaid => {
                forbid(
                    self,
                    plan.subscription.is_some(),
                    "subscription",
                    "a subscription with included credits makes the plan `hybrid`",
                );
                if plan.packs.is_empty() {
                    self.issue(
                        ErrorCode::MissingField,
                        &path.key("packs"),
                        "a prepaid plan needs at least one credit pack".to_owned(),
                        Some("add a [[plans.packs]] table".to_owned()),
                    );
                }
            }
            Billing::Postpaid => {
                let hint = "post-paid usage is invoiced in arrears; nothing is bought ahead";
                forbid(self, !plan.packs.is_empty(), "packs", hint);
                forbid(self, plan.initial_pack.is_some(), "initial_pack", hint);
                forbid(self, !plan.segment_packs.is_empty(), "segment_packs", hint);
                forbid(self, plan.topup.is_some(), "topup", hint);
                forbid(
                    self,
                    plan.subscription.is_some(),
                    "subscription",
                    "a subscription with included credits makes the plan `hybrid`",
                );
                if matches!(
                    plan.exhaustion,
                    Some(Exhaustion::Block | Exhaustion::Overdraft { .. })
                ) {
                    self.issue(
                        ErrorCode::Inconsistent,
                        &path.key("exhaustion").key("rule"),
                        "a postpaid plan invoices usage: its exhaustion rule is `invoice`"
                            .to_owned(),
                        Some("to cap post-paid spend, use an actor_budget".to_owned()),
                    );
                }
            }
            Billing::Hybrid => {
                if plan.subscription.is_none() {
                    self.issue(
                        ErrorCode::MissingField,
                        &path.key("subscription"),
                        "a hybrid plan needs a subscription".to_owned(),
                        Some("add [plans.subscription] with fee and included_credits".to_owned()),
                    );
                }
            }
        }
    }

    fn packs(&mut self, plan: &Plan, path: &FieldPath) {
        let packs = path.key("packs");
        self.limit(
            &packs,
            plan.packs.len() as u64,
            MAX_PACKS_PER_PLAN as u64,
            "packs",
            "MAX_PACKS_PER_PLAN",
        );
        for (i, pack) in plan.packs.iter().enumerate() {
            let at = packs.index(i);
            self.id(&at.key("id"), &pack.id);
            self.positive(&at.key("credits"), pack.credits);
            self.non_negative(&at.key("price"), pack.price);
            if !matches!(pack.kind, GrantKind::Prepaid | GrantKind::External) {
                self.issue(
                    ErrorCode::Inconsistent,
                    &at.key("kind"),
                    "a pack is bought: its kind is `prepaid` or `external`".to_owned(),
                    Some("free credits are onboarding grants, [[plans.grants]]".to_owned()),
                );
            }
        }
        self.unique(
            plan.packs
                .iter()
                .enumerate()
                .map(|(i, p)| (packs.index(i).key("id"), p.id.as_str())),
            "pack id",
        );
    }

    fn grants(&mut self, plan: &Plan, path: &FieldPath) {
        let grants = path.key("grants");
        self.limit(
            &grants,
            plan.grants.len() as u64,
            MAX_GRANTS_PER_PLAN as u64,
            "grants",
            "MAX_GRANTS_PER_PLAN",
        );
        let models = self.models.clone();
        for (i, grant) in plan.grants.iter().enumerate() {
            let at = grants.index(i);
            self.id(&at.key("id"), &grant.id);
            self.positive(&at.key("credits"), grant.credits);
            self.non_negative(&at.key("cost_basis"), grant.cost_basis);
            for (j, model) in grant.models.iter().enumerate() {
                self.reference(&at.key("models").index(j), model, &models, "model");
            }
        }
        self.unique(
            plan.grants
                .iter()
                .enumerate()
                .map(|(i, g)| (grants.index(i).key("id"), g.id.as_str())),
            "grant id",
        );
    }

    fn topup(&mut self, topup: &Topup, pack_ids: &[&str], path: &FieldPath) {
        self.non_negative(&path.key("below"), topup.below);
        match (&topup.pack, topup.up_to) {
            (Some(pack), None) => {
                self.reference(&path.key("pack"), pack, pack_ids, "pack");
            }
            (None, Some(up_to)) => {
                if up_to <= topup.below {
                    self.issue(
                        ErrorCode::Inconsistent,
                        &path.key("up_to"),
                        format!("must be above `below` ({}), found {up_to}", topup.below),
                        None,
                    );
                }
            }
            (Some(_), Some(_)) => self.issue(
                ErrorCode::Inconsistent,
                &path.key("up_to"),
                "give `pack` or `up_to`, not both".to_owned(),
                None,
            ),
            (None, None) => self.issue(
                ErrorCode::MissingField,
                &path.key("pack"),
                "a top-up needs `pack` or `up_to`".to_owned(),
                Some("what to buy: a pack's id, or a balance to buy up to".to_owned()),
            ),
        }
        if topup.max_per_period == Some(0) {
            self.issue(
                ErrorCode::OutOfRange,
                &path.key("max_per_period"),
                "must be >= 1".to_owned(),
                Some("to never top up, remove the topup table".to_owned()),
            );
        }
    }

    fn alerts(&mut self, alerts: &Alerts, path: &FieldPath) {
        let count = alerts.below.len() + alerts.below_percent.len();
        self.limit(
            path,
            count as u64,
            MAX_ALERTS_PER_PLAN as u64,
            "alert thresholds",
            "MAX_ALERTS_PER_PLAN",
        );
        for (i, below) in alerts.below.iter().enumerate() {
            self.non_negative(&path.key("below").index(i), *below);
        }
        for (i, percent) in alerts.below_percent.iter().enumerate() {
            self.within(&path.key("below_percent").index(i), *percent, 0.0, 100.0);
        }
    }
}

/// Initial customers plus the expected new ones over the horizon.
fn reachable_customers(segment: &Segment, horizon_days: u32) -> u64 {
    let new = segment.new_customers_per_day * f64::from(horizon_days);
    let new = if new.is_finite() && new > 0.0 {
        new.ceil().min(u64::MAX as f64) as u64
    } else {
        0
    };
    u64::from(segment.customers).saturating_add(new)
}

/// A computed number for a message, without float noise (0.9, not
/// 0.8999999999999999).
fn short(value: f64) -> String {
    let text = format!("{value:.9}");
    text.trim_end_matches('0').trim_end_matches('.').to_owned()
}
