// Takes after generation: list them, pick one per segment, reroll a segment, mark stale ones, prune.
import { UserInputError } from "../errors/index.js";
import type { Store, Take } from "../store/index.js";
import { markBrokenChainsStale } from "./continuity.js";
import type { JobSpec } from "./types.js";

/** A project's takes, oldest first, optionally of one segment. */
export function listTakes(store: Store, segment?: number): Promise<Take[]> {
  return store.listTakes(segment === undefined ? {} : { segment });
}

/** Chooses which finished take a segment uses in the video. */
export async function pickTake(
  store: Store,
  segment: number,
  takeId: string,
  now: number = Date.now(),
): Promise<Take> {
  const take = await store.getTake(takeId);
  if (!take)
    throw new UserInputError(`there is no take ${takeId}`, { hint: "run `refrain takes` to list them" });
  if (take.segment !== segment)
    throw new UserInputError(`take ${takeId} belongs to segment ${take.segment}, not segment ${segment}`);
  if (take.status !== "succeeded")
    throw new UserInputError(`take ${takeId} is ${take.status}: only a finished take can be picked`);
  await store.setPick(take.segmentKey, segment, takeId, now);
  // Continuity: takes made from the last frame of the take this replaces are now stale.
  await markBrokenChainsStale(store);
  return { ...take, picked: true };
}

export interface RerollOptions {
  /** New takes wanted (default 1). */
  readonly count?: number;
  /** Seeds to use; drawn from `random` when absent. */
  readonly seeds?: readonly number[];
  readonly random?: () => number;
  /** Changes to the job, e.g. a new prompt. */
  readonly changes?: Partial<Pick<JobSpec, "prompt" | "image" | "imageHash">>;
}

/**
 * Jobs for more takes of a segment: the picked (else the latest) take's job with new seeds,
 * never a seed the segment already used. Pass them to `generate`.
 */
export async function rerollSegment(
  store: Store,
  segment: number,
  options: RerollOptions = {},
): Promise<JobSpec[]> {
  const takes = await store.listTakes({ segment });
  const base = takes.find((t) => t.picked) ?? takes.at(-1);
  if (!base)
    throw new UserInputError(`segment ${segment} has no takes to reroll`, {
      hint: "run `refrain generate` first",
    });
  const used = new Set(takes.map((t) => t.seed));
  const random = options.random ?? Math.random;
  const count = options.seeds?.length ?? options.count ?? 1;
  const seeds: number[] = [];
  for (let i = 0; i < count; i++) {
    let seed = options.seeds?.[i];
    if (seed === undefined) {
      do seed = Math.floor(random() * 2 ** 31);
      while (used.has(seed));
    } else if (used.has(seed)) {
      throw new UserInputError(`segment ${segment} already has a take with seed ${seed}`);
    }
    used.add(seed);
    seeds.push(seed);
  }
  const spec = base.spec as JobSpec;
  return seeds.map((seed) => ({ ...spec, ...options.changes, seed }));
}

/** After a re-plan: takes of segments that no longer exist are marked stale (kept, not shown first). */
export function refreshStale(store: Store, currentSegmentKeys: readonly string[]): Promise<number> {
  return store.markStale(currentSegmentKeys);
}

export interface PruneOptions {
  /** Keep every picked take (default true). */
  readonly keepPicked?: boolean;
  /** Also keep finished takes nobody picked (default false: they go). */
  readonly keepUnpicked?: boolean;
}

/**
 * Deletes finished takes (failed, cancelled, and unpicked successes) and the media files no
 * remaining take uses. Takes still running or uncertain are never touched; the ledger keeps
 * what was paid.
 */
export async function prune(
  store: Store,
  options: PruneOptions = {},
): Promise<{ takes: number; bytesFreed: number }> {
  const keepPicked = options.keepPicked ?? true;
  const all = await store.listTakes();
  const doomed = all.filter((t) => {
    if (t.status === "failed" || t.status === "cancelled") return true;
    if (t.status !== "succeeded") return false;
    if (t.picked) return !keepPicked;
    return !options.keepUnpicked;
  });
  const doomedIds = new Set(doomed.map((t) => t.id));
  const kept = new Set(all.filter((t) => !doomedIds.has(t.id) && t.outputHash).map((t) => t.outputHash));
  await store.deleteTakes([...doomedIds]);
  let bytesFreed = 0;
  for (const hash of new Set(doomed.flatMap((t) => (t.outputHash ? [t.outputHash] : [])))) {
    if (!kept.has(hash)) bytesFreed += await store.media.remove(hash);
  }
  return { takes: doomed.length, bytesFreed };
}
