// plot: a picture of the analysis and plan — waveform, beats, voice, lyrics and cuts — drawn as pixels.
//
// One row per 30 s of song, lanes stacked under the waveform. Colours carry the meaning, so no font
// is needed: cuts are black, and a cut inside a sung word is red and turns the word it splits red —
// a mistake you see at a glance.
import type { Analysis, Span } from "../analysis/types.js";
import type { Plan } from "../plan/types.js";
import { SAMPLE_RATE } from "../time/index.js";

export interface RgbImage {
  width: number;
  height: number;
  pixels: Uint8Array;
}

type Rgb = readonly [number, number, number];

export const PLOT_COLOURS = {
  background: [250, 250, 247],
  waveform: [90, 110, 140],
  beat: [190, 190, 190],
  downbeat: [90, 90, 90],
  vocal: [250, 170, 60],
  line: [120, 190, 120],
  word: [40, 150, 60],
  segmentA: [170, 190, 230],
  segmentB: [200, 170, 230],
  instrumental: [220, 220, 220],
  cut: [30, 30, 30],
  /** A cut inside a sung word (or, without word timings, a sung line or detected voice), and what it splits. */
  cutInWord: [235, 0, 0],
} as const satisfies Record<string, Rgb>;

/** What each colour means, for the CLI to print beside the file. */
export const PLOT_LEGEND =
  "grey ticks: beats (dark: downbeats) · orange: voice · green: lyric lines (dark: words) · blue/purple: clips (grey: instrumental) · black lines: cuts · red: a cut inside a sung word, and the word it splits";

export interface PlotOptions {
  width?: number;
  secondsPerRow?: number;
}

const ROW_HEIGHT = 150;
const LANES = {
  wave: [6, 70],
  beats: [72, 84],
  vocal: [86, 98],
  lyrics: [100, 118],
  segments: [120, 140],
} as const;

/**
 * What a cut must not split: words where the lyrics time them (a line without word times counts
 * whole), else lines, else the detected voice.
 */
function sungSpans(analysis: Analysis): readonly Span[] {
  const lines = analysis.lyrics?.lines ?? [];
  if (lines.length === 0) return analysis.vocal;
  return lines.flatMap((l): readonly Span[] => (l.words && l.words.length > 0 ? l.words : [l]));
}

/** The sung spans a cut falls strictly inside (a cut on a word's edge splits nothing). */
export function spansSplitBy(analysis: Analysis, cut: number): Span[] {
  return sungSpans(analysis).filter((s) => s.start < cut && cut < s.end);
}

/** Draws the plot. Pure: samples and values in, pixels out. */
export function plotAnalysis(
  samples: Float32Array,
  analysis: Analysis,
  plan?: Plan,
  options: PlotOptions = {},
): RgbImage {
  const width = options.width ?? 1600;
  const perRow = (options.secondsPerRow ?? 30) * SAMPLE_RATE;
  const rows = Math.max(1, Math.ceil(analysis.durationSamples / perRow));
  const height = rows * ROW_HEIGHT;
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
  const xOf = (sample: number) => ((sample % perRow) / perRow) * width;
  const rowOf = (sample: number) => Math.min(rows - 1, Math.floor(sample / perRow));
  /** Draws a span across rows in one lane; `gap` leaves its last pixel column empty, so neighbours stay apart. */
  const span = (s: Span, lane: readonly [number, number], c: Rgb, gap = 0) => {
    for (let r = rowOf(s.start); r <= rowOf(Math.max(s.start, s.end - 1)); r++) {
      const a = Math.max(s.start, r * perRow);
      const b = Math.min(s.end, (r + 1) * perRow);
      const x0 = xOf(a);
      const x1 = a === b ? x0 + 1 : ((b - r * perRow) / perRow) * width;
      fill(
        x0,
        r * ROW_HEIGHT + lane[0],
        Math.max(x0 + 1, x1 - (b === s.end ? gap : 0)),
        r * ROW_HEIGHT + lane[1],
        c,
      );
    }
  };
  /** A vertical line `w` pixels wide at `sample`, shifted `dx` pixels (kept in the sample's row). */
  const tick = (sample: number, lane: readonly [number, number], c: Rgb, w = 1, dx = 0) => {
    const r = rowOf(sample);
    const x = Math.max(0, xOf(sample) + dx);
    fill(x, r * ROW_HEIGHT + lane[0], x + w, r * ROW_HEIGHT + lane[1], c);
  };

  // Waveform: peak per pixel column.
  const perPixel = perRow / width;
  for (let r = 0; r < rows; r++) {
    const mid = r * ROW_HEIGHT + (LANES.wave[0] + LANES.wave[1]) / 2;
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
  for (const b of analysis.beats) tick(b, LANES.beats, PLOT_COLOURS.beat);
  for (const b of analysis.downbeats) tick(b, LANES.beats, PLOT_COLOURS.downbeat, 2);
  for (const v of analysis.vocal) span(v, LANES.vocal, PLOT_COLOURS.vocal);
  for (const line of analysis.lyrics?.lines ?? []) {
    span(line, [LANES.lyrics[0], LANES.lyrics[0] + 6], PLOT_COLOURS.line);
    for (const w of line.words ?? []) span(w, [LANES.lyrics[0] + 7, LANES.lyrics[1]], PLOT_COLOURS.word, 1);
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
    // A cut inside a word is the mistake a viewer sees: the word it splits turns red across the
    // voice and lyric lanes, and the cut is drawn wider, in red, over everything.
    const wrong: number[] = [];
    for (const cut of plan.cuts) {
      const split = spansSplitBy(analysis, cut);
      if (split.length === 0) tick(cut, [0, ROW_HEIGHT - 4], PLOT_COLOURS.cut, 2);
      else wrong.push(cut);
      for (const w of split) span(w, [LANES.vocal[0], LANES.lyrics[1]], PLOT_COLOURS.cutInWord, 1);
    }
    // Four pixels wide, centred on the cut.
    for (const cut of wrong) tick(cut, [0, ROW_HEIGHT - 2], PLOT_COLOURS.cutInWord, 4, -1.5);
  }
  // Row separators.
  for (let r = 1; r < rows; r++) fill(0, r * ROW_HEIGHT - 2, width, r * ROW_HEIGHT, [200, 200, 200]);
  return { width, height, pixels };
}
