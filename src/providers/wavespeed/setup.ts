// Test wiring for the WaveSpeed tests: a provider pointed at a fresh fake, and its clean-up.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { startWaveSpeedFake, type WaveSpeedBehaviour } from "../../../fakes/wavespeed/server.js";
import { findTools } from "../../media/index.js";
import { createWaveSpeedProvider } from "./provider.js";

export const WAVESPEED_TEST_KEY = "ws-test-key";

export async function waveSpeedOnFake(
  model: string,
  behaviours: WaveSpeedBehaviour[] = [],
  extra: Record<string, unknown> = {},
) {
  const tools = findTools();
  const fake = await startWaveSpeedFake({ key: WAVESPEED_TEST_KEY, behaviours, tools });
  const workDir = await mkdtemp(join(tmpdir(), "wavespeed-work-"));
  const provider = await createWaveSpeedProvider(
    { provider: "wavespeed", model, base_url: fake.url, ...extra },
    { env: { WAVESPEED_API_KEY: WAVESPEED_TEST_KEY }, tools, workDir },
  );
  return {
    fake,
    provider,
    workDir,
    close: async () => {
      await fake.close();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
