// Cost: a plan is priced before anything is paid; afterwards, what each usable second really cost.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { openSqliteStore } from "../store/index.js";
import { costReport, estimatePlan } from "./cost.js";
import { generate } from "./run.js";
import { fakeJobs, fakeProvider, virtualClock } from "./testing.js";

describe("estimatePlan", () => {
  const clock = virtualClock();
  it("prices every job from the provider's price model without calling it", () => {
    const provider = fakeProvider({ ...clock, price: { kind: "per-video-second", usd: 0.25 } });
    // 4 jobs × 81 frames at 25 fps = 12.96 s.
    const estimate = estimatePlan(fakeJobs(4), provider);
    expect(estimate.videoSeconds).toBeCloseTo(12.96, 9);
    expect(estimate.totalUsd).toBeCloseTo(12.96 * 0.25, 9);
    expect(provider.calls.submit).toBe(0);
  });

  it("bounds a pool's cost by each job's dearest endpoint", () => {
    const cheap = fakeProvider({ ...clock, endpoint: "cheap", price: { kind: "per-job", usd: 1 } });
    const dear = fakeProvider({ ...clock, endpoint: "dear", price: { kind: "per-job", usd: 3 } });
    const estimate = estimatePlan(fakeJobs(2), [cheap, dear]);
    expect(estimate.perProvider).toEqual({ cheap: 2, dear: 6 });
    expect(estimate.totalUsd).toBe(6);
  });

  it("costs nothing on a free provider", () => {
    expect(estimatePlan(fakeJobs(3), fakeProvider({ ...clock, price: { kind: "free" } })).totalUsd).toBe(0);
  });
});

describe("costReport", () => {
  // Each test's store folder, closed and removed even when an assertion fails.
  let open: { dir: string; store: ReturnType<typeof openSqliteStore> } | undefined;
  async function tempStore() {
    const dir = await mkdtemp(join(tmpdir(), "refrain-cost-"));
    open = { dir, store: openSqliteStore(dir) };
    return open.store;
  }
  afterEach(async () => {
    if (!open) return;
    await open.store.close();
    await rm(open.dir, { recursive: true, force: true });
    open = undefined;
  });

  it("divides what was spent, failures included, by the seconds of picked video", async () => {
    const store = await tempStore();
    const clock = virtualClock();
    const good = fakeProvider({ ...clock, concurrency: 3 });
    // Two takes made and picked at $1 each; one lost to an expired result still costs $1.
    await generate({ store, providers: [good], jobs: fakeJobs(2, { estimatedUsd: 1 }), ...clock });
    const late = fakeProvider({ ...clock, latencyMs: 1_000, expireAfterMs: 1 });
    await generate({
      store,
      providers: [late],
      jobs: fakeJobs(1, { estimatedUsd: 1, segment: 5, segmentKey: "s5" }),
      ...clock,
      pollIntervalMs: 5_000,
    });
    const report = await costReport(store);
    expect(report.spentUsd).toBe(3);
    expect(report.acceptedVideoSeconds).toBeCloseTo(6.48, 9);
    expect(report.usdPerAcceptedSecond).toBeCloseTo(3 / 6.48, 9);
    expect(report.takes).toEqual({ succeeded: 2, failed: 1, picked: 2 });
  });

  it("counts only picks of segments the current plan still has", async () => {
    const store = await tempStore();
    const clock = virtualClock();
    const jobs = fakeJobs(2);
    await generate({ store, providers: [fakeProvider(clock)], jobs, ...clock });
    // A re-plan keeps the first segment only: the second one's picked take is stale.
    await store.markStale([jobs[0]!.segmentKey]);
    const report = await costReport(store);
    expect(report.takes.picked).toBe(1);
    expect(report.acceptedVideoSeconds).toBeCloseTo(jobs[0]!.frames / 25, 9);
  });
});
