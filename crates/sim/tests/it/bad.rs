//! The bad-scenario corpus: each `tests/bad/NAME.toml` must fail to load
//! with exactly the error lines in `NAME.expected`. A new case is a new pair
//! of files. `UPDATE_EXPECT=1` rewrites the `.expected` files from the
//! current output (review the diff).

use std::fs;

#[test]
fn bad_scenarios_give_the_expected_errors() {
    let dir = crate::crate_dir().join("tests/bad");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut cases: Vec<_> = fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "toml"))
        .collect();
    cases.sort();
    assert!(cases.len() >= 10, "the corpus is in {}", dir.display());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_str().unwrap();
        let text = fs::read_to_string(case).unwrap();
        let actual = match sim::scenario::load(&text, name) {
            Ok(_) => "(loaded without errors)\n".to_owned(),
            Err(errors) => errors.iter().map(|e| format!("{e}\n")).collect(),
        };
        let expected_path = case.with_extension("expected");
        if update {
            fs::write(&expected_path, &actual).unwrap();
            continue;
        }
        let expected = fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{name}\n--- expected\n{expected}--- actual\n{actual}"
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} case(s) differ (UPDATE_EXPECT=1 rewrites):\n\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn errors_carry_code_place_and_hint() {
    let text =
        fs::read_to_string(crate::crate_dir().join("tests/bad/overdraft_limit_negative.toml"))
            .unwrap();
    let errors = sim::scenario::load(&text, "x.toml").unwrap_err();
    let error = &errors[0];
    assert_eq!(error.code, sim::scenario::ErrorCode::OutOfRange);
    assert_eq!(error.code.as_str(), "out_of_range");
    assert_eq!(error.path, "plans[1].exhaustion.limit");
    assert_eq!(error.message, "must be >= 0, found -5");
    assert!(error.line > 1 && error.column > 1);
}

/// Whatever the bytes, the loader answers with a scenario or errors.
#[test]
fn never_panics_on_truncated_or_mangled_input() {
    let text = fs::read_to_string(crate::crate_dir().join("tests/good/full.toml")).unwrap();
    let mut cut = 0;
    while cut < text.len() {
        if text.is_char_boundary(cut) {
            let _ = sim::scenario::load(&text[..cut], "cut.toml");
            let mangled = format!("{}]\"{{={}", &text[..cut], &text[cut..]);
            let _ = sim::scenario::load(&mangled, "mangled.toml");
        }
        cut += 97;
    }
}

#[test]
fn too_many_errors_are_capped() {
    use sim::scenario::{ErrorCode, limits::MAX_ERRORS};
    let mut text = String::from("version = 1\n");
    for i in 0..MAX_ERRORS + 20 {
        text.push_str(&format!("typo_{i} = 1\n"));
    }
    let errors = sim::scenario::load(&text, "many.toml").unwrap_err();
    assert_eq!(errors.len(), MAX_ERRORS + 1);
    let last = errors.last().unwrap();
    assert_eq!(last.code, ErrorCode::TooManyErrors);
    assert!(last.message.contains("more errors not shown"), "{last}");
}

#[test]
fn oversized_files_are_refused_before_parsing() {
    use sim::scenario::{ErrorCode, limits::MAX_SCENARIO_BYTES};
    let text = "#".repeat(MAX_SCENARIO_BYTES + 1);
    let errors = sim::scenario::load(&text, "big.toml").unwrap_err();
    assert_eq!(errors.len(), 1);
    assert_eq!(errors[0].code, ErrorCode::FileTooLarge);
}
