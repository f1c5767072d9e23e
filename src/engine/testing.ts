// Test doubles for the engine: a fake clip provider counting its submissions, a virtual clock, a throwaway project.
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { ProviderError } from "../errors/index.js";
import type { ClipJob, ClipProvider, FoundJob, JobStatus, PriceModel } from "../providers/clip.js";
import { openSqliteStore, type Store } from "../store/index.js";
import type { JobSpec } from "./types.js";

/** A remote job as the fake provider remembers it. */
export interface RemoteJob {
  readonly remoteId: string;
  readonly token: string;
  readonly segment: number;
  readonly seed: number;
  readonly submittedAt: number;
  /** Milliseconds of work; Infinity for a job that hangs. */
  readonly latencyMs: number;
  readonly cancelled: boolean;
}

/** Where the fake provider keeps its jobs: in memory, or in a file that outlives a killed client. */
export interface RemoteBook {
  add(job: RemoteJob): void;
  get(remoteId: string): RemoteJob | undefined;
  byToken(token: string): RemoteJob | undefined;
  cancel(remoteId: string): void;
  all(): RemoteJob[];
  close(): void;
}

export function memoryBook(): RemoteBook {
  const jobs = new Map<string, RemoteJob>();
  return {
    add: (j) => void jobs.set(j.remoteId, j),
    get: (id) => jobs.get(id),
    byToken: (token) => [...jobs.values()].find((j) => j.token === token),
    cancel: (id) => {
      const j = jobs.get(id);
      if (j) jobs.set(id, { ...j, cancelled: true });
    },
    all: () => [...jobs.values()],
    close: () => {},
  };
}

/** A book in its own SQLite file: the "provider side" of a crash test, counted apart from the store. */
export function fileBook(path: string): RemoteBook {
  const db = new Database(path);
  db.pragma("busy_timeout = 10000");
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = FULL");
  db.exec(`CREATE TABLE IF NOT EXISTS jobs (remote_id TEXT PRIMARY KEY, token TEXT NOT NULL, segment INTEGER,
    seed INTEGER, submitted_at INTEGER, latency_ms REAL, cancelled INTEGER NOT NULL DEFAULT 0)`);
  type Row = {
    remote_id: string;
    token: string;
    segment: number;
    seed: number;
    submitted_at: number;
    latency_ms: number | null;
    cancelled: number;
  };
  const toJob = (r: Row): RemoteJob => ({
    remoteId: r.remote_id,
    token: r.token,
    segment: r.segment,
    seed: r.seed,
    submittedAt: r.submitted_at,
    latencyMs: r.latency_ms ?? Number.POSITIVE_INFINITY,
    cancelled: r.cancelled === 1,
  });
  return {
    add: (j) =>
      void db
        .prepare("INSERT INTO jobs VALUES (?, ?, ?, ?, ?, ?, 0)")
        .run(
          j.remoteId,
          j.token,
          j.segment,
          j.seed,
          j.submittedAt,
          Number.isFinite(j.latencyMs) ? j.latencyMs : null,
        ),
    get: (id) => {
      const r = db.prepare("SELECT * FROM jobs WHERE remote_id = ?").get(id) as Row | undefined;
      return r && toJob(r);
    },
    byToken: (token) => {
      const r = db.prepare("SELECT * FROM jobs WHERE token = ?").get(token) as Row | undefined;
      return r && toJob(r);
    },
    cancel: (id) => void db.prepare("UPDATE jobs SET cancelled = 1 WHERE remote_id = ?").run(id),
    all: () => (db.prepare("SELECT * FROM jobs ORDER BY rowid").all() as Row[]).map(toJob),
    close: () => db.close(),
  };
}

/**
 * What one call does instead of succeeding.
 * - "429": refused before acceptance, with Retry-After (`retryAfterS`).
 * - "500": a server error before acceptance. "500-after-accept": the job was taken, then a 500.
 * - "drop": the connection drops after the job was taken (ECONNRESET): the client cannot tell.
 * - "refused": ECONNREFUSED, nothing was sent.
 * - "bad-request": a 400 about the job.
 */
export type Glitch = "429" | "500" | "500-after-accept" | "drop" | "refused" | "bad-request";

export interface FakeProviderOptions {
  readonly name?: string;
  readonly model?: string;
  readonly endpoint?: string;
  readonly concurrency?: number;
  readonly paid?: boolean;
  readonly price?: PriceModel;
  readonly now: () => number;
  /** Milliseconds one job takes (per job, or Infinity: it hangs). */
  readonly latencyMs?: number | ((job: ClipJob, n: number) => number);
  /** Latency of each call itself (network round trip). */
  readonly callMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Whether the API can find a job by client token (default true). */
  readonly lookup?: boolean;
  /** Glitches of successive submit / poll / fetch calls; "ok" or absent means the call works. */
  readonly submitGlitches?: readonly (Glitch | "ok")[];
  readonly pollGlitches?: readonly (Glitch | "ok")[];
  readonly fetchGlitches?: readonly (Glitch | "ok")[];
  readonly retryAfterS?: number;
  /** A finished result can be fetched only this long after the job ended. */
  readonly expireAfterMs?: number;
  /** Jobs the provider fails (by segment). */
  readonly failSegments?: readonly number[];
  readonly book?: RemoteBook;
  /** Mints remote ids; random by default. */
  readonly remoteId?: () => string;
}

export interface FakeProvider extends ClipProvider {
  readonly endpoint: string;
  readonly book: RemoteBook;
  /** Calls made, by method. */
  readonly calls: { submit: number; poll: number; fetch: number; cancel: number; lookup: number };
  /** Times of each submit call (accepted or not), by the fake's clock. */
  readonly submitTimes: number[];
}

function glitchError(name: string, g: Glitch, retryAfterS?: number): Error {
  switch (g) {
    case "429":
      return new ProviderError(name, "429 Too Many Requests", { transient: true, status: 429, retryAfterS });
    case "500":
    case "500-after-accept":
      return new ProviderError(name, "500 Internal Server Error", { transient: true, status: 500 });
    case "drop":
      return new ProviderError(name, "connection reset", {
        transient: true,
        cause: Object.assign(new Error("socket hang up"), { code: "ECONNRESET" }),
      });
    case "refused":
      return new ProviderError(name, "connection refused", {
        transient: true,
        cause: Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:1"), { code: "ECONNREFUSED" }),
      });
    case "bad-request":
      return new ProviderError(name, "400 image too small", { status: 400 });
  }
}

/** The bytes a fake take's video holds: different per remote job, the same on every fetch. */
export function fakeVideoBytes(job: RemoteJob): string {
  return `fake video ${job.remoteId} segment ${job.segment} seed ${job.seed}\n`;
}

/** A protocol-faithful in-process clip provider with scripted misbehaviour. */
export function fakeProvider(o: FakeProviderOptions): FakeProvider {
  const name = o.name ?? "fake";
  const book = o.book ?? memoryBook();
  const calls = { submit: 0, poll: 0, fetch: 0, cancel: 0, lookup: 0 };
  const submitTimes: number[] = [];
  const glitch = (list: readonly (Glitch | "ok")[] | undefined, n: number) => {
    const g = list?.[n];
    return g === undefined || g === "ok" ? undefined : g;
  };
  const roundTrip = async () => {
    if (o.callMs && o.sleep) await o.sleep(o.callMs);
  };
  const latency = (job: ClipJob, n: number) =>
    typeof o.latencyMs === "function" ? o.latencyMs(job, n) : (o.latencyMs ?? 0);
  const statusOf = (j: RemoteJob): JobStatus => {
    if (j.cancelled) return { state: "cancelled" };
    const t = o.now();
    if (t < j.submittedAt + j.latencyMs) {
      return Number.isFinite(j.latencyMs)
        ? { state: "running", progress: (t - j.submittedAt) / j.latencyMs }
        : { state: "running" };
    }
    if (o.failSegments?.includes(j.segment)) return { state: "failed", reason: "out of memory" };
    return { state: "succeeded" };
  };
  const known = (remoteId: string) => {
    const j = book.get(remoteId);
    if (!j) throw new ProviderError(name, `404 no job ${remoteId}`, { status: 404 });
    return j;
  };

  const provider: FakeProvider = {
    name,
    model: o.model ?? "fake-model",
    endpoint: o.endpoint ?? name,
    constraints: {
      fps: { num: 25, den: 1 },
      frameRule: { kind: "any" },
      minFrames: 1,
      maxFrames: 100_000,
    },
    concurrency: o.concurrency ?? 1,
    price: o.price ?? { kind: "per-video-second", usd: 0.1 },
    stillLips: "silent-audio",
    paid: o.paid ?? true,
    book,
    calls,
    submitTimes,
    async submit(job) {
      const n = calls.submit++;
      submitTimes.push(o.now());
      await roundTrip();
      const g = glitch(o.submitGlitches, n);
      const accept = () => {
        const remoteId = o.remoteId?.() ?? `r-${randomUUID()}`;
        book.add({
          remoteId,
          token: job.token,
          segment: job.segment,
          seed: job.seed,
          submittedAt: o.now(),
          latencyMs: latency(job, n),
          cancelled: false,
        });
        return remoteId;
      };
      if (g === "500-after-accept" || g === "drop") {
        accept();
        throw glitchError(name, g, o.retryAfterS);
      }
      if (g) throw glitchError(name, g, o.retryAfterS);
      return { remoteId: accept() };
    },
    async poll(remoteId) {
      const n = calls.poll++;
      await roundTrip();
      const g = glitch(o.pollGlitches, n);
      if (g) throw glitchError(name, g, o.retryAfterS);
      return statusOf(known(remoteId));
    },
    async fetch(remoteId, dest) {
      const n = calls.fetch++;
      await roundTrip();
      const g = glitch(o.fetchGlitches, n);
      if (g) throw glitchError(name, g, o.retryAfterS);
      const j = known(remoteId);
      if (statusOf(j).state !== "succeeded") throw new ProviderError(name, `job ${remoteId} is not finished`);
      if (o.expireAfterMs !== undefined && o.now() > j.submittedAt + j.latencyMs + o.expireAfterMs)
        throw new ProviderError(name, `410 the result of ${remoteId} has expired`, { status: 410 });
      await writeFile(dest, fakeVideoBytes(j));
    },
    async cancel(remoteId) {
      calls.cancel++;
      await roundTrip();
      book.cancel(remoteId);
    },
  };
  if (o.lookup ?? true) {
    provider.lookup = async (token): Promise<FoundJob | null> => {
      calls.lookup++;
      await roundTrip();
      const j = book.byToken(token);
      return j ? { remoteId: j.remoteId, status: statusOf(j) } : null;
    };
  }
  return provider;
}

/**
 * A clock tests control: `sleep` resolves when nothing else is runnable, jumping time to the
 * earliest sleeper, so hours of retries and deadlines pass in milliseconds.
 */
export function virtualClock(start = 1_000_000) {
  let t = start;
  const sleepers: { at: number; resolve: () => void }[] = [];
  let scheduled = false;
  const pump = () => {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      if (sleepers.length === 0) return;
      sleepers.sort((a, b) => a.at - b.at);
      t = Math.max(t, sleepers[0]!.at);
      const due = sleepers.filter((s) => s.at <= t);
      sleepers.splice(0, due.length);
      for (const s of due) s.resolve();
      if (sleepers.length > 0) pump();
    });
  };
  return {
    now: () => t,
    sleep: (ms: number) =>
      new Promise<void>((resolve) => {
        sleepers.push({ at: t + ms, resolve });
        pump();
      }),
    advance: (ms: number) => {
      t += ms;
    },
  };
}

/** Jobs for segments 0…n−1 with fixed input hashes (no files needed). */
export function fakeJobs(n: number, over: Partial<JobSpec> = {}): JobSpec[] {
  return Array.from({ length: n }, (_, i) => ({
    segment: i,
    segmentKey: `segment-${i}`,
    kind: "vocal" as const,
    image: "/nonexistent/key.png",
    audio: `/nonexistent/segment-${i}.wav`,
    imageHash: "1".repeat(64),
    audioHash: String(i % 10).repeat(64),
    frames: 81,
    width: 512,
    height: 512,
    seed: 1000 + i,
    prompt: "a singer on a stage",
    audioSeconds: 3.24,
    ...over,
  }));
}

/** A project folder in a fresh temp dir, with every store opened on it (one per simulated process). */
export interface TempProject {
  readonly dir: string;
  /** Opens another SQLite store on the folder, as a second or restarted process would. */
  open(): Store;
  /** Closes every store opened and removes the folder. */
  cleanup(): Promise<void>;
}

/** Makes a throwaway project; call `cleanup` after the test (afterEach). */
export async function tempProject(prefix = "refrain-engine-"): Promise<TempProject> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const stores: Store[] = [];
  return {
    dir,
    open() {
      const s = openSqliteStore(dir);
      stores.push(s);
      return s;
    },
    async cleanup() {
      for (const s of stores.splice(0)) await s.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
