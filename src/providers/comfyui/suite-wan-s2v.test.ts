// The shared clip-provider suite on the built-in "wan-s2v" workflow, against the fake ComfyUI server.
import { startFakeComfy } from "../../../fakes/comfyui/server.js";
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { createComfyProvider } from "./index.js";

runClipProviderSuite({
  name: "comfyui wan-s2v (fake server)",
  setup: async () => {
    const fake = await startFakeComfy({ delayMs: 400, steps: 4 });
    const provider = await createComfyProvider({ url: fake.url, workflow: "wan-s2v" });
    return { provider, close: () => fake.close() };
  },
});
