// Typed wrappers over the app's commands. Every failure becomes an
// IpcError: the UI switches on `code` and shows `message` as it is.
import { Channel, invoke } from "@tauri-apps/api/core";
import type {
  ChartDto,
  InspectRequest,
  Inspection,
  IpcError,
  RunEvent,
  RunRequest,
  RunResults,
  ScenarioInfo,
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
};
