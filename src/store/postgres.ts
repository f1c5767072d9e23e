// The shared Store for teams: one PostgreSQL database, a schema per project, media in a shared folder.
import { createHash } from "node:crypto";
import pg from "pg";
import { UserInputError } from "../errors/index.js";
import type { CacheKey } from "./cachekey.js";
import { hashKey } from "./cachekey.js";
import { openMediaFolder } from "./media.js";
import {
  finishValues,
  LEDGER_TOTALS_SQL,
  type LedgerRow,
  newerSchemaError,
  newTakeValues,
  overBudget,
  type PickRow,
  requireResolvable,
  type StageRow,
  stageRow,
  TAKE_SELECT,
  type TakeRow,
  toLedgerEntry,
  toLedgerTotals,
  toPick,
  toStage,
  toTake,
  voidOutcome,
} from "./rows.js";
import type {
  IntentResult,
  LedgerEntry,
  LedgerTotals,
  NewTake,
  Store,
  Take,
  TakeFilter,
  TakeOutcome,
} from "./types.js";

export interface PostgresStoreOptions {
  /** The project's name in the database; each project gets its own schema. */
  readonly projectId: string;
  /**
   * The media folder: a path every worker mounts (NFS, SMB, a shared volume). Files are written
   * temp → fsync → rename inside it, so workers on other machines never see a half file.
   */
  readonly mediaRoot: string;
  /** Connections this process may hold (default 4). */
  readonly maxConnections?: number;
}

/**
 * Schema steps, applied in order; `meta.version` is the number applied. Append, never edit a
 * shipped step. Money is integer micro-dollars (BIGINT) so sums never drift; times are epoch ms.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE stages (
     stage TEXT NOT NULL,
     key_hash TEXT NOT NULL,
     key_json TEXT NOT NULL,
     result_json TEXT NOT NULL,
     created_at BIGINT NOT NULL,
     seq BIGSERIAL,
     PRIMARY KEY (stage, key_hash)
   );
   CREATE INDEX stages_latest ON stages (stage, created_at);
   CREATE TABLE takes (
     id TEXT PRIMARY KEY,
     seq BIGSERIAL,
     job_key TEXT NOT NULL,
     segment INTEGER NOT NULL,
     segment_key TEXT NOT NULL,
     kind TEXT NOT NULL,
     provider TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     model TEXT NOT NULL,
     seed BIGINT NOT NULL,
     prompt TEXT NOT NULL,
     image_hash TEXT NOT NULL,
     audio_hash TEXT NOT NULL,
     frames INTEGER NOT NULL,
     video_seconds DOUBLE PRECISION NOT NULL,
     token TEXT NOT NULL UNIQUE,
     remote_id TEXT,
     status TEXT NOT NULL CHECK (status IN
       ('intent','submitted','running','succeeded','failed','cancelled','uncertain')),
     estimated_micros BIGINT NOT NULL,
     actual_micros BIGINT,
     created_at BIGINT NOT NULL,
     submitted_at BIGINT,
     finished_at BIGINT,
     failure_reason TEXT,
     output_hash TEXT,
     stale BOOLEAN NOT NULL DEFAULT FALSE,
     spec_json TEXT NOT NULL
   );
   CREATE INDEX takes_segment ON takes (segment);
   CREATE INDEX takes_segment_key ON takes (segment_key);
   CREATE INDEX takes_job_key ON takes (job_key);
   CREATE TABLE picks (
     segment_key TEXT PRIMARY KEY,
     segment INTEGER NOT NULL,
     take_id TEXT NOT NULL,
     picked_at BIGINT NOT NULL
   );
   CREATE TABLE ledger (
     id BIGSERIAL PRIMARY KEY,
     take_id TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('reserve','release','charge')),
     micros BIGINT NOT NULL,
     at BIGINT NOT NULL
   );
   CREATE INDEX ledger_take ON ledger (take_id);`,
];

/** Advisory-lock namespace for schema migrations (any fixed number unlikely to clash). */
const MIGRATION_LOCK = 0x7265_6672; // "refr"

// BIGINT and NUMERIC (sums) come back as strings by default; every value here (epoch ms,
// micro-dollars, seeds) is far below 2^53, so numbers are exact. Scoped to this pool only.
const TYPES = {
  getTypeParser(oid: number, format?: string) {
    if (oid === pg.types.builtins.INT8 || oid === pg.types.builtins.NUMERIC) return Number;
    return pg.types.getTypeParser(oid, format as "text");
  },
} as unknown as pg.CustomTypesConfig;

/** The schema holding a project: readable, and unique per exact id (case and punctuation kept apart). */
export function projectSchema(projectId: string): string {
  if (!/^[A-Za-z0-9_.-]{1,100}$/.test(projectId))
    throw new UserInputError(`project id "${projectId}" must be 1–100 letters, digits, '.', '_' or '-'`, {
      hint: "rename the project",
    });
  const slug = projectId
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 40);
  const tag = createHash("sha256").update(projectId).digest("hex").slice(0, 8);
  return `refrain_${slug}_${tag}`;
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(unparseable database URL)";
  }
}

type Query = (sql: string, params?: unknown[]) => Promise<pg.QueryResult>;

/**
 * Opens (creating and migrating) a project's store in a PostgreSQL database.
 *
 * The budget check cannot be raced: `createIntent` first takes a transaction-scoped advisory lock
 * keyed by the project (`pg_advisory_xact_lock`), so intents of one project commit one at a time
 * across every process and machine, while other projects and every other query go on unblocked.
 * Under READ COMMITTED each statement after the lock sees all intents committed before it, so the
 * sum it checks is the real one. (SERIALIZABLE would also be correct, but a lost race surfaces as
 * a serialization failure every caller must retry; the lock just waits, and is held for a few ms.)
 */
export async function openPostgresStore(url: string, options: PostgresStoreOptions): Promise<Store> {
  const schema = projectSchema(options.projectId);
  const where = redactUrl(url);
  const pool = new pg.Pool({
    connectionString: url,
    max: options.maxConnections ?? 4,
    types: TYPES,
    options: `-c search_path=${schema}`,
    connectionTimeoutMillis: 10_000,
  });
  // An idle connection dropped by a server restart emits `error` on the pool; unhandled, Node
  // would exit. The next query simply opens a fresh connection.
  pool.on("error", () => {});

  const fail = (e: unknown, doing: string): never => {
    const code = (e as { code?: string }).code;
    throw new UserInputError(
      `PostgreSQL at ${where}: ${doing}: ${(e as Error).message}${code ? ` (${code})` : ""}`,
      {
        cause: e,
        hint: "check REFRAIN_DATABASE_URL and that the server is running",
      },
    );
  };

  const query: Query = async (sql, params) => pool.query(sql, params as unknown[]);

  const transaction = async <T>(work: (q: Query) => Promise<T>): Promise<T> => {
    const client = await pool.connect();
    // A checked-out connection cut between two queries (a server restart) emits `error` on the
    // client itself; the failing query reports it, so the event only needs a listener.
    let broken: Error | undefined;
    const onError = (e: Error) => {
      broken = e;
    };
    client.on("error", onError);
    try {
      await client.query("BEGIN");
      const result = await work((sql, params) => client.query(sql, params as unknown[]));
      await client.query("COMMIT");
      return result;
    } catch (e) {
      await client.query("ROLLBACK").catch(() => {});
      throw e;
    } finally {
      client.off("error", onError);
      // A connection that was cut is dropped rather than returned to the pool.
      client.release(broken);
    }
  };

  try {
    await transaction(async (q) => {
      await q("SELECT pg_advisory_xact_lock($1)", [MIGRATION_LOCK]);
      await q(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      await q("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)");
      const row = (await q("SELECT value FROM meta WHERE key = 'version'")).rows[0] as
        | { value: number }
        | undefined;
      const version = row?.value ?? 0;
      if (version > MIGRATIONS.length)
        throw newerSchemaError(`schema ${schema} at ${where}`, version, MIGRATIONS.length);
      for (let v = version; v < MIGRATIONS.length; v++) await q(MIGRATIONS[v]!);
      await q(
        "INSERT INTO meta (key, value) VALUES ('version', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [MIGRATIONS.length],
      );
    });
  } catch (e) {
    await pool.end().catch(() => {});
    if (e instanceof UserInputError) throw e;
    fail(e, "cannot open the project store");
  }

  const media = openMediaFolder(options.mediaRoot);

  const takeOf = async (q: Query, takeId: string): Promise<Take | undefined> => {
    const row = (await q(`${TAKE_SELECT} WHERE t.id = $1`, [takeId])).rows[0] as TakeRow | undefined;
    return row && toTake(row);
  };
  const requireTake = async (q: Query, takeId: string): Promise<Take> => {
    const take = await takeOf(q, takeId);
    if (!take) throw new UserInputError(`no take ${takeId} in project ${options.projectId} at ${where}`);
    return take;
  };
  const ledgerAdd = (q: Query, takeId: string, kind: LedgerEntry["kind"], micros: number, at: number) =>
    q("INSERT INTO ledger (take_id, kind, micros, at) VALUES ($1, $2, $3, $4)", [takeId, kind, micros, at]);
  const release = async (q: Query, takeId: string, at: number) => {
    const held = Number(
      (
        await q("SELECT COALESCE(SUM(micros), 0) AS m FROM ledger WHERE take_id = $1 AND kind <> 'charge'", [
          takeId,
        ])
      ).rows[0].m,
    );
    if (held !== 0) await ledgerAdd(q, takeId, "release", -held, at);
  };
  const finish = (q: Query, id: string, o: TakeOutcome) => {
    const v = finishValues(o);
    return q(
      `UPDATE takes SET status = $2, finished_at = $3, output_hash = $4, failure_reason = $5, actual_micros = $6
       WHERE id = $1 AND status IN ('intent', 'submitted', 'running', 'uncertain')`,
      [id, v.status, v.finishedAt, v.outputHash, v.failureReason, v.actualMicros],
    );
  };
  const projectLock = (q: Query) => q("SELECT pg_advisory_xact_lock(hashtext($1))", [schema]);

  let closed = false;
  const store: Store = {
    kind: "postgres",
    media,
    async getStage(stage, keyHash) {
      const row = (await query("SELECT * FROM stages WHERE stage = $1 AND key_hash = $2", [stage, keyHash]))
        .rows[0] as StageRow | undefined;
      return row && toStage(row);
    },
    async latestStage(stage) {
      const row = (
        await query("SELECT * FROM stages WHERE stage = $1 ORDER BY created_at DESC, seq DESC LIMIT 1", [
          stage,
        ])
      ).rows[0] as StageRow | undefined;
      return row && toStage(row);
    },
    async putStage(key: CacheKey, result: unknown, createdAt: number) {
      const keyHash = hashKey(key);
      const row = stageRow(key, keyHash, result, createdAt);
      await query(
        `INSERT INTO stages (stage, key_hash, key_json, result_json, created_at) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (stage, key_hash) DO UPDATE SET key_json = excluded.key_json,
           result_json = excluded.result_json, created_at = excluded.created_at, seq = DEFAULT`,
        [row.stage, row.key_hash, row.key_json, row.result_json, row.created_at],
      );
      return { stage: key.stage, keyHash, key, result, createdAt };
    },
    async createIntent(take: NewTake, budgetUsd?: number): Promise<IntentResult> {
      return transaction(async (q) => {
        await projectLock(q);
        const { estimatedMicros, specJson } = newTakeValues(take);
        const holder = (
          await q(
            `${TAKE_SELECT} WHERE t.job_key = $1 AND t.status NOT IN ('failed', 'cancelled')
             ORDER BY t.created_at, t.seq LIMIT 1`,
            [take.jobKey],
          )
        ).rows[0] as TakeRow | undefined;
        if (holder) return { ok: false, reason: "taken", take: toTake(holder) };
        if (budgetUsd !== undefined) {
          const committed = Number((await q("SELECT COALESCE(SUM(micros), 0) AS m FROM ledger")).rows[0].m);
          const refused = overBudget(committed, estimatedMicros, budgetUsd);
          if (refused) return refused;
        }
        await q(
          `INSERT INTO takes (id, job_key, segment, segment_key, kind, provider, endpoint, model, seed, prompt,
             image_hash, audio_hash, frames, video_seconds, token, status, estimated_micros, created_at, spec_json)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 'intent', $16, $17, $18)`,
          [
            take.id,
            take.jobKey,
            take.segment,
            take.segmentKey,
            take.kind,
            take.provider,
            take.endpoint,
            take.model,
            take.seed,
            take.prompt,
            take.imageHash,
            take.audioHash,
            take.frames,
            take.videoSeconds,
            take.token,
            estimatedMicros,
            take.createdAt,
            specJson,
          ],
        );
        if (estimatedMicros !== 0) await ledgerAdd(q, take.id, "reserve", estimatedMicros, take.createdAt);
        return { ok: true, take: await requireTake(q, take.id) };
      });
    },
    async markSubmitted(takeId, remoteId, submittedAt) {
      await query(
        `UPDATE takes SET remote_id = $2, submitted_at = $3, status = 'submitted'
         WHERE id = $1 AND status IN ('intent', 'uncertain')`,
        [takeId, remoteId, submittedAt],
      );
    },
    async markRunning(takeId) {
      await query("UPDATE takes SET status = 'running' WHERE id = $1 AND status = 'submitted'", [takeId]);
    },
    async markUncertain(takeId, reason) {
      await query(
        "UPDATE takes SET status = 'uncertain', failure_reason = $2 WHERE id = $1 AND status = 'intent'",
        [takeId, reason],
      );
    },
    async finishTake(takeId, o) {
      return transaction(async (q) => {
        // The row lock makes a concurrent second finish wait, then find the take finished.
        const before = (await q(`SELECT t.* FROM takes t WHERE t.id = $1 FOR UPDATE`, [takeId])).rows[0] as
          | TakeRow
          | undefined;
        if (!before)
          throw new UserInputError(`no take ${takeId} in project ${options.projectId} at ${where}`);
        const changed = (await finish(q, takeId, o)).rowCount ?? 0;
        // Finishing twice (a retried step after a crash) must not charge twice.
        if (changed === 0) return requireTake(q, takeId);
        await release(q, takeId, o.finishedAt);
        if (o.chargeUsd !== 0)
          await ledgerAdd(q, takeId, "charge", finishValues(o).actualMicros, o.finishedAt);
        if (o.status === "succeeded")
          await q(
            `INSERT INTO picks (segment_key, segment, take_id, picked_at) VALUES ($1, $2, $3, $4)
             ON CONFLICT DO NOTHING`,
            [before.segment_key, before.segment, takeId, o.finishedAt],
          );
        return requireTake(q, takeId);
      });
    },
    async resolveUncertain(takeId, r) {
      await transaction(async (q) => {
        await q("SELECT id FROM takes WHERE id = $1 FOR UPDATE", [takeId]);
        requireResolvable(await requireTake(q, takeId));
        if ("remoteId" in r) {
          await q(
            `UPDATE takes SET remote_id = $2, submitted_at = $3, status = 'submitted'
             WHERE id = $1 AND status IN ('intent', 'uncertain')`,
            [takeId, r.remoteId, r.at],
          );
        } else {
          await finish(q, takeId, voidOutcome(r.at));
          await release(q, takeId, r.at);
        }
      });
    },
    async getTake(takeId) {
      return takeOf(query, takeId);
    },
    async listTakes(filter: TakeFilter = {}) {
      const conditions: string[] = [];
      const params: unknown[] = [];
      const add = (sql: string, value: unknown) => {
        params.push(value);
        conditions.push(sql.replace("?", `$${params.length}`));
      };
      if (filter.segment !== undefined) add("t.segment = ?", filter.segment);
      if (filter.segmentKey !== undefined) add("t.segment_key = ?", filter.segmentKey);
      if (filter.jobKeys !== undefined) add("t.job_key = ANY(?)", [...filter.jobKeys]);
      if (filter.statuses !== undefined) add("t.status = ANY(?)", [...filter.statuses]);
      const sql = `${TAKE_SELECT}${conditions.length ? ` WHERE ${conditions.join(" AND ")}` : ""}
        ORDER BY t.segment, t.created_at, t.seq`;
      return ((await query(sql, params)).rows as TakeRow[]).map(toTake);
    },
    async markStale(keys) {
      return transaction(async (q) => {
        await q("UPDATE takes SET stale = NOT (segment_key = ANY($1))", [[...keys]]);
        return Number((await q("SELECT COUNT(*) AS n FROM takes WHERE stale")).rows[0].n);
      });
    },
    async deleteTakes(ids) {
      await transaction(async (q) => {
        await q("DELETE FROM picks WHERE take_id = ANY($1)", [[...ids]]);
        await q("DELETE FROM takes WHERE id = ANY($1)", [[...ids]]);
      });
    },
    async setPick(segmentKey, segment, takeId, at) {
      await query(
        `INSERT INTO picks (segment_key, segment, take_id, picked_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (segment_key) DO UPDATE SET segment = excluded.segment, take_id = excluded.take_id,
           picked_at = excluded.picked_at`,
        [segmentKey, segment, takeId, at],
      );
    },
    async listPicks() {
      const rows = (await query("SELECT * FROM picks ORDER BY segment, segment_key")).rows as PickRow[];
      return rows.map(toPick);
    },
    async ledger(takeId?: string) {
      const rows = (
        takeId === undefined
          ? await query("SELECT * FROM ledger ORDER BY id")
          : await query("SELECT * FROM ledger WHERE take_id = $1 ORDER BY id", [takeId])
      ).rows as LedgerRow[];
      return rows.map(toLedgerEntry);
    },
    async ledgerTotals(): Promise<LedgerTotals> {
      const t = (await query(LEDGER_TOTALS_SQL)).rows[0] as { charged: number; reserved: number };
      return toLedgerTotals(t);
    },
    async close() {
      if (closed) return;
      closed = true;
      await pool.end();
    },
  };
  return store;
}

/** Deletes a project's schema and everything in it (tests, `refrain` project removal). */
export async function dropPostgresProject(url: string, projectId: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  client.on("error", () => {});
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${projectSchema(projectId)} CASCADE`);
  } finally {
    await client.end();
  }
}
