// InfiniteTalk's own script as a clip provider: an --input_json per job, `generate_infinitetalk.py --mode streaming` in the user's checkout.
//
// `--mode clip` (the script's default) makes one 81-frame window however long the audio, so refrain
// always runs streaming mode with `--max_frame_num` = the job's frames. The script asserts its audio
// is longer than one window, so short audio is padded with silence past the frames asked for. Its
// output carries its own 16 kHz loudness-normalised copy of the audio: only the video is used, the
// song is re-muxed from the master later.
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { isAbsolute, join, resolve } from "node:path";
import { UserInputError } from "../../errors/index.js";
import type { Tools } from "../../media/index.js";
import { CONSTRAINTS } from "../../plan/constraints.js";
import type { ClipJob } from "../clip.js";
import { lastMeaningfulLine } from "../script-jobs.js";
import { createScriptProvider, type ScriptProvider } from "../script-provider.js";

export type InfiniteTalkSize = "infinitetalk-480" | "infinitetalk-720";

export interface InfiniteTalkSettings {
  /** The user's InfiniteTalk checkout (holds generate_infinitetalk.py). */
  readonly infinitetalkDir: string;
  /** The Python of its environment; default "python". */
  readonly python?: string;
  /** Checkpoints, relative to the checkout or absolute (defaults: the README's weights/ layout). */
  readonly ckptDir?: string;
  readonly wav2vecDir?: string;
  readonly infinitetalkWeights?: string;
  readonly size?: InfiniteTalkSize;
  readonly steps?: number;
  /** Further flags passed as is, e.g. ["--num_persistent_param_in_dit", "0", "--quant", "fp8"]. */
  readonly extraArgs?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly workDir: string;
  readonly tools: Tools;
  readonly killGraceMs?: number;
  readonly onCommand?: (line: string) => void;
}

/** The --input_json meta file for one job (examples/single_example_image.json). Pure. */
export function infiniteTalkInput(prompt: string, image: string, audio: string): Record<string, unknown> {
  return { prompt, cond_video: image, cond_audio: { person1: audio } };
}

/** Frames of audio the script needs: more than one window, and at least the frames asked for. Pure. */
export function infiniteTalkAudioSeconds(frames: number, frameNum = 81): number {
  // int(seconds·25) must exceed frame_num; a hundredth of a frame more keeps float rounding off the edge.
  return (Math.max(frames, frameNum) + 1.01) / 25;
}

/** The command line for one job. Pure. */
export function infiniteTalkArgs(
  job: Pick<ClipJob, "frames" | "seed">,
  paths: {
    inputJson: string;
    saveFile: string;
    ckptDir: string;
    wav2vecDir: string;
    infinitetalkWeights: string;
  },
  settings: Pick<InfiniteTalkSettings, "size" | "steps" | "extraArgs"> = {},
): string[] {
  return [
    "generate_infinitetalk.py",
    "--task",
    "infinitetalk-14B",
    "--size",
    settings.size ?? "infinitetalk-480",
    "--ckpt_dir",
    paths.ckptDir,
    "--wav2vec_dir",
    paths.wav2vecDir,
    "--infinitetalk_dir",
    paths.infinitetalkWeights,
    "--input_json",
    paths.inputJson,
    "--mode",
    "streaming",
    "--frame_num",
    "81",
    "--motion_frame",
    "9",
    "--max_frame_num",
    String(job.frames),
    "--base_seed",
    String(job.seed),
    ...(settings.steps !== undefined ? ["--sample_steps", String(settings.steps)] : []),
    "--save_file",
    paths.saveFile,
    ...(settings.extraArgs ?? []),
  ];
}

/** Reads an InfiniteTalk failure from its output. Pure. */
export function explainInfiniteTalkFailure(tail: string): string | undefined {
  if (/length not satisfies frame nums/.test(tail)) {
    return "the audio is not longer than one 81-frame window (3.24 s) — AssertionError from wan/multitalk.py";
  }
  if (/OutOfMemoryError|CUDA out of memory/.test(tail)) {
    return `${lastMeaningfulLine(tail)} — try size infinitetalk-480, or extra_args ["--num_persistent_param_in_dit", "0"]`;
  }
  return undefined;
}

export type InfiniteTalkProvider = ScriptProvider;

export function createInfiniteTalkProvider(settings: InfiniteTalkSettings): InfiniteTalkProvider {
  const dir = resolve(settings.infinitetalkDir);
  if (!existsSync(join(dir, "generate_infinitetalk.py"))) {
    throw new UserInputError(`infinitetalk: ${dir} has no generate_infinitetalk.py`, {
      hint: "set clip.infinitetalk_dir to your InfiniteTalk checkout (git clone https://github.com/MeiGen-AI/InfiniteTalk)",
    });
  }
  const at = (p: string) => (isAbsolute(p) ? p : join(dir, p));
  const paths = {
    ckptDir: at(settings.ckptDir ?? "weights/Wan2.1-I2V-14B-480P"),
    wav2vecDir: at(settings.wav2vecDir ?? "weights/chinese-wav2vec2-base"),
    infinitetalkWeights: at(
      settings.infinitetalkWeights ?? "weights/InfiniteTalk/single/infinitetalk.safetensors",
    ),
  };
  for (const [key, p] of Object.entries(paths)) {
    if (!existsSync(p)) {
      throw new UserInputError(`infinitetalk: ${key} ${p} does not exist`, {
        hint: "download the weights as the InfiniteTalk README shows, or set clip.ckpt_dir / wav2vec_dir / infinitetalk_weights",
      });
    }
  }
  return createScriptProvider({
    name: "infinitetalk",
    model: "infinitetalk",
    maker: "InfiniteTalk streaming",
    dir,
    constraints: CONSTRAINTS.infinitetalk,
    settings,
    explain: (tail) => explainInfiniteTalkFailure(tail),
    minAudioSeconds: (frames) => infiniteTalkAudioSeconds(frames),
    async command(job, { jobDir, image, audio, prompt }) {
      const inputJson = join(jobDir, "input.json");
      await writeFile(inputJson, `${JSON.stringify(infiniteTalkInput(prompt, image, audio), null, 2)}\n`);
      const outputDir = join(jobDir, "out");
      return {
        args: infiniteTalkArgs(job, { ...paths, inputJson, saveFile: join(outputDir, "take") }, settings),
        outputDir,
      };
    },
  });
}
