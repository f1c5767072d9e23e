// refrain.lock: the chosen take of every segment, as versioned, diff-friendly YAML written atomically.
import { readFile } from "node:fs/promises";
import { LineCounter, parseDocument, stringify } from "yaml";
import { z } from "zod";
import { UserInputError } from "../errors/index.js";
import { writeFileAtomic } from "../files/index.js";
import type { Store } from "../store/index.js";

export const LOCK_VERSION = 1;

const hash = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 hex digest");

const LockedSegmentSchema = z.strictObject({
  segment: z.number().int().min(0),
  segmentKey: z.string().min(1),
  take: z.string().min(1),
  seed: z.number().int(),
  provider: z.string().min(1),
  model: z.string().min(1),
  image: hash,
  audio: hash,
  output: hash,
});

const LockSchema = z.strictObject({
  version: z.literal(LOCK_VERSION),
  segments: z.array(LockedSegmentSchema),
});

export type LockedSegment = z.infer<typeof LockedSegmentSchema>;
export type Lock = z.infer<typeof LockSchema>;

/** The lock as the store stands: one entry per picked take, in segment order. */
export async function lockFromStore(store: Store): Promise<Lock> {
  const picks = await store.listPicks();
  const segments: LockedSegment[] = [];
  for (const p of picks) {
    const t = await store.getTake(p.takeId);
    if (t?.status !== "succeeded" || !t.outputHash) continue;
    segments.push({
      segment: p.segment,
      segmentKey: p.segmentKey,
      take: t.id,
      seed: t.seed,
      provider: t.provider,
      model: t.model,
      image: t.imageHash,
      audio: t.audioHash,
      output: t.outputHash,
    });
  }
  segments.sort((a, b) => a.segment - b.segment || a.segmentKey.localeCompare(b.segmentKey));
  return { version: LOCK_VERSION, segments };
}

/** The lock's text: a comment, the version, then one block per segment (one field a line, for diffs). */
export function formatLock(lock: Lock): string {
  const body = stringify(LockSchema.parse(lock), { lineWidth: 0 });
  return `# refrain.lock — the take chosen for each segment; written by refrain, meant to be committed.\n${body}`;
}

/** Reads lock text; a bad file is a UserInputError naming the file, the line and the field. */
export function parseLock(text: string, file = "refrain.lock"): Lock {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const syntax = doc.errors[0];
  if (syntax) {
    const line = lines.linePos(syntax.pos[0]).line;
    throw new UserInputError(`${file}:${line}: ${syntax.message.split("\n")[0]}`, { file });
  }
  const parsed = LockSchema.safeParse(doc.toJS());
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const path = issue.path.map((p) => (typeof p === "symbol" ? String(p) : p));
  // Point at the deepest node that exists on the issue's path.
  let line = 1;
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    const range = (node as { range?: [number, number, number] } | undefined)?.range;
    if (range) {
      line = lines.linePos(range[0]).line;
      break;
    }
  }
  const where = path.length ? path.join(".") : "the file";
  const hint =
    issue.path[0] === "version"
      ? "this lock was written by another refrain version"
      : "fix or delete the file";
  throw new UserInputError(`${file}:${line}: ${where}: ${issue.message}`, { file, hint });
}

export async function writeLock(path: string, lock: Lock): Promise<void> {
  await writeFileAtomic(path, formatLock(lock));
}

/** The lock at `path`, or undefined when there is none yet. */
export async function readLock(path: string): Promise<Lock | undefined> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new UserInputError(`cannot read ${path}: ${(e as Error).message}`, { file: path, cause: e });
  }
  return parseLock(text, path);
}
