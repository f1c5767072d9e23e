// ComfyUI as a clip provider: built-in InfiniteTalk / Wan S2V workflows or the user's own, on one server or a pool.
//
// A user's own workflow: export it from ComfyUI with Workflow → Export (API), then say where each
// value goes as "node id.input name" (one target or a list):
//   createComfyProvider({ url: "http://gpu:8188", workflow: { file: "workflows/mine.json", fps: 25,
//     inputs: { image: "12.image", audio: "31.audio", frames: "40.length", seed: "3.seed", prompt: "6.text",
//               width: ["40.width"], height: ["40.height"] } } })
// The file and every target are checked when the provider is made; the server (is it ComfyUI, does it
// have every node class) before the first submit. Outputs come from SaveVideo / VHS_VideoCombine or any
// node /object_info marks output_node. Jobs are queued with prompt_id = the job token, so after a crash
// lookup(token) finds them in /history or /queue instead of paying twice; with a pool, ask each server.
export type { ComfyErrorBody } from "./http.js";
export { describeComfyError } from "./http.js";
export type { ComfyProvider, ComfySettings } from "./provider.js";
export { createComfyPool, createComfyProvider, findVideoOutput, statusFromHistory } from "./provider.js";
export type {
  ApiGraph,
  BuiltinWorkflowName,
  GraphValues,
  InputTarget,
  UserWorkflow,
  Workflow,
  WorkflowInputs,
} from "./workflows.js";
export {
  BUILTIN_WORKFLOWS,
  checkGraph,
  fillGraph,
  loadUserWorkflow,
  VIDEO_OUTPUT_CLASSES,
} from "./workflows.js";
