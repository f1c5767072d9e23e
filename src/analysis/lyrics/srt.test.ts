// SRT subtitles as lyric lines with known starts and ends.

import { describe, expect, it } from "vitest";
import { secondsToSamples as s } from "../../time/index.js";
import { parseLyrics } from "./index.js";

const SRT = `1
00:00:01,500 --> 00:00:03,000
First line

2
00:00:04,000 --> 00:00:06,250
<i>Second</i> line
continues here

3
00:01:02,000 --> 00:01:05,000
[Chorus]
Sing it loud (loud)
`;

describe("SRT", () => {
  it("reads each cue as a line with its own start and end", () => {
    const lyrics = parseLyrics(SRT, "song.srt");
    expect(lyrics.format).toBe("srt");
    expect(lyrics.lines.map((l) => [l.start, l.end, l.text])).toEqual([
      [s(1.5), s(3), "First line"],
      [s(4), s(6.25), "Second line continues here"],
      [s(62), s(65), "Sing it loud (loud)"],
    ]);
    expect(lyrics.warnings).toEqual([]);
  });

  it("is recognised by content whatever the file is called, and with CRLF", () => {
    const lyrics = parseLyrics(SRT.replace(/\n/g, "\r\n"), "lyrics.txt");
    expect(lyrics.format).toBe("srt");
    expect(lyrics.lines).toHaveLength(3);
  });

  it("takes a [Section] cue line as a section starting at the cue", () => {
    const lyrics = parseLyrics(SRT, "song.srt", { durationSamples: s(90) });
    expect(lyrics.sections).toEqual([{ start: s(62), end: s(90), name: "Chorus", kind: "chorus" }]);
    expect(lyrics.lines[2]!.section).toBe("Chorus");
    expect(lyrics.lines[2]!.backing).toEqual([[13, 19]]);
  });

  it("skips broken cues with a warning naming file:line", () => {
    const text = `1
00:00:01,000 --> 00:00:02,000
Good

2
00:00:05,000 -> 00:00:06,000
Arrow too short

3
00:00:09,000 --> 00:00:08,000
Backwards

4
00:00:10,000 --> 00:00:11,000
Good again
`;
    const lyrics = parseLyrics(text, "bad.srt");
    expect(lyrics.lines.map((l) => l.text)).toEqual(["Good", "Good again"]);
    expect(lyrics.warnings.find((w) => w.startsWith("bad.srt:6:"))).toMatch(/bad time line/);
    expect(lyrics.warnings.find((w) => w.startsWith("bad.srt:10:"))).toMatch(/ends before it starts/);
  });

  it("drops cues after the song end and clips the one across it", () => {
    const lyrics = parseLyrics(SRT, "song.srt", { durationSamples: s(5) });
    expect(lyrics.lines.map((l) => [l.text, l.end])).toEqual([
      ["First line", s(3)],
      ["Second line continues here", s(5)],
    ]);
    expect(lyrics.warnings.some((w) => w.includes("past the end of the song"))).toBe(true);
  });
});
