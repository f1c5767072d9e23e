// Downloading a generated song or image: to a temporary name, checked by ffprobe before it counts.
import { writeFile } from "node:fs/promises";
import { throwIfAborted } from "../../errors/index.js";
import { withTempOutput } from "../../files/index.js";
import { probe, type Tools } from "../../media/index.js";
import type { HostedHttp } from "../http/client.js";

/** Downloads `url` to `dest`; the file appears only when ffprobe finds the expected stream in it. */
export async function downloadMedia(
  http: HostedHttp,
  url: string,
  dest: string,
  options: { tools: Tools; expect: "audio" | "image"; auth?: boolean; signal?: AbortSignal },
): Promise<void> {
  throwIfAborted(options.signal);
  const shown = url.split("?")[0]!;
  const res = await http.request("GET", url, {
    auth: options.auth ?? false,
    signal: options.signal,
    timeoutMs: 600_000,
  });
  if ([403, 404, 410].includes(res.status)) {
    await res.arrayBuffer().catch(() => undefined);
    throw http.error(`the ${options.expect} at ${shown} is gone (HTTP ${res.status}): its link has expired`, {
      status: res.status,
      hint: "the provider keeps results only for a while; generate again",
    });
  }
  await http.check(res, `GET ${shown}`);
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await res.arrayBuffer());
  } catch (e) {
    throw http.failure(e, options.signal, `GET ${shown}`);
  }
  await saveMedia(bytes, dest, options);
}

/** Writes bytes to `dest` atomically, refusing them unless ffprobe reads the expected kind of media. */
export async function saveMedia(
  bytes: Uint8Array,
  dest: string,
  options: {
    tools: Tools;
    expect: "audio" | "image";
    signal?: AbortSignal;
    provider?: string;
    http?: HostedHttp;
  },
): Promise<void> {
  await withTempOutput(dest, async (tmp) => {
    await writeFile(tmp, bytes);
    const info = await probe(options.tools, tmp, options.expect, options.signal).catch(() => undefined);
    const ok = options.expect === "audio" ? Boolean(info?.audio) : Boolean(info?.video && !info.audio);
    if (!ok) {
      const message = `the downloaded ${options.expect} (${bytes.length} bytes) is not a readable ${options.expect} file`;
      throw options.http ? options.http.error(message, { transient: true }) : new Error(message);
    }
  });
}
