// refrain.lock: what a user commits to pin the chosen takes; it round-trips and fails loudly when broken.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { UserInputError } from "../errors/index.js";
import { openSqliteStore } from "../store/index.js";
import { formatLock, type Lock, lockFromStore, parseLock, readLock, writeLock } from "./lock.js";
import { generate } from "./run.js";
import { pickTake } from "./takes.js";
import { fakeJobs, fakeProvider, virtualClock } from "./testing.js";

const lock: Lock = {
  version: 1,
  segments: [0, 1].map((i) => ({
    segment: i,
    segmentKey: `segment-${i}`,
    take: `take-${i}`,
    seed: 100 + i,
    provider: "fal",
    model: "infinitetalk",
    image: "1".repeat(64),
    audio: String(i).repeat(64),
    output: "f".repeat(64),
  })),
};

describe("refrain.lock", () => {
  it("starts with its version and reads back as written", () => {
    const text = formatLock(lock);
    expect(text.split("\n").find((l) => !l.startsWith("#"))).toBe("version: 1");
    expect(parseLock(text)).toEqual(lock);
  });

  it("puts one field on a line so a changed pick is a small diff", () => {
    const changed = {
      ...lock,
      segments: [lock.segments[0]!, { ...lock.segments[1]!, take: "take-9", seed: 7 }],
    };
    const before = formatLock(lock).split("\n");
    const after = formatLock(changed).split("\n");
    expect(after.filter((line, i) => line !== before[i])).toEqual(["    take: take-9", "    seed: 7"]);
  });

  it("names the file, line and field of a bad entry", () => {
    const text = formatLock(lock).replace("seed: 101", "seed: lots");
    const line = text.split("\n").findIndex((l) => l.includes("seed: lots")) + 1;
    expect(() => parseLock(text, "my/refrain.lock")).toThrow(
      new RegExp(`^my/refrain.lock:${line}: segments.1.seed`),
    );
  });

  it("refuses a lock from another version with a hint", () => {
    const text = formatLock(lock).replace("version: 1", "version: 2");
    try {
      parseLock(text);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(UserInputError);
      expect((e as UserInputError).shortMessage).toMatch(
        /refrain.lock:2: version: .*another refrain version/,
      );
    }
  });

  it("reports broken YAML with its line", () => {
    expect(() => parseLock("version: 1\nsegments: [\n", "x.lock")).toThrow(/^x.lock:\d+:/);
  });

  it("is written atomically and read back; a missing lock reads as none", async () => {
    const dir = await mkdtemp(join(tmpdir(), "refrain-lock-"));
    const path = join(dir, "refrain.lock");
    expect(await readLock(path)).toBeUndefined();
    await writeLock(path, lock);
    expect(await readLock(path)).toEqual(lock);
    expect(await readFile(path, "utf8")).toMatch(/^# refrain.lock/);
    await rm(dir, { recursive: true, force: true });
  });

  it("records each segment's picked take from the store", async () => {
    const dir = await mkdtemp(join(tmpdir(), "refrain-lock-"));
    const store = openSqliteStore(dir);
    const clock = virtualClock();
    const provider = fakeProvider({ ...clock, concurrency: 3 });
    const jobs = [...fakeJobs(2), { ...fakeJobs(1)[0]!, seed: 55 }];
    const report = await generate({ store, providers: [provider], jobs, ...clock });
    const second = report.succeeded.find((t) => t.segment === 0 && t.takeId !== report.succeeded[0]!.takeId);
    await pickTake(store, 0, second!.takeId);
    const locked = await lockFromStore(store);
    expect(locked.segments.map((s) => [s.segment, s.take, s.seed])).toEqual([
      [0, second!.takeId, 55],
      [1, report.succeeded.find((t) => t.segment === 1)!.takeId, 1001],
    ]);
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });
});
