//! One Monte Carlo path: every customer of every segment, each customer's
//! demand drawn once and run through every plan.

use std::sync::atomic::{AtomicBool, Ordering};

use crate::customer::{self, Context, PlanTotals};
use crate::demand::{Demand, DemandContext, SegmentModel};
use crate::metrics::{self, Row};
use crate::plan::PlanModel;
use crate::pricing::PriceTable;
use crate::scenario::Scenario;

const MS_PER_DAY: i64 = 86_400_000;

/// A scenario compiled for simulation: prices by day, segments with their
/// samplers, plans with their wallet templates.
pub struct Model<'a> {
    pub scenario: &'a Scenario,
    pub seed: u64,
    pub prices: PriceTable,
    pub segments: Vec<SegmentModel>,
    pub plans: Vec<PlanModel>,
    pub start: i64,
    pub end: i64,
    pub days: usize,
}

/// One path's results: a row and daily series per plan.
#[derive(Clone, Debug)]
pub struct PathResult {
    pub path: u64,
    pub plans: Vec<PlanPath>,
}

#[derive(Clone, Debug)]
pub struct PlanPath {
    pub row: Row,
    pub customers: u64,
    pub customers_exhausted: u64,
    pub daily: Daily,
}

/// Daily series, one value per horizon day, summed over customers.
#[derive(Clone, Debug)]
pub struct Daily {
    /// Available balance, credits.
    pub available: Vec<f64>,
    /// Exposure, billing currency.
    pub exposure: Vec<f64>,
    /// Revenue recognised so far, billing currency.
    pub revenue: Vec<f64>,
    /// Provider cost so far, billing currency.
    pub provider_cost: Vec<f64>,
}

impl<'a> Model<'a> {
    /// Compiles a scenario that `scenario::load` accepted.
    pub fn new(scenario: &'a Scenario, seed: u64) -> Model<'a> {
        let prices = PriceTable::new(scenario);
        let segments = (0..scenario.segments.len())
            .map(|i| SegmentModel::new(scenario, i, &prices))
            .collect();
        let plans = scenario
            .plans
            .iter()
            .map(|p| PlanModel::new(scenario, p, &prices))
            .collect();
        let start = scenario.start.to_time().millis();
        let days = scenario.horizon_days as usize;
        Model {
            scenario,
            seed,
            prices,
            segments,
            plans,
            start,
            end: start + days as i64 * MS_PER_DAY,
            days,
        }
    }

    /// Simulates path `path`; `None` if `cancel` was raised meanwhile.
    pub fn simulate_path(&self, path: u64, cancel: &AtomicBool) -> Option<PathResult> {
        let mut totals: Vec<PlanTotals> = self
            .plans
            .iter()
            .map(|_| PlanTotals::new(self.days))
            .collect();
        let ctx = Context {
            seed: self.seed,
            path,
            start: self.start,
            end: self.end,
            prices: &self.prices,
        };
        let demand_ctx = DemandContext {
            seed: self.seed,
            path,
            start: self.start,
            end: self.end,
        };
        let mut demand = Demand::default();
        let mut priced = Vec::new();
        let mut aborted = Vec::new();
        for segment in &self.segments {
            let spec = &self.scenario.segments[segment.index];
            for (customer, joined) in
                segment.customers(self.seed, path, self.start, self.scenario.horizon_days)
            {
                if cancel.load(Ordering::Relaxed) {
                    return None;
                }
                segment.demand(&demand_ctx, customer, joined, &mut demand);
                // Every plan sees the same calls at the same prices: price them once.
                customer::price_calls(&self.prices, &demand.calls, &mut priced);
                for (plan, plan_totals) in self.plans.iter().zip(&mut totals) {
                    customer::simulate(
                        &ctx,
                        plan,
                        (segment.index, spec),
                        customer,
                        &demand,
                        &priced,
                        &mut aborted,
                        plan_totals,
                    );
                }
            }
        }
        let plans = totals
            .into_iter()
            .map(|t| PlanPath {
                row: metrics::row(&t, self.scenario.horizon_days),
                customers: t.customers,
                customers_exhausted: t.customers_exhausted,
                daily: Daily {
                    available: t.daily_available,
                    exposure: t.daily_exposure,
                    revenue: t.daily_revenue,
                    provider_cost: t.daily_provider_cost,
                },
            })
            .collect();
        Some(PathResult { path, plans })
    }
}
