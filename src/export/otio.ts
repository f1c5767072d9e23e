// OpenTimelineIO JSON (.otio) of a timeline, for DaVinci Resolve, Kdenlive and OTIO tools.
import { isAbsolute } from "node:path";
import { pathToFileURL } from "node:url";
import {
  type Clip,
  type Timeline,
  type TimeRange,
  type TrackItem,
  trackDurationFrames,
} from "../assemble/index.js";
import { writeFileAtomic } from "../files/index.js";
import { type Rate, rateToNumber, samplesToFrames } from "../time/index.js";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** OTIO's target_url: a file:// URL for an absolute path, a relative URL otherwise (resolved by the reader). */
export function mediaUrl(path: string): string {
  return isAbsolute(path) ? pathToFileURL(path).href : encodeURI(path.replaceAll("\\", "/"));
}

function rationalTime(value: number, rate: Rate): Json {
  return { OTIO_SCHEMA: "RationalTime.1", rate: rateToNumber(rate), value };
}

function timeRange(range: TimeRange, rate: Rate): Json {
  return {
    OTIO_SCHEMA: "TimeRange.1",
    duration: rationalTime(range.durationFrames, rate),
    start_time: rationalTime(range.startFrame, rate),
  };
}

/** Fields every OTIO Item carries. */
function item(schema: string, name: string, metadata: Json, sourceRange: Json): { [key: string]: Json } {
  return {
    OTIO_SCHEMA: schema,
    metadata,
    name,
    source_range: sourceRange,
    effects: [],
    markers: [],
    enabled: true,
  };
}

function clipJson(clip: Clip, rate: Rate): Json {
  const refrain: { [key: string]: Json } = { segment: clip.segment, takeId: clip.takeId };
  if (clip.section !== undefined) refrain.section = clip.section;
  if (clip.colour) refrain.colourFilter = clip.colour.filter;
  // OTIO has no freeze of one frame: the frames of source_range outside available_range are held.
  if (clip.holdHeadFrames) refrain.holdHeadFrames = clip.holdHeadFrames;
  if (clip.holdTailFrames) refrain.holdTailFrames = clip.holdTailFrames;
  refrain.mediaRate = `${clip.mediaRate.num}/${clip.mediaRate.den}`;
  return {
    ...item("Clip.2", clip.name, { refrain }, timeRange(clip.sourceRange, rate)),
    media_references: {
      DEFAULT_MEDIA: {
        OTIO_SCHEMA: "ExternalReference.1",
        metadata: {},
        name: clip.takeId,
        available_range: timeRange(clip.availableRange, rate),
        available_image_bounds: null,
        target_url: mediaUrl(clip.mediaPath),
      },
    },
    active_media_reference_key: "DEFAULT_MEDIA",
  };
}

function childJson(child: TrackItem, rate: Rate): Json {
  switch (child.kind) {
    case "clip":
      return clipJson(child, rate);
    case "gap":
      return item("Gap.1", "", {}, timeRange({ startFrame: 0, durationFrames: child.durationFrames }, rate));
    case "transition":
      return {
        OTIO_SCHEMA: "Transition.1",
        metadata: { refrain: { name: child.name } },
        name: child.name,
        in_offset: rationalTime(child.inOffset, rate),
        out_offset: rationalTime(child.outOffset, rate),
        // Editors know dissolves; other xfade names are refrain's own and travel as a custom transition.
        transition_type:
          child.name === "crossfade" || child.name === "fade" ? "SMPTE_Dissolve" : "Custom_Transition",
      };
  }
}

function track(name: string, kind: "Video" | "Audio", children: Json[]): Json {
  return { ...item("Track.1", name, {}, null), kind, children };
}

/** The timeline as OTIO JSON: one video track of clips, gaps and transitions, and the master song as audio. */
export function buildOtio(timeline: Timeline): string {
  const rate = timeline.rate;
  const videoTracks = timeline.tracks.map((t, i) =>
    track(
      `Video ${i + 1}`,
      "Video",
      t.children.map((c) => childJson(c, rate)),
    ),
  );
  const songFrames = samplesToFrames(timeline.audio.durationSamples, rate);
  const duration = Math.max(timeline.durationFrames, ...timeline.tracks.map(trackDurationFrames));
  const song = {
    ...item(
      "Clip.2",
      "song",
      {},
      timeRange({ startFrame: 0, durationFrames: Math.min(duration, songFrames) }, rate),
    ),
    media_references: {
      DEFAULT_MEDIA: {
        OTIO_SCHEMA: "ExternalReference.1",
        metadata: {},
        name: "song",
        available_range: timeRange({ startFrame: 0, durationFrames: songFrames }, rate),
        available_image_bounds: null,
        target_url: mediaUrl(timeline.audio.path),
      },
    },
    active_media_reference_key: "DEFAULT_MEDIA",
  };
  const doc: Json = {
    OTIO_SCHEMA: "Timeline.1",
    metadata: { refrain: { version: timeline.version, rate: `${rate.num}/${rate.den}` } },
    name: timeline.name,
    global_start_time: rationalTime(0, rate),
    tracks: {
      ...item("Stack.1", "tracks", {}, null),
      children: [...videoTracks, track("Audio 1", "Audio", [song])],
    },
  };
  return `${JSON.stringify(doc, null, 4)}\n`;
}

/** Writes `buildOtio(timeline)` to `path` atomically. */
export async function writeOtio(timeline: Timeline, path: string): Promise<void> {
  await writeFileAtomic(path, buildOtio(timeline));
}
