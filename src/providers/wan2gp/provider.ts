// The Wan2GP clip provider: a settings file per job, run headless with `python wgp.py --process FILE --output-dir DIR` in the user's own install.
//
// Wan2GP's licence is non-commercial: refrain drives the user's install, it never ships it.
// `video_length` is the frame count itself, so nobody edits wgp_config.json for long clips; it must
// be 4n+1 or the run fails in rearrange ("can't divide axis of length 99 in chunks of 4", issue #544).
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { UserInputError } from "../../errors/index.js";
import type { Tools } from "../../media/index.js";
import { CONSTRAINTS } from "../../plan/constraints.js";
import type { ClipConstraints } from "../../plan/types.js";
import type { ClipJob } from "../clip.js";
import { createScriptProvider, type ScriptProvider } from "../script-provider.js";

export interface Wan2gpSettings {
  /** The user's Wan2GP folder (holds wgp.py). */
  readonly wan2gpDir: string;
  /** The Python that runs Wan2GP (its venv's python); default "python". */
  readonly python?: string;
  /** Wan2GP model type; default "infinitetalk". */
  readonly modelType?: string;
  readonly steps?: number;
  readonly guidanceScale?: number;
  readonly audioGuidanceScale?: number;
  /** Sliding window (defaults 81 and 9, Wan2GP's InfiniteTalk defaults). */
  readonly slidingWindowSize?: number;
  readonly slidingWindowOverlap?: number;
  /** Longest job in frames (default 737, Wan2GP's UI limit; --process may allow more, unverified). */
  readonly maxFrames?: number;
  /** Extra settings written as is into the settings file (e.g. activated_loras). */
  readonly extra?: Readonly<Record<string, unknown>>;
  /** Extra environment for the process (CUDA_VISIBLE_DEVICES…). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where job folders go. */
  readonly workDir: string;
  readonly tools: Tools;
  /** How long an interrupted run may take before its process group is killed (default 5 s). */
  readonly killGraceMs?: number;
  readonly onCommand?: (line: string) => void;
}

/** The settings file Wan2GP's --process reads for one job (docs/SETTINGS.md keys). Pure. */
export function wan2gpTaskSettings(
  job: Pick<ClipJob, "frames" | "width" | "height" | "seed" | "token">,
  inputs: { image: string; audio: string; prompt: string },
  settings: Pick<
    Wan2gpSettings,
    | "modelType"
    | "steps"
    | "guidanceScale"
    | "audioGuidanceScale"
    | "slidingWindowSize"
    | "slidingWindowOverlap"
    | "extra"
  > = {},
): Record<string, unknown> {
  const window = settings.slidingWindowSize ?? 81;
  return {
    model_type: settings.modelType ?? "infinitetalk",
    prompt: inputs.prompt,
    resolution: `${even16(job.width)}x${even16(job.height)}`,
    video_length: job.frames,
    seed: job.seed,
    image_prompt_type: "S",
    image_start: inputs.image,
    video_prompt_type: "0KI",
    image_refs: [inputs.image],
    audio_prompt_type: "A",
    audio_guide: inputs.audio,
    sliding_window_size: Math.min(window, job.frames),
    sliding_window_overlap: settings.slidingWindowOverlap ?? 9,
    ...(settings.steps !== undefined ? { num_inference_steps: settings.steps } : {}),
    ...(settings.guidanceScale !== undefined ? { guidance_scale: settings.guidanceScale } : {}),
    ...(settings.audioGuidanceScale !== undefined
      ? { audio_guidance_scale: settings.audioGuidanceScale }
      : {}),
    output_filename: `refrain-${job.token.replace(/[^\w.-]/g, "_").slice(0, 80)}`,
    ...(settings.extra ?? {}),
  };
}

function even16(n: number): number {
  return Math.max(16, Math.round(n / 16) * 16);
}

/** Reads a Wan2GP failure from its output: the frame-count error of issue #544 gets its own words. Pure. */
export function explainWan2gpFailure(tail: string): string | undefined {
  const m = /can't divide axis of length (\d+) in chunks of (\d+)/.exec(tail);
  if (m) return `frame count rejected (${m[0]}): Wan2GP needs video_length of the form 4n+1`;
  return undefined;
}

export function wan2gpConstraints(maxFrames = 737): ClipConstraints {
  const base = CONSTRAINTS["infinitetalk-comfyui"];
  return {
    ...base,
    maxFrames: Math.min(Math.max(base.minFrames, maxFrames - ((maxFrames - 1) % 4)), 10_000),
  };
}

export type Wan2gpProvider = ScriptProvider;

export function createWan2gpProvider(settings: Wan2gpSettings): Wan2gpProvider {
  const dir = resolve(settings.wan2gpDir);
  if (!existsSync(join(dir, "wgp.py"))) {
    throw new UserInputError(`wan2gp: ${dir} has no wgp.py`, {
      hint: "set clip.wan2gp_dir to your Wan2GP folder (git clone https://github.com/deepbeepmeep/Wan2GP)",
    });
  }
  return createScriptProvider({
    name: "wan2gp",
    model: settings.modelType ?? "infinitetalk",
    maker: "Wan2GP",
    dir,
    constraints: wan2gpConstraints(settings.maxFrames),
    settings,
    explain: (tail) => explainWan2gpFailure(tail),
    async command(job, { jobDir, image, audio, prompt }) {
      const task = wan2gpTaskSettings(job, { image, audio, prompt }, settings);
      const file = join(jobDir, "settings.json");
      await writeFile(file, `${JSON.stringify(task, null, 2)}\n`);
      return {
        args: ["wgp.py", "--process", file, "--output-dir", join(jobDir, "out")],
        outputDir: join(jobDir, "out"),
      };
    },
  });
}
