// Runpod against its fake: 429 with Retry-After, TIMED_OUT and /retry, results gone after their TTL, the key never shown.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, test } from "vitest";
import { type FakeRunpod, type FakeRunpodOptions, startFakeRunpod } from "../../../fakes/runpod/server.js";
import { ProviderError, UserInputError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import { createRunpodProvider, type RunpodSettings, runpodState, videoFromWorkerOutput } from "./index.js";

const KEY = "rp_secret_key_123";
const tools = findTools();
let fake: FakeRunpod | null = null;
let workDir = "";
afterEach(async () => {
  await fake?.close();
  fake = null;
  if (workDir) await rm(workDir, { recursive: true, force: true });
});

async function setup(options: FakeRunpodOptions = {}, extra: Partial<RunpodSettings> = {}) {
  fake = await startFakeRunpod({ apiKey: KEY, ...options });
  workDir = await mkdtemp(join(tmpdir(), "runpod-"));
  const provider = createRunpodProvider({
    endpoint: "ep-comfy",
    apiKey: KEY,
    baseUrl: `${fake.url}/v2`,
    workDir,
    tools,
    ...extra,
  });
  return provider;
}

describe("runpod", () => {
  test("Runpod's states map to refrain's", () => {
    expect(
      ["IN_QUEUE", "IN_PROGRESS", "COMPLETED", "FAILED", "CANCELLED", "TIMED_OUT"].map(runpodState),
    ).toEqual(["queued", "running", "succeeded", "failed", "cancelled", "failed"]);
  });

  test("worker-comfyui's success_no_images is a failure that says to use SaveVideo", () => {
    expect(videoFromWorkerOutput({ status: "success_no_images" })).toMatch(/no video .*SaveVideo/);
    expect(
      videoFromWorkerOutput({ images: [{ filename: "a.mp4", type: "base64", data: "" }] }),
    ).toMatchObject({
      filename: "a.mp4",
    });
  });

  test("a workflow whose output worker-comfyui drops (VHS) is refused before anything is paid for", async () => {
    await expect(setup({}, { workflow: "infinitetalk-wrapper" })).rejects.toBeInstanceOf(UserInputError);
  });

  test("past the /run limit: a transient 429 carrying Retry-After, and the key appears nowhere", async () => {
    const provider = await setup({ runLimitPer10s: 1, retryAfterS: 7, coldStartMs: 5000 });
    const job = await makeTestJob(join(workDir, "in"), { frames: 17 });
    await provider.submit(job);
    const error = await provider.submit({ ...job, token: "second" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ status: 429, transient: true, retryAfterS: 7 });
    expect(JSON.stringify({ m: (error as Error).message, s: (error as Error).stack })).not.toContain(KEY);
  });

  test("a wrong key names RUNPOD_API_KEY, never the key", async () => {
    const provider = await setup();
    const bad = createRunpodProvider({
      endpoint: "ep-comfy",
      apiKey: "rp_wrong_key",
      baseUrl: `${fake!.url}/v2`,
      workDir,
      tools,
    });
    const error = await bad.poll("x").catch((e: unknown) => e);
    expect((error as ProviderError).shortMessage).toMatch(/RUNPOD_API_KEY is not valid/);
    expect((error as ProviderError).shortMessage).not.toContain("rp_wrong_key");
    await provider.close?.();
  });

  test("a job past its executionTimeout ends TIMED_OUT as a failure, and /retry runs it again", async () => {
    const provider = await setup({ comfyDelayMs: 600 }, { executionTimeoutMs: 100 });
    const job = await makeTestJob(join(workDir, "in"), { frames: 17 });
    const { remoteId } = await provider.submit(job);
    const end = await pollUntil(provider, remoteId);
    expect(end).toMatchObject({ state: "failed" });
    expect(end.reason).toMatch(/timed out/);
    await provider.retry(remoteId);
    const again = await pollUntil(provider, remoteId);
    expect(again.state).toBe("succeeded");
  });

  test("worker-comfyui jobs share the fake's one worker: the second waits IN_QUEUE, so its upload of the same key image never cuts into a running render", async () => {
    const provider = await setup({ comfyDelayMs: 500 });
    // The same image and audio content in both: worker-comfyui uploads them under the same names (overwrite).
    const jobs = [
      await makeTestJob(join(workDir, "a"), { frames: 17, token: "a" }),
      await makeTestJob(join(workDir, "b"), { frames: 17, token: "b" }),
    ];
    const ids = (await Promise.all(jobs.map((j) => provider.submit(j)))).map((s) => s.remoteId);
    const first = await Promise.race(ids.map((id) => pollUntil(provider, id, (s) => s.state !== "queued")));
    expect(first.state).toBe("running");
    const states = await Promise.all(ids.map(async (id) => (await provider.poll(id)).state));
    expect(states.sort()).toEqual(["queued", "running"]);
    for (const id of ids) expect((await pollUntil(provider, id)).state).toBe("succeeded");
  });

  test("results vanish after their TTL, but a video seen once is kept and still fetched", async () => {
    const provider = await setup({ resultTtlMs: 300 });
    const job = await makeTestJob(join(workDir, "in"), { frames: 17 });
    const { remoteId } = await provider.submit(job);
    expect((await pollUntil(provider, remoteId)).state).toBe("succeeded");
    await new Promise((r) => setTimeout(r, 500));
    expect(fake!.jobs.has(remoteId)).toBe(false);
    expect((await provider.poll(remoteId)).state).toBe("succeeded");
    await provider.fetch(remoteId, join(workDir, "take.mp4"));
    // A job never seen finished before it vanished is reported gone, with why.
    await fake!.close();
    await rm(workDir, { recursive: true, force: true });
    const other = await setup({ resultTtlMs: 50 });
    const r = await other.submit(await makeTestJob(join(workDir, "in2"), { frames: 17 }));
    await new Promise((res) => setTimeout(res, 3000));
    const error = await other.poll(r.remoteId).catch((e: unknown) => e);
    expect((error as ProviderError).shortMessage).toMatch(/unknown or gone: Runpod forgets results 30 min/);
  });

  test("the public endpoint reports its cost per video", async () => {
    const { dataUriHost } = await import("../http/files.js");
    const provider = await setup({}, { endpoint: "infinitetalk", files: dataUriHost(), size: "720p" });
    expect(provider.price).toEqual({ kind: "per-job", usd: 0.5 });
    const job = await makeTestJob(join(workDir, "in"), { frames: 82 });
    const { remoteId } = await provider.submit(job);
    expect(await pollUntil(provider, remoteId)).toMatchObject({ state: "succeeded", costUsd: 0.5 });
  });
});
