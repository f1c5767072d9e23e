// Identities that survive re-planning and restarts: a segment's key and a job's key.
import type { SegmentKind } from "../plan/types.js";
import { hashKey } from "../store/index.js";
import type { Rate } from "../time/index.js";

/** Bump when what makes two segments "the same clip to generate" changes. */
const SEGMENT_KEY_VERSION = 1;
/** Bump when what makes two jobs "the same attempt" changes. */
const JOB_KEY_VERSION = 1;

export interface SegmentIdentity {
  /** sha256 of the master audio file. */
  readonly audioHash: string;
  /** The audio span the job carries, in samples (start − handle … end + handle). */
  readonly startSample: number;
  readonly endSample: number;
  /** Frames the provider makes, at `fps`. */
  readonly frames: number;
  readonly fps: Rate;
  readonly kind: SegmentKind;
}

/**
 * Hash of a segment's audio span, frames and kind. Its index is left out on purpose: when a
 * re-plan moves other cuts, a segment that kept its span keeps its takes.
 */
export function segmentKey(s: SegmentIdentity): string {
  return hashKey({
    stage: "segment",
    version: SEGMENT_KEY_VERSION,
    inputs: { audio: s.audioHash },
    params: {
      start: s.startSample,
      end: s.endSample,
      frames: s.frames,
      fps: `${s.fps.num}/${s.fps.den}`,
      kind: s.kind,
    },
  });
}

export interface JobIdentity {
  readonly segmentKey: string;
  readonly imageHash: string;
  readonly audioHash: string;
  readonly seed: number;
  readonly prompt: string;
  readonly frames: number;
  readonly width: number;
  readonly height: number;
  readonly provider: string;
  readonly model: string;
}

/** Hash of everything that makes an attempt what it is; a re-run finds the job's takes by it. */
export function jobKey(j: JobIdentity): string {
  return hashKey({
    stage: "take",
    version: JOB_KEY_VERSION,
    inputs: { segment: j.segmentKey, image: j.imageHash, audio: j.audioHash },
    params: {
      seed: j.seed,
      prompt: j.prompt,
      frames: j.frames,
      width: j.width,
      height: j.height,
      provider: j.provider,
      model: j.model,
    },
  });
}
