//! Places in a replay file (`events[3].usage.amount`), built as the checker
//! descends and turned into text only when a problem is reported: a file of
//! a million good events then costs no path strings at all.

use std::fmt;

use super::read::quote;

/// A place in the file: a chain of keys and indices from the top level.
#[derive(Clone, Copy, Debug)]
pub(super) enum Path<'a> {
    /// The file as a whole; shown as nothing.
    Root,
    Key(&'a Path<'a>, &'a str),
    Index(&'a Path<'a>, usize),
}

pub(super) const ROOT: Path<'static> = Path::Root;
pub(super) const GRANTS: Path<'static> = Path::Key(&ROOT, "grants");
pub(super) const EVENTS: Path<'static> = Path::Key(&ROOT, "events");

impl<'a> Path<'a> {
    pub fn key(&'a self, key: &'a str) -> Path<'a> {
        Path::Key(self, key)
    }

    pub fn index(&'a self, index: usize) -> Path<'a> {
        Path::Index(self, index)
    }
}

impl fmt::Display for Path<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Path::Root => Ok(()),
            Path::Key(parent, key) => {
                write!(f, "{parent}")?;
                // Keys that are not plain words (an actor named `team a`)
                // are quoted so the path stays unambiguous.
                let plain = !key.is_empty()
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                match (parent, plain) {
                    (Path::Root, true) => f.write_str(key),
                    (_, true) => write!(f, ".{key}"),
                    (_, false) => write!(f, "[{}]", quote(key)),
                }
            }
            Path::Index(parent, index) => write!(f, "{parent}[{index}]"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_keys_that_are_not_plain_words() {
        let wallet = ROOT.key("wallet");
        let budgets = wallet.key("actor_budgets");
        assert_eq!(wallet.to_string(), "wallet");
        assert_eq!(
            budgets.key("agent-a").to_string(),
            "wallet.actor_budgets.agent-a"
        );
        assert_eq!(
            budgets.key("team a").to_string(),
            "wallet.actor_budgets[\"team a\"]"
        );
        assert_eq!(EVENTS.index(3).key("usage").to_string(), "events[3].usage");
        assert_eq!(ROOT.to_string(), "");
    }
}
