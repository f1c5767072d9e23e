// pipeline: the stages of a project run in order — analyse, plan, generate, render — each cached by its CacheKey.

export type { JobsForPlan, RunJobsOptions } from "./generate.js";
export {
  continuitySetting,
  estimateJobs,
  generateStage,
  jobAudioSpan,
  jobsForPlan,
  openProviders,
  runJobs,
  updateLock,
} from "./generate.js";
export type { MakeOptions, MakeResult } from "./make.js";
export { make } from "./make.js";
export type { RenderOutcome, RenderRequest } from "./render.js";
export { outputPath, renderSettings, renderStage, timelineFor } from "./render.js";
export type { Session, SessionOptions, TeamSetting } from "./session.js";
export { openSession, projectIdFor, projectStoreSetting, teamSetting } from "./session.js";
export type { QueuedRunOptions } from "./shared.js";
export { describeStore, runJobsOnWorkers } from "./shared.js";
export { ensureSources } from "./sources.js";
export type { StageOutcome } from "./stages.js";
export { analysisKey, analyzeStage, planKey, planOptions, planStage, STAGE_VERSIONS } from "./stages.js";
export type { PickedForRender, TakeMeasurement } from "./takes.js";
export { COLOUR_DRIFT_THRESHOLD, keyImageStats, measurePickedTake, pickedTakes } from "./takes.js";
