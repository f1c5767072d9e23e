// A fake Runpod serverless API (api.runpod.ai/v2), written from runpod/docs and runpod-workers/worker-comfyui (BACKENDS.md).
//
// Routes: POST /v2/{endpoint}/run | /runsync, GET /status/{id}, POST /cancel/{id} | /retry/{id}, GET /health.
// Endpoint "infinitetalk" is the public InfiniteTalk endpoint ({prompt, image URL, audio URL, size} →
// {video_url, cost}); any other endpoint runs worker-comfyui: `images` (base64, any file) go to a fake
// ComfyUI's /upload/image, the `workflow` is queued there, and outputs under `images` come back as
// base64 (VHS `gifs` are dropped, as the real handler does → `success_no_images`).
// worker-comfyui jobs run one at a time (one fake ComfyUI is one worker); the rest stay IN_QUEUE.
// Behaviours: IN_QUEUE for `coldStartMs`; 429 past `runLimitPer10s` (with Retry-After); TIMED_OUT past
// policy.executionTimeout; results vanish `resultTtlMs` after completion (then /status is 404).
import { randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTools, probe, type Tools } from "../../src/media/index.js";
import { startFakeComfy } from "../comfyui/server.js";
import { renderFakeClip } from "../shared/clip.js";
import { closeServer, createServer, listenLoopback, readBody, sendJson } from "../shared/http.js";

export interface FakeRunpodOptions {
  readonly apiKey?: string;
  readonly coldStartMs?: number;
  /** Public endpoint's generation time (worker-comfyui takes the fake ComfyUI's own delay). */
  readonly runMs?: number;
  readonly resultTtlMs?: number;
  readonly runLimitPer10s?: number;
  readonly retryAfterS?: number;
  readonly comfyDelayMs?: number;
  readonly tools?: Tools;
}

type Status = "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED" | "FAILED" | "CANCELLED" | "TIMED_OUT";

interface Job {
  id: string;
  endpoint: string;
  input: Record<string, unknown>;
  executionTimeout?: number;
  status: Status;
  createdAt: number;
  startedAt?: number;
  output?: unknown;
  error?: string;
  completedAt?: number;
  attempt: number;
}

export interface FakeRunpod {
  readonly url: string;
  readonly jobs: Map<string, Job>;
  close(): Promise<void>;
}

export async function startFakeRunpod(options: FakeRunpodOptions = {}): Promise<FakeRunpod> {
  const tools = options.tools ?? findTools();
  const apiKey = options.apiKey ?? "rp_test_key";
  const comfy = await startFakeComfy({ delayMs: options.comfyDelayMs ?? 400, steps: 4, tools });
  const dir = await mkdtemp(join(tmpdir(), "fake-runpod-"));
  const jobs = new Map<string, Job>();
  const runTimes: number[] = [];
  let base = "";

  const finish = (job: Job, status: Status, fields: { output?: unknown; error?: string }) => {
    if (job.status === "CANCELLED" || job.status === "TIMED_OUT") return;
    job.status = status;
    job.output = fields.output;
    job.error = fields.error;
    job.completedAt = Date.now();
    const ttl = options.resultTtlMs ?? 30 * 60_000;
    setTimeout(() => jobs.delete(job.id), ttl).unref();
  };

  // worker-comfyui: one fake ComfyUI is one worker, so a job waits IN_QUEUE while another runs (an
  // endpoint with max workers 1). Run side by side, each job's upload of the same key image
  // (overwrite: true, as the real handler) truncated the file another job's render was reading:
  // under load that failed a take for good.
  let workerFree: Promise<void> = Promise.resolve();
  const takeWorker = (): Promise<() => void> => {
    let release!: () => void;
    const before = workerFree;
    workerFree = new Promise<void>((r) => {
      release = r;
    });
    return before.then(() => release);
  };

  const start = (job: Job) => {
    const attempt = job.attempt;
    setTimeout(async () => {
      if (job.status !== "IN_QUEUE" || job.attempt !== attempt) return;
      const release = job.endpoint === "infinitetalk" ? () => {} : await takeWorker();
      if (job.status !== "IN_QUEUE" || job.attempt !== attempt) return release();
      job.status = "IN_PROGRESS";
      job.startedAt = Date.now();
      if (job.executionTimeout !== undefined) {
        setTimeout(() => {
          if (job.status === "IN_PROGRESS" && job.attempt === attempt) {
            job.status = "TIMED_OUT";
            job.completedAt = Date.now();
          }
        }, job.executionTimeout).unref();
      }
      const work = job.endpoint === "infinitetalk" ? runInfiniteTalk(job) : runComfyWorker(job);
      work
        .then(
          (output) => job.attempt === attempt && finish(job, "COMPLETED", { output }),
          (e: Error) => job.attempt === attempt && finish(job, "FAILED", { error: e.message }),
        )
        .finally(release);
    }, options.coldStartMs ?? 100).unref();
  };

  async function fetchInput(url: string, what: string): Promise<Buffer> {
    if (url.startsWith("data:")) return Buffer.from(url.slice(url.indexOf(",") + 1), "base64");
    const res = await fetch(url).catch(() => null);
    if (!res?.ok) throw new Error(`Invalid ${what} URL`);
    return Buffer.from(await res.arrayBuffer());
  }

  async function runInfiniteTalk(job: Job): Promise<unknown> {
    const input = job.input as { prompt?: string; image?: string; audio?: string; size?: string };
    if (typeof input.image !== "string") throw new Error("Invalid image URL");
    if (typeof input.audio !== "string") throw new Error("Invalid audio URL");
    const image = join(dir, `${job.id}.png`);
    const audio = join(dir, `${job.id}.wav`);
    await writeFile(image, await fetchInput(input.image, "image"));
    await writeFile(audio, await fetchInput(input.audio, "audio"));
    await new Promise((r) => setTimeout(r, options.runMs ?? 400));
    const a = await probe(tools, audio, "audio");
    const v = (await probe(tools, image, "image")).video!;
    const frames = Math.floor(a.durationS * 25);
    const scale = Math.sqrt((200 * 200) / (v.width * v.height));
    await renderFakeClip(tools, {
      image,
      audio,
      frames,
      fps: 25,
      width: v.width * scale,
      height: v.height * scale,
      seed: 1,
      out: join(dir, `${job.id}.mp4`),
    });
    return { video_url: `${base}/files/${job.id}.mp4`, cost: input.size === "720p" ? 0.5 : 0.25 };
  }

  async function runComfyWorker(job: Job): Promise<unknown> {
    const input = job.input as { workflow?: unknown; images?: { name: string; image: string }[] };
    if (!input.workflow || typeof input.workflow !== "object")
      throw new Error("Missing 'workflow' parameter");
    for (const img of input.images ?? []) {
      const data = img.image.startsWith("data:") ? img.image.slice(img.image.indexOf(",") + 1) : img.image;
      const form = new FormData();
      form.append("image", new Blob([Buffer.from(data, "base64")], { type: "image/png" }), img.name);
      form.append("overwrite", "true");
      const up = await fetch(`${comfy.url}/upload/image`, { method: "POST", body: form });
      if (!up.ok) throw new Error(`Failed to upload ${img.name}`);
    }
    const queued = await fetch(`${comfy.url}/prompt`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ prompt: input.workflow, client_id: job.id }),
    });
    if (!queued.ok) throw new Error(`Workflow validation failed: ${await queued.text()}`);
    const { prompt_id } = (await queued.json()) as { prompt_id: string };
    for (;;) {
      if (job.status !== "IN_PROGRESS") return null;
      const h = (await (await fetch(`${comfy.url}/history/${prompt_id}`)).json()) as Record<
        string,
        {
          outputs: Record<string, Record<string, unknown>>;
          status: { status_str: string; messages: unknown[] };
        }
      >;
      const entry = h[prompt_id];
      if (entry) {
        const errors: string[] = [];
        if (entry.status.status_str === "error") errors.push("Workflow execution error");
        const images: { filename: string; type: string; data: string }[] = [];
        for (const [node, ui] of Object.entries(entry.outputs)) {
          for (const key of Object.keys(ui)) {
            if (key !== "images") {
              if (key !== "animated") errors.push(`Node ${node}: output key '${key}' is not handled`);
              continue;
            }
            for (const f of ui.images as { filename: string; subfolder: string; type: string }[]) {
              if (f.type === "temp") continue;
              const q = new URLSearchParams({ filename: f.filename, subfolder: f.subfolder, type: f.type });
              const bytes = Buffer.from(await (await fetch(`${comfy.url}/view?${q}`)).arrayBuffer());
              images.push({ filename: f.filename, type: "base64", data: bytes.toString("base64") });
            }
          }
        }
        if (images.length > 0) return errors.length > 0 ? { images, errors } : { images };
        if (entry.status.status_str === "error") throw new Error("Job processing failed");
        return { status: "success_no_images", ...(errors.length > 0 ? { errors } : {}) };
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  const view = (job: Job) => ({
    id: job.id,
    status: job.status,
    delayTime: (job.startedAt ?? Date.now()) - job.createdAt,
    ...(job.startedAt ? { executionTime: (job.completedAt ?? Date.now()) - job.startedAt } : {}),
    ...(job.output !== undefined ? { output: job.output } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
  });

  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const file = /^\/files\/([\w-]+\.mp4)$/.exec(url.pathname);
    if (file) {
      const bytes = await readFile(join(dir, file[1]!)).catch(() => null);
      if (!bytes) return sendJson(res, 404, { error: "not found" });
      res.writeHead(200, { "content-type": "video/mp4", "content-length": String(bytes.length) });
      return res.end(bytes);
    }
    const auth = req.headers.authorization ?? "";
    if (auth !== apiKey && auth !== `Bearer ${apiKey}`) return sendJson(res, 401, { error: "Unauthorized" });
    const m = /^\/v2\/([\w-]+)\/(run|runsync|status|cancel|retry|health)(?:\/([\w-]+))?$/.exec(url.pathname);
    if (!m) return sendJson(res, 404, { error: "not found" });
    const [, endpoint, op, id] = m as unknown as [string, string, string, string | undefined];
    if (op === "run" || op === "runsync") {
      const now = Date.now();
      while (runTimes.length > 0 && runTimes[0]! < now - 10_000) runTimes.shift();
      if (options.runLimitPer10s !== undefined && runTimes.length >= options.runLimitPer10s) {
        res.setHeader("retry-after", String(options.retryAfterS ?? 10));
        return sendJson(res, 429, { error: "Too many requests: /run is limited per 10 seconds" });
      }
      runTimes.push(now);
      const body = await readBody(req, 10 * 1024 * 1024);
      if (!body) return sendJson(res, 413, { error: "payload too large (10 MB for /run)" });
      let parsed: { input?: Record<string, unknown>; policy?: { executionTimeout?: number } };
      try {
        parsed = JSON.parse(body.toString("utf8"));
      } catch {
        return sendJson(res, 400, { error: "invalid JSON" });
      }
      if (!parsed.input) return sendJson(res, 400, { error: "input is required" });
      const job: Job = {
        id: `${randomUUID()}-u1`,
        endpoint,
        input: parsed.input,
        executionTimeout: parsed.policy?.executionTimeout,
        status: "IN_QUEUE",
        createdAt: now,
        attempt: 0,
      };
      jobs.set(job.id, job);
      start(job);
      return sendJson(res, 200, { id: job.id, status: job.status });
    }
    if (op === "health")
      return sendJson(res, 200, { jobs: { inQueue: 0 }, workers: { idle: 1, running: 0 } });
    const job = id ? jobs.get(id) : undefined;
    if (!job || job.endpoint !== endpoint) return sendJson(res, 404, { error: "job not found" });
    if (op === "status") return sendJson(res, 200, view(job));
    if (op === "cancel") {
      if (job.status === "IN_QUEUE" || job.status === "IN_PROGRESS") {
        job.status = "CANCELLED";
        job.completedAt = Date.now();
      }
      return sendJson(res, 200, { id: job.id, status: job.status });
    }
    if (job.status !== "FAILED" && job.status !== "TIMED_OUT") {
      return sendJson(res, 400, {
        error: `job is ${job.status}; only FAILED or TIMED_OUT jobs can be retried`,
      });
    }
    job.attempt++;
    job.status = "IN_QUEUE";
    job.output = undefined;
    job.error = undefined;
    job.startedAt = undefined;
    job.completedAt = undefined;
    job.executionTimeout = undefined;
    start(job);
    return sendJson(res, 200, { id: job.id, status: job.status });
  });
  base = await listenLoopback(server);
  return {
    url: base,
    jobs,
    async close() {
      await closeServer(server);
      await comfy.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
