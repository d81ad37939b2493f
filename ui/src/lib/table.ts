// The comparison table's logic: which plan is best on each row.
import type { MetricRow } from "../bindings/ipc";

/**
 * The indices of the plans with the best mean on this row (all of them on a
 * tie), or none when the metric has no better direction, fewer than two
 * plans are compared, or every plan has the same value.
 */
export function bestCells(row: MetricRow): number[] {
  if (row.better === "neither" || row.cells.length < 2) return [];
  const means = row.cells.map((c) => c.mean);
  if (means.some((m) => !Number.isFinite(m))) return [];
  const target = row.better === "higher" ? Math.max(...means) : Math.min(...means);
  if (means.every((m) => m === target)) return [];
  return means.flatMap((m, i) => (m === target ? [i] : []));
}
