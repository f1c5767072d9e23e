// Fetching a finished video: streamed to a temporary name, checked (size, type, ffprobe) before it counts.
import { createWriteStream } from "node:fs";
import { stat } from "node:fs/promises";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import { Cancelled, throwIfAborted } from "../../errors/index.js";
import { withTempOutput } from "../../files/index.js";
import { probe, type Tools } from "../../media/index.js";
import type { HostedHttp } from "./client.js";

export interface DownloadOptions {
  readonly tools: Tools;
  readonly signal?: AbortSignal;
  /** Refuse bodies over this many bytes (default 2 GB). */
  readonly maxBytes?: number;
  /** Send the provider's key with the download (default false: result URLs are signed CDN links). */
  readonly auth?: boolean;
  /** Time limit for the whole download (default 10 minutes). */
  readonly timeoutMs?: number;
}

/** Content types a video download may carry (CDNs often answer octet-stream). */
function videoType(type: string | null): boolean {
  if (!type) return true;
  const t = type.split(";")[0]!.trim().toLowerCase();
  return t.startsWith("video/") || t === "application/octet-stream" || t === "binary/octet-stream";
}

/**
 * Downloads a result video to `dest`. The file appears under `dest` only when the whole body
 * arrived (as many bytes as Content-Length said), the type is a video type and ffprobe finds a
 * video stream in it. A URL that answers 403/404/410 has expired: a ProviderError, not transient.
 */
export async function downloadVideo(
  http: HostedHttp,
  url: string,
  dest: string,
  options: DownloadOptions,
): Promise<void> {
  throwIfAborted(options.signal);
  const shown = url.split("?")[0]!;
  const res = await http.request("GET", url, {
    signal: options.signal,
    auth: options.auth ?? false,
    timeoutMs: options.timeoutMs ?? 10 * 60_000,
  });
  if ([403, 404, 410].includes(res.status)) {
    await res.arrayBuffer().catch(() => undefined);
    throw http.error(`the result video at ${shown} is gone (HTTP ${res.status}): its link has expired`, {
      status: res.status,
      hint: "the provider keeps results only for a while; generate the take again",
    });
  }
  await http.check(res, `GET ${shown}`);
  if (!videoType(res.headers.get("content-type"))) {
    await res.arrayBuffer().catch(() => undefined);
    throw http.error(`${shown} is not a video (content-type ${res.headers.get("content-type")})`);
  }
  const declared = Number(res.headers.get("content-length"));
  const max = options.maxBytes ?? 2 * 1024 ** 3;
  if (Number.isFinite(declared) && declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw http.error(`${shown} is ${declared} bytes, over the ${max}-byte limit`);
  }
  if (!res.body) throw http.error(`${shown} answered without a body`, { transient: true });
  await withTempOutput(dest, async (tmp) => {
    try {
      await pipeline(Readable.fromWeb(res.body as WebReadableStream), createWriteStream(tmp), {
        signal: options.signal,
      });
    } catch (e) {
      throw http.failure(e, options.signal, `GET ${shown}`);
    }
    const size = (await stat(tmp)).size;
    if (Number.isFinite(declared) && res.headers.get("content-length") !== null && size !== declared) {
      throw http.error(`${shown} stopped after ${size} of ${declared} bytes`, { transient: true });
    }
    if (size === 0 || size > max) throw http.error(`${shown} sent ${size} bytes`, { transient: true });
    let hasVideo = false;
    try {
      hasVideo = (await probe(options.tools, tmp, "result video", options.signal)).video !== undefined;
    } catch (e) {
      if (e instanceof Cancelled) throw e;
      throw http.error(`${shown} is not a video ffprobe can read`, { cause: e });
    }
    if (!hasVideo) throw http.error(`${shown} has no video stream`);
  });
}
