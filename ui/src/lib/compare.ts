// The Compare view's logic: how a delta and its interval read, whether the
// interval says the change is real, and which way is better.
import type { Better, DeltaCell, DiffLine } from "../bindings/ipc";
import { formatValue, readsAsZero } from "./format";

/**
 * A delta with its sign, in the metric's unit: "+1.20", "-3.4%", and "0.00"
 * for anything that rounds to zero (no "+0.0" or "-0.0").
 */
export function signed(unit: string, value: number): string {
  const text = formatValue(unit, value);
  return value > 0 && !readsAsZero(text) ? `+${text}` : text;
}

/** "+1.20 [+0.80, +1.60]", or the delta alone without an interval. */
export function formatDelta(unit: string, cell: DeltaCell): string {
  const d = signed(unit, cell.delta);
  return cell.ci95 ? `${d} [${signed(unit, cell.ci95[0])}, ${signed(unit, cell.ci95[1])}]` : d;
}

/**
 * What the interval says: `up` or `down` when it excludes zero, `same` when
 * the change is exactly nothing, `unclear` when the interval straddles zero
 * (or there is none).
 */
export type Verdict = "up" | "down" | "same" | "unclear";

export function verdict(cell: DeltaCell): Verdict {
  if (cell.delta === 0 && (cell.ci95 === null || (cell.ci95[0] === 0 && cell.ci95[1] === 0))) return "same";
  if (!cell.ci95) return "unclear";
  if (cell.ci95[0] > 0) return "up";
  if (cell.ci95[1] < 0) return "down";
  return "unclear";
}

/** Whether a clear change is for the better, the worse, or neither (no direction, or not clear). */
export function judgement(better: Better, cell: DeltaCell): "better" | "worse" | null {
  const v = verdict(cell);
  if (better === "neither" || (v !== "up" && v !== "down")) return null;
  return (v === "up") === (better === "higher") ? "better" : "worse";
}

/** The diff line's gutter sign as a unified diff prints it. */
export function diffSign(line: DiffLine): string {
  switch (line.tag) {
    case "added":
      return "+";
    case "removed":
      return "-";
    case "gap":
      return "⋯";
    default:
      return " ";
  }
}

/** "Run 3 against run 1 (baseline)": what the view compares. */
export function compareTitle(baseline: number, candidate: number): string {
  return `Run ${candidate} against run ${baseline} (baseline)`;
}
