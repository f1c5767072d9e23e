// Talking HTTP to one ComfyUI server: JSON requests, uploads and downloads, with errors mapped to ProviderError.
import { createWriteStream } from "node:fs";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { Cancelled, ProviderError } from "../../errors/index.js";

const PROVIDER = "comfyui";

export interface HttpSettings {
  /** Base URL, e.g. http://127.0.0.1:8188 or https://cloud.comfy.org. */
  readonly url: string;
  /** Comfy Cloud key, sent as X-API-Key. */
  readonly apiKey?: string;
  /** Per-request time limit (default 30 s); downloads get 10 minutes. */
  readonly timeoutMs?: number;
  /** Route prefix: "" for a local server (it answers both), "/api" for Comfy Cloud (it answers only those). */
  readonly prefix?: string;
}

/** One ComfyUI error body: `{error:{type,message,details}, node_errors:{id:{errors:[…],class_type}}}`. */
export interface ComfyErrorBody {
  error?: { type?: string; message?: string; details?: string } | string;
  node_errors?: Record<
    string,
    {
      errors?: { type?: string; message?: string; details?: string; extra_info?: { input_name?: string } }[];
      class_type?: string;
    }
  >;
}

/** One line naming node, input and message for each node error, as a user fixes them. Pure. */
export function describeComfyError(body: ComfyErrorBody): string {
  const parts: string[] = [];
  for (const [id, entry] of Object.entries(body.node_errors ?? {})) {
    for (const err of entry.errors ?? []) {
      const input = err.extra_info?.input_name ?? err.details;
      const detail = err.details && err.details !== input ? ` (${err.details})` : "";
      parts.push(
        `node ${id} (${entry.class_type ?? "?"}) input ${input ?? "?"}: ${err.message ?? err.type}${detail}`,
      );
    }
  }
  if (parts.length > 0) return parts.join("; ");
  const e = body.error;
  if (typeof e === "string") return e;
  if (e) return [e.message ?? e.type ?? "refused", e.details].filter(Boolean).join(": ");
  return "refused the request";
}

/** Whether a fetch() failure is the network's fault (refused, reset, timed out): trying later may work. */
function networkCode(e: unknown): string | undefined {
  const cause = (e as { cause?: { code?: string; name?: string } })?.cause;
  return cause?.code ?? cause?.name;
}

export class ComfyHttp {
  readonly base: string;
  private readonly prefix: string;
  private readonly headers: Record<string, string>;
  private readonly timeoutMs: number;

  constructor(settings: HttpSettings) {
    this.base = settings.url.replace(/\/+$/, "");
    this.prefix = settings.prefix ?? "";
    this.headers = settings.apiKey ? { "X-API-Key": settings.apiKey } : {};
    this.timeoutMs = settings.timeoutMs ?? 30_000;
  }

  /** Sends one request; resolves with the Response whatever its status, rejects on network failure. */
  async request(
    path: string,
    init: {
      method?: string;
      json?: unknown;
      body?: FormData;
      signal?: AbortSignal;
      timeoutMs?: number;
      redirect?: "follow" | "manual" | "error";
    } = {},
  ): Promise<Response> {
    if (init.signal?.aborted) throw new Cancelled("cancelled", { cause: init.signal.reason });
    const timeout = AbortSignal.timeout(init.timeoutMs ?? this.timeoutMs);
    const signal = init.signal ? AbortSignal.any([init.signal, timeout]) : timeout;
    const headers: Record<string, string> = { ...this.headers };
    let body: string | FormData | undefined = init.body;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(init.json);
    }
    try {
      return await fetch(path.startsWith("http") ? path : `${this.base}${this.prefix}${path}`, {
        method: init.method ?? (body ? "POST" : "GET"),
        headers,
        body,
        signal,
        redirect: init.redirect,
      });
    } catch (e) {
      throw this.failure(e, init.signal, `${init.method ?? "GET"} ${path}`);
    }
  }

  /** Maps a thrown fetch/stream error to Cancelled (caller's signal) or a ProviderError. */
  failure(e: unknown, signal: AbortSignal | undefined, what: string): Error {
    if (e instanceof Cancelled || e instanceof ProviderError) return e;
    if (signal?.aborted) return new Cancelled("cancelled", { cause: signal.reason });
    const name = (e as Error)?.name;
    if (name === "TimeoutError" || name === "AbortError") {
      return new ProviderError(PROVIDER, `${this.base} did not answer ${what} in time`, {
        transient: true,
        cause: e,
      });
    }
    const code = networkCode(e) ?? (e as Error)?.message;
    return new ProviderError(PROVIDER, `cannot reach ${this.base} (${code}) for ${what}`, {
      transient: true,
      cause: e,
      hint: code === "ECONNREFUSED" ? "is ComfyUI running at that address?" : undefined,
    });
  }

  /** Throws a ProviderError for a non-2xx answer: 5xx/429 transient, 4xx not. */
  async check(res: Response, what: string): Promise<Response> {
    if (res.ok) return res;
    const text = await res.text().catch(() => "");
    let message = text.trim().split("\n")[0]?.slice(0, 200) || res.statusText;
    try {
      message = describeComfyError(JSON.parse(text) as ComfyErrorBody);
    } catch {
      // not JSON: keep the first line of the body
    }
    const transient = res.status >= 500 || res.status === 429;
    const retry = Number(res.headers.get("retry-after"));
    throw new ProviderError(PROVIDER, `${what} → HTTP ${res.status}: ${message}`, {
      transient,
      status: res.status,
      retryAfterS: Number.isFinite(retry) && retry > 0 ? retry : undefined,
      hint:
        res.status === 413
          ? "the file is over ComfyUI's --max-upload-size"
          : res.status === 401 || res.status === 403
            ? "check the Comfy Cloud API key"
            : undefined,
    });
  }

  /** GET/POST returning parsed JSON; a body that is not JSON is a ProviderError (not ComfyUI?). */
  async json<T>(
    path: string,
    init: { json?: unknown; signal?: AbortSignal; method?: string } = {},
  ): Promise<T> {
    const what = `${init.method ?? (init.json !== undefined ? "POST" : "GET")} ${path}`;
    const res = await this.check(await this.request(path, init), what);
    const text = await res.text().catch((e: unknown) => {
      throw this.failure(e, init.signal, what);
    });
    try {
      return JSON.parse(text) as T;
    } catch (e) {
      throw new ProviderError(
        PROVIDER,
        `${this.base} answered ${what} with something that is not JSON: ${text.slice(0, 80)}`,
        {
          cause: e,
          hint: "is this a ComfyUI server?",
        },
      );
    }
  }

  /** POST with a JSON body whose reply body does not matter (ComfyUI answers /queue and /interrupt empty). */
  async post(path: string, json: unknown, signal?: AbortSignal): Promise<void> {
    const res = await this.check(await this.request(path, { method: "POST", json, signal }), `POST ${path}`);
    await res.arrayBuffer().catch(() => undefined);
  }

  /** Downloads a file to `dest`. Comfy Cloud's /api/view answers 302 to a signed URL: follow it without the key. */
  async download(path: string, dest: string, signal?: AbortSignal): Promise<void> {
    const long = 10 * 60_000;
    let res = await this.request(path, { signal, redirect: "manual", timeoutMs: long });
    if (res.status >= 300 && res.status < 400 && res.headers.get("location")) {
      const location = new URL(res.headers.get("location")!, this.base).href;
      await res.arrayBuffer().catch(() => undefined);
      const timeout = AbortSignal.timeout(long);
      try {
        res = await fetch(location, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (e) {
        throw this.failure(e, signal, `GET ${location.split("?")[0]}`);
      }
    }
    await this.check(res, `GET ${path.split("?")[0]}`);
    if (!res.body) throw new ProviderError(PROVIDER, `GET ${path} returned no body`, { transient: true });
    try {
      await pipeline(
        Readable.fromWeb(res.body as import("node:stream/web").ReadableStream),
        createWriteStream(dest),
        {
          signal,
        },
      );
    } catch (e) {
      throw this.failure(e, signal, `GET ${path.split("?")[0]}`);
    }
  }
}
