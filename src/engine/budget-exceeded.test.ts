// Promise: no submit crosses the budget; what fits is made, the rest is reported, nothing half-done.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../store/index.js";
import { generate } from "./run.js";
import { fakeJobs, fakeProvider, type TempProject, tempProject, virtualClock } from "./testing.js";
import type { EngineEvent } from "./types.js";

describe("budget exceeded", () => {
  let project: TempProject;
  let store: Store;
  beforeEach(async () => {
    project = await tempProject();
    store = project.open();
  });
  afterEach(() => project.cleanup());

  it("submits only what the budget covers and reports the rest", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, concurrency: 2, latencyMs: 1_000 });
    const events: EngineEvent[] = [];
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(5, { estimatedUsd: 0.4 }),
      budgetUsd: 1,
      ...clock,
      onEvent: (e) => events.push(e),
    });
    expect(provider.calls.submit).toBe(2);
    expect(report.succeeded.map((t) => t.segment)).toEqual([0, 1]);
    expect(report.budget).toMatchObject({ committedUsd: 0.8, budgetUsd: 1 });
    // Both free slots tried at once; each was refused on its own.
    expect(report.budget?.refused).toEqual([2, 3]);
    expect(report.notStarted).toEqual([2, 3, 4]);
    expect(events.filter((e) => e.type === "budget-exceeded")).toHaveLength(2);
    const totals = await store.ledgerTotals();
    expect(totals.chargedUsd + totals.reservedUsd).toBeLessThanOrEqual(1);
  });

  it("prices a job from the provider's price model when the job names no cost", async () => {
    const clock = virtualClock();
    // 81 frames at 25 fps = 3.24 s at $0.5/s = $1.62 a job.
    const provider = fakeProvider({ ...clock, price: { kind: "per-video-second", usd: 0.5 } });
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(2),
      budgetUsd: 2,
      ...clock,
    });
    expect(report.succeeded).toHaveLength(1);
    expect((await store.ledgerTotals()).chargedUsd).toBeCloseTo(1.62, 6);
  });

  it("counts money spent by earlier runs against the budget", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, concurrency: 4 });
    await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(2, { estimatedUsd: 1 }),
      budgetUsd: 3,
      ...clock,
    });
    const more = fakeJobs(4, { estimatedUsd: 1 });
    const report = await generate({ store, providers: [provider], jobs: more, budgetUsd: 3, ...clock });
    expect(provider.calls.submit).toBe(3);
    expect(report.budget?.refused).toEqual([3]);
  });

  it("lets free providers run whatever the budget", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, paid: false, price: { kind: "free" }, concurrency: 3 });
    const report = await generate({
      store,
      providers: [provider],
      jobs: fakeJobs(3),
      budgetUsd: 0,
      ...clock,
    });
    expect(report.succeeded).toHaveLength(3);
    // Free work still goes through intents, so a crash cannot make it twice either.
    expect((await store.listTakes()).every((t) => t.token.length > 0)).toBe(true);
  });
});
