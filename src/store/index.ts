// The store module's public surface: the Store port, its SQLite implementation, cache keys, media.
export type { CacheKey, KeyChange } from "./cachekey.js";
export { canonicalKey, describeKeyChanges, explainKey, hashKey } from "./cachekey.js";
export { hashFile, mediaSize, openMediaFolder } from "./media.js";
export type { PostgresStoreOptions } from "./postgres.js";
export { dropPostgresProject, openPostgresStore, projectSchema, redactUrl } from "./postgres.js";
export type { SqliteStoreOptions } from "./sqlite.js";
export { databasePath, integrityCheck, openSqliteStore } from "./sqlite.js";
export type { StageExplanation, StageRun } from "./stage.js";
export { cachedStage, explainStage } from "./stage.js";
export type {
  IntentResult,
  LedgerEntry,
  LedgerTotals,
  MediaFolder,
  NewTake,
  Pick,
  PutMediaOptions,
  StageRecord,
  Store,
  Take,
  TakeFilter,
  TakeOutcome,
  TakeStatus,
} from "./types.js";
export { ACTIVE_STATUSES, FINISHED_STATUSES } from "./types.js";
