//! Plan mechanics checked exactly, on scenarios small enough to work out by
//! hand: what each enforcement timing lets through past the balance, and a
//! subscription's fees, breakage and payments.

use sim::run::{RunOptions, RunOutput};

use crate::{column, run_with, scenario};

fn run_text(text: &str, paths: usize) -> RunOutput {
    let options = RunOptions {
        paths: Some(paths),
        ..RunOptions::default()
    };
    run_with(&scenario(text), options)
}

/// One customer, one agent, about one task every two days; every task is 10
/// calls of 1,000 input tokens = 1 credit each (0.01 USD), 10 s apart. The
/// customer starts with a 5-credit pack and never buys more.
const ENFORCEMENT: &str = r#"
version = 1
start = 2026-01-05
horizon_days = 20
seed = 1

[[models]]
id = "m"
price_per_mtok = { input = 1, output = 0, cache_read = 0 }

[[rate_card]]
model = "m"
credits_per_mtok = { input = 1000, output = 0, cache_read = 0 }

[[segments]]
id = "s"
customers = 1

[segments.tasks]
per_agent_per_day = 0.5
steps = 10
step_seconds = 10
input_tokens = 1000
output_tokens = 0

[[segments.model_mix]]
model = "m"
share = 1

[[plans]]
id = "per_call"
billing = "prepaid"
price_per_credit = "0.01"
initial_pack = "five"
enforcement = { mode = "per_call" }

[[plans.packs]]
id = "five"
credits = 5
price = "0.05"

[[plans]]
id = "task_start"
billing = "prepaid"
price_per_credit = "0.01"
initial_pack = "five"
enforcement = { mode = "task_start" }

[[plans.packs]]
id = "five"
credits = 5
price = "0.05"

[[plans]]
id = "windowed"
billing = "prepaid"
price_per_credit = "0.01"
initial_pack = "five"
enforcement = { mode = "windowed", window_minutes = 5 }

[[plans.packs]]
id = "five"
credits = 5
price = "0.05"
"#;

#[test]
fn each_enforcement_timing_lets_through_what_it_should() {
    let output = run_text(ENFORCEMENT, 40);
    let served = column(&output, "per_call", "calls_served");
    let per_call = column(&output, "per_call", "overshoot");
    let task_start = column(&output, "task_start", "overshoot");
    let task_start_served = column(&output, "task_start", "calls_served");
    let windowed = column(&output, "windowed", "overshoot");
    let mut paths_with_tasks = 0;
    let mut whole_task_past_balance = 0;
    #[allow(clippy::needless_range_loop)] // five columns, one index
    for path in 0..output.paths {
        let (per_call, task_start, windowed) = (per_call[path], task_start[path], windowed[path]);
        // Checked before every call: the sixth call of the first task is refused.
        assert_eq!(per_call, 0.0, "path {path}");
        if served[path] == 0.0 {
            continue;
        }
        paths_with_tasks += 1;
        assert_eq!(
            served[path], 5.0,
            "path {path}: per-call serves the 5 credits and no more"
        );
        // Authorised at its start with 5 credits, the first task runs all 10
        // calls: 5 credits past the balance, 0.05 USD. Later tasks never start.
        assert!(
            (task_start - 0.05).abs() < 1e-12,
            "path {path}: task-start overshoot {task_start}"
        );
        assert_eq!(task_start_served[path], 10.0, "path {path}");
        // Metered in 5-minute windows. The 90 s task falls in one window (all
        // 10 calls metered together: 5 credits past the balance) or spans
        // two: with k calls in the first, k >= 5 closes the gate at its end
        // (k - 5 past the balance, the rest refused) and k < 5 leaves credit,
        // so the second window's calls take the balance 5 past zero.
        let credits = windowed / 0.01;
        assert!(
            (credits - credits.round()).abs() < 1e-9 && (0.0..=5.0).contains(&credits.round()),
            "path {path}: windowed overshoot {windowed}"
        );
        if credits.round() == 5.0 {
            whole_task_past_balance += 1;
        }
    }
    assert!(
        paths_with_tasks > 30,
        "most paths have a task ({paths_with_tasks} of 40)"
    );
    // One window holds the whole task 70% of the time (1 - 90 s / 300 s).
    assert!(
        whole_task_past_balance * 2 > paths_with_tasks,
        "{whole_task_past_balance} of {paths_with_tasks}"
    );
}

/// A hybrid plan and no usage: a 100 USD fee with 1,000 included credits
/// each month, use it or lose it, net 30 days, from Jan 5 for 62 days
/// (to Mar 8). Periods end on Feb 5 and Mar 5; a third fee is billed Mar 5.
const SUBSCRIPTION: &str = r#"
version = 1
start = 2026-01-05
horizon_days = 62
seed = 1

[[models]]
id = "m"
price_per_mtok = { input = 1, output = 0, cache_read = 0 }

[[rate_card]]
model = "m"
credits_per_mtok = { input = 1000, output = 0, cache_read = 0 }

[[segments]]
id = "s"
customers = 3

[segments.tasks]
per_agent_per_day = 0
steps = 1
input_tokens = 1000
output_tokens = 0

[[segments.model_mix]]
model = "m"
share = 1

[[plans]]
id = "hybrid"
billing = "hybrid"
price_per_credit = "0.01"
subscription = { fee = 100, included_credits = 1000 }
"#;

#[test]
fn an_unused_subscription_is_all_breakage_and_its_fees_fall_due_on_terms() {
    let output = run_text(SUBSCRIPTION, 3);
    let per_customer = |metric: &str| {
        column(&output, "hybrid", metric)
            .iter()
            .map(|v| v / 3.0)
            .collect::<Vec<_>>()
    };
    for path in 0..3 {
        // Two periods ended: 2 x 1,000 credits removed at 0.1 USD each.
        assert_eq!(per_customer("breakage")[path], 200.0);
        assert_eq!(per_customer("revenue")[path], 200.0);
        // Fees billed Jan 5 (due Feb 4) and Feb 5 (due Mar 7) are paid; the
        // one billed Mar 5 is due after the horizon.
        assert_eq!(per_customer("cash_collected")[path], 200.0);
        assert_eq!(per_customer("receivables")[path], 100.0);
        assert_eq!(per_customer("provider_cost")[path], 0.0);
        assert_eq!(per_customer("exposure_peak")[path], 0.0);
    }
}

/// Post-pay invoices every call whenever it is metered, so metering in
/// 7-minute windows (which do not divide the 3-day horizon: the last one is
/// cut short by its end) must bill exactly what per-call metering bills,
/// the horizon's last calls included.
const WINDOWS_PAST_THE_END: &str = r#"
version = 1
start = 2026-01-05
horizon_days = 3
seed = 5

[[models]]
id = "m"
price_per_mtok = { input = 1, output = 0, cache_read = 0 }

[[rate_card]]
model = "m"
credits_per_mtok = { input = 1000, output = 0, cache_read = 0 }

[[segments]]
id = "s"
customers = 2

[segments.tasks]
per_agent_per_day = 300
steps = 4
step_seconds = 30
input_tokens = { dist = "uniform", min = 500, max = 1500 }
output_tokens = 0

[[segments.model_mix]]
model = "m"
share = 1

[[plans]]
id = "per_call"
billing = "postpaid"
price_per_credit = "0.01"
billing_period = "1M"
enforcement = { mode = "per_call" }

[[plans]]
id = "windowed"
billing = "postpaid"
price_per_credit = "0.01"
billing_period = "1M"
enforcement = { mode = "windowed", window_minutes = 7 }
"#;

#[test]
fn the_horizon_end_cuts_the_last_metering_window_short() {
    let output = run_text(WINDOWS_PAST_THE_END, 20);
    for metric in ["revenue", "overage_invoiced", "calls_served", "receivables"] {
        let per_call = column(&output, "per_call", metric);
        let windowed = column(&output, "windowed", metric);
        assert!(per_call.iter().all(|v| *v > 0.0), "{metric}: {per_call:?}");
        assert_eq!(per_call, windowed, "{metric}");
    }
}
