// The take queue on pg-boss: one job per take to make, one singleton key per take, settings chosen for slow generation.
import PgBoss from "pg-boss";
import type { JobSpec } from "../engine/index.js";
import { jobKey } from "../engine/index.js";
import { UserInputError } from "../errors/index.js";
import type { ClipSettings } from "../providers/index.js";
import { redactUrl } from "../store/index.js";

/** The pg-boss queue every worker of every project takes work from. */
export const TAKE_QUEUE = "refrain-takes";

/**
 * Seconds a take job may go without a sign of life from its worker before pg-boss gives it to
 * another: 10 minutes. A live worker renews its jobs every `TAKE_HEARTBEAT_MS` (`keepTakeJobAlive`),
 * however long the generation takes, so only a worker that died (machine lost, kill -9) lets a job
 * expire. The worker that retries it resumes from the store — it polls the remote job the dead one
 * submitted, never submits it again.
 */
export const TAKE_EXPIRE_SECONDS = 600;

/** How often a worker renews the take jobs it runs: well inside `TAKE_EXPIRE_SECONDS`. */
export const TAKE_HEARTBEAT_MS = 60_000;

/** Tries of one take job (a stopped or lost worker uses one); the store keeps them from paying twice. */
export const TAKE_RETRY_LIMIT = 10;

/** A take to make, as a worker on any machine needs it. */
export interface TakeJobData {
  /** The project's id in the database (its store schema). */
  readonly projectId: string;
  /** The project folder on the shared mount: relative paths in `clip` settings resolve against it. */
  readonly projectDir: string;
  /** The shared media folder every worker mounts at the same path. */
  readonly mediaRoot: string;
  /** The project's `clip:` settings; keys are not in here, each worker reads its own environment. */
  readonly clip: ClipSettings;
  /** The job; its image and audio paths are on the shared mount too. */
  readonly spec: JobSpec;
  readonly budgetUsd?: number;
}

/** What a finished take job records in pg-boss (its `output`). */
export interface TakeJobResult {
  readonly segment: number;
  readonly outcome: "succeeded" | "failed" | "uncertain" | "refused" | "held-elsewhere";
  readonly takeId?: string;
  readonly reason?: string;
  /** Submits this job made at the provider (0 when an earlier attempt had made it). */
  readonly submissions: number;
}

/**
 * The singleton key of a take: the project plus the engine's job key (segment, inputs, seed, prompt,
 * size, provider, model), so the same take is never queued twice while waiting or running.
 */
export function takeKey(data: TakeJobData, provider: { name: string; model: string }): string {
  const { spec } = data;
  if (!spec.imageHash || !spec.audioHash)
    throw new UserInputError(`segment ${spec.segment}: a queued job needs imageHash and audioHash`);
  return `${data.projectId}:${jobKey({ ...spec, imageHash: spec.imageHash, audioHash: spec.audioHash, provider: provider.name, model: provider.model })}`;
}

export interface QueueOptions {
  /** Connections pg-boss may hold (default 4). */
  readonly maxConnections?: number;
  /** pg-boss's schema (default "pgboss"); workers and senders of one team use the same. */
  readonly schema?: string;
  /** Called with pg-boss's errors (a lost database, a failed maintenance run); they are never fatal. */
  readonly onError?: (e: Error) => void;
  /** How often pg-boss looks for expired jobs (its default 120 s; tests shorten it). */
  readonly maintenanceIntervalSeconds?: number;
}

/**
 * Connects to pg-boss (installing its schema on first use) and makes sure the take queue exists.
 * The queue is `stately`: at most one job per take waiting, one retrying and one running.
 */
export async function openQueue(url: string, options: QueueOptions = {}): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: url,
    max: options.maxConnections ?? 4,
    ...(options.schema ? { schema: options.schema } : {}),
    ...(options.maintenanceIntervalSeconds
      ? { maintenanceIntervalSeconds: options.maintenanceIntervalSeconds }
      : {}),
    schedule: false,
  });
  // Without a listener an `error` event throws, and a database restart would kill the worker.
  boss.on("error", (e) => options.onError?.(e));
  try {
    await boss.start();
    if (!(await boss.getQueue(TAKE_QUEUE))) {
      await boss
        .createQueue(TAKE_QUEUE, {
          name: TAKE_QUEUE,
          policy: "stately",
          expireInSeconds: TAKE_EXPIRE_SECONDS,
          retryLimit: TAKE_RETRY_LIMIT,
          retryDelay: 5,
          retryBackoff: true,
        })
        .catch(async (e) => {
          // Another worker created it at the same moment.
          if (!(await boss.getQueue(TAKE_QUEUE))) throw e;
        });
    }
  } catch (e) {
    await boss.stop({ graceful: false, wait: true }).catch(() => {});
    throw new UserInputError(`cannot start the job queue at ${redactUrl(url)}: ${(e as Error).message}`, {
      cause: e,
      hint: "check REFRAIN_DATABASE_URL and that PostgreSQL is running",
    });
  }
  return boss;
}

/**
 * Queues one job per take; returns the pg-boss ids, null for a take already waiting or running.
 * `provider` is the pool's kind and model, part of each take's identity.
 */
export async function enqueueTakes(
  boss: PgBoss,
  takes: readonly TakeJobData[],
  provider: { name: string; model: string },
  options: { expireInSeconds?: number } = {},
): Promise<(string | null)[]> {
  const ids: (string | null)[] = [];
  for (const data of takes) {
    ids.push(
      await boss.send(TAKE_QUEUE, data as unknown as object, {
        singletonKey: takeKey(data, provider),
        expireInSeconds: options.expireInSeconds ?? TAKE_EXPIRE_SECONDS,
        retryLimit: TAKE_RETRY_LIMIT,
      }),
    );
  }
  return ids;
}

/** A take job as the sender sees it while waiting: its pg-boss state and, once ended, its result. */
export interface TakeJobState {
  readonly id: string;
  readonly state: "created" | "retry" | "active" | "completed" | "cancelled" | "failed";
  /** The worker's result once completed; pg-boss's error (`{ message }`) once failed. */
  readonly output?: TakeJobResult | { readonly message?: string };
}

/** The state of a take job by its pg-boss id; undefined when pg-boss no longer has it. */
export async function takeJobState(boss: PgBoss, id: string): Promise<TakeJobState | undefined> {
  const job = await boss.getJobById<TakeJobData>(TAKE_QUEUE, id, { includeArchive: true });
  if (!job) return undefined;
  return { id: job.id, state: job.state, output: (job.output ?? undefined) as TakeJobState["output"] };
}

/**
 * The id of the job waiting, retrying or running under a take's singleton key (what `enqueueTakes`
 * answers null for): a `refrain make` interrupted earlier left it queued, and this run waits on it.
 * pg-boss has no lookup by key, so this reads its job table; `schema` is pg-boss's (default "pgboss").
 */
export async function queuedTakeJob(
  boss: PgBoss,
  singletonKey: string,
  schema = "pgboss",
): Promise<string | undefined> {
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema))
    throw new UserInputError(`queue schema "${schema}" is not a plain name`);
  const { rows } = (await boss
    .getDb()
    .executeSql(
      `SELECT id FROM ${schema}.job WHERE name = $1 AND singleton_key = $2 AND state < 'completed' ORDER BY created_on DESC LIMIT 1`,
      [TAKE_QUEUE, singletonKey],
    )) as { rows: { id: string }[] };
  return rows[0]?.id;
}

/**
 * Renews a running take job, so pg-boss does not expire it while its worker is alive: pg-boss 10
 * expires an active job when `started_on + expire_in` has passed and has no heartbeat of its own, so
 * this moves `started_on` in its job table (read the same way as `queuedTakeJob`). False when the job
 * is no longer active there (completed, failed, or already expired and handed to another worker).
 */
export async function keepTakeJobAlive(boss: PgBoss, id: string, schema = "pgboss"): Promise<boolean> {
  if (!/^[a-z_][a-z0-9_]*$/i.test(schema))
    throw new UserInputError(`queue schema "${schema}" is not a plain name`);
  const result = (await boss
    .getDb()
    .executeSql(
      `UPDATE ${schema}.job SET started_on = now() WHERE name = $1 AND id = $2 AND state = 'active'`,
      [TAKE_QUEUE, id],
    )) as { rowCount?: number };
  return (result.rowCount ?? 0) > 0;
}
