// Promise: a remote job stuck past its deadline is cancelled at the provider and recorded as failed.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../store/index.js";
import { generate } from "./run.js";
import { fakeJobs, fakeProvider, type TempProject, tempProject, virtualClock } from "./testing.js";

describe("deadline cancels stuck job", () => {
  let project: TempProject;
  let store: Store;
  beforeEach(async () => {
    project = await tempProject();
    store = project.open();
  });
  afterEach(() => project.cleanup());

  it("cancels a hanging job at its deadline while the others finish", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({
      ...clock,
      concurrency: 2,
      latencyMs: (job) => (job.segment === 1 ? Number.POSITIVE_INFINITY : 20_000),
    });
    const started = clock.now();
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(3),
      ...clock,
      deadlineMs: 600_000,
      pollIntervalMs: 10_000,
    });
    expect(report.succeeded.map((t) => t.segment)).toEqual([0, 2]);
    expect(report.failed).toEqual([expect.objectContaining({ segment: 1, reason: "deadline exceeded" })]);
    expect(provider.calls.cancel).toBe(1);
    expect(provider.book.all().find((j) => j.segment === 1)?.cancelled).toBe(true);
    // Cancelled at the deadline, not long after it.
    const stuck = (await store.listTakes({ segment: 1 }))[0]!;
    expect(stuck.finishedAt! - stuck.submittedAt!).toBeGreaterThanOrEqual(600_000);
    expect(stuck.finishedAt! - started).toBeLessThan(600_000 + 2 * 10_000);
  });

  it("applies the deadline to jobs picked up after a restart, from their submit time", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, latencyMs: Number.POSITIVE_INFINITY });
    const stop = new AbortController();
    await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(1),
      ...clock,
      signal: stop.signal,
      onEvent: (e) => e.type === "submitted" && stop.abort(),
    });
    clock.advance(3_600_000);
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(1),
      ...clock,
      deadlineMs: 600_000,
    });
    expect(report.failed[0]?.reason).toBe("deadline exceeded");
    expect(provider.calls.submit).toBe(1);
  });
});
