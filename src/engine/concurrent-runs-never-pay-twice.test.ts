// Promise: two refrain processes generating the same project at once (CLI and review server) submit each job once.
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

describe("concurrent runs never pay twice", () => {
  let project: TempProject;
  const open = () => project.open();
  beforeEach(async () => {
    project = await tempProject();
  });
  afterEach(() => project.cleanup());

  it("lets only one of two simultaneous runs submit each job", async () => {
    const clock = virtualClock();
    const book = memoryBook();
    const a = fakeProvider({ ...clock, book, concurrency: 3, latencyMs: 10_000 });
    const b = fakeProvider({ ...clock, book, concurrency: 3, latencyMs: 10_000 });
    const jobs = fakeJobs(6);
    const [ra, rb] = await Promise.all([
      generate({ store: open(), providers: [a], jobs, ...clock }),
      generate({ store: open(), providers: [b], jobs, ...clock }),
    ]);
    expect(book.all()).toHaveLength(6);
    expect(new Set(book.all().map((j) => j.segment)).size).toBe(6);
    expect(ra.submissions + rb.submissions).toBe(6);
    // Whatever the other run held is reported, not lost.
    for (const r of [ra, rb]) expect(r.succeeded.length + r.inFlight.length).toBe(6);
    const third = await generate({ store: open(), providers: [a], jobs, ...clock });
    expect(third.succeeded).toHaveLength(6);
    expect(book.all()).toHaveLength(6);
  });
});
