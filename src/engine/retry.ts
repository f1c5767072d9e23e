// Retry policy as pure functions: which failures are worth another try, and how long to wait.
import { ProviderError } from "../errors/index.js";

/** Network errors raised before a request left this machine: the provider cannot have seen it. */
const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"]);
/** Network errors that may strike before or after the provider got the request. */
const DROPPED = new Set(["ECONNRESET", "EPIPE", "ETIMEDOUT", "UND_ERR_SOCKET", "UND_ERR_CONNECT_TIMEOUT"]);

function codeOf(e: unknown): string | undefined {
  for (let cur: unknown = e, depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === "string") return code;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * What a failed submit means for paying twice.
 * - retry: the provider surely did not accept it (429, connection refused): submit again later.
 * - rejected: the provider refused it for good (a 4xx about the job): the take fails.
 * - ambiguous: it may have been accepted (5xx, timeout, dropped connection): ask the provider
 *   by client token, or call it uncertain; never resubmit blindly.
 */
export type SubmitFailure = "retry" | "rejected" | "ambiguous";

export function classifySubmitError(e: unknown): SubmitFailure {
  const code = codeOf(e);
  if (code !== undefined && NOT_SENT.has(code)) return "retry";
  if (e instanceof ProviderError) {
    if (e.status === 429) return "retry";
    if (!e.transient && e.status !== undefined && e.status >= 400 && e.status < 500 && e.status !== 408)
      return "rejected";
    if (!e.transient && e.status === undefined && code === undefined) return "rejected";
  }
  return "ambiguous";
}

/** Whether a failed poll, fetch or lookup is worth another try. */
export function isTransient(e: unknown): boolean {
  if (e instanceof ProviderError) return e.transient;
  const code = codeOf(e);
  return code !== undefined && (NOT_SENT.has(code) || DROPPED.has(code));
}

/** Seconds the provider asked us to wait, when it did. */
export function retryAfterMs(e: unknown): number | undefined {
  return e instanceof ProviderError && e.retryAfterS !== undefined ? e.retryAfterS * 1000 : undefined;
}

/**
 * Delay before retry number `attempt` (0-based): exponential with equal jitter (half fixed, half
 * random, so retries of many jobs spread out), never shorter than the provider's Retry-After.
 */
export function backoffMs(
  attempt: number,
  random: number,
  baseMs: number,
  maxMs = 60_000,
  afterMs?: number,
): number {
  const exp = Math.min(maxMs, baseMs * 2 ** attempt);
  const jittered = exp / 2 + (exp / 2) * random;
  return Math.ceil(Math.max(jittered, afterMs ?? 0));
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return (e as { shortMessage?: string }).shortMessage ?? e.message;
  return String(e);
}
