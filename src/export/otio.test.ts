// OTIO export: every object matches OTIO's serialized schema, and every time range survives a round trip.
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { buildTimeline, type Timeline, type TrackItem } from "../assemble/index.js";
import { picksOf, planOf } from "../assemble/testing.js";
import { toRate } from "../time/index.js";
import { buildOtio, mediaUrl } from "./index.js";

// OTIO's serialized schema (docs/tutorials/otio-serialized-schema.md), written out here because no OTIO
// library installs from npm. `.strict()` catches misspelt or stray keys.
const rationalTime = z
  .object({ OTIO_SCHEMA: z.literal("RationalTime.1"), rate: z.number().positive(), value: z.number() })
  .strict();
const timeRange = z
  .object({ OTIO_SCHEMA: z.literal("TimeRange.1"), start_time: rationalTime, duration: rationalTime })
  .strict();
const itemFields = {
  name: z.string(),
  metadata: z.record(z.string(), z.unknown()),
  effects: z.array(z.unknown()),
  markers: z.array(z.unknown()),
  enabled: z.boolean(),
};
const externalReference = z
  .object({
    OTIO_SCHEMA: z.literal("ExternalReference.1"),
    name: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    target_url: z.string().min(1),
    available_range: timeRange.nullable(),
    available_image_bounds: z.null(),
  })
  .strict();
const clip = z
  .object({
    OTIO_SCHEMA: z.literal("Clip.2"),
    ...itemFields,
    source_range: timeRange,
    media_references: z.object({ DEFAULT_MEDIA: externalReference }).strict(),
    active_media_reference_key: z.literal("DEFAULT_MEDIA"),
  })
  .strict();
const gap = z.object({ OTIO_SCHEMA: z.literal("Gap.1"), ...itemFields, source_range: timeRange }).strict();
const transition = z
  .object({
    OTIO_SCHEMA: z.literal("Transition.1"),
    name: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    in_offset: rationalTime,
    out_offset: rationalTime,
    transition_type: z.enum(["SMPTE_Dissolve", "Custom_Transition"]),
  })
  .strict();
const track = z
  .object({
    OTIO_SCHEMA: z.literal("Track.1"),
    ...itemFields,
    source_range: timeRange.nullable(),
    kind: z.enum(["Video", "Audio"]),
    children: z.array(z.union([clip, gap, transition])),
  })
  .strict();
const otioTimeline = z
  .object({
    OTIO_SCHEMA: z.literal("Timeline.1"),
    name: z.string(),
    metadata: z.record(z.string(), z.unknown()),
    global_start_time: rationalTime.nullable(),
    tracks: z
      .object({
        OTIO_SCHEMA: z.literal("Stack.1"),
        ...itemFields,
        source_range: timeRange.nullable(),
        children: z.array(track),
      })
      .strict(),
  })
  .strict();

type OtioTrack = z.infer<typeof track>;

/** Frames of a RationalTime at the timeline rate: value·(rate_tl / rate), which must be whole. */
function frames(t: z.infer<typeof rationalTime>, rate: number): number {
  const f = (t.value * rate) / t.rate;
  expect(Math.abs(f - Math.round(f))).toBeLessThan(1e-9);
  return Math.round(f);
}

/** Reads an OTIO video track back into refrain's track items (what an importer would do). */
function itemsOf(t: OtioTrack, rate: number): TrackItem[] {
  return t.children.map((c): TrackItem => {
    if (c.OTIO_SCHEMA === "Gap.1")
      return { kind: "gap", durationFrames: frames(c.source_range.duration, rate) };
    if (c.OTIO_SCHEMA === "Transition.1")
      return {
        kind: "transition",
        name: c.name,
        inOffset: frames(c.in_offset, rate),
        outOffset: frames(c.out_offset, rate),
      };
    const ref = c.media_references.DEFAULT_MEDIA;
    const meta = c.metadata.refrain as {
      segment: number;
      takeId: string;
      section?: string;
      mediaRate: string;
      colourFilter?: string;
      holdHeadFrames?: number;
      holdTailFrames?: number;
    };
    const [num, den] = meta.mediaRate.split("/").map(Number) as [number, number];
    return {
      kind: "clip",
      name: c.name,
      mediaPath: decodeURI(new URL(ref.target_url).pathname),
      mediaRate: { num, den },
      sourceRange: {
        startFrame: frames(c.source_range.start_time, rate),
        durationFrames: frames(c.source_range.duration, rate),
      },
      availableRange: {
        startFrame: frames(ref.available_range!.start_time, rate),
        durationFrames: frames(ref.available_range!.duration, rate),
      },
      ...(meta.holdHeadFrames !== undefined ? { holdHeadFrames: meta.holdHeadFrames } : {}),
      ...(meta.holdTailFrames !== undefined ? { holdTailFrames: meta.holdTailFrames } : {}),
      segment: meta.segment,
      takeId: meta.takeId,
      ...(meta.section !== undefined ? { section: meta.section } : {}),
      ...(meta.colourFilter !== undefined ? { colour: { filter: meta.colourFilter } } : {}),
    };
  });
}

function sampleTimeline(rateText: string, withGap: boolean): Timeline {
  const fps = toRate(rateText);
  const plan = planOf([40, 31, 57, 25], fps, 6);
  const picks = picksOf(plan, "/media/takes dir").filter((p) => !withGap || p.segment !== 2);
  picks[0] = { ...picks[0]!, colour: { filter: "lutrgb=r=val*1.1-3:g=val*1+0:b=val*0.9+2" } };
  // Segment 1's take is black for 8 frames, 2 past its head handle, and frozen for its last 9, 3 past
  // its tail handle: both edges are held.
  picks[1] = { ...picks[1]!, usableRange: { startFrame: 8, durationFrames: 43 - 8 - 9 } };
  return buildTimeline(plan, picks, { rate: fps, songPath: "/media/song #1.wav", transitionFrames: 8 });
}

describe("buildOtio", () => {
  for (const [rateText, withGap] of [
    ["25", false],
    ["30000/1001", true],
  ] as const) {
    it(`writes schema-valid OTIO whose ranges read back as the same frames (${rateText} fps${withGap ? ", with a gap" : ""})`, () => {
      const timeline = sampleTimeline(rateText, withGap);
      const doc = otioTimeline.parse(JSON.parse(buildOtio(timeline)));
      const rate = timeline.rate.num / timeline.rate.den;
      const [video, audio] = doc.tracks.children;
      expect(video!.kind).toBe("Video");
      expect(itemsOf(video!, rate)).toEqual(timeline.tracks[0]!.children);
      if (withGap) expect(video!.children.some((c) => c.OTIO_SCHEMA === "Gap.1")).toBe(true);
      const held = timeline.tracks[0]!.children.find((c) => c.kind === "clip" && c.segment === 1);
      expect(held).toMatchObject({ holdHeadFrames: 2, holdTailFrames: 3 });
      expect(video!.children.some((c) => c.OTIO_SCHEMA === "Transition.1")).toBe(true);
      // The song plays from its first sample for the whole timeline.
      expect(audio!.kind).toBe("Audio");
      const song = audio!.children[0]!;
      if (song.OTIO_SCHEMA !== "Clip.2") throw new Error("audio track must hold the song clip");
      expect(frames(song.source_range.start_time, rate)).toBe(0);
      expect(frames(song.source_range.duration, rate)).toBe(timeline.durationFrames);
      expect(song.media_references.DEFAULT_MEDIA.target_url).toBe("file:///media/song%20%231.wav");
    });
  }

  it("marks crossfades as SMPTE dissolves and other transitions as custom", () => {
    const fps = toRate(25);
    const plan = planOf([40, 40], fps, 6);
    const wipe = buildTimeline(plan, picksOf(plan, "/t"), {
      rate: fps,
      songPath: "/s.wav",
      transition: "wipeleft",
    });
    const fade = buildTimeline(plan, picksOf(plan, "/t"), { rate: fps, songPath: "/s.wav" });
    const kind = (t: Timeline) =>
      otioTimeline
        .parse(JSON.parse(buildOtio(t)))
        .tracks.children[0]!.children.find((c) => c.OTIO_SCHEMA === "Transition.1");
    expect(kind(wipe)).toMatchObject({ transition_type: "Custom_Transition", name: "wipeleft" });
    expect(kind(fade)).toMatchObject({ transition_type: "SMPTE_Dissolve" });
  });

  it("keeps relative media paths relative", () => {
    expect(mediaUrl("takes/a b.mp4")).toBe("takes/a%20b.mp4");
    expect(mediaUrl("/abs/a b.mp4")).toBe("file:///abs/a%20b.mp4");
  });
});
