//! Drawdown order: which eligible grant pays first, under each named policy.

use std::cmp::Ordering;

use crate::config::DrawdownOrder;
use crate::grant::GrantSpec;
use crate::time::Time;

/// `Less` when `a` is drawn before `b`. Ids are unique in a wallet, so the
/// order is total and the drawdown never depends on insertion order.
pub(crate) fn compare(order: DrawdownOrder, a: &GrantSpec, b: &GrantSpec) -> Ordering {
    let expires = |s: &GrantSpec| s.expires_at.unwrap_or(Time::NEVER);
    let tail = || {
        a.effective_at
            .cmp(&b.effective_at)
            .then_with(|| a.id.cmp(&b.id))
    };
    match order {
        DrawdownOrder::Kong => a
            .priority
            .cmp(&b.priority)
            // Scoped grants first: they can pay for less, so spend them while they can.
            .then_with(|| b.scope.is_scoped().cmp(&a.scope.is_scoped()))
            .then_with(|| expires(a).cmp(&expires(b)))
            .then_with(|| a.cost_basis.cmp(&b.cost_basis))
            .then_with(tail),
        DrawdownOrder::OpenMeter => a
            .priority
            .cmp(&b.priority)
            .then_with(|| expires(a).cmp(&expires(b)))
            .then_with(tail),
        DrawdownOrder::Orb => expires(a)
            .cmp(&expires(b))
            .then_with(|| a.cost_basis.cmp(&b.cost_basis))
            .then_with(tail),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grant::{Feature, GrantKind};
    use crate::money::{Amount, Currency};

    fn spec(id: &str, priority: u8, expires_day: Option<i64>) -> GrantSpec {
        let mut spec = GrantSpec::new(
            id,
            GrantKind::Prepaid,
            Amount::from_int(100),
            Time::from_millis(0),
            Currency::USD,
        );
        spec.priority = priority;
        spec.expires_at = expires_day.map(|d| Time::from_millis(d * 86_400_000));
        spec
    }

    #[test]
    fn kong_puts_scoped_before_unscoped_at_equal_priority() {
        let mut scoped = spec("z", 1, None);
        scoped.scope.features.push(Feature(0));
        let unscoped = spec("a", 1, Some(1));
        assert_eq!(
            compare(DrawdownOrder::Kong, &scoped, &unscoped),
            Ordering::Less
        );
        // OpenMeter ignores scope: the earlier expiry goes first.
        assert_eq!(
            compare(DrawdownOrder::OpenMeter, &scoped, &unscoped),
            Ordering::Greater
        );
    }

    #[test]
    fn orb_ignores_priority() {
        let urgent = spec("a", 0, Some(20));
        let expiring = spec("b", 9, Some(10));
        assert_eq!(
            compare(DrawdownOrder::Kong, &urgent, &expiring),
            Ordering::Less
        );
        assert_eq!(
            compare(DrawdownOrder::Orb, &urgent, &expiring),
            Ordering::Greater
        );
    }
}
