// assemble: the timeline of chosen takes, the ffmpeg filtergraph that renders it, and the one-pass render.

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
  trackDurationFrames,
  XFADE_TRANSITIONS,
} from "./timeline.js";
