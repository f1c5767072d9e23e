// The sung intervals the planner must not cut inside, and vocal activity read from the timings.

import { describe, expect, it } from "vitest";
import { secondsToSamples as s } from "../../time/index.js";
import type { Lyrics } from "../types.js";
import { parseLyrics, vocalFromLyrics, wordSpans } from "./index.js";

const ENHANCED = [
  "[00:01.00]<00:01.00>One <00:01.50>two <00:02.00>",
  "[00:02.10]<00:02.10>three <00:02.50>four <00:03.00>",
  "[00:05.00]<00:05.00>five <00:05.40>six <00:06.00>",
  "[00:10.00]Untimed words here",
  "[00:12.00]",
].join("\n");

describe("wordSpans", () => {
  it("uses word spans where known and whole lines elsewhere, merged only where they touch, sorted", () => {
    const spans = wordSpans(parseLyrics(ENHANCED, "x.lrc"));
    expect(spans).toEqual([
      { start: s(1), end: s(2) },
      { start: s(2.1), end: s(3) },
      { start: s(5), end: s(6) },
      { start: s(10), end: s(12) },
    ]);
  });

  it("merges overlapping lines (duplicate time tags, overlapping cues) into one interval", () => {
    const srt =
      "1\n00:00:01,000 --> 00:00:04,000\nLead\n\n2\n00:00:03,000 --> 00:00:05,000\n(Backing)\n\n3\n00:00:08,000 --> 00:00:09,000\nLater\n";
    expect(wordSpans(parseLyrics(srt, "x.srt"))).toEqual([
      { start: s(1), end: s(5) },
      { start: s(8), end: s(9) },
    ]);
  });

  it("never returns an interval that a lyric word lies across the edge of", () => {
    const lyrics = parseLyrics(ENHANCED, "x.lrc");
    const spans = wordSpans(lyrics);
    for (const line of lyrics.lines)
      for (const w of line.words ?? [line])
        expect(spans.some((x) => x.start <= w.start && w.end <= x.end)).toBe(true);
  });

  it("is empty for lyrics with no timed line", () => {
    const none: Lyrics = { lines: [], sections: [], estimated: false, format: "lrc", warnings: [] };
    expect(wordSpans(none)).toEqual([]);
  });
});

describe("vocalFromLyrics", () => {
  it("joins words across breaths shorter than the gap and keeps longer pauses apart", () => {
    const lyrics = parseLyrics(ENHANCED, "x.lrc");
    expect(vocalFromLyrics(lyrics)).toEqual([
      { start: s(1), end: s(3) },
      { start: s(5), end: s(6) },
      { start: s(10), end: s(12) },
    ]);
    expect(vocalFromLyrics(lyrics, s(3))).toEqual([
      { start: s(1), end: s(6) },
      { start: s(10), end: s(12) },
    ]);
    expect(vocalFromLyrics(lyrics, 0)).toEqual(wordSpans(lyrics));
  });
});
