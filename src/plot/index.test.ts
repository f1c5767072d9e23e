// The plot makes a bad cut visible: a cut inside a sung word is drawn in the warning colour, with the word it splits.
import { describe, expect, it } from "vitest";
import { song } from "../plan/testing.js";
import type { Plan } from "../plan/types.js";
import { SAMPLE_RATE, toRate } from "../time/index.js";
import { PLOT_COLOURS, plotAnalysis, type RgbImage, spansSplitBy } from "./index.js";

const at = (s: number) => Math.round(s * SAMPLE_RATE);

function pixel(img: RgbImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return [img.pixels[i]!, img.pixels[i + 1]!, img.pixels[i + 2]!];
}

/** A plan with cuts where the test says, nothing else checked. */
function planWithCuts(durationS: number, cutsS: number[]): Plan {
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

describe("plotAnalysis", () => {
  // 10 s at 1 px per 10 ms: one row, x = seconds × 100.
  const analysis = song(10)
    .line("one two", [
      ["one", 2, 3],
      ["two", 3, 4],
    ])
    .line("three", [["three", 6, 8]])
    .build();
  const samples = new Float32Array(analysis.durationSamples);
  const options = { width: 1000, secondsPerRow: 10 };

  it("draws a cut inside a word in the warning colour, and a cut between words in the plain one", () => {
    // 3.0 s is between "one" and "two"; 7.0 s splits "three".
    const img = plotAnalysis(samples, analysis, planWithCuts(10, [3, 7]), options);
    const top = 2; // above every lane: only the cut lines are drawn here
    expect(pixel(img, 300, top)).toEqual([...PLOT_COLOURS.cut]);
    expect(pixel(img, 700, top)).toEqual([...PLOT_COLOURS.cutInWord]);
    // The split word itself turns red, away from the cut line.
    expect(pixel(img, 650, 110)).toEqual([...PLOT_COLOURS.cutInWord]);
    // A word no cut splits stays green.
    expect(pixel(img, 250, 110)).toEqual([...PLOT_COLOURS.word]);
  });

  it("leaves a pixel between touching word boxes, so a cut between them is seen to miss both", () => {
    const img = plotAnalysis(samples, analysis, undefined, options);
    expect(pixel(img, 299, 110)).not.toEqual([...PLOT_COLOURS.word]);
    expect(pixel(img, 298, 110)).toEqual([...PLOT_COLOURS.word]);
    expect(pixel(img, 300, 110)).toEqual([...PLOT_COLOURS.word]);
  });

  it("counts a cut on a word's edge as splitting nothing", () => {
    expect(spansSplitBy(analysis, at(3))).toEqual([]);
    expect(spansSplitBy(analysis, at(2))).toEqual([]);
    expect(spansSplitBy(analysis, at(2.5))).toHaveLength(1);
  });

  it("without lyrics, a cut inside detected voice is the mistake", () => {
    const voiceOnly = song(10).vocal(2, 4).build();
    const img = plotAnalysis(samples, voiceOnly, planWithCuts(10, [3, 5]), options);
    expect(pixel(img, 300, 2)).toEqual([...PLOT_COLOURS.cutInWord]);
    expect(pixel(img, 500, 2)).toEqual([...PLOT_COLOURS.cut]);
  });
});
