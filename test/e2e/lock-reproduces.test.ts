// A project committed with its refrain.lock and cloned without .refrain/ makes the same picks again: the locked seeds are asked for.
import { cp, mkdtemp, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parseLock } from "../../src/engine/index.js";
import { type Inputs, json, makeInputs, makeProject, refrain, removeAll, type TakeRow } from "./helpers.js";

let inputs: Inputs;
const dirs: string[] = [];
beforeAll(async () => {
  inputs = await makeInputs();
});
afterAll(async () => {
  await removeAll(inputs.dir, ...dirs);
});

it("a clone with only refrain.yaml, the inputs and refrain.lock regenerates the picked seeds", async () => {
  const dir = await makeProject(inputs, { provider: "local" });
  dirs.push(dir);
  expect((await refrain(dir, {}, "make")).code).toBe(0);
  // The user prefers another take of segment 0 and commits the project.
  expect((await refrain(dir, {}, "reroll", "0", "--seed", "777")).code).toBe(0);
  const rerolled = json<TakeRow[]>(await refrain(dir, {}, "takes", "0", "--json", "--no-measure")).find(
    (t) => t.seed === 777,
  )!;
  expect((await refrain(dir, {}, "pick", "0", rerolled.take)).code).toBe(0);
  const lock = parseLock(await readFile(join(dir, "refrain.lock"), "utf8"));
  expect(lock.segments.find((s) => s.segment === 0)?.seed).toBe(777);

  // A teammate's clone: what git holds, no store, no output.
  const clone = await mkdtemp(join(tmpdir(), "refrain-clone-"));
  dirs.push(clone);
  for (const f of ["refrain.yaml", "refrain.lock", "song.wav", "singer.png", "song.lrc"])
    await cp(join(dir, f), join(clone, f));
  expect((await refrain(clone, {}, "make")).code).toBe(0);
  const takes = json<TakeRow[]>(await refrain(clone, {}, "takes", "--json", "--no-measure"));
  const seg0 = takes.filter((t) => t.segment === 0);
  expect(seg0.map((t) => t.seed)).toEqual([777]);
  expect(seg0[0]!.picked).toBe(true);
  // Every other segment got the seed its lock entry names.
  for (const entry of lock.segments) {
    expect(takes.find((t) => t.segment === entry.segment && t.picked)?.seed).toBe(entry.seed);
  }
}, 120_000);
