// Test wiring for the Replicate tests: a provider pointed at a fresh fake, and its clean-up.
import { type ReplicateBehaviour, startReplicateFake } from "../../../fakes/replicate/server.js";
import { findTools } from "../../media/index.js";
import { providerOnFake } from "../suite/on-fake.js";
import { createReplicateProvider } from "./provider.js";

export const REPLICATE_TEST_TOKEN = "r8_test_token";

export async function replicateOnFake(
  behaviours: ReplicateBehaviour[] = [],
  extra: Record<string, unknown> = {},
) {
  const tools = findTools();
  const fake = await startReplicateFake({ token: REPLICATE_TEST_TOKEN, behaviours, tools });
  return providerOnFake("replicate-work-", fake, (workDir) =>
    createReplicateProvider(
      { provider: "replicate", base_url: fake.url, ...extra },
      { env: { REPLICATE_API_TOKEN: REPLICATE_TEST_TOKEN }, tools, workDir },
    ),
  );
}
