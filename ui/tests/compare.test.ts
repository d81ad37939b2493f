// The Compare view's and the export menu's logic: deltas with signs and
// intervals, what an interval says, which way is better, diff gutters,
// export file names and progress; and the export command's arguments and
// progress channel through the real wrapper over mockIPC.
import { afterEach, describe, expect, it } from "vitest";
import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import type { DeltaCell, ExportProgress } from "../src/bindings/ipc";
import { api } from "../src/lib/api";
import { compareTitle, diffSign, formatDelta, judgement, signed, verdict } from "../src/lib/compare";
import { EXPORTS, exportChoice, exportFileName, progressText } from "../src/lib/export";
import { chooseSavePath } from "../src/lib/dialogs";

const cell = (delta: number, ci95: [number, number] | null): DeltaCell => ({
  baseline: 100,
  candidate: 100 + delta,
  delta,
  ci95,
});

describe("deltas", () => {
  it("carry their sign and interval in the metric's unit", () => {
    expect(signed("currency", 1.2)).toBe("+1.20");
    expect(signed("currency", -1234.4)).toBe("-1,234");
    expect(signed("percent", 0)).toBe("0.0%");
    // A change that rounds to nothing reads as zero, without a sign.
    expect(signed("count", -0.04)).toBe("0.0");
    expect(signed("percent", 0.04)).toBe("0.0%");
    expect(formatDelta("count", cell(-0.01, [-0.1, 0.08]))).toBe("0.0 [-0.1, +0.1]");
    expect(formatDelta("currency", cell(1.2, [0.8, 1.6]))).toBe("+1.20 [+0.80, +1.60]");
    expect(formatDelta("percent", cell(-2, [-3, 0.5]))).toBe("-2.0% [-3.0%, +0.5%]");
    expect(formatDelta("count", cell(3, null))).toBe("+3.0");
  });

  it("say up or down only when the interval excludes zero", () => {
    expect(verdict(cell(1, [0.1, 2]))).toBe("up");
    expect(verdict(cell(-1, [-2, -0.1]))).toBe("down");
    expect(verdict(cell(0.5, [-0.2, 1.2]))).toBe("unclear");
    expect(verdict(cell(0.5, null))).toBe("unclear");
    expect(verdict(cell(0, [0, 0]))).toBe("same");
    expect(verdict(cell(0, null))).toBe("same");
  });

  it("are judged better or worse by the metric's direction", () => {
    expect(judgement("higher", cell(1, [0.5, 1.5]))).toBe("better");
    expect(judgement("higher", cell(-1, [-1.5, -0.5]))).toBe("worse");
    expect(judgement("lower", cell(-1, [-1.5, -0.5]))).toBe("better");
    expect(judgement("lower", cell(1, [0.5, 1.5]))).toBe("worse");
    expect(judgement("neither", cell(1, [0.5, 1.5]))).toBeNull();
    expect(judgement("higher", cell(1, [-0.5, 2.5]))).toBeNull();
  });

  it("name the runs compared and mark diff lines as a unified diff does", () => {
    expect(compareTitle(1, 3)).toBe("Run 3 against run 1 (baseline)");
    const line = (tag: "same" | "added" | "removed" | "gap") => ({ tag, text: "", old_line: null, new_line: null });
    expect(["added", "removed", "same", "gap"].map((t) => diffSign(line(t as "same")))).toEqual(["+", "-", " ", "⋯"]);
  });
});

describe("exports", () => {
  afterEach(() => clearMocks());

  it("offer the five formats with their extensions", () => {
    expect(EXPORTS.map((e) => e.format)).toEqual(["pdf", "html", "xlsx", "csv", "parquet"]);
    expect(exportChoice("xlsx").extension).toBe("xlsx");
  });

  it("name the file after the scenario, run and seed", () => {
    expect(exportFileName("Provider price cut of 80%", 3, 7, "pdf")).toBe(
      "provider-price-cut-of-80-report-run-3-seed-7.pdf",
    );
    expect(exportFileName("", 1, 11, "parquet")).toBe("creditsim-paths-run-1-seed-11.parquet");
  });

  it("say which step is going", () => {
    expect(progressText({ step: 2, steps: 3, stage: "typesetting the PDF" })).toBe("Step 2 of 3: typesetting the PDF…");
  });

  it("pass the run, format and path, and stream progress from the channel", async () => {
    let args: Record<string, unknown> = {};
    mockIPC((cmd, a) => {
      if (cmd !== "export_run") return;
      args = a as Record<string, unknown>;
      const id = (args.onProgress as { id: number }).id;
      const run = (window as unknown as { __TAURI_INTERNALS__: { runCallback: (id: number, d: unknown) => void } })
        .__TAURI_INTERNALS__.runCallback;
      run(id, { index: 0, message: { step: 1, steps: 2, stage: "encoding every path's row" } });
      run(id, { index: 1, message: { step: 2, steps: 2, stage: "writing the file" } });
      return "/tmp/out.csv";
    });
    const seen: ExportProgress[] = [];
    const written = await api.exportRun(4, "csv", "/tmp/out.csv", (p) => seen.push(p));
    expect(written).toBe("/tmp/out.csv");
    expect(args.runId).toBe(4);
    expect(args.format).toBe("csv");
    expect(args.path).toBe("/tmp/out.csv");
    expect(seen.map((p) => p.step)).toEqual([1, 2]);
  });

  it("take the test's save path once instead of the dialog", async () => {
    window.__creditsimSavePath = "/tmp/e2e/report.pdf";
    expect(await chooseSavePath("x.pdf", [{ name: "PDF", extensions: ["pdf"] }])).toBe("/tmp/e2e/report.pdf");
    expect(window.__creditsimSavePath).toBeUndefined();
  });
});
