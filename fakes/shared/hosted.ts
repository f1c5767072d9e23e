// The job machinery every hosted-API fake shares: a queue with limited concurrency, real mp4 results, uploads, expiring result URLs.
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { findTools, probe, type Tools } from "../../src/media/index.js";
import { renderFakeClip } from "./clip.js";
import {
  closeServer,
  createServer,
  type IncomingMessage,
  listenLoopback,
  type ServerResponse,
} from "./http.js";

export type FakeJobState = "queued" | "running" | "succeeded" | "failed" | "cancelled";

export interface FakeJob {
  readonly id: string;
  state: FakeJobState;
  readonly createdAt: number;
  startedAt?: number;
  finishedAt?: number;
  error?: string;
  /** The rendered mp4 once succeeded. */
  file?: string;
  readonly frames: number;
  readonly fps: number;
  readonly logs: string[];
  /** Anything the fake wants to keep with the job (inputs as sent, model id…). */
  readonly meta: Record<string, unknown>;
}

export interface FakeJobsOptions {
  tools?: Tools;
  /** How long a job stays running before it finishes (default 400 ms). */
  runMs?: number;
  /** Jobs running at once; the rest wait in the queue with a position (default 2). */
  concurrency?: number;
  /** Result URLs stop working this long after the job finished (default: never). */
  resultTtlMs?: number;
  /** Every job ends failed with this reason. */
  failWith?: string;
}

export interface FakeStats {
  requests: number;
  submits: number;
  polls: number;
  cancels: number;
  uploads: number;
  downloads: number;
  refusedAuth: number;
}

export function newStats(): FakeStats {
  return { requests: 0, submits: 0, polls: 0, cancels: 0, uploads: 0, downloads: 0, refusedAuth: 0 };
}

/** What a fake model renders: from the image's aspect (scaled small), `frames` at `fps`. */
export interface RenderSpec {
  image: string;
  frames: number;
  fps: number;
  seed: number;
  meta?: Record<string, unknown>;
}

export class FakeJobs {
  readonly dir: Promise<string>;
  private readonly jobs = new Map<string, FakeJob>();
  private readonly order: string[] = [];
  private readonly renders = new Map<string, AbortController>();
  private readonly tools: Tools;
  private readonly options: Required<Omit<FakeJobsOptions, "resultTtlMs" | "failWith" | "tools">> &
    FakeJobsOptions;
  private closed = false;

  constructor(options: FakeJobsOptions = {}) {
    this.tools = options.tools ?? findTools();
    this.options = { runMs: 400, concurrency: 2, ...options };
    this.dir = mkdtemp(join(tmpdir(), "refrain-hosted-fake-"));
  }

  get(id: string): FakeJob | undefined {
    return this.jobs.get(id);
  }

  all(): FakeJob[] {
    return this.order.map((id) => this.jobs.get(id)!);
  }

  /** 0 = next to run; undefined when not queued. */
  queuePosition(id: string): number | undefined {
    const queued = this.all().filter((j) => j.state === "queued");
    const i = queued.findIndex((j) => j.id === id);
    return i >= 0 ? i : undefined;
  }

  running(): number {
    return this.all().filter((j) => j.state === "running").length;
  }

  create(spec: RenderSpec, id: string = randomUUID()): FakeJob {
    const job: FakeJob = {
      id,
      state: "queued",
      createdAt: Date.now(),
      frames: spec.frames,
      fps: spec.fps,
      logs: [],
      meta: { ...(spec.meta ?? {}), image: spec.image, seed: spec.seed },
    };
    this.jobs.set(id, job);
    this.order.push(id);
    this.pump();
    return job;
  }

  /** Cancels: a queued job ends at once, a running one is interrupted. Returns the state it was in. */
  cancel(id: string): FakeJobState | undefined {
    const job = this.jobs.get(id);
    if (!job) return undefined;
    const was = job.state;
    if (was === "queued" || was === "running") {
      job.state = "cancelled";
      job.finishedAt = Date.now();
      this.renders.get(id)?.abort();
      this.pump();
    }
    return was;
  }

  /** Whether a finished job's result link still works. */
  resultAlive(job: FakeJob, now = Date.now()): boolean {
    if (job.state !== "succeeded" || !job.file) return false;
    const ttl = this.options.resultTtlMs;
    return ttl === undefined || now - (job.finishedAt ?? now) < ttl;
  }

  private pump(): void {
    if (this.closed) return;
    for (const job of this.all()) {
      if (this.running() >= this.options.concurrency) break;
      if (job.state === "queued") this.run(job);
    }
  }

  private run(job: FakeJob): void {
    job.state = "running";
    job.startedAt = Date.now();
    job.logs.push(`starting ${job.frames} frames at ${job.fps} fps`);
    const controller = new AbortController();
    this.renders.set(job.id, controller);
    const render = (async () => {
      const dir = await this.dir;
      const out = join(dir, `${job.id.replace(/[^A-Za-z0-9_-]/g, "_")}.mp4`);
      const image = String(job.meta.image);
      const size = await outputSize(this.tools, image);
      await renderFakeClip(this.tools, {
        image,
        frames: job.frames,
        fps: job.fps,
        width: size.width,
        height: size.height,
        seed: Number(job.meta.seed ?? 0),
        out,
        signal: controller.signal,
      });
      return out;
    })();
    const wait = new Promise((r) => setTimeout(r, this.options.runMs));
    Promise.all([render, wait]).then(
      ([out]) => {
        this.renders.delete(job.id);
        if (job.state !== "running") return;
        job.finishedAt = Date.now();
        if (this.options.failWith) {
          job.state = "failed";
          job.error = this.options.failWith;
        } else {
          job.state = "succeeded";
          job.file = out;
          job.logs.push("done");
        }
        this.pump();
      },
      (e: unknown) => {
        this.renders.delete(job.id);
        if (job.state !== "running") return;
        job.state = "failed";
        job.error = `render failed: ${(e as Error).message.split("\n")[0]}`;
        job.finishedAt = Date.now();
        this.pump();
      },
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.renders.values()) c.abort();
    await rm(await this.dir, { recursive: true, force: true });
  }
}

/** The image's aspect, at most 256 px on the long side, even sides: small so fakes stay fast. */
async function outputSize(tools: Tools, image: string): Promise<{ width: number; height: number }> {
  const v = (await probe(tools, image, "image")).video;
  const w = v?.width ?? 256;
  const h = v?.height ?? 256;
  const scale = Math.min(1, 256 / Math.max(w, h));
  const even = (n: number) => Math.max(2, Math.round((n * scale) / 2) * 2);
  return { width: even(w), height: even(h) };
}

/** Seconds of audio in a file (ffprobe). */
export async function audioSeconds(tools: Tools, file: string): Promise<number> {
  return (await probe(tools, file, "audio")).durationS;
}

/** Files the fake holds: inputs given as data URIs, uploads to its own storage route, or fetched URLs. */
export class FakeFiles {
  private readonly root: Promise<string>;
  private n = 0;

  constructor(jobs: FakeJobs) {
    this.root = jobs.dir.then(async (d) => {
      await mkdir(join(d, "uploads"), { recursive: true });
      return join(d, "uploads");
    });
  }

  async save(name: string, bytes: Buffer): Promise<string> {
    const safe = name.replace(/[^A-Za-z0-9._-]/g, "_") || `file-${++this.n}`;
    const path = join(await this.root, safe);
    await writeFile(path, bytes);
    return path;
  }

  async find(name: string): Promise<string | undefined> {
    const path = join(await this.root, name.replace(/[^A-Za-z0-9._-]/g, "_"));
    return existsSync(path) ? path : undefined;
  }

  /**
   * The local file behind an input the API received: a data URI, a URL under this fake's
   * `/uploads/`, or any other http(s) URL (fetched). Undefined when it cannot be read.
   */
  async resolve(input: unknown, ownBase: string): Promise<string | undefined> {
    if (typeof input !== "string") return undefined;
    const data = /^data:([^;,]*)(;base64)?,(.*)$/s.exec(input);
    if (data) {
      const ext = extFor(data[1] ?? "");
      const bytes = data[2] ? Buffer.from(data[3]!, "base64") : Buffer.from(decodeURIComponent(data[3]!));
      return this.save(`inline-${++this.n}${ext}`, bytes);
    }
    if (input.startsWith(`${ownBase}/uploads/`)) {
      return this.find(decodeURIComponent(input.slice(`${ownBase}/uploads/`.length).split("?")[0]!));
    }
    if (/^https?:\/\//.test(input)) {
      try {
        const res = await fetch(input, { signal: AbortSignal.timeout(10_000) });
        if (!res.ok) return undefined;
        const ext = extFor(res.headers.get("content-type") ?? "");
        return this.save(`fetched-${++this.n}${ext}`, Buffer.from(await res.arrayBuffer()));
      } catch {
        return undefined;
      }
    }
    return undefined;
  }

  /** Serves GET/HEAD /uploads/<name>; true when the request was for an upload. */
  async serve(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
    if (!path.startsWith("/uploads/") || (req.method !== "GET" && req.method !== "HEAD")) return false;
    const file = await this.find(decodeURIComponent(path.slice("/uploads/".length)));
    if (!file) {
      res.writeHead(404).end();
      return true;
    }
    const size = (await stat(file)).size;
    res.writeHead(200, { "content-type": "application/octet-stream", "content-length": String(size) });
    res.end(req.method === "HEAD" ? undefined : await readFile(file));
    return true;
  }
}

function extFor(type: string): string {
  const t = type.toLowerCase();
  if (t.includes("png")) return ".png";
  if (t.includes("jpeg") || t.includes("jpg")) return ".jpg";
  if (t.includes("webp")) return ".webp";
  if (t.includes("wav")) return ".wav";
  if (t.includes("mpeg") || t.includes("mp3")) return ".mp3";
  if (t.includes("flac")) return ".flac";
  return ".bin";
}

/**
 * Serves a job's video at `/results/<id>.mp4` until its link expires, then answers `expiredStatus`
 * (404 like a deleted object, or 403 like a signed URL past its time). True when handled.
 */
export async function serveResult(
  jobs: FakeJobs,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  stats: FakeStats,
  expiredStatus = 404,
): Promise<boolean> {
  const m = /^\/results\/([^/]+)\.mp4$/.exec(path);
  if (!m || req.method !== "GET") return false;
  const job = jobs.get(decodeURIComponent(m[1]!));
  if (!job?.file) {
    res.writeHead(404).end();
    return true;
  }
  if (!jobs.resultAlive(job)) {
    res.writeHead(expiredStatus, { "content-type": "application/xml" });
    res.end(
      expiredStatus === 403
        ? "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>"
        : "",
    );
    return true;
  }
  stats.downloads++;
  const bytes = await readFile(job.file);
  res.writeHead(200, { "content-type": "video/mp4", "content-length": String(bytes.length) });
  res.end(bytes);
  return true;
}

/** A behaviour that fires the first `times` times it is asked about, then stops (e.g. 429 then ok). */
export class Once {
  private left: Map<string, number>;
  constructor(entries: Record<string, number>) {
    this.left = new Map(Object.entries(entries));
  }
  take(name: string): boolean {
    const n = this.left.get(name) ?? 0;
    if (n <= 0) return false;
    this.left.set(name, n - 1);
    return true;
  }
}

/** Runs `main` when the file is executed directly (`npx tsx fakes/<name>/server.ts`). */
export function isMain(importMetaUrl: string): boolean {
  const arg = process.argv[1];
  if (!arg) return false;
  return importMetaUrl === new URL(`file://${arg.startsWith("/") ? arg : join(process.cwd(), arg)}`).href;
}

/** The behaviours (arguments that start with `prefix`) and port ($PORT, default any) a fake is started with from its command line. */
export function cliOptions<B extends string>(prefix: string): { behaviours: B[]; port: number } {
  return {
    behaviours: process.argv.slice(2).filter((a) => a.startsWith(prefix)) as B[],
    port: Number(process.env.PORT ?? 0),
  };
}

/** What every hosted-API fake can be started with. */
export interface HostedFakeOptions<B extends string> {
  behaviours?: readonly B[];
  /** How long a job runs (default 400 ms). */
  runMs?: number;
  /** Jobs running at once; the rest wait queued. */
  concurrency?: number;
  /** With the fake's output-expires behaviour: how long a result link lives. */
  resultTtlMs?: number;
  /** Port on 127.0.0.1 (default: any free one). */
  port?: number;
  tools?: Tools;
}

/**
 * What every hosted-API fake starts with: its tools, behaviours, job queue (`<prefix>-output-expires`
 * makes result links expire, `<prefix>-job-fails` fails every job with `failWith`), files and stats.
 */
export function hostedFakeParts<B extends string>(
  prefix: string,
  options: HostedFakeOptions<B>,
  defaults: { concurrency: number; failWith: string },
) {
  const tools = options.tools ?? findTools();
  const behaviours = new Set<B>(options.behaviours ?? []);
  const has = (name: string) => (behaviours as Set<string>).has(`${prefix}-${name}`);
  const jobs = new FakeJobs({
    tools,
    runMs: options.runMs,
    concurrency: options.concurrency ?? defaults.concurrency,
    resultTtlMs: has("output-expires") ? (options.resultTtlMs ?? 1500) : undefined,
    failWith: has("job-fails") ? defaults.failWith : undefined,
  });
  return { tools, behaviours, jobs, files: new FakeFiles(jobs), stats: newStats() };
}

/** A running hosted-API fake. */
export interface HostedFakeServer {
  url: string;
  stats: FakeStats;
  close(): Promise<void>;
}

export interface HostedFakeServerOptions {
  jobs: FakeJobs;
  files: FakeFiles;
  stats: FakeStats;
  port?: number;
  /** What an expired result link answers (see serveResult). */
  expiredStatus?: number;
  /** The API itself; results and uploads are served before it is asked. */
  route(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void>;
  /** Answers a request the fake itself failed on, in the API's own error shape. */
  onError(res: ServerResponse, message: string): void;
}

/**
 * Serves a hosted-API fake on loopback: counts every request, serves result videos and uploads,
 * hands the rest to `route`, and on close stops the server and every job.
 */
export async function serveHostedFake(o: HostedFakeServerOptions): Promise<HostedFakeServer> {
  let base = "";
  const server = createServer(async (req, res) => {
    o.stats.requests++;
    try {
      const url = new URL(req.url ?? "/", base);
      if (await serveResult(o.jobs, req, res, url.pathname, o.stats, o.expiredStatus)) return;
      if (await o.files.serve(req, res, url.pathname)) return;
      await o.route(req, res, url);
    } catch (e) {
      o.onError(res, `fake error: ${(e as Error).message}`);
    }
  });
  base = await listenLoopback(server, o.port);
  return {
    url: base,
    stats: o.stats,
    close: async () => {
      await closeServer(server);
      await o.jobs.close();
    },
  };
}
