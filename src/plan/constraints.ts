// What each built-in clip model family can produce, as one record of data each (read by the planner and providers).
//
// Facts come from /work/shared/BACKENDS.md; the source of each is named beside it. A provider
// folder may use one of these records as is or derive its own (e.g. a smaller maxFrames for a GPU
// with little memory).
import { UserInputError } from "../errors/index.js";
import { SAMPLE_RATE, toRate } from "../time/index.js";
import type { ClipConstraints } from "./types.js";

export const CONSTRAINTS = {
  /**
   * InfiniteTalk CLI in streaming mode (MeiGen-AI/InfiniteTalk): 25 fps; the first window is 81
   * frames, each later one adds 72 (frame_num 81 − motion_frame 9); the audio must be longer than
   * one window (int(seconds·25) > 81, so at least 82 frames); streaming stops at max_frame_num
   * (default 1000), so the longest whole-window job is 81 + 72·12 = 945 frames (37.8 s).
   */
  infinitetalk: {
    fps: toRate(25),
    frameRule: { kind: "windows", first: 81, step: 72 },
    minFrames: 81,
    maxFrames: 945,
    minAudioSamples: (82 * SAMPLE_RATE) / 25,
  },
  /**
   * InfiniteTalk through ComfyUI's native WanInfiniteTalkToVideo node or Wan2GP: `length % 4 == 1`
   * or the run fails mid-way (EinopsError; Wan2GP issue #544); Wan2GP's slider stops at 737 frames.
   */
  "infinitetalk-comfyui": {
    fps: toRate(25),
    frameRule: { kind: "multiple", of: 4, plus: 1 },
    minFrames: 81,
    maxFrames: 737,
    minAudioSamples: (82 * SAMPLE_RATE) / 25,
  },
  /**
   * Wan2.2-S2V (Wan-Video/Wan2.2): 16 fps, infer_frames a multiple of 4 ("48 or 80 or others").
   * The upper bound is not documented; 30 s keeps one job within what a 80 GB GPU is reported to run.
   */
  "wan-s2v": {
    fps: toRate(16),
    frameRule: { kind: "multiple", of: 4, plus: 0 },
    minFrames: 48,
    maxFrames: 480,
  },
  /**
   * Alibaba Model Studio wan2.2-s2v (DashScope): audio under 20 s and 15 MB; the video follows the
   * audio's length (billed per second), so any frame count. Output fps assumed 16 like the model.
   */
  "alibaba-wan-s2v": {
    fps: toRate(16),
    frameRule: { kind: "any" },
    minFrames: 16,
    maxFrames: 20 * 16,
    maxAudioSamples: 20 * SAMPLE_RATE,
  },
  /** The free CPU preview provider: any length at 25 fps. */
  local: {
    fps: toRate(25),
    frameRule: { kind: "any" },
    minFrames: 1,
    maxFrames: 25 * 600,
  },
} as const satisfies Record<string, ClipConstraints>;

export type ModelFamily = keyof typeof CONSTRAINTS;

/** The constraints of a built-in model family by name, or a UserInputError listing the known names. */
export function constraintsFor(family: string): ClipConstraints {
  const found = (CONSTRAINTS as Record<string, ClipConstraints>)[family];
  if (!found)
    throw new UserInputError(`unknown model family "${family}"`, {
      hint: `use one of: ${Object.keys(CONSTRAINTS).join(", ")}`,
    });
  return found;
}
