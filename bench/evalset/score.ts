// Scores a plan against an evaluation song's ground truth: cuts inside sung words, distance to beats, waste.
import type { ClipConstraints, Plan } from "../../src/plan/types.js";
import { fitFrames, SAMPLE_RATE, secondsToSamples } from "../../src/time/index.js";

/** The part of `<id>.json` a plan is scored against (seconds, rounded to milliseconds). */
export interface PlanTruth {
  id: string;
  file: string;
  beats_s: number[];
  words: { text: string; start_s: number; end_s: number }[];
}

export interface PlanScore {
  cuts: number;
  /** Cuts strictly inside a ground-truth word, with the word and the cut time for the report. */
  inWord: { word: string; cutS: number; startS: number; endS: number }[];
  /** Distance in ms from each cut to the nearest ground-truth beat (empty when the song has none). */
  beatMs: number[];
  /** Shortest distance in ms from a cut to a sung word (how much room the crossfade has). */
  clearanceMs: number;
  wasteRatio: number;
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** How a plan's cuts sit against the true words and beats. */
export function scorePlan(plan: Plan, truth: PlanTruth): PlanScore {
  const words = truth.words.map((w) => ({
    text: w.text,
    start: secondsToSamples(w.start_s),
    end: secondsToSamples(w.end_s),
  }));
  const beats = truth.beats_s.map(secondsToSamples);
  const score: PlanScore = {
    cuts: plan.cuts.length,
    inWord: [],
    beatMs: [],
    clearanceMs: Number.POSITIVE_INFINITY,
    wasteRatio: plan.wasteRatio,
  };
  for (const cut of plan.cuts) {
    for (const w of words) {
      if (w.start < cut && cut < w.end)
        score.inWord.push({
          word: w.text,
          cutS: cut / SAMPLE_RATE,
          startS: w.start / SAMPLE_RATE,
          endS: w.end / SAMPLE_RATE,
        });
      const gap = cut <= w.start ? w.start - cut : cut >= w.end ? cut - w.end : 0;
      score.clearanceMs = Math.min(score.clearanceMs, (gap * 1000) / SAMPLE_RATE);
    }
    if (beats.length > 0)
      score.beatMs.push((Math.min(...beats.map((b) => Math.abs(b - cut))) * 1000) / SAMPLE_RATE);
  }
  return score;
}

/**
 * The least waste any plan could reach on this song: segments of `minFrames`–`maxFrames` frames
 * (the planner's defaults: 4–15 s), `handle` frames on each side of a cut, no cut inside a true
 * word, each job raised to the frame rule. A dynamic programme over frame boundaries that minimises
 * frames generated and nothing else — the bound the planner's waste is compared with.
 */
export function leastWaste(
  truth: PlanTruth,
  durationSamples: number,
  c: ClipConstraints,
  handle: number,
  minFrames: number,
  maxFrames: number,
): number {
  const perFrame = (SAMPLE_RATE * c.fps.den) / c.fps.num;
  const n = Math.round(durationSamples / perFrame);
  const legal = new Uint8Array(n + 1).fill(1);
  for (const w of truth.words) {
    const a = secondsToSamples(w.start_s);
    const b = secondsToSamples(w.end_s);
    for (let f = Math.floor(a / perFrame); f <= Math.ceil(b / perFrame) && f <= n; f++) {
      const s = f * perFrame;
      if (a < s && s < b) legal[f] = 0;
    }
  }
  const gen = (len: number, hb: number, ha: number) => {
    const job = len + hb + ha;
    if (c.minAudioSamples !== undefined && job * perFrame < c.minAudioSamples)
      return Number.POSITIVE_INFINITY;
    const g = fitFrames(c.frameRule, Math.max(job, c.minFrames));
    return g > c.maxFrames ? Number.POSITIVE_INFINITY : g;
  };
  const best = new Float64Array(n + 1).fill(Number.POSITIVE_INFINITY);
  best[0] = 0;
  for (let j = 1; j <= n; j++) {
    if (!legal[j] && j < n) continue;
    for (let len = minFrames; len <= Math.min(maxFrames, j); len++) {
      const i = j - len;
      if (best[i] === Number.POSITIVE_INFINITY) continue;
      const g = gen(len, i === 0 ? 0 : handle, j === n ? 0 : handle);
      if (best[i]! + g < best[j]!) best[j] = best[i]! + g;
    }
  }
  return best[n]! / n;
}
