// ASS lyrics: karaoke timing that adds up exactly, safe text, a real burn with Chinese and English.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LyricLine, Lyrics } from "../analysis/types.js";
import { findTools, runTool } from "../media/index.js";
import { secondsToSamples } from "../time/index.js";
import { assClock, checkFont, escapeAssText, karaokeText, missingGlyphs, toAss } from "./index.js";

const s = secondsToSamples;

function lyricsOf(lines: LyricLine[]): Lyrics {
  return { lines, sections: [], estimated: false, format: "lrc-enhanced", warnings: [] };
}

/** Words at awkward sample positions (not whole centiseconds), so rounding would show if it accumulated. */
function wordsLine(start: number, texts: string[], step: number): LyricLine {
  const words = texts.map((text, i) => ({ text, start: start + i * step, end: start + (i + 1) * step - 17 }));
  return { text: texts.join(" "), start, end: start + texts.length * step, words };
}

const kSum = (text: string) => [...text.matchAll(/\\k(\d+)/g)].reduce((a, m) => a + Number(m[1]), 0);
const centis = (samples: number) => Math.round((samples * 100) / 48_000);

describe("karaoke timing", () => {
  it("makes the \\k values of a line add up to its duration in centiseconds", () => {
    for (const step of [333, 4_807, 7_211, 12_345]) {
      const line = wordsLine(s(1.234) + 7, ["one", "two", "three", "four", "five", "six", "seven"], step);
      expect(kSum(karaokeText(line))).toBe(centis(line.end) - centis(line.start));
    }
  });

  it("holds the line before its first word with an empty \\k and keeps words in order", () => {
    const line: LyricLine = {
      text: "hello world",
      start: s(10),
      end: s(11.5),
      words: [
        { text: "hello", start: s(10.25), end: s(10.75) },
        { text: "world", start: s(10.8), end: s(11.4) },
      ],
    };
    expect(karaokeText(line)).toBe("{\\k25}{\\k55}hello {\\k70}world");
  });

  it("runs Chinese words together and clamps words that spill past the line", () => {
    const line: LyricLine = {
      text: "你好世界",
      start: s(1),
      end: s(2),
      words: [
        { text: "你好", start: s(1), end: s(1.5) },
        { text: "世界", start: s(1.5), end: s(2.4) },
        { text: "啊", start: s(2.2), end: s(2.4) },
      ],
    };
    const text = karaokeText(line);
    expect(text).toBe("{\\k50}你好{\\k50}世界{\\k0}啊");
    expect(kSum(text)).toBe(100);
  });
});

describe("toAss", () => {
  const style = { width: 1920, height: 1080, preset: "16:9", karaoke: true } as const;
  const lyrics = lyricsOf([
    wordsLine(s(2), ["sing", "it", "loud"], s(0.4)),
    { text: "no words here", start: s(4), end: s(6) },
  ]);

  it("writes a complete script sized to the video with the default CJK font", () => {
    const ass = toAss(lyrics, style);
    expect(ass).toContain("PlayResX: 1920\nPlayResY: 1080");
    expect(ass).toMatch(/^Style: Lyrics,Noto Sans CJK SC,65,/m);
    const dialogues = ass.split("\n").filter((l) => l.startsWith("Dialogue:"));
    expect(dialogues).toEqual([
      "Dialogue: 0,0:00:02.00,0:00:03.20,Lyrics,,0,0,0,,{\\k40}sing {\\k40}it {\\k40}loud",
      "Dialogue: 0,0:00:04.00,0:00:06.00,Lyrics,,0,0,0,,no words here",
    ]);
  });

  it("writes whole lines without \\k when karaoke is off, and places portrait lyrics higher", () => {
    const ass = toAss(lyrics, {
      width: 1080,
      height: 1920,
      preset: "9:16",
      karaoke: false,
      font: "DejaVu Sans",
    });
    expect(ass).not.toContain("\\k");
    expect(ass).toMatch(/^Style: Lyrics,DejaVu Sans,70,.*,2,65,65,346,1$/m);
  });

  it("rejects a style that cannot be written, naming the field", () => {
    expect(() => toAss(lyrics, { ...style, width: 0 })).toThrow(/output\.subtitles: width/);
    expect(() => toAss(lyrics, { ...style, font: "Evil,Font" })).toThrow(/may not contain a comma/);
  });

  it("escapes braces, backslashes and line breaks so lyrics cannot inject tags", () => {
    expect(escapeAssText("a {\\b1} b\\Nc\nd")).toBe("a \\{＼b1\\} b＼Nc\\Nd");
    const ass = toAss(lyricsOf([{ text: "{\\pos(0,0)}x", start: 0, end: s(1) }]), style);
    expect(ass).toContain(",,\\{＼pos(0,0)\\}x\n");
  });

  it("formats times as H:MM:SS.cc", () => {
    expect(assClock(s(3723.456))).toBe("1:02:03.46");
  });
});

describe("burning into video (ffmpeg ass filter, real run)", () => {
  const tools = findTools();
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "refrain-subs-"));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function burn(ass: string): Promise<string> {
    const file = join(dir, "lyrics.ass");
    await writeFile(file, ass);
    const { stderr } = await runTool(tools.ffmpeg, [
      "-hide_banner",
      "-nostdin",
      "-loglevel",
      "info",
      "-f",
      "lavfi",
      "-i",
      "color=c=navy:s=320x180:r=25:d=1.2",
      "-vf",
      `ass=${file}`,
      "-f",
      "null",
      "-",
    ]);
    return stderr;
  }

  it("renders Chinese and English lyrics in the default font without a missing glyph", async () => {
    await checkFont("Noto Sans CJK SC");
    const mixed = lyricsOf([
      {
        text: "我爱你 love you",
        start: 0,
        end: s(1),
        words: [
          { text: "我爱你", start: 0, end: s(0.5) },
          { text: "love", start: s(0.5), end: s(0.75) },
          { text: "you", start: s(0.75), end: s(1) },
        ],
      },
    ]);
    const log = await burn(toAss(mixed, { width: 320, height: 180, preset: "16:9", karaoke: true }));
    expect(log).toMatch(/fontselect: \(Noto Sans CJK SC/);
    expect(missingGlyphs(log)).toEqual([]);
  });

  it("notices missing glyphs when a Latin-only font is asked for Chinese", async () => {
    const log = await burn(
      toAss(lyricsOf([{ text: "中文", start: 0, end: s(1) }]), {
        width: 320,
        height: 180,
        preset: "16:9",
        karaoke: false,
        font: "DejaVu Sans",
      }),
    );
    expect(missingGlyphs(log)).toContain("中");
  });

  it("names the missing font and the fix when fontconfig does not have it", async () => {
    await expect(checkFont("No Such Font Refrain")).rejects.toThrow(
      "subtitle font No Such Font Refrain not installed — install it (Debian: apt-get install fonts-noto-cjk), or set output.subtitles: soft or none in refrain.yaml",
    );
  });
});
