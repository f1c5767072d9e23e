// Gemini 2.5 Flash Image against the fake: the image suite, aspect in imageConfig, text-only and safety answers as failed takes, 429, keys.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type GeminiBehaviour, startGeminiFake } from "../../../fakes/gemini/server.js";
import { ProviderError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { runImageProviderSuite } from "../image/image-provider.case.js";
import { makeImages } from "../image/index.js";
import { MediaTakes } from "../music/takes.js";
import { createGeminiImageProvider, geminiBody } from "./index.js";

const tools = findTools(process.env);
const env = { GEMINI_API_KEY: "gemini-test-key" };

runImageProviderSuite({
  name: "gemini-2.5-flash-image",
  start: async () => {
    const fake = await startGeminiFake({ tools });
    return { provider: createGeminiImageProvider({ base_url: fake.url }, env), close: fake.close };
  },
});

describe("gemini images specifics", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  async function setup(behaviours: GeminiBehaviour[] = [], keyEnv: Record<string, string> = env) {
    const fake = await startGeminiFake({ tools, behaviours });
    const dir = await mkdtemp(join(tmpdir(), "gemini-img-"));
    cleanup.push(fake.close, () => rm(dir, { recursive: true, force: true }));
    return {
      fake,
      provider: createGeminiImageProvider({ base_url: fake.url }, keyEnv),
      takes: new MediaTakes(dir, "images"),
    };
  }

  it("asks for text and image with the aspect ratio in imageConfig", async () => {
    expect(geminiBody({ prompt: "a singer", aspect: "9:16" }, [])).toEqual({
      contents: [{ parts: [{ text: "a singer" }] }],
      generationConfig: { responseModalities: ["TEXT", "IMAGE"], imageConfig: { aspectRatio: "9:16" } },
    });
    const { fake, provider } = await setup();
    await provider.generate({ prompt: "a singer", aspect: "16:9" });
    expect(fake.requests[0]).toMatchObject({
      model: "gemini-2.5-flash-image",
      aspectRatio: "16:9",
      references: 0,
    });
  });

  it("keeps an answer in words with no image as a failed take that says so", async () => {
    const { provider, takes } = await setup(["gemini-text-only"]);
    await expect(
      makeImages(provider, { prompt: "a singer", aspect: "1:1" }, { tools, takes }),
    ).rejects.toBeInstanceOf(ProviderError);
    const [t] = await takes.list();
    expect(t).toMatchObject({ status: "failed", actualUsd: 0 });
    expect(t!.failureReason).toMatch(/answered with text and no image: "I can describe/);
  });

  it("keeps a safety stop as a failed take naming the finish reason", async () => {
    const { provider, takes } = await setup(["gemini-safety"]);
    await expect(makeImages(provider, { prompt: "p", aspect: "1:1" }, { tools, takes })).rejects.toThrow(
      /IMAGE_SAFETY/,
    );
    expect((await takes.list())[0]!.status).toBe("failed");
  });

  it("reads 429 RESOURCE_EXHAUSTED as transient with the wait Google names", async () => {
    const { provider } = await setup(["gemini-429-once"]);
    const e = await provider.generate({ prompt: "p", aspect: "1:1" }).catch((x) => x);
    expect(e).toMatchObject({ transient: true, retryAfterS: 2 });
    expect(e.shortMessage).toMatch(/RESOURCE_EXHAUSTED|quota/);
    expect((await provider.generate({ prompt: "p", aspect: "1:1" })).length).toBe(1);
  });

  it("asks for GEMINI_API_KEY by name and never shows a wrong one", async () => {
    expect(() => createGeminiImageProvider({}, {})).toThrow(/GEMINI_API_KEY/);
    const { provider } = await setup([], { GEMINI_API_KEY: "wrong-gemini-key-5" });
    const e = await provider.generate({ prompt: "p", aspect: "1:1" }).catch((x) => x);
    expect(e.shortMessage).toMatch(/GEMINI_API_KEY is not valid/);
    expect(JSON.stringify({ m: e.message, s: e.shortMessage, h: e.hint })).not.toContain(
      "wrong-gemini-key-5",
    );
  });

  it("sends the existing key image as inlineData to keep the character", async () => {
    const { fake, provider, takes } = await setup();
    const [first] = await makeImages(
      provider,
      { prompt: "a singer", aspect: "1:1" },
      { tools, takes, faceCheck: false },
    );
    await provider.generate({
      prompt: "the same singer",
      aspect: "1:1",
      reference: [takes.path(first!.file!)],
    });
    expect(fake.requests.map((r) => r.references)).toEqual([0, 1]);
  });

  it("makes as many images as asked, one call each", async () => {
    const { fake, provider } = await setup();
    expect(await provider.generate({ prompt: "p", aspect: "1:1", count: 2 })).toHaveLength(2);
    expect(fake.requests).toHaveLength(2);
  });
});
