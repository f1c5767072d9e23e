// The plot's verdict: which cuts of a plan fall inside a sung word, said in one line.
import type { Analysis, Span } from "../analysis/types.js";
import { formatTime } from "../plan/index.js";
import type { Plan } from "../plan/types.js";

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

export interface CutInsideWord {
  cut: number;
  /** What the cut splits: words or lines (with text), or detected voice (without). */
  split: Span[];
}

/** The plan's cuts that split something sung, in order. */
export function cutsInsideWords(analysis: Analysis, plan: Plan): CutInsideWord[] {
  return plan.cuts
    .map((cut) => ({ cut, split: spansSplitBy(analysis, cut) }))
    .filter((c) => c.split.length > 0);
}

/** How many cuts the verdict names before "and N more". */
const NAMED_CUTS = 4;
/** Longest text of a split word or line the verdict quotes. */
const QUOTED_CHARS = 16;

function quoted(split: readonly Span[]): string {
  const s = split[0]!;
  if (!("text" in s) || typeof s.text !== "string" || s.text.trim() === "") return "…";
  const chars = [...s.text.trim().replace(/\s+/g, " ")];
  return chars.length > QUOTED_CHARS ? `${chars.slice(0, QUOTED_CHARS - 1).join("")}…` : chars.join("");
}

export interface PlotVerdict {
  /** True when no cut splits a word. */
  ok: boolean;
  text: string;
}

/**
 * The one line a reader wants first: "no cut inside a sung word", or
 * "2 cuts inside sung words: at 0:12.345 (love), 0:40.100 (你)". Undefined without a plan.
 */
export function plotVerdict(analysis: Analysis, plan: Plan | undefined): PlotVerdict | undefined {
  if (!plan) return undefined;
  const wrong = cutsInsideWords(analysis, plan);
  // Without lyric timings only the detected voice is known: the verdict says so rather than claim words.
  const words = (analysis.lyrics?.lines.length ?? 0) > 0;
  if (wrong.length === 0)
    return {
      ok: true,
      text: words ? "no cut inside a sung word" : "no cut inside detected singing (no lyric timings)",
    };
  const named = wrong
    .slice(0, NAMED_CUTS)
    .map((w) => (words ? `${formatTime(w.cut)} (${quoted(w.split)})` : formatTime(w.cut)));
  const more = wrong.length > NAMED_CUTS ? ` and ${wrong.length - NAMED_CUTS} more` : "";
  const n = wrong.length;
  const head = words
    ? n === 1
      ? "1 cut inside a sung word"
      : `${n} cuts inside sung words`
    : `${n} cut${n === 1 ? "" : "s"} inside detected singing`;
  return { ok: false, text: `${head}: at ${named.join(", ")}${more}` };
}
