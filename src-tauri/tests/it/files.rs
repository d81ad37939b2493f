//! Path checks and atomic writes.

use creditsim_desktop::error::ErrorCode;
use creditsim_desktop::files::{results_path, scenario_path, write_atomically};

use crate::support::TempDir;

#[test]
fn scenario_paths_must_be_absolute_toml_files() {
    let dir = TempDir::new("paths");
    std::fs::write(dir.path("a.TOML"), "x").expect("write");
    assert!(
        scenario_path(&dir.path("a.TOML")).is_ok(),
        "the extension is case-insensitive"
    );
    for bad in ["a.toml", "", "/", &dir.path("a"), &dir.path("missing.toml")] {
        assert_eq!(
            scenario_path(bad).expect_err(bad).code,
            ErrorCode::BadPath,
            "{bad}"
        );
    }
}

#[test]
fn results_paths_need_a_json_name_in_an_existing_folder() {
    let dir = TempDir::new("results-paths");
    assert!(results_path(&dir.path("out.json")).is_ok());
    std::fs::create_dir(dir.path("taken.json")).expect("mkdir");
    for bad in [
        "out.json".to_owned(),
        dir.path("out.txt"),
        dir.path("missing/out.json"),
        dir.path("taken.json"),
    ] {
        assert_eq!(
            results_path(&bad).expect_err(&bad).code,
            ErrorCode::BadPath,
            "{bad}"
        );
    }
}

#[test]
fn an_atomic_write_replaces_the_whole_file_or_nothing() {
    let dir = TempDir::new("atomic");
    let target = dir.0.join("f.json");
    write_atomically(&target, b"first").expect("write");
    write_atomically(&target, b"second").expect("replace");
    assert_eq!(std::fs::read_to_string(&target).expect("read"), "second");
    let into_missing = dir.0.join("missing").join("f.json");
    assert_eq!(
        write_atomically(&into_missing, b"x")
            .expect_err("no folder")
            .code,
        ErrorCode::Io
    );
    assert_eq!(
        std::fs::read_dir(&dir.0).expect("list").count(),
        1,
        "no temporary file left"
    );
}
