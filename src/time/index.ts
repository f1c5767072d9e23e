// Time in refrain: integer sample positions of the master audio, and the one place they become frames.
//
// Float seconds summed over dozens of clips drift; integer samples at 48 kHz do not, and every
// common integer frame rate has a whole number of samples per frame. Every conversion to frames
// goes through `samplesToFrames`, which rounds half up, so two modules never disagree on a frame.

/** Samples per second of the master audio timeline. */
export const SAMPLE_RATE = 48_000;

/** A frame rate as an exact ratio, e.g. 25/1 or 30000/1001. */
export interface Rate {
  readonly num: number;
  readonly den: number;
}

const COMMON_RATES: Record<string, Rate> = {
  "23.976": { num: 24000, den: 1001 },
  "29.97": { num: 30000, den: 1001 },
  "59.94": { num: 60000, den: 1001 },
};

/** Parses 25, "25", "30000/1001" or "29.97" into an exact rate. */
export function toRate(fps: number | string | Rate): Rate {
  if (typeof fps === "object") return fps;
  const text = String(fps).trim();
  const common = COMMON_RATES[text];
  if (common) return common;
  const ratio = /^(\d+)\/(\d+)$/.exec(text);
  if (ratio) return { num: Number(ratio[1]), den: Number(ratio[2]) };
  const n = Number(text);
  if (Number.isInteger(n) && n > 0) return { num: n, den: 1 };
  throw new RangeError(`not a frame rate: ${text}`);
}

export function rateToNumber(r: Rate): number {
  return r.num / r.den;
}

export function rateToString(r: Rate): string {
  return r.den === 1 ? String(r.num) : `${r.num}/${r.den}`;
}

/** Seconds (from a parser or a user) to the nearest sample. The only place seconds enter the timeline. */
export function secondsToSamples(seconds: number): number {
  return Math.round(seconds * SAMPLE_RATE);
}

/** Samples to seconds, for display and JSON output only: never add these up. */
export function samplesToSeconds(samples: number): number {
  return samples / SAMPLE_RATE;
}

/** Rounds seconds to milliseconds for output, so JSON stays readable. */
export function roundSeconds(seconds: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(seconds * f) / f;
}

/**
 * The frame boundary nearest to a sample position (half up). The one rounding rule.
 * Exact in integers: samples·num and SAMPLE_RATE·den stay far below 2^53 for any song.
 */
export function samplesToFrames(samples: number, rate: Rate): number {
  const numer = samples * rate.num;
  const denom = SAMPLE_RATE * rate.den;
  return Math.floor((2 * numer + denom) / (2 * denom));
}

/** The sample position where a frame starts (nearest sample, half up). */
export function framesToSamples(frames: number, rate: Rate): number {
  const numer = frames * SAMPLE_RATE * rate.den;
  return Math.floor((2 * numer + rate.num) / (2 * rate.num));
}

/** How long a whole number of frames lasts, in samples, without accumulating rounding. */
export function frameSpanSamples(startFrame: number, frames: number, rate: Rate): number {
  return framesToSamples(startFrame + frames, rate) - framesToSamples(startFrame, rate);
}

/**
 * Which frame counts a clip model can produce.
 * - `any`: every count.
 * - `multiple`: counts of the form `of·k + plus` (Wan S2V: of 4, plus 0; ComfyUI's Wan nodes: of 4, plus 1).
 * - `windows`: a first window then whole steps (InfiniteTalk: 81 + 72·k).
 */
export type FrameRule =
  | { readonly kind: "any" }
  | { readonly kind: "multiple"; readonly of: number; readonly plus: number }
  | { readonly kind: "windows"; readonly first: number; readonly step: number };

/** The smallest frame count the rule allows that is at least `frames`. */
export function fitFrames(rule: FrameRule, frames: number): number {
  if (!Number.isInteger(frames) || frames < 1)
    throw new RangeError(`frame count must be a positive integer: ${frames}`);
  switch (rule.kind) {
    case "any":
      return frames;
    case "multiple": {
      const k = Math.max(0, Math.ceil((frames - rule.plus) / rule.of));
      const n = rule.of * k + rule.plus;
      return n >= 1 ? n : rule.of + rule.plus;
    }
    case "windows": {
      if (frames <= rule.first) return rule.first;
      return rule.first + rule.step * Math.ceil((frames - rule.first) / rule.step);
    }
  }
}

/** Whether the rule allows exactly this many frames. */
export function allowsFrames(rule: FrameRule, frames: number): boolean {
  return frames >= 1 && fitFrames(rule, frames) === frames;
}

/** Human text for a rule, for errors and `refrain doctor`. */
export function describeFrameRule(rule: FrameRule): string {
  switch (rule.kind) {
    case "any":
      return "any frame count";
    case "multiple":
      return rule.plus ? `${rule.of}k+${rule.plus} frames` : `multiples of ${rule.of} frames`;
    case "windows":
      return `${rule.first} frames + ${rule.step}-frame steps`;
  }
}
