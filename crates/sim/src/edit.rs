//! The scenario editor's model: the fields a person changes most, read from
//! a scenario's TOML text, and patches that write a value back into that
//! text in place. Text in, text out: no I/O, no runs.
//!
//! The text stays the single source of truth. A form field is addressed by
//! the same field path the loader reports errors at (`segments[0].tasks.steps`,
//! array elements by position), so an error lands on its field without any
//! translation. A patch edits the TOML document with `toml_edit`: comments,
//! key order and layout of everything else survive, and the value keeps the
//! comment written after it on its line. What the user types is written as
//! the TOML literal it spells (`0.05`, `2026-03-01`) where the field takes
//! one, and as a string otherwise; the loader, run on the patched text by the
//! caller, then says at that field what is wrong. Nothing here checks
//! meaning: that is the loader's job alone.
//!
//! Only what the scenario editor shows is modelled (segments with their
//! agents, task rates, token sizes, runaway and leak settings; models with
//! their prices, dated changes and rate card; each plan's packs, grants,
//! exhaustion rule, top-up, actor budget, alerts and drawdown order).
//! Everything else is edited in the text.

use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use thiserror::Error;
use toml_edit::{ArrayOfTables, DocumentMut, InlineTable, Item, Table, Value};

use crate::catalogue::{Catalogue, SimulatedPrice};
use crate::dist::Dist;
use crate::scenario::{Date, Exact, PerMtok};

/// What a field holds, which decides how a typed value is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldKind {
    /// A whole number (counts, days).
    Integer,
    /// A floating-point number (rates, probabilities, shares).
    Float,
    /// An exact decimal (money, credits): a number or a decimal string.
    Decimal,
    /// Free text (ids).
    Text,
    /// One of [`Field::options`].
    Choice,
    /// A date, `YYYY-MM-DD`.
    Date,
    /// A period such as `30d` or `1M`.
    Period,
    /// A distribution (see [`crate::dist::Dist`]).
    Dist,
    /// A list of numbers, written `10, 20`.
    NumberList,
}

impl FieldKind {
    pub fn code(self) -> &'static str {
        match self {
            FieldKind::Integer => "integer",
            FieldKind::Float => "float",
            FieldKind::Decimal => "decimal",
            FieldKind::Text => "text",
            FieldKind::Choice => "choice",
            FieldKind::Date => "date",
            FieldKind::Period => "period",
            FieldKind::Dist => "dist",
            FieldKind::NumberList => "number_list",
        }
    }
}

/// A distribution as the form shows it: its name and each parameter as
/// written (`values` of an empirical distribution as `1, 2, 3`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DistValue {
    pub dist: String,
    pub params: Vec<(String, String)>,
}

/// The parameters each distribution takes, in the order the form shows them.
pub const DIST_PARAMS: [(&str, &[&str]); 8] = [
    ("fixed", &["value"]),
    ("poisson", &["mean"]),
    ("uniform", &["min", "max"]),
    ("triangular", &["min", "mode", "max"]),
    ("lognormal", &["median", "mean", "sigma"]),
    ("gamma", &["shape", "scale"]),
    ("pareto", &["scale", "shape"]),
    ("empirical", &["values"]),
];

/// One editable value.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The loader's field path: `plans[0].packs[1].price`.
    pub path: String,
    pub label: String,
    pub kind: FieldKind,
    /// The value as written (strings without quotes, lists as `a, b`);
    /// `None` when the field is not written (its default applies).
    pub value: Option<String>,
    /// A written distribution, taken apart.
    pub dist: Option<DistValue>,
    /// What applies when the field is not written, in words.
    pub default: Option<String>,
    /// The choices of a [`FieldKind::Choice`].
    pub options: Vec<String>,
}

/// A titled group of fields: a segment's tasks, one pack of a plan.
#[derive(Clone, Debug, PartialEq)]
pub struct Block {
    pub title: String,
    /// The table the block edits (`plans[0].packs[1]`).
    pub path: String,
    /// A short note under the title.
    pub note: Option<String>,
    pub fields: Vec<Field>,
    /// This block is an element of an array that [`remove_element`] may remove.
    pub removable: bool,
    /// An array that [`add_element`] may add to, offered with this block.
    pub add: Option<String>,
}

/// A segment, a plan, or the models.
#[derive(Clone, Debug, PartialEq)]
pub struct Section {
    /// `models`, `segment` or `plan`.
    pub kind: String,
    pub title: String,
    pub path: String,
    pub blocks: Vec<Block>,
}

/// The form over one scenario text.
#[derive(Clone, Debug, PartialEq)]
pub struct Form {
    /// The scenario's `start`, as written (for catalogue prices).
    pub start: Option<String>,
    /// The model ids the scenario defines, for the model choices.
    pub models: Vec<String>,
    pub sections: Vec<Section>,
}

/// A value for [`set_field`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum NewValue {
    /// Remove the key: the default applies.
    Unset,
    /// A scalar or a list, as typed.
    Text(String),
    /// A distribution: its name and parameters as typed; empty parameters
    /// are left out.
    Dist(DistValue),
}

/// Why a patch could not be made. The text is never half-patched.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum EditError {
    /// The text is not TOML; the loader reports where.
    #[error("the scenario text is not valid TOML ({0}); fix it in the TOML tab first")]
    Syntax(String),
    #[error(
        "`{0}` is not a field path (expected keys and [index], such as `plans[0].packs[1].price`)"
    )]
    BadPath(String),
    #[error("{path}: {message}")]
    Cannot { path: String, message: String },
}

fn cannot(path: &str, message: impl Into<String>) -> EditError {
    EditError::Cannot {
        path: path.to_owned(),
        message: message.into(),
    }
}

fn parse(text: &str) -> Result<DocumentMut, EditError> {
    DocumentMut::from_str(text).map_err(|e| {
        EditError::Syntax(
            e.message()
                .lines()
                .next()
                .unwrap_or("syntax error")
                .to_owned(),
        )
    })
}

/// One step of a field path.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Step {
    Key(String),
    Index(usize),
}

impl fmt::Display for Step {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Step::Key(key) => f.write_str(key),
            Step::Index(i) => write!(f, "[{i}]"),
        }
    }
}

/// The most steps a path may have (the scenario nests far less).
const MAX_STEPS: usize = 16;

/// `plans[0].packs[1].price` as steps. Keys are bare (letters, digits, `_`, `-`).
fn steps_of(path: &str) -> Result<Vec<Step>, EditError> {
    let bad = || EditError::BadPath(path.to_owned());
    let mut steps = Vec::new();
    for part in path.split('.') {
        let (key, mut rest) = part.split_once('[').map_or((part, ""), |(k, r)| (k, r));
        let bare = |k: &str| {
            !k.is_empty()
                && k.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
        };
        if !bare(key) {
            return Err(bad());
        }
        steps.push(Step::Key(key.to_owned()));
        while !rest.is_empty() {
            let (index, after) = rest.split_once(']').ok_or_else(bad)?;
            steps.push(Step::Index(index.parse().map_err(|_| bad())?));
            rest = match after {
                "" => "",
                more => more.strip_prefix('[').ok_or_else(bad)?,
            };
        }
    }
    if steps.len() > MAX_STEPS {
        return Err(bad());
    }
    Ok(steps)
}

/// The item at `steps`, if written.
fn get<'a>(root: &'a Item, steps: &[Step]) -> Option<&'a Item> {
    let mut here = root;
    for step in steps {
        here = match step {
            Step::Key(key) => here.as_table_like()?.get(key)?,
            Step::Index(i) => here.get(*i)?,
        };
        if here.is_none() {
            return None;
        }
    }
    Some(here)
}

/// The item at `steps`, creating missing tables on the way (standard
/// tables below standard tables, inline ones inside inline tables).
fn get_or_create<'a>(
    root: &'a mut Item,
    steps: &[Step],
    path: &str,
) -> Result<&'a mut Item, EditError> {
    let mut here = root;
    for step in steps {
        here = match step {
            Step::Key(key) => {
                let inline = here.is_inline_table();
                let table = here.as_table_like_mut().ok_or_else(|| {
                    cannot(
                        path,
                        format!("`{key}` is inside something that is not a table"),
                    )
                })?;
                if table.get(key).is_none_or(Item::is_none) {
                    let fresh = if inline {
                        Item::Value(Value::InlineTable(InlineTable::new()))
                    } else {
                        Item::Table(Table::new())
                    };
                    table.insert(key, fresh);
                }
                table.get_mut(key).expect("inserted above")
            }
            Step::Index(i) => here
                .get_mut(*i)
                .ok_or_else(|| cannot(path, format!("there is no element [{i}]")))?,
        };
    }
    Ok(here)
}

/// A value as the form shows it: strings unquoted, arrays as `a, b`,
/// everything else as written.
fn shown(value: &Value) -> String {
    match value {
        Value::String(s) => s.value().clone(),
        Value::Array(items) => items.iter().map(shown).collect::<Vec<_>>().join(", "),
        other => {
            let mut bare = other.clone();
            bare.decor_mut().clear();
            bare.to_string().trim().to_owned()
        }
    }
}

fn dist_of(value: &Value) -> Option<DistValue> {
    match value {
        Value::Integer(_) | Value::Float(_) => Some(DistValue {
            dist: "fixed".to_owned(),
            params: vec![("value".to_owned(), shown(value))],
        }),
        Value::InlineTable(table) => {
            let dist = table.get("dist").and_then(Value::as_str)?.to_owned();
            let params = table
                .iter()
                .filter(|(key, _)| *key != "dist")
                .map(|(key, v)| (key.to_owned(), shown(v)))
                .collect();
            Some(DistValue { dist, params })
        }
        _ => None,
    }
}

/// A scalar as typed, as a TOML value of the field's kind. What does not
/// read as one is written as a string, so the loader reports it at the field.
fn literal(kind: FieldKind, text: &str, old: Option<&Value>) -> Value {
    let text = text.trim();
    let parsed = || Value::from_str(text).ok();
    let number = |v: &Value| v.is_integer() || v.is_float();
    match kind {
        FieldKind::Text | FieldKind::Choice | FieldKind::Period => Value::from(text),
        FieldKind::Decimal if old.is_some_and(Value::is_str) => Value::from(text),
        FieldKind::Integer | FieldKind::Float | FieldKind::Decimal => match parsed() {
            Some(v) if number(&v) => v,
            _ => Value::from(text),
        },
        FieldKind::Date => match parsed() {
            Some(v) if v.is_datetime() => v,
            _ => Value::from(text),
        },
        FieldKind::NumberList => match Value::from_str(&format!("[{text}]")) {
            Ok(v) if v.as_array().is_some_and(|a| a.iter().all(number)) => v,
            _ => Value::from(text),
        },
        FieldKind::Dist => dist_literal(&DistValue {
            dist: "fixed".to_owned(),
            params: vec![("value".to_owned(), text.to_owned())],
        }),
    }
}

fn dist_literal(dist: &DistValue) -> Value {
    let param = |name: &str| {
        dist.params
            .iter()
            .find(|(key, value)| key == name && !value.trim().is_empty())
            .map(|(_, value)| value.as_str())
    };
    if dist.dist == "fixed"
        && let Some(value) = param("value").and_then(|v| Value::from_str(v.trim()).ok())
        && (value.is_integer() || value.is_float())
    {
        return value;
    }
    let mut table = InlineTable::new();
    table.insert("dist", Value::from(dist.dist.as_str()));
    for (name, text) in &dist.params {
        if text.trim().is_empty() {
            continue;
        }
        let kind = if name == "values" {
            FieldKind::NumberList
        } else {
            FieldKind::Float
        };
        table.insert(name.as_str(), literal(kind, text, None));
    }
    table.fmt();
    Value::InlineTable(table)
}

impl FieldKind {
    /// The kind a [`FieldKind::code`] names.
    pub fn from_code(code: &str) -> Option<FieldKind> {
        [
            FieldKind::Integer,
            FieldKind::Float,
            FieldKind::Decimal,
            FieldKind::Text,
            FieldKind::Choice,
            FieldKind::Date,
            FieldKind::Period,
            FieldKind::Dist,
            FieldKind::NumberList,
        ]
        .into_iter()
        .find(|kind| kind.code() == code)
    }
}

/// The distribution a form's [`DistValue`] spells, read as the loader reads
/// one, or why it cannot be (a parameter that is not a number, a missing or
/// unknown one); its parameter ranges are [`Dist::check`]'s to judge.
pub fn dist_from(value: &DistValue) -> Result<Dist, String> {
    #[derive(serde::Deserialize)]
    struct One {
        d: Dist,
    }
    let text = format!("d = {}", dist_literal(value));
    toml::from_str::<One>(&text).map(|one| one.d).map_err(|e| {
        e.message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ")
    })
}

/// `text` with the field at `path` set to `value` (or removed), everything
/// else as it was. Tables on the way are created when missing; a table left
/// empty by a removal is removed too.
pub fn set_field(
    text: &str,
    path: &str,
    kind: FieldKind,
    value: &NewValue,
) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    let steps = steps_of(path)?;
    let (Step::Key(last), parent) = steps.split_last().expect("a path has a step") else {
        return Err(cannot(path, "the path must end with a key"));
    };
    let root = doc.as_item_mut();
    match value {
        NewValue::Unset => {
            let Some(table) = get_mut_existing(root, parent).and_then(Item::as_table_like_mut)
            else {
                return Ok(text.to_owned());
            };
            table.remove(last);
            remove_empty_tables(root, parent);
        }
        NewValue::Text(_) | NewValue::Dist(_) => {
            let parent_item = get_or_create(root, parent, path)?;
            let table = parent_item
                .as_table_like_mut()
                .ok_or_else(|| cannot(path, "its parent is not a table"))?;
            let old = table.get(last).and_then(Item::as_value);
            let mut new = match value {
                NewValue::Dist(dist) => dist_literal(dist),
                NewValue::Text(typed) => literal(kind, typed, old),
                NewValue::Unset => unreachable!("handled above"),
            };
            if let Some(old) = old {
                *new.decor_mut() = old.decor().clone();
            }
            table.insert(last, Item::Value(new));
        }
    }
    Ok(doc.to_string())
}

fn get_mut_existing<'a>(root: &'a mut Item, steps: &[Step]) -> Option<&'a mut Item> {
    let mut here = root;
    for step in steps {
        here = match step {
            Step::Key(key) => here.as_table_like_mut()?.get_mut(key)?,
            Step::Index(i) => here.get_mut(*i)?,
        };
    }
    Some(here)
}

/// Removes the tables along `steps` that are now empty, deepest first,
/// never an array element or the root.
fn remove_empty_tables(root: &mut Item, steps: &[Step]) {
    for depth in (1..=steps.len()).rev() {
        let (Step::Key(key), parent) = steps[..depth].split_last().expect("depth >= 1") else {
            return;
        };
        let Some(table) = get_mut_existing(root, parent).and_then(Item::as_table_like_mut) else {
            return;
        };
        let empty = table
            .get(key)
            .and_then(Item::as_table_like)
            .is_some_and(|t| t.is_empty());
        if !empty {
            return;
        }
        table.remove(key);
    }
}

/// `text` with a new element appended to the array at `path`: a pack
/// (`plans[0].packs`), a grant (`plans[0].grants`) or a dated price change
/// of a model (`models[0].price_changes`), filled with values to edit.
pub fn add_element(text: &str, path: &str) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    let steps = steps_of(path)?;
    let (Some(Step::Key(array)), Some(Step::Index(owner))) =
        (steps.last(), steps.len().checked_sub(2).map(|i| &steps[i]))
    else {
        return Err(cannot(path, "not an array the editor adds to"));
    };
    let owner = *owner;
    let root = doc.as_item_mut();
    let template = match (path_head(&steps), array.as_str()) {
        ("plans", "packs") => {
            let n = count(root, &steps) + 1;
            let mut t = Table::new();
            t.insert("id", toml_edit::value(format!("pack-{n}")));
            t.insert("credits", toml_edit::value(1000));
            t.insert("price", toml_edit::value(10));
            t
        }
        ("plans", "grants") => {
            let n = count(root, &steps) + 1;
            let mut t = Table::new();
            t.insert("id", toml_edit::value(format!("grant-{n}")));
            t.insert("credits", toml_edit::value(100));
            t.insert("expires_after", toml_edit::value("30d"));
            t
        }
        ("models", "price_changes") => price_change_template(root, owner, path)?,
        _ => return Err(cannot(path, "not an array the editor adds to")),
    };
    let slot = get_or_create(root, &steps[..steps.len() - 1], path)?
        .as_table_like_mut()
        .ok_or_else(|| cannot(path, "its parent is not a table"))?;
    match slot.get_mut(array) {
        Some(Item::ArrayOfTables(items)) => items.push(template),
        Some(Item::Value(Value::Array(items))) => {
            items.push(Value::InlineTable(template.into_inline_table()));
        }
        Some(other) if !other.is_none() => {
            return Err(cannot(
                path,
                "is written in a form the editor cannot add to",
            ));
        }
        _ => {
            let mut items = ArrayOfTables::new();
            items.push(template);
            slot.insert(array, Item::ArrayOfTables(items));
        }
    }
    Ok(doc.to_string())
}

fn path_head(steps: &[Step]) -> &str {
    match steps.first() {
        Some(Step::Key(key)) => key,
        _ => "",
    }
}

fn count(root: &Item, steps: &[Step]) -> usize {
    match get(root, steps) {
        Some(Item::ArrayOfTables(items)) => items.len(),
        Some(Item::Value(Value::Array(items))) => items.len(),
        _ => 0,
    }
}

/// A change dated halfway through the horizon (or after the last change),
/// at the model's current prices.
fn price_change_template(root: &Item, model: usize, path: &str) -> Result<Table, EditError> {
    let model_steps = [Step::Key("models".to_owned()), Step::Index(model)];
    let model_item = get(root, &model_steps).ok_or_else(|| cannot(path, "no such model"))?;
    if model_item
        .as_table_like()
        .and_then(|t| t.get("catalogue"))
        .and_then(Item::as_bool)
        == Some(true)
    {
        return Err(cannot(
            path,
            "this model takes its price changes from the catalogue",
        ));
    }
    let start = root
        .get("start")
        .and_then(Item::as_value)
        .and_then(date_of)
        .ok_or_else(|| cannot(path, "the scenario's `start` must be a date first"))?;
    let horizon = root
        .get("horizon_days")
        .and_then(Item::as_integer)
        .filter(|days| *days >= 2)
        .ok_or_else(|| {
            cannot(
                path,
                "the scenario's `horizon_days` must be at least 2 first",
            )
        })?;
    let table = model_item.as_table_like();
    let changes = table.and_then(|t| t.get("price_changes"));
    let last_change = changes.and_then(|c| match c {
        Item::ArrayOfTables(items) => items
            .iter()
            .last()
            .and_then(|t| t.get("date"))
            .and_then(Item::as_value)
            .and_then(date_of),
        Item::Value(Value::Array(items)) => items
            .iter()
            .last()
            .and_then(Value::as_inline_table)
            .and_then(|t| t.get("date"))
            .and_then(date_of),
        _ => None,
    });
    let day = match last_change {
        Some(date) => date.plus_days(1),
        None => start.plus_days(horizon as u64 / 2),
    }
    .ok_or_else(|| cannot(path, "no day left for a change"))?;
    let price = table
        .and_then(|t| t.get("price_per_mtok"))
        .and_then(Item::as_value)
        .cloned()
        .unwrap_or_else(|| {
            Value::from_str("{ input = 0, output = 0, cache_read = 0 }").expect("a TOML table")
        });
    let mut t = Table::new();
    t.insert(
        "date",
        Item::Value(Value::from_str(&day.to_string()).expect("a date is a TOML date")),
    );
    let mut price = price;
    price.decor_mut().clear();
    t.insert("price_per_mtok", Item::Value(price));
    Ok(t)
}

fn date_of(value: &Value) -> Option<Date> {
    match value {
        Value::Datetime(d) => Date::parse(&d.value().to_string()),
        Value::String(s) => Date::parse(s.value()),
        _ => None,
    }
}

/// `text` without the array element at `path` (`plans[0].packs[1]`).
pub fn remove_element(text: &str, path: &str) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    let steps = steps_of(path)?;
    let Some((Step::Index(i), array)) = steps.split_last() else {
        return Err(cannot(path, "not an array element"));
    };
    let root = doc.as_item_mut();
    match get_mut_existing(root, array) {
        Some(Item::ArrayOfTables(items)) if *i < items.len() => {
            items.remove(*i);
            if items.is_empty() {
                remove_empty_array(root, array);
            }
        }
        Some(Item::Value(Value::Array(items))) if *i < items.len() => {
            items.remove(*i);
        }
        _ => return Err(cannot(path, "there is no such element")),
    }
    Ok(doc.to_string())
}

fn remove_empty_array(root: &mut Item, steps: &[Step]) {
    if let Some((Step::Key(key), parent)) = steps.split_last()
        && let Some(table) = get_mut_existing(root, parent).and_then(Item::as_table_like_mut)
    {
        table.remove(key);
    }
}

/// A catalogue model the scenario may add: its id and the provider's
/// prices on a day, per million tokens.
#[derive(Clone, Debug, PartialEq)]
pub struct CatalogueChoice {
    /// `provider/model`, what `[[models]] id` takes.
    pub id: String,
    pub name: String,
    pub price: PerMtok,
    /// Dated changes after that day.
    pub changes: usize,
}

/// Every catalogue model the simulator can price on `day`, provider by
/// provider, with its price that day (the scenario's `start`).
pub fn catalogue_choices(catalogue: &Catalogue, day: Date) -> Vec<CatalogueChoice> {
    let mut out = Vec::new();
    for provider in &catalogue.providers {
        for model in &provider.models {
            let Ok((price, changes)) =
                model.simulated_prices(day, day.plus_days(3650).unwrap_or(day))
            else {
                continue;
            };
            out.push(CatalogueChoice {
                id: format!("{}/{}", provider.id, model.id),
                name: format!(
                    "{} {}",
                    provider.name,
                    model.name.as_deref().unwrap_or(&model.id)
                ),
                price: price.per_mtok,
                changes: changes.len(),
            });
        }
    }
    out
}

/// `text` with the catalogue model `id` added as `[[models]] id = ...,
/// catalogue = true` and a rate card entry charging it at cost (its price
/// on `start` divided by the first plan's `price_per_credit`), with a
/// comment saying so: the margin is the user's to set. When the text has no
/// `[catalogue]` table, one pinning `catalogue` as `file` is added.
pub fn add_catalogue_model(
    text: &str,
    id: &str,
    catalogue: &Catalogue,
    file: &str,
) -> Result<String, EditError> {
    let mut doc = parse(text)?;
    let path = "models";
    let start = doc
        .get("start")
        .and_then(Item::as_value)
        .and_then(date_of)
        .ok_or_else(|| cannot(path, "the scenario's `start` must be a date first"))?;
    let (_, entry) = catalogue
        .model(id)
        .ok_or_else(|| cannot(path, format!("no model `{id}` in the catalogue")))?;
    let price = entry
        .simulated_prices(start, start)
        .map(|(price, _): (SimulatedPrice, _)| price.per_mtok)
        .map_err(|message| cannot(path, format!("`{id}` {message}")))?;
    let plan_price = doc
        .get("plans")
        .and_then(|p| p.get(0))
        .and_then(|plan| plan.get("price_per_credit"))
        .and_then(Item::as_value)
        .and_then(|v| Exact::parse(&shown(v)))
        .map(Exact::get)
        .filter(|p| *p > Decimal::ZERO)
        .ok_or_else(|| {
            cannot(
                path,
                "the first plan needs a price_per_credit above 0 to price the rate card at cost",
            )
        })?;
    let models = doc
        .get("models")
        .map(|m| match m {
            Item::ArrayOfTables(items) => items
                .iter()
                .any(|t| t.get("id").and_then(Item::as_str) == Some(id)),
            _ => false,
        })
        .unwrap_or(false);
    if models {
        return Err(cannot(path, format!("`{id}` is already a model here")));
    }
    if !doc.contains_key("catalogue") {
        let mut pin = Table::new();
        pin.insert("file", toml_edit::value(file));
        pin.insert("sha256", toml_edit::value(catalogue.sha256()));
        doc.insert("catalogue", Item::Table(pin));
    }
    let mut model = Table::new();
    model.insert("id", toml_edit::value(id));
    model.insert("catalogue", toml_edit::value(true));
    push_table(&mut doc, "models", model)?;
    let at_cost = |p: Exact| {
        let credits = (p.get() / plan_price)
            .round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
            .normalize();
        Value::from_str(&credits.to_string()).unwrap_or_else(|_| Value::from(credits.to_string()))
    };
    let mut credits = InlineTable::new();
    credits.insert("input", at_cost(price.input));
    credits.insert("output", at_cost(price.output));
    credits.insert("cache_read", at_cost(price.cache_read));
    credits.fmt();
    let mut card = Table::new();
    card.decor_mut().set_prefix(format!(
        "\n# {id} at cost: its catalogue price on {start} divided by the first plan's \
         price_per_credit ({}). Add your margin.\n",
        plan_price.normalize()
    ));
    card.insert("model", toml_edit::value(id));
    card.insert("credits_per_mtok", Item::Value(Value::InlineTable(credits)));
    push_table(&mut doc, "rate_card", card)?;
    Ok(doc.to_string())
}

/// Appends `table` to the array of tables `key` (a new array goes at the end).
fn push_table(doc: &mut DocumentMut, key: &str, table: Table) -> Result<(), EditError> {
    match doc.get_mut(key) {
        Some(Item::ArrayOfTables(items)) => {
            // No position: the document places it after the last table it
            // wrote before it (the last element's own subtables), so it is
            // the array's last element.
            items.push(table);
            Ok(())
        }
        Some(Item::Value(Value::Array(items))) => {
            items.push(Value::InlineTable(table.into_inline_table()));
            Ok(())
        }
        Some(_) => Err(cannot(key, "is written in a form the editor cannot add to")),
        None => {
            let mut items = ArrayOfTables::new();
            items.push(table);
            doc.insert(key, Item::ArrayOfTables(items));
            Ok(())
        }
    }
}

/// The form over `text`: the fields the editor shows, with their values.
pub fn form(text: &str) -> Result<Form, EditError> {
    let doc = parse(text)?;
    let root = doc.as_item();
    let models: Vec<String> = elements(root, "models")
        .iter()
        .filter_map(|m| m.get("id").and_then(Item::as_str).map(str::to_owned))
        .collect();
    let start = root.get("start").and_then(Item::as_value).map(shown);
    let mut sections = vec![models_section(root, &models)];
    for (i, segment) in elements(root, "segments").iter().enumerate() {
        sections.push(segment_section(root, i, segment, &models));
    }
    for (i, plan) in elements(root, "plans").iter().enumerate() {
        sections.push(plan_section(root, i, plan));
    }
    Ok(Form {
        start,
        models,
        sections,
    })
}

/// The elements of a top-level array, tables or inline tables alike.
fn elements<'a>(root: &'a Item, key: &str) -> Vec<&'a dyn toml_edit::TableLike> {
    element_items(root.get(key))
}

fn element_items(item: Option<&Item>) -> Vec<&dyn toml_edit::TableLike> {
    match item {
        Some(Item::ArrayOfTables(items)) => items
            .iter()
            .map(|t| t as &dyn toml_edit::TableLike)
            .collect(),
        Some(Item::Value(Value::Array(items))) => items
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike))
            .collect(),
        _ => Vec::new(),
    }
}

/// Builds fields under one table path.
struct Fields<'a> {
    root: &'a Item,
    base: String,
    out: Vec<Field>,
}

impl<'a> Fields<'a> {
    fn new(root: &'a Item, base: impl Into<String>) -> Fields<'a> {
        Fields {
            root,
            base: base.into(),
            out: Vec::new(),
        }
    }

    fn add(
        &mut self,
        rel: &str,
        label: &str,
        kind: FieldKind,
        default: Option<&str>,
    ) -> &mut Field {
        let path = format!("{}.{rel}", self.base);
        let written = steps_of(&path)
            .ok()
            .and_then(|steps| get(self.root, &steps))
            .and_then(Item::as_value);
        let dist = written
            .filter(|_| kind == FieldKind::Dist)
            .and_then(dist_of);
        self.out.push(Field {
            path,
            label: label.to_owned(),
            kind,
            value: written.map(shown),
            dist,
            default: default.map(str::to_owned),
            options: Vec::new(),
        });
        self.out.last_mut().expect("pushed")
    }

    fn choice(&mut self, rel: &str, label: &str, options: &[String], default: Option<&str>) {
        self.add(rel, label, FieldKind::Choice, default).options = options.to_vec();
    }

    fn done(&mut self) -> Vec<Field> {
        std::mem::take(&mut self.out)
    }
}

fn block(title: impl Into<String>, path: impl Into<String>, fields: Vec<Field>) -> Block {
    Block {
        title: title.into(),
        path: path.into(),
        note: None,
        fields,
        removable: false,
        add: None,
    }
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|s| (*s).to_owned()).collect()
}

fn models_section(root: &Item, models: &[String]) -> Section {
    let mut blocks = Vec::new();
    let cards = elements(root, "rate_card");
    for (i, model) in elements(root, "models").iter().enumerate() {
        let id = model.get("id").and_then(Item::as_str).unwrap_or("?");
        let base = format!("models[{i}]");
        let catalogue = model.get("catalogue").and_then(Item::as_bool) == Some(true);
        let mut f = Fields::new(root, base.clone());
        if !catalogue {
            for part in ["input", "output", "cache_read"] {
                f.add(
                    &format!("price_per_mtok.{part}"),
                    &format!("Provider price, {} per Mtok", part.replace('_', " ")),
                    FieldKind::Decimal,
                    None,
                );
            }
        }
        if let Some(card) = cards
            .iter()
            .position(|c| c.get("model").and_then(Item::as_str) == Some(id))
        {
            let mut c = Fields::new(root, format!("rate_card[{card}]"));
            for part in ["input", "output", "cache_read"] {
                c.add(
                    &format!("credits_per_mtok.{part}"),
                    &format!("Customer rate, credits per Mtok {}", part.replace('_', " ")),
                    FieldKind::Decimal,
                    None,
                );
            }
            f.out.extend(c.done());
        }
        let mut b = block(id, base.clone(), f.done());
        b.note = Some(if catalogue {
            "Provider prices and their dated changes come from the price catalogue.".to_owned()
        } else {
            "Provider prices written here.".to_owned()
        });
        if !catalogue {
            b.add = Some(format!("{base}.price_changes"));
        }
        blocks.push(b);
        let changes = element_items(model.get("price_changes"));
        for k in 0..changes.len() {
            let at = format!("{base}.price_changes[{k}]");
            let mut f = Fields::new(root, at.clone());
            f.add("date", "From", FieldKind::Date, None);
            for part in ["input", "output", "cache_read"] {
                f.add(
                    &format!("price_per_mtok.{part}"),
                    &format!("{} per Mtok", part.replace('_', " ")),
                    FieldKind::Decimal,
                    None,
                );
            }
            let mut b = block(format!("{id}: price change {}", k + 1), at, f.done());
            b.removable = true;
            blocks.push(b);
        }
    }
    let _ = models;
    Section {
        kind: "models".to_owned(),
        title: "Models and prices".to_owned(),
        path: "models".to_owned(),
        blocks,
    }
}

fn segment_section(
    root: &Item,
    i: usize,
    segment: &&dyn toml_edit::TableLike,
    models: &[String],
) -> Section {
    let base = format!("segments[{i}]");
    let id = segment.get("id").and_then(Item::as_str).unwrap_or("?");
    let mut blocks = Vec::new();
    let mut f = Fields::new(root, base.clone());
    f.add(
        "customers",
        "Customers at the start",
        FieldKind::Integer,
        None,
    );
    f.add(
        "new_customers_per_day",
        "New customers per day",
        FieldKind::Float,
        Some("0"),
    );
    f.add(
        "agents_per_customer",
        "Agents per customer",
        FieldKind::Dist,
        Some("1"),
    );
    blocks.push(block("Customers and agents", base.clone(), f.done()));

    let tasks = format!("{base}.tasks");
    let mut f = Fields::new(root, tasks.clone());
    f.add(
        "per_agent_per_day",
        "Tasks per agent per day",
        FieldKind::Float,
        None,
    );
    f.add("steps", "Calls per task", FieldKind::Dist, None);
    f.add(
        "step_seconds",
        "Seconds per call",
        FieldKind::Dist,
        Some("10"),
    );
    blocks.push(block("Task rates", tasks.clone(), f.done()));

    let mut f = Fields::new(root, tasks.clone());
    f.add(
        "input_tokens",
        "Input tokens of the first call",
        FieldKind::Dist,
        None,
    );
    f.add(
        "context_growth_tokens",
        "Context growth per call, tokens",
        FieldKind::Dist,
        Some("0"),
    );
    f.add(
        "output_tokens",
        "Output tokens per call",
        FieldKind::Dist,
        None,
    );
    f.add(
        "cache_hit_share",
        "Share of input read from cache",
        FieldKind::Float,
        Some("0"),
    );
    blocks.push(block("Token sizes", tasks, f.done()));

    let mut f = Fields::new(root, base.clone());
    let mix = element_items(segment.get("model_mix"));
    for k in 0..mix.len() {
        f.choice(
            &format!("model_mix[{k}].model"),
            &format!("Model {}", k + 1),
            models,
            None,
        );
        f.add(
            &format!("model_mix[{k}].share"),
            &format!("Share {}", k + 1),
            FieldKind::Float,
            None,
        );
    }
    blocks.push(block("Model mix", format!("{base}.model_mix"), f.done()));

    let runaway = format!("{base}.runaway");
    let mut f = Fields::new(root, runaway.clone());
    f.add(
        "probability",
        "Probability a task loops",
        FieldKind::Float,
        Some("no runaway tasks"),
    );
    f.add(
        "max_steps",
        "Framework step cap",
        FieldKind::Integer,
        Some("10000"),
    );
    f.add(
        "stop_after_hours",
        "Hours until a person stops it",
        FieldKind::Dist,
        Some("nobody"),
    );
    blocks.push(block("Runaway tasks", runaway, f.done()));

    let leaks = format!("{base}.credential_leaks");
    let mut f = Fields::new(root, leaks.clone());
    f.add(
        "per_customer_per_year",
        "Leaks per customer per year",
        FieldKind::Float,
        Some("no leaks"),
    );
    f.choice("model", "Model the attacker calls", models, None);
    f.add(
        "input_tokens_per_hour",
        "Input tokens per hour",
        FieldKind::Dist,
        None,
    );
    f.add(
        "output_tokens_per_hour",
        "Output tokens per hour",
        FieldKind::Dist,
        None,
    );
    f.add(
        "detection_delay_hours",
        "Hours until revoked",
        FieldKind::Dist,
        None,
    );
    blocks.push(block("Credential leaks", leaks, f.done()));

    Section {
        kind: "segment".to_owned(),
        title: format!("Segment {id}"),
        path: base,
        blocks,
    }
}

fn plan_section(root: &Item, i: usize, plan: &&dyn toml_edit::TableLike) -> Section {
    let base = format!("plans[{i}]");
    let id = plan.get("id").and_then(Item::as_str).unwrap_or("?");
    let packs = element_items(plan.get("packs"));
    let pack_ids: Vec<String> = packs
        .iter()
        .filter_map(|p| p.get("id").and_then(Item::as_str).map(str::to_owned))
        .collect();
    let mut blocks = Vec::new();

    let mut f = Fields::new(root, base.clone());
    f.add(
        "price_per_credit",
        "Price per credit",
        FieldKind::Decimal,
        None,
    );
    f.choice(
        "drawdown_order",
        "Drawdown order",
        &strings(&["kong", "openmeter", "orb"]),
        Some("kong"),
    );
    let mut b = block("Price and drawdown", base.clone(), f.done());
    b.add = Some(format!("{base}.packs"));
    blocks.push(b);

    for (k, _) in packs.iter().enumerate() {
        let at = format!("{base}.packs[{k}]");
        let mut f = Fields::new(root, at.clone());
        f.add("id", "Id", FieldKind::Text, None);
        f.add("credits", "Credits", FieldKind::Decimal, None);
        f.add("price", "Price", FieldKind::Decimal, None);
        f.add(
            "expires_after",
            "Expires after",
            FieldKind::Period,
            Some("never"),
        );
        let mut b = block(
            format!("Pack {}", pack_ids.get(k).map_or("?", String::as_str)),
            at,
            f.done(),
        );
        b.removable = true;
        blocks.push(b);
    }

    let grants = element_items(plan.get("grants"));
    let mut b = block("Onboarding grants", format!("{base}.grants"), Vec::new());
    b.add = Some(format!("{base}.grants"));
    b.note = Some(format!(
        "{} grant(s) every new customer receives.",
        grants.len()
    ));
    blocks.push(b);
    for (k, grant) in grants.iter().enumerate() {
        let at = format!("{base}.grants[{k}]");
        let mut f = Fields::new(root, at.clone());
        f.add("id", "Id", FieldKind::Text, None);
        f.choice(
            "kind",
            "Kind",
            &strings(&["promotional", "prepaid", "external", "included"]),
            Some("promotional"),
        );
        f.add("credits", "Credits", FieldKind::Decimal, None);
        f.add(
            "cost_basis",
            "Cost basis per credit",
            FieldKind::Decimal,
            Some("0"),
        );
        f.add(
            "expires_after",
            "Expires after",
            FieldKind::Period,
            Some("never"),
        );
        let name = grant.get("id").and_then(Item::as_str).unwrap_or("?");
        let mut b = block(format!("Grant {name}"), at, f.done());
        b.removable = true;
        blocks.push(b);
    }

    let exhaustion = format!("{base}.exhaustion");
    let rule = plan
        .get("exhaustion")
        .and_then(|e| e.as_table_like())
        .and_then(|e| e.get("rule"))
        .and_then(Item::as_str)
        .map(str::to_owned);
    let mut f = Fields::new(root, exhaustion.clone());
    f.choice(
        "rule",
        "Exhaustion rule",
        &strings(&["block", "overdraft", "invoice"]),
        Some("block for prepaid, invoice otherwise"),
    );
    match rule.as_deref() {
        Some("overdraft") => {
            f.add(
                "limit",
                "Overdraft limit, credits",
                FieldKind::Decimal,
                None,
            );
        }
        Some("invoice") => {
            f.add(
                "overage_price_per_credit",
                "Overage price per credit",
                FieldKind::Decimal,
                Some("price per credit"),
            );
        }
        _ => {}
    }
    blocks.push(block("Exhaustion", exhaustion, f.done()));

    let topup = format!("{base}.topup");
    let mut f = Fields::new(root, topup.clone());
    f.add(
        "below",
        "Top up below, credits",
        FieldKind::Decimal,
        Some("no automatic top-up"),
    );
    f.choice("pack", "Buy pack", &pack_ids, None);
    f.add("up_to", "Or buy up to, credits", FieldKind::Decimal, None);
    f.add(
        "max_per_period",
        "At most per period",
        FieldKind::Integer,
        Some("no cap"),
    );
    f.add("period", "Period", FieldKind::Period, Some("1M"));
    blocks.push(block("Automatic top-up", topup, f.done()));

    let budget = format!("{base}.actor_budget");
    let mut f = Fields::new(root, budget.clone());
    f.add(
        "cap",
        "Cap per agent, credits",
        FieldKind::Decimal,
        Some("no cap"),
    );
    f.add("period", "Per", FieldKind::Period, None);
    blocks.push(block("Actor budget", budget, f.done()));

    let alerts = format!("{base}.alerts");
    let mut f = Fields::new(root, alerts.clone());
    f.add(
        "below",
        "Below, credits",
        FieldKind::NumberList,
        Some("none"),
    );
    f.add(
        "below_percent",
        "Below, percent of granted",
        FieldKind::NumberList,
        Some("none"),
    );
    blocks.push(block("Alerts", alerts, f.done()));

    Section {
        kind: "plan".to_owned(),
        title: format!("Plan {id}"),
        path: base,
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = r#"# A scenario
version = 1
start = 2026-01-01
horizon_days = 30

[[models]]
id = "m"
price_per_mtok = { input = 3, output = 15, cache_read = 0.3 }

[[segments]]
id = "s"
customers = 10 # ten to start

[segments.tasks]
steps = { dist = "lognormal", median = 31, sigma = 0.8 }

[[plans]]
id = "p"
price_per_credit = "0.01"
exhaustion = { rule = "overdraft", limit = 5 }

# packs
[[plans.packs]]
id = "a"
credits = 100
price = 1
"#;

    #[test]
    fn paths_read_like_the_loaders() {
        assert_eq!(
            steps_of("plans[0].packs[1].price").unwrap(),
            vec![
                Step::Key("plans".into()),
                Step::Index(0),
                Step::Key("packs".into()),
                Step::Index(1),
                Step::Key("price".into())
            ]
        );
        assert_eq!(steps_of("a[2][3].b").unwrap().len(), 4);
        for bad in ["", "a..b", "a[x]", "a[1", "a b"] {
            assert!(steps_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_value_is_replaced_in_place_with_its_comment() {
        let out = set_field(
            TEXT,
            "segments[0].customers",
            FieldKind::Integer,
            &NewValue::Text("12".into()),
        )
        .unwrap();
        assert_eq!(out, TEXT.replace("customers = 10 #", "customers = 12 #"));
        let out = set_field(
            TEXT,
            "plans[0].price_per_credit",
            FieldKind::Decimal,
            &NewValue::Text("0.02".into()),
        )
        .unwrap();
        assert!(out.contains("price_per_credit = \"0.02\""), "{out}");
        let out = set_field(
            TEXT,
            "plans[0].exhaustion.limit",
            FieldKind::Decimal,
            &NewValue::Text("-5".into()),
        )
        .unwrap();
        assert!(
            out.contains("exhaustion = { rule = \"overdraft\", limit = -5 }"),
            "{out}"
        );
    }

    #[test]
    fn missing_tables_are_created_and_emptied_ones_removed() {
        let out = set_field(
            TEXT,
            "segments[0].runaway.probability",
            FieldKind::Float,
            &NewValue::Text("0.05".into()),
        )
        .unwrap();
        assert!(
            out.contains("[segments.runaway]\nprobability = 0.05\n"),
            "{out}"
        );
        let runaway = out.find("[segments.runaway]").unwrap();
        assert!(
            runaway < out.find("[[plans]]").unwrap(),
            "under its segment: {out}"
        );
        let back = set_field(
            &out,
            "segments[0].runaway.probability",
            FieldKind::Float,
            &NewValue::Unset,
        )
        .unwrap();
        assert_eq!(back, TEXT);
    }

    #[test]
    fn what_does_not_read_as_its_kind_is_written_as_a_string() {
        let out = set_field(
            TEXT,
            "segments[0].customers",
            FieldKind::Integer,
            &NewValue::Text("ten".into()),
        )
        .unwrap();
        assert!(out.contains("customers = \"ten\" # ten"), "{out}");
    }

    #[test]
    fn distributions_are_written_inline() {
        let dist = DistValue {
            dist: "gamma".into(),
            params: vec![
                ("shape".into(), "2".into()),
                ("scale".into(), "800".into()),
                ("x".into(), "".into()),
            ],
        };
        let out = set_field(
            TEXT,
            "segments[0].tasks.steps",
            FieldKind::Dist,
            &NewValue::Dist(dist),
        )
        .unwrap();
        assert!(
            out.contains("steps = { dist = \"gamma\", shape = 2, scale = 800 }"),
            "{out}"
        );
        let fixed = DistValue {
            dist: "fixed".into(),
            params: vec![("value".into(), "31".into())],
        };
        let out = set_field(
            TEXT,
            "segments[0].tasks.steps",
            FieldKind::Dist,
            &NewValue::Dist(fixed),
        )
        .unwrap();
        assert!(out.contains("steps = 31\n"), "{out}");
    }

    #[test]
    fn packs_are_added_after_the_last_and_removed() {
        let out = add_element(TEXT, "plans[0].packs").unwrap();
        let new = "[[plans.packs]]\nid = \"pack-2\"\ncredits = 1000\nprice = 10\n";
        assert!(out.ends_with(new), "appended after the last pack: {out}");
        assert!(out.starts_with(TEXT.trim_end()), "the rest kept: {out}");
        let back = remove_element(&out, "plans[0].packs[1]").unwrap();
        assert_eq!(back.trim_end(), TEXT.trim_end());
    }

    #[test]
    fn a_new_pack_or_table_stays_with_its_plan() {
        let two = format!("{TEXT}\n[[plans]]\nid = \"q\"\nprice_per_credit = 1\n");
        let out = add_element(&two, "plans[0].packs").unwrap();
        let pack = out.find("id = \"pack-2\"").expect("added");
        assert!(
            pack < out.find("id = \"q\"").unwrap(),
            "before the next plan: {out}"
        );
        let out = add_element(&two, "plans[1].packs").unwrap();
        assert!(
            out.find("id = \"pack-1\"").unwrap() > out.find("id = \"q\"").unwrap(),
            "{out}"
        );
        let out = set_field(
            &two,
            "plans[0].topup.below",
            FieldKind::Decimal,
            &NewValue::Text("5".into()),
        )
        .unwrap();
        let topup = out.find("[plans.topup]").expect("a table");
        assert!(
            topup < out.find("id = \"q\"").unwrap(),
            "under its plan: {out}"
        );
        assert!(topup > out.find("id = \"p\"").unwrap(), "{out}");
    }

    #[test]
    fn the_form_lists_values_as_written() {
        let form = form(TEXT).unwrap();
        assert_eq!(form.models, vec!["m"]);
        let fields: Vec<&Field> = form
            .sections
            .iter()
            .flat_map(|s| &s.blocks)
            .flat_map(|b| &b.fields)
            .collect();
        let at = |path: &str| {
            *fields
                .iter()
                .find(|f| f.path == path)
                .unwrap_or_else(|| panic!("{path}"))
        };
        assert_eq!(at("segments[0].customers").value.as_deref(), Some("10"));
        assert_eq!(
            at("plans[0].price_per_credit").value.as_deref(),
            Some("0.01")
        );
        assert_eq!(at("plans[0].exhaustion.limit").value.as_deref(), Some("5"));
        let steps = at("segments[0].tasks.steps");
        assert_eq!(steps.dist.as_ref().unwrap().dist, "lognormal");
        assert_eq!(at("segments[0].runaway.probability").value, None);
    }
}
