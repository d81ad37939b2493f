//! `creditsim prices ...`: build the price catalogue from the genai-prices
//! data and list it; and reading a scenario together with the catalogue it
//! names, for every command that runs scenarios.
//!
//! The catalogue is found by `--catalogue PATH`, else the environment
//! variable `CREDITSIM_CATALOGUE`, else `data/catalogue.json` in the
//! current directory (the copy shipped in the repository).

use std::ffi::OsString;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};
use comfy_table::presets::UTF8_FULL_CONDENSED;
use comfy_table::{ContentArrangement, Table};
use sim::catalogue::{Catalogue, CatalogueModel, PriceEntry, TieredPrice, import};
use sim::scenario::{Date, Scenario};

use super::{EXIT_BAD_INPUT, EXIT_OUTPUT_FAILED, print_json, print_text, read_text};

/// The environment variable that overrides the default catalogue path.
pub const CATALOGUE_ENV: &str = "CREDITSIM_CATALOGUE";
/// The catalogue used when neither `--catalogue` nor the variable is given.
pub const DEFAULT_CATALOGUE: &str = "data/catalogue.json";

#[derive(Subcommand)]
pub enum PricesCommand {
    /// Build creditsim's price catalogue from a genai-prices v2 data.json.
    #[command(
        after_help = "Every provider and model is kept; the summary names the prices the \
        simulator ignores and any field the genai-prices v2 schema does not define.\n\
        The catalogue is written atomically to --catalogue, else $CREDITSIM_CATALOGUE, \
        else data/catalogue.json.\n\
        Exit status: 0 on success; 1 when the catalogue cannot be written; 2 when the \
        file has problems, listed one per line on stderr."
    )]
    Import(ImportArgs),
    /// List catalogue models with the prices in force on a day, their
    /// context-length tiers and their dated changes.
    #[command(
        after_help = "Prices are USD per million tokens: input / output / cache read / \
        cache write. The catalogue is --catalogue, else $CREDITSIM_CATALOGUE, else \
        data/catalogue.json."
    )]
    List(ListArgs),
}

#[derive(Args)]
pub struct ImportArgs {
    /// The genai-prices v2 data file (data/genai-prices/data.json).
    file: PathBuf,
    /// Where to write the catalogue.
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,
}

#[derive(Args)]
pub struct ListArgs {
    /// Only this provider (its id, e.g. `anthropic`).
    #[arg(long, value_name = "P")]
    provider: Option<String>,
    /// Only models whose id contains this text.
    #[arg(long, value_name = "M")]
    model: Option<String>,
    /// Show the prices in force on this day (YYYY-MM-DD). Default: today (UTC).
    #[arg(long, value_name = "DATE")]
    date: Option<String>,
    /// Print JSON instead of the table.
    #[arg(long)]
    json: bool,
    /// The catalogue to read.
    #[arg(long, value_name = "PATH")]
    catalogue: Option<PathBuf>,
}

pub fn run(command: PricesCommand) -> ExitCode {
    match command {
        PricesCommand::Import(args) => import_file(&args),
        PricesCommand::List(args) => list(&args),
    }
}

/// `--catalogue`, else `$CREDITSIM_CATALOGUE`, else the default.
fn catalogue_path(flag: Option<&Path>) -> PathBuf {
    flag.map(Path::to_path_buf)
        .or_else(|| {
            std::env::var_os(CATALOGUE_ENV)
                .filter(|v| !v.is_empty())
                .map(PathBuf::from)
        })
        .unwrap_or_else(|| PathBuf::from(DEFAULT_CATALOGUE))
}

fn bad(file: &Path, message: impl std::fmt::Display) -> ExitCode {
    eprintln!("{}: {message}", file.display());
    ExitCode::from(EXIT_BAD_INPUT)
}

fn import_file(args: &ImportArgs) -> ExitCode {
    let text = match read_text(&args.file) {
        Ok(text) => text,
        Err(message) => return bad(&args.file, message),
    };
    let name = args.file.file_name().map_or_else(
        || "data.json".to_owned(),
        |n| n.to_string_lossy().into_owned(),
    );
    let imported = match import::import(&text, &name) {
        Ok(imported) => imported,
        Err(problems) => {
            for problem in &problems {
                eprintln!("{}: {problem}", args.file.display());
            }
            return ExitCode::from(EXIT_BAD_INPUT);
        }
    };
    let target = catalogue_path(args.catalogue.as_deref());
    let json = imported.catalogue.to_json();
    if let Err(error) = write_atomically(&target, json.as_bytes()) {
        eprintln!(
            "{}: cannot write the catalogue: {error} (check that the folder exists and is writable)",
            target.display()
        );
        return ExitCode::from(EXIT_OUTPUT_FAILED);
    }
    let mut out = imported.report.summary();
    let _ = writeln!(
        out,
        "wrote {} (sha256 {})",
        target.display(),
        imported.catalogue.sha256()
    );
    print_text(&out)
}

/// Writes `bytes` to a temporary file beside `target`, then renames it over
/// `target`: a reader sees the old file or the new one, never half of one.
fn write_atomically(target: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = match target.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut name = OsString::from(".");
    name.push(
        target
            .file_name()
            .unwrap_or_else(|| "catalogue.json".as_ref()),
    );
    name.push(format!(".{}.tmp", std::process::id()));
    let temp = dir.join(name);
    let written = std::fs::File::create(&temp).and_then(|mut file| {
        file.write_all(bytes)?;
        file.sync_all()
    });
    let renamed = written.and_then(|()| std::fs::rename(&temp, target));
    if renamed.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    renamed
}

/// The catalogue at `path`, or the exit code after its problems are printed.
fn read_catalogue(path: &Path) -> Result<Catalogue, ExitCode> {
    sim::file::read_catalogue(path).map_err(|lines| catalogue_problems(path, &lines))
}

/// Prints a catalogue's problems; a file that cannot be read gets the hint
/// of how to build one.
fn catalogue_problems(path: &Path, lines: &[String]) -> ExitCode {
    let unreadable = !path.is_file();
    for line in lines {
        if unreadable {
            eprintln!(
                "{line} (build it with `creditsim prices import data/genai-prices/data.json`, \
                 or name another with --catalogue or ${CATALOGUE_ENV})"
            );
        } else {
            eprintln!("{line}");
        }
    }
    ExitCode::from(EXIT_BAD_INPUT)
}

/// Reads the scenario at `path` and, when it has a `[catalogue]` table, the
/// catalogue it names (relative to the scenario file), returning the
/// scenario and the file's text (a report keeps an exact copy of it).
/// Problems are printed on stderr and give the bad-input exit code. Every
/// command that runs a scenario file reads it through here.
pub fn read_scenario_and_text(path: &Path) -> Result<(Scenario, String), ExitCode> {
    let (text, catalogue) = read_scenario_source(path)?;
    let scenario = load_scenario(path, &text, catalogue.as_ref())?;
    Ok((scenario, text))
}

/// Loads the text read from `path` against its catalogue, printing every
/// problem with its place.
pub fn load_scenario(
    path: &Path,
    text: &str,
    catalogue: Option<&Catalogue>,
) -> Result<Scenario, ExitCode> {
    let name = path.display().to_string();
    sim::scenario::load_with_catalogue(text, &name, catalogue).map_err(|errors| {
        for error in &errors {
            eprintln!("{error}");
        }
        ExitCode::from(EXIT_BAD_INPUT)
    })
}

/// The text of the scenario at `path` and the catalogue it names (relative
/// to the scenario file), not yet checked: for commands that vary the text
/// before loading it (`sensitivity`, `sweep`).
pub fn read_scenario_source(path: &Path) -> Result<(String, Option<Catalogue>), ExitCode> {
    let text = read_text(path).map_err(|message| bad(path, message))?;
    let catalogue = match sim::file::read_catalogue_for(&text, path) {
        None => None,
        Some(Ok(catalogue)) => Some(catalogue),
        Some(Err(lines)) => {
            let dir = path.parent().unwrap_or_else(|| Path::new(""));
            let file = sim::scenario::catalogue_file(&text).unwrap_or_default();
            return Err(catalogue_problems(&dir.join(file), &lines));
        }
    };
    Ok((text, catalogue))
}

fn list(args: &ListArgs) -> ExitCode {
    let date = match args.date.as_deref() {
        None => super::today(),
        Some(text) => match Date::parse(text) {
            Some(date) => date,
            None => {
                eprintln!("creditsim: --date: `{text}` is not a date like 2026-01-01");
                return ExitCode::from(EXIT_BAD_INPUT);
            }
        },
    };
    let path = catalogue_path(args.catalogue.as_deref());
    let catalogue = match read_catalogue(&path) {
        Ok(catalogue) => catalogue,
        Err(code) => return code,
    };
    let models = catalogue.select(args.provider.as_deref(), args.model.as_deref());
    if models.is_empty() {
        let providers: Vec<&str> = catalogue.providers.iter().map(|p| p.id.as_str()).collect();
        return bad(
            &path,
            format!(
                "no model matches (providers: {}); --provider takes a provider id, --model part of a model id",
                providers.join(", ")
            ),
        );
    }
    if args.json {
        let rows: Vec<serde_json::Value> = models
            .iter()
            .map(|(provider, model)| {
                serde_json::json!({
                    "id": format!("{}/{}", provider.id, model.id),
                    "name": model.name,
                    "context_window": model.context_window,
                    "deprecated": model.deprecated,
                    "on": date.to_string(),
                    "current": model.price_on(date),
                    "prices": model.prices,
                })
            })
            .collect();
        return print_json(&serde_json::json!({
            "catalogue": path.display().to_string(),
            "sha256": catalogue.sha256(),
            "models": rows,
        }));
    }
    let mut table = Table::new();
    table
        .load_style(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Disabled)
        .set_header(vec![
            "model",
            "input",
            "output",
            "cache read",
            "cache write",
            "context tiers",
            "dated and other prices",
        ]);
    for (provider, model) in &models {
        let current = model.price_on(date);
        let cell = |pick: fn(&PriceEntry) -> &Option<TieredPrice>| {
            current
                .and_then(|e| pick(e).as_ref())
                .map_or_else(|| "-".to_owned(), |p| p.base.to_string())
        };
        table.add_row(vec![
            format!("{}/{}", provider.id, model.id),
            cell(|e| &e.input),
            cell(|e| &e.output),
            cell(|e| &e.cache_read),
            cell(|e| &e.cache_write),
            current.map_or_else(String::new, tiers),
            changes(model, current),
        ]);
    }
    let mut out = format!(
        "{} models from {} (sha256 {}), prices in force on {date}, USD per million tokens\n",
        models.len(),
        path.display(),
        catalogue.sha256()
    );
    let _ = writeln!(out, "{table}");
    print_text(&out)
}

/// `above 200000: 6 / 22.5 / 0.6 / 7.5` per tier start.
fn tiers(entry: &PriceEntry) -> String {
    let mut starts: Vec<u64> = [
        &entry.input,
        &entry.output,
        &entry.cache_read,
        &entry.cache_write,
    ]
    .iter()
    .filter_map(|p| p.as_ref())
    .flat_map(|p| p.tiers.iter().map(|t| t.above_input_tokens))
    .collect();
    starts.sort_unstable();
    starts.dedup();
    starts
        .iter()
        .map(|start| format!("above {start}: {}", four(entry, start + 1)))
        .collect::<Vec<_>>()
        .join("\n")
}

/// `input / output / cache read / cache write` for a call of `tokens`.
fn four(entry: &PriceEntry, tokens: u64) -> String {
    [
        &entry.input,
        &entry.output,
        &entry.cache_read,
        &entry.cache_write,
    ]
    .iter()
    .map(|p| {
        p.as_ref()
            .map_or_else(|| "-".to_owned(), |p| p.at(tokens).to_string())
    })
    .collect::<Vec<_>>()
    .join(" / ")
}

/// The model's other entries (dated, time-of-day) and its prices the
/// simulator ignores.
fn changes(model: &CatalogueModel, current: Option<&PriceEntry>) -> String {
    let mut lines = Vec::new();
    for entry in &model.prices {
        let in_force = current.is_some_and(|c| std::ptr::eq(c, entry));
        let when = match (&entry.from, &entry.time_of_day) {
            (Some(from), _) => format!("from {from}"),
            (None, Some(window)) => format!("{} to {}", window.start, window.end),
            (None, None) if model.prices.iter().any(|e| e.time_of_day.is_some()) => {
                "other hours".to_owned()
            }
            (None, None) if model.prices.len() > 1 => "undated".to_owned(),
            (None, None) => String::new(),
        };
        if !when.is_empty() {
            let mark = if in_force { " (in force)" } else { "" };
            let tiered = entry.named().any(|(_, p)| !p.tiers.is_empty());
            let tiers = if tiered { ", tiered" } else { "" };
            lines.push(format!("{when}{mark}: {}{tiers}", four(entry, 0)));
        }
    }
    if let Some(entry) = current {
        for (name, price) in &entry.other {
            let mut line = format!("{name} {}", price.base);
            if !price.tiers.is_empty() {
                line.push_str(" (tiered)");
            }
            lines.push(line);
        }
    }
    lines.join("\n")
}
