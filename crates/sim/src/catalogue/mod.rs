//! creditsim's price catalogue, version 1: providers, their models and every
//! price the source lists for them, with dated changes and context-length
//! tiers, as exact decimals. It is built from the genai-prices data
//! ([`import`]) and read back with [`Catalogue::parse`]; scenarios name its
//! models as `provider/model` and pin it by its SHA-256 ([`Catalogue::sha256`]).
//!
//! This module does no I/O: the shell reads and writes the files and hands
//! over text. `docs/catalogue.md` documents the file and the import.
//!
//! What the simulator prices a call with ([`CatalogueModel::simulated_prices`]):
//! uncached input, output and cache-read tokens, per million, with
//! context-length tiers and the dated changes inside the horizon. Everything
//! else the source lists (cache writes, per-request fees, audio, image and
//! video tokens, web searches, time-of-day prices) is kept in the catalogue
//! and named by the import's report, but not simulated.

pub mod import;

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::scenario::{ContextTier, Date, Exact, PerMtok};

/// The catalogue format version this build reads and writes.
pub const VERSION: u32 = 1;

/// Largest catalogue (and import source) read, in bytes.
pub const MAX_CATALOGUE_BYTES: usize = 64 * 1024 * 1024;
/// Most providers in a catalogue.
pub const MAX_PROVIDERS: usize = 1_000;
/// Most models of one provider.
pub const MAX_MODELS_PER_PROVIDER: usize = 20_000;
/// Most price entries (dated or conditional prices) of one model.
pub const MAX_PRICE_ENTRIES: usize = 100;
/// Most context-length tiers of one price.
pub const MAX_TIERS: usize = 16;
/// Most problems reported for one file.
pub const MAX_PROBLEMS: usize = 100;

/// The format name of a genai-prices v2 `data.json`, recorded in [`Source`].
pub const GENAI_PRICES_FORMAT: &str = "genai-prices v2";

/// A price catalogue: every provider and model of its source.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Catalogue {
    /// Format version; must be [`VERSION`].
    pub version: u32,
    /// Where the prices come from.
    pub source: Source,
    /// Providers in source order.
    pub providers: Vec<Provider>,
    /// SHA-256 of the text this catalogue was parsed from (lowercase hex);
    /// empty for a catalogue built in memory.
    #[serde(skip)]
    sha256: String,
}

/// The file a catalogue was imported from.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Source {
    /// The source's format, [`GENAI_PRICES_FORMAT`].
    pub format: String,
    /// The source file's name (without its folder).
    pub file: String,
    /// SHA-256 of the source file (lowercase hex).
    pub sha256: String,
}

/// An inference provider and its models.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Provider {
    /// The provider's id in the source (`anthropic`).
    pub id: String,
    /// Its common name.
    pub name: String,
    /// Models in source order.
    pub models: Vec<CatalogueModel>,
    /// Every other field of the source's provider, verbatim (pricing URLs,
    /// API pattern, match rules, usage extractors, fallbacks, comments).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub source_fields: serde_json::Map<String, serde_json::Value>,
}

/// A model and its prices.
#[derive(Clone, Debug, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CatalogueModel {
    /// The model's id at its provider (`claude-sonnet-4-6`).
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Most input tokens a call may have.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    /// Deprecated by the provider but still served.
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
    /// Prices, in source order: at most one entry without a condition, then
    /// dated ones (from `from`) and time-of-day ones. See [`Self::price_on`].
    pub prices: Vec<PriceEntry>,
    /// Every other field of the source's model, verbatim (match rules,
    /// description, price comments).
    #[serde(default, skip_serializing_if = "serde_json::Map::is_empty")]
    pub source_fields: serde_json::Map<String, serde_json::Value>,
}

fn is_false(value: &bool) -> bool {
    !*value
}

/// One set of prices and when it applies. Token prices are in USD per
/// million tokens.
#[derive(Clone, Debug, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct PriceEntry {
    /// Applies from this day (00:00 UTC) on. `None`: no start date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Date>,
    /// Applies only between these times of day (UTC), as in the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_of_day: Option<TimeOfDay>,
    /// Per million uncached input tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub input: Option<TieredPrice>,
    /// Per million output tokens.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<TieredPrice>,
    /// Per million input tokens read from the prompt cache.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_read: Option<TieredPrice>,
    /// Per million tokens written to the prompt cache (not simulated).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cache_write: Option<TieredPrice>,
    /// Every other price of the source, by its source name, whose suffix is
    /// its unit (`cache_write_1h_mtok`, `requests_kcount`,
    /// `web_searches_kcount`, `input_audio_mtok`...). Not simulated.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub other: BTreeMap<String, TieredPrice>,
}

/// A daily interval, as the source writes it (`00:30:00Z`).
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TimeOfDay {
    pub start: String,
    pub end: String,
}

/// A price that may depend on the call's input tokens: `base` until the
/// first tier; above a tier's `above_input_tokens` (uncached plus cached
/// input tokens of the call, strictly more), every token of this kind in
/// the call costs the tier's price.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct TieredPrice {
    pub base: Exact,
    /// In ascending order of `above_input_tokens`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tiers: Vec<Tier>,
}

impl TieredPrice {
    /// A price without tiers.
    pub fn flat(base: Exact) -> TieredPrice {
        TieredPrice {
            base,
            tiers: Vec::new(),
        }
    }

    /// The price per unit for a call with `input_tokens` input tokens.
    pub fn at(&self, input_tokens: u64) -> Exact {
        self.tiers
            .iter()
            .rev()
            .find(|tier| input_tokens > tier.above_input_tokens)
            .map_or(self.base, |tier| tier.price)
    }
}

/// One context-length tier of a [`TieredPrice`].
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    pub above_input_tokens: u64,
    pub price: Exact,
}

/// A problem with a catalogue file: where (line and column for syntax and
/// shape, a JSON path for meaning), what, and how to fix it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CatalogueError {
    /// 1-based line and column, when known.
    pub place: Option<(usize, usize)>,
    /// JSON path (`providers[2].models[7].prices[0]`), empty when unknown.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

impl fmt::Display for CatalogueError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some((line, column)) = self.place {
            write!(f, "{line}:{column}: ")?;
        }
        if !self.path.is_empty() {
            write!(f, "{}: ", self.path)?;
        }
        f.write_str(&self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

impl std::error::Error for CatalogueError {}

impl CatalogueError {
    fn at(path: impl Into<String>, message: impl Into<String>) -> CatalogueError {
        CatalogueError {
            place: None,
            path: path.into(),
            message: message.into(),
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> CatalogueError {
        self.hint = Some(hint.into());
        self
    }
}

/// SHA-256 of `bytes` as lowercase hex: the checksum scenarios pin.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Bytes as lowercase hex.
pub(crate) fn hex(bytes: &[u8]) -> String {
    let mut hex = String::with_capacity(2 * bytes.len());
    for byte in bytes {
        hex.push(char::from_digit(u32::from(byte >> 4), 16).expect("a nibble"));
        hex.push(char::from_digit(u32::from(byte & 0xf), 16).expect("a nibble"));
    }
    hex
}

impl Catalogue {
    /// A catalogue built in memory (its [`Self::sha256`] is that of
    /// [`Self::to_json`]).
    pub fn new(source: Source, providers: Vec<Provider>) -> Catalogue {
        let mut catalogue = Catalogue {
            version: VERSION,
            source,
            providers,
            sha256: String::new(),
        };
        catalogue.sha256 = sha256_hex(catalogue.to_json().as_bytes());
        catalogue
    }

    /// Reads a catalogue file's text; every problem found, at most
    /// [`MAX_PROBLEMS`]. Never panics.
    pub fn parse(text: &str) -> Result<Catalogue, Vec<CatalogueError>> {
        if text.len() > MAX_CATALOGUE_BYTES {
            return Err(vec![CatalogueError::at(
                "",
                format!(
                    "the catalogue is {} bytes, over the limit of {MAX_CATALOGUE_BYTES} (MAX_CATALOGUE_BYTES)",
                    text.len()
                ),
            )]);
        }
        let mut catalogue: Catalogue = serde_json::from_str(text).map_err(|error| {
            // A later version is a different format: say so rather than
            // report its fields.
            let version = serde_json::from_str::<serde_json::Value>(text)
                .ok()
                .and_then(|v| v.get("version").and_then(serde_json::Value::as_u64));
            match version {
                Some(v) if v != u64::from(VERSION) => vec![
                    CatalogueError::at("version", format!("unsupported catalogue version {v}"))
                        .hint(format!("this build reads version {VERSION}")),
                ],
                _ => vec![CatalogueError {
                    place: Some((error.line(), error.column())),
                    path: String::new(),
                    message: error.to_string(),
                    hint: Some(
                        "rebuild it with `creditsim prices import data/genai-prices/data.json`"
                            .to_owned(),
                    ),
                }],
            }
        })?;
        let mut problems = catalogue.problems();
        if !problems.is_empty() {
            problems.truncate(MAX_PROBLEMS);
            return Err(problems);
        }
        catalogue.sha256 = sha256_hex(text.as_bytes());
        Ok(catalogue)
    }

    /// The catalogue file's text: pretty JSON with a final newline.
    pub fn to_json(&self) -> String {
        let mut text = serde_json::to_string_pretty(self).expect("a catalogue serializes");
        text.push('\n');
        text
    }

    /// SHA-256 of the text this catalogue was read from (lowercase hex).
    pub fn sha256(&self) -> &str {
        &self.sha256
    }

    /// Number of models over all providers.
    pub fn model_count(&self) -> usize {
        self.providers.iter().map(|p| p.models.len()).sum()
    }

    /// The model with catalogue id `provider/model`.
    pub fn model(&self, id: &str) -> Option<(&Provider, &CatalogueModel)> {
        let (provider, model) = id.split_once('/')?;
        let provider = self.providers.iter().find(|p| p.id == provider)?;
        let model = provider.models.iter().find(|m| m.id == model)?;
        Some((provider, model))
    }

    /// Every catalogue id, `provider/model`, in catalogue order.
    pub fn model_ids(&self) -> impl Iterator<Item = String> + '_ {
        self.providers
            .iter()
            .flat_map(|p| p.models.iter().map(move |m| format!("{}/{}", p.id, m.id)))
    }

    /// The models of `provider` (its id; any when `None`) whose id contains
    /// `model` (any when `None`), in catalogue order.
    pub fn select(
        &self,
        provider: Option<&str>,
        model: Option<&str>,
    ) -> Vec<(&Provider, &CatalogueModel)> {
        self.providers
            .iter()
            .filter(|p| provider.is_none_or(|id| p.id == id))
            .flat_map(|p| p.models.iter().map(move |m| (p, m)))
            .filter(|(_, m)| model.is_none_or(|text| m.id.contains(text)))
            .collect()
    }

    /// Meaning problems: version, limits, unique ids, prices.
    fn problems(&self) -> Vec<CatalogueError> {
        let mut problems = Vec::new();
        if self.version != VERSION {
            problems.push(
                CatalogueError::at(
                    "version",
                    format!("unsupported catalogue version {}", self.version),
                )
                .hint(format!("this build reads version {VERSION}")),
            );
            return problems;
        }
        if self.providers.len() > MAX_PROVIDERS {
            problems.push(CatalogueError::at(
                "providers",
                format!(
                    "{} providers exceeds the limit of {MAX_PROVIDERS} (MAX_PROVIDERS)",
                    self.providers.len()
                ),
            ));
        }
        let mut ids = std::collections::HashSet::new();
        for (i, provider) in self.providers.iter().enumerate() {
            let at = format!("providers[{i}]");
            if provider.id.is_empty() || provider.id.contains('/') {
                problems.push(
                    CatalogueError::at(format!("{at}.id"), "must be non-empty, without `/`")
                        .hint("catalogue ids are `provider/model`"),
                );
            }
            if !ids.insert(provider.id.as_str()) {
                problems.push(CatalogueError::at(
                    format!("{at}.id"),
                    format!("duplicate provider `{}`", provider.id),
                ));
            }
            if provider.models.len() > MAX_MODELS_PER_PROVIDER {
                problems.push(CatalogueError::at(
                    format!("{at}.models"),
                    format!(
                        "{} models exceeds the limit of {MAX_MODELS_PER_PROVIDER} (MAX_MODELS_PER_PROVIDER)",
                        provider.models.len()
                    ),
                ));
            }
            let mut models = std::collections::HashSet::new();
            for (j, model) in provider.models.iter().enumerate() {
                let at = format!("{at}.models[{j}]");
                if !models.insert(model.id.as_str()) {
                    problems.push(CatalogueError::at(
                        format!("{at}.id"),
                        format!("duplicate model `{}` of `{}`", model.id, provider.id),
                    ));
                }
                model.problems(&at, &mut problems);
            }
        }
        problems
    }
}

impl CatalogueModel {
    fn problems(&self, at: &str, problems: &mut Vec<CatalogueError>) {
        if self.prices.is_empty() {
            problems.push(CatalogueError::at(
                format!("{at}.prices"),
                "a model needs at least one price entry",
            ));
        }
        if self.prices.len() > MAX_PRICE_ENTRIES {
            problems.push(CatalogueError::at(
                format!("{at}.prices"),
                format!(
                    "{} price entries exceeds the limit of {MAX_PRICE_ENTRIES} (MAX_PRICE_ENTRIES)",
                    self.prices.len()
                ),
            ));
        }
        for (k, entry) in self.prices.iter().enumerate() {
            let at = format!("{at}.prices[{k}]");
            for (name, price) in entry.named() {
                price_problems(&format!("{at}.{name}"), price, problems);
            }
        }
    }

    /// The entry in force on `date` at a time of day the entries do not
    /// restrict, as genai-prices picks it: the last entry whose start date
    /// (if any) is on or before `date`, ignoring time-of-day entries; else
    /// the first entry.
    pub fn price_on(&self, date: Date) -> Option<&PriceEntry> {
        self.prices
            .iter()
            .rev()
            .find(|e| e.time_of_day.is_none() && e.from.is_none_or(|from| from <= date))
            .or_else(|| self.prices.first())
    }

    /// The prices the simulator charges over the horizon `start..=last`:
    /// the price in force at `start`, and each dated change after it up to
    /// `last` that changes a simulated price. Errors (a message) for a
    /// model the simulator cannot price: time-of-day prices, no input or
    /// output price, a tier above `u32::MAX` tokens.
    pub fn simulated_prices(
        &self,
        start: Date,
        last: Date,
    ) -> Result<(SimulatedPrice, Vec<(Date, SimulatedPrice)>), String> {
        if let Some(entry) = self.prices.iter().find(|e| e.time_of_day.is_some()) {
            let window = entry.time_of_day.as_ref().expect("found by it");
            return Err(format!(
                "has time-of-day prices ({} to {}), which the simulator does not model",
                window.start, window.end
            ));
        }
        let price_on = |date: Date| -> Result<SimulatedPrice, String> {
            let entry = self.price_on(date).ok_or("has no prices")?;
            SimulatedPrice::from_entry(entry).map_err(|message| format!("on {date}: {message}"))
        };
        let initial = price_on(start)?;
        let mut dates: Vec<Date> = self
            .prices
            .iter()
            .filter_map(|e| e.from)
            .filter(|date| *date > start && *date <= last)
            .collect();
        dates.sort();
        dates.dedup();
        let mut changes: Vec<(Date, SimulatedPrice)> = Vec::new();
        for date in dates {
            let price = price_on(date)?;
            let previous = changes.last().map_or(&initial, |(_, p)| p);
            if price != *previous {
                changes.push((date, price));
            }
        }
        Ok((initial, changes))
    }
}

fn price_problems(at: &str, price: &TieredPrice, problems: &mut Vec<CatalogueError>) {
    let negative = |value: Exact| value.get().is_sign_negative() && !value.get().is_zero();
    if negative(price.base) {
        problems.push(CatalogueError::at(
            format!("{at}.base"),
            format!("must be >= 0, found {}", price.base),
        ));
    }
    if price.tiers.len() > MAX_TIERS {
        problems.push(CatalogueError::at(
            format!("{at}.tiers"),
            format!(
                "{} tiers exceeds the limit of {MAX_TIERS} (MAX_TIERS)",
                price.tiers.len()
            ),
        ));
    }
    for (t, tier) in price.tiers.iter().enumerate() {
        if negative(tier.price) {
            problems.push(CatalogueError::at(
                format!("{at}.tiers[{t}].price"),
                format!("must be >= 0, found {}", tier.price),
            ));
        }
        if t > 0 && tier.above_input_tokens <= price.tiers[t - 1].above_input_tokens {
            problems.push(CatalogueError::at(
                format!("{at}.tiers[{t}].above_input_tokens"),
                "tiers must be in ascending order of above_input_tokens",
            ));
        }
    }
}

impl PriceEntry {
    /// Every price of the entry with its catalogue name.
    pub fn named(&self) -> impl Iterator<Item = (&str, &TieredPrice)> {
        [
            ("input", &self.input),
            ("output", &self.output),
            ("cache_read", &self.cache_read),
            ("cache_write", &self.cache_write),
        ]
        .into_iter()
        .filter_map(|(name, price)| price.as_ref().map(|p| (name, p)))
        .chain(self.other.iter().map(|(name, p)| (name.as_str(), p)))
    }
}

/// What the simulator charges per million tokens: a base price and
/// context-length tiers, in the scenario's own types.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimulatedPrice {
    pub per_mtok: PerMtok,
    pub context_tiers: Vec<ContextTier>,
}

impl SimulatedPrice {
    /// Input and output prices are required; a missing cache-read price is
    /// the input price (cached tokens get no discount). The tiers of the
    /// three prices are merged: above each tier start, every price is the
    /// one its own tiers give there.
    pub fn from_entry(entry: &PriceEntry) -> Result<SimulatedPrice, String> {
        let input = entry.input.as_ref().ok_or("has no input token price")?;
        let output = entry.output.as_ref().ok_or("has no output token price")?;
        let cache_read = entry.cache_read.as_ref().unwrap_or(input);
        let at = |tokens: u64| PerMtok {
            input: input.at(tokens),
            output: output.at(tokens),
            cache_read: cache_read.at(tokens),
        };
        let mut starts: Vec<u64> = [input, output, cache_read]
            .iter()
            .flat_map(|p| p.tiers.iter().map(|t| t.above_input_tokens))
            .collect();
        starts.sort_unstable();
        starts.dedup();
        let mut context_tiers = Vec::with_capacity(starts.len());
        for start in starts {
            let above = u32::try_from(start)
                .map_err(|_| format!("has a tier above {start} input tokens, past u32::MAX"))?;
            // Just above the start, every price's own tier applies.
            context_tiers.push(ContextTier {
                above_input_tokens: above,
                price_per_mtok: at(start + 1),
            });
        }
        Ok(SimulatedPrice {
            per_mtok: at(0),
            context_tiers,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exact(text: &str) -> Exact {
        Exact::parse(text).unwrap()
    }

    #[test]
    fn sha256_of_empty_input() {
        assert_eq!(
            sha256_hex(b""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
    }

    #[test]
    fn a_tier_applies_strictly_above_its_start() {
        let price = TieredPrice {
            base: exact("3"),
            tiers: vec![Tier {
                above_input_tokens: 200_000,
                price: exact("6"),
            }],
        };
        assert_eq!(price.at(200_000), exact("3"));
        assert_eq!(price.at(200_001), exact("6"));
    }

    #[test]
    fn tiers_of_different_prices_merge() {
        let entry = PriceEntry {
            input: Some(TieredPrice {
                base: exact("1"),
                tiers: vec![Tier {
                    above_input_tokens: 100,
                    price: exact("2"),
                }],
            }),
            output: Some(TieredPrice {
                base: exact("5"),
                tiers: vec![Tier {
                    above_input_tokens: 200,
                    price: exact("7"),
                }],
            }),
            ..PriceEntry::default()
        };
        let price = SimulatedPrice::from_entry(&entry).unwrap();
        assert_eq!(price.per_mtok.cache_read, exact("1"));
        let tiers: Vec<(u32, Exact, Exact, Exact)> = price
            .context_tiers
            .iter()
            .map(|t| {
                let p = t.price_per_mtok;
                (t.above_input_tokens, p.input, p.output, p.cache_read)
            })
            .collect();
        assert_eq!(
            tiers,
            vec![
                (100, exact("2"), exact("5"), exact("2")),
                (200, exact("2"), exact("7"), exact("2")),
            ]
        );
    }
}
