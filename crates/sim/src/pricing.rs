//! What a model call costs: the provider's price (what we pay the model
//! vendor, in the billing currency) and the rate card (what the customer is
//! charged, in credits), both per million tokens and both changing on dates.
//!
//! Prices are exact. A price per million tokens `p = m * 10^-s` charges
//! `n * m * 10^-(s + 6)` for `n` tokens, so a call's cost is an integer
//! sum of products turned into a `Decimal` with a known scale: no division,
//! no rounding, and a few integer multiplications per call. The three rates
//! of a price are brought to one scale when the table is built.
//!
//! A provider price may have context-length tiers: a call whose input
//! tokens (uncached plus cached) are above a tier's threshold pays that
//! tier's rates for all its tokens (genai-prices' "cliff" tiers). The
//! simulator knows each call's tokens, so tiers are exact too.

use rust_decimal::Decimal;

use crate::scenario::{ContextTier, PerMtok, Scenario};

/// Token counts of one model call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Tokens {
    /// Input tokens not read from the prompt cache.
    pub input: u32,
    /// Input tokens read from the prompt cache.
    pub cached: u32,
    pub output: u32,
}

/// One price (per million tokens) as integer mantissas at a common scale.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rate {
    input: i128,
    output: i128,
    cache_read: i128,
    /// The scale of the cost of one token: the price's scale plus 6.
    scale: u32,
}

impl Rate {
    pub fn new(price: &PerMtok) -> Rate {
        let parts = [
            price.input.get(),
            price.output.get(),
            price.cache_read.get(),
        ];
        let scale = parts.iter().map(Decimal::scale).max().unwrap_or(0);
        let at_scale = |d: Decimal| d.mantissa() * 10i128.pow(scale - d.scale());
        Rate {
            input: at_scale(parts[0]),
            output: at_scale(parts[1]),
            cache_read: at_scale(parts[2]),
            scale: scale + 6,
        }
    }

    /// The exact cost of a call, in the price's unit.
    pub fn cost(&self, tokens: Tokens) -> Decimal {
        let mantissa = i128::from(tokens.input) * self.input
            + i128::from(tokens.cached) * self.cache_read
            + i128::from(tokens.output) * self.output;
        Decimal::from_i128_with_scale(mantissa, self.scale)
    }

    /// The same cost in `f64`, for the inner loop's running estimates.
    pub fn cost_f64(&self, tokens: Tokens) -> f64 {
        let mantissa = i128::from(tokens.input) * self.input
            + i128::from(tokens.cached) * self.cache_read
            + i128::from(tokens.output) * self.output;
        mantissa as f64 / 10f64.powi(self.scale as i32)
    }
}

/// Provider price and customer rate of every model on every day of the
/// horizon, looked up by (model, day) in O(1).
#[derive(Clone, Debug)]
pub struct PriceTable {
    days: usize,
    /// `[model * days + day]`
    provider: Vec<Rate>,
    /// `[model * days + day]`: the provider's context tiers, ascending by
    /// threshold; empty for most models.
    provider_tiers: Vec<Vec<(u32, Rate)>>,
    customer: Vec<Rate>,
    model_ids: Vec<String>,
}

impl PriceTable {
    /// Builds the table; the scenario has been validated, so every model has
    /// a rate card entry and dated changes are in order.
    pub fn new(scenario: &Scenario) -> PriceTable {
        let days = scenario.horizon_days as usize;
        let mut provider = Vec::with_capacity(scenario.models.len() * days);
        let mut provider_tiers = Vec::with_capacity(scenario.models.len() * days);
        let mut customer = Vec::with_capacity(scenario.models.len() * days);
        for model in &scenario.models {
            let card = scenario
                .rate_card
                .iter()
                .find(|entry| entry.model == model.id)
                .expect("validated: every model has a rate card entry");
            for day in 0..days {
                let date = scenario
                    .start
                    .plus_days(day as u64)
                    .expect("within the horizon");
                let (price, tiers) = model
                    .price_changes
                    .iter()
                    .rev()
                    .find(|change| change.date <= date)
                    .map_or((&model.price_per_mtok, &model.context_tiers), |change| {
                        (&change.price_per_mtok, &change.context_tiers)
                    });
                let credits = card
                    .price_changes
                    .iter()
                    .rev()
                    .find(|change| change.date <= date)
                    .map_or(&card.credits_per_mtok, |change| &change.credits_per_mtok);
                provider.push(Rate::new(price));
                provider_tiers.push(tier_rates(tiers));
                customer.push(Rate::new(credits));
            }
        }
        PriceTable {
            days,
            provider,
            provider_tiers,
            customer,
            model_ids: scenario.models.iter().map(|m| m.id.clone()).collect(),
        }
    }

    pub fn model_index(&self, id: &str) -> Option<usize> {
        self.model_ids.iter().position(|m| m == id)
    }

    /// Provider price of `model` on horizon day `day` (clamped to the last
    /// day) below any context tier: for a call's cost use
    /// [`Self::provider_for`].
    pub fn provider(&self, model: usize, day: usize) -> &Rate {
        &self.provider[model * self.days + day.min(self.days - 1)]
    }

    /// Provider price of a call of `model` on horizon day `day` with
    /// `tokens`: the highest context tier its input tokens are above, or
    /// the base price.
    pub fn provider_for(&self, model: usize, day: usize, tokens: Tokens) -> &Rate {
        let index = model * self.days + day.min(self.days - 1);
        let tiers = &self.provider_tiers[index];
        if tiers.is_empty() {
            return &self.provider[index];
        }
        let input = u64::from(tokens.input) + u64::from(tokens.cached);
        tiers
            .iter()
            .rev()
            .find(|(above, _)| input > u64::from(*above))
            .map_or(&self.provider[index], |(_, rate)| rate)
    }

    /// Customer rate (credits) of `model` on horizon day `day`.
    pub fn customer(&self, model: usize, day: usize) -> &Rate {
        &self.customer[model * self.days + day.min(self.days - 1)]
    }
}

fn tier_rates(tiers: &[ContextTier]) -> Vec<(u32, Rate)> {
    tiers
        .iter()
        .map(|tier| (tier.above_input_tokens, Rate::new(&tier.price_per_mtok)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::Exact;

    fn per_mtok(input: &str, output: &str, cache_read: &str) -> PerMtok {
        let exact = |s: &str| Exact::new(s.parse().unwrap());
        PerMtok {
            input: exact(input),
            output: exact(output),
            cache_read: exact(cache_read),
        }
    }

    #[test]
    fn cost_is_exact_for_mixed_scales() {
        // $3 / $15 / $0.30 per million: 1,000 input, 500 cached, 20 output
        // = 0.003 + 0.00015 + 0.0003 = 0.00345 dollars.
        let rate = Rate::new(&per_mtok("3", "15", "0.3"));
        let tokens = Tokens {
            input: 1000,
            cached: 500,
            output: 20,
        };
        assert_eq!(rate.cost(tokens), "0.00345".parse::<Decimal>().unwrap());
        assert!((rate.cost_f64(tokens) - 0.00345).abs() < 1e-15);
    }

    #[test]
    fn a_third_of_a_cent_stays_exact() {
        let rate = Rate::new(&per_mtok("0.333", "0", "0"));
        let cost = rate.cost(Tokens {
            input: 3_000_000,
            ..Tokens::default()
        });
        assert_eq!(cost, "0.999".parse::<Decimal>().unwrap());
    }
}
