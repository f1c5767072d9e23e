// Runpod serverless as a clip provider: worker-comfyui endpoints with the built-in workflows, and the public InfiniteTalk endpoint.
export type { RunpodSettings } from "./provider.js";
export {
  createRunpodProvider,
  RUNPOD_INFINITETALK_CONSTRAINTS,
  runpodState,
  videoFromWorkerOutput,
} from "./provider.js";

import { resolve as resolvePath } from "node:path";
import type { BuiltinWorkflowName } from "../comfyui/index.js";
import { BUILTIN_WORKFLOWS } from "../comfyui/index.js";
import { HostedHttp } from "../http/client.js";
import { fileHostFromSetting, parseFilesSetting } from "../http/files.js";
import type { ClipSettings, ProviderContext } from "../index.js";
import { createRunpodProvider as create, RUNPOD_INFINITETALK_CONSTRAINTS as PUBLIC } from "./provider.js";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The registry entry: `registerProviderKind("runpod", runpodKind)`; settings `endpoint`, `workflow`, `size`, `files`, `base_url`, `concurrency`. */
export const runpodKind = {
  constraints: (s: ClipSettings) =>
    s.endpoint === "infinitetalk"
      ? PUBLIC
      : (BUILTIN_WORKFLOWS[(str(s.workflow) ?? "infinitetalk") as BuiltinWorkflowName]?.constraints ??
        BUILTIN_WORKFLOWS.infinitetalk.constraints),
  create: async (s: ClipSettings, ctx: ProviderContext) => {
    const apiKey = ctx.env.RUNPOD_API_KEY ?? "";
    const files = parseFilesSetting(s.files, "clip");
    const http = new HostedHttp({
      provider: "runpod",
      baseUrl: "http://127.0.0.1",
      keyVariable: "RUNPOD_API_KEY",
      secrets: [apiKey],
    });
    return [
      create({
        endpoint: str(s.endpoint) ?? "",
        apiKey,
        baseUrl: str(s.base_url),
        workflow: str(s.workflow) as BuiltinWorkflowName | undefined,
        size: str(s.size) as "480p" | "720p" | undefined,
        files: files ? fileHostFromSetting(files, http) : undefined,
        concurrency: typeof s.concurrency === "number" ? s.concurrency : undefined,
        workDir: resolvePath(ctx.workDir, "runpod"),
        tools: ctx.tools,
        log: ctx.onCommand,
      }),
    ];
  },
};
