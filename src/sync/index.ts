// sync: measuring generated takes against the master (audio offset, blank/frozen edges, colour) and placing them.

export type { ColourCorrection, ColourStats, ColourStatsOptions } from "./colour.js";
export { colourCorrection, colourDrift, colourStats, planeStats } from "./colour.js";
export type { Correlation } from "./correlate.js";
export { crossCorrelate } from "./correlate.js";
export type { FrameMetadata, HeadTail, TimeRun } from "./detect.js";
export {
  blackRuns,
  freezeRuns,
  headTailFrames,
  mergeRuns,
  parseFrameMetadata,
  stillHeadTail,
} from "./detect.js";
export type { MasterAudio, MeasureOptions, TakeSync } from "./measure.js";
export { detectFilter, measureTake, STILL_FILTER } from "./measure.js";
export type { Placement, PlaceOptions } from "./place.js";
export { placeTake } from "./place.js";
