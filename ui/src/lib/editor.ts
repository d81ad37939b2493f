// The scenario editor's logic, apart from the page: an editing session per
// scenario (the text, what was last saved, whether it differs), drafts
// saved a short while after the last change, problems placed at the form
// field they are about, and the question before changes are thrown away.
// The text is the single source of truth; the form is a view of it.
import type { Draft, FormModel, Problem, ScenarioInfo } from "../bindings/ipc";
import { api } from "./api";

/** How long after the last change a draft is written. */
export const DRAFT_DELAY_MS = 500;

/** One scenario being edited. */
export interface Session {
  /** The scenario's id in the app (`shipped:…` or `file:…`). */
  scenario: string;
  /** The draft key: the shipped id, or the file's absolute path. */
  key: string;
  name: string;
  /** The file Save writes to; null for a shipped scenario (Save as only). */
  file: string | null;
  text: string;
  /** The text as last saved (or as loaded). */
  saved: string;
}

/** The key a scenario's draft is kept under: stable across restarts. */
export function draftKey(info: ScenarioInfo): string {
  return info.shipped ? info.id : info.file;
}

export function newSession(info: ScenarioInfo, text: string): Session {
  return { scenario: info.id, key: draftKey(info), name: info.name, file: info.shipped ? null : info.file, text, saved: text };
}

export function isDirty(session: Session | undefined | null): boolean {
  return !!session && session.text !== session.saved;
}

export function draftOf(session: Session): Draft {
  return { key: session.key, name: session.name, text: session.text };
}

/**
 * Writes a draft `delayMs` after the last change of each key (changes in
 * between replace the pending one), and forgets a pending write when the
 * draft is discarded or saved.
 */
export class DraftSaver {
  private pending = new Map<string, { timer: ReturnType<typeof setTimeout>; draft: Draft }>();

  constructor(
    private readonly write: (draft: Draft) => Promise<unknown>,
    private readonly onError: (error: unknown) => void = () => {},
    private readonly delayMs = DRAFT_DELAY_MS,
  ) {}

  /** A change: (re)starts the key's timer. */
  changed(draft: Draft): void {
    this.cancel(draft.key);
    const timer = setTimeout(() => {
      this.pending.delete(draft.key);
      this.write(draft).catch(this.onError);
    }, this.delayMs);
    this.pending.set(draft.key, { timer, draft });
  }

  /** Writes every pending draft now. */
  async flush(): Promise<void> {
    const drafts = [...this.pending.values()].map((p) => p.draft);
    for (const key of [...this.pending.keys()]) this.cancel(key);
    await Promise.all(drafts.map((d) => this.write(d).catch(this.onError)));
  }

  /** Drops the pending write of `key`, if any. */
  cancel(key: string): void {
    const pending = this.pending.get(key);
    if (pending) clearTimeout(pending.timer);
    this.pending.delete(key);
  }

  get waiting(): number {
    return this.pending.size;
  }
}

/** Every field path of a form. */
export function fieldPaths(form: FormModel): string[] {
  return form.sections.flatMap((s) => s.blocks.flatMap((b) => b.fields.map((f) => f.path)));
}

/** Whether `problemPath` is about `fieldPath`: the field itself or a part of it (`…steps.sigma`, `…below[1]`). */
export function isUnder(problemPath: string, fieldPath: string): boolean {
  return (
    problemPath === fieldPath || problemPath.startsWith(fieldPath + ".") || problemPath.startsWith(fieldPath + "[")
  );
}

/**
 * Places each problem at the form field it is about (the longest field path
 * it falls under). Problems about no field of the form are `unplaced`: the
 * form lists them on top and the TOML tab shows them at their line.
 */
export function placeProblems(
  problems: Problem[],
  paths: string[],
): { byField: Map<string, Problem[]>; unplaced: Problem[] } {
  const byField = new Map<string, Problem[]>();
  const unplaced: Problem[] = [];
  for (const problem of problems) {
    let best: string | null = null;
    for (const path of paths) {
      if (isUnder(problem.path, path) && (best === null || path.length > best.length)) best = path;
    }
    if (best === null) {
      unplaced.push(problem);
    } else {
      byField.set(best, [...(byField.get(best) ?? []), problem]);
    }
  }
  return { byField, unplaced };
}

/** The character offset of a 1-based line and column (in characters) in `text`. */
export function offsetOf(text: string, line: number, column: number): number {
  let offset = 0;
  for (let l = 1; l < line; l++) {
    const next = text.indexOf("\n", offset);
    if (next < 0) return text.length;
    offset = next + 1;
  }
  const end = text.indexOf("\n", offset);
  const lineLength = (end < 0 ? text.length : end) - offset;
  return offset + Math.min(Math.max(column - 1, 0), lineLength);
}

/**
 * Asks before unsaved changes are thrown away; clean sessions need no
 * question. Resolves whether to go on.
 */
export async function confirmDiscard(
  session: Session | null | undefined,
  ask: (message: string) => Promise<boolean>,
): Promise<boolean> {
  if (!isDirty(session)) return true;
  return ask(`Discard your unsaved changes to ${session!.name}? This cannot be undone.`);
}

/** One line for a restored draft. */
export function restoredBanner(names: string[]): string | null {
  if (names.length === 0) return null;
  return `Restored unsaved changes to ${names.join(", ")}.`;
}

/** What a save did: the file written, and the scenario it opened when that is a new file (Save as). */
export interface Saved {
  written: string;
  opened: ScenarioInfo | null;
}

/**
 * Saves a session's text to `path`. Only once the file is written is the
 * draft dropped (a refused or failed save keeps it); a file other than the
 * session's own (Save as, Duplicate) is opened so it joins the list.
 */
export async function saveSession(session: Session, path: string, drafts: DraftSaver): Promise<Saved> {
  const written = await api.saveScenario(path, session.text);
  drafts.cancel(session.key);
  await api.discardDraft(session.key);
  const opened = written === session.file ? null : await api.openScenario(written);
  return { written, opened };
}
