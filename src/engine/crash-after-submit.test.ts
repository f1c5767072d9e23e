// Promise: when refrain dies after a provider accepted a job but before it recorded the id, the job is adopted, not paid twice.
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Store } from "../store/index.js";
import { generate } from "./run.js";
import {
  fakeJobs,
  fakeProvider,
  memoryBook,
  type TempProject,
  tempProject,
  virtualClock,
} from "./testing.js";
import type { EngineEvent } from "./types.js";

/** A store whose process "dies" the moment it would record a remote id. */
function dyingOnSubmit(store: Store): Store {
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (prop === "markSubmitted")
        return async () => {
          throw new Error("killed before recording the remote id");
        };
      return Reflect.get(target, prop, receiver);
    },
  });
}

describe("crash after submit", () => {
  let project: TempProject;
  const open = () => project.open();
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(() => project.cleanup());

  it("adopts the accepted job by its client token on the next run", async () => {
    const clock = virtualClock();
    const book = memoryBook();
    const jobs = fakeJobs(1);
    const before = fakeProvider({ ...clock, book, latencyMs: 5_000 });
    await expect(
      generate({ store: dyingOnSubmit(open()), providers: [before], jobs, ...clock }),
    ).rejects.toThrow(/killed/);
    expect(book.all()).toHaveLength(1);
    expect((await open().listTakes())[0]).toMatchObject({ status: "intent", remoteId: null });

    const after = fakeProvider({ ...clock, book, latencyMs: 5_000 });
    const events: EngineEvent[] = [];
    const report = await generate({
      store: open(),
      providers: [after],
      jobs,
      ...clock,
      onEvent: (e) => events.push(e),
    });
    expect(after.calls.submit).toBe(0);
    expect(events.map((e) => e.type)).toContain("adopted");
    expect(report.succeeded).toHaveLength(1);
    expect(book.all()).toHaveLength(1);
    const [take] = await open().listTakes();
    expect(take).toMatchObject({ status: "succeeded", remoteId: book.all()[0]!.remoteId });
  });

  it("adopts a job whose submit answer was lost on the wire (connection dropped after accept)", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, submitGlitches: ["drop"] });
    const report = await generate({ store: open(), providers: [provider], jobs: fakeJobs(1), ...clock });
    expect(report.succeeded).toHaveLength(1);
    expect(provider.calls.submit).toBe(1);
    expect(provider.book.all()).toHaveLength(1);
  });

  it("submits afresh when the provider's lookup says the intent never arrived", async () => {
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, submitGlitches: ["500"] });
    const report = await generate({ store: open(), providers: [provider], jobs: fakeJobs(1), ...clock });
    expect(report.succeeded).toHaveLength(1);
    expect(provider.calls.submit).toBe(2);
    expect(provider.book.all()).toHaveLength(1);
    const takes = await open().listTakes();
    expect(takes.map((t) => t.status)).toEqual(["cancelled", "succeeded"]);
  });
});
