// Chinese pronunciation check: polyphonic characters (多音字) a singing model is likely to misread, and unambiguous homophones.
//
// Readings come from pinyin-pro (MIT licence, node_modules/pinyin-pro/LICENSE): `polyphonic` lists a
// character's readings, most common first; `pinyin` reads a whole phrase with its word dictionary.
// A character is flagged when the phrase's reading differs from its most common standalone reading —
// a model that reads character by character would sing the wrong one. pinyin-pro reads the
// structural particles 地 and 得 as dì / dé in most phrases, so two small rules (AA地, V得+complement)
// add the neutral-tone readings it misses.
import { pinyin, polyphonic } from "pinyin-pro";

export interface PronunciationFinding {
  /** 1-based line and column (code points) in the text given. */
  readonly line: number;
  readonly column: number;
  readonly char: string;
  /** The reading this phrase needs, with tone marks: "háng". */
  readonly intended: string;
  /** The reading a character-by-character reader is likely to use: "xíng". */
  readonly usual: string;
  readonly readings: readonly string[];
  /** Common characters with only the intended reading; empty when none exists (reword instead). */
  readonly suggestions: readonly string[];
  /** The phrase around the character, for the user to judge. */
  readonly context: string;
}

/** A replacement the user accepted. */
export interface Replacement {
  readonly line: number;
  readonly column: number;
  readonly char: string;
  readonly with: string;
}

const HAN = /\p{Script=Han}/u;

let homophoneIndex: Map<string, string[]> | undefined;

/**
 * Reading → common characters that have only that reading. "Common" is GB 2312 level 1 (the 3,755
 * most used characters, decoded from their byte range so no list is copied in).
 */
function homophones(): Map<string, string[]> {
  if (homophoneIndex) return homophoneIndex;
  const index = new Map<string, string[]>();
  const gb = new TextDecoder("gbk");
  for (let hi = 0xb0; hi <= 0xd7; hi++) {
    for (let lo = 0xa1; lo <= 0xfe; lo++) {
      const c = gb.decode(new Uint8Array([hi, lo]));
      if (!HAN.test(c)) continue;
      const readings = polyphonic(c, { type: "array" })[0] ?? [];
      if (readings.length !== 1) continue;
      const list = index.get(readings[0]!) ?? [];
      list.push(c);
      index.set(readings[0]!, list);
    }
  }
  homophoneIndex = index;
  return index;
}

/** Characters with one reading equal to `reading` (tone marks included), common ones only. */
export function homophonesOf(reading: string, limit = 6): string[] {
  return (homophones().get(reading) ?? []).slice(0, limit);
}

const COMPLEMENT_AFTER_DE = new Set([..."很太好快慢多真那这不更最非越满高远清明漂亮"]);

/** Neutral-tone readings of 地/得 pinyin-pro misses. */
function particleReading(chars: readonly string[], i: number): string | undefined {
  const c = chars[i];
  if (c === "地" && i >= 2 && chars[i - 1] === chars[i - 2] && HAN.test(chars[i - 1]!)) return "de";
  if (c === "得" && i >= 1 && HAN.test(chars[i - 1]!) && COMPLEMENT_AFTER_DE.has(chars[i + 1] ?? ""))
    return "de";
  return undefined;
}

/** Likely misreadings in Chinese lyrics, in text order. Lines that are tags (`[Chorus]`) are skipped. */
export function checkPronunciation(text: string, firstLine = 1): PronunciationFinding[] {
  const out: PronunciationFinding[] = [];
  const lines = text.split(/\r?\n/);
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!;
    if (!HAN.test(line) || /^\s*\[[^\]]*\]\s*$/.test(line)) continue;
    const chars = [...line];
    // pinyin-pro reads a string's characters one to one (non-Han characters come back as themselves).
    const read = pinyin(line, { type: "array", nonZh: "consecutive" });
    const aligned = read.length === chars.length;
    for (let i = 0; i < chars.length; i++) {
      const c = chars[i]!;
      if (!HAN.test(c)) continue;
      const readings = polyphonic(c, { type: "array" })[0] ?? [];
      if (readings.length < 2) continue;
      const usual = readings[0]!;
      const inContext = particleReading(chars, i) ?? (aligned ? read[i] : pinyin(c));
      if (!inContext || inContext === usual) continue;
      out.push({
        line: firstLine + n,
        column: i + 1,
        char: c,
        intended: inContext,
        usual,
        readings,
        suggestions: homophonesOf(inContext),
        context: chars
          .slice(Math.max(0, i - 3), i + 4)
          .join("")
          .trim(),
      });
    }
  }
  return out;
}

/**
 * Applies accepted replacements to the text they were found in. A replacement whose character is
 * no longer at its place is skipped and returned, so a stale list never corrupts the lyrics.
 */
export function applyReplacements(
  text: string,
  accepted: readonly Replacement[],
  firstLine = 1,
): { text: string; skipped: Replacement[] } {
  const lines = text.split("\n");
  const skipped: Replacement[] = [];
  for (const r of accepted) {
    const idx = r.line - firstLine;
    const chars = [...(lines[idx] ?? "")];
    if (chars[r.column - 1] !== r.char) {
      skipped.push(r);
      continue;
    }
    chars[r.column - 1] = r.with;
    lines[idx] = chars.join("");
  }
  return { text: lines.join("\n"), skipped };
}
