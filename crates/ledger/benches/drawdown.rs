//! Usage events per second through the drawdown, against a baseline of the
//! same number of plain integer subtractions measured in the same run.
//! `cargo bench -p ledger`; results and ratios are recorded in BENCHMARKS.md.

use std::hint::black_box;

use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use ledger::{Amount, Currency, GrantKind, GrantSpec, Time, Usage, UsageId, Wallet, WalletConfig};
use rust_decimal::Decimal;

const EVENTS: u64 = 10_000;

fn wallet(grants: u32, balance: Decimal) -> Wallet {
    let mut config = WalletConfig::new(Currency::USD);
    // A simulator meters millions of events and reads totals, not a journal.
    config.keep_journal = false;
    let mut wallet = Wallet::new(config);
    let t0 = Time::from_millis(0);
    let specs = (0..grants).map(|i| {
        let mut spec = GrantSpec::new(
            format!("g{i:04}"),
            GrantKind::Prepaid,
            Amount::new(balance).expect("positive"),
            t0,
            Currency::USD,
        );
        spec.priority = (i % 7) as u8;
        spec.expires_at = Some(Time::from_millis(1_000_000_000 + i64::from(i)));
        spec
    });
    wallet.grant_all(specs, t0).expect("valid grants");
    wallet
}

/// Meters `EVENTS` usage events of `amount`, one millisecond apart.
fn meter(mut wallet: Wallet, amount: Decimal) -> Wallet {
    let amount = Amount::new(amount).expect("positive");
    for i in 0..EVENTS {
        let usage = Usage::new(UsageId(i), amount, Currency::USD);
        let at = Time::from_millis(1 + i as i64);
        black_box(wallet.usage(black_box(&usage), at).expect("in order"));
    }
    wallet
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("usage");
    group.throughput(Throughput::Elements(EVENTS));
    group.bench_function("baseline_integer_subtractions", |b| {
        b.iter(|| {
            let mut balance = black_box(u64::MAX);
            for _ in 0..EVENTS {
                balance -= black_box(3);
            }
            balance
        });
    });
    for grants in [1, 4, 16, 1000] {
        let prepared = wallet(grants, Decimal::from(1_000_000_000u64));
        group.bench_function(format!("active_grants_{grants}"), |b| {
            b.iter_batched(
                || prepared.clone(),
                |w| meter(w, Decimal::new(15, 1)),
                BatchSize::LargeInput,
            );
        });
    }
    // 1,000 grants of 15 credits drawn 1.5 at a time: every tenth event
    // empties a grant and moves on, so the walk past emptied grants shows.
    let draining = wallet(1000, Decimal::from(15));
    group.bench_function("draining_1000_grants", |b| {
        b.iter_batched(
            || draining.clone(),
            |w| meter(w, Decimal::new(15, 1)),
            BatchSize::LargeInput,
        );
    });
    group.finish();
}

criterion_group!(drawdown, benches);
criterion_main!(drawdown);
