// InfiniteTalk's own generate_infinitetalk.py as a clip provider (streaming mode, windows of 81 + 72·k frames).
export type { InfiniteTalkProvider, InfiniteTalkSettings, InfiniteTalkSize } from "./provider.js";
export {
  createInfiniteTalkProvider,
  explainInfiniteTalkFailure,
  infiniteTalkArgs,
  infiniteTalkAudioSeconds,
  infiniteTalkInput,
} from "./provider.js";

import { resolve as resolvePath } from "node:path";
import { CONSTRAINTS } from "../../plan/constraints.js";
import type { ClipSettings, ProviderContext } from "../index.js";
import { createInfiniteTalkProvider as create, type InfiniteTalkSize } from "./provider.js";

const str = (v: unknown) => (typeof v === "string" ? v : undefined);

/** The registry entry: `registerProviderKind("infinitetalk", infiniteTalkKind)`; settings `infinitetalk_dir`, `python`, `ckpt_dir`, `wav2vec_dir`, `infinitetalk_weights`, `size`, `steps`, `extra_args`. */
export const infiniteTalkKind = {
  constraints: (_s: ClipSettings) => CONSTRAINTS.infinitetalk,
  create: async (s: ClipSettings, ctx: ProviderContext) => [
    create({
      infinitetalkDir: resolvePath(ctx.projectDir, str(s.infinitetalk_dir) ?? "."),
      python: str(s.python),
      ckptDir: str(s.ckpt_dir),
      wav2vecDir: str(s.wav2vec_dir),
      infinitetalkWeights: str(s.infinitetalk_weights),
      size: str(s.size) as InfiniteTalkSize | undefined,
      steps: typeof s.steps === "number" ? s.steps : undefined,
      extraArgs: Array.isArray(s.extra_args) ? s.extra_args.map(String) : undefined,
      workDir: resolvePath(ctx.workDir, "infinitetalk"),
      tools: ctx.tools,
      onCommand: ctx.onCommand,
    }),
  ],
};
