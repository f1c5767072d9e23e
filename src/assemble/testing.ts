// Small deterministic plans, takes and songs for assemble's tests and benchmark (made by code, never committed).
import { join } from "node:path";
import { runFfmpeg, type Tools } from "../media/index.js";
import type { Plan, Segment } from "../plan/types.js";
import { framesToSamples, type Rate, rateToString } from "../time/index.js";
import type { PickedTake } from "./timeline.js";

/** A plan of back-to-back segments of the given frame counts, with `handle` frames at every inner cut. */
export function planOf(segmentFrames: readonly number[], fps: Rate, handle = 0): Plan {
  const segments: Segment[] = [];
  let at = 0;
  for (const [index, frames] of segmentFrames.entries()) {
    const handleBefore = index === 0 ? 0 : handle;
    const handleAfter = index === segmentFrames.length - 1 ? 0 : handle;
    segments.push({
      index,
      start: framesToSamples(at, fps),
      end: framesToSamples(at + frames, fps),
      frames,
      kind: "vocal",
      handleBefore,
      handleAfter,
      generateFrames: frames + handleBefore + handleAfter,
      section: index % 2 === 0 ? "verse" : "chorus",
    });
    at += frames;
  }
  return {
    provider: "local",
    fps,
    durationSamples: framesToSamples(at, fps),
    segments,
    cuts: segments.slice(1).map((s) => s.start),
    wasteRatio: 1,
    warnings: [],
  };
}

/** A pick per segment, with the file name `take-<index>.mp4` under `dir`. */
export function picksOf(plan: Plan, dir: string): PickedTake[] {
  return plan.segments.map((s) => ({
    segment: s.index,
    takeId: `t${s.index}`,
    path: join(dir, `take-${s.index}.mp4`),
    fps: plan.fps,
  }));
}

/** Writes one small H.264 take per segment (lavfi testsrc2, hue shifted per take). */
export async function writeTakes(
  tools: Tools,
  plan: Plan,
  dir: string,
  size = "256x256",
  signal?: AbortSignal,
): Promise<void> {
  for (const s of plan.segments) {
    await writeTestTake(
      tools,
      `testsrc2=size=${size}:rate=${rateToString(plan.fps)},hue=h=${(s.index * 47) % 360}`,
      s.generateFrames,
      join(dir, `take-${s.index}.mp4`),
      signal,
    );
  }
}

/** Writes `frames` frames of the lavfi `source` as a fast H.264 yuv420p take at `out`. */
export async function writeTestTake(
  tools: Tools,
  source: string,
  frames: number,
  out: string,
  signal?: AbortSignal,
): Promise<void> {
  await runFfmpeg(
    tools,
    [
      "-f",
      "lavfi",
      "-i",
      source,
      "-frames:v",
      String(frames),
      "-c:v",
      "libx264",
      "-preset",
      "ultrafast",
      "-pix_fmt",
      "yuv420p",
      out,
    ],
    { signal },
  );
}

/** Writes a song of `samples` length at 48 kHz: a sine sweep, so any shift of the audio shows in a correlation. */
export async function writeSong(
  tools: Tools,
  file: string,
  samples: number,
  signal?: AbortSignal,
): Promise<void> {
  await runFfmpeg(
    tools,
    [
      "-f",
      "lavfi",
      "-i",
      "aevalsrc=0.4*sin(2*PI*(200+150*t)*t)+0.2*sin(2*PI*97*t):s=48000",
      "-af",
      `atrim=end_sample=${samples}`,
      "-c:a",
      "pcm_s16le",
      file,
    ],
    { signal },
  );
}
