// How numbers are shown: the table's units, rates and durations.

/** Thousands separators, no decimals from 1,000 up; two decimals below. */
export function money(value: number): string {
  if (!Number.isFinite(value)) return "–";
  if (Math.abs(value) < 1000) return value.toFixed(2);
  return Math.round(value).toLocaleString("en-US");
}

/** Whether a formatted number reads as zero ("0.00", "-0.0", "0.0%"). */
export function readsAsZero(text: string): boolean {
  return /^-?0(\.0+)?%?$/.test(text);
}

/**
 * A metric value in its unit (as the Rust DTO names units). A value that
 * rounds to zero reads "0.0", never "-0.0".
 */
export function formatValue(unit: string, value: number): string {
  return unsignedZero(formatUnit(unit, value));
}

function unsignedZero(text: string): string {
  return readsAsZero(text) ? text.replace(/^-/, "") : text;
}

function formatUnit(unit: string, value: number): string {
  if (!Number.isFinite(value)) return "–";
  switch (unit) {
    case "currency":
      return money(value);
    case "percent":
      return `${value.toFixed(1)}%`;
    case "probability":
      return `${(value * 100).toFixed(1)}%`;
    case "count":
      return Math.abs(value) >= 1000 ? money(value) : value.toFixed(1);
    default:
      return value.toFixed(1);
  }
}

/** "mean [lo, hi]", or the mean alone when there is no interval. */
export function formatCell(unit: string, mean: number, ci95: [number, number] | null): string {
  const value = formatValue(unit, mean);
  return ci95 ? `${value} [${formatValue(unit, ci95[0])}, ${formatValue(unit, ci95[1])}]` : value;
}

/** Seconds as "1 h 02 min", "3 min 05 s" or "42 s". */
export function duration(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) return "–";
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, "0")} min`;
  if (s >= 60) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, "0")} s`;
  return `${s} s`;
}

export function rate(pathsPerSecond: number): string {
  if (!Number.isFinite(pathsPerSecond) || pathsPerSecond <= 0) return "–";
  return pathsPerSecond >= 10 ? `${pathsPerSecond.toFixed(0)} paths/s` : `${pathsPerSecond.toFixed(2)} paths/s`;
}

/** The first paragraph of a scenario's description (its title lines), for the list. */
export function summary(description: string): string {
  const first = description.split(/\n\s*\n/)[0] ?? "";
  return first.replace(/\s+/g, " ").trim();
}

/** A number in three significant figures, with k and M for thousands and millions. */
export function compact(value: number): string {
  if (!Number.isFinite(value)) return "–";
  const abs = Math.abs(value);
  const sig = (v: number) => String(Number(v.toPrecision(3)));
  if (abs >= 1e6) return `${sig(value / 1e6)}M`;
  if (abs >= 1e4) return `${sig(value / 1e3)}k`;
  return sig(value);
}
