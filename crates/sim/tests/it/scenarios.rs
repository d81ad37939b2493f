//! The ready scenarios in the workspace's `scenarios/` folder, the files
//! users start from: each loads without errors, says what it is, compares
//! plans, and the default one compares the four billing set-ups the README
//! describes. (Running them is tested with the simulator.)

use std::path::PathBuf;

use sim::scenario::{self, Billing, Exhaustion, Scenario};

/// The file the README points users at first.
const DEFAULT_SCENARIO: &str = "default-agentic-saas.toml";

/// The workspace's `scenarios/` folder.
pub(crate) fn scenarios_dir() -> PathBuf {
    crate::crate_dir().join("../../scenarios")
}

/// Every `*.toml` in `scenarios/`, by file name, with its text.
fn scenario_files() -> Vec<(String, String)> {
    let dir = scenarios_dir();
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|error| panic!("cannot read {}: {error}", dir.display()));
    let mut files: Vec<(String, String)> = entries
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "toml"))
        .map(|path| {
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
            (name, text)
        })
        .collect();
    files.sort();
    files
}

/// A ready scenario, with the catalogue it names (relative to `scenarios/`).
pub(crate) fn load_ready(text: &str, name: &str) -> Result<Scenario, Vec<scenario::ScenarioError>> {
    let catalogue = scenario::catalogue_file(text).map(|file| {
        let path = scenarios_dir().join(file);
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|error| panic!("cannot read {}: {error}", path.display()));
        sim::catalogue::Catalogue::parse(&text).expect("the shipped catalogue parses")
    });
    scenario::load_with_catalogue(text, name, catalogue.as_ref())
}

/// Every ready scenario, loaded; panics with every error of every file that
/// does not load.
fn load_all() -> Vec<(String, Scenario)> {
    let mut loaded = Vec::new();
    let mut failures = Vec::new();
    for (name, text) in scenario_files() {
        match load_ready(&text, &name) {
            Ok(scenario) => loaded.push((name, scenario)),
            Err(errors) => {
                let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
                failures.push(format!("{name} does not load:\n{}", lines.join("\n")));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    loaded
}

#[test]
fn every_ready_scenario_loads() {
    let loaded = load_all();
    let names: Vec<&str> = loaded.iter().map(|(name, _)| name.as_str()).collect();
    assert!(
        loaded.len() >= 6,
        "scenarios/ should hold at least six ready scenarios, found {}: {names:?}",
        loaded.len()
    );
    assert!(
        names.contains(&DEFAULT_SCENARIO),
        "scenarios/{DEFAULT_SCENARIO} is missing: {names:?}"
    );
}

#[test]
fn every_ready_scenario_explains_itself_and_compares_plans() {
    for (name, text) in scenario_files() {
        assert!(
            text.trim_start().starts_with('#'),
            "{name} should open with a comment block (question, audience, how to read it)"
        );
    }
    for (name, s) in load_all() {
        let description = s.description.as_deref().unwrap_or("");
        assert!(
            !description.trim().is_empty(),
            "{name} has no `description`"
        );
        assert!(
            s.name.as_deref().is_some_and(|n| !n.trim().is_empty()),
            "{name} has no `name`"
        );
        assert!(
            s.plans.len() >= 2,
            "{name} compares {} plan(s); a ready scenario compares at least two",
            s.plans.len()
        );
        assert_eq!(s.paths, 1000, "{name}: ready scenarios run 1,000 paths");
        assert_ne!(s.seed, 0, "{name}: ready scenarios fix their own seed");
    }
}

#[test]
fn the_default_scenario_compares_the_four_billing_set_ups() {
    let text = std::fs::read_to_string(scenarios_dir().join(DEFAULT_SCENARIO)).unwrap();
    let s = scenario::load(&text, DEFAULT_SCENARIO).unwrap_or_else(|errors| {
        let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
        panic!("{DEFAULT_SCENARIO} does not load:\n{}", lines.join("\n"))
    });
    let find = |id: &str| {
        s.plans
            .iter()
            .find(|plan| plan.id == id)
            .unwrap_or_else(|| panic!("{DEFAULT_SCENARIO} has no plan `{id}`"))
    };

    let block = find("prepaid-block");
    assert_eq!(block.billing, Billing::Prepaid);
    assert_eq!(block.exhaustion_rule(), Exhaustion::Block);

    let overdraft = find("prepaid-overdraft");
    assert_eq!(overdraft.billing, Billing::Prepaid);
    assert!(
        matches!(overdraft.exhaustion_rule(), Exhaustion::Overdraft { .. }),
        "prepaid-overdraft should overdraft at zero, found {:?}",
        overdraft.exhaustion_rule()
    );

    let postpaid = find("postpaid");
    assert_eq!(postpaid.billing, Billing::Postpaid);

    let hybrid = find("hybrid");
    assert_eq!(hybrid.billing, Billing::Hybrid);
    assert!(hybrid.subscription.is_some());
    assert!(
        matches!(hybrid.exhaustion_rule(), Exhaustion::Invoice { .. }),
        "hybrid should invoice its overage, found {:?}",
        hybrid.exhaustion_rule()
    );
}
