//! Running a checked replay through a [`Wallet`]: initial grants when the
//! clock starts, then each event at its time, then `until`. Operations the
//! wallet refuses become problems at their event, in the file's names.

use std::sync::Arc;

use super::names::usage_name;
use super::path::{EVENTS, GRANTS};
use super::read::{Problems, quote};
use super::{Event, Op, Problem, Replay};
use crate::error::OpError;
use crate::journal::UsageId;
use crate::time::Time;
use crate::wallet::Wallet;

/// A replay that has run: the wallet at its end, and what is needed to
/// render it in the file's names.
#[derive(Clone, Debug)]
pub struct Run {
    pub(super) wallet: Wallet,
    /// The time the output reports at: `until`, or the last event's time.
    pub(super) at: Time,
    pub(super) usage_names: Arc<[String]>,
}

pub(super) fn run(replay: &Replay, until: Option<Time>) -> Result<Run, Vec<Problem>> {
    let at = end_time(replay, until).map_err(|problem| vec![problem])?;
    let mut wallet = Wallet::new(replay.config.clone());
    let names = &replay.usage_names;
    // The wallet leaves its state as it was when it refuses an operation, so
    // the run goes on and reports every refusal, not only the first.
    let mut problems = Problems::default();
    if let Some(start) = replay.start {
        for (index, spec) in replay.grants.iter().enumerate() {
            if let Err(error) = wallet.grant(spec.clone(), start) {
                problems.add(GRANTS.index(index), op_message(&error, &wallet, names));
            }
        }
    }
    for event in &replay.events {
        if let Err(message) = apply(&mut wallet, event, names) {
            problems.add(EVENTS.index(event.index), message);
        }
    }
    if let Some(until) = until
        && let Err(error) = wallet.advance_to(until)
    {
        problems.add("--until", op_message(&error, &wallet, names));
    }
    if !problems.is_empty() {
        return Err(problems.into_vec());
    }
    Ok(Run {
        wallet,
        at,
        usage_names: Arc::clone(names),
    })
}

/// The time the run stops at: `until` (not before the last event), or the
/// last event's time, or the start when there are no events.
fn end_time(replay: &Replay, until: Option<Time>) -> Result<Time, Problem> {
    match (until, replay.events.last(), replay.start) {
        (Some(until), Some(last), _) if until < last.at => Err(Problem::new(
            "--until",
            format!(
                "{until} is before the last event, events[{}] at {}; --until must not be earlier",
                last.index, last.at
            ),
        )),
        (Some(until), None, Some(start)) if until < start => Err(Problem::new(
            "--until",
            format!("{until} is before the replay starts, at {start} (the earliest effective_at)"),
        )),
        (Some(until), _, _) => Ok(until),
        (None, Some(last), _) => Ok(last.at),
        (None, None, Some(start)) => Ok(start),
        (None, None, None) => Err(Problem::new(
            "",
            "the file has no grants and no events, so there is no time to report at; add an \
             event, or give a time to run until",
        )),
    }
}

fn apply(wallet: &mut Wallet, event: &Event, names: &[String]) -> Result<(), String> {
    let at = event.at;
    let result = match &event.op {
        Op::Usage(usage) => wallet.usage(usage, at).map(drop),
        Op::Grant(spec) => wallet.grant((**spec).clone(), at).map(drop),
        Op::Void(id) => match wallet.grant_named(id) {
            Some(index) => wallet.void(index, at),
            // The checker saw the grant defined earlier; only a grant the
            // wallet refused to create can be missing here.
            None => {
                return Err(format!(
                    "grant {} was not created, so it cannot be voided",
                    quote(id)
                ));
            }
        },
        Op::Reverse(usage) => wallet.reverse(*usage, at),
        Op::Reset => wallet.reset(at),
    };
    result.map_err(|error| op_message(&error, wallet, names))
}

/// A wallet error in the file's terms: usage and grant numbers become the
/// names the file gave them.
fn op_message(error: &OpError, wallet: &Wallet, names: &[String]) -> String {
    let usage = |id: &UsageId| quote(&usage_name(names, *id));
    match error {
        OpError::UsageWasRejected(id) => {
            format!(
                "usage {} was rejected, so there is nothing to reverse",
                usage(id)
            )
        }
        OpError::UnknownUsage(id) => {
            format!(
                "usage {} was not accepted, so there is nothing to reverse",
                usage(id)
            )
        }
        OpError::AlreadyReversed(id) => format!("usage {} has already been reversed", usage(id)),
        OpError::DuplicateUsage(id) => {
            format!(
                "usage {} was already recorded; usage ids must be unique",
                usage(id)
            )
        }
        OpError::UnknownGrant(index) => match wallet.grants().get(index.get()) {
            Some(grant) => format!("the wallet has no grant {}", quote(grant.id())),
            None => format!("the wallet has no grant number {}", index.0),
        },
        OpError::DuplicateGrant(id) => format!(
            "a grant {} already exists (top-up grants are named topup-1, topup-2, ...); use \
             another id",
            quote(id)
        ),
        // The rest already speak in grant ids and times.
        other => other.to_string(),
    }
}
