// The plot's words: verdict, facts, legend labels, ruler times, lyric text and the times of bad cuts, as ASS text.
//
// Pure: the labels are laid out here in the picture's own pixels (PlayRes = image size, \an7\pos
// per label), so libass draws each one exactly where the layout says and nothing is scaled.
import type { Analysis } from "../analysis/types.js";
import { DEFAULT_SUBTITLE_FONT, escapeAssText } from "../export/index.js";
import { formatTime } from "../plan/index.js";
import type { Plan } from "../plan/types.js";
import { SAMPLE_RATE } from "../time/index.js";
import {
  HEADER,
  LANES,
  legendSlots,
  PLOT_COLOURS,
  type PlotOptions,
  plotGeometry,
  type Rgb,
  rulerTicks,
  textWidth,
} from "./geometry.js";
import { cutsInsideWords, plotVerdict } from "./verdict.js";

export type PlotLabelKind = "verdict" | "facts" | "legend" | "time" | "lyric" | "cut";

export interface PlotLabel {
  kind: PlotLabelKind;
  text: string;
  /** Where the text's top-left corner goes, in image pixels. */
  x: number;
  y: number;
  size: number;
  colour: Rgb;
  bold?: boolean;
  /** How the text hangs from (x, y): 7 = top-left, 8 = top-centre, 9 = top-right (ASS \an). */
  align?: 7 | 8 | 9;
  /** The right edge past which the text is clipped (so it never runs into the next label). */
  clipRight?: number;
  /** Drawn on a box of the background colour, to stay readable over the waveform. */
  boxed?: boolean;
}

export interface PlotLabelOptions extends PlotOptions {
  /** The song's file name, shown first in the facts line. */
  songName?: string;
}

/** Sizes of the text inside rows. */
const SIZE = { time: 14, lyric: 16, cut: 16 } as const;
/** A lyric label needs at least this much room (about two characters), or it is left out. */
const MIN_LYRIC_ROOM = 28;
/** Pixels kept free between a lyric label and the next one. */
const LYRIC_GAP = 6;

/** m:ss for the ruler. */
function clock(samples: number): string {
  const s = Math.round(samples / SAMPLE_RATE);
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function facts(analysis: Analysis, plan: Plan | undefined, songName: string | undefined): string {
  const parts: string[] = [];
  if (songName) parts.push(songName);
  parts.push(formatTime(analysis.durationSamples));
  if (analysis.tempoBpm === null) parts.push("no steady beat");
  else {
    const meter = analysis.meter ? `, ${analysis.meter}/4` : "";
    parts.push(`${Math.round(analysis.tempoBpm * 10) / 10} BPM${meter}`);
  }
  if (plan) {
    const clips = plan.segments.length;
    const cuts = plan.cuts.length;
    parts.push(`${clips} clip${clips === 1 ? "" : "s"}, ${cuts} cut${cuts === 1 ? "" : "s"}`);
    parts.push(`${plan.provider}, waste ratio ${plan.wasteRatio.toFixed(2)}`);
  }
  return parts.join(" · ");
}

/** The header: verdict first (red when a cut splits a word), then the facts, then the legend's labels. */
function headerLabels(analysis: Analysis, plan: Plan | undefined, options: PlotLabelOptions): PlotLabel[] {
  const labels: PlotLabel[] = [];
  const verdict = plotVerdict(analysis, plan);
  if (verdict)
    labels.push({
      kind: "verdict",
      text: verdict.text,
      x: 8,
      y: HEADER.verdict.y,
      size: HEADER.verdict.size,
      colour: verdict.ok ? PLOT_COLOURS.good : PLOT_COLOURS.cutInWord,
      bold: true,
    });
  labels.push({
    kind: "facts",
    text: facts(analysis, plan, options.songName),
    x: 8,
    y: verdict ? HEADER.facts.y : HEADER.verdict.y,
    size: HEADER.facts.size,
    colour: PLOT_COLOURS.text,
  });
  for (const slot of legendSlots())
    labels.push({
      kind: "legend",
      text: slot.entry.label,
      x: slot.labelX,
      y: HEADER.legend.y,
      size: HEADER.legend.size,
      colour: PLOT_COLOURS.text,
    });
  return labels;
}

/** m:ss under each 5-second tick, centred on it (held inside the picture at both ends). */
function rulerLabels(analysis: Analysis, options: PlotOptions): PlotLabel[] {
  const g = plotGeometry(analysis.durationSamples, options);
  return rulerTicks(analysis.durationSamples)
    .filter((t) => t.major)
    .map((t): PlotLabel => {
      const x = Math.round(g.xOf(t.sample));
      const half = textWidth(clock(t.sample), SIZE.time) / 2;
      const align = x - half < 0 ? 7 : x + half > g.width ? 9 : 8;
      return {
        kind: "time",
        text: clock(t.sample),
        x: align === 7 ? Math.max(x, 1) : x,
        y: g.rowTop(g.rowOf(t.sample)) + LANES.rulerText[0],
        size: SIZE.time,
        colour: PLOT_COLOURS.text,
        align,
      };
    });
}

/**
 * Each lyric line's text from the line's start, in the lane above its bar, clipped where the next
 * line's text begins (or the row ends). A line with too little room before the next label is left
 * out, unless it runs on into the next row, where its text starts that row instead.
 */
function lyricLabels(analysis: Analysis, options: PlotOptions): PlotLabel[] {
  const g = plotGeometry(analysis.durationSamples, options);
  const lines = [...(analysis.lyrics?.lines ?? [])]
    .filter((l) => l.text.trim() !== "" && l.end > l.start)
    .sort((a, b) => a.start - b.start);
  // Candidate places: the line's start, then the start of each further row it runs into.
  const candidates = lines.map((l) => {
    const places: { row: number; x: number }[] = [];
    for (let r = g.rowOf(l.start); r <= g.rowOf(l.end - 1); r++)
      places.push({ row: r, x: r === g.rowOf(l.start) ? g.xOf(l.start) : 0 });
    return { text: l.text.trim().replace(/\s+/g, " "), places };
  });
  const labels: PlotLabel[] = [];
  candidates.forEach((c, i) => {
    for (const place of c.places) {
      // The next label in this row: the next line that starts in it.
      const next = candidates.slice(i + 1).find((n) => n.places[0]!.row === place.row);
      const right = Math.min(g.width, next ? next.places[0]!.x - LYRIC_GAP : g.width);
      if (right - place.x < MIN_LYRIC_ROOM) continue;
      labels.push({
        kind: "lyric",
        text: fitText(c.text, right - place.x - 2, SIZE.lyric),
        x: Math.round(place.x) + 1,
        y: g.rowTop(place.row) + LANES.lyricText[0],
        size: SIZE.lyric,
        colour: PLOT_COLOURS.text,
        clipRight: Math.floor(right),
      });
      break;
    }
  });
  return labels;
}

/** The text cut to fit `room` pixels by the width estimate, ending in "…" when cut. */
export function fitText(text: string, room: number, size: number): string {
  if (textWidth(text, size) <= room) return text;
  const chars = [...text];
  while (chars.length > 1 && textWidth(`${chars.join("").trimEnd()}…`, size) > room) chars.pop();
  return `${chars.join("").trimEnd()}…`;
}

/**
 * The time of each cut that splits a word, in red just right of the cut at the top of its row, on
 * a background box; a label that would run into the one before it in the row goes a line lower.
 */
function cutLabels(analysis: Analysis, plan: Plan | undefined, options: PlotOptions): PlotLabel[] {
  if (!plan) return [];
  const g = plotGeometry(analysis.durationSamples, options);
  const labels: PlotLabel[] = [];
  const lineHeight = SIZE.cut + 4;
  for (const { cut } of cutsInsideWords(analysis, plan)) {
    const text = formatTime(cut);
    const w = textWidth(text, SIZE.cut);
    const row = g.rowOf(cut);
    let x = Math.round(g.xOf(cut)) + 4;
    // Near the right edge the label goes left of the cut.
    let align: 7 | 9 = 7;
    if (x + w > g.width) {
      x -= 8;
      align = 9;
    }
    const left = align === 7 ? x : x - w;
    const taken = labels.filter((l) => {
      if (l.y < g.rowTop(row) || l.y >= g.rowTop(row) + LANES.wave[1]) return false;
      const lw = textWidth(l.text, SIZE.cut);
      const ll = l.align === 9 ? l.x - lw : l.x;
      return ll < left + w + 4 && left < ll + lw + 4;
    });
    labels.push({
      kind: "cut",
      text,
      x,
      y: g.rowTop(row) + 2 + taken.length * lineHeight,
      size: SIZE.cut,
      colour: PLOT_COLOURS.cutInWord,
      bold: true,
      align,
      boxed: true,
    });
  }
  return labels;
}

/** Every label of the plot, laid out in image pixels. Pure. */
export function plotLabels(
  analysis: Analysis,
  plan: Plan | undefined,
  options: PlotLabelOptions = {},
): PlotLabel[] {
  return [
    ...headerLabels(analysis, plan, options),
    ...rulerLabels(analysis, options),
    ...lyricLabels(analysis, options),
    ...cutLabels(analysis, plan, options),
  ];
}

/** An ASS colour (&HBBGGRR&) from RGB. */
function assColour([r, g, b]: Rgb): string {
  const hex = (n: number) => n.toString(16).toUpperCase().padStart(2, "0");
  return `&H${hex(b)}${hex(g)}${hex(r)}&`;
}

/** A label's text on one line, safe for ASS. */
function oneLine(text: string): string {
  return escapeAssText(text.replace(/[\r\n]+/g, " "));
}

/**
 * The labels as one ASS document sized to the image: PlayRes equal to its pixels, no margins, no
 * wrapping; each label one Dialogue shown at time 0 with its own \pos (and \clip where it has one).
 */
export function plotAss(
  labels: readonly PlotLabel[],
  size: { width: number; height: number },
  font = DEFAULT_SUBTITLE_FONT,
): string {
  const box = assColour(PLOT_COLOURS.background);
  const style = (name: string, borderStyle: number, outline: number) =>
    `Style: ${name},${font},12,&H00000000,&H00000000,&H00${box.slice(2, -1)},&H00${box.slice(2, -1)},0,0,0,0,100,100,0,0,${borderStyle},${outline},0,7,0,0,0,1`;
  const head = [
    "[Script Info]",
    "; The words of a refrain analysis plot",
    "ScriptType: v4.00+",
    `PlayResX: ${size.width}`,
    `PlayResY: ${size.height}`,
    "WrapStyle: 2",
    "ScaledBorderAndShadow: yes",
    "",
    "[V4+ Styles]",
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
    style("Label", 1, 0),
    // An opaque box of the background colour behind the text (BorderStyle 3), 2 px around it.
    style("Boxed", 3, 2),
    "",
    "[Events]",
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
  ];
  const events = labels.map((l) => {
    const tags = [
      `\\an${l.align ?? 7}`,
      `\\pos(${Math.round(l.x)},${Math.round(l.y)})`,
      `\\fs${l.size}`,
      `\\c${assColour(l.colour)}`,
      l.bold ? "\\b1" : "",
      l.clipRight !== undefined ? `\\clip(0,0,${Math.round(l.clipRight)},${size.height})` : "",
    ].join("");
    return `Dialogue: 0,0:00:00.00,9:00:00.00,${l.boxed ? "Boxed" : "Label"},,0,0,0,,{${tags}}${oneLine(l.text)}`;
  });
  return `${[...head, ...events].join("\n")}\n`;
}
