// fal: the shared clip-provider suite on both models against the fake, and what a user relies on when fal misbehaves.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { ProviderError, UserInputError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { estimateCost } from "../clip.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import { createFalProvider, falConstraints } from "./index.js";
import { falOnFake } from "./setup.js";

const tools = findTools();

const setup = falOnFake;

describe("fal", () => {
  let dir = "";
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "fal-test-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  test("a missing FAL_KEY is a one-line UserInputError naming the variable, before any request", async () => {
    const e = await createFalProvider({ provider: "fal" }, { env: {}, tools, workDir: dir }).catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(UserInputError);
    expect((e as UserInputError).shortMessage).toContain(
      "set FAL_KEY in the environment or the project's .env",
    );
  });

  test("a wrong key is refused with a line naming FAL_KEY, not transient, never showing the key", async () => {
    const s = await setup("infinitalk");
    try {
      const wrong = await createFalProvider(
        { provider: "fal", base_url: s.fake.url, storage_url: s.fake.url },
        { env: { FAL_KEY: "wrong-key-4f7a9" }, tools, workDir: s.workDir },
      );
      const job = await makeTestJob(dir, { frames: 41 }, tools);
      const e = (await wrong.submit(job).catch((x: unknown) => x)) as ProviderError;
      expect(e).toBeInstanceOf(ProviderError);
      expect(e.shortMessage).toMatch(/FAL_KEY is not valid/);
      expect(e.transient).toBe(false);
      expect(e.status).toBe(401);
      expect(e.shortMessage).not.toContain("wrong-key-4f7a9");
    } finally {
      await s.close();
    }
  });

  test("429 is a transient ProviderError carrying Retry-After; the next submit goes through", async () => {
    const s = await setup("infinitalk", ["fal-429-then-ok"]);
    try {
      const job = await makeTestJob(dir, { frames: 41 }, tools);
      const e = (await s.provider.submit(job).catch((x: unknown) => x)) as ProviderError;
      expect(e).toBeInstanceOf(ProviderError);
      expect(e.transient).toBe(true);
      expect(e.retryAfterS).toBe(2);
      const { remoteId } = await s.provider.submit(job);
      expect((await pollUntil(s.provider, remoteId)).state).toBe("succeeded");
    } finally {
      await s.close();
    }
  });

  test("a 5xx marked X-Fal-Retryable is transient", async () => {
    const s = await setup("infinitalk", ["fal-500-then-ok"]);
    try {
      const { remoteId } = await s.provider.submit(await makeTestJob(dir, { frames: 41 }, tools));
      const e = (await s.provider.poll(remoteId).catch((x: unknown) => x)) as ProviderError;
      expect(e).toBeInstanceOf(ProviderError);
      expect(e.transient).toBe(true);
      expect((await pollUntil(s.provider, remoteId)).state).toBe("succeeded");
    } finally {
      await s.close();
    }
  });

  test("422 is not transient and carries fal's own reason with the field", async () => {
    const s = await setup("infinitalk", ["fal-422"]);
    try {
      const e = (await s.provider
        .submit(await makeTestJob(dir, { frames: 41 }, tools))
        .catch((x: unknown) => x)) as ProviderError;
      expect(e.transient).toBe(false);
      expect(e.shortMessage).toContain("image_url: No face detected in the image");
    } finally {
      await s.close();
    }
  });

  test("a job that fails on fal is a failed take with fal's reason", async () => {
    const s = await setup("infinitalk", ["fal-job-fails"]);
    try {
      const { remoteId } = await s.provider.submit(await makeTestJob(dir, { frames: 41 }, tools));
      const end = await pollUntil(s.provider, remoteId);
      expect(end.state).toBe("failed");
      expect(end.reason).toContain("CUDA out of memory");
    } finally {
      await s.close();
    }
  });

  test("the result is kept when the job succeeds, so fetch works after the link expired", async () => {
    const s = await setup("infinitalk", ["fal-output-expires"]);
    try {
      const job = await makeTestJob(dir, { frames: 41 }, tools);
      const { remoteId } = await s.provider.submit(job);
      expect((await pollUntil(s.provider, remoteId)).state).toBe("succeeded");
      await new Promise((r) => setTimeout(r, 1700)); // the fake's link lives 1.5 s
      const out = join(dir, "late.mp4");
      await s.provider.fetch(remoteId, out);
      expect(s.fake.stats.downloads).toBe(1);
    } finally {
      await s.close();
    }
  });

  test("beyond the concurrency, requests wait IN_QUEUE with a queue position", async () => {
    const s = await setup("infinitalk", [], {}, 3000);
    try {
      const ids = [];
      for (let i = 0; i < 3; i++)
        ids.push((await s.provider.submit(await makeTestJob(dir, { frames: 41 }, tools))).remoteId);
      const third = await s.provider.poll(ids[2]!);
      expect(third.state).toBe("queued");
      expect(third.queuePosition).toBe(0);
      for (const id of ids) await pollUntil(s.provider, id);
    } finally {
      await s.close();
    }
  });

  test("the key image is uploaded once for many jobs", async () => {
    const s = await setup("infinitalk");
    try {
      const a = await makeTestJob(dir, { frames: 41 }, tools);
      const b = await makeTestJob(dir, { frames: 45 }, tools);
      await s.provider.submit(a);
      await s.provider.submit(b);
      expect(s.fake.stats.uploads).toBe(3); // one image, two audio files
    } finally {
      await s.close();
    }
  });

  test("audio too long for OmniHuman at 1080p is refused before anything is paid", async () => {
    const s = await setup("omnihuman", [], { resolution: "1080p" });
    try {
      const job = await makeTestJob(dir, { frames: 25, audioSeconds: 31 }, tools);
      const e = await s.provider.submit(job).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(UserInputError);
      expect((e as UserInputError).shortMessage).toContain("shorter than 30 s");
      expect(s.fake.stats.submits).toBe(0);
    } finally {
      await s.close();
    }
  });

  test("prices per resolution: 10 s of InfiniteTalk at 720p cost twice 480p", async () => {
    const s = await setup("infinitalk");
    try {
      expect(estimateCost(s.provider.price, 10, "480p")).toBeCloseTo(2.0, 6);
      expect(estimateCost(s.provider.price, 10, "720p")).toBeCloseTo(4.0, 6);
    } finally {
      await s.close();
    }
  });

  test("constraints follow the settings: OmniHuman at 1080p takes under 30 s of audio", () => {
    expect(falConstraints({ provider: "fal", model: "omnihuman", resolution: "1080p" }).maxFrames).toBe(749);
    expect(() => falConstraints({ provider: "fal", model: "sora" })).toThrow(UserInputError);
  });
});
