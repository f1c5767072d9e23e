// Alibaba: the face pre-check, audio and region limits before anything is paid, one task at a time, prices per resolution.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ProviderError, UserInputError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { estimateCost } from "../clip.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import { createAlibabaProvider } from "./index.js";
import { ALIBABA_JOB, alibabaOnFake } from "./setup.js";

const tools = findTools();

describe("alibaba", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "alibaba-test-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));
  const job = (o: Parameters<typeof makeTestJob>[1] = {}) =>
    makeTestJob(dir, { frames: 16, fps: 16, ...ALIBABA_JOB, ...o }, tools);

  test("an image that fails the face check stops before the paid task, with one clear line", async () => {
    const s = await alibabaOnFake("wan2.2-s2v", ["alibaba-face-fails"]);
    try {
      const e = await s.provider.submit(await job()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UserInputError);
      expect((e as UserInputError).shortMessage).toMatch(/failed Alibaba's face check/);
      expect(s.fake.stats.submits).toBe(0);
    } finally {
      await s.close();
    }
  });

  test("the face check runs once per key image, not once per segment", async () => {
    const s = await alibabaOnFake("wan2.2-s2v");
    try {
      await s.provider.submit(await job());
      await s.provider.submit(await job({ frames: 20 }));
      expect(s.fake.faceChecks()).toBe(1);
    } finally {
      await s.close();
    }
  });

  test("audio of 20 s or more is refused locally, naming the limit", async () => {
    const s = await alibabaOnFake("wan2.2-s2v");
    try {
      const e = await s.provider.submit(await job({ audioSeconds: 20.5 })).catch((x: unknown) => x);
      expect((e as UserInputError).shortMessage).toContain("shorter than 20 s");
      expect(s.fake.stats.submits).toBe(0);
    } finally {
      await s.close();
    }
  });

  test("a key image under 400 px is refused for S2V before any request", async () => {
    const s = await alibabaOnFake("wan2.2-s2v");
    try {
      const e = await s.provider.submit(await job({ width: 320, height: 200 })).catch((x: unknown) => x);
      expect((e as UserInputError).shortMessage).toMatch(/320×200.*400–7000 px/);
      expect(s.fake.stats.requests).toBe(0);
    } finally {
      await s.close();
    }
  });

  test("wan2.2-s2v outside the Beijing region, or with no files: setting, is a clear line", async () => {
    const env = { DASHSCOPE_API_KEY: "sk-x" };
    const region = await createAlibabaProvider(
      { provider: "alibaba", base_url: "https://dashscope-intl.aliyuncs.com", files: "data-uri" },
      { env, tools, workDir: dir },
    ).catch((x: unknown) => x);
    expect((region as UserInputError).shortMessage).toMatch(/only in Alibaba's China \(Beijing\) region/);
    const files = await createAlibabaProvider({ provider: "alibaba" }, { env, tools, workDir: dir }).catch(
      (x: unknown) => x,
    );
    expect((files as UserInputError).shortMessage).toMatch(/clip\.files/);
    const key = await createAlibabaProvider(
      { provider: "alibaba", files: "data-uri" },
      { env: {}, tools, workDir: dir },
    ).catch((x: unknown) => x);
    expect((key as UserInputError).shortMessage).toContain("set DASHSCOPE_API_KEY");
  });

  test("a second task while one runs is throttled: transient, so the engine retries later", async () => {
    const s = await alibabaOnFake("wan2.2-s2v", ["alibaba-one-task"], {}, 5000);
    try {
      const first = await s.provider.submit(await job());
      const e = (await s.provider
        .submit(await job({ frames: 24 }))
        .catch((x: unknown) => x)) as ProviderError;
      expect(e).toBeInstanceOf(ProviderError);
      expect([e.transient, e.status]).toEqual([true, 429]);
      expect(s.provider.concurrency).toBe(1);
      await pollUntil(s.provider, first.remoteId);
    } finally {
      await s.close();
    }
  });

  test("a failed task is a failed take with Alibaba's code and message", async () => {
    const s = await alibabaOnFake("wan2.7-i2v", ["alibaba-job-fails"]);
    try {
      const { remoteId } = await s.provider.submit(await job({ frames: 60, fps: 30 }));
      const end = await pollUntil(s.provider, remoteId);
      expect(end.state).toBe("failed");
      expect(end.reason).toMatch(/^InternalError\.Algo: /);
    } finally {
      await s.close();
    }
  });

  test("prices per resolution: 10 s of S2V cost $0.72 at 480P and $1.29 at 720P", async () => {
    const s = await alibabaOnFake("wan2.2-s2v");
    try {
      expect(estimateCost(s.provider.price, 10, "480P")).toBeCloseTo(0.71677, 5);
      expect(estimateCost(s.provider.price, 10, "720P")).toBeCloseTo(1.29018, 5);
    } finally {
      await s.close();
    }
  });
});
