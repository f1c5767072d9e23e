// Text-level helpers shared by the lyric parsers: decoding, CJK, sung length, Suno meta-tags, backing vocals.

import { UserInputError } from "../../errors/index.js";
import { secondsToSamples } from "../../time/index.js";

/**
 * Bytes or text to a string. UTF-8 (with or without BOM) and UTF-16 with a BOM are accepted; anything
 * else that is not valid UTF-8 is refused rather than shown as mojibake in the karaoke.
 */
export function decodeLyricsText(input: string | Uint8Array, fileName: string): string {
  if (typeof input === "string") return input.replace(/^\uFEFF/, "");
  let encoding = "utf-8";
  if (input[0] === 0xff && input[1] === 0xfe) encoding = "utf-16le";
  else if (input[0] === 0xfe && input[1] === 0xff) encoding = "utf-16be";
  let text: string;
  try {
    // The decoder drops the BOM itself (ignoreBOM defaults to false).
    text = new TextDecoder(encoding, { fatal: true }).decode(input);
  } catch (cause) {
    throw new UserInputError(
      `${fileName}: not valid ${encoding === "utf-8" ? "UTF-8" : encoding.toUpperCase()} text — save the lyrics file as UTF-8`,
      { file: fileName, cause },
    );
  }
  // NUL bytes are valid UTF-8 but never in lyrics: most likely UTF-16 saved without a BOM, or not text.
  if (text.includes("\u0000"))
    throw new UserInputError(
      `${fileName}: not a text file (NUL bytes; UTF-16 without a BOM?) — save the lyrics file as UTF-8`,
      {
        file: fileName,
      },
    );
  return text;
}

/** Splits on LF, CRLF or CR; index i is line i + 1 of the file. */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

const CJK_CHAR = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;
const CJK_GLOBAL = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/gu;
const OTHER_LETTER = /[\p{L}\p{N}]/gu;

/** Whether the text contains Chinese, Japanese or Korean characters (which are not split on spaces). */
export function hasCjk(text: string): boolean {
  return CJK_CHAR.test(text);
}

/** Latin letters per sung syllable, roughly; a CJK character is one syllable (or mora). */
const CHARS_PER_SYLLABLE = 3;

/** How much there is to sing, in letter units: letters and digits count 1, a CJK character a syllable. */
export function sungWeight(text: string): number {
  const cjk = text.match(CJK_GLOBAL)?.length ?? 0;
  const all = text.match(OTHER_LETTER)?.length ?? 0;
  return Math.max(1, all - cjk + cjk * CHARS_PER_SYLLABLE);
}

/** A guess at how long a line takes to sing when nothing says where it ends: ~0.3 s per syllable. */
export function estimatedLengthSamples(text: string): number {
  const seconds = Math.min(10, Math.max(1.5, sungWeight(text) * 0.1));
  return secondsToSamples(seconds);
}

/** Parenthesised parts of a text as [from, to) offsets including the parentheses; an unclosed one runs to the end. */
export function backingRanges(text: string): [number, number][] {
  const ranges: [number, number][] = [];
  let open = -1;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "(" || c === "（") {
      if (depth === 0) open = i;
      depth++;
    } else if ((c === ")" || c === "）") && depth > 0) {
      depth--;
      if (depth === 0) ranges.push([open, i + 1]);
    }
  }
  if (depth > 0) ranges.push([open, text.length]);
  return ranges;
}

/** Collapses runs of whitespace and trims: the sung text as a viewer should read it. */
export function tidy(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}

/** Removes bracketed production notes ("[whispered]") from a sung line; they are not sung. */
export function stripInstructions(text: string): string {
  return tidy(text.replace(/\[[^\]]*\]/g, " "));
}

export interface SectionTag {
  readonly name: string;
  readonly kind: string;
}

// Order matters: compound names before their parts.
const SECTION_KINDS: readonly (readonly [RegExp, string])[] = [
  [/^pre[\s-]?chorus$/, "pre-chorus"],
  [/^post[\s-]?chorus$/, "post-chorus"],
  [/^chorus$/, "chorus"],
  [/^refrain$/, "chorus"],
  [/^verse$/, "verse"],
  [/^intro$/, "intro"],
  [/^outro$/, "outro"],
  [/^fade[\s-]?out$/, "outro"],
  [/^bridge$/, "bridge"],
  [/^hook$/, "hook"],
  [/^instrumental$/, "instrumental"],
  [/^interlude$/, "interlude"],
  [/^solo$/, "solo"],
  [/^breakdown$/, "breakdown"],
  [/^break$/, "break"],
  [/^drop$/, "drop"],
  [/^build[\s-]?up$/, "build-up"],
  [/^end$/, "end"],
];

/** Kinds during which nobody sings; plain lyrics are placed around them. */
export const INSTRUMENTAL_KINDS: ReadonlySet<string> = new Set([
  "instrumental",
  "interlude",
  "solo",
  "break",
]);

/**
 * A Suno meta-tag such as "Verse 2", "Chorus - anthemic" or "Guitar Solo" as a section, or undefined for
 * production notes ("Soft, intimate", "Mood: Uplifting") that only steer the music model. The kind must be
 * named in the first few words, before any separator, so "Structure: Intro → Verse" is not an intro.
 */
export function parseSectionTag(inner: string): SectionTag | undefined {
  const name = tidy(inner);
  const head = name.split(/\s+[-–—:|]\s*|[:,(]/)[0] ?? "";
  const words = head
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w && !/^\d+$/.test(w))
    .slice(0, 3);
  // Try two-word names first ("pre chorus", "fade out"), then single words.
  for (let i = 0; i < words.length; i++) {
    const pair = i + 1 < words.length ? `${words[i]} ${words[i + 1]}` : undefined;
    for (const candidate of pair ? [pair, words[i]!] : [words[i]!]) {
      const bare = candidate.replace(/[^a-z\s-]/g, "");
      for (const [pattern, kind] of SECTION_KINDS) if (pattern.test(bare)) return { name, kind };
    }
  }
  return undefined;
}
