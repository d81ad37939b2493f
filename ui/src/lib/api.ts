// Typed wrappers over the app's commands. Every failure becomes an
// IpcError: the UI switches on `code` and shows `message` as it is.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  CatalogueChoice,
  CatalogueView,
  ChartDto,
  Comparison,
  DistPreview,
  DistValue,
  Draft,
  ExportFormat,
  ExportProgress,
  FieldEdit,
  FormModel,
  InspectRequest,
  Inspection,
  IpcError,
  RunEvent,
  RunRequest,
  RunResults,
  ScenarioInfo,
  Validation,
} from "../bindings/ipc";

export function isIpcError(value: unknown): value is IpcError {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as IpcError).code === "string" &&
    typeof (value as IpcError).message === "string"
  );
}

/** Any rejection as an IpcError; what the IPC layer itself rejects with (a string) gets code `ipc`. */
export function toIpcError(value: unknown): IpcError {
  if (isIpcError(value)) return value;
  return { code: "ipc", message: value instanceof Error ? value.message : String(value) };
}

async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  try {
    return await invoke<T>(command, args);
  } catch (error) {
    throw toIpcError(error);
  }
}

export const api = {
  listScenarios: () => call<ScenarioInfo[]>("list_scenarios"),
  openScenario: (path: string) => call<ScenarioInfo>("open_scenario", { path }),
  startRun: (request: RunRequest, onEvent: (event: RunEvent) => void) => {
    const channel = new Channel<RunEvent>();
    channel.onmessage = onEvent;
    return call<number>("start_run", { request, onEvent: channel });
  },
  cancelRun: (runId: number) => call<null>("cancel_run", { runId }),
  runResults: (runId: number) => call<RunResults>("run_results", { runId }),
  runCharts: (runId: number) => call<ChartDto[]>("run_charts", { runId }),
  inspectPath: (request: InspectRequest) => call<Inspection>("inspect_path", { request }),
  saveResults: (runId: number, path: string) => call<string>("save_results", { runId, path }),
  scenarioText: (scenario: string) => call<string>("scenario_text", { scenario }),
  validateScenario: (text: string, scenario: string | null) =>
    call<Validation>("validate_scenario", { text, scenario }),
  scenarioForm: (text: string) => call<FormModel>("scenario_form", { text }),
  setField: (text: string, change: FieldEdit) => call<string>("set_field", { text, change }),
  addElement: (text: string, path: string) => call<string>("add_element", { text, path }),
  removeElement: (text: string, path: string) => call<string>("remove_element", { text, path }),
  distributionPreview: (dist: DistValue) => call<DistPreview>("distribution_preview", { dist }),
  catalogueModels: (day: string, text: string) => call<CatalogueChoice[]>("catalogue_models", { day, text }),
  addCatalogueModel: (text: string, model: string, scenario: string | null) =>
    call<string>("add_catalogue_model", { text, model, scenario }),
  saveScenario: (path: string, text: string) => call<string>("save_scenario", { path, text }),
  saveDraft: (draft: Draft) => call<null>("save_draft", { draft }),
  loadDrafts: () => call<Draft[]>("load_drafts"),
  discardDraft: (key: string) => call<null>("discard_draft", { key }),
  pinRun: (runId: number) => call<null>("pin_run", { runId }),
  unpinRun: () => call<null>("unpin_run"),
  compareRuns: (baseline: number, candidate: number) => call<Comparison>("compare_runs", { baseline, candidate }),
  compareCharts: (baseline: number, candidate: number) => call<ChartDto[]>("compare_charts", { baseline, candidate }),
  exportRun: (runId: number, format: ExportFormat, path: string, onProgress: (p: ExportProgress) => void) => {
    const channel = new Channel<ExportProgress>();
    channel.onmessage = onProgress;
    return call<string>("export_run", { runId, format, path, onProgress: channel });
  },
  priceCatalogue: (day: string) => call<CatalogueView>("price_catalogue", { day }),
  importCatalogue: (path: string, day: string) => call<CatalogueView>("import_catalogue", { path, day }),
};
