// Cache keys: one hash per set of inputs, whatever the spelling, and a plain list of what changed.
import { describe, expect, it } from "vitest";
import { type CacheKey, describeKeyChanges, explainKey, hashKey } from "./cachekey.js";

const key: CacheKey = {
  stage: "plan",
  version: 3,
  inputs: { analysis: "a".repeat(64), lyrics: "b".repeat(64) },
  params: { provider: "infinitetalk", handles: { before: 4, after: 4 } },
};

describe("hashKey", () => {
  it("gives the same hash whatever order the fields were written in", () => {
    const reordered: CacheKey = {
      params: { handles: { after: 4, before: 4 }, provider: "infinitetalk" },
      inputs: { lyrics: "b".repeat(64), analysis: "a".repeat(64) },
      version: 3,
      stage: "plan",
    };
    expect(hashKey(reordered)).toBe(hashKey(key));
  });

  it("changes when an input, a parameter or the stage version changes", () => {
    const hashes = new Set([
      hashKey(key),
      hashKey({ ...key, version: 4 }),
      hashKey({ ...key, inputs: { ...key.inputs, lyrics: "c".repeat(64) } }),
      hashKey({ ...key, params: { ...key.params, provider: "wan-s2v" } }),
    ]);
    expect(hashes.size).toBe(4);
  });

  it("is a sha256 hex digest", () => {
    expect(hashKey(key)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe("explainKey", () => {
  it("lists nothing for equal keys", () => {
    expect(explainKey(key, structuredClone(key))).toEqual([]);
  });

  it("names each changed, added and removed part", () => {
    const after: CacheKey = {
      ...key,
      version: 4,
      inputs: { analysis: "a".repeat(64) },
      params: { ...key.params, handles: { before: 8, after: 4 }, fps: 25 },
    };
    const changes = explainKey(key, after);
    expect(changes.map((c) => c.part)).toEqual(["version", "inputs.lyrics", "params.fps", "params.handles"]);
    expect(describeKeyChanges(changes)).toContain(`inputs.lyrics: bbbbbbbb… → (none)`);
  });
});
