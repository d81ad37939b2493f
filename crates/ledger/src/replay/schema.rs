//! The replay file's structure, checked: the top level, the events, and the
//! references between them (a void names a grant defined earlier, a reverse
//! a usage from an earlier event). The wallet section and grants are read in
//! `wallet_schema` and `grant_schema`.

use std::collections::HashMap;
use std::fmt;

use super::names::Names;
use super::node::Node;
use super::path::{EVENTS, GRANTS, Path, ROOT};
use super::read::{self, Ctx, Fields, describe, object_word, quote};
use super::{Event, Format, MAX_EVENTS, Op, Problem, Replay, scalar, suggest};
use crate::error::MAX_GRANTS;
use crate::grant::GrantSpec;
use crate::journal::UsageId;
use crate::money::Currency;
use crate::time::Time;
use crate::wallet::Usage;

const ROOT_FIELDS: &[&str] = &["version", "wallet", "grants", "events"];
const EVENT_FIELDS: &[&str] = &["at", "usage", "grant", "void", "reverse", "reset"];
const EVENT_OPS: &[&str] = &["usage", "grant", "void", "reverse", "reset"];
const USAGE_FIELDS: &[&str] = &["id", "amount", "currency", "feature", "actor"];

/// Checks a whole file and builds the [`Replay`], or lists every problem.
pub(super) fn replay(root: &Node, format: Format) -> Result<Replay, Vec<Problem>> {
    let mut check = Check::new(format);
    let replay = check.root(root);
    match replay {
        Some(replay) if check.ctx.problems.is_empty() => Ok(replay),
        _ => Err(check.ctx.problems.into_vec()),
    }
}

/// The checker's state while it walks the file once, top to bottom.
pub(super) struct Check<'n> {
    pub ctx: Ctx,
    pub names: Names,
    /// The wallet's currency, the default for grants and usage. USD stands
    /// in when the wallet's is missing or bad: that is reported, so the
    /// replay is refused whatever the placeholder.
    pub currency: Currency,
    /// Grants defined so far, initial and from events.
    grants: Defined,
    /// Named usage events so far.
    usages: Defined,
    /// The file's events, to look ahead when a void or reverse names an id
    /// not defined yet.
    event_nodes: &'n [Node],
    /// Where each grant and usage id is first defined by an event, so a
    /// reference to one defined later can say so. Built on the first such
    /// reference: a good file never needs it.
    later: Option<Later>,
    /// The latest event time so far, and that event's index.
    last_event: Option<(Time, usize)>,
    /// Grants in the file so far, initial and from events.
    grant_count: usize,
}

/// Where a grant or usage id was defined: an entry of `grants` or of `events`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Origin {
    Grants(usize),
    Events(usize),
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Origin::Grants(index) => write!(f, "grants[{index}]"),
            Origin::Events(index) => write!(f, "events[{index}]"),
        }
    }
}

/// Names defined so far, with where each was defined and the event that
/// ended it (a void, a reverse).
#[derive(Default)]
struct Defined {
    places: HashMap<String, Place>,
}

struct Place {
    defined_at: Origin,
    ended_at: Option<usize>,
    /// A usage event's number, for `reverse`.
    usage: Option<UsageId>,
}

impl Defined {
    /// Records `name` defined at `origin`; returns where it was defined
    /// before if it already was.
    fn define(&mut self, name: &str, origin: Origin, usage: Option<UsageId>) -> Option<Origin> {
        if let Some(place) = self.places.get(name) {
            return Some(place.defined_at);
        }
        let place = Place {
            defined_at: origin,
            ended_at: None,
            usage,
        };
        self.places.insert(name.to_owned(), place);
        None
    }

    /// The names in the order they were defined, so suggestions do not
    /// depend on hash order.
    fn in_order(&self) -> Vec<&str> {
        let mut names: Vec<(&str, Origin)> = self
            .places
            .iter()
            .map(|(name, place)| (name.as_str(), place.defined_at))
            .collect();
        names.sort_by_key(|(_, origin)| *origin);
        names.into_iter().map(|(name, _)| name).collect()
    }
}

#[derive(Default)]
struct Later {
    grants: HashMap<String, usize>,
    usages: HashMap<String, usize>,
}

impl<'n> Check<'n> {
    fn new(format: Format) -> Check<'n> {
        Check {
            ctx: Ctx::new(format),
            names: Names::default(),
            currency: Currency::USD,
            grants: Defined::default(),
            usages: Defined::default(),
            event_nodes: &[],
            later: None,
            last_event: None,
            grant_count: 0,
        }
    }

    fn root(&mut self, node: &'n Node) -> Option<Replay> {
        if !matches!(node, Node::Object(_)) {
            let got = describe(node, self.ctx.format);
            let what = object_word(self.ctx.format);
            let message =
                format!("a replay file is {what} with wallet, grants and events, got {got}");
            self.ctx.problem(ROOT, message);
            return None;
        }
        let fields = Fields::open(&mut self.ctx, node, ROOT, ROOT_FIELDS)?;
        fields.optional(&mut self.ctx, "version", scalar::version);
        let config = match fields.get("wallet") {
            Some(wallet) => self.wallet(wallet, &ROOT.key("wallet")),
            None if fields.was_suggested("wallet") => None,
            None => {
                let message = "missing required field \"wallet\"; a replay needs at least the \
                               wallet's currency";
                self.ctx.problem(ROOT, message);
                None
            }
        };
        let grants = fields
            .get("grants")
            .map(|n| self.initial_grants(n))
            .unwrap_or_default();
        let events = fields
            .get("events")
            .map(|n| self.events(n))
            .unwrap_or_default();
        let start = start_time(&grants, &events);
        let usage_names = std::mem::take(&mut self.names).into_usage_names();
        Some(Replay {
            config: config?,
            grants,
            events,
            start,
            usage_names: usage_names.into(),
        })
    }

    fn initial_grants(&mut self, node: &Node) -> Vec<GrantSpec> {
        let Some(items) = read::array(&mut self.ctx, node, &GRANTS) else {
            return Vec::new();
        };
        if items.len() > MAX_GRANTS {
            let message = format!(
                "{} grants; a wallet holds at most {} (MAX_GRANTS), top-ups included",
                thousands(items.len()),
                thousands(MAX_GRANTS)
            );
            self.ctx.problem(GRANTS, message);
        }
        let mut grants = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            let origin = Origin::Grants(index);
            if let Some(spec) = self.defined_grant(item, &GRANTS.index(index), origin) {
                grants.push(spec);
            }
        }
        grants
    }

    /// Reads a grant and records its id, refusing one already taken. The id
    /// is recorded even when the grant has other problems, so a later void
    /// of it is not reported as well.
    fn defined_grant(&mut self, node: &Node, path: &Path<'_>, origin: Origin) -> Option<GrantSpec> {
        let spec = self.grant(node, path);
        if let Some(Node::Str(id)) = child(node, "id")
            && !id.is_empty()
            && let Some(first) = self.grants.define(id, origin, None)
        {
            let message = format!(
                "{} is already the id of {first}; grant ids must be unique",
                quote(id)
            );
            self.ctx.problem(path.key("id"), message);
        }
        self.grant_count += 1;
        // Initial grants over the limit are reported once, on `grants`; a
        // grant event is reported where it passes the limit.
        if self.grant_count == MAX_GRANTS + 1 && matches!(origin, Origin::Events(_)) {
            let message = format!(
                "this is grant number {}; a wallet holds at most {} (MAX_GRANTS), top-ups included",
                thousands(MAX_GRANTS + 1),
                thousands(MAX_GRANTS)
            );
            self.ctx.problem(path, message);
        }
        spec
    }

    fn events(&mut self, node: &'n Node) -> Vec<Event> {
        let Some(items) = read::array(&mut self.ctx, node, &EVENTS) else {
            return Vec::new();
        };
        if items.len() > MAX_EVENTS {
            let message = format!(
                "{} events; a replay file holds at most {} (MAX_EVENTS)",
                thousands(items.len()),
                thousands(MAX_EVENTS)
            );
            self.ctx.problem(EVENTS, message);
        }
        self.event_nodes = items;
        let mut events = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            if let Some(event) = self.event(item, index) {
                events.push(event);
            }
        }
        events
    }

    fn event(&mut self, node: &Node, index: usize) -> Option<Event> {
        let path = EVENTS.index(index);
        let fields = Fields::open(&mut self.ctx, node, path, EVENT_FIELDS)?;
        let at = fields.required(&mut self.ctx, "at", scalar::time);
        if let Some(at) = at {
            self.check_time_order(at, index, &fields.key_path("at"));
        }
        let mut ops = EVENT_OPS
            .iter()
            .filter_map(|key| fields.get(key).map(|node| (*key, node)));
        let op = match (ops.next(), ops.next()) {
            (Some((key, node)), None) => self.op(key, node, &fields.key_path(key), index),
            (None, _) if EVENT_OPS.iter().any(|op| fields.was_suggested(op)) => None,
            (None, _) => {
                let message = format!(
                    "an event needs one of {}; this one has none",
                    EVENT_OPS.join(", ")
                );
                self.ctx.problem(path, message);
                None
            }
            (Some(_), Some(_)) => {
                let present: Vec<&str> = EVENT_OPS
                    .iter()
                    .copied()
                    .filter(|key| fields.has(key))
                    .collect();
                let message = format!(
                    "an event has exactly one of {}; this one has {}",
                    EVENT_OPS.join(", "),
                    and_list(&present)
                );
                self.ctx.problem(path, message);
                None
            }
        };
        Some(Event {
            index,
            at: at?,
            op: op?,
        })
    }

    fn check_time_order(&mut self, at: Time, index: usize, path: &Path<'_>) {
        match self.last_event {
            Some((last, last_index)) if at < last => {
                let message = format!(
                    "{at} is before events[{last_index}] ({last}); events must be in time order"
                );
                self.ctx.problem(path, message);
            }
            _ => self.last_event = Some((at, index)),
        }
    }

    fn op(&mut self, key: &str, node: &Node, path: &Path<'_>, index: usize) -> Option<Op> {
        match key {
            "usage" => self.usage(node, path, index),
            "grant" => {
                let spec = self.defined_grant(node, path, Origin::Events(index));
                spec.map(|spec| Op::Grant(Box::new(spec)))
            }
            "void" => self.void(node, path, index),
            "reverse" => self.reverse(node, path, index),
            _ => self.reset(node, path),
        }
    }

    fn usage(&mut self, node: &Node, path: &Path<'_>, index: usize) -> Option<Op> {
        let fields = Fields::open(&mut self.ctx, node, *path, USAGE_FIELDS)?;
        let ctx = &mut self.ctx;
        let name = fields.optional(ctx, "id", read::id);
        let amount = fields.required(ctx, "amount", scalar::amount);
        let currency = fields.optional(ctx, "currency", scalar::currency);
        let feature = fields.optional(ctx, "feature", read::string);
        let actor = fields.optional(ctx, "actor", read::string);
        let id = self.define_usage(name, path, index);
        Some(Op::Usage(Usage {
            id,
            amount: amount?,
            currency: currency.unwrap_or(self.currency),
            feature: feature.map(|name| self.names.feature(name)),
            actor: actor.map(|name| self.names.actor(name)),
        }))
    }

    /// Numbers a usage event; a named one is recorded for `reverse`. One
    /// without a name is called by its place, `events[N]`, in the output.
    fn define_usage(&mut self, name: Option<String>, path: &Path<'_>, index: usize) -> UsageId {
        let Some(name) = name else {
            return self.names.new_usage(Origin::Events(index).to_string());
        };
        let id = self.names.new_usage(name);
        let name = self.names.usage_name(id);
        if let Some(first) = self.usages.define(name, Origin::Events(index), Some(id)) {
            let message = format!(
                "{} is already used by {first}; usage ids must be unique",
                quote(name)
            );
            self.ctx.problem(path.key("id"), message);
        }
        id
    }

    fn void(&mut self, node: &Node, path: &Path<'_>, index: usize) -> Option<Op> {
        let name = read::id(&mut self.ctx, node, path)?;
        match self.grants.places.get_mut(&name) {
            Some(Place {
                ended_at: Some(first),
                ..
            }) => {
                let message = format!(
                    "grant {} is already voided by events[{first}]",
                    quote(&name)
                );
                self.ctx.problem(path, message);
            }
            Some(place) => place.ended_at = Some(index),
            None => {
                let later = self.defined_later("grant", &name, index);
                let message = dangling("grant", &name, &self.grants, later);
                self.ctx.problem(path, message);
            }
        }
        Some(Op::Void(name))
    }

    fn reverse(&mut self, node: &Node, path: &Path<'_>, index: usize) -> Option<Op> {
        let name = read::id(&mut self.ctx, node, path)?;
        match self.usages.places.get_mut(&name) {
            Some(Place {
                ended_at: Some(first),
                ..
            }) => {
                let message = format!(
                    "usage {} is already reversed by events[{first}]",
                    quote(&name)
                );
                self.ctx.problem(path, message);
            }
            Some(place) => place.ended_at = Some(index),
            None => {
                let later = self.defined_later("usage", &name, index);
                let message = dangling("usage", &name, &self.usages, later);
                self.ctx.problem(path, message);
            }
        }
        let usage = self.usages.places.get(&name).and_then(|place| place.usage);
        usage.map(Op::Reverse)
    }

    /// The event after `index` that first defines the grant or usage
    /// `name`, if any.
    fn defined_later(&mut self, what: &str, name: &str, index: usize) -> Option<usize> {
        let later = self
            .later
            .get_or_insert_with(|| later_definitions(self.event_nodes));
        let map = if what == "grant" {
            &later.grants
        } else {
            &later.usages
        };
        map.get(name).copied().filter(|i| *i > index)
    }

    fn reset(&mut self, node: &Node, path: &Path<'_>) -> Option<Op> {
        match node {
            Node::Object(entries) if entries.is_empty() => Some(Op::Reset),
            Node::Object(entries) => {
                for (key, _) in entries {
                    self.ctx
                        .problem(path.key(key), "unknown field; a reset takes no fields");
                }
                None
            }
            _ => {
                let what = format!("{} with no fields", object_word(self.ctx.format));
                self.ctx.expected(path, &what, node);
                None
            }
        }
    }
}

/// The message for a void or reverse naming nothing defined before it.
fn dangling(what: &str, name: &str, defined: &Defined, later: Option<usize>) -> String {
    let quoted = quote(name);
    if let Some(index) = later {
        return format!(
            "{what} {quoted} is only defined later, by events[{index}]; move this event after it"
        );
    }
    let mut message = format!("no {what} {quoted} is defined earlier in the file");
    // Suggestions cost one edit distance per known name; past a few thousand
    // names a typo is better found by search than by this.
    if defined.places.len() <= 10_000
        && let Some(close) = suggest::closest(name, defined.in_order())
        && !differ_only_in_digits(name, close)
    {
        message.push_str(&format!("; did you mean {}?", quote(close)));
    }
    message
}

/// `call-3` and `call-1` are two ids in a numbered series, not a typo of
/// one another; suggesting one for the other would mislead.
fn differ_only_in_digits(a: &str, b: &str) -> bool {
    let letters = |s: &str| {
        s.chars()
            .filter(|c| !c.is_ascii_digit())
            .collect::<String>()
    };
    letters(a) == letters(b)
}

/// A look through the events for where each grant and usage id is first
/// defined. Malformed events are skipped here;
/// the walk reports them.
fn later_definitions(events: &[Node]) -> Later {
    let mut later = Later::default();
    for (index, event) in events.iter().enumerate() {
        for (op, map) in [("grant", &mut later.grants), ("usage", &mut later.usages)] {
            if let Some(Node::Str(id)) = child(event, op).and_then(|body| child(body, "id")) {
                map.entry(id.clone()).or_insert(index);
            }
        }
    }
    later
}

fn child<'n>(node: &'n Node, key: &str) -> Option<&'n Node> {
    match node {
        Node::Object(entries) => entries.iter().find(|(k, _)| k == key).map(|(_, v)| v),
        _ => None,
    }
}

/// When the clock starts: the earliest of the first event's time and the
/// initial grants' `effective_at`.
fn start_time(grants: &[GrantSpec], events: &[Event]) -> Option<Time> {
    grants
        .iter()
        .map(|g| g.effective_at)
        .chain(events.first().map(|e| e.at))
        .min()
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// `1000000` as `1,000,000`, for limits in messages.
pub(super) fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::parse;

    const GRANT: &str =
        r#"{"id": "g", "kind": "prepaid", "amount": "1", "effective_at": "2025-01-01T00:00:00Z"}"#;

    fn first_problems(text: &str, count: usize) -> Vec<String> {
        let problems = parse(text, Format::Json).err().unwrap_or_default();
        problems.iter().take(count).map(|p| p.to_string()).collect()
    }

    #[test]
    fn files_past_the_event_limit_are_refused() {
        let events =
            vec![r#"{"at": "2025-01-01T00:00:00Z", "reset": {}}"#; MAX_EVENTS + 1].join(",");
        let text = format!(r#"{{"wallet": {{"currency": "USD"}}, "events": [{events}]}}"#);
        assert_eq!(
            first_problems(&text, 2),
            ["events: 1,000,001 events; a replay file holds at most 1,000,000 (MAX_EVENTS)"]
        );
    }

    #[test]
    fn files_past_the_grant_limit_are_refused() {
        let grants: Vec<String> = (0..=MAX_GRANTS)
            .map(|i| GRANT.replace(r#""g""#, &format!(r#""g{i}""#)))
            .collect();
        let text = format!(
            r#"{{"wallet": {{"currency": "USD"}}, "grants": [{}]}}"#,
            grants.join(",")
        );
        assert_eq!(
            first_problems(&text, 2),
            [
                "grants: 100,001 grants; a wallet holds at most 100,000 (MAX_GRANTS), top-ups included"
            ]
        );
    }

    #[test]
    fn a_grant_event_past_the_grant_limit_is_named() {
        let grants: Vec<String> = (0..MAX_GRANTS)
            .map(|i| GRANT.replace(r#""g""#, &format!(r#""g{i}""#)))
            .collect();
        let event = format!(
            r#"{{"at": "2025-01-02T00:00:00Z", "grant": {}}}"#,
            GRANT.replace(r#""g""#, r#""last""#)
        );
        let text = format!(
            r#"{{"wallet": {{"currency": "USD"}}, "grants": [{}], "events": [{event}]}}"#,
            grants.join(",")
        );
        assert_eq!(
            first_problems(&text, 2),
            [
                "events[0].grant: this is grant number 100,001; a wallet holds at most 100,000 \
              (MAX_GRANTS), top-ups included"
            ]
        );
    }

    #[test]
    fn lists_and_numbers_read_like_prose() {
        assert_eq!(and_list(&["usage", "grant"]), "usage and grant");
        assert_eq!(
            and_list(&["usage", "grant", "void"]),
            "usage, grant and void"
        );
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(100_001), "100,001");
        assert_eq!(thousands(999), "999");
    }
}
