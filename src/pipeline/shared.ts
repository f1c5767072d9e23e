// Generation for teams: takes queued on the shared PostgreSQL for `refrain worker`s, waited for by polling the store.
import { existsSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import type PgBoss from "pg-boss";
import type { EngineEvent, GenerateReport, JobSpec } from "../engine/index.js";
import { jobKey } from "../engine/index.js";
import type { SegmentKind } from "../plan/types.js";
import type { ClipSettings } from "../providers/index.js";
import { providerForSegment } from "../providers/routing.js";
import { hashFile, redactUrl, type Take } from "../store/index.js";
import { fitFrames } from "../time/index.js";
import {
  enqueueTakes,
  openQueue,
  queuedTakeJob,
  type TakeJobData,
  type TakeJobResult,
  takeJobState,
  takeKey,
} from "../worker/index.js";
import { openProviders, type RunJobsOptions, updateLock } from "./generate.js";
import { projectStoreSetting, type Session } from "./session.js";

export interface QueuedRunOptions extends RunJobsOptions {
  /** Between looks at the store and the queue (default 1 s). */
  pollMs?: number;
  /** How long queued takes may wait with no worker taking any before the user is told (default: REFRAIN_WORKER_WAIT_S, else 30 s). */
  noWorkerWarnMs?: number;
}

/** One job this run waits for. */
interface Tracked {
  readonly spec: JobSpec;
  /** The engine's job key: the store's takes of this job carry it. */
  readonly key: string;
  readonly data: TakeJobData;
  readonly provider: { name: string; model: string };
  /** pg-boss's id of the job taking care of it, once known. */
  bossId?: string;
  outcome?: "succeeded" | "failed" | "uncertain" | "refused";
  earlier?: boolean;
  take?: Take;
  reason?: string;
  /** The queue said it is running on a worker. */
  active?: boolean;
  /** When to queue it again (its take was held by another process that may have died). */
  resendAt?: number;
}

/** Wait before queueing again a job whose take another process held. */
const RESEND_MS = 15_000;

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
  });

/** A pool's identity and frame rule, from building its providers here (the worker builds its own). */
async function poolOf(session: Session, kind: SegmentKind) {
  const providers = await openProviders(session, kind);
  try {
    const p = providers[0]!;
    const c = p.constraints;
    return {
      clip: providerForSegment(session.clip, kind) as ClipSettings,
      provider: { name: p.name, model: p.model },
      fit: (j: JobSpec): JobSpec => ({
        ...j,
        frames: Math.min(c.maxFrames, Math.max(c.minFrames, fitFrames(c.frameRule, j.frames))),
      }),
    };
  } finally {
    await Promise.all(providers.map((x) => x.close?.()));
  }
}

/** Whether a worker's result says the take job ended (rather than waiting on another holder). */
function isResult(o: unknown): o is TakeJobResult {
  return typeof o === "object" && o !== null && "outcome" in o && "segment" in o;
}

/**
 * Queues one pg-boss job per take (`enqueueTakes`) for `refrain worker`s on the team's PostgreSQL
 * and waits until each has ended, then reports as the in-process engine does. The store is the
 * truth: a job whose take already succeeded is not queued; a take is done when the store says so.
 * The queue only tells "running", "nobody is taking work" and how a job that made no take ended.
 * Stopping (the session's signal) leaves the jobs queued: workers go on, the next run waits again.
 */
export async function runJobsOnWorkers(
  session: Session,
  jobs: readonly JobSpec[],
  options: QueuedRunOptions = {},
): Promise<GenerateReport> {
  const team = session.team;
  if (!team) throw new Error("runJobsOnWorkers needs a session on a team database");
  const pollMs = options.pollMs ?? 1_000;
  const envWait = Number(session.env.REFRAIN_WORKER_WAIT_S);
  const warnMs =
    options.noWorkerWarnMs ?? (Number.isFinite(envWait) && envWait > 0 ? envWait * 1000 : 30_000);
  const { store, signal } = session;
  const budgetUsd = options.budgetUsd ?? session.project.config.budget;
  const emit = (e: EngineEvent) => {
    try {
      options.onEvent?.(e);
    } catch {
      // A listener's bug must not stop the run.
    }
  };

  const pools = new Map<SegmentKind, Awaited<ReturnType<typeof poolOf>>>();
  const poolFor = async (kind: SegmentKind) => {
    let p = pools.get(kind);
    if (!p) {
      p = await poolOf(session, kind);
      pools.set(kind, p);
    }
    return p;
  };

  const tracked: Tracked[] = [];
  const keys = new Set<string>();
  /** Describes a job as a worker needs it; undefined when this run already has it. */
  const track = async (given: JobSpec): Promise<Tracked | undefined> => {
    const pool = await poolFor(given.kind);
    const fitted = pool.fit(given);
    const spec: JobSpec = {
      ...fitted,
      imageHash: fitted.imageHash ?? (await hashFile(fitted.image)),
      audioHash: fitted.audioHash ?? (await hashFile(fitted.audio)),
    };
    const key = jobKey({
      ...spec,
      imageHash: spec.imageHash!,
      audioHash: spec.audioHash!,
      provider: pool.provider.name,
      model: pool.provider.model,
    });
    if (keys.has(key)) return undefined;
    keys.add(key);
    const data: TakeJobData = {
      projectId: team.projectId,
      projectDir: session.project.dir,
      mediaRoot: team.mediaRoot,
      clip: pool.clip,
      spec,
      ...(budgetUsd !== undefined ? { budgetUsd } : {}),
    };
    const t: Tracked = { spec, key, data, provider: pool.provider };
    tracked.push(t);
    return t;
  };

  const boss: PgBoss = await openQueue(team.url, {
    maxConnections: 2,
    onError: () => {
      // A lost database shows up as failed polls below; the next poll tries again.
    },
  });
  /** Takes that existed before this run: the others were submitted for it (by whichever worker). */
  const before = new Set<string>();
  try {
    /** Settles what the store already knows; queues the rest (or finds the job an earlier run queued). */
    const start = async (list: readonly Tracked[]) => {
      const known = await store.listTakes({ jobKeys: list.map((t) => t.key) });
      for (const k of known) before.add(k.id);
      for (const t of list) {
        const mine = known.filter((k) => k.jobKey === t.key);
        const done = mine.find((k) => k.status === "succeeded");
        const unsure = mine.find((k) => k.status === "uncertain");
        if (done) Object.assign(t, { outcome: "succeeded", earlier: true, take: done });
        else if (unsure)
          Object.assign(t, {
            outcome: "uncertain",
            take: unsure,
            reason: unsure.failureReason ?? "uncertain",
          });
        else {
          // A job an earlier run queued may be waiting or running: wait on it rather than queue
          // another (the stately queue would accept a second one while the first runs).
          const singleton = takeKey(t.data, t.provider);
          t.bossId = await queuedTakeJob(boss, singleton);
          if (!t.bossId) {
            const [id] = await enqueueTakes(boss, [t.data], t.provider);
            t.bossId = id ?? (await queuedTakeJob(boss, singleton));
          }
        }
      }
    };
    /** A finished job may open others (continuity): they join the run and the queue. */
    const expand = async (t: Tracked) => {
      if (!options.after || t.outcome !== "succeeded" || !t.take?.outputHash) return;
      const more = await options.after({
        segment: t.spec.segment,
        takeId: t.take.id,
        outputHash: t.take.outputHash,
        spec: t.spec,
      });
      const added: Tracked[] = [];
      for (const spec of more) {
        const a = await track(spec);
        if (a) added.push(a);
      }
      await start(added);
      for (const a of added) await expand(a);
    };

    const first: Tracked[] = [];
    for (const spec of jobs) {
      const t = await track(spec);
      if (t) first.push(t);
    }
    await start(first);
    for (const t of first) await expand(t);
    const queued = tracked.filter((t) => !t.outcome).length;
    if (queued > 0)
      session.log(
        `queued ${queued} take(s) for workers on ${redactUrl(team.url)} (project ${team.projectId}); waiting — Ctrl-C leaves them queued`,
      );

    let lastProgress = session.now();
    let lastFinished = -1;
    let lastWarn = 0;
    let storeLost = false;
    let lastLine = "";
    while (tracked.some((t) => !t.outcome) && !signal?.aborted) {
      await sleep(pollMs, signal);
      if (signal?.aborted) break;
      const open = tracked.filter((t) => !t.outcome);
      let takes: Take[];
      try {
        takes = await store.listTakes({ jobKeys: open.map((t) => t.key) });
      } catch (e) {
        if (!storeLost) session.log(`warning: cannot read the store (${(e as Error).message}); trying again`);
        storeLost = true;
        continue;
      }
      if (storeLost) session.log("the store answers again");
      storeLost = false;
      for (const t of open) {
        const mine = takes.filter((k) => k.jobKey === t.key);
        const done = mine.find((k) => k.status === "succeeded");
        const unsure = mine.find((k) => k.status === "uncertain");
        if (done) {
          Object.assign(t, { outcome: "succeeded", earlier: false, take: done });
          emit({
            type: "succeeded",
            segment: t.spec.segment,
            takeId: done.id,
            outputHash: done.outputHash ?? "",
          });
        } else if (unsure) {
          const reason = unsure.failureReason ?? "uncertain";
          Object.assign(t, { outcome: "uncertain", take: unsure, reason });
          emit({ type: "uncertain", segment: t.spec.segment, takeId: unsure.id, reason });
        } else if (!t.bossId && t.resendAt !== undefined && session.now() >= t.resendAt) {
          t.resendAt = undefined;
          const [id] = await enqueueTakes(boss, [t.data], t.provider).catch(() => [null]);
          t.bossId = id ?? (await queuedTakeJob(boss, takeKey(t.data, t.provider)).catch(() => undefined));
          if (!t.bossId) t.resendAt = session.now() + RESEND_MS;
        } else if (t.bossId) {
          const job = await takeJobState(boss, t.bossId).catch(() => undefined);
          if (!job) continue;
          t.active = job.state === "active";
          if (job.state === "completed" && isResult(job.output)) {
            const r = job.output;
            if (r.outcome === "failed") {
              Object.assign(t, { outcome: "failed", reason: r.reason ?? "failed" });
              emit({ type: "failed", segment: t.spec.segment, takeId: r.takeId, reason: t.reason! });
            } else if (r.outcome === "refused") {
              Object.assign(t, { outcome: "refused", reason: r.reason ?? "budget exceeded" });
            } else if (r.outcome === "held-elsewhere") {
              // Another process held the take's intent when the worker came to submit. Should that
              // process die, nobody would poll the remote job: queue the job again a little later,
              // and the worker that takes it resumes the take (polls it), never submits it again.
              t.bossId = undefined;
              t.resendAt = session.now() + RESEND_MS;
            } else t.bossId = undefined; // a success the store shows on the next look
          } else if (job.state === "failed" || job.state === "cancelled") {
            const message = (job.output as { message?: string } | undefined)?.message;
            Object.assign(t, {
              outcome: "failed",
              reason: `the take job ${job.state}${message ? `: ${message}` : ""}`,
            });
            emit({ type: "failed", segment: t.spec.segment, reason: t.reason! });
          }
        }
        if (t.outcome === "succeeded") await expand(t);
      }
      const finished = tracked.filter((t) => t.outcome).length;
      const running = tracked.filter((t) => !t.outcome && t.active).length;
      const waiting = tracked.length - finished - running;
      const line = `workers: ${finished} of ${tracked.length} take(s) finished, ${running} running, ${waiting} queued`;
      if (line !== lastLine) session.log(line);
      // Nobody is taking work when nothing runs, something waits and nothing has finished lately.
      if (running > 0 || waiting === 0 || finished !== lastFinished) lastProgress = session.now();
      lastLine = line;
      lastFinished = finished;
      if (
        session.now() - lastProgress >= warnMs &&
        (lastWarn === 0 || session.now() - lastWarn >= warnMs * 10)
      ) {
        lastWarn = session.now();
        session.log(
          `waiting for a worker: start \`refrain worker\` on a machine with access to ${redactUrl(team.url)}, ` +
            `the project folder ${session.project.dir} and the media folder ${team.mediaRoot} (same paths), ` +
            "or run `refrain make --local` to make the takes here",
        );
      }
    }

    const cancelled = Boolean(signal?.aborted) && tracked.some((t) => !t.outcome);
    const left = tracked.filter((t) => !t.outcome);
    const liveTakes = left.length
      ? await store.listTakes({
          jobKeys: left.map((t) => t.key),
          statuses: ["intent", "submitted", "running"],
        })
      : [];
    const live = new Map(liveTakes.map((k) => [k.jobKey, k]));
    if (cancelled)
      session.log(
        `stopped waiting; ${left.length} take job(s) stay queued for workers — \`refrain make\` waits for them again`,
      );
    const submissions = (await store.listTakes({ jobKeys: tracked.map((t) => t.key) })).filter(
      (k) => !before.has(k.id) && k.remoteId !== null,
    ).length;
    const refused = tracked.filter((t) => t.outcome === "refused").map((t) => t.spec.segment);
    const totals = refused.length ? await store.ledgerTotals() : undefined;
    await updateLock(session);
    return {
      succeeded: tracked
        .filter((t) => t.outcome === "succeeded")
        .map((t) => ({
          segment: t.spec.segment,
          takeId: t.take!.id,
          outputHash: t.take!.outputHash ?? "",
          earlier: Boolean(t.earlier),
        })),
      failed: tracked
        .filter((t) => t.outcome === "failed")
        .map((t) => ({ segment: t.spec.segment, takeId: t.take?.id, reason: t.reason ?? "failed" })),
      uncertain: tracked
        .filter((t) => t.outcome === "uncertain")
        .map((t) => ({ segment: t.spec.segment, takeId: t.take!.id, reason: t.reason ?? "uncertain" })),
      inFlight: left
        .filter((t) => live.has(t.key))
        .map((t) => {
          const k = live.get(t.key)!;
          return { segment: t.spec.segment, takeId: k.id, endpoint: k.endpoint, remoteId: k.remoteId };
        }),
      notStarted: [...left.filter((t) => !live.has(t.key)).map((t) => t.spec.segment), ...refused],
      ...(totals && budgetUsd !== undefined
        ? { budget: { committedUsd: totals.chargedUsd + totals.reservedUsd, budgetUsd, refused } }
        : {}),
      cancelled,
      submissions,
    };
  } finally {
    await boss.stop({ graceful: false, wait: true, timeout: 5_000 }).catch(() => {});
  }
}

/**
 * `refrain doctor`'s line about the store: SQLite in the project, or the team's PostgreSQL (reached,
 * with the project id and media folder workers must see). Throws a one-line reason when unreachable.
 */
export async function describeStore(projectDir: string, env: NodeJS.ProcessEnv): Promise<string> {
  const found = existsSync(join(projectDir, "refrain.yaml"))
    ? await projectStoreSetting(projectDir, env)
    : undefined;
  const url = found ? found.team?.url : env.REFRAIN_DATABASE_URL?.trim();
  if (!url)
    return "SQLite in the project's .refrain folder (set REFRAIN_DATABASE_URL for a team's PostgreSQL)";
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  let version: string;
  try {
    await client.connect();
    const { rows } = await client.query<{ v: string }>("SHOW server_version");
    version = rows[0]?.v ?? "?";
  } catch (e) {
    throw new Error(`PostgreSQL at ${redactUrl(url)} unreachable: ${(e as Error).message}`);
  } finally {
    await client.end().catch(() => {});
  }
  const where = found?.team
    ? `project ${found.team.projectId}, media in ${found.team.mediaRoot} (every worker must see it at this path)`
    : "no project here (run in a project folder to see its id and media folder)";
  return `PostgreSQL ${version} at ${redactUrl(url)}: ${where}; takes go to \`refrain worker\`s (--local: here)`;
}
