// Exports from the results: the five formats, their file names and the
// progress line.
import type { ExportFormat, ExportProgress } from "../bindings/ipc";

export interface ExportChoice {
  format: ExportFormat;
  label: string;
  /** For the save dialog's filter. */
  filter: string;
  extension: string;
}

export const EXPORTS: ExportChoice[] = [
  { format: "pdf", label: "Report as PDF", filter: "PDF", extension: "pdf" },
  { format: "html", label: "Report as HTML", filter: "HTML", extension: "html" },
  { format: "xlsx", label: "Report as Excel workbook (XLSX)", filter: "Excel workbook", extension: "xlsx" },
  { format: "csv", label: "Every path as CSV", filter: "CSV", extension: "csv" },
  { format: "parquet", label: "Every path as Parquet", filter: "Parquet", extension: "parquet" },
];

export function exportChoice(format: ExportFormat): ExportChoice {
  const choice = EXPORTS.find((e) => e.format === format);
  if (!choice) throw new Error(`unknown export format ${format}`);
  return choice;
}

/** A file name from the scenario's name: "Price cut 80%" → "price-cut-80-run-3-seed-7.pdf". */
export function exportFileName(scenario: string, runId: number, seed: number, format: ExportFormat): string {
  const stem =
    scenario
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, "-")
      .replace(/^-+|-+$/g, "")
      .slice(0, 60) || "creditsim";
  const kind = format === "csv" || format === "parquet" ? "paths" : "report";
  return `${stem}-${kind}-run-${runId}-seed-${seed}.${exportChoice(format).extension}`;
}

/** "Step 2 of 3: typesetting the PDF…" */
export function progressText(p: ExportProgress): string {
  return `Step ${p.step} of ${p.steps}: ${p.stage}…`;
}
