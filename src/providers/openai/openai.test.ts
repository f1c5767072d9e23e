// OpenAI GPT image models against the fake: model always sent, edits carry the key image, refusals kept as failed takes.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type OpenAiImagesBehaviour, startOpenAiImagesFake } from "../../../fakes/openai-images/server.js";
import { ProviderError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { runImageProviderSuite } from "../image/image-provider.case.js";
import { makeImages } from "../image/index.js";
import { MediaTakes } from "../music/takes.js";
import { createOpenAiImageProvider, openaiSize } from "./index.js";

const tools = findTools(process.env);
const env = { OPENAI_API_KEY: "sk-test" };

runImageProviderSuite({
  name: "openai gpt-image-1",
  start: async () => {
    const fake = await startOpenAiImagesFake({ tools });
    return { provider: createOpenAiImageProvider({ base_url: `${fake.url}/v1` }, env), close: fake.close };
  },
});

describe("openai images specifics", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  async function setup(behaviours: OpenAiImagesBehaviour[] = []) {
    const fake = await startOpenAiImagesFake({ tools, behaviours });
    const dir = await mkdtemp(join(tmpdir(), "openai-img-"));
    cleanup.push(fake.close, () => rm(dir, { recursive: true, force: true }));
    return {
      fake,
      provider: createOpenAiImageProvider({ base_url: `${fake.url}/v1` }, env),
      takes: new MediaTakes(dir, "images"),
    };
  }

  it("always names the model, so the API never falls back to dall-e-2", async () => {
    const { fake, provider } = await setup();
    await provider.generate({ prompt: "p", aspect: "9:16" });
    expect(fake.requests[0]).toMatchObject({ path: "/v1/images/generations", model: "gpt-image-1" });
  });

  it("maps aspects to the sizes GPT image models accept", () => {
    expect(["16:9", "9:16", "1:1"].map((a) => openaiSize(a as "1:1"))).toEqual([
      "1536x1024",
      "1024x1536",
      "1024x1024",
    ]);
  });

  it("keeps a refused request as a failed take with the reason", async () => {
    const { provider, takes } = await setup(["openai-moderation"]);
    await expect(
      makeImages(provider, { prompt: "forbidden", aspect: "1:1" }, { tools, takes }),
    ).rejects.toBeInstanceOf(ProviderError);
    const [t] = await takes.list();
    expect(t).toMatchObject({ status: "failed", actualUsd: 0 });
    expect(t!.failureReason).toMatch(/safety system/);
  });

  it("reads a 429 as transient with the wait the API asked for", async () => {
    const { provider } = await setup(["openai-429-once"]);
    const e = await provider.generate({ prompt: "p", aspect: "1:1" }).catch((x) => x);
    expect(e).toMatchObject({ transient: true, retryAfterS: 1 });
  });

  it("asks for the key by name", () => {
    expect(() => createOpenAiImageProvider({}, {})).toThrow(/OPENAI_API_KEY/);
  });
});
