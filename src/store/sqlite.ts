// The embedded Store: one SQLite database per project (better-sqlite3, WAL) plus the media folder.
import { accessSync, constants, mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
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
import type { IntentResult, LedgerTotals, NewTake, Store, Take, TakeFilter, TakeOutcome } from "./types.js";

/**
 * Schema steps; `PRAGMA user_version` is the number applied. Append, never edit a shipped step.
 * Money is stored as integer micro-dollars so sums never drift.
 */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE stages (
     stage TEXT NOT NULL,
     key_hash TEXT NOT NULL,
     key_json TEXT NOT NULL,
     result_json TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     PRIMARY KEY (stage, key_hash)
   );
   CREATE INDEX stages_latest ON stages (stage, created_at);
   CREATE TABLE takes (
     id TEXT PRIMARY KEY,
     job_key TEXT NOT NULL,
     segment INTEGER NOT NULL,
     segment_key TEXT NOT NULL,
     kind TEXT NOT NULL,
     provider TEXT NOT NULL,
     endpoint TEXT NOT NULL,
     model TEXT NOT NULL,
     seed INTEGER NOT NULL,
     prompt TEXT NOT NULL,
     image_hash TEXT NOT NULL,
     audio_hash TEXT NOT NULL,
     frames INTEGER NOT NULL,
     video_seconds REAL NOT NULL,
     token TEXT NOT NULL UNIQUE,
     remote_id TEXT,
     status TEXT NOT NULL CHECK (status IN
       ('intent','submitted','running','succeeded','failed','cancelled','uncertain')),
     estimated_micros INTEGER NOT NULL,
     actual_micros INTEGER,
     created_at INTEGER NOT NULL,
     submitted_at INTEGER,
     finished_at INTEGER,
     failure_reason TEXT,
     output_hash TEXT,
     stale INTEGER NOT NULL DEFAULT 0,
     spec_json TEXT NOT NULL
   );
   CREATE INDEX takes_segment ON takes (segment);
   CREATE INDEX takes_segment_key ON takes (segment_key);
   CREATE INDEX takes_job_key ON takes (job_key);
   CREATE TABLE picks (
     segment_key TEXT PRIMARY KEY,
     segment INTEGER NOT NULL,
     take_id TEXT NOT NULL,
     picked_at INTEGER NOT NULL
   );
   CREATE TABLE ledger (
     id INTEGER PRIMARY KEY,
     take_id TEXT NOT NULL,
     kind TEXT NOT NULL CHECK (kind IN ('reserve','release','charge')),
     micros INTEGER NOT NULL,
     at INTEGER NOT NULL
   );
   CREATE INDEX ledger_take ON ledger (take_id);`,
];

export interface SqliteStoreOptions {
  /** Milliseconds a writer waits for another process's lock before failing (default 10 s). */
  readonly busyTimeoutMs?: number;
}

/** The database file of a project. */
export function databasePath(projectDir: string): string {
  return join(projectDir, ".refrain", "refrain.db");
}

/**
 * Opens (creating and migrating) the project's store at `<project>/.refrain/`.
 *
 * WAL lets the CLI, a worker and the review server read while one writes. Durability is chosen
 * per commit: in WAL mode synchronous=NORMAL already survives `kill -9` at any instant (only a
 * power cut can drop the last commits), so ordinary commits use it. The commit that stops a paid
 * job being submitted twice — the intent with its budget reservation — uses FULL, so not even a
 * power cut can forget it after the provider accepted the job. Losing a later commit is safe: a
 * lost remote id sends the take through lookup (or "uncertain"), a lost "finished" means a
 * re-poll and re-fetch of a take whose file was already synced.
 */
export function openSqliteStore(projectDir: string, options: SqliteStoreOptions = {}): Store {
  const dir = join(projectDir, ".refrain");
  const readOnly = (path: string, e: unknown) =>
    ["EACCES", "EPERM", "EROFS"].includes((e as NodeJS.ErrnoException).code ?? "")
      ? new UserInputError(`the project's store ${path} is read-only for you`, {
          cause: e,
          file: path,
          hint: "run refrain as the user who owns the project folder, or make it writable",
        })
      : e;
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw readOnly(dir, e);
  }
  const file = databasePath(projectDir);
  // SQLite opens a file it may not write and fails only at the first write, as an unexpected error.
  for (const path of [dir, file]) {
    try {
      accessSync(path, constants.W_OK);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "ENOENT") continue;
      throw readOnly(path, e);
    }
  }
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (e) {
    throw new UserInputError(`cannot open the project database ${file}: ${(e as Error).message}`, {
      cause: e,
      file,
    });
  }
  db.pragma(`busy_timeout = ${options.busyTimeoutMs ?? 10_000}`);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  migrate(db, file);

  const media = openMediaFolder(join(dir, "media"));

  const s = {
    stageGet: db.prepare<[string, string], StageRow>("SELECT * FROM stages WHERE stage = ? AND key_hash = ?"),
    stageLatest: db.prepare<[string], StageRow>(
      "SELECT * FROM stages WHERE stage = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
    ),
    stagePut: db.prepare(
      `INSERT INTO stages (stage, key_hash, key_json, result_json, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (stage, key_hash) DO UPDATE SET key_json = excluded.key_json,
         result_json = excluded.result_json, created_at = excluded.created_at`,
    ),
    committed: db.prepare<[], { micros: number }>("SELECT COALESCE(SUM(micros), 0) AS micros FROM ledger"),
    totals: db.prepare<[], { charged: number; reserved: number }>(LEDGER_TOTALS_SQL),
    outstanding: db.prepare<[string], { micros: number }>(
      "SELECT COALESCE(SUM(micros), 0) AS micros FROM ledger WHERE take_id = ? AND kind <> 'charge'",
    ),
    ledgerAdd: db.prepare("INSERT INTO ledger (take_id, kind, micros, at) VALUES (?, ?, ?, ?)"),
    ledgerAll: db.prepare<[], LedgerRow>("SELECT * FROM ledger ORDER BY id"),
    ledgerOf: db.prepare<[string], LedgerRow>("SELECT * FROM ledger WHERE take_id = ? ORDER BY id"),
    takeInsert: db.prepare(
      `INSERT INTO takes (id, job_key, segment, segment_key, kind, provider, endpoint, model, seed, prompt,
         image_hash, audio_hash, frames, video_seconds, token, status, estimated_micros, created_at, spec_json)
       VALUES (@id, @jobKey, @segment, @segmentKey, @kind, @provider, @endpoint, @model, @seed, @prompt,
         @imageHash, @audioHash, @frames, @videoSeconds, @token, 'intent', @estimatedMicros, @createdAt, @specJson)`,
    ),
    takeGet: db.prepare<[string], TakeRow>(`${TAKE_SELECT} WHERE t.id = ?`),
    jobHolder: db.prepare<[string], TakeRow>(
      `${TAKE_SELECT} WHERE t.job_key = ? AND t.status NOT IN ('failed', 'cancelled') ORDER BY t.created_at LIMIT 1`,
    ),
    submitted: db.prepare(
      `UPDATE takes SET remote_id = ?, submitted_at = ?, status = 'submitted'
       WHERE id = ? AND status IN ('intent', 'uncertain')`,
    ),
    running: db.prepare("UPDATE takes SET status = 'running' WHERE id = ? AND status = 'submitted'"),
    uncertain: db.prepare(
      "UPDATE takes SET status = 'uncertain', failure_reason = ? WHERE id = ? AND status = 'intent'",
    ),
    finish: db.prepare(
      `UPDATE takes SET status = @status, finished_at = @finishedAt, output_hash = @outputHash,
         failure_reason = @failureReason, actual_micros = @actualMicros
       WHERE id = @id AND status IN ('intent', 'submitted', 'running', 'uncertain')`,
    ),
    pickDefault: db.prepare(
      "INSERT INTO picks (segment_key, segment, take_id, picked_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
    ),
    pickSet: db.prepare(
      `INSERT INTO picks (segment_key, segment, take_id, picked_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (segment_key) DO UPDATE SET segment = excluded.segment, take_id = excluded.take_id,
         picked_at = excluded.picked_at`,
    ),
    picks: db.prepare<[], PickRow>("SELECT * FROM picks ORDER BY segment, segment_key"),
    stale: db.prepare(
      `UPDATE takes SET stale = CASE WHEN segment_key IN (SELECT value FROM json_each(?)) THEN 0 ELSE 1 END`,
    ),
    staleCount: db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM takes WHERE stale = 1"),
    deleteTake: db.prepare("DELETE FROM takes WHERE id = ?"),
    deletePick: db.prepare("DELETE FROM picks WHERE take_id = ?"),
  };

  /** Runs `write` with its commit synced to disk before returning (see openSqliteStore). */
  const durably = <T>(write: () => T): T => {
    db.pragma("synchronous = FULL");
    try {
      return write();
    } finally {
      db.pragma("synchronous = NORMAL");
    }
  };

  const release = (takeId: string, at: number) => {
    const held = s.outstanding.get(takeId)?.micros ?? 0;
    if (held !== 0) s.ledgerAdd.run(takeId, "release", -held, at);
  };

  const requireTake = (takeId: string): Take => {
    const row = s.takeGet.get(takeId);
    if (!row) throw new UserInputError(`no take ${takeId} in ${file}`);
    return toTake(row);
  };

  const createIntent = db.transaction((take: NewTake, budgetUsd: number | undefined): IntentResult => {
    const { estimatedMicros, specJson } = newTakeValues(take);
    const holder = s.jobHolder.get(take.jobKey);
    if (holder) return { ok: false, reason: "taken", take: toTake(holder) };
    if (budgetUsd !== undefined) {
      const refused = overBudget(s.committed.get()?.micros ?? 0, estimatedMicros, budgetUsd);
      if (refused) return refused;
    }
    s.takeInsert.run({ ...take, estimatedMicros, specJson });
    if (estimatedMicros !== 0) s.ledgerAdd.run(take.id, "reserve", estimatedMicros, take.createdAt);
    return { ok: true, take: requireTake(take.id) };
  });

  const finishTake = db.transaction((takeId: string, o: TakeOutcome): Take => {
    const before = requireTake(takeId);
    const values = finishValues(o);
    const changed = s.finish.run({ id: takeId, ...values }).changes;
    // Finishing twice (a retried step after a crash) must not charge twice.
    if (changed === 0) return before;
    release(takeId, o.finishedAt);
    if (o.chargeUsd !== 0) s.ledgerAdd.run(takeId, "charge", values.actualMicros, o.finishedAt);
    if (o.status === "succeeded") s.pickDefault.run(before.segmentKey, before.segment, takeId, o.finishedAt);
    return requireTake(takeId);
  });

  const resolveUncertain = db.transaction(
    (takeId: string, r: { remoteId: string; at: number } | { void: true; at: number }) => {
      requireResolvable(requireTake(takeId));
      if ("remoteId" in r) {
        s.submitted.run(r.remoteId, r.at, takeId);
      } else {
        s.finish.run({ id: takeId, ...finishValues(voidOutcome(r.at)) });
        release(takeId, r.at);
      }
    },
  );

  const deleteTakes = db.transaction((ids: readonly string[]) => {
    for (const id of ids) {
      s.deletePick.run(id);
      s.deleteTake.run(id);
    }
  });

  const markStale = db.transaction((keys: readonly string[]) => {
    s.stale.run(JSON.stringify(keys));
    return s.staleCount.get()?.n ?? 0;
  });

  const store: Store = {
    kind: "sqlite",
    media,
    async getStage(stage, keyHash) {
      const row = s.stageGet.get(stage, keyHash);
      return row && toStage(row);
    },
    async latestStage(stage) {
      const row = s.stageLatest.get(stage);
      return row && toStage(row);
    },
    async putStage(key: CacheKey, result: unknown, createdAt: number) {
      const keyHash = hashKey(key);
      const row = stageRow(key, keyHash, result, createdAt);
      s.stagePut.run(row.stage, row.key_hash, row.key_json, row.result_json, row.created_at);
      return { stage: key.stage, keyHash, key, result, createdAt };
    },
    async createIntent(take, budgetUsd) {
      return durably(() => createIntent.immediate(take, budgetUsd));
    },
    async markSubmitted(takeId, remoteId, submittedAt) {
      s.submitted.run(remoteId, submittedAt, takeId);
    },
    async markRunning(takeId) {
      s.running.run(takeId);
    },
    async markUncertain(takeId, reason) {
      s.uncertain.run(reason, takeId);
    },
    async finishTake(takeId, outcome) {
      return finishTake.immediate(takeId, outcome);
    },
    async resolveUncertain(takeId, resolution) {
      resolveUncertain.immediate(takeId, resolution);
    },
    async getTake(takeId) {
      const row = s.takeGet.get(takeId);
      return row && toTake(row);
    },
    async listTakes(filter: TakeFilter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.segment !== undefined) {
        where.push("t.segment = ?");
        params.push(filter.segment);
      }
      if (filter.segmentKey !== undefined) {
        where.push("t.segment_key = ?");
        params.push(filter.segmentKey);
      }
      if (filter.jobKeys !== undefined) {
        where.push("t.job_key IN (SELECT value FROM json_each(?))");
        params.push(JSON.stringify(filter.jobKeys));
      }
      if (filter.statuses !== undefined) {
        where.push("t.status IN (SELECT value FROM json_each(?))");
        params.push(JSON.stringify(filter.statuses));
      }
      const sql = `${TAKE_SELECT}${where.length ? ` WHERE ${where.join(" AND ")}` : ""}
        ORDER BY t.segment, t.created_at, t.rowid`;
      return (db.prepare(sql).all(...params) as TakeRow[]).map(toTake);
    },
    async markStale(keys) {
      return markStale.immediate(keys);
    },
    async deleteTakes(ids) {
      deleteTakes.immediate(ids);
    },
    async setPick(segmentKey, segment, takeId, at) {
      s.pickSet.run(segmentKey, segment, takeId, at);
    },
    async listPicks() {
      return s.picks.all().map(toPick);
    },
    async ledger(takeId?: string) {
      const rows = takeId === undefined ? s.ledgerAll.all() : s.ledgerOf.all(takeId);
      return rows.map(toLedgerEntry);
    },
    async ledgerTotals(): Promise<LedgerTotals> {
      const t = s.totals.get() ?? { charged: 0, reserved: 0 };
      return toLedgerTotals(t);
    },
    async close() {
      if (db.open) db.close();
    },
  };
  return store;
}

/** Applies missing schema steps under a write lock, so two processes opening at once migrate once. */
function migrate(db: Database.Database, file: string): void {
  const step = db.transaction(() => {
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > MIGRATIONS.length) throw newerSchemaError(file, version, MIGRATIONS.length, { file });
    for (let v = version; v < MIGRATIONS.length; v++) db.exec(MIGRATIONS[v]!);
    if (version < MIGRATIONS.length) db.pragma(`user_version = ${MIGRATIONS.length}`);
  });
  step.immediate();
}

/** Runs SQLite's own consistency check; "ok" when the file is sound. */
export function integrityCheck(projectDir: string): string {
  const db = new Database(databasePath(projectDir), { readonly: true });
  try {
    return db.pragma("integrity_check", { simple: true }) as string;
  } finally {
    db.close();
  }
}
