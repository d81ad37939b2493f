//! Import of the genai-prices v2 data file (`data/genai-prices/data.json`,
//! described by `data.schema.json` beside it) into a [`Catalogue`].
//!
//! Nothing is dropped: every provider and model comes through; the four
//! token prices creditsim names (input, output, cache read, cache write)
//! and every other price (by its source name) become exact decimals with
//! their context-length tiers; start-date and time-of-day conditions become
//! [`PriceEntry::from`] and [`PriceEntry::time_of_day`]; every other field
//! of a provider or model is kept verbatim in `source_fields`. The
//! [`ImportReport`] names what the simulator ignores and every field the
//! v2 schema does not define, with its JSON path. A value the catalogue
//! cannot hold (a price that is not a number, an unknown field inside a
//! price) is an error with its path, never skipped.
//!
//! Numbers are read through their shortest decimal form (the form the
//! source writes them in), so `0.08333333333333334` stays exactly that.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use super::{
    Catalogue, CatalogueError, CatalogueModel, GENAI_PRICES_FORMAT, MAX_CATALOGUE_BYTES,
    MAX_PROBLEMS, PriceEntry, Provider, Source, Tier, TieredPrice, TimeOfDay, sha256_hex,
};
use crate::scenario::{Date, Exact};

/// Provider fields of the genai-prices v2 schema.
const PROVIDER_FIELDS: &[&str] = &[
    "id",
    "name",
    "pricing_urls",
    "api_pattern",
    "description",
    "price_comments",
    "model_match",
    "provider_match",
    "extractors",
    "fallback_model_providers",
    "models",
];

/// Model fields of the genai-prices v2 schema.
const MODEL_FIELDS: &[&str] = &[
    "id",
    "name",
    "description",
    "match",
    "context_window",
    "price_comments",
    "prices",
    "deprecated",
];

/// Price names of the v2 schema's `ModelPrice` (the schema also allows
/// others, which are kept and reported as unknown).
const PRICE_FIELDS: &[&str] = &[
    "input_mtok",
    "cache_write_mtok",
    "cache_read_mtok",
    "output_mtok",
    "input_audio_mtok",
    "cache_audio_read_mtok",
    "output_audio_mtok",
    "requests_kcount",
    "cache_write_5m_mtok",
    "cache_write_1h_mtok",
    "input_text_mtok",
    "output_text_mtok",
    "cache_text_read_mtok",
    "cache_text_write_mtok",
    "cache_text_write_5m_mtok",
    "cache_text_write_1h_mtok",
    "cache_audio_write_mtok",
    "cache_audio_write_5m_mtok",
    "cache_audio_write_1h_mtok",
    "input_image_mtok",
    "output_image_mtok",
    "cache_image_read_mtok",
    "cache_image_write_mtok",
    "cache_image_write_5m_mtok",
    "cache_image_write_1h_mtok",
    "input_video_mtok",
    "output_video_mtok",
    "cache_video_read_mtok",
    "cache_video_write_mtok",
    "cache_video_write_5m_mtok",
    "cache_video_write_1h_mtok",
    "input_tool_mtok",
    "input_text_tool_mtok",
    "input_audio_tool_mtok",
    "input_image_tool_mtok",
    "input_video_tool_mtok",
    "output_reasoning_mtok",
    "output_text_reasoning_mtok",
    "output_audio_reasoning_mtok",
    "output_image_reasoning_mtok",
    "output_video_reasoning_mtok",
    "output_citation_mtok",
    "output_text_citation_mtok",
    "output_audio_citation_mtok",
    "output_image_citation_mtok",
    "output_video_citation_mtok",
    "input_mchars",
    "input_text_messages_kcount",
    "audio_hours",
    "input_audio_hours",
    "output_audio_hours",
    "input_gpixels",
    "input_document_kpages",
    "input_annotated_document_kpages",
    "rerank_searches_kcount",
    "web_searches_kcount",
    "social_searches_kcount",
    "storage_searches_kcount",
    "code_executions_kcount",
];

/// The label of prices in time-of-day entries in [`ImportReport::ignored`].
pub const TIME_OF_DAY: &str = "time-of-day prices";

/// A catalogue and what its import found.
#[derive(Clone, Debug)]
pub struct Import {
    pub catalogue: Catalogue,
    pub report: ImportReport,
}

/// What an import brought over, and what the simulator will not use.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportReport {
    pub providers: usize,
    pub models: usize,
    /// Price entries over all models (a model without conditions has one).
    pub price_entries: usize,
    /// Entries with a start date.
    pub dated_entries: usize,
    /// Prices with context-length tiers.
    pub tiered_prices: usize,
    /// Prices the simulator does not charge, by shape (a source price name,
    /// or [`TIME_OF_DAY`]), with how many there are; most frequent first.
    pub ignored: Vec<(String, usize)>,
    /// Models the simulator cannot price (`provider/model`: why).
    pub unsimulated_models: Vec<String>,
    /// Fields the genai-prices v2 schema does not define, by JSON path;
    /// they are kept in the catalogue.
    pub unknown_fields: Vec<String>,
}

impl ImportReport {
    /// Number of prices the simulator ignores.
    pub fn ignored_total(&self) -> usize {
        self.ignored.iter().map(|(_, n)| n).sum()
    }

    /// The report as lines for people.
    pub fn summary(&self) -> String {
        let mut lines = vec![format!(
            "imported {} providers, {} models, {} price entries ({} dated), {} prices with context-length tiers",
            self.providers, self.models, self.price_entries, self.dated_entries, self.tiered_prices
        )];
        let shapes: Vec<String> = self
            .ignored
            .iter()
            .map(|(shape, n)| format!("{shape} ({n})"))
            .collect();
        lines.push(format!(
            "{} prices with shapes the simulator ignores (kept in the catalogue): {}",
            self.ignored_total(),
            if shapes.is_empty() {
                "none".to_owned()
            } else {
                shapes.join(", ")
            }
        ));
        const SHOWN: usize = 10;
        let mut models = self
            .unsimulated_models
            .iter()
            .take(SHOWN)
            .cloned()
            .collect::<Vec<_>>();
        if self.unsimulated_models.len() > SHOWN {
            models.push(format!(
                "and {} more",
                self.unsimulated_models.len() - SHOWN
            ));
        }
        lines.push(format!(
            "{} models the simulator cannot price: {}",
            self.unsimulated_models.len(),
            if models.is_empty() {
                "none".to_owned()
            } else {
                models.join("; ")
            }
        ));
        const PATHS_SHOWN: usize = 50;
        let mut paths: Vec<String> = self
            .unknown_fields
            .iter()
            .take(PATHS_SHOWN)
            .cloned()
            .collect();
        if self.unknown_fields.len() > PATHS_SHOWN {
            paths.push(format!(
                "and {} more",
                self.unknown_fields.len() - PATHS_SHOWN
            ));
        }
        lines.push(format!(
            "{} unknown fields (kept): {}",
            self.unknown_fields.len(),
            if paths.is_empty() {
                "none".to_owned()
            } else {
                paths.join(", ")
            }
        ));
        let mut text = lines.join("\n");
        text.push('\n');
        text
    }
}

/// Imports a genai-prices v2 `data.json`; `file_name` (without its folder)
/// is recorded as the source. Returns every problem found, at most
/// [`MAX_PROBLEMS`]. Never panics.
pub fn import(text: &str, file_name: &str) -> Result<Import, Vec<CatalogueError>> {
    if text.len() > MAX_CATALOGUE_BYTES {
        return Err(vec![CatalogueError::at(
            "",
            format!(
                "the file is {} bytes, over the limit of {MAX_CATALOGUE_BYTES} (MAX_CATALOGUE_BYTES)",
                text.len()
            ),
        )]);
    }
    let root: Value = serde_json::from_str(text).map_err(|error| {
        vec![CatalogueError {
            place: Some((error.line(), error.column())),
            path: String::new(),
            message: error.to_string(),
            hint: Some("a genai-prices v2 data.json is one JSON array of providers".to_owned()),
        }]
    })?;
    let mut walk = Walk::default();
    let providers = walk.providers(&root);
    if !walk.problems.is_empty() {
        walk.problems.truncate(MAX_PROBLEMS);
        return Err(walk.problems);
    }
    let source = Source {
        format: GENAI_PRICES_FORMAT.to_owned(),
        file: file_name.to_owned(),
        sha256: sha256_hex(text.as_bytes()),
    };
    let catalogue = Catalogue::new(source, providers);
    let mut report = walk.report;
    report.providers = catalogue.providers.len();
    report.models = catalogue.model_count();
    let mut ignored: Vec<(String, usize)> = walk.ignored.into_iter().collect();
    ignored.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    report.ignored = ignored;
    Ok(Import { catalogue, report })
}

#[derive(Default)]
struct Walk {
    problems: Vec<CatalogueError>,
    report: ImportReport,
    ignored: BTreeMap<String, usize>,
}

impl Walk {
    fn problem(&mut self, path: &str, message: impl Into<String>, hint: Option<&str>) {
        self.problems.push(CatalogueError {
            place: None,
            path: path.to_owned(),
            message: message.into(),
            hint: hint.map(str::to_owned),
        });
    }

    fn object<'v>(&mut self, value: &'v Value, path: &str) -> Option<&'v Map<String, Value>> {
        let object = value.as_object();
        if object.is_none() {
            self.problem(
                path,
                format!("expected an object, found {}", kind(value)),
                None,
            );
        }
        object
    }

    fn string(&mut self, object: &Map<String, Value>, key: &str, path: &str) -> Option<String> {
        match object.get(key) {
            Some(Value::String(s)) => Some(s.clone()),
            Some(other) => {
                self.problem(
                    &format!("{path}.{key}"),
                    format!("expected a string, found {}", kind(other)),
                    None,
                );
                None
            }
            None => {
                self.problem(path, format!("missing field `{key}`"), None);
                None
            }
        }
    }

    /// Fields outside `known` are reported; all but `typed` are kept.
    fn source_fields(
        &mut self,
        object: &Map<String, Value>,
        known: &[&str],
        typed: &[&str],
        path: &str,
    ) -> Map<String, Value> {
        let mut kept = Map::new();
        for (key, value) in object {
            if !known.contains(&key.as_str()) {
                self.report.unknown_fields.push(format!("{path}.{key}"));
            }
            if !typed.contains(&key.as_str()) {
                kept.insert(key.clone(), value.clone());
            }
        }
        kept
    }

    fn providers(&mut self, root: &Value) -> Vec<Provider> {
        let Some(items) = root.as_array() else {
            self.problem(
                "$",
                format!("expected an array of providers, found {}", kind(root)),
                Some("is this a genai-prices v2 data.json?"),
            );
            return Vec::new();
        };
        let mut providers = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let path = format!("$[{i}]");
            if let Some(provider) = self.provider(item, &path) {
                providers.push(provider);
            }
        }
        providers
    }

    fn provider(&mut self, value: &Value, path: &str) -> Option<Provider> {
        let object = self.object(value, path)?;
        let id = self.string(object, "id", path);
        let name = self.string(object, "name", path);
        let models = match object.get("models") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(j, item)| {
                    let provider = id.as_deref().unwrap_or("?");
                    self.model(item, &format!("{path}.models[{j}]"), provider)
                })
                .collect(),
            Some(other) => {
                self.problem(
                    &format!("{path}.models"),
                    format!("expected an array, found {}", kind(other)),
                    None,
                );
                Vec::new()
            }
            None => {
                self.problem(path, "missing field `models`", None);
                Vec::new()
            }
        };
        let source_fields =
            self.source_fields(object, PROVIDER_FIELDS, &["id", "name", "models"], path);
        Some(Provider {
            id: id?,
            name: name?,
            models,
            source_fields,
        })
    }

    fn model(&mut self, value: &Value, path: &str, provider: &str) -> Option<CatalogueModel> {
        let object = self.object(value, path)?;
        let id = self.string(object, "id", path);
        let name = match object.get("name") {
            None => None,
            Some(_) => self.string(object, "name", path),
        };
        let context_window = match object.get("context_window") {
            None => None,
            Some(value) => {
                let window = value.as_u64();
                if window.is_none() {
                    self.problem(
                        &format!("{path}.context_window"),
                        format!("expected a whole number of tokens, found {value}"),
                        None,
                    );
                }
                window
            }
        };
        let deprecated = match object.get("deprecated") {
            None => false,
            Some(Value::Bool(flag)) => *flag,
            Some(other) => {
                self.problem(
                    &format!("{path}.deprecated"),
                    format!("expected true or false, found {}", kind(other)),
                    None,
                );
                false
            }
        };
        let prices = match object.get("prices") {
            Some(Value::Array(items)) => items
                .iter()
                .enumerate()
                .filter_map(|(k, item)| self.conditional(item, &format!("{path}.prices[{k}]")))
                .collect(),
            Some(value) => self
                .prices(value, &format!("{path}.prices"), PriceEntry::default())
                .into_iter()
                .collect(),
            None => {
                self.problem(path, "missing field `prices`", None);
                Vec::new()
            }
        };
        let typed = ["id", "name", "context_window", "deprecated", "prices"];
        let source_fields = self.source_fields(object, MODEL_FIELDS, &typed, path);
        let id = id?;
        self.report.price_entries += prices.len();
        if let Err(why) = unsimulated(&prices) {
            self.report
                .unsimulated_models
                .push(format!("{provider}/{id}: {why}"));
        }
        Some(CatalogueModel {
            id,
            name,
            context_window,
            deprecated,
            prices,
            source_fields,
        })
    }

    /// One `ConditionalPrice`: `{constraint?, prices}`.
    fn conditional(&mut self, value: &Value, path: &str) -> Option<PriceEntry> {
        let object = self.object(value, path)?;
        let mut entry = PriceEntry::default();
        for key in object.keys() {
            if key != "constraint" && key != "prices" {
                self.cannot_keep(&format!("{path}.{key}"));
            }
        }
        if let Some(constraint) = object.get("constraint") {
            let at = format!("{path}.constraint");
            let constraint = self.object(constraint, &at)?;
            for key in constraint.keys() {
                if !["start_date", "start_time", "end_time"].contains(&key.as_str()) {
                    self.cannot_keep(&format!("{at}.{key}"));
                }
            }
            if constraint.contains_key("start_date") {
                let text = self.string(constraint, "start_date", &at)?;
                match Date::parse(&text) {
                    Some(date) => entry.from = Some(date),
                    None => self.problem(
                        &format!("{at}.start_date"),
                        format!("`{text}` is not a date like 2026-01-01"),
                        None,
                    ),
                }
                self.report.dated_entries += 1;
            }
            if constraint.contains_key("start_time") || constraint.contains_key("end_time") {
                let start = self.string(constraint, "start_time", &at)?;
                let end = self.string(constraint, "end_time", &at)?;
                entry.time_of_day = Some(TimeOfDay { start, end });
            }
        }
        match object.get("prices") {
            Some(prices) => self.prices(prices, &format!("{path}.prices"), entry),
            None => {
                self.problem(path, "missing field `prices`", None);
                None
            }
        }
    }

    /// One `ModelPrice` object into `entry`.
    fn prices(&mut self, value: &Value, path: &str, mut entry: PriceEntry) -> Option<PriceEntry> {
        let object = self.object(value, path)?;
        for (key, value) in object {
            let at = format!("{path}.{key}");
            let Some(price) = self.price(value, &at) else {
                continue;
            };
            if !price.tiers.is_empty() {
                self.report.tiered_prices += 1;
            }
            let ignored = if entry.time_of_day.is_some() {
                Some(TIME_OF_DAY)
            } else if !["input_mtok", "output_mtok", "cache_read_mtok"].contains(&key.as_str()) {
                Some(key.as_str())
            } else {
                None
            };
            if let Some(shape) = ignored {
                *self.ignored.entry(shape.to_owned()).or_default() += 1;
            }
            match key.as_str() {
                "input_mtok" => entry.input = Some(price),
                "output_mtok" => entry.output = Some(price),
                "cache_read_mtok" => entry.cache_read = Some(price),
                "cache_write_mtok" => entry.cache_write = Some(price),
                other => {
                    if !PRICE_FIELDS.contains(&other) {
                        self.report.unknown_fields.push(at);
                    }
                    entry.other.insert(other.to_owned(), price);
                }
            }
        }
        Some(entry)
    }

    /// A number, or `{base, tiers: [{start, price}]}`.
    fn price(&mut self, value: &Value, path: &str) -> Option<TieredPrice> {
        match value {
            Value::Number(_) => self.number(value, path).map(TieredPrice::flat),
            Value::Object(object) => {
                for key in object.keys() {
                    if key != "base" && key != "tiers" {
                        self.cannot_keep(&format!("{path}.{key}"));
                    }
                }
                let base = match object.get("base") {
                    Some(base) => self.number(base, &format!("{path}.base")),
                    None => {
                        self.problem(path, "missing field `base`", None);
                        None
                    }
                };
                let mut tiers = Vec::new();
                match object.get("tiers") {
                    Some(Value::Array(items)) => {
                        for (t, item) in items.iter().enumerate() {
                            if let Some(tier) = self.tier(item, &format!("{path}.tiers[{t}]")) {
                                tiers.push(tier);
                            }
                        }
                    }
                    Some(other) => self.problem(
                        &format!("{path}.tiers"),
                        format!("expected an array, found {}", kind(other)),
                        None,
                    ),
                    None => self.problem(path, "missing field `tiers`", None),
                }
                Some(TieredPrice { base: base?, tiers })
            }
            other => {
                self.problem(
                    path,
                    format!(
                        "expected a price (a number, or base and tiers), found {}",
                        kind(other)
                    ),
                    None,
                );
                None
            }
        }
    }

    fn tier(&mut self, value: &Value, path: &str) -> Option<Tier> {
        let object = self.object(value, path)?;
        for key in object.keys() {
            if key != "start" && key != "price" {
                self.cannot_keep(&format!("{path}.{key}"));
            }
        }
        let start = match object.get("start").map(Value::as_u64) {
            Some(Some(start)) => Some(start),
            _ => {
                self.problem(
                    &format!("{path}.start"),
                    "expected a whole number of input tokens",
                    None,
                );
                None
            }
        };
        let price = match object.get("price") {
            Some(price) => self.number(price, &format!("{path}.price")),
            None => {
                self.problem(path, "missing field `price`", None);
                None
            }
        };
        Some(Tier {
            above_input_tokens: start?,
            price: price?,
        })
    }

    fn number(&mut self, value: &Value, path: &str) -> Option<Exact> {
        let exact = match value {
            Value::Number(n) => {
                if let Some(i) = n.as_i64() {
                    Some(Exact::new(i.into()))
                } else if let Some(u) = n.as_u64() {
                    Some(Exact::new(u.into()))
                } else {
                    n.as_f64().and_then(Exact::from_f64)
                }
            }
            _ => None,
        };
        if exact.is_none() {
            self.problem(
                path,
                format!("expected a decimal number, found {value}"),
                None,
            );
        }
        exact
    }

    /// A field inside a price the catalogue has no place for.
    fn cannot_keep(&mut self, path: &str) {
        self.problem(
            path,
            "unknown field: the catalogue has no place for it",
            Some("this build reads genai-prices v2; update creditsim's importer for the new field"),
        );
    }
}

/// Why the simulator cannot price a model, if it cannot.
fn unsimulated(prices: &[PriceEntry]) -> Result<(), String> {
    if prices.iter().any(|e| e.time_of_day.is_some()) {
        return Err("time-of-day prices".to_owned());
    }
    for entry in prices {
        match (&entry.input, &entry.output) {
            (None, None) => return Err("no input or output token price".to_owned()),
            (None, _) => return Err("no input token price".to_owned()),
            (_, None) => return Err("no output token price".to_owned()),
            _ => {}
        }
    }
    Ok(())
}

fn kind(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_price_that_is_not_a_number_is_an_error_with_its_path() {
        let text = r#"[{"id": "p", "name": "P", "api_pattern": "x",
            "models": [{"id": "m", "match": {"equals": "m"}, "prices": {"input_mtok": "3"}}]}]"#;
        let errors = import(text, "data.json").unwrap_err();
        assert_eq!(errors.len(), 1, "{errors:?}");
        assert_eq!(errors[0].path, "$[0].models[0].prices.input_mtok");
    }
}
