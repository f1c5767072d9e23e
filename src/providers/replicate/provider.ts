// Replicate predictions as a clip provider: Bearer token, optional `Prefer: wait`, outputs downloaded the moment they exist.
import { createHash } from "node:crypto";
import { UserInputError } from "../../errors/index.js";
import type { Tools } from "../../media/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import { toRate } from "../../time/index.js";
import type { ClipJob, JobStatus, PriceModel } from "../clip.js";
import { HostedHttp } from "../http/client.js";
import { dataUri, type FileHost, onceByContent, readLocalFile } from "../http/files.js";
import { HostedClipProvider, promptFor, type RemoteStatus } from "../http/hosted.js";
import { optionalNumber, optionalString, requireKey } from "../http/settings.js";

export const REPLICATE_KEY_VARIABLE = "REPLICATE_API_TOKEN";

interface ReplicateModel {
  readonly fps: number;
  readonly usdPerSecond: number;
  /** Input field names for the image, the audio and (when the model takes one) the prompt. */
  readonly inputs: { readonly image: string; readonly audio: string; readonly prompt?: string };
  readonly maxSeconds: number;
}

/** Models refrain knows on Replicate; any other needs `fps` and `usd_per_second` in the settings. */
export const REPLICATE_MODELS: Record<string, ReplicateModel> = {
  /**
   * bytedance/omni-human: input `image`, `audio` (best ≤ 15 s, "quality will begin to degrade"),
   * output a URI (replicate.com/bytedance/omni-human/…/api). Output fps 25 and the price per
   * second are unverified.
   */
  "bytedance/omni-human": {
    fps: 25,
    usdPerSecond: 0.14,
    inputs: { image: "image", audio: "audio" },
    maxSeconds: 30,
  },
};

export interface ReplicateSettings {
  readonly model: string;
  readonly version?: string;
  readonly baseUrl: string;
  readonly concurrency: number;
  /** Hold the create request open until the prediction ends (≤ 60 s): fewer polls. */
  readonly wait: boolean;
  readonly spec: ReplicateModel;
}

export function parseReplicateSettings(settings: Record<string, unknown>): ReplicateSettings {
  const where = "clip";
  const model = optionalString(settings, "model", where) ?? "bytedance/omni-human";
  if (!/^[\w.-]+\/[\w.-]+$/.test(model))
    throw new UserInputError(`${where}.model must be "owner/name" on Replicate: "${model}"`);
  const known = REPLICATE_MODELS[model];
  const fps = optionalNumber(settings, "fps", where, { min: 1, max: 120 });
  const usd = optionalNumber(settings, "usd_per_second", where, { min: 0 });
  if (!known && (fps === undefined || usd === undefined)) {
    throw new UserInputError(
      `${where}: refrain does not know ${model}; give its output fps and usd_per_second`,
    );
  }
  const spec: ReplicateModel = {
    fps: fps ?? known!.fps,
    usdPerSecond: usd ?? known!.usdPerSecond,
    inputs: (settings.inputs as ReplicateModel["inputs"] | undefined) ??
      known?.inputs ?? { image: "image", audio: "audio", prompt: "prompt" },
    maxSeconds: optionalNumber(settings, "max_seconds", where, { min: 1 }) ?? known?.maxSeconds ?? 30,
  };
  return {
    model,
    version: optionalString(settings, "version", where),
    baseUrl: optionalString(settings, "base_url", where) ?? "https://api.replicate.com",
    concurrency: optionalNumber(settings, "concurrency", where, { min: 1, integer: true }) ?? 4,
    wait: settings.wait === true,
    spec,
  };
}

export function replicateConstraints(settings: Record<string, unknown>): ClipConstraints {
  const { spec } = parseReplicateSettings(settings);
  return {
    fps: toRate(spec.fps),
    frameRule: { kind: "any" },
    minFrames: spec.fps,
    maxFrames: Math.floor(spec.maxSeconds * spec.fps),
  };
}

/**
 * Files as data URIs up to 256 KB, larger ones through `POST /v1/files` (multipart `content`), the
 * reply's size and sha256 checked against ours. The 256 KB line is Replicate's advice (unverified).
 */
function replicateFiles(http: HostedHttp): FileHost {
  return onceByContent({
    kind: "replicate-files",
    async url(file, signal) {
      if (file.bytes.length <= 256 * 1024) return dataUri(file);
      const form = new FormData();
      form.append("content", new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.name);
      const reply = await http.json<{
        size?: number;
        checksums?: { sha256?: string };
        urls?: { get?: string };
      }>("POST", "/v1/files", { body: form, signal, timeoutMs: 5 * 60_000 });
      const sha = createHash("sha256").update(file.bytes).digest("hex");
      if (reply?.size !== file.bytes.length || (reply.checksums?.sha256 && reply.checksums.sha256 !== sha)) {
        throw http.error(`the upload of ${file.path} did not arrive whole`, { transient: true });
      }
      if (!reply.urls?.get) throw http.error("POST /v1/files answered without urls.get");
      return reply.urls.get;
    },
  });
}

interface Prediction {
  id?: string;
  status?: "starting" | "processing" | "succeeded" | "failed" | "canceled" | "aborted";
  output?: unknown;
  error?: unknown;
}

/** The video URL in a prediction's output: a string, the first of a list, or `{video}`. Pure. */
export function outputUrl(output: unknown): string | undefined {
  if (typeof output === "string") return output;
  if (Array.isArray(output)) return outputUrl(output[output.length - 1]);
  if (output && typeof output === "object") {
    const o = output as Record<string, unknown>;
    return outputUrl(o.video ?? o.url ?? o.output);
  }
  return undefined;
}

/** A prediction's state as a JobStatus. Pure. */
export function statusOfPrediction(p: Prediction): JobStatus {
  switch (p.status) {
    case "starting":
      return { state: "queued" };
    case "processing":
      return { state: "running" };
    case "succeeded":
      return { state: "succeeded", progress: 1 };
    case "canceled":
      return { state: "cancelled" };
    case "aborted":
      return { state: "failed", reason: "aborted: its deadline passed before it started (not charged)" };
    default:
      return { state: "failed", reason: typeof p.error === "string" ? p.error.split("\n")[0] : "failed" };
  }
}

export class ReplicateProvider extends HostedClipProvider {
  private readonly settings: ReplicateSettings;
  private readonly files: FileHost;

  constructor(
    settings: ReplicateSettings,
    token: string,
    ctx: { tools: Tools; workDir: string; log?: (line: string) => void },
  ) {
    const http = new HostedHttp({
      provider: "replicate",
      baseUrl: settings.baseUrl,
      authHeaders: { Authorization: `Bearer ${token}` },
      keyVariable: REPLICATE_KEY_VARIABLE,
      secrets: [token],
      log: ctx.log,
    });
    const price: PriceModel = { kind: "per-video-second", usd: settings.spec.usdPerSecond };
    super({
      name: "replicate",
      model: settings.model,
      constraints: replicateConstraints({
        model: settings.model,
        fps: settings.spec.fps,
        usd_per_second: settings.spec.usdPerSecond,
        max_seconds: settings.spec.maxSeconds,
      }),
      concurrency: settings.concurrency,
      price,
      limits: { maxAudioS: settings.spec.maxSeconds },
      http,
      tools: ctx.tools,
      workDir: ctx.workDir,
    });
    this.settings = settings;
    this.files = replicateFiles(http);
  }

  protected async start(job: ClipJob, signal?: AbortSignal): Promise<string> {
    const [image, audio] = await Promise.all([
      readLocalFile(job.image, "key image"),
      readLocalFile(job.audio, "clip audio"),
    ]);
    const names = this.settings.spec.inputs;
    const input: Record<string, unknown> = {
      [names.image]: await this.files.url(image, signal),
      [names.audio]: await this.files.url(audio, signal),
    };
    if (names.prompt) input[names.prompt] = promptFor(job);
    const headers: Record<string, string> = this.settings.wait ? { Prefer: "wait=60" } : {};
    const path = this.settings.version ? "/v1/predictions" : `/v1/models/${this.settings.model}/predictions`;
    const body = this.settings.version ? { version: this.settings.version, input } : { input };
    const p = await this.http.json<Prediction>("POST", path, {
      json: body,
      headers,
      signal,
      timeoutMs: 90_000,
    });
    if (!p?.id) throw this.http.error(`POST ${path} answered without an id`);
    return p.id;
  }

  protected async status(remoteId: string, signal?: AbortSignal): Promise<RemoteStatus> {
    const p = await this.http.json<Prediction>("GET", `/v1/predictions/${encodeURIComponent(remoteId)}`, {
      signal,
    });
    const status = statusOfPrediction(p ?? {});
    if (status.state !== "succeeded") return { status };
    const url = outputUrl(p.output);
    return url
      ? { status, resultUrl: url }
      : { status: { state: "failed", reason: "the prediction has no output" } };
  }

  protected async stop(remoteId: string): Promise<void> {
    const res = await this.http.request("POST", `/v1/predictions/${encodeURIComponent(remoteId)}/cancel`);
    await res.arrayBuffer().catch(() => undefined);
    if (!res.ok && res.status !== 404) await this.http.check(res, "POST cancel");
  }
}

export async function createReplicateProvider(
  settings: Record<string, unknown>,
  ctx: { env: NodeJS.ProcessEnv; tools: Tools; workDir: string; onCommand?: (line: string) => void },
): Promise<ReplicateProvider> {
  const parsed = parseReplicateSettings(settings);
  const token = requireKey(ctx.env, REPLICATE_KEY_VARIABLE, "replicate");
  return new ReplicateProvider(parsed, token, { tools: ctx.tools, workDir: ctx.workDir, log: ctx.onCommand });
}
