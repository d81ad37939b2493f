// The UI's logic against a mocked backend (mockIPC): the run controller's
// states, channel messages, cancellation, and errors crossing as code + message.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { RunEvent, RunRequest } from "../src/bindings/ipc";
import { api, toIpcError } from "../src/lib/api";
import { RunController, type RunState } from "../src/lib/run";

type Args = Record<string, unknown>;

/** Sends a message on a channel the UI passed to a command, as Tauri does. */
function send(channel: unknown, index: number, message: RunEvent): void {
  const id = (channel as { id: number }).id;
  (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, data: unknown) => void } }).__TAURI_INTERNALS__.runCallback(
    id,
    { index, message },
  );
}

const request: RunRequest = { scenario: "shipped:default-agentic-saas", paths: 200, seed: 7, precision: null };

function progress(done: number): RunEvent {
  return {
    kind: "progress",
    run_id: 1,
    paths_done: done,
    paths_max: 200,
    paths_per_second: 25,
    seconds_left: (200 - done) / 25,
    estimates: [{ plan: "prepaid-block", mean: 1000 + done, ci95: [900, 1100 + done] }],
  };
}

describe("RunController", () => {
  let states: RunState[];
  let calls: { cmd: string; args: Args }[];

  beforeEach(() => {
    states = [];
    calls = [];
  });
  afterEach(() => clearMocks());

  it("streams progress in order and ends finished", async () => {
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Args });
      if (cmd === "start_run") {
        const channel = (args as Args).onEvent;
        // Out of order on the wire: the channel must reorder by index.
        send(channel, 1, progress(100));
        send(channel, 0, progress(50));
        return 1;
      }
    });
    const controller = new RunController((s) => states.push(s));
    await controller.start(request);
    expect(calls[0].cmd).toBe("start_run");
    expect((calls[0].args as { request: RunRequest }).request).toEqual(request);
    const seen = states.flatMap((s) => (s.phase === "running" && s.progress ? [s.progress.pathsDone] : []));
    expect(seen).toEqual([50, 100]);
    expect(controller.state).toMatchObject({ phase: "running", runId: 1 });
    controller.handle({ kind: "finished", run_id: 1, paths: 200, seconds: 8 });
    expect(controller.state).toEqual({ phase: "finished", runId: 1, paths: 200, seconds: 8 });
    expect(controller.running).toBe(false);
  });

  it("cancels the run it started and ends cancelled", async () => {
    let channel: unknown;
    mockIPC((cmd, args) => {
      calls.push({ cmd, args: args as Args });
      if (cmd === "start_run") {
        channel = (args as Args).onEvent;
        return 42;
      }
      if (cmd === "cancel_run") {
        send(channel, 0, { kind: "cancelled", run_id: 42 });
        return null;
      }
    });
    const controller = new RunController((s) => states.push(s));
    await controller.start(request);
    await controller.cancel();
    expect(calls.map((c) => c.cmd)).toEqual(["start_run", "cancel_run"]);
    expect(calls[1].args).toEqual({ runId: 42 });
    expect(states.some((s) => s.phase === "running" && s.cancelling)).toBe(true);
    expect(controller.state).toEqual({ phase: "cancelled" });
  });

  it("ignores events of an earlier run after a new one starts", async () => {
    const channels: unknown[] = [];
    mockIPC((cmd, args) => {
      if (cmd === "start_run") {
        channels.push((args as Args).onEvent);
        return channels.length;
      }
    });
    const controller = new RunController((s) => states.push(s));
    await controller.start(request);
    await controller.start(request);
    send(channels[0], 0, { kind: "finished", run_id: 1, paths: 200, seconds: 1 });
    expect(controller.state).toMatchObject({ phase: "running", runId: 2 });
  });

  it("shows a refused start as the command's error code and message", async () => {
    mockIPC((cmd) => {
      if (cmd === "start_run") throw { code: "bad_options", message: "paths: expected 1 to 1000000, got 0" };
    });
    const controller = new RunController((s) => states.push(s));
    await controller.start({ ...request, paths: 0 });
    expect(controller.state).toEqual({
      phase: "failed",
      error: { code: "bad_options", message: "paths: expected 1 to 1000000, got 0" },
    });
  });

  it("ends failed when the run reports a failure on its channel", async () => {
    mockIPC((cmd, args) => {
      if (cmd === "start_run") {
        send((args as Args).onEvent, 0, { kind: "failed", run_id: 3, error: { code: "bad_options", message: "no" } });
        return 3;
      }
    });
    const controller = new RunController((s) => states.push(s));
    await controller.start(request);
    expect(controller.state).toEqual({ phase: "failed", error: { code: "bad_options", message: "no" } });
  });
});

describe("api", () => {
  afterEach(() => clearMocks());

  it("passes arguments under the names the Rust commands take", async () => {
    const calls: { cmd: string; args: unknown }[] = [];
    mockIPC((cmd, args) => {
      calls.push({ cmd, args });
      return cmd === "run_charts" ? [{ id: "margin", title: "t", svg: "<svg></svg>" }] : null;
    });
    await api.openScenario("/home/a/b.toml");
    const charts = await api.runCharts(5);
    await api.saveResults(5, "/tmp/r.json");
    expect(calls).toEqual([
      { cmd: "open_scenario", args: { path: "/home/a/b.toml" } },
      { cmd: "run_charts", args: { runId: 5 } },
      { cmd: "save_results", args: { runId: 5, path: "/tmp/r.json" } },
    ]);
    expect(charts[0].id).toBe("margin");
  });

  it("turns a rejection that is not an IpcError into code ipc", async () => {
    mockIPC(() => {
      throw "start_run not allowed. Command not found";
    });
    await expect(api.listScenarios()).rejects.toEqual({
      code: "ipc",
      message: "start_run not allowed. Command not found",
    });
    expect(toIpcError({ code: "io", message: "m" })).toEqual({ code: "io", message: "m" });
    expect(toIpcError(new Error("boom"))).toEqual({ code: "ipc", message: "boom" });
  });
});
