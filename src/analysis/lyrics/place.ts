// Plain (untimed) lyrics placed over detected vocal intervals, in order, proportional to how much each line sings.

import { secondsToSamples } from "../../time/index.js";
import type { LyricLine, Lyrics, Span } from "../types.js";
import { assignSections, type DraftSection, sectionSpans } from "./draft.js";
import { UNPLACED_NOTE } from "./plain.js";
import { mergeSpans } from "./spans.js";
import { INSTRUMENTAL_KINDS, sungWeight } from "./text.js";

/** Vocal blips shorter than this (a breath, a VAD false positive) get no line when longer spans exist. */
const MIN_SPAN_SAMPLES = secondsToSamples(0.25);

/**
 * Lays plain lyrics over the vocal intervals: lines keep their order, each sits wholly inside one
 * interval, and lines sharing an interval divide it in proportion to their sung length (letters; a CJK
 * character counts as a syllable). An [Instrumental] (or interlude, solo, break) between two lines is put
 * in the gap between intervals that best matches where it falls in the lyrics, weighted toward long gaps.
 * Lyrics that already have timings are returned unchanged.
 */
export function placePlainLyrics(lyrics: Lyrics, vocal: readonly Span[], durationSamples: number): Lyrics {
  if (lyrics.format !== "plain" || lyrics.lines.length === 0) return lyrics;
  const warnings = lyrics.warnings.filter((w) => !w.endsWith(UNPLACED_NOTE));
  let spans = mergeSpans(
    vocal.map((s) => ({ start: Math.max(0, s.start), end: Math.min(durationSamples, s.end) })),
    0,
  );
  if (spans.length === 0) {
    spans = [{ start: 0, end: durationSamples }];
    warnings.push("no vocal intervals detected — plain lyrics spread over the whole song");
  }
  const long = spans.filter((s) => s.end - s.start >= MIN_SPAN_SAMPLES);
  if (long.length > 0) spans = long;

  const old = [...lyrics.lines].sort((a, b) => a.start - b.start);
  const weights = old.map((l) => sungWeight(l.text));
  const cumWeight = [0];
  for (const w of weights) cumWeight.push(cumWeight[cumWeight.length - 1]! + w);
  const totalWeight = cumWeight[cumWeight.length - 1]!;

  // Where the lyrics ask for a break: an instrumental-kind section holding no line, between two lines.
  const breaks = new Set<number>();
  for (const s of lyrics.sections) {
    if (!INSTRUMENTAL_KINDS.has(s.kind)) continue;
    const b = old.findIndex((l) => l.start >= s.start);
    if (b > 0 && old[b]!.start >= s.end) breaks.add(b);
  }
  const wanted = [...breaks].sort((a, b) => a - b);

  // Gaps between intervals, with how far through the singing each falls.
  const cumVocal = [0];
  for (const s of spans) cumVocal.push(cumVocal[cumVocal.length - 1]! + (s.end - s.start));
  const totalVocal = cumVocal[cumVocal.length - 1]!;
  const gapLen = spans.slice(1).map((s, j) => s.start - spans[j]!.end);
  const longestGap = Math.max(1, ...gapLen);

  const lineCuts: number[] = [0];
  const spanCuts: number[] = [0];
  let nextGap = 0;
  wanted.forEach((b, k) => {
    const left = wanted.length - k - 1;
    const target = cumWeight[b]! / totalWeight;
    let best = -1;
    let bestCost = Number.POSITIVE_INFINITY;
    // Leave enough gaps for the breaks still to come; a break with no gap left is not honoured.
    for (let j = nextGap; j < gapLen.length - left; j++) {
      const cost = Math.abs(cumVocal[j + 1]! / totalVocal - target) - 0.5 * (gapLen[j]! / longestGap);
      if (cost < bestCost) {
        bestCost = cost;
        best = j;
      }
    }
    if (best < 0) return;
    lineCuts.push(b);
    spanCuts.push(best + 1);
    nextGap = best + 1;
  });
  if (lineCuts.length - 1 < wanted.length)
    warnings.push(
      `only ${lineCuts.length - 1} of ${wanted.length} instrumental break(s) matched a pause in the vocals`,
    );
  lineCuts.push(old.length);
  spanCuts.push(spans.length);

  const placed: LyricLine[] = [];
  for (let g = 0; g + 1 < lineCuts.length; g++) {
    placed.push(
      ...placeGroup(
        old.slice(lineCuts[g], lineCuts[g + 1]),
        weights.slice(lineCuts[g], lineCuts[g + 1]),
        spans.slice(spanCuts[g], spanCuts[g + 1]),
      ),
    );
  }

  // Sections follow their lines; a section without lines sits where it fell between lines.
  const drafts: DraftSection[] = [...lyrics.sections]
    .sort((a, b) => a.start - b.start)
    .map((s) => {
      const first = old.findIndex((l) => l.start >= s.start && l.start < s.end);
      if (first >= 0) return { name: s.name, kind: s.kind, start: placed[first]!.start };
      const before = old.findLastIndex((l) => l.start < s.start);
      return { name: s.name, kind: s.kind, start: before >= 0 ? placed[before]!.end : 0 };
    });
  const sections = sectionSpans(drafts, durationSamples);
  return { lines: assignSections(placed, sections), sections, estimated: true, format: "plain", warnings };
}

/** One run of lines over one run of intervals: each line goes to the interval at its proportional middle. */
function placeGroup(
  lines: readonly LyricLine[],
  weights: readonly number[],
  spans: readonly Span[],
): LyricLine[] {
  const total = weights.reduce((a, b) => a + b, 0);
  const vocal = spans.reduce((a, s) => a + (s.end - s.start), 0);
  const bySpan: number[][] = spans.map(() => []);
  let acc = 0;
  let j = 0;
  let spanAcc = 0;
  weights.forEach((w, i) => {
    const middle = ((acc + w / 2) / total) * vocal;
    acc += w;
    while (j < spans.length - 1 && spanAcc + (spans[j]!.end - spans[j]!.start) <= middle) {
      spanAcc += spans[j]!.end - spans[j]!.start;
      j++;
    }
    bySpan[j]!.push(i);
  });
  const out: LyricLine[] = [];
  bySpan.forEach((members, k) => {
    if (members.length === 0) return;
    const span = spans[k]!;
    const sum = members.reduce((a, i) => a + weights[i]!, 0);
    let before = 0;
    for (const i of members) {
      const start = span.start + Math.round((before / sum) * (span.end - span.start));
      before += weights[i]!;
      const end = span.start + Math.round((before / sum) * (span.end - span.start));
      const { words: _w, ...line } = lines[i]!;
      out.push({ ...line, start, end });
    }
  });
  return out;
}
