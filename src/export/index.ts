// export: the finished timeline and lyrics in other programs' formats (ASS/SRT/LRC, OTIO, Kdenlive, edit list).

export { toLrc, toSrt } from "../analysis/lyrics/index.js";
export type { EditList, EditListEntry } from "./editlist.js";
export { buildEditListCsv, buildEditListJson, csvField, editListOf, writeEditList } from "./editlist.js";
export type { KdenliveOptions } from "./kdenlive.js";
export { buildKdenlive, lutFilter, writeKdenlive } from "./kdenlive.js";
export { buildOtio, mediaUrl, writeOtio } from "./otio.js";
export type { SubtitlePreset, SubtitleStyle } from "./subtitles.js";
export {
  assClock,
  checkFont,
  DEFAULT_SUBTITLE_FONT,
  escapeAssText,
  karaokeText,
  missingGlyphs,
  toAss,
} from "./subtitles.js";
