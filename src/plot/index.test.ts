// The plot's pixels: a bad cut is seen at a glance (red, with the word it splits), a ruler gives the time, the legend's swatches match what is drawn.
import { describe, expect, it } from "vitest";
import { song } from "../plan/testing.js";
import { SAMPLE_RATE } from "../time/index.js";
import {
  HEADER,
  LANES,
  LEGEND,
  legendSlots,
  PLOT_COLOURS,
  plotAnalysis,
  type RgbImage,
  ROW_HEIGHT,
  spansSplitBy,
} from "./index.js";
import { planWithCuts } from "./testing.js";

const at = (s: number) => Math.round(s * SAMPLE_RATE);

function pixel(img: RgbImage, x: number, y: number): number[] {
  const i = (y * img.width + x) * 3;
  return [img.pixels[i]!, img.pixels[i + 1]!, img.pixels[i + 2]!];
}

/** The middle pixel row of a lane in row `row`. */
function laneY(lane: readonly [number, number], row = 0): number {
  return HEADER.height + row * ROW_HEIGHT + Math.floor((lane[0] + lane[1]) / 2);
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
  const top = HEADER.height + 2; // above every lane of the row: only cut lines are drawn here
  const words = laneY(LANES.words);

  it("draws a cut inside a word in the warning colour, and a cut between words in the plain one", () => {
    // 3.0 s is between "one" and "two"; 7.0 s splits "three".
    const img = plotAnalysis(samples, analysis, planWithCuts(10, [3, 7]), options);
    expect(pixel(img, 300, top)).toEqual([...PLOT_COLOURS.cut]);
    expect(pixel(img, 700, top)).toEqual([...PLOT_COLOURS.cutInWord]);
    // The split word itself turns red, away from the cut line, in the word and voice lanes.
    expect(pixel(img, 650, words)).toEqual([...PLOT_COLOURS.cutInWord]);
    // A word no cut splits stays green.
    expect(pixel(img, 250, words)).toEqual([...PLOT_COLOURS.word]);
  });

  it("keeps the lyric text lane clear of the red, so the line's text stays readable", () => {
    const img = plotAnalysis(samples, analysis, planWithCuts(10, [7]), options);
    expect(pixel(img, 650, laneY(LANES.lyricText))).toEqual([...PLOT_COLOURS.background]);
  });

  it("leaves a pixel between touching word boxes, so a cut between them is seen to miss both", () => {
    const img = plotAnalysis(samples, analysis, undefined, options);
    expect(pixel(img, 299, words)).not.toEqual([...PLOT_COLOURS.word]);
    expect(pixel(img, 298, words)).toEqual([...PLOT_COLOURS.word]);
    expect(pixel(img, 300, words)).toEqual([...PLOT_COLOURS.word]);
  });

  it("counts a cut on a word's edge as splitting nothing", () => {
    expect(spansSplitBy(analysis, at(3))).toEqual([]);
    expect(spansSplitBy(analysis, at(2))).toEqual([]);
    expect(spansSplitBy(analysis, at(2.5))).toHaveLength(1);
  });

  it("without lyrics, a cut inside detected voice is the mistake", () => {
    const voiceOnly = song(10).vocal(2, 4).build();
    const img = plotAnalysis(samples, voiceOnly, planWithCuts(10, [3, 5]), options);
    expect(pixel(img, 300, top)).toEqual([...PLOT_COLOURS.cutInWord]);
    expect(pixel(img, 500, top)).toEqual([...PLOT_COLOURS.cut]);
  });

  it("is a header strip over one row per `secondsPerRow` of song", () => {
    const img = plotAnalysis(new Float32Array(at(25)), song(25).build(), undefined, options);
    expect(img.width).toBe(1000);
    expect(img.height).toBe(HEADER.height + 3 * ROW_HEIGHT);
    expect(img.pixels).toHaveLength(img.width * img.height * 3);
  });

  it("draws a ruler tick every second and a taller one every 5 s, in every row", () => {
    const img = plotAnalysis(new Float32Array(at(20)), song(20).build(), undefined, options);
    const tickTop = (row: number) => HEADER.height + row * ROW_HEIGHT + LANES.ruler[0];
    // Below the short ticks' end, only the 5 s ticks reach.
    const tallOnly = (row: number) => HEADER.height + row * ROW_HEIGHT + LANES.ruler[1] + 1;
    for (const row of [0, 1]) {
      for (let s = 0; s < 10; s++) {
        expect(pixel(img, s * 100, tickTop(row)), `${row * 10 + s} s`).toEqual([...PLOT_COLOURS.ruler]);
        expect(pixel(img, s * 100, tallOnly(row))).toEqual(
          s % 5 === 0 ? [...PLOT_COLOURS.ruler] : [...PLOT_COLOURS.background],
        );
      }
      // Nothing between the ticks.
      expect(pixel(img, 50, tickTop(row))).toEqual([...PLOT_COLOURS.background]);
    }
  });

  it("stops the ruler where the song ends", () => {
    const img = plotAnalysis(new Float32Array(at(12.5)), song(12.5).build(), undefined, options);
    const y = HEADER.height + ROW_HEIGHT + LANES.ruler[0];
    expect(pixel(img, 200, y)).toEqual([...PLOT_COLOURS.ruler]); // 12 s
    expect(pixel(img, 300, y)).toEqual([...PLOT_COLOURS.background]); // 13 s is past the end
  });

  it("draws each legend swatch in the colours the plot uses for it, in the header", () => {
    const img = plotAnalysis(samples, analysis, undefined, options);
    const y = Math.floor((HEADER.legend.swatch[0] + HEADER.legend.swatch[1]) / 2);
    const slots = legendSlots();
    expect(slots.map((s) => s.entry)).toEqual(LEGEND);
    for (const slot of slots) {
      const [x0, x1] = slot.swatch;
      const c = slot.entry.colours;
      if (slot.entry.shape === "tick") {
        expect(pixel(img, Math.floor((x0 + x1) / 2) - 1, y), slot.entry.label).toEqual([...c[0]!]);
      } else {
        expect(pixel(img, x0, y), slot.entry.label).toEqual([...c[0]!]);
        expect(pixel(img, x1 - 1, y), slot.entry.label).toEqual([...c[c.length - 1]!]);
      }
    }
  });
});
