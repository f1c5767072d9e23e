// Suno aligned words, in the shapes docs.sunoapi.org and gcui-art/suno-api return them.

import { describe, expect, it } from "vitest";
import { UserInputError } from "../../errors/index.js";
import { secondsToSamples as s } from "../../time/index.js";
import { parseLyrics } from "./index.js";

/** Words as docs.sunoapi.org's get-timestamped-lyrics returns them. */
function camel(words: [string, number, number][], success = true) {
  return words.map(([word, startS, endS]) => ({ word, success, startS, endS, palign: 0 }));
}
/** The same words as gcui-art/suno-api's get_aligned_lyrics returns them. */
function snake(words: [string, number, number][]) {
  return words.map(([word, start_s, end_s]) => ({ word, success: true, start_s, end_s, p_align: 0.9 }));
}

const SONG: [string, number, number][] = [
  ["[Verse]\nWaggin' ", 1, 1.4],
  ["my ", 1.4, 1.6],
  ["tail\n", 1.6, 2.2],
  ["Chasing ", 3, 3.5],
  ["cars\n\n", 3.5, 4],
  ["[Instrumental]\n[Chorus]\nWoof ", 12, 12.5],
  ["(woof)\n", 12.6, 13],
];

describe("Suno aligned words", () => {
  it("reads the docs.sunoapi.org envelope: lines from newlines, sections from headers", () => {
    const json = JSON.stringify({
      code: 200,
      msg: "success",
      data: { alignedWords: camel(SONG), waveformData: [0, 1], hootCer: 0.1, isStreamed: false },
    });
    const lyrics = parseLyrics(json, "song.json");
    expect(lyrics.format).toBe("suno");
    expect(lyrics.lines.map((l) => [l.text, l.start, l.end])).toEqual([
      ["Waggin' my tail", s(1), s(2.2)],
      ["Chasing cars", s(3), s(4)],
      ["Woof (woof)", s(12), s(13)],
    ]);
    expect(lyrics.lines[0]!.words!.map((w) => w.text)).toEqual(["Waggin'", "my", "tail"]);
    expect(lyrics.lines[2]!.words!.at(-1)).toMatchObject({ text: "(woof)", backing: true });
    expect(lyrics.sections.map((x) => [x.name, x.kind, x.start, x.end])).toEqual([
      ["Verse", "verse", s(1), s(4)],
      ["Instrumental", "instrumental", s(4), s(12)],
      ["Chorus", "chorus", s(12), s(13)],
    ]);
    expect(lyrics.lines.map((l) => l.section)).toEqual(["Verse", "Verse", "Chorus"]);
  });

  it("reads the bare array and the record without the envelope the same way", () => {
    const wrapped = parseLyrics(JSON.stringify({ data: { alignedWords: camel(SONG) } }), "a.json");
    const bare = parseLyrics(JSON.stringify(camel(SONG)), "b.json");
    const record = parseLyrics(JSON.stringify({ alignedWords: camel(SONG), hootCer: 0.2 }), "c.json");
    expect(bare.lines).toEqual(wrapped.lines);
    expect(record.lines).toEqual(wrapped.lines);
  });

  it("reads gcui-art/suno-api's snake_case words the same way", () => {
    const camelLyrics = parseLyrics(JSON.stringify(camel(SONG)), "a.json");
    const snakeLyrics = parseLyrics(JSON.stringify(snake(SONG)), "b.json");
    expect(snakeLyrics.lines).toEqual(camelLyrics.lines);
    expect(snakeLyrics.sections).toEqual(camelLyrics.sections);
  });

  it("joins syllable pieces into words but keeps timed CJK characters apart", () => {
    const words: [string, number, number][] = [
      ["Beau", 1, 1.2],
      ["ti", 1.2, 1.4],
      ["ful ", 1.4, 1.7],
      ["day\n", 1.7, 2.2],
      ["我", 3, 3.3],
      ["爱", 3.3, 3.6],
      ["你\n", 3.6, 4],
    ];
    const lyrics = parseLyrics(JSON.stringify(camel(words)), "x.json");
    expect(lyrics.lines.map((l) => l.text)).toEqual(["Beautiful day", "我爱你"]);
    expect(lyrics.lines[0]!.words!.map((w) => [w.text, w.start, w.end])).toEqual([
      ["Beautiful", s(1), s(1.7)],
      ["day", s(1.7), s(2.2)],
    ]);
    expect(lyrics.lines[1]!.words!.map((w) => w.text)).toEqual(["我", "爱", "你"]);
  });

  it("keeps a chunk Suno aligned as a whole Chinese line as one unsplittable word of its line", () => {
    // The shape observed live from get-timestamped-lyrics for a Mandarin song (with hootCer beside).
    const json = JSON.stringify({
      code: 200,
      data: {
        alignedWords: camel([
          ["[Verse 1]\n晨光爬上窗台\n", 11.011, 16.676],
          ["你还在睡\n\n", 16.835, 21.638],
        ]),
        hootCer: 0.6,
      },
    });
    const lyrics = parseLyrics(json, "zh.json");
    expect(lyrics.lines.map((l) => l.text)).toEqual(["晨光爬上窗台", "你还在睡"]);
    expect(lyrics.lines[0]!.words).toEqual([{ text: "晨光爬上窗台", start: s(11.011), end: s(16.676) }]);
    expect(lyrics.sections[0]).toMatchObject({ name: "Verse 1", start: s(11.011) });
  });

  it("keeps words Suno could not align in the text, without timings, and says so", () => {
    const words = [...camel([["Hello ", 1, 1.5]]), ...camel([["there\n", 0, 0]], false)];
    const lyrics = parseLyrics(JSON.stringify(words), "x.json");
    expect(lyrics.lines[0]!.text).toBe("Hello there");
    expect(lyrics.lines[0]!.words!.map((w) => w.text)).toEqual(["Hello"]);
    expect(lyrics.warnings.some((w) => w.includes("could not align"))).toBe(true);
  });

  it("skips entries that are not words with a warning naming file:line", () => {
    const json = JSON.stringify(
      [...camel([["Hello\n", 1, 2]]), { word: "bad" }, ...camel([["World\n", 3, 4]])],
      null,
      2,
    );
    const lyrics = parseLyrics(json, "x.json");
    expect(lyrics.lines.map((l) => l.text)).toEqual(["Hello", "World"]);
    const line = json.split("\n").findIndex((row) => row.includes('"bad"')) + 1;
    expect(lyrics.warnings).toContainEqual(
      expect.stringMatching(new RegExp(`^x\\.json:${line}: not an aligned word`)),
    );
  });

  it("refuses JSON that is neither Suno shape with one line naming the file", () => {
    for (const json of ['{"lyrics": "la la"}', '[{"text": "hi", "time": 1}]', '"just a string"']) {
      const attempt = () => parseLyrics(json, "other.json");
      expect(attempt).toThrow(UserInputError);
      expect(attempt).toThrow(/^other\.json: JSON is not Suno aligned words/);
    }
  });

  it("refuses a .json file that is not JSON", () => {
    expect(() => parseLyrics("{ not json", "broken.json")).toThrow(/^broken\.json(:1)?: not valid JSON/);
    const laterLine = '[\n  {"word": "a", "startS": 1, "endS": 2},\n  {"word": "b" "startS": 3}\n]';
    expect(() => parseLyrics(laterLine, "broken.json")).toThrow(/^broken\.json:3: not valid JSON/);
  });

  it("drops words past the song end", () => {
    const lyrics = parseLyrics(JSON.stringify(camel(SONG)), "x.json", { durationSamples: s(10) });
    expect(lyrics.lines.map((l) => l.text)).toEqual(["Waggin' my tail", "Chasing cars"]);
    expect(lyrics.sections.at(-1)!.end).toBe(s(10));
  });
});
