//! The replay file format: a wallet, its grants and a timed list of events,
//! read from JSON or TOML text, checked, run through a [`Wallet`], and
//! rendered as JSON. This is what `creditsim ledger replay` does, and what the
//! ledger's replay test cases are written in.
//!
//! The module is pure: it takes text and hands back values or [`Problem`]s;
//! reading the file is the caller's. A bad file never panics. [`parse`]
//! reports every problem it can find, one per place, each named by its path
//! in the file (`events[3].usage.amount: expected a decimal, got "abc"`), so
//! a user fixes a file in one pass instead of one error at a time.
//!
//! # The format
//!
//! ```json
//! {
//!   "version": 1,
//!   "wallet": {
//!     "currency": "USD",
//!     "exhaustion": {"rule": "overdraft", "limit": "50"},
//!     "order": "kong",
//!     "reset_keeps_overdraft": false,
//!     "alerts": ["50", "10"],
//!     "topup": {"below": "20", "amount": "100", "kind": "prepaid", "priority": 10,
//!               "cost_basis": "0.01", "expires_after": "30d", "max_per_period": 3, "period": "1M"},
//!     "actor_budgets": {"agent-a": {"cap": "50", "period": "1d"}}
//!   },
//!   "grants": [
//!     {"id": "g1", "kind": "promotional", "amount": "100", "priority": 1,
//!      "effective_at": "2025-01-01T00:00:00Z", "expires_at": "2025-02-01T00:00:00Z",
//!      "cost_basis": "0", "currency": "USD", "scope": {"features": ["gpt-4o"], "actors": ["agent-a"]},
//!      "recurrence": "1d", "rollover": {"min": "0", "max": "50"}}
//!   ],
//!   "events": [
//!     {"at": "2025-01-02T00:00:00Z", "usage": {"id": "u1", "amount": "30", "feature": "gpt-4o", "actor": "agent-a"}},
//!     {"at": "2025-01-03T00:00:00Z", "grant": {"id": "g2", "kind": "prepaid", "amount": "200", "effective_at": "2025-01-03T00:00:00Z"}},
//!     {"at": "2025-01-04T00:00:00Z", "void": "g2"},
//!     {"at": "2025-01-05T00:00:00Z", "reverse": "u1"},
//!     {"at": "2025-01-06T00:00:00Z", "reset": {}}
//!   ]
//! }
//! ```
//!
//! - Amounts are decimal strings (`"12.50"`) or numbers, never negative. A
//!   number is read through its shortest decimal form, so `0.1` is exactly
//!   0.1; a number with more than 15 significant digits cannot be read
//!   exactly and must be written as a string.
//! - Times are RFC 3339 (`2025-01-01T00:00:00Z`); TOML date-times with an
//!   offset are accepted as they are. Durations are `30m`, `1h`, `1d`, `1w`,
//!   `1M` (calendar month, UTC).
//! - `wallet.currency` is required; everything else in `wallet` is optional.
//!   A grant needs `id`, `kind`, `amount` and `effective_at`; a usage needs
//!   `amount`. `null` on an optional field means the default. `version` is
//!   optional and, when given, must be 1.
//! - Each event has `at` and exactly one of `usage`, `grant`, `void` (a grant
//!   id defined earlier in the file), `reverse` (a usage id from an earlier
//!   event) and `reset` (`{}`). Events are in time order; events at the same
//!   time apply in file order. A usage without an `id` is named by its place,
//!   `events[N]`, in the output.
//! - TOML has the same structure: `[wallet]`, `[[grants]]`, `[[events]]` with
//!   `usage = {...}`.
//!
//! Running: the clock starts at the earliest of the first event's time and
//! the initial grants' `effective_at`; the initial grants are created then, in
//! file order; then each event is applied at its time; finally the wallet is
//! advanced to `until` when one is given (inclusive, not before the last
//! event). The output is described on [`Run::to_json`].

mod grant_schema;
mod names;
mod node;
mod path;
mod read;
mod render;
mod run;
mod scalar;
mod schema;
mod suggest;
mod wallet_schema;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use crate::config::WalletConfig;
use crate::grant::GrantSpec;
use crate::journal::UsageId;
use crate::time::Time;
use crate::wallet::{Usage, Wallet};

pub use run::Run;

/// The most events one replay file may hold.
pub const MAX_EVENTS: usize = 1_000_000;

/// The most problems reported for one file; past that, one line says how
/// many more there were. A file wrong in a systematic way would otherwise
/// print one line per event.
pub const MAX_PROBLEMS: usize = 100;

/// The text formats a replay file can be written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Toml,
}

impl Format {
    /// The format a file's extension names (`.json`, `.toml`, any case).
    pub fn from_path(path: &Path) -> Option<Format> {
        let extension = path.extension()?.to_str()?;
        if extension.eq_ignore_ascii_case("json") {
            Some(Format::Json)
        } else if extension.eq_ignore_ascii_case("toml") {
            Some(Format::Toml)
        } else {
            None
        }
    }
}

/// One thing wrong with a replay file, at one place in it.
///
/// `path` names the place: `events[3].usage.amount`, `wallet.exhaustion`,
/// `line 4, column 7` for a syntax error, or `--until`. It is empty for a
/// problem with the file as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    pub path: String,
    pub message: String,
}

impl Problem {
    pub fn new(path: impl Into<String>, message: impl Into<String>) -> Problem {
        Problem {
            path: path.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.path.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.path, self.message)
        }
    }
}

/// A checked replay file, ready to run any number of times.
#[derive(Clone, Debug)]
pub struct Replay {
    config: WalletConfig,
    /// The grants listed under `grants`, created when the clock starts.
    grants: Vec<GrantSpec>,
    events: Vec<Event>,
    /// When the clock starts; `None` for a file with no grants and no events.
    start: Option<Time>,
    /// The file's name for each `UsageId`, indexed by its number.
    usage_names: Arc<[String]>,
}

/// One entry of `events`, checked.
#[derive(Clone, Debug)]
struct Event {
    /// Its position in `events`, to name it in problems found while running.
    index: usize,
    at: Time,
    op: Op,
}

#[derive(Clone, Debug)]
enum Op {
    Usage(Usage),
    // Boxed: a grant spec is several times the size of the other operations.
    Grant(Box<GrantSpec>),
    Void(String),
    Reverse(UsageId),
    Reset,
}

/// Reads and checks a replay file. Every problem found is reported, in the
/// order of the file.
pub fn parse(text: &str, format: Format) -> Result<Replay, Vec<Problem>> {
    let root = node::load(text, format).map_err(|problem| vec![problem])?;
    schema::replay(&root, format)
}

/// Parses `text`, runs it until `until` (or its last event), and renders the
/// result as JSON: the whole of `creditsim ledger replay`.
///
/// ```
/// use ledger::replay::{Format, replay};
///
/// let text = r#"
///     [wallet]
///     currency = "USD"
///
///     [[grants]]
///     id = "g1"
///     kind = "prepaid"
///     amount = 100
///     effective_at = 2025-01-01T00:00:00Z
///
///     [[events]]
///     at = 2025-01-02T00:00:00Z
///     usage = { id = "u1", amount = "30.50" }
/// "#;
/// let output = replay(text, Format::Toml, None).unwrap();
/// assert_eq!(output["available"], "69.5");
/// assert_eq!(output["journal"][1]["entry"], "drawn");
///
/// let problems = replay(&text.replace("30.50", "-1"), Format::Toml, None).unwrap_err();
/// assert_eq!(problems[0].to_string(), "events[0].usage.amount: amounts are never negative, got \"-1\"");
/// ```
pub fn replay(
    text: &str,
    format: Format,
    until: Option<Time>,
) -> Result<serde_json::Value, Vec<Problem>> {
    let run = parse(text, format)?.run(until)?;
    Ok(run.to_json())
}

/// Reads the `--until` time of a replay, with the same message as a bad time
/// inside a file.
pub fn parse_until(text: &str) -> Result<Time, Problem> {
    let mut ctx = read::Ctx::new(Format::Json);
    let node = node::Node::Str(text.to_owned());
    match scalar::time(&mut ctx, &node, &path::ROOT.key("--until")) {
        Some(time) => Ok(time),
        None => Err(ctx
            .problems
            .into_vec()
            .into_iter()
            .next()
            .unwrap_or_else(|| {
                Problem::new(
                    "--until",
                    format!("expected an RFC 3339 time, got {text:?}"),
                )
            })),
    }
}

impl Replay {
    /// Runs the file through a new wallet. Operations the wallet refuses
    /// (reversing a rejected usage, voiding an expired grant) are problems
    /// at their event.
    pub fn run(&self, until: Option<Time>) -> Result<Run, Vec<Problem>> {
        run::run(self, until)
    }

    /// The wallet configuration the file describes.
    pub fn config(&self) -> &WalletConfig {
        &self.config
    }
}

impl Run {
    /// The wallet after the replay.
    pub fn wallet(&self) -> &Wallet {
        &self.wallet
    }
}
