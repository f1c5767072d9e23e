// Promise: a submit that may have reached a provider that cannot be asked is shown as uncertain, never resubmitted.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { generate } from "./run.js";
import {
  fakeJobs,
  fakeProvider,
  memoryBook,
  type TempProject,
  tempProject,
  virtualClock,
} from "./testing.js";

describe("uncertain intent not resubmitted", () => {
  let project: TempProject;
  const open = () => project.open();
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(() => project.cleanup());

  it("marks an ambiguous submit uncertain when the provider has no lookup, and keeps it so", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, lookup: false, submitGlitches: ["500-after-accept"] });
    const jobs = fakeJobs(2);
    const first = await generate({ store: open(), providers: [provider], jobs, ...clock });
    expect(first.uncertain).toEqual([expect.objectContaining({ segment: 0 })]);
    expect(first.uncertain[0]!.reason).toMatch(/may have reached/);
    expect(first.succeeded.map((t) => t.segment)).toEqual([1]);

    const second = await generate({ store: open(), providers: [provider], jobs, ...clock });
    expect(second.uncertain.map((t) => t.segment)).toEqual([0]);
    expect(provider.calls.submit).toBe(2);
  });

  it("holds an uncertain take's money against the budget", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, lookup: false, submitGlitches: ["500"] });
    const store = open();
    await generate({ store, providers: [provider], jobs: fakeJobs(1, { estimatedUsd: 3 }), ...clock });
    expect((await store.ledgerTotals()).reservedUsd).toBe(3);
  });

  it("turns an intent left by a crash into uncertain when the provider cannot be asked", async () => {
    const clock = virtualClock();
    const book = memoryBook();
    const dying = new Proxy(open(), {
      get(target, prop, receiver) {
        if (prop === "markSubmitted") return async () => Promise.reject(new Error("killed"));
        return Reflect.get(target, prop, receiver);
      },
    });
    const jobs = fakeJobs(1);
    const provider = fakeProvider({ ...clock, book, lookup: false });
    await expect(generate({ store: dying, providers: [provider], jobs, ...clock })).rejects.toThrow("killed");
    const report = await generate({ store: open(), providers: [provider], jobs, ...clock });
    expect(report.uncertain).toHaveLength(1);
    expect(provider.calls.submit).toBe(1);
    expect((await open().listTakes())[0]?.status).toBe("uncertain");
  });

  it("goes on once the user settles an uncertain take as never received", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, lookup: false, submitGlitches: ["500"] });
    const store = open();
    const jobs = fakeJobs(1);
    const first = await generate({ store, providers: [provider], jobs, ...clock });
    await store.resolveUncertain(first.uncertain[0]!.takeId, { void: true, at: clock.now() });
    const second = await generate({ store, providers: [provider], jobs, ...clock });
    expect(second.succeeded).toHaveLength(1);
  });
});
