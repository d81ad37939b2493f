//! The Prices tab: the price catalogue the app uses, as rows to browse
//! (each model's prices in force on a day and its dated changes), and the
//! import of a newer genai-prices `data.json` (the import `creditsim prices
//! import` does), stored atomically in the app's data folder and used from
//! then on. The built-in catalogue stays what the shipped scenarios pin by
//! SHA-256; an imported one never replaces it for them.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use sim::catalogue::{Catalogue, PriceEntry, TieredPrice, import};
use sim::scenario::Date;

use crate::dto::{CatalogueView, ModelPrices, PriceRow};
use crate::error::{ErrorCode, IpcError, IpcResult};
use crate::files;
use crate::scenarios::shipped_catalogue;

/// The imported catalogue's file name in the app's data folder.
pub const IMPORTED_FILE: &str = "catalogue.json";

/// The most models the browser is sent (the built-in catalogue has about
/// a thousand); a larger import is refused as not a real catalogue.
pub const MAX_MODELS: usize = 20_000;

/// The catalogue in use: built in, or the last one imported.
pub struct Prices {
    data_dir: Option<PathBuf>,
    imported: Mutex<Option<Arc<Catalogue>>>,
    /// Why a stored import could not be read at start, if it could not.
    problem: Option<String>,
}

impl Prices {
    /// Reads a catalogue imported in an earlier session, if there is one.
    /// A stored file that no longer parses is reported, not fatal: the
    /// built-in catalogue is used.
    pub fn new(data_dir: Option<PathBuf>) -> Prices {
        let stored = data_dir
            .as_deref()
            .map(|dir| dir.join(IMPORTED_FILE))
            .filter(|path| path.exists());
        let (imported, problem) = match stored {
            None => (None, None),
            Some(path) => match sim::file::read_catalogue(&path) {
                Ok(catalogue) => (Some(Arc::new(catalogue)), None),
                Err(lines) => (
                    None,
                    Some(format!(
                        "the imported catalogue could not be read, so the built-in one is used: {}; \
                         import the data file again",
                        lines.join("; ")
                    )),
                ),
            },
        };
        Prices {
            data_dir,
            imported: Mutex::new(imported),
            problem,
        }
    }

    /// The imported catalogue, if one is in use.
    pub fn imported(&self) -> Option<Arc<Catalogue>> {
        self.imported.lock().expect("prices lock").clone()
    }

    /// The catalogue in use as the browser shows it, prices as on `day`.
    pub fn view(&self, day: &str) -> IpcResult<CatalogueView> {
        let day = parse_day(day)?;
        let imported = self.imported();
        let catalogue = imported.as_deref().unwrap_or(shipped_catalogue());
        Ok(view(
            catalogue,
            imported.is_some(),
            day,
            self.problem.clone(),
        ))
    }

    /// Imports a genai-prices `data.json` at `path`: checked with the
    /// CLI's import, written atomically to the data folder, then used.
    /// A file with problems changes nothing and lists them.
    pub fn import(&self, path: &str, day: &str) -> IpcResult<CatalogueView> {
        let day = parse_day(day)?;
        let source = files::data_file_path(path)?;
        let dir = self.data_dir.as_deref().ok_or_else(|| {
            IpcError::new(
                ErrorCode::Io,
                "this system gives the app no data folder, so an imported catalogue cannot be \
                 kept; use `creditsim prices import` instead",
            )
        })?;
        let text = sim::file::read_text(&source)
            .map_err(|message| IpcError::new(ErrorCode::Io, format!("{path}: {message}")))?;
        let name = source.file_name().map_or_else(
            || "data.json".to_owned(),
            |n| n.to_string_lossy().into_owned(),
        );
        let imported = import::import(&text, &name).map_err(|problems| {
            let lines: Vec<String> = problems.iter().map(|p| format!("{path}: {p}")).collect();
            IpcError::new(
                ErrorCode::BadCatalogue,
                format!(
                    "not imported (the catalogue in use is unchanged):\n{}",
                    lines.join("\n")
                ),
            )
        })?;
        if imported.report.models > MAX_MODELS {
            return Err(IpcError::new(
                ErrorCode::BadCatalogue,
                format!(
                    "{path}: {} models, more than {MAX_MODELS}; is this a genai-prices data.json?",
                    imported.report.models
                ),
            ));
        }
        let json = imported.catalogue.to_json();
        // Parsed back, so its SHA-256 is the stored file's, as a scenario pins it.
        let stored = Catalogue::parse(&json).map_err(|problems| {
            IpcError::new(
                ErrorCode::BadCatalogue,
                format!(
                    "{path}: the imported catalogue does not read back: {:?}",
                    problems.first()
                ),
            )
        })?;
        std::fs::create_dir_all(dir).map_err(|e| {
            IpcError::new(
                ErrorCode::Io,
                format!(
                    "{}: cannot create the app's data folder: {e}",
                    dir.display()
                ),
            )
        })?;
        files::write_atomically(&dir.join(IMPORTED_FILE), json.as_bytes())?;
        *self.imported.lock().expect("prices lock") = Some(Arc::new(stored));
        let imported_now = self.imported();
        let catalogue = imported_now.as_deref().expect("just set");
        let mut out = view(catalogue, true, day, None);
        out.import_summary = Some(imported.report.summary());
        Ok(out)
    }
}

fn parse_day(day: &str) -> IpcResult<Date> {
    Date::parse(day).ok_or_else(|| {
        IpcError::new(
            ErrorCode::BadOptions,
            format!("day: expected YYYY-MM-DD, got {day:?}"),
        )
    })
}

fn view(
    catalogue: &Catalogue,
    imported: bool,
    day: Date,
    problem: Option<String>,
) -> CatalogueView {
    let source = &catalogue.source;
    CatalogueView {
        origin: if imported { "imported" } else { "built_in" }.to_owned(),
        description: format!(
            "{} catalogue from {} ({}), {} models",
            if imported { "Imported" } else { "Built-in" },
            source.file,
            source.format,
            catalogue.model_count()
        ),
        source_file: source.file.clone(),
        source_sha256: source.sha256.clone(),
        sha256: catalogue.sha256().to_owned(),
        day: day.to_string(),
        problem,
        import_summary: None,
        models: models(catalogue, day),
    }
}

fn models(catalogue: &Catalogue, day: Date) -> Vec<ModelPrices> {
    let mut out = Vec::new();
    for provider in &catalogue.providers {
        for model in &provider.models {
            out.push(ModelPrices {
                id: format!("{}/{}", provider.id, model.id),
                provider: provider.id.clone(),
                provider_name: provider.name.clone(),
                name: model.name.clone(),
                deprecated: model.deprecated,
                current: model.price_on(day).map(row),
                changes: changes(&model.prices),
            });
        }
    }
    out
}

/// Every dated entry, oldest first (the source's order is not promised).
fn changes(prices: &[PriceEntry]) -> Vec<PriceRow> {
    let mut dated: Vec<&PriceEntry> = prices
        .iter()
        .filter(|e| e.from.is_some() && e.time_of_day.is_none())
        .collect();
    dated.sort_by_key(|e| e.from);
    dated.into_iter().map(row).collect()
}

fn row(entry: &PriceEntry) -> PriceRow {
    let text = |p: &Option<TieredPrice>| p.as_ref().map(|p| p.base.to_string());
    let tiered = [&entry.input, &entry.output, &entry.cache_read]
        .iter()
        .any(|p| p.as_ref().is_some_and(|p| !p.tiers.is_empty()));
    PriceRow {
        from: entry.from.map(|d| d.to_string()),
        input: text(&entry.input),
        output: text(&entry.output),
        cache_read: text(&entry.cache_read),
        tiered,
        time_of_day: entry.time_of_day.is_some(),
    }
}
