// Writing lyrics back out as LRC and SRT, and reading what was written.

import { describe, expect, it } from "vitest";
import { secondsToSamples as s } from "../../time/index.js";
import type { Lyrics } from "../types.js";
import { parseLyrics, toLrc, toSrt } from "./index.js";

const LRC = `[ti:Round trip]
[offset:+200]
[Verse 1]
[00:05.00]Morning light
[00:07.50]Breaks through (through)
[00:10.00]
[00:12.00][Instrumental]
[Chorus]
[00:30.00][01:00.00]<00:30.00>Here <00:30.40>we <00:30.80>are <00:32.00>
[00:40.00]我爱你 你爱我
[00:44.00]君の名は`;

function timings(lyrics: Lyrics) {
  return { lines: lyrics.lines, sections: lyrics.sections, format: lyrics.format };
}

describe("toLrc", () => {
  it("round-trips: LRC → parse → toLrc → parse gives the same lines, words and sections", () => {
    const first = parseLyrics(LRC, "in.lrc", { durationSamples: s(90) });
    const written = toLrc(first);
    const second = parseLyrics(written, "out.lrc", { durationSamples: s(90) });
    expect(timings(second)).toEqual(timings(first));
    expect(second.warnings).toEqual([]);
  });

  it("writes enhanced word tags only when words are timed", () => {
    const written = toLrc(parseLyrics(LRC, "in.lrc"));
    const rows = written.trim().split("\n");
    expect(rows.filter((r) => r.includes("<"))).toHaveLength(2);
    expect(rows).toContain("[00:39.80]我爱你 你爱我");
    expect(rows.every((r) => /^\[/.test(r))).toBe(true);
  });

  it("writes Suno words as enhanced LRC that reads back with the same words", () => {
    const json = JSON.stringify([
      { word: "[Verse]\nHel", startS: 1, endS: 1.2, success: true, palign: 0 },
      { word: "lo ", startS: 1.2, endS: 1.5, success: true, palign: 0 },
      { word: "world\n", startS: 1.6, endS: 2.4, success: true, palign: 0 },
      { word: "再见\n", startS: 3, endS: 3.5, success: true, palign: 0 },
    ]);
    const suno = parseLyrics(json, "song.json");
    const back = parseLyrics(toLrc(suno), "song.lrc");
    expect(back.format).toBe("lrc-enhanced");
    expect(back.lines).toEqual(suno.lines);
    expect(back.sections).toEqual(suno.sections);
  });
});

describe("toSrt", () => {
  it("writes one cue per line that reads back with the same times and text", () => {
    const first = parseLyrics(LRC, "in.lrc", { durationSamples: s(90) });
    const back = parseLyrics(toSrt(first), "out.srt");
    expect(back.format).toBe("srt");
    expect(back.lines.map((l) => [l.start, l.end, l.text])).toEqual(
      first.lines.map((l) => [l.start, l.end, l.text]),
    );
  });

  it("numbers cues from 1 with HH:MM:SS,mmm times", () => {
    const text = toSrt(parseLyrics("[01:02.50]Hello\n[01:04.00]", "x.lrc"));
    expect(text).toBe("1\n00:01:02,500 --> 00:01:04,000\nHello\n");
  });
});

describe("toLrc word tags", () => {
  it("keeps pauses between words and the spacing of CJK lines through a round trip", () => {
    const json = JSON.stringify([
      { word: "Hold ", startS: 1, endS: 1.3, success: true },
      { word: "on\n", startS: 2, endS: 2.5, success: true },
      { word: "我", startS: 3, endS: 3.2, success: true },
      { word: "爱", startS: 3.5, endS: 3.7, success: true },
      { word: "你\n", startS: 3.7, endS: 4, success: true },
    ]);
    const suno = parseLyrics(json, "x.json");
    const written = toLrc(suno);
    expect(written).toContain("我<");
    const back = parseLyrics(written, "x.lrc");
    expect(back.lines).toEqual(suno.lines);
    expect(back.lines.map((l) => l.text)).toEqual(["Hold on", "我爱你"]);
  });
});
