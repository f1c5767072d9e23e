// writePng with text: libass draws a label where its ASS says and nowhere else; without a font the picture is still written, with a warning.
import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTools, fontlessGlyphs, probeImage, runFfmpeg, writePng } from "./index.js";

const tools = findTools(process.env);
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "png-text-"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const W = 320;
const H = 120;
const grey = { width: W, height: H, pixels: new Uint8Array(W * H * 3).fill(200) };

/** One black label at (x, y), top-left anchored, in an ASS document sized to the picture. */
function label(x: number, y: number, text: string): string {
  return [
    "[Script Info]",
    "ScriptType: v4.00+",
    `PlayResX: ${W}`,
    `PlayResY: ${H}`,
    "WrapStyle: 2",
    "",
    "[V4+ Styles]",
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
    "Style: L,Noto Sans CJK SC,24,&H00000000,&H00000000,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,0,0,7,0,0,0,1",
    "",
    "[Events]",
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
    `Dialogue: 0,0:00:00.00,9:00:00.00,L,,0,0,0,,{\\an7\\pos(${x},${y})}${text}`,
    "",
  ].join("\n");
}

/** The pixels (x, y) whose colour differs from the plain grey. */
async function changedPixels(path: string): Promise<{ x: number; y: number }[]> {
  const { stdout } = await runFfmpeg(tools, ["-i", path, "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"], {
    captureStdout: true,
  });
  const changed: { x: number; y: number }[] = [];
  for (let i = 0; i < W * H; i++)
    if (stdout[i * 3] !== 200 || stdout[i * 3 + 1] !== 200 || stdout[i * 3 + 2] !== 200)
      changed.push({ x: i % W, y: Math.floor(i / W) });
  return changed;
}

describe("writePng with text", () => {
  it("draws a label where it is placed and changes nothing far from it", async () => {
    const out = join(dir, "label.png");
    const result = await writePng(tools, grey, out, { text: label(200, 70, "1:05 你好") });
    expect(result.warnings).toEqual([]);
    const changed = await changedPixels(out);
    expect(changed.length).toBeGreaterThan(50);
    // All of it inside the label's box: from (200, 70), at most ~6 characters of a 24-unit font.
    for (const p of changed) {
      expect(p.x).toBeGreaterThanOrEqual(198);
      expect(p.x).toBeLessThan(320);
      expect(p.y).toBeGreaterThanOrEqual(68);
      expect(p.y).toBeLessThan(100);
    }
    // The .ass beside the output and the partial file are gone.
    expect(await readdir(dir)).toEqual(["label.png"]);
  }, 10_000);

  it("writes the plain picture when there is no text", async () => {
    const out = join(dir, "plain.png");
    expect(await writePng(tools, grey, out)).toEqual({ warnings: [] });
    expect(await changedPixels(out)).toEqual([]);
  }, 10_000);

  it("without any font still writes the picture, and says why it has no text", async () => {
    // fontconfig reading an empty configuration knows no font at all, as on a bare machine.
    const conf = join(dir, "empty-fonts.conf");
    await writeFile(conf, '<?xml version="1.0"?>\n<fontconfig></fontconfig>\n');
    const saved = process.env.FONTCONFIG_FILE;
    process.env.FONTCONFIG_FILE = conf;
    const out = join(dir, "nofont.png");
    try {
      const result = await writePng(tools, grey, out, { text: label(10, 10, "no font") });
      expect(result.warnings).toHaveLength(1);
      expect(result.warnings[0]).toMatch(
        /no font found: the picture has no text \(install .*fonts-noto-cjk\)/,
      );
    } finally {
      if (saved === undefined) delete process.env.FONTCONFIG_FILE;
      else process.env.FONTCONFIG_FILE = saved;
    }
    expect(await probeImage(tools, out)).toMatchObject({ video: { width: W, height: H } });
  }, 10_000);

  it("keeps the picture, untouched, when the text cannot be drawn at all", async () => {
    // libass refuses a document that is not ASS, and the filter fails, as ffmpeg without libass would.
    const out = join(dir, "broken.png");
    const result = await writePng(tools, grey, out, { text: "not an ASS document\n" });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^could not draw the text \(ffmpeg failed .*\): wrote the picture without it$/,
    );
    expect(await changedPixels(out)).toEqual([]);
    expect((await readdir(dir)).filter((f) => f.includes("broken"))).toEqual(["broken.png"]);
  }, 10_000);
});

describe("fontlessGlyphs", () => {
  it("reads which characters libass found no font for; NUL means no font at all", () => {
    const log = [
      "[Parsed_ass_0 @ 0x5] fontselect: failed to find any fallback with glyph 0x939 for font: (Noto Sans CJK SC, 400, 0)",
      "[Parsed_ass_0 @ 0x5] fontselect: failed to find any fallback with glyph 0x1F3B5 for font: (Noto Sans CJK SC, 400, 0)",
      "[Parsed_ass_0 @ 0x5] fontselect: failed to find any fallback with glyph 0x939 for font: (Noto Sans CJK SC, 700, 0)",
      "[Parsed_ass_0 @ 0x6] fontselect: failed to find any fallback with glyph 0x0 for font: (Noto Sans CJK SC, 400, 0)",
    ].join("\n");
    expect(fontlessGlyphs(log)).toEqual(["ह", "🎵", "\0"]);
    expect(fontlessGlyphs("[image2 @ 0x1] frame written")).toEqual([]);
  });
});
