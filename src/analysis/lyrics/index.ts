// Lyric timings imported from LRC, enhanced LRC, SRT, Suno aligned words or plain lyrics, as integer samples.

import { UserInputError } from "../../errors/index.js";
import type { LyricLine, Lyrics } from "../types.js";
import { finish, noLinesError } from "./draft.js";
import { looksLikeLrc, parseLrc } from "./lrc.js";
import { parsePlain } from "./plain.js";
import { looksLikeSrt, parseSrt } from "./srt.js";
import { parseSunoJson } from "./suno.js";
import { decodeLyricsText } from "./text.js";

export { placePlainLyrics } from "./place.js";
export { DEFAULT_VOCAL_GAP_SAMPLES, vocalFromLyrics, wordSpans } from "./spans.js";
export { parseSectionTag } from "./text.js";
export { toLrc, toSrt } from "./write.js";

export interface ParseLyricsOptions {
  /** The song's length: lines past it are dropped or clipped, with a warning. */
  readonly durationSamples?: number;
}

/**
 * Reads a lyrics file's contents (the caller reads the file). The format is told by the content, with
 * the extension as a hint: Suno aligned-words JSON, SRT, LRC (enhanced or not), else plain lyrics with
 * Suno meta-tags, whose times are estimates until `placePlainLyrics` puts them over the vocals.
 * Malformed lines are skipped with a `file:line` warning; no usable line at all is a UserInputError.
 */
export function parseLyrics(
  text: string | Uint8Array,
  fileName: string,
  options: ParseLyricsOptions = {},
): Lyrics {
  const { durationSamples } = options;
  if (durationSamples !== undefined && !(Number.isInteger(durationSamples) && durationSamples > 0))
    throw new RangeError(`durationSamples must be a positive integer: ${durationSamples}`);
  const content = decodeLyricsText(text, fileName);
  if (!content.trim()) throw noLinesError(fileName);
  const ext = /\.([a-z0-9]+)$/i.exec(fileName)?.[1]?.toLowerCase() ?? "";

  const first = content.trimStart()[0];
  if (ext === "json" || first === "{" || first === "[") {
    let json: unknown;
    let parsed = false;
    try {
      json = JSON.parse(content);
      parsed = true;
    } catch (cause) {
      if (ext === "json") throw badJson(content, fileName, cause);
      // "[Verse]" or "[00:12.00]" start plain lyrics and LRC too.
    }
    if (parsed) return finish(parseSunoJson(json, content, fileName), fileName, durationSamples);
  }
  if (looksLikeSrt(content) || (ext === "srt" && !looksLikeLrc(content)))
    return finish(parseSrt(content, fileName), fileName, durationSamples);
  if (looksLikeLrc(content) || ext === "lrc")
    return finish(parseLrc(content, fileName), fileName, durationSamples);
  return finish(parsePlain(content, fileName, durationSamples), fileName, durationSamples);
}

/** One line naming where the JSON broke; the parser's own message may quote whole lines of the file. */
function badJson(content: string, fileName: string, cause: unknown): UserInputError {
  const position = /position (\d+)/.exec(String((cause as Error)?.message))?.[1];
  const line = position === undefined ? undefined : content.slice(0, Number(position)).split("\n").length;
  return new UserInputError(
    `${fileName}${line === undefined ? "" : `:${line}`}: not valid JSON — expected Suno aligned words`,
    { file: fileName, cause },
  );
}

/** Whether a line is sung by backing vocals only (written wholly in parentheses). */
export function isBackingLine(line: LyricLine): boolean {
  return (line.backing ?? []).some(([from, to]) => from === 0 && to === line.text.length);
}
