// The lyrics file: what its header and sections mean, and what `refrain lyrics check` reports.
import { describe, expect, it } from "vitest";
import { checkLyrics, lyricsLimits, parseLyricsFile } from "./index.js";

const SONG = `---
title: Night Drive
style: synthwave, female vocals, 110 bpm
exclude: metal, screaming
vocal_gender: f
weirdness: 0.3
style_weight: 0.8
---
[Intro]

[Verse]
Headlights on the empty road
(on the road)

[Chorus - anthemic]
We drive until the morning comes

[End]
`;

const codes = (text: string, api: "sunoapi" | "acestep" = "sunoapi", model?: string) =>
  checkLyrics(parseLyricsFile(text, "song.txt"), api, model).map((f) => `${f.code}@${f.line}`);

describe("parseLyricsFile", () => {
  it("reads the header fields under the names a writer uses", () => {
    const f = parseLyricsFile(SONG, "song.txt");
    expect(f.header).toEqual({
      title: "Night Drive",
      style: "synthwave, female vocals, 110 bpm",
      exclude: "metal, screaming",
      vocalGender: "f",
      weirdness: 0.3,
      styleWeight: 0.8,
      model: undefined,
      instrumental: undefined,
    });
  });

  it("splits sections with their modifiers and keeps each line's number", () => {
    const f = parseLyricsFile(SONG, "song.txt");
    expect(f.sections.map((s) => [s.name, s.modifiers, s.line])).toEqual([
      ["Intro", [], 9],
      ["Verse", [], 11],
      ["Chorus", ["anthemic"], 15],
      ["End", [], 18],
    ]);
    expect(f.sections[1]!.lines).toEqual([
      { line: 12, text: "Headlights on the empty road" },
      { line: 13, text: "(on the road)" },
    ]);
    expect(f.body.startsWith("[Intro]")).toBe(true);
  });

  it("names the file, line and field of a bad header", () => {
    expect(() => parseLyricsFile("---\ntitle: x\nweirdness: 3\n---\n[Verse]\nla", "a.txt")).toThrow(
      /^a\.txt:3: weirdness: /,
    );
    expect(() => parseLyricsFile("---\ntitel: x\n---\n", "a.txt")).toThrow(/a\.txt:2: unknown field "titel"/);
    expect(() => parseLyricsFile("---\ntitle: x\n[Verse]\n", "a.txt")).toThrow(/a\.txt:1: .*no closing ---/);
  });

  it("reads a file without header as lyrics only", () => {
    const f = parseLyricsFile("[Verse]\nla la", "a.txt");
    expect(f.header).toEqual({});
    expect(f.sections).toHaveLength(1);
  });
});

describe("checkLyrics", () => {
  it("finds nothing wrong in a well-formed song", () => {
    expect(codes(SONG)).toEqual([]);
  });

  it("reports structure problems at their lines", () => {
    const text = `---\ntitle: t\nstyle: s\n---\nstray line\n[Verse]\n(unclosed backing\n[Chorus]\n[Kazoo Part]\nla\n`;
    expect(codes(text)).toEqual(["outside-section@5", "unbalanced@7", "empty-section@8", "unknown-tag@9"]);
  });

  it("warns when a sung song has no chorus, and about tags after [End]", () => {
    expect(codes("---\ntitle: t\nstyle: s\n---\n[Verse]\nla\n[End]\n[Outro]\n")).toEqual([
      "no-chorus@5",
      "after-end@8",
    ]);
  });

  it("holds the lyrics, style and title to the model's limits", () => {
    const long = (n: number) => "x".repeat(n);
    const text = (style: number, title: number, lyrics: number) =>
      `---\ntitle: ${long(title)}\nstyle: ${long(style)}\n---\n[Chorus]\n${long(lyrics)}\n`;
    expect(codes(text(201, 81, 3001), "sunoapi", "V4")).toEqual([
      "over-limit@1",
      "over-limit@1",
      "over-limit@5",
    ]);
    expect(codes(text(201, 81, 3001), "sunoapi", "V5")).toEqual([]);
    expect(codes(text(1001, 101, 5001), "sunoapi", "V5")).toEqual([
      "over-limit@1",
      "over-limit@1",
      "over-limit@5",
    ]);
    expect(codes(text(1001, 101, 6000), "acestep")).toEqual([]);
    const msg = checkLyrics(parseLyricsFile(text(10, 10, 3001), "s.txt"), "sunoapi", "V4")[0]!.message;
    expect(msg).toContain("3000");
  });

  it("uses the model named in the header when none is given", () => {
    const text = `---\ntitle: t\nstyle: ${"x".repeat(300)}\nmodel: V4\n---\n[Chorus]\nla\n`;
    expect(codes(text)).toEqual(["over-limit@1"]);
  });

  it("counts Chinese characters, not bytes", () => {
    const text = `---\ntitle: ${"夜".repeat(80)}\nstyle: s\nmodel: V4\n---\n[Chorus]\n啦\n`;
    expect(codes(text)).toEqual([]);
  });

  it("asks for what the Suno API requires", () => {
    expect(codes("[Chorus]\nla\n")).toEqual(["missing-title@1", "missing-style@1"]);
    expect(codes("---\ntitle: t\nstyle: s\n---\n")).toEqual(["no-lyrics@5"]);
    expect(codes("---\ntitle: t\nstyle: s\ninstrumental: true\n---\n[Instrumental]\n")).toEqual([]);
  });

  it("knows the limits of each API", () => {
    expect(lyricsLimits("sunoapi", "V4_5ALL")).toEqual({ prompt: 5000, style: 1000, title: 80 });
    expect(lyricsLimits("suno-self-hosted").prompt).toBe(3000);
  });
});
