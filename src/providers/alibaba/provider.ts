// Alibaba Model Studio (DashScope) as a clip provider: wan2.2-s2v with its face pre-check, and Wan 2.5 / 2.7 i2v driven by audio.
import { UserInputError } from "../../errors/index.js";
import type { Tools } from "../../media/index.js";
import { CONSTRAINTS } from "../../plan/constraints.js";
import type { ClipConstraints } from "../../plan/types.js";
import { toRate } from "../../time/index.js";
import type { ClipJob, JobState, PriceModel } from "../clip.js";
import { HostedHttp } from "../http/client.js";
import {
  type FileHost,
  type FilesSetting,
  fileHostFromSetting,
  parseFilesSetting,
  readLocalFile,
} from "../http/files.js";
import { HostedClipProvider, type InputLimits, promptFor, type RemoteStatus } from "../http/hosted.js";
import { oneOf, optionalNumber, optionalString, requireKey } from "../http/settings.js";

export const DASHSCOPE_KEY_VARIABLE = "DASHSCOPE_API_KEY";

interface AlibabaModel {
  readonly route: "image2video" | "video-generation";
  readonly resolutions: readonly string[];
  readonly defaultResolution: string;
  readonly price: PriceModel;
  readonly constraints: ClipConstraints;
  readonly limits: InputLimits;
  /** Only offered in China (Beijing): the international endpoint refuses it. */
  readonly beijingOnly: boolean;
}

/** Alibaba models refrain drives, as data. */
export const ALIBABA_MODELS = {
  /**
   * wan2.2-s2v: China (Beijing) only; image jpg/png/bmp/webp 400–7000 px; audio wav/mp3 under
   * 15 MB and 20 s; 480P $0.071677/s, 720P $0.129018/s; 1 task at a time (wan-s2v-api). The video
   * follows the audio; 16 fps is assumed from the model.
   */
  "wan2.2-s2v": {
    route: "image2video",
    resolutions: ["480P", "720P"],
    defaultResolution: "480P",
    price: { kind: "per-video-second", usd: 0.071677, byResolution: { "480P": 0.071677, "720P": 0.129018 } },
    constraints: CONSTRAINTS["alibaba-wan-s2v"],
    limits: { maxAudioS: 20, maxAudioBytes: 15_000_000, minImagePx: 400, maxImagePx: 7000 },
    beijingOnly: true,
  },
  /**
   * wan2.5-i2v-preview with a driving audio: input {prompt, img_url, audio_url}, parameters
   * {resolution, duration 5|10, prompt_extend, seed}; audio wav/mp3 3–30 s, ≤ 15 MB (unverified:
   * read from mirrors of DashScope). 24 fps, so 120 or 240 frames; prices per second (unverified).
   */
  "wan2.5-i2v-preview": {
    route: "video-generation",
    resolutions: ["480P", "720P", "1080P"],
    defaultResolution: "480P",
    price: {
      kind: "per-video-second",
      usd: 0.05,
      byResolution: { "480P": 0.05, "720P": 0.1, "1080P": 0.15 },
    },
    constraints: {
      fps: toRate(24),
      frameRule: { kind: "windows", first: 120, step: 120 },
      minFrames: 120,
      maxFrames: 240,
    },
    limits: { minAudioS: 3, maxAudioS: 30, maxAudioBytes: 15_000_000, minImagePx: 360, maxImagePx: 2000 },
    beijingOnly: false,
  },
  /**
   * wan2.7-i2v: input.media [{type: first_frame|driving_audio, url}], parameters {resolution
   * 720P|1080P, duration 2–15 s}; audio 2–30 s; image 360–2000 px, ≤ 10 MB (docs.comfy.org
   * comfy-router wan2.7-i2v; unverified against Alibaba). 30 fps and the prices are unverified.
   */
  "wan2.7-i2v": {
    route: "video-generation",
    resolutions: ["720P", "1080P"],
    defaultResolution: "720P",
    price: { kind: "per-video-second", usd: 0.1, byResolution: { "720P": 0.1, "1080P": 0.15 } },
    constraints: {
      fps: toRate(30),
      frameRule: { kind: "multiple", of: 30, plus: 0 },
      minFrames: 60,
      maxFrames: 450,
    },
    limits: {
      minAudioS: 2,
      maxAudioS: 30,
      maxAudioBytes: 15_000_000,
      maxImageBytes: 10_000_000,
      minImagePx: 360,
      maxImagePx: 2000,
    },
    beijingOnly: false,
  },
} as const satisfies Record<string, AlibabaModel>;

export type AlibabaModelName = keyof typeof ALIBABA_MODELS;

export interface AlibabaSettings {
  readonly model: AlibabaModelName;
  readonly resolution: string;
  /** https://dashscope.aliyuncs.com (Beijing, default) or https://dashscope-intl.aliyuncs.com (Singapore). */
  readonly baseUrl: string;
  readonly concurrency: number;
  readonly files: FilesSetting;
  /** Run the face pre-check (wan2.2-s2v-detect) before the first paid S2V job (default true). */
  readonly faceCheck: boolean;
}

export function parseAlibabaSettings(settings: Record<string, unknown>): AlibabaSettings {
  const where = "clip";
  const model = oneOf(
    settings,
    "model",
    where,
    Object.keys(ALIBABA_MODELS) as AlibabaModelName[],
    "wan2.2-s2v",
  );
  const m: AlibabaModel = ALIBABA_MODELS[model];
  const baseUrl = optionalString(settings, "base_url", where) ?? "https://dashscope.aliyuncs.com";
  if (m.beijingOnly && /dashscope-intl/.test(baseUrl)) {
    throw new UserInputError(
      `${model} is offered only in Alibaba's China (Beijing) region, not at ${baseUrl}`,
      {
        hint: "use base_url https://dashscope.aliyuncs.com with a Beijing-region DASHSCOPE_API_KEY, or another model",
      },
    );
  }
  const files = parseFilesSetting(settings.files, where);
  if (!files) {
    throw new UserInputError(
      `${where}.files: Alibaba reads the image and audio from public URLs; say where to put them`,
      {
        hint: "e.g. files: { put: https://your-bucket…/refrain/ } (see docs/providers.md)",
      },
    );
  }
  return {
    model,
    resolution: oneOf(settings, "resolution", where, m.resolutions, m.defaultResolution),
    baseUrl,
    // One task at a time (wan-s2v-api); more are throttled.
    concurrency: optionalNumber(settings, "concurrency", where, { min: 1, integer: true }) ?? 1,
    files,
    faceCheck: settings.face_check !== false,
  };
}

export function alibabaConstraints(settings: Record<string, unknown>): ClipConstraints {
  const model = oneOf(
    settings,
    "model",
    "clip",
    Object.keys(ALIBABA_MODELS) as AlibabaModelName[],
    "wan2.2-s2v",
  );
  return ALIBABA_MODELS[model].constraints;
}

interface TaskReply {
  output?: {
    task_id?: string;
    task_status?: string;
    results?: { video_url?: string };
    video_url?: string;
    code?: string;
    message?: string;
  };
}

const STATES: Record<string, JobState> = {
  PENDING: "queued",
  RUNNING: "running",
  SUCCEEDED: "succeeded",
  FAILED: "failed",
  CANCELED: "cancelled",
};

export class AlibabaProvider extends HostedClipProvider {
  private readonly settings: AlibabaSettings;
  private readonly spec: AlibabaModel;
  private readonly files: FileHost;
  /** Images that passed the face check, by content hash: each check is billed. */
  private readonly faces = new Map<string, Promise<void>>();
  /** A running task cannot be cancelled (only PENDING ones): such a task is no longer followed. */
  private readonly dropped = new Set<string>();

  constructor(
    settings: AlibabaSettings,
    key: string,
    ctx: { tools: Tools; workDir: string; log?: (line: string) => void },
  ) {
    const spec: AlibabaModel = ALIBABA_MODELS[settings.model];
    const http = new HostedHttp({
      provider: "alibaba",
      baseUrl: settings.baseUrl,
      authHeaders: { Authorization: `Bearer ${key}` },
      keyVariable: DASHSCOPE_KEY_VARIABLE,
      secrets: [key],
      log: ctx.log,
    });
    super({
      name: "alibaba",
      model: settings.model,
      constraints: spec.constraints,
      concurrency: settings.concurrency,
      price: spec.price,
      limits: spec.limits,
      http,
      tools: ctx.tools,
      workDir: ctx.workDir,
    });
    this.settings = settings;
    this.spec = spec;
    this.files = fileHostFromSetting(settings.files, http);
  }

  /** wan2.2-s2v-detect before the first paid S2V job with an image: check_pass false stops here. */
  protected override async precheck(job: ClipJob, signal?: AbortSignal): Promise<void> {
    if (this.settings.model !== "wan2.2-s2v" || !this.settings.faceCheck) return;
    const image = await readLocalFile(job.image, "key image");
    let check = this.faces.get(image.hash);
    if (!check) {
      check = (async () => {
        const reply = await this.http.json<{ output?: { check_pass?: boolean; humanoid?: boolean } }>(
          "POST",
          "/api/v1/services/aigc/image2video/face-detect",
          {
            json: { model: "wan2.2-s2v-detect", input: { image_url: await this.files.url(image, signal) } },
            signal,
          },
        );
        if (reply?.output?.check_pass !== true) {
          throw new UserInputError(
            `key image ${job.image} failed Alibaba's face check for wan2.2-s2v (check_pass false${reply?.output?.humanoid === false ? ", no person found" : ""})`,
            { file: job.image, hint: "use an image with one clear, front-facing person" },
          );
        }
      })();
      this.faces.set(image.hash, check);
      check.catch(() => this.faces.delete(image.hash));
    }
    await check;
  }

  protected async start(job: ClipJob, signal?: AbortSignal): Promise<string> {
    const [image, audio] = await Promise.all([
      readLocalFile(job.image, "key image"),
      readLocalFile(job.audio, "clip audio"),
    ]);
    const imageUrl = await this.files.url(image, signal);
    const audioUrl = await this.files.url(audio, signal);
    const resolution = this.settings.resolution;
    const fps = this.spec.constraints.fps.num / this.spec.constraints.fps.den;
    const duration = Math.round(job.frames / fps);
    let body: unknown;
    if (this.settings.model === "wan2.2-s2v") {
      body = {
        model: "wan2.2-s2v",
        input: { image_url: imageUrl, audio_url: audioUrl },
        parameters: { resolution },
      };
    } else if (this.settings.model === "wan2.5-i2v-preview") {
      body = {
        model: this.settings.model,
        input: { prompt: promptFor(job), img_url: imageUrl, audio_url: audioUrl },
        parameters: { resolution, duration, prompt_extend: false, seed: job.seed },
      };
    } else {
      body = {
        model: this.settings.model,
        input: {
          prompt: promptFor(job),
          media: [
            { type: "first_frame", url: imageUrl },
            { type: "driving_audio", url: audioUrl },
          ],
        },
        parameters: { resolution, duration, prompt_extend: false, watermark: false, seed: job.seed },
      };
    }
    const path = `/api/v1/services/aigc/${this.spec.route}/video-synthesis`;
    const reply = await this.http.json<TaskReply>("POST", path, {
      json: body,
      headers: { "X-DashScope-Async": "enable" },
      signal,
    });
    const id = reply?.output?.task_id;
    if (!id) throw this.http.error(`POST ${path} answered without output.task_id`);
    return id;
  }

  protected async status(remoteId: string, signal?: AbortSignal): Promise<RemoteStatus> {
    const reply = await this.http.json<TaskReply>("GET", `/api/v1/tasks/${encodeURIComponent(remoteId)}`, {
      signal,
    });
    const out = reply?.output ?? {};
    if (this.dropped.has(remoteId) && out.task_status !== "SUCCEEDED")
      return { status: { state: "cancelled" } };
    const state = STATES[out.task_status ?? ""];
    if (!state) {
      throw this.http.error(`task ${remoteId} is ${out.task_status ?? "unknown"} to Alibaba`, {
        hint: "Alibaba keeps tasks for 24 hours; an older take must be generated again",
      });
    }
    if (state === "failed")
      return { status: { state, reason: [out.code, out.message].filter(Boolean).join(": ") || "failed" } };
    if (state === "succeeded") {
      const url = out.results?.video_url ?? out.video_url;
      return url
        ? { status: { state, progress: 1 }, resultUrl: url }
        : { status: { state: "failed", reason: "no video_url" } };
    }
    return { status: { state } };
  }

  protected async stop(remoteId: string): Promise<void> {
    const res = await this.http.request("POST", `/api/v1/tasks/${encodeURIComponent(remoteId)}/cancel`);
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok) this.dropped.add(remoteId);
  }
}

export async function createAlibabaProvider(
  settings: Record<string, unknown>,
  ctx: { env: NodeJS.ProcessEnv; tools: Tools; workDir: string; onCommand?: (line: string) => void },
): Promise<AlibabaProvider> {
  const parsed = parseAlibabaSettings(settings);
  const key = requireKey(ctx.env, DASHSCOPE_KEY_VARIABLE, "alibaba");
  return new AlibabaProvider(parsed, key, { tools: ctx.tools, workDir: ctx.workDir, log: ctx.onCommand });
}
