// Where the lyrics say the voice sings: the intervals a cut must avoid, and vocal activity from timings.

import { secondsToSamples } from "../../time/index.js";
import type { Lyrics, Span } from "../types.js";

/** Sorted, merged spans; spans closer than `gap` samples are joined, empty ones dropped. */
export function mergeSpans(spans: readonly Span[], gap = 0): Span[] {
  const sorted = spans.filter((s) => s.end > s.start).sort((a, b) => a.start - b.start || a.end - b.end);
  const out: { start: number; end: number }[] = [];
  for (const s of sorted) {
    const last = out[out.length - 1];
    if (last && s.start - last.end <= gap) last.end = Math.max(last.end, s.end);
    else out.push({ start: s.start, end: s.end });
  }
  return out;
}

function sungSpans(lyrics: Lyrics): Span[] {
  const spans: Span[] = [];
  for (const line of lyrics.lines) {
    if (line.words && line.words.length > 0)
      for (const w of line.words) spans.push({ start: w.start, end: w.end });
    else spans.push({ start: line.start, end: line.end });
  }
  return spans;
}

/**
 * The intervals a cut must never fall inside: each timed word, or the whole line where words are not
 * timed; merged where they touch or overlap, sorted.
 */
export function wordSpans(lyrics: Lyrics): Span[] {
  return mergeSpans(sungSpans(lyrics), 0);
}

/** Breaths between words shorter than this are still one stretch of singing. */
export const DEFAULT_VOCAL_GAP_SAMPLES = secondsToSamples(0.5);

/** Where the voice sings according to the timings: words (or lines) merged across gaps up to `gapSamples`. */
export function vocalFromLyrics(lyrics: Lyrics, gapSamples: number = DEFAULT_VOCAL_GAP_SAMPLES): Span[] {
  return mergeSpans(sungSpans(lyrics), Math.max(0, gapSamples));
}
