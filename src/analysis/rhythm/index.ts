// rhythm: tempo, beats, meter and downbeats of a song, and the score that measures a beat tracker.

export type { Rhythm, RhythmOptions } from "./analyze.js";
export { analyzeRhythm, NO_STEADY_BEAT } from "./analyze.js";
export type { BeatScoreOptions } from "./score.js";
export { beatFMeasure } from "./score.js";
