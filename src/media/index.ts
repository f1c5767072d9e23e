// media: the only module that spawns ffmpeg and ffprobe.
export {
  checkTools,
  findTools,
  inspectTools,
  INSTALL_HINT,
  parseFilterNames,
  parseVersion,
  REQUIRED_FILTERS,
} from "./tools.js";
export type { ToolReport, Tools } from "./tools.js";
export { commandLine, parseProgressBlock, runFfmpeg, runTool, shellQuote } from "./run.js";
export type { Progress, RunOptions, RunResult } from "./run.js";
export { decodeMono, parseProbe, probe, probeAudio, probeImage } from "./probe.js";
export type { AudioStreamInfo, DecodeOptions, MediaInfo, VideoStreamInfo } from "./probe.js";
