// Runpod serverless as a clip provider: worker-comfyui endpoints with the built-in workflows, and the public InfiniteTalk endpoint.
export type { RunpodSettings } from "./provider.js";
export {
  createRunpodProvider,
  RUNPOD_INFINITETALK_CONSTRAINTS,
  runpodState,
  videoFromWorkerOutput,
} from "./provider.js";
