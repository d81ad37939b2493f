//! The metrics reported per path and plan (DOMAIN.md section 4), their
//! units, and how a path's exact totals become one row of `f64`s.

use rust_decimal::Decimal;

use crate::customer::PlanTotals;
use crate::stats::Tail;

/// What a metric is measured in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unit {
    /// The scenario's billing currency.
    Currency,
    Percent,
    Count,
    Hours,
    Days,
}

#[derive(Clone, Copy, Debug)]
pub struct Metric {
    pub name: &'static str,
    pub label: &'static str,
    pub unit: Unit,
    /// The tail whose CVaR95 is reported, if any.
    pub tail: Tail,
}

const fn metric(name: &'static str, label: &'static str, unit: Unit, tail: Tail) -> Metric {
    Metric {
        name,
        label,
        unit,
        tail,
    }
}

/// Every metric, in report order. A row holds them in this order.
pub const METRICS: [Metric; 22] = [
    metric("revenue", "Revenue recognised", Unit::Currency, Tail::None),
    metric("provider_cost", "Provider cost", Unit::Currency, Tail::None),
    metric("gross_margin", "Gross margin", Unit::Currency, Tail::Lower),
    metric(
        "gross_margin_pct",
        "Gross margin",
        Unit::Percent,
        Tail::Lower,
    ),
    metric(
        "cash_collected",
        "Cash collected",
        Unit::Currency,
        Tail::None,
    ),
    metric(
        "receivables",
        "Receivables at horizon end",
        Unit::Currency,
        Tail::None,
    ),
    metric(
        "exposure_peak",
        "Peak exposure",
        Unit::Currency,
        Tail::Upper,
    ),
    metric("bad_debt", "Bad debt", Unit::Currency, Tail::Upper),
    metric("blocked_events", "Blocked calls", Unit::Count, Tail::None),
    metric(
        "blocked_value",
        "Blocked value (revenue lost)",
        Unit::Currency,
        Tail::Upper,
    ),
    metric("breakage", "Breakage", Unit::Currency, Tail::None),
    metric(
        "overage_invoiced",
        "Overage invoiced",
        Unit::Currency,
        Tail::None,
    ),
    metric(
        "overshoot",
        "Overshoot past the balance",
        Unit::Currency,
        Tail::Upper,
    ),
    metric("topups", "Top-ups", Unit::Count, Tail::None),
    metric("alerts", "Balance alerts", Unit::Count, Tail::None),
    metric(
        "customers_interrupted",
        "Customers interrupted",
        Unit::Count,
        Tail::None,
    ),
    metric(
        "interrupted_hours",
        "Hours interrupted per interrupted customer",
        Unit::Hours,
        Tail::None,
    ),
    metric(
        "customers_churned",
        "Customers churned",
        Unit::Count,
        Tail::None,
    ),
    metric("disputes", "Disputed invoices", Unit::Count, Tail::None),
    metric(
        "customers_exhausted",
        "Customers whose credit ran out",
        Unit::Count,
        Tail::None,
    ),
    metric(
        "days_to_exhaustion",
        "Days to first exhaustion (censored at horizon end)",
        Unit::Days,
        Tail::None,
    ),
    metric(
        "calls_served",
        "Model calls served",
        Unit::Count,
        Tail::None,
    ),
];

/// The position of a metric in a row.
pub fn index(name: &str) -> Option<usize> {
    METRICS.iter().position(|m| m.name == name)
}

pub const GROSS_MARGIN: usize = 2;

pub type Row = [f64; METRICS.len()];

fn f(value: Decimal) -> f64 {
    f64::try_from(value).unwrap_or(0.0)
}

/// One path's totals for one plan as a row of `f64`s.
pub fn row(totals: &PlanTotals, horizon_days: u32) -> Row {
    let margin = totals.revenue - totals.provider_cost;
    let margin_pct = if totals.revenue.is_zero() {
        0.0
    } else {
        f(margin) / f(totals.revenue) * 100.0
    };
    let per_interrupted = |ms: i64| {
        if totals.customers_interrupted == 0 {
            0.0
        } else {
            ms as f64 / 3_600_000.0 / totals.customers_interrupted as f64
        }
    };
    // Customers never exhausted count at their remaining horizon (right-censored).
    let days_to_exhaustion = if totals.customers == 0 {
        f64::from(horizon_days)
    } else {
        let ms = totals.exhaustion_ms + totals.unexhausted_ms;
        ms as f64 / 86_400_000.0 / totals.customers as f64
    };
    [
        f(totals.revenue),
        f(totals.provider_cost),
        f(margin),
        margin_pct,
        f(totals.cash_collected),
        f(totals.receivables),
        totals.daily_exposure.iter().copied().fold(0.0, f64::max),
        f(totals.bad_debt),
        totals.blocked_events as f64,
        f(totals.blocked_value),
        f(totals.breakage),
        f(totals.overage_invoiced),
        f(totals.overshoot),
        totals.topups as f64,
        totals.alerts as f64,
        totals.customers_interrupted as f64,
        per_interrupted(totals.interrupted_ms),
        totals.customers_churned as f64,
        totals.disputes as f64,
        totals.customers_exhausted as f64,
        days_to_exhaustion,
        totals.calls_served as f64,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_gross_margin_is_where_the_runner_looks() {
        for (i, m) in METRICS.iter().enumerate() {
            assert_eq!(index(m.name), Some(i), "{} is listed twice", m.name);
        }
        assert_eq!(METRICS[GROSS_MARGIN].name, "gross_margin");
    }
}
