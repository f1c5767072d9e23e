// Deciding how to trim and place a measured take so its mouth meets the master within half a frame.
import type { Plan, Segment } from "../plan/types.js";
import { framesToSamples, type Rate, rateToNumber, samplesToFrames } from "../time/index.js";
import type { TakeSync } from "./measure.js";

export interface Placement {
  /** Frames to cut from the take's head: its late start plus any black or frozen frames after it. */
  readonly trimHeadFrames: number;
  /**
   * Where the first kept frame lands, in frames after the job's start (segment start − handle before).
   * Kept frame s of the take then shows exactly the master moment it was generated for.
   */
  readonly offsetFrames: number;
  /** Kept frames from `trimHeadFrames` on, before the take's black or frozen tail. */
  readonly usableFrames: number;
  /** The take's measured shift, rounded to whole frames (positive = late); 0 when unknown or unsure. */
  readonly syncFrames: number;
  /** Frames of the segment itself (handles excluded) the take does not cover at its head and tail. */
  readonly missingHeadFrames: number;
  readonly missingTailFrames: number;
  /** Set when the take cannot fill its segment acceptably; say so and generate it again. */
  readonly error: string | null;
  readonly warnings: readonly string[];
}

export interface PlaceOptions {
  /** Below this correlation the measured offset is not trusted (default 0.3). */
  readonly minConfidence?: number;
  /** More missing segment frames than this is an error, fewer a warning (default half a second). */
  readonly maxMissingFrames?: number;
}

/**
 * Decides how to use a take in its segment. Frames are counted at `rate` (the take's frame rate);
 * the segment's handles, counted at `plan.fps`, are converted through samples.
 */
export function placeTake(
  sync: TakeSync,
  segment: Segment,
  plan: Plan,
  rate: Rate,
  options: PlaceOptions = {},
): Placement {
  const warnings: string[] = [];
  const name = `segment ${segment.index}`;
  const minConfidence = options.minConfidence ?? 0.3;
  const maxMissing = options.maxMissingFrames ?? Math.round(rateToNumber(rate) / 2);

  const jobStart = segment.start - framesToSamples(segment.handleBefore, plan.fps);
  const jobStartFrame = samplesToFrames(jobStart, rate);
  const segStartFrame = samplesToFrames(segment.start, rate) - jobStartFrame;
  const segEndFrame = samplesToFrames(segment.end, rate) - jobStartFrame;

  let syncFrames = 0;
  if (sync.offsetSamples === null) {
    warnings.push(`${name}: the take has no audio to sync by; placed as generated`);
  } else if (sync.confidence < minConfidence) {
    warnings.push(
      `${name}: the take's audio matches the song poorly (confidence ${sync.confidence.toFixed(2)}); placed as generated`,
    );
  } else {
    // The one rounding rule (half up) also for negative shifts: error ≤ half a frame.
    syncFrames = samplesToFrames(sync.offsetSamples, rate);
  }

  // A take that never moves (a still picture, as the local provider makes from a plain image) has no
  // frozen edge to cut: all of it is one picture, and cutting it would leave nothing.
  const still = sync.frames > 0 && sync.headFrozenFrames >= sync.frames;
  if (still) warnings.push(`${name}: the take never moves (every frame the same); used as it is`);
  const headFrozen = still ? 0 : sync.headFrozenFrames;
  const tailFrozen = still ? 0 : sync.tailFrozenFrames;
  const badHead = Math.max(sync.headBlackFrames, headFrozen);
  const badTail = Math.max(sync.tailBlackFrames, tailFrozen);
  const trimHeadFrames = Math.min(sync.frames, Math.max(syncFrames, badHead, 0));
  const offsetFrames = trimHeadFrames - syncFrames;
  const usableFrames = Math.max(0, sync.frames - trimHeadFrames - badTail);

  if (badHead > Math.max(0, syncFrames))
    warnings.push(
      `${name}: cut ${badHead - Math.max(0, syncFrames)} blank or frozen frames at the take's head`,
    );
  if (badTail > 0) warnings.push(`${name}: cut ${badTail} blank or frozen frames at the take's tail`);

  const coveredStart = offsetFrames;
  const coveredEnd = offsetFrames + usableFrames;
  const missingHeadFrames = Math.max(0, Math.min(segEndFrame, coveredStart) - segStartFrame);
  const missingTailFrames = Math.max(0, segEndFrame - Math.max(segStartFrame, coveredEnd));
  const missing = Math.min(segEndFrame - segStartFrame, missingHeadFrames + missingTailFrames);
  let error: string | null = null;
  if (missing > maxMissing) {
    error = `${name}: the take covers only ${segEndFrame - segStartFrame - missing} of its ${segEndFrame - segStartFrame} frames — generate it again or pick another take`;
  } else if (missing > 0) {
    warnings.push(
      `${name}: the take leaves ${missing} frames of the segment uncovered; its edge frame is held`,
    );
  }
  return {
    trimHeadFrames,
    offsetFrames,
    usableFrames,
    syncFrames,
    missingHeadFrames,
    missingTailFrames,
    error,
    warnings,
  };
}
