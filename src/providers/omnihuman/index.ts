// ByteDance OmniHuman (Jimeng) clip provider via Volcengine / BytePlus, with its V4 request signer.
import type { ClipSettings, ProviderContext } from "../index.js";
import { createOmniHumanProvider, OMNIHUMAN_CONSTRAINTS } from "./provider.js";

export type { OmniHumanSettings } from "./provider.js";
export {
  createOmniHumanProvider,
  OMNIHUMAN_CONSTRAINTS,
  OMNIHUMAN_PLATFORMS,
  OmniHumanProvider,
  parseOmniHumanSettings,
  VOLC_ACCESS_VARIABLE,
  VOLC_SECRET_VARIABLE,
} from "./provider.js";
export type { SignOptions } from "./sign.js";
export { amzDate, signRequest } from "./sign.js";

/** The registry entry: `registerProviderKind("omnihuman", omniHumanKind)`. */
export const omniHumanKind = {
  constraints: (_settings: ClipSettings) => OMNIHUMAN_CONSTRAINTS,
  create: async (settings: ClipSettings, ctx: ProviderContext) => [
    await createOmniHumanProvider(settings, ctx),
  ],
};
