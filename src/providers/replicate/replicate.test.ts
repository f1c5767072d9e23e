// Replicate: throttling, refusals, failed and aborted predictions, expiring outputs, `Prefer: wait`.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ProviderError, UserInputError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import { createReplicateProvider, outputUrl, statusOfPrediction } from "./index.js";
import { replicateOnFake } from "./setup.js";

const tools = findTools();

describe("replicate", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "replicate-test-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("a missing REPLICATE_API_TOKEN names the variable", async () => {
    const e = await createReplicateProvider(
      { provider: "replicate" },
      { env: {}, tools, workDir: dir },
    ).catch((x: unknown) => x);
    expect((e as UserInputError).shortMessage).toContain(
      "set REPLICATE_API_TOKEN in the environment or the project's .env",
    );
  });

  test("an unknown model needs its fps and price in the settings", async () => {
    const e = await createReplicateProvider(
      { provider: "replicate", model: "someone/talker" },
      { env: { REPLICATE_API_TOKEN: "x-token" }, tools, workDir: dir },
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).shortMessage).toContain("usd_per_second");
  });

  test("throttling is transient and carries the ~30 s Replicate names in its body", async () => {
    const s = await replicateOnFake(["replicate-429-then-ok"]);
    try {
      const e = (await s.provider
        .submit(await makeTestJob(dir, { frames: 25 }, tools))
        .catch((x: unknown) => x)) as ProviderError;
      expect(e.transient).toBe(true);
      expect(e.retryAfterS).toBe(30);
    } finally {
      await s.close();
    }
  });

  test("a wrong token is one line naming REPLICATE_API_TOKEN", async () => {
    const s = await replicateOnFake();
    try {
      const wrong = await createReplicateProvider(
        { provider: "replicate", base_url: s.fake.url },
        { env: { REPLICATE_API_TOKEN: "r8_wrong_81be" }, tools, workDir: s.workDir },
      );
      const e = (await wrong.poll("abc").catch((x: unknown) => x)) as ProviderError;
      expect(e.shortMessage).toMatch(/^replicate: REPLICATE_API_TOKEN is not valid/);
      expect(e.shortMessage).not.toContain("\n");
    } finally {
      await s.close();
    }
  });

  test("422 carries Replicate's field message and is not transient", async () => {
    const s = await replicateOnFake(["replicate-422"]);
    try {
      const e = (await s.provider
        .submit(await makeTestJob(dir, { frames: 25 }, tools))
        .catch((x: unknown) => x)) as ProviderError;
      expect(e.transient).toBe(false);
      expect(e.shortMessage).toContain("input.audio: Audio must be shorter than 15 seconds");
    } finally {
      await s.close();
    }
  });

  test("failed and aborted predictions are failed takes with the reason", async () => {
    for (const [behaviour, reason] of [
      ["replicate-job-fails", "CUDA error"],
      ["replicate-aborted", "not charged"],
    ] as const) {
      const s = await replicateOnFake([behaviour]);
      try {
        const { remoteId } = await s.provider.submit(await makeTestJob(dir, { frames: 25 }, tools));
        const end = await pollUntil(s.provider, remoteId);
        expect(end.state).toBe("failed");
        expect(end.reason).toContain(reason);
      } finally {
        await s.close();
      }
    }
  });

  test("outputs are downloaded when the prediction succeeds, before Replicate deletes them", async () => {
    const s = await replicateOnFake(["replicate-output-expires"]);
    try {
      const { remoteId } = await s.provider.submit(await makeTestJob(dir, { frames: 25 }, tools));
      await pollUntil(s.provider, remoteId);
      await new Promise((r) => setTimeout(r, 1700));
      await s.provider.fetch(remoteId, join(dir, "kept.mp4"));
      // A provider that waited to download would find the output gone:
      const late = await fetch(`${s.fake.url}/results/${remoteId}.mp4`);
      expect(late.status).toBe(404);
    } finally {
      await s.close();
    }
  });

  test("with wait: true the create request returns the finished prediction", async () => {
    const s = await replicateOnFake([], { wait: true });
    try {
      const { remoteId } = await s.provider.submit(await makeTestJob(dir, { frames: 25 }, tools));
      expect((await s.provider.poll(remoteId)).state).toBe("succeeded");
      expect(s.fake.stats.polls).toBe(1);
    } finally {
      await s.close();
    }
  });

  test("large files go through the files API, small ones inline", async () => {
    const s = await replicateOnFake();
    try {
      await s.provider.submit(await makeTestJob(dir, { frames: 25, audioSeconds: 1 }, tools));
      expect(s.fake.stats.uploads).toBe(0); // a 96 KB WAV and a small PNG ride as data URIs
      await s.provider.submit(await makeTestJob(dir, { frames: 25, audioSeconds: 4 }, tools));
      expect(s.fake.stats.uploads).toBe(1);
    } finally {
      await s.close();
    }
  });

  test("output shapes and statuses are read as documented", () => {
    expect(outputUrl("https://x/a.mp4")).toBe("https://x/a.mp4");
    expect(outputUrl(["https://x/a.mp4", "https://x/b.mp4"])).toBe("https://x/b.mp4");
    expect(outputUrl({ video: "https://x/v.mp4" })).toBe("https://x/v.mp4");
    expect(statusOfPrediction({ status: "starting" }).state).toBe("queued");
    expect(statusOfPrediction({ status: "canceled" }).state).toBe("cancelled");
    expect(statusOfPrediction({ status: "failed", error: "boom\ntrace" }).reason).toBe("boom");
  });
});
