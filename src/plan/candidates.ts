// Where a cut may fall and what each frame boundary costs: the sung words a cut must never split, pauses, beats, downbeats and sections.
import type { Analysis, LyricLine, Span } from "../analysis/types.js";
import { framesToSamples, type Rate, SAMPLE_RATE } from "../time/index.js";

/** A stretch where someone sings; `text` names it in warnings (a word, a line, or "" for detected voice). */
export interface SungSpan extends Span {
  readonly text: string;
}

export interface SungSpans {
  /** Which timings the spans came from: word timings, line timings, or detected voice. */
  readonly source: "words" | "lines" | "vocal";
  /** Sorted by start. */
  readonly spans: readonly SungSpan[];
  /** The same, with overlapping spans merged (touching spans stay apart: a cut between them is legal). */
  readonly merged: readonly Span[];
}

/**
 * The spans a cut must not fall inside: words when the lyrics have word timings (a line without
 * them counts whole), else lines, else the detected vocal intervals.
 */
export function sungSpans(analysis: Analysis): SungSpans {
  const lines = analysis.lyrics?.lines ?? [];
  let source: SungSpans["source"];
  let spans: SungSpan[];
  if (lines.some((l) => l.words && l.words.length > 0)) {
    source = "words";
    spans = lines.flatMap((l, k) =>
      l.words && l.words.length > 0
        ? [
            ...l.words.map((w) => ({ start: w.start, end: w.end, text: w.text })),
            ...untimedWords(l, lines[k - 1], lines[k + 1]),
          ]
        : [{ start: l.start, end: l.end, text: l.text }],
    );
  } else if (lines.length > 0) {
    source = "lines";
    spans = lines.map((l) => ({ start: l.start, end: l.end, text: l.text }));
  } else {
    source = "vocal";
    spans = analysis.vocal.map((v) => ({ start: v.start, end: v.end, text: "" }));
  }
  spans = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  return { source, spans, merged: mergeOverlapping(spans) };
}

/** A line's text as letters only, so word texts can be found in it whatever the spacing and punctuation. */
function letters(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\p{P}\p{S}\s]/gu, "");
}

/**
 * Where a line sings words its timings leave out: an aligner that could not place a word (Suno's
 * `success: false`) keeps it in the line's text without times, and the gap it leaves between two
 * timed words looks like a pause. Finds the line's text missing between its timed words and returns
 * the gap it must lie in: all of it between two timed words; before the first or after the last,
 * twice as long as the line's timed letters take on average for that many letters, short of the
 * neighbouring line's words. Empty when the words' texts cannot be found in order in the line.
 */
function untimedWords(line: LyricLine, before?: LyricLine, after?: LyricLine): SungSpan[] {
  const words = line.words ?? [];
  const text = letters(line.text);
  const found: { at: number; length: number }[] = [];
  let cursor = 0;
  for (const w of words) {
    const t = letters(w.text);
    const at = t ? text.indexOf(t, cursor) : cursor;
    if (at < 0) return [];
    found.push({ at, length: t.length });
    cursor = at + t.length;
  }
  const timedLetters = found.reduce((n, f) => n + f.length, 0);
  const timedSamples = words.reduce((n, w) => n + (w.end - w.start), 0);
  const perLetter = timedLetters > 0 ? timedSamples / timedLetters : 0;
  const out: SungSpan[] = [];
  const first = found[0]!;
  if (first.at > 0) {
    const earliest = Math.max(...(before?.words ?? [before ?? { end: 0 }]).map((w) => w.end), 0);
    const start = Math.max(earliest, Math.round(words[0]!.start - 2 * perLetter * first.at));
    out.push({ start, end: words[0]!.start, text: text.slice(0, first.at) });
  }
  for (let i = 1; i < words.length; i++) {
    const gap = found[i]!.at - (found[i - 1]!.at + found[i - 1]!.length);
    if (gap > 0)
      out.push({
        start: words[i - 1]!.end,
        end: words[i]!.start,
        text: text.slice(found[i]!.at - gap, found[i]!.at),
      });
  }
  const missing = text.length - cursor;
  if (missing > 0) {
    const last = words[words.length - 1]!;
    const latest = Math.min(
      ...(after?.words ?? [after ?? { start: Number.POSITIVE_INFINITY }]).map((w) => w.start),
    );
    out.push({
      start: last.end,
      end: Math.min(latest, Math.round(last.end + 2 * perLetter * missing)),
      text: text.slice(cursor),
    });
  }
  return out;
}

function mergeOverlapping(spans: readonly Span[]): Span[] {
  const out: { start: number; end: number }[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (last && s.start < last.end) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

/** Index of the last span starting at or before `x`, or −1. Spans sorted by start. */
function lastStartingAtOrBefore(spans: readonly Span[], x: number): number {
  let lo = 0;
  let hi = spans.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (spans[mid]!.start <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** Whether `x` lies strictly inside one of the merged (disjoint, sorted) spans. */
export function strictlyInside(merged: readonly Span[], x: number): boolean {
  const i = lastStartingAtOrBefore(merged, x);
  if (i < 0) return false;
  const s = merged[i]!;
  return s.start < x && x < s.end;
}

/** The span strictly containing `x`, for naming it in a warning. */
export function spanAt(spans: readonly SungSpan[], x: number): SungSpan | undefined {
  // Spans may overlap, so look back from the last one starting before x.
  for (let i = lastStartingAtOrBefore(spans, x); i >= 0; i--) {
    const s = spans[i]!;
    if (s.start < x && x < s.end) return s;
  }
  return undefined;
}

/** Distance from `x` to the nearest value of a sorted array, or Infinity when empty. */
/**
 * Whether a cut at `sample` is on a downbeat: within half a frame of `rate` (at least 20 ms).
 * The planner gives such a cut no handles when hard cuts on downbeats are asked for, and the
 * timeline cuts hard at exactly the same cuts. `sortedDownbeats` in samples, ascending.
 */
export function onDownbeat(sample: number, sortedDownbeats: readonly number[], rate: Rate): boolean {
  const tolerance = Math.max(framesToSamples(1, rate) / 2, 0.02 * SAMPLE_RATE);
  return nearest(sortedDownbeats, sample) <= tolerance;
}

export function nearest(sorted: readonly number[], x: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (sorted[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  const after = lo < sorted.length ? sorted[lo]! - x : Number.POSITIVE_INFINITY;
  const before = lo > 0 ? x - sorted[lo - 1]! : Number.POSITIVE_INFINITY;
  return Math.min(after, before);
}

/** Distance from `x` (outside every merged span) to the start of the next one, or Infinity. */
function untilNextStart(merged: readonly Span[], x: number): number {
  const i = lastStartingAtOrBefore(merged, x);
  // A cut exactly where a word starts is as close to it as a cut can be.
  if (i >= 0 && merged[i]!.start === x) return 0;
  const next = merged[i + 1];
  return next ? next.start - x : Number.POSITIVE_INFINITY;
}

function clearance(merged: readonly Span[], x: number): number {
  const i = lastStartingAtOrBefore(merged, x);
  const before = i >= 0 ? x - merged[i]!.end : Number.POSITIVE_INFINITY;
  const next = merged[i + 1];
  const after = next ? next.start - x : Number.POSITIVE_INFINITY;
  return Math.max(0, Math.min(before, after));
}

/**
 * What each kind of cut costs, in one unit: roughly "how much a viewer notices". Lengths cost in
 * the same unit (see planner.ts), so these weights are the whole trade-off and live in one place.
 */
export const CUT_COST = {
  /** Between two words of one line: legal, but it splits a phrase; a line gap is far better. */
  insidePhrase: 3,
  /** Where voice activity detection hears singing the lyrics do not time (ad-libs, late timings). */
  voiced: 1,
  /** Too close to a word for the crossfade: scaled by how little room is left. */
  crowded: 1.5,
  /**
   * Off the beat: scaled by distance up to `beatToleranceS`. 2.5 rather than 1.5 since padding costs
   * linearly: at 1.5 the planner saved 9 frames on mandarin-128 by cutting 133 ms off the beat.
   */
  offBeat: 2.5,
  /** Off a downbeat (where long segments should change): scaled likewise. */
  offDownbeat: 0.75,
  /** Away from a section boundary: scaled up to `sectionToleranceS`. */
  offSection: 0.75,
  beatToleranceS: 0.12,
  sectionToleranceS: 0.3,
  /** Room wanted between a cut and the nearest word, beyond its handle. */
  marginS: 0.1,
  /**
   * Planning on detected voice only (no lyrics): a cut just before a detected onset. The detector
   * hears a sung line late — on the evaluation set up to 1.2 s (90th percentile 0.6 s) after its
   * first word starts, while its ends are at most 0.3 s early — so a cut there may well split the
   * first word. Scaled by the square of closeness up to `onsetLeadS` (most lines are heard within
   * 0.1 s, few a second late), and weighted so that 0.4 s before an onset outweighs a second of
   * padding to the frame rule (see LENGTH_COST): a split word is seen, wasted frames are not.
   * Chosen on the evaluation set (docs/bench/plan.md): linear or lighter weights still split a word.
   */
  beforeVoice: 60,
  onsetLeadS: 1.25,
  /**
   * With word or line timings: a cut within `timingSlackS` before a timed word starts. Timings are
   * only as good as their aligner (Suno's words, an LRC's 10 ms rounding): with word edges off by
   * up to 80 ms, cuts that trusted them to the frame split 2 words in 49 on the evaluation set
   * (each just before a line's first word), none with this. Scaled by the square of closeness;
   * light enough that it never costs InfiniteTalk a window (waste stays ≤ 1.02 on the tests'
   * 3-minute songs). 0.15 s rather than 0.1: squared, a cut 77 ms before an aligned start cost
   * only 0.5 at 0.1 s, and over a real recording with rough Suno words one such cut sat 19 ms
   * before the true start of 我 (bench/real-songs.ts --sung); at 0.15 s the nearest cut to a word
   * there is 451 ms, and every other figure of both sets is unchanged (docs/bench/plan.md).
   */
  nearTimed: 10,
  timingSlackS: 0.15,
  /** A cut inside a sung word: only when no plan exists otherwise, so it outweighs everything. */
  insideWord: 1e6,
} as const;

export interface CutCosts {
  /** Cost of cutting at each frame boundary 0…frames. */
  readonly cost: Float64Array;
  /** 1 where the boundary falls strictly inside a sung span. */
  readonly inWord: Uint8Array;
  /** 1 where a hard cut (no crossfade, no handles) may go: on a downbeat, when asked for. */
  readonly onDownbeat: Uint8Array;
}

export interface CutCostInput {
  readonly analysis: Analysis;
  readonly sung: SungSpans;
  readonly rate: Rate;
  /** The song's length in frames. */
  readonly frames: number;
  /** Samples one handle covers, so cuts keep their crossfade clear of words. */
  readonly handleSamples: number;
}

/** The cost of cutting at every frame boundary of the song. Pure; O(frames · log spans). */
export function cutCosts(input: CutCostInput): CutCosts {
  const { analysis, sung, rate, frames, handleSamples } = input;
  const cost = new Float64Array(frames + 1);
  const inWord = new Uint8Array(frames + 1);
  const onDownbeatAt = new Uint8Array(frames + 1);

  const hasBeat = analysis.tempoBpm !== null && analysis.beats.length > 0;
  const beats = hasBeat ? [...analysis.beats].sort((a, b) => a - b) : [];
  const downbeats = hasBeat ? [...analysis.downbeats].sort((a, b) => a - b) : [];
  const sections = (analysis.lyrics?.sections ?? [])
    .flatMap((s) => [s.start, s.end])
    .filter((s) => s > 0 && s < analysis.durationSamples)
    .sort((a, b) => a - b);
  // Phrases: lines whose words are timed; a cut between their words splits the phrase.
  const phrases =
    sung.source === "words"
      ? mergeOverlapping(
          (analysis.lyrics?.lines ?? [])
            .filter((l) => l.words && l.words.length > 0)
            .map((l) => ({ start: l.start, end: l.end }))
            .sort((a, b) => a.start - b.start),
        )
      : [];
  // Detected voice counts only when it is independent of the lyrics (not derived from them).
  const voiced =
    sung.source !== "vocal" && analysis.vocalSource !== "lyrics"
      ? mergeOverlapping([...analysis.vocal].sort((a, b) => a.start - b.start))
      : [];

  const beatTol = CUT_COST.beatToleranceS * SAMPLE_RATE;
  const sectionTol = CUT_COST.sectionToleranceS * SAMPLE_RATE;
  const room = handleSamples + CUT_COST.marginS * SAMPLE_RATE;
  // Only detected onsets come late; word and line timings say where singing starts.
  const onsetLead = sung.source === "vocal" ? CUT_COST.onsetLeadS * SAMPLE_RATE : 0;
  const timingSlack = sung.source === "vocal" ? 0 : CUT_COST.timingSlackS * SAMPLE_RATE;

  for (let f = 0; f <= frames; f++) {
    const s = framesToSamples(f, rate);
    let c = 0;
    if (strictlyInside(sung.merged, s)) {
      inWord[f] = 1;
      c += CUT_COST.insideWord;
    } else {
      c += CUT_COST.crowded * Math.max(0, 1 - clearance(sung.merged, s) / room);
      if (timingSlack > 0)
        c += CUT_COST.nearTimed * Math.max(0, 1 - untilNextStart(sung.merged, s) / timingSlack) ** 2;
      if (onsetLead > 0)
        c += CUT_COST.beforeVoice * Math.max(0, 1 - untilNextStart(sung.merged, s) / onsetLead) ** 2;
    }
    if (phrases.length > 0 && strictlyInside(phrases, s)) c += CUT_COST.insidePhrase;
    if (voiced.length > 0 && strictlyInside(voiced, s)) c += CUT_COST.voiced;
    if (hasBeat) {
      c += (CUT_COST.offBeat * Math.min(nearest(beats, s), beatTol)) / beatTol;
      if (downbeats.length > 0) {
        const d = nearest(downbeats, s);
        c += (CUT_COST.offDownbeat * Math.min(d, beatTol)) / beatTol;
        if (onDownbeat(s, downbeats, rate)) onDownbeatAt[f] = 1;
      }
    }
    if (sections.length > 0)
      c += (CUT_COST.offSection * Math.min(nearest(sections, s), sectionTol)) / sectionTol;
    else c += CUT_COST.offSection;
    cost[f] = c;
  }
  return { cost, inWord, onDownbeat: onDownbeatAt };
}
