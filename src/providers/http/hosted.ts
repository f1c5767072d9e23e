// What every hosted clip provider shares: checks before anything is paid, and results kept the moment a job succeeds.
import { existsSync } from "node:fs";
import { copyFile, mkdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { throwIfAborted, UserInputError } from "../../errors/index.js";
import { withTempOutput } from "../../files/index.js";
import { probe, type Tools } from "../../media/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import { allowsFrames, describeFrameRule } from "../../time/index.js";
import type { ClipJob, ClipProvider, JobStatus, PriceModel, StillLips, Submitted } from "../clip.js";
import type { HostedHttp } from "./client.js";
import { downloadVideo } from "./download.js";

/** Limits an API puts on its inputs, checked locally before a paid submit. */
export interface InputLimits {
  /** The job's audio must be strictly shorter than this (e.g. Alibaba: under 20 s). */
  readonly maxAudioS?: number;
  readonly minAudioS?: number;
  readonly maxAudioBytes?: number;
  readonly maxImageBytes?: number;
  /** Each side of the image within [minImagePx, maxImagePx]. */
  readonly minImagePx?: number;
  readonly maxImagePx?: number;
}

export interface RemoteStatus {
  readonly status: JobStatus;
  /** Where the finished video is, once succeeded. */
  readonly resultUrl?: string;
}

export interface HostedProviderBase {
  readonly name: string;
  readonly model: string;
  readonly constraints: ClipConstraints;
  readonly concurrency: number;
  readonly price: PriceModel;
  readonly limits: InputLimits;
  readonly http: HostedHttp;
  readonly tools: Tools;
  /** Where results are kept between poll and fetch. */
  readonly workDir: string;
}

/** The prompt a job is sent with: instrumental stretches ask for a closed mouth (stillLips "prompt"). */
export function promptFor(job: ClipJob): string {
  if (job.kind !== "instrumental") return job.prompt;
  const still = "The person keeps their mouth closed and does not sing.";
  return job.prompt ? `${job.prompt.replace(/[.\s]+$/, "")}. ${still}` : still;
}

/** Seconds, trimmed to what a JSON body needs. */
export function seconds(s: number): number {
  return Math.round(s * 1000) / 1000;
}

export abstract class HostedClipProvider implements ClipProvider {
  readonly name: string;
  readonly model: string;
  readonly constraints: ClipConstraints;
  readonly concurrency: number;
  readonly price: PriceModel;
  readonly stillLips: StillLips = "prompt";
  readonly paid = true;
  protected readonly http: HostedHttp;
  protected readonly tools: Tools;
  protected readonly limits: InputLimits;
  private readonly workDir: string;
  private readonly keeping = new Map<string, Promise<void>>();

  constructor(base: HostedProviderBase) {
    this.name = base.name;
    this.model = base.model;
    this.constraints = base.constraints;
    this.concurrency = base.concurrency;
    this.price = base.price;
    this.limits = base.limits;
    this.http = base.http;
    this.tools = base.tools;
    this.workDir = base.workDir;
  }

  /** Sends the job; resolves with the provider's id for it. */
  protected abstract start(job: ClipJob, signal?: AbortSignal): Promise<string>;
  /** The job's state as the provider reports it. An unknown id is a ProviderError. */
  protected abstract status(remoteId: string, signal?: AbortSignal): Promise<RemoteStatus>;
  protected abstract stop(remoteId: string): Promise<void>;
  /** Checks that need the provider (face pre-check…), run after the local ones, before paying. */
  protected async precheck(_job: ClipJob, _signal?: AbortSignal): Promise<void> {}

  /** The local checks: frame rule, audio length and size, image size — each a one-line UserInputError. */
  async validate(job: ClipJob, signal?: AbortSignal): Promise<void> {
    const c = this.constraints;
    const who = `${this.name} ${this.model}: segment ${job.segment}`;
    if (!allowsFrames(c.frameRule, job.frames) || job.frames < c.minFrames || job.frames > c.maxFrames) {
      throw new UserInputError(
        `${who} asks for ${job.frames} frames; this model makes ${describeFrameRule(c.frameRule)} between ${c.minFrames} and ${c.maxFrames}`,
        { hint: "plan the song again with this provider's constraints" },
      );
    }
    const l = this.limits;
    const audio = await probe(this.tools, job.audio, "clip audio", signal);
    const audioS = audio.durationS;
    if (l.maxAudioS !== undefined && audioS >= l.maxAudioS) {
      throw new UserInputError(
        `${who}: its audio is ${audioS.toFixed(2)} s; ${this.model} takes audio shorter than ${l.maxAudioS} s`,
        { file: job.audio, hint: "plan with this provider's constraints so segments fit" },
      );
    }
    if (l.minAudioS !== undefined && audioS < l.minAudioS) {
      throw new UserInputError(
        `${who}: its audio is ${audioS.toFixed(2)} s; ${this.model} needs at least ${l.minAudioS} s`,
        { file: job.audio },
      );
    }
    const audioBytes = (await stat(job.audio)).size;
    if (l.maxAudioBytes !== undefined && audioBytes >= l.maxAudioBytes) {
      throw new UserInputError(
        `${who}: its audio file is ${(audioBytes / 1e6).toFixed(1)} MB; ${this.model} takes under ${(l.maxAudioBytes / 1e6).toFixed(0)} MB`,
        { file: job.audio },
      );
    }
    const image = await probe(this.tools, job.image, "key image", signal);
    const imageBytes = (await stat(job.image)).size;
    if (l.maxImageBytes !== undefined && imageBytes > l.maxImageBytes) {
      throw new UserInputError(
        `key image ${job.image} is ${(imageBytes / 1e6).toFixed(1)} MB; ${this.model} takes up to ${(l.maxImageBytes / 1e6).toFixed(0)} MB`,
        { file: job.image, hint: "save it as a JPEG or scale it down" },
      );
    }
    const v = image.video;
    if (v && (l.minImagePx !== undefined || l.maxImagePx !== undefined)) {
      const small = Math.min(v.width, v.height);
      const large = Math.max(v.width, v.height);
      if (
        (l.minImagePx !== undefined && small < l.minImagePx) ||
        (l.maxImagePx !== undefined && large > l.maxImagePx)
      ) {
        throw new UserInputError(
          `key image ${job.image} is ${v.width}×${v.height}; ${this.model} takes sides of ${l.minImagePx ?? 1}–${l.maxImagePx ?? "any"} px`,
          { file: job.image, hint: "resize the key image" },
        );
      }
    }
  }

  async submit(job: ClipJob, signal?: AbortSignal): Promise<Submitted> {
    throwIfAborted(signal);
    await this.validate(job, signal);
    await this.precheck(job, signal);
    return { remoteId: await this.start(job, signal) };
  }

  /** Where a succeeded job's video is kept until fetch copies it out. */
  private keptFile(remoteId: string): string {
    const safe = (s: string) => s.replace(/[^A-Za-z0-9._-]+/g, "_").slice(0, 120);
    return join(
      this.workDir,
      "hosted-results",
      `${safe(this.name)}-${safe(this.model)}-${safe(remoteId)}.mp4`,
    );
  }

  /** Downloads a result once, at once: provider links expire (Replicate ~1 h, Volcengine 1 h). */
  private keep(remoteId: string, url: string | undefined, signal?: AbortSignal): Promise<void> {
    const file = this.keptFile(remoteId);
    if (existsSync(file)) return Promise.resolve();
    let pending = this.keeping.get(remoteId);
    if (!pending) {
      if (!url) return Promise.reject(this.http.error(`job ${remoteId} succeeded but named no video`));
      pending = (async () => {
        await mkdir(join(this.workDir, "hosted-results"), { recursive: true });
        await downloadVideo(this.http, url, file, { tools: this.tools, signal });
      })().finally(() => this.keeping.delete(remoteId));
      this.keeping.set(remoteId, pending);
    }
    return pending;
  }

  async poll(remoteId: string, signal?: AbortSignal): Promise<JobStatus> {
    throwIfAborted(signal);
    const { status, resultUrl } = await this.status(remoteId, signal);
    if (status.state === "succeeded") await this.keep(remoteId, resultUrl, signal);
    return status;
  }

  async fetch(remoteId: string, dest: string, signal?: AbortSignal): Promise<void> {
    throwIfAborted(signal);
    const file = this.keptFile(remoteId);
    if (!existsSync(file)) {
      const { status, resultUrl } = await this.status(remoteId, signal);
      if (status.state !== "succeeded") {
        throw this.http.error(
          `job ${remoteId} has no video (${status.state}${status.reason ? `: ${status.reason}` : ""})`,
        );
      }
      await this.keep(remoteId, resultUrl, signal);
    }
    throwIfAborted(signal);
    await withTempOutput(dest, (tmp) => copyFile(file, tmp));
  }

  async cancel(remoteId: string): Promise<void> {
    await this.stop(remoteId);
  }
}
