// What the SQLite and PostgreSQL stores share: row shapes, row → record mapping and the ledger's money rules.
import { UserInputError } from "../errors/index.js";
import type { CacheKey } from "./cachekey.js";
import type {
  IntentResult,
  LedgerEntry,
  LedgerTotals,
  NewTake,
  Pick,
  StageRecord,
  Take,
  TakeOutcome,
  TakeStatus,
} from "./types.js";

/** Money is stored as integer micro-dollars so sums never drift. */
export const toMicros = (usd: number) => Math.round(usd * 1e6);
export const fromMicros = (micros: number) => micros / 1e6;

/** A take row; `stale` and `picked` are 0/1 in SQLite and booleans in PostgreSQL. */
export interface TakeRow {
  id: string;
  job_key: string;
  segment: number;
  segment_key: string;
  kind: string;
  provider: string;
  endpoint: string;
  model: string;
  seed: number;
  prompt: string;
  image_hash: string;
  audio_hash: string;
  frames: number;
  video_seconds: number;
  token: string;
  remote_id: string | null;
  status: TakeStatus;
  estimated_micros: number;
  actual_micros: number | null;
  created_at: number;
  submitted_at: number | null;
  finished_at: number | null;
  failure_reason: string | null;
  output_hash: string | null;
  stale: number | boolean;
  spec_json: string;
  picked: number | boolean;
}

export interface StageRow {
  stage: string;
  key_hash: string;
  key_json: string;
  result_json: string;
  created_at: number;
}

export interface LedgerRow {
  take_id: string;
  kind: LedgerEntry["kind"];
  micros: number;
  at: number;
}

export interface PickRow {
  segment_key: string;
  segment: number;
  take_id: string;
  picked_at: number;
}

/** A take with whether it is its segment's pick; both dialects accept it as written. */
export const TAKE_SELECT = `SELECT t.*, (p.take_id IS NOT NULL) AS picked
  FROM takes t LEFT JOIN picks p ON p.segment_key = t.segment_key AND p.take_id = t.id`;

/** Sums of the ledger: what was charged, and what is still reserved (reserve + release). */
export const LEDGER_TOTALS_SQL = `SELECT COALESCE(SUM(CASE WHEN kind = 'charge' THEN micros END), 0) AS charged,
              COALESCE(SUM(CASE WHEN kind <> 'charge' THEN micros END), 0) AS reserved FROM ledger`;

export function toTake(r: TakeRow): Take {
  return {
    id: r.id,
    jobKey: r.job_key,
    segment: r.segment,
    segmentKey: r.segment_key,
    kind: r.kind,
    provider: r.provider,
    endpoint: r.endpoint,
    model: r.model,
    seed: r.seed,
    prompt: r.prompt,
    imageHash: r.image_hash,
    audioHash: r.audio_hash,
    frames: r.frames,
    videoSeconds: r.video_seconds,
    token: r.token,
    remoteId: r.remote_id,
    status: r.status,
    estimatedUsd: fromMicros(r.estimated_micros),
    actualUsd: r.actual_micros === null ? null : fromMicros(r.actual_micros),
    createdAt: r.created_at,
    submittedAt: r.submitted_at,
    finishedAt: r.finished_at,
    failureReason: r.failure_reason,
    outputHash: r.output_hash,
    stale: r.stale === true || r.stale === 1,
    picked: r.picked === true || r.picked === 1,
    spec: JSON.parse(r.spec_json),
  };
}

export function toStage(r: StageRow): StageRecord {
  return {
    stage: r.stage,
    keyHash: r.key_hash,
    key: JSON.parse(r.key_json) as CacheKey,
    result: JSON.parse(r.result_json),
    createdAt: r.created_at,
  };
}

export function toPick(r: PickRow): Pick {
  return { segmentKey: r.segment_key, segment: r.segment, takeId: r.take_id, pickedAt: r.picked_at };
}

export function toLedgerEntry(r: LedgerRow): LedgerEntry {
  return { takeId: r.take_id, kind: r.kind, usd: fromMicros(r.micros), at: r.at };
}

export function toLedgerTotals(t: { charged: number; reserved: number }): LedgerTotals {
  return { chargedUsd: fromMicros(t.charged), reservedUsd: fromMicros(t.reserved) };
}

/** The stage row a CacheKey and its result are stored as. */
export function stageRow(key: CacheKey, keyHash: string, result: unknown, createdAt: number): StageRow {
  return {
    stage: key.stage,
    key_hash: keyHash,
    key_json: JSON.stringify(key),
    result_json: JSON.stringify(result ?? null),
    created_at: createdAt,
  };
}

/** The values of a new take's row beyond the NewTake itself. */
export function newTakeValues(take: NewTake): { estimatedMicros: number; specJson: string } {
  return { estimatedMicros: toMicros(take.estimatedUsd), specJson: JSON.stringify(take.spec ?? null) };
}

/**
 * The refusal when reserving `estimatedMicros` on top of what the ledger already holds
 * (`committedMicros`: reservations, releases and charges) would pass the budget; undefined when it fits.
 */
export function overBudget(
  committedMicros: number,
  estimatedMicros: number,
  budgetUsd: number | undefined,
): IntentResult | undefined {
  if (budgetUsd === undefined) return undefined;
  if (committedMicros + estimatedMicros > toMicros(budgetUsd))
    return { ok: false, reason: "budget", committedUsd: fromMicros(committedMicros), budgetUsd };
  return undefined;
}

/** The columns a finish writes, from the outcome. */
export function finishValues(o: TakeOutcome): {
  status: TakeStatus;
  finishedAt: number;
  outputHash: string | null;
  failureReason: string | null;
  actualMicros: number;
} {
  return {
    status: o.status,
    finishedAt: o.finishedAt,
    outputHash: o.outputHash ?? null,
    failureReason: o.failureReason ?? null,
    actualMicros: toMicros(o.chargeUsd),
  };
}

/** How a take the provider never received is closed: cancelled, nothing charged. */
export function voidOutcome(at: number): TakeOutcome {
  return {
    status: "cancelled",
    finishedAt: at,
    failureReason: "void: the provider never received it",
    chargeUsd: 0,
  };
}

/** Only a take still at intent or uncertain can be resolved (submitted after all, or void). */
export function requireResolvable(take: Take): void {
  if (take.status !== "uncertain" && take.status !== "intent")
    throw new UserInputError(`take ${take.id} is ${take.status}, not uncertain`);
}

/** The refusal to open a schema a newer refrain wrote. */
export function newerSchemaError(
  what: string,
  version: number,
  known: number,
  details: { file?: string } = {},
): UserInputError {
  return new UserInputError(
    `${what} was written by a newer refrain (schema ${version}, this one knows ${known})`,
    { ...details, hint: "upgrade refrain" },
  );
}
