// One run at a time, as the window sees it: start, progress, cancel, and
// exactly one outcome. Events of an earlier run (still draining after a
// cancel) are ignored.
import type { Estimate, IpcError, RunEvent, RunRequest } from "../bindings/ipc";
import { api, toIpcError } from "./api";

export interface Progress {
  pathsDone: number;
  pathsMax: number;
  pathsPerSecond: number;
  secondsLeft: number | null;
  estimates: Estimate[];
}

export type RunState =
  | { phase: "idle" }
  | { phase: "running"; runId: number | null; progress: Progress | null; cancelling: boolean }
  | { phase: "finished"; runId: number; paths: number; seconds: number }
  | { phase: "cancelled" }
  | { phase: "failed"; error: IpcError };

export class RunController {
  state: RunState = { phase: "idle" };
  private generation = 0;

  constructor(private readonly onChange: (state: RunState) => void) {}

  get running(): boolean {
    return this.state.phase === "running";
  }

  private set(state: RunState): void {
    this.state = state;
    this.onChange(state);
  }

  /** Starts a run; resolves once it has started (or failed to). */
  async start(request: RunRequest): Promise<void> {
    const generation = ++this.generation;
    this.set({ phase: "running", runId: null, progress: null, cancelling: false });
    try {
      const runId = await api.startRun(request, (event) => {
        if (generation === this.generation) this.handle(event);
      });
      if (generation === this.generation && this.state.phase === "running" && this.state.runId === null) {
        this.set({ ...this.state, runId });
      }
    } catch (error) {
      if (generation === this.generation) this.set({ phase: "failed", error: toIpcError(error) });
    }
  }

  /** Asks the run to stop; the `cancelled` event ends it. */
  async cancel(): Promise<void> {
    if (this.state.phase !== "running" || this.state.runId === null) return;
    this.set({ ...this.state, cancelling: true });
    try {
      await api.cancelRun(this.state.runId);
    } catch (error) {
      this.set({ phase: "failed", error: toIpcError(error) });
    }
  }

  /** Applies one event of the current run. */
  handle(event: RunEvent): void {
    switch (event.kind) {
      case "progress": {
        if (this.state.phase !== "running") return;
        this.set({
          ...this.state,
          runId: event.run_id,
          progress: {
            pathsDone: event.paths_done,
            pathsMax: event.paths_max,
            pathsPerSecond: event.paths_per_second,
            secondsLeft: event.seconds_left,
            estimates: event.estimates,
          },
        });
        return;
      }
      case "finished":
        this.set({ phase: "finished", runId: event.run_id, paths: event.paths, seconds: event.seconds });
        return;
      case "cancelled":
        this.set({ phase: "cancelled" });
        return;
      case "failed":
        this.set({ phase: "failed", error: event.error });
        return;
    }
  }
}
