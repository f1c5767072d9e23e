// The review page's own marks on a project: rejected takes and locked segments, kept in .refrain/review.json.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { writeFileAtomic } from "../files/index.js";

export interface ReviewMarks {
  /** Take ids the user turned down: shown dimmed, never picked. */
  readonly rejected: readonly string[];
  /** Segment keys whose pick the user fixed: no re-pick, no reroll. */
  readonly locked: readonly string[];
}

export const NO_MARKS: ReviewMarks = { rejected: [], locked: [] };

export function marksPath(projectDir: string): string {
  return join(projectDir, ".refrain", "review.json");
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === "string") : [];
}

/** Reads the marks; a missing or unreadable file means none (they are a convenience, not a record of money). */
export async function readMarks(projectDir: string): Promise<ReviewMarks> {
  try {
    const raw = JSON.parse(await readFile(marksPath(projectDir), "utf8")) as Record<string, unknown>;
    return { rejected: strings(raw.rejected), locked: strings(raw.locked) };
  } catch {
    return NO_MARKS;
  }
}

export async function writeMarks(projectDir: string, marks: ReviewMarks): Promise<void> {
  await writeFileAtomic(marksPath(projectDir), `${JSON.stringify(marks, null, 2)}\n`);
}

/** The marks with `item` added to or removed from one list (pure). */
export function toggled(marks: ReviewMarks, list: keyof ReviewMarks, item: string, on: boolean): ReviewMarks {
  const rest = marks[list].filter((x) => x !== item);
  return { ...marks, [list]: on ? [...rest, item] : rest };
}
