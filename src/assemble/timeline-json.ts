// Saving and loading a Timeline as versioned JSON, validated field by field and for consistency.
import { z } from "zod";
import { UserInputError } from "../errors/index.js";
import { isTransitionName, type Timeline, trackDurationFrames } from "./timeline.js";

const int = z.number().int();
const count = int.min(0);
const rate = z.object({ num: int.min(1), den: int.min(1) });
const range = z.object({ startFrame: count, durationFrames: count });

const clip = z.object({
  kind: z.literal("clip"),
  name: z.string(),
  mediaPath: z.string().min(1),
  mediaRate: rate,
  sourceRange: range,
  availableRange: range,
  holdHeadFrames: int.min(1).optional(),
  holdTailFrames: int.min(1).optional(),
  segment: count,
  takeId: z.string().min(1),
  section: z.string().optional(),
  colour: z.object({ filter: z.string().min(1) }).optional(),
  mediaSize: z.object({ width: int.min(1), height: int.min(1) }).optional(),
});
const gap = z.object({ kind: z.literal("gap"), durationFrames: count });
const transition = z.object({
  kind: z.literal("transition"),
  name: z.string().refine(isTransitionName, "unknown transition name"),
  inOffset: count,
  outOffset: count,
});

const timelineSchema = z.object({
  version: z.literal(1),
  name: z.string(),
  rate,
  durationFrames: count,
  audio: z.object({ path: z.string().min(1), startSample: z.literal(0), durationSamples: count }),
  tracks: z.array(
    z.object({ kind: z.literal("video"), children: z.array(z.union([clip, gap, transition])) }),
  ),
  warnings: z.array(z.string()).default([]),
});

/** The first thing wrong with a timeline's structure, or null: what the schema cannot say. */
export function timelineProblem(t: Timeline): string | null {
  for (const [ti, track] of t.tracks.entries()) {
    const n = trackDurationFrames(track);
    if (n !== t.durationFrames) return `tracks[${ti}] lasts ${n} frames, the timeline ${t.durationFrames}`;
    const items = track.children;
    for (const [i, item] of items.entries()) {
      const where = `tracks[${ti}].children[${i}]`;
      if (item.kind === "transition") {
        const before = items[i - 1];
        const after = items[i + 1];
        if (before?.kind !== "clip" || after?.kind !== "clip")
          return `${where}: a transition must sit between two clips`;
        if (item.inOffset > Math.max(0, after.sourceRange.startFrame - after.availableRange.startFrame))
          return `${where}: inOffset ${item.inOffset} is longer than the incoming clip's head handle`;
        const tail =
          before.availableRange.startFrame +
          before.availableRange.durationFrames -
          (before.sourceRange.startFrame + before.sourceRange.durationFrames);
        if (item.outOffset > Math.max(0, tail))
          return `${where}: outOffset ${item.outOffset} is longer than the outgoing clip's tail handle`;
      } else if (item.kind === "clip") {
        const s = item.sourceRange;
        const a = item.availableRange;
        if (s.durationFrames < 1) return `${where}: a clip must last at least one frame`;
        // Frames of sourceRange outside availableRange show a held edge frame, and must say so.
        const head = Math.max(0, a.startFrame - s.startFrame);
        const tail = Math.max(0, s.startFrame + s.durationFrames - (a.startFrame + a.durationFrames));
        if (a.durationFrames < 1 || head + tail >= s.durationFrames)
          return `${where}: sourceRange lies outside the media's availableRange`;
        if ((item.holdHeadFrames ?? 0) !== head || (item.holdTailFrames ?? 0) !== tail)
          return `${where}: holdHeadFrames/holdTailFrames must be the ${head}/${tail} frames of sourceRange outside availableRange`;
      }
    }
  }
  return null;
}

/** The timeline as JSON text (stable key order, ends with a newline). */
export function timelineToJson(t: Timeline): string {
  return `${JSON.stringify(t, null, 2)}\n`;
}

/** Parses and validates timeline JSON; anything wrong is a UserInputError naming the field. */
export function timelineFromJson(text: string, file = "timeline.json"): Timeline {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UserInputError(`${file}: not JSON (${(e as Error).message})`, { file, cause: e });
  }
  const version = (raw as { version?: unknown } | null)?.version;
  if (version !== 1) {
    throw new UserInputError(
      `${file}: timeline version ${JSON.stringify(version)} is not supported (expected 1)`,
      {
        file,
        hint: "rebuild the timeline with this version of refrain",
      },
    );
  }
  const parsed = timelineSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map((p) => (typeof p === "number" ? `[${p}]` : `.${String(p)}`)).join("");
    throw new UserInputError(`${file}: ${path.replace(/^\./, "") || "(root)"}: ${issue.message}`, { file });
  }
  const timeline = parsed.data as Timeline;
  const problem = timelineProblem(timeline);
  if (problem) throw new UserInputError(`${file}: ${problem}`, { file });
  return timeline;
}
