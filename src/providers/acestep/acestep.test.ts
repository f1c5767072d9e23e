// ACE-Step against its fake: the music suite, the wrapper, the optional key, a full queue, failed and forgotten tasks.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type AceStepBehaviour, startAceStepFake } from "../../../fakes/acestep/server.js";
import { ProviderError } from "../../errors/index.js";
import { findTools, probe } from "../../media/index.js";
import { MediaTakes, makeSongs } from "../music/index.js";
import { runMusicProviderSuite, SUITE_REQUEST } from "../music/music-provider.case.js";
import { createAceStepProvider, releaseTaskBody } from "./index.js";

const tools = findTools(process.env);

runMusicProviderSuite({
  name: "acestep",
  alignedWords: false,
  start: async () => {
    const fake = await startAceStepFake({ tools });
    return { provider: createAceStepProvider({ base_url: fake.url }, { tools, env: {} }), close: fake.close };
  },
});

describe("acestep specifics", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  async function setup(
    o: {
      behaviours?: AceStepBehaviour[];
      key?: string;
      env?: Record<string, string>;
      settings?: Record<string, unknown>;
      now?: () => number;
    } = {},
  ) {
    const fake = await startAceStepFake({ tools, behaviours: o.behaviours, key: o.key });
    const dir = await mkdtemp(join(tmpdir(), "acestep-"));
    cleanup.push(fake.close, () => rm(dir, { recursive: true, force: true }));
    const provider = createAceStepProvider(
      { base_url: fake.url, ...o.settings },
      { tools, env: o.env ?? {}, now: o.now },
    );
    const takes = new MediaTakes(dir, "songs");
    return { fake, provider, takes, opts: { tools, takes, pollMs: 5 } };
  }

  it("asks for the caption, lyrics, length, batch and format in release_task's field names", () => {
    expect(
      releaseTaskBody(
        { ...SUITE_REQUEST, durationS: 5, seed: 7 },
        { batchSize: 3, format: "wav", durationS: 120, model: "acestep-v15-base" },
      ),
    ).toEqual({
      task_type: "text2music",
      prompt: "synthwave",
      lyrics: SUITE_REQUEST.lyrics,
      // ACE-Step makes 10–600 s: a shorter request is lengthened rather than refused.
      audio_duration: 10,
      batch_size: 3,
      audio_format: "wav",
      model: "acestep-v15-base",
      seed: 7,
      use_random_seed: false,
    });
    const instrumental = releaseTaskBody(
      { ...SUITE_REQUEST, instrumental: true, durationS: undefined },
      { batchSize: 1, format: "mp3", durationS: 90 },
    );
    expect(instrumental).toMatchObject({ lyrics: "[Instrumental]", audio_duration: 90 });
  });

  it("keeps a batch of the configured size in the configured format, free", async () => {
    const { provider, takes, opts } = await setup({ settings: { batch_size: 3, audio_format: "wav" } });
    const made = await makeSongs(provider, SUITE_REQUEST, opts);
    expect(made).toHaveLength(3);
    expect(made.every((t) => t.status === "succeeded" && t.actualUsd === 0)).toBe(true);
    const info = await probe(tools, takes.path(made[0]!.file!), "song");
    expect(made[0]!.file!.endsWith(".wav")).toBe(true);
    expect(info.durationS).toBeCloseTo(10, 0);
  });

  it("sends ACESTEP_API_KEY as a Bearer token when it is set, and names it when refused", async () => {
    const ok = await setup({ key: "ace-secret-1", env: { ACESTEP_API_KEY: "ace-secret-1" } });
    const [t] = await makeSongs(ok.provider, SUITE_REQUEST, ok.opts);
    expect(t!.status).toBe("succeeded");

    const missing = await setup({ key: "ace-secret-1" });
    await expect(missing.provider.submit(SUITE_REQUEST)).rejects.toThrow(
      /wants an API key: set ACESTEP_API_KEY/,
    );

    const wrong = await setup({ key: "ace-secret-1", env: { ACESTEP_API_KEY: "wrong-ace-key-9" } });
    const e = await wrong.provider.submit(SUITE_REQUEST).catch((x) => x);
    expect(e.shortMessage).toMatch(/ACESTEP_API_KEY is not valid/);
    expect(JSON.stringify({ m: e.message, s: e.shortMessage, h: e.hint })).not.toContain("wrong-ace-key-9");
  });

  it("reads a full queue (429) as transient, and submits once it has room", async () => {
    const { provider } = await setup({ behaviours: ["acestep-queue-full-once"] });
    const e = await provider.submit(SUITE_REQUEST).catch((x) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.transient).toBe(true);
    expect(e.shortMessage).toMatch(/queue is full/);
    expect((await provider.submit(SUITE_REQUEST)).remoteId).toBeTruthy();
  });

  it("keeps every song of a failed task as a failed take with the server's reason", async () => {
    const { provider, takes, opts } = await setup({ behaviours: ["acestep-fails"] });
    const made = await makeSongs(provider, SUITE_REQUEST, opts);
    expect(made.map((t) => t.status)).toEqual(["failed", "failed"]);
    expect(made[0]!.failureReason).toMatch(/CUDA out of memory/);
    expect(await takes.list()).toHaveLength(2);
  });

  it("gives up on a task the server forgot (status 0 forever) after its own deadline", async () => {
    let clock = 0;
    const { provider, opts } = await setup({
      behaviours: ["acestep-restarted"],
      settings: { deadline_s: 60 },
      now: () => clock,
    });
    const { remoteId } = await provider.submit(SUITE_REQUEST);
    expect((await provider.poll(remoteId)).state).toBe("running");
    clock += 61_000;
    const status = await provider.poll(remoteId);
    expect(status.state).toBe("failed");
    expect(status.reason).toMatch(/forgotten/);
    // Through the driver, the takes end failed instead of waiting forever.
    clock = 0;
    const made = await makeSongs(provider, SUITE_REQUEST, {
      ...opts,
      sleep: async () => {
        clock += 30_000;
      },
    });
    expect(made.every((t) => t.status === "failed")).toBe(true);
  });

  it("refuses settings out of ACE-Step's range with the field's name", () => {
    expect(() => createAceStepProvider({ batch_size: 9 }, { tools, env: {} })).toThrow(/music\.batch_size/);
    expect(() => createAceStepProvider({ audio_format: "ogg" }, { tools, env: {} })).toThrow(
      /music\.audio_format/,
    );
  });
});
