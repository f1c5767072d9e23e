// WaveSpeed: throttling, failed predictions, expiring outputs, prices per resolution.
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ProviderError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { estimateCost } from "../clip.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import { createWaveSpeedProvider } from "./index.js";
import { waveSpeedOnFake } from "./setup.js";

const tools = findTools();

describe("wavespeed", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "wavespeed-test-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("429 is transient with the Retry-After seconds", async () => {
    const s = await waveSpeedOnFake("infinitetalk", ["wavespeed-429-then-ok"]);
    try {
      const e = (await s.provider
        .submit(await makeTestJob(dir, { frames: 25 }, tools))
        .catch((x: unknown) => x)) as ProviderError;
      expect(e).toBeInstanceOf(ProviderError);
      expect([e.transient, e.retryAfterS]).toEqual([true, 3]);
    } finally {
      await s.close();
    }
  });

  test("a failed prediction is a failed take with WaveSpeed's error", async () => {
    const s = await waveSpeedOnFake("infinitetalk", ["wavespeed-job-fails"]);
    try {
      const { remoteId } = await s.provider.submit(await makeTestJob(dir, { frames: 25 }, tools));
      const end = await pollUntil(s.provider, remoteId);
      expect([end.state, end.reason]).toEqual(["failed", "face not detected in the image"]);
    } finally {
      await s.close();
    }
  });

  test("an output link that expired (403) is a clear error; a kept result still fetches", async () => {
    const s = await waveSpeedOnFake("wan-s2v", ["wavespeed-output-expires"]);
    try {
      const { remoteId } = await s.provider.submit(await makeTestJob(dir, { frames: 16, fps: 16 }, tools));
      await pollUntil(s.provider, remoteId);
      await new Promise((r) => setTimeout(r, 1700));
      await s.provider.fetch(remoteId, join(dir, "kept.mp4"));
      expect(s.fake.stats.downloads).toBe(1);
      // Another process that kept nothing finds the link gone: one clear line, no file.
      const other = await createWaveSpeedProvider(
        { provider: "wavespeed", model: "wan-s2v", base_url: s.fake.url },
        { env: { WAVESPEED_API_KEY: "ws-test-key" }, tools, workDir: join(dir, "other") },
      );
      const e = (await other
        .fetch(remoteId, join(dir, "late.mp4"))
        .catch((x: unknown) => x)) as ProviderError;
      expect(e).toBeInstanceOf(ProviderError);
      expect(e.shortMessage).toMatch(/link has expired/);
      expect(existsSync(join(dir, "late.mp4"))).toBe(false);
    } finally {
      await s.close();
    }
  });

  test("prices: 10 s at 720p cost twice 480p ($0.30 vs $0.60)", async () => {
    const s = await waveSpeedOnFake("infinitetalk");
    try {
      expect(estimateCost(s.provider.price, 10, "480p")).toBeCloseTo(0.3, 6);
      expect(estimateCost(s.provider.price, 10, "720p")).toBeCloseTo(0.6, 6);
    } finally {
      await s.close();
    }
  });
});
