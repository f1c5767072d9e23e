// Stage caching: a stage runs once per key, and a changed key says which part changed.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CacheKey } from "./cachekey.js";
import { openSqliteStore } from "./sqlite.js";
import { cachedStage, explainStage } from "./stage.js";
import type { Store } from "./types.js";

const key: CacheKey = {
  stage: "analysis",
  version: 1,
  inputs: { audio: "a".repeat(64) },
  params: { vad: true },
};

describe("cachedStage", () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "refrain-stage-"));
    store = openSqliteStore(dir);
  });
  afterEach(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("computes once and serves the stored result for the same key", async () => {
    let runs = 0;
    const compute = async () => ({ beats: [++runs] });
    const first = await cachedStage(store, key, compute, () => 1);
    const second = await cachedStage(store, { ...key, params: { vad: true } }, compute, () => 2);
    expect(first).toMatchObject({ cached: false, result: { beats: [1] } });
    expect(second).toMatchObject({ cached: true, result: { beats: [1] } });
    expect(runs).toBe(1);
  });

  it("re-runs when the key changes and says what changed", async () => {
    await cachedStage(
      store,
      key,
      async () => 1,
      () => 1,
    );
    const bumped = { ...key, version: 2 };
    const run = await cachedStage(
      store,
      bumped,
      async () => 2,
      () => 2,
    );
    expect(run.cached).toBe(false);
    expect(run.changes).toEqual([{ part: "version", before: 1, after: 2 }]);
  });

  it("explains a first run, a hit and a change without running anything", async () => {
    expect(await explainStage(store, key)).toEqual({ cached: false, firstRun: true, changes: [] });
    await cachedStage(
      store,
      key,
      async () => 1,
      () => 1,
    );
    expect(await explainStage(store, key)).toEqual({ cached: true, firstRun: false, changes: [] });
    const changed = { ...key, inputs: { audio: "b".repeat(64) } };
    expect((await explainStage(store, changed)).changes.map((c) => c.part)).toEqual(["inputs.audio"]);
  });
});
