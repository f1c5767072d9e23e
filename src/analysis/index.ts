// analysis: what refrain knows about a song — beats, where the voice sings, lyric timings, sections.

export type { AnalyzeSongOptions } from "./analyze.js";
export { analysisToJson, analyzeSamples, analyzeSong } from "./analyze.js";
export type { RhythmResult } from "./pending.js";
export { analyzeRhythm, parseLyrics, placePlainLyrics, vocalFromLyrics } from "./pending.js";
export type { Analysis, LyricLine, Lyrics, Section, Span, Word } from "./types.js";
export type { DetectVoiceOptions, VoiceResult, VoiceThresholds } from "./voice/index.js";
export {
  detectVoice,
  estimateVoiceByEnergy,
  spansFromProbabilities,
  VAD_HOP_SAMPLES,
} from "./voice/index.js";
