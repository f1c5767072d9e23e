// Plain lyrics with Suno meta-tags, and placing them over the detected vocal intervals.

import { describe, expect, it } from "vitest";
import { secondsToSamples as s } from "../../time/index.js";
import type { Span } from "../types.js";
import { isBackingLine, parseLyrics, parseSectionTag, placePlainLyrics } from "./index.js";

const SONG = `[Intro]
[Gentle acoustic guitar, piano]

[Verse 1]
[Soft, intimate]
Morning light breaks through
Gentle breeze whispers new
(Whispers new)

[Instrumental]

[Chorus - anthemic]
Here we are [whispered]
Under stars
我爱你 你爱我

[Outro]
[End]
`;

function expectInsideInOrder(lines: readonly Span[], spans: readonly Span[]) {
  for (const line of lines) {
    expect(line.end).toBeGreaterThan(line.start);
    expect(spans.some((v) => v.start <= line.start && line.end <= v.end)).toBe(true);
  }
  for (let i = 1; i < lines.length; i++) expect(lines[i]!.start).toBeGreaterThanOrEqual(lines[i - 1]!.end);
}

describe("plain lyrics", () => {
  it("keeps sung lines, drops production notes, and takes sections from meta-tags", () => {
    const lyrics = parseLyrics(SONG, "song.txt");
    expect(lyrics.format).toBe("plain");
    expect(lyrics.estimated).toBe(true);
    expect(lyrics.lines.map((l) => l.text)).toEqual([
      "Morning light breaks through",
      "Gentle breeze whispers new",
      "(Whispers new)",
      "Here we are",
      "Under stars",
      "我爱你 你爱我",
    ]);
    expect(lyrics.sections.map((x) => [x.name, x.kind])).toEqual([
      ["Intro", "intro"],
      ["Verse 1", "verse"],
      ["Instrumental", "instrumental"],
      ["Chorus - anthemic", "chorus"],
      ["Outro", "outro"],
    ]);
    expect(lyrics.lines.map((l) => l.section)).toEqual([
      "Verse 1",
      "Verse 1",
      "Verse 1",
      "Chorus - anthemic",
      "Chorus - anthemic",
      "Chorus - anthemic",
    ]);
    expect(lyrics.lines.map(isBackingLine)).toEqual([false, false, true, false, false, false]);
    expect(lyrics.lines[5]!.words).toBeUndefined();
    expect(lyrics.warnings.some((w) => w.startsWith("song.txt:") && w.includes("no timings"))).toBe(true);
  });

  it("spreads over the song, in order, when the song length is given", () => {
    const lyrics = parseLyrics(SONG, "song.txt", { durationSamples: s(60) });
    expectInsideInOrder(lyrics.lines, [{ start: 0, end: s(60) }]);
  });
});

describe("placePlainLyrics", () => {
  const vocal: Span[] = [
    { start: s(5), end: s(15) },
    { start: s(15.5), end: s(20) },
    { start: s(40), end: s(55) },
  ];

  it("puts every line inside a vocal interval, in order, none overlapping", () => {
    const placed = placePlainLyrics(parseLyrics(SONG, "song.txt"), vocal, s(70));
    expect(placed.estimated).toBe(true);
    expect(placed.lines.map((l) => l.text)).toEqual(parseLyrics(SONG, "song.txt").lines.map((l) => l.text));
    expectInsideInOrder(placed.lines, vocal);
    expect(placed.warnings.some((w) => w.includes("no timings"))).toBe(false);
  });

  it("puts an [Instrumental] section in a pause between vocal intervals", () => {
    const placed = placePlainLyrics(parseLyrics(SONG, "song.txt"), vocal, s(70));
    const verse = placed.lines.filter((l) => l.section === "Verse 1");
    const chorus = placed.lines.filter((l) => l.section === "Chorus - anthemic");
    const instrumental = placed.sections.find((x) => x.kind === "instrumental")!;
    expect(verse.at(-1)!.end).toBeLessThanOrEqual(s(20));
    expect(chorus[0]!.start).toBeGreaterThanOrEqual(s(40));
    expect(instrumental.start).toBeGreaterThanOrEqual(verse.at(-1)!.end);
    expect(instrumental.end).toBeLessThanOrEqual(chorus[0]!.start);
    for (const line of placed.lines)
      expect(line.start >= instrumental.end || line.end <= instrumental.start).toBe(true);
  });

  it("gives lines sharing an interval time in proportion to their length; CJK characters count as syllables", () => {
    const lyrics = parseLyrics("Hi\nThis line is a good deal longer\n我爱你我爱你\n", "x.txt");
    const placed = placePlainLyrics(lyrics, [{ start: s(10), end: s(30) }], s(40));
    const [short, long, cjk] = placed.lines.map((l) => l.end - l.start);
    expect(long!).toBeGreaterThan(3 * short!);
    // Six syllables sing longer than the six letters of an English word would.
    expect(cjk!).toBeGreaterThan(short! * 6);
    expectInsideInOrder(placed.lines, [{ start: s(10), end: s(30) }]);
    expect(placed.lines[0]!.start).toBe(s(10));
    expect(placed.lines.at(-1)!.end).toBe(s(30));
  });

  it("uses the whole song, with a warning, when no vocal interval was detected", () => {
    const placed = placePlainLyrics(parseLyrics(SONG, "song.txt"), [], s(60));
    expectInsideInOrder(placed.lines, [{ start: 0, end: s(60) }]);
    expect(placed.warnings.some((w) => w.includes("no vocal intervals"))).toBe(true);
  });

  it("keeps lines whole and ordered when there are more intervals than lines, or blips", () => {
    const many: Span[] = Array.from({ length: 12 }, (_, i) => ({ start: s(i * 5), end: s(i * 5 + 3) }));
    many.push({ start: s(61), end: s(61.1) });
    const placed = placePlainLyrics(parseLyrics("One line\nTwo line\nThree\n", "x.txt"), many, s(70));
    expectInsideInOrder(placed.lines, many);
    expect(placed.lines.every((l) => l.end - l.start >= s(0.25))).toBe(true);
  });

  it("leaves timed lyrics as they are", () => {
    const timed = parseLyrics("[00:01.00]Hello\n[00:02.00]", "x.lrc");
    expect(placePlainLyrics(timed, vocal, s(70))).toBe(timed);
  });
});

describe("parseSectionTag", () => {
  it("reads Suno section tags, with numbers and modifiers, as sections of a normalised kind", () => {
    const cases: [string, string][] = [
      ["Verse", "verse"],
      ["Verse 2", "verse"],
      ["Chorus - anthemic", "chorus"],
      ["Final Chorus – Soaring High", "chorus"],
      ["Pre-Chorus", "pre-chorus"],
      ["Instrumental", "instrumental"],
      ["Instrumental Break", "instrumental"],
      ["Guitar Solo", "solo"],
      ["Intro", "intro"],
      ["Outro", "outro"],
      ["Bridge", "bridge"],
      ["End", "end"],
      ["Hook: Female Vocal", "hook"],
    ];
    for (const [tag, kind] of cases) expect(parseSectionTag(tag)).toEqual({ name: tag, kind });
  });

  it("treats production notes as no section", () => {
    for (const note of [
      "Soft, intimate",
      "Mood: Uplifting",
      "Structure: Intro → Verse → Chorus",
      "whispered",
      "ar:x",
    ])
      expect(parseSectionTag(note)).toBeUndefined();
  });
});
