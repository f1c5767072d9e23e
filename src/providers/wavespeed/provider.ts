// WaveSpeed's v3 API as a clip provider: InfiniteTalk and Wan2.2-S2V, submit then poll /predictions/{id}/result.
import type { Tools } from "../../media/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import { toRate } from "../../time/index.js";
import type { ClipJob, JobState, PriceModel } from "../clip.js";
import { HostedHttp } from "../http/client.js";
import {
  type FileHost,
  type FilesSetting,
  fileHostFromSetting,
  onceByContent,
  parseFilesSetting,
  readLocalFile,
} from "../http/files.js";
import { HostedClipProvider, promptFor, type RemoteStatus } from "../http/hosted.js";
import { oneOf, optionalNumber, optionalString, requireKey } from "../http/settings.js";

export const WAVESPEED_KEY_VARIABLE = "WAVESPEED_API_KEY";

/**
 * $0.15 per 5 s at 480p and $0.30 per 5 s at 720p for both models; billed per second rounded up,
 * with a minimum (5 s for InfiniteTalk, 3 s on the newer Wan2.2-S2V page) that this per-second
 * model does not show; at most 10 minutes per job (wavespeed.ai/docs/docs-api/wavespeed-ai/…).
 */
const PRICE: PriceModel = {
  kind: "per-video-second",
  usd: 0.03,
  byResolution: { "480p": 0.03, "720p": 0.06 },
};

/**
 * Models: path, output fps. Inputs `image`, `audio`, `prompt`, `resolution`, `seed` (InfiniteTalk
 * page; the same names for Wan2.2-S2V are unverified). The video follows the audio's length.
 */
export const WAVESPEED_MODELS = {
  infinitetalk: { path: "wavespeed-ai/infinitetalk", fps: 25 },
  "wan-s2v": { path: "wavespeed-ai/wan-2.2/speech-to-video", fps: 16 },
} as const;

export type WaveSpeedModelName = keyof typeof WAVESPEED_MODELS;

export interface WaveSpeedSettings {
  readonly model: WaveSpeedModelName;
  readonly resolution: "480p" | "720p";
  readonly baseUrl: string;
  readonly concurrency: number;
  readonly files?: FilesSetting;
}

export function parseWaveSpeedSettings(settings: Record<string, unknown>): WaveSpeedSettings {
  const where = "clip";
  return {
    model: oneOf(
      settings,
      "model",
      where,
      Object.keys(WAVESPEED_MODELS) as WaveSpeedModelName[],
      "infinitetalk",
    ),
    resolution: oneOf(settings, "resolution", where, ["480p", "720p"] as const, "480p"),
    baseUrl: optionalString(settings, "base_url", where) ?? "https://api.wavespeed.ai",
    // No documented concurrency limit (unverified): 2 at a time by default.
    concurrency: optionalNumber(settings, "concurrency", where, { min: 1, integer: true }) ?? 2,
    files: parseFilesSetting(settings.files, where),
  };
}

export function waveSpeedConstraints(settings: Record<string, unknown>): ClipConstraints {
  const fps = WAVESPEED_MODELS[parseWaveSpeedSettings(settings).model].fps;
  return { fps: toRate(fps), frameRule: { kind: "any" }, minFrames: fps, maxFrames: 600 * fps - 1 };
}

/** WaveSpeed's own upload: `POST /api/v3/media/upload/binary` (multipart `file`) → `data.download_url` (unverified). */
function waveSpeedUpload(http: HostedHttp): FileHost {
  return onceByContent({
    kind: "wavespeed-upload",
    async url(file, signal) {
      const form = new FormData();
      form.append("file", new Blob([new Uint8Array(file.bytes)], { type: file.contentType }), file.name);
      const reply = await http.json<{ data?: { download_url?: string; size?: number } }>(
        "POST",
        "/api/v3/media/upload/binary",
        {
          body: form,
          signal,
          timeoutMs: 5 * 60_000,
        },
      );
      const url = reply?.data?.download_url;
      if (!url) throw http.error("the upload answered without data.download_url");
      if (reply.data?.size !== undefined && reply.data.size !== file.bytes.length) {
        throw http.error(`the upload of ${file.path} did not arrive whole`, { transient: true });
      }
      return url;
    },
  });
}

interface WaveSpeedPrediction {
  id?: string;
  status?: "created" | "processing" | "completed" | "failed";
  outputs?: string[];
  error?: string;
}

const STATES: Record<string, JobState> = {
  created: "queued",
  processing: "running",
  completed: "succeeded",
  failed: "failed",
};

export class WaveSpeedProvider extends HostedClipProvider {
  private readonly settings: WaveSpeedSettings;
  private readonly files: FileHost;
  /** WaveSpeed documents no cancel route (unverified): a cancelled job is only no longer followed. */
  private readonly dropped = new Set<string>();

  constructor(
    settings: WaveSpeedSettings,
    key: string,
    ctx: { tools: Tools; workDir: string; log?: (line: string) => void },
  ) {
    const http = new HostedHttp({
      provider: "wavespeed",
      baseUrl: settings.baseUrl,
      authHeaders: { Authorization: `Bearer ${key}` },
      keyVariable: WAVESPEED_KEY_VARIABLE,
      secrets: [key],
      log: ctx.log,
    });
    super({
      name: "wavespeed",
      model: WAVESPEED_MODELS[settings.model].path,
      constraints: waveSpeedConstraints({ model: settings.model }),
      concurrency: settings.concurrency,
      price: PRICE,
      limits: { maxAudioS: 600 },
      http,
      tools: ctx.tools,
      workDir: ctx.workDir,
    });
    this.settings = settings;
    this.files = settings.files ? fileHostFromSetting(settings.files, http) : waveSpeedUpload(http);
  }

  protected async start(job: ClipJob, signal?: AbortSignal): Promise<string> {
    const [image, audio] = await Promise.all([
      readLocalFile(job.image, "key image"),
      readLocalFile(job.audio, "clip audio"),
    ]);
    const input = {
      image: await this.files.url(image, signal),
      audio: await this.files.url(audio, signal),
      prompt: promptFor(job),
      resolution: this.settings.resolution,
      seed: job.seed,
    };
    const path = `/api/v3/${WAVESPEED_MODELS[this.settings.model].path}`;
    const reply = await this.http.json<{ data?: WaveSpeedPrediction }>("POST", path, { json: input, signal });
    if (!reply?.data?.id) throw this.http.error(`POST ${path} answered without data.id`);
    return reply.data.id;
  }

  protected async status(remoteId: string, signal?: AbortSignal): Promise<RemoteStatus> {
    const reply = await this.http.json<{ data?: WaveSpeedPrediction }>(
      "GET",
      `/api/v3/predictions/${encodeURIComponent(remoteId)}/result`,
      { signal },
    );
    if (this.dropped.has(remoteId)) return { status: { state: "cancelled" } };
    const p = reply?.data ?? {};
    const state = STATES[p.status ?? ""] ?? "failed";
    if (state === "failed") return { status: { state, reason: p.error || `status ${String(p.status)}` } };
    if (state === "succeeded") {
      const url = p.outputs?.[0];
      return url
        ? { status: { state, progress: 1 }, resultUrl: url }
        : { status: { state: "failed", reason: "no outputs" } };
    }
    return { status: { state } };
  }

  protected async stop(remoteId: string): Promise<void> {
    this.dropped.add(remoteId);
  }
}

export async function createWaveSpeedProvider(
  settings: Record<string, unknown>,
  ctx: { env: NodeJS.ProcessEnv; tools: Tools; workDir: string; onCommand?: (line: string) => void },
): Promise<WaveSpeedProvider> {
  const parsed = parseWaveSpeedSettings(settings);
  const key = requireKey(ctx.env, WAVESPEED_KEY_VARIABLE, "wavespeed");
  return new WaveSpeedProvider(parsed, key, { tools: ctx.tools, workDir: ctx.workDir, log: ctx.onCommand });
}
