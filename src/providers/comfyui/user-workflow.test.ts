// A user's own ComfyUI workflow: checked before anything is paid, then run through the shared suite on the fake.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type FakeComfyOptions, startFakeComfy } from "../../../fakes/comfyui/server.js";
import { UserInputError } from "../../errors/index.js";
import { makeTestJob, runClipProviderSuite } from "../suite/clip-provider.case.js";
import { BUILTIN_WORKFLOWS, createComfyProvider, type UserWorkflow } from "./index.js";

const FAKE: FakeComfyOptions = { delayMs: 400, steps: 4 };

/** A user's own API-format workflow: the S2V graph re-saved through VHS_VideoCombine at 16 fps. */
async function userWorkflowFile(dir: string): Promise<UserWorkflow> {
  const graph = structuredClone(BUILTIN_WORKFLOWS["wan-s2v"].graph);
  delete graph["15"];
  delete graph["16"];
  graph["40"] = {
    class_type: "VHS_VideoCombine",
    inputs: {
      images: ["14", 0],
      frame_rate: 16,
      loop_count: 0,
      filename_prefix: "mine",
      format: "video/h264-mp4",
      pingpong: false,
      save_output: true,
      audio: ["6", 0],
    },
  };
  const file = join(dir, "mine.json");
  await writeFile(file, JSON.stringify(graph));
  return {
    file,
    inputs: {
      image: "5.image",
      audio: "6.audio",
      frames: "11.length",
      fps: "40.frame_rate",
      seed: "13.seed",
      width: ["7.width", "11.width"],
      height: ["7.height", "11.height"],
    },
    fps: 16,
    maxFrames: 77,
  };
}

let workDir = "";
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "comfy-test-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

// The built-in workflows run the suite in their own files (suite-*.test.ts), so files run in parallel.
runClipProviderSuite({
  name: "comfyui user workflow file (fake server)",
  setup: async () => {
    const fake = await startFakeComfy(FAKE);
    const provider = await createComfyProvider({ url: fake.url, workflow: await userWorkflowFile(workDir) });
    return { provider, close: () => fake.close() };
  },
});

describe("a user's own workflow is checked before anything is paid", () => {
  const inputs = { image: "5.image", audio: "6.audio" };
  async function write(name: string, value: unknown): Promise<string> {
    const file = join(workDir, name);
    await writeFile(file, JSON.stringify(value));
    return file;
  }

  test("a UI-format export is refused with what to do", async () => {
    const file = await write("ui.json", { nodes: [{ id: 1, type: "LoadImage" }], links: [], version: 0.4 });
    const error = await createComfyProvider({ url: "http://127.0.0.1:1", workflow: { file, inputs } }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UserInputError);
    expect((error as UserInputError).shortMessage).toBe(
      `${file} is a UI-format workflow: in ComfyUI use Workflow → Export (API)`,
    );
  });

  test("an inputs entry naming a missing node or input names the entry", async () => {
    const file = await write("graph.json", BUILTIN_WORKFLOWS["wan-s2v"].graph);
    const make = (extra: Record<string, string>) =>
      createComfyProvider({ url: "http://127.0.0.1:1", workflow: { file, inputs: { ...inputs, ...extra } } });
    await expect(make({ seed: "99.seed" })).rejects.toThrow(
      /inputs\.seed "99\.seed" names node 99, which the workflow does not have/,
    );
    await expect(make({ frames: "11.frames" })).rejects.toThrow(
      /inputs\.frames "11\.frames" names input "frames" of node 11 \(WanSoundImageToVideo\), which has only: .*length/,
    );
    await expect(make({ prompt: "9" })).rejects.toThrow(
      /inputs\.prompt "9" is not of the form "node\.input"/,
    );
    await expect(make({ image: "7.image" })).rejects.toThrow(
      /inputs\.image "7\.image" is linked to another node/,
    );
  });

  test("a workflow the server cannot run is refused at submit with the missing node classes", async () => {
    const graph = structuredClone(BUILTIN_WORKFLOWS["wan-s2v"].graph);
    graph["16"] = { class_type: "SaveAnimatedWEBP", inputs: { images: ["14", 0] } };
    const file = await write("custom.json", graph);
    const server = await startFakeComfy();
    try {
      const p = await createComfyProvider({ url: server.url, workflow: { file, inputs } });
      const j = await makeTestJob(join(workDir, "jobs"), { frames: 17 });
      await expect(p.submit(j)).rejects.toThrow(/lacks the node classes SaveAnimatedWEBP/);
      expect(server.stats.prompts).toBe(0);
      await p.close();
    } finally {
      await server.close();
    }
  });

  test("a missing or broken file is a UserInputError naming it", async () => {
    const broken = join(workDir, "broken.json");
    await writeFile(broken, "{ not json");
    await expect(
      createComfyProvider({ url: "http://127.0.0.1:1", workflow: { file: broken, inputs } }),
    ).rejects.toThrow(/broken\.json is not valid JSON/);
    const missing = join(workDir, "nope.json");
    await expect(
      createComfyProvider({ url: "http://127.0.0.1:1", workflow: { file: missing, inputs } }),
    ).rejects.toThrow(/nope\.json: no such file/);
  });
});
