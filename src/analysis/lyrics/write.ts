// Lyrics back to text: LRC (enhanced word tags when words are timed) and SRT, for the export command.

import { SAMPLE_RATE } from "../../time/index.js";
import type { LyricLine, Lyrics } from "../types.js";

/** [mm:ss.xx] as LRC writes it: centiseconds, rounded to nearest. */
function lrcClock(samples: number): string {
  const cs = Math.round((Math.max(0, samples) * 100) / SAMPLE_RATE);
  const m = Math.floor(cs / 6000);
  const s = Math.floor((cs % 6000) / 100);
  return `${String(m).padStart(2, "0")}:${String(s).padStart(2, "0")}.${String(cs % 100).padStart(2, "0")}`;
}

/** HH:MM:SS,mmm as SRT writes it. */
function srtClock(samples: number): string {
  const ms = Math.round((Math.max(0, samples) * 1000) / SAMPLE_RATE);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${pad(h)}:${pad(m)}:${pad(s)},${pad(ms % 1000, 3)}`;
}

/** Samples per LRC centisecond: two times the same in LRC when they round to the same centisecond. */
const CENTISECOND = SAMPLE_RATE / 100;

function enhancedText(line: LyricLine): string {
  const words = line.words ?? [];
  if (words.length === 0) return line.text;
  const cs = (samples: number) => Math.round(samples / CENTISECOND);
  // Tags go into the line's own text, so its spacing survives (none between CJK characters).
  let out = "";
  let cursor = 0;
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const at = line.text.indexOf(w.text, cursor);
    if (at < 0)
      return words.map((x) => `<${lrcClock(x.start)}>${x.text}`).join(" ") + ` <${lrcClock(line.end)}>`;
    out += `${line.text.slice(cursor, at)}<${lrcClock(w.start)}>${w.text}`;
    cursor = at + w.text.length;
    // A word tag also ends the word before it; a pause between words needs its own closing tag.
    const next = words[i + 1]?.start ?? line.end;
    if (cs(w.end) < cs(next)) out += `<${lrcClock(w.end)}>`;
  }
  out += line.text.slice(cursor);
  // The trailing tag says where the line stops being sung.
  return `${out}<${lrcClock(line.end)}>`;
}

/**
 * LRC text: one [mm:ss.xx] line per lyric line, word tags when words are timed, an empty timed line
 * where singing stops before the next line, and [Section] tags (untimed when the section starts with a
 * line, timed otherwise, e.g. an instrumental break).
 */
export function toLrc(lyrics: Lyrics): string {
  const out: string[] = [];
  const lines = [...lyrics.lines].sort((a, b) => a.start - b.start);
  const sections = [...lyrics.sections].sort((a, b) => a.start - b.start);
  let s = 0;
  lines.forEach((line, i) => {
    while (s < sections.length && sections[s]!.start <= line.start) {
      const section = sections[s]!;
      out.push(
        section.start === line.start ? `[${section.name}]` : `[${lrcClock(section.start)}][${section.name}]`,
      );
      s++;
    }
    out.push(`[${lrcClock(line.start)}]${enhancedText(line)}`);
    const next = lines[i + 1];
    const nextEvent = Math.min(
      next?.start ?? Number.POSITIVE_INFINITY,
      sections[s]?.start ?? Number.POSITIVE_INFINITY,
    );
    // Enhanced lines carry their end in the trailing tag; plain ones need an empty timed line to mark it.
    const endKnown = line.words !== undefined && line.words.length > 0;
    if (!endKnown && Math.round(line.end / CENTISECOND) < Math.round(nextEvent / CENTISECOND))
      out.push(`[${lrcClock(line.end)}]`);
  });
  for (; s < sections.length; s++) out.push(`[${lrcClock(sections[s]!.start)}][${sections[s]!.name}]`);
  return `${out.join("\n")}\n`;
}

/** SRT text: one numbered cue per lyric line, from its start to its end. */
export function toSrt(lyrics: Lyrics): string {
  const cues = [...lyrics.lines]
    .sort((a, b) => a.start - b.start)
    .filter((l) => l.end > l.start)
    .map((l, i) => `${i + 1}\n${srtClock(l.start)} --> ${srtClock(l.end)}\n${l.text}\n`);
  return cues.join("\n");
}
