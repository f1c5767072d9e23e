// Beat-tracking accuracy as mir_eval.beat.f_measure computes it, so figures compare with the literature.
//
// mir_eval (beat.f_measure): both beat lists are first trimmed of beats before 5 s (trim_beats,
// min_beat_time=5.0), then util.match_events finds a maximum one-to-one matching of reference to
// estimated beats within ±tolerance, and F = 2PR / (P + R) with P = matched / estimated,
// R = matched / reference; an empty list after trimming scores 0. We do the same. For two sorted
// lists and one fixed window, matching greedily in time order is a maximum matching, so it gives the
// same count as mir_eval's Hopcroft–Karp.

import { SAMPLE_RATE } from "../../time/index.js";

export interface BeatScoreOptions {
  /** Beats before this position (48 kHz samples) are ignored, as mir_eval's trim_beats does. Default 5 s. */
  readonly trimBeforeSamples?: number;
}

/**
 * F-measure of estimated against reference beats, both as 48 kHz sample positions; a beat counts
 * when it lies within ±toleranceSamples (mir_eval's default is 70 ms = 3360 samples).
 */
export function beatFMeasure(
  estimated: readonly number[],
  reference: readonly number[],
  toleranceSamples: number,
  options: BeatScoreOptions = {},
): number {
  const trim = options.trimBeforeSamples ?? 5 * SAMPLE_RATE;
  const est = [...estimated].filter((b) => b >= trim).sort((a, b) => a - b);
  const ref = [...reference].filter((b) => b >= trim).sort((a, b) => a - b);
  if (est.length === 0 || ref.length === 0) return 0;
  const matched = countMatches(est, ref, toleranceSamples);
  const precision = matched / est.length;
  const recall = matched / ref.length;
  return precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
}

/** Size of a maximum one-to-one matching of two sorted lists under |a - b| <= tolerance. */
function countMatches(est: readonly number[], ref: readonly number[], tolerance: number): number {
  let matched = 0;
  let j = 0;
  for (const r of ref) {
    // Estimates too early for this reference are too early for every later one too.
    while (j < est.length && est[j]! < r - tolerance) j++;
    if (j < est.length && est[j]! <= r + tolerance) {
      matched++;
      j++;
    }
  }
  return matched;
}
