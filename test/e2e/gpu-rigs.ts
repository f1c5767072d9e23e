// The GPU backends set up against their fakes for the e2e flow: local, ComfyUI (built-in and a user's own workflow file), Runpod, Wan2GP, InfiniteTalk.
import { chmod, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startFakeComfy } from "../../fakes/comfyui/server.js";
import { fakeInfiniteTalkSettings } from "../../fakes/infinitetalk/install.js";
import { startFakeRunpod } from "../../fakes/runpod/server.js";
import { installFakeWan2gp } from "../../fakes/wan2gp/install.js";
import { BUILTIN_WORKFLOWS } from "../../src/providers/comfyui/index.js";
import { type Rig, wholeVideo } from "./flow.js";
import { type Inputs, makeInputs, removeAll, tools } from "./helpers.js";

/**
 * A "python" for the script providers that counts its runs in a file, then runs the fake (a Node
 * script) with small, quick renders: the script providers' submit counter.
 */
async function countingPython(dir: string): Promise<{ python: string; runs: () => Promise<number> }> {
  const count = join(dir, "runs.log");
  const python = join(dir, "python");
  await writeFile(
    python,
    `#!/bin/sh\necho run >> '${count}'\nexport REFRAIN_FAKE_DELAY_MS=200 REFRAIN_FAKE_MAX_SIDE=256\nexec '${process.execPath}' "$@"\n`,
  );
  await chmod(python, 0o755);
  await writeFile(count, "");
  return {
    python,
    runs: async () => (await readFile(count, "utf8")).split("\n").filter(Boolean).length,
  };
}

/** Node ids renamed (links follow), so the user's file is not the built-in graph under another name. */
function renumber(graph: Record<string, { inputs: Record<string, unknown> }>, swap: Record<string, string>) {
  const id = (k: string) => swap[k] ?? k;
  const out: Record<string, unknown> = {};
  for (const [k, node] of Object.entries(structuredClone(graph))) {
    for (const [name, v] of Object.entries(node.inputs)) {
      if (Array.isArray(v) && v.length === 2 && typeof v[0] === "string")
        node.inputs[name] = [id(v[0]), v[1]];
    }
    out[id(k)] = node;
  }
  return out;
}

export const GPU_RIGS: Record<string, { paid: boolean; start: (dir: string) => Promise<Rig> }> = {
  local: {
    paid: false,
    start: async () => ({ clip: { provider: "local" }, env: {}, close: async () => {} }),
  },
  "comfyui (built-in infinitetalk workflow)": {
    paid: false,
    start: async () => {
      const fake = await startFakeComfy({ delayMs: 200, steps: 2, tools });
      return {
        clip: { provider: "comfyui", url: fake.url, workflow: "infinitetalk", steps: 4 },
        env: {},
        submits: () => fake.stats.prompts,
        close: () => fake.close(),
      };
    },
  },
  "comfyui (the user's own workflow file)": {
    paid: false,
    start: async (dir) => {
      const fake = await startFakeComfy({ delayMs: 200, steps: 2, tools });
      // As a user exports it: LoadImage is node 1, LoadAudio node 4.
      const graph = renumber(
        BUILTIN_WORKFLOWS.infinitetalk.graph as Record<string, { inputs: Record<string, unknown> }>,
        { "7": "1", "1": "7", "8": "4", "4": "8" },
      );
      await mkdir(join(dir, "workflows"), { recursive: true });
      await writeFile(join(dir, "workflows", "mine.json"), JSON.stringify(graph, null, 2));
      return {
        clip: {
          provider: "comfyui",
          url: fake.url,
          workflow: "workflows/mine.json",
          inputs: {
            image: "1.image",
            audio: "4.audio",
            frames: "14.length",
            seed: "16.seed",
            fps: "18.fps",
            width: ["9.width", "14.width"],
            height: ["9.height", "14.height"],
          },
          max_frames: 81,
        },
        env: {},
        submits: () => fake.stats.prompts,
        close: () => fake.close(),
      };
    },
  },
  "runpod (worker-comfyui endpoint)": {
    paid: true,
    start: async () => {
      const fake = await startFakeRunpod({ apiKey: "rp_e2e", comfyDelayMs: 200, tools });
      return {
        clip: { provider: "runpod", endpoint: "ep-comfy", base_url: `${fake.url}/v2` },
        env: { RUNPOD_API_KEY: "rp_e2e" },
        submits: () => fake.jobs.size,
        close: () => fake.close(),
      };
    },
  },
  "runpod (public InfiniteTalk endpoint)": {
    paid: true,
    start: async () => {
      const fake = await startFakeRunpod({ apiKey: "rp_e2e", runMs: 200, tools });
      return {
        clip: {
          provider: "runpod",
          endpoint: "infinitetalk",
          base_url: `${fake.url}/v2`,
          files: "data-uri",
        },
        env: { RUNPOD_API_KEY: "rp_e2e" },
        submits: () => fake.jobs.size,
        close: () => fake.close(),
      };
    },
  },
  wan2gp: {
    paid: false,
    start: async (dir) => {
      const wan2gpDir = await installFakeWan2gp(join(dir, "Wan2GP"));
      const { python, runs } = await countingPython(dir);
      return {
        clip: { provider: "wan2gp", wan2gp_dir: wan2gpDir, python },
        env: {},
        submits: runs,
        close: async () => {},
      };
    },
  },
  infinitetalk: {
    paid: false,
    start: async (dir) => {
      const s = await fakeInfiniteTalkSettings(dir);
      const { python, runs } = await countingPython(dir);
      return {
        clip: { provider: "infinitetalk", infinitetalk_dir: s.infinitetalkDir, python },
        env: {},
        submits: runs,
        close: async () => {},
      };
    },
  },
};

/** Files the rig wrote for the project (the user's workflow), copied into the project folder. */
export async function workflowFiles(scratch: string): Promise<Record<string, string>> {
  try {
    return { "workflows/mine.json": await readFile(join(scratch, "workflows", "mine.json"), "utf8") };
  } catch {
    return {};
  }
}

/**
 * The "done when" of a backend, for each named rig: a whole video through `refrain make` against its
 * fake — made once, spend recorded, a second make does nothing. One test file per group of rigs, so
 * the groups run side by side.
 */
export function describeWholeVideos(names: readonly string[]): void {
  let inputs: Inputs;
  const projects: string[] = [];
  beforeAll(async () => {
    inputs = await makeInputs();
  });
  afterAll(() => removeAll(inputs.dir, ...projects));

  describe.sequential("a whole video on each backend's fake", () => {
    for (const name of names) {
      const { paid, start } = GPU_RIGS[name]!;
      test(`${name}: made once, spend recorded, second make does nothing`, async () => {
        const scratch = await mkdtemp(join(inputs.dir, "rig-"));
        const rig = await start(scratch);
        try {
          const r = await wholeVideo(inputs, rig, { paid, files: await workflowFiles(scratch) });
          projects.push(r.dir);
          expect(r.frames, `${name}: output frames vs the song`).toBe(r.expected);
        } finally {
          await rig.close();
        }
      });
    }
  });
}
