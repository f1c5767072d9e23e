// The edit list: which take fills each segment, from which source frames to which output frames.
import { placeTrack, type Timeline } from "../assemble/index.js";
import { writeFileAtomic } from "../files/index.js";

/** One used take. Frames are at the timeline's rate; "out" is exclusive, as in the timeline. */
export interface EditListEntry {
  readonly segment: number;
  readonly takeId: string;
  readonly file: string;
  readonly sourceIn: number;
  readonly sourceOut: number;
  readonly recordIn: number;
  readonly recordOut: number;
  /** Frames blended with the neighbour before and after the cut. */
  readonly transitionIn: number;
  readonly transitionOut: number;
  readonly colourFilter: string | null;
  /** Record frames at the head and tail that hold the take's first or last usable frame (its own are black or frozen). */
  readonly holdHead: number;
  readonly holdTail: number;
}

export interface EditList {
  readonly version: 1;
  readonly rate: string;
  readonly durationFrames: number;
  readonly song: string;
  readonly takes: readonly EditListEntry[];
}

/** The takes the timeline uses, in order. Pure. */
export function editListOf(timeline: Timeline): EditList {
  const takes: EditListEntry[] = [];
  for (const track of timeline.tracks) {
    for (const placed of placeTrack(track)) {
      if (!("clip" in placed)) continue;
      const c = placed.clip;
      takes.push({
        segment: c.segment,
        takeId: c.takeId,
        file: c.mediaPath,
        sourceIn: c.sourceRange.startFrame,
        sourceOut: c.sourceRange.startFrame + c.sourceRange.durationFrames,
        recordIn: placed.start,
        recordOut: placed.end,
        transitionIn: placed.headFrames,
        transitionOut: placed.tailFrames,
        colourFilter: c.colour?.filter ?? null,
        holdHead: c.holdHeadFrames ?? 0,
        holdTail: c.holdTailFrames ?? 0,
      });
    }
  }
  return {
    version: 1,
    rate: `${timeline.rate.num}/${timeline.rate.den}`,
    durationFrames: timeline.durationFrames,
    song: timeline.audio.path,
    takes,
  };
}

/** The edit list as JSON. */
export function buildEditListJson(timeline: Timeline): string {
  return `${JSON.stringify(editListOf(timeline), null, 2)}\n`;
}

const CSV_COLUMNS = [
  "segment",
  "take_id",
  "file",
  "source_in",
  "source_out",
  "record_in",
  "record_out",
  "transition_in",
  "transition_out",
  "colour_filter",
  "hold_head",
  "hold_tail",
] as const;

/** RFC 4180 quoting: a field with a comma, quote or line break is quoted, quotes doubled. */
export function csvField(value: string | number | null): string {
  const text = value === null ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The edit list as CSV (one header line, one line per take, CRLF line ends per RFC 4180). */
export function buildEditListCsv(timeline: Timeline): string {
  const rows = editListOf(timeline).takes.map((t) =>
    [
      t.segment,
      t.takeId,
      t.file,
      t.sourceIn,
      t.sourceOut,
      t.recordIn,
      t.recordOut,
      t.transitionIn,
      t.transitionOut,
      t.colourFilter,
      t.holdHead,
      t.holdTail,
    ]
      .map(csvField)
      .join(","),
  );
  return `${[CSV_COLUMNS.join(","), ...rows].join("\r\n")}\r\n`;
}

/** Writes the edit list as CSV when `path` ends in .csv, else as JSON. */
export async function writeEditList(timeline: Timeline, path: string): Promise<void> {
  const text = path.toLowerCase().endsWith(".csv") ? buildEditListCsv(timeline) : buildEditListJson(timeline);
  await writeFileAtomic(path, text);
}
