// The shape of a voice-activity result, shared by the Silero detector and the energy fallback.
import type { Span } from "../types.js";

export interface VoiceResult {
  /** Where the voice sings, in samples at 48 kHz, merged and sorted. */
  readonly spans: readonly Span[];
  /** Samples (48 kHz) between consecutive probabilities. */
  readonly frameHopSamples: number;
  /** Per-frame probability that a voice is singing; frame i covers [i·hop, (i+1)·hop). */
  readonly probabilities: Float32Array;
  /** "vad" when the Silero model ran, "energy" when the fallback estimate was used. */
  readonly source: "vad" | "energy";
  /** Things the caller should pass on to the user (e.g. the model could not load). */
  readonly warnings: readonly string[];
}

/** Hysteresis and clean-up of per-frame probabilities into spans. */
export interface VoiceThresholds {
  /** A span opens when the probability reaches this. */
  readonly onset: number;
  /** An open span closes when the probability falls below this. */
  readonly offset: number;
  /** Spans separated by a gap shorter than this (ms) are merged. */
  readonly mergeGapMs: number;
  /** Spans shorter than this (ms) after merging are dropped. */
  readonly minSpanMs: number;
  /** Each span is widened by this much (ms) on both sides, clamped to the song. */
  readonly padMs: number;
}
