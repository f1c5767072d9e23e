// Takes after generation: every attempt is kept, one is picked per segment, rerolls pay only for new seeds, prune frees disk.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../store/index.js";
import { generate } from "./run.js";
import { listTakes, pickTake, prune, refreshStale, rerollSegment } from "./takes.js";
import { fakeJobs, fakeProvider, type TempProject, tempProject, virtualClock } from "./testing.js";

describe("takes", () => {
  let project: TempProject;
  let store: Store;
  const clock = virtualClock();
  const provider = fakeProvider({ ...clock, concurrency: 4, failSegments: [2] });
  beforeEach(async () => {
    project = await tempProject("refrain-takes-");
    store = project.open();
    await generate({ store, providers: [provider], jobs: fakeJobs(3), ...clock });
  });
  afterEach(() => project.cleanup());

  it("picks a segment's first successful take by default", async () => {
    const takes = await listTakes(store, 0);
    expect(takes.map((t) => [t.status, t.picked])).toEqual([["succeeded", true]]);
    expect((await listTakes(store, 2)).map((t) => [t.status, t.picked])).toEqual([["failed", false]]);
  });

  it("rerolls a segment with new seeds and keeps every take", async () => {
    const jobs = await rerollSegment(store, 0, { count: 2, random: () => 0.5 + Math.random() / 4 });
    expect(jobs).toHaveLength(2);
    expect(new Set(jobs.map((j) => j.seed)).size).toBe(2);
    expect(jobs.map((j) => j.seed)).not.toContain(1000);
    expect(jobs.every((j) => j.segmentKey === "segment-0" && j.prompt === "a singer on a stage")).toBe(true);
    const before = provider.calls.submit;
    await generate({ store, providers: [provider], jobs, ...clock });
    expect(provider.calls.submit - before).toBe(2);
    const takes = await listTakes(store, 0);
    expect(takes).toHaveLength(3);
    expect(takes.filter((t) => t.picked).map((t) => t.seed)).toEqual([1000]);
  });

  it("refuses a reroll seed the segment already used", async () => {
    await expect(rerollSegment(store, 0, { seeds: [1000] })).rejects.toThrow(
      /already has a take with seed 1000/,
    );
  });

  it("picks another finished take on request, and only a finished one of that segment", async () => {
    const [job] = await rerollSegment(store, 1, { seeds: [7] });
    await generate({ store, providers: [provider], jobs: [job!], ...clock });
    const second = (await listTakes(store, 1)).find((t) => t.seed === 7)!;
    await pickTake(store, 1, second.id);
    expect((await listTakes(store, 1)).filter((t) => t.picked).map((t) => t.id)).toEqual([second.id]);
    await expect(pickTake(store, 0, second.id)).rejects.toThrow(/belongs to segment 1/);
    const failed = (await listTakes(store, 2))[0]!;
    await expect(pickTake(store, 2, failed.id)).rejects.toThrow(/only a finished take/);
  });

  it("marks takes of segments a re-plan dropped as stale", async () => {
    expect(await refreshStale(store, ["segment-0", "segment-2"])).toBe(1);
    expect((await listTakes(store, 1))[0]?.stale).toBe(true);
  });

  it("prunes unpicked and failed takes, keeps picked ones and their files", async () => {
    const [job] = await rerollSegment(store, 0, { seeds: [9] });
    await generate({ store, providers: [provider], jobs: [job!], ...clock });
    const extra = (await listTakes(store, 0)).find((t) => t.seed === 9)!;
    const result = await prune(store, { keepPicked: true });
    expect(result.takes).toBe(2);
    expect(result.bytesFreed).toBeGreaterThan(0);
    expect(store.media.has(extra.outputHash!)).toBe(false);
    const left = await listTakes(store);
    expect(left.map((t) => t.segment)).toEqual([0, 1]);
    expect(left.every((t) => t.picked && store.media.has(t.outputHash!))).toBe(true);
  });
});
