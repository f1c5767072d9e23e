// Fixture clips for the sync tests and bench: a source encoded small, fast and near-lossless through one filter.
import { runFfmpeg, type Tools } from "../media/index.js";
import { framesToSamples, type Rate } from "../time/index.js";
import type { TakeSync } from "./measure.js";

/**
 * Encodes `input` (ffmpeg input arguments, e.g. `["-f", "lavfi", "-i", "testsrc2=…"]`) through
 * `filter` (none: as is) to H.264 yuv420p at `out`; crf 16 keeps colour statistics close to the source.
 */
export async function encodeFixtureClip(
  tools: Tools,
  input: readonly string[],
  filter: string | undefined,
  out: string,
): Promise<string> {
  const vf = filter ? `${filter},format=yuv420p` : "format=yuv420p";
  await runFfmpeg(tools, [...input, "-vf", vf, "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", out]);
  return out;
}

/** What `measureTake` says of a clean take of `frames` frames: in sync, nothing blank or frozen. */
export function cleanTakeSync(frames: number, rate: Rate, over: Partial<TakeSync> = {}): TakeSync {
  return {
    offsetSamples: 0,
    confidence: 0.9,
    headFrozenFrames: 0,
    tailFrozenFrames: 0,
    headBlackFrames: 0,
    tailBlackFrames: 0,
    frames,
    durationSamples: framesToSamples(frames, rate),
    ...over,
  };
}
