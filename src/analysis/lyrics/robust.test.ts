// Whatever bytes arrive, parseLyrics returns lyrics or one UserInputError: never another exception, never a hang.

import { describe, expect, it } from "vitest";
import { UserInputError } from "../../errors/index.js";
import { seededRandom } from "../../testing/index.js";
import { secondsToSamples as s } from "../../time/index.js";
import { parseLyrics } from "./index.js";

// Pieces of every format, shuffled into broken files.
const PIECES = [
  "[00:12.34]",
  "[99:59.99]",
  "[00:60.00]",
  "[offset:+99999]",
  "[offset:-5000]",
  "<00:01.00>",
  "<00:1",
  "[Chorus]",
  "[Instrumental]",
  "[ar:x]",
  "word ",
  "我爱你",
  "(ooh)",
  "(",
  ")",
  "\n",
  "\r\n",
  "\n\n",
  "00:00:01,000 --> 00:00:02,000",
  "00:00:03,000 --> 00:00:01,000",
  "-->",
  "1",
  '{"word":"a\\n","startS":1,"endS":2}',
  '"startS":-1',
  "[",
  "]",
  "{",
  "}",
  ",",
];

describe("parseLyrics on broken input", () => {
  it("returns lyrics within the song or throws a UserInputError for 400 random files", () => {
    const next = seededRandom(42);
    for (let n = 0; n < 400; n++) {
      const parts = Array.from(
        { length: 1 + Math.floor(next() * 30) },
        () => PIECES[Math.floor(next() * PIECES.length)],
      );
      const text = parts.join("");
      const name = ["a.lrc", "a.srt", "a.json", "a.txt"][n % 4]!;
      const duration = s(30);
      try {
        const lyrics = parseLyrics(text, name, { durationSamples: duration });
        for (const line of lyrics.lines) {
          expect(line.start).toBeGreaterThanOrEqual(0);
          expect(line.end).toBeGreaterThan(line.start);
          expect(line.end).toBeLessThanOrEqual(duration);
          for (const w of line.words ?? []) {
            expect(w.start).toBeGreaterThanOrEqual(line.start);
            expect(w.end).toBeLessThanOrEqual(line.end);
          }
        }
        for (const x of lyrics.sections) expect(x.end).toBeLessThanOrEqual(duration);
      } catch (e) {
        if (!(e instanceof UserInputError)) throw new Error(`input ${JSON.stringify(text)} as ${name}: ${e}`);
        expect(e.shortMessage).not.toContain("\n");
      }
    }
  });

  it("refuses UTF-16 saved without a BOM rather than reading NUL-riddled text", () => {
    const bytes = new Uint8Array([...new TextEncoder().encode("[00:01.00]Hi")].flatMap((b) => [b, 0]));
    expect(() => parseLyrics(bytes, "x.lrc")).toThrow(/^x\.lrc: not a text file/);
  });
});
