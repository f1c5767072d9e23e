// Routing vocal segments to fal and instrumental ones to `local`, and a budget that stops `make` before the submit that would cross it.
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FalFake, startFalFake } from "../../fakes/fal/server.js";
import { ExitCode } from "../../src/errors/index.js";
import type { Cost, Estimate } from "./flow.js";
import {
  countFrames,
  expectedFrames,
  type Inputs,
  json,
  makeInputs,
  makeProject,
  refrain,
  removeAll,
  type TakeRow,
  tools,
} from "./helpers.js";

let inputs: Inputs;
let fal: FalFake;
const projects: string[] = [];
const env = { FAL_KEY: "fal-e2e" };
beforeAll(async () => {
  inputs = await makeInputs();
  fal = await startFalFake({ key: "fal-e2e", runMs: 300, tools });
});
afterAll(async () => {
  await fal.close();
  await removeAll(inputs.dir, ...projects);
});

const falClip = () => ({ provider: "fal", model: "infinitalk", base_url: fal.url, storage_url: fal.url });

describe.sequential("routing and budget", () => {
  test("fal makes the vocal segments and local the instrumental ones: the fake sees only vocal segments", async () => {
    const dir = await makeProject(inputs, { ...falClip(), instrumental: { provider: "local" } });
    projects.push(dir);
    const before = fal.stats.submits;
    const plan = json<{ segments: { index: number; kind: string }[] }>(
      await refrain(dir, env, "plan", "--json"),
    );
    const vocal = plan.segments.filter((s) => s.kind === "vocal").map((s) => s.index);
    const instrumental = plan.segments.filter((s) => s.kind === "instrumental").map((s) => s.index);
    expect(vocal.length).toBeGreaterThan(0);
    expect(instrumental.length).toBeGreaterThan(0);

    const estimate = json<Estimate>(await refrain(dir, env, "estimate", "--json"));
    expect(estimate.estimated_usd).toBeGreaterThan(0);
    expect(fal.stats.submits).toBe(before);

    const made = await refrain(dir, env, "make");
    expect(made.code, made.err).toBe(0);
    expect(fal.stats.submits - before).toBe(vocal.length);
    const takes = json<TakeRow[]>(await refrain(dir, env, "takes", "--json", "--no-measure"));
    const providerOf = (segment: number) => takes.find((t) => t.segment === segment && t.picked)?.provider;
    for (const s of vocal) expect(providerOf(s)).toMatch(/^fal/);
    for (const s of instrumental) expect(providerOf(s)).toBe("local");
    // Only fal's takes cost money, and what was quoted is what was charged.
    const cost = json<Cost>(await refrain(dir, env, "cost", "--json"));
    expect(cost.spentUsd).toBeCloseTo(estimate.estimated_usd, 6);
    expect(await countFrames(join(dir, "out", "clip.mp4"))).toBe(expectedFrames(inputs.samples));
  });

  test("a budget below the estimate stops make before the submit that crosses it; a raised budget finishes without paying twice", async () => {
    const probe = await makeProject(inputs, falClip());
    projects.push(probe);
    const estimate = json<Estimate>(await refrain(probe, env, "estimate", "--json"));
    expect(estimate.segments).toBeGreaterThan(1);
    // Room for some segments but not all of them.
    const budget = Math.round(estimate.estimated_usd * 0.5 * 100) / 100;
    const dir = await makeProject(inputs, falClip(), { budget });
    projects.push(dir);
    const before = fal.stats.submits;

    const stopped = await refrain(dir, env, "make");
    expect(stopped.code, stopped.out + stopped.err).toBe(ExitCode.budget);
    expect(stopped.err).toMatch(/budget/);
    expect(stopped.err).not.toMatch(/at .*\.ts:\d+/); // one clear line, no stack
    const firstRun = fal.stats.submits - before;
    expect(firstRun).toBeGreaterThan(0);
    expect(firstRun).toBeLessThan(estimate.segments);
    const spentFirst = json<Cost>(await refrain(dir, env, "cost", "--json"));
    expect(spentFirst.spentUsd).toBeLessThanOrEqual(budget + 1e-9);

    const yaml = await readFile(join(dir, "refrain.yaml"), "utf8");
    await writeFile(
      join(dir, "refrain.yaml"),
      yaml.replace(/^budget: .*$/m, `budget: ${estimate.estimated_usd + 1}`),
    );
    const finished = await refrain(dir, env, "make");
    expect(finished.code, finished.err).toBe(0);
    // Each segment was submitted exactly once over both runs.
    expect(fal.stats.submits - before).toBe(estimate.segments);
    const cost = json<Cost>(await refrain(dir, env, "cost", "--json"));
    expect(cost.spentUsd).toBeCloseTo(estimate.estimated_usd, 6);
    const takes = json<TakeRow[]>(await refrain(dir, env, "takes", "--json", "--no-measure"));
    expect(takes.filter((t) => t.status === "succeeded")).toHaveLength(estimate.segments);
  });
});
