// The one conformance suite every clip provider passes, run against the real thing or its protocol-faithful fake.
//
// Use (one line per provider, in `src/providers/<name>/<name>.test.ts`):
//
//   runClipProviderSuite({
//     name: "comfyui infinitetalk",
//     setup: async () => { const fake = await startFakeComfy(); const provider = …; return { provider, close } },
//     skip: { "lookup finds a submitted job by its token": "the API has no client tokens" },
//   });
//
// `setup` runs once per suite; `close` once at the end. Skips are data with a reason (hono's router
// suite); a skipped test still shows in the report with its reason. The suite asserts only what the
// engine and a user rely on:
//   - constraints are sane data (fps, frame rule, min ≤ max allowed by the rule, concurrency ≥ 1, price);
//   - submit → poll until succeeded → fetch writes a video ffprobe reads: at constraints.fps, at least the
//     requested frames, in the requested shape (aspect within 10 %: providers may snap to size buckets);
//   - a second submit with another token is another remote job;
//   - cancel of a running job ends cancelled (or failed) and leaves no output;
//   - poll of an unknown id is a ProviderError; lookup(token), when implemented, finds a submitted job
//     and returns null for an unknown token;
//   - instrumental jobs are accepted;
//   - an aborted signal makes poll and fetch reject with Cancelled promptly, leaving no file.
// The provider under test should run jobs in well under a second (fake delays), but long enough
// (≥ ~300 ms) that a job can be cancelled while it runs.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Cancelled, ProviderError } from "../../errors/index.js";
import { findTools, probe, runFfmpeg, type Tools } from "../../media/index.js";
import type { SegmentKind } from "../../plan/types.js";
import { allowsFrames, fitFrames, rateToNumber } from "../../time/index.js";
import type { ClipJob, ClipProvider, JobStatus } from "../clip.js";

export interface ClipProviderSuiteOptions {
  /** Shown in the test report, e.g. "comfyui wan-s2v (fake)". */
  name: string;
  setup: () => Promise<{ provider: ClipProvider; close(): Promise<void> }>;
  /** Test name → why it is skipped for this provider. */
  skip?: Record<string, string>;
  /** Longest wait for one job to finish (default 30 s). */
  jobTimeoutMs?: number;
  /** Job fields every test job uses, e.g. a larger key image for an API with a minimum image size. */
  job?: TestJobOverrides;
}

export const SUITE_TESTS = {
  constraints: "constraints are sane data",
  roundTrip: "submit → poll → fetch writes a video with the requested frames, fps and shape",
  distinct: "a second submit with another token is another remote job",
  cancel: "cancel of a running job ends cancelled or failed with no output",
  unknown: "poll of an unknown id is a ProviderError",
  lookup: "lookup finds a submitted job by its token and null for an unknown token",
  instrumental: "instrumental jobs are accepted and produce a video",
  abort: "an aborted signal makes poll and fetch reject with Cancelled, leaving no file",
} as const;

export interface TestJobOverrides extends Partial<ClipJob> {
  /** Extra audio seconds beyond the frames' length (real segments carry handles). */
  extraAudioSeconds?: number;
  fps?: number;
}

/**
 * A job with a generated key image (PNG, lavfi testsrc) and a WAV as long as its frames (a sine for
 * vocal jobs, near-silence for instrumental ones), in `dir`. Deterministic.
 */
export async function makeTestJob(
  dir: string,
  overrides: TestJobOverrides = {},
  tools: Tools = findTools(),
): Promise<ClipJob> {
  await mkdir(dir, { recursive: true });
  const token = overrides.token ?? `suite-${randomUUID()}`;
  const kind: SegmentKind = overrides.kind ?? "vocal";
  const width = overrides.width ?? 256;
  const height = overrides.height ?? 144;
  const frames = overrides.frames ?? 81;
  const fps = overrides.fps ?? 25;
  const audioSeconds = overrides.audioSeconds ?? frames / fps + (overrides.extraAudioSeconds ?? 0);
  const image = overrides.image ?? join(dir, `key-${width}x${height}.png`);
  if (!overrides.image && !existsSync(image)) {
    await runFfmpeg(tools, [
      "-f",
      "lavfi",
      "-i",
      `testsrc=size=${width}x${height}:rate=1`,
      "-frames:v",
      "1",
      image,
    ]);
  }
  const audio = overrides.audio ?? join(dir, `${token}.wav`);
  if (!overrides.audio) {
    const source =
      kind === "vocal"
        ? `sine=frequency=220:sample_rate=48000:duration=${audioSeconds.toFixed(6)}`
        : `anoisesrc=color=pink:amplitude=0.001:sample_rate=48000:duration=${audioSeconds.toFixed(6)}`;
    await runFfmpeg(tools, ["-f", "lavfi", "-i", source, "-ac", "1", "-c:a", "pcm_s16le", audio]);
  }
  return {
    token,
    segment: overrides.segment ?? 0,
    kind,
    image,
    audio,
    frames,
    width,
    height,
    seed: overrides.seed ?? 42,
    prompt: overrides.prompt ?? "a person singing",
    audioSeconds,
  };
}

/** Polls until the job reaches a final state (or `until` says stop), with a deadline. */
export async function pollUntil(
  provider: ClipProvider,
  remoteId: string,
  until: (s: JobStatus) => boolean = (s) => ["succeeded", "failed", "cancelled"].includes(s.state),
  timeoutMs = 30_000,
  intervalMs = 20,
): Promise<JobStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await provider.poll(remoteId);
    if (until(status)) return status;
    if (Date.now() > deadline) throw new Error(`job ${remoteId} still ${status.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

export function runClipProviderSuite(options: ClipProviderSuiteOptions): void {
  const skip = options.skip ?? {};
  const jobTimeout = options.jobTimeoutMs ?? 30_000;
  const tools = findTools();

  describe(`clip provider suite: ${options.name}`, () => {
    let provider: ClipProvider;
    let close: () => Promise<void> = async () => {};
    let dir = "";

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), "clip-suite-"));
      ({ provider, close } = await options.setup());
    });
    afterAll(async () => {
      await provider?.close?.();
      await close();
      if (dir) await rm(dir, { recursive: true, force: true });
    });

    /** The smallest frame count the provider allows, so the suite stays fast. */
    const smallJob = (overrides: TestJobOverrides = {}) => {
      const c = provider.constraints;
      const frames = fitFrames(c.frameRule, c.minFrames);
      return makeTestJob(dir, { frames, fps: rateToNumber(c.fps), ...options.job, ...overrides }, tools);
    };

    const it = (key: keyof typeof SUITE_TESTS, body: (skipNow: (note: string) => never) => Promise<void>) => {
      const name = SUITE_TESTS[key];
      const reason = skip[name];
      if (reason !== undefined) test.skip(`${name} (skipped: ${reason})`, () => {});
      else test(name, (ctx) => body((note) => ctx.skip(note)));
    };

    it("constraints", async () => {
      const c = provider.constraints;
      expect(provider.name).toMatch(/\S/);
      expect(provider.model).toMatch(/\S/);
      expect(Number.isInteger(c.fps.num) && c.fps.num > 0).toBe(true);
      expect(Number.isInteger(c.fps.den) && c.fps.den > 0).toBe(true);
      expect(c.minFrames).toBeGreaterThanOrEqual(1);
      expect(c.maxFrames).toBeGreaterThanOrEqual(c.minFrames);
      // The extremes must be counts the rule can make, or the planner could never hit them.
      expect(allowsFrames(c.frameRule, fitFrames(c.frameRule, c.minFrames))).toBe(true);
      expect(fitFrames(c.frameRule, c.minFrames)).toBeLessThanOrEqual(c.maxFrames);
      expect(allowsFrames(c.frameRule, c.maxFrames)).toBe(true);
      expect(Number.isInteger(provider.concurrency) && provider.concurrency >= 1).toBe(true);
      expect(["free", "per-video-second", "per-job", "per-gpu-second"]).toContain(provider.price.kind);
      if (provider.price.kind !== "free") {
        expect(provider.price.usd).toBeGreaterThan(0);
        expect(provider.paid).toBe(true);
      }
      expect(["silent-audio", "prompt", "none"]).toContain(provider.stillLips);
    });

    it("roundTrip", async () => {
      const job = await smallJob();
      const { remoteId } = await provider.submit(job);
      expect(remoteId).toMatch(/\S/);
      const done = await pollUntil(provider, remoteId, undefined, jobTimeout);
      expect(done.state, done.reason).toBe("succeeded");
      const out = join(dir, `${job.token}.mp4`);
      await provider.fetch(remoteId, out);
      const info = await probe(tools, out, "take");
      expect(info.video).toBeDefined();
      const v = info.video!;
      expect(rateToNumber(v.rate)).toBeCloseTo(rateToNumber(provider.constraints.fps), 3);
      const frames = v.frames ?? Math.round(info.durationS * rateToNumber(v.rate));
      expect(frames).toBeGreaterThanOrEqual(job.frames);
      expect(Math.abs(v.width / v.height / (job.width / job.height) - 1)).toBeLessThan(0.1);
    });

    it("distinct", async () => {
      const a = await smallJob();
      const b = await smallJob();
      const ra = await provider.submit(a);
      const rb = await provider.submit(b);
      expect(rb.remoteId).not.toBe(ra.remoteId);
      const [sa, sb] = await Promise.all([
        pollUntil(provider, ra.remoteId, undefined, jobTimeout * 2),
        pollUntil(provider, rb.remoteId, undefined, jobTimeout * 2),
      ]);
      expect([sa.state, sb.state]).toEqual(["succeeded", "succeeded"]);
    });

    it("cancel", async () => {
      const job = await smallJob();
      const { remoteId } = await provider.submit(job);
      const seen = await pollUntil(provider, remoteId, (s) => s.state !== "queued", jobTimeout);
      expect(seen.state, "the job finished before it could be cancelled: slow the fake down").toBe("running");
      await provider.cancel(remoteId);
      const end = await pollUntil(provider, remoteId, undefined, jobTimeout);
      expect(["cancelled", "failed"]).toContain(end.state);
      const out = join(dir, `${job.token}.mp4`);
      await expect(provider.fetch(remoteId, out)).rejects.toBeInstanceOf(ProviderError);
      expect(existsSync(out)).toBe(false);
    });

    it("unknown", async () => {
      const error = await provider.poll(`no-such-job-${randomUUID()}`).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ProviderError);
      expect((error as ProviderError).shortMessage).toMatch(/\S/);
      expect((error as ProviderError).shortMessage).not.toContain("\n");
    });

    it("lookup", async (skipNow) => {
      // Without lookup the engine shows such jobs as uncertain: nothing to check.
      if (!provider.lookup) skipNow("the provider has no lookup(token)");
      const job = await smallJob();
      const { remoteId } = await provider.submit(job);
      const found = await provider.lookup!(job.token);
      expect(found?.remoteId).toBe(remoteId);
      expect(["queued", "running", "succeeded"]).toContain(found?.status.state);
      expect(await provider.lookup!(`never-submitted-${randomUUID()}`)).toBeNull();
      await pollUntil(provider, remoteId, undefined, jobTimeout);
    });

    it("instrumental", async () => {
      const job = await smallJob({ kind: "instrumental" });
      const { remoteId } = await provider.submit(job);
      const done = await pollUntil(provider, remoteId, undefined, jobTimeout);
      expect(done.state, done.reason).toBe("succeeded");
      const out = join(dir, `${job.token}.mp4`);
      await provider.fetch(remoteId, out);
      expect((await probe(tools, out, "take")).video).toBeDefined();
    });

    it("abort", async () => {
      const job = await smallJob();
      const { remoteId } = await provider.submit(job);
      const aborted = AbortSignal.abort();
      let started = Date.now();
      await expect(provider.poll(remoteId, aborted)).rejects.toBeInstanceOf(Cancelled);
      expect(Date.now() - started).toBeLessThan(1000);
      await pollUntil(provider, remoteId, undefined, jobTimeout);
      const out = join(dir, `${job.token}.mp4`);
      started = Date.now();
      await expect(provider.fetch(remoteId, out, aborted)).rejects.toBeInstanceOf(Cancelled);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(existsSync(out)).toBe(false);
      // An abort during the download stops it too, and leaves nothing behind.
      const controller = new AbortController();
      const fetching = provider.fetch(remoteId, out, controller.signal);
      controller.abort();
      await fetching.then(
        () => undefined, // finished before the abort landed: allowed, the file must then be whole
        (e: unknown) => expect(e).toBeInstanceOf(Cancelled),
      );
      if (existsSync(out)) expect((await probe(tools, out, "take")).video).toBeDefined();
    });
  });
}
