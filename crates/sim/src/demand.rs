//! Demand: the model calls a customer's agents would make over the horizon.
//!
//! Demand is drawn once per customer and path from keyed streams (see
//! [`crate::rng`]) and then run through every plan, so every plan meets the
//! same calls; a plan's enforcement decides only which of them are served.
//! Tasks arrive per agent as a non-homogeneous Poisson process (hour-of-day
//! and day-of-week weights, a calm/burst switch), drawn by thinning; each
//! task is a chain of calls whose context grows step by step; some tasks
//! loop; leaked keys add an attacker's calls.

use rand::RngExt;

use crate::dist::Sampler;
use crate::pricing::{PriceTable, Tokens};
use crate::rng::{Key, Purpose, Stream};
use crate::scenario::{Scenario, Segment, limits::MAX_STEPS_PER_TASK};

const MS_PER_SECOND: f64 = 1000.0;
const MS_PER_HOUR: i64 = 3_600_000;
const MS_PER_DAY: i64 = 86_400_000;
/// 1970-01-01 was a Thursday: day 0 of the epoch is weekday 3 (Monday = 0).
const EPOCH_WEEKDAY: i64 = 3;
/// An attacker's spend is spread over one call a minute.
const LEAK_CALLS_PER_HOUR: i64 = 60;

const AGENTS: Purpose = Purpose::new("agents");
const ARRIVALS: Purpose = Purpose::new("arrivals");
const BURSTS: Purpose = Purpose::new("bursts");
const TASK: Purpose = Purpose::new("task");
const STEP: Purpose = Purpose::new("step");
const LEAKS: Purpose = Purpose::new("leaks");
const GROWTH: Purpose = Purpose::new("growth");

/// One model call a customer's agent (or an attacker) would make.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    /// Milliseconds since the Unix epoch.
    pub at: i64,
    /// The task it belongs to, numbered within the customer.
    pub task: u32,
    /// The agent making it; a leaked key is the actor after the agents.
    pub actor: u16,
    pub model: u16,
    /// Day of the horizon.
    pub day: u16,
    /// The first call of its task (where `task_start` enforcement authorises).
    pub first: bool,
    /// An attacker's call: lost when blocked, but not lost revenue.
    pub leak: bool,
    pub tokens: Tokens,
}

/// A customer's demand over the horizon, calls in time order.
#[derive(Clone, Debug, Default)]
pub struct Demand {
    pub joined_at: i64,
    pub agents: u16,
    pub tasks: u32,
    pub calls: Vec<Call>,
}

impl Demand {
    /// Actors in the wallet: the agents and, if a key can leak, the leaked key.
    pub fn actors(&self) -> u16 {
        self.agents + 1
    }
}

/// A segment with its distributions turned into samplers once, at setup.
#[derive(Clone, Debug)]
pub struct SegmentModel {
    pub index: usize,
    pub customers: u32,
    new_per_day: f64,
    agents: Sampler,
    per_agent_per_day: f64,
    /// Relative hour weights (mean 1) and their maximum.
    hours: [f64; 24],
    weekdays: [f64; 7],
    peak_weight: f64,
    burst: Option<BurstModel>,
    steps: Sampler,
    step_seconds: Sampler,
    input: Sampler,
    growth: Sampler,
    output: Sampler,
    cache_share: f64,
    /// Per horizon day, the cumulative model shares after swaps.
    mix_by_day: Vec<Vec<(f64, u16)>>,
    runaway: Option<RunawayModel>,
    leaks: Option<LeakModel>,
    context_window: Vec<u32>,
}

#[derive(Clone, Debug)]
struct BurstModel {
    calm_hours: Sampler,
    burst_hours: Sampler,
    multiplier: f64,
}

#[derive(Clone, Debug)]
struct RunawayModel {
    probability: f64,
    max_steps: u32,
    stop_after_hours: Option<Sampler>,
}

#[derive(Clone, Debug)]
struct LeakModel {
    per_year: f64,
    model: u16,
    input_per_hour: Sampler,
    output_per_hour: Sampler,
    detection_hours: Sampler,
}

fn sampler(dist: &crate::dist::Dist) -> Sampler {
    dist.sampler()
        .expect("validated when the scenario was loaded")
}

/// Weights scaled to mean 1.
fn normalised<const N: usize>(weights: &[f64]) -> [f64; N] {
    let mean = weights.iter().sum::<f64>() / N as f64;
    let mut out = [1.0; N];
    for (o, w) in out.iter_mut().zip(weights) {
        *o = w / mean;
    }
    out
}

impl SegmentModel {
    pub fn new(scenario: &Scenario, index: usize, prices: &PriceTable) -> SegmentModel {
        let segment = &scenario.segments[index];
        let tasks = &segment.tasks;
        let hours: [f64; 24] = normalised(&tasks.daily_profile);
        let weekdays: [f64; 7] = normalised(&tasks.weekly_profile);
        let burst = tasks.burst.as_ref().map(|b| BurstModel {
            calm_hours: sampler(&b.calm_hours),
            burst_hours: sampler(&b.burst_hours),
            multiplier: b.rate_multiplier,
        });
        let peak_weight = hours.iter().copied().fold(0.0, f64::max)
            * weekdays.iter().copied().fold(0.0, f64::max)
            * burst.as_ref().map_or(1.0, |b| b.multiplier.max(1.0));
        let model = |id: &str| prices.model_index(id).expect("validated model reference") as u16;
        SegmentModel {
            index,
            customers: segment.customers,
            new_per_day: segment.new_customers_per_day,
            agents: sampler(&segment.agents_per_customer),
            per_agent_per_day: tasks.per_agent_per_day,
            hours,
            weekdays,
            peak_weight,
            burst,
            steps: sampler(&tasks.steps),
            step_seconds: sampler(&tasks.step_seconds),
            input: sampler(&tasks.input_tokens),
            growth: sampler(&tasks.context_growth_tokens),
            output: sampler(&tasks.output_tokens),
            cache_share: tasks.cache_hit_share,
            mix_by_day: mix_by_day(scenario, segment, &model),
            runaway: segment.runaway.as_ref().map(|r| RunawayModel {
                probability: r.probability,
                max_steps: r.max_steps.unwrap_or(MAX_STEPS_PER_TASK),
                stop_after_hours: r.stop_after_hours.as_ref().map(sampler),
            }),
            leaks: segment.credential_leaks.as_ref().map(|l| LeakModel {
                per_year: l.per_customer_per_year,
                model: model(&l.model),
                input_per_hour: sampler(&l.input_tokens_per_hour),
                output_per_hour: sampler(&l.output_tokens_per_hour),
                detection_hours: sampler(&l.detection_delay_hours),
            }),
            context_window: scenario
                .models
                .iter()
                .map(|m| m.context_window_tokens)
                .collect(),
        }
    }

    /// The customers of this segment on `path`: the initial ones at the start,
    /// then new ones at Poisson arrival times (up to the per-segment limit).
    /// Each is (customer key index, join time in ms).
    pub fn customers(
        &self,
        seed: u64,
        path: u64,
        start: i64,
        horizon_days: u32,
    ) -> Vec<(u64, i64)> {
        let base = (self.index as u64) << 32;
        let mut customers: Vec<(u64, i64)> = (0..u64::from(self.customers))
            .map(|i| (base | i, start))
            .collect();
        if self.new_per_day > 0.0 {
            let mut rng = Key::path(path).task(self.index as u64).stream(seed, GROWTH);
            let end = start + i64::from(horizon_days) * MS_PER_DAY;
            let rate_per_ms = self.new_per_day / MS_PER_DAY as f64;
            let mut t = start as f64;
            let limit = crate::scenario::limits::MAX_CUSTOMERS_PER_SEGMENT;
            loop {
                t += exponential(&mut rng) / rate_per_ms;
                if t >= end as f64 || customers.len() as u64 >= limit {
                    break;
                }
                customers.push((base | customers.len() as u64, t as i64));
            }
        }
        customers
    }

    /// Draws one customer's demand into `demand` (reusing its buffer).
    pub fn demand(&self, ctx: &DemandContext, customer: u64, joined_at: i64, demand: &mut Demand) {
        let key = Key::path(ctx.path).customer(customer);
        let mut rng = key.stream(ctx.seed, AGENTS);
        let agents = self.agents.sample(&mut rng).round().clamp(1.0, 1000.0) as u16;
        demand.joined_at = joined_at;
        demand.agents = agents;
        demand.tasks = 0;
        demand.calls.clear();
        for agent in 0..agents {
            self.agent_tasks(ctx, key.agent(u64::from(agent)), agent, joined_at, demand);
        }
        if let Some(leaks) = &self.leaks {
            self.leak_calls(ctx, key, leaks, joined_at, demand);
        }
        // Ties keep generation order: the sort is stable and deterministic.
        demand.calls.sort_by_key(|call| call.at);
    }

    fn agent_tasks(
        &self,
        ctx: &DemandContext,
        key: Key,
        agent: u16,
        from: i64,
        demand: &mut Demand,
    ) {
        let mut arrivals = key.stream(ctx.seed, ARRIVALS);
        let mut bursts = self
            .burst
            .as_ref()
            .map(|b| BurstClock::new(b, key.stream(ctx.seed, BURSTS), from));
        let max_rate_per_ms = self.per_agent_per_day * self.peak_weight / MS_PER_DAY as f64;
        if max_rate_per_ms <= 0.0 {
            return;
        }
        let mut t = from as f64;
        let mut task_index = 0u64;
        loop {
            t += exponential(&mut arrivals) / max_rate_per_ms;
            if t >= ctx.end as f64 {
                break;
            }
            let at = t as i64;
            let burst = bursts.as_mut().map_or(1.0, |clock| clock.multiplier_at(at));
            let weight = self.weight_at(at) * burst / self.peak_weight;
            if arrivals.random::<f64>() < weight {
                self.task_calls(ctx, key.task(task_index), agent, at, demand);
                task_index += 1;
            }
        }
    }

    fn weight_at(&self, at: i64) -> f64 {
        let days = at.div_euclid(MS_PER_DAY);
        let hour = (at.rem_euclid(MS_PER_DAY) / MS_PER_HOUR) as usize;
        let weekday = (days + EPOCH_WEEKDAY).rem_euclid(7) as usize;
        self.hours[hour] * self.weekdays[weekday]
    }

    fn task_calls(
        &self,
        ctx: &DemandContext,
        key: Key,
        agent: u16,
        start: i64,
        demand: &mut Demand,
    ) {
        let mut rng = key.stream(ctx.seed, TASK);
        let planned = self
            .steps
            .sample(&mut rng)
            .round()
            .clamp(1.0, f64::from(MAX_STEPS_PER_TASK)) as u32;
        let day = ctx.day_of(start);
        let model = pick_model(&self.mix_by_day[day], rng.random::<f64>());
        let runaway = self
            .runaway
            .as_ref()
            .filter(|r| rng.random::<f64>() < r.probability);
        let (steps, deadline) = match runaway {
            Some(r) => {
                let hours = r.stop_after_hours.as_ref().map(|s| s.sample(&mut rng));
                (
                    r.max_steps.max(planned),
                    hours.map_or(i64::MAX, |h| start + (h * 3_600_000.0) as i64),
                )
            }
            None => (planned, i64::MAX),
        };
        let task = demand.tasks;
        demand.tasks += 1;
        let window = self.context_window[usize::from(model)];
        let mut context = 0.0;
        let mut at = start;
        for step in 0..steps {
            if at >= ctx.end || at >= deadline {
                break;
            }
            let mut rng = key.step(u64::from(step)).stream(ctx.seed, STEP);
            context += if step == 0 {
                self.input.sample(&mut rng)
            } else {
                self.growth.sample(&mut rng)
            };
            let input = context.round().clamp(0.0, f64::from(window)) as u32;
            let cached = (f64::from(input) * self.cache_share).round() as u32;
            let output = self.output.sample(&mut rng).round().max(0.0) as u32;
            demand.calls.push(Call {
                at,
                task,
                actor: agent,
                model,
                day: ctx.day_of(at) as u16,
                first: step == 0,
                leak: false,
                tokens: Tokens {
                    input: input - cached,
                    cached,
                    output,
                },
            });
            at += (self.step_seconds.sample(&mut rng).max(0.0) * MS_PER_SECOND) as i64;
        }
    }

    /// Leaked-key incidents: a Poisson number over the customer's time in the
    /// horizon, each an attacker calling once a minute until detection.
    fn leak_calls(
        &self,
        ctx: &DemandContext,
        key: Key,
        leaks: &LeakModel,
        from: i64,
        demand: &mut Demand,
    ) {
        let mut rng = key.stream(ctx.seed, LEAKS);
        let years = (ctx.end - from) as f64 / (365.0 * MS_PER_DAY as f64);
        let incidents = poisson(&mut rng, leaks.per_year * years);
        for _ in 0..incidents {
            let at = from + (rng.random::<f64>() * (ctx.end - from) as f64) as i64;
            let input = leaks.input_per_hour.sample(&mut rng).max(0.0) / LEAK_CALLS_PER_HOUR as f64;
            let output =
                leaks.output_per_hour.sample(&mut rng).max(0.0) / LEAK_CALLS_PER_HOUR as f64;
            let hours = leaks.detection_hours.sample(&mut rng).max(0.0);
            let calls = (hours * LEAK_CALLS_PER_HOUR as f64).ceil() as i64;
            let task = demand.tasks;
            demand.tasks += 1;
            for i in 0..calls {
                let t = at + i * (MS_PER_HOUR / LEAK_CALLS_PER_HOUR);
                if t >= ctx.end {
                    break;
                }
                demand.calls.push(Call {
                    at: t,
                    task,
                    actor: demand.agents,
                    model: leaks.model,
                    day: ctx.day_of(t) as u16,
                    first: i == 0,
                    leak: true,
                    tokens: Tokens {
                        input: input.round() as u32,
                        cached: 0,
                        output: output.round() as u32,
                    },
                });
            }
        }
    }
}

/// What every customer's demand on one path shares.
#[derive(Clone, Copy, Debug)]
pub struct DemandContext {
    pub seed: u64,
    pub path: u64,
    pub start: i64,
    pub end: i64,
}

impl DemandContext {
    pub fn day_of(&self, at: i64) -> usize {
        ((at - self.start) / MS_PER_DAY) as usize
    }
}

/// The calm/burst switch of one agent, advanced as time moves forward.
struct BurstClock<'a> {
    model: &'a BurstModel,
    rng: Stream,
    bursting: bool,
    until: i64,
}

impl<'a> BurstClock<'a> {
    fn new(model: &'a BurstModel, mut rng: Stream, from: i64) -> BurstClock<'a> {
        let until = from + hours_ms(model.calm_hours.sample(&mut rng));
        BurstClock {
            model,
            rng,
            bursting: false,
            until,
        }
    }

    fn multiplier_at(&mut self, at: i64) -> f64 {
        while at >= self.until {
            self.bursting = !self.bursting;
            let spell = if self.bursting {
                &self.model.burst_hours
            } else {
                &self.model.calm_hours
            };
            // A spell of at least a minute keeps a degenerate draw from spinning.
            self.until += hours_ms(spell.sample(&mut self.rng)).max(60_000);
        }
        if self.bursting {
            self.model.multiplier
        } else {
            1.0
        }
    }
}

fn hours_ms(hours: f64) -> i64 {
    (hours.max(0.0) * MS_PER_HOUR as f64) as i64
}

/// A standard exponential draw (mean 1).
fn exponential(rng: &mut Stream) -> f64 {
    -(1.0 - rng.random::<f64>()).ln()
}

/// A Poisson draw by counting exponential gaps: incident counts are small.
fn poisson(rng: &mut Stream, mean: f64) -> u32 {
    let mut total = 0.0;
    let mut count = 0;
    loop {
        total += exponential(rng);
        if total > mean || count >= 100_000 {
            return count;
        }
        count += 1;
    }
}

fn pick_model(cumulative: &[(f64, u16)], u: f64) -> u16 {
    cumulative
        .iter()
        .find(|(edge, _)| u < *edge)
        .or(cumulative.last())
        .map_or(0, |(_, model)| *model)
}

/// The model mix on each day: the segment's shares, with each swap moving
/// `share * ramp` of `from`'s share to `to`, as cumulative edges.
fn mix_by_day(
    scenario: &Scenario,
    segment: &Segment,
    model: &impl Fn(&str) -> u16,
) -> Vec<Vec<(f64, u16)>> {
    (0..scenario.horizon_days)
        .map(|day| {
            let date = scenario
                .start
                .plus_days(u64::from(day))
                .expect("within the horizon");
            let mut shares: Vec<(u16, f64)> = segment
                .model_mix
                .iter()
                .map(|m| (model(&m.model), m.share))
                .collect();
            for swap in &segment.model_swaps {
                let elapsed = date.days_since(swap.start);
                if elapsed < 0 {
                    continue;
                }
                let ramp = if swap.ramp_days == 0 {
                    1.0
                } else {
                    (elapsed as f64 / f64::from(swap.ramp_days)).min(1.0)
                };
                let (from, to) = (model(&swap.from), model(&swap.to));
                let moved: f64 = shares
                    .iter()
                    .filter(|(m, _)| *m == from)
                    .map(|(_, s)| s * swap.share * ramp)
                    .sum();
                for (m, s) in shares.iter_mut() {
                    if *m == from {
                        *s -= *s * swap.share * ramp;
                    }
                }
                match shares.iter_mut().find(|(m, _)| *m == to) {
                    Some((_, s)) => *s += moved,
                    None => shares.push((to, moved)),
                }
            }
            let total: f64 = shares.iter().map(|(_, s)| s).sum();
            let mut edge = 0.0;
            shares
                .into_iter()
                .map(|(m, s)| {
                    edge += s / total;
                    (edge, m)
                })
                .collect()
        })
        .collect()
}
