// media: the only module that spawns ffmpeg and ffprobe.

export { escapeFilterValue } from "./escape.js";
export type { RgbPixels, WritePngOptions, WritePngResult } from "./image.js";
export { fontlessGlyphs, writePng } from "./image.js";
export type { MemoryWatch } from "./memory.js";
export { watchFfmpegMemory } from "./memory.js";
export type { AudioStreamInfo, DecodeOptions, MediaInfo, VideoStreamInfo } from "./probe.js";
export { countFrames, decodeMono, parseProbe, probe, probeAudio, probeImage } from "./probe.js";
export type { Progress, RunOptions, RunResult } from "./run.js";
export { commandLine, parseProgressBlock, runFfmpeg, runTool, shellQuote } from "./run.js";
export type { ToolReport, Tools } from "./tools.js";
export {
  checkTools,
  findTools,
  INSTALL_HINT,
  inspectTools,
  parseFilterNames,
  parseVersion,
  REQUIRED_FILTERS,
} from "./tools.js";
