// Checking and installing a workflow's model files in a ComfyUI folder: resumable downloads, sha256 verified before the file appears.
//
// A download goes to `<name>.partial` beside its final place; an interrupted one resumes with an HTTP
// Range request (the bytes already there are hashed first, so the whole file is hashed exactly once).
// Only a file whose size and sha256 match is renamed into place; a wrong hash deletes the partial.
// Hashes the publisher does not list are taken from the first download and kept in the lock file,
// `<comfy>/models/refrain-models.lock.json`, beside the models themselves: it travels with the
// ComfyUI folder (several projects share one), not with a project.
import { createHash } from "node:crypto";
import { once } from "node:events";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import { mkdir, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";
import { type Dispatcher, EnvHttpProxyAgent, fetch as undiciFetch } from "undici";
import { Cancelled, ProviderError, throwIfAborted, UserInputError } from "../errors/index.js";
import { writeFileAtomic } from "../files/index.js";
import { MANIFESTS, type ModelFile, type ModelManifest, modelUrl } from "./manifests.js";

export const LOCK_NAME = "refrain-models.lock.json";
const LOCK_VERSION = 1;

export interface LockEntry {
  readonly sha256: string;
  readonly size: number;
  /** "publisher": checked against the manifest's hash; "first-download": trusted on first use. */
  readonly source: "publisher" | "first-download";
  readonly url: string;
  readonly recordedAt: string;
}

export interface ModelsLock {
  readonly version: number;
  readonly files: Record<string, LockEntry>;
}

/** Where a manifest entry lives relative to the models folder, e.g. "vae/wan_2.1_vae.safetensors". */
export function modelKey(file: ModelFile): string {
  return `${file.folder}/${file.name}`;
}

export function manifestFor(workflow: string | ModelManifest): ModelManifest {
  if (typeof workflow !== "string") return workflow;
  const found = (MANIFESTS as Record<string, ModelManifest>)[workflow];
  if (!found) {
    throw new UserInputError(`no model manifest for workflow "${workflow}"`, {
      hint: `built-in workflows: ${Object.keys(MANIFESTS).join(", ")}`,
    });
  }
  return found;
}

function modelsDir(comfyDir: string): string {
  const dir = join(comfyDir, "models");
  if (!existsSync(dir)) {
    throw new UserInputError(`${comfyDir} is not a ComfyUI folder: it has no models/ folder`, {
      hint: "give --comfy-dir the folder ComfyUI runs from (it holds main.py and models/)",
    });
  }
  return dir;
}

export async function readModelsLock(comfyDir: string): Promise<ModelsLock> {
  const file = join(comfyDir, "models", LOCK_NAME);
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch {
    return { version: LOCK_VERSION, files: {} };
  }
  try {
    const parsed = JSON.parse(text) as ModelsLock;
    if (parsed.version !== LOCK_VERSION || typeof parsed.files !== "object")
      throw new Error("unknown version");
    return parsed;
  } catch (e) {
    throw new UserInputError(`${file} is not a refrain models lock (version ${LOCK_VERSION})`, {
      file,
      cause: e,
      hint: "delete it; hashes of files without a published hash will be recorded again",
    });
  }
}

async function writeModelsLock(comfyDir: string, lock: ModelsLock): Promise<void> {
  await writeFileAtomic(join(comfyDir, "models", LOCK_NAME), `${JSON.stringify(lock, null, 2)}\n`);
}

/** The hash a file must have: the publisher's, else the one recorded at its first download. */
function expectedHash(file: ModelFile, lock: ModelsLock): { sha256: string; source: string } | null {
  if (file.sha256) return { sha256: file.sha256, source: "the publisher's listing" };
  const recorded = lock.files[modelKey(file)];
  return recorded
    ? { sha256: recorded.sha256, source: "the first download (refrain-models.lock.json)" }
    : null;
}

export async function sha256File(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path, { signal })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export interface ModelState {
  readonly file: ModelFile;
  readonly path: string;
  /** Why it is wrong, for wrongHash entries. */
  readonly problem?: string;
}

export interface ModelsCheck {
  readonly workflow: string;
  readonly needed: readonly ModelState[];
  readonly present: readonly ModelState[];
  readonly missing: readonly ModelState[];
  readonly wrongHash: readonly ModelState[];
}

export interface CheckOptions {
  /** Hash every present file (slow: gigabytes); by default only sizes are compared. */
  readonly verify?: boolean;
  readonly signal?: AbortSignal;
}

/** What a workflow needs in a ComfyUI folder, and which of it is there, missing or wrong. */
export async function checkModels(
  comfyDir: string,
  workflow: string | ModelManifest,
  options: CheckOptions = {},
): Promise<ModelsCheck> {
  const manifest = manifestFor(workflow);
  const dir = modelsDir(comfyDir);
  const lock = await readModelsLock(comfyDir);
  const needed: ModelState[] = [];
  const present: ModelState[] = [];
  const missing: ModelState[] = [];
  const wrongHash: ModelState[] = [];
  for (const file of manifest.files) {
    throwIfAborted(options.signal);
    const path = join(dir, file.folder, file.name);
    const state = { file, path };
    needed.push(state);
    const s = await stat(path).catch(() => null);
    if (!s?.isFile()) {
      missing.push(state);
      continue;
    }
    const size = file.size ?? lock.files[modelKey(file)]?.size ?? null;
    if (size !== null && s.size !== size) {
      wrongHash.push({ ...state, problem: `${s.size} bytes, expected ${size}` });
      continue;
    }
    const expected = expectedHash(file, lock);
    if (options.verify && expected) {
      const got = await sha256File(path, options.signal);
      if (got !== expected.sha256) {
        wrongHash.push({
          ...state,
          problem: `sha256 ${got}, expected ${expected.sha256} from ${expected.source}`,
        });
        continue;
      }
    }
    present.push(state);
  }
  return { workflow: manifest.workflow, needed, present, missing, wrongHash };
}

export interface InstallProgress {
  readonly file: string;
  readonly bytes: number;
  readonly total: number | null;
}

export interface InstallOptions {
  /** Environment for HF_ENDPOINT, HF_TOKEN, HTTPS_PROXY/HTTP_PROXY/NO_PROXY (default process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Overrides HF_ENDPOINT (default env.HF_ENDPOINT ?? https://huggingface.co). */
  readonly endpoint?: string;
  readonly onProgress?: (p: InstallProgress) => void;
  /** Trust-on-first-use notices and the like. */
  readonly onWarning?: (line: string) => void;
  readonly signal?: AbortSignal;
  /** Resumes after a dropped connection this many times per file (default 3). */
  readonly retries?: number;
  /** Time without a byte before a connection counts as dropped (default 60 s). */
  readonly idleTimeoutMs?: number;
}

export interface InstallResult {
  readonly installed: readonly string[];
  readonly alreadyPresent: readonly string[];
  readonly warnings: readonly string[];
}

/** The proxy-aware dispatcher for the environment's HTTPS_PROXY / HTTP_PROXY / NO_PROXY, or undefined for none. */
export function proxyDispatcher(env: NodeJS.ProcessEnv): Dispatcher | undefined {
  const httpProxy = env.HTTP_PROXY ?? env.http_proxy;
  const httpsProxy = env.HTTPS_PROXY ?? env.https_proxy ?? httpProxy;
  if (!httpProxy && !httpsProxy) return undefined;
  return new EnvHttpProxyAgent({
    httpProxy: httpProxy ?? httpsProxy,
    httpsProxy,
    noProxy: env.NO_PROXY ?? env.no_proxy ?? "",
  });
}

/** Downloads what the workflow needs and is missing; verifies each file before it appears. */
export async function installModels(
  comfyDir: string,
  workflow: string | ModelManifest,
  options: InstallOptions = {},
): Promise<InstallResult> {
  const env = options.env ?? process.env;
  const endpoint = options.endpoint ?? env.HF_ENDPOINT ?? "https://huggingface.co";
  const check = await checkModels(comfyDir, workflow, { signal: options.signal });
  if (check.wrongHash.length > 0) {
    const first = check.wrongHash[0]!;
    throw new UserInputError(
      `${first.path} is not the file workflow ${check.workflow} needs (${first.problem})${check.wrongHash.length > 1 ? ` (and ${check.wrongHash.length - 1} more)` : ""}`,
      { file: first.path, hint: "move it away or delete it, then run refrain models install again" },
    );
  }
  const dispatcher = proxyDispatcher(env);
  const warnings: string[] = [];
  const warn = (line: string) => {
    warnings.push(line);
    options.onWarning?.(line);
  };
  const installed: string[] = [];
  try {
    let lock = await readModelsLock(comfyDir);
    for (const { file, path } of check.missing) {
      const url = modelUrl(file, endpoint);
      const expected = expectedHash(file, lock);
      const got = await downloadModelFile(url, path, file, {
        dispatcher,
        expected,
        token: env.HF_TOKEN,
        onProgress: options.onProgress,
        signal: options.signal,
        retries: options.retries ?? 3,
        idleTimeoutMs: options.idleTimeoutMs ?? 60_000,
      });
      if (!expected) {
        warn(
          `${modelKey(file)}: no published sha256; recorded ${got.sha256} from this download (trust on first use) in ${LOCK_NAME}`,
        );
      }
      lock = {
        version: LOCK_VERSION,
        files: {
          ...lock.files,
          [modelKey(file)]: {
            sha256: got.sha256,
            size: got.size,
            source: file.sha256 ? "publisher" : "first-download",
            url,
            recordedAt: new Date().toISOString(),
          },
        },
      };
      await writeModelsLock(comfyDir, lock);
      installed.push(modelKey(file));
    }
  } finally {
    await dispatcher?.close().catch(() => undefined);
  }
  return { installed, alreadyPresent: check.present.map((s) => modelKey(s.file)), warnings };
}

interface DownloadOptions {
  readonly dispatcher?: Dispatcher;
  readonly expected: { sha256: string; source: string } | null;
  readonly token?: string;
  readonly onProgress?: (p: InstallProgress) => void;
  readonly signal?: AbortSignal;
  readonly retries: number;
  readonly idleTimeoutMs: number;
}

function shown(url: string): string {
  return url.split("?")[0]!;
}

/** One file: resume into `.partial` until whole (or out of retries), check size and hash, rename into place. */
async function downloadModelFile(
  url: string,
  dest: string,
  file: ModelFile,
  options: DownloadOptions,
): Promise<{ sha256: string; size: number }> {
  const partial = `${dest}.partial`;
  await mkdir(dirname(dest), { recursive: true });
  const key = modelKey(file);
  let lastError: unknown;
  for (let attempt = 0; attempt <= options.retries; attempt++) {
    throwIfAborted(options.signal);
    let have = (await stat(partial).catch(() => null))?.size ?? 0;
    if (file.size !== null && have > file.size) {
      await rm(partial, { force: true });
      have = 0;
    }
    const hash = createHash("sha256");
    let total = file.size;
    let complete = file.size !== null && have === file.size;
    /** Whether `hash` has seen every byte of the partial (it streamed this attempt). */
    let streamed = false;
    if (!complete) {
      const headers: Record<string, string> = {};
      if (have > 0) headers.range = `bytes=${have}-`;
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const controller = new AbortController();
      let idle: NodeJS.Timeout | undefined;
      const touch = () => {
        clearTimeout(idle);
        idle = setTimeout(() => controller.abort(new Error("no data")), options.idleTimeoutMs);
      };
      const signal = options.signal
        ? AbortSignal.any([options.signal, controller.signal])
        : controller.signal;
      try {
        touch();
        const res = await undiciFetch(url, {
          headers,
          dispatcher: options.dispatcher,
          signal,
          redirect: "follow",
        });
        if (res.status === 416 && have > 0) {
          // The server has no bytes past ours: the partial may be whole; the hash decides.
          await res.body?.cancel();
          complete = true;
        } else if (res.status === 200 || res.status === 206) {
          let append = res.status === 206;
          if (append) {
            const start = /bytes (\d+)-/.exec(res.headers.get("content-range") ?? "")?.[1];
            if (Number(start) !== have) append = false;
          }
          if (!append) have = 0;
          const length = Number(res.headers.get("content-length"));
          if (total === null && Number.isFinite(length) && res.headers.get("content-length") !== null) {
            total = have + length;
          }
          if (have > 0) {
            for await (const chunk of createReadStream(partial, { end: have - 1 }))
              hash.update(chunk as Buffer);
          }
          const out = createWriteStream(partial, { flags: append ? "a" : "w" });
          let bytes = have;
          try {
            if (!res.body) throw new Error("empty body");
            for await (const chunk of res.body) {
              touch();
              hash.update(chunk);
              if (!out.write(chunk)) await once(out, "drain");
              bytes += chunk.length;
              options.onProgress?.({ file: key, bytes, total });
            }
          } finally {
            await new Promise<void>((resolve, reject) =>
              out.end((e?: Error | null) => (e ? reject(e) : resolve())),
            );
          }
          have = bytes;
          streamed = true;
          complete = total === null || have >= total;
        } else {
          await res.body?.cancel();
          throw failure(res.status, url, key);
        }
      } catch (e) {
        clearTimeout(idle);
        if (options.signal?.aborted)
          throw new Cancelled("model download cancelled; run again to resume", { cause: e });
        if (e instanceof ProviderError && !e.transient) throw e;
        lastError = e;
        continue;
      } finally {
        clearTimeout(idle);
      }
      if (!complete) continue;
    }
    const size = (await stat(partial)).size;
    if (file.size !== null && size !== file.size) {
      lastError = new Error(`${size} of ${file.size} bytes`);
      continue;
    }
    // A file found complete without streaming (416, or whole from an earlier run) is hashed here.
    const sha256 = streamed && have === size ? hash.digest("hex") : await sha256File(partial, options.signal);
    if (options.expected && sha256 !== options.expected.sha256) {
      await rm(partial, { force: true });
      throw new ProviderError(
        "models",
        `${key} from ${shown(url)} has sha256 ${sha256}, not ${options.expected.sha256} from ${options.expected.source}; the download was deleted`,
        { hint: "run again; if it repeats, the server (or HF_ENDPOINT mirror) serves a different file" },
      );
    }
    await rename(partial, dest);
    return { sha256, size };
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new ProviderError(
    "models",
    `${key}: download from ${shown(url)} kept failing (${reason}); the part already fetched is kept`,
    { transient: true, cause: lastError, hint: "run refrain models install again to resume" },
  );
}

function failure(status: number, url: string, key: string): ProviderError {
  if (status === 401 || status === 403) {
    return new ProviderError("models", `${key}: ${shown(url)} refused the download (HTTP ${status})`, {
      status,
      hint: "a gated repository needs HF_TOKEN set to a Hugging Face token with access",
    });
  }
  if (status === 404) {
    return new ProviderError("models", `${key}: ${shown(url)} does not exist (HTTP 404)`, {
      status,
      hint: "check HF_ENDPOINT; the mirror may not carry this repository",
    });
  }
  return new ProviderError("models", `${key}: ${shown(url)} answered HTTP ${status}`, {
    status,
    transient: status === 429 || status >= 500,
  });
}
