// Pure UI logic: formatting, the run form, the best plan per row, journal words.
import { describe, expect, it } from "vitest";
import type { MetricRow } from "../src/bindings/ipc";
import { duration, formatCell, formatValue, money, rate, summary } from "../src/lib/format";
import { parseRunForm } from "../src/lib/form";
import { bestCells } from "../src/lib/table";
import { describeEntry } from "../src/lib/inspect";

function row(better: MetricRow["better"], means: number[]): MetricRow {
  return {
    name: "m",
    label: "M",
    unit: "currency",
    better,
    cells: means.map((mean) => ({ mean, ci95: null, p05: mean, p50: mean, p95: mean })),
  };
}

describe("bestCells", () => {
  it("marks the highest or lowest mean by the row's direction", () => {
    expect(bestCells(row("higher", [1, 3, 2]))).toEqual([1]);
    expect(bestCells(row("lower", [1, 3, 2]))).toEqual([0]);
  });
  it("marks every tied best, and nothing when all are equal or there is no direction", () => {
    expect(bestCells(row("higher", [3, 1, 3]))).toEqual([0, 2]);
    expect(bestCells(row("higher", [2, 2]))).toEqual([]);
    expect(bestCells(row("neither", [1, 2]))).toEqual([]);
    expect(bestCells(row("lower", [5]))).toEqual([]);
    expect(bestCells(row("lower", [1, Number.NaN]))).toEqual([]);
  });
});

describe("format", () => {
  it("formats money, percents, probabilities and counts", () => {
    expect(money(1234567.4)).toBe("1,234,567");
    expect(money(-12.345)).toBe("-12.35");
    expect(formatValue("percent", 41.26)).toBe("41.3%");
    expect(formatValue("probability", 0.125)).toBe("12.5%");
    expect(formatValue("count", 12000)).toBe("12,000");
    expect(formatValue("days", 3.14)).toBe("3.1");
    // An interval's end just below zero rounds to zero without a sign.
    expect(formatValue("count", -0.02)).toBe("0.0");
    expect(formatValue("currency", -0.001)).toBe("0.00");
    expect(formatValue("percent", -0.01)).toBe("0.0%");
    expect(formatValue("count", -0.2)).toBe("-0.2");
    expect(formatCell("currency", 1500, [1400, 1600])).toBe("1,500 [1,400, 1,600]");
    expect(formatCell("currency", 5, null)).toBe("5.00");
  });
  it("formats durations and rates", () => {
    expect(duration(42.4)).toBe("42 s");
    expect(duration(185)).toBe("3 min 05 s");
    expect(duration(3720)).toBe("1 h 02 min");
    expect(duration(null)).toBe("–");
    expect(rate(0)).toBe("–");
    expect(rate(3.456)).toBe("3.46 paths/s");
    expect(rate(120.4)).toBe("120 paths/s");
  });
  it("summarises a description by its first paragraph", () => {
    expect(summary("Default SaaS: block vs\npost-pay\n\nThe question: ...")).toBe("Default SaaS: block vs post-pay");
  });
});

describe("parseRunForm", () => {
  it("turns fields into a request; empty fields take the scenario's defaults", () => {
    expect(parseRunForm("s", "200", "7", "1")).toEqual({
      ok: true,
      request: { scenario: "s", paths: 200, seed: 7, precision: 0.01 },
    });
    expect(parseRunForm("s", "", " ", "")).toEqual({
      ok: true,
      request: { scenario: "s", paths: null, seed: null, precision: null },
    });
    expect(parseRunForm("s", "10", "", "2.5%")).toMatchObject({ ok: true, request: { precision: 0.025 } });
  });
  it("names the field and the fix when one is wrong", () => {
    const bad = [
      ["0", "", "", "Paths"],
      ["1.5", "", "", "Paths"],
      ["2000000", "", "", "Paths"],
      ["10", "-1", "", "Seed"],
      ["10", "x", "", "Seed"],
      ["10", "", "0", "Precision"],
      ["10", "", "abc", "Precision"],
    ];
    for (const [paths, seed, precision, field] of bad) {
      const parsed = parseRunForm("s", paths, seed, precision);
      expect(parsed.ok).toBe(false);
      if (!parsed.ok) expect(parsed.error.startsWith(field)).toBe(true);
    }
  });
});

describe("describeEntry", () => {
  it("says what drew from which grant and why a call was rejected", () => {
    const base = { day: 1, grant: null, usage: null, amount: null, reason: null };
    expect(describeEntry({ ...base, kind: "drawn", usage: 7, grant: "signup-pack", amount: "1.5" })).toBe(
      "call 7 drew 1.5 from signup-pack",
    );
    expect(describeEntry({ ...base, kind: "rejected", usage: 9, reason: "insufficient_credit" })).toBe(
      "call 9 rejected: not enough credit under the block rule",
    );
    expect(describeEntry({ ...base, kind: "rejected", usage: 9, reason: "something_new" })).toBe(
      "call 9 rejected: something_new",
    );
  });
});
