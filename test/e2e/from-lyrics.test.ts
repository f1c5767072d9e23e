// From a lyrics file alone: `refrain make` makes the song and the key image against the fakes, keeps them as takes with costs, and renders the video.
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startAceStepFake } from "../../fakes/acestep/server.js";
import { startGeminiFake } from "../../fakes/gemini/server.js";
import { startOpenAiImagesFake } from "../../fakes/openai-images/server.js";
import { startSunoFake } from "../../fakes/suno/server.js";
import { parseLyrics } from "../../src/analysis/lyrics/index.js";
import { findTools, probe, runFfmpeg } from "../../src/media/index.js";
import { analysisKey, openSession } from "../../src/pipeline/index.js";
import { hashKey } from "../../src/store/index.js";
import { run as runCli } from "../helpers.js";

const tools = findTools();
const SUNO_KEY = "test-key-suno-7f3a9c21";
const OPENAI_KEY = "test-key-openai-5b8e0d44";
const env = { PATH: process.env.PATH, SUNO_API_KEY: SUNO_KEY, OPENAI_API_KEY: OPENAI_KEY };

const LYRICS = `---
title: Night Drive
style: synthwave, female vocals
---
[Verse]
headlights on the road
we drive until the morning

[Chorus]
hold on hold on
`;

function run(args: string[], cwd: string, runEnv: NodeJS.ProcessEnv = env) {
  return runCli(args, cwd, runEnv);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

const readJson = async (path: string) => JSON.parse(await readFile(path, "utf8"));

describe("refrain make from a lyrics file alone", () => {
  let dir: string;
  let suno: Awaited<ReturnType<typeof startSunoFake>>;
  let images: Awaited<ReturnType<typeof startOpenAiImagesFake>>;
  let first: Awaited<ReturnType<typeof run>>;

  beforeAll(async () => {
    suno = await startSunoFake({ tools, key: SUNO_KEY, songSeconds: 6 });
    images = await startOpenAiImagesFake({ tools, key: OPENAI_KEY });
    dir = await mkdtemp(join(tmpdir(), "refrain-from-lyrics-"));
    await writeFile(join(dir, "song.txt"), LYRICS);
    await writeFile(
      join(dir, "refrain.yaml"),
      [
        "version: 1",
        "title: night-drive",
        "lyrics_file: song.txt   # the song is made from this",
        "song: song.mp3",
        `music: { provider: suno, base_url: "${suno.url}", model: V5, poll_s: 0.05 }`,
        "image: singer.png",
        `key_image: { provider: openai, prompt: "a singer, portrait, looking at the camera", base_url: "${images.url}/v1" }`,
        "output: { resolution: 240, aspect: '1:1' }",
        "clip: { provider: local }",
        "",
      ].join("\n"),
    );
    first = await run(["make"], dir);
  }, 60_000);

  afterAll(async () => {
    await suno?.close();
    await images?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("succeeds, saying what each paid call costs before and after", () => {
    expect(first.code, first.err).toBe(0);
    expect(first.err).toMatch(/song: suno V5 makes 2 songs, about \$0\.10/);
    expect(first.err).toMatch(/2 of 2 song take\(s\) kept, \$0\.10 recorded/);
    expect(first.err).toMatch(/image: openai gpt-image-1 makes 1 image, about \$0\.063/);
    expect(first.err).toMatch(/image: face check: one face/);
  });

  it("keeps both songs and the image as takes with their costs", async () => {
    const songs = (await readJson(join(dir, ".refrain/takes/songs/index.json"))).takes;
    expect(songs).toHaveLength(2);
    for (const t of songs) {
      expect(t.status).toBe("succeeded");
      expect(t.estimatedUsd).toBeGreaterThan(0);
      expect(t.actualUsd).toBe(t.estimatedUsd);
    }
    const imgs = (await readJson(join(dir, ".refrain/takes/images/index.json"))).takes;
    expect(imgs).toHaveLength(1);
    expect(imgs[0]).toMatchObject({ status: "succeeded", provider: "openai" });
    expect(imgs[0].actualUsd).toBeGreaterThan(0);
  });

  it("renders a video as long as the song it made", async () => {
    const song = await probe(tools, join(dir, "song.mp3"), "song");
    const outs = (await readdir(join(dir, "out"))).filter((f) => f.endsWith(".mp4"));
    expect(outs).toHaveLength(1);
    const video = await probe(tools, join(dir, "out", outs[0]!), "video");
    expect(video.video).toBeDefined();
    expect(Math.abs(video.durationS - song.durationS)).toBeLessThan(0.1);
  });

  it("takes the lyrics from the chosen song's aligned words", async () => {
    const yaml = await readFile(join(dir, "refrain.yaml"), "utf8");
    expect(yaml).toMatch(/^lyrics: song\.words\.json$/m);
    expect(yaml).toContain("# the song is made from this");
    const songs = (await readJson(join(dir, ".refrain/takes/songs/index.json"))).takes;
    const words = await readFile(join(dir, "song.words.json"), "utf8");
    expect(words).toBe(await readFile(join(dir, ".refrain/takes/songs", songs[0].lyrics), "utf8"));
    expect(parseLyrics(words, "song.words.json").lines.map((l) => l.text)).toEqual([
      "headlights on the road",
      "we drive until the morning",
      "hold on hold on",
    ]);
  });

  it("is up to date on a second run, paying for nothing", async () => {
    const again = await run(["make"], dir);
    expect(again.code, again.err).toBe(0);
    expect(again.out).toMatch(/up to date/);
    expect(suno.bodies).toHaveLength(1);
    expect(images.requests).toHaveLength(1);
  }, 30_000);

  it("makes the song again from its kept take, unpaid, when the file is deleted", async () => {
    await rm(join(dir, "song.mp3"));
    const again = await run(["make"], dir);
    expect(again.code, again.err).toBe(0);
    expect(again.err).toMatch(/already made/);
    expect(suno.bodies).toHaveLength(1);
  }, 30_000);

  it("writes and prints no key anywhere", async () => {
    const printed = [first.out, first.err].join("\n");
    for (const key of [SUNO_KEY, OPENAI_KEY]) {
      expect(printed).not.toContain(key);
      for (const file of await filesUnder(dir)) {
        expect((await readFile(file)).includes(key), file).toBe(false);
      }
    }
  });
});

describe("choosing another song", () => {
  it("with `refrain song --choose`, changes the analysis key (ACE-Step, two different songs)", async () => {
    const ace = await startAceStepFake({ tools, pollsToFinish: 1 });
    const dir = await mkdtemp(join(tmpdir(), "refrain-choose-"));
    try {
      await writeFile(join(dir, "song.txt"), LYRICS);
      await mkdir(join(dir, "out"));
      await writeFile(
        join(dir, "refrain.yaml"),
        `version: 1\nlyrics_file: song.txt\nsong: song.mp3\nmusic: { provider: acestep, base_url: "${ace.url}", duration_s: 10 }\nimage: singer.png\n`,
      );
      const made = await run(["song", "song.txt", "--api", "acestep", "--base-url", ace.url], dir, {
        PATH: process.env.PATH,
      });
      expect(made.code, made.err).toBe(0);
      expect(made.err).toMatch(/acestep .*: free for 2 songs/);
      const ids = made.out.split("\n").map((l) => l.split(/\s+/)[0]!);
      expect(ids).toHaveLength(2);
      const keys: string[] = [];
      for (const id of ids) {
        const chosen = await run(["song", "--choose", id], dir, { PATH: process.env.PATH });
        expect(chosen.code, chosen.err).toBe(0);
        const session = await openSession(dir, { tools, env: {} });
        try {
          keys.push(hashKey(await analysisKey(session)));
        } finally {
          await session.close();
        }
      }
      expect(keys[0]).not.toBe(keys[1]);
    } finally {
      await ace.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

describe("making the song and image: what goes wrong is said in one line, and no take is lost", () => {
  const made: string[] = [];
  afterEach(async () => {
    for (const d of made.splice(0)) await rm(d, { recursive: true, force: true });
  });

  async function project(yaml: string, files: Record<string, string> = { "song.txt": LYRICS }) {
    const dir = await mkdtemp(join(tmpdir(), "refrain-sources-bad-"));
    made.push(dir);
    for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
    await writeFile(join(dir, "refrain.yaml"), `version: 1\n${yaml}`);
    return dir;
  }

  it("music: without lyrics_file: names the missing field", async () => {
    const dir = await project("song: song.mp3\nimage: singer.png\nmusic: { provider: suno }\n");
    const r = await run(["make"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/refrain\.yaml: music: is set but lyrics_file: is not/);
    await rm(dir, { recursive: true, force: true });
  });

  it("lyrics over the model's limit: file and line, before anything is paid", async () => {
    const long = `---\ntitle: T\nstyle: pop\n---\n[Verse]\n${"la ".repeat(1100)}\n`;
    const dir = await project(
      "lyrics_file: song.txt\nsong: song.mp3\nimage: singer.png\nmusic: { provider: suno, model: V4 }\n",
      {
        "song.txt": long,
      },
    );
    const r = await run(["make"], dir);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/song\.txt:\d+: the lyrics is \d+ characters; sunoapi V4 allows 3000/);
    expect(r.err).not.toMatch(/about \$/);
    await rm(dir, { recursive: true, force: true });
  });

  it("a song refused by the word filter: both takes kept as failed, the reason printed", async () => {
    const suno = await startSunoFake({ tools, key: SUNO_KEY, behaviours: ["suno-sensitive-word"] });
    const dir = await project(
      `lyrics_file: song.txt\nsong: song.mp3\nimage: singer.png\nmusic: { provider: suno, base_url: "${suno.url}" }\n`,
    );
    try {
      const r = await run(["make"], dir);
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/no song was made from song\.txt: SENSITIVE_WORD_ERROR/);
      const songs = (await readJson(join(dir, ".refrain/takes/songs/index.json"))).takes;
      expect(songs.map((t: { status: string }) => t.status)).toEqual(["failed", "failed"]);
    } finally {
      await suno.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("an image model answering in words: a failed take and a clear line", async () => {
    const gemini = await startGeminiFake({ tools, key: "gem-k-1", behaviours: ["gemini-text-only"] });
    const dir = await project(
      `song: song.wav\nimage: singer.png\nkey_image: { provider: gemini, prompt: "a singer", base_url: "${gemini.url}" }\n`,
    );
    try {
      const r = await run(["make"], dir, { PATH: process.env.PATH, GEMINI_API_KEY: "gem-k-1" });
      expect(r.code).toBe(4);
      expect(r.err).toMatch(/gemini: the model answered with text and no image/);
      const imgs = (await readJson(join(dir, ".refrain/takes/images/index.json"))).takes;
      expect(imgs).toMatchObject([{ status: "failed", provider: "gemini" }]);
    } finally {
      await gemini.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a made image with no face: a clear warning, and the run goes on", async () => {
    const gemini = await startGeminiFake({ tools, key: "gem-k-1", behaviours: ["gemini-no-face"] });
    const dir = await project(
      `song: song.wav\nimage: singer.png\nkey_image: { provider: gemini, prompt: "a field", base_url: "${gemini.url}" }\n`,
      {},
    );
    await runFfmpeg(tools, ["-f", "lavfi", "-i", "sine=f=220:d=4", join(dir, "song.wav")]);
    try {
      // A dry run spends nothing: it names the missing image instead of paying for it.
      const dry = await run(["make", "--dry-run"], dir, {
        PATH: process.env.PATH,
        GEMINI_API_KEY: "gem-k-1",
      });
      expect(dry.code).toBe(2);
      expect(dry.err).toMatch(
        /singer\.png does not exist yet: `refrain make` would create it with key_image:/,
      );
      expect(gemini.requests).toHaveLength(0);
      const r = await run(["make"], dir, { PATH: process.env.PATH, GEMINI_API_KEY: "gem-k-1" });
      expect(r.code, r.err).toBe(0);
      expect(r.err).toMatch(/warning: the key image singer\.png: no face found/);
      expect((await probe(tools, join(dir, "singer.png"), "image")).video).toBeDefined();
    } finally {
      await gemini.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
