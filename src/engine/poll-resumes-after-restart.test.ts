// Promise: a run stopped after its submits picks the same remote jobs up next time, paying for none twice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generate } from "./run.js";
import { fakeJobs, fakeProvider, type TempProject, tempProject, virtualClock } from "./testing.js";

describe("poll resumes after restart", () => {
  let project: TempProject;
  const open = () => project.open();
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(() => project.cleanup());

  it("makes every job once when nothing goes wrong", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, concurrency: 2, latencyMs: 30_000 });
    const report = await generate({ store: open(), providers: [provider], jobs: fakeJobs(5), ...clock });
    expect(report.succeeded).toHaveLength(5);
    expect(provider.calls.submit).toBe(5);
    expect(report.submissions).toBe(5);
  });

  it("polls the remote jobs of a stopped run instead of submitting them again", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, concurrency: 4, latencyMs: 60_000 });
    const jobs = fakeJobs(4);
    const stop = new AbortController();
    let submitted = 0;
    const first = await generate({
      store: open(),
      providers: [provider],
      jobs,
      ...clock,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === "submitted" && ++submitted === jobs.length) stop.abort();
      },
    });
    expect(first.cancelled).toBe(true);
    expect(first.inFlight.map((t) => t.segment)).toEqual([0, 1, 2, 3]);
    expect(first.succeeded).toEqual([]);

    const second = await generate({ store: open(), providers: [provider], jobs, ...clock });
    expect(second.succeeded.map((t) => t.segment)).toEqual([0, 1, 2, 3]);
    expect(second.submissions).toBe(0);
    expect(provider.calls.submit).toBe(4);
    expect(second.succeeded.map((t) => t.takeId)).toEqual(first.inFlight.map((t) => t.takeId));
  });

  it("keeps finished takes and makes nothing when run again", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, concurrency: 3, latencyMs: 1_000 });
    const jobs = fakeJobs(3);
    await generate({ store: open(), providers: [provider], jobs, ...clock });
    const again = await generate({ store: open(), providers: [provider], jobs, ...clock });
    expect(again.succeeded.every((t) => t.earlier)).toBe(true);
    expect(provider.calls.submit).toBe(3);
  });

  it("stops submitting once the signal fires and lists what never started", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, concurrency: 1, latencyMs: 10_000 });
    const stop = new AbortController();
    const report = await generate({
      store: open(),
      providers: [provider],
      jobs: fakeJobs(3),
      ...clock,
      signal: stop.signal,
      onEvent: (e) => {
        if (e.type === "submitted") stop.abort();
      },
    });
    expect(provider.calls.submit).toBe(1);
    expect(report.inFlight).toHaveLength(1);
    expect(report.notStarted).toEqual([1, 2]);
  });
});
