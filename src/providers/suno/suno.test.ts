// Suno through sunoapi.org and gcui-art/suno-api, against the fake: takes, failures, costs, choosing the song.
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { type SunoBehaviour, startSunoFake } from "../../../fakes/suno/server.js";
import { ProviderError, UserInputError } from "../../errors/index.js";
import { findTools } from "../../media/index.js";
import { chooseSong, MediaTakes, makeSongs, setSongInProject } from "../music/index.js";
import { runMusicProviderSuite, SUITE_REQUEST } from "../music/music-provider.case.js";
import { createSunoapiProvider, createSunoSelfHostedProvider, sunoapiBody } from "./index.js";

const tools = findTools(process.env);
const env = { SUNO_API_KEY: "suno-test-key" };

runMusicProviderSuite({
  name: "suno (sunoapi.org)",
  alignedWords: true,
  start: async () => {
    const fake = await startSunoFake({ tools });
    return { provider: createSunoapiProvider({ base_url: fake.url }, { tools, env }), close: fake.close };
  },
});

runMusicProviderSuite({
  name: "suno-self-hosted (gcui-art)",
  alignedWords: true,
  start: async () => {
    const fake = await startSunoFake({ tools });
    return {
      provider: createSunoSelfHostedProvider({ base_url: fake.url }, { tools, env: {} }),
      close: fake.close,
    };
  },
});

describe("sunoapi.org specifics", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterEach(async () => {
    while (cleanup.length) await cleanup.pop()!();
  });
  async function setup(behaviours: SunoBehaviour[] = [], keyEnv: Record<string, string> = env) {
    const fake = await startSunoFake({ tools, behaviours });
    const dir = await mkdtemp(join(tmpdir(), "suno-"));
    cleanup.push(fake.close, () => rm(dir, { recursive: true, force: true }));
    const provider = createSunoapiProvider({ base_url: fake.url }, { tools, env: keyEnv });
    const takes = new MediaTakes(dir, "songs");
    const opts = { tools, takes, pollMs: 5 };
    return { fake, dir, provider, takes, opts };
  }

  it("sends the writer's header in sunoapi.org's field names", () => {
    expect(
      sunoapiBody(
        {
          lyrics: "la",
          style: "pop",
          title: "T",
          exclude: "metal",
          vocalGender: "f",
          weirdness: 0.2,
          styleWeight: 0.9,
        },
        "V5",
        "https://cb",
      ),
    ).toEqual({
      customMode: true,
      instrumental: false,
      model: "V5",
      prompt: "la",
      style: "pop",
      title: "T",
      callBackUrl: "https://cb",
      negativeTags: "metal",
      vocalGender: "f",
      weirdnessConstraint: 0.2,
      styleWeight: 0.9,
    });
  });

  it("reads a refusal carried in an HTTP 200 body as a transient rate limit", async () => {
    const { provider } = await setup(["suno-body-405-then-ok"]);
    const e = await provider.submit(SUITE_REQUEST).catch((x) => x);
    expect(e).toBeInstanceOf(ProviderError);
    expect(e.transient).toBe(true);
    expect(e.shortMessage).toMatch(/rate limit.*405/);
    expect((await provider.submit(SUITE_REQUEST)).remoteId).toBeTruthy();
  });

  it("keeps both takes as failed with the reason when the lyrics hit the word filter", async () => {
    const { provider, takes, opts } = await setup(["suno-sensitive-word"]);
    const made = await makeSongs(provider, SUITE_REQUEST, opts);
    expect(made.map((t) => t.status)).toEqual(["failed", "failed"]);
    expect(made[0]!.failureReason).toMatch(/SENSITIVE_WORD_ERROR/);
    expect(await takes.list()).toHaveLength(2);
  });

  it("keeps the one song that arrived when the other never does", async () => {
    const { provider, opts } = await setup(["suno-first-success-only"]);
    const made = await makeSongs(provider, SUITE_REQUEST, opts);
    expect(made.map((t) => t.status).sort()).toEqual(["failed", "succeeded"]);
  });

  it("refuses lyrics over the model's limit with a pointer to the check", async () => {
    const { provider } = await setup();
    const long = { ...SUITE_REQUEST, lyrics: "x".repeat(5001) };
    await expect(provider.submit(long)).rejects.toThrow(/too long.*refrain lyrics check/);
  });

  it("names the missing key and never shows a wrong one", async () => {
    expect(() => createSunoapiProvider({}, { tools, env: {} })).toThrow(UserInputError);
    expect(() => createSunoapiProvider({}, { tools, env: {} })).toThrow(/SUNO_API_KEY/);
    const { provider } = await setup([], { SUNO_API_KEY: "wrong-secret-123" });
    const e = await provider.submit(SUITE_REQUEST).catch((x) => x);
    expect(e.shortMessage).toMatch(/SUNO_API_KEY is not valid/);
    expect(JSON.stringify({ m: e.message, s: e.shortMessage })).not.toContain("wrong-secret-123");
  });

  it("makes a chosen song the project's song, keeping refrain.yaml's comments", async () => {
    const { provider, dir, takes, opts } = await setup();
    const yaml = "version: 1 # format\n# the song\nsong: old.mp3\nimage: me.png\n";
    await writeFile(join(dir, "refrain.yaml"), yaml);
    const [first] = await makeSongs(provider, SUITE_REQUEST, opts);
    const chosen = await chooseSong(dir, takes, first!.id.slice(0, 8));
    const after = await readFile(join(dir, "refrain.yaml"), "utf8");
    expect(after).toContain("# the song");
    expect(after).toContain("version: 1 # format");
    expect(after).toContain(`song: ${chosen.song}`);
    expect(after).toContain(`lyrics: ${chosen.lyrics}`);
    await expect(readFile(join(dir, chosen.song))).resolves.toBeTruthy();
  });

  it("adds lyrics: when the project file had none, leaving other keys in place", () => {
    const out = setSongInProject("version: 1\nsong: a.mp3 # mine\nimage: b.png\n", "s.mp3", "l.json");
    expect(out).toBe("version: 1\nsong: s.mp3 # mine\nimage: b.png\nlyrics: l.json\n");
  });
});
