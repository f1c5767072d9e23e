// Alibaba Model Studio (DashScope) clip provider: wan2.2-s2v, wan2.5-i2v-preview and wan2.7-i2v with driving audio.
import type { ClipSettings, ProviderContext } from "../index.js";
import { alibabaConstraints, createAlibabaProvider } from "./provider.js";

export type { AlibabaModelName, AlibabaSettings } from "./provider.js";
export {
  ALIBABA_MODELS,
  AlibabaProvider,
  alibabaConstraints,
  createAlibabaProvider,
  DASHSCOPE_KEY_VARIABLE,
  parseAlibabaSettings,
} from "./provider.js";

/** The registry entry: `registerProviderKind("alibaba", alibabaKind)`. */
export const alibabaKind = {
  constraints: (settings: ClipSettings) => alibabaConstraints(settings),
  create: async (settings: ClipSettings, ctx: ProviderContext) => [
    await createAlibabaProvider(settings, ctx),
  ],
};
