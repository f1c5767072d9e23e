// What parseLyrics accepts as input: encodings, line endings, empty files, and how it tells formats apart.

import { describe, expect, it } from "vitest";
import { UserInputError } from "../../errors/index.js";
import { secondsToSamples as s } from "../../time/index.js";
import { parseLyrics } from "./index.js";

const LRC = "[00:01.00]Hello\n[00:02.00]世界\n[00:03.00]";
const utf8 = (text: string) => new TextEncoder().encode(text);

function utf16(text: string, bigEndian: boolean): Uint8Array {
  const bytes = new Uint8Array(2 + text.length * 2);
  bytes.set(bigEndian ? [0xfe, 0xff] : [0xff, 0xfe]);
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const [hi, lo] = [code >> 8, code & 0xff];
    bytes.set(bigEndian ? [hi, lo] : [lo, hi], 2 + i * 2);
  }
  return bytes;
}

describe("parseLyrics input", () => {
  it("reads UTF-8 bytes, with or without a BOM, the same as text", () => {
    const fromText = parseLyrics(LRC, "a.lrc");
    expect(parseLyrics(utf8(LRC), "a.lrc")).toEqual(fromText);
    expect(parseLyrics(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8(LRC)]), "a.lrc")).toEqual(fromText);
    expect(parseLyrics(`\uFEFF${LRC}`, "a.lrc")).toEqual(fromText);
  });

  it("reads UTF-16 with a BOM, little or big endian", () => {
    const fromText = parseLyrics(LRC, "a.lrc");
    expect(parseLyrics(utf16(LRC, false), "a.lrc")).toEqual(fromText);
    expect(parseLyrics(utf16(LRC, true), "a.lrc")).toEqual(fromText);
  });

  it("refuses bytes that are not UTF-8 with a UserInputError naming the file", () => {
    const latin1 = new Uint8Array([...utf8("[00:01.00]Caf"), 0xe9, 0x0a]);
    const attempt = () => parseLyrics(latin1, "cafe.lrc");
    expect(attempt).toThrow(UserInputError);
    expect(attempt).toThrow(/^cafe\.lrc: not valid UTF-8/);
    try {
      attempt();
    } catch (e) {
      expect((e as UserInputError).file).toBe("cafe.lrc");
    }
  });

  it("refuses an empty file, or one with no usable line, with the one-line message", () => {
    const message =
      "empty.lrc: no timed lyric lines found — expected LRC [mm:ss.xx], SRT, Suno aligned-words JSON or plain lyrics";
    for (const text of ["", "  \n\r\n", new Uint8Array()]) {
      expect(() => parseLyrics(text, "empty.lrc")).toThrow(message);
    }
    expect(() => parseLyrics("[ar:Someone]\n[ti:Nothing]\n", "empty.lrc")).toThrow(message);
    expect(() => parseLyrics("just words\n[00:99.00]bad\n", "empty.lrc")).toThrow(message);
    expect(() => parseLyrics("[Intro]\n[Instrumental]\n", "empty.txt")).toThrow(UserInputError);
  });

  it("tells the format from the content, whatever the extension", () => {
    expect(parseLyrics(LRC, "lyrics.txt").format).toBe("lrc");
    expect(parseLyrics("1\n00:00:01,000 --> 00:00:02,000\nHi\n", "lyrics.lrc").format).toBe("srt");
    expect(parseLyrics('[{"word":"Hi\\n","startS":1,"endS":2}]', "lyrics.txt").format).toBe("suno");
    expect(parseLyrics("[Verse]\nHello there\n", "lyrics.txt").format).toBe("plain");
  });

  it("treats a .lrc without any time tag as broken LRC, not as plain lyrics to estimate", () => {
    expect(() => parseLyrics("[Verse]\nHello there\n", "lyrics.lrc")).toThrow(
      /^lyrics\.lrc: no timed lyric lines/,
    );
  });

  it("refuses a duration that is not a positive whole number of samples", () => {
    expect(() => parseLyrics(LRC, "a.lrc", { durationSamples: 1.5 })).toThrow(RangeError);
    expect(parseLyrics(LRC, "a.lrc", { durationSamples: s(60) }).lines).toHaveLength(2);
  });
});
