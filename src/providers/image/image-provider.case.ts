// The conformance suite every image provider passes (run from each provider's *.test.ts against its fake).
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findTools, probeImage } from "../../media/index.js";
import { MediaTakes } from "../music/takes.js";
import { type ImageProvider, makeImages } from "./index.js";

export interface ImageSuiteOptions {
  readonly name: string;
  readonly start: () => Promise<{ provider: ImageProvider; close: () => Promise<void> }>;
}

export function runImageProviderSuite(options: ImageSuiteOptions): void {
  describe(`image provider ${options.name}`, () => {
    const tools = findTools(process.env);
    let provider: ImageProvider;
    let close: () => Promise<void>;
    let dir: string;
    beforeAll(async () => {
      ({ provider, close } = await options.start());
      dir = await mkdtemp(join(tmpdir(), "image-suite-"));
    });
    afterAll(async () => {
      await close?.();
      await rm(dir, { recursive: true, force: true });
    });

    it("keeps a generated image as a take with its cost and face check", async () => {
      const takes = new MediaTakes(dir, "images");
      const [t] = await makeImages(
        provider,
        { prompt: "a singer, portrait", aspect: "1:1" },
        { tools, takes },
      );
      expect(t!.status).toBe("succeeded");
      expect(t!.actualUsd).toBe(t!.estimatedUsd);
      expect(t!.note).toMatch(/face/);
      const info = await probeImage(tools, takes.path(t!.file!));
      expect(info.video!.width).toBeGreaterThan(0);
    }, 20_000);

    it("edits from the existing key image to keep the character", async () => {
      const takes = new MediaTakes(dir, "images");
      const [first] = await takes.list();
      const [t] = await makeImages(
        provider,
        { prompt: "the same singer, on stage", aspect: "16:9", reference: [takes.path(first!.file!)] },
        { tools, takes },
      );
      expect(t!.status).toBe("succeeded");
    }, 20_000);
  });
}
