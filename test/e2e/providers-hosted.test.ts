// Issue 6/7 "done when": each hosted video API makes a whole video through `refrain make` against its fake, priced before anything is paid.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startAlibabaFake } from "../../fakes/alibaba/server.js";
import { startFalFake } from "../../fakes/fal/server.js";
import { startOmniHumanFake } from "../../fakes/omnihuman/server.js";
import { startReplicateFake } from "../../fakes/replicate/server.js";
import { startWaveSpeedFake } from "../../fakes/wavespeed/server.js";
import { type Rig, wholeVideo } from "./flow.js";
import { type Inputs, makeInputs, removeAll, tools } from "./helpers.js";

let inputs: Inputs;
const projects: string[] = [];
beforeAll(async () => {
  inputs = await makeInputs();
});
afterAll(() => removeAll(inputs.dir, ...projects));

const RUN_MS = 300;

const rigs: Record<string, () => Promise<Rig>> = {
  fal: async () => {
    const fake = await startFalFake({ key: "fal-e2e", runMs: RUN_MS, tools });
    return {
      clip: { provider: "fal", model: "infinitalk", base_url: fake.url, storage_url: fake.url },
      env: { FAL_KEY: "fal-e2e" },
      submits: () => fake.stats.submits,
      close: () => fake.close(),
    };
  },
  replicate: async () => {
    const fake = await startReplicateFake({ token: "r8_e2e", runMs: RUN_MS, tools });
    return {
      clip: { provider: "replicate", base_url: fake.url },
      env: { REPLICATE_API_TOKEN: "r8_e2e" },
      submits: () => fake.stats.submits,
      close: () => fake.close(),
    };
  },
  wavespeed: async () => {
    const fake = await startWaveSpeedFake({ key: "ws-e2e", runMs: RUN_MS, tools });
    return {
      clip: { provider: "wavespeed", model: "infinitetalk", base_url: fake.url },
      env: { WAVESPEED_API_KEY: "ws-e2e" },
      submits: () => fake.stats.submits,
      close: () => fake.close(),
    };
  },
  alibaba: async () => {
    const fake = await startAlibabaFake({ key: "sk-e2e", runMs: RUN_MS, concurrency: 2, tools });
    return {
      clip: { provider: "alibaba", model: "wan2.2-s2v", base_url: fake.url, files: "data-uri" },
      env: { DASHSCOPE_API_KEY: "sk-e2e" },
      submits: () => fake.stats.submits,
      close: () => fake.close(),
    };
  },
  omnihuman: async () => {
    const fake = await startOmniHumanFake({
      accessKey: "AKLTe2e",
      secretKey: "e2e-secret",
      runMs: RUN_MS,
      concurrency: 2,
      tools,
    });
    return {
      clip: { provider: "omnihuman", base_url: fake.url, files: "data-uri" },
      env: { VOLC_ACCESSKEY: "AKLTe2e", VOLC_SECRETKEY: "e2e-secret" },
      submits: () => fake.stats.submits,
      close: () => fake.close(),
    };
  },
};

describe.sequential("a whole video on each hosted provider's fake", () => {
  for (const [name, start] of Object.entries(rigs)) {
    test(`${name}: priced first, made once, spend recorded, second make does nothing`, async () => {
      const rig = await start();
      try {
        const r = await wholeVideo(inputs, rig, { paid: true });
        projects.push(r.dir);
        expect(r.takes.every((t) => t.provider.startsWith(name) || t.status !== "succeeded")).toBe(true);
        expect(r.cost.spentUsd).toBeGreaterThan(0);
        expect(r.frames, `${name}: output frames vs the song`).toBe(r.expected);
      } finally {
        await rig.close();
      }
    });
  }
});
