// Promise: killed with SIGKILL at any instant and resumed, generation ends with every segment made once and every file kept.
import { xoroshiro128plus } from "pure-rand";
import { describe, expect, it } from "vitest";
import { buildCrashChild, crashTrial } from "./crash-harness.js";

describe("survives kill -9", () => {
  it("completes every segment after 20 random kills, with submissions equal to takes and nothing lost", async () => {
    const rng = xoroshiro128plus(20261125);
    const trial = await crashTrial({
      child: await buildCrashChild(),
      kills: 20,
      jobs: 12,
      maxDelayMs: 120,
      random: () => (rng.unsafeNext() >>> 0) / 2 ** 32,
    });
    expect(trial.kills).toBeGreaterThanOrEqual(20);
    expect(trial.incomplete).toBe(0);
    expect(trial.submissions).toBe(trial.takesSubmitted);
    expect(trial.duplicates).toBe(0);
    expect(trial.orphans).toBe(0);
    expect(trial.lostFiles).toBe(0);
    expect(trial.integrity.every((r) => r === "ok")).toBe(true);
  });
});
