// analysis: what refrain knows about a song — beats, where the voice sings, lyric timings, sections.

export type { AnalyzeSongOptions } from "./analyze.js";
export { analysisToJson, analyzeSamples, analyzeSong } from "./analyze.js";
export * from "./lyrics/index.js";
export * from "./rhythm/index.js";
export type { Analysis, LyricLine, Lyrics, Section, Span, Word } from "./types.js";
export type { DetectVoiceOptions, VoiceResult, VoiceThresholds, VoicingScore } from "./voice/index.js";
export {
  detectVoice,
  estimateVoiceByEnergy,
  spansFromProbabilities,
  VAD_HOP_SAMPLES,
  VAD_THRESHOLDS,
  voicingScore,
} from "./voice/index.js";
