// The engine's vocabulary: jobs asked for, events while they run, and the report afterwards.
import type { ClipJob, ClipProvider } from "../providers/clip.js";
import type { Store, Take } from "../store/index.js";

/**
 * One take to make: a ClipJob without its token (the engine mints one per attempt), plus what the
 * store needs to recognise the job on a later run.
 */
export type JobSpec = Omit<ClipJob, "token"> & {
  /** Hash of the segment's audio span, frames and kind (see `segmentKey`). */
  readonly segmentKey: string;
  /** sha256 of `image` / `audio`; computed from the files when absent. */
  readonly imageHash?: string;
  readonly audioHash?: string;
  /** Overrides the provider's price model for the budget reservation. */
  readonly estimatedUsd?: number;
  /** Higher goes first when slots are scarce (continuity: segments left in the chain); default 0. */
  readonly priority?: number;
  /** Continuity: `image` is the last frame of this take of the previous segment. */
  readonly startFrom?: StartFrom;
};

/** Where a chained job's start image came from, kept on its takes so a re-pick can mark them stale. */
export interface StartFrom {
  readonly segment: number;
  readonly takeId: string;
  /** sha256 of the extracted last frame (the job's `imageHash`). */
  readonly frameHash: string;
}

/** A job that has a finished take (made now or on an earlier run), as `GenerateOptions.after` sees it. */
export interface FinishedJob {
  readonly segment: number;
  readonly takeId: string;
  readonly outputHash: string;
  readonly spec: JobSpec;
}

export type EngineEvent =
  | {
      readonly type: "submitted";
      readonly segment: number;
      readonly takeId: string;
      readonly endpoint: string;
      readonly remoteId: string;
    }
  | { readonly type: "adopted"; readonly segment: number; readonly takeId: string; readonly remoteId: string }
  | {
      readonly type: "progress";
      readonly segment: number;
      readonly takeId: string;
      readonly state: string;
      readonly progress?: number;
      readonly queuePosition?: number;
    }
  | {
      readonly type: "retry";
      readonly segment: number;
      readonly step: "submit" | "lookup" | "poll" | "fetch";
      readonly attempt: number;
      readonly delayMs: number;
      readonly reason: string;
    }
  | {
      readonly type: "succeeded";
      readonly segment: number;
      readonly takeId: string;
      readonly outputHash: string;
    }
  | { readonly type: "failed"; readonly segment: number; readonly takeId?: string; readonly reason: string }
  | { readonly type: "uncertain"; readonly segment: number; readonly takeId: string; readonly reason: string }
  | {
      readonly type: "budget-exceeded";
      readonly segment: number;
      readonly estimatedUsd: number;
      readonly committedUsd: number;
      readonly budgetUsd: number;
    };

export interface GenerateOptions {
  readonly store: Store;
  /** A pool of endpoints of one provider kind and model; every slot of every endpoint is used. */
  readonly providers: readonly ClipProvider[];
  readonly jobs: readonly JobSpec[];
  /** Cap on charged + reserved money across the project; a submit that would cross it is not made. */
  readonly budgetUsd?: number;
  /** A remote job running longer than this after its submit is cancelled (default 1 hour). */
  readonly deadlineMs?: number;
  readonly signal?: AbortSignal;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onEvent?: (e: EngineEvent) => void;
  /** Between polls of one remote job (default 2 s). */
  readonly pollIntervalMs?: number;
  /** Transient failures of one step before giving up on it (default 6). */
  readonly maxRetries?: number;
  /** First retry delay; doubles per attempt, with jitter (default 1 s, at most 60 s). */
  readonly retryBaseMs?: number;
  /** Seeds the retry jitter, so a test run is repeatable. */
  readonly seed?: number;
  /** A temporary path to fetch a take's video to; it is moved into the media folder. */
  readonly fetchTo?: (take: Take) => string;
  /**
   * Called once a job has a finished take (made now, or found from an earlier run); the jobs it
   * returns join this run. Continuity chains use it: a segment's job exists only once the segment
   * before it has a picked take. A job already in the run is not added twice.
   */
  readonly after?: (done: FinishedJob) => Promise<readonly JobSpec[]>;
}

export interface TakeRef {
  readonly segment: number;
  readonly takeId: string;
}

export interface GenerateReport {
  /** Segments with a finished take, made now or on an earlier run. */
  readonly succeeded: readonly (TakeRef & { readonly outputHash: string; readonly earlier: boolean })[];
  readonly failed: readonly { readonly segment: number; readonly takeId?: string; readonly reason: string }[];
  /** Submits that may or may not have reached a provider that cannot be asked: the user decides. */
  readonly uncertain: readonly (TakeRef & { readonly reason: string })[];
  /** Remote jobs still running when the engine stopped; the next run polls them. */
  readonly inFlight: readonly (TakeRef & { readonly endpoint: string; readonly remoteId: string | null })[];
  /** Jobs never submitted (stopped, or refused by the budget). */
  readonly notStarted: readonly number[];
  readonly budget?: {
    readonly committedUsd: number;
    readonly budgetUsd: number;
    readonly refused: readonly number[];
  };
  /** The signal stopped the run. */
  readonly cancelled: boolean;
  /** Submits made by this run. */
  readonly submissions: number;
}
