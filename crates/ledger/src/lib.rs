//! The creditsim drawdown engine.
//!
//! A [`Wallet`] holds grants of credit and meters usage events against them:
//! eligible grants are drawn in a named [`DrawdownOrder`], and what they
//! cannot cover meets the wallet's [`Exhaustion`] rule (block, bounded
//! overdraft, or invoice). Grants become effective, expire and refill at
//! their moment; voids, resets, reversals, top-ups, alerts and actor budgets
//! follow DOMAIN.md section 3. Every change is appended to a journal.
//!
//! The crate does no I/O, reads no clock and draws no random numbers: every
//! operation is handed its time, and the same operations give the same
//! journal, entry for entry. [`replay`] reads the replay file format into
//! operations and renders a wallet's state; reading the file is the caller's.
//!
//! ```
//! use ledger::{Amount, Currency, GrantKind, GrantSpec, Outcome, RejectReason, Time, Usage, UsageId, Wallet, WalletConfig};
//!
//! let t0 = Time::parse_rfc3339("2025-01-01T00:00:00Z").unwrap();
//! let mut wallet = Wallet::new(WalletConfig::new(Currency::USD));
//! wallet.grant(GrantSpec::new("g1", GrantKind::Prepaid, Amount::from_int(100), t0, Currency::USD), t0).unwrap();
//!
//! let u1 = Usage::new(UsageId(1), Amount::from_int(60), Currency::USD);
//! assert!(matches!(wallet.usage(&u1, t0).unwrap(), Outcome::Accepted(_)));
//! let u2 = Usage::new(UsageId(2), Amount::from_int(50), Currency::USD);
//! assert_eq!(wallet.usage(&u2, t0).unwrap(), Outcome::Rejected(RejectReason::InsufficientCredit));
//! assert_eq!(wallet.available(), Amount::from_int(40).get());
//! ```

mod config;
mod error;
mod grant;
mod journal;
mod money;
mod order;
pub mod replay;
mod time;
mod wallet;

pub use config::{ActorBudget, DrawdownOrder, Exhaustion, TopupRule, TopupSize, WalletConfig};
pub use error::{MAX_GRANTS, OpError};
pub use grant::{Actor, Feature, Grant, GrantKind, GrantSpec, GrantStatus, Rollover, Scope};
pub use journal::{Entry, EntryKind, GrantIndex, RejectReason, ReversalTarget, UsageId};
pub use money::{Amount, Currency, format_decimal};
pub use time::{Period, Time};
pub use wallet::{CertainRun, Drawdown, Outcome, RunTo, Totals, Usage, Wallet};
