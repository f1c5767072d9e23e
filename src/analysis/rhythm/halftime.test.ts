// A few bars read at half time inside a fast run are counted at the run's own tempo, bar by bar.
import { describe, expect, it } from "vitest";
import { beatsInRun } from "./analyze.js";

const FRAME_RATE = 100;
/** 180 BPM: a beat every 100/3 frames. */
const BEAT = (60 / 180) * FRAME_RATE;

/** Hits on every beat, kick and snare alternating (1 and 0.8), for `seconds`. */
function groove(seconds: number): Float32Array {
  const env = new Float32Array(seconds * FRAME_RATE);
  for (let k = 0; k * BEAT < env.length - 1; k++) env[Math.round(k * BEAT)] = k % 2 === 0 ? 1 : 0.8;
  return env;
}

/** Periods allowed per frame: one beat, except a stretch where the tempogram read every other beat. */
function periods(n: number, halfFrom: number, halfTo: number) {
  const lo = new Float32Array(n);
  for (let t = 0; t < n; t++) lo[t] = t >= halfFrom && t < halfTo ? 2 * BEAT : BEAT;
  return { lo, hi: Float32Array.from(lo) };
}

describe("half time inside a run", () => {
  it("counts every beat where the tempo path read half time for a few bars of a 180 BPM run", () => {
    const env = groove(40);
    const beats = beatsInRun(
      env,
      periods(env.length, 15 * FRAME_RATE, 35 * FRAME_RATE),
      0,
      env.length,
      FRAME_RATE,
    );
    const truth = Array.from({ length: Math.floor((env.length - 1) / BEAT) + 1 }, (_, k) => k * BEAT);
    const hit = truth.filter((t) => beats.some((b) => Math.abs(b - t) <= 3)).length;
    expect(hit).toBeGreaterThanOrEqual(truth.length - 2);
    expect(beats.length).toBeLessThanOrEqual(truth.length + 1);
  });

  it("keeps a whole run at the slow tempo when only faint hits sit halfway", () => {
    const env = groove(40);
    for (let t = 0; t < env.length; t++) if (Math.round(t / BEAT) % 2 === 1) env[t] = Math.min(env[t]!, 0.02);
    const beats = beatsInRun(env, periods(env.length, 0, env.length), 0, env.length, FRAME_RATE);
    const gaps = beats.slice(1).map((b, i) => b - beats[i]!);
    expect(gaps.every((g) => Math.abs(g - 2 * BEAT) <= 2)).toBe(true);
  });
});
