// The typed errors refrain raises, and the exit code and one-line message each maps to.
//
// Every error a user can cause or fix carries a `shortMessage`: one line saying which file or
// field, what is wrong and what to do. The CLI prints only that line unless --verbose.

export const ExitCode = {
  ok: 0,
  unexpected: 1,
  badInput: 2,
  media: 3,
  provider: 4,
  budget: 5,
  interrupted: 130,
} as const;

export interface RefrainErrorOptions {
  cause?: unknown;
  /** What the user can do about it; appended to the message. */
  hint?: string;
}

export class RefrainError extends Error {
  readonly shortMessage: string;
  readonly exitCode: number = ExitCode.unexpected;
  readonly hint?: string;

  constructor(message: string, options: RefrainErrorOptions = {}) {
    const full = options.hint ? `${message} — ${options.hint}` : message;
    super(full, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.shortMessage = full;
    this.hint = options.hint;
  }
}

/** Something the user gave refrain is missing, unreadable or invalid. */
export class UserInputError extends RefrainError {
  override readonly exitCode: number = ExitCode.badInput;
  /** The file at fault, when there is one. */
  readonly file?: string;
  constructor(message: string, options: RefrainErrorOptions & { file?: string } = {}) {
    super(message, options);
    this.file = options.file;
  }
}

/** ffmpeg or ffprobe failed, or is missing something refrain needs. */
export class MediaError extends RefrainError {
  override readonly exitCode: number = ExitCode.media;
  readonly command?: string;
  readonly stderrTail?: string;
  readonly exitStatus?: number | null;
  constructor(
    message: string,
    options: RefrainErrorOptions & { command?: string; stderrTail?: string; exitStatus?: number | null } = {},
  ) {
    super(message, options);
    this.command = options.command;
    this.stderrTail = options.stderrTail;
    this.exitStatus = options.exitStatus;
  }
}

/** A generation provider refused, failed or could not be reached. */
export class ProviderError extends RefrainError {
  override readonly exitCode: number = ExitCode.provider;
  readonly provider: string;
  /** Whether trying again later may succeed (429, 5xx, timeouts, dropped connections). */
  readonly transient: boolean;
  /** Seconds the provider asked us to wait (Retry-After), when it said. */
  readonly retryAfterS?: number;
  readonly status?: number;
  constructor(
    provider: string,
    message: string,
    options: RefrainErrorOptions & { transient?: boolean; retryAfterS?: number; status?: number } = {},
  ) {
    super(`${provider}: ${message}`, options);
    this.provider = provider;
    this.transient = options.transient ?? false;
    this.retryAfterS = options.retryAfterS;
    this.status = options.status;
  }
}

/** Spending more would cross the project's budget. */
export class BudgetExceeded extends RefrainError {
  override readonly exitCode: number = ExitCode.budget;
}

/** The user or a signal stopped the work. */
export class Cancelled extends RefrainError {
  override readonly exitCode: number = ExitCode.interrupted;
  constructor(message = "cancelled", options: RefrainErrorOptions = {}) {
    super(message, options);
  }
}

export function isRefrainError(e: unknown): e is RefrainError {
  return e instanceof RefrainError;
}

/** Throws Cancelled if the signal has fired; call between steps of long work. */
export function throwIfAborted(signal?: AbortSignal): void {
  if (signal?.aborted) throw new Cancelled("cancelled", { cause: signal.reason });
}
