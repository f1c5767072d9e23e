// assemble: the timeline of chosen takes, the ffmpeg filtergraph that renders it, and the one-pass render.

export type { Aspect, Fit, GraphOptions, Piece, RenderGraph, RenderSettings } from "./filtergraph.js";
export {
  buildRenderGraph,
  effectiveSettings,
  fitFilters,
  framesToSecondsText,
  graphArgs,
  piecesOf,
  planChunks,
  presetSize,
  readLimitFrames,
  renderPreset,
  validateRender,
  X264_PRESETS,
} from "./filtergraph.js";
export type { RenderOptions, RenderResult } from "./render.js";
export { concatListLine, DEFAULT_CLIPS_PER_CHUNK, renderTimeline } from "./render.js";
export type {
  Clip,
  ClipColour,
  Gap,
  PickedTake,
  PlacedClip,
  PlacedGap,
  Timeline,
  TimelineOptions,
  TimeRange,
  Track,
  TrackItem,
  Transition,
} from "./timeline.js";
export {
  buildTimeline,
  isTransitionName,
  placeTrack,
  shownFrames,
  trackDurationFrames,
  usableOutputFrames,
  XFADE_TRANSITIONS,
} from "./timeline.js";
export { timelineFromJson, timelineProblem, timelineToJson } from "./timeline-json.js";
