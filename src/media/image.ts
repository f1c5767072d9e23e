// Writing pictures drawn in code (the demo singer, analysis plots) as PNG files, with text burnt in by libass.

import { rm, writeFile } from "node:fs/promises";
import { basename, dirname, extname, join } from "node:path";
import { Cancelled, MediaError } from "../errors/index.js";
import { tempSibling, withTempOutput } from "../files/index.js";
import { escapeFilterValue } from "./escape.js";
import { runFfmpeg } from "./run.js";
import type { Tools } from "./tools.js";

export interface RgbPixels {
  width: number;
  height: number;
  /** rgb24, row by row. */
  pixels: Uint8Array;
}

export interface WritePngOptions {
  signal?: AbortSignal;
  onCommand?: (l: string) => void;
  /** An ASS document sized to the image (PlayRes = width × height), drawn over the pixels. */
  text?: string;
}

export interface WritePngResult {
  /** Why the text is missing or incomplete (no font, no libass); the picture was written all the same. */
  warnings: string[];
}

/**
 * Characters libass found no font for, from ffmpeg's log at -loglevel warning. "\0" means it found
 * no font at all (fontconfig knows none). Pure.
 */
export function fontlessGlyphs(log: string): string[] {
  const found = new Set<string>();
  for (const m of log.matchAll(/failed to find any fallback with glyph 0x([0-9A-Fa-f]+)/g))
    found.add(String.fromCodePoint(Number.parseInt(m[1]!, 16)));
  return [...found];
}

const FONT_HINT = "install fontconfig and a font (Debian: apt-get install fonts-noto-cjk)";

function encodeArgs(image: RgbPixels, out: string, filter?: string): string[] {
  return [
    "-f",
    "rawvideo",
    "-pix_fmt",
    "rgb24",
    "-s",
    `${image.width}x${image.height}`,
    "-i",
    "pipe:0",
    ...(filter ? ["-vf", filter] : []),
    "-frames:v",
    "1",
    "-update",
    "1",
    "-f",
    "image2",
    "-c:v",
    "png",
    out,
  ];
}

/**
 * Writes the pixels as a PNG, atomically. With `text`, libass draws it over the pixels; when that
 * cannot be done (ffmpeg without libass, no font installed), the picture is written without the
 * text, or with what could be drawn, and the result says why instead of failing.
 */
export async function writePng(
  tools: Tools,
  image: RgbPixels,
  path: string,
  options: WritePngOptions = {},
): Promise<WritePngResult> {
  const { text, ...run } = options;
  const plain = (tmp: string) => runFfmpeg(tools, encodeArgs(image, tmp), { ...run, stdin: image.pixels });
  if (text === undefined) {
    await withTempOutput(path, plain);
    return { warnings: [] };
  }
  const warnings: string[] = [];
  const assPath = tempSibling(join(dirname(path), `${basename(path, extname(path))}.ass`));
  try {
    await writeFile(assPath, text);
    await withTempOutput(path, async (tmp) => {
      try {
        // -loglevel warning (after runFfmpeg's "error") lets libass say which glyphs it found no font for.
        const { stderr } = await runFfmpeg(
          tools,
          ["-loglevel", "warning", ...encodeArgs(image, tmp, `ass=filename=${escapeFilterValue(assPath)}`)],
          { ...run, stdin: image.pixels },
        );
        const missing = fontlessGlyphs(stderr);
        if (missing.includes("\0")) warnings.push(`no font found: the picture has no text (${FONT_HINT})`);
        else if (missing.length > 0)
          warnings.push(
            `no font has ${missing.map((c) => `"${c}"`).join(" ")}: that text is missing (${FONT_HINT})`,
          );
      } catch (e) {
        if (!(e instanceof MediaError) || e instanceof Cancelled) throw e;
        warnings.push(`could not draw the text (${e.shortMessage}): wrote the picture without it`);
        await plain(tmp);
      }
    });
  } finally {
    await rm(assPath, { force: true });
  }
  return { warnings };
}
