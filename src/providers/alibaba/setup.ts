// Test wiring for the Alibaba tests: a provider pointed at a fresh fake (inputs as data URIs), and its clean-up.
import { type AlibabaBehaviour, startAlibabaFake } from "../../../fakes/alibaba/server.js";
import { findTools } from "../../media/index.js";
import { providerOnFake } from "../suite/on-fake.js";
import { createAlibabaProvider } from "./provider.js";

export const DASHSCOPE_TEST_KEY = "sk-test-key";
/** A key image big enough for every Alibaba model (400 px minimum for S2V). */
export const ALIBABA_JOB = { width: 640, height: 400 };

export async function alibabaOnFake(
  model: string,
  behaviours: AlibabaBehaviour[] = [],
  extra: Record<string, unknown> = {},
  runMs = 400,
) {
  const tools = findTools();
  const fake = await startAlibabaFake({ key: DASHSCOPE_TEST_KEY, behaviours, tools, concurrency: 2, runMs });
  return providerOnFake("alibaba-work-", fake, (workDir) =>
    createAlibabaProvider(
      { provider: "alibaba", model, base_url: fake.url, files: "data-uri", ...extra },
      { env: { DASHSCOPE_API_KEY: DASHSCOPE_TEST_KEY }, tools, workDir },
    ),
  );
}
