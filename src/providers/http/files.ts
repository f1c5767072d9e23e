// Turning the key image and a clip's audio into URLs a hosted API can read: data URIs, the provider's own storage, or the user's bucket.
import { createHash } from "node:crypto";
import { copyFile, mkdir, readFile } from "node:fs/promises";
import { extname, join } from "node:path";
import { throwIfAborted, UserInputError } from "../../errors/index.js";
import type { HostedHttp } from "./client.js";

/** A local file about to be sent, read once. */
export interface LocalFile {
  readonly path: string;
  readonly bytes: Buffer;
  readonly contentType: string;
  /** sha256 of the bytes (hex): the name it is stored under, so one file goes up once. */
  readonly hash: string;
  /** `refrain-<hash>.<ext>`. */
  readonly name: string;
}

/** Somewhere a file can be put so the provider can read it by URL. */
export interface FileHost {
  readonly kind: string;
  /** The URL the provider reads the file from; uploads at most once per content. */
  url(file: LocalFile, signal?: AbortSignal): Promise<string>;
}

const TYPES: Record<string, string> = {
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".webp": "image/webp",
  ".bmp": "image/bmp",
  ".wav": "audio/wav",
  ".mp3": "audio/mpeg",
  ".flac": "audio/flac",
  ".m4a": "audio/mp4",
  ".ogg": "audio/ogg",
  ".mp4": "video/mp4",
};

export function contentTypeOf(path: string): string {
  return TYPES[extname(path).toLowerCase()] ?? "application/octet-stream";
}

/** Reads a job's input file; a missing file is the user's error, named. */
export async function readLocalFile(path: string, what: string): Promise<LocalFile> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (e) {
    throw new UserInputError(`${what} ${path}: cannot read it (${(e as NodeJS.ErrnoException).code})`, {
      file: path,
      cause: e,
    });
  }
  const hash = createHash("sha256").update(bytes).digest("hex");
  const ext = extname(path).toLowerCase() || ".bin";
  return { path, bytes, contentType: contentTypeOf(path), hash, name: `refrain-${hash.slice(0, 24)}${ext}` };
}

export function dataUri(file: LocalFile): string {
  return `data:${file.contentType};base64,${file.bytes.toString("base64")}`;
}

/** Remembers each content's URL, so a file (the key image above all) is uploaded once per host. */
export function onceByContent(host: FileHost): FileHost {
  const known = new Map<string, Promise<string>>();
  return {
    kind: host.kind,
    url(file, signal) {
      let url = known.get(file.hash);
      if (!url) {
        url = host.url(file, signal);
        known.set(file.hash, url);
        url.catch(() => known.delete(file.hash));
      }
      return url;
    },
  };
}

/** Inline `data:` URIs: no upload at all; for APIs (and fakes) that accept them, and small files. */
export function dataUriHost(): FileHost {
  return { kind: "data-uri", url: async (file) => dataUri(file) };
}

/**
 * The `files:` setting of a project, for APIs that read inputs only from public URLs:
 *   files: data-uri                                   # inline (only where the API accepts it)
 *   files: { put: https://bucket…/refrain/, public_url?: https://cdn…/refrain/, headers?: {…} }
 *        # HTTP PUT of each file to <put><name> (an S3-compatible bucket with a write policy, WebDAV…),
 *        # readable at <public_url or put><name>
 *   files: { dir: /srv/www/refrain, public_url: https://example.org/refrain/ }
 *        # copied into a folder a web server publishes
 * Every upload is checked by reading it back (HEAD) at its public URL before a paid job uses it.
 */
export type FilesSetting =
  | "data-uri"
  | { readonly put: string; readonly public_url?: string; readonly headers?: Record<string, string> }
  | { readonly dir: string; readonly public_url: string };

export function parseFilesSetting(value: unknown, where: string): FilesSetting | undefined {
  if (value === undefined) return undefined;
  if (value === "data-uri") return value;
  if (value && typeof value === "object") {
    const v = value as Record<string, unknown>;
    if (typeof v.put === "string" && /^https?:\/\//.test(v.put)) {
      if (v.public_url !== undefined && typeof v.public_url !== "string")
        throw new UserInputError(`${where}.files.public_url must be a URL`);
      return {
        put: v.put,
        public_url: v.public_url as string | undefined,
        headers: (v.headers as Record<string, string> | undefined) ?? undefined,
      };
    }
    if (typeof v.dir === "string" && typeof v.public_url === "string") {
      return { dir: v.dir, public_url: v.public_url };
    }
  }
  throw new UserInputError(
    `${where}.files: expected "data-uri", { put: <https URL>, public_url? } or { dir, public_url }`,
  );
}

function joinUrl(base: string, name: string): string {
  return `${base.replace(/\/+$/, "")}/${name}`;
}

/** Checks an uploaded file is readable at its public URL with the right size. */
async function verifyPublic(
  http: HostedHttp,
  url: string,
  file: LocalFile,
  signal?: AbortSignal,
): Promise<void> {
  const res = await http.request("HEAD", url, { signal, auth: false });
  await res.arrayBuffer().catch(() => undefined);
  if (!res.ok) {
    throw http.error(`uploaded ${file.path} but ${url} answers HTTP ${res.status}`, {
      status: res.status,
      hint: "the files: location must be publicly readable",
    });
  }
  const length = res.headers.get("content-length");
  if (length !== null && Number(length) !== file.bytes.length) {
    throw http.error(`uploaded ${file.bytes.length} bytes of ${file.path} but ${url} holds ${length}`, {
      transient: true,
    });
  }
}

/** The host a `files:` setting describes. `http` carries the provider's name for errors (its key is never sent). */
export function fileHostFromSetting(setting: FilesSetting, http: HostedHttp): FileHost {
  if (setting === "data-uri") return dataUriHost();
  if ("put" in setting) {
    return onceByContent({
      kind: "put",
      async url(file, signal) {
        throwIfAborted(signal);
        const target = joinUrl(setting.put, file.name);
        const res = await http.request("PUT", target, {
          body: new Uint8Array(file.bytes),
          headers: { "content-type": file.contentType, ...(setting.headers ?? {}) },
          signal,
          auth: false,
          timeoutMs: 5 * 60_000,
        });
        await http.check(res, `PUT ${target.split("?")[0]}`);
        await res.arrayBuffer().catch(() => undefined);
        const url = joinUrl(setting.public_url ?? setting.put, file.name);
        await verifyPublic(http, url, file, signal);
        return url;
      },
    });
  }
  return onceByContent({
    kind: "dir",
    async url(file, signal) {
      throwIfAborted(signal);
      await mkdir(setting.dir, { recursive: true });
      await copyFile(file.path, join(setting.dir, file.name));
      const url = joinUrl(setting.public_url, file.name);
      await verifyPublic(http, url, file, signal);
      return url;
    },
  });
}
