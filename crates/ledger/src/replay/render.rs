//! The replay output: a wallet's state and journal as JSON, in the file's
//! names, amounts as decimal strings without trailing zeros.

use rust_decimal::Decimal;
use serde_json::{Map, Value, json};

use super::names::usage_name;
use super::run::Run;
use crate::grant::{Grant, GrantStatus};
use crate::journal::{Entry, EntryKind, GrantIndex, ReversalTarget, UsageId};
use crate::money::format_decimal;
use crate::wallet::Wallet;

impl Run {
    /// The wallet at the end of the run:
    ///
    /// - `at`: `until`, or the last event's time;
    /// - `available`, `overdraft`, `invoiced`: the wallet's totals;
    /// - `invoiced_foreign`: currency code -> amount, for usage priced in
    ///   other currencies;
    /// - `rejected`: `[{"usage", "reason"}]` in order;
    /// - `grants`: grant id -> `{status, balance, drawn, expired, voided,
    ///   refilled, rollover_delta}`, in creation order, top-ups included;
    /// - `journal`: one object per entry, `at` and `entry` first, then the
    ///   entry's fields.
    pub fn to_json(&self) -> Value {
        let wallet = &self.wallet;
        let names = Names {
            wallet,
            usages: &self.usage_names,
        };
        json!({
            "at": self.at.to_rfc3339(),
            "available": amount(wallet.available()),
            "overdraft": amount(wallet.overdraft()),
            "invoiced": amount(wallet.invoiced()),
            "invoiced_foreign": invoiced_foreign(wallet),
            "rejected": rejected(&names),
            "grants": grants(wallet),
            "journal": wallet.journal().iter().map(|e| entry(e, &names)).collect::<Vec<_>>(),
        })
    }
}

/// Numbers to names: grants by their ids, usage by the file's names.
struct Names<'a> {
    wallet: &'a Wallet,
    usages: &'a [String],
}

impl Names<'_> {
    fn grant(&self, index: GrantIndex) -> Value {
        let name = match self.wallet.grants().get(index.get()) {
            Some(grant) => grant.id().to_owned(),
            None => format!("#{}", index.0),
        };
        Value::String(name)
    }

    fn usage(&self, id: UsageId) -> Value {
        Value::String(usage_name(self.usages, id))
    }
}

fn amount(value: Decimal) -> Value {
    Value::String(format_decimal(value))
}

fn invoiced_foreign(wallet: &Wallet) -> Value {
    let map = wallet.invoiced_foreign().iter();
    Value::Object(
        map.map(|(currency, value)| (currency.to_string(), amount(*value)))
            .collect(),
    )
}

fn rejected(names: &Names<'_>) -> Value {
    let rejections = names.wallet.rejections().iter();
    let rejections = rejections
        .map(|(usage, reason)| json!({"usage": names.usage(*usage), "reason": reason.code()}));
    Value::Array(rejections.collect())
}

fn grants(wallet: &Wallet) -> Value {
    Value::Object(
        wallet
            .grants()
            .iter()
            .map(|g| (g.id().to_owned(), grant(g)))
            .collect(),
    )
}

fn grant(grant: &Grant) -> Value {
    json!({
        "status": status_code(grant.status()),
        "balance": amount(grant.balance()),
        "drawn": amount(grant.drawn()),
        "expired": amount(grant.expired()),
        "voided": amount(grant.voided()),
        "refilled": amount(grant.refilled()),
        "rollover_delta": amount(grant.rollover_delta()),
    })
}

fn status_code(status: GrantStatus) -> &'static str {
    match status {
        GrantStatus::Pending => "pending",
        GrantStatus::Active => "active",
        GrantStatus::Expired => "expired",
        GrantStatus::Voided => "voided",
    }
}

/// One journal entry. Keys go in a fixed order (`at`, `entry`, then the
/// entry's fields) so the output diffs cleanly; serde_json keeps insertion
/// order with `preserve_order`.
fn entry(entry: &Entry, names: &Names<'_>) -> Value {
    let fields = entry_fields(&entry.kind, names);
    let mut map = Map::with_capacity(2 + fields.len());
    map.insert("at".into(), Value::String(entry.at.to_rfc3339()));
    map.insert("entry".into(), Value::String(entry.kind.code().into()));
    for (key, value) in fields {
        map.insert(key.into(), value);
    }
    Value::Object(map)
}

fn entry_fields(kind: &EntryKind, names: &Names<'_>) -> Vec<(&'static str, Value)> {
    match kind {
        EntryKind::Granted { grant, amount: a }
        | EntryKind::Expired { grant, amount: a }
        | EntryKind::Voided { grant, amount: a }
        | EntryKind::Refilled { grant, amount: a }
        | EntryKind::OverdraftRepaid { grant, amount: a }
        | EntryKind::Topup { grant, amount: a } => {
            vec![("grant", names.grant(*grant)), ("amount", amount(*a))]
        }
        EntryKind::Drawn {
            usage,
            grant,
            amount: a,
        } => vec![
            ("usage", names.usage(*usage)),
            ("grant", names.grant(*grant)),
            ("amount", amount(*a)),
        ],
        EntryKind::Rejected { usage, reason } => {
            vec![
                ("usage", names.usage(*usage)),
                ("reason", Value::String(reason.code().into())),
            ]
        }
        EntryKind::RolledOver { grant, delta } => {
            vec![("grant", names.grant(*grant)), ("delta", amount(*delta))]
        }
        EntryKind::Reversed {
            usage,
            to,
            amount: a,
        } => reversed_fields(*usage, *to, *a, names),
        EntryKind::OverdraftDrawn { usage, amount: a }
        | EntryKind::Uncollected { usage, amount: a } => {
            vec![("usage", names.usage(*usage)), ("amount", amount(*a))]
        }
        EntryKind::OverdraftForgiven { amount: a } => vec![("amount", amount(*a))],
        EntryKind::Invoiced {
            usage,
            amount: a,
            currency,
        } => vec![
            ("usage", names.usage(*usage)),
            ("amount", amount(*a)),
            ("currency", Value::String(currency.to_string())),
        ],
        EntryKind::Alert {
            threshold,
            available,
        } => {
            vec![
                ("threshold", amount(*threshold)),
                ("available", amount(*available)),
            ]
        }
    }
}

/// `usage, to, grant (for balance/expired/voided only), amount`.
fn reversed_fields(
    usage: UsageId,
    to: ReversalTarget,
    value: Decimal,
    names: &Names<'_>,
) -> Vec<(&'static str, Value)> {
    let (code, grant) = match to {
        ReversalTarget::Balance(grant) => ("balance", Some(grant)),
        ReversalTarget::Expired(grant) => ("expired", Some(grant)),
        ReversalTarget::Voided(grant) => ("voided", Some(grant)),
        ReversalTarget::Overdraft => ("overdraft", None),
        ReversalTarget::Invoice => ("invoice", None),
        ReversalTarget::Forgiven => ("forgiven", None),
        ReversalTarget::Uncollected => ("uncollected", None),
    };
    let mut fields = vec![
        ("usage", names.usage(usage)),
        ("to", Value::String(code.into())),
    ];
    if let Some(grant) = grant {
        fields.push(("grant", names.grant(grant)));
    }
    fields.push(("amount", amount(value)));
    fields
}
