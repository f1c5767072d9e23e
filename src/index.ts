// refrain as a library: the same functions the CLI calls, module by module.
//
//   import { openSession, make, analyzeSong, planSong } from "refrain";
export * from "./analysis/index.js";
export * from "./assemble/index.js";
export { main as runCli } from "./cli/index.js";
export type { RgbImage } from "./demo/index.js";
export * from "./demo/index.js";
export * from "./engine/index.js";
export * from "./errors/index.js";
export * from "./export/index.js";
export * from "./files/index.js";
export * from "./media/index.js";
export * from "./pipeline/index.js";
export * from "./plan/index.js";
export * from "./plot/index.js";
// Names two modules both define: the project's aspect and the demo's picture type are the public ones.
export type { Aspect } from "./project/index.js";
export * from "./project/index.js";
export * from "./providers/index.js";
export * from "./store/index.js";
export * from "./sync/index.js";
export * from "./time/index.js";
