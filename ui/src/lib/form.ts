// The run form: text fields to a RunRequest, with a message naming the field
// and the fix when one is wrong.
import type { RunRequest } from "../bindings/ipc";

/** The most paths a run takes (sim's MAX_PATHS). */
export const MAX_PATHS = 1_000_000;

export type Parsed = { ok: true; request: RunRequest } | { ok: false; error: string };

export function parseRunForm(scenario: string, paths: string, seed: string, precision: string): Parsed {
  const request: RunRequest = { scenario, paths: null, seed: null, precision: null };
  if (paths.trim() !== "") {
    const n = Number(paths.trim());
    if (!Number.isInteger(n) || n < 1 || n > MAX_PATHS) {
      return { ok: false, error: `Paths: expected a whole number from 1 to ${MAX_PATHS.toLocaleString("en-US")}, got "${paths}".` };
    }
    request.paths = n;
  }
  if (seed.trim() !== "") {
    const n = Number(seed.trim());
    if (!Number.isSafeInteger(n) || n < 0) {
      return { ok: false, error: `Seed: expected a whole number from 0 to ${Number.MAX_SAFE_INTEGER}, got "${seed}".` };
    }
    request.seed = n;
  }
  if (precision.trim() !== "") {
    const p = Number(precision.trim().replace(/%$/, ""));
    if (!Number.isFinite(p) || p <= 0 || p >= 100) {
      return { ok: false, error: `Precision target: expected a percentage above 0 and below 100 (such as 1), got "${precision}".` };
    }
    request.precision = p / 100;
  }
  return { ok: true, request };
}
