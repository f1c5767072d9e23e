// Test wiring for the OmniHuman tests: a provider pointed at a fresh Volcengine fake, and its clean-up.
import { type OmniHumanBehaviour, startOmniHumanFake } from "../../../fakes/omnihuman/server.js";
import { findTools } from "../../media/index.js";
import { providerOnFake } from "../suite/on-fake.js";
import { createOmniHumanProvider } from "./provider.js";

export const VOLC_TEST_KEYS = { VOLC_ACCESSKEY: "AKLTtestaccess", VOLC_SECRETKEY: "test-secret-key" };

export async function omniHumanOnFake(
  behaviours: OmniHumanBehaviour[] = [],
  env: Record<string, string> = VOLC_TEST_KEYS,
) {
  const tools = findTools();
  const fake = await startOmniHumanFake({ behaviours, tools, concurrency: 2 });
  return providerOnFake("omnihuman-work-", fake, (workDir) =>
    createOmniHumanProvider(
      { provider: "omnihuman", base_url: fake.url, files: "data-uri" },
      { env, tools, workDir },
    ),
  );
}
