// Replicate clip provider (predictions API).
import type { ClipSettings, ProviderContext } from "../index.js";
import { createReplicateProvider, replicateConstraints } from "./provider.js";

export type { ReplicateSettings } from "./provider.js";
export {
  createReplicateProvider,
  outputUrl,
  parseReplicateSettings,
  REPLICATE_KEY_VARIABLE,
  REPLICATE_MODELS,
  ReplicateProvider,
  replicateConstraints,
  statusOfPrediction,
} from "./provider.js";

/** The registry entry: `registerProviderKind("replicate", replicateKind)`. */
export const replicateKind = {
  constraints: (settings: ClipSettings) => replicateConstraints(settings),
  create: async (settings: ClipSettings, ctx: ProviderContext) => [
    await createReplicateProvider(settings, ctx),
  ],
};
