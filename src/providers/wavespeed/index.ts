// WaveSpeed clip provider: InfiniteTalk and Wan2.2-S2V.
import type { ClipSettings, ProviderContext } from "../index.js";
import { createWaveSpeedProvider, waveSpeedConstraints } from "./provider.js";

export type { WaveSpeedModelName, WaveSpeedSettings } from "./provider.js";
export {
  createWaveSpeedProvider,
  parseWaveSpeedSettings,
  WAVESPEED_KEY_VARIABLE,
  WAVESPEED_MODELS,
  WaveSpeedProvider,
  waveSpeedConstraints,
} from "./provider.js";

/** The registry entry: `registerProviderKind("wavespeed", waveSpeedKind)`. */
export const waveSpeedKind = {
  constraints: (settings: ClipSettings) => waveSpeedConstraints(settings),
  create: async (settings: ClipSettings, ctx: ProviderContext) => [
    await createWaveSpeedProvider(settings, ctx),
  ],
};
