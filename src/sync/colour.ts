// Colour statistics of a clip or the key image, and the per-clip filter that matches a clip to the key.
//
// Measured and corrected on the Y, U and V planes the video already has: a per-plane lookup table
// (lutyuv) costs almost nothing in the render, where an RGB correction would convert every frame
// to RGB and back (1.7× a bare encode on 30 clips, against the 1.2× the render must stay within).
import { MediaError } from "../errors/index.js";
import { probe, runFfmpeg, type Tools } from "../media/index.js";
import { rateToNumber } from "../time/index.js";

/** Per-plane mean and standard deviation of Y, U and V (8-bit plane values) over the sampled frames. */
export interface ColourStats {
  readonly mean: readonly [number, number, number];
  readonly std: readonly [number, number, number];
  /** Frames measured. */
  readonly frames: number;
}

export interface ColourStatsOptions {
  /** How many frames to sample, spread evenly over the clip (default 5). */
  readonly sampleFrames?: number;
  readonly signal?: AbortSignal;
}

/** Width frames are scaled to before measuring: statistics barely change, the pipe shrinks a lot. */
const MEASURE_WIDTH = 160;

/** Mean and standard deviation of each plane of planar yuv444p frames (Y, U, V per frame). Pure. */
export function planeStats(bytes: Uint8Array, pixelsPerPlane: number, frames: number): ColourStats {
  const sum = [0, 0, 0];
  const sq = [0, 0, 0];
  for (let f = 0; f < frames; f++) {
    for (let c = 0; c < 3; c++) {
      const base = (3 * f + c) * pixelsPerPlane;
      let s1 = 0;
      let s2 = 0;
      for (let i = 0; i < pixelsPerPlane; i++) {
        const v = bytes[base + i]!;
        s1 += v;
        s2 += v * v;
      }
      sum[c]! += s1;
      sq[c]! += s2;
    }
  }
  const n = pixelsPerPlane * frames;
  const mean = sum.map((s) => (n ? s / n : 0));
  const std = sq.map((s, c) => (n ? Math.sqrt(Math.max(0, s / n - mean[c]! ** 2)) : 0));
  return {
    mean: [mean[0]!, mean[1]!, mean[2]!],
    std: [std[0]!, std[1]!, std[2]!],
    frames,
  };
}

/** Measures a video (a few evenly spread frames) or a still image. */
export async function colourStats(
  tools: Tools,
  path: string,
  options: ColourStatsOptions = {},
): Promise<ColourStats> {
  const info = await probe(tools, path, "clip", options.signal);
  if (!info.video) {
    throw new MediaError(`${path} has no picture to measure colour on`, { hint: "give a video or an image" });
  }
  const want = Math.max(1, options.sampleFrames ?? 5);
  const total = info.video.frames ?? Math.max(1, Math.round(info.durationS * rateToNumber(info.video.rate)));
  const every = Math.max(1, Math.floor(total / want));
  const height = Math.max(2, 2 * Math.round((MEASURE_WIDTH * info.video.height) / info.video.width / 2));
  const { stdout } = await runFfmpeg(
    tools,
    [
      "-i",
      path,
      "-map",
      "0:v:0",
      "-vf",
      // Sample the middle of each stretch, not frame 0, which may be a blank head.
      `select='eq(mod(n\\,${every})\\,${Math.floor(every / 2)})',scale=${MEASURE_WIDTH}:${height}:flags=area,format=yuv444p`,
      "-fps_mode",
      "passthrough",
      "-frames:v",
      String(want),
      "-f",
      "rawvideo",
      "pipe:1",
    ],
    { captureStdout: true, signal: options.signal },
  );
  const plane = MEASURE_WIDTH * height;
  const frames = Math.floor(stdout.byteLength / (3 * plane));
  if (frames === 0) throw new MediaError(`${path}: ffmpeg returned no frames to measure colour on`);
  return planeStats(new Uint8Array(stdout.buffer, stdout.byteOffset, frames * 3 * plane), plane, frames);
}

export interface ColourCorrection {
  /** An ffmpeg filter (lutyuv gains and offsets) the render applies to the clip. */
  readonly filter: string;
  /** Distance between clip and key statistics before and (predicted) after the filter. */
  readonly driftBefore: number;
  readonly driftAfter: number;
}

/** How far apart two measurements are: RMS over the three planes of mean and std differences. */
export function colourDrift(a: ColourStats, b: ColourStats): number {
  let s = 0;
  for (let c = 0; c < 3; c++) s += (a.mean[c]! - b.mean[c]!) ** 2 + (a.std[c]! - b.std[c]!) ** 2;
  return Math.sqrt(s / 3);
}

/** Gains stay in this range so a nearly flat clip (a black frame) is not blown up into noise. */
const MIN_GAIN = 0.5;
const MAX_GAIN = 2;

function fixed(x: number): string {
  const t = x.toFixed(4).replace(/\.?0+$/, "");
  return t === "-0" ? "0" : t;
}

/**
 * The per-plane gain and offset that give the clip the key image's mean and spread
 * (out = gain·in + offset, clipped to the legal range by lutyuv). Pure; measured against the key,
 * never against the previous clip, so colour cannot wander along the song.
 */
export function colourCorrection(clip: ColourStats, key: ColourStats): ColourCorrection {
  const names = ["y", "u", "v"] as const;
  const parts: string[] = [];
  const predicted = {
    mean: [0, 0, 0] as [number, number, number],
    std: [0, 0, 0] as [number, number, number],
  };
  for (let c = 0; c < 3; c++) {
    const raw = clip.std[c]! > 1e-6 ? key.std[c]! / clip.std[c]! : 1;
    const gain = Math.min(MAX_GAIN, Math.max(MIN_GAIN, raw));
    const offset = key.mean[c]! - gain * clip.mean[c]!;
    predicted.mean[c] = Math.min(255, Math.max(0, gain * clip.mean[c]! + offset));
    predicted.std[c] = gain * clip.std[c]!;
    const expr = `val*${fixed(gain)}${offset < 0 ? "-" : "+"}${fixed(Math.abs(offset))}`;
    parts.push(`${names[c]}=${expr}`);
  }
  return {
    filter: `lutyuv=${parts.join(":")}`,
    driftBefore: colourDrift(clip, key),
    driftAfter: colourDrift({ ...predicted, frames: clip.frames }, key),
  };
}
