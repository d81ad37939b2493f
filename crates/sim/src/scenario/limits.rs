//! Limits on everything in a scenario that grows with input. They are
//! checked once at load, and each error names the limit it hit, so the
//! simulation's inner loop never has to re-check. The numbers are chosen to
//! be far above any realistic scenario and well below what would exhaust a
//! 24 GiB machine or run for days.

/// Largest scenario file read, in bytes.
pub const MAX_SCENARIO_BYTES: usize = 4 * 1024 * 1024;
/// Most errors reported for one file; past it, one `too_many_errors` error.
pub const MAX_ERRORS: usize = 100;

/// Most Monte Carlo paths in a run.
pub const MAX_PATHS: u32 = 1_000_000;
/// Longest horizon: ten years.
pub const MAX_HORIZON_DAYS: u32 = 3_650;
/// Longest id or name, in characters.
pub const MAX_ID_CHARS: usize = 128;

/// Most models.
pub const MAX_MODELS: usize = 256;
/// Most dated price changes per model or rate card entry.
pub const MAX_PRICE_CHANGES: usize = 120;
/// Most context-length tiers per price.
pub const MAX_CONTEXT_TIERS: usize = 16;
/// Largest context window, in tokens.
pub const MAX_CONTEXT_WINDOW_TOKENS: u32 = 100_000_000;

/// Most segments.
pub const MAX_SEGMENTS: usize = 64;
/// Most customers one segment may reach over the horizon (initial customers
/// plus expected new ones). The simulator stops adding customers there.
pub const MAX_CUSTOMERS_PER_SEGMENT: u64 = 200_000;
/// Most customers all segments together may reach over the horizon.
pub const MAX_CUSTOMERS: u64 = 1_000_000;
/// Most agents per customer; larger draws are clamped to it.
pub const MAX_AGENTS_PER_CUSTOMER: u32 = 1_000;
/// Highest mean task rate per agent per day.
pub const MAX_TASKS_PER_AGENT_PER_DAY: f64 = 100_000.0;
/// Most model calls in one task, looping or not; larger draws are clamped.
pub const MAX_STEPS_PER_TASK: u32 = 10_000;
/// Most entries in a segment's model mix.
pub const MAX_MIX_ENTRIES: usize = MAX_MODELS;
/// Most model swaps per segment.
pub const MAX_MODEL_SWAPS: usize = 64;
/// Highest credential-leak rate, per customer per year.
pub const MAX_LEAKS_PER_CUSTOMER_YEAR: f64 = 365.0;
/// Longest payment terms, in days.
pub const MAX_NET_DAYS: u32 = 365;

/// Most plans compared in one scenario.
pub const MAX_PLANS: usize = 32;
/// Most credit packs per plan.
pub const MAX_PACKS_PER_PLAN: usize = 32;
/// Most onboarding grants per plan.
pub const MAX_GRANTS_PER_PLAN: usize = 32;
/// Most alert thresholds per plan (absolute and percent together).
pub const MAX_ALERTS_PER_PLAN: usize = 32;
/// Longest metering window, in minutes: one day.
pub const MAX_WINDOW_MINUTES: u32 = 1_440;
