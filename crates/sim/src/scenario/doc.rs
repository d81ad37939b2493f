//! The parsed TOML document with the source span of every key and value,
//! and field paths (`plans[1].exhaustion.limit`) to move between a place in
//! the typed scenario and a line and column in the file.
//!
//! Errors found on the typed scenario are located by walking their field
//! path through this document. A path that does not exist in the file (the
//! field was left to its default) resolves to its nearest written ancestor,
//! so every error has a place.

use std::fmt;
use std::ops::Range;

use toml::Spanned;
use toml::de::{DeTable, DeValue};

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Seg {
    Key(String),
    Index(usize),
}

/// Where a value sits in the document: `segments[0].tasks.steps`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FieldPath(Vec<Seg>);

impl FieldPath {
    pub fn root() -> FieldPath {
        FieldPath(Vec::new())
    }

    /// This path extended by a key.
    pub fn key(&self, key: &str) -> FieldPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Key(key.to_owned()));
        FieldPath(segs)
    }

    /// This path extended by an array index.
    pub fn index(&self, index: usize) -> FieldPath {
        let mut segs = self.0.clone();
        segs.push(Seg::Index(index));
        FieldPath(segs)
    }

    /// A path extended by a dotted suffix such as `values[3]` (from a
    /// distribution's parameter name).
    pub fn suffix(&self, suffix: &str) -> FieldPath {
        let mut path = self.clone();
        for part in suffix.split('.') {
            match part.split_once('[') {
                Some((key, rest)) => {
                    path = path.key(key);
                    if let Ok(i) = rest.trim_end_matches(']').parse() {
                        path = path.index(i);
                    }
                }
                None => path = path.key(part),
            }
        }
        path
    }

    pub fn is_root(&self) -> bool {
        self.0.is_empty()
    }

    pub(crate) fn segs(&self) -> &[Seg] {
        &self.0
    }
}

impl fmt::Display for FieldPath {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, seg) in self.0.iter().enumerate() {
            match seg {
                Seg::Index(index) => write!(f, "[{index}]")?,
                Seg::Key(key) => {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    let bare = !key.is_empty()
                        && key
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
                    if bare {
                        f.write_str(key)?;
                    } else {
                        write!(f, "{key:?}")?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The document and its source text.
pub(crate) struct Doc<'a> {
    text: &'a str,
    root: Spanned<DeTable<'a>>,
    /// Byte offset at which each line starts.
    line_starts: Vec<usize>,
}

impl<'a> Doc<'a> {
    /// Parses `text`, recovering where it can; the errors are the syntax
    /// errors.
    pub fn parse(text: &'a str) -> (Doc<'a>, Vec<toml::de::Error>) {
        let (root, errors) = DeTable::parse_recoverable(text);
        let line_starts = std::iter::once(0)
            .chain(text.match_indices('\n').map(|(i, _)| i + 1))
            .collect();
        let doc = Doc {
            text,
            root,
            line_starts,
        };
        (doc, errors)
    }

    pub fn root(&self) -> &DeTable<'a> {
        self.root.get_ref()
    }

    /// The whole document, for serde.
    pub fn clone_root(&self) -> Spanned<DeTable<'a>> {
        self.root.clone()
    }

    /// 1-based line and column (in characters) of a byte offset.
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&start| start <= offset) - 1;
        let line_start = self.line_starts[line];
        let column = self
            .text
            .get(line_start..offset)
            .map_or(0, |prefix| prefix.chars().count());
        (line + 1, column + 1)
    }

    /// The span of the value at `path`, or of its nearest written ancestor.
    /// The root table has no span of its own: it is the file's start.
    pub fn locate(&self, path: &FieldPath) -> Range<usize> {
        let mut span = 0..0;
        let mut table = Some(self.root());
        let mut array: Option<&toml::de::DeArray<'a>> = None;
        for seg in path.segs() {
            let found = match (seg, table, array) {
                (Seg::Key(key), Some(t), _) => t.get(key.as_str()),
                (Seg::Index(i), _, Some(a)) => a.get(*i),
                _ => None,
            };
            let Some(value) = found else { break };
            span = value.span();
            table = value.get_ref().as_table();
            array = value.get_ref().as_array();
        }
        span
    }

    /// Whether the value at `path` is written as a table.
    pub fn is_table(&self, path: &FieldPath) -> bool {
        self.value_at(path).is_some_and(DeValue::is_table)
    }

    /// Whether the whole `path` is written in the file (not left to a
    /// default).
    pub fn is_written(&self, path: &FieldPath) -> bool {
        self.value_at(path).is_some()
    }

    /// The value at `path`, when the whole path is written.
    fn value_at(&self, path: &FieldPath) -> Option<&DeValue<'a>> {
        let mut value: Option<&DeValue<'a>> = None;
        for seg in path.segs() {
            let next = match (seg, value) {
                (Seg::Key(key), None) => self.root().get(key.as_str()),
                (Seg::Key(key), Some(v)) => v.as_table()?.get(key.as_str()),
                (Seg::Index(i), Some(v)) => v.as_array()?.get(*i),
                (Seg::Index(_), None) => None,
            }?;
            value = Some(next.get_ref());
        }
        value
    }

    /// The deepest path whose key or value span contains `offset`: where a
    /// serde error with only a span happened.
    pub fn path_at(&self, offset: usize) -> FieldPath {
        let mut path = FieldPath::root();
        let mut table = Some(self.root());
        let mut array: Option<&toml::de::DeArray<'a>> = None;
        loop {
            let mut next = None;
            if let Some(t) = table {
                for (key, value) in t.iter() {
                    if key.span().contains(&offset)
                        || value.span().contains(&offset)
                        || contains_deep(value, offset)
                    {
                        next = Some((Seg::Key(key.get_ref().to_string()), value));
                        break;
                    }
                }
            } else if let Some(a) = array {
                for (i, value) in a.iter().enumerate() {
                    if value.span().contains(&offset) || contains_deep(value, offset) {
                        next = Some((Seg::Index(i), value));
                        break;
                    }
                }
            }
            let Some((seg, value)) = next else {
                return path;
            };
            path.0.push(seg);
            table = value.get_ref().as_table();
            array = value.get_ref().as_array();
        }
    }
}

/// Whether any key or value inside `value` spans `offset`. The span of a
/// `[[table]]` array element is only its header, so its body is searched.
fn contains_deep(value: &Spanned<DeValue<'_>>, offset: usize) -> bool {
    match value.get_ref() {
        DeValue::Table(t) => t.iter().any(|(k, v)| {
            k.span().contains(&offset) || v.span().contains(&offset) || contains_deep(v, offset)
        }),
        DeValue::Array(a) => a
            .iter()
            .any(|v| v.span().contains(&offset) || contains_deep(v, offset)),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "version = 1\n\n[[plans]]\nid = \"a\"\n\n[[plans]]\nid = \"b\"\n[plans.exhaustion]\nrule = \"overdraft\"\nlimit = -5\n";

    #[test]
    fn paths_display_like_field_access() {
        let path = FieldPath::root()
            .key("plans")
            .index(1)
            .key("exhaustion")
            .key("limit");
        assert_eq!(path.to_string(), "plans[1].exhaustion.limit");
        assert_eq!(FieldPath::root().key("a b").to_string(), "\"a b\"");
        assert_eq!(
            FieldPath::root().key("d").suffix("values[3]").to_string(),
            "d.values[3]"
        );
    }

    #[test]
    fn locates_values_and_falls_back_to_ancestors() {
        let (doc, errors) = Doc::parse(TEXT);
        assert!(errors.is_empty());
        let limit = FieldPath::root()
            .key("plans")
            .index(1)
            .key("exhaustion")
            .key("limit");
        assert_eq!(doc.line_col(doc.locate(&limit).start), (10, 9));
        let missing = FieldPath::root().key("plans").index(0).key("billing");
        assert_eq!(doc.line_col(doc.locate(&missing).start), (3, 1));
        assert_eq!(
            doc.line_col(doc.locate(&FieldPath::root().key("nope")).start),
            (1, 1)
        );
    }

    #[test]
    fn finds_the_path_at_an_offset() {
        let (doc, _) = Doc::parse(TEXT);
        let offset = TEXT.find("-5").unwrap();
        assert_eq!(doc.path_at(offset).to_string(), "plans[1].exhaustion.limit");
        let offset = TEXT.find("\"a\"").unwrap();
        assert_eq!(doc.path_at(offset).to_string(), "plans[0].id");
    }
}
