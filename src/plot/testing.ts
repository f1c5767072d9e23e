// Plans for the plot's tests: cuts exactly where a test puts them.
import type { Plan } from "../plan/types.js";
import { SAMPLE_RATE, toRate } from "../time/index.js";

const at = (s: number) => Math.round(s * SAMPLE_RATE);

/** A plan with cuts where the test says, nothing else checked. */
export function planWithCuts(durationS: number, cutsS: number[]): Plan {
  const bounds = [0, ...cutsS.map(at), at(durationS)];
  return {
    provider: "test",
    fps: toRate(25),
    durationSamples: at(durationS),
    segments: bounds.slice(0, -1).map((start, index) => ({
      index,
      start,
      end: bounds[index + 1]!,
      frames: 0,
      kind: "vocal",
      handleBefore: 0,
      handleAfter: 0,
      generateFrames: 0,
    })),
    cuts: cutsS.map(at),
    wasteRatio: 1,
    warnings: [],
  };
}
