// Serving files safely: names checked segment by segment, real paths confined to a folder, HTTP Range for seeking.
import { createReadStream } from "node:fs";
import { realpath, stat } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { extname, join, sep } from "node:path";

const TYPES: Record<string, string> = {
  ".mp4": "video/mp4",
  ".m4v": "video/mp4",
  ".mov": "video/quicktime",
  ".webm": "video/webm",
  ".mkv": "video/x-matroska",
  ".m4a": "audio/mp4",
  ".aac": "audio/aac",
  ".mp3": "audio/mpeg",
  ".wav": "audio/wav",
  ".flac": "audio/flac",
  ".ogg": "audio/ogg",
  ".opus": "audio/ogg",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".srt": "text/plain; charset=utf-8",
  ".ass": "text/plain; charset=utf-8",
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".json": "application/json",
  ".ico": "image/x-icon",
};

export function contentType(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/**
 * Splits a raw request path into decoded segments, or null when any segment could leave its folder:
 * "." or "..", a slash or backslash once decoded, a NUL, a drive letter, or bad percent-encoding.
 */
export function pathSegments(rawPath: string): string[] | null {
  const trimmed = rawPath.startsWith("/") ? rawPath.slice(1) : rawPath;
  if (trimmed === "") return [];
  const parts = trimmed.split("/");
  const out: string[] = [];
  for (const part of parts) {
    let s: string;
    try {
      s = decodeURIComponent(part);
    } catch {
      return null;
    }
    if (s === "" || s === "." || s === ".." || /[/\\\0]/.test(s) || /^[a-zA-Z]:/.test(s)) return null;
    out.push(s);
  }
  return out;
}

/** The real path of `root/name`, or null when it is missing, not a file, or resolves outside `root`. */
export async function confinedFile(root: string, name: string): Promise<string | null> {
  try {
    const realRoot = await realpath(root);
    const real = await realpath(join(root, name));
    if (!isInside(realRoot, real)) return null;
    const s = await stat(real);
    return s.isFile() ? real : null;
  } catch {
    return null;
  }
}

export function isInside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** Parses a single `bytes=` range against a file size; "unsatisfiable" when it lies past the end. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | "unsatisfiable" | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === "" && m[2] === "")) return undefined;
  let start: number;
  let end: number;
  if (m[1] === "") {
    // A suffix range: the last N bytes.
    const n = Number(m[2]);
    if (n === 0) return "unsatisfiable";
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === "" ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return "unsatisfiable";
  return { start, end };
}

/** Sends a file whole or the one byte range asked for; HEAD sends the headers only. */
export async function sendFile(
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
  extraHeaders: Record<string, string> = {},
): Promise<void> {
  const { size } = await stat(path);
  const range = parseRange(req.headers.range, size);
  const headers: Record<string, string | number> = {
    "content-type": contentType(path),
    "accept-ranges": "bytes",
    ...extraHeaders,
  };
  if (range === "unsatisfiable") {
    res.writeHead(416, { ...headers, "content-range": `bytes */${size}` });
    res.end();
    return;
  }
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  if (range) headers["content-range"] = `bytes ${start}-${end}/${size}`;
  headers["content-length"] = length;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === "HEAD" || length === 0) {
    res.end();
    return;
  }
  await new Promise<void>((resolve) => {
    const stream = createReadStream(path, { start, end });
    stream.on("error", () => {
      res.destroy();
      resolve();
    });
    res.on("close", () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
