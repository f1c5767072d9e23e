// The plot's pixels: waveform, beats, voice, lyrics, clips, cuts, a time ruler and the legend's swatches — no font needed.
//
// One row per 30 s of song under a header strip, lanes stacked under the waveform. Colours carry the
// meaning: cuts are black, and a cut inside a sung word is red and turns the word it splits red — a
// mistake you see at a glance. The words (times, lyric text, legend labels, verdict) are drawn over
// these pixels from plotLabels' ASS text.
import type { Analysis, Span } from "../analysis/types.js";
import type { Plan } from "../plan/types.js";
import {
  HEADER,
  LANES,
  legendSlots,
  PLOT_COLOURS,
  type PlotOptions,
  plotGeometry,
  type Rgb,
  rulerTicks,
} from "./geometry.js";
import { spansSplitBy } from "./verdict.js";

export interface RgbImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

type Lane = readonly [number, number];

/** Draws the plot. Pure: samples and values in, pixels out. */
export function plotAnalysis(
  samples: Float32Array,
  analysis: Analysis,
  plan?: Plan,
  options: PlotOptions = {},
): RgbImage {
  const g = plotGeometry(analysis.durationSamples, options);
  const { width, height, perRow } = g;
  const pixels = new Uint8Array(width * height * 3);
  const fill = (x0: number, y0: number, x1: number, y1: number, c: Rgb) => {
    for (let y = Math.max(0, y0); y < Math.min(height, y1); y++) {
      for (let x = Math.max(0, Math.floor(x0)); x < Math.min(width, Math.ceil(x1)); x++) {
        const i = (y * width + x) * 3;
        pixels[i] = c[0];
        pixels[i + 1] = c[1];
        pixels[i + 2] = c[2];
      }
    }
  };
  fill(0, 0, width, height, PLOT_COLOURS.background);
  /** Draws a span across rows in one lane; `gap` leaves its last pixel column empty, so neighbours stay apart. */
  const span = (s: Span, lane: Lane, c: Rgb, gap = 0) => {
    for (let r = g.rowOf(s.start); r <= g.rowOf(Math.max(s.start, s.end - 1)); r++) {
      const a = Math.max(s.start, r * perRow);
      const b = Math.min(s.end, (r + 1) * perRow);
      const x0 = ((a - r * perRow) / perRow) * width;
      const x1 = a === b ? x0 + 1 : ((b - r * perRow) / perRow) * width;
      const top = g.rowTop(r);
      fill(x0, top + lane[0], Math.max(x0 + 1, x1 - (b === s.end ? gap : 0)), top + lane[1], c);
    }
  };
  /** A vertical line `w` pixels wide at `sample`, shifted `dx` pixels (kept in the sample's row). */
  const tick = (sample: number, lane: Lane, c: Rgb, w = 1, dx = 0) => {
    const top = g.rowTop(g.rowOf(sample));
    const x = Math.max(0, g.xOf(sample) + dx);
    fill(x, top + lane[0], x + w, top + lane[1], c);
  };

  // Waveform: peak per pixel column.
  const perPixel = perRow / width;
  for (let r = 0; r < g.rows; r++) {
    const mid = g.rowTop(r) + (LANES.wave[0] + LANES.wave[1]) / 2;
    const half = (LANES.wave[1] - LANES.wave[0]) / 2;
    for (let x = 0; x < width; x++) {
      const a = Math.floor(r * perRow + x * perPixel);
      const b = Math.min(samples.length, Math.floor(a + perPixel));
      let peak = 0;
      for (let i = a; i < b; i++) peak = Math.max(peak, Math.abs(samples[i]!));
      if (b > a)
        fill(
          x,
          Math.round(mid - peak * half),
          x + 1,
          Math.round(mid + peak * half) + 1,
          PLOT_COLOURS.waveform,
        );
    }
  }
  for (const t of rulerTicks(analysis.durationSamples))
    tick(t.sample, t.major ? LANES.rulerMajor : LANES.ruler, PLOT_COLOURS.ruler);
  for (const b of analysis.beats) tick(b, LANES.beats, PLOT_COLOURS.beat);
  for (const b of analysis.downbeats) tick(b, LANES.beats, PLOT_COLOURS.downbeat, 2);
  for (const v of analysis.vocal) span(v, LANES.vocal, PLOT_COLOURS.vocal);
  for (const line of analysis.lyrics?.lines ?? []) {
    span(line, LANES.line, PLOT_COLOURS.line);
    for (const w of line.words ?? []) span(w, LANES.words, PLOT_COLOURS.word, 1);
  }
  if (plan) {
    plan.segments.forEach((s, i) => {
      const c =
        s.kind === "instrumental"
          ? PLOT_COLOURS.instrumental
          : i % 2
            ? PLOT_COLOURS.segmentB
            : PLOT_COLOURS.segmentA;
      span(s, LANES.segments, c);
    });
    // A cut inside a word is the mistake a viewer sees: the word it splits turns red in the
    // voice and lyric lanes, and the cut is drawn wider, in red, over everything.
    const wrong: number[] = [];
    for (const cut of plan.cuts) {
      const split = spansSplitBy(analysis, cut);
      if (split.length === 0) tick(cut, LANES.cuts, PLOT_COLOURS.cut, 2);
      else wrong.push(cut);
      for (const w of split) {
        // Not over the lyric text lane: the line's text stays readable.
        span(w, LANES.vocal, PLOT_COLOURS.cutInWord, 1);
        span(w, [LANES.line[0], LANES.words[1]], PLOT_COLOURS.cutInWord, 1);
      }
    }
    // Four pixels wide, centred on the cut.
    for (const cut of wrong) tick(cut, LANES.cuts, PLOT_COLOURS.cutInWord, 4, -1.5);
  }
  // Legend swatches: the colours exactly as drawn above.
  const [sy0, sy1] = HEADER.legend.swatch;
  for (const slot of legendSlots()) {
    const [x0, x1] = slot.swatch;
    if (slot.entry.shape === "tick") {
      const mid = Math.floor((x0 + x1) / 2);
      fill(mid - 1, sy0 - 1, mid + 1, sy1 + 1, slot.entry.colours[0]!);
      continue;
    }
    const n = slot.entry.colours.length;
    slot.entry.colours.forEach((c, i) => {
      fill(x0 + Math.round(((x1 - x0) * i) / n), sy0, x0 + Math.round(((x1 - x0) * (i + 1)) / n), sy1, c);
    });
  }
  for (const y of g.separators) fill(0, y, width, y + 2, PLOT_COLOURS.separator);
  return { width, height, pixels };
}
