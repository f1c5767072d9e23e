// What every lyric parser produces before the shared finishing rules: line ends, sections, clipping to the song.

import { UserInputError } from "../../errors/index.js";
import { samplesToSeconds, secondsToSamples } from "../../time/index.js";
import type { LyricLine, Lyrics, Section, Word } from "../types.js";
import { backingRanges, estimatedLengthSamples, hasCjk, tidy } from "./text.js";

export interface DraftLine {
  start: number;
  /** Known only when the source says (SRT end, last word end, a trailing word tag). */
  end?: number;
  text: string;
  words?: Word[];
  /** Where the line came from, for warnings: "song.lrc:12". */
  where: string;
}

export interface DraftSection {
  name: string;
  kind: string;
  start: number;
}

export interface Draft {
  format: string;
  lines: DraftLine[];
  sections: DraftSection[];
  /** Times where singing is known to stop (an empty timed LRC line). */
  stops: number[];
  warnings: string[];
  estimated?: boolean;
  /** The song's length when the file says it ([length:] in LRC) and the caller did not. */
  songEnd?: number;
}

export function emptyDraft(format: string): Draft {
  return { format, lines: [], sections: [], stops: [], warnings: [] };
}

/** A line with no known end that is followed by a gap longer than this is ended at an estimate instead. */
const LONG_GAP_SAMPLES = secondsToSamples(15);

export function noLinesError(fileName: string): UserInputError {
  return new UserInputError(
    `${fileName}: no timed lyric lines found — expected LRC [mm:ss.xx], SRT, Suno aligned-words JSON or plain lyrics`,
    { file: fileName },
  );
}

function formatClock(samples: number): string {
  const s = samplesToSeconds(samples);
  const m = Math.floor(s / 60);
  return `${m}:${(s - m * 60).toFixed(2).padStart(5, "0")}`;
}

/**
 * Applies the rules every format shares: lines sorted by start, an open line ends at the next event
 * (next line, a stop, a section start) or at an estimate, everything clipped to the song, sections
 * spanning until the next one. Throws when no usable line is left.
 */
export function finish(draft: Draft, fileName: string, durationSamples?: number): Lyrics {
  const warnings = [...draft.warnings];
  const songEnd = durationSamples ?? draft.songEnd;
  const lines = draft.lines
    .map((l, order) => ({ l, order }))
    .sort((a, b) => a.l.start - b.l.start || a.order - b.order)
    .map((x) => x.l);

  const events = [...lines.map((l) => l.start), ...draft.stops, ...draft.sections.map((s) => s.start)].sort(
    (a, b) => a - b,
  );
  const nextEvent = (t: number): number | undefined => {
    // Binary search for the first event strictly after t.
    let lo = 0;
    let hi = events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (events[mid]! > t) hi = mid;
      else lo = mid + 1;
    }
    return events[lo];
  };

  let negative = 0;
  let dropped = 0;
  let clipped = 0;
  const out: LyricLine[] = [];
  for (const d of lines) {
    let start = d.start;
    let end = d.end;
    if (end === undefined) {
      const guess = estimatedLengthSamples(d.text);
      const next = nextEvent(start);
      if (next === undefined) {
        end = start + guess;
        if (songEnd !== undefined && songEnd > start) end = Math.min(end, songEnd);
        warnings.push(
          `${d.where}: last line has no end time — assumed it lasts ${samplesToSeconds(end - start).toFixed(1)} s`,
        );
      } else if (next - start > Math.max(LONG_GAP_SAMPLES, 3 * guess)) {
        end = start + 2 * guess;
        warnings.push(
          `${d.where}: next line starts ${samplesToSeconds(next - start).toFixed(0)} s later — assumed this one ends after ${samplesToSeconds(end - start).toFixed(1)} s`,
        );
      } else end = next;
    }
    if (start < 0) {
      negative++;
      start = 0;
    }
    if (songEnd !== undefined && start >= songEnd) {
      dropped++;
      continue;
    }
    if (songEnd !== undefined && end > songEnd) {
      clipped++;
      end = songEnd;
    }
    if (end <= start) {
      warnings.push(`${d.where}: line ends before it starts — skipped`);
      continue;
    }
    const words = d.words
      ?.map((w) => ({ ...w, start: Math.max(start, w.start), end: Math.min(end, w.end) }))
      .filter((w) => w.end > w.start);
    const text = tidy(d.text);
    const backing = backingRanges(text);
    out.push({
      start,
      end,
      text,
      ...(words && words.length > 0 ? { words } : {}),
      ...(backing.length > 0 ? { backing } : {}),
    });
  }
  if (negative > 0)
    warnings.push(`${fileName}: ${negative} line(s) started before 0:00 (offset?) — moved to 0:00`);
  if (dropped > 0 || clipped > 0)
    warnings.push(
      `${fileName}: lyrics run past the end of the song (${formatClock(songEnd ?? 0)}) — ${dropped} line(s) dropped, ${clipped} clipped`,
    );
  if (out.length === 0) throw noLinesError(fileName);

  const lastLineEnd = Math.max(...out.map((l) => l.end));
  const sections = sectionSpans(draft.sections, songEnd ?? lastLineEnd);
  return {
    lines: assignSections(out, sections),
    sections,
    estimated: draft.estimated ?? false,
    format: draft.format,
    warnings,
  };
}

/** Sections run from their start to the next section's start; the last one to `end`. Empty ones vanish. */
export function sectionSpans(drafts: readonly DraftSection[], end: number): Section[] {
  const sorted = drafts
    .map((s, order) => ({ s, order }))
    .sort((a, b) => a.s.start - b.s.start || a.order - b.order)
    .map((x) => x.s);
  const spans: Section[] = [];
  for (let i = 0; i < sorted.length; i++) {
    const s = sorted[i]!;
    const next = sorted[i + 1];
    const start = Math.max(0, s.start);
    const stop = next ? Math.min(next.start, end) : end;
    if (stop > start) spans.push({ start, end: stop, name: s.name, kind: s.kind });
  }
  return spans;
}

/** Each line belongs to the section in force when it starts. */
export function assignSections(lines: readonly LyricLine[], sections: readonly Section[]): LyricLine[] {
  return lines.map((line) => {
    const { section: _old, ...rest } = line;
    const s = sections.find((x) => x.start <= line.start && line.start < x.end);
    return s ? { ...rest, section: s.name } : rest;
  });
}

export interface Piece {
  /** The text as written, spaces included: a piece without a trailing space is glued to the next one. */
  raw: string;
  start: number;
  end: number;
}

/**
 * Timed pieces to words. Sources time syllables as well as words ("Hel" + "lo "); pieces glued without a
 * space are joined into one word, except CJK, where each timed character stays its own word.
 */
export function piecesToWords(pieces: readonly Piece[]): Word[] {
  const words: Word[] = [];
  let glue = false;
  let depth = 0;
  for (const p of pieces) {
    const text = tidy(p.raw);
    const startsInParens = depth > 0 || /^\s*[(（]/.test(p.raw);
    for (const c of p.raw) {
      if (c === "(" || c === "（") depth++;
      else if ((c === ")" || c === "）") && depth > 0) depth--;
    }
    if (!text) {
      glue = false;
      continue;
    }
    const prev = words[words.length - 1];
    if (glue && prev && !hasCjk(prev.text) && !hasCjk(text) && !/^\s/.test(p.raw)) {
      words[words.length - 1] = { ...prev, text: prev.text + text, end: Math.max(prev.end, p.end) };
    } else {
      words.push({ start: p.start, end: p.end, text, ...(startsInParens ? { backing: true } : {}) });
    }
    glue = !/\s$/.test(p.raw);
  }
  return words;
}
