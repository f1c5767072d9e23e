// FFT cross-correlation: the lag of a known shift, independent of loudness, with a confidence.
import { describe, expect, it } from "vitest";
import { crossCorrelate } from "./index.js";

/** Deterministic noise (xorshift) so no period can fool the correlation. */
function noise(length: number, seed: number): Float32Array {
  let s = seed >>> 0 || 1;
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out[i] = ((s >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

/** The take's view of the master: `lead` samples in, shifted `lag` later, scaled by `gain`. */
function takeOf(master: Float32Array, lead: number, lag: number, length: number, gain = 1): Float32Array {
  const out = new Float32Array(length);
  for (let t = 0; t < length; t++) {
    const i = lead + t - lag;
    out[t] = i >= 0 && i < master.length ? master[i]! * gain : 0;
  }
  return out;
}

describe("crossCorrelate", () => {
  const master = noise(8000, 7);

  for (const lag of [0, 37, -120, 400, -400]) {
    it(`finds a shift of ${lag} samples`, () => {
      const take = takeOf(master, 1000, lag, 4000);
      const c = crossCorrelate(take, master, 1000, 500)!;
      expect(Math.abs(c.lag - lag)).toBeLessThan(0.5);
      expect(c.confidence).toBeGreaterThan(0.8);
    });
  }

  it("does not care how loud the take is", () => {
    const quiet = crossCorrelate(takeOf(master, 1000, 90, 4000, 0.01), master, 1000, 500)!;
    const loud = crossCorrelate(takeOf(master, 1000, 90, 4000, 30), master, 1000, 500)!;
    expect(Math.abs(quiet.lag - 90)).toBeLessThan(0.5);
    expect(Math.abs(loud.lag - 90)).toBeLessThan(0.5);
    expect(quiet.confidence).toBeCloseTo(loud.confidence, 6);
  });

  it("gives low confidence for audio that is not from the master", () => {
    const c = crossCorrelate(noise(4000, 99), master, 1000, 500)!;
    expect(c.confidence).toBeLessThan(0.2);
  });

  it("returns null for silence", () => {
    expect(crossCorrelate(new Float32Array(4000), master, 1000, 500)).toBeNull();
  });
});
