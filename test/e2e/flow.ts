// The whole-video check every provider case runs: estimate before paying, make, cost, takes, and a second make that does nothing.
import { existsSync } from "node:fs";
import { join } from "node:path";
import { expect } from "vitest";
import {
  countFrames,
  expectedFrames,
  type Inputs,
  json,
  makeProject,
  type ProjectOptions,
  refrain,
  type TakeRow,
} from "./helpers.js";

/** One provider set up against its fake: the project's `clip:` settings, the env holding its key, and the fake's submit counter. */
export interface Rig {
  clip: Record<string, unknown>;
  env: Record<string, string>;
  /** Jobs the fake has accepted so far (absent for `local`, which has no server to count). */
  submits?: () => number | Promise<number>;
  close(): Promise<void>;
}

export interface Estimate {
  segments: number;
  to_generate: number;
  estimated_usd: number;
  per_provider_usd: Record<string, number>;
}

export interface Cost {
  spentUsd: number;
  reservedUsd: number;
  takes: { succeeded: number; failed: number; picked: number };
}

export interface FlowResult {
  dir: string;
  estimate: Estimate;
  frames: number;
  expected: number;
  takes: TakeRow[];
  cost: Cost;
}

/**
 * Makes a whole video from `inputs` on `rig`: prices it first (nothing submitted), makes it,
 * checks spend and takes, then makes again and expects no submission. Returns what it measured;
 * the frame-count equality is asserted by the caller so a mismatch names its provider.
 */
export async function wholeVideo(
  inputs: Inputs,
  rig: Rig,
  options: ProjectOptions & { paid: boolean },
): Promise<FlowResult> {
  const dir = await makeProject(inputs, rig.clip, options);
  const estimate = json<Estimate>(await refrain(dir, rig.env, "estimate", "--json"));
  expect(estimate.segments).toBeGreaterThan(0);
  expect(estimate.to_generate).toBe(estimate.segments);
  if (options.paid) expect(estimate.estimated_usd).toBeGreaterThan(0);
  else expect(estimate.estimated_usd).toBe(0);
  const submits = rig.submits ?? (() => 0);
  expect(await submits(), "estimate submitted a job").toBe(0);

  const made = await refrain(dir, rig.env, "make");
  expect(made.code, `make failed:\n${made.err}`).toBe(0);
  const video = join(dir, "out", `${options.title ?? "clip"}.mp4`);
  expect(existsSync(video)).toBe(true);
  const submitted = await submits();
  if (rig.submits) expect(submitted).toBeGreaterThanOrEqual(estimate.segments);

  const cost = json<Cost>(await refrain(dir, rig.env, "cost", "--json"));
  const takes = json<TakeRow[]>(await refrain(dir, rig.env, "takes", "--json", "--no-measure"));
  for (const t of takes) {
    expect(Object.keys(t)).toEqual(
      expect.arrayContaining(["segment", "take", "provider", "status", "picked", "cost", "seed"]),
    );
  }
  const picked = takes.filter((t) => t.picked);
  expect(
    picked.map((t) => t.segment).sort((a, b) => a - b),
    `a segment has no picked take; make said:\n${made.err}`,
  ).toEqual(Array.from({ length: estimate.segments }, (_, i) => i));
  expect(picked.every((t) => t.status === "succeeded")).toBe(true);
  // What was charged is what was quoted, take by take and in total.
  const charged = takes.filter((t) => t.status === "succeeded").reduce((s, t) => s + t.cost, 0);
  expect(cost.spentUsd).toBeCloseTo(charged, 6);
  expect(cost.spentUsd).toBeCloseTo(estimate.estimated_usd, 6);
  expect(cost.reservedUsd).toBeCloseTo(0, 6);

  const again = await refrain(dir, rig.env, "make");
  expect(again.code, again.err).toBe(0);
  expect(again.out).toMatch(/up to date/);
  expect(await submits(), "a second make submitted again").toBe(submitted);

  return {
    dir,
    estimate,
    frames: await countFrames(video),
    expected: expectedFrames(inputs.samples),
    takes,
    cost,
  };
}
