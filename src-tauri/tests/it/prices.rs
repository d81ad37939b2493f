//! The price catalogue browser: the built-in catalogue as the shipped
//! scenarios pin it, an import stored in the data folder and used by the
//! next session too, and imports refused with the catalogue left as it was.

use creditsim_desktop::app::App;
use creditsim_desktop::error::ErrorCode;
use creditsim_desktop::prices::IMPORTED_FILE;

use crate::support::TempDir;

const DAY: &str = "2026-06-01";

fn data_json() -> String {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../data/genai-prices/data.json"
    )
    .to_owned()
}

#[test]
fn the_built_in_catalogue_is_the_one_the_shipped_scenarios_pin() {
    let app = App::new();
    let view = app.price_catalogue(DAY).expect("the built-in catalogue");
    assert_eq!(view.origin, "built_in");
    assert!(view.description.starts_with("Built-in catalogue"));
    let pinned = include_str!("../../../scenarios/price-cut-80.toml");
    assert!(
        pinned.contains(&view.sha256),
        "price-cut-80.toml pins sha256 {}",
        view.sha256
    );
    assert!(view.models.len() > 100, "{} models", view.models.len());
    let sonnet = view
        .models
        .iter()
        .find(|m| m.id == "anthropic/claude-sonnet-4-6")
        .expect("a known model");
    let current = sonnet.current.as_ref().expect("prices in force");
    assert_eq!(current.input.as_deref(), Some("3"));
    assert_eq!(current.output.as_deref(), Some("15"));
    // Dated changes are listed oldest first, each with its day.
    for model in &view.models {
        let days: Vec<&str> = model
            .changes
            .iter()
            .map(|c| c.from.as_deref().unwrap())
            .collect();
        let mut sorted = days.clone();
        sorted.sort_unstable();
        assert_eq!(days, sorted, "{}", model.id);
    }
    assert!(
        view.models.iter().any(|m| !m.changes.is_empty()),
        "some model has dated changes"
    );
    assert_eq!(
        app.price_catalogue("June").expect_err("bad day").code,
        ErrorCode::BadOptions
    );
}

#[test]
fn an_import_is_stored_used_and_kept_for_the_next_session() {
    let dir = TempDir::new("prices-import");
    let app = App::with_data_dir(Some(dir.0.clone()));
    let view = app.import_catalogue(&data_json(), DAY).expect("imports");
    assert_eq!(view.origin, "imported");
    assert!(
        view.description
            .starts_with("Imported catalogue from data.json")
    );
    assert!(
        view.import_summary
            .as_deref()
            .unwrap()
            .starts_with("imported ")
    );
    let stored = dir.0.join(IMPORTED_FILE);
    assert!(stored.is_file(), "stored in the data folder");
    assert_eq!(
        sim::catalogue::sha256_hex(&std::fs::read(&stored).unwrap()),
        view.sha256,
        "the SHA-256 shown is the stored file's, as a scenario would pin it"
    );
    assert_eq!(app.price_catalogue(DAY).unwrap().origin, "imported");
    // A new session finds it.
    let next = App::with_data_dir(Some(dir.0.clone()));
    let again = next.price_catalogue(DAY).unwrap();
    assert_eq!(
        (again.origin.as_str(), again.sha256.as_str()),
        ("imported", view.sha256.as_str())
    );
    // The shipped scenarios still load with the catalogue they pin.
    let text = next.scenario_text("shipped:price-cut-80").unwrap();
    assert!(
        next.validate_scenario(&text, Some("shipped:price-cut-80"))
            .unwrap()
            .ok
    );
}

#[test]
fn a_bad_import_changes_nothing_and_says_why() {
    let dir = TempDir::new("prices-bad");
    let app = App::with_data_dir(Some(dir.0.clone()));
    let bad = dir.path("data.json");
    std::fs::write(&bad, "{\"providers\": 3}").unwrap();
    let error = app
        .import_catalogue(&bad, DAY)
        .expect_err("not a catalogue");
    assert_eq!(error.code, ErrorCode::BadCatalogue);
    assert!(
        error.message.starts_with("not imported"),
        "{}",
        error.message
    );
    assert!(
        error.message.contains(&bad),
        "names the file: {}",
        error.message
    );
    assert_eq!(app.price_catalogue(DAY).unwrap().origin, "built_in");
    assert!(!dir.0.join(IMPORTED_FILE).exists());

    let code = |path: &str| app.import_catalogue(path, DAY).expect_err("refused").code;
    assert_eq!(code("data.json"), ErrorCode::BadPath);
    assert_eq!(code(&dir.path("missing.json")), ErrorCode::BadPath);
    assert_eq!(code(&dir.path("data.txt")), ErrorCode::BadPath);

    // Without a data folder nothing can be kept: refused, not half done.
    let error = App::new()
        .import_catalogue(&data_json(), DAY)
        .expect_err("no data folder");
    assert_eq!(error.code, ErrorCode::Io);
}

#[test]
fn a_stored_import_that_no_longer_reads_falls_back_to_the_built_in_one() {
    let dir = TempDir::new("prices-broken");
    std::fs::write(dir.0.join(IMPORTED_FILE), "not json").unwrap();
    let view = App::with_data_dir(Some(dir.0.clone()))
        .price_catalogue(DAY)
        .unwrap();
    assert_eq!(view.origin, "built_in");
    assert!(
        view.problem
            .as_deref()
            .unwrap()
            .contains("import the data file again")
    );
}

/// The genai-prices data with one made-up Anthropic model more, so the
/// import differs from the built-in catalogue.
fn newer_data(dir: &TempDir) -> String {
    let text = std::fs::read_to_string(data_json()).unwrap();
    let newer = text.replacen(
        "\"models\":[{\"id\":\"claude-2\"",
        "\"models\":[{\"id\":\"claude-test-import\",\"name\":\"Test import\",\
         \"prices\":{\"input_mtok\":1,\"output_mtok\":2}},{\"id\":\"claude-2\"",
        1,
    );
    assert_ne!(newer, text, "the test adds a model");
    let path = dir.path("newer.json");
    std::fs::write(&path, newer).unwrap();
    path
}

#[test]
fn the_model_picker_offers_the_import_to_scenarios_that_pin_no_other_catalogue() {
    let dir = TempDir::new("prices-picker");
    let app = App::with_data_dir(Some(dir.0.clone()));
    let new_model = "anthropic/claude-test-import";
    let tiny = std::fs::read_to_string(crate::support::tiny_path()).unwrap();
    let offered = |app: &App, text: &str| {
        app.catalogue_models(DAY, text)
            .unwrap()
            .iter()
            .any(|c| c.id == new_model)
    };
    assert!(!offered(&app, &tiny), "not in the built-in catalogue");
    let view = app
        .import_catalogue(&newer_data(&dir), DAY)
        .expect("imports");
    assert!(view.models.iter().any(|m| m.id == new_model));
    assert!(
        offered(&app, &tiny),
        "a scenario without a pin gets the import"
    );
    let shipped = app.scenario_text("shipped:price-cut-80").unwrap();
    assert!(
        !offered(&app, &shipped),
        "a scenario pinned to the built-in catalogue keeps it"
    );

    // Added, the model pins the imported catalogue, and the text loads and runs.
    let info = app.open_scenario(&crate::support::tiny_path()).unwrap();
    let added = app
        .add_catalogue_model(&tiny, new_model, None)
        .expect("adds the imported model");
    assert!(added.contains(&view.sha256), "pins the import's sha256");
    let unsaved = app.validate_scenario(&added, None).unwrap();
    assert!(unsaved.ok, "{:?}", unsaved.problems);
    // Beside a file, the named catalogue.json is missing: the app uses the
    // import it pins and says so.
    let beside = app.validate_scenario(&added, Some(&info.id)).unwrap();
    assert!(beside.ok, "{:?}", beside.problems);
    assert!(
        beside
            .warnings
            .iter()
            .any(|w| w.contains("imported in the Prices tab")),
        "{:?}",
        beside.warnings
    );
}
