// Promise: transient failures are retried with backoff, never sooner than the provider's Retry-After.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../store/index.js";
import { generate } from "./run.js";
import { fakeJobs, fakeProvider, type TempProject, tempProject, virtualClock } from "./testing.js";
import type { EngineEvent } from "./types.js";

describe("retry after honoured", () => {
  let project: TempProject;
  let store: Store;
  beforeEach(async () => {
    project = await tempProject();
    store = project.open();
  });
  afterEach(() => project.cleanup());

  it("waits at least Retry-After before submitting again after a 429", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({
      ...clock,
      latencyMs: 5_000,
      submitGlitches: ["429", "429"],
      retryAfterS: 30,
    });
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(1),
      ...clock,
      retryBaseMs: 100,
    });
    expect(report.succeeded).toHaveLength(1);
    expect(provider.submitTimes).toHaveLength(3);
    const [a, b, c] = provider.submitTimes as [number, number, number];
    expect(b - a).toBeGreaterThanOrEqual(30_000);
    expect(c - b).toBeGreaterThanOrEqual(30_000);
    expect(provider.book.all()).toHaveLength(1);
  });

  it("records refused submits as void takes that cost nothing", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, submitGlitches: ["429"], retryAfterS: 1 });
    await generate({ store, providers: [provider], jobs: fakeJobs(1, { estimatedUsd: 2 }), ...clock });
    const takes = await store.listTakes();
    expect(takes.map((t) => t.status)).toEqual(["cancelled", "succeeded"]);
    expect(takes[0]!.failureReason).toMatch(/not accepted.*429/);
    expect((await store.ledgerTotals()).chargedUsd).toBe(2);
  });

  it("backs off exponentially on server errors while polling", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, latencyMs: 0, pollGlitches: ["500", "500", "500"] });
    const events: EngineEvent[] = [];
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(1),
      ...clock,
      retryBaseMs: 1_000,
      onEvent: (e) => events.push(e),
    });
    expect(report.succeeded).toHaveLength(1);
    const delays = events.flatMap((e) => (e.type === "retry" ? [e.delayMs] : []));
    expect(delays).toHaveLength(3);
    // Equal jitter: each delay lies in [base·2^n / 2, base·2^n].
    delays.forEach((d, n) => {
      expect(d).toBeGreaterThanOrEqual(500 * 2 ** n);
      expect(d).toBeLessThanOrEqual(1_000 * 2 ** n);
    });
  });

  it("gives the same jitter for the same seed", async () => {
    const delaysFor = async (seed: number) => {
      const clock = virtualClock();
      const provider = fakeProvider({ ...clock, pollGlitches: ["500", "500"] });
      const project = await tempProject();
      const local = project.open();
      const delays: number[] = [];
      await generate({
        store: local,
        providers: [provider],
        jobs: fakeJobs(1),
        ...clock,
        seed,
        onEvent: (e) => e.type === "retry" && delays.push(e.delayMs),
      });
      await project.cleanup();
      return delays;
    };
    expect(await delaysFor(7)).toEqual(await delaysFor(7));
  });

  it("retries a submit the provider surely never saw (connection refused)", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, submitGlitches: ["refused"] });
    const report = await generate({ store, providers: [provider], jobs: fakeJobs(1), ...clock });
    expect(report.succeeded).toHaveLength(1);
    expect(provider.book.all()).toHaveLength(1);
  });

  it("fails a take the provider rejects for good, without retrying", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, submitGlitches: ["bad-request"] });
    const report = await generate({ store, providers: [provider], jobs: fakeJobs(2), ...clock });
    expect(report.failed).toEqual([
      expect.objectContaining({ segment: 0, reason: expect.stringMatching(/rejected.*400/) }),
    ]);
    expect(report.succeeded.map((t) => t.segment)).toEqual([1]);
    expect(provider.calls.submit).toBe(2);
  });

  it("gives up on a provider that keeps losing submits instead of looping forever", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, submitGlitches: Array(10).fill("500") });
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(1),
      ...clock,
      maxRetries: 2,
    });
    expect(report.failed[0]?.reason).toMatch(/gave up after 3 submits/);
    expect(provider.calls.submit).toBe(3);
    expect(provider.book.all()).toHaveLength(0);
  });

  it("retries a fetch after a dropped connection and keeps the video", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, fetchGlitches: ["drop"] });
    const report = await generate({ store, providers: [provider], jobs: fakeJobs(1), ...clock });
    expect(report.succeeded).toHaveLength(1);
    expect(store.media.has(report.succeeded[0]!.outputHash)).toBe(true);
  });

  it("records an expired result as failed and counts what it cost", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, latencyMs: 1_000, expireAfterMs: 10, pollGlitches: ["500"] });
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(1, { estimatedUsd: 1.25 }),
      ...clock,
      pollIntervalMs: 5_000,
    });
    expect(report.failed[0]?.reason).toMatch(/expired/);
    expect((await store.ledgerTotals()).chargedUsd).toBe(1.25);
  });
});
