// The ComfyUI provider against the protocol-faithful fake: the promises ComfyUI makes beyond the shared suite.
import { mkdtemp, rm } from "node:fs/promises";
import { type AddressInfo, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type Behaviour, startFakeComfy } from "../../../fakes/comfyui/server.js";
import { ProviderError } from "../../errors/index.js";
import { findTools, probe } from "../../media/index.js";
import { makeTestJob, pollUntil } from "../suite/clip-provider.case.js";
import { type ComfySettings, createComfyPool, createComfyProvider } from "./index.js";

let workDir = "";
beforeAll(async () => {
  workDir = await mkdtemp(join(tmpdir(), "comfy-test-"));
});
afterAll(async () => {
  await rm(workDir, { recursive: true, force: true });
});

describe("comfyui provider", () => {
  const tools = findTools();
  const started: { close(): Promise<void> }[] = [];
  afterAll(async () => {
    for (const s of started) await s.close();
  });
  async function fake(behaviours: Behaviour[] = [], delayMs = 300) {
    const f = await startFakeComfy({ behaviours, delayMs });
    started.push(f);
    return f;
  }
  async function provider(url: string, settings: Partial<ComfySettings> = {}) {
    const p = await createComfyProvider({ url, workflow: "infinitetalk-wrapper", ...settings });
    started.push(p);
    return p;
  }
  const job = (overrides = {}) => makeTestJob(join(workDir, "jobs"), { frames: 81, ...overrides }, tools);

  test("a dropped WebSocket falls back to polling /history and the job still completes", async () => {
    const server = await fake(["comfy-drops-websocket"], 600);
    const p = await provider(server.url);
    const j = await job();
    const { remoteId } = await p.submit(j);
    const done = await pollUntil(p, remoteId, undefined, 20_000);
    expect(done.state).toBe("succeeded");
    const out = join(workDir, `${j.token}.mp4`);
    await p.fetch(remoteId, out);
    expect((await probe(tools, out)).video?.frames).toBe(81);
  });

  test("poll works with no WebSocket at all", async () => {
    const server = await fake();
    const p = await provider(server.url, { websocket: false });
    const { remoteId } = await p.submit(await job());
    expect((await pollUntil(p, remoteId)).state).toBe("succeeded");
    expect(server.stats.sockets).toBe(0);
  });

  test("after a crash, lookup finds the queued and the finished job by prompt_id and nothing is re-queued", async () => {
    const server = await fake([], 500);
    const before = await provider(server.url);
    const first = await job();
    const second = await job();
    await before.submit(first);
    await before.submit(second);
    await before.close(); // the process "dies" here, before recording either remote id
    const after = await provider(server.url);
    const queued = await after.lookup(second.token);
    expect(queued?.remoteId).toBe(second.token);
    expect(["queued", "running"]).toContain(queued?.status.state);
    await pollUntil(after, second.token);
    const finished = await after.lookup(first.token);
    expect(finished).toEqual({
      remoteId: first.token,
      status: expect.objectContaining({ state: "succeeded" }),
    });
    expect(server.stats.prompts).toBe(2);
    expect(await after.lookup("never-submitted")).toBeNull();
  });

  test("the error node's message reaches the failed take", async () => {
    const server = await fake(["comfy-error-node"]);
    const p = await provider(server.url);
    const { remoteId } = await p.submit(await job());
    const end = await pollUntil(p, remoteId);
    expect(end.state).toBe("failed");
    expect(end.reason).toContain("WanVideoSampler");
    expect(end.reason).toContain("out of memory");
    // A fresh client (no socket history) reads the same reason from /history.
    const fresh = await provider(server.url, { websocket: false });
    expect((await fresh.poll(remoteId)).reason).toBe(end.reason);
  });

  test("a server restart that loses history is a clear error, not a hang", async () => {
    const server = await fake(["comfy-restart-loses-history"], 100);
    const p = await provider(server.url, { websocket: false });
    const { remoteId } = await p.submit(await job());
    await expect(pollUntil(p, remoteId)).rejects.toThrow(/does not know prompt .* restarted/);
  });

  test("a server that is not ComfyUI is refused before anything is submitted", async () => {
    const server = await fake(["not-comfy"]);
    const p = await provider(server.url);
    const error = await p.submit(await job()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).shortMessage).toContain(`${server.url} is not a ComfyUI server`);
    expect((error as ProviderError).transient).toBe(false);
  });

  test("HTTP 500 and a refused connection are transient errors", async () => {
    const server = await fake(["comfy-500"]);
    const p = await provider(server.url);
    const e500 = await p.submit(await job()).catch((e: unknown) => e);
    expect(e500).toMatchObject({ transient: true, status: 500 });
    const gone = await fake();
    await gone.close();
    const refused = await (await provider(gone.url)).submit(await job()).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderError);
    expect((refused as ProviderError).transient).toBe(true);
    expect((refused as ProviderError).shortMessage).toContain("ECONNREFUSED");
  });

  test("a server that never answers or drops the connection gives transient errors", async () => {
    const sockets: Socket[] = [];
    const silent = createServer((socket) => sockets.push(socket)); // accepts, never answers
    const rude = createServer((socket) => socket.destroy()); // resets every connection
    const url = async (server: ReturnType<typeof createServer>) => {
      await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
      return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    };
    try {
      const slow = await provider(await url(silent), { timeoutMs: 300 });
      const timedOut = (await slow.submit(await job()).catch((e: unknown) => e)) as ProviderError;
      expect(timedOut).toBeInstanceOf(ProviderError);
      expect(timedOut.transient).toBe(true);
      expect(timedOut.shortMessage).toContain("did not answer");
      const reset = await (await provider(await url(rude))).submit(await job()).catch((e: unknown) => e);
      expect(reset).toBeInstanceOf(ProviderError);
      expect((reset as ProviderError).transient).toBe(true);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
      await new Promise((r) => rude.close(r));
    }
  });

  test("a 400 with node_errors names the node, the input and the message", async () => {
    const server = await fake();
    const p = await provider(server.url, { steps: 0 });
    const error = (await p.submit(await job()).catch((e: unknown) => e)) as ProviderError;
    expect(error).toBeInstanceOf(ProviderError);
    expect(error.shortMessage).toMatch(
      /node 13 \(WanVideoSampler\) input steps: Value 0 smaller than min of 1/,
    );
    expect(server.stats.prompts).toBe(0);
  });

  test("a frame count the workflow cannot make is refused before upload", async () => {
    const server = await fake();
    const p = await provider(server.url, { workflow: "infinitetalk" });
    await expect(p.submit(await job({ frames: 80 }))).rejects.toThrow(/asks for 80 frames.*4k\+1/);
    expect(server.stats.prompts).toBe(0);
  });

  test("an instrumental segment on the wrapper workflow uses silent embeddings", async () => {
    const server = await fake([], 50);
    const p = await provider(server.url);
    const j = await job({ kind: "instrumental" });
    const { remoteId } = await p.submit(j);
    await pollUntil(p, remoteId);
    const history = (await (await fetch(`${server.url}/history/${remoteId}`)).json()) as Record<
      string,
      { prompt: [number, string, Record<string, { inputs: Record<string, unknown> }>] }
    >;
    const graph = history[remoteId]!.prompt[2];
    expect(graph["13"]!.inputs.multitalk_embeds).toEqual(["11", 0]);
    expect(graph["11"]!.inputs.num_frames).toBe(81);
  });

  test("with a Comfy Cloud key every request carries X-API-Key on /api routes; a wrong key is not retried", async () => {
    const server = await startFakeComfy({ cloudApiKey: "secret", delayMs: 50 });
    started.push(server);
    const p = await provider(server.url, { apiKey: "secret", workflow: "wan-s2v" });
    expect(p.paid).toBe(true);
    const { remoteId } = await p.submit(await job({ frames: 17 }));
    expect((await pollUntil(p, remoteId)).state).toBe("succeeded");
    await p.fetch(remoteId, join(workDir, `${remoteId}.mp4`));
    const wrong = await provider(server.url, { apiKey: "nope" });
    const error = await wrong.submit(await job()).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401, transient: false });
  });

  test("a pool gives one provider per server, each running its own jobs", async () => {
    const servers = [await fake([], 50), await fake([], 50)];
    const pool = await createComfyPool(
      servers.map((s) => s.url),
      { workflow: "wan-s2v" },
    );
    started.push(...pool);
    expect(pool.map((p) => p.url)).toEqual(servers.map((s) => s.url));
    expect(pool.map((p) => p.endpoint)).toEqual(servers.map((s) => `comfyui@${s.url}`));
    for (const p of pool) {
      const { remoteId } = await p.submit(await job({ frames: 17 }));
      expect((await pollUntil(p, remoteId)).state).toBe("succeeded");
    }
    expect(servers.map((s) => s.stats.prompts)).toEqual([1, 1]);
  });
});
