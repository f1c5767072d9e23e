// A fake Hugging Face file host: /<repo>/resolve/<revision>/<path> with HTTP Range, and the failures a download must survive.
//
// Like huggingface.co, /resolve/ answers 302 to a CDN-style URL that serves the bytes (when `redirect`).
// Behaviours: `dropAfter` cuts the connection after N bytes (for the first `dropTimes` requests of that
// file), `corrupt` serves the file with one byte changed, `noRange` ignores Range (always 200).
import { createHash } from "node:crypto";
import { closeServer, createServer, listenLoopback } from "../shared/http.js";

export interface FakeModelFilesOptions {
  /** URL path (e.g. "/acme/wan/resolve/main/vae.safetensors") → bytes. */
  readonly files: Readonly<Record<string, Buffer>>;
  readonly dropAfter?: Readonly<Record<string, number>>;
  /** How many requests of a file are cut (default 1). */
  readonly dropTimes?: number;
  readonly corrupt?: readonly string[];
  readonly redirect?: boolean;
  readonly noRange?: boolean;
}

export interface FakeRequest {
  readonly path: string;
  readonly range?: string;
  readonly status: number;
  readonly bytes: number;
}

export interface FakeModelFiles {
  readonly url: string;
  readonly requests: FakeRequest[];
  close(): Promise<void>;
}

/** Deterministic pseudo-random bytes (sha256 in counter mode): model files made by code, never committed. */
export function modelBytes(seed: string, size: number): Buffer {
  const out = Buffer.alloc(size);
  let offset = 0;
  for (let i = 0; offset < size; i++) {
    const block = createHash("sha256").update(`${seed}:${i}`).digest();
    offset += block.copy(out, offset);
  }
  return out;
}

export function sha256(bytes: Buffer): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function startFakeModelFiles(options: FakeModelFilesOptions): Promise<FakeModelFiles> {
  const requests: FakeRequest[] = [];
  const drops = new Map<string, number>();
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    let path = decodeURIComponent(url.pathname);
    if (options.redirect && !path.startsWith("/cdn/") && path.includes("/resolve/")) {
      requests.push({ path, status: 302, bytes: 0 });
      res.writeHead(302, { location: `/cdn${encodeURI(path)}?expires=soon` });
      res.end();
      return;
    }
    if (path.startsWith("/cdn/")) path = path.slice(4);
    const original = options.files[path];
    if (!original) {
      requests.push({ path, status: 404, bytes: 0 });
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("Entry not found");
      return;
    }
    let body = original;
    if (options.corrupt?.includes(path)) {
      body = Buffer.from(original);
      body[Math.floor(body.length / 2)]! ^= 0xff;
    }
    const rangeHeader = req.headers.range;
    let start = 0;
    let status = 200;
    const headers: Record<string, string> = {
      "content-type": "application/octet-stream",
      "accept-ranges": "bytes",
      etag: `"${sha256(original)}"`,
    };
    if (rangeHeader && !options.noRange) {
      const m = /^bytes=(\d+)-$/.exec(rangeHeader);
      start = m ? Number(m[1]) : 0;
      if (start >= body.length) {
        requests.push({ path, range: rangeHeader, status: 416, bytes: 0 });
        res.writeHead(416, { "content-range": `bytes */${body.length}` });
        res.end();
        return;
      }
      status = 206;
      headers["content-range"] = `bytes ${start}-${body.length - 1}/${body.length}`;
    }
    const slice = body.subarray(start);
    headers["content-length"] = String(slice.length);
    const dropAt = options.dropAfter?.[path];
    const dropped = drops.get(path) ?? 0;
    if (dropAt !== undefined && dropped < (options.dropTimes ?? 1) && dropAt < slice.length) {
      drops.set(path, dropped + 1);
      requests.push({ path, range: rangeHeader, status, bytes: dropAt });
      res.writeHead(status, headers);
      res.write(slice.subarray(0, dropAt), () => {
        // Cut the connection mid-body, as a flaky network or a killed client does.
        setTimeout(() => res.socket?.destroy(), 20);
      });
      return;
    }
    requests.push({ path, range: rangeHeader, status, bytes: slice.length });
    res.writeHead(status, headers);
    res.end(slice);
  });
  const url = await listenLoopback(server);
  return { url, requests, close: () => closeServer(server) };
}
