//! The scenario editor's work behind its commands: checking a text with the
//! CLI's loader, the form over a text and its patches (`sim::edit`), the
//! distribution preview, the catalogue's models, and drafts: unsaved text
//! kept in files under the app's data folder until it is saved or discarded.
//!
//! The text is the single source of truth: the form reads its fields from
//! the text and writes a change back into it, and the loader that checks it
//! is `sim::scenario::load_with_catalogue`, the one `creditsim run` uses.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use sim::catalogue::Catalogue;
use sim::edit::{self, FieldKind, NewValue};
use sim::scenario::{Date, Scenario, ScenarioError};

use crate::dto::{
    CatalogueChoice, DistPreview, DistValue, Draft, FieldEdit, FormBlock, FormField, FormModel,
    FormSection, Problem, Validation,
};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::files;
use crate::scenarios::{catalogue_for, shipped_shared};

/// Bins of a distribution preview: enough for a sparkline's shape.
pub const PREVIEW_BINS: usize = 48;

/// The most drafts kept; saving one more is refused until one is saved or
/// discarded.
pub const MAX_DRAFTS: usize = 64;

/// The longest draft key (an absolute path or `shipped:<stem>`).
const MAX_KEY_CHARS: usize = 4096;

/// The loader's verdict on `text`, whose file (if any) is `file`: every
/// problem with its field path, line and column.
pub fn validate(text: &str, file: Option<&Path>, imported: Option<&Arc<Catalogue>>) -> Validation {
    match load(text, file, imported) {
        Ok((scenario, warnings)) => Validation {
            ok: true,
            problems: Vec::new(),
            warnings,
            summary: summary(&scenario),
        },
        Err(problems) => {
            let n = problems.len();
            Validation {
                ok: false,
                problems,
                warnings: Vec::new(),
                summary: format!("{n} problem{}", if n == 1 { "" } else { "s" }),
            }
        }
    }
}

/// Loads `text` as the app runs it: the loader, with the catalogue found as
/// [`catalogue_for`] finds it (`imported`: the Prices tab's import, if any).
pub fn load(
    text: &str,
    file: Option<&Path>,
    imported: Option<&Arc<Catalogue>>,
) -> Result<(Scenario, Vec<String>), Vec<Problem>> {
    let name = file.map_or_else(|| "scenario.toml".to_owned(), |f| f.display().to_string());
    let found = catalogue_for(text, file, imported).map_err(|lines| {
        lines
            .into_iter()
            .map(|message| Problem {
                code: "catalogue_missing".to_owned(),
                path: "catalogue.file".to_owned(),
                line: 1,
                column: 1,
                message,
                hint: Some("put the catalogue file there, or change [catalogue] file".to_owned()),
            })
            .collect::<Vec<_>>()
    })?;
    sim::scenario::load_with_catalogue(text, &name, found.catalogue.as_deref())
        .map(|scenario| (scenario, found.warnings))
        .map_err(|errors| errors.iter().map(problem).collect())
}

fn problem(error: &ScenarioError) -> Problem {
    Problem {
        code: error.code.as_str().to_owned(),
        path: error.path.clone(),
        line: error.line as u32,
        column: error.column as u32,
        message: error.message.clone(),
        hint: error.hint.clone(),
    }
}

fn summary(scenario: &Scenario) -> String {
    format!(
        "No problems: {} segment{}, {} plan{}, {} days, {} paths",
        scenario.segments.len(),
        if scenario.segments.len() == 1 {
            ""
        } else {
            "s"
        },
        scenario.plans.len(),
        if scenario.plans.len() == 1 { "" } else { "s" },
        scenario.horizon_days,
        scenario.paths
    )
}

fn bad_edit(error: edit::EditError) -> IpcError {
    IpcError::new(ErrorCode::BadEdit, error.to_string())
}

/// The editor's form over `text`.
pub fn form(text: &str) -> IpcResult<FormModel> {
    let form = edit::form(text).map_err(bad_edit)?;
    Ok(FormModel {
        start: form.start,
        models: form.models,
        sections: form
            .sections
            .into_iter()
            .map(|s| FormSection {
                kind: s.kind,
                title: s.title,
                path: s.path,
                blocks: s
                    .blocks
                    .into_iter()
                    .map(|b| FormBlock {
                        title: b.title,
                        path: b.path,
                        note: b.note,
                        removable: b.removable,
                        add: b.add,
                        fields: b.fields.into_iter().map(field).collect(),
                    })
                    .collect(),
            })
            .collect(),
    })
}

fn field(f: edit::Field) -> FormField {
    FormField {
        path: f.path,
        label: f.label,
        kind: f.kind.code().to_owned(),
        value: f.value,
        dist: f.dist.map(|d| DistValue {
            dist: d.dist,
            params: d.params,
        }),
        default: f.default,
        options: f.options,
    }
}

fn dist_value(d: &DistValue) -> edit::DistValue {
    edit::DistValue {
        dist: d.dist.clone(),
        params: d.params.clone(),
    }
}

/// `text` with one field changed.
pub fn set_field(text: &str, change: &FieldEdit) -> IpcResult<String> {
    let kind = FieldKind::from_code(&change.kind).ok_or_else(|| {
        IpcError::new(
            ErrorCode::BadEdit,
            format!("{}: unknown field kind {:?}", change.path, change.kind),
        )
    })?;
    let value = match (&change.dist, &change.value) {
        (Some(dist), _) => NewValue::Dist(dist_value(dist)),
        (None, Some(text)) if !text.trim().is_empty() => NewValue::Text(text.clone()),
        (None, _) => NewValue::Unset,
    };
    edit::set_field(text, &change.path, kind, &value).map_err(bad_edit)
}

pub fn add_element(text: &str, path: &str) -> IpcResult<String> {
    edit::add_element(text, path).map_err(bad_edit)
}

pub fn remove_element(text: &str, path: &str) -> IpcResult<String> {
    edit::remove_element(text, path).map_err(bad_edit)
}

/// The shape of a distribution as the simulator draws it.
pub fn preview(dist: &DistValue) -> IpcResult<DistPreview> {
    let bad = |message: String| IpcError::new(ErrorCode::BadDistribution, message);
    let spec = edit::dist_from(&dist_value(dist)).map_err(bad)?;
    let preview = spec.preview(PREVIEW_BINS).map_err(|problems| {
        bad(problems
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; "))
    })?;
    Ok(DistPreview {
        low: preview.low,
        high: preview.high,
        density: preview.density,
        p05: preview.p05,
        p50: preview.p50,
        p95: preview.p95,
        mean: preview.mean,
    })
}

/// The catalogue the model picker offers for `text`: the imported one
/// (`imported`) when the text pins it or pins none; the built-in one when
/// the text pins that or another catalogue, whose models the picker does
/// not know (a pin is a promise: the picker never offers models of a
/// catalogue the scenario does not use).
pub fn picker_catalogue(text: &str, imported: Option<&Arc<Catalogue>>) -> Arc<Catalogue> {
    let pinned = sim::scenario::catalogue_sha256(text);
    match imported {
        Some(c) if pinned.is_none() || pinned.as_deref() == Some(c.sha256()) => Arc::clone(c),
        _ => Arc::clone(shipped_shared()),
    }
}

/// The models of the picker's catalogue for `text` (see
/// [`picker_catalogue`]) the simulator can price on `day` (`YYYY-MM-DD`,
/// the scenario's start).
pub fn catalogue_choices(
    day: &str,
    text: &str,
    imported: Option<&Arc<Catalogue>>,
) -> IpcResult<Vec<CatalogueChoice>> {
    let day = Date::parse(day).ok_or_else(|| {
        IpcError::new(
            ErrorCode::BadOptions,
            format!("day: expected YYYY-MM-DD, got {day:?}"),
        )
    })?;
    Ok(
        edit::catalogue_choices(&picker_catalogue(text, imported), day)
            .into_iter()
            .map(|c| CatalogueChoice {
                id: c.id,
                name: c.name,
                input: c.price.input.to_string(),
                output: c.price.output.to_string(),
                cache_read: c.price.cache_read.to_string(),
                changes: c.changes as u32,
            })
            .collect(),
    )
}

/// `text` with the picker catalogue's model `id` added (see
/// [`picker_catalogue`]). A text without a `[catalogue]` table gets one
/// pinning that catalogue's SHA-256 and naming `../data/catalogue.json`
/// (shipped scenarios' layout) when it has no file, else `catalogue.json`
/// beside it.
pub fn add_catalogue_model(
    text: &str,
    id: &str,
    file: Option<&Path>,
    imported: Option<&Arc<Catalogue>>,
) -> IpcResult<String> {
    let named = if file.is_some() {
        "catalogue.json"
    } else {
        "../data/catalogue.json"
    };
    edit::add_catalogue_model(text, id, &picker_catalogue(text, imported), named).map_err(bad_edit)
}

/// Drafts: one JSON file per scenario under `<app data>/drafts/`, each
/// written atomically, named by a hash of the draft's key.
#[derive(Debug, Default)]
pub struct Drafts {
    dir: Option<PathBuf>,
}

impl Drafts {
    /// Drafts under `data_dir/drafts`; `None` keeps none (and says so).
    pub fn new(data_dir: Option<PathBuf>) -> Drafts {
        Drafts {
            dir: data_dir.map(|d| d.join("drafts")),
        }
    }

    fn dir(&self) -> IpcResult<&Path> {
        self.dir.as_deref().ok_or_else(|| {
            IpcError::new(
                ErrorCode::Io,
                "the app has no data folder, so unsaved changes cannot be kept; save them to a file",
            )
        })
    }

    fn file(&self, key: &str) -> IpcResult<PathBuf> {
        if key.is_empty() || key.chars().count() > MAX_KEY_CHARS {
            return Err(IpcError::new(
                ErrorCode::BadEdit,
                format!("a draft key is 1 to {MAX_KEY_CHARS} characters"),
            ));
        }
        let hash = sim::catalogue::sha256_hex(key.as_bytes());
        Ok(self.dir()?.join(format!("{}.json", &hash[..32])))
    }

    /// Keeps `draft`, replacing the earlier draft of the same key.
    pub fn save(&self, draft: &Draft) -> IpcResult<()> {
        if draft.text.len() > sim::scenario::limits::MAX_SCENARIO_BYTES {
            return Err(IpcError::new(
                ErrorCode::BadEdit,
                "the text is larger than a scenario may be (MAX_SCENARIO_BYTES)",
            ));
        }
        let file = self.file(&draft.key)?;
        let dir = self.dir()?;
        std::fs::create_dir_all(dir).map_err(|e| {
            IpcError::new(
                ErrorCode::Io,
                format!("{}: cannot create the drafts folder: {e}", dir.display()),
            )
        })?;
        if !file.exists() && self.files()?.len() >= MAX_DRAFTS {
            return Err(IpcError::new(
                ErrorCode::Busy,
                format!("{MAX_DRAFTS} drafts are kept already; save or discard some"),
            ));
        }
        let json = serde_json::to_vec(draft)
            .map_err(|e| IpcError::new(ErrorCode::Io, format!("cannot encode the draft: {e}")))?;
        files::write_atomically(&file, &json)
    }

    fn files(&self) -> IpcResult<Vec<PathBuf>> {
        let dir = self.dir()?;
        let entries = match std::fs::read_dir(dir) {
            Ok(entries) => entries,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => {
                return Err(IpcError::new(
                    ErrorCode::Io,
                    format!("{}: cannot list the drafts: {e}", dir.display()),
                ));
            }
        };
        let mut out: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        out.sort();
        Ok(out)
    }

    /// Every draft kept, in a fixed order. A file that does not read as a
    /// draft is skipped (never deleted: it may be a newer app's).
    pub fn list(&self) -> IpcResult<Vec<Draft>> {
        if self.dir.is_none() {
            return Ok(Vec::new());
        }
        Ok(self
            .files()?
            .iter()
            .filter_map(|path| std::fs::read(path).ok())
            .filter_map(|bytes| serde_json::from_slice::<Draft>(&bytes).ok())
            .collect())
    }

    /// Forgets the draft of `key`; no draft is not an error.
    pub fn discard(&self, key: &str) -> IpcResult<()> {
        let file = self.file(key)?;
        match std::fs::remove_file(&file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(IpcError::new(
                ErrorCode::Io,
                format!("{}: cannot remove the draft: {e}", file.display()),
            )),
        }
    }

    /// Forgets every draft (the window was closed and the user chose to
    /// discard them).
    pub fn discard_all(&self) -> IpcResult<()> {
        for draft in self.list()? {
            self.discard(&draft.key)?;
        }
        Ok(())
    }
}
