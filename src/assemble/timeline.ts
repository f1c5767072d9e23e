// The timeline: chosen takes placed on the song in OpenTimelineIO's words, in integer output frames.
//
// Vocabulary and semantics follow OTIO so the exporters map one to one:
// - A Track's children play one after another; Clips and Gaps take time, Transitions take none.
// - A Clip's `sourceRange` is its cut-to-cut part of the media (exclusive end), in frames of the
//   media after conversion to the timeline's rate. Frames outside it are handles.
// - A Transition sits between two clips and is centred on the cut: `inOffset` frames before the cut
//   (taken from the incoming clip's head handle) and `outOffset` frames after it (taken from the
//   outgoing clip's tail handle), as in OTIO's `handles_of_child`. So a crossfade never moves a cut:
//   every clip's first non-handle frame lands exactly at samplesToFrames(segment.start, rate).
import { UserInputError } from "../errors/index.js";
import { onDownbeat, type Plan, type Segment } from "../plan/index.js";
import { framesToSamples, type Rate, samplesToFrames } from "../time/index.js";

/** A span of frames [startFrame, startFrame + durationFrames) against a rational rate. */
export interface TimeRange {
  readonly startFrame: number;
  readonly durationFrames: number;
}

/** A colour correction to apply to one clip: an ffmpeg filter chain, e.g. "colorchannelmixer=…,eq=…". */
export interface ClipColour {
  readonly filter: string;
}

export interface Clip {
  readonly kind: "clip";
  readonly name: string;
  readonly mediaPath: string;
  /** The media's own frame rate (the take's fps); `sourceRange` counts frames at the timeline's rate. */
  readonly mediaRate: Rate;
  /** The cut-to-cut part of the media this clip shows, in media frames at the timeline's rate. */
  readonly sourceRange: TimeRange;
  /**
   * The media's usable frames at the timeline's rate (OTIO's media_reference.available_range: the
   * media that may be shown). A take's black or frozen head and tail, its late start and any frames
   * before its head trim lie outside it, so no transition or handle ever shows them.
   */
  readonly availableRange: TimeRange;
  /**
   * Output frames at the head (tail) of `sourceRange` that lie before (after) `availableRange`: they
   * show the first (last) usable frame instead, held, so the rest stays in sync. Absent when 0.
   */
  readonly holdHeadFrames?: number;
  readonly holdTailFrames?: number;
  readonly segment: number;
  readonly takeId: string;
  readonly section?: string;
  readonly colour?: ClipColour;
  /** The media's picture size, when known. */
  readonly mediaSize?: MediaSize;
}

export interface MediaSize {
  readonly width: number;
  readonly height: number;
}

/** Black, where no take is placed. */
export interface Gap {
  readonly kind: "gap";
  readonly durationFrames: number;
}

export interface Transition {
  readonly kind: "transition";
  /** "crossfade" or an ffmpeg xfade transition name (wipeleft, fadeblack, …). */
  readonly name: string;
  /** Frames before the cut (from the incoming clip's head handle). */
  readonly inOffset: number;
  /** Frames after the cut (from the outgoing clip's tail handle). */
  readonly outOffset: number;
}

export type TrackItem = Clip | Gap | Transition;

export interface Track {
  readonly kind: "video";
  readonly children: readonly TrackItem[];
}

export interface Timeline {
  readonly version: 1;
  readonly name: string;
  /** The output frame rate. */
  readonly rate: Rate;
  /** Exactly samplesToFrames(plan.durationSamples, rate). */
  readonly durationFrames: number;
  /** The master song: the only audio of the video, from its first sample. */
  readonly audio: { readonly path: string; readonly startSample: 0; readonly durationSamples: number };
  /** OTIO's Stack: tracks bottom to top (refrain makes one video track). */
  readonly tracks: readonly Track[];
  /** What the builder had to give up (a missing take, a transition shortened for lack of handles). */
  readonly warnings: readonly string[];
}

/** A chosen take for one segment, as the picker hands it over. */
export interface PickedTake {
  readonly segment: number;
  readonly takeId: string;
  readonly path: string;
  /** Measured sync offset in frames of `fps`: positive = the take's content starts late. */
  readonly offsetFrames?: number;
  /** Frames of `fps` at the head of the file that are not part of the generated clip (e.g. a reference frame). */
  readonly headTrimFrames?: number;
  /** The take's frame rate. */
  readonly fps: Rate;
  /** Frames the file holds at `fps`; defaults to the segment's generateFrames (at `fps`) + headTrimFrames. */
  readonly frames?: number;
  /**
   * The file's frames (at `fps`) that may be shown, from placeTake: after its late start and black or
   * frozen head, before its black or frozen tail. Defaults to [headTrimFrames, frames).
   */
  readonly usableRange?: TimeRange;
  /** placeTake's error (the take leaves too much of its segment uncovered): the timeline refuses the take. */
  readonly placementError?: string;
  /** The take's picture size, when known: lets the render colour-correct before upscaling. */
  readonly size?: MediaSize;
  readonly colour?: ClipColour;
}

export interface TimelineOptions {
  /** Output frame rate. */
  readonly rate: Rate;
  /** The master song file, recorded as the timeline's audio. */
  readonly songPath: string;
  readonly name?: string;
  /** Transition at every cut: "crossfade", an xfade name, or "cut" for hard cuts. Default "crossfade". */
  readonly transition?: string;
  /** Length of each transition in output frames, centred on the cut. Default 0.5 s worth. 0 = hard cuts. */
  readonly transitionFrames?: number;
  /** Transition for cuts into a segment of the named section (overrides `transition`). */
  readonly transitionsBySection?: Readonly<Record<string, string>>;
  /** Cut hard (no transition) where a cut falls on a downbeat. */
  readonly hardCutsOnDownbeats?: boolean;
  /** Downbeat positions in samples, for `hardCutsOnDownbeats`. */
  readonly downbeats?: readonly number[];
  /**
   * Most output frames of a segment that may show a held edge frame of its take (its own frames there
   * are black, frozen or missing) before the take is refused. Default half a second, as placeTake's.
   */
  readonly maxHeldFrames?: number;
}

/** ffmpeg xfade transition names (ffmpeg 5.1), plus refrain's "crossfade" (= fade) and "cut". */
export const XFADE_TRANSITIONS = [
  "fade",
  "wipeleft",
  "wiperight",
  "wipeup",
  "wipedown",
  "slideleft",
  "slideright",
  "slideup",
  "slidedown",
  "circlecrop",
  "rectcrop",
  "distance",
  "fadeblack",
  "fadewhite",
  "radial",
  "smoothleft",
  "smoothright",
  "smoothup",
  "smoothdown",
  "circleopen",
  "circleclose",
  "vertopen",
  "vertclose",
  "horzopen",
  "horzclose",
  "dissolve",
  "pixelize",
  "diagtl",
  "diagtr",
  "diagbl",
  "diagbr",
  "hlslice",
  "hrslice",
  "vuslice",
  "vdslice",
  "hblur",
  "fadegrays",
  "wipetl",
  "wipetr",
  "wipebl",
  "wipebr",
  "squeezeh",
  "squeezev",
  "zoomin",
  "fadefast",
  "fadeslow",
] as const;

const TRANSITION_NAMES = new Set<string>(["crossfade", "cut", ...XFADE_TRANSITIONS]);

/** Whether `name` is a transition refrain can render ("cut" means none). */
export function isTransitionName(name: string): boolean {
  return TRANSITION_NAMES.has(name);
}

function checkTransitionName(name: string, field: string): void {
  if (!TRANSITION_NAMES.has(name)) {
    throw new UserInputError(`${field}: unknown transition "${name}"`, {
      hint: `use "crossfade", "cut" or an ffmpeg xfade name such as wipeleft, fadeblack, dissolve`,
    });
  }
}

function checkRate(rate: Rate, field: string): void {
  if (!Number.isInteger(rate.num) || !Number.isInteger(rate.den) || rate.num <= 0 || rate.den <= 0) {
    throw new UserInputError(
      `${field}: frame rate must be a positive ratio of integers, got ${rate.num}/${rate.den}`,
    );
  }
}

/** Where a clip sits on the track: its frames [start, end) of the output. */
export interface PlacedClip {
  readonly clip: Clip;
  readonly start: number;
  readonly end: number;
  /** Transition frames borrowed from the head handle (before `start`) and tail handle (after `end`). */
  readonly headFrames: number;
  readonly tailFrames: number;
  /** The transitions into and out of this clip, when there are. */
  readonly transitionIn?: Transition;
  readonly transitionOut?: Transition;
}

export interface PlacedGap {
  readonly gap: Gap;
  readonly start: number;
  readonly end: number;
}

/** The track laid out in output frames: clips and gaps in order with their transitions resolved. */
export function placeTrack(track: Track): (PlacedClip | PlacedGap)[] {
  const out: (PlacedClip | PlacedGap)[] = [];
  let at = 0;
  const items = track.children;
  for (let i = 0; i < items.length; i++) {
    const item = items[i]!;
    if (item.kind === "transition") continue;
    if (item.kind === "gap") {
      out.push({ gap: item, start: at, end: at + item.durationFrames });
      at += item.durationFrames;
      continue;
    }
    const before = items[i - 1];
    const after = items[i + 1];
    const transitionIn = before?.kind === "transition" ? before : undefined;
    const transitionOut = after?.kind === "transition" ? after : undefined;
    out.push({
      clip: item,
      start: at,
      end: at + item.sourceRange.durationFrames,
      headFrames: transitionIn?.inOffset ?? 0,
      tailFrames: transitionOut?.outOffset ?? 0,
      transitionIn,
      transitionOut,
    });
    at += item.sourceRange.durationFrames;
  }
  return out;
}

/** Frames a track lasts (clips and gaps; transitions take no time). */
export function trackDurationFrames(track: Track): number {
  let n = 0;
  for (const item of track.children) {
    if (item.kind === "clip") n += item.sourceRange.durationFrames;
    else if (item.kind === "gap") n += item.durationFrames;
  }
  return n;
}

/** The sample where the take's audio (and so its frame 0 of content) begins: start − handleBefore. */
function jobStartSample(segment: Segment, planRate: Rate): number {
  return framesToSamples(samplesToFrames(segment.start, planRate) - segment.handleBefore, planRate);
}

/** A frame count at one rate as the nearest count at another (equal rates: unchanged). */
function framesAtRate(frames: number, from: Rate, to: Rate): number {
  const numer = frames * from.den * to.num;
  const denom = from.num * to.den;
  return Math.floor((2 * numer + denom) / (2 * denom));
}

/** ⌈a / b⌉ for integers, b > 0. */
function ceilDiv(a: number, b: number): number {
  return -Math.floor(-a / b);
}

/**
 * The output frames [start, end) (at `to`) that show only file frames [first, end) of a file of
 * `fileFrames` frames at `from`. An output frame may show neither a frame before `first` (it lies at or
 * after first's time) nor one at or after `end` (ffmpeg's fps filter rounds input times to the nearest
 * output frame, so output frame k may already show the file frame due at k + ½). The file's own end is
 * the exception: the render clones its last frame to cover the output frame the fps filter rounds away.
 */
export function usableOutputFrames(usable: TimeRange, fileFrames: number, from: Rate, to: Rate): TimeRange {
  const num = from.den * to.num;
  const den = from.num * to.den;
  const first = usable.startFrame;
  const last = Math.min(fileFrames, usable.startFrame + usable.durationFrames);
  const start = ceilDiv(first * num, den);
  const end =
    last >= fileFrames ? ceilDiv(fileFrames * num, den) : Math.floor((2 * last * num - den) / (2 * den)) + 1;
  return { startFrame: start, durationFrames: Math.max(0, end - start) };
}

/**
 * What media frames [from, to) of a clip (at the timeline's rate) really show: the usable frames among
 * them, `[shownFrom, shownTo)`, with `holdBefore` copies of the first before and `holdAfter` copies of
 * the last after. Always at least one shown frame; holds + shown frames = to − from.
 */
export function shownFrames(
  clip: Pick<Clip, "availableRange">,
  from: number,
  to: number,
): { shownFrom: number; shownTo: number; holdBefore: number; holdAfter: number } {
  const a = clip.availableRange;
  const aEnd = a.startFrame + Math.max(1, a.durationFrames);
  const shownFrom = Math.min(Math.max(from, a.startFrame), aEnd - 1);
  const shownTo = Math.min(Math.max(to, shownFrom + 1), aEnd);
  const spare = to - from - (shownTo - shownFrom);
  const holdBefore = Math.min(Math.max(0, shownFrom - from), spare);
  return { shownFrom, shownTo, holdBefore, holdAfter: spare - holdBefore };
}

interface Draft {
  segment: Segment;
  pick?: PickedTake;
  start: number;
  end: number;
  /** Media frame (at output rate) shown at output frame `start`. */
  mediaStart: number;
  /** The media's usable frames [usableStart, usableEnd) at output rate. */
  usableStart: number;
  usableEnd: number;
  holdHead: number;
  holdTail: number;
}

function transitionFor(
  next: Segment,
  cutSample: number,
  options: TimelineOptions,
  downbeats: readonly number[],
  planRate: Rate,
): string {
  // The planner's own test, at the plan's rate: hard cuts fall where it left no handles.
  if (options.hardCutsOnDownbeats && onDownbeat(cutSample, downbeats, planRate)) return "cut";
  if (next.section !== undefined) {
    const bySection = options.transitionsBySection?.[next.section];
    if (bySection !== undefined) return bySection;
  }
  return options.transition ?? "crossfade";
}

/**
 * Places each segment's chosen take on the song. Pure: the same plan and picks give the same timeline.
 * A segment with no pick becomes a black Gap (with a warning), so a partial set of takes still previews.
 */
export function buildTimeline(plan: Plan, picks: readonly PickedTake[], options: TimelineOptions): Timeline {
  const rate = options.rate;
  checkRate(rate, "timeline rate");
  checkRate(plan.fps, "plan fps");
  checkTransitionName(options.transition ?? "crossfade", "transition");
  for (const [section, name] of Object.entries(options.transitionsBySection ?? {})) {
    checkTransitionName(name, `transitionsBySection.${section}`);
  }
  const defaultFrames = Math.round((rate.num / rate.den) * 0.5);
  const transitionFrames = options.transitionFrames ?? defaultFrames;
  const maxHeld = options.maxHeldFrames ?? defaultFrames;
  if (!Number.isInteger(transitionFrames) || transitionFrames < 0) {
    throw new UserInputError(`transitionFrames must be a whole number ≥ 0, got ${transitionFrames}`);
  }
  if (options.hardCutsOnDownbeats && !options.downbeats) {
    throw new UserInputError("hardCutsOnDownbeats needs the song's downbeats", {
      hint: "pass analysis.downbeats as downbeats",
    });
  }
  const byIndex = new Map<number, PickedTake>();
  for (const p of picks) {
    if (byIndex.has(p.segment)) {
      throw new UserInputError(
        `two takes picked for segment ${p.segment} (${byIndex.get(p.segment)!.takeId}, ${p.takeId})`,
      );
    }
    if (!plan.segments.some((s) => s.index === p.segment)) {
      throw new UserInputError(
        `take ${p.takeId} is picked for segment ${p.segment}, which the plan does not have`,
      );
    }
    checkRate(p.fps, `take ${p.takeId} fps`);
    byIndex.set(p.segment, p);
  }
  const warnings: string[] = [];
  const durationFrames = samplesToFrames(plan.durationSamples, rate);
  const segments = [...plan.segments].sort((a, b) => a.start - b.start);

  const drafts: Draft[] = [];
  let previousEnd = 0;
  for (const segment of segments) {
    if (segment.start < previousEnd) {
      throw new UserInputError(`plan segment ${segment.index} overlaps the one before it`);
    }
    previousEnd = segment.end;
    const start = samplesToFrames(segment.start, rate);
    const end = Math.min(samplesToFrames(segment.end, rate), durationFrames);
    if (end <= start) continue;
    const pick = byIndex.get(segment.index);
    if (!pick) {
      warnings.push(`segment ${segment.index} has no picked take: shown as black`);
      drafts.push({
        segment,
        start,
        end,
        mediaStart: 0,
        usableStart: 0,
        usableEnd: 0,
        holdHead: 0,
        holdTail: 0,
      });
      continue;
    }
    // Media time that shows the song at output frame `start`: the take's audio began at
    // jobStart; content starts after the head trim plus any measured late offset.
    const lead = framesToSamples((pick.headTrimFrames ?? 0) + (pick.offsetFrames ?? 0), pick.fps);
    const mediaStart = samplesToFrames(
      framesToSamples(start, rate) - jobStartSample(segment, plan.fps) + lead,
      rate,
    );
    const fileFrames =
      pick.frames ?? framesAtRate(segment.generateFrames, plan.fps, pick.fps) + (pick.headTrimFrames ?? 0);
    const headTrim = pick.headTrimFrames ?? 0;
    const usable = usableOutputFrames(
      pick.usableRange ?? { startFrame: headTrim, durationFrames: fileFrames - headTrim },
      fileFrames,
      pick.fps,
      rate,
    );
    const usableStart = usable.startFrame;
    const usableEnd = usable.startFrame + usable.durationFrames;
    // The segment's own frames that fall on black, frozen or missing frames show the nearest usable
    // frame instead, so the rest stays in sync; too many of them, and the take is refused.
    const length = end - start;
    const holdHead = Math.min(length, Math.max(0, usableStart - mediaStart));
    const holdTail = Math.min(length - holdHead, Math.max(0, mediaStart + length - usableEnd));
    const held = holdHead + holdTail;
    if (pick.placementError !== undefined) {
      throw new UserInputError(`take ${pick.takeId} (${pick.path}): ${pick.placementError}`, {
        file: pick.path,
      });
    }
    if (usable.durationFrames === 0 || held >= length || held > maxHeld) {
      const i = segment.index;
      throw new UserInputError(
        `segment ${i}: take ${pick.takeId} (${pick.path}) covers only ${Math.max(0, length - held)} of its ${length} frames (black, frozen or missing)`,
        {
          file: pick.path,
          hint: `generate it again (\`refrain reroll ${i}\`) or pick another take (\`refrain takes ${i}\`)`,
        },
      );
    }
    if (held > 0) {
      warnings.push(
        `segment ${segment.index}: ${held} frames hold the take's ${holdHead > 0 ? "first" : "last"} usable frame (its own are black, frozen or missing)`,
      );
    }
    drafts.push({ segment, pick, start, end, mediaStart, usableStart, usableEnd, holdHead, holdTail });
  }

  const downbeats = [...(options.downbeats ?? [])].sort((a, b) => a - b);
  const children: TrackItem[] = [];
  let at = 0;
  for (let i = 0; i < drafts.length; i++) {
    const d = drafts[i]!;
    if (d.start > at) {
      children.push({ kind: "gap", durationFrames: d.start - at });
    } else if (i > 0) {
      const prev = drafts[i - 1]!;
      const name = transitionFor(d.segment, d.segment.start, options, downbeats, plan.fps);
      if (name !== "cut" && transitionFrames > 0 && prev.pick && d.pick) {
        const wantIn = Math.floor(transitionFrames / 2);
        const wantOut = transitionFrames - wantIn;
        // Only usable frames may show in a transition: never a black or frozen head or tail.
        const headRoom = Math.max(0, d.mediaStart - d.usableStart);
        const tailRoom = Math.max(0, prev.usableEnd - (prev.mediaStart + (prev.end - prev.start)));
        // A transition may not reach past the middle of either clip, so two never overlap: the part
        // before the cut covers the end of the previous clip, the part after it the next clip's start.
        const inOffset = Math.min(wantIn, headRoom, Math.floor((prev.end - prev.start) / 2));
        const outOffset = Math.min(wantOut, tailRoom, Math.floor((d.end - d.start) / 2));
        if (inOffset < wantIn || outOffset < wantOut) {
          warnings.push(
            `cut into segment ${d.segment.index}: transition shortened to ${inOffset + outOffset} frames (not enough usable handle frames)`,
          );
        }
        if (inOffset + outOffset > 0) children.push({ kind: "transition", name, inOffset, outOffset });
      }
    }
    if (d.pick) {
      children.push({
        kind: "clip",
        name: `segment ${d.segment.index}`,
        mediaPath: d.pick.path,
        mediaRate: d.pick.fps,
        sourceRange: { startFrame: d.mediaStart, durationFrames: d.end - d.start },
        availableRange: { startFrame: d.usableStart, durationFrames: d.usableEnd - d.usableStart },
        ...(d.holdHead > 0 ? { holdHeadFrames: d.holdHead } : {}),
        ...(d.holdTail > 0 ? { holdTailFrames: d.holdTail } : {}),
        segment: d.segment.index,
        takeId: d.pick.takeId,
        ...(d.segment.section !== undefined ? { section: d.segment.section } : {}),
        ...(d.pick.colour ? { colour: d.pick.colour } : {}),
        ...(d.pick.size ? { mediaSize: d.pick.size } : {}),
      });
    } else {
      children.push({ kind: "gap", durationFrames: d.end - d.start });
    }
    at = d.end;
  }
  if (at < durationFrames) children.push({ kind: "gap", durationFrames: durationFrames - at });

  return {
    version: 1,
    name: options.name ?? "refrain",
    rate,
    durationFrames,
    audio: { path: options.songPath, startSample: 0, durationSamples: plan.durationSamples },
    tracks: [{ kind: "video", children }],
    warnings,
  };
}
