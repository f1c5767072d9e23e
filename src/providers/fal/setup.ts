// Test wiring shared by the fal test files: a fal provider pointed at a fresh fake, and its clean-up.
import { type FalBehaviour, startFalFake } from "../../../fakes/fal/server.js";
import { findTools } from "../../media/index.js";
import { providerOnFake } from "../suite/on-fake.js";
import { createFalProvider } from "./provider.js";

export const FAL_TEST_KEY = "fal-test-key";

export async function falOnFake(
  model: string,
  behaviours: FalBehaviour[] = [],
  extra: Record<string, unknown> = {},
  runMs = 400,
) {
  const tools = findTools();
  const fake = await startFalFake({ key: FAL_TEST_KEY, behaviours, runMs, tools });
  return providerOnFake("fal-work-", fake, (workDir) =>
    createFalProvider(
      { provider: "fal", model, base_url: fake.url, storage_url: fake.url, ...extra },
      { env: { FAL_KEY: FAL_TEST_KEY }, tools, workDir },
    ),
  );
}
