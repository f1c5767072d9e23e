// providers: the clip-provider interface and the registry that builds a provider from a project's `clip:` settings.
import { UserInputError } from "../errors/index.js";
import type { Tools } from "../media/index.js";
import { CONSTRAINTS, constraintsFor } from "../plan/constraints.js";
import type { ClipConstraints } from "../plan/types.js";
import { alibabaKind } from "./alibaba/index.js";
import type { ClipProvider } from "./clip.js";
import { comfyKind } from "./comfyui/kind.js";
import { falKind } from "./fal/index.js";
import { infiniteTalkKind } from "./infinitetalk/index.js";
import { createLocalProvider, LOCAL_CONSTRAINTS } from "./local/index.js";
import { omniHumanKind } from "./omnihuman/index.js";
import { replicateKind } from "./replicate/index.js";
import { runpodKind } from "./runpod/index.js";
import { wan2gpKind } from "./wan2gp/index.js";
import { waveSpeedKind } from "./wavespeed/index.js";

export type {
  ClipJob,
  ClipProvider,
  FoundJob,
  JobState,
  JobStatus,
  PriceModel,
  StillLips,
  Submitted,
} from "./clip.js";
export { estimateCost } from "./clip.js";
export { cameraMotion, createLocalProvider, LOCAL_CONSTRAINTS } from "./local/index.js";

/** What building a provider may use: the tools, the environment (for keys), where to put files. */
export interface ProviderContext {
  tools: Tools;
  env: NodeJS.ProcessEnv;
  /** The project folder: relative paths in settings (workflow files) resolve against it. */
  projectDir: string;
  workDir: string;
  onCommand?: (line: string) => void;
}

/** The `clip:` settings of a project, provider-specific fields included. */
export type ClipSettings = { provider: string } & Record<string, unknown>;

interface ProviderKind {
  /** Constraints for planning, known without contacting the provider. */
  constraints(settings: ClipSettings): ClipConstraints;
  /** One provider per endpoint: a pool when the settings list several. */
  create(settings: ClipSettings, ctx: ProviderContext): Promise<ClipProvider[]>;
}

const KINDS: Record<string, ProviderKind> = {
  local: {
    constraints: () => LOCAL_CONSTRAINTS,
    create: async (_settings, ctx) => [
      createLocalProvider({ tools: ctx.tools, workDir: ctx.workDir, onCommand: ctx.onCommand }),
    ],
  },
};

/** Adds a provider kind (used by each provider folder's registration and by tests). */
export function registerProviderKind(name: string, kind: ProviderKind): void {
  KINDS[name] = kind;
}

export function providerNames(): string[] {
  return Object.keys(KINDS).sort();
}

/** Provider kinds and model families `plan --provider` accepts. */
export function planningNames(): string[] {
  return [...new Set([...Object.keys(KINDS), ...Object.keys(CONSTRAINTS)])].sort();
}

function kindOf(settings: ClipSettings): ProviderKind {
  const kind = KINDS[settings.provider];
  if (!kind) {
    throw new UserInputError(`clip.provider: unknown provider "${settings.provider}"`, {
      hint: `choose one of ${providerNames().join(", ")}`,
    });
  }
  return kind;
}

/**
 * What a provider can make, for planning. A model family name (infinitetalk, wan-s2v, …) also
 * works, so `refrain plan --provider infinitetalk` plans for a model before any endpoint is set up.
 */
export function clipConstraints(settings: ClipSettings): ClipConstraints {
  if (!KINDS[settings.provider] && settings.provider in CONSTRAINTS) return constraintsFor(settings.provider);
  return kindOf(settings).constraints(settings);
}

export function createClipProviders(settings: ClipSettings, ctx: ProviderContext): Promise<ClipProvider[]> {
  return kindOf(settings).create(settings, ctx);
}

/** Environment variables that hold provider keys, shown (set or not, never the value) by `refrain doctor`. */
export const KEY_VARIABLES: readonly { name: string; provider: string }[] = [
  { name: "FAL_KEY", provider: "fal" },
  { name: "REPLICATE_API_TOKEN", provider: "replicate" },
  { name: "WAVESPEED_API_KEY", provider: "wavespeed" },
  { name: "DASHSCOPE_API_KEY", provider: "alibaba" },
  { name: "VOLC_ACCESSKEY", provider: "omnihuman" },
  { name: "VOLC_SECRETKEY", provider: "omnihuman" },
  { name: "RUNPOD_API_KEY", provider: "runpod" },
  { name: "COMFY_CLOUD_API_KEY", provider: "comfyui (Comfy Cloud)" },
  { name: "SUNO_API_KEY", provider: "suno" },
  { name: "OPENAI_API_KEY", provider: "openai" },
  { name: "GEMINI_API_KEY", provider: "gemini" },
];

// Hosted video APIs (src/providers/{fal,replicate,wavespeed,alibaba,omnihuman}).
registerProviderKind("fal", falKind);
registerProviderKind("replicate", replicateKind);
registerProviderKind("wavespeed", waveSpeedKind);
registerProviderKind("alibaba", alibabaKind);
registerProviderKind("omnihuman", omniHumanKind);

// Your own ComfyUI server(s) (src/providers/comfyui).
registerProviderKind("comfyui", comfyKind);

// GPU backends beyond ComfyUI (src/providers/{wan2gp,infinitetalk,runpod}).
registerProviderKind("wan2gp", wan2gpKind);
registerProviderKind("infinitetalk", infiniteTalkKind);
registerProviderKind("runpod", runpodKind);
