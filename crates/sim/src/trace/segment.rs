//! A fitted trace written as a scenario segment (`[[segments]]`, format
//! version 1, docs/scenario-format.md), to paste into a scenario.
//!
//! The trace has calls, not tasks, so each row becomes a task of one step
//! (`steps = 1`, no context growth). Token sizes are the fitted lognormals
//! (median and sigma). The arrival rate is the trace's mean rate spread
//! evenly over the day: a one-hour trace of busy traffic says nothing about
//! the daily profile, which is left flat. Customers and agents are the
//! trace's distinct customers and actors when it has those columns, else one
//! customer; agents are added where one agent would exceed the format's
//! limit of 100,000 tasks a day. Arrivals are Poisson: the trace's measured
//! burstiness is written as a comment, to model with `[segments.tasks.burst]`.

use std::fmt::Write;

use super::fit::{Fit, TokenFit};
use crate::scenario::limits::{MAX_AGENTS_PER_CUSTOMER, MAX_ID_CHARS, MAX_TASKS_PER_AGENT_PER_DAY};

/// How to name what the trace does not say.
#[derive(Clone, Debug)]
pub struct SegmentNames {
    /// The segment's `id`.
    pub id: String,
    /// The model of every task when the trace has no `model` column.
    pub model: String,
}

/// The segment's TOML text: comments, then `[[segments]]` and its tables.
pub fn segment_toml(fit: &Fit, names: &SegmentNames) -> String {
    let customers = fit.customers.unwrap_or(1).max(1);
    let per_day = fit.arrivals.per_hour * 24.0;
    let mut agents = fit
        .actors
        .map_or(1.0, |a| (a as f64 / customers as f64).round().max(1.0));
    let per_agent = |agents: f64| per_day / customers as f64 / agents;
    if per_agent(agents) > MAX_TASKS_PER_AGENT_PER_DAY {
        agents = (per_day / customers as f64 / MAX_TASKS_PER_AGENT_PER_DAY).ceil();
    }
    let agents = agents.min(f64::from(MAX_AGENTS_PER_CUSTOMER));
    let per_agent_per_day = per_agent(agents).min(MAX_TASKS_PER_AGENT_PER_DAY);

    let mut out = String::new();
    let a = &fit.arrivals;
    let _ = writeln!(
        out,
        "# Fitted by `creditsim trace fit` from {} ({} rows, {} to {}).",
        fit.file, fit.rows, fit.first, fit.last
    );
    let _ = writeln!(
        out,
        "# Each trace row is a task of one call. Rate: {:.2} calls/minute (95% CI {:.2} to {:.2}), spread evenly over the day.",
        a.per_minute, a.per_minute_ci95.0, a.per_minute_ci95.1
    );
    let _ = writeln!(
        out,
        "# Burstiness (Poisson = 1): inter-arrival CV {}, dispersion of counts per minute {}. Arrivals below are Poisson; add [segments.tasks.burst] to model bursts.",
        opt(a.interarrival_cv),
        opt(a.dispersion_per_minute)
    );
    token_comment(&mut out, "input", &fit.input);
    token_comment(&mut out, "output", &fit.output);
    let _ = writeln!(out, "[[segments]]");
    let _ = writeln!(out, "id = {}", quoted(&names.id));
    let _ = writeln!(out, "customers = {customers}");
    let _ = writeln!(out, "agents_per_customer = {agents}");
    let _ = writeln!(out);
    let _ = writeln!(out, "[segments.tasks]");
    let _ = writeln!(out, "per_agent_per_day = {}", number(per_agent_per_day));
    let _ = writeln!(out, "steps = 1");
    let _ = writeln!(out, "input_tokens = {}", dist(&fit.input));
    let _ = writeln!(out, "output_tokens = {}", dist(&fit.output));
    if let Some(share) = fit.cache_hit_share {
        let _ = writeln!(out, "cache_hit_share = {}", number(share));
    }
    for (model, share) in model_shares(fit, &names.model) {
        let _ = writeln!(out);
        let _ = writeln!(out, "[[segments.model_mix]]");
        let _ = writeln!(out, "model = {}", quoted(&model));
        let _ = writeln!(out, "share = {share}");
    }
    out
}

/// A segment id from a file name: its stem, cut to the id length limit.
pub fn id_from_file(file: &str) -> String {
    let stem = std::path::Path::new(file)
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("trace");
    stem.chars().take(MAX_ID_CHARS).collect()
}

fn token_comment(out: &mut String, name: &str, fit: &TokenFit) {
    let e = &fit.empirical;
    let _ = write!(
        out,
        "# {name} tokens: observed P50 {:.0} P90 {:.0} P99 {:.0}",
        e.p50, e.p90, e.p99
    );
    if let (Some(l), Some((p50, p90, p99)), Some(ks)) = (fit.lognormal, fit.fitted, fit.ks) {
        let _ = write!(
            out,
            "; lognormal P50 {p50:.0} P90 {p90:.0} P99 {p99:.0}, sigma {:.3} (95% CI {:.3} to {:.3}), KS distance {ks:.3}",
            l.sigma, l.sigma_ci95.0, l.sigma_ci95.1
        );
    }
    if fit.zeros > 0 {
        let _ = write!(out, "; {} rows of 0 left out of the fit", fit.zeros);
    }
    let _ = writeln!(out, ".");
}

fn dist(fit: &TokenFit) -> String {
    match fit.lognormal {
        Some(l) => format!(
            "{{ dist = \"lognormal\", median = {}, sigma = {} }}",
            number(l.median),
            number(l.sigma)
        ),
        // No spread to fit (or no positive value): the observed median.
        None => number(fit.empirical.p50),
    }
}

/// Model shares that sum to exactly 1 as written: the last takes the rest.
fn model_shares(fit: &Fit, fallback: &str) -> Vec<(String, String)> {
    if fit.models.is_empty() {
        return vec![(fallback.to_owned(), "1".to_owned())];
    }
    let total: u64 = fit.models.iter().map(|(_, n)| n).sum();
    let mut shares = Vec::new();
    let mut written = 0.0;
    for (i, (model, n)) in fit.models.iter().enumerate() {
        let share = if i + 1 == fit.models.len() {
            1.0 - written
        } else {
            let rounded = (*n as f64 / total as f64 * 1e9).round() / 1e9;
            written += rounded;
            rounded
        };
        shares.push((model.clone(), format!("{:.9}", share.max(0.0))));
    }
    shares
}

/// A float as TOML, with six significant digits past the point at most.
fn number(x: f64) -> String {
    let text = format!("{x:.6}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "n/a".to_owned(), |v| format!("{v:.2}"))
}

/// A TOML basic string.
fn quoted(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}
