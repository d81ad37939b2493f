//! Parameter paths and scenario variants: the addresses `creditsim
//! sensitivity` and `creditsim sweep` use to name a number in a scenario
//! file, and the patching that writes a new value there. Text in, text out:
//! no I/O, no runs.
//!
//! A path walks the TOML document: table keys by name, array elements by
//! the `id` they carry (`plans.pro`; `model` for rate-card and model-mix
//! entries, which have no `id`) or by position (`plans.pro.packs.0.price`),
//! and distribution parameters by name (`segments.smb.tasks.steps.mean`).
//! Only numbers written in the file can be varied; a default left out of the
//! file has no value to swing.
//!
//! Which leaves are numbers, and of what kind, comes from the scenario's JSON
//! Schema ([`crate::scenario::schema`]), so a count stays an integer (the
//! value is rounded, and the rounding is reported) and an exact decimal
//! (money, credits) is written back as an exact decimal string. A variant is
//! re-serialized and loaded by [`crate::scenario::load`], so every variant
//! passes the same checks as a file a person wrote; a value the checks
//! refuse is reported with the parameter and the value that was tried.

use std::fmt;

use rust_decimal::{Decimal, RoundingStrategy};
use serde_json::Value as Schema;
use thiserror::Error;
use toml::{Table, Value};

use crate::catalogue::Catalogue;
use crate::scenario::{self, Exact, Scenario, ScenarioError};

/// How a number is written in the file, which decides how a new value is
/// written back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A count or a number of days: new values are rounded to the nearest
    /// whole number, halves away from zero.
    Integer,
    /// A floating-point number (rates, distribution parameters, shares).
    Float,
    /// An exact decimal (money, credits), written back as a decimal string.
    Decimal,
}

impl Kind {
    pub fn code(self) -> &'static str {
        match self {
            Kind::Integer => "integer",
            Kind::Float => "float",
            Kind::Decimal => "decimal",
        }
    }
}

/// One step of a resolved path: a table key or an array position.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

/// A number written in the scenario file, found by its path.
#[derive(Clone, Debug, PartialEq)]
pub struct Leaf {
    /// The canonical path: array elements by id where they have one
    /// (`plans.prepaid.packs.starter.price`).
    pub path: String,
    pub kind: Kind,
    /// The value in the file.
    pub value: Decimal,
    steps: Vec<Step>,
}

/// A value fitted to a leaf: rounded for an integer field, clamped for a
/// probability or share.
#[derive(Clone, Debug, PartialEq)]
pub struct Fitted {
    /// What was asked for.
    pub requested: Decimal,
    /// What will be written.
    pub value: Decimal,
    /// Why they differ, when they do.
    pub note: Option<String>,
}

impl Leaf {
    /// The last key of the path (`price`, `mean`).
    pub fn field(&self) -> &str {
        self.steps
            .iter()
            .rev()
            .find_map(|step| match step {
                Step::Key(key) => Some(key.as_str()),
                Step::Index(_) => None,
            })
            .unwrap_or("")
    }

    /// The range the checks allow, where it is a fixed one: probabilities
    /// and shares lie in [0, 1].
    pub fn bounds(&self) -> Option<(Decimal, Decimal)> {
        let field = self.field();
        (field.ends_with("probability") || field.ends_with("share"))
            .then_some((Decimal::ZERO, Decimal::ONE))
    }

    /// `requested` as it can be written here: whole for an integer field
    /// (halves away from zero), and clamped into [`Leaf::bounds`] when
    /// `clamp` is set.
    pub fn fit(&self, requested: Decimal, clamp: bool) -> Fitted {
        let mut value = requested;
        let mut notes = Vec::new();
        if self.kind == Kind::Integer {
            value = value.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero);
            if value != requested {
                notes.push(format!(
                    "rounded to {value} (an integer field)",
                    value = value.normalize()
                ));
            }
        }
        if clamp && let Some((low, high)) = self.bounds() {
            let clamped = value.clamp(low, high);
            if clamped != value {
                notes.push(format!(
                    "clamped to {} (a probability or share lies in [0, 1])",
                    clamped.normalize()
                ));
                value = clamped;
            }
        }
        Fitted {
            requested,
            value,
            note: (!notes.is_empty()).then(|| notes.join("; ")),
        }
    }
}

/// A path or a value that cannot be used.
#[derive(Clone, Debug, PartialEq, Error)]
pub enum VaryError {
    /// The text is not a TOML document (the loader says more).
    #[error("the scenario is not a TOML document: {0}")]
    Syntax(String),
    #[error("no number at `{path}` in the scenario{}", hint_text(.hint))]
    UnknownPath { path: String, hint: Option<String> },
    #[error("`{path}` is {found}, not a number{}", hint_text(.hint))]
    NotNumeric {
        path: String,
        found: String,
        hint: Option<String>,
    },
    /// The scenario checks refused a variant.
    #[error("{setting}: the scenario checks refuse it: {}", .problems.join("; "))]
    Rejected {
        setting: String,
        problems: Vec<String>,
    },
}

fn hint_text(hint: &Option<String>) -> String {
    hint.as_ref().map(|h| format!(" ({h})")).unwrap_or_default()
}

/// A scenario file's TOML document, ready to be patched.
#[derive(Clone, Debug)]
pub struct Document {
    root: Table,
    /// The price catalogue the scenario names, if any: every variant is
    /// loaded against it.
    catalogue: Option<Catalogue>,
}

impl Document {
    pub fn parse(text: &str) -> Result<Document, VaryError> {
        text.parse::<Table>()
            .map(|root| Document {
                root,
                catalogue: None,
            })
            .map_err(|e| VaryError::Syntax(e.message().trim().to_owned()))
    }

    /// Every number written in the document, in document order.
    pub fn leaves(&self) -> Vec<Leaf> {
        let walk = Walk::new();
        let mut out = Vec::new();
        walk.table(
            &self.root,
            scenario::schema(),
            &mut Vec::new(),
            "",
            &mut out,
        );
        out
    }

    /// The number at `path`: array elements by id or by position. An
    /// unknown path gets the closest known one as a hint; a path to a table
    /// or a string says what is there.
    pub fn find(&self, path: &str) -> Result<Leaf, VaryError> {
        let leaves = self.leaves();
        let wanted: Vec<&str> = path.split('.').collect();
        let Some((steps, value)) = resolve(&self.root, &wanted) else {
            return Err(VaryError::UnknownPath {
                path: path.to_owned(),
                hint: closest_path(path, &leaves),
            });
        };
        if let Some(leaf) = leaves.iter().find(|leaf| leaf.steps == steps) {
            return Ok(leaf.clone());
        }
        let canonical = display(&self.root, &steps);
        let below: Vec<&str> = leaves
            .iter()
            .filter(|leaf| leaf.steps.starts_with(&steps))
            .map(|leaf| leaf.path.as_str())
            .take(6)
            .collect();
        let hint = match below.as_slice() {
            [] => None,
            _ => Some(format!("numbers under it: {}", below.join(", "))),
        };
        Err(VaryError::NotNumeric {
            path: canonical,
            found: describe(value),
            hint,
        })
    }

    /// The document with each leaf set to its value, as TOML text.
    pub fn patched(&self, changes: &[(&Leaf, Decimal)]) -> String {
        let mut root = self.root.clone();
        for (leaf, value) in changes {
            let slot = slot_mut(&mut root, &leaf.steps)
                .expect("a leaf's steps address the document it came from");
            *slot = written(leaf.kind, *value);
        }
        toml::to_string(&root).expect("a TOML table serializes")
    }

    /// Patches and loads: the variant as a checked scenario, or the checks'
    /// objections, each prefixed by `setting` (what was tried, in words).
    pub fn variant(
        &self,
        changes: &[(&Leaf, Decimal)],
        file: &str,
        setting: &str,
    ) -> Result<Scenario, VaryError> {
        let text = self.patched(changes);
        scenario::load_with_catalogue(&text, file, self.catalogue.as_ref()).map_err(|errors| {
            VaryError::Rejected {
                setting: setting.to_owned(),
                problems: errors.iter().map(problem).collect(),
            }
        })
    }
}

/// A checks' objection without the line and column, which point into the
/// re-serialized variant rather than the user's file.
fn problem(error: &ScenarioError) -> String {
    let mut text = String::new();
    if !error.path.is_empty() {
        text.push_str(&error.path);
        text.push_str(": ");
    }
    text.push_str(&error.message);
    if let Some(hint) = &error.hint {
        text.push_str(&format!(" ({hint})"));
    }
    text
}

/// A value as TOML: an integer, a float, or an exact decimal string.
fn written(kind: Kind, value: Decimal) -> Value {
    match kind {
        Kind::Integer => Value::Integer(i64::try_from(value).unwrap_or(i64::MAX)),
        Kind::Float => Value::Float(f64::try_from(value).unwrap_or(0.0)),
        Kind::Decimal => Value::String(value.normalize().to_string()),
    }
}

/// The decimal a float from a file stands for: its shortest decimal form.
pub fn decimal_of(value: f64) -> Option<Decimal> {
    Exact::from_f64(value).map(Exact::get)
}

/// A float as a decimal with 12 significant digits, for values computed in
/// floating point (sampled inputs): enough for any price or rate, short
/// enough to read.
pub fn decimal_rounded(value: f64) -> Option<Decimal> {
    let exact = Decimal::from_f64_retain(value)?;
    Some(exact.round_sf(12).unwrap_or(exact).normalize())
}

/// The element of `items` that `name` selects: the one whose `id` (or, for
/// entries without one, `model`) equals it.
fn element_by_id(items: &[Value], name: &str) -> Option<usize> {
    items.iter().position(|item| element_id(item) == Some(name))
}

fn element_id(item: &Value) -> Option<&str> {
    let table = item.as_table()?;
    table
        .get("id")
        .or_else(|| table.get("model"))
        .and_then(Value::as_str)
}

/// Follows `wanted` (dot-separated words) from `root`. An id may contain
/// dots, so at an array the longest run of words that is an id wins.
fn resolve<'v>(root: &'v Table, wanted: &[&str]) -> Option<(Vec<Step>, &'v Value)> {
    let (first, rest) = wanted.split_first()?;
    let value = root.get(*first)?;
    let mut steps = vec![Step::Key((*first).to_owned())];
    let value = resolve_in(value, rest, &mut steps)?;
    Some((steps, value))
}

fn resolve_in<'v>(value: &'v Value, wanted: &[&str], steps: &mut Vec<Step>) -> Option<&'v Value> {
    if wanted.is_empty() {
        return Some(value);
    }
    match value {
        Value::Table(table) => {
            let next = table.get(wanted[0])?;
            steps.push(Step::Key(wanted[0].to_owned()));
            resolve_in(next, &wanted[1..], steps)
        }
        Value::Array(items) => {
            for take in (1..=wanted.len()).rev() {
                let name = wanted[..take].join(".");
                if let Some(i) = element_by_id(items, &name) {
                    steps.push(Step::Index(i));
                    return resolve_in(&items[i], &wanted[take..], steps);
                }
            }
            let i: usize = wanted[0].parse().ok()?;
            let next = items.get(i)?;
            steps.push(Step::Index(i));
            resolve_in(next, &wanted[1..], steps)
        }
        _ => None,
    }
}

fn slot_mut<'v>(root: &'v mut Table, steps: &[Step]) -> Option<&'v mut Value> {
    let (Step::Key(first), rest) = steps.split_first()? else {
        return None;
    };
    let mut value = root.get_mut(first)?;
    for step in rest {
        value = match (step, value) {
            (Step::Key(key), Value::Table(table)) => table.get_mut(key)?,
            (Step::Index(i), Value::Array(items)) => items.get_mut(*i)?,
            _ => return None,
        };
    }
    Some(value)
}

/// The canonical spelling of resolved steps: ids where elements have a
/// unique one, positions otherwise.
fn display(root: &Table, steps: &[Step]) -> String {
    let mut words: Vec<String> = Vec::new();
    let mut here: Option<&Value> = None;
    for step in steps {
        match step {
            Step::Key(key) => {
                words.push(key.clone());
                here = match here {
                    None => root.get(key),
                    Some(value) => value.as_table().and_then(|t| t.get(key)),
                };
            }
            Step::Index(i) => {
                let items = here.and_then(Value::as_array);
                let item = items.and_then(|items| items.get(*i));
                words.push(label(items.unwrap_or(&Vec::new()), *i));
                here = item;
            }
        }
    }
    words.join(".")
}

/// An array element's name in a path: its id when that is unique in the
/// array and does not read as a position, else its position.
fn label(items: &[Value], i: usize) -> String {
    match items.get(i).and_then(element_id) {
        Some(id)
            if id.parse::<usize>().is_err()
                && items
                    .iter()
                    .filter(|item| element_id(item) == Some(id))
                    .count()
                    == 1 =>
        {
            id.to_owned()
        }
        _ => i.to_string(),
    }
}

fn describe(value: &Value) -> String {
    match value {
        Value::Table(table) if table.contains_key("dist") => "a distribution table".to_owned(),
        Value::Table(_) => "a table".to_owned(),
        Value::Array(_) => "an array".to_owned(),
        Value::String(text) => format!("the string {text:?}"),
        Value::Boolean(_) => "a boolean".to_owned(),
        Value::Datetime(_) => "a date".to_owned(),
        Value::Integer(_) | Value::Float(_) => "a number the format does not vary".to_owned(),
    }
}

/// The known path closest to `path`, or the first few known paths.
fn closest_path(path: &str, leaves: &[Leaf]) -> Option<String> {
    let best = leaves
        .iter()
        .map(|leaf| (strsim::jaro_winkler(path, &leaf.path), leaf.path.as_str()))
        .max_by(|a, b| a.0.total_cmp(&b.0));
    match best {
        Some((score, close)) if score >= 0.8 => Some(format!("did you mean `{close}`?")),
        Some(_) => {
            let some: Vec<&str> = leaves.iter().map(|l| l.path.as_str()).take(5).collect();
            Some(format!(
                "numbers in this scenario include {}, ...",
                some.join(", ")
            ))
        }
        None => Some("the scenario has no numbers to vary".to_owned()),
    }
}

/// The walk of the document beside its schema that finds numeric leaves.
struct Walk<'s> {
    defs: Option<&'s serde_json::Map<String, Schema>>,
}

/// References nest at most this deep; deeper is a bug in the schema.
const MAX_REF_DEPTH: usize = 32;

/// Tables and arrays nest at most this deep in a scenario the loader
/// accepts; deeper is not walked.
const MAX_DEPTH: usize = 16;

impl<'s> Walk<'s> {
    fn new() -> Walk<'s> {
        Walk {
            defs: scenario::schema().get("$defs").and_then(Schema::as_object),
        }
    }

    fn resolve(&self, mut schema: &'s Schema) -> &'s Schema {
        for _ in 0..MAX_REF_DEPTH {
            let Some(name) = schema
                .get("$ref")
                .and_then(Schema::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
            else {
                return schema;
            };
            match self.defs.and_then(|defs| defs.get(name)) {
                Some(target) => schema = target,
                None => return schema,
            }
        }
        schema
    }

    /// The alternatives of a choice, resolved, flattened, without `null`.
    fn branches(&self, schema: &'s Schema, out: &mut Vec<&'s Schema>, depth: usize) {
        let schema = self.resolve(schema);
        let list = schema.get("anyOf").or_else(|| schema.get("oneOf"));
        match list.and_then(Schema::as_array) {
            Some(list) if depth < MAX_REF_DEPTH => {
                for branch in list {
                    self.branches(branch, out, depth + 1);
                }
            }
            _ if schema.get("type").and_then(Schema::as_str) == Some("null") => {}
            _ => out.push(schema),
        }
    }

    /// The branch of `schema` that describes `table`: the only table branch,
    /// or the one whose tag (`dist`, `rule`, `mode`) matches.
    fn table_schema(&self, schema: &'s Schema, table: &Table) -> Option<&'s Schema> {
        let mut branches = Vec::new();
        self.branches(schema, &mut branches, 0);
        let tables: Vec<&Schema> = branches
            .into_iter()
            .filter(|b| has_type(b, "object"))
            .collect();
        if let [only] = tables.as_slice() {
            return Some(only);
        }
        tables.into_iter().find(|branch| {
            let Some(properties) = branch.get("properties").and_then(Schema::as_object) else {
                return false;
            };
            properties.iter().any(|(key, property)| {
                property.get("const").and_then(Schema::as_str).is_some()
                    && property.get("const").and_then(Schema::as_str)
                        == table.get(key).and_then(Value::as_str)
            })
        })
    }

    fn scalar_kind(&self, schema: &'s Schema, value: &Value) -> Option<Kind> {
        let mut branches = Vec::new();
        self.branches(schema, &mut branches, 0);
        branches.into_iter().find_map(|b| {
            let decimal = b.get("format").and_then(Schema::as_str) == Some("decimal");
            match value {
                Value::String(text) if decimal => Exact::parse(text).map(|_| Kind::Decimal),
                Value::Integer(_) | Value::Float(_) if decimal => Some(Kind::Decimal),
                Value::Integer(_) if has_type(b, "integer") => Some(Kind::Integer),
                Value::Integer(_) | Value::Float(_) if has_type(b, "number") => Some(Kind::Float),
                _ => None,
            }
        })
    }

    fn table(
        &self,
        table: &Table,
        schema: &'s Schema,
        steps: &mut Vec<Step>,
        prefix: &str,
        out: &mut Vec<Leaf>,
    ) {
        if steps.len() > MAX_DEPTH {
            return;
        }
        let properties = schema.get("properties").and_then(Schema::as_object);
        for (key, value) in table {
            let Some(property) = properties.and_then(|p| p.get(key)) else {
                continue;
            };
            steps.push(Step::Key(key.clone()));
            let path = join(prefix, key);
            self.value(value, property, steps, &path, out);
            steps.pop();
        }
    }

    fn value(
        &self,
        value: &Value,
        schema: &'s Schema,
        steps: &mut Vec<Step>,
        path: &str,
        out: &mut Vec<Leaf>,
    ) {
        match value {
            Value::Table(table) => {
                if let Some(schema) = self.table_schema(schema, table) {
                    self.table(table, schema, steps, path, out);
                }
            }
            Value::Array(items) => {
                let mut branches = Vec::new();
                self.branches(schema, &mut branches, 0);
                let Some(item_schema) = branches.iter().find_map(|b| b.get("items")) else {
                    return;
                };
                for (i, item) in items.iter().enumerate() {
                    steps.push(Step::Index(i));
                    let path = join(path, &label(items, i));
                    self.value(item, item_schema, steps, &path, out);
                    steps.pop();
                }
            }
            _ => {
                let Some(kind) = self.scalar_kind(schema, value) else {
                    return;
                };
                let number = match value {
                    Value::Integer(n) => Some(Decimal::from(*n)),
                    Value::Float(f) => decimal_of(*f),
                    Value::String(text) => Exact::parse(text).map(Exact::get),
                    _ => None,
                };
                if let Some(number) = number {
                    out.push(Leaf {
                        path: path.to_owned(),
                        kind,
                        value: number,
                        steps: steps.clone(),
                    });
                }
            }
        }
    }
}

fn has_type(schema: &Schema, ty: &str) -> bool {
    match schema.get("type") {
        Some(Schema::String(t)) => t == ty,
        Some(Schema::Array(types)) => types.iter().any(|t| t.as_str() == Some(ty)),
        _ => false,
    }
}

fn join(prefix: &str, word: &str) -> String {
    if prefix.is_empty() {
        word.to_owned()
    } else {
        format!("{prefix}.{word}")
    }
}

impl fmt::Display for Leaf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {}", self.path, self.value.normalize())
    }
}

/// `value` with more than 12 significant digits trimmed, as shown in
/// reports.
pub fn show(value: Decimal) -> String {
    value.round_sf(12).unwrap_or(value).normalize().to_string()
}

/// One leaf's value as a float, for statistics and charts.
pub fn to_f64(value: Decimal) -> f64 {
    f64::try_from(value).expect("every decimal has a nearest float")
}

/// Checks that `text` is a scenario before anything is varied, so its own
/// problems are reported against the user's file with lines and columns.
pub fn load_base(
    text: &str,
    file: &str,
    catalogue: Option<&Catalogue>,
) -> Result<(Scenario, Document), Vec<ScenarioError>> {
    let scenario = scenario::load_with_catalogue(text, file, catalogue)?;
    let mut document = Document::parse(text).map_err(|error| {
        vec![ScenarioError {
            code: scenario::ErrorCode::Syntax,
            file: file.to_owned(),
            line: 1,
            column: 1,
            path: String::new(),
            message: error.to_string(),
            hint: None,
        }]
    })?;
    document.catalogue = catalogue.cloned();
    Ok((scenario, document))
}
