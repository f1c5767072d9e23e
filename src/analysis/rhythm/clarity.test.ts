// Which faint pulses still carry beats: a dense mix holds its tempo, a voice alone or rubato does not.
import { describe, expect, it } from "vitest";
import { steadyClarity } from "./analyze.js";
import type { TempoTrack } from "./tempo.js";

/** A tempo track of `periods.length` windows, one every 10 frames, each with its period and clarity. */
function track(periods: readonly number[], clarity: number | readonly number[]): TempoTrack {
  const n = periods.length * 10;
  const periodAt = new Float32Array(n);
  for (let t = 0; t < n; t++) periodAt[t] = periods[Math.min(periods.length - 1, Math.round(t / 10))]!;
  return {
    periodAt,
    periodLo: periodAt,
    periodHi: periodAt,
    windows: periods.map((_, j) => ({
      center: j * 10,
      clarity: typeof clarity === "number" ? clarity : clarity[j]!,
    })),
  };
}

const steady = Array.from({ length: 30 }, () => 21.2);
// ±6 % from window to window, as the tempogram path goes where no pulse holds it.
const wandering = Array.from({ length: 30 }, (_, j) => 21.2 * (1 + 0.06 * Math.sin(j * 2.3)));

describe("steadyClarity", () => {
  it("lets a faint pulse through where the tempo holds (distorted guitars over double kicks)", () => {
    expect(steadyClarity(track(steady, 0.2)).every((w) => w.clarity >= 0.3)).toBe(true);
  });

  it("keeps a faint pulse out where the tempo wanders (a voice alone, rubato)", () => {
    expect(steadyClarity(track(wandering, 0.2)).map((w) => w.clarity)).toEqual(wandering.map(() => 0.2));
  });

  it("keeps out what is too faint to tap to, however steady", () => {
    expect(steadyClarity(track(steady, 0.1)).every((w) => w.clarity === 0.1)).toBe(true);
  });

  it("leaves a clear pulse as it is", () => {
    const clarity = steady.map((_, j) => 0.4 + j / 100);
    expect(steadyClarity(track(wandering, clarity)).map((w) => w.clarity)).toEqual(clarity);
  });

  it("judges each window by its own neighbourhood: a faint steady verse after a wandering intro", () => {
    const periods = [...wandering.slice(0, 15), ...steady.slice(0, 15)];
    const out = steadyClarity(track(periods, 0.2)).map((w) => w.clarity >= 0.3);
    expect(out.slice(0, 8).some(Boolean)).toBe(false);
    expect(out.slice(22).every(Boolean)).toBe(true);
  });
});
