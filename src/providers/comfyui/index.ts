// ComfyUI as a clip provider: built-in InfiniteTalk / Wan S2V workflows or the user's own, on one server or a pool.
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
