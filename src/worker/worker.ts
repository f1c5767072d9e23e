// A `refrain worker`: takes take jobs from pg-boss and makes each through the engine on the shared PostgreSQL store.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { EngineEvent, GenerateOptions, GenerateReport } from "../engine/index.js";
import { generate } from "../engine/index.js";
import { findTools } from "../media/index.js";
import type { ClipProvider } from "../providers/index.js";
import { createClipProviders } from "../providers/index.js";
import { openPostgresStore, type Store } from "../store/index.js";
import {
  keepTakeJobAlive,
  openQueue,
  TAKE_HEARTBEAT_MS,
  TAKE_QUEUE,
  type TakeJobData,
  type TakeJobResult,
} from "./queue.js";

export type WorkerEvent =
  | { readonly type: "started"; readonly concurrency: number }
  | { readonly type: "job"; readonly jobId: string; readonly projectId: string; readonly segment: number }
  | { readonly type: "done"; readonly jobId: string; readonly result: TakeJobResult }
  | { readonly type: "returned"; readonly jobId: string; readonly reason: string }
  | { readonly type: "database-lost"; readonly reason: string }
  | { readonly type: "database-back" }
  | { readonly type: "engine"; readonly jobId: string; readonly event: EngineEvent }
  | { readonly type: "stopped" };

export interface WorkerOptions {
  /** The PostgreSQL URL holding the queue and the projects' stores (REFRAIN_DATABASE_URL). */
  readonly url: string;
  /** Takes this worker makes at once (default 1). */
  readonly concurrency?: number;
  readonly env?: NodeJS.ProcessEnv;
  readonly onEvent?: (e: WorkerEvent) => void;
  /** Builds the provider pool of a job; by default from its `clip` settings (tests pass fakes). */
  readonly providers?: (data: TakeJobData) => Promise<readonly ClipProvider[]>;
  /** Engine settings (poll interval, deadline, clock) for every job. */
  readonly engine?: Pick<GenerateOptions, "pollIntervalMs" | "deadlineMs" | "retryBaseMs" | "now" | "sleep">;
  /** pg-boss's schema (default "pgboss"). */
  readonly queueSchema?: string;
  /** How often an idle slot asks for work (default 2 s). */
  readonly pollMs?: number;
  /** How often a running take job is renewed in the queue (default `TAKE_HEARTBEAT_MS`). */
  readonly heartbeatMs?: number;
  /** How often pg-boss expires the jobs of dead workers (its default 120 s; tests shorten it). */
  readonly maintenanceIntervalSeconds?: number;
}

export interface Worker {
  /** Stops taking jobs, stops running ones (their takes stay in the store) and hands them back to the queue. */
  stop(): Promise<void>;
  /** Resolves once the worker stopped. */
  readonly stopped: Promise<void>;
}

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "57P01", // admin_shutdown: the server is stopping
  "57P02", // crash_shutdown
  "57P03", // cannot_connect_now: starting up or shutting down
  "08000",
  "08001",
  "08003",
  "08004",
  "08006",
]);

/** Whether an error means the database could not be reached (as opposed to a wrong query or bad data). */
export function isConnectionError(e: unknown): boolean {
  for (let c = e, depth = 0; c && depth < 5; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: string }).code;
    if (code && CONNECTION_CODES.has(code)) return true;
    const message = (c as Error).message ?? "";
    if (
      /Connection terminated|terminating connection|connection error|timeout exceeded when trying to connect/i.test(
        message,
      )
    )
      return true;
  }
  return false;
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    }
    signal?.addEventListener("abort", done, { once: true });
  });

function summarize(report: GenerateReport, segment: number): TakeJobResult {
  const { submissions } = report;
  const ok = report.succeeded[0];
  if (ok)
    return ok.earlier
      ? { segment, outcome: "succeeded", takeId: ok.takeId, submissions, reason: "made earlier" }
      : { segment, outcome: "succeeded", takeId: ok.takeId, submissions };
  const failed = report.failed[0];
  if (failed) {
    // The engine says so when another process holds the job: it is that process's to finish.
    const elsewhere = /another refrain run holds this job/.test(failed.reason);
    return {
      segment,
      outcome: elsewhere ? "held-elsewhere" : "failed",
      takeId: failed.takeId,
      reason: failed.reason,
      submissions,
    };
  }
  const uncertain = report.uncertain[0];
  if (uncertain)
    return { segment, outcome: "uncertain", takeId: uncertain.takeId, reason: uncertain.reason, submissions };
  if (report.budget?.refused.length)
    return { segment, outcome: "refused", reason: "budget exceeded", submissions };
  throw new Error(`segment ${segment}: the worker stopped before the take finished`);
}

/**
 * Starts a worker: `concurrency` slots each fetch one take job at a time and run the engine on it.
 *
 * The store, not the queue, is the truth: a take job that runs twice (expired, retried after a
 * stop) finds its take in the store and resumes it — polls the remote job, never submits again.
 * A database restart does not kill the worker: pg-boss's errors are listened to, a job whose run
 * lost the database waits for it and resumes, and completions are retried until they land.
 */
export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const concurrency = options.concurrency ?? 1;
  const pollMs = options.pollMs ?? 2_000;
  const env = options.env ?? process.env;
  const emit = (e: WorkerEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // A listener's bug must not stop paid work.
    }
  };
  let databaseLost = false;
  const lost = (e: unknown) => {
    if (databaseLost) return;
    databaseLost = true;
    emit({ type: "database-lost", reason: (e as Error).message });
  };
  const back = () => {
    if (!databaseLost) return;
    databaseLost = false;
    emit({ type: "database-back" });
  };

  const boss = await openQueue(options.url, {
    schema: options.queueSchema,
    maintenanceIntervalSeconds: options.maintenanceIntervalSeconds,
    onError: (e) => (isConnectionError(e) ? lost(e) : undefined),
  });
  const stopping = new AbortController();
  const workDir = await mkdtemp(join(tmpdir(), "refrain-worker-"));

  // One store per project, opened on first use and kept for the worker's life.
  const stores = new Map<string, Promise<Store>>();
  const storeFor = (data: TakeJobData): Promise<Store> => {
    const key = `${data.projectId}\n${data.mediaRoot}`;
    let s = stores.get(key);
    if (!s) {
      s = openPostgresStore(options.url, { projectId: data.projectId, mediaRoot: data.mediaRoot });
      stores.set(key, s);
      s.catch(() => stores.delete(key));
    }
    return s;
  };
  const providersFor =
    options.providers ??
    ((data: TakeJobData) =>
      createClipProviders(data.clip, {
        tools: findTools(env),
        env,
        projectDir: data.projectDir,
        workDir: join(workDir, "provider"),
      }));

  /** Retries `step` while the database is unreachable; gives up only when the worker stops. */
  const untilReachable = async <T>(step: () => Promise<T>): Promise<T> => {
    for (let delay = 250; ; delay = Math.min(delay * 2, 5_000)) {
      try {
        const value = await step();
        back();
        return value;
      } catch (e) {
        if (!isConnectionError(e) || stopping.signal.aborted) throw e;
        lost(e);
        await sleep(delay, stopping.signal);
      }
    }
  };

  const runTake = async (jobId: string, data: TakeJobData): Promise<TakeJobResult> => {
    const providers = await providersFor(data);
    try {
      const report = await untilReachable(async () =>
        generate({
          ...options.engine,
          store: await storeFor(data),
          providers,
          jobs: [data.spec],
          budgetUsd: data.budgetUsd,
          signal: stopping.signal,
          onEvent: (event) => emit({ type: "engine", jobId, event }),
        }),
      );
      return summarize(report, data.spec.segment);
    } finally {
      if (!options.providers) await Promise.all(providers.map((p) => p.close?.()));
    }
  };

  const slot = async () => {
    while (!stopping.signal.aborted) {
      // pg-boss's fetch answers [] when the database is away; the slot simply asks again later.
      const [job] = await boss.fetch<TakeJobData>(TAKE_QUEUE, { batchSize: 1 }).catch(() => []);
      if (!job) {
        await sleep(pollMs, stopping.signal);
        continue;
      }
      emit({ type: "job", jobId: job.id, projectId: job.data.projectId, segment: job.data.spec.segment });
      // While this worker lives the job is renewed; if it dies, the job expires and another takes it.
      const heartbeat = setInterval(() => {
        keepTakeJobAlive(boss, job.id, options.queueSchema).catch(() => {});
      }, options.heartbeatMs ?? TAKE_HEARTBEAT_MS);
      let settle: () => Promise<unknown>;
      try {
        const result = await runTake(job.id, job.data);
        settle = () => boss.complete(TAKE_QUEUE, job.id, result as unknown as object);
        emit({ type: "done", jobId: job.id, result });
      } catch (e) {
        const reason = (e as Error).message;
        // Failing it hands it back: pg-boss retries it (after retryDelay) on whichever worker asks.
        settle = () => boss.fail(TAKE_QUEUE, job.id, { message: reason });
        emit({ type: "returned", jobId: job.id, reason });
      } finally {
        clearInterval(heartbeat);
      }
      // A completion lost to a restart would leave the job "active" until it expires; retry it.
      await untilReachable(settle).catch(() => {});
    }
  };

  const slots = Array.from({ length: concurrency }, () => slot());
  emit({ type: "started", concurrency });

  const stopped = (async () => {
    await new Promise<void>((resolve) =>
      stopping.signal.addEventListener("abort", () => resolve(), { once: true }),
    );
    await Promise.allSettled(slots);
    await boss.stop({ graceful: false, wait: true, timeout: 10_000 }).catch(() => {});
    for (const s of stores.values()) await (await s.catch(() => undefined))?.close();
    // Every slot has settled, so nothing reads the providers' scratch files any more; a new worker makes its own.
    await rm(workDir, { recursive: true, force: true }).catch(() => {});
    emit({ type: "stopped" });
  })();

  return {
    async stop() {
      stopping.abort();
      await stopped;
    },
    stopped,
  };
}
