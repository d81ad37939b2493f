//! The price catalogue: the import of the real genai-prices data keeps every
//! provider, model and price (counted here by walking the JSON with
//! serde_json, not through the importer), the shipped catalogue is that
//! import, unknown fields are reported with their path, and scenarios that
//! price models from it get the catalogue's dated changes and tiers exactly,
//! or a clear error.

use std::collections::BTreeMap;
use std::fs;
use std::path::PathBuf;

use rust_decimal::Decimal;
use serde_json::Value;
use sim::catalogue::import::{Import, import};
use sim::catalogue::{Catalogue, TieredPrice};
use sim::pricing::{PriceTable, Tokens};
use sim::scenario::{ErrorCode, Exact, load, load_with_catalogue};

fn data_dir() -> PathBuf {
    crate::crate_dir().join("../../data")
}

fn source_text() -> String {
    fs::read_to_string(data_dir().join("genai-prices/data.json")).expect("data.json")
}

fn imported() -> Import {
    import(&source_text(), "data.json").unwrap_or_else(|e| panic!("the import fails: {e:?}"))
}

fn shipped() -> Catalogue {
    let text = fs::read_to_string(data_dir().join("catalogue.json")).expect("data/catalogue.json");
    Catalogue::parse(&text).unwrap_or_else(|e| panic!("data/catalogue.json: {e:?}"))
}

/// A JSON number as the exact decimal it is written as.
fn exact(value: &Value) -> Exact {
    match value.as_i64() {
        Some(i) => Exact::new(Decimal::from(i)),
        None => Exact::parse(&value.as_f64().unwrap().to_string()).unwrap(),
    }
}

/// A source price (number or `{base, tiers}`) as (base, [(start, price)]).
fn source_price(value: &Value) -> (Exact, Vec<(u64, Exact)>) {
    match value {
        Value::Object(o) => (
            exact(&o["base"]),
            o["tiers"]
                .as_array()
                .unwrap()
                .iter()
                .map(|t| (t["start"].as_u64().unwrap(), exact(&t["price"])))
                .collect(),
        ),
        number => (exact(number), Vec::new()),
    }
}

fn catalogue_price(price: &TieredPrice) -> (Exact, Vec<(u64, Exact)>) {
    let tiers = price.tiers.iter().map(|t| (t.above_input_tokens, t.price));
    (price.base, tiers.collect())
}

#[test]
fn import_keeps_every_provider_model_and_price() {
    let source: Value = serde_json::from_str(&source_text()).unwrap();
    let Import { catalogue, report } = imported();
    let providers = source.as_array().unwrap();
    assert_eq!(catalogue.providers.len(), providers.len());
    let mut models = 0;
    let mut prices = 0;
    for (provider, p) in providers.iter().zip(&catalogue.providers) {
        assert_eq!(provider["id"], p.id.as_str());
        assert_eq!(provider["name"], p.name.as_str());
        // Every other provider field, verbatim.
        for (key, value) in provider.as_object().unwrap() {
            if !["id", "name", "models"].contains(&key.as_str()) {
                assert_eq!(p.source_fields.get(key), Some(value), "{}.{key}", p.id);
            }
        }
        let source_models = provider["models"].as_array().unwrap();
        assert_eq!(p.models.len(), source_models.len(), "models of {}", p.id);
        for (model, m) in source_models.iter().zip(&p.models) {
            models += 1;
            let at = format!("{}/{}", p.id, m.id);
            assert_eq!(model["id"], m.id.as_str());
            assert_eq!(
                model.get("context_window").and_then(Value::as_u64),
                m.context_window
            );
            assert_eq!(model.get("match"), m.source_fields.get("match"), "{at}");
            let entries: Vec<&Value> = match &model["prices"] {
                Value::Array(items) => items.iter().map(|c| &c["prices"]).collect(),
                single => vec![single],
            };
            assert_eq!(entries.len(), m.prices.len(), "{at}: price entries");
            for (k, (source, entry)) in entries.iter().zip(&m.prices).enumerate() {
                let kept: BTreeMap<String, (Exact, Vec<(u64, Exact)>)> = entry
                    .named()
                    .map(|(name, price)| {
                        let name = match name {
                            "input" | "output" | "cache_read" | "cache_write" => {
                                format!("{name}_mtok")
                            }
                            other => other.to_owned(),
                        };
                        (name, catalogue_price(price))
                    })
                    .collect();
                let wanted: BTreeMap<String, (Exact, Vec<(u64, Exact)>)> = source
                    .as_object()
                    .unwrap()
                    .iter()
                    .map(|(key, value)| (key.clone(), source_price(value)))
                    .collect();
                assert_eq!(kept, wanted, "{at} prices[{k}]");
                prices += wanted.len();
            }
            if let Value::Array(items) = &model["prices"] {
                for (condition, entry) in items.iter().zip(&m.prices) {
                    let constraint = condition.get("constraint");
                    let date = constraint.and_then(|c| c.get("start_date"));
                    assert_eq!(
                        date.and_then(Value::as_str),
                        entry.from.map(|d| d.to_string()).as_deref(),
                        "{at}"
                    );
                    let start = constraint.and_then(|c| c.get("start_time"));
                    assert_eq!(
                        start.and_then(Value::as_str),
                        entry.time_of_day.as_ref().map(|t| t.start.as_str()),
                        "{at}"
                    );
                }
            }
        }
    }
    assert_eq!(catalogue.model_count(), models);
    assert_eq!(report.models, models);
    assert!(models > 1000, "the real data has over a thousand models");
    let simulated: usize = catalogue
        .providers
        .iter()
        .flat_map(|p| &p.models)
        .flat_map(|m| &m.prices)
        .filter(|e| e.time_of_day.is_none())
        .map(|e| {
            [&e.input, &e.output, &e.cache_read]
                .iter()
                .filter(|p| p.is_some())
                .count()
        })
        .sum();
    assert_eq!(
        report.ignored_total() + simulated,
        prices,
        "every price is simulated or named as ignored"
    );
    assert!(
        report.unknown_fields.is_empty(),
        "{:?}",
        report.unknown_fields
    );
}

#[test]
fn the_shipped_catalogue_is_the_import_of_the_shipped_data() {
    let fresh = imported().catalogue;
    let text = fs::read_to_string(data_dir().join("catalogue.json")).unwrap();
    assert!(
        text == fresh.to_json(),
        "data/catalogue.json is stale: rebuild it with \
         `cargo run -- prices import data/genai-prices/data.json`"
    );
    assert_eq!(shipped().sha256(), fresh.sha256());
}

#[test]
fn unknown_fields_are_reported_with_their_path_and_kept() {
    let text = r#"[{"id": "p", "name": "P", "api_pattern": "x", "mascot": "owl",
        "models": [{"id": "m", "match": {"equals": "m"}, "colour": "blue",
                    "prices": {"input_mtok": 1, "output_mtok": 2, "input_smell_mtok": 3}}]}]"#;
    let Import { catalogue, report } = import(text, "data.json").unwrap();
    assert_eq!(
        report.unknown_fields,
        [
            "$[0].models[0].prices.input_smell_mtok",
            "$[0].models[0].colour",
            "$[0].mascot",
        ]
    );
    let provider = &catalogue.providers[0];
    assert_eq!(provider.source_fields["mascot"], "owl");
    assert_eq!(provider.models[0].source_fields["colour"], "blue");
    let other = &provider.models[0].prices[0].other["input_smell_mtok"];
    assert_eq!(other.base, Exact::new(3.into()));
    assert!(
        report.summary().contains("$[0].mascot"),
        "{}",
        report.summary()
    );
}

#[test]
fn an_unknown_field_inside_a_price_is_an_error_with_its_path() {
    let text = r#"[{"id": "p", "name": "P", "api_pattern": "x",
        "models": [{"id": "m", "match": {"equals": "m"},
                    "prices": [{"prices": {"input_mtok": 1}, "weekday": "mon"}]}]}]"#;
    let errors = import(text, "data.json").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].path, "$[0].models[0].prices[0].weekday");
    assert!(errors[0].hint.is_some());
}

/// A one-model scenario on `model`, pinned to `sha256`, over `days` from `start`.
fn tiny(model: &str, sha256: &str, start: &str, days: u32) -> String {
    format!(
        r#"version = 1
start = {start}
horizon_days = {days}
[catalogue]
file = "../data/catalogue.json"
sha256 = "{sha256}"
[[models]]
id = "{model}"
catalogue = true
[[rate_card]]
model = "{model}"
credits_per_mtok = {{ input = 1, output = 1, cache_read = 1 }}
[[segments]]
id = "s"
customers = 1
[segments.tasks]
per_agent_per_day = 1
steps = {{ dist = "fixed", value = 1 }}
input_tokens = {{ dist = "fixed", value = 1000 }}
output_tokens = {{ dist = "fixed", value = 100 }}
[[segments.model_mix]]
model = "{model}"
share = 1
[[plans]]
id = "post"
billing = "postpaid"
price_per_credit = "0.01"
"#
    )
}

fn cost(table: &PriceTable, day: usize, input: u32, cached: u32, output: u32) -> Decimal {
    let tokens = Tokens {
        input,
        cached,
        output,
    };
    table.provider_for(0, day, tokens).cost(tokens)
}

fn dec(text: &str) -> Decimal {
    text.parse().unwrap()
}

#[test]
fn a_dated_catalogue_change_applies_from_its_day() {
    // OpenAI cut GPT-5.6 Luna by 80% on 2026-07-30: 1 / 6 / 0.1 per Mtok
    // before, 0.2 / 1.2 / 0.02 from that day; above 272,000 input tokens
    // 2 / 9 / 0.2 before and 0.4 / 1.8 / 0.04 after.
    let catalogue = shipped();
    let text = tiny("openai/gpt-5.6-luna", catalogue.sha256(), "2026-07-28", 5);
    let s = load_with_catalogue(&text, "tiny.toml", Some(&catalogue)).unwrap();
    assert_eq!(s.models[0].price_changes.len(), 1);
    assert_eq!(s.models[0].price_changes[0].date.to_string(), "2026-07-30");
    assert_eq!(s.models[0].context_window_tokens, 1_050_000);
    let table = PriceTable::new(&s);
    // 1,000 input, 200 cached, 100 output tokens.
    assert_eq!(cost(&table, 0, 1000, 200, 100), dec("0.00162"));
    assert_eq!(cost(&table, 1, 1000, 200, 100), dec("0.00162"));
    assert_eq!(cost(&table, 2, 1000, 200, 100), dec("0.000324"));
    assert_eq!(cost(&table, 4, 1000, 200, 100), dec("0.000324"));
    // The long-context tier: 272,000 input tokens in all is still the base
    // price, one more is the tier's for every token.
    assert_eq!(cost(&table, 1, 271_000, 1_000, 0), dec("0.2711"));
    assert_eq!(cost(&table, 1, 271_001, 1_000, 0), dec("0.542202"));
    assert_eq!(cost(&table, 2, 271_001, 1_000, 100), dec("0.1086204"));
}

#[test]
fn a_dated_change_can_remove_context_tiers() {
    // Claude Sonnet 4.6: 3 / 15 / 0.3 with a 2x input tier above 200,000
    // input tokens, then the same flat prices across the window from
    // 2026-03-13.
    let catalogue = shipped();
    let text = tiny(
        "anthropic/claude-sonnet-4-6",
        catalogue.sha256(),
        "2026-03-12",
        3,
    );
    let s = load_with_catalogue(&text, "tiny.toml", Some(&catalogue)).unwrap();
    let table = PriceTable::new(&s);
    assert_eq!(cost(&table, 0, 250_000, 0, 0), dec("1.5"));
    assert_eq!(cost(&table, 1, 250_000, 0, 0), dec("0.75"));
    // Changes before the horizon are folded into the price at its start.
    let text = tiny(
        "anthropic/claude-sonnet-4-6",
        catalogue.sha256(),
        "2026-04-01",
        3,
    );
    let s = load_with_catalogue(&text, "tiny.toml", Some(&catalogue)).unwrap();
    assert!(s.models[0].price_changes.is_empty());
    assert!(s.models[0].context_tiers.is_empty());
}

#[test]
fn a_checksum_mismatch_names_both_checksums_and_the_fix() {
    let catalogue = shipped();
    let wrong = "0".repeat(64);
    let text = tiny("openai/gpt-5.6-luna", &wrong, "2026-07-28", 5);
    let errors = load_with_catalogue(&text, "tiny.toml", Some(&catalogue)).unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let error = &errors[0];
    assert_eq!(error.code, ErrorCode::CatalogueMismatch);
    assert_eq!((error.path.as_str(), error.line), ("catalogue.sha256", 6));
    assert!(error.message.contains(&wrong), "{error}");
    assert!(error.message.contains(catalogue.sha256()), "{error}");
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains(&format!("sha256 = \"{}\"", catalogue.sha256())),
        "{error}"
    );
}

#[test]
fn catalogue_models_need_the_catalogue() {
    let catalogue = shipped();
    let text = tiny("openai/gpt-5.6-luna", catalogue.sha256(), "2026-07-28", 5);
    let errors = load(&text, "tiny.toml").unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::CatalogueMismatch, "{errors:?}");
    assert!(errors[0].message.contains("none was read"), "{}", errors[0]);
    // No [catalogue] table at all.
    let without: String = text
        .lines()
        .filter(|l| {
            !l.starts_with("[catalogue]") && !l.starts_with("file") && !l.starts_with("sha256")
        })
        .map(|l| format!("{l}\n"))
        .collect();
    let errors = load(&without, "tiny.toml").unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::MissingField, "{errors:?}");
    assert_eq!(errors[0].path, "models[0].catalogue");
}

#[test]
fn catalogue_model_errors_say_what_to_do() {
    let catalogue = shipped();
    let sha = catalogue.sha256().to_owned();
    // A typo: the closest catalogue id is suggested.
    let text = tiny("openai/gpt-5.6-lunar", &sha, "2026-07-28", 5);
    let errors = load_with_catalogue(&text, "tiny.toml", Some(&catalogue)).unwrap_err();
    let error = errors
        .iter()
        .find(|e| e.path == "models[0].id")
        .expect("id error");
    assert_eq!(error.code, ErrorCode::UndefinedReference);
    assert!(
        error
            .hint
            .as_deref()
            .unwrap()
            .contains("openai/gpt-5.6-luna"),
        "{error}"
    );
    // Time-of-day prices are not simulated: refused, not approximated.
    let text = tiny("deepseek/deepseek-chat", &sha, "2026-07-28", 5);
    let errors = load_with_catalogue(&text, "tiny.toml", Some(&catalogue)).unwrap_err();
    assert_eq!(errors[0].path, "models[0].catalogue", "{errors:?}");
    assert!(errors[0].message.contains("time-of-day"), "{}", errors[0]);
    // Prices written beside `catalogue = true` are a contradiction.
    let text = tiny("openai/gpt-5.6-luna", &sha, "2026-07-28", 5).replace(
        "catalogue = true",
        "catalogue = true\nprice_per_mtok = { input = 1, output = 1, cache_read = 1 }",
    );
    let errors = load_with_catalogue(&text, "tiny.toml", Some(&catalogue)).unwrap_err();
    assert_eq!(errors[0].code, ErrorCode::Inconsistent, "{errors:?}");
    assert_eq!(errors[0].path, "models[0].price_per_mtok");
}

#[test]
fn a_model_without_catalogue_needs_its_price() {
    let text = tiny("m", "x", "2026-07-28", 5)
        .replace(
            "[catalogue]\nfile = \"../data/catalogue.json\"\nsha256 = \"x\"\n",
            "",
        )
        .replace("catalogue = true\n", "");
    let errors = load(&text, "tiny.toml").unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert_eq!(errors[0].code, ErrorCode::MissingField);
    assert!(
        errors[0].message.contains("price_per_mtok"),
        "{}",
        errors[0]
    );
}

#[test]
fn a_simulation_pays_the_cut_price_from_the_day_of_the_cut() {
    // The same demand (same seed) priced by the catalogue, whose Luna price
    // falls to exactly 0.2x on 2026-07-30, and by Luna's pre-cut price
    // written by hand: each day's provider cost is the same before the
    // cut and exactly 0.2x from its day on.
    let catalogue = shipped();
    let busy = |text: String| text.replace("per_agent_per_day = 1\n", "per_agent_per_day = 50\n");
    let priced = busy(tiny(
        "openai/gpt-5.6-luna",
        catalogue.sha256(),
        "2026-07-27",
        6,
    ));
    let written = priced
        .replace(
            &format!(
                "[catalogue]\nfile = \"../data/catalogue.json\"\nsha256 = \"{}\"\n",
                catalogue.sha256()
            ),
            "",
        )
        .replace(
            "catalogue = true",
            "price_per_mtok = { input = 1, output = 6, cache_read = 0.1 }",
        );
    let options = || sim::run::RunOptions {
        paths: Some(1),
        ..sim::run::RunOptions::default()
    };
    let priced = load_with_catalogue(&priced, "priced.toml", Some(&catalogue)).unwrap();
    let written = load(&written, "written.toml").unwrap();
    let daily = |s: &sim::scenario::Scenario| -> Vec<f64> {
        let output = crate::run_with(s, options());
        let bands = &output.plans[0].daily.provider_cost;
        let totals: Vec<f64> = (0..bands.days()).map(|d| bands.quantiles(d)[2]).collect();
        let mut before = 0.0;
        totals
            .iter()
            .map(|total| {
                let day = total - before;
                before = *total;
                day
            })
            .collect()
    };
    let (priced, written) = (daily(&priced), daily(&written));
    assert_eq!(priced.len(), 6);
    for (day, (p, w)) in priced.iter().zip(&written).enumerate() {
        assert!(*w > 0.0, "day {day} has calls");
        // 2026-07-27 is day 0; the cut is day 3.
        let ratio = if day < 3 { 1.0 } else { 0.2 };
        assert!(
            (p - w * ratio).abs() <= 1e-9 * w,
            "day {day}: catalogue-priced cost {p}, written-price cost {w}, expected ratio {ratio}"
        );
    }
}
