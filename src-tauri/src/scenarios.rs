//! The scenarios the app can run: the six shipped in the repository's
//! `scenarios/` (embedded at build time, so the app needs no resource
//! files), and those the user opened through the system dialog.

use std::path::Path;
use std::sync::{Arc, OnceLock};

use sim::catalogue::Catalogue;
use sim::scenario::Scenario;

use crate::dto::{PlanInfo, ScenarioInfo};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::files;

/// The shipped scenarios: file name and text.
pub const SHIPPED: [(&str, &str); 6] = [
    (
        "default-agentic-saas.toml",
        include_str!("../../scenarios/default-agentic-saas.toml"),
    ),
    (
        "runaway-agents.toml",
        include_str!("../../scenarios/runaway-agents.toml"),
    ),
    (
        "price-cut-80.toml",
        include_str!("../../scenarios/price-cut-80.toml"),
    ),
    (
        "intro-price-ends.toml",
        include_str!("../../scenarios/intro-price-ends.toml"),
    ),
    (
        "leaked-api-key.toml",
        include_str!("../../scenarios/leaked-api-key.toml"),
    ),
    (
        "enterprise-postpaid-vs-prepaid.toml",
        include_str!("../../scenarios/enterprise-postpaid-vs-prepaid.toml"),
    ),
];

/// The price catalogue the shipped scenarios that price models from it pin
/// (`[catalogue] file = "../data/catalogue.json"`), embedded with them.
const SHIPPED_CATALOGUE: &str = include_str!("../../data/catalogue.json");

/// The embedded catalogue, parsed once, when a shipped scenario first needs it.
pub fn shipped_catalogue() -> &'static Catalogue {
    shipped_shared()
}

/// The embedded catalogue as a shared handle, like a catalogue read from a
/// file or imported.
pub fn shipped_shared() -> &'static Arc<Catalogue> {
    static CATALOGUE: OnceLock<Arc<Catalogue>> = OnceLock::new();
    CATALOGUE.get_or_init(|| {
        Arc::new(
            Catalogue::parse(SHIPPED_CATALOGUE).expect("the shipped catalogue parses (tested)"),
        )
    })
}

/// The most scenario files kept open at once; opening one more closes the
/// oldest opened file (shipped scenarios stay).
pub const MAX_OPENED: usize = 32;

/// A scenario ready to run.
#[derive(Clone, Debug)]
pub struct Loaded {
    pub info: ScenarioInfo,
    pub scenario: Arc<Scenario>,
    /// The text it was loaded from, for the editor.
    pub text: Arc<str>,
}

/// The open scenarios, shipped first.
#[derive(Debug, Default)]
pub struct Library {
    shipped: Vec<Loaded>,
    opened: Vec<Loaded>,
    next_file: u32,
}

impl Library {
    /// The shipped scenarios, loaded. A shipped scenario that does not load
    /// is a build defect, caught by the tests.
    pub fn new() -> Library {
        let shipped = SHIPPED
            .iter()
            .map(|(file, text)| {
                let stem = file.trim_end_matches(".toml");
                let catalogue = sim::scenario::catalogue_file(text).map(|_| shipped_catalogue());
                load_text(
                    text,
                    catalogue,
                    file,
                    format!("shipped:{stem}"),
                    file.to_string(),
                    true,
                )
                .expect("shipped scenarios load (tested)")
            })
            .collect();
        Library {
            shipped,
            opened: Vec::new(),
            next_file: 1,
        }
    }

    pub fn list(&self) -> Vec<ScenarioInfo> {
        self.shipped
            .iter()
            .chain(&self.opened)
            .map(|l| l.info.clone())
            .collect()
    }

    /// Opens a scenario file the user chose (checked by [`files::scenario_path`]);
    /// `imported` is the catalogue the Prices tab imported, if any.
    pub fn open(
        &mut self,
        path: &str,
        imported: Option<&Arc<Catalogue>>,
    ) -> IpcResult<ScenarioInfo> {
        let path = files::scenario_path(path)?;
        let name = path.display().to_string();
        let text = sim::file::read_text(&path)
            .map_err(|message| IpcError::new(ErrorCode::Io, format!("{name}: {message}")))?;
        let found = catalogue_for(&text, Some(&path), imported)
            .map_err(|problems| IpcError::new(ErrorCode::BadScenario, problems.join("\n")))?;
        let id = format!("file:{}", self.next_file);
        let loaded = load_text(
            &text,
            found.catalogue.as_deref(),
            &name,
            id,
            name.clone(),
            false,
        )
        .map_err(|problems| IpcError::new(ErrorCode::BadScenario, problems.join("\n")))?;
        self.next_file += 1;
        if self.opened.len() >= MAX_OPENED {
            self.opened.remove(0);
        }
        self.opened.push(loaded.clone());
        Ok(loaded.info)
    }

    pub fn get(&self, id: &str) -> IpcResult<Loaded> {
        self.shipped
            .iter()
            .chain(&self.opened)
            .find(|l| l.info.id == id)
            .cloned()
            .ok_or_else(|| {
                IpcError::new(
                    ErrorCode::UnknownScenario,
                    format!("no open scenario has the id {id:?}; pick one from the list"),
                )
            })
    }
}

/// The catalogue a scenario text names, as [`catalogue_for`] found it.
pub struct Found {
    /// `None` when the text names no catalogue.
    pub catalogue: Option<Arc<Catalogue>>,
    /// Where it came from, when the user should know (the built-in copy).
    pub warnings: Vec<String>,
}

/// The price catalogue a scenario text names, found as the app finds it:
/// none when it names none; for a text with no file (a shipped scenario,
/// an unsaved copy), the imported catalogue (`imported`, from the Prices
/// tab) when the text pins its SHA-256, else the embedded one; for a file,
/// the catalogue file it names next to it, as the CLI reads it, or, when
/// that file does not exist and the scenario pins the embedded or the
/// imported catalogue's SHA-256, that one with a warning (a scenario saved
/// elsewhere keeps working in the app). Errors are lines for the user.
pub fn catalogue_for(
    text: &str,
    file: Option<&Path>,
    imported: Option<&Arc<Catalogue>>,
) -> Result<Found, Vec<String>> {
    let found = |catalogue, warnings| Found {
        catalogue,
        warnings,
    };
    let Some(named) = sim::scenario::catalogue_file(text) else {
        return Ok(found(None, Vec::new()));
    };
    let pinned = sim::scenario::catalogue_sha256(text);
    let pinned_import = imported.filter(|c| pinned.as_deref() == Some(c.sha256()));
    let Some(file) = file else {
        let catalogue = pinned_import.unwrap_or(shipped_shared());
        return Ok(found(Some(Arc::clone(catalogue)), Vec::new()));
    };
    let target = file.parent().unwrap_or_else(|| Path::new("")).join(&named);
    if target.exists() {
        return sim::file::read_catalogue(&target).map(|c| found(Some(Arc::new(c)), Vec::new()));
    }
    let embedded = shipped_shared();
    if let Some(imported) = pinned_import {
        let warning = format!(
            "{}: no such file, so the app prices the catalogue models from the catalogue \
             imported in the Prices tab, which has the pinned sha256; `creditsim` needs the \
             file: copy catalogue.json from the app's data folder there",
            target.display()
        );
        return Ok(found(Some(Arc::clone(imported)), vec![warning]));
    }
    if pinned.as_deref() == Some(embedded.sha256()) {
        let warning = format!(
            "{}: no such file, so the app prices the catalogue models from its built-in copy, \
             which has the pinned sha256; `creditsim` needs the file: copy data/catalogue.json \
             there or change [catalogue] file",
            target.display()
        );
        return Ok(found(Some(Arc::clone(embedded)), vec![warning]));
    }
    Err(vec![format!("{}: no such file", target.display())])
}

/// The file an open scenario's edited text belongs to, for finding its
/// catalogue: none for a shipped scenario.
pub fn file_of(info: &ScenarioInfo) -> Option<&Path> {
    (!info.shipped).then(|| Path::new(&info.file))
}

fn load_text(
    text: &str,
    catalogue: Option<&Catalogue>,
    name: &str,
    id: String,
    file: String,
    shipped: bool,
) -> Result<Loaded, Vec<String>> {
    let scenario = sim::scenario::load_with_catalogue(text, name, catalogue)
        .map_err(|errors| errors.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
    let info = info(
        &scenario,
        id,
        file,
        header_comment(text),
        shipped,
        Path::new(name),
    );
    Ok(Loaded {
        info,
        scenario: Arc::new(scenario),
        text: Arc::from(text),
    })
}

fn info(
    scenario: &Scenario,
    id: String,
    file: String,
    description: String,
    shipped: bool,
    path: &Path,
) -> ScenarioInfo {
    let fallback = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    ScenarioInfo {
        id,
        name: scenario.name.clone().unwrap_or(fallback),
        file,
        description,
        shipped,
        paths: scenario.paths,
        seed: scenario.seed,
        horizon_days: scenario.horizon_days,
        plans: scenario
            .plans
            .iter()
            .map(|p| PlanInfo {
                id: p.id.clone(),
                name: p.name.clone(),
            })
            .collect(),
    }
}

/// The comment block a scenario file starts with, without the `#` marks and
/// rule lines (`# ====`): the shipped scenarios document themselves there.
pub fn header_comment(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .take_while(|line| line.trim_start().starts_with('#'))
        .map(|line| {
            let body = line.trim_start().trim_start_matches('#');
            body.strip_prefix(' ').unwrap_or(body).trim_end()
        })
        .filter(|line| !line.chars().all(|c| c == '=' || c == '-') || line.is_empty())
        .collect();
    lines.join("\n").trim().to_owned()
}
