// The engine module's public surface: generation over provider pools, takes, picks, the lock, cost.
export type { CacheKey, KeyChange } from "../store/index.js";
export { describeKeyChanges, explainKey, hashKey } from "../store/index.js";
export type {
  ChainedJobs,
  ChainJobsOptions,
  ChainSegment,
  ContinuitySetting,
  FaceTest,
  LastFrame,
} from "./continuity.js";
export {
  chainedSegmentKey,
  chainJobs,
  currentChainedKeys,
  lastFrame,
  markBrokenChainsStale,
  planChains,
  refreshChainStaleness,
} from "./continuity.js";
export type { CostReport, PlanEstimate } from "./cost.js";
export { costReport, estimateJob, estimatePlan } from "./cost.js";
export type { Action, Decision, EndpointView, EngineState, JobView, Phase } from "./decide.js";
export { decide } from "./decide.js";
export type { JobIdentity, SegmentIdentity } from "./keys.js";
export { jobKey, segmentKey } from "./keys.js";
export type { Lock, LockedSegment } from "./lock.js";
export { formatLock, LOCK_VERSION, lockFromStore, parseLock, readLock, writeLock } from "./lock.js";
export type { SubmitFailure } from "./retry.js";
export { backoffMs, classifySubmitError, isTransient } from "./retry.js";
export { endpointIds, generate } from "./run.js";
export type { PruneOptions, RerollOptions } from "./takes.js";
export { listTakes, pickTake, prune, refreshStale, rerollSegment } from "./takes.js";
export type {
  EngineEvent,
  FinishedJob,
  GenerateOptions,
  GenerateReport,
  JobSpec,
  StartFrom,
  TakeRef,
} from "./types.js";
