// Stage caching over the store: run a stage only when its CacheKey changed, and say why it re-ran.
import type { CacheKey, KeyChange } from "./cachekey.js";
import { explainKey, hashKey } from "./cachekey.js";
import type { Store } from "./types.js";

export interface StageRun<T> {
  readonly result: T;
  /** The result came from the store; `compute` was not called. */
  readonly cached: boolean;
  readonly keyHash: string;
  /** Against the stage's latest stored key: what changed (empty on a hit or a first run). */
  readonly changes: readonly KeyChange[];
}

/**
 * The stored result for `key`, or `compute()`'s result stored under it. Results must be JSON:
 * what comes back from the store is what `JSON.parse` gives.
 */
export async function cachedStage<T>(
  store: Store,
  key: CacheKey,
  compute: () => Promise<T>,
  now: () => number = Date.now,
): Promise<StageRun<T>> {
  const keyHash = hashKey(key);
  const hit = await store.getStage(key.stage, keyHash);
  if (hit) return { result: hit.result as T, cached: true, keyHash, changes: [] };
  const latest = await store.latestStage(key.stage);
  const result = await compute();
  await store.putStage(key, result, now());
  return { result, cached: false, keyHash, changes: latest ? explainKey(latest.key, key) : [] };
}

export interface StageExplanation {
  /** A result for exactly this key is stored. */
  readonly cached: boolean;
  /** The stage has never run in this project. */
  readonly firstRun: boolean;
  /** What differs from the stage's latest stored key. */
  readonly changes: readonly KeyChange[];
}

/** Why a stage would (or would not) run now: `refrain explain`. */
export async function explainStage(store: Store, key: CacheKey): Promise<StageExplanation> {
  if (await store.getStage(key.stage, hashKey(key))) return { cached: true, firstRun: false, changes: [] };
  const latest = await store.latestStage(key.stage);
  return {
    cached: false,
    firstRun: latest === undefined,
    changes: latest ? explainKey(latest.key, key) : [],
  };
}
