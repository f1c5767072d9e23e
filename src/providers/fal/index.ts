// fal.ai clip provider (queue API): InfiniteTalk and OmniHuman 1.5.
import type { ClipSettings, ProviderContext } from "../index.js";
import { createFalProvider, falConstraints } from "./provider.js";

export type { FalModelName, FalSettings } from "./provider.js";
export {
  createFalProvider,
  FAL_KEY_VARIABLE,
  FAL_MODELS,
  FalProvider,
  falConstraints,
  parseFalSettings,
} from "./provider.js";

/** The registry entry: `registerProviderKind("fal", falKind)`. */
export const falKind = {
  constraints: (settings: ClipSettings) => falConstraints(settings),
  create: async (settings: ClipSettings, ctx: ProviderContext) => [await createFalProvider(settings, ctx)],
};
