// The planner's handles cover the render's crossfades whatever the provider's and the output's frame rates.
import { describe, expect, it } from "vitest";
import { type Rate, toRate } from "../time/index.js";
import { planTransitionFrames } from "./stages.js";

const seconds = (frames: number, r: Rate) => (frames * r.den) / r.num;

describe("planTransitionFrames", () => {
  it("keeps the provider's own count when the output has the same rate", () => {
    expect(planTransitionFrames({ transition: "fade", transition_s: 0.32, fps: 25 }, toRate(25))).toBe(8);
    expect(planTransitionFrames({ transition: "none", transition_s: 0.32, fps: 25 }, toRate(25))).toBe(0);
  });

  for (const provider of [16, 24, 25, 30]) {
    for (const output of [24, 25, "29.97", 30, 50, 60]) {
      it(`gives ${provider} fps takes handles as long as the render's crossfade side at ${output} fps`, () => {
        for (const transition_s of [0.2, 0.28, 0.32, 0.5, 1]) {
          const p = toRate(provider);
          const o = toRate(output);
          const side = Math.ceil(
            planTransitionFrames({ transition: "fade", transition_s, fps: output }, p) / 2,
          );
          const renderSide = Math.ceil(Math.round((transition_s * o.num) / o.den) / 2);
          expect(seconds(side, p)).toBeGreaterThanOrEqual(seconds(renderSide, o) - 1e-9);
          // …and not a whole provider frame longer than needed.
          expect(seconds(side - 1, p)).toBeLessThan(
            Math.max(seconds(renderSide, o), seconds(Math.ceil(Math.round(transition_s * provider) / 2), p)),
          );
        }
      });
    }
  }
});
