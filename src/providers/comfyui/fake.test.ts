// The fake ComfyUI honours the documented protocol (BACKENDS.md "ComfyUI"), so the provider's tests mean something.
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import WebSocket from "ws";
import { type FakeComfy, startFakeComfy } from "../../../fakes/comfyui/server.js";
import { makeTestJob } from "../suite/clip-provider.case.js";
import {
  BUILTIN_WORKFLOWS,
  describeComfyError,
  fillGraph,
  findVideoOutput,
  statusFromHistory,
} from "./index.js";

let comfy: FakeComfy;
let dir = "";
beforeAll(async () => {
  comfy = await startFakeComfy({ delayMs: 100, steps: 2 });
  dir = await mkdtemp(join(tmpdir(), "fake-comfy-test-"));
});
afterAll(async () => {
  await comfy.close();
  await rm(dir, { recursive: true, force: true });
});

async function upload(
  name: string,
  bytes: string | Uint8Array,
): Promise<{ name: string; subfolder: string; type: string }> {
  const form = new FormData();
  form.append("image", new Blob([bytes]), name);
  const res = await fetch(`${comfy.url}/upload/image`, { method: "POST", body: form });
  expect(res.status).toBe(200);
  return (await res.json()) as { name: string; subfolder: string; type: string };
}

const post = (path: string, body: unknown) =>
  fetch(`${comfy.url}${path}`, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

describe("fake ComfyUI protocol", () => {
  test("every route answers under /api too", async () => {
    for (const path of [
      "/system_stats",
      "/api/system_stats",
      "/api/queue",
      "/api/history/none",
      "/api/object_info",
    ]) {
      expect((await fetch(`${comfy.url}${path}`)).status, path).toBe(200);
    }
    expect(await (await fetch(`${comfy.url}/api/history/none`)).json()).toEqual({});
  });

  test("uploads keep an identical file's name and rename a different one to 'name (1).ext'", async () => {
    expect((await upload("key.png", "one")).name).toBe("key.png");
    expect((await upload("key.png", "one")).name).toBe("key.png");
    expect((await upload("key.png", "two")).name).toBe("key (1).png");
  });

  test("an upload over --max-upload-size is refused with 413", async () => {
    const small = await startFakeComfy({ maxUploadBytes: 1000 });
    try {
      const form = new FormData();
      form.append("image", new Blob([Buffer.alloc(2000)]), "big.png");
      expect((await fetch(`${small.url}/upload/image`, { method: "POST", body: form })).status).toBe(413);
    } finally {
      await small.close();
    }
  });

  test("/view refuses '..' (400) and answers 404 for a missing file", async () => {
    expect((await fetch(`${comfy.url}/view?filename=../secret&type=input`)).status).toBe(400);
    expect((await fetch(`${comfy.url}/view?filename=nope.mp4&type=output`)).status).toBe(404);
    expect((await fetch(`${comfy.url}/view?filename=key.png&type=input`)).status).toBe(200);
  });

  test("POST /prompt validates like ComfyUI: no prompt, unknown class, no outputs, missing inputs", async () => {
    const noPrompt = await post("/prompt", {});
    expect(noPrompt.status).toBe(400);
    expect(((await noPrompt.json()) as { error: { type: string } }).error.type).toBe("no_prompt");
    const unknown = await post("/prompt", { prompt: { "1": { class_type: "Nope", inputs: {} } } });
    expect(await unknown.json()).toMatchObject({
      error: { type: "invalid_prompt", message: "Cannot execute because node Nope does not exist." },
    });
    const noOutputs = await post("/prompt", {
      prompt: { "1": { class_type: "VAELoader", inputs: { vae_name: "v" } } },
    });
    expect(await noOutputs.json()).toMatchObject({ error: { type: "prompt_no_outputs" } });
    const missing = await post("/prompt", { prompt: { "1": { class_type: "SaveVideo", inputs: {} } } });
    const body = (await missing.json()) as Parameters<typeof describeComfyError>[0];
    expect(missing.status).toBe(400);
    expect(describeComfyError(body)).toContain("node 1 (SaveVideo) input video: Required input is missing");
  });

  test("a client-chosen prompt_id is used verbatim and re-posting it queues it again", async () => {
    const before = comfy.stats.prompts;
    const graph = {
      "1": { class_type: "PreviewImage", inputs: { images: ["2", 0] } },
      "2": { class_type: "LoadImage", inputs: { image: "gone.png" } },
    };
    // LoadImage validates that its file exists, as ComfyUI's VALIDATE_INPUTS does.
    const refused = await post("/prompt", { prompt: graph, prompt_id: "mine" });
    expect(await refused.json()).toMatchObject({ error: { type: "prompt_outputs_failed_validation" } });
    await upload("gone.png", "png");
    for (let i = 0; i < 2; i++) {
      const ok = await post("/prompt", { prompt: graph, prompt_id: "mine" });
      expect(await ok.json()).toMatchObject({ prompt_id: "mine", node_errors: {} });
    }
    expect(comfy.stats.prompts - before).toBe(2);
  });

  test("the WebSocket sends status first, then the run's events to the submitting client, ending executing null", async () => {
    const job = await makeTestJob(dir, { frames: 9, width: 64, height: 64 });
    const image = (await upload("ws.png", await readFile(job.image))).name;
    const audio = (await upload("ws.wav", await readFile(job.audio))).name;
    const ws = new WebSocket(`${comfy.url.replace("http", "ws")}/ws?clientId=abc`);
    const events: { type: string; data: Record<string, unknown> }[] = [];
    const finished = new Promise<void>((resolve) => {
      ws.on("message", (raw) => {
        const msg = JSON.parse(String(raw)) as { type: string; data: Record<string, unknown> };
        events.push(msg);
        if (msg.type === "executing" && msg.data.node === null) resolve();
      });
    });
    await new Promise((r) => ws.once("open", r));
    const graph = fillGraph(BUILTIN_WORKFLOWS.infinitetalk, {
      image,
      audio,
      frames: 9,
      fps: 25,
      seed: 1,
      prompt: "p",
      width: 64,
      height: 64,
      silent: false,
    });
    const res = await post("/prompt", { prompt: graph, client_id: "abc", prompt_id: "ws-run" });
    expect(res.status).toBe(200);
    await finished;
    ws.close();
    expect(events[0]!.type).toBe("status");
    expect(events[0]!.data.sid).toBe("abc");
    // Earlier prompts without a client_id may still broadcast their progress: look at this run only.
    const types = events.filter((e) => e.data.prompt_id === "ws-run").map((e) => e.type);
    const order = ["execution_start", "execution_cached", "progress", "executed", "execution_success"];
    const at = order.map((t) => types.indexOf(t));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
    const last = events.filter((e) => e.data.prompt_id === "ws-run").at(-1);
    expect(last).toEqual({ type: "executing", data: { node: null, prompt_id: "ws-run" } });
    const history = (await (await fetch(`${comfy.url}/history/ws-run`)).json()) as Record<string, never>;
    const entry = history["ws-run"] as unknown as Parameters<typeof statusFromHistory>[0];
    expect(statusFromHistory(entry).state).toBe("succeeded");
    expect(findVideoOutput(entry.outputs ?? {})?.subfolder).toBe("video");
  });
});

describe("reading ComfyUI's answers", () => {
  test("an interrupted prompt is cancelled and an errored one failed with the node's message", () => {
    expect(
      statusFromHistory({
        status: {
          status_str: "error",
          completed: false,
          messages: [["execution_interrupted", { node_id: "3" }]],
        },
      }).state,
    ).toBe("cancelled");
    expect(
      statusFromHistory({
        status: {
          status_str: "error",
          completed: false,
          messages: [
            [
              "execution_error",
              { node_id: "3", node_type: "KSampler", exception_type: "X", exception_message: "boom\n" },
            ],
          ],
        },
      }),
    ).toEqual({ state: "failed", reason: "node 3 (KSampler) failed: X: boom" });
  });

  test("the video output is found in SaveVideo images and VHS gifs, never a preview image", () => {
    expect(
      findVideoOutput({
        "9": { images: [{ filename: "preview.png", subfolder: "", type: "temp" }] },
        "19": {
          images: [{ filename: "ComfyUI_00001_.mp4", subfolder: "video", type: "output" }],
          animated: [true],
        },
      }),
    ).toEqual({ filename: "ComfyUI_00001_.mp4", subfolder: "video", type: "output" });
    expect(
      findVideoOutput({
        "15": {
          gifs: [
            { filename: "refrain_00001-audio.mp4", subfolder: "", type: "output", format: "video/h264-mp4" },
          ],
        },
      })?.filename,
    ).toBe("refrain_00001-audio.mp4");
    expect(findVideoOutput({ "9": { images: [{ filename: "a.png" }] } })).toBeNull();
  });
});
