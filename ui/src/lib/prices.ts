// The Prices tab's logic: searching providers and models, and how a price
// and its dated changes read.
import type { CatalogueView, ModelPrices, PriceRow } from "../bindings/ipc";

/** The most rows the table shows at once; the count says how many more match. */
export const MAX_SHOWN = 200;

function haystack(m: ModelPrices): string {
  return `${m.id} ${m.provider_name} ${m.name ?? ""}`.toLowerCase();
}

/**
 * The models matching every word of `query` (in the id, provider name or
 * model name, any case), in catalogue order, at most `limit` of them;
 * `total` is how many match.
 */
export function searchModels(
  models: ModelPrices[],
  query: string,
  limit = MAX_SHOWN,
): { shown: ModelPrices[]; total: number } {
  const words = query.toLowerCase().split(/\s+/).filter((w) => w.length > 0);
  const matching = words.length === 0 ? models : models.filter((m) => words.every((w) => haystack(m).includes(w)));
  return { shown: matching.slice(0, limit), total: matching.length };
}

/** A price per million tokens: "$3", "$0.3", or "–" when the model has none. */
export function price(value: string | null): string {
  return value === null ? "–" : `$${value}`;
}

/** "from 2026-03-13: $3 in / $15 out / $0.3 cache read" */
export function changeText(row: PriceRow): string {
  const when = row.from ? `from ${row.from}` : "at first";
  const tiers = row.tiered ? " (more above a context length)" : "";
  return `${when}: ${price(row.input)} in / ${price(row.output)} out / ${price(row.cache_read)} cache read${tiers}`;
}

/** Which catalogue is in use, for the tab's heading line. */
export function originText(view: CatalogueView): string {
  const sha = view.sha256.slice(0, 12);
  return view.origin === "imported"
    ? `${view.description}; sha256 ${sha}…. Used by this browser and the editor's model picker.`
    : `${view.description}; sha256 ${sha}…, the one the shipped scenarios pin.`;
}

/** Today as YYYY-MM-DD in UTC, the day the current prices are for. */
export function today(now: Date = new Date()): string {
  return now.toISOString().slice(0, 10);
}
