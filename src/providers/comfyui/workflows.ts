// ComfyUI workflows as data: the built-in API graphs, loading a user's own, and writing a job's values into a graph.
import { readFile } from "node:fs/promises";
import { UserInputError } from "../../errors/index.js";
import type { ClipConstraints } from "../../plan/types.js";
import type { FrameRule } from "../../time/index.js";
import type { StillLips } from "../clip.js";
import infinitetalk from "./workflows/infinitetalk.json" with { type: "json" };
import infinitetalkWrapper from "./workflows/infinitetalk-wrapper.json" with { type: "json" };
import wanS2v from "./workflows/wan-s2v.json" with { type: "json" };

/** An API-format graph: `{ "<id>": { class_type, inputs: { name: value | [src_id, output_index] } } }`. */
export type ApiGraph = Record<
  string,
  { class_type: string; inputs: Record<string, unknown>; _meta?: unknown }
>;

/** Where a job value goes: one or several "node.input" targets, e.g. "14.length". */
export type InputTarget = string | readonly string[];

export interface WorkflowInputs {
  readonly image: InputTarget;
  readonly audio: InputTarget;
  readonly frames?: InputTarget;
  readonly fps?: InputTarget;
  readonly seed?: InputTarget;
  readonly prompt?: InputTarget;
  readonly width?: InputTarget;
  readonly height?: InputTarget;
  readonly steps?: InputTarget;
}

export type BuiltinWorkflowName = "infinitetalk" | "infinitetalk-wrapper" | "wan-s2v";

/** A user's own workflow: an API-format export plus where refrain writes each value. */
export interface UserWorkflow {
  /** Path of the API-format JSON (ComfyUI: Workflow → Export (API)). */
  readonly file: string;
  readonly inputs: WorkflowInputs;
  /** The model's output rate; default 25 (InfiniteTalk-family workflows). */
  readonly fps?: number;
  /** Frame counts the workflow can make; default 4k+1 (every Wan-based node). */
  readonly frameRule?: FrameRule;
  readonly minFrames?: number;
  readonly maxFrames?: number;
  /** A name recorded on each take; default the file name. */
  readonly model?: string;
}

/** A workflow ready to run: the graph, where values go, and what it can make. */
export interface Workflow {
  readonly model: string;
  readonly graph: ApiGraph;
  readonly inputs: WorkflowInputs;
  readonly constraints: ClipConstraints;
  readonly stillLips: StillLips;
  /** For "silent-audio": instrumental jobs relink this input to a silent-embeddings node. */
  readonly silent?: { readonly target: string; readonly link: readonly [string, number] };
  /** Node ids of the graph's video outputs, as far as known without asking the server. */
  readonly outputs: readonly string[];
  /** Where the graph came from, for error messages. */
  readonly source: string;
}

/** Output node classes refrain knows produce a video file. */
export const VIDEO_OUTPUT_CLASSES: ReadonlySet<string> = new Set([
  "SaveVideo",
  "VHS_VideoCombine",
  "SaveWEBM",
]);

const fourKPlusOne: FrameRule = { kind: "multiple", of: 4, plus: 1 };

export const BUILTIN_WORKFLOWS: Readonly<Record<BuiltinWorkflowName, Workflow>> = {
  // Native WanInfiniteTalkToVideo: one window per job; `length % 4 == 1` or EinopsError mid-run [community].
  // Longer clips need windows chained through previous_frames, which the wrapper workflow does for us.
  infinitetalk: {
    model: "infinitetalk",
    graph: infinitetalk as ApiGraph,
    inputs: {
      image: "7.image",
      audio: "8.audio",
      frames: "14.length",
      fps: "18.fps",
      seed: "16.seed",
      steps: "16.steps",
      prompt: "12.text",
      width: ["9.width", "14.width"],
      height: ["9.height", "14.height"],
    },
    constraints: { fps: { num: 25, den: 1 }, frameRule: fourKPlusOne, minFrames: 17, maxFrames: 81 },
    stillLips: "prompt",
    outputs: ["19"],
    source: "built-in workflow infinitetalk",
  },
  // kijai's WanVideoWrapper streams windows of 81 frames; motion_frame 9 makes each step 72 frames,
  // as the InfiniteTalk CLI does. Capped at 1000 frames (40 s), the CLI's streaming default, since
  // colour drifts past a minute (InfiniteTalk README).
  "infinitetalk-wrapper": {
    model: "infinitetalk",
    graph: infinitetalkWrapper as ApiGraph,
    inputs: {
      image: "6.image",
      audio: "7.audio",
      frames: ["10.num_frames", "11.num_frames"],
      fps: ["10.fps", "15.frame_rate"],
      seed: "13.seed",
      steps: "13.steps",
      prompt: "9.positive_prompt",
      width: ["8.width", "12.width"],
      height: ["8.height", "12.height"],
    },
    constraints: {
      fps: { num: 25, den: 1 },
      frameRule: { kind: "windows", first: 81, step: 72 },
      minFrames: 81,
      maxFrames: 81 + 72 * 12,
    },
    stillLips: "silent-audio",
    // MultiTalkSilentEmbeds (unverified name, BACKENDS.md) feeds zero audio so lips stay still.
    silent: { target: "13.multitalk_embeds", link: ["11", 0] },
    outputs: ["15"],
    source: "built-in workflow infinitetalk-wrapper",
  },
  // Native WanSoundImageToVideo: one chunk per job (default 77 frames, step 4 → 4k+1) at 16 fps.
  "wan-s2v": {
    model: "wan-s2v",
    graph: wanS2v as ApiGraph,
    inputs: {
      image: "5.image",
      audio: "6.audio",
      frames: "11.length",
      fps: "15.fps",
      seed: "13.seed",
      steps: "13.steps",
      prompt: "9.text",
      width: ["7.width", "11.width"],
      height: ["7.height", "11.height"],
    },
    constraints: { fps: { num: 16, den: 1 }, frameRule: fourKPlusOne, minFrames: 17, maxFrames: 77 },
    stillLips: "prompt",
    outputs: ["16"],
    source: "built-in workflow wan-s2v",
  },
};

export function targets(t: InputTarget | undefined): readonly string[] {
  if (t === undefined) return [];
  return typeof t === "string" ? [t] : t;
}

/** Splits "14.length" at the first dot: node ids never hold one, input names may ("mode.mask_1"). */
export function splitTarget(target: string): { node: string; input: string } | null {
  const dot = target.indexOf(".");
  if (dot <= 0 || dot === target.length - 1) return null;
  return { node: target.slice(0, dot), input: target.slice(dot + 1) };
}

/**
 * Checks a graph is API format and every input mapping names a node and input it has.
 * Pure: `source` only names the graph in messages.
 */
export function checkGraph(value: unknown, source: string, inputs: WorkflowInputs): ApiGraph {
  if (!value || typeof value !== "object" || Array.isArray(value)) {
    throw new UserInputError(`${source} is not a ComfyUI workflow (expected a JSON object of nodes)`, {
      file: source,
    });
  }
  const obj = value as Record<string, unknown>;
  if (Array.isArray(obj.nodes) && Array.isArray(obj.links)) {
    throw new UserInputError(`${source} is a UI-format workflow: in ComfyUI use Workflow → Export (API)`, {
      file: source,
    });
  }
  for (const [id, n] of Object.entries(obj)) {
    const node = n as { class_type?: unknown; inputs?: unknown } | null;
    if (!node || typeof node !== "object" || typeof node.class_type !== "string") {
      throw new UserInputError(
        `${source} is not an API-format ComfyUI workflow: node "${id}" has no class_type`,
        { file: source, hint: "in ComfyUI use Workflow → Export (API)" },
      );
    }
    if (node.inputs !== undefined && (typeof node.inputs !== "object" || Array.isArray(node.inputs))) {
      throw new UserInputError(`${source}: node "${id}" (${node.class_type}) has malformed inputs`, {
        file: source,
      });
    }
  }
  const graph = obj as ApiGraph;
  const ids = Object.keys(graph);
  for (const [key, t] of Object.entries(inputs) as [string, InputTarget | undefined][]) {
    for (const target of targets(t)) {
      const where = `${source}: inputs.${key} "${target}"`;
      const parsed = splitTarget(target);
      if (!parsed) {
        throw new UserInputError(`${where} is not of the form "node.input" (e.g. "12.image")`, {
          file: source,
        });
      }
      const node = graph[parsed.node];
      if (!node) {
        throw new UserInputError(
          `${where} names node ${parsed.node}, which the workflow does not have (nodes: ${ids.slice(0, 12).join(", ")}${ids.length > 12 ? ", …" : ""})`,
          { file: source },
        );
      }
      const have = Object.keys(node.inputs ?? {});
      if (!have.includes(parsed.input)) {
        throw new UserInputError(
          `${where} names input "${parsed.input}" of node ${parsed.node} (${node.class_type}), which has only: ${have.join(", ") || "no inputs"}`,
          { file: source },
        );
      }
      if (Array.isArray(node.inputs[parsed.input])) {
        throw new UserInputError(
          `${where} is linked to another node's output; point it at a plain value, e.g. the LoadImage/LoadAudio node's input`,
          { file: source },
        );
      }
    }
  }
  return graph;
}

/** Loads and checks a user's API-format workflow file before anything is queued or paid for. */
export async function loadUserWorkflow(user: UserWorkflow): Promise<Workflow> {
  let text: string;
  try {
    text = await readFile(user.file, "utf8");
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserInputError(
      `workflow ${user.file}: ${code === "ENOENT" ? "no such file" : `cannot read it (${code})`}`,
      { file: user.file, cause: e },
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new UserInputError(`workflow ${user.file} is not valid JSON: ${(e as Error).message}`, {
      file: user.file,
      cause: e,
    });
  }
  for (const key of ["image", "audio"] as const) {
    if (targets(user.inputs?.[key]).length === 0) {
      throw new UserInputError(`workflow ${user.file}: inputs.${key} is required (e.g. "12.${key}")`, {
        file: user.file,
      });
    }
  }
  const graph = checkGraph(value, user.file, user.inputs);
  const outputs = Object.keys(graph).filter((id) => VIDEO_OUTPUT_CLASSES.has(graph[id]!.class_type));
  const frameRule = user.frameRule ?? fourKPlusOne;
  const minFrames = user.minFrames ?? 17;
  const maxFrames = user.maxFrames ?? 81;
  if (!(minFrames >= 1 && maxFrames >= minFrames)) {
    throw new UserInputError(
      `workflow ${user.file}: minFrames ${minFrames} / maxFrames ${maxFrames} are not a range`,
      {
        file: user.file,
      },
    );
  }
  return {
    model: user.model ?? (user.file.split("/").pop() ?? user.file).replace(/\.json$/i, ""),
    graph,
    inputs: user.inputs,
    constraints: { fps: { num: user.fps ?? 25, den: 1 }, frameRule, minFrames, maxFrames },
    stillLips: "prompt",
    outputs,
    source: user.file,
  };
}

/** The values of one job, as they go into a graph. */
export interface GraphValues {
  image: string;
  audio: string;
  frames: number;
  fps: number;
  seed: number;
  prompt: string;
  width: number;
  height: number;
  steps?: number;
  /** Relink to the silent-embeddings node (instrumental jobs with stillLips "silent-audio"). */
  silent: boolean;
}

/** A copy of the workflow's graph with the job's values written in. Pure. */
export function fillGraph(workflow: Workflow, values: GraphValues): ApiGraph {
  const graph = structuredClone(workflow.graph);
  const put = (t: InputTarget | undefined, value: unknown) => {
    for (const target of targets(t)) {
      const { node, input } = splitTarget(target)!;
      graph[node]!.inputs[input] = value;
    }
  };
  const i = workflow.inputs;
  put(i.image, values.image);
  put(i.audio, values.audio);
  put(i.frames, values.frames);
  put(i.fps, values.fps);
  put(i.seed, values.seed);
  put(i.prompt, values.prompt);
  put(i.width, values.width);
  put(i.height, values.height);
  if (values.steps !== undefined) put(i.steps, values.steps);
  if (values.silent && workflow.silent) put(workflow.silent.target, [...workflow.silent.link]);
  return graph;
}
