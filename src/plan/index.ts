// The plan module's public surface: cut a song into segments a clip provider can generate.

export { CUT_COST, onDownbeat } from "./candidates.js";
export { CONSTRAINTS, constraintsFor, type ModelFamily } from "./constraints.js";
export { type PlanJson, planToJson, type SegmentJson } from "./json.js";
export {
  formatTime,
  framesUsed,
  LENGTH_COST,
  PLAN_DEFAULTS,
  type PlanOptions,
  planSong,
} from "./planner.js";
export type { ClipConstraints, Plan, Segment, SegmentKind } from "./types.js";
