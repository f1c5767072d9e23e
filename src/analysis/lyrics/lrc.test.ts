// LRC and enhanced LRC: what a user's .lrc file turns into.

import { describe, expect, it } from "vitest";
import { secondsToSamples as s } from "../../time/index.js";
import { parseLyrics } from "./index.js";

describe("LRC", () => {
  it("reads [mm:ss.xx] lines as integer samples, a line ending where the next starts", () => {
    const lyrics = parseLyrics("[00:12.34]First line\n[00:15.00]Second line\n[00:18.5]Third\n", "song.lrc");
    expect(lyrics.format).toBe("lrc");
    expect(lyrics.estimated).toBe(false);
    expect(lyrics.lines.map((l) => l.text)).toEqual(["First line", "Second line", "Third"]);
    expect(lyrics.lines[0]).toMatchObject({ start: s(12.34), end: s(15) });
    expect(lyrics.lines[1]).toMatchObject({ start: s(15), end: s(18.5) });
    for (const l of lyrics.lines) {
      expect(Number.isInteger(l.start)).toBe(true);
      expect(Number.isInteger(l.end)).toBe(true);
    }
  });

  it("accepts [mm:ss], [mm:ss.xxx] and [mm:ss:xx] tags", () => {
    const lyrics = parseLyrics("[01:02]a\n[01:03.250]b\n[01:04:50]c\n[01:06.00]", "x.lrc");
    expect(lyrics.lines.map((l) => l.start)).toEqual([s(62), s(63.25), s(64.5)]);
  });

  it("repeats a line with several time tags at each time, in time order", () => {
    const lyrics = parseLyrics("[00:10.00][00:40.00]Chorus line\n[00:20.00]Verse line\n[00:50.00]", "x.lrc");
    expect(lyrics.lines.map((l) => [l.start, l.text])).toEqual([
      [s(10), "Chorus line"],
      [s(20), "Verse line"],
      [s(40), "Chorus line"],
    ]);
    expect(lyrics.lines[2]!.end).toBe(s(50));
  });

  it("ignores metadata tags and applies [offset:] (positive = lyrics sooner) wherever it sits", () => {
    const text =
      "[ar:Artist]\n[ti:Title]\n[al:Album]\n[by:me]\n[00:10.00]Hello\n[00:12.00]World\n[offset:+500]\n";
    const lyrics = parseLyrics(text, "x.lrc");
    expect(lyrics.lines.map((l) => l.text)).toEqual(["Hello", "World"]);
    expect(lyrics.lines[0]).toMatchObject({ start: s(9.5), end: s(11.5) });
    expect(lyrics.warnings.filter((w) => !w.includes("last line"))).toEqual([]);

    const later = parseLyrics("[offset:-250]\n[00:10.00]Hello\n", "x.lrc");
    expect(later.lines[0]!.start).toBe(s(10.25));
  });

  it("moves lines an offset pushes before 0:00 to 0:00, with a warning", () => {
    const lyrics = parseLyrics("[offset:2000]\n[00:01.00]Early\n[00:05.00]Later\n", "x.lrc");
    expect(lyrics.lines[0]!.start).toBe(0);
    expect(lyrics.lines[1]!.start).toBe(s(3));
    expect(lyrics.warnings.some((w) => w.includes("before 0:00"))).toBe(true);
  });

  it("ends a line at an empty timed line (where singing stops)", () => {
    const lyrics = parseLyrics("[00:10.00]Hello\n[00:12.50]\n[00:30.00]Again\n[00:33.00]", "x.lrc");
    expect(lyrics.lines[0]).toMatchObject({ start: s(10), end: s(12.5) });
    expect(lyrics.lines[1]).toMatchObject({ start: s(30), end: s(33) });
  });

  it("gives the last line an end estimated from its length, capped by the song, and says so", () => {
    const short = parseLyrics("[00:10.00]Oh\n", "x.lrc");
    const long = parseLyrics(
      "[00:10.00]A much longer line that takes quite a while to sing through\n",
      "x.lrc",
    );
    const shortLen = short.lines[0]!.end - short.lines[0]!.start;
    const longLen = long.lines[0]!.end - long.lines[0]!.start;
    expect(shortLen).toBeGreaterThan(0);
    expect(longLen).toBeGreaterThan(shortLen);
    expect(longLen).toBeLessThanOrEqual(s(10));
    expect(short.warnings.some((w) => w.startsWith("x.lrc:1:") && w.includes("no end time"))).toBe(true);

    const capped = parseLyrics(
      "[00:10.00]A much longer line that takes quite a while to sing through\n",
      "x.lrc",
      {
        durationSamples: s(11),
      },
    );
    expect(capped.lines[0]!.end).toBe(s(11));
  });

  it("does not stretch a line over a long instrumental gap when nothing marks its end", () => {
    const lyrics = parseLyrics("[00:10.00]Short line\n[01:10.00]After the solo\n[01:12.00]", "x.lrc");
    expect(lyrics.lines[0]!.end).toBeLessThan(s(30));
    expect(lyrics.warnings.some((w) => w.startsWith("x.lrc:1:") && w.includes("later"))).toBe(true);
  });

  it("reads enhanced LRC word tags as words, a trailing tag as the line end", () => {
    const lyrics = parseLyrics(
      "[00:10.00]<00:10.00>Hold <00:10.40>me <00:10.90>close <00:12.00>\n[00:15.00]<00:15.00>Next <00:16.00>line\n",
      "x.lrc",
    );
    expect(lyrics.format).toBe("lrc-enhanced");
    const [first, second] = lyrics.lines;
    expect(first!.text).toBe("Hold me close");
    expect(first!.end).toBe(s(12));
    expect(first!.words).toEqual([
      { start: s(10), end: s(10.4), text: "Hold" },
      { start: s(10.4), end: s(10.9), text: "me" },
      { start: s(10.9), end: s(12), text: "close" },
    ]);
    // No trailing tag: the last word lasts until the line ends.
    expect(second!.words!.at(-1)).toMatchObject({ text: "line", start: s(16), end: second!.end });
  });

  it("joins syllables timed without a space between them into one word", () => {
    const lyrics = parseLyrics(
      "[00:01.00]<00:01.00>Beau<00:01.30>ti<00:01.50>ful <00:02.00>day <00:03.00>",
      "x.lrc",
    );
    expect(lyrics.lines[0]!.text).toBe("Beautiful day");
    expect(lyrics.lines[0]!.words!.map((w) => [w.text, w.start, w.end])).toEqual([
      ["Beautiful", s(1), s(2)],
      ["day", s(2), s(3)],
    ]);
  });

  it("keeps CJK lines whole: no words without word timings, one word per timed character", () => {
    const lyrics = parseLyrics(
      "[00:01.00]我爱你 你爱我\n[00:04.00]君の名は\n[00:07.00]사랑해 너를\n[00:10.00]<00:10.00>我<00:10.50>爱<00:11.00>你<00:11.50>\n",
      "x.lrc",
    );
    const [zh, ja, ko, timed] = lyrics.lines;
    expect(zh).toMatchObject({ text: "我爱你 你爱我" });
    expect(zh!.words).toBeUndefined();
    expect(ja!.text).toBe("君の名は");
    expect(ja!.words).toBeUndefined();
    expect(ko!.text).toBe("사랑해 너를");
    expect(ko!.words).toBeUndefined();
    expect(timed!.words!.map((w) => w.text)).toEqual(["我", "爱", "你"]);
    expect(timed!.end).toBe(s(11.5));
  });

  it("skips malformed lines with a warning naming file:line and what is wrong", () => {
    const text =
      "[00:01.00]Good\nno tag here\n[00:1x.00]bad digits\n[00:75.00]bad seconds\n[00:09.00]Also good\n";
    const lyrics = parseLyrics(text, "song.lrc");
    expect(lyrics.lines.map((l) => l.text)).toEqual(["Good", "Also good"]);
    expect(lyrics.warnings.find((w) => w.startsWith("song.lrc:2:"))).toMatch(/no time tag/);
    expect(lyrics.warnings.find((w) => w.startsWith("song.lrc:3:"))).toMatch(/bad time tag/);
    expect(lyrics.warnings.find((w) => w.startsWith("song.lrc:4:"))).toMatch(/seconds must be below 60/);
  });

  it("counts lines the same with CRLF or CR line endings", () => {
    const lf = "[00:01.00]One\n[00:02.00]Two\nbroken\n[00:03.00]Three\n";
    for (const text of [lf.replace(/\n/g, "\r\n"), lf.replace(/\n/g, "\r")]) {
      const lyrics = parseLyrics(text, "x.lrc");
      expect(lyrics.lines.map((l) => l.text)).toEqual(["One", "Two", "Three"]);
      expect(lyrics.warnings.some((w) => w.startsWith("x.lrc:3:"))).toBe(true);
    }
  });

  it("takes sections from [Tag] lines, timed or starting with the next line", () => {
    const text =
      "[Verse 1]\n[00:05.00]Line one\n[00:08.00]Line two\n[00:11.00][Instrumental]\n[Chorus - anthemic]\n[00:30.00]Sing it\n[00:33.00]";
    const lyrics = parseLyrics(text, "x.lrc", { durationSamples: s(60) });
    expect(lyrics.sections).toEqual([
      { start: s(5), end: s(11), name: "Verse 1", kind: "verse" },
      { start: s(11), end: s(30), name: "Instrumental", kind: "instrumental" },
      { start: s(30), end: s(60), name: "Chorus - anthemic", kind: "chorus" },
    ]);
    expect(lyrics.lines.map((l) => l.section)).toEqual(["Verse 1", "Verse 1", "Chorus - anthemic"]);
    // The timed section start ends the line before it.
    expect(lyrics.lines[1]!.end).toBe(s(11));
  });

  it("marks parenthesised backing vocals and keeps their text", () => {
    const lyrics = parseLyrics("[00:01.00]Here we are (here we are)\n[00:04.00](Ooh)\n[00:06.00]", "x.lrc");
    const [mixed, backing] = lyrics.lines;
    expect(mixed!.text).toBe("Here we are (here we are)");
    expect(mixed!.backing).toEqual([[12, 25]]);
    expect(backing!.backing).toEqual([[0, 5]]);
  });

  it("uses [length:] as the song end when the caller gives none", () => {
    const lyrics = parseLyrics(
      "[length: 00:12.00]\n[00:10.00]A long last line that would run past the end\n",
      "x.lrc",
    );
    expect(lyrics.lines[0]!.end).toBe(s(12));
  });

  it("clips lines at the song end and drops lines past it, with a warning", () => {
    const lyrics = parseLyrics("[00:10.00]In\n[00:20.00]Across\n[00:32.00]Past\n[00:50.00]", "x.lrc", {
      durationSamples: s(30),
    });
    expect(lyrics.lines.map((l) => l.text)).toEqual(["In", "Across"]);
    expect(lyrics.lines[1]!.end).toBe(s(30));
    expect(
      lyrics.warnings.some((w) => w.includes("past the end of the song") && w.includes("1 line(s) dropped")),
    ).toBe(true);
  });
});
