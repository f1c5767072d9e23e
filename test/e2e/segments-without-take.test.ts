// A provider that fails segments for good: `make` still writes the video, then says which segments are black and exits 4; --allow-gaps accepts them.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FalFake, startFalFake } from "../../fakes/fal/server.js";
import { ExitCode } from "../../src/errors/index.js";
import { type Inputs, json, makeInputs, makeProject, refrain, removeAll, tools } from "./helpers.js";

let inputs: Inputs;
let fal: FalFake;
let dir: string;
const env = { FAL_KEY: "fal-e2e" };

beforeAll(async () => {
  inputs = await makeInputs();
  // Every fal job ends failed ("CUDA out of memory"); the instrumental segments go to `local` and succeed.
  fal = await startFalFake({ key: "fal-e2e", runMs: 50, behaviours: ["fal-job-fails"], tools });
  dir = await makeProject(inputs, {
    provider: "fal",
    model: "infinitalk",
    base_url: fal.url,
    storage_url: fal.url,
    instrumental: { provider: "local" },
  });
});
afterAll(async () => {
  await fal.close();
  await removeAll(inputs.dir, dir);
});

/** The refrain: line a failed run ends with (the last line on stderr). */
const lastLine = (err: string) => err.trim().split("\n").at(-1) ?? "";

describe.sequential("segments a provider failed for good", () => {
  let vocal: number[];
  let makeLine: string;

  test("make writes the video, then names the black segments in one line and exits with the provider code", async () => {
    const plan = json<{ segments: { index: number; kind: string }[] }>(
      await refrain(dir, env, "plan", "--json"),
    );
    vocal = plan.segments.filter((s) => s.kind === "vocal").map((s) => s.index);
    expect(vocal.length).toBeGreaterThan(0);
    expect(vocal.length).toBeLessThan(plan.segments.length);

    const made = await refrain(dir, env, "make");
    expect(made.code, made.err).toBe(ExitCode.provider);
    expect(existsSync(join(dir, "out", "clip.mp4")), "the video is still written").toBe(true);
    expect(made.out).toMatch(/wrote out\/clip\.mp4/);
    const line = lastLine(made.err);
    makeLine = line;
    const n = vocal.length;
    expect(line).toMatch(
      n === 1
        ? new RegExp(`^refrain: segment ${vocal[0]} has no take: the video shows it black — `)
        : new RegExp(
            `^refrain: ${n} segments have no take \\(${vocal.join(", ")}\\): the video shows them black — `,
          ),
    );
    expect(line).toMatch(/refrain make` again to retry/);
    expect(made.err).not.toMatch(/\n\s+at /);
  });

  test("render of the same project fails the same way", async () => {
    const r = await refrain(dir, env, "render");
    expect(r.code, r.err).toBe(ExitCode.provider);
    expect(r.out).toMatch(/clip\.mp4/);
    expect(lastLine(r.err)).toBe(makeLine);
  });

  test("--allow-gaps accepts the gaps: exit 0 with a warning, for render and for make (which retries them first)", async () => {
    const before = fal.stats.submits;
    for (const args of [
      ["render", "--allow-gaps"],
      ["make", "--allow-gaps"],
    ]) {
      const r = await refrain(dir, env, ...args);
      expect(r.code, `${args.join(" ")}\n${r.err}`).toBe(0);
      expect(r.err).toMatch(new RegExp(`warning: segments ${vocal.join(", ")} have no take`));
    }
    expect(fal.stats.submits - before, "make retried the failed segments").toBe(vocal.length);
  });

  test("make --dry-run and estimate are unaffected", async () => {
    expect((await refrain(dir, env, "make", "--dry-run")).code).toBe(0);
    expect((await refrain(dir, env, "estimate")).code).toBe(0);
  });
});
