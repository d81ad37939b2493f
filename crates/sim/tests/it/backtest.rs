//! Backtests checked against sums computed here, independently of the
//! simulator: revenue and provider cost of a post-paid plan, and the calls a
//! prepaid plan with a block rule refuses, worked out by replaying the
//! balance by hand.

use std::io::Cursor;

use rust_decimal::Decimal;
use sim::backtest::{BacktestError, BacktestOptions, BacktestOutput, Customers, backtest};
use sim::trace::{Columns, Format, TraceError};

use crate::{crate_dir, scenario};

/// Prices that make the hand sums easy: 1 USD per million input tokens and
/// 2 per million output cost the provider; the rate card charges 1,000 and
/// 2,000 credits per million (0.001 and 0.002 a token). A prepaid plan with
/// a 10-credit pack at 0.01 USD a credit and a block rule, and a post-paid
/// plan at 0.012 a credit.
const SCENARIO: &str = r#"
version = 1
start = 2026-03-02
horizon_days = 30
seed = 5

[[models]]
id = "m1"
price_per_mtok = { input = 1, output = 2, cache_read = 0.5 }

[[models]]
id = "m2"
price_per_mtok = { input = 10, output = 20, cache_read = 5 }

[[rate_card]]
model = "m1"
credits_per_mtok = { input = 1000, output = 2000, cache_read = 500 }

[[rate_card]]
model = "m2"
credits_per_mtok = { input = 10000, output = 20000, cache_read = 5000 }

[[segments]]
id = "s"
customers = 1

[segments.tasks]
per_agent_per_day = 1
steps = 1
input_tokens = 1000
output_tokens = 10

[[segments.model_mix]]
model = "m1"
share = 1

[[plans]]
id = "prepaid-block"
billing = "prepaid"
price_per_credit = "0.01"
initial_pack = "ten"
exhaustion = { rule = "block" }
enforcement = { mode = "per_call" }

[[plans.packs]]
id = "ten"
credits = 10
price = "0.1"

[[plans]]
id = "postpaid"
billing = "postpaid"
price_per_credit = "0.012"
"#;

/// The first 12 rows of the Azure code trace (tests/traces/README.md).
fn azure_rows() -> (String, Vec<(u64, u64)>) {
    let text = std::fs::read_to_string(crate_dir().join("tests/traces/azure-code-first12.csv"))
        .expect("the fixture is committed");
    let rows = text
        .lines()
        .skip(1)
        .map(|line| {
            let fields: Vec<&str> = line.split(',').collect();
            (fields[1].parse().unwrap(), fields[2].parse().unwrap())
        })
        .collect();
    (text, rows)
}

fn options(customers: Option<Customers>) -> BacktestOptions {
    BacktestOptions {
        format: Format::Azure,
        columns: Columns::default(),
        customers,
        model: None,
        segment: None,
    }
}

fn run(text: &str, options: &BacktestOptions) -> Result<BacktestOutput, BacktestError> {
    backtest(
        &scenario(SCENARIO),
        Cursor::new(text.as_bytes().to_vec()),
        "t.csv",
        options,
    )
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

/// Credits of a call of model m1: 0.001 a input token, 0.002 a output token.
fn credits((input, output): (u64, u64)) -> Decimal {
    Decimal::from(input) * dec("0.001") + Decimal::from(output) * dec("0.002")
}

/// Calls refused by a block rule on a balance of `pack` credits, replayed by
/// hand: a call is served if the balance covers it, refused whole if not.
fn blocked_by_hand(calls: &[(u64, u64)], pack: Decimal) -> (u64, Decimal, Decimal) {
    let (mut balance, mut blocked, mut blocked_credits, mut served) =
        (pack, 0, Decimal::ZERO, Decimal::ZERO);
    for &call in calls {
        let c = credits(call);
        if c <= balance {
            balance -= c;
            served += c;
        } else {
            blocked += 1;
            blocked_credits += c;
        }
    }
    (blocked, blocked_credits, served)
}

#[test]
fn totals_equal_sums_computed_by_hand() {
    let (text, rows) = azure_rows();
    let output = run(&text, &options(None)).expect("the backtest runs");
    assert_eq!((output.rows, output.customers, output.days), (12, 1, 1));
    assert_eq!(output.model, "m1");
    let plan = |id: &str| {
        &output
            .plans
            .iter()
            .find(|p| p.id == id)
            .expect("plan")
            .totals
    };
    let all_credits: Decimal = rows.iter().copied().map(credits).sum();
    // Provider cost: 1 USD per million input tokens, 2 per million output.
    let cost = |calls: &[(u64, u64)]| {
        calls
            .iter()
            .map(|&(i, o)| Decimal::from(i) * dec("0.000001") + Decimal::from(o) * dec("0.000002"))
            .sum::<Decimal>()
    };

    // Post-paid: every call served, revenue = credits x 0.012, all of it
    // still owed when the one-day horizon ends.
    let postpaid = plan("postpaid");
    assert_eq!(postpaid.calls_served, 12);
    assert_eq!(postpaid.revenue, all_credits * dec("0.012"));
    assert_eq!(postpaid.overage_invoiced, all_credits * dec("0.012"));
    assert_eq!(postpaid.provider_cost, cost(&rows));
    assert_eq!(postpaid.blocked_events, 0);
    assert_eq!(postpaid.cash_collected, Decimal::ZERO);
    // Nothing paid yet: the whole provider cost is exposure.
    let exposure = f64::try_from(cost(&rows)).unwrap();
    assert!((postpaid.daily_exposure[0] - exposure).abs() < 1e-12);

    // Prepaid with a block rule: the hand replay of a 10-credit balance.
    let (blocked, blocked_credits, served) = blocked_by_hand(&rows, dec("10"));
    // 4.828, 3.196 and 0.164 fit in 10 credits; 7.461 does not, and so on.
    assert_eq!(blocked, 5);
    let prepaid = plan("prepaid-block");
    assert_eq!(prepaid.blocked_events, blocked);
    assert_eq!(prepaid.blocked_value, blocked_credits * dec("0.01"));
    assert_eq!(prepaid.calls_served, 12 - blocked);
    // Revenue is the credits drawn at the pack's cost basis, 0.01 a credit.
    assert_eq!(prepaid.revenue, served * dec("0.01"));
    assert_eq!(prepaid.cash_collected, dec("0.1"));
    assert_eq!(prepaid.customers_interrupted, 1);
    let served_calls: Vec<(u64, u64)> = {
        let mut balance = dec("10");
        rows.iter()
            .copied()
            .filter(|&call| {
                let ok = credits(call) <= balance;
                if ok {
                    balance -= credits(call);
                }
                ok
            })
            .collect()
    };
    assert_eq!(prepaid.provider_cost, cost(&served_calls));
    // Paid up front: nothing is exposed.
    assert_eq!(prepaid.daily_exposure, [0.0]);
}

/// Round-robin: row i goes to customer i mod 3, each with its own pack.
#[test]
fn round_robin_customers_each_have_their_own_wallet() {
    let (text, rows) = azure_rows();
    let output = run(&text, &options(Some(Customers::RoundRobin(3)))).expect("runs");
    assert_eq!(output.customers, 3);
    let mut expected = 0;
    for customer in 0..3 {
        let calls: Vec<(u64, u64)> = rows.iter().copied().skip(customer).step_by(3).collect();
        expected += blocked_by_hand(&calls, dec("10")).0;
    }
    let prepaid = &output.plans[0];
    assert_eq!(prepaid.id, "prepaid-block");
    assert_eq!(prepaid.totals.blocked_events, expected);
    assert_eq!(prepaid.totals.customers, 3);
    assert_eq!(prepaid.totals.cash_collected, dec("0.3"));
}

/// A generic trace: customers from a column, models from a column, cached
/// tokens priced at the cache rate, and a span over two days.
#[test]
fn a_generic_trace_is_priced_per_model_and_split_by_day() {
    let text = "\
when,org,llm,in,out,cache
2025-06-01T23:00:00Z,acme,m1,1000,10,600
2025-06-01T23:30:00Z,beta,m2,2000,20,0
2025-06-02T01:00:00Z,acme,m1,3000,30,1000
";
    let mut opts = options(Some(Customers::FromColumn("org".to_owned())));
    opts.format = Format::Generic;
    opts.columns = Columns::parse("timestamp=when,model=llm,input=in,output=out,cached=cache")
        .expect("a valid mapping");
    let output = run(text, &opts).expect("runs");
    assert_eq!((output.customers, output.days), (2, 2));
    // Shifted to the scenario's start date at the same time of day.
    let postpaid = &output.plans[1].totals;
    // Provider: m1 uncached input 1 USD/Mtok, cached 0.5, output 2; m2 ten times that.
    let day1 = dec("0.000001") * dec("400")
        + dec("0.0000005") * dec("600")
        + dec("0.000002") * dec("10")
        + dec("0.00001") * dec("2000")
        + dec("0.00002") * dec("20");
    let day2 = dec("0.000001") * dec("2000")
        + dec("0.0000005") * dec("1000")
        + dec("0.000002") * dec("30");
    assert_eq!(postpaid.provider_cost, day1 + day2);
    // The credit rate card is 1,000 times the provider price, at 0.012 a credit.
    assert_eq!(postpaid.revenue, (day1 + day2) * dec("1000") * dec("0.012"));
    let f = |d: Decimal| f64::try_from(d).unwrap();
    assert!((postpaid.daily_provider_cost[0] - f(day1)).abs() < 1e-12);
    assert!((postpaid.daily_provider_cost[1] - f(day1 + day2)).abs() < 1e-12);
}

#[test]
fn unknown_models_and_columns_are_named() {
    let text = "ts,llm,in,out\n1700000000,m1,10,1\n1700000001,gpt-9,10,1\n";
    let mut opts = options(None);
    opts.format = Format::Generic;
    opts.columns = Columns::parse("timestamp=ts,model=llm,input=in,output=out").unwrap();
    let Err(BacktestError::Trace(TraceError::Rows(problems))) = run(text, &opts) else {
        panic!("gpt-9 is not in the scenario");
    };
    assert_eq!(problems.listed[0].line, 3);
    assert!(
        problems.lines()[0].contains("`llm`: unknown model `gpt-9`: the scenario has `m1`, `m2`"),
        "{:?}",
        problems.lines()
    );

    let (azure, _) = azure_rows();
    let err = run(
        &azure,
        &options(Some(Customers::FromColumn("tenant".to_owned()))),
    )
    .expect_err("no such column");
    assert!(
        err.to_string()
            .contains("no column `tenant` in the header: the columns are `TIMESTAMP,ContextTokens,GeneratedTokens`"),
        "{err}"
    );
    let mut opts = options(None);
    opts.model = Some("m3".to_owned());
    let err = run(&azure, &opts).expect_err("no such model");
    assert!(
        err.to_string()
            .contains("--model m3: the scenario has no such model")
    );
}

/// Payment defaults and reactions come from the scenario's seed: the same
/// inputs give the same totals.
#[test]
fn a_backtest_is_deterministic() {
    let (text, _) = azure_rows();
    let a = run(&text, &options(Some(Customers::RoundRobin(2)))).expect("runs");
    let b = run(&text, &options(Some(Customers::RoundRobin(2)))).expect("runs");
    assert_eq!(a.to_json(), b.to_json());
    assert_eq!(a.seed, 5);
}
