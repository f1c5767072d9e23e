// The registry entry for ComfyUI: `clip: {provider: comfyui, url, workflow, inputs, …}` in refrain.yaml → providers.
//
//   clip:
//     provider: comfyui
//     url: http://127.0.0.1:8188        # or pool: [http://gpu1:8188, http://gpu2:8188] (also spelt urls:)
//     workflow: infinitetalk            # a built-in workflow, or a file exported with Workflow → Export (API):
//     # workflow: workflows/mine.json
//     # inputs: { image: "1.image", audio: "4.audio", frames: "9.length", seed: "3.seed" }
//     # fps: 25, min_frames: 17, max_frames: 81  (what the workflow can make; 4k+1 frames)
import { resolve } from "node:path";
import { UserInputError } from "../../errors/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import type { ClipSettings, ProviderContext } from "../index.js";
import { type ComfyProvider, createComfyPool } from "./provider.js";
import {
  BUILTIN_WORKFLOWS,
  type BuiltinWorkflowName,
  type UserWorkflow,
  type WorkflowInputs,
} from "./workflows.js";

const num = (v: unknown) => (typeof v === "number" ? v : undefined);

function isUserFile(workflow: string): boolean {
  return /\.json$/i.test(workflow) || workflow.includes("/");
}

/** The workflow the settings name: a built-in one, or the user's file with its `inputs` (relative to the project). */
function workflowOf(s: ClipSettings, projectDir: string): BuiltinWorkflowName | UserWorkflow {
  const w = s.workflow ?? "infinitetalk";
  if (typeof w !== "string" || !w.trim()) {
    throw new UserInputError("clip.workflow must be a built-in workflow name or a .json file", {
      hint: `built-in: ${Object.keys(BUILTIN_WORKFLOWS).join(", ")}`,
    });
  }
  if (!isUserFile(w)) {
    if (!(w in BUILTIN_WORKFLOWS)) {
      throw new UserInputError(`clip.workflow: unknown workflow "${w}"`, {
        hint: `use one of ${Object.keys(BUILTIN_WORKFLOWS).join(", ")}, or a file exported with Workflow → Export (API)`,
      });
    }
    return w as BuiltinWorkflowName;
  }
  const inputs = s.inputs;
  if (!inputs || typeof inputs !== "object" || Array.isArray(inputs)) {
    throw new UserInputError(`clip.inputs: say where the image and audio go for ${w}`, {
      hint: 'e.g. inputs: { image: "12.image", audio: "31.audio" }',
    });
  }
  return {
    file: resolve(projectDir, w),
    inputs: inputs as WorkflowInputs,
    fps: num(s.fps),
    minFrames: num(s.min_frames),
    maxFrames: num(s.max_frames),
  };
}

function urlsOf(s: ClipSettings): string[] {
  const list = s.pool ?? s.urls ?? s.url ?? "http://127.0.0.1:8188";
  const urls = Array.isArray(list) ? list : [list];
  if (urls.length === 0 || urls.some((u) => typeof u !== "string" || !/^https?:\/\//.test(u))) {
    throw new UserInputError(
      "clip.url (or each of clip.pool) must be a ComfyUI server's address, e.g. http://127.0.0.1:8188",
    );
  }
  return urls as string[];
}

function isComfyCloud(url: string): boolean {
  return new URL(url).hostname === "cloud.comfy.org";
}

export const comfyKind = {
  /** Known without reading the workflow file or contacting the server (the same defaults loadUserWorkflow uses). */
  constraints(s: ClipSettings): ClipConstraints {
    const w = workflowOf(s, ".");
    if (typeof w === "string") return BUILTIN_WORKFLOWS[w].constraints;
    return {
      fps: { num: w.fps ?? 25, den: 1 },
      frameRule: { kind: "multiple", of: 4, plus: 1 },
      minFrames: w.minFrames ?? 17,
      maxFrames: w.maxFrames ?? 81,
    };
  },
  async create(s: ClipSettings, ctx: ProviderContext): Promise<ComfyProvider[]> {
    const gpu = s.gpu as { usd_per_second?: unknown; seconds_per_video_second?: unknown } | undefined;
    const urls = urlsOf(s);
    return createComfyPool(urls, {
      workflow: workflowOf(s, ctx.projectDir),
      // Only Comfy Cloud gets the key: a local server must never be sent it.
      apiKey: urls.every(isComfyCloud) ? ctx.env.COMFY_CLOUD_API_KEY?.trim() || undefined : undefined,
      steps: num(s.steps),
      concurrency: num(s.concurrency),
      gpu:
        gpu && num(gpu.usd_per_second) !== undefined
          ? {
              usdPerSecond: num(gpu.usd_per_second)!,
              secondsPerVideoSecond: num(gpu.seconds_per_video_second) ?? 1,
            }
          : undefined,
    });
  },
};
