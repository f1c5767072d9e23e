// ByteDance OmniHuman (Jimeng) through Volcengine's visual API: signed CVSubmitTask / CVGetResult, results fetched within their hour.

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
  parseFilesSetting,
  readLocalFile,
} from "../http/files.js";
import { HostedClipProvider, promptFor, type RemoteStatus } from "../http/hosted.js";
import { oneOf, optionalNumber, optionalString, requireKey } from "../http/settings.js";
import { signRequest } from "./sign.js";

export const VOLC_ACCESS_VARIABLE = "VOLC_ACCESSKEY";
export const VOLC_SECRET_VARIABLE = "VOLC_SECRETKEY";

/**
 * Where OmniHuman 1.5 is served. Volcengine: visual.volcengineapi.com, cn-north-1, 2022-08-31,
 * req_key jimeng_realman_avatar_picture_omni_v15 [community: several callers]. BytePlus:
 * cv.byteplusapi.com, ap-singapore-1, 2024-06-06, realman_avatar_picture_omni15_cv [community].
 */
export const OMNIHUMAN_PLATFORMS = {
  volcengine: {
    baseUrl: "https://visual.volcengineapi.com",
    region: "cn-north-1",
    version: "2022-08-31",
    reqKey: "jimeng_realman_avatar_picture_omni_v15",
  },
  byteplus: {
    baseUrl: "https://cv.byteplusapi.com",
    region: "ap-singapore-1",
    version: "2024-06-06",
    reqKey: "realman_avatar_picture_omni15_cv",
  },
} as const;

/** Audio under 60 s, image under 5 MB (BytePlus note [community]); ~$0.12 per second (unverified); 25 fps (unverified). */
export const OMNIHUMAN_CONSTRAINTS: ClipConstraints = {
  fps: toRate(25),
  frameRule: { kind: "any" },
  minFrames: 25,
  maxFrames: 60 * 25 - 1,
  maxAudioSamples: 60 * SAMPLE_RATE,
};
const PRICE: PriceModel = { kind: "per-video-second", usd: 0.12 };

export interface OmniHumanSettings {
  readonly platform: keyof typeof OMNIHUMAN_PLATFORMS;
  readonly baseUrl: string;
  readonly reqKey: string;
  readonly resolution?: 720 | 1080;
  readonly concurrency: number;
  readonly files: FilesSetting;
}

export function parseOmniHumanSettings(settings: Record<string, unknown>): OmniHumanSettings {
  const where = "clip";
  const platform = oneOf(settings, "platform", where, ["volcengine", "byteplus"] as const, "volcengine");
  const p = OMNIHUMAN_PLATFORMS[platform];
  const files = parseFilesSetting(settings.files, where);
  if (!files) {
    throw new UserInputError(
      `${where}.files: OmniHuman reads the image and audio only from public URLs; say where to put them`,
      {
        hint: "e.g. files: { put: https://your-bucket…/refrain/ } (see docs/providers.md)",
      },
    );
  }
  const res = optionalNumber(settings, "output_resolution", where);
  if (res !== undefined && res !== 720 && res !== 1080)
    throw new UserInputError(`${where}.output_resolution must be 720 or 1080`);
  return {
    platform,
    baseUrl: optionalString(settings, "base_url", where) ?? p.baseUrl,
    reqKey: optionalString(settings, "req_key", where) ?? p.reqKey,
    resolution: res as 720 | 1080 | undefined,
    // Concurrency is not documented (unverified): one task at a time by default.
    concurrency: optionalNumber(settings, "concurrency", where, { min: 1, integer: true }) ?? 1,
    files,
  };
}

interface CvReply {
  code?: number;
  message?: string;
  data?: { task_id?: string; status?: string; video_url?: string } | null;
}

export class OmniHumanProvider extends HostedClipProvider {
  private readonly settings: OmniHumanSettings;
  private readonly files: FileHost;
  private readonly version: string;
  /** No cancel action is documented: a cancelled task is only no longer followed. */
  private readonly dropped = new Set<string>();

  constructor(
    settings: OmniHumanSettings,
    keys: { access: string; secret: string },
    ctx: { tools: Tools; workDir: string; log?: (line: string) => void; now?: () => Date },
  ) {
    const p = OMNIHUMAN_PLATFORMS[settings.platform];
    const now = ctx.now ?? (() => new Date());
    const http = new HostedHttp({
      provider: "omnihuman",
      baseUrl: settings.baseUrl,
      keyVariable: `${VOLC_ACCESS_VARIABLE}/${VOLC_SECRET_VARIABLE}`,
      secrets: [keys.access, keys.secret],
      log: ctx.log,
      sign: (req) =>
        signRequest({
          accessKey: keys.access,
          secretKey: keys.secret,
          region: p.region,
          service: "cv",
          method: req.method,
          url: req.url,
          headers: { "Content-Type": req.headers["content-type"] ?? "application/json" },
          body: req.body,
          date: now(),
        }),
    });
    super({
      name: "omnihuman",
      model: settings.reqKey,
      constraints: OMNIHUMAN_CONSTRAINTS,
      concurrency: settings.concurrency,
      price: PRICE,
      limits: { maxAudioS: 60, maxImageBytes: 5_000_000 },
      http,
      tools: ctx.tools,
      workDir: ctx.workDir,
    });
    this.settings = settings;
    this.version = p.version;
    this.files = fileHostFromSetting(settings.files, http);
  }

  /** One signed action; a body code other than 10000 is the provider's refusal, 50429 its throttle. */
  private async action(name: string, body: Record<string, unknown>, signal?: AbortSignal): Promise<CvReply> {
    const path = `/?Action=${name}&Version=${this.version}`;
    const res = await this.http.request("POST", path, { json: body, signal });
    const text = await res.text().catch(() => "");
    let reply: CvReply = {};
    try {
      reply = JSON.parse(text) as CvReply;
    } catch {
      // not JSON: the status decides below
    }
    if (res.ok && reply.code === 10000) return reply;
    if (reply.code === 50429 || res.status === 429) {
      throw this.http.error(
        `${name} was throttled (code ${reply.code ?? res.status}: ${reply.message ?? ""})`,
        { transient: true, status: 429 },
      );
    }
    if (res.status === 401 || res.status === 403 || res.status >= 500 || reply.code === undefined) {
      throw this.http.errorFor(res, text, name);
    }
    throw this.http.error(`${name} refused (code ${reply.code}: ${reply.message ?? "?"})`, {
      status: res.status,
      transient: reply.code >= 50500,
    });
  }

  protected async start(job: ClipJob, signal?: AbortSignal): Promise<string> {
    const [image, audio] = await Promise.all([
      readLocalFile(job.image, "key image"),
      readLocalFile(job.audio, "clip audio"),
    ]);
    const body: Record<string, unknown> = {
      req_key: this.settings.reqKey,
      image_url: await this.files.url(image, signal),
      audio_url: await this.files.url(audio, signal),
      prompt: promptFor(job),
      seed: job.seed, // (unverified)
    };
    if (this.settings.resolution) body.output_resolution = this.settings.resolution;
    const reply = await this.action("CVSubmitTask", body, signal);
    const id = reply.data?.task_id;
    if (!id) throw this.http.error("CVSubmitTask answered without data.task_id");
    return id;
  }

  protected async status(remoteId: string, signal?: AbortSignal): Promise<RemoteStatus> {
    let reply: CvReply;
    try {
      reply = await this.action("CVGetResult", { req_key: this.settings.reqKey, task_id: remoteId }, signal);
    } catch (e) {
      // A generation that failed answers CVGetResult with an error code: a failed take, unless the request itself failed.
      const err = e as { transient?: boolean; status?: number; message?: string };
      if (err.status === 500 && !/not valid/.test(String(err.message))) {
        return { status: { state: "failed", reason: String(err.message).replace(/^omnihuman: /, "") } };
      }
      throw e;
    }
    const status = reply.data?.status;
    if (this.dropped.has(remoteId) && status !== "done") return { status: { state: "cancelled" } };
    if (status === "in_queue") return { status: { state: "queued" } };
    if (status === "generating") return { status: { state: "running" } };
    if (status === "done") {
      const url = reply.data?.video_url;
      return url
        ? { status: { state: "succeeded", progress: 1 }, resultUrl: url }
        : { status: { state: "failed", reason: "done without a video_url" } };
    }
    throw this.http.error(`task ${remoteId} is ${status ?? "unknown"} to Volcengine`, {
      hint: status === "expired" ? "its result was kept one hour; generate the take again" : undefined,
    });
  }

  protected async stop(remoteId: string): Promise<void> {
    this.dropped.add(remoteId);
  }
}

export async function createOmniHumanProvider(
  settings: Record<string, unknown>,
  ctx: { env: NodeJS.ProcessEnv; tools: Tools; workDir: string; onCommand?: (line: string) => void },
): Promise<OmniHumanProvider> {
  const parsed = parseOmniHumanSettings(settings);
  const access = requireKey(ctx.env, VOLC_ACCESS_VARIABLE, "omnihuman");
  const secret = requireKey(ctx.env, VOLC_SECRET_VARIABLE, "omnihuman");
  return new OmniHumanProvider(
    parsed,
    { access, secret },
    { tools: ctx.tools, workDir: ctx.workDir, log: ctx.onCommand },
  );
}
