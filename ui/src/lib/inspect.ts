// The path inspector's words for journal entries.
import type { JournalEntryDto } from "../bindings/ipc";

/** Journal entries per page. */
export const PAGE = 200;

const REASONS: Record<string, string> = {
  insufficient_credit: "not enough credit under the block rule",
  overdraft_limit: "would pass the overdraft limit",
  actor_budget: "the agent's budget for the period is spent",
  currency_mismatch: "priced in another currency",
  below_threshold: "balance fell below an alert threshold",
};

/** One entry as a sentence for the journal table. */
export function describeEntry(entry: JournalEntryDto): string {
  const grant = entry.grant ? ` ${entry.grant}` : "";
  const usage = entry.usage !== null ? `call ${entry.usage}` : "";
  switch (entry.kind) {
    case "drawn":
      return `${usage} drew ${entry.amount} from${grant}`;
    case "rejected":
      return `${usage} rejected: ${REASONS[entry.reason ?? ""] ?? entry.reason ?? "no reason given"}`;
    case "granted":
      return `grant${grant} of ${entry.amount} credits`;
    case "expired":
      return `${entry.amount} credits of${grant} expired`;
    case "topup":
      return `automatic top-up${grant} of ${entry.amount}`;
    case "alert":
      return `alert: ${REASONS.below_threshold}, ${entry.amount} left`;
    case "overdraft_drawn":
      return `${usage} went ${entry.amount} into overdraft`;
    case "invoiced":
      return `${usage}: ${entry.amount} credits invoiced`;
    case "uncollected":
      return `${usage}: ${entry.amount} credits spent past the balance`;
    default:
      return [usage, entry.reason, entry.amount].filter((x) => x).join(", ");
  }
}
