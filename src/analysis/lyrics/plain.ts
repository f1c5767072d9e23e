// Plain lyrics with Suno meta-tags ([Verse], [Chorus - anthemic], [Instrumental]): lines and sections, no times yet.

import { secondsToSamples } from "../../time/index.js";
import { type Draft, emptyDraft } from "./draft.js";
import {
  estimatedLengthSamples,
  parseSectionTag,
  type SectionTag,
  splitLines,
  stripInstructions,
} from "./text.js";

/** The nominal length given to a section with no lines ([Instrumental]) until the lines are placed. */
const EMPTY_SECTION_SAMPLES = secondsToSamples(4);

/** The warning plain lyrics carry until placePlainLyrics replaces their estimated times. */
export const UNPLACED_NOTE =
  "plain lyrics have no timings — times are estimated until placed over the detected vocals";

type Item = { section: SectionTag } | { text: string; where: string };

/**
 * Reads plain lyrics in order and lays them end to end at a sung pace (scaled to the song when its length
 * is known), so the order of lines and sections survives in the times; placePlainLyrics refines them.
 */
export function parsePlain(text: string, fileName: string, durationSamples?: number): Draft {
  const draft = emptyDraft("plain");
  const items: Item[] = [];
  splitLines(text).forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    for (const m of line.matchAll(/\[([^\]]*)\]/g)) {
      const section = parseSectionTag(m[1]!);
      if (section) items.push({ section });
    }
    const sung = stripInstructions(line);
    if (sung) items.push({ text: sung, where: `${fileName}:${index + 1}` });
  });

  let t = 0;
  items.forEach((item, i) => {
    if ("section" in item) {
      draft.sections.push({ ...item.section, start: t });
      const next = items[i + 1];
      if ((!next || "section" in next) && item.section.kind !== "end") t += EMPTY_SECTION_SAMPLES;
      return;
    }
    const end = t + estimatedLengthSamples(item.text);
    draft.lines.push({ start: t, end, text: item.text, where: item.where });
    t = end;
  });
  if (draft.lines.length === 0) return draft;

  if (durationSamples !== undefined && durationSamples > 0 && t > 0) {
    const scale = (x: number) => Math.round((x * durationSamples) / t);
    draft.lines = draft.lines.map((l) => ({ ...l, start: scale(l.start), end: scale(l.end!) }));
    draft.sections = draft.sections.map((s) => ({ ...s, start: scale(s.start) }));
  } else draft.songEnd = t; // keeps a trailing [Outro] or [Instrumental] with no lines

  draft.estimated = true;
  draft.warnings.push(`${fileName}: ${UNPLACED_NOTE}`);
  return draft;
}
