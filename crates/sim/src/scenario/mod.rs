//! Scenario files: the TOML format (version 1) a user describes a
//! simulation in, and the loader that turns one into a checked
//! [`Scenario`] or into every problem it has.
//!
//! Loading runs in rounds, and reports every problem of the first round
//! that finds any: syntax (the TOML parser, with recovery); the version;
//! shape (types, unknown and missing fields, names of variants, unreadable
//! dates, decimals and periods, checked against the JSON Schema of the
//! types); meaning (ranges, references, dates, billing rules, limits). Each
//! error carries a code, the file, line, column and field path, a message
//! and a hint. Nothing in the loader panics on any input.
//!
//! The format is documented field by field in `docs/scenario-format.md`;
//! `docs/scenario.schema.json` is [`schema_json`] (a test keeps it fresh).

mod catalogue;
mod check;
mod doc;
mod error;
pub mod limits;
mod shape;
mod types;
mod values;

use std::sync::OnceLock;

use serde::Deserialize;

pub use check::MIX_SUM_TOLERANCE;
pub use doc::FieldPath;
pub use error::{ErrorCode, ScenarioError};
pub use types::*;
pub use values::{Date, Exact, PeriodSpec};

use doc::Doc;
use error::Issue;

/// The scenario format version this build reads.
pub const VERSION: u32 = 1;

/// The JSON Schema of the scenario format, generated from the types.
pub fn schema() -> &'static serde_json::Value {
    static SCHEMA: OnceLock<serde_json::Value> = OnceLock::new();
    SCHEMA.get_or_init(|| {
        // Header keys first, so the file reads from the top.
        let generated = schemars::schema_for!(Scenario).to_value();
        let serde_json::Value::Object(mut rest) = generated else {
            unreachable!("a root schema is an object")
        };
        let mut ordered = serde_json::Map::new();
        for key in ["$schema", "title", "description"] {
            if let Some(value) = rest.remove(key) {
                ordered.insert(key.to_owned(), value);
            }
        }
        ordered.extend(rest);
        serde_json::Value::Object(ordered)
    })
}

/// The schema as committed in `docs/scenario.schema.json`: pretty-printed,
/// with a final newline.
pub fn schema_json() -> String {
    let mut text = serde_json::to_string_pretty(schema()).expect("a JSON value serializes");
    text.push('\n');
    text
}

/// Reads a scenario that names no price catalogue from `text`; `file_name`
/// is only used in errors. A scenario with a `[catalogue]` table needs
/// [`load_with_catalogue`].
///
/// Returns the scenario, or every problem found (sorted by position, at most
/// [`limits::MAX_ERRORS`] of them). Never panics.
pub fn load(text: &str, file_name: &str) -> Result<Scenario, Vec<ScenarioError>> {
    load_with_catalogue(text, file_name, None)
}

/// The `[catalogue] file` a scenario names, as written (relative to the
/// scenario file), for the shell to read before [`load_with_catalogue`].
/// `None` when the text names none or cannot be read; the load reports why.
pub fn catalogue_file(text: &str) -> Option<String> {
    let (doc, _) = Doc::parse(text);
    let file = doc
        .root()
        .get("catalogue")?
        .get_ref()
        .as_table()?
        .get("file")?;
    file.get_ref().as_str().map(str::to_owned)
}

/// The `[catalogue] sha256` a scenario pins, as written; `None` when the
/// text pins none or cannot be read.
pub fn catalogue_sha256(text: &str) -> Option<String> {
    let (doc, _) = Doc::parse(text);
    let sha = doc
        .root()
        .get("catalogue")?
        .get_ref()
        .as_table()?
        .get("sha256")?;
    sha.get_ref().as_str().map(str::to_owned)
}

/// Reads a scenario from `text`, pricing the models marked
/// `catalogue = true` from `catalogue`, which must be the one its
/// `[catalogue]` table pins (same SHA-256). The shell reads the catalogue
/// file ([`catalogue_file`] says which) and parses it with
/// [`crate::catalogue::Catalogue::parse`]; this function does no I/O.
///
/// The returned scenario has every catalogue model's prices, tiers, dated
/// changes inside the horizon and (unless written) context window filled
/// in, so the simulator never sees the catalogue.
pub fn load_with_catalogue(
    text: &str,
    file_name: &str,
    catalogue: Option<&crate::catalogue::Catalogue>,
) -> Result<Scenario, Vec<ScenarioError>> {
    if text.len() > limits::MAX_SCENARIO_BYTES {
        return Err(vec![ScenarioError {
            code: ErrorCode::FileTooLarge,
            file: file_name.to_owned(),
            line: 1,
            column: 1,
            path: String::new(),
            message: format!(
                "the file is {} bytes, over the limit of {} (MAX_SCENARIO_BYTES)",
                text.len(),
                limits::MAX_SCENARIO_BYTES
            ),
            hint: None,
        }]);
    }
    let (doc, syntax) = Doc::parse(text);
    let issues = if syntax.is_empty() {
        match version_issue(&doc) {
            Some(issue) => vec![issue],
            None => {
                return typed(&doc, catalogue).map_err(|issues| finish(issues, &doc, file_name));
            }
        }
    } else {
        syntax.iter().map(syntax_issue).collect()
    };
    Err(finish(issues, &doc, file_name))
}

/// Shape, then serde, then catalogue prices, then meaning.
fn typed(
    doc: &Doc<'_>,
    catalogue: Option<&crate::catalogue::Catalogue>,
) -> Result<Scenario, Vec<Issue>> {
    let issues = shape::check(doc.root(), schema());
    if !issues.is_empty() {
        return Err(issues);
    }
    let mut scenario = Scenario::deserialize(toml::de::Deserializer::from(doc.clone_root()))
        .map_err(|error| vec![serde_issue(&error, doc)])?;
    let issues = catalogue::apply(&mut scenario, doc, catalogue);
    if !issues.is_empty() {
        return Err(issues);
    }
    let issues = check::check(&scenario, doc);
    if issues.is_empty() {
        Ok(scenario)
    } else {
        Err(issues)
    }
}

fn syntax_issue(error: &toml::de::Error) -> Issue {
    let span = error.span().unwrap_or(0..0);
    Issue::new(
        ErrorCode::Syntax,
        span,
        FieldPath::root(),
        one_line(error.message()),
    )
}

/// A later version is a different format: its other problems would be noise.
fn version_issue(doc: &Doc<'_>) -> Option<Issue> {
    let value = doc.root().get("version")?;
    let version = value.get_ref().as_integer()?;
    if version.as_str() == VERSION.to_string() && version.radix() == 10 {
        return None;
    }
    let message = format!(
        "unsupported scenario version {}",
        i64::from_str_radix(version.as_str(), version.radix())
            .map_or_else(|_| version.as_str().to_owned(), |v| v.to_string())
    );
    Some(
        Issue::new(
            ErrorCode::UnsupportedVersion,
            value.span(),
            FieldPath::root().key("version"),
            message,
        )
        .hint(format!("this build reads version {VERSION}")),
    )
}

/// Serde disagreed with a document the shape check passed: a gap between
/// the schema and the types, reported rather than hidden.
fn serde_issue(error: &toml::de::Error, doc: &Doc<'_>) -> Issue {
    let span = error.span().unwrap_or(0..0);
    let path = doc.path_at(span.start);
    Issue::new(
        ErrorCode::InvalidValue,
        span,
        path,
        one_line(error.message()),
    )
}

fn one_line(message: &str) -> String {
    message
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty())
        .collect::<Vec<_>>()
        .join("; ")
}

/// Sorted by position (ties keep the order found), repeats dropped, capped.
fn finish(mut issues: Vec<Issue>, doc: &Doc<'_>, file: &str) -> Vec<ScenarioError> {
    issues.sort_by_key(|issue| issue.span.start);
    let mut errors: Vec<ScenarioError> = Vec::new();
    for issue in issues {
        let error = issue.into_error(doc, file);
        if !errors.contains(&error) {
            errors.push(error);
        }
    }
    if errors.len() > limits::MAX_ERRORS {
        let hidden = errors.len() - limits::MAX_ERRORS;
        errors.truncate(limits::MAX_ERRORS);
        let last = &errors[limits::MAX_ERRORS - 1];
        let (line, column) = (last.line, last.column);
        errors.push(ScenarioError {
            code: ErrorCode::TooManyErrors,
            file: file.to_owned(),
            line,
            column,
            path: String::new(),
            message: format!("{hidden} more errors not shown (MAX_ERRORS)"),
            hint: Some("fix these first".to_owned()),
        });
    }
    errors
}
