//! The shape check: walks the parsed document against the scenario's JSON
//! Schema (generated from the Rust types) and reports every type error,
//! unknown key, missing key, unknown name and unreadable value at once, each
//! at its own span.
//!
//! Serde stops at the first error it meets, which would make a user fix a
//! file one error at a time. Checking against the schema first finds them
//! all, and it keeps the loader and the schema editors see in agreement:
//! the schema is exercised by every load. Only the subset of JSON Schema
//! that schemars emits is understood: `$ref`, `type`, `properties`,
//! `required`, `additionalProperties`, `items`, `minItems`, `maxItems`,
//! `enum`, `const`, `oneOf`, `anyOf`, `minimum`, `maximum` and `format`
//! (the integer formats, and `decimal`, `date` and `period` of
//! [`super::values`]). A document that passes deserializes; if serde still
//! objects, the loader reports that too.

use std::ops::Range;

use ledger::Period;
use serde_json::{Map, Value};
use toml::de::{DeTable, DeValue};

use super::doc::{self, FieldPath};
use super::error::{ErrorCode, Issue};
use super::values::{Date, Exact, FORMAT_DATE, FORMAT_DECIMAL, FORMAT_PERIOD, PERIOD_EXPECTED};

/// Every shape problem of `root` against `schema` (a root schema with `$defs`).
pub(crate) fn check(root: &DeTable<'_>, schema: &Value) -> Vec<Issue> {
    let empty = Map::new();
    let defs = schema
        .get("$defs")
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let mut shape = Shape {
        defs,
        issues: Vec::new(),
    };
    shape.table(schema, root, 0..0, &FieldPath::root());
    shape.issues
}

struct Shape<'s> {
    defs: &'s Map<String, Value>,
    issues: Vec<Issue>,
}

/// References nest at most this deep; deeper is a bug in the schema.
const MAX_REF_DEPTH: usize = 32;

impl<'s> Shape<'s> {
    /// Follows `$ref`s to the schema that says something.
    fn resolve(&self, mut schema: &'s Value) -> &'s Value {
        for _ in 0..MAX_REF_DEPTH {
            let Some(name) = schema
                .get("$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            else {
                return schema;
            };
            match self.defs.get(name) {
                Some(target) => schema = target,
                None => return schema,
            }
        }
        schema
    }

    /// The alternatives of a choice, resolved, without `null` (absent in TOML).
    fn branches(&self, schema: &'s Value) -> Option<Vec<&'s Value>> {
        let list = schema
            .get("anyOf")
            .or_else(|| schema.get("oneOf"))?
            .as_array()?;
        Some(
            list.iter()
                .map(|b| self.resolve(b))
                .filter(|b| b.get("type").and_then(Value::as_str) != Some("null"))
                .collect(),
        )
    }

    fn accepts(&self, schema: &'s Value, value: &DeValue<'_>) -> bool {
        let schema = self.resolve(schema);
        if let Some(branches) = self.branches(schema) {
            return branches.iter().any(|b| self.accepts(b, value));
        }
        let format = schema.get("format").and_then(Value::as_str);
        match schema.get("type") {
            None => true,
            Some(Value::String(ty)) => type_matches(ty, value, format),
            Some(Value::Array(types)) => types
                .iter()
                .filter_map(Value::as_str)
                .any(|ty| type_matches(ty, value, format)),
            Some(_) => true,
        }
    }

    /// What a schema expects, in words: "a number or a table".
    fn describe(&self, schema: &'s Value) -> String {
        let schema = self.resolve(schema);
        if let Some(branches) = self.branches(schema) {
            let mut words: Vec<String> = Vec::new();
            for branch in branches {
                let word = self.describe(branch);
                if !words.contains(&word) {
                    words.push(word);
                }
            }
            return words.join(" or ");
        }
        match schema.get("format").and_then(Value::as_str) {
            Some(FORMAT_DECIMAL) => return "a decimal number".to_owned(),
            Some(FORMAT_DATE) => return "a date like 2026-01-01".to_owned(),
            Some(FORMAT_PERIOD) => return "a period like \"1M\"".to_owned(),
            _ => {}
        }
        let types: Vec<&str> = match schema.get("type") {
            Some(Value::String(ty)) => vec![ty.as_str()],
            Some(Value::Array(types)) => types.iter().filter_map(Value::as_str).collect(),
            _ => vec![],
        };
        let words: Vec<&str> = types
            .iter()
            .filter_map(|ty| match *ty {
                "object" => Some("a table"),
                "array" => Some("an array"),
                "string" => Some("a string"),
                "integer" => Some("an integer"),
                "number" => Some("a number"),
                "boolean" => Some("true or false"),
                _ => None,
            })
            .collect();
        if words.is_empty() {
            "a value".to_owned()
        } else {
            words.join(" or ")
        }
    }

    fn push(&mut self, issue: Issue) {
        self.issues.push(issue);
    }

    fn value(
        &mut self,
        schema: &'s Value,
        value: &DeValue<'_>,
        span: Range<usize>,
        path: &FieldPath,
    ) {
        let schema = self.resolve(schema);
        if let Some(branches) = self.branches(schema) {
            self.choice(schema, branches, value, span, path);
            return;
        }
        if !self.accepts(schema, value) {
            let message = format!("expected {}, found {}", self.describe(schema), found(value));
            self.push(Issue::new(
                ErrorCode::TypeMismatch,
                span,
                path.clone(),
                message,
            ));
            return;
        }
        match value {
            DeValue::Table(table) => self.table(schema, table, span, path),
            DeValue::Array(items) => {
                self.array_length(schema, items.len(), &span, path);
                if let Some(item_schema) = schema.get("items") {
                    for (i, item) in items.iter().enumerate() {
                        self.value(item_schema, item.get_ref(), item.span(), &path.index(i));
                    }
                }
            }
            DeValue::String(text) => self.string(schema, text, span, path),
            DeValue::Integer(integer) => {
                let parsed = i64::from_str_radix(integer.as_str(), integer.radix()).ok();
                if let Some(n) = parsed {
                    self.range(schema, n as f64, &n.to_string(), span, path);
                }
            }
            DeValue::Float(float) => self.float(schema, float.as_str(), span, path),
            DeValue::Datetime(datetime) => {
                if Date::from_toml(datetime).is_none() {
                    let message = format!("expected a date like 2026-01-01, found {datetime}");
                    self.push(
                        Issue::new(ErrorCode::InvalidValue, span, path.clone(), message)
                            .hint("scenario dates are whole UTC days, without a time or offset"),
                    );
                }
            }
            DeValue::Boolean(_) => {}
        }
    }

    /// A value that may take one of several shapes: a named variant of an
    /// enum, a table picked by its tag (`dist`, `rule`, `mode`), or the
    /// branch the value fits best.
    fn choice(
        &mut self,
        schema: &'s Value,
        branches: Vec<&'s Value>,
        value: &DeValue<'_>,
        span: Range<usize>,
        path: &FieldPath,
    ) {
        let fitting: Vec<&Value> = branches
            .iter()
            .copied()
            .filter(|b| self.accepts(b, value))
            .collect();
        match fitting.as_slice() {
            [] => {
                let message = format!("expected {}, found {}", self.describe(schema), found(value));
                self.push(Issue::new(
                    ErrorCode::TypeMismatch,
                    span,
                    path.clone(),
                    message,
                ));
                return;
            }
            [only] if const_names(only).is_empty() => {
                self.value(only, value, span, path);
                return;
            }
            _ => {}
        }
        if let DeValue::String(text) = value {
            let names: Vec<&str> = fitting.iter().flat_map(|b| const_names(b)).collect();
            if names.len() == fitting.len() {
                self.name(text, &names, "value", span, path);
                return;
            }
        }
        if let DeValue::Table(table) = value
            && let Some(tag) = discriminator(&fitting)
        {
            self.tagged(&fitting, tag, table, span, path);
            return;
        }
        // No way to tell the intended branch: report the closest fit.
        let mut best: Option<Vec<Issue>> = None;
        for branch in fitting {
            let mut trial = Shape {
                defs: self.defs,
                issues: Vec::new(),
            };
            trial.value(branch, value, span.clone(), path);
            if best.as_ref().is_none_or(|b| trial.issues.len() < b.len()) {
                best = Some(trial.issues);
            }
        }
        self.issues.extend(best.unwrap_or_default());
    }

    /// A table whose variant is named by its `tag` key.
    fn tagged(
        &mut self,
        branches: &[&'s Value],
        tag: &str,
        table: &DeTable<'_>,
        span: Range<usize>,
        path: &FieldPath,
    ) {
        let names: Vec<&str> = branches
            .iter()
            .filter_map(|b| b.pointer(&format!("/properties/{tag}/const"))?.as_str())
            .collect();
        let Some(tag_value) = table.get(tag) else {
            let message = format!("missing required field `{tag}`");
            self.push(
                Issue::new(ErrorCode::MissingField, span, path.key(tag), message)
                    .hint(format!("one of {}", or_list(&names))),
            );
            return;
        };
        let DeValue::String(text) = tag_value.get_ref() else {
            let message = format!("expected a string, found {}", found(tag_value.get_ref()));
            self.push(Issue::new(
                ErrorCode::TypeMismatch,
                tag_value.span(),
                path.key(tag),
                message,
            ));
            return;
        };
        let Some(chosen) = names.iter().position(|n| n == text) else {
            self.name(text, &names, tag, tag_value.span(), &path.key(tag));
            return;
        };
        let before = self.issues.len();
        self.table(branches[chosen], table, span, path);
        // A key of another variant: say which one it belongs to.
        for issue in &mut self.issues[before..] {
            if issue.code != ErrorCode::UnknownField {
                continue;
            }
            let Some(doc::Seg::Key(key)) = issue.path.segs().last() else {
                continue;
            };
            let owner = branches
                .iter()
                .zip(&names)
                .find(|(b, _)| b.pointer(&format!("/properties/{key}")).is_some());
            if let Some((_, owner)) = owner {
                issue.hint = Some(format!("`{key}` goes with {tag} = \"{owner}\""));
            }
        }
    }

    /// A string that must be one of `names`.
    fn name(
        &mut self,
        text: &str,
        names: &[&str],
        what: &str,
        span: Range<usize>,
        path: &FieldPath,
    ) {
        if names.contains(&text) {
            return;
        }
        let message = format!("unknown {what} `{text}`");
        let hint = match closest(text, names.iter().copied()) {
            Some(close) => format!("did you mean `{close}`? expected {}", or_list(names)),
            None => format!("expected {}", or_list(names)),
        };
        self.push(Issue::new(ErrorCode::UnknownVariant, span, path.clone(), message).hint(hint));
    }

    fn table(
        &mut self,
        schema: &'s Value,
        table: &DeTable<'_>,
        span: Range<usize>,
        path: &FieldPath,
    ) {
        let properties = schema.get("properties").and_then(Value::as_object);
        let property = |name: &str| properties.and_then(|p| p.get(name));
        let closed = schema.get("additionalProperties") == Some(&Value::Bool(false));
        for (key, value) in table.iter() {
            let name = key.get_ref().as_ref();
            match property(name) {
                Some(property) => {
                    self.value(property, value.get_ref(), value.span(), &path.key(name))
                }
                None if closed => {
                    let known: Vec<&str> = properties
                        .into_iter()
                        .flat_map(|p| p.keys().map(String::as_str))
                        .collect();
                    let hint = match closest(name, known.iter().copied()) {
                        Some(close) => format!("did you mean `{close}`?"),
                        None if known.is_empty() => "this table takes no other fields".to_owned(),
                        None => format!("expected {}", or_list(&known)),
                    };
                    let message = format!("unknown field `{name}`");
                    self.push(
                        Issue::new(ErrorCode::UnknownField, key.span(), path.key(name), message)
                            .hint(hint),
                    );
                }
                None => {}
            }
        }
        let required = schema.get("required").and_then(Value::as_array);
        for name in required.into_iter().flatten().filter_map(Value::as_str) {
            if table.get(name).is_none() {
                let description = property(name).and_then(|p| {
                    p.get("description")
                        .or_else(|| self.resolve(p).get("description"))
                        .and_then(Value::as_str)
                });
                let message = format!("missing required field `{name}`");
                self.push(
                    Issue::new(
                        ErrorCode::MissingField,
                        span.clone(),
                        path.key(name),
                        message,
                    )
                    .maybe_hint(description.map(first_sentence)),
                );
            }
        }
    }

    fn array_length(&mut self, schema: &Value, len: usize, span: &Range<usize>, path: &FieldPath) {
        let min = schema.get("minItems").and_then(Value::as_u64);
        let max = schema.get("maxItems").and_then(Value::as_u64);
        let len = len as u64;
        let message = match (min, max) {
            (Some(min), Some(max)) if min == max && len != min => {
                format!("must have {min} entries, found {len}")
            }
            (Some(min), _) if len < min => format!("must have at least {min} entries, found {len}"),
            (_, Some(max)) if len > max => format!("must have at most {max} entries, found {len}"),
            _ => return,
        };
        self.push(Issue::new(
            ErrorCode::OutOfRange,
            span.clone(),
            path.clone(),
            message,
        ));
    }

    fn string(&mut self, schema: &'s Value, text: &str, span: Range<usize>, path: &FieldPath) {
        if let Some(names) = schema.get("enum").and_then(Value::as_array) {
            let names: Vec<&str> = names.iter().filter_map(Value::as_str).collect();
            self.name(text, &names, "value", span.clone(), path);
        }
        let (message, hint) = match schema.get("format").and_then(Value::as_str) {
            Some(FORMAT_DECIMAL) if Exact::parse(text).is_none() => (
                format!("`{text}` is not a decimal number"),
                "write digits with an optional point, like \"12.50\"",
            ),
            Some(FORMAT_DATE) if Date::parse(text).is_none() => (
                format!("`{text}` is not a date"),
                "write YYYY-MM-DD, like 2026-01-01",
            ),
            Some(FORMAT_PERIOD) if Period::parse(text).is_none() => {
                (format!("`{text}` is not a period"), PERIOD_EXPECTED)
            }
            _ => return,
        };
        self.push(Issue::new(ErrorCode::InvalidValue, span, path.clone(), message).hint(hint));
    }

    /// A TOML float. Where an exact decimal is expected, its written digits
    /// must survive the trip through `f64` that serde makes them take.
    fn float(&mut self, schema: &'s Value, text: &str, span: Range<usize>, path: &FieldPath) {
        let text = text.replace('_', "");
        let Ok(value) = text.parse::<f64>() else {
            return;
        };
        if !value.is_finite() {
            let message = format!("must be a finite number, found {text}");
            self.push(Issue::new(
                ErrorCode::InvalidValue,
                span,
                path.clone(),
                message,
            ));
            return;
        }
        if schema.get("format").and_then(Value::as_str) == Some(FORMAT_DECIMAL) {
            let written = Exact::parse(text.trim_start_matches('+'));
            if written.is_some() && written != Exact::from_f64(value) {
                let message = format!("{text} has more digits than a TOML number keeps exactly");
                self.push(
                    Issue::new(ErrorCode::InvalidValue, span.clone(), path.clone(), message)
                        .hint(format!("write it as a string: \"{text}\"")),
                );
            }
        }
        self.range(schema, value, &text, span, path);
    }

    /// `minimum` and `maximum`, and the range of an integer `format`.
    fn range(
        &mut self,
        schema: &Value,
        value: f64,
        text: &str,
        span: Range<usize>,
        path: &FieldPath,
    ) {
        let (format_min, format_max) = match schema.get("format").and_then(Value::as_str) {
            Some("uint8") => (Some(0.0), Some(f64::from(u8::MAX))),
            Some("uint16") => (Some(0.0), Some(f64::from(u16::MAX))),
            Some("uint32") => (Some(0.0), Some(f64::from(u32::MAX))),
            Some("uint64" | "uint") => (Some(0.0), None),
            _ => (None, None),
        };
        let min = schema.get("minimum").and_then(Value::as_f64).or(format_min);
        let max = schema.get("maximum").and_then(Value::as_f64).or(format_max);
        let message = match (min, max) {
            (Some(min), _) if value < min => format!("must be >= {min}, found {text}"),
            (_, Some(max)) if value > max => format!("must be <= {max}, found {text}"),
            _ => return,
        };
        self.push(Issue::new(
            ErrorCode::OutOfRange,
            span,
            path.clone(),
            message,
        ));
    }
}

fn type_matches(ty: &str, value: &DeValue<'_>, format: Option<&str>) -> bool {
    match (ty, value) {
        ("object", DeValue::Table(_))
        | ("array", DeValue::Array(_))
        | ("string", DeValue::String(_))
        | ("integer", DeValue::Integer(_))
        | ("number", DeValue::Integer(_) | DeValue::Float(_))
        | ("boolean", DeValue::Boolean(_)) => true,
        ("string", DeValue::Datetime(_)) => format == Some(FORMAT_DATE),
        _ => false,
    }
}

/// The names a branch accepts as a string constant (`const` or `enum`).
fn const_names(schema: &Value) -> Vec<&str> {
    if let Some(name) = schema.get("const").and_then(Value::as_str) {
        return vec![name];
    }
    schema
        .get("enum")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

/// The key every branch fixes to a constant: the tag of an internally
/// tagged enum.
fn discriminator<'v>(branches: &[&'v Value]) -> Option<&'v str> {
    let first = branches.first()?.get("properties")?.as_object()?;
    first
        .iter()
        .filter(|(_, p)| p.get("const").is_some())
        .map(|(key, _)| key.as_str())
        .find(|key| {
            branches
                .iter()
                .all(|b| b.pointer(&format!("/properties/{key}/const")).is_some())
        })
}

/// The known name closest to a misspelt one, if any is close enough to be
/// the likely intent.
pub(crate) fn closest<'n>(text: &str, names: impl Iterator<Item = &'n str>) -> Option<&'n str> {
    names
        .map(|name| (strsim::jaro_winkler(text, name), name))
        .filter(|(score, _)| *score >= 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, name)| name)
}

/// "`a`, `b` or `c`".
pub(crate) fn or_list(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} or {last}", rest.join(", ")),
    }
}

/// What a value is, for "found ..." in messages.
fn found(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(text) if text.chars().count() <= 40 => format!("{:?}", text.as_ref()),
        DeValue::String(_) => "a string".to_owned(),
        DeValue::Integer(integer) => match integer.radix() {
            10 => integer.as_str().to_owned(),
            _ => "an integer".to_owned(),
        },
        DeValue::Float(float) => float.as_str().to_owned(),
        DeValue::Boolean(b) => b.to_string(),
        DeValue::Datetime(datetime) => datetime.to_string(),
        DeValue::Array(_) => "an array".to_owned(),
        DeValue::Table(_) => "a table".to_owned(),
    }
}

/// The first sentence of a description, without its full stop: a hint.
fn first_sentence(description: &str) -> String {
    let flat = description.replace('\n', " ");
    let end = flat.find(". ").unwrap_or(flat.len());
    flat[..end].trim_end_matches('.').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_and_suggestions() {
        assert_eq!(or_list(&["a"]), "`a`");
        assert_eq!(or_list(&["a", "b", "c"]), "`a`, `b` or `c`");
        let names = ["block", "overdraft", "invoice"];
        assert_eq!(
            closest("overdraw", names.iter().copied()),
            Some("overdraft")
        );
        assert_eq!(closest("zzz", names.iter().copied()), None);
        assert_eq!(
            first_sentence("Credits granted. Default 0."),
            "Credits granted"
        );
    }
}
