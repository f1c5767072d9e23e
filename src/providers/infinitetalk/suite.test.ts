// The shared clip-provider suite on InfiniteTalk's own script, run against the fake generate_infinitetalk.py.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeInfiniteTalkSettings } from "../../../fakes/infinitetalk/install.js";
import { findTools } from "../../media/index.js";
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { createInfiniteTalkProvider } from "./index.js";

runClipProviderSuite({
  name: "infinitetalk script (fake generate_infinitetalk.py)",
  setup: async () => {
    const root = await mkdtemp(join(tmpdir(), "infinitetalk-suite-"));
    const provider = createInfiniteTalkProvider({
      ...(await fakeInfiniteTalkSettings(root)),
      tools: findTools(),
    });
    return { provider, close: () => rm(root, { recursive: true, force: true }) };
  },
});
