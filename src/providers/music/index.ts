// Music providers: the interface, song takes, and the driver that makes and chooses songs.

export type { MediaBudgetCheck, MediaSpend } from "./budget.js";
export { checkMediaBudget, mediaSpend, takesUsd } from "./budget.js";
export { chooseSong, setSongInProject } from "./choose.js";
export { downloadMedia, saveMedia } from "./download.js";
export type { MakeSongsOptions } from "./make.js";
export { estimateSong, makeSongs, resumeSongs } from "./make.js";
export type { SeparateStemsOptions, StemSpec } from "./stems.js";
export { separateStems } from "./stems.js";
export type { MediaTake, MediaTakeKind } from "./takes.js";
export { MediaTakes } from "./takes.js";
export type {
  MusicProvider,
  MusicStatus,
  SongInfo,
  SongRequest,
  StemSeparator,
  StemsStatus,
  StemType,
} from "./types.js";
export { STEM_TYPES } from "./types.js";
