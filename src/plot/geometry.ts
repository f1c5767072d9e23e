// Where things go on the plot: header, rows, lanes, ruler ticks and legend slots, shared by the pixels and the text.
import { SAMPLE_RATE } from "../time/index.js";

export type Rgb = readonly [number, number, number];

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
  ruler: [120, 120, 120],
  separator: [200, 200, 200],
  /** Text: facts, time labels and lyric lines. */
  text: [60, 60, 60],
  /** The verdict when no cut splits a word. */
  good: [30, 120, 50],
} as const satisfies Record<string, Rgb>;

export interface PlotOptions {
  width?: number;
  secondsPerRow?: number;
}

/** Text rows at the top: the verdict, the facts, the legend. y is the top of each text line. */
export const HEADER = {
  height: 68,
  verdict: { y: 3, size: 22 },
  facts: { y: 28, size: 16 },
  legend: { y: 47, size: 15, swatch: [50, 60] },
} as const;

/** Vertical lanes inside one row, in pixels from the row's top: [from, to). */
export const LANES = {
  wave: [6, 70],
  beats: [72, 84],
  vocal: [86, 98],
  /** Lyric line text (drawn as text only). */
  lyricText: [99, 116],
  line: [116, 121],
  words: [122, 133],
  segments: [135, 153],
  /** Cuts run from the row's top through the ruler's ticks, so a cut's time can be read against them. */
  cuts: [0, 163],
  /** Ticks every second; every fifth second's tick is taller and labelled below the ruler. */
  ruler: [155, 159],
  rulerMajor: [155, 163],
  rulerText: [163, 178],
} as const;

export const ROW_HEIGHT = 180;
/** The grey line under each row (and under the header). */
const SEPARATOR = 2;

export interface PlotGeometry {
  width: number;
  height: number;
  rows: number;
  /** Samples of song per row. */
  perRow: number;
  /** The top pixel of row r. */
  rowTop(r: number): number;
  /** The row a sample falls in (the last row for the song's end). */
  rowOf(sample: number): number;
  /** The x of a sample inside its row (fractional pixels). */
  xOf(sample: number): number;
  separators: readonly number[];
}

/** The picture's size and the mapping of samples to rows and columns. */
export function plotGeometry(durationSamples: number, options: PlotOptions = {}): PlotGeometry {
  const width = options.width ?? 1600;
  const perRow = Math.round((options.secondsPerRow ?? 30) * SAMPLE_RATE);
  const rows = Math.max(1, Math.ceil(durationSamples / perRow));
  const rowTop = (r: number) => HEADER.height + r * ROW_HEIGHT;
  return {
    width,
    height: rowTop(rows),
    rows,
    perRow,
    rowTop,
    rowOf: (sample) => Math.max(0, Math.min(rows - 1, Math.floor(sample / perRow))),
    xOf: (sample) => ((sample - Math.min(rows - 1, Math.floor(sample / perRow)) * perRow) / perRow) * width,
    separators: Array.from({ length: rows }, (_, r) => rowTop(r) - SEPARATOR),
  };
}

/** One ruler tick: its sample, and whether it is a labelled 5-second one. */
export interface RulerTick {
  sample: number;
  major: boolean;
}

/** A tick every whole second of the song, the tall ones every 5 s (the song's end gets none). */
export function rulerTicks(durationSamples: number): RulerTick[] {
  const ticks: RulerTick[] = [];
  for (let s = 0; s * SAMPLE_RATE < durationSamples; s++)
    ticks.push({ sample: s * SAMPLE_RATE, major: s % 5 === 0 });
  return ticks;
}

/** One legend entry: the colours of its swatch as drawn, its shape and its label. */
export interface LegendEntry {
  label: string;
  colours: readonly Rgb[];
  /** "tick": a thin line as beats and cuts are drawn; "box": a filled box as spans are. */
  shape: "tick" | "box";
}

export const LEGEND: readonly LegendEntry[] = [
  { label: "beat", colours: [PLOT_COLOURS.beat], shape: "tick" },
  { label: "downbeat", colours: [PLOT_COLOURS.downbeat], shape: "tick" },
  { label: "voice", colours: [PLOT_COLOURS.vocal], shape: "box" },
  { label: "lyric line", colours: [PLOT_COLOURS.line], shape: "box" },
  { label: "word", colours: [PLOT_COLOURS.word], shape: "box" },
  { label: "clips", colours: [PLOT_COLOURS.segmentA, PLOT_COLOURS.segmentB], shape: "box" },
  { label: "instrumental clip", colours: [PLOT_COLOURS.instrumental], shape: "box" },
  { label: "cut", colours: [PLOT_COLOURS.cut], shape: "tick" },
  { label: "cut inside a sung word, and that word", colours: [PLOT_COLOURS.cutInWord], shape: "box" },
];

/** The short legend line the CLI can print beside the file. */
export const PLOT_LEGEND = LEGEND.map((e) => e.label).join(" · ");

/** Characters set one em wide: Chinese, Japanese, Korean and full-width forms. */
const WIDE =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}\u3000-\u303F\uFF00-\uFFEF]/u;

/**
 * A slightly generous estimate of a text's width in pixels at an ASS font size, measured from
 * Noto Sans CJK as libass draws it (its size is the font's ascent + descent, about 1.45 em): CJK
 * 0.69 of the size, Latin 0.33–0.44, here 15 % more. Used to space labels apart; libass's \clip
 * is what guarantees a lyric never runs into the next.
 */
export function textWidth(text: string, size: number): number {
  let units = 0;
  for (const ch of text) {
    if (WIDE.test(ch)) units += 0.8;
    else if (ch === " ") units += 0.28;
    else if (/[A-Zmw0-9]/.test(ch)) units += 0.52;
    else units += 0.43;
  }
  return Math.ceil(units * size);
}

/** Where each legend entry's swatch and label go on the header's legend line. */
export interface LegendSlot {
  entry: LegendEntry;
  /** Swatch box [x0, x1). */
  swatch: readonly [number, number];
  /** Left edge of the label. */
  labelX: number;
}

const SWATCH_WIDTH = 14;

export function legendSlots(): LegendSlot[] {
  const slots: LegendSlot[] = [];
  let x = 8;
  for (const entry of LEGEND) {
    const swatch = [x, x + SWATCH_WIDTH] as const;
    const labelX = x + SWATCH_WIDTH + 5;
    slots.push({ entry, swatch, labelX });
    x = labelX + textWidth(entry.label, HEADER.legend.size) + 18;
  }
  return slots;
}
