// The plan: the song cut into segments, each sized to the clip provider's frame rules.
import type { FrameRule, Rate } from "../time/index.js";

/**
 * What a clip provider can make, as data the planner reads.
 * Frame counts are in the provider's own frame rate.
 */
export interface ClipConstraints {
  readonly fps: Rate;
  readonly frameRule: FrameRule;
  /** Fewest and most frames one job may produce (after the frame rule). */
  readonly minFrames: number;
  readonly maxFrames: number;
  /**
   * Hard cap on the audio a job may carry, in samples (e.g. Alibaba: under 20 s). A job's audio
   * (segment plus handles) must be strictly shorter than this.
   */
  readonly maxAudioSamples?: number;
  /**
   * The least audio a job must carry, in samples (inclusive). InfiniteTalk asserts its audio is
   * longer than its 81-frame window, i.e. at least 82 frames (3.28 s) at 25 fps.
   */
  readonly minAudioSamples?: number;
}

export type SegmentKind = "vocal" | "instrumental";

export interface Segment {
  readonly index: number;
  /** The part of the song this segment shows, in samples, cut on frame boundaries of `Plan.fps`. */
  readonly start: number;
  readonly end: number;
  /** Frames of `Plan.fps` between start and end. */
  readonly frames: number;
  readonly kind: SegmentKind;
  /** Extra frames generated before start and after end, for a transition that never shifts the song. */
  readonly handleBefore: number;
  readonly handleAfter: number;
  /**
   * Frames the provider must produce: frames + handles, raised to the provider's frame rule.
   * The audio for the job starts at start − handleBefore; frames past handleAfter are padding, trimmed.
   */
  readonly generateFrames: number;
  /** The section this segment lies in, when lyrics named sections. */
  readonly section?: string;
}

export interface Plan {
  readonly provider: string;
  readonly fps: Rate;
  readonly durationSamples: number;
  readonly segments: readonly Segment[];
  /** Cut positions in samples (the starts of segments 1…n−1). */
  readonly cuts: readonly number[];
  /**
   * Frames generated ÷ frames of them that appear in the finished video (issue 3's "frames
   * generated ÷ frames used in the video"; 1 = nothing wasted). Used: the song's frames plus, at
   * each crossfaded cut, the crossfade's frames (Σ handleBefore + handleAfter when the crossfade is
   * even). Handles count as used because the render centres a crossfade of exactly those frames on
   * the cut and every crossfade frame blends one frame of each clip. What is wasted is the padding
   * to the provider's frame rule (and, for an odd crossfade, one handle frame a cut). Until
   * 2026-11-26 it was frames generated ÷ the song's frames, counting every handle as waste.
   */
  readonly wasteRatio: number;
  readonly warnings: readonly string[];
}
