// SRT subtitles as lyric lines: each cue is a line with a known start and end; [Section] cues start sections.

import { secondsToSamples } from "../../time/index.js";
import { type Draft, emptyDraft } from "./draft.js";
import { parseSectionTag, splitLines, stripInstructions } from "./text.js";

const TIME_LINE =
  /^(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{1,3})(?:\s.*)?$/;

export function looksLikeSrt(text: string): boolean {
  return /^\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->/m.test(text);
}

function clock(h: string, m: string, s: string, ms: string): number | undefined {
  if (Number(m) >= 60 || Number(s) >= 60) return undefined;
  const total = ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(ms.padEnd(3, "0"));
  return secondsToSamples(total / 1000);
}

export function parseSrt(text: string, fileName: string): Draft {
  const draft = emptyDraft("srt");
  const rows = splitLines(text);
  let cue: { start: number; end: number; texts: string[]; where: string } | undefined;
  /** After a broken time line, its text is skipped up to the next blank line. */
  let skipping = false;

  const close = () => {
    if (!cue) return;
    const sung: string[] = [];
    for (const t of cue.texts) {
      // Formatting such as <i>…</i> and {\an8} is for display only.
      const clean = t.replace(/<[^>]+>/g, "").replace(/\{\\[^}]*\}/g, "");
      const whole = /^\s*\[([^\]]*)\]\s*$/.exec(clean);
      const tag = whole ? parseSectionTag(whole[1]!) : undefined;
      if (tag) draft.sections.push({ ...tag, start: cue.start });
      else {
        const lead = /^\s*\[([^\]]*)\]/.exec(clean);
        const leadTag = lead ? parseSectionTag(lead[1]!) : undefined;
        if (leadTag) draft.sections.push({ ...leadTag, start: cue.start });
        const words = stripInstructions(clean);
        if (words) sung.push(words);
      }
    }
    if (sung.length > 0)
      draft.lines.push({ start: cue.start, end: cue.end, text: sung.join(" "), where: cue.where });
    cue = undefined;
  };

  rows.forEach((raw, index) => {
    const where = `${fileName}:${index + 1}`;
    const line = raw.trim();
    if (!line) {
      close();
      skipping = false;
      return;
    }
    const m = TIME_LINE.exec(line);
    if (m) {
      close();
      skipping = false;
      const start = clock(m[1]!, m[2]!, m[3]!, m[4]!);
      const end = clock(m[5]!, m[6]!, m[7]!, m[8]!);
      if (start === undefined || end === undefined) {
        draft.warnings.push(
          `${where}: bad time "${line}" — minutes and seconds must be below 60; cue skipped`,
        );
        skipping = true;
      } else if (end <= start) {
        draft.warnings.push(`${where}: cue ends before it starts ("${line}") — cue skipped`);
        skipping = true;
      } else cue = { start, end, texts: [], where };
      return;
    }
    if (skipping) return;
    if (line.includes("-->") || /^\d{1,2}:\d{2}:\d{2}/.test(line)) {
      close();
      draft.warnings.push(
        `${where}: bad time line "${line}" — expected 00:01:02,500 --> 00:01:04,000; cue skipped`,
      );
      skipping = true;
      return;
    }
    const next = rows[index + 1]?.trim() ?? "";
    if (/^\d+$/.test(line) && (next.includes("-->") || !cue)) return; // a cue number
    if (cue) cue.texts.push(line);
    else draft.warnings.push(`${where}: text outside a cue — expected a time line before it; line skipped`);
  });
  close();
  return draft;
}
