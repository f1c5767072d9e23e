// The shared clip-provider suite on one Runpod endpoint, against the fake serverless API (one test file per endpoint, so they run side by side).
import { startFakeRunpod } from "../../../fakes/runpod/server.js";
import { findTools } from "../../media/index.js";
import { dataUriHost } from "../http/files.js";
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { providerOnFake } from "../suite/on-fake.js";
import { createRunpodProvider } from "./index.js";

const skip = {
  "lookup finds a submitted job by its token and null for an unknown token": "Runpod has no client tokens",
};

/** Runs the suite on the fake's public InfiniteTalk endpoint ("infinitetalk") or a worker-comfyui one. */
export function runRunpodSuite(endpoint: string): void {
  runClipProviderSuite({
    name: `runpod ${endpoint === "infinitetalk" ? "public infinitetalk" : "worker-comfyui infinitetalk"} (fake)`,
    skip,
    setup: async () => {
      const fake = await startFakeRunpod({ apiKey: "rp_suite_key" });
      return providerOnFake("runpod-suite-", fake, (workDir) =>
        createRunpodProvider({
          endpoint,
          apiKey: "rp_suite_key",
          baseUrl: `${fake.url}/v2`,
          files: dataUriHost(),
          workDir,
          tools: findTools(),
        }),
      );
    },
  });
}
