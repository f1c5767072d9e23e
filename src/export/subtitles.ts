// Lyrics on screen: ASS subtitles with per-word karaoke timing, and a check that the font exists.
import type { LyricLine, Lyrics } from "../analysis/types.js";
import { MediaError, UserInputError } from "../errors/index.js";
import { runTool } from "../media/index.js";
import { SAMPLE_RATE } from "../time/index.js";

export type SubtitlePreset = "16:9" | "9:16" | "1:1";

export interface SubtitleStyle {
  readonly width: number;
  readonly height: number;
  readonly preset: SubtitlePreset;
  /** Font family; Debian's fonts-noto-cjk covers Chinese, Japanese and Latin. */
  readonly font?: string;
  /** Font size in pixels of the video; defaults to a size suited to the preset. */
  readonly fontSize?: number;
  /** Highlight each word as it is sung (`\k`), when word times are known. */
  readonly karaoke: boolean;
}

export const DEFAULT_SUBTITLE_FONT = "Noto Sans CJK SC";

/** A sample position as ASS centiseconds, rounded to nearest: the one rounding every time goes through. */
function centis(samples: number): number {
  return Math.round((Math.max(0, samples) * 100) / SAMPLE_RATE);
}

/** H:MM:SS.cc as ASS writes times. */
export function assClock(samples: number): string {
  const cs = centis(samples);
  const h = Math.floor(cs / 360_000);
  const m = Math.floor((cs % 360_000) / 6000);
  const s = Math.floor((cs % 6000) / 100);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${h}:${pad(m)}:${pad(s)}.${pad(cs % 100)}`;
}

/**
 * Lyric text made safe for an ASS Dialogue line: braces would open an override block and a backslash
 * would start a tag (\N, \h), so braces are escaped as libass reads them (\{ \}, as ffmpeg's own SRT→ASS
 * conversion does) and a backslash becomes a full-width reverse solidus (libass has no escape for it).
 * Line breaks become \N.
 */
export function escapeAssText(text: string): string {
  return text
    .replaceAll("\\", "\uFF3C")
    .replaceAll("{", "\\{")
    .replaceAll("}", "\\}")
    .replace(/\r\n|\r|\n/g, "\\N");
}

/** Words of Chinese or Japanese run together; others are separated by a space. */
const CLOSE_SCRIPT = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\u3000-\u303F\uFF00-\uFFEF]/u;

function joiner(before: string, after: string): string {
  return CLOSE_SCRIPT.test(before.slice(-1)) || CLOSE_SCRIPT.test(after.slice(0, 1)) ? "" : " ";
}

/**
 * The karaoke text of a line: each word's `\k` runs from its start to the next word's start (the last
 * to the line's end), all as differences of rounded cumulative positions, so the `\k` values add up
 * to exactly the line's duration in centiseconds and rounding never accumulates along the line.
 */
export function karaokeText(line: LyricLine): string {
  const words = (line.words ?? []).filter((w) => w.text.trim() !== "");
  if (words.length === 0) return escapeAssText(line.text);
  const lineStart = centis(line.start);
  const lineEnd = Math.max(lineStart, centis(line.end));
  // Word times outside the line are clamped to it, so the \k values still add up to the line.
  const within = (samples: number) => Math.min(lineEnd, Math.max(lineStart, centis(samples)));
  const parts: string[] = [];
  const first = within(words[0]!.start);
  if (first > lineStart) parts.push(`{\\k${first - lineStart}}`);
  let at = first;
  words.forEach((w, i) => {
    const next = i + 1 < words.length ? within(words[i + 1]!.start) : lineEnd;
    const end = Math.max(at, next);
    const sep = i > 0 ? joiner(words[i - 1]!.text, w.text) : "";
    parts.push(`${sep}{\\k${end - at}}${escapeAssText(w.text.trim())}`);
    at = end;
  });
  return parts.join("");
}

interface Layout {
  fontSize: number;
  marginV: number;
  marginH: number;
}

/** Sizes that read well per aspect: portrait video keeps lyrics above the lower UI of phone apps. */
function layout(style: SubtitleStyle): Layout {
  const short = Math.min(style.width, style.height);
  const fontSize = style.fontSize ?? Math.round(short * (style.preset === "9:16" ? 0.065 : 0.06));
  const marginV = Math.round(style.height * (style.preset === "9:16" ? 0.18 : 0.07));
  return { fontSize, marginV, marginH: Math.round(style.width * 0.06) };
}

function checkStyle(style: SubtitleStyle): void {
  for (const [field, v] of [
    ["width", style.width],
    ["height", style.height],
  ] as const) {
    if (!Number.isInteger(v) || v < 16)
      throw new UserInputError(`output.subtitles: ${field} must be a whole number of pixels ≥ 16, got ${v}`);
  }
  if (style.fontSize !== undefined && !(style.fontSize > 0))
    throw new UserInputError(`output.subtitles.fontSize must be positive, got ${style.fontSize}`);
  if (style.font !== undefined && /[,\n\r]/.test(style.font))
    throw new UserInputError(`output.subtitles.font "${style.font}" may not contain a comma or a line break`);
}

/** ASS subtitles of the lyrics: one Dialogue per line, karaoke-timed when asked and word times are known. */
export function toAss(lyrics: Lyrics, style: SubtitleStyle): string {
  checkStyle(style);
  const { fontSize, marginV, marginH } = layout(style);
  const font = style.font ?? DEFAULT_SUBTITLE_FONT;
  const outline = Math.max(1, Math.round(fontSize / 16));
  // Colours are &HAABBGGRR: sung text yellow, yet-to-sing white, black outline, translucent shadow.
  const head = [
    "[Script Info]",
    "; Lyrics written by refrain",
    "ScriptType: v4.00+",
    `PlayResX: ${style.width}`,
    `PlayResY: ${style.height}`,
    "WrapStyle: 0",
    "ScaledBorderAndShadow: yes",
    "YCbCr Matrix: TV.709",
    "",
    "[V4+ Styles]",
    "Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding",
    `Style: Lyrics,${font},${fontSize},&H0000D7FF,&H00FFFFFF,&H00000000,&H80000000,0,0,0,0,100,100,0,0,1,${outline},${Math.round(outline / 2)},2,${marginH},${marginH},${marginV},1`,
    "",
    "[Events]",
    "Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text",
  ];
  const events = [...lyrics.lines]
    .sort((a, b) => a.start - b.start)
    .filter((l) => centis(l.end) > centis(l.start) && l.text.trim() !== "")
    .map((l) => {
      const text = style.karaoke ? karaokeText(l) : escapeAssText(l.text);
      return `Dialogue: 0,${assClock(l.start)},${assClock(l.end)},Lyrics,,0,0,0,,${text}`;
    });
  return `${[...head, ...events].join("\n")}\n`;
}

/** Characters libass could not find in the chosen font, from ffmpeg's log at -loglevel info. Pure. */
export function missingGlyphs(log: string): string[] {
  const found: string[] = [];
  for (const m of log.matchAll(/Glyph 0x([0-9A-Fa-f]+) not found/g)) {
    found.push(String.fromCodePoint(Number.parseInt(m[1]!, 16)));
  }
  return [...new Set(found)];
}

/** Throws a clear error when fontconfig does not know the font family (run before a render). */
export async function checkFont(
  fontName: string,
  options: { fcList?: string; signal?: AbortSignal } = {},
): Promise<void> {
  const fcList = options.fcList ?? "fc-list";
  let families: string;
  try {
    const { stdout } = await runTool(fcList, [`:family=${fontName}`, "family"], {
      captureStdout: true,
      signal: options.signal,
    });
    families = stdout.toString("utf8");
  } catch (e) {
    if (e instanceof MediaError)
      throw new MediaError(`cannot check subtitle font ${fontName}: fc-list did not run`, {
        cause: e,
        hint: "install fontconfig (apt-get install fontconfig)",
      });
    throw e;
  }
  if (families.trim() === "") {
    throw new UserInputError(`subtitle font ${fontName} not installed`, {
      hint: "install it (Debian: apt-get install fonts-noto-cjk), or set output.subtitles: soft or none in refrain.yaml",
    });
  }
}
