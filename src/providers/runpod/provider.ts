// The Runpod serverless clip provider: worker-comfyui endpoints running refrain's built-in workflows, and Runpod's public InfiniteTalk endpoint.
//
// Jobs go through /run (results kept 30 min; /runsync keeps them 1 min), are followed with /status and
// stopped with /cancel. A finished worker-comfyui video arrives base64 inside /status, so the first poll
// that sees it writes it to the work folder: a later fetch never depends on Runpod still holding it.
// The key (RUNPOD_API_KEY) is sent as `authorization` and scrubbed from every message.
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { throwIfAborted, UserInputError } from "../../errors/index.js";
import { withTempOutput } from "../../files/index.js";
import type { Tools } from "../../media/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import { allowsFrames, describeFrameRule } from "../../time/index.js";
import type { ClipJob, ClipProvider, JobState, JobStatus, PriceModel, StillLips } from "../clip.js";
import { BUILTIN_WORKFLOWS, type BuiltinWorkflowName, fillGraph, type Workflow } from "../comfyui/index.js";
import { HostedHttp } from "../http/client.js";
import { downloadVideo } from "../http/download.js";
import { type FileHost, readLocalFile } from "../http/files.js";
import { conditioningFor, writeConditioningAudio } from "../still-lips.js";

export interface RunpodSettings {
  /** Endpoint id of a worker-comfyui endpoint, or "infinitetalk" for Runpod's public endpoint. */
  readonly endpoint: string;
  readonly apiKey: string;
  /** Default https://api.runpod.ai/v2 (tests point it at the fake). */
  readonly baseUrl?: string;
  /** worker-comfyui: which built-in workflow (default "infinitetalk"). */
  readonly workflow?: BuiltinWorkflowName;
  /** Public InfiniteTalk: "480p" ($0.25 per video) or "720p" ($0.50). */
  readonly size?: "480p" | "720p";
  /** Public InfiniteTalk reads image and audio from URLs: where to put them. */
  readonly files?: FileHost;
  /** worker-comfyui price: the GPU's $/s and GPU-seconds per video-second (estimates; default 0.00031 and 120). */
  readonly gpu?: { readonly usdPerSecond: number; readonly secondsPerVideoSecond: number };
  /** Runpod policy: executionTimeout and ttl in ms. */
  readonly executionTimeoutMs?: number;
  readonly ttlMs?: number;
  /** Jobs sent at once (the endpoint's max workers). */
  readonly concurrency?: number;
  readonly steps?: number;
  readonly workDir: string;
  readonly tools: Tools;
  readonly log?: (line: string) => void;
}

/** The public InfiniteTalk endpoint: the video follows the audio, so any frame count; 25 fps. */
export const RUNPOD_INFINITETALK_CONSTRAINTS: ClipConstraints = {
  fps: { num: 25, den: 1 },
  frameRule: { kind: "any" },
  minFrames: 82,
  maxFrames: 1000,
};

/** Runpod job status words → refrain's job states. Pure. */
export function runpodState(status: string): JobState {
  switch (status) {
    case "IN_QUEUE":
      return "queued";
    case "IN_PROGRESS":
    case "RUNNING":
      return "running";
    case "COMPLETED":
      return "succeeded";
    case "CANCELLED":
      return "cancelled";
    default:
      return "failed";
  }
}

interface RunpodJob {
  id: string;
  status: string;
  output?: unknown;
  error?: unknown;
}

interface ComfyOutput {
  images?: { filename: string; type: string; data: string }[];
  errors?: unknown[];
  status?: string;
}

/** The video among worker-comfyui's outputs, or why there is none. Pure. */
export function videoFromWorkerOutput(
  output: unknown,
): { filename: string; type: string; data: string } | string {
  const o = (output ?? {}) as ComfyOutput;
  const video = (o.images ?? []).find((i) => /\.(mp4|webm|mov|mkv)$/i.test(i.filename));
  if (video) return video;
  const errors = (o.errors ?? []).map(String).join("; ");
  if (o.status === "success_no_images" || (o.images ?? []).length === 0) {
    return `the workflow ran but returned no video (worker-comfyui returns only outputs under "images": use SaveVideo, not VHS_VideoCombine)${errors ? `: ${errors}` : ""}`;
  }
  return `the workflow returned images but no video${errors ? `: ${errors}` : ""}`;
}

function hashOf(id: string): string {
  return createHash("sha256").update(id).digest("hex").slice(0, 24);
}

export function createRunpodProvider(
  settings: RunpodSettings,
): ClipProvider & { retry(id: string): Promise<void> } {
  const publicEndpoint = settings.endpoint === "infinitetalk";
  if (!/^[\w-]+$/.test(settings.endpoint)) {
    throw new UserInputError(`runpod: clip.endpoint "${settings.endpoint}" is not an endpoint id`, {
      hint: "give your serverless endpoint's id, or \"infinitetalk\" for Runpod's public InfiniteTalk endpoint",
    });
  }
  if (!settings.apiKey) {
    throw new UserInputError("runpod: RUNPOD_API_KEY is not set", {
      hint: "put it in the environment or the project's .env",
    });
  }
  let workflow: Workflow | undefined;
  if (!publicEndpoint) {
    const name = settings.workflow ?? "infinitetalk";
    workflow = BUILTIN_WORKFLOWS[name];
    if (!workflow) throw new UserInputError(`runpod: unknown workflow "${name}"`);
    if (workflow.outputs.some((id) => workflow!.graph[id]?.class_type !== "SaveVideo")) {
      throw new UserInputError(
        `runpod: workflow "${name}" saves its video with ${workflow.graph[workflow.outputs[0]!]?.class_type}, which worker-comfyui drops`,
        { hint: "use the infinitetalk or wan-s2v workflow on Runpod (their SaveVideo output comes back)" },
      );
    }
  } else if (!settings.files) {
    throw new UserInputError("runpod infinitetalk reads the image and audio from URLs: set clip.files", {
      hint: 'e.g. files: { put: "https://bucket…/refrain/" } (see docs/providers.md)',
    });
  }
  const http = new HostedHttp({
    provider: "runpod",
    baseUrl: `${(settings.baseUrl ?? "https://api.runpod.ai/v2").replace(/\/+$/, "")}/${settings.endpoint}`,
    authHeaders: { authorization: settings.apiKey },
    keyVariable: "RUNPOD_API_KEY",
    secrets: [settings.apiKey],
    log: settings.log,
  });
  const constraints = publicEndpoint ? RUNPOD_INFINITETALK_CONSTRAINTS : workflow!.constraints;
  const stillLips: StillLips = "silent-audio";
  const price: PriceModel = publicEndpoint
    ? { kind: "per-job", usd: settings.size === "720p" ? 0.5 : 0.25 }
    : {
        kind: "per-gpu-second",
        usd: settings.gpu?.usdPerSecond ?? 0.00031,
        gpuSecondsPerVideoSecond: settings.gpu?.secondsPerVideoSecond ?? 120,
      };
  const results = join(settings.workDir, "results");
  const videoUrls = new Map<string, string>();
  const resultPath = (id: string) => join(results, `${hashOf(id)}.mp4`);

  async function conditioning(job: ClipJob, signal?: AbortSignal) {
    const plan = conditioningFor(job.kind, stillLips, job.prompt);
    await mkdir(join(settings.workDir, "inputs"), { recursive: true });
    const audio = join(settings.workDir, "inputs", `${hashOf(job.token)}.wav`);
    await writeConditioningAudio(settings.tools, {
      audio: job.audio,
      out: audio,
      silence: plan.audio === "silence",
      // The public endpoint's video follows its audio: send at least the frames asked for.
      minSeconds: publicEndpoint ? (Math.max(job.frames, 82) + 0.5) / 25 : undefined,
      signal,
    });
    return { audio, prompt: plan.prompt };
  }

  return {
    name: "runpod",
    model: publicEndpoint ? "infinitetalk" : workflow!.model,
    constraints,
    concurrency: Math.max(1, Math.floor(settings.concurrency ?? 1)),
    price,
    stillLips,
    paid: true,
    async submit(job, signal) {
      if (!allowsFrames(constraints.frameRule, job.frames) || job.frames > constraints.maxFrames) {
        throw new UserInputError(
          `runpod: segment ${job.segment} asks for ${job.frames} frames; this endpoint makes ${describeFrameRule(constraints.frameRule)} from ${constraints.minFrames} to ${constraints.maxFrames}`,
        );
      }
      const { audio, prompt } = await conditioning(job, signal);
      const image = await readLocalFile(job.image, "key image");
      const sound = await readLocalFile(audio, "audio");
      let input: Record<string, unknown>;
      if (publicEndpoint) {
        input = {
          prompt,
          image: await settings.files!.url(image, signal),
          audio: await settings.files!.url(sound, signal),
          size: settings.size ?? "480p",
        };
      } else {
        const graph = fillGraph(workflow!, {
          image: image.name,
          audio: sound.name,
          frames: job.frames,
          fps: constraints.fps.num / constraints.fps.den,
          seed: job.seed,
          prompt,
          width: job.width,
          height: job.height,
          steps: settings.steps,
          silent: job.kind === "instrumental" && workflow!.silent !== undefined,
        });
        // worker-comfyui uploads every entry of `images` to ComfyUI's input folder: the WAV rides along.
        input = {
          workflow: graph,
          images: [
            { name: image.name, image: image.bytes.toString("base64") },
            { name: sound.name, image: sound.bytes.toString("base64") },
          ],
        };
      }
      const policy = {
        ...(settings.executionTimeoutMs !== undefined
          ? { executionTimeout: settings.executionTimeoutMs }
          : {}),
        ...(settings.ttlMs !== undefined ? { ttl: settings.ttlMs } : {}),
      };
      const body = { input, ...(Object.keys(policy).length > 0 ? { policy } : {}) };
      const started = await http.json<RunpodJob>("POST", "/run", { json: body, signal, timeoutMs: 120_000 });
      if (!started?.id) throw http.error("POST /run answered without a job id");
      return { remoteId: started.id };
    },
    async poll(id, signal): Promise<JobStatus> {
      throwIfAborted(signal);
      let job: RunpodJob;
      try {
        job = await http.json<RunpodJob>("GET", `/status/${encodeURIComponent(id)}`, { signal });
      } catch (e) {
        if ((e as { status?: number }).status === 404) {
          if (existsSync(resultPath(id))) return { state: "succeeded", progress: 1 };
          throw http.error(
            `job ${id} is unknown or gone: Runpod forgets results 30 min after completion, and jobs whose ttl expired`,
            { status: 404, cause: e },
          );
        }
        throw e;
      }
      const state = runpodState(job.status);
      if (job.status === "TIMED_OUT") {
        return { state, reason: "timed out (executionTimeout or ttl passed); POST /retry can run it again" };
      }
      if (state === "failed") return { state, reason: String(job.error ?? job.status) };
      if (state !== "succeeded") return { state };
      if (publicEndpoint) {
        const out = job.output as { video_url?: string; cost?: number } | undefined;
        if (!out?.video_url) return { state: "failed", reason: "completed without a video_url" };
        videoUrls.set(id, out.video_url);
        return { state, progress: 1, ...(typeof out.cost === "number" ? { costUsd: out.cost } : {}) };
      }
      const video = videoFromWorkerOutput(job.output);
      if (typeof video === "string") return { state: "failed", reason: video };
      if (!existsSync(resultPath(id))) {
        await mkdir(results, { recursive: true });
        if (video.type === "s3_url") videoUrls.set(id, video.data);
        else await withTempOutput(resultPath(id), (tmp) => writeFile(tmp, Buffer.from(video.data, "base64")));
      }
      return { state, progress: 1 };
    },
    async fetch(id, dest, signal) {
      throwIfAborted(signal);
      if (!existsSync(resultPath(id)) && !videoUrls.has(id)) {
        const status = await this.poll(id, signal);
        if (status.state !== "succeeded") {
          throw http.error(
            `job ${id} has no video: it is ${status.state}${status.reason ? ` (${status.reason})` : ""}`,
          );
        }
      }
      if (existsSync(resultPath(id))) {
        await withTempOutput(dest, async (tmp) => {
          await copyFile(resultPath(id), tmp);
          throwIfAborted(signal);
        });
        return;
      }
      await downloadVideo(http, videoUrls.get(id)!, dest, { tools: settings.tools, signal });
    },
    async cancel(id) {
      await http.json("POST", `/cancel/${encodeURIComponent(id)}`);
    },
    async retry(id) {
      await http.json("POST", `/retry/${encodeURIComponent(id)}`);
    },
  };
}
