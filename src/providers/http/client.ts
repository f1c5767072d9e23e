// JSON over HTTP to a hosted video API: the key in its header, time limits, and every failure as a scrubbed ProviderError.
import { Cancelled, ProviderError } from "../../errors/index.js";
import { scrub, scrubError } from "./scrub.js";

export interface SignableRequest {
  readonly method: string;
  readonly url: URL;
  readonly headers: Record<string, string>;
  readonly body: string;
}

export interface HostedHttpOptions {
  /** Provider kind, the prefix of every error ("fal: …"). */
  readonly provider: string;
  /** Base URL relative paths resolve against (settings `base_url`, so tests point at a fake). */
  readonly baseUrl: string;
  /** Headers that carry the key, e.g. `{ Authorization: "Key …" }`. */
  readonly authHeaders?: Readonly<Record<string, string>>;
  /** The environment variable holding the key, named (never the key) when it is refused. */
  readonly keyVariable: string;
  /** Every secret to scrub from messages, log lines and causes. */
  readonly secrets: readonly (string | undefined)[];
  /** Per-request time limit (default 60 s). */
  readonly timeoutMs?: number;
  /** One line per request, already scrubbed. */
  readonly log?: (line: string) => void;
  /** The provider's reason from an error body, when the generic reading misses it. */
  readonly describe?: (body: unknown) => string | undefined;
  /** Request signing (Volcengine V4): headers to add to the request. */
  readonly sign?: (req: SignableRequest) => Record<string, string>;
}

export interface RequestOptions {
  readonly json?: unknown;
  readonly body?: string | Uint8Array | FormData | Blob;
  readonly headers?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
  readonly timeoutMs?: number;
  /** Send the key (default true). Off for third-party URLs such as signed upload or result URLs. */
  readonly auth?: boolean;
}

/** The reason text of a JSON error body in the shapes hosted APIs use. Pure. */
export function describeErrorBody(body: unknown): string | undefined {
  if (typeof body === "string") return body.trim() || undefined;
  if (!body || typeof body !== "object") return undefined;
  const b = body as Record<string, unknown>;
  // fal / FastAPI: detail is a string or [{loc, msg, type}]; Replicate: {title, detail}.
  if (Array.isArray(b.detail)) {
    const parts = (b.detail as { loc?: unknown[]; msg?: string; message?: string }[]).map((d) => {
      const loc = Array.isArray(d?.loc) ? d.loc.filter((x) => x !== "body").join(".") : "";
      const msg = d?.msg ?? d?.message ?? JSON.stringify(d);
      return loc ? `${loc}: ${msg}` : msg;
    });
    if (parts.length > 0) return parts.join("; ");
  }
  if (typeof b.detail === "string") return b.detail;
  // Volcengine OpenAPI gateway.
  const meta = b.ResponseMetadata as { Error?: { Code?: string; Message?: string } } | undefined;
  if (meta?.Error) return [meta.Error.Code, meta.Error.Message].filter(Boolean).join(": ");
  // DashScope {code, message}; Volcengine CV {code, message}; WaveSpeed {code, message}.
  if (typeof b.message === "string" && b.message) {
    return typeof b.code === "string" && b.code ? `${b.code}: ${b.message}` : b.message;
  }
  if (typeof b.error === "string") return b.error;
  if (b.error && typeof b.error === "object") return describeErrorBody(b.error);
  if (typeof b.title === "string") return b.title;
  return undefined;
}

/** Seconds to wait from a Retry-After header (seconds or an HTTP date), given the current time. Pure. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const n = Number(value);
  if (Number.isFinite(n)) return n >= 0 ? n : undefined;
  const at = Date.parse(value);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, Math.ceil((at - nowMs) / 1000));
}

function networkCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: string } })?.cause;
  return cause?.code ?? (e as { code?: string })?.code;
}

export class HostedHttp {
  readonly provider: string;
  readonly baseUrl: string;
  private readonly options: HostedHttpOptions;

  constructor(options: HostedHttpOptions) {
    this.options = options;
    this.provider = options.provider;
    this.baseUrl = options.baseUrl.replace(/\/+$/, "");
  }

  /** Scrubs the provider's secrets from a text. */
  scrub(text: string): string {
    return scrub(text, this.options.secrets);
  }

  /** A ProviderError whose message, hint and cause carry no secret. */
  error(
    message: string,
    options: {
      transient?: boolean;
      retryAfterS?: number;
      status?: number;
      hint?: string;
      cause?: unknown;
    } = {},
  ): ProviderError {
    return new ProviderError(this.provider, this.scrub(message), {
      ...options,
      hint: options.hint === undefined ? undefined : this.scrub(options.hint),
      cause: options.cause === undefined ? undefined : scrubError(options.cause, this.options.secrets),
    });
  }

  url(pathOrUrl: string): URL {
    return new URL(/^[a-z]+:/i.test(pathOrUrl) ? pathOrUrl : `${this.baseUrl}${pathOrUrl}`);
  }

  /** Sends one request; resolves with the Response whatever its status; network failures become errors. */
  async request(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<Response> {
    if (options.signal?.aborted) throw new Cancelled("cancelled", { cause: options.signal.reason });
    const url = this.url(pathOrUrl);
    const timeout = AbortSignal.timeout(options.timeoutMs ?? this.options.timeoutMs ?? 60_000);
    const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    let body = options.body;
    if (options.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(options.json);
    }
    if (options.auth !== false) {
      Object.assign(headers, this.options.authHeaders ?? {});
      if (this.options.sign) {
        Object.assign(
          headers,
          this.options.sign({ method, url, headers, body: typeof body === "string" ? body : "" }),
        );
      }
    }
    const what = `${method} ${url.origin}${url.pathname}`;
    const started = Date.now();
    try {
      const res = await fetch(url, { method, headers, body, signal });
      this.options.log?.(this.scrub(`${what} → ${res.status} (${Date.now() - started} ms)`));
      return res;
    } catch (e) {
      this.options.log?.(this.scrub(`${what} → failed (${Date.now() - started} ms)`));
      throw this.failure(e, options.signal, what);
    }
  }

  /** Maps a thrown fetch or stream error to Cancelled (the caller's signal) or a transient ProviderError. */
  failure(e: unknown, signal: AbortSignal | undefined, what: string): Error {
    if (e instanceof Cancelled || e instanceof ProviderError) return e;
    if (signal?.aborted) return new Cancelled("cancelled", { cause: signal.reason });
    const name = (e as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return this.error(`${what} got no answer in time`, { transient: true, cause: e });
    }
    const code = networkCode(e) ?? (e as Error)?.message ?? "network error";
    return this.error(`cannot reach ${what} (${code})`, { transient: true, cause: e });
  }

  /** The ProviderError for a non-2xx answer, read from its status, headers and body. */
  errorFor(res: Response, bodyText: string, what: string): ProviderError {
    let reason: string | undefined;
    try {
      const parsed = JSON.parse(bodyText) as unknown;
      reason = this.options.describe?.(parsed) ?? describeErrorBody(parsed);
    } catch {
      reason = bodyText.trim().split("\n")[0]?.slice(0, 200) || undefined;
    }
    reason = (reason ?? res.statusText ?? "").replace(/\s+/g, " ").trim().slice(0, 300);
    const status = res.status;
    const said = reason ? `: ${reason}` : "";
    if (status === 401 || status === 403) {
      return this.error(`${this.options.keyVariable} is not valid (HTTP ${status} on ${what}${said})`, {
        status,
        hint: `check ${this.options.keyVariable} in the environment or the project's .env`,
      });
    }
    const retryable = res.headers.get("x-fal-retryable") ?? res.headers.get("x-fal-needs-retry");
    if (status === 429) {
      const retryAfterS =
        parseRetryAfter(res.headers.get("retry-after"), Date.now()) ??
        (reason && /(\d+)\s*s\b/.exec(reason) ? Number(/(\d+)\s*s\b/.exec(reason)![1]) : undefined);
      return this.error(`${what} was throttled (HTTP 429${said})`, { status, transient: true, retryAfterS });
    }
    if (status >= 500) {
      return this.error(`${what} failed on the provider's side (HTTP ${status}${said})`, {
        status,
        transient: retryable === null ? true : retryable === "true" || retryable === "1",
        retryAfterS: parseRetryAfter(res.headers.get("retry-after"), Date.now()),
      });
    }
    return this.error(`${what} was refused (HTTP ${status}${said})`, { status, transient: status === 408 });
  }

  /** Throws the mapped ProviderError unless the answer is 2xx. */
  async check(res: Response, what: string): Promise<Response> {
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    throw this.errorFor(res, text, what);
  }

  /** One request whose 2xx answer is JSON. */
  async json<T>(method: string, pathOrUrl: string, options: RequestOptions = {}): Promise<T> {
    const url = this.url(pathOrUrl);
    const what = `${method} ${url.pathname}`;
    const res = await this.check(await this.request(method, pathOrUrl, options), what);
    let text: string;
    try {
      text = await res.text();
    } catch (e) {
      throw this.failure(e, options.signal, what);
    }
    try {
      return (text ? JSON.parse(text) : null) as T;
    } catch (e) {
      throw this.error(`${what} answered with something that is not JSON: ${text.slice(0, 80)}`, {
        cause: e,
        hint: "check base_url",
      });
    }
  }
}
