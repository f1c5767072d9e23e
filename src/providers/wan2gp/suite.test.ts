// The shared clip-provider suite on Wan2GP, run against the fake wgp.py.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fakeWan2gpSettings } from "../../../fakes/wan2gp/install.js";
import { findTools } from "../../media/index.js";
import { runClipProviderSuite } from "../suite/clip-provider.case.js";
import { createWan2gpProvider } from "./index.js";

runClipProviderSuite({
  name: "wan2gp infinitetalk (fake wgp.py)",
  setup: async () => {
    const root = await mkdtemp(join(tmpdir(), "wan2gp-suite-"));
    const provider = createWan2gpProvider({ ...(await fakeWan2gpSettings(root)), tools: findTools() });
    return { provider, close: () => rm(root, { recursive: true, force: true }) };
  },
});
