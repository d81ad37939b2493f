// The editor's logic: drafts written once, a short while after the last
// change (through the real command wrapper over mockIPC); problems placed
// at their form field; the question before unsaved changes are dropped.
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { Draft, FormModel, Problem, ScenarioInfo } from "../src/bindings/ipc";
import { api } from "../src/lib/api";
import {
  DRAFT_DELAY_MS,
  DraftSaver,
  confirmDiscard,
  draftKey,
  draftOf,
  fieldPaths,
  isDirty,
  newSession,
  offsetOf,
  placeProblems,
  restoredBanner,
  saveSession,
} from "../src/lib/editor";

const info = (over: Partial<ScenarioInfo>): ScenarioInfo => ({
  id: "shipped:price-cut-80",
  name: "Price cut",
  file: "price-cut-80.toml",
  description: "",
  shipped: true,
  paths: 100,
  seed: 1,
  horizon_days: 90,
  plans: [],
  ...over,
});

function problem(path: string, message = "bad"): Problem {
  return { code: "out_of_range", path, line: 3, column: 5, message, hint: null };
}

describe("DraftSaver", () => {
  let saved: Draft[];
  beforeEach(() => {
    vi.useFakeTimers();
    saved = [];
    mockIPC((cmd, args) => {
      if (cmd === "save_draft") saved.push((args as { draft: Draft }).draft);
      return null;
    });
  });
  afterEach(() => {
    vi.useRealTimers();
    clearMocks();
  });

  it("writes one draft, the last text, half a second after the last change", async () => {
    const saver = new DraftSaver((d) => api.saveDraft(d));
    saver.changed({ key: "k", name: "n", text: "a" });
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS - 100);
    saver.changed({ key: "k", name: "n", text: "ab" });
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS - 100);
    expect(saved).toEqual([]);
    saver.changed({ key: "k", name: "n", text: "abc" });
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS);
    expect(saved).toEqual([{ key: "k", name: "n", text: "abc" }]);
    expect(saver.waiting).toBe(0);
  });

  it("keeps one timer per scenario, and cancel drops a pending write", async () => {
    const saver = new DraftSaver((d) => api.saveDraft(d));
    saver.changed({ key: "a", name: "A", text: "1" });
    saver.changed({ key: "b", name: "B", text: "2" });
    saver.cancel("a");
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS);
    expect(saved.map((d) => d.key)).toEqual(["b"]);
  });

  it("flush writes what is pending at once", async () => {
    const saver = new DraftSaver((d) => api.saveDraft(d));
    saver.changed({ key: "a", name: "A", text: "1" });
    await saver.flush();
    expect(saved.map((d) => d.text)).toEqual(["1"]);
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS);
    expect(saved.length).toBe(1);
  });

  it("reports a failed write instead of throwing", async () => {
    clearMocks();
    mockIPC(() => {
      throw { code: "io", message: "disk full" };
    });
    const errors: unknown[] = [];
    const saver = new DraftSaver((d) => api.saveDraft(d), (e) => errors.push(e));
    saver.changed({ key: "a", name: "A", text: "1" });
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS);
    expect(errors).toEqual([{ code: "io", message: "disk full" }]);
  });
});

describe("placing problems at fields", () => {
  const form: FormModel = {
    start: "2026-01-01",
    models: [],
    sections: [
      {
        kind: "plan",
        title: "Plan p",
        path: "plans[0]",
        blocks: [
          {
            title: "Exhaustion",
            path: "plans[0].exhaustion",
            note: null,
            removable: false,
            add: null,
            fields: ["rule", "limit"].map((k) => ({
              path: `plans[0].exhaustion.${k}`,
              label: k,
              kind: "decimal",
              value: null,
              dist: null,
              default: null,
              options: [],
            })),
          },
          {
            title: "Tasks",
            path: "segments[0].tasks",
            note: null,
            removable: false,
            add: null,
            fields: [
              { path: "segments[0].tasks.steps", label: "s", kind: "dist", value: null, dist: null, default: null, options: [] },
              { path: "plans[1].alerts.below", label: "b", kind: "number_list", value: null, dist: null, default: null, options: [] },
            ],
          },
        ],
      },
    ],
  };

  it("puts a problem at its field, a parameter's at its distribution, a list item's at its list", () => {
    const problems = [
      problem("plans[0].exhaustion.limit"),
      problem("segments[0].tasks.steps.sigma"),
      problem("plans[1].alerts.below[2]"),
      problem("plans[0].exhaustion.limitless"),
      problem("horizon_days"),
      problem(""),
    ];
    const { byField, unplaced } = placeProblems(problems, fieldPaths(form));
    expect(byField.get("plans[0].exhaustion.limit")?.map((p) => p.path)).toEqual(["plans[0].exhaustion.limit"]);
    expect(byField.get("segments[0].tasks.steps")?.map((p) => p.path)).toEqual(["segments[0].tasks.steps.sigma"]);
    expect(byField.get("plans[1].alerts.below")?.map((p) => p.path)).toEqual(["plans[1].alerts.below[2]"]);
    expect(unplaced.map((p) => p.path)).toEqual(["plans[0].exhaustion.limitless", "horizon_days", ""]);
  });

  it("turns a line and column into an offset for the caret", () => {
    const text = "ab\ncdé\nf";
    expect(offsetOf(text, 1, 1)).toBe(0);
    expect(offsetOf(text, 2, 3)).toBe(5);
    expect(offsetOf(text, 2, 99)).toBe(6);
    expect(offsetOf(text, 3, 1)).toBe(7);
    expect(offsetOf(text, 9, 1)).toBe(text.length);
  });
});

describe("unsaved changes", () => {
  it("keys drafts by shipped id or by file, so they survive a restart", () => {
    expect(draftKey(info({}))).toBe("shipped:price-cut-80");
    expect(draftKey(info({ id: "file:3", shipped: false, file: "/home/a/s.toml" }))).toBe("/home/a/s.toml");
  });

  it("asks before discarding only when there is something to lose", async () => {
    const asked: string[] = [];
    const ask = async (m: string) => {
      asked.push(m);
      return false;
    };
    const s = newSession(info({}), "version = 1\n");
    expect(isDirty(s)).toBe(false);
    expect(await confirmDiscard(s, ask)).toBe(true);
    expect(asked).toEqual([]);
    s.text = "version = 1\n# changed\n";
    expect(isDirty(s)).toBe(true);
    expect(await confirmDiscard(s, ask)).toBe(false);
    expect(asked).toEqual(["Discard your unsaved changes to Price cut? This cannot be undone."]);
    expect(await confirmDiscard(s, async () => true)).toBe(true);
    expect(await confirmDiscard(null, ask)).toBe(true);
  });

  it("names what was restored", () => {
    expect(restoredBanner([])).toBeNull();
    expect(restoredBanner(["A", "B"])).toBe("Restored unsaved changes to A, B.");
  });
});

describe("saving", () => {
  let calls: string[];
  afterEach(() => clearMocks());

  function backend(saveFails: boolean) {
    calls = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      const a = args as Record<string, unknown>;
      if (cmd === "save_scenario") {
        if (saveFails) throw { code: "bad_scenario", message: "not saved: 1 problem" };
        return a.path;
      }
      if (cmd === "open_scenario") return info({ id: "file:1", shipped: false, file: a.path as string, name: "Mine" });
      return null;
    });
  }

  it("saves in place, then drops the draft", async () => {
    backend(false);
    const s = { ...newSession(info({ id: "file:1", shipped: false, file: "/a/s.toml" }), "x"), text: "y" };
    const saved = await saveSession(s, "/a/s.toml", new DraftSaver(async () => {}));
    expect(saved).toEqual({ written: "/a/s.toml", opened: null });
    expect(calls).toEqual(["save_scenario", "discard_draft"]);
  });

  it("duplicates a shipped scenario into a new file and opens it", async () => {
    backend(false);
    const s = { ...newSession(info({}), "x"), text: "y" };
    const saved = await saveSession(s, "/home/me/mine.toml", new DraftSaver(async () => {}));
    expect(saved.written).toBe("/home/me/mine.toml");
    expect(saved.opened?.id).toBe("file:1");
    expect(calls).toEqual(["save_scenario", "discard_draft", "open_scenario"]);
  });

  it("keeps the draft when the save is refused", async () => {
    backend(true);
    vi.useFakeTimers();
    const written: Draft[] = [];
    const saver = new DraftSaver(async (d) => {
      written.push(d);
    });
    const s = { ...newSession(info({}), "x"), text: "y" };
    saver.changed(draftOf(s));
    await expect(saveSession(s, "/home/me/mine.toml", saver)).rejects.toEqual({
      code: "bad_scenario",
      message: "not saved: 1 problem",
    });
    expect(calls).toEqual(["save_scenario"]);
    await vi.advanceTimersByTimeAsync(DRAFT_DELAY_MS);
    expect(written.map((d) => d.text)).toEqual(["y"]);
    vi.useRealTimers();
  });
});
