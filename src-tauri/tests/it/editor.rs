//! The scenario editor's commands: checking a text with the CLI's loader,
//! form edits that keep the rest of the text, the distribution preview, the
//! catalogue picker, drafts across app instances, and saving.

use creditsim_desktop::app::App;
use creditsim_desktop::dto::{DistValue, Draft, FieldEdit, RunEvent, RunRequest};
use creditsim_desktop::error::ErrorCode;

use crate::support::{TempDir, app_with_tiny, events_to_end, start, tiny_path};

fn tiny_text() -> String {
    std::fs::read_to_string(tiny_path()).expect("the tiny scenario")
}

fn scalar(path: &str, kind: &str, value: Option<&str>) -> FieldEdit {
    FieldEdit {
        path: path.to_owned(),
        kind: kind.to_owned(),
        value: value.map(str::to_owned),
        dist: None,
    }
}

fn dist(name: &str, params: &[(&str, &str)]) -> DistValue {
    DistValue {
        dist: name.to_owned(),
        params: params
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect(),
    }
}

/// The lines of `a` and `b` that differ (they must have as many lines).
fn changed_lines(a: &str, b: &str) -> Vec<(String, String)> {
    assert_eq!(
        a.lines().count(),
        b.lines().count(),
        "same line count:\n{b}"
    );
    a.lines()
        .zip(b.lines())
        .filter(|(x, y)| x != y)
        .map(|(x, y)| (x.to_owned(), y.to_owned()))
        .collect()
}

#[test]
fn a_tiny_text_checks_clean_and_says_what_it_holds() {
    let (app, id) = app_with_tiny();
    let v = app
        .validate_scenario(&tiny_text(), Some(&id))
        .expect("validates");
    assert!(v.ok, "{:?}", v.problems);
    assert!(
        v.summary
            .starts_with("No problems: 1 segment, 2 plans, 30 days"),
        "{}",
        v.summary
    );
}

#[test]
fn bad_toml_gives_the_line_column_and_field_path() {
    let app = App::new();
    let text = tiny_text().replace("horizon_days = 30", "horizon_days = 0");
    let v = app.validate_scenario(&text, None).expect("validates");
    assert!(!v.ok);
    let p = &v.problems[0];
    assert_eq!(
        (p.path.as_str(), p.line, p.column),
        ("horizon_days", 6, 16),
        "{p:?}"
    );
    assert_eq!(p.code, "out_of_range");

    let text = tiny_text().replace("credits = 40", "credits = = 40");
    let v = app.validate_scenario(&text, None).expect("validates");
    let p = &v.problems[0];
    assert_eq!(p.code, "syntax");
    assert_eq!(p.line, 40, "{p:?}");
    assert_eq!(
        v.summary,
        format!(
            "{} problem{}",
            v.problems.len(),
            if v.problems.len() == 1 { "" } else { "s" }
        )
    );
    assert_eq!(
        app.validate_scenario("", Some("file:99"))
            .expect_err("unknown id")
            .code,
        ErrorCode::UnknownScenario
    );
}

#[test]
fn a_form_edit_changes_one_line_and_keeps_the_comments() {
    let app = App::new();
    let text = tiny_text();
    let edited = app
        .set_field(
            &text,
            &scalar("segments[0].customers", "integer", Some("9")),
        )
        .expect("edits");
    assert_eq!(
        changed_lines(&text, &edited),
        vec![("customers = 6".to_owned(), "customers = 9".to_owned())]
    );
    assert!(edited.starts_with("# A tiny scenario for the desktop app's tests"));
    let form = app.scenario_form(&edited).expect("a form");
    let customers = form
        .sections
        .iter()
        .flat_map(|s| &s.blocks)
        .flat_map(|b| &b.fields)
        .find(|f| f.path == "segments[0].customers")
        .expect("the field");
    assert_eq!(customers.value.as_deref(), Some("9"));

    // An invalid value is written as typed and reported at its field.
    let bad = app
        .set_field(
            &text,
            &scalar("segments[0].customers", "integer", Some("-3")),
        )
        .expect("edits");
    let v = app.validate_scenario(&bad, None).expect("validates");
    assert!(
        v.problems.iter().any(|p| p.path == "segments[0].customers"),
        "{:?}",
        v.problems
    );
    let words = app
        .set_field(
            &text,
            &scalar("segments[0].customers", "integer", Some("many")),
        )
        .expect("edits");
    assert!(words.contains("customers = \"many\""));
    let v = app.validate_scenario(&words, None).expect("validates");
    assert_eq!(
        v.problems[0].path, "segments[0].customers",
        "{:?}",
        v.problems
    );

    // A distribution, and back to the text it came from by clearing a new table.
    let steps = app
        .set_field(
            &text,
            &FieldEdit {
                path: "segments[0].tasks.steps".into(),
                kind: "dist".into(),
                value: None,
                dist: Some(dist("gamma", &[("shape", "2"), ("scale", "3")])),
            },
        )
        .expect("edits");
    assert!(
        steps.contains("steps = { dist = \"gamma\", shape = 2, scale = 3 }"),
        "{steps}"
    );
    assert!(app.validate_scenario(&steps, None).expect("validates").ok);
    let runaway = app
        .set_field(
            &text,
            &scalar("segments[0].runaway.probability", "float", Some("0.1")),
        )
        .expect("edits");
    assert!(app.validate_scenario(&runaway, None).expect("validates").ok);
    let back = app
        .set_field(
            &runaway,
            &scalar("segments[0].runaway.probability", "float", None),
        )
        .expect("edits");
    assert_eq!(back, text);
    assert_eq!(
        app.set_field("version = = 1", &scalar("a", "integer", Some("1")))
            .expect_err("not TOML")
            .code,
        ErrorCode::BadEdit
    );
}

#[test]
fn packs_and_price_changes_are_added_and_removed() {
    let app = App::new();
    let text = tiny_text();
    let more = app.add_element(&text, "plans[0].packs").expect("adds");
    assert!(app.validate_scenario(&more, None).expect("validates").ok);
    let form = app.scenario_form(&more).expect("form");
    let plan = &form
        .sections
        .iter()
        .find(|s| s.path == "plans[0]")
        .expect("plan")
        .blocks;
    assert!(
        plan.iter()
            .any(|b| b.path == "plans[0].packs[1]" && b.removable)
    );
    assert_eq!(
        app.remove_element(&more, "plans[0].packs[1]")
            .expect("removes")
            .trim_end(),
        text.trim_end()
    );

    let change = app
        .add_element(&text, "models[0].price_changes")
        .expect("adds");
    assert!(
        change.contains("[[models.price_changes]]\ndate = 2026-01-16\n"),
        "{change}"
    );
    assert!(app.validate_scenario(&change, None).expect("validates").ok);
    assert_eq!(
        app.add_element(&text, "segments[0].tasks")
            .expect_err("not addable")
            .code,
        ErrorCode::BadEdit
    );
}

#[test]
fn a_distribution_preview_is_the_samplers_shape() {
    let app = App::new();
    let p = app
        .distribution_preview(&dist("lognormal", &[("median", "1469"), ("sigma", "1.36")]))
        .expect("a preview");
    assert!((p.p50 / 1469.0 - 1.0).abs() < 0.1, "median {}", p.p50);
    assert!(p.p05 < p.p50 && p.p50 < p.p95 && p.low < p.p05 && p.p95 < p.high);
    assert_eq!(p.density.len(), 48);
    assert_eq!(p.density.iter().copied().fold(0.0, f64::max), 1.0);
    let fixed = app
        .distribution_preview(&dist("fixed", &[("value", "31")]))
        .expect("a preview");
    assert_eq!((fixed.p50, fixed.density.len()), (31.0, 1));
    for bad in [
        dist("lognormal", &[("median", "1469"), ("sigma", "-1")]),
        dist("gamma", &[("shape", "2")]),
        dist("normal", &[("mean", "1")]),
    ] {
        assert_eq!(
            app.distribution_preview(&bad).expect_err("bad").code,
            ErrorCode::BadDistribution,
            "{bad:?}"
        );
    }
}

#[test]
fn a_catalogue_model_is_added_with_a_rate_card_at_cost() {
    let app = App::new();
    let choices = app
        .catalogue_models("2026-01-01", &tiny_text())
        .expect("choices");
    assert!(choices.len() > 100);
    let sonnet = choices
        .iter()
        .find(|c| c.id == "anthropic/claude-sonnet-4-6")
        .expect("a known model");
    assert_eq!((sonnet.input.as_str(), sonnet.output.as_str()), ("3", "15"));
    // The last model has a dated price change: the new model must come
    // after it, not take it over.
    let text = app
        .add_element(&tiny_text(), "models[0].price_changes")
        .expect("a price change");
    let added = app
        .add_catalogue_model(&text, "openai/gpt-4o", None)
        .expect("adds");
    assert!(added.starts_with(&text[..200]), "the start is kept");
    assert!(
        added.contains("[catalogue]\nfile = \"../data/catalogue.json\""),
        "{added}"
    );
    assert!(
        added.contains("id = \"openai/gpt-4o\"\ncatalogue = true"),
        "{added}"
    );
    assert!(added.contains("# openai/gpt-4o at cost"), "{added}");
    let v = app.validate_scenario(&added, None).expect("validates");
    assert!(v.ok, "{:?}", v.problems);
    let form = app.scenario_form(&added).expect("form");
    assert_eq!(
        form.models,
        vec!["anthropic/claude-sonnet-4-6", "openai/gpt-4o"]
    );
    assert!(
        form.sections[0]
            .blocks
            .iter()
            .any(|b| b.path == "models[0].price_changes[0]"),
        "the change stays with its model"
    );
    assert_eq!(
        app.add_catalogue_model(&added, "openai/gpt-4o", None)
            .expect_err("twice")
            .code,
        ErrorCode::BadEdit
    );
}

#[test]
fn drafts_survive_a_new_app_until_discarded() {
    let dir = TempDir::new("drafts");
    let draft = Draft {
        key: "shipped:price-cut-80".into(),
        name: "Price cut".into(),
        text: "version = 1\n# edited\n".into(),
    };
    {
        let app = App::with_data_dir(Some(dir.0.clone()));
        app.save_draft(&draft).expect("kept");
        let newer = Draft {
            text: "version = 1\n# edited again\n".into(),
            ..draft.clone()
        };
        app.save_draft(&newer).expect("replaced");
    }
    let app = App::with_data_dir(Some(dir.0.clone()));
    let kept = app.load_drafts().expect("listed");
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].text, "version = 1\n# edited again\n");
    assert_eq!(app.unsaved(), vec!["Price cut".to_owned()]);
    app.discard_draft(&draft.key).expect("discarded");
    app.discard_draft(&draft.key).expect("twice is fine");
    assert!(
        App::with_data_dir(Some(dir.0.clone()))
            .load_drafts()
            .expect("listed")
            .is_empty()
    );
    let none = App::new();
    assert!(none.load_drafts().expect("none").is_empty());
    assert_eq!(
        none.save_draft(&draft).expect_err("no folder").code,
        ErrorCode::Io
    );
}

#[test]
fn saving_is_atomic_checked_and_refuses_bad_paths() {
    let app = App::new();
    let dir = TempDir::new("save-scenario");
    let text = tiny_text();
    for bad in [
        "tiny.toml".to_owned(),
        dir.path("tiny.txt"),
        dir.path("missing/tiny.toml"),
    ] {
        assert_eq!(
            app.save_scenario(&bad, &text).expect_err(&bad).code,
            ErrorCode::BadPath,
            "{bad}"
        );
    }
    let target = dir.path("mine.toml");
    std::fs::write(&target, "old").expect("write");
    let refused = app
        .save_scenario(
            &target,
            &text.replace("horizon_days = 30", "horizon_days = 0"),
        )
        .expect_err("a bad scenario");
    assert_eq!(refused.code, ErrorCode::BadScenario);
    assert!(
        refused.message.contains("horizon_days"),
        "{}",
        refused.message
    );
    assert_eq!(
        std::fs::read_to_string(&target).expect("read"),
        "old",
        "left as it was"
    );
    let saved = app.save_scenario(&target, &text).expect("saved");
    assert_eq!(std::fs::read_to_string(&saved).expect("read"), text);
    assert_eq!(
        std::fs::read_dir(&dir.0).expect("list").count(),
        1,
        "no temporary file left"
    );
    assert!(
        app.open_scenario(&saved).is_ok(),
        "a saved file opens again"
    );
}

#[test]
fn a_shipped_scenario_duplicated_elsewhere_opens_with_the_builtin_catalogue() {
    let app = App::new();
    let dir = TempDir::new("duplicate");
    let text = app
        .scenario_text("shipped:price-cut-80")
        .expect("shipped text");
    assert!(
        text.contains("[catalogue]"),
        "this one prices from the catalogue"
    );
    let path = app
        .save_scenario(&dir.path("my-price-cut.toml"), &text)
        .expect("saved");
    let info = app.open_scenario(&path).expect("opens");
    let v = app
        .validate_scenario(&text, Some(&info.id))
        .expect("validates");
    assert!(v.ok, "{:?}", v.problems);
    assert!(v.warnings[0].contains("built-in copy"), "{:?}", v.warnings);
    let other = text.replace(
        &sim::scenario::catalogue_sha256(&text).expect("pinned"),
        &"0".repeat(64),
    );
    let v = app
        .validate_scenario(&other, Some(&info.id))
        .expect("validates");
    assert_eq!(v.problems[0].code, "catalogue_missing", "{:?}", v.problems);
}

#[test]
fn a_run_uses_the_edited_text() {
    let (app, id) = app_with_tiny();
    let text = tiny_text().replace("name = \"Tiny\"", "name = \"Tiny, edited\"");
    let request = RunRequest {
        scenario: id.clone(),
        paths: Some(4),
        seed: None,
        precision: None,
        text: Some(text),
    };
    let (run, rx) = start(&app, &request);
    let events = events_to_end(&rx);
    assert!(
        matches!(events.last(), Some(RunEvent::Finished { .. })),
        "{events:?}"
    );
    assert_eq!(
        app.run_results(run).expect("results").scenario,
        "Tiny, edited"
    );
    let bad = RunRequest {
        text: Some("version = 1\n".into()),
        ..request
    };
    let refused = app
        .start_run(&bad, Box::new(|_| {}))
        .expect_err("a bad text");
    assert_eq!(refused.code, ErrorCode::BadScenario);
}
