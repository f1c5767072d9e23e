// Wan2GP as a clip provider: the user's own install run headless (`wgp.py --process`), InfiniteTalk at any 4n+1 length.
export type { Wan2gpProvider, Wan2gpSettings } from "./provider.js";
export {
  createWan2gpProvider,
  explainWan2gpFailure,
  wan2gpConstraints,
  wan2gpTaskSettings,
} from "./provider.js";

import { resolve as resolvePath } from "node:path";
import type { ClipSettings, ProviderContext } from "../index.js";
import { wan2gpConstraints as constraintsOf, createWan2gpProvider as create } from "./provider.js";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const num = (v: unknown) => (typeof v === "number" ? v : undefined);

/** The registry entry: `registerProviderKind("wan2gp", wan2gpKind)`; settings `wan2gp_dir`, `python`, `model_type`, `steps`, `max_frames`. */
export const wan2gpKind = {
  constraints: (s: ClipSettings) => constraintsOf(num(s.max_frames)),
  create: async (s: ClipSettings, ctx: ProviderContext) => [
    create({
      wan2gpDir: resolvePath(ctx.projectDir, str(s.wan2gp_dir) ?? "."),
      python: str(s.python),
      modelType: str(s.model_type),
      steps: num(s.steps),
      maxFrames: num(s.max_frames),
      workDir: resolvePath(ctx.workDir, "wan2gp"),
      tools: ctx.tools,
      onCommand: ctx.onCommand,
    }),
  ],
};
