// Test wiring for the WaveSpeed tests: a provider pointed at a fresh fake, and its clean-up.
import { startWaveSpeedFake, type WaveSpeedBehaviour } from "../../../fakes/wavespeed/server.js";
import { findTools } from "../../media/index.js";
import { providerOnFake } from "../suite/on-fake.js";
import { createWaveSpeedProvider } from "./provider.js";

export const WAVESPEED_TEST_KEY = "ws-test-key";

export async function waveSpeedOnFake(
  model: string,
  behaviours: WaveSpeedBehaviour[] = [],
  extra: Record<string, unknown> = {},
) {
  const tools = findTools();
  const fake = await startWaveSpeedFake({ key: WAVESPEED_TEST_KEY, behaviours, tools });
  return providerOnFake("wavespeed-work-", fake, (workDir) =>
    createWaveSpeedProvider(
      { provider: "wavespeed", model, base_url: fake.url, ...extra },
      { env: { WAVESPEED_API_KEY: WAVESPEED_TEST_KEY }, tools, workDir },
    ),
  );
}
