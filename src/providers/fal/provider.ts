// fal.ai's queue API as a clip provider: InfiniteTalk and OmniHuman 1.5, inputs through fal storage, results kept at once.
import { UserInputError } from "../../errors/index.js";
import type { Tools } from "../../media/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import { SAMPLE_RATE, toRate } from "../../time/index.js";
import type { ClipJob, PriceModel } from "../clip.js";
import { HostedHttp } from "../http/client.js";
import {
  type FileHost,
  type FilesSetting,
  fileHostFromSetting,
  onceByContent,
  parseFilesSetting,
  readLocalFile,
} from "../http/files.js";
import { HostedClipProvider, type InputLimits, promptFor, type RemoteStatus } from "../http/hosted.js";
import { oneOf, optionalNumber, optionalString, requireKey } from "../http/settings.js";

export const FAL_KEY_VARIABLE = "FAL_KEY";

interface FalModel {
  readonly id: string;
  readonly resolutions: readonly string[];
  readonly defaultResolution: string;
  readonly price: PriceModel;
  /** Whether the API takes a frame count (InfiniteTalk) or follows the audio (OmniHuman). */
  readonly numFrames: boolean;
  constraints(resolution: string): ClipConstraints;
  limits(resolution: string): InputLimits;
}

/** fal models refrain drives, as data. */
export const FAL_MODELS = {
  /**
   * `fal-ai/infinitalk`: image_url, audio_url, prompt (required), num_frames, resolution 480p|720p,
   * seed, acceleration [community]. 25 fps like InfiniteTalk. num_frames range 41–721 and 4n+1
   * (unverified: the sibling fal-ai/ai-avatar documents 41–241; Wan models need 4n+1).
   * $0.20 per video second, ×2 at 720p (unverified; [community] cost notes).
   */
  infinitalk: {
    id: "fal-ai/infinitalk",
    resolutions: ["480p", "720p"],
    defaultResolution: "480p",
    price: { kind: "per-video-second", usd: 0.2, byResolution: { "480p": 0.2, "720p": 0.4 } },
    numFrames: true,
    constraints: () => ({
      fps: toRate(25),
      frameRule: { kind: "multiple", of: 4, plus: 1 },
      minFrames: 41,
      maxFrames: 721,
    }),
    limits: () => ({}),
  },
  /**
   * `fal-ai/bytedance/omnihuman/v1.5`: image_url, audio_url, prompt?, resolution 720p|1080p
   * (default 1080p), turbo_mode; audio under 60 s at 720p, under 30 s at 1080p; $0.16 per second
   * (fal.ai/models/fal-ai/bytedance/omnihuman/v1.5 llms.txt and user guide). The video follows the
   * audio's length. Output fps 25 (unverified).
   */
  omnihuman: {
    id: "fal-ai/bytedance/omnihuman/v1.5",
    resolutions: ["720p", "1080p"],
    defaultResolution: "720p",
    price: { kind: "per-video-second", usd: 0.16 },
    numFrames: false,
    constraints: (resolution: string) => {
      const maxS = resolution === "1080p" ? 30 : 60;
      return {
        fps: toRate(25),
        frameRule: { kind: "any" },
        minFrames: 25,
        maxFrames: maxS * 25 - 1,
        maxAudioSamples: maxS * SAMPLE_RATE,
      };
    },
    limits: (resolution: string) => ({ maxAudioS: resolution === "1080p" ? 30 : 60 }),
  },
} as const satisfies Record<string, FalModel>;

export type FalModelName = keyof typeof FAL_MODELS;

export interface FalSettings {
  readonly model: FalModelName;
  readonly resolution: string;
  /** Queue API root (default https://queue.fal.run). */
  readonly baseUrl: string;
  /** Storage API root (default https://rest.alpha.fal.ai). */
  readonly storageUrl: string;
  readonly concurrency: number;
  readonly files?: FilesSetting;
  readonly acceleration?: string;
}

/** Reads `clip:` settings for fal. Pure; throws UserInputError naming the field. */
export function parseFalSettings(settings: Record<string, unknown>): FalSettings {
  const where = "clip";
  const model = oneOf(settings, "model", where, Object.keys(FAL_MODELS) as FalModelName[], "infinitalk");
  const m: FalModel = FAL_MODELS[model];
  return {
    model,
    resolution: oneOf(settings, "resolution", where, m.resolutions, m.defaultResolution),
    baseUrl: optionalString(settings, "base_url", where) ?? "https://queue.fal.run",
    storageUrl: optionalString(settings, "storage_url", where) ?? "https://rest.alpha.fal.ai",
    // New accounts run 2 requests at once; more are queued, not refused (fal FAQ).
    concurrency: optionalNumber(settings, "concurrency", where, { min: 1, max: 40, integer: true }) ?? 2,
    files: parseFilesSetting(settings.files, where),
    acceleration: optionalString(settings, "acceleration", where),
  };
}

export function falConstraints(settings: Record<string, unknown>): ClipConstraints {
  const s = parseFalSettings(settings);
  return (FAL_MODELS[s.model] as FalModel).constraints(s.resolution);
}

/**
 * fal storage: `POST {storage}/storage/upload/initiate?storage_type=fal-cdn-v3 {file_name,
 * content_type}` → `{upload_url, file_url}`, then PUT the bytes to upload_url (the route
 * @fal-ai/client's storage.upload uses; unverified against fal's own docs).
 */
function falStorage(http: HostedHttp, storageUrl: string): FileHost {
  return onceByContent({
    kind: "fal-storage",
    async url(file, signal) {
      const root = storageUrl.replace(/\/+$/, "");
      const { upload_url, file_url } = await http.json<{ upload_url?: string; file_url?: string }>(
        "POST",
        `${root}/storage/upload/initiate?storage_type=fal-cdn-v3`,
        { json: { file_name: file.name, content_type: file.contentType }, signal },
      );
      if (!upload_url || !file_url) throw http.error("fal storage answered without upload_url/file_url");
      const res = await http.request("PUT", upload_url, {
        body: new Uint8Array(file.bytes),
        headers: { "content-type": file.contentType },
        auth: false,
        signal,
        timeoutMs: 5 * 60_000,
      });
      await http.check(res, "PUT upload_url");
      await res.arrayBuffer().catch(() => undefined);
      // Read it back: a paid job must never start on a half-uploaded file.
      const head = await http.request("HEAD", file_url, { auth: false, signal });
      await head.arrayBuffer().catch(() => undefined);
      const length = head.headers.get("content-length");
      if (!head.ok || (length !== null && Number(length) !== file.bytes.length)) {
        throw http.error(
          `the upload of ${file.path} did not arrive whole (HTTP ${head.status}, ${length} bytes)`,
          {
            transient: true,
          },
        );
      }
      return file_url;
    },
  });
}

interface FalStatus {
  status?: "IN_QUEUE" | "IN_PROGRESS" | "COMPLETED";
  queue_position?: number;
  logs?: { message?: string }[] | null;
  error?: string;
}

export class FalProvider extends HostedClipProvider {
  private readonly settings: FalSettings;
  private readonly spec: FalModel;
  private readonly files: FileHost;
  private readonly cancelled = new Set<string>();

  constructor(
    settings: FalSettings,
    key: string,
    ctx: { tools: Tools; workDir: string; log?: (line: string) => void },
  ) {
    const spec: FalModel = FAL_MODELS[settings.model];
    const http = new HostedHttp({
      provider: "fal",
      baseUrl: settings.baseUrl,
      authHeaders: { Authorization: `Key ${key}` },
      keyVariable: FAL_KEY_VARIABLE,
      secrets: [key],
      log: ctx.log,
    });
    super({
      name: "fal",
      model: spec.id,
      constraints: spec.constraints(settings.resolution),
      concurrency: settings.concurrency,
      price: spec.price,
      limits: spec.limits(settings.resolution),
      http,
      tools: ctx.tools,
      workDir: ctx.workDir,
    });
    this.settings = settings;
    this.spec = spec;
    this.files = settings.files
      ? fileHostFromSetting(settings.files, http)
      : falStorage(http, settings.storageUrl);
  }

  /** Status, result and cancel live under the app root "owner/app", without the endpoint's sub-path. */
  private root(): string {
    return this.spec.id.split("/").slice(0, 2).join("/");
  }

  protected async start(job: ClipJob, signal?: AbortSignal): Promise<string> {
    const [image, audio] = await Promise.all([
      readLocalFile(job.image, "key image"),
      readLocalFile(job.audio, "clip audio"),
    ]);
    const [image_url, audio_url] = await Promise.all([
      this.files.url(image, signal),
      this.files.url(audio, signal),
    ]);
    const input: Record<string, unknown> = {
      image_url,
      audio_url,
      prompt: promptFor(job),
      resolution: this.settings.resolution,
      seed: job.seed,
    };
    if (this.spec.numFrames) input.num_frames = job.frames;
    if (this.settings.acceleration) input.acceleration = this.settings.acceleration;
    const reply = await this.http.json<{ request_id?: string }>("POST", `/${this.spec.id}`, {
      json: input,
      signal,
    });
    if (!reply?.request_id) throw this.http.error(`POST /${this.spec.id} answered without a request_id`);
    return reply.request_id;
  }

  protected async status(remoteId: string, signal?: AbortSignal): Promise<RemoteStatus> {
    const base = `/${this.root()}/requests/${encodeURIComponent(remoteId)}`;
    const s = await this.http.json<FalStatus>("GET", `${base}/status?logs=1`, { signal });
    if (s?.status === "IN_QUEUE") return { status: { state: "queued", queuePosition: s.queue_position } };
    if (s?.status === "IN_PROGRESS") return { status: { state: "running" } };
    if (s?.status !== "COMPLETED")
      throw this.http.error(`request ${remoteId} has an unknown status ${String(s?.status)}`);
    // A completed request may have failed or been cancelled: only the result says.
    const res = await this.http.request("GET", base, { signal });
    const text = await res.text().catch(() => "");
    if (res.ok) {
      const url = (JSON.parse(text) as { video?: { url?: string } }).video?.url;
      if (url) return { status: { state: "succeeded", progress: 1 }, resultUrl: url };
      return { status: { state: "failed", reason: "the result names no video" } };
    }
    const error = this.http.errorFor(res, text, `GET ${base}`);
    if (res.status === 429 || res.status === 401 || res.status === 403) throw error;
    if (this.cancelled.has(remoteId)) return { status: { state: "cancelled" } };
    return { status: { state: "failed", reason: error.message.replace(/^fal: /, "") } };
  }

  protected async stop(remoteId: string): Promise<void> {
    this.cancelled.add(remoteId);
    const res = await this.http.request(
      "PUT",
      `/${this.root()}/requests/${encodeURIComponent(remoteId)}/cancel`,
    );
    await res.arrayBuffer().catch(() => undefined);
    // 202 CANCELLATION_REQUESTED; 400 ALREADY_COMPLETED and 404 NOT_FOUND leave nothing to stop.
    if (!res.ok && res.status !== 400 && res.status !== 404) await this.http.check(res, "PUT cancel");
  }
}

export async function createFalProvider(
  settings: Record<string, unknown>,
  ctx: { env: NodeJS.ProcessEnv; tools: Tools; workDir: string; onCommand?: (line: string) => void },
): Promise<FalProvider> {
  const parsed = parseFalSettings(settings);
  const key = requireKey(ctx.env, FAL_KEY_VARIABLE, "fal");
  if (/\s/.test(key)) throw new UserInputError(`${FAL_KEY_VARIABLE} has spaces in it: copy the key again`);
  return new FalProvider(parsed, key, { tools: ctx.tools, workDir: ctx.workDir, log: ctx.onCommand });
}
