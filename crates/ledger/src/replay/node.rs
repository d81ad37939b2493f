//! The syntax layer: JSON or TOML text into one tree, [`Node`], that the
//! checker walks. Objects keep every key in file order, repeated keys
//! included, so the checker can report a key written twice instead of
//! silently keeping one (serde_json's `Value` keeps the last).

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Format, Problem};

/// A value from a replay file.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Node {
    Null,
    Bool(bool),
    /// JSON integers (`u64` or `i64`) and TOML integers, exactly.
    Int(i128),
    /// Any other number. Read as a decimal through its shortest form.
    Float(f64),
    Str(String),
    /// A TOML date-time, as RFC 3339 text (without an offset for TOML's
    /// local forms, which then fail to read as a time, with a hint).
    Time(String),
    Array(Vec<Node>),
    Object(Vec<(String, Node)>),
}

/// Parses `text` into a tree, or names where its syntax breaks.
pub(super) fn load(text: &str, format: Format) -> Result<Node, Problem> {
    // Some editors start UTF-8 files with a byte-order mark; neither parser
    // takes one, and it is invisible, so columns still match the editor's.
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match format {
        Format::Json => serde_json::from_str(text).map_err(json_problem),
        Format::Toml => {
            let table: toml::Table = text.parse().map_err(|e| toml_problem(text, &e))?;
            Ok(from_toml(toml::Value::Table(table)))
        }
    }
}

fn json_problem(error: serde_json::Error) -> Problem {
    // serde_json appends " at line L column C" to its message; the place goes
    // in the path instead, like every other problem's.
    let message = error.to_string();
    let suffix = format!(" at line {} column {}", error.line(), error.column());
    let message = message.strip_suffix(&suffix).unwrap_or(&message);
    Problem::new(
        format!("line {}, column {}", error.line(), error.column()),
        format!("invalid JSON: {message}"),
    )
}

fn toml_problem(text: &str, error: &toml::de::Error) -> Problem {
    // toml's Display is a multi-line snippet; one line per problem is wanted,
    // so the place is computed from the span and only the message kept.
    let message = error.message().trim_end().replace('\n', "; ");
    let path = match error.span() {
        Some(span) => {
            let (line, column) = line_and_column(text, span.start);
            format!("line {line}, column {column}")
        }
        None => String::new(),
    };
    Problem::new(path, format!("invalid TOML: {message}"))
}

/// 1-based line and column (in characters) of a byte offset.
fn line_and_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..text.floor_char_boundary(offset.min(text.len()))];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

fn from_toml(value: toml::Value) -> Node {
    match value {
        toml::Value::String(s) => Node::Str(s),
        toml::Value::Integer(i) => Node::Int(i128::from(i)),
        toml::Value::Float(f) => Node::Float(f),
        toml::Value::Boolean(b) => Node::Bool(b),
        toml::Value::Datetime(dt) => Node::Time(toml_datetime_text(&dt)),
        toml::Value::Array(items) => Node::Array(items.into_iter().map(from_toml).collect()),
        toml::Value::Table(table) => {
            Node::Object(table.into_iter().map(|(k, v)| (k, from_toml(v))).collect())
        }
    }
}

/// RFC 3339 text for a TOML date-time. TOML 1.1 lets seconds be left out
/// (`07:32`) and toml prints them that way; RFC 3339 needs them, so the text
/// is built here with seconds always present.
pub(super) fn toml_datetime_text(dt: &toml::value::Datetime) -> String {
    let mut text = String::new();
    if let Some(date) = &dt.date {
        text.push_str(&date.to_string());
    }
    if let Some(time) = &dt.time {
        if dt.date.is_some() {
            text.push('T');
        }
        let second = time.second.unwrap_or(0);
        text.push_str(&format!("{:02}:{:02}:{second:02}", time.hour, time.minute));
        if let Some(nanos) = time.nanosecond.filter(|n| *n > 0) {
            let digits = format!("{nanos:09}");
            text.push('.');
            text.push_str(digits.trim_end_matches('0'));
        }
    }
    if let Some(offset) = &dt.offset {
        text.push_str(&offset.to_string());
    }
    text
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Node, D::Error> {
        deserializer.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_bool<E: de::Error>(self, b: bool) -> Result<Node, E> {
        Ok(Node::Bool(b))
    }
    fn visit_i64<E: de::Error>(self, i: i64) -> Result<Node, E> {
        Ok(Node::Int(i128::from(i)))
    }
    fn visit_u64<E: de::Error>(self, u: u64) -> Result<Node, E> {
        Ok(Node::Int(i128::from(u)))
    }
    fn visit_f64<E: de::Error>(self, f: f64) -> Result<Node, E> {
        Ok(Node::Float(f))
    }
    fn visit_str<E: de::Error>(self, s: &str) -> Result<Node, E> {
        Ok(Node::Str(s.to_owned()))
    }
    fn visit_string<E: de::Error>(self, s: String) -> Result<Node, E> {
        Ok(Node::Str(s))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Node::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries = Vec::new();
        while let Some((key, value)) = map.next_entry::<String, Node>()? {
            entries.push((key, value));
        }
        Ok(Node::Object(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toml_node(text: &str) -> Node {
        load(text, Format::Toml).unwrap()
    }

    #[test]
    fn json_objects_keep_repeated_keys_in_order() {
        let node = load(r#"{"b": 1, "a": 2, "b": 3}"#, Format::Json).unwrap();
        let Node::Object(entries) = node else {
            panic!("{node:?}")
        };
        let keys: Vec<&str> = entries.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["b", "a", "b"]);
    }

    #[test]
    fn json_numbers_keep_integers_exact() {
        let node = load(
            "[18446744073709551615, -9223372036854775808, 0.1]",
            Format::Json,
        );
        assert_eq!(
            node.unwrap(),
            Node::Array(vec![
                Node::Int(i128::from(u64::MAX)),
                Node::Int(i128::from(i64::MIN)),
                Node::Float(0.1)
            ])
        );
    }

    #[test]
    fn toml_datetimes_become_rfc3339_text() {
        let node = toml_node(
            "a = 2025-01-01T00:00:00Z\nb = 2025-01-01 07:32Z\nc = 2025-01-01T00:00:00.250+01:00\n\
             d = 2025-01-01T00:00:00\ne = 2025-01-01\n",
        );
        let Node::Object(entries) = node else {
            panic!("{node:?}")
        };
        let texts: Vec<Node> = entries.into_iter().map(|(_, v)| v).collect();
        assert_eq!(
            texts,
            [
                Node::Time("2025-01-01T00:00:00Z".into()),
                Node::Time("2025-01-01T07:32:00Z".into()),
                Node::Time("2025-01-01T00:00:00.25+01:00".into()),
                Node::Time("2025-01-01T00:00:00".into()),
                Node::Time("2025-01-01".into()),
            ]
        );
    }

    #[test]
    fn toml_tables_keep_file_order() {
        let node = toml_node("[t]\nz = 1\na = 2\n");
        let Node::Object(root) = node else { panic!() };
        let Node::Object(t) = &root[0].1 else {
            panic!()
        };
        assert_eq!(t[0].0, "z");
        assert_eq!(t[1].0, "a");
    }

    #[test]
    fn syntax_errors_name_line_and_column() {
        let json = load("{\n  \"a\": 1,\n  \"b\" 2\n}", Format::Json).unwrap_err();
        assert_eq!(
            json.to_string(),
            "line 3, column 7: invalid JSON: expected `:`"
        );
        let toml = load("a = 1\nb = = 2\n", Format::Toml).unwrap_err();
        assert!(
            toml.to_string()
                .starts_with("line 2, column 5: invalid TOML: "),
            "{toml}"
        );
    }

    #[test]
    fn a_byte_order_mark_is_skipped() {
        assert_eq!(
            load("\u{feff}{}", Format::Json),
            Ok(Node::Object(Vec::new()))
        );
        assert_eq!(load("\u{feff}a = 1", Format::Toml).map(|_| ()), Ok(()));
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        assert_eq!(line_and_column("é = x", 5), (1, 5));
        assert_eq!(line_and_column("a\nbc", 3), (2, 2));
    }
}
