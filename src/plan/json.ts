// The plan as the CLI prints it (`refrain plan --json`): seconds rounded to milliseconds, fps as a number.
import { rateToNumber, rateToString, roundSeconds, samplesToSeconds } from "../time/index.js";
import type { Plan, SegmentKind } from "./types.js";

export interface SegmentJson {
  index: number;
  start_s: number;
  end_s: number;
  start_frame: number;
  frames: number;
  vocal: boolean;
  kind: SegmentKind;
  generate_frames: number;
  handle_before: number;
  handle_after: number;
  section: string | null;
}

export interface PlanJson {
  version: 1;
  provider: string;
  fps: number;
  /** The exact rate, e.g. "30000/1001", where `fps` is rounded. */
  fps_exact: string;
  duration_s: number;
  frames: number;
  segments: SegmentJson[];
  cuts_s: number[];
  waste_ratio: number;
  warnings: string[];
}

const seconds = (samples: number) => roundSeconds(samplesToSeconds(samples));

export function planToJson(plan: Plan): PlanJson {
  let startFrame = 0;
  const segments = plan.segments.map((s) => {
    const json: SegmentJson = {
      index: s.index,
      start_s: seconds(s.start),
      end_s: seconds(s.end),
      start_frame: startFrame,
      frames: s.frames,
      vocal: s.kind === "vocal",
      kind: s.kind,
      generate_frames: s.generateFrames,
      handle_before: s.handleBefore,
      handle_after: s.handleAfter,
      section: s.section ?? null,
    };
    startFrame += s.frames;
    return json;
  });
  return {
    version: 1,
    provider: plan.provider,
    fps: roundSeconds(rateToNumber(plan.fps)),
    fps_exact: rateToString(plan.fps),
    duration_s: seconds(plan.durationSamples),
    frames: startFrame,
    segments,
    cuts_s: plan.cuts.map(seconds),
    waste_ratio: roundSeconds(plan.wasteRatio, 4),
    warnings: [...plan.warnings],
  };
}
