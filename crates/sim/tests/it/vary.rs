//! Parameter paths: numbers found by id, position and nesting, with their
//! kinds; unknown paths and non-numbers refused with a hint; patched
//! variants loaded through the same checks as a file.

use rust_decimal::Decimal;
use sim::vary::{Document, Kind, VaryError};

/// The CLI's small fixture: plans `prepaid` (pack `starter`) and `postpaid`,
/// one model `m`, one segment `teams`.
pub const SMALL: &str = include_str!("../../../../tests/fixtures/scenario-small.toml");

fn doc() -> Document {
    Document::parse(SMALL).expect("the fixture is TOML")
}

fn dec(text: &str) -> Decimal {
    text.parse().expect("a decimal")
}

#[test]
fn leaves_have_canonical_paths_and_kinds_from_the_schema() {
    let leaves = doc().leaves();
    let find = |path: &str| {
        leaves
            .iter()
            .find(|l| l.path == path)
            .unwrap_or_else(|| panic!("no leaf {path}"))
    };
    let price = find("plans.prepaid.packs.starter.price");
    assert_eq!((price.kind, price.value), (Kind::Decimal, dec("200")));
    let per_credit = find("plans.postpaid.price_per_credit");
    assert_eq!(
        (per_credit.kind, per_credit.value),
        (Kind::Decimal, dec("0.01"))
    );
    let customers = find("segments.teams.customers");
    assert_eq!((customers.kind, customers.value), (Kind::Integer, dec("5")));
    // A bare number standing for a fixed distribution is a float.
    assert_eq!(find("segments.teams.agents_per_customer").kind, Kind::Float);
    let steps = find("segments.teams.tasks.steps.mean");
    assert_eq!((steps.kind, steps.value), (Kind::Float, dec("6")));
    assert_eq!(
        find("segments.teams.tasks.input_tokens.sigma").value,
        dec("0.6")
    );
    assert_eq!(find("models.m.price_per_mtok.cache_read").value, dec("0.3"));
    // Rate-card and model-mix entries are named by their model.
    assert_eq!(
        find("rate_card.m.credits_per_mtok.output").value,
        dec("3000")
    );
    assert_eq!(find("segments.teams.model_mix.m.share").value, dec("1"));
    // Strings that are not numbers, and dates, are not leaves.
    assert!(
        leaves
            .iter()
            .all(|l| !l.path.ends_with(".id") && l.path != "start")
    );
}

#[test]
fn elements_are_found_by_id_or_by_position() {
    let d = doc();
    let by_id = d.find("plans.prepaid.packs.starter.price").expect("by id");
    let by_index = d.find("plans.0.packs.0.price").expect("by index");
    assert_eq!(by_id, by_index);
    assert_eq!(by_index.path, "plans.prepaid.packs.starter.price");
    assert_eq!(
        d.find("plans.1.price_per_credit").expect("by index").path,
        "plans.postpaid.price_per_credit"
    );
}

#[test]
fn an_id_may_contain_dots() {
    let text = SMALL.replace("\"m\"", "\"gpt-4.1\"");
    let d = Document::parse(&text).expect("TOML");
    let leaf = d
        .find("models.gpt-4.1.price_per_mtok.output")
        .expect("found");
    assert_eq!(leaf.value, dec("15"));
    assert_eq!(leaf.path, "models.gpt-4.1.price_per_mtok.output");
}

#[test]
fn an_unknown_path_gets_the_closest_known_one() {
    let error = doc().find("plans.prepaid.packs.starter.prise").unwrap_err();
    let VaryError::UnknownPath { hint, .. } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(
        hint.as_deref(),
        Some("did you mean `plans.prepaid.packs.starter.price`?")
    );
    assert!(matches!(
        doc().find("plans.premium.price_per_credit"),
        Err(VaryError::UnknownPath { .. })
    ));
    assert!(matches!(
        doc().find("plans.7.price_per_credit"),
        Err(VaryError::UnknownPath { .. })
    ));
}

#[test]
fn a_path_to_something_else_than_a_number_says_what_is_there() {
    let d = doc();
    let error = d.find("segments.teams.tasks.steps").unwrap_err();
    assert_eq!(
        error.to_string(),
        "`segments.teams.tasks.steps` is a distribution table, not a number (numbers under it: segments.teams.tasks.steps.mean)"
    );
    let error = d.find("plans.0.id").unwrap_err();
    assert_eq!(
        error.to_string(),
        "`plans.prepaid.id` is the string \"prepaid\", not a number"
    );
    let error = d.find("start").unwrap_err();
    assert!(error.to_string().contains("is a date"), "{error}");
}

#[test]
fn a_patched_document_loads_with_the_new_value_only() {
    let d = doc();
    let price = d.find("plans.prepaid.packs.starter.price").expect("found");
    let share = d
        .find("segments.teams.tasks.cache_hit_share")
        .expect("found");
    let scenario = d
        .variant(
            &[(&price, dec("240")), (&share, dec("0.25"))],
            "v.toml",
            "test",
        )
        .expect("the variant loads");
    let base = sim::scenario::load(SMALL, "base.toml").expect("loads");
    assert_eq!(scenario.plans[0].packs[0].price.get(), dec("240"));
    assert_eq!(scenario.segments[0].tasks.cache_hit_share, 0.25);
    let mut expected = base.clone();
    expected.plans[0].packs[0].price = scenario.plans[0].packs[0].price;
    expected.segments[0].tasks.cache_hit_share = 0.25;
    assert_eq!(scenario, expected);
}

#[test]
fn integers_are_rounded_and_probabilities_clamped_with_a_note() {
    let d = doc();
    let customers = d.find("segments.teams.customers").expect("found");
    let fit = customers.fit(dec("5.5"), true);
    assert_eq!(fit.value, dec("6"));
    assert_eq!(fit.note.as_deref(), Some("rounded to 6 (an integer field)"));
    assert_eq!(customers.fit(dec("4"), true).note, None);
    let share = d
        .find("segments.teams.tasks.cache_hit_share")
        .expect("found");
    let fit = share.fit(dec("1.2"), true);
    assert_eq!(fit.value, Decimal::ONE);
    assert!(fit.note.expect("a note").contains("clamped to 1"));
    assert_eq!(share.fit(dec("1.2"), false).value, dec("1.2"));
}

#[test]
fn a_value_the_checks_refuse_names_the_setting_and_the_field() {
    let d = doc();
    let share = d
        .find("segments.teams.tasks.cache_hit_share")
        .expect("found");
    let error = d
        .variant(
            &[(&share, dec("1.2"))],
            "v.toml",
            "cache share = 1.2 (the high end)",
        )
        .unwrap_err();
    let VaryError::Rejected { setting, problems } = &error else {
        panic!("{error:?}")
    };
    assert_eq!(setting, "cache share = 1.2 (the high end)");
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert!(
        problems[0].starts_with("segments[0].tasks.cache_hit_share: "),
        "{problems:?}"
    );
}
