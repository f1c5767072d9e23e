// Vocal-activity frame accuracy, as mir_eval.melody's voicing measures count it, over 10 ms frames.
import type { Span } from "../types.js";

function voicedFrames(spans: readonly Span[], frames: number, frameSamples: number): Uint8Array {
  const out = new Uint8Array(frames);
  for (const s of spans) {
    // A frame is voiced when its centre lies inside a span.
    const first = Math.max(0, Math.ceil((s.start - frameSamples / 2) / frameSamples));
    const last = Math.min(frames, Math.ceil((s.end - frameSamples / 2) / frameSamples));
    for (let f = first; f < last; f++) out[f] = 1;
  }
  return out;
}

export interface VoicingScore {
  /** Fraction of frames labelled the same as the reference. */
  accuracy: number;
  /** Fraction of truly voiced frames detected as voiced. */
  recall: number;
  /** Fraction of truly unvoiced frames wrongly detected as voiced. */
  falseAlarm: number;
}

/** Compares estimated with reference spans over `durationSamples`, in frames of `frameSamples` (10 ms). */
export function voicingScore(
  estimated: readonly Span[],
  reference: readonly Span[],
  durationSamples: number,
  frameSamples = 480,
): VoicingScore {
  const frames = Math.ceil(durationSamples / frameSamples);
  const est = voicedFrames(estimated, frames, frameSamples);
  const ref = voicedFrames(reference, frames, frameSamples);
  let same = 0;
  let voiced = 0;
  let hit = 0;
  let unvoiced = 0;
  let false_ = 0;
  for (let f = 0; f < frames; f++) {
    if (est[f] === ref[f]) same++;
    if (ref[f]) {
      voiced++;
      if (est[f]) hit++;
    } else {
      unvoiced++;
      if (est[f]) false_++;
    }
  }
  return {
    accuracy: frames === 0 ? 1 : same / frames,
    recall: voiced === 0 ? 1 : hit / voiced,
    falseAlarm: unvoiced === 0 ? 0 : false_ / unvoiced,
  };
}
