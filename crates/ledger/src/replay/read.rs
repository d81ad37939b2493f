//! The checker's tools: a sink that collects problems, paths that name a
//! place in the file, and [`Fields`], an object reader that reports unknown,
//! repeated and missing keys. Readers report what is wrong and return `None`;
//! the caller goes on, so one pass finds every problem.

use std::collections::HashSet;
use std::fmt::Display;

use super::node::Node;
use super::path::Path;
use super::suggest;
use super::{Format, MAX_PROBLEMS, Problem};

/// Problems found so far, the first [`MAX_PROBLEMS`] kept.
#[derive(Debug, Default)]
pub(super) struct Problems {
    kept: Vec<Problem>,
    dropped: usize,
}

impl Problems {
    /// Records a problem. The path is only formatted when the problem is kept.
    pub fn add(&mut self, path: impl Display, message: impl Into<String>) {
        if self.kept.len() < MAX_PROBLEMS {
            self.kept.push(Problem::new(path.to_string(), message));
        } else {
            self.dropped += 1;
        }
    }

    pub fn is_empty(&self) -> bool {
        self.kept.is_empty()
    }

    pub fn into_vec(mut self) -> Vec<Problem> {
        if self.dropped > 0 {
            let message = format!(
                "and {} more problems (only the first {MAX_PROBLEMS} are listed)",
                self.dropped
            );
            self.kept.push(Problem::new("", message));
        }
        self.kept
    }
}

/// What every reader needs: where problems go, and the file's format (to
/// name things the way the file does: a JSON object is a TOML table).
pub(super) struct Ctx {
    pub problems: Problems,
    pub format: Format,
}

impl Ctx {
    pub fn new(format: Format) -> Ctx {
        Ctx {
            problems: Problems::default(),
            format,
        }
    }

    pub fn problem(&mut self, path: impl Display, message: impl Into<String>) {
        self.problems.add(path, message);
    }

    /// "expected {what}, got {node}".
    pub fn expected(&mut self, path: &Path<'_>, what: &str, node: &Node) {
        let got = describe(node, self.format);
        self.problem(path, format!("expected {what}, got {got}"));
    }
}

/// A string as the file would write it, cut short when long so one problem
/// stays one readable line.
pub(super) fn quote(text: &str) -> String {
    const LONGEST: usize = 40;
    let quoted = serde_json::Value::String(text.to_owned()).to_string();
    if quoted.chars().count() <= LONGEST {
        return quoted;
    }
    let head: String = quoted.chars().take(LONGEST - 4).collect();
    format!("{head}...\"")
}

/// A value as a problem message shows it: short scalars as written, other
/// things by what they are.
pub(super) fn describe(node: &Node, format: Format) -> String {
    match node {
        Node::Null => "null".to_owned(),
        Node::Bool(b) => b.to_string(),
        Node::Int(i) => i.to_string(),
        // As TOML writes them (JSON has no such numbers); Rust prints `NaN`.
        Node::Float(f) if f.is_nan() => "nan".to_owned(),
        Node::Float(f) => f.to_string(),
        Node::Str(s) => quote(s),
        Node::Time(t) => format!("the date-time {t}"),
        Node::Array(_) => "an array".to_owned(),
        Node::Object(_) => object_word(format).to_owned(),
    }
}

/// "an object" in JSON, "a table" in TOML.
pub(super) fn object_word(format: Format) -> &'static str {
    match format {
        Format::Json => "an object",
        Format::Toml => "a table",
    }
}

/// Reads the items of an array, or reports that `node` is not one.
pub(super) fn array<'n>(ctx: &mut Ctx, node: &'n Node, path: &Path<'_>) -> Option<&'n [Node]> {
    match node {
        Node::Array(items) => Some(items),
        _ => {
            ctx.expected(path, "an array", node);
            None
        }
    }
}

/// Reads a string, or reports that `node` is not one.
pub(super) fn string<'n>(ctx: &mut Ctx, node: &'n Node, path: &Path<'_>) -> Option<&'n str> {
    match node {
        Node::Str(s) => Some(s),
        _ => {
            ctx.expected(path, "a string", node);
            None
        }
    }
}

/// Reads an identifier: a non-empty string.
pub(super) fn id(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<String> {
    let id = string(ctx, node, path)?;
    if id.is_empty() {
        ctx.problem(path, "must not be empty");
        return None;
    }
    Some(id.to_owned())
}

/// Reads `true` or `false`.
pub(super) fn boolean(ctx: &mut Ctx, node: &Node, path: &Path<'_>) -> Option<bool> {
    match node {
        Node::Bool(b) => Some(*b),
        _ => {
            ctx.expected(path, "true or false", node);
            None
        }
    }
}

/// The keys of one object of the file, checked against the keys its place
/// allows.
pub(super) struct Fields<'n, 'p> {
    path: Path<'p>,
    entries: &'n [(String, Node)],
    /// Known keys suggested for unknown ones (`ammount` -> `amount`). Such a
    /// key is not also reported missing: the suggestion already says how to
    /// fix the file.
    suggested: Vec<&'static str>,
}

impl<'n, 'p> Fields<'n, 'p> {
    /// Opens `node` as an object whose keys must be among `known`. Reports a
    /// node that is not an object, and each unknown or repeated key.
    pub fn open(
        ctx: &mut Ctx,
        node: &'n Node,
        path: Path<'p>,
        known: &[&'static str],
    ) -> Option<Fields<'n, 'p>> {
        let Node::Object(entries) = node else {
            let what = object_word(ctx.format);
            ctx.expected(&path, what, node);
            return None;
        };
        let mut fields = Fields {
            path,
            entries,
            suggested: Vec::new(),
        };
        fields.check_keys(ctx, known);
        Some(fields)
    }

    fn check_keys(&mut self, ctx: &mut Ctx, known: &[&'static str]) {
        for (index, (key, _)) in self.entries.iter().enumerate() {
            if self.repeats(index) {
                ctx.problem(self.key_path(key), "appears more than once; keep one");
            } else if !known.contains(&key.as_str()) {
                let close = suggest::closest(key, known.iter().copied());
                ctx.problem(self.key_path(key), unknown_field(close, known));
                self.suggested.extend(close);
            }
        }
    }

    /// Whether entry `index` repeats an earlier key. Objects in a replay file
    /// have a handful of keys, where a scan beats hashing; a set is built
    /// only for a large one, which would otherwise cost quadratic time.
    fn repeats(&self, index: usize) -> bool {
        const SCAN_UP_TO: usize = 16;
        let key = &self.entries[index].0;
        if self.entries.len() <= SCAN_UP_TO {
            return self.entries[..index].iter().any(|(k, _)| k == key);
        }
        let earlier: HashSet<&str> = self.entries[..index]
            .iter()
            .map(|(k, _)| k.as_str())
            .collect();
        earlier.contains(key.as_str())
    }

    /// Whether `key` was suggested for a misspelt key of this object.
    pub fn was_suggested(&self, key: &str) -> bool {
        self.suggested.contains(&key)
    }

    /// The object's own path.
    pub fn path(&self) -> &Path<'p> {
        &self.path
    }

    /// The path of one of its keys.
    pub fn key_path<'k>(&'k self, key: &'k str) -> Path<'k> {
        self.path.key(key)
    }

    /// The value under `key`; `null` counts as absent, so a file can spell
    /// out "the default" either way.
    pub fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
            .filter(|v| **v != Node::Null)
    }

    pub fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Reads `key` with `read`, reporting it missing if absent.
    pub fn required<T>(
        &self,
        ctx: &mut Ctx,
        key: &str,
        read: impl FnOnce(&mut Ctx, &'n Node, &Path<'_>) -> Option<T>,
    ) -> Option<T> {
        match self.get(key) {
            Some(node) => read(ctx, node, &self.key_path(key)),
            None => {
                if !self.was_suggested(key) {
                    ctx.problem(self.path, format!("missing required field \"{key}\""));
                }
                None
            }
        }
    }

    /// Reads `key` with `read`; `None` if absent or bad (and then reported).
    pub fn optional<T>(
        &self,
        ctx: &mut Ctx,
        key: &str,
        read: impl FnOnce(&mut Ctx, &'n Node, &Path<'_>) -> Option<T>,
    ) -> Option<T> {
        let node = self.get(key)?;
        read(ctx, node, &self.key_path(key))
    }
}

fn unknown_field(close: Option<&str>, known: &[&str]) -> String {
    match close {
        Some(close) => format!("unknown field; did you mean \"{close}\"?"),
        None => format!("unknown field; expected one of {}", known.join(", ")),
    }
}

/// Reads one of a fixed set of names (`kind`, `order`, `rule`).
pub(super) fn one_of<T>(
    ctx: &mut Ctx,
    node: &Node,
    path: &Path<'_>,
    what: &str,
    names: &[&str],
    from_name: impl Fn(&str) -> Option<T>,
) -> Option<T> {
    let Node::Str(name) = node else {
        ctx.expected(path, &format!("one of {}", names.join(", ")), node);
        return None;
    };
    let value = from_name(name);
    if value.is_none() {
        let message = format!(
            "unknown {what} {}; expected one of {}",
            quote(name),
            names.join(", ")
        );
        ctx.problem(path, message);
    }
    value
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::replay::path::GRANTS;

    #[test]
    fn unknown_fields_suggest_the_closest_known_one() {
        let mut ctx = Ctx::new(Format::Json);
        let node = Node::Object(vec![
            ("ammount".into(), Node::Int(1)),
            ("zzz".into(), Node::Int(1)),
            ("id".into(), Node::Int(1)),
            ("id".into(), Node::Int(2)),
        ]);
        Fields::open(&mut ctx, &node, GRANTS.index(0), &["id", "amount"]).unwrap();
        let lines: Vec<String> = ctx
            .problems
            .into_vec()
            .iter()
            .map(|p| p.to_string())
            .collect();
        assert_eq!(
            lines,
            [
                "grants[0].ammount: unknown field; did you mean \"amount\"?",
                "grants[0].zzz: unknown field; expected one of id, amount",
                "grants[0].id: appears more than once; keep one",
            ]
        );
    }

    #[test]
    fn long_strings_are_cut_short() {
        let long = "x".repeat(100);
        assert_eq!(quote(&long).chars().count(), 40);
        assert!(quote(&long).ends_with("...\""));
    }

    #[test]
    fn problems_past_the_limit_are_counted() {
        let mut problems = Problems::default();
        for i in 0..MAX_PROBLEMS + 3 {
            problems.add(format!("events[{i}]"), "bad");
        }
        let list = problems.into_vec();
        assert_eq!(list.len(), MAX_PROBLEMS + 1);
        assert_eq!(
            list[MAX_PROBLEMS].to_string(),
            "and 3 more problems (only the first 100 are listed)"
        );
    }
}
