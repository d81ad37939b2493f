//! Misuse of the wallet API: operations that make no sense for the wallet's
//! state (unknown ids, time going backwards). Domain outcomes such as a
//! rejected usage event are not errors; they are [`crate::Outcome`]s.

use thiserror::Error;

use crate::journal::{GrantIndex, UsageId};
use crate::time::Time;

/// The most grants one wallet holds, top-ups included.
pub const MAX_GRANTS: usize = 100_000;

#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum OpError {
    #[error("time went backwards: {at} is before the wallet's clock, {clock}")]
    TimeWentBackwards { at: Time, clock: Time },
    #[error("a grant with id {0:?} already exists in this wallet")]
    DuplicateGrant(String),
    #[error(
        "grant {id:?} expires at {expires_at}, which is not after it becomes effective ({effective_at})"
    )]
    ExpiresNotAfterEffective {
        id: String,
        effective_at: Time,
        expires_at: Time,
    },
    #[error("the wallet holds {MAX_GRANTS} grants, the most it can hold")]
    TooManyGrants,
    #[error("no grant {0:?} in this wallet")]
    UnknownGrant(GrantIndex),
    #[error("grant {0:?} has already expired; there is nothing left to void")]
    GrantAlreadyExpired(String),
    #[error("grant {0:?} has already been voided")]
    GrantAlreadyVoided(String),
    #[error("usage {0:?} was already recorded; usage ids must be unique")]
    DuplicateUsage(UsageId),
    #[error("no accepted usage {0:?} to reverse")]
    UnknownUsage(UsageId),
    #[error("usage {0:?} was rejected, so there is nothing to reverse")]
    UsageWasRejected(UsageId),
    #[error("usage {0:?} has already been reversed")]
    AlreadyReversed(UsageId),
    #[error(
        "usage of {amount} at {at} is not certain (Wallet::certain_run): meter it with Wallet::usage instead"
    )]
    NotCertain {
        amount: rust_decimal::Decimal,
        at: Time,
    },
    #[error("reversal needs per-usage records: create the wallet with keep_journal")]
    JournalOff,
}
