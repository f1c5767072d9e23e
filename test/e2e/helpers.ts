// End-to-end wiring: a short synthesised song project on disk, the CLI run in-process against it, and what the output measures.
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { stringify } from "yaml";
import { main } from "../../src/cli/main.js";
import { demoLrc, drawDemoSinger, synthesizeDemoSong } from "../../src/demo/index.js";
import {
  countFrames as countVideoFrames,
  decodeMono,
  findTools,
  runFfmpeg,
  type Tools,
  writePng,
} from "../../src/media/index.js";

export const tools: Tools = findTools();

/**
 * Every folder these helpers make in the temp folder, removed when the test file ends (its tests
 * may remove theirs sooner), so no run leaves anything behind — even one whose assertions failed.
 */
const made: string[] = [];
async function tempDir(prefix: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
// Registered when a test file imports this module: each file runs in its own module graph.
afterAll(() => removeAll(...made.splice(0)));

/** The song every e2e project uses: 11 s of the demo song from 4 s in, so it holds both intro and singing. */
export const SONG_START_S = 4;
export const SONG_SECONDS = 11;
export const FPS = 25;

export interface Inputs {
  dir: string;
  song: string;
  image: string;
  lyrics: string;
  /** Samples of the song at 48 kHz, as decoded. */
  samples: number;
}

/**
 * Synthesises the demo song once, cut to a short 48 kHz WAV (exact sample count), its key image,
 * and its lyric timings shifted to the cut — the lyrics tell vocal from instrumental stretches.
 */
export async function makeInputs(): Promise<Inputs> {
  const dir = await tempDir("refrain-e2e-in-");
  const demo = synthesizeDemoSong();
  const song = join(dir, "song.wav");
  const pcm = new Uint8Array(demo.stereo.buffer, demo.stereo.byteOffset, demo.stereo.byteLength);
  await runFfmpeg(
    tools,
    ["-f", "f32le", "-ar", "48000", "-ac", "2", "-i", "pipe:0"].concat([
      "-ss",
      String(SONG_START_S),
      "-t",
      String(SONG_SECONDS),
      "-c:a",
      "pcm_s16le",
      song,
    ]),
    { stdin: pcm },
  );
  const image = join(dir, "singer.png");
  await writePng(tools, drawDemoSinger(), image);
  const shift = SONG_START_S * 48000;
  const end = SONG_SECONDS * 48000;
  const lines = demo.lines
    .map((l) => ({ ...l, words: l.words.map((w) => ({ ...w, start: w.start - shift, end: w.end - shift })) }))
    .filter((l) => l.words[0]!.start >= 0 && l.words[l.words.length - 1]!.end <= end);
  const lyrics = join(dir, "song.lrc");
  await writeFile(lyrics, demoLrc({ ...demo, lines }));
  const samples = (await decodeMono(tools, song)).length;
  return { dir, song, image, lyrics, samples };
}

export interface ProjectOptions {
  title?: string;
  budget?: number;
  /** Extra files to write into the project (relative path → text). */
  files?: Record<string, string>;
}

/** A project folder with the song, the image and a refrain.yaml whose `clip:` is `clip`. Small output to keep renders fast. */
export async function makeProject(
  inputs: Inputs,
  clip: Record<string, unknown>,
  options: ProjectOptions = {},
): Promise<string> {
  const dir = await tempDir("refrain-e2e-");
  await copyFile(inputs.song, join(dir, "song.wav"));
  await copyFile(inputs.image, join(dir, "singer.png"));
  await copyFile(inputs.lyrics, join(dir, "song.lrc"));
  const config: Record<string, unknown> = {
    version: 1,
    title: options.title ?? "clip",
    song: "song.wav",
    image: "singer.png",
    lyrics: "song.lrc",
    output: { aspect: "16:9", resolution: 240, fps: FPS, transition: "fade", subtitles: "none" },
    plan: { min_s: 2, max_s: 5 },
    clip: { seed: 1, ...clip },
  };
  if (options.budget !== undefined) config.budget = options.budget;
  await writeFile(join(dir, "refrain.yaml"), stringify(config));
  for (const [name, text] of Object.entries(options.files ?? {})) {
    await mkdir(join(dir, name, ".."), { recursive: true });
    await writeFile(join(dir, name), text);
  }
  return dir;
}

export interface CliRun {
  code: number;
  out: string;
  err: string;
}

/** Runs `refrain <args>` in-process in `cwd` with exactly `env` (plus PATH, so ffmpeg is found). */
export async function refrain(cwd: string, env: Record<string, string>, ...args: string[]): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(["node", "refrain", ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...env },
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    interactive: false,
  });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** The JSON a `--json` command printed, or a failure that shows what it printed instead. */
export function json<T = unknown>(run: CliRun): T {
  if (run.code !== 0) throw new Error(`exit ${run.code}\nstdout: ${run.out}\nstderr: ${run.err}`);
  return JSON.parse(run.out) as T;
}

/** Decoded video frames, counted (not the container's claim). */
export const countFrames = (file: string): Promise<number> => countVideoFrames(tools, file);

/** Frames a song of `samples` fills at `fps`: the project's one rounding rule. */
export function expectedFrames(samples: number, fps = FPS): number {
  return Math.round((samples * fps) / 48000);
}

/** Every file under `dir`, hidden folders (.refrain) included. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of await readdir(dir)) {
    const p = join(dir, name);
    if ((await stat(p)).isDirectory()) out.push(...(await filesUnder(p)));
    else out.push(p);
  }
  return out;
}

/** Files under `dir` whose bytes contain `secret` (latin1, so binary files such as the SQLite db are read too). */
export async function filesContaining(dir: string, secret: string): Promise<string[]> {
  const hits: string[] = [];
  for (const f of await filesUnder(dir)) {
    const bytes = await readFile(f);
    if (bytes.includes(Buffer.from(secret)) || bytes.toString("latin1").includes(secret)) hits.push(f);
  }
  return hits;
}

export async function removeAll(...dirs: string[]): Promise<void> {
  await Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true })));
}

export interface TakeRow {
  segment: number;
  take: string;
  provider: string;
  status: string;
  picked: boolean;
  cost: number;
  seed: number;
}
