// Generated from src-tauri/src/dto.rs and error.rs by ts-rs; do not edit.
// Regenerate: UPDATE_BINDINGS=1 cargo test --workspace --locked -- bindings

/**
 * What went wrong, as a stable code the UI can switch on.
 */
export type ErrorCode = "bad_path" | "io" | "bad_scenario" | "unknown_scenario" | "unknown_run" | "run_not_finished" | "bad_options" | "busy" | "cancelled" | "charts" | "bad_edit" | "bad_distribution" | "bad_catalogue" | "export" | "ipc";

/**
 * An error for the UI: a code and a message for the person.
 */
export type IpcError = { code: ErrorCode, message: string, };

/**
 * A scenario the app can run: shipped with the app or opened from a file.
 */
export type ScenarioInfo = { 
/**
 * `shipped:<file stem>` or `file:<n>`; what `start_run` takes.
 */
id: string, name: string, 
/**
 * The file name (shipped) or the full path (opened).
 */
file: string, 
/**
 * The scenario's header comment, as written.
 */
description: string, shipped: boolean, 
/**
 * The scenario's own defaults.
 */
paths: number, seed: number, horizon_days: number, plans: Array<PlanInfo>, };

export type PlanInfo = { id: string, name: string | null, };

/**
 * What to run. Unset fields take the scenario's defaults.
 */
export type RunRequest = { scenario: string, paths: number | null, seed: number | null, 
/**
 * A fraction: 0.01 for 1%.
 */
precision: number | null, 
/**
 * The scenario's text as edited, run instead of the copy the app
 * loaded (its catalogue is found as for `scenario`'s file).
 */
text?: string, };

/**
 * A plan's running estimate of mean gross margin.
 */
export type Estimate = { plan: string, mean: number, ci95: [number, number] | null, };

/**
 * What the run's channel carries, in order: progress after each batch,
 * then exactly one of finished, failed or cancelled.
 */
export type RunEvent = { "kind": "progress", run_id: number, paths_done: number, paths_max: number, 
/**
 * Measured by the shell over the whole run so far.
 */
paths_per_second: number, 
/**
 * At the current rate, to the most paths the run may take.
 */
seconds_left: number | null, estimates: Array<Estimate>, } | { "kind": "finished", run_id: number, paths: number, seconds: number, } | { "kind": "failed", run_id: number, error: IpcError, } | { "kind": "cancelled", run_id: number, };

/**
 * Which way is better for a metric, so the UI can mark the best plan.
 */
export type Better = "higher" | "lower" | "neither";

/**
 * One plan's value of one metric across paths.
 */
export type MetricCell = { mean: number, ci95: [number, number] | null, p05: number, p50: number, p95: number, };

/**
 * One row of the comparison table: a metric, one cell per plan in plan order.
 */
export type MetricRow = { name: string, label: string, 
/**
 * `currency`, `percent`, `count`, `hours`, `days`, `probability`.
 */
unit: string, better: Better, cells: Array<MetricCell>, };

/**
 * A finished run's comparison.
 */
export type RunResults = { run_id: number, scenario: string, seed: number, paths: number, 
/**
 * `paths` or `precision`.
 */
stopped_by: string, precision: number | null, horizon_days: number, plans: Array<PlanInfo>, rows: Array<MetricRow>, };

/**
 * A chart as an SVG document, shown in an element with `data-chart="<id>"`.
 */
export type ChartDto = { id: string, title: string, svg: string, };

/**
 * Which journal entries the inspector wants.
 */
export type JournalFilter = "all" | "rejected" | "grants";

export type InspectRequest = { run_id: number, 
/**
 * Index into the run's plans.
 */
plan: number, 
/**
 * A path the run simulated: 0 to paths - 1.
 */
path: number, 
/**
 * Index into the path's customers (`Inspection::customers`).
 */
customer: number, filter: JournalFilter, offset: number, limit: number, };

export type CustomerDto = { index: number, segment: string, joined_day: number, agents: number, };

export type JournalEntryDto = { 
/**
 * Days since the horizon's start, with a fraction.
 */
day: number, kind: string, grant: string | null, usage: number | null, 
/**
 * Credits, exact.
 */
amount: string | null, reason: string | null, };

export type GrantDto = { id: string, kind: string, drawn: string, };

/**
 * One customer of one path under one plan, simulated again with its journal.
 */
export type Inspection = { plan: string, path: number, customer: CustomerDto, 
/**
 * Every customer on the path, to pick from.
 */
customers: Array<CustomerDto>, 
/**
 * End-of-day available balance, credits, one per horizon day.
 */
daily_available: Array<number>, 
/**
 * The daily balance as an SVG line chart.
 */
balance_svg: string, grants: Array<GrantDto>, entries_total: number, entries_by_kind: Array<[string, number]>, matching: number, offset: number, entries: Array<JournalEntryDto>, };

/**
 * One problem the loader found in a scenario text.
 */
export type Problem = { 
/**
 * The loader's error code (`out_of_range`, `syntax`, ...).
 */
code: string, 
/**
 * The field path (`plans[0].exhaustion.limit`); empty for the file.
 */
path: string, 
/**
 * 1-based, in the text.
 */
line: number, 
/**
 * 1-based, in characters.
 */
column: number, message: string, hint: string | null, };

/**
 * What the loader says about a scenario text.
 */
export type Validation = { ok: boolean, problems: Array<Problem>, 
/**
 * Things that do not stop a run (a catalogue taken from the app's own copy).
 */
warnings: Array<string>, 
/**
 * One line: what the scenario holds, or how many problems it has.
 */
summary: string, };

/**
 * A distribution in the form: its name and parameters as typed.
 */
export type DistValue = { dist: string, params: Array<[string, string]>, };

/**
 * One editable field: `kind` is `integer`, `float`, `decimal`, `text`,
 * `choice`, `date`, `period`, `dist` or `number_list`.
 */
export type FormField = { 
/**
 * The loader's field path, where its problems are reported.
 */
path: string, label: string, kind: string, 
/**
 * As written; `null` when the default applies.
 */
value: string | null, dist: DistValue | null, 
/**
 * What applies when not written, in words.
 */
default: string | null, options: Array<string>, };

export type FormBlock = { title: string, path: string, note: string | null, fields: Array<FormField>, 
/**
 * An array element `remove_element` may remove.
 */
removable: boolean, 
/**
 * An array `add_element` may add to.
 */
add: string | null, };

export type FormSection = { 
/**
 * `models`, `segment` or `plan`.
 */
kind: string, title: string, path: string, blocks: Array<FormBlock>, };

/**
 * The editor's form over a scenario text.
 */
export type FormModel = { 
/**
 * The scenario's `start` as written.
 */
start: string | null, models: Array<string>, sections: Array<FormSection>, };

/**
 * A change to one field: `value` for a scalar (null to remove it and take
 * the default), `dist` for a distribution.
 */
export type FieldEdit = { path: string, kind: string, value: string | null, dist: DistValue | null, };

/**
 * A distribution's shape for a sparkline, from the simulator's own sampler.
 */
export type DistPreview = { low: number, high: number, 
/**
 * Bin heights, the highest 1, between `low` and `high`.
 */
density: Array<number>, p05: number, p50: number, p95: number, mean: number | null, };

/**
 * A model of the embedded price catalogue the simulator can price.
 */
export type CatalogueChoice = { 
/**
 * `provider/model`.
 */
id: string, name: string, 
/**
 * Provider prices per million tokens on the day asked for, exact.
 */
input: string, output: string, cache_read: string, 
/**
 * Dated changes after that day.
 */
changes: number, };

/**
 * Unsaved editor text kept on disk until saved or discarded.
 */
export type Draft = { 
/**
 * `shipped:<stem>` for a shipped scenario, else the file's absolute path.
 */
key: string, 
/**
 * The scenario's name, for the banner.
 */
name: string, text: string, };

/**
 * One run of a comparison.
 */
export type ComparedRun = { run_id: number, scenario: string, seed: number, paths: number, };

/**
 * One metric of one plan in both runs.
 */
export type DeltaCell = { baseline: number, candidate: number, 
/**
 * Candidate minus baseline.
 */
delta: number, 
/**
 * The 95% interval of `delta`; null with one path.
 */
ci95: [number, number] | null, };

/**
 * A metric across the plans both runs have: one cell per plan of
 * [`Comparison::plans`].
 */
export type DeltaRow = { name: string, label: string, unit: string, better: Better, cells: Array<DeltaCell>, };

/**
 * What a line of the scenario diff is.
 */
export type DiffTag = "same" | "removed" | "added" | "gap";

/**
 * One line of the scenario diff.
 */
export type DiffLine = { tag: DiffTag, 
/**
 * The line without its line break (empty for a gap).
 */
text: string, 
/**
 * 1-based line numbers in the baseline's and the candidate's text.
 */
old_line: number | null, new_line: number | null, };

/**
 * A candidate run against the pinned baseline.
 */
export type Comparison = { baseline: ComparedRun, candidate: ComparedRun, 
/**
 * `paired`, `independent_seeds` or `independent_paths`.
 */
method: string, 
/**
 * The method in words, for the reader.
 */
method_text: string, 
/**
 * Plans both runs have, in the candidate's order.
 */
plans: Array<PlanInfo>, rows: Array<DeltaRow>, 
/**
 * Plan ids of one run only, not compared.
 */
only_baseline: Array<string>, only_candidate: Array<string>, 
/**
 * The scenario texts' line diff with three lines of context; empty
 * when the texts are the same.
 */
diff: Array<DiffLine>, 
/**
 * Lines added plus lines removed.
 */
lines_changed: number, };

/**
 * What to export: a file of the report, or the raw paths.
 */
export type ExportFormat = "pdf" | "html" | "xlsx" | "csv" | "parquet";

/**
 * An export's progress: stage `step` of `steps` is starting.
 */
export type ExportProgress = { step: number, steps: number, 
/**
 * What the stage does (`typesetting the PDF`).
 */
stage: string, };

/**
 * A set of prices and the day it starts (USD per million tokens, exact
 * decimals as the catalogue writes them; null where the model has none).
 */
export type PriceRow = { 
/**
 * `YYYY-MM-DD`; null for the model's undated first prices.
 */
from: string | null, input: string | null, output: string | null, cache_read: string | null, 
/**
 * Some price changes above a context length (the base is shown).
 */
tiered: boolean, 
/**
 * Applies only at some times of day (the simulator does not use it).
 */
time_of_day: boolean, };

/**
 * A catalogue model with its prices.
 */
export type ModelPrices = { 
/**
 * `provider/model`, as a scenario names it.
 */
id: string, provider: string, provider_name: string, name: string | null, deprecated: boolean, 
/**
 * The prices in force on the view's day.
 */
current: PriceRow | null, 
/**
 * Every dated price entry, oldest first.
 */
changes: Array<PriceRow>, };

/**
 * The catalogue in use, for the Prices tab.
 */
export type CatalogueView = { 
/**
 * `built_in` or `imported`.
 */
origin: string, 
/**
 * Which catalogue, in words.
 */
description: string, 
/**
 * The genai-prices file it was made from, and that file's SHA-256.
 */
source_file: string, source_sha256: string, 
/**
 * The catalogue's own SHA-256, as a scenario's `[catalogue] sha256` pins it.
 */
sha256: string, 
/**
 * The day `current` prices are for.
 */
day: string, 
/**
 * Why a stored import was not used, if it was not.
 */
problem: string | null, 
/**
 * After an import: what it brought and what the simulator ignores.
 */
import_summary: string | null, models: Array<ModelPrices>, };
