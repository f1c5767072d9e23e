// The Store port: what the pipeline keeps between runs (stage results, takes, picks, the money ledger, media).
import type { CacheKey } from "./cachekey.js";

/** A stored stage result (analysis, plan, render…), found by the hash of its CacheKey. */
export interface StageRecord {
  readonly stage: string;
  readonly keyHash: string;
  readonly key: CacheKey;
  readonly result: unknown;
  readonly createdAt: number;
}

/**
 * Where a take is in its life.
 * - intent: committed before submit (client token and budget reserved); no remote id yet.
 * - submitted / running: the provider holds the job under `remoteId`.
 * - succeeded: the output is in the media folder (`outputHash`).
 * - failed / cancelled: finished without output; `failureReason` says why.
 * - uncertain: a submit may or may not have reached the provider and it cannot be asked;
 *   never resubmitted silently, the user decides.
 */
export type TakeStatus =
  | "intent"
  | "submitted"
  | "running"
  | "succeeded"
  | "failed"
  | "cancelled"
  | "uncertain";

export const ACTIVE_STATUSES: readonly TakeStatus[] = ["intent", "submitted", "running"];
export const FINISHED_STATUSES: readonly TakeStatus[] = ["succeeded", "failed", "cancelled"];

/** What the engine writes before a submit: the job a take attempts, before anything is known of it. */
export interface NewTake {
  readonly id: string;
  /** Identity of the job this take attempts (segment key, seed, prompt, inputs, model): re-runs find it. */
  readonly jobKey: string;
  readonly segment: number;
  /** Hash of the segment's audio span, frames and kind: takes keep matching after a re-plan. */
  readonly segmentKey: string;
  readonly kind: string;
  /** Provider kind ("comfyui", "fal") and the endpoint of the pool that holds the job. */
  readonly provider: string;
  readonly endpoint: string;
  readonly model: string;
  readonly seed: number;
  readonly prompt: string;
  readonly imageHash: string;
  readonly audioHash: string;
  readonly frames: number;
  /** Seconds of video the take produces (frames ÷ fps), for cost per accepted second. */
  readonly videoSeconds: number;
  readonly token: string;
  readonly estimatedUsd: number;
  readonly createdAt: number;
  /** The job as the engine was asked to make it (paths included), for rerolls. */
  readonly spec: unknown;
}

/** One generation attempt for a segment: the job it attempts and what became of it. */
export interface Take extends NewTake {
  readonly remoteId: string | null;
  readonly status: TakeStatus;
  readonly actualUsd: number | null;
  readonly submittedAt: number | null;
  readonly finishedAt: number | null;
  readonly failureReason: string | null;
  readonly outputHash: string | null;
  /** The segment this take was made for no longer exists in the current plan. */
  readonly stale: boolean;
  readonly picked: boolean;
}

export type IntentResult =
  | { readonly ok: true; readonly take: Take }
  /** The reservation would cross the budget: nothing was written. */
  | {
      readonly ok: false;
      readonly reason: "budget";
      readonly committedUsd: number;
      readonly budgetUsd: number;
    }
  /**
   * The job already has a live or finished take (another process got there first): nothing was
   * written. Only failed and cancelled takes leave a job open for a new attempt.
   */
  | { readonly ok: false; readonly reason: "taken"; readonly take: Take };

/** How a take ended; the ledger turns its reservation into `chargeUsd`. */
export interface TakeOutcome {
  readonly status: "succeeded" | "failed" | "cancelled";
  readonly finishedAt: number;
  readonly outputHash?: string;
  readonly failureReason?: string;
  readonly chargeUsd: number;
}

export interface TakeFilter {
  readonly segment?: number;
  readonly segmentKey?: string;
  readonly jobKeys?: readonly string[];
  readonly statuses?: readonly TakeStatus[];
}

export interface LedgerEntry {
  readonly takeId: string;
  readonly kind: "reserve" | "release" | "charge";
  /** Signed: a release is the negative of its reservation. */
  readonly usd: number;
  readonly at: number;
}

export interface LedgerTotals {
  /** Money actually charged. */
  readonly chargedUsd: number;
  /** Reservations of takes not yet finished (held against the budget). */
  readonly reservedUsd: number;
}

export interface Pick {
  readonly segmentKey: string;
  readonly segment: number;
  readonly takeId: string;
  readonly pickedAt: number;
}

export interface PutMediaOptions {
  /** Move the file in (its source is gone afterwards) rather than copy it. */
  readonly move?: boolean;
  /** Extension to store under; defaults to the source's. */
  readonly ext?: string;
}

/**
 * Content-addressed media: `<root>/<sha256[0:2]>/<sha256>.<ext>`. A file appears under its
 * final name only when complete and synced, so a kill at any instant leaves no half file.
 */
export interface MediaFolder {
  readonly root: string;
  put(path: string, options?: PutMediaOptions): Promise<string>;
  /** The file's path; throws when the folder has no such hash. */
  path(hash: string): string;
  has(hash: string): boolean;
  /** Deletes the file; returns the bytes freed (0 when absent). */
  remove(hash: string): Promise<number>;
}

/**
 * The port every store implements (SQLite embedded, PostgreSQL shared) and the conformance
 * suite in store.case.ts checks. Methods return Promises so a networked store fits the same shape.
 */
export interface Store {
  readonly kind: string;

  getStage(stage: string, keyHash: string): Promise<StageRecord | undefined>;
  /** The most recent result of a stage, whatever its key: `refrain explain` compares against it. */
  latestStage(stage: string): Promise<StageRecord | undefined>;
  putStage(key: CacheKey, result: unknown, createdAt: number): Promise<StageRecord>;

  /**
   * Commits a take in `intent` with its budget reservation, in one transaction that also checks
   * the budget (charged + reserved + this estimate must not exceed `budgetUsd`) and that the job
   * (`jobKey`) has no take that is live, uncertain or succeeded. Otherwise nothing is written and
   * `ok` is false. Two processes cannot both pass either check.
   */
  createIntent(take: NewTake, budgetUsd?: number): Promise<IntentResult>;
  /** Records the provider's id once it accepted the job. */
  markSubmitted(takeId: string, remoteId: string, submittedAt: number): Promise<void>;
  markRunning(takeId: string): Promise<void>;
  /** The submit may or may not have reached the provider and it cannot be asked. */
  markUncertain(takeId: string, reason: string): Promise<void>;
  /**
   * Ends a take: status, output and reason, the reservation released and the charge recorded, and
   * (for a success) the segment's pick set when it has none — all in one transaction.
   */
  finishTake(takeId: string, outcome: TakeOutcome): Promise<Take>;
  /** Settles an uncertain take the user resolved: back to `submitted` with a remote id, or void. */
  resolveUncertain(
    takeId: string,
    resolution: { remoteId: string; at: number } | { void: true; at: number },
  ): Promise<void>;
  getTake(takeId: string): Promise<Take | undefined>;
  listTakes(filter?: TakeFilter): Promise<Take[]>;
  /** Marks takes of segment keys outside `current` stale, and those inside fresh. */
  markStale(currentSegmentKeys: readonly string[]): Promise<number>;
  deleteTakes(takeIds: readonly string[]): Promise<void>;

  setPick(segmentKey: string, segment: number, takeId: string, at: number): Promise<void>;
  listPicks(): Promise<Pick[]>;

  ledger(takeId?: string): Promise<LedgerEntry[]>;
  ledgerTotals(): Promise<LedgerTotals>;

  readonly media: MediaFolder;

  close(): Promise<void>;
}
