// Promise: two refrain processes generating the same project at once (CLI and review server) submit each job once.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openSqliteStore, type Store } from "../store/index.js";
import { generate } from "./run.js";
import { fakeJobs, fakeProvider, memoryBook, virtualClock } from "./testing.js";

describe("concurrent runs never pay twice", () => {
  let dir: string;
  const stores: Store[] = [];
  const open = () => {
    const s = openSqliteStore(dir);
    stores.push(s);
    return s;
  };
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), "refrain-engine-"));
  });
  afterEach(async () => {
    for (const s of stores.splice(0)) await s.close();
    await rm(dir, { recursive: true, force: true });
  });

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
