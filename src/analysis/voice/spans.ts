// Turning per-frame voice probabilities into merged, sorted spans of samples (pure).
import type { Span } from "../types.js";
import type { VoiceThresholds } from "./types.js";

/**
 * Hysteresis over frame probabilities, then merge short gaps, drop short spans and pad.
 * Frame i covers samples [i·hop, (i+1)·hop); the result is clamped to [0, durationSamples).
 */
export function spansFromProbabilities(
  probabilities: ArrayLike<number>,
  hopSamples: number,
  durationSamples: number,
  t: VoiceThresholds,
  sampleRate = 48_000,
): Span[] {
  const raw: Span[] = [];
  let open = -1;
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i] ?? 0;
    if (open < 0 && p >= t.onset) open = i;
    else if (open >= 0 && p < t.offset) {
      raw.push({ start: open * hopSamples, end: i * hopSamples });
      open = -1;
    }
  }
  if (open >= 0) raw.push({ start: open * hopSamples, end: probabilities.length * hopSamples });

  const gap = Math.round((t.mergeGapMs * sampleRate) / 1000);
  const merged: Span[] = [];
  for (const s of raw) {
    const last = merged[merged.length - 1];
    if (last && s.start - last.end < gap) merged[merged.length - 1] = { start: last.start, end: s.end };
    else merged.push(s);
  }

  const minLen = Math.round((t.minSpanMs * sampleRate) / 1000);
  const pad = Math.round((t.padMs * sampleRate) / 1000);
  const out: Span[] = [];
  for (const s of merged) {
    if (s.end - s.start < minLen) continue;
    const start = Math.max(0, s.start - pad);
    const end = Math.min(durationSamples, s.end + pad);
    const last = out[out.length - 1];
    if (last && start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, end) };
    else if (end > start) out.push({ start, end });
  }
  return out;
}
