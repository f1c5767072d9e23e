// CacheKey: every input of a stage's result in one named struct, hashed stably, and explained when it changes.
import { createHash } from "node:crypto";
import canonicalize from "canonicalize";

/**
 * What a stage's result depends on. `version` is bumped by hand when the stage's logic changes
 * (never the package version: an upgrade must not re-bill paid takes). `inputs` are content
 * hashes of files or earlier results; `params` are the settings that shape the result.
 */
export interface CacheKey {
  readonly stage: string;
  readonly version: number;
  readonly inputs: Readonly<Record<string, string>>;
  readonly params: Readonly<Record<string, unknown>>;
}

/** The canonical JSON text of a key (RFC 8785): key order and number spelling never change the hash. */
export function canonicalKey(key: CacheKey): string {
  const text = canonicalize({
    stage: key.stage,
    version: key.version,
    inputs: key.inputs,
    params: key.params,
  });
  if (text === undefined) throw new TypeError(`cache key of stage ${key.stage} is not JSON`);
  return text;
}

/** sha256 hex of the key's canonical JSON. */
export function hashKey(key: CacheKey): string {
  return createHash("sha256").update(canonicalKey(key)).digest("hex");
}

/** One difference between two keys, in words a user reads in `refrain explain`. */
export interface KeyChange {
  /** "stage", "version", "inputs.audio", "params.fps", … */
  readonly part: string;
  readonly before: unknown;
  readonly after: unknown;
}

/** Which parts of a key changed, so a user sees why a stage re-ran. Empty when the keys hash alike. */
export function explainKey(before: CacheKey, after: CacheKey): KeyChange[] {
  const changes: KeyChange[] = [];
  if (before.stage !== after.stage) changes.push({ part: "stage", before: before.stage, after: after.stage });
  if (before.version !== after.version)
    changes.push({ part: "version", before: before.version, after: after.version });
  for (const group of ["inputs", "params"] as const) {
    const a: Record<string, unknown> = before[group];
    const b: Record<string, unknown> = after[group];
    const names = [...new Set([...Object.keys(a), ...Object.keys(b)])].sort();
    for (const name of names) {
      if (canonicalize(a[name] ?? null) !== canonicalize(b[name] ?? null))
        changes.push({ part: `${group}.${name}`, before: a[name], after: b[name] });
    }
  }
  return changes;
}

/** One line per change, e.g. `inputs.audio: 3fa2… → 9c01…`. */
export function describeKeyChanges(changes: readonly KeyChange[]): string[] {
  const show = (v: unknown): string => {
    if (v === undefined) return "(none)";
    const text = typeof v === "string" ? v : JSON.stringify(v);
    return /^[0-9a-f]{64}$/.test(text) ? `${text.slice(0, 8)}…` : text;
  };
  return changes.map((c) => `${c.part}: ${show(c.before)} → ${show(c.after)}`);
}
