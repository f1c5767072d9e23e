// LRC and enhanced LRC: [mm:ss.xx] line tags (several per line), <mm:ss.xx> word tags, [offset:], [Section] tags.

import { secondsToSamples } from "../../time/index.js";
import { type Draft, type DraftLine, emptyDraft, type Piece, piecesToWords } from "./draft.js";
import { parseSectionTag, splitLines, tidy } from "./text.js";

const LINE_TAG = /\[\s*(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\s*\]/y;
const WORD_TAG = /<(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?>/g;
/** Header tags of the LRC format; any other [key:value] that is not a section is ignored too. */
const ID_TAG = /^\[([A-Za-z#][\w#-]*)\s*:(.*)\]$/;
const META_KEYS = new Set([
  "ar",
  "al",
  "ti",
  "au",
  "by",
  "length",
  "offset",
  "re",
  "tool",
  "ve",
  "#",
  "la",
  "lang",
  "id",
]);

/** Whether the text has at least one line starting with a well-formed LRC time tag. */
export function looksLikeLrc(text: string): boolean {
  return /^\s*\[\s*\d{1,3}:\d{1,2}(?:[.:]\d{1,3})?\s*\]/m.test(text);
}

/** mm, ss, fraction digits to samples; undefined when the seconds are not below 60. */
function tagSamples(m: string, s: string, frac: string | undefined): number | undefined {
  const sec = Number(s);
  if (sec >= 60) return undefined;
  // "3" is 300 ms, "34" 340 ms, "345" 345 ms.
  const ms = frac ? Number(frac.padEnd(3, "0")) : 0;
  return secondsToSamples((Number(m) * 60_000 + sec * 1000 + ms) / 1000);
}

function parseClock(value: string): number | undefined {
  const m = /^\s*(\d{1,3}):(\d{1,2})(?:[.:](\d{1,3}))?\s*$/.exec(value);
  return m ? tagSamples(m[1]!, m[2]!, m[3]) : undefined;
}

export function parseLrc(text: string, fileName: string): Draft {
  const draft = emptyDraft("lrc");
  let offsetSamples = 0;
  let enhanced = false;
  /** Sections named without a time start with the next timed line. */
  let pending: { name: string; kind: string }[] = [];
  const sections: { name: string; kind: string; start: number }[] = [];
  const lines: DraftLine[] = [];
  const stops: number[] = [];

  splitLines(text).forEach((raw, index) => {
    const where = `${fileName}:${index + 1}`;
    const line = raw.trim();
    if (!line) return;
    const times: number[] = [];
    LINE_TAG.lastIndex = 0;
    let pos = 0;
    let bad: string | undefined;
    for (let m = LINE_TAG.exec(line); m; m = LINE_TAG.exec(line)) {
      const t = tagSamples(m[1]!, m[2]!, m[3]);
      if (t === undefined) bad = m[0];
      else times.push(t);
      pos = LINE_TAG.lastIndex;
      while (line[pos] === " " || line[pos] === "\t") pos++;
      LINE_TAG.lastIndex = pos;
    }
    if (bad) {
      draft.warnings.push(`${where}: bad time tag "${bad}" — seconds must be below 60; line skipped`);
      return;
    }
    const rest = line.slice(pos);

    if (times.length === 0) {
      const id = ID_TAG.exec(line);
      if (id && META_KEYS.has(id[1]!.toLowerCase())) {
        const key = id[1]!.toLowerCase();
        const value = id[2]!.trim();
        if (key === "offset") {
          if (/^[+-]?\d+$/.test(value)) offsetSamples = secondsToSamples(Number(value) / 1000);
          else draft.warnings.push(`${where}: bad [offset:${value}] — expected milliseconds such as +250`);
        } else if (key === "length") {
          const len = parseClock(value);
          if (len !== undefined && len > 0) draft.songEnd = len;
        }
        return;
      }
      const whole = /^\[([^\]]*)\]$/.exec(line);
      if (whole) {
        const tag = parseSectionTag(whole[1]!);
        if (tag) pending.push(tag);
        else if (/^\s*\d/.test(whole[1]!))
          draft.warnings.push(`${where}: bad time tag "${line}" — expected [mm:ss.xx]; line skipped`);
        // Other [key:value] or [note] tags are LRC headers or production notes: nothing to sing.
        return;
      }
      draft.warnings.push(
        /^\[\s*\d/.test(line)
          ? `${where}: bad time tag "${line.slice(0, line.indexOf("]") + 1 || 12)}" — expected [mm:ss.xx]; line skipped`
          : `${where}: no time tag — expected [mm:ss.xx] before the text; line skipped`,
      );
      return;
    }

    const sectionOnly = /^\[([^\]]*)\]$/.exec(rest);
    const sectionTag = sectionOnly ? parseSectionTag(sectionOnly[1]!) : undefined;
    if (sectionTag) {
      for (const t of times) sections.push({ ...sectionTag, start: t });
      pending = [];
      return;
    }

    const first = times[0]!;
    for (const p of pending) sections.push({ ...p, start: Math.min(...times) });
    pending = [];

    const tags = [...rest.matchAll(WORD_TAG)];
    // Tags sit between syllables as well as words, so removing them must not add spaces.
    const plain = tidy(rest.replace(WORD_TAG, ""));
    if (!plain) {
      // An empty timed line marks where the previous line stops being sung.
      stops.push(...times);
      return;
    }
    let words: Piece[] | undefined;
    let end: number | undefined;
    if (tags.length > 0) {
      enhanced = true;
      words = [];
      const before = rest.slice(0, tags[0]!.index);
      if (tidy(before)) words.push({ raw: before, start: first, end: Number.NaN });
      for (let i = 0; i < tags.length; i++) {
        const tag = tags[i]!;
        const t = tagSamples(tag[1]!, tag[2]!, tag[3]);
        if (t === undefined) {
          draft.warnings.push(`${where}: bad word tag "${tag[0]}" — seconds must be below 60; line skipped`);
          return;
        }
        const from = tag.index + tag[0].length;
        const to = tags[i + 1]?.index ?? rest.length;
        const prev = words[words.length - 1];
        if (prev && Number.isNaN(prev.end)) prev.end = t;
        const raw = rest.slice(from, to);
        if (tidy(raw)) words.push({ raw, start: t, end: Number.NaN });
        else if (i === tags.length - 1)
          end = t; // a trailing tag closes the line
        else if (prev) prev.raw += raw; // "word<end> <next>": the space still separates the words
      }
    }
    for (const t of times) {
      const shift = t - first;
      const lineEnd = end === undefined ? undefined : end + shift;
      const timed = words
        ? piecesToWords(
            words.map((w) => ({
              raw: w.raw,
              start: w.start + shift,
              // The last word without a closing tag lasts until the line ends; the line end is not known yet.
              end: Number.isNaN(w.end) ? (lineEnd ?? Number.MAX_SAFE_INTEGER) : w.end + shift,
            })),
          )
        : undefined;
      lines.push({
        start: t,
        ...(lineEnd !== undefined ? { end: lineEnd } : {}),
        text: plain,
        words: timed,
        where,
      });
    }
  });

  draft.format = enhanced ? "lrc-enhanced" : "lrc";
  // A positive offset makes the lyrics appear sooner (LRC convention), wherever the tag sits in the file.
  draft.lines = lines.map((l) => ({
    ...l,
    start: l.start - offsetSamples,
    ...(l.end !== undefined ? { end: l.end - offsetSamples } : {}),
    ...(l.words
      ? {
          words: l.words.map((w) => ({
            ...w,
            start: w.start - offsetSamples,
            end: w.end === Number.MAX_SAFE_INTEGER ? w.end : w.end - offsetSamples,
          })),
        }
      : {}),
  }));
  draft.sections = sections.map((s) => ({ ...s, start: s.start - offsetSamples }));
  draft.stops = stops.map((t) => t - offsetSamples);
  return draft;
}
