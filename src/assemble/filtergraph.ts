// The ffmpeg command for a timeline (or one chunk of it), built as lists of arguments. Pure.
//
// ffmpeg's words (input, filter, label, map) live here and nowhere else in assemble. Every number
// that reaches ffmpeg comes from integer frames: trims and fades count frames, xfade durations are
// exact frame times printed to the microsecond (ffmpeg rounds them back to the same frame). A clip is
// split into its head, plain middle and tail; plain parts and transitions follow each other in one concat.
import { UserInputError } from "../errors/index.js";
import { escapeFilterValue } from "../media/index.js";
import { type Rate, rateToString } from "../time/index.js";
import { type Clip, placeTrack, shownFrames, type Timeline } from "./timeline.js";
import { timelineProblem } from "./timeline-json.js";

export type Fit = "crop" | "pad";

export interface RenderSettings {
  readonly width: number;
  readonly height: number;
  /** Output frame rate; must equal the timeline's. */
  readonly rate: Rate;
  /** Fill the frame and crop the overflow, or fit inside and pad with black. Never stretched. */
  readonly fit: Fit;
  /** x264 quality, 0 (lossless) … 51. */
  readonly crf: number;
  /** x264 preset, ultrafast … veryslow. */
  readonly preset: string;
  /** Fast low-resolution preview: short side 480, ultrafast. */
  readonly draft?: boolean;
  /** An .ass or .srt file to burn into the picture. */
  readonly subtitlesPath?: string;
  readonly burnSubtitles?: boolean;
  /** AAC bitrate, e.g. "192k". */
  readonly audioBitrate?: string;
}

export type Aspect = "16:9" | "9:16" | "1:1";

/** Frame sizes for each aspect at a chosen height of the short side (default 1080). */
export function presetSize(aspect: Aspect, shortSide = 1080): { width: number; height: number } {
  const long = even((shortSide * 16) / 9);
  switch (aspect) {
    case "16:9":
      return { width: long, height: shortSide };
    case "9:16":
      return { width: shortSide, height: long };
    case "1:1":
      return { width: shortSide, height: shortSide };
  }
}

/** Settings for an aspect and rate with refrain's defaults (crop to fill, crf 20, preset medium). */
export function renderPreset(
  aspect: Aspect,
  rate: Rate,
  overrides: Partial<RenderSettings> & { shortSide?: number } = {},
): RenderSettings {
  const { shortSide, ...rest } = overrides;
  return { ...presetSize(aspect, shortSide), rate, fit: "crop", crf: 20, preset: "medium", ...rest };
}

export const X264_PRESETS = [
  "ultrafast",
  "superfast",
  "veryfast",
  "faster",
  "fast",
  "medium",
  "slow",
  "slower",
  "veryslow",
] as const;

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** The frame size and encoder settings actually used: a draft shrinks to a short side of 480. */
export function effectiveSettings(settings: RenderSettings): RenderSettings {
  if (!settings.draft) return settings;
  const short = Math.min(settings.width, settings.height);
  const scale = Math.min(1, 480 / short);
  return {
    ...settings,
    width: even(settings.width * scale),
    height: even(settings.height * scale),
    preset: "ultrafast",
    crf: Math.max(settings.crf, 28),
  };
}

/** Colour filters are inserted into the graph as written, so they may not open new chains or labels. */
function checkColourFilter(clip: Clip): void {
  const f = clip.colour?.filter;
  if (f === undefined) return;
  if (!/^[A-Za-z_][\w]*(=[^;[\]]*)?(,[A-Za-z_][\w]*(=[^;[\]]*)?)*$/.test(f)) {
    throw new UserInputError(
      `segment ${clip.segment}: colour filter "${f}" is not a plain ffmpeg filter chain (filter=args,filter=args)`,
      { hint: "remove ';', '[' and ']' from the colour filter" },
    );
  }
}

/** Checks every option and its combination with the timeline before ffmpeg starts. */
export function validateRender(timeline: Timeline, settings: RenderSettings): void {
  const bad = (m: string, hint?: string) => new UserInputError(m, hint ? { hint } : {});
  for (const [k, v] of [
    ["width", settings.width],
    ["height", settings.height],
  ] as const) {
    if (!Number.isInteger(v) || v < 16 || v > 8192 || v % 2 !== 0)
      throw bad(
        `render ${k} must be an even whole number from 16 to 8192, got ${v}`,
        "H.264 in yuv420p needs even sizes",
      );
  }
  if (settings.rate.num !== timeline.rate.num || settings.rate.den !== timeline.rate.den) {
    throw bad(
      `render rate ${rateToString(settings.rate)} differs from the timeline's ${rateToString(timeline.rate)}`,
      "build the timeline at the output frame rate",
    );
  }
  if (settings.fit !== "crop" && settings.fit !== "pad")
    throw bad(`render fit must be "crop" or "pad", got "${settings.fit}"`);
  if (!Number.isInteger(settings.crf) || settings.crf < 0 || settings.crf > 51)
    throw bad(`render crf must be a whole number from 0 to 51, got ${settings.crf}`);
  if (!(X264_PRESETS as readonly string[]).includes(settings.preset))
    throw bad(
      `render preset "${settings.preset}" is not an x264 preset`,
      `use one of ${X264_PRESETS.join(", ")}`,
    );
  if (settings.burnSubtitles && !settings.subtitlesPath)
    throw bad(
      "burnSubtitles is set but no subtitlesPath was given",
      "write subtitles first (refrain export ass)",
    );
  if (settings.subtitlesPath && !/\.(ass|ssa|srt)$/i.test(settings.subtitlesPath))
    throw bad(`subtitles ${settings.subtitlesPath}: only .ass, .ssa or .srt can be burned in`);
  if (settings.audioBitrate !== undefined && !/^\d+k$/.test(settings.audioBitrate))
    throw bad(`audioBitrate must look like "192k", got "${settings.audioBitrate}"`);
  if (timeline.tracks.length !== 1)
    throw bad(`the renderer draws one video track; this timeline has ${timeline.tracks.length}`);
  if (timeline.durationFrames < 1) throw bad("the timeline is empty (0 frames)");
  const problem = timelineProblem(timeline);
  if (problem) throw bad(`timeline: ${problem}`);
  for (const item of timeline.tracks[0]!.children) if (item.kind === "clip") checkColourFilter(item);
}

/** Prints frames/rate as seconds to the microsecond, from integers alone (no float drift). */
export function framesToSecondsText(frames: number, rate: Rate): string {
  const numer = frames * rate.den * 1_000_000;
  const us = Math.floor((2 * numer + rate.num) / (2 * rate.num));
  const whole = Math.floor(us / 1_000_000);
  const frac = String(us % 1_000_000).padStart(6, "0");
  return `${whole}.${frac}`;
}

/** One part of the output: a clip's media frames, or black. */
export type Piece =
  | {
      readonly kind: "clip";
      readonly clip: Clip;
      /** Media frames [mediaFrom, mediaTo) at the output rate. */
      readonly mediaFrom: number;
      readonly mediaTo: number;
      /** When this piece's first `frames` frames blend with the last ones of the piece before: how. */
      readonly transition?: { readonly name: string; readonly frames: number };
    }
  | { readonly kind: "gap"; readonly frames: number };

/** Frames [from, to) of the output as pieces, grouped: pieces in a group overlap by their transitions. */
export function piecesOf(timeline: Timeline, from = 0, to = timeline.durationFrames): Piece[][] {
  const groups: Piece[][] = [];
  for (const p of placeTrack(timeline.tracks[0]!)) {
    if ("gap" in p) {
      const a = Math.max(from, p.start);
      const b = Math.min(to, p.end);
      if (b > a) groups.push([{ kind: "gap", frames: b - a }]);
      continue;
    }
    const a = Math.max(from, p.start - p.headFrames);
    const b = Math.min(to, p.end + p.tailFrames);
    if (b <= a) continue;
    const src = p.clip.sourceRange.startFrame;
    const piece = {
      kind: "clip" as const,
      clip: p.clip,
      mediaFrom: src + (a - p.start),
      mediaTo: src + (b - p.start),
    };
    const t = p.transitionIn;
    const previous = groups.at(-1);
    if (t && a === p.start - p.headFrames && previous && previous.at(-1)?.kind === "clip") {
      const name = t.name === "crossfade" ? "fade" : t.name;
      previous.push({ ...piece, transition: { name, frames: t.inOffset + t.outOffset } });
    } else {
      groups.push([piece]);
    }
  }
  return groups;
}

/**
 * How far into a take ffmpeg reads (in output frames): past the last frame used by one take frame and
 * two output frames, so the fps filter still sees the frame it needs, but the padding a provider's
 * frame rule added (up to 71 frames for InfiniteTalk) is never decoded.
 */
export function readLimitFrames(piece: { clip: Clip; mediaTo: number }, rate: Rate): number {
  const m = piece.clip.mediaRate;
  return piece.mediaTo + 2 + Math.ceil((rate.num * m.den) / (rate.den * m.num));
}

/** The scale chain that fits any picture into width×height: crop to fill, or pad. Never stretches. */
export function fitFilters(width: number, height: number, fit: Fit): string[] {
  if (fit === "crop") {
    return [`scale=${width}:${height}:force_original_aspect_ratio=increase`, `crop=${width}:${height}`];
  }
  return [
    `scale=${width}:${height}:force_original_aspect_ratio=decrease:force_divisible_by=2`,
    `pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2:color=black`,
  ];
}

/**
 * The chains that blend the `frames` frames of `tail` (the clip before the cut) into those of `head`
 * (the clip after) and label the result `out`, in 4:2:0. A crossfade is the head fading in over the
 * tail by its alpha (fade + overlay stay in 4:2:0); other transitions need xfade, which has no 4:2:0
 * in ffmpeg 5.1, so their frames go to 4:4:4 and back — 3× the CPU of the crossfade (bench/render.ts).
 * Only transition frames pass through here: every frame through xfade costs those conversions.
 */
export function transitionChains(
  tail: string,
  head: string,
  out: string,
  transition: { readonly name: string; readonly frames: number },
  rate: Rate,
): string[] {
  const { name, frames } = transition;
  if (name === "fade") {
    // Frame k of n shows the head at k/n, as xfade's fade does: frame 0 is all tail.
    return [
      `[${head}]format=yuva420p,fade=t=in:start_frame=0:nb_frames=${frames}:alpha=1[${out}a]`,
      `[${tail}][${out}a]overlay=format=yuv420,format=yuv420p[${out}]`,
    ];
  }
  const duration = framesToSecondsText(frames, rate);
  return [`[${tail}][${head}]xfade=transition=${name}:duration=${duration}:offset=0,format=yuv420p[${out}]`];
}

/**
 * The fit chain with the clip's colour correction on whichever side has fewer pixels: a per-plane
 * lookup costs per pixel, and a 480p take upscaled to 1080p has a fifth of the output's pixels. The
 * correction is an affine map per plane, so it commutes with scaling (and before a pad it leaves the
 * bars black). Unknown size: after the fit, as before sizes were recorded.
 */
function colourAndFit(clip: Clip, fitChain: string[], size: { width: number; height: number }): string[] {
  if (!clip.colour) return fitChain;
  const m = clip.mediaSize;
  const smaller = m !== undefined && m.width * m.height < size.width * size.height;
  return smaller ? [clip.colour.filter, ...fitChain] : [...fitChain, clip.colour.filter];
}

export interface RenderGraph {
  /** ffmpeg input arguments ("-i", path, …), in input order. */
  readonly inputs: string[];
  readonly filterComplex: string;
  /** "-map" arguments. */
  readonly maps: string[];
  /** Codec, frame count and container arguments (without the output path). */
  readonly outputArgs: string[];
  /** Frames the output will hold. */
  readonly frames: number;
}

export interface GraphOptions {
  /** Render only output frames [from, to) (a chunk); the whole timeline when absent. */
  readonly from?: number;
  readonly to?: number;
  /** Include the master audio. Default true; chunks leave it out and the join adds it. */
  readonly audio?: boolean;
}

/** x264 and AAC arguments shared by a whole render and its chunks (chunks must match to join by copy). */
export function encoderArgs(settings: RenderSettings): string[] {
  const s = effectiveSettings(settings);
  return [
    "-c:v",
    "libx264",
    "-preset",
    s.preset,
    "-crf",
    String(s.crf),
    "-pix_fmt",
    "yuv420p",
    "-r",
    rateToString(s.rate),
  ];
}

export function audioArgs(settings: RenderSettings): string[] {
  return ["-c:a", "aac", "-b:a", settings.audioBitrate ?? "192k", "-ar", "48000"];
}

/** The whole render (or one chunk) as one filtergraph. Validates first. */
export function buildRenderGraph(
  timeline: Timeline,
  settings: RenderSettings,
  options: GraphOptions = {},
): RenderGraph {
  validateRender(timeline, settings);
  const s = effectiveSettings(settings);
  const from = options.from ?? 0;
  const to = options.to ?? timeline.durationFrames;
  if (
    !Number.isInteger(from) ||
    !Number.isInteger(to) ||
    from < 0 ||
    to > timeline.durationFrames ||
    to <= from
  ) {
    throw new UserInputError(
      `render range [${from}, ${to}) lies outside the timeline's ${timeline.durationFrames} frames`,
    );
  }
  const rate = rateToString(timeline.rate);
  const fitChain = fitFilters(s.width, s.height, s.fit);
  const inputs: string[] = [];
  const chains: string[] = [];
  // The output in order: plain parts of clips, transitions and gaps, joined by one concat.
  const parts: string[] = [];
  let nInputs = 0;
  let nPieces = 0;
  for (const group of piecesOf(timeline, from, to)) {
    // The tail of the previous clip, waiting for the next clip's head to blend with.
    let tail: string | null = null;
    for (const [k, piece] of group.entries()) {
      const label = `p${nPieces++}`;
      if (piece.kind === "gap") {
        chains.push(
          `color=c=black:s=${s.width}x${s.height}:r=${rate},trim=end_frame=${piece.frames},setsar=1,format=yuv420p[${label}]`,
        );
        parts.push(label);
        continue;
      }
      // One decoder thread per take: takes are decoded a few at a time while x264 uses the cores, and
      // frame-threaded decoders would hold several 720p frames each (bench: 291 → 239 MiB per chunk).
      inputs.push(
        "-threads",
        "1",
        "-t",
        framesToSecondsText(readLimitFrames(piece, timeline.rate), timeline.rate),
      );
      inputs.push("-i", piece.clip.mediaPath);
      // A take's black, frozen or missing edge frames are never shown: its nearest usable frame is held.
      const shown = shownFrames(piece.clip, piece.mediaFrom, piece.mediaTo);
      const filters = [
        "setpts=PTS-STARTPTS",
        `fps=${rate}`,
        // fps may round the last frame away (44 frames at 16 fps → 82 at 29.97, not 83); clone it back.
        "tpad=stop_mode=clone:stop=1",
        `trim=start_frame=${shown.shownFrom}:end_frame=${shown.shownTo}`,
        "setpts=PTS-STARTPTS",
        ...(shown.holdBefore + shown.holdAfter > 0
          ? [`tpad=start_mode=clone:start=${shown.holdBefore}:stop_mode=clone:stop=${shown.holdAfter}`]
          : []),
        ...colourAndFit(piece.clip, fitChain, s),
        "setsar=1",
        "format=yuv420p",
      ];
      chains.push(`[${nInputs++}:v:0]${filters.join(",")}[${label}]`);
      // Only the frames a transition blends go through it (see transitionChains).
      const next = group[k + 1];
      const headFrames = piece.transition?.frames ?? 0;
      const tailFrames = next?.kind === "clip" ? (next.transition?.frames ?? 0) : 0;
      const length = piece.mediaTo - piece.mediaFrom;
      const ranges = [
        { name: "h", from: 0, to: headFrames },
        { name: "m", from: headFrames, to: length - tailFrames },
        { name: "t", from: length - tailFrames, to: length },
      ].filter((r) => r.to > r.from);
      const labels = new Map<string, string>();
      if (ranges.length === 1) {
        labels.set(ranges[0]!.name, label);
      } else {
        chains.push(`[${label}]split=${ranges.length}${ranges.map((r) => `[${label}${r.name}s]`).join("")}`);
        for (const r of ranges) {
          chains.push(
            `[${label}${r.name}s]trim=start_frame=${r.from}:end_frame=${r.to},setpts=PTS-STARTPTS[${label}${r.name}]`,
          );
          labels.set(r.name, `${label}${r.name}`);
        }
      }
      if (piece.transition && tail !== null) {
        chains.push(
          ...transitionChains(tail, labels.get("h")!, `x${label}`, piece.transition, timeline.rate),
        );
        parts.push(`x${label}`);
      }
      if (labels.has("m")) parts.push(labels.get("m")!);
      tail = labels.get("t") ?? null;
    }
  }
  let video: string;
  if (parts.length === 1) {
    video = parts[0]!;
  } else {
    video = "joined";
    chains.push(`${parts.map((l) => `[${l}]`).join("")}concat=n=${parts.length}:v=1:a=0[${video}]`);
  }
  if (s.burnSubtitles && s.subtitlesPath) {
    const filter = /\.(ass|ssa)$/i.test(s.subtitlesPath) ? "ass" : "subtitles";
    // Subtitles are timed against the whole song, so a chunk's frames are shifted to their place first.
    const shift = from > 0 ? `setpts=PTS+${from},` : "";
    const back = from > 0 ? ",setpts=PTS-STARTPTS" : "";
    chains.push(`[${video}]${shift}${filter}=filename=${escapeFilterValue(s.subtitlesPath)}${back}[subbed]`);
    video = "subbed";
  }
  const frames = to - from;
  const withAudio = options.audio ?? true;
  // The frame count is enforced inside the graph: ffmpeg's -frames:v would also stop the audio early.
  chains.push(`[${video}]trim=end_frame=${frames}[out]`);
  const maps = ["-map", "[out]"];
  if (withAudio) {
    inputs.push("-i", timeline.audio.path);
    maps.push("-map", `${nInputs}:a:0`);
  }
  const outputArgs = [
    ...encoderArgs(settings),
    // A chunk is only read back by the join, which writes the final file with +faststart: moving a
    // chunk's index to its front would rewrite every chunk once more for nothing.
    ...(withAudio
      ? [...audioArgs(settings), "-movflags", "+faststart"]
      : ["-frames:v", String(frames), "-an"]),
  ];
  return { inputs, filterComplex: chains.join(";"), maps, outputArgs, frames };
}

/** The full ffmpeg argument list for a graph and an output path. */
export function graphArgs(graph: RenderGraph, outPath: string): string[] {
  return [
    ...graph.inputs,
    "-filter_complex",
    graph.filterComplex,
    ...graph.maps,
    ...graph.outputArgs,
    outPath,
  ];
}

/**
 * Splits the output into chunks of at most `clipsPerChunk` clips. Each boundary falls in the middle
 * of a clip's plain part (no transition) or at a hard cut, so every chunk renders on its own and
 * the chunks join by stream copy. Returns [from, to) frame ranges covering the whole timeline.
 */
export function planChunks(timeline: Timeline, clipsPerChunk: number): { from: number; to: number }[] {
  if (!Number.isInteger(clipsPerChunk) || clipsPerChunk < 1)
    throw new UserInputError(`clipsPerChunk must be a whole number ≥ 1, got ${clipsPerChunk}`);
  const placed = placeTrack(timeline.tracks[0]!);
  const bounds: number[] = [];
  let clipsInChunk = 0;
  for (const p of placed) {
    if ("gap" in p) continue;
    clipsInChunk++;
    if (clipsInChunk < clipsPerChunk) continue;
    // Cut this clip in the middle of its plain part: after the incoming transition, before the outgoing one.
    const plainFrom = p.start + (p.transitionIn?.outOffset ?? 0);
    const plainTo = p.end - (p.transitionOut?.inOffset ?? 0);
    if (plainTo - plainFrom < 2) continue;
    const at = Math.floor((plainFrom + plainTo) / 2);
    if (at <= (bounds.at(-1) ?? 0) || at >= timeline.durationFrames) continue;
    bounds.push(at);
    // The cut clip's second half starts the next chunk.
    clipsInChunk = 1;
  }
  const edges = [0, ...bounds, timeline.durationFrames];
  return edges.slice(1).map((to, i) => ({ from: edges[i]!, to }));
}
