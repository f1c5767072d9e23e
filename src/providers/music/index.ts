// Music providers: the interface, song takes, and the driver that makes and chooses songs.
export { chooseSong, setSongInProject } from "./choose.js";
export { downloadMedia, saveMedia } from "./download.js";
export type { MakeSongsOptions } from "./make.js";
export { estimateSong, makeSongs, resumeSongs } from "./make.js";
export type { MediaTake, MediaTakeKind } from "./takes.js";
export { MediaTakes } from "./takes.js";
export type { MusicProvider, MusicStatus, SongInfo, SongRequest } from "./types.js";
