// The shared clip-provider suite on the built-in "infinitetalk-wrapper" workflow, against the fake ComfyUI server.
import { startFakeComfy } from "../../../fakes/comfyui/server.js";
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { createComfyProvider } from "./index.js";

runClipProviderSuite({
  name: "comfyui infinitetalk-wrapper (fake server)",
  setup: async () => {
    const fake = await startFakeComfy({ delayMs: 400, steps: 4 });
    const provider = await createComfyProvider({ url: fake.url, workflow: "infinitetalk-wrapper" });
    return { provider, close: () => fake.close() };
  },
});
