// A clip provider that runs a local script per job in the user's own install (InfiniteTalk, Wan2GP): frame check, conditioning audio, ScriptJobs.
import { isAbsolute, join, resolve } from "node:path";
import { UserInputError } from "../errors/index.js";
import type { Tools } from "../media/index.js";
import type { ClipConstraints } from "../plan/types.js";
import { allowsFrames, describeFrameRule } from "../time/index.js";
import type { ClipJob, ClipProvider, FoundJob, StillLips } from "./clip.js";
import { ScriptJobs } from "./script-jobs.js";
import { conditioningFor, writeConditioningAudio } from "./still-lips.js";

export interface ScriptProvider extends ClipProvider {
  lookup(token: string, signal?: AbortSignal): Promise<FoundJob | null>;
  /** The process group of a running job (for tests). */
  processGroup(remoteId: string): number | undefined;
  close(): Promise<void>;
}

/** What every script provider's settings carry. */
export interface ScriptSettings {
  /** The Python of the install's environment; default "python". */
  readonly python?: string;
  readonly env?: Readonly<Record<string, string>>;
  readonly workDir: string;
  readonly tools: Tools;
  readonly killGraceMs?: number;
  readonly onCommand?: (line: string) => void;
}

/** The inputs of one job as the script receives them, in its job folder. */
export interface ScriptInputs {
  readonly jobDir: string;
  /** The key image, absolute. */
  readonly image: string;
  /** The conditioning audio (silence for an instrumental segment when lips must stay still). */
  readonly audio: string;
  readonly prompt: string;
}

export interface ScriptProviderOptions {
  readonly name: string;
  readonly model: string;
  /** What makes the frames, as the frame-count refusal names it ("InfiniteTalk streaming"). */
  readonly maker: string;
  /** The install the script runs in (its working directory). */
  readonly dir: string;
  readonly constraints: ClipConstraints;
  readonly settings: ScriptSettings;
  /** Reads a failure from the script's output tail. */
  explain(tail: string): string | undefined;
  /** Seconds of audio the script needs at least for `frames` (padded with silence). */
  minAudioSeconds?(frames: number): number;
  /** Writes what the job needs beside its inputs and says how to run the script. */
  command(job: ClipJob, inputs: ScriptInputs): Promise<{ args: string[]; outputDir: string }>;
}

export function createScriptProvider(o: ScriptProviderOptions): ScriptProvider {
  const { constraints, settings } = o;
  const stillLips: StillLips = "silent-audio";
  const jobs = new ScriptJobs({
    provider: o.name,
    workDir: settings.workDir,
    killGraceMs: settings.killGraceMs,
    explain: (tail) => o.explain(tail),
    onCommand: settings.onCommand,
  });
  const python = settings.python ?? "python";

  return {
    name: o.name,
    model: o.model,
    constraints,
    concurrency: 1,
    price: { kind: "free" },
    stillLips,
    paid: false,
    async submit(job, signal) {
      if (!allowsFrames(constraints.frameRule, job.frames) || job.frames > constraints.maxFrames) {
        throw new UserInputError(
          `${o.name}: segment ${job.segment} asks for ${job.frames} frames; ${o.maker} makes ${describeFrameRule(constraints.frameRule)} up to ${constraints.maxFrames}`,
        );
      }
      return jobs.submit(
        job.token,
        async (jobDir, sig) => {
          const plan = conditioningFor(job.kind, stillLips, job.prompt);
          const audio = join(jobDir, "audio.wav");
          await writeConditioningAudio(settings.tools, {
            audio: job.audio,
            out: audio,
            silence: plan.audio === "silence",
            ...(o.minAudioSeconds ? { minSeconds: o.minAudioSeconds(job.frames) } : {}),
            signal: sig,
            onCommand: settings.onCommand,
          });
          const image = isAbsolute(job.image) ? job.image : resolve(job.image);
          const { args, outputDir } = await o.command(job, { jobDir, image, audio, prompt: plan.prompt });
          return {
            command: python,
            args,
            cwd: o.dir,
            env: { ...process.env, ...(settings.env ?? {}) },
            outputDir,
          };
        },
        signal,
      );
    },
    poll: (id, signal) => jobs.poll(id, signal),
    fetch: (id, dest, signal) => jobs.fetch(id, dest, signal),
    cancel: (id) => jobs.cancel(id),
    lookup: (token, signal) => jobs.lookup(token, signal),
    processGroup: (id) => jobs.processGroup(id),
    close: () => jobs.close(),
  };
}
